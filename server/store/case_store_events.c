/*
 * What correspondence and determinations set in motion (case_store_correspond,
 * case_store_determine): the tasks they set, the tasks they chase, the
 * stage they move to, each one transaction with its audit and outbox rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "case_store_int.h"
#include "kinds.h"
#include "date.h"
#include "deadline.h"
#include "notice.h"

/* Facts about a case that notices and deadlines need, read under lock. */
struct case_facts {
	int64_t id;
	enum case_stage stage;
	int version;
	int evidence_days;
	char ombudsman[20];
	char sanction[80];
	char channel[10]; /* the Ombudsman's submission channel */
	char reference[48];
	char complaint_ref[48];
	char area[128];
	char findings[400]; /* "{a,b,c}" */
};

static enum ld_err lock_case_facts(struct db *db, int64_t id,
				   struct case_facts *f)
{
	struct db_num n;
	const char *params[] = {db_num(&n, id)};
	PGresult *res;
	enum ld_err err =
		db_exec(db, "case_facts",
			"SELECT c.stage, c.version, o.evidence_days, o.code,"
			" o.sanction_name, o.submission_channel, c.reference,"
			" cp.reference, a.name, o.findings::text"
			" FROM ombudsman_case c JOIN ombudsman o ON o.id = "
			"c.ombudsman_id"
			" JOIN complaint cp ON cp.id = c.complaint_id"
			" JOIN service_area a ON a.id = cp.service_area_id"
			" WHERE c.id = $1 FOR UPDATE OF c",
			1, params, &res);
	if (err)
		return err;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return LD_ENOTFOUND;
	}
	f->id = id;
	f->stage = (enum case_stage)workflow_lookup(case_stage_names,
						    PQgetvalue(res, 0, 0));
	f->version = (int)db_long(res, 0, 1);
	f->evidence_days = (int)db_long(res, 0, 2);
	snprintf(f->ombudsman, sizeof(f->ombudsman), "%s",
		 PQgetvalue(res, 0, 3));
	snprintf(f->sanction, sizeof(f->sanction), "%s", PQgetvalue(res, 0, 4));
	snprintf(f->channel, sizeof(f->channel), "%s", PQgetvalue(res, 0, 5));
	snprintf(f->reference, sizeof(f->reference), "%s",
		 PQgetvalue(res, 0, 6));
	snprintf(f->complaint_ref, sizeof(f->complaint_ref), "%s",
		 PQgetvalue(res, 0, 7));
	snprintf(f->area, sizeof(f->area), "%s", PQgetvalue(res, 0, 8));
	snprintf(f->findings, sizeof(f->findings), "%s", PQgetvalue(res, 0, 9));
	PQclear(res);
	return LD_OK;
}

/*
 * The facts of a notice (mail_notice's templates render its words when it
 * is sent): the case's references and area, never a resident; a task's
 * title and due date are added in SQL by task_notify().  The text is
 * malloc'd JSON.
 */
static char *notice_facts(const struct case_facts *f, enum notice_event event)
{
	json_t *o = json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "notice",
		notice_event_names[event], "ombudsman", f->ombudsman,
		"sanction", f->sanction, "case_reference", f->reference,
		"complaint_reference", f->complaint_ref, "service_area",
		f->area, "case_id", (json_int_t)f->id);
	if (!o)
		abort(); /* only when out of memory: strings are the store's */
	char *text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!text)
		abort();
	return text;
}

/* Queue the notice of a case event to its configured recipients. */
/* Its links are made when the notice is sent (server/mail/). */
static enum ld_err queue_event_notice(struct db *db, const struct case_facts *f,
				      enum notice_event event)
{
	struct db_num n;
	char *facts = notice_facts(f, event);
	const char *params[] = {db_num(&n, f->id), notice_event_names[event],
				facts};
	enum ld_err err = db_exec(
		db, "notice_queue",
		"INSERT INTO outbox (kind, recipient, user_id, case_id, facts)"
		" SELECT $2, r.email, r.user_id, $1, $3::jsonb FROM ("
		"  SELECT u.email, u.id AS user_id FROM notice_recipient n"
		"  JOIN ombudsman_case c ON c.id = $1"
		"  JOIN complaint cp ON cp.id = c.complaint_id"
		"  JOIN service_area a ON a.id = cp.service_area_id"
		"  JOIN app_user u ON u.active AND u.id = CASE n.kind"
		"   WHEN 'head_of_service' THEN a.head_of_service_id"
		"   WHEN 'slt_director' THEN a.slt_director_id"
		"   WHEN 'position' THEN (SELECT user_id FROM position p"
		"    WHERE p.code = n.position_code) END"
		"  WHERE n.event = $2"
		"  UNION SELECT u.email, u.id FROM notice_recipient n"
		"  JOIN user_role r ON r.role = 'link_officer'"
		"  JOIN app_user u ON u.id = r.user_id AND u.active"
		"  WHERE n.event = $2 AND n.kind = 'link_officers'"
		"  UNION SELECT n.address, NULL FROM notice_recipient n"
		"  WHERE n.event = $2 AND n.kind = 'address') r",
		3, params, NULL);
	free(facts);
	return err;
}

/*
 * Tell whoever must do a task of event (a task set, or a chaser about it):
 * its assignee, or else every service officer of its area (task_notify).
 */
static enum ld_err queue_doers_notice(struct db *db, const struct case_facts *f,
				      int64_t task_id, enum notice_event event)
{
	struct db_num t;
	char *facts = notice_facts(f, event);
	const char *params[] = {db_num(&t, task_id), notice_event_names[event],
				facts};
	enum ld_err err =
		db_exec(db, "task_notice",
			"SELECT task_notify(t, $2, $3::jsonb) FROM task t"
			" WHERE t.id = $1",
			3, params, NULL);
	free(facts);
	return err;
}

static enum ld_err insert_task(struct db *db, const struct case_facts *f,
			       const struct workcal *cal, int32_t set_on,
			       int64_t correspondence_id, int64_t remedy_id,
			       const struct task_in *t, int index,
			       int64_t *task_id, struct why *why)
{
	struct due_rule rule = {DUE_WORKING_DAYS, f->evidence_days, 0};
	struct deadline dl;
	struct db_num cs, co, re, area, who;
	struct db_date set, due;
	PGresult *res;
	enum ld_err err;

	if (t->due_on) {
		rule.kind = DUE_GIVEN;
		rule.given = t->due_on;
	} else if (t->weeks > 0) {
		rule.kind = DUE_WEEKS;
		rule.n = t->weeks;
	} else if (t->working_days >= 0) {
		rule.n = t->working_days;
	}
	err = deadline_compute(cal, set_on, &rule, &dl);
	if (err == LD_ERANGE) {
		why_set(why, "tasks",
			"task %d: the due date falls outside the "
			"bank holidays loaded",
			index + 1);
		return LD_ERANGE;
	}
	if (err) {
		why_set(why, "tasks",
			"task %d: the due date must not be "
			"before %s",
			index + 1, "the date it was set");
		return LD_EVALIDATION;
	}
	char *facts = notice_facts(f, NOTICE_TASK_ASSIGNED);
	const char *params[] = {
		db_num(&cs, f->id),
		correspondence_id ? db_num(&co, correspondence_id) : NULL,
		remedy_id ? db_num(&re, remedy_id) : NULL,
		t->kind,
		t->title,
		t->detail ? t->detail : "",
		db_num(&area, t->service_area_id),
		t->assignee_id ? db_num(&who, t->assignee_id) : NULL,
		db_date(&set, set_on),
		db_date(&due, dl.due),
		dl.rule,
		notice_event_names[NOTICE_TASK_ASSIGNED],
		facts,
	};
	/* The task and the notice to whoever must do it, in one go. */
	err = db_exec(
		db, "task_insert",
		"WITH t AS (INSERT INTO task (case_id, correspondence_id,"
		" remedy_id, kind, title, detail, service_area_id, assignee_id,"
		" set_on, due_on, due_rule) VALUES ($1, $2, $3, $4, $5, $6, $7,"
		" $8, $9, $10, $11) RETURNING *)"
		" SELECT id, task_notify(t, $12, $13::jsonb) FROM t",
		13, params, &res);
	free(facts);
	if (err) {
		err = why_constraint(db, err, why);
		if (err == LD_EVALIDATION &&
		    !strcmp(db->constraint, "task_assignee_in_area"))
			why_set(why, "assignee_id",
				"task %d: the assignee must be an active "
				"officer of the task's service area",
				index + 1);
		return err;
	}
	*task_id = db_long(res, 0, 0);
	PQclear(res);
	return LD_OK;
}

static enum ld_err bump_case(struct db *db, int64_t id, const char *stage)
{
	struct db_num n;
	const char *params[] = {db_num(&n, id), stage};
	return db_exec(db, "case_bump",
		       "UPDATE ombudsman_case SET version = version + 1,"
		       " updated_at = now(), stage = coalesce($2, stage)"
		       " WHERE id = $1",
		       2, params, NULL);
}

struct correspond_ctx {
	const struct principal *p;
	const struct workcal *cal;
	int64_t case_id;
	const struct correspondence_in *in;
	char **json;
	struct why *why;
	/* Run in the same transaction once the row is in (the inbox's link). */
	enum ld_err (*then)(struct db *, int64_t correspondence_id, void *);
	void *then_arg;
};

/* The tasks a chaser or extension is about: those named, or all live. */
static enum ld_err targets(struct db *db, const struct correspondence_in *in,
			   const struct case_facts *f, int64_t case_id,
			   const char *set, int notice, int *count,
			   struct case_changes *ch, struct why *why)
{
	struct buf ids;
	struct db_num n;
	struct db_date d;
	PGresult *res;
	char unsent[200];
	buf_init(&ids, 1 << 16);
	const char *params[] = {
		db_num(&n, case_id),
		in->ntask_ids ? db_id_array(&ids, in->task_ids, in->ntask_ids)
			      : NULL,
		set, db_date(&d, in->revised_due_on),
		workflow_status_set(workflow_task_unsent, unsent,
				    sizeof(unsent))};
	enum ld_err err = db_exec(
		db, "chase_tasks",
		"UPDATE task SET version = version + 1, updated_at = now(),"
		" priority = CASE WHEN $3::text IS NULL THEN priority"
		"  WHEN $3 = 'urgent' OR priority = 'urgent' THEN 'urgent'"
		"  ELSE $3 END,"
		" revised_due_on = coalesce($4::date, revised_due_on)"
		" WHERE case_id = $1 AND status = ANY($5::text[])"
		" AND ($2::bigint[] IS NULL OR id = ANY($2::bigint[]))"
		" RETURNING id",
		5, params, &res);
	buf_release(&ids);
	if (err)
		return err;
	*count = PQntuples(res);
	if (in->ntask_ids && *count != in->ntask_ids) {
		PQclear(res);
		why_set(why, "task_ids",
			"every task named must be an open task of this case");
		return LD_EVALIDATION;
	}
	for (int i = 0; !err && i < *count; i++)
		err = case_changes_add(&ch->tasks, db_long(res, i, 0));
	/* A chaser is news to whoever does each task it is about. */
	for (int i = 0; !err && notice >= 0 && i < *count; i++)
		err = queue_doers_notice(db, f, db_long(res, i, 0),
					 (enum notice_event)notice);
	PQclear(res);
	return err;
}

static enum ld_err confirm_orders(struct db *db,
				  const struct correspondence_in *in,
				  int64_t case_id, struct case_changes *ch,
				  struct why *why)
{
	struct buf ids;
	struct db_num n;
	struct db_date d;
	PGresult *res;
	buf_init(&ids, 1 << 16);
	char confirmable[200];
	const char *params[] = {
		db_num(&n, case_id),
		in->nremedy_ids
			? db_id_array(&ids, in->remedy_ids, in->nremedy_ids)
			: NULL,
		db_date(&d, in->dated_on),
		workflow_status_set(workflow_task_confirmable, confirmable,
				    sizeof(confirmable))};
	enum ld_err err = db_exec(
		db, "confirm_orders",
		"WITH r AS (UPDATE remedy SET confirmed_on = $3,"
		"  version = version + 1"
		"  WHERE case_id = $1 AND confirmed_on IS NULL"
		"  AND ($2::bigint[] IS NULL OR id = ANY($2::bigint[]))"
		"  RETURNING id, task_id),"
		" t AS (UPDATE task SET status = 'done', completed_on = $3,"
		"  version = version + 1, updated_at = now()"
		"  WHERE id IN (SELECT task_id FROM r)"
		"  AND status = ANY($4::text[]))"
		" SELECT id, task_id FROM r",
		4, params, &res);
	buf_release(&ids);
	if (err)
		return err;
	long confirmed = PQntuples(res);
	for (int i = 0; !err && i < confirmed; i++)
		if (!(err = case_changes_add(&ch->remedies,
					     db_long(res, i, 0))) &&
		    !PQgetisnull(res, i, 1))
			err = case_changes_add(&ch->tasks, db_long(res, i, 1));
	PQclear(res);
	if (err)
		return err;
	if ((in->nremedy_ids && confirmed != in->nremedy_ids) ||
	    confirmed == 0) {
		why_set(why, "remedy_ids",
			"name orders or recommendations of this case not yet "
			"confirmed");
		return LD_EVALIDATION;
	}
	return LD_OK;
}

static enum ld_err correspond(struct db *db, void *arg)
{
	struct correspond_ctx *c = arg;
	const struct correspondence_in *in = c->in;
	struct case_facts f;
	struct db_num n, actor, chfo;
	struct db_date dated, due;
	PGresult *res = NULL;
	const struct corr_kind *k = corr_kind_find(in->kind);
	struct case_changes ch;
	int count;

	case_changes_init(&ch);
	enum ld_err err = db_begin_as(db, c->p->user_id);
	if (!err)
		err = lock_case_facts(db, c->case_id, &f);
	if (err)
		goto out;
	if (!k) {
		why_set(c->why, "kind", "unknown kind of correspondence");
		err = LD_EVALIDATION;
		goto out;
	}
	if (f.stage == STAGE_CLOSED && !k->on_closed) {
		why_set(c->why, "kind", "the case is closed");
		err = LD_ECONFLICT;
		goto out;
	}
	if (k->own_command) {
		why_set(c->why, "kind",
			"register a %s with its own command: POST "
			"/api/v1/cases/%lld/%s",
			k->own_command, (long long)c->case_id, k->own_command);
		err = LD_EVALIDATION;
		goto out;
	}
	if (k->needs_tasks && in->ntasks == 0) {
		why_set(c->why, "tasks",
			"an information request needs at least one task naming "
			"what the Ombudsman asked for");
		err = LD_EVALIDATION;
		goto out;
	}
	if (k->needs_revised && !in->revised_due_on) {
		why_set(c->why, "revised_due_on",
			"an agreed extension needs its revised date");
		err = LD_EVALIDATION;
		goto out;
	}
	if (in->revised_due_on && in->revised_due_on < in->dated_on) {
		why_set(c->why, "revised_due_on",
			"the revised date is before the correspondence");
		err = LD_EVALIDATION;
		goto out;
	}

	const char *direction = in->direction;
	if (!direction)
		direction = k->outgoing ? "out" : "in";
	const char *params[] = {
		db_num(&n, c->case_id),
		direction,
		k->name,
		db_date(&dated, in->dated_on),
		in->channel ? in->channel : "email",
		in->summary ? in->summary : "",
		db_date(&due, in->response_due_on ? in->response_due_on
						  : in->revised_due_on),
		db_num(&actor, c->p->user_id),
		in->chfo_type ? db_num(&chfo, in->chfo_type) : NULL};
	err = db_exec(
		db, "correspondence_insert",
		"INSERT INTO correspondence (case_id, direction, kind,"
		" dated_on, channel, summary, response_due_on, created_by,"
		" chfo_type)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
		9, params, &res);
	if (err) {
		err = why_constraint(db, err, c->why);
		goto out;
	}
	int64_t corr_id = db_long(res, 0, 0);
	PQclear(res);
	res = NULL;
	if ((err = case_changes_add(&ch.correspondence, corr_id)))
		goto out;

	/* What the kind means, as core's table says. */
	const char *stage = NULL;
	/* The event's own recipients first: the tasks' officers after, each
	 * told once. */
	if (k->notice >= 0)
		err = queue_event_notice(db, &f, (enum notice_event)k->notice);
	if (!err && k->targets_tasks) {
		err = targets(db, in, &f, c->case_id, k->raises, k->notice,
			      &count, &ch, c->why);
		if (!err && count == 0 && k->needs_revised) {
			why_set(c->why, "task_ids", "no open task to extend");
			err = LD_EVALIDATION;
		}
	}
	if (!err && k->moves_to >= 0 && f.stage < (enum case_stage)k->moves_to)
		stage = case_stage_names[k->moves_to];
	if (!err && k->confirms_orders)
		err = confirm_orders(db, in, c->case_id, &ch, c->why);
	if (err)
		goto out;

	for (int i = 0; i < in->ntasks; i++) {
		int64_t task_id;
		struct task_in t = in->tasks[i];
		if (!t.kind)
			t.kind = k->task_kind;
		if (!t.due_on && t.working_days < 0 && t.weeks <= 0 &&
		    in->response_due_on)
			t.due_on = in->response_due_on;
		if ((err = insert_task(db, &f, c->cal, in->dated_on, corr_id, 0,
				       &t, i, &task_id, c->why)) ||
		    (err = case_changes_add(&ch.tasks, task_id)))
			goto out;
	}
	if (c->then && (err = c->then(db, corr_id, c->then_arg)))
		goto out;
	if ((err = bump_case(db, c->case_id, stage)))
		goto out;
	err = case_changed(db, c->p, c->case_id, &ch, c->json);
out:
	case_changes_release(&ch);
	PQclear(res);
	return finish(db, err);
}

enum ld_err case_store_correspond(struct store *s, const struct principal *p,
				  const struct workcal *cal, int64_t case_id,
				  const struct correspondence_in *in,
				  char **json, struct why *why)
{
	return case_store_correspond_then(s, p, cal, case_id, in, NULL, NULL,
					  json, why);
}

enum ld_err
case_store_correspond_then(struct store *s, const struct principal *p,
			   const struct workcal *cal, int64_t case_id,
			   const struct correspondence_in *in,
			   enum ld_err (*then)(struct db *, int64_t, void *),
			   void *then_arg, char **json, struct why *why)
{
	struct correspond_ctx c = {p,	 cal, case_id, in,
				   json, why, then,    then_arg};
	return db_run(s, correspond, &c);
}

struct determine_ctx {
	const struct principal *p;
	const struct workcal *cal;
	int64_t case_id;
	const struct determination_in *in;
	char **json;
	struct why *why;
};

/* Is finding one of the Ombudsman's, given as "{a,b,c}"? */
/*
 * Is finding one item of list, a PostgreSQL text array "{a,b,c}"?  Walked
 * item by item, so every step moves on whatever the finding is.
 */
static bool finding_allowed(const char *list, const char *finding)
{
	size_t n = strlen(finding);
	const char *p = list + (*list == '{');
	while (*p && *p != '}') {
		size_t len = strcspn(p, ",}");
		if (n && len == n && !strncmp(p, finding, n))
			return true;
		p += len;
		if (*p == ',')
			p++;
	}
	return false;
}

static enum ld_err insert_remedy(struct db *db, struct determine_ctx *c,
				 const struct case_facts *f, int64_t det_id,
				 int64_t corr_id, int i,
				 struct case_changes *ch)
{
	const struct remedy_in *r = &c->in->remedies[i];
	struct task_in t = {0};
	struct db_num d, cs, amount;
	char title[301];
	int64_t remedy_id, task_id;
	PGresult *res;
	enum ld_err err;

	/* The task carries the deadline; the remedy keeps the same date. */
	snprintf(title, sizeof(title), "%s", r->description);
	t.title = title;
	t.detail = r->description;
	t.kind = r->type;
	t.service_area_id = r->service_area_id;
	t.assignee_id = r->assignee_id;
	t.due_on = r->due_on;
	t.weeks = r->due_on ? 0 : (r->weeks > 0 ? r->weeks : 4);
	t.working_days = -1;
	if ((err = insert_task(db, f, c->cal, c->in->decided_on, corr_id, 0, &t,
			       i, &task_id, c->why)))
		return err;
	const char *params[] = {
		db_num(&d, det_id),
		db_num(&cs, c->case_id),
		r->type,
		r->kind,
		r->description,
		r->amount_pence >= 0 ? db_num(&amount, r->amount_pence) : NULL,
		NULL};
	struct db_num tid;
	params[6] = db_num(&tid, task_id);
	err = db_exec(
		db, "remedy_insert",
		"INSERT INTO remedy (determination_id, case_id, type, kind,"
		" description, amount_pence, due_on, task_id)"
		" SELECT $1, $2, $3, $4, $5, $6, due_on, id FROM task"
		" WHERE id = $7 RETURNING id",
		7, params, &res);
	if (err)
		return why_constraint(db, err, c->why);
	remedy_id = db_long(res, 0, 0);
	PQclear(res);
	struct db_num rid;
	const char *link[] = {db_num(&rid, remedy_id), params[6]};
	if ((err = db_exec(db, "task_remedy",
			   "UPDATE task SET remedy_id = $1 WHERE id = $2", 2,
			   link, NULL)) ||
	    (err = case_changes_add(&ch->tasks, task_id)))
		return err;
	return case_changes_add(&ch->remedies, remedy_id);
}

static enum ld_err determine(struct db *db, void *arg)
{
	struct determine_ctx *c = arg;
	const struct determination_in *in = c->in;
	struct case_facts f;
	struct db_num n, actor, det;
	struct db_date dated;
	PGresult *res = NULL;
	struct case_changes ch;

	case_changes_init(&ch);
	ch.determination = true;
	enum ld_err err = db_begin_as(db, c->p->user_id);
	if (!err)
		err = lock_case_facts(db, c->case_id, &f);
	if (err)
		goto out;
	if (f.stage == STAGE_CLOSED) {
		why_set(c->why, NULL,
			"a determination cannot be registered on a closed "
			"case");
		err = LD_ECONFLICT;
		goto out;
	}
	for (int i = 0; i < in->nfindings; i++) {
		if (!finding_allowed(f.findings, in->findings[i].finding)) {
			why_set(c->why, "findings",
				"finding %d: %.40s is not a %s finding (%s)",
				i + 1, in->findings[i].finding, f.ombudsman,
				f.findings);
			err = LD_EVALIDATION;
			goto out;
		}
	}
	const char *params[] = {
		db_num(&n, c->case_id), db_date(&dated, in->decided_on),
		in->channel ? in->channel : "email",
		in->summary ? in->summary : "", db_num(&actor, c->p->user_id)};
	err = db_exec(
		db, "determination_insert",
		"WITH m AS (INSERT INTO correspondence (case_id, direction,"
		"  kind, dated_on, channel, summary, created_by)"
		"  VALUES ($1, 'in', 'determination', $2, $3, $4, $5)"
		"  RETURNING id)"
		" INSERT INTO determination (case_id, decided_on,"
		" correspondence_id) SELECT $1, $2, id FROM m"
		" RETURNING id, correspondence_id",
		5, params, &res);
	if (err) {
		err = why_constraint(db, err, c->why);
		if (err == LD_ECONFLICT)
			why_set(c->why, NULL,
				"this case already has its determination");
		goto out;
	}
	int64_t det_id = db_long(res, 0, 0);
	int64_t corr_id = db_long(res, 0, 1);
	PQclear(res);
	res = NULL;
	for (int i = 0; i < in->nfindings; i++) {
		const char *fp[] = {db_num(&det, det_id), params[0],
				    in->findings[i].element,
				    in->findings[i].finding};
		if ((err = db_exec(
			     db, "finding_insert",
			     "INSERT INTO finding (determination_id, case_id,"
			     " element, finding) VALUES ($1, $2, $3, $4)",
			     4, fp, NULL)))
			goto out;
	}
	for (int i = 0; i < in->nremedies; i++)
		if ((err = insert_remedy(db, c, &f, det_id, corr_id, i, &ch)))
			goto out;
	if ((err = queue_event_notice(db, &f, NOTICE_DETERMINATION)) ||
	    (err = bump_case(db, c->case_id,
			     in->nremedies ? "remedies" : "determined")))
		goto out;
	if (!(err = case_changes_add(&ch.correspondence, corr_id)))
		err = case_changed(db, c->p, c->case_id, &ch, c->json);
out:
	case_changes_release(&ch);
	PQclear(res);
	return finish(db, err);
}

enum ld_err case_store_determine(struct store *s, const struct principal *p,
				 const struct workcal *cal, int64_t case_id,
				 const struct determination_in *in, char **json,
				 struct why *why)
{
	struct determine_ctx c = {p, cal, case_id, in, json, why};
	return db_run(s, determine, &c);
}
