/* Tasks: reading, listing, editing, and the actions of the workflow. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_store_int.h"
#include "date.h"
#include "kinds.h"
#include "page_size.h"

enum ld_err task_read(struct db *db, const struct principal *p, int64_t id,
		      char **json)
{
	struct db_num n, area;
	const char *params[] = {db_num(&n, id), area_scope(p, &area),
				residents_param(p)};
	return db_json(db, "task_read", "SELECT task_detail_json($1, $2, $3)",
		       3, params, json);
}

enum ld_err task_store_get(struct store *s, const struct principal *p,
			   int64_t id, char **json)
{
	return store_read(s, task_read, p, id, json);
}

struct list_ctx {
	const struct principal *p;
	const struct list_query *q;
	char **json;
};

/*
 * How far a task list's total is counted past the first task of its page:
 * beyond, the total is that many and "total_exact" false ("more than
 * 1,000"), so that a page of a long list costs what the page does, not
 * what the list does.
 */
#define TASK_COUNT_PAST 1000

/*
 * The filtered task list: a page of ids in due-date order (from the open-task
 * indexes), their JSON from task_doc built once for each of the page's rows,
 * and the total counted from the same index up to TASK_COUNT_PAST past the
 * page, in one statement.
 */
static enum ld_err list_tasks(struct db *db, void *arg)
{
	struct list_ctx *c = arg;
	const struct list_query *q = c->q;
	struct db_num area, scope, who, cs, limit, offset;
	struct db_date before, after, today;
	struct filter f;
	struct buf sql;

	filter_init(&f);
	filter_add(&f, "t.status = $%d", q->status);
	filter_add(&f, "t.service_area_id = $%d",
		   q->service_area_id ? db_num(&area, q->service_area_id)
				      : NULL);
	/*
	 * A scoped reader's tasks are its area's (area_scope: core's
	 * principal_area_scope; -1, no area, matches none), as task_visible()
	 * says for a scope given: written as the equality, whose generic
	 * plan reads the area's index (task_visible's OR, with its parameter
	 * unknown, made the planner expect 3 rows and sort the area's).
	 */
	filter_add(&f, "t.service_area_id = $%d", area_scope(c->p, &scope));
	filter_add(&f, "t.assignee_id = $%d",
		   q->assignee_id ? db_num(&who, q->assignee_id) : NULL);
	filter_add(&f,
		   "EXISTS (SELECT 1 FROM ombudsman_case c JOIN ombudsman o"
		   " ON o.id = c.ombudsman_id WHERE c.id = t.case_id"
		   " AND o.code = $%d)",
		   q->ombudsman);
	filter_add(&f, "effective_due(t) <= $%d",
		   db_date(&before, q->due_before));
	filter_add(&f, "effective_due(t) >= $%d",
		   db_date(&after, q->due_after));
	filter_add(&f, "task_overdue(t, $%d)",
		   q->overdue ? db_date(&today, q->today) : NULL);
	filter_add_if(&f, q->open_only, "task_is_open(t.status)");
	filter_add(&f, "t.case_id = $%d",
		   q->case_id ? db_num(&cs, q->case_id) : NULL);
	filter_add(&f, "t.kind = $%d", q->kind);
	/*
	 * The first page's bounds are written into the statement: with a
	 * parameter for either, the planner assumes a tenth of the rows and
	 * the plan cache plans every call afresh, where with them written the
	 * generic plan is the index plan and is kept.  Only the usual size
	 * is written, so that a client asking for every size from 1 to 200
	 * cannot fill a connection's prepared statements (DB_PREPARED_MAX);
	 * other sizes and later pages pass them.
	 */
	char lim[16], off[16];
	if (q->page == 1 && q->per_page == PAGE_ROWS) {
		snprintf(lim, sizeof(lim), "%d", q->per_page);
		snprintf(off, sizeof(off), "0");
	} else {
		snprintf(lim, sizeof(lim), "$%d",
			 filter_param(&f, db_num(&limit, q->per_page)));
		snprintf(off, sizeof(off), "$%d",
			 filter_param(&f,
				      db_num(&offset, (int64_t)(q->page - 1) *
							      q->per_page)));
	}
	const char *where = buf_str(&f.sql);
	buf_init(&sql, 8192);
	buf_printf(
		&sql,
		"WITH p AS MATERIALIZED (SELECT t.id, effective_due(t) AS due"
		" FROM task t WHERE true%s ORDER BY due, id LIMIT %s OFFSET "
		"%s),"
		" n AS (SELECT count(*) AS n FROM (SELECT FROM task t"
		" WHERE true%s LIMIT %s::int + %d + 1) x)"
		" SELECT json_build_object('items', (SELECT"
		" coalesce(json_agg(d.doc ORDER BY p.due, p.id), '[]')"
		" FROM p JOIN task_doc d ON d.id = p.id),"
		" 'total', least(n.n, %s::int + %d),"
		" 'total_exact', n.n <= %s::int + %d,"
		" 'page', %s::int / %s::int + 1, 'per_page', %s::int) FROM n",
		where, lim, off, where, off, TASK_COUNT_PAST, off,
		TASK_COUNT_PAST, off, TASK_COUNT_PAST, off, lim, lim);
	enum ld_err err =
		db_json(db, "task_list", buf_str(&sql), f.n, f.params, c->json);
	buf_release(&sql);
	filter_release(&f);
	return err;
}

enum ld_err task_store_list(struct store *s, const struct principal *p,
			    const struct list_query *q, char **json)
{
	struct list_ctx c = {p, q, json};
	return db_run(s, list_tasks, &c);
}

enum ld_err task_lock(struct db *db, const struct principal *p, int64_t id,
		      int version, struct locked_task *t, struct why *why)
{
	struct db_num n, area;
	const char *params[] = {db_num(&n, id), area_scope(p, &area)};
	PGresult *res;
	/* Other areas' tasks do not exist for a service officer. */
	enum ld_err err = db_exec(
		db, "task_lock",
		"SELECT t.status, t.service_area_id, coalesce(t.remedy_id, 0),"
		" c.stage = 'closed', t.paused_on IS NOT NULL,"
		" o.submission_channel, t.title, t.version"
		" FROM task t JOIN ombudsman_case c ON c.id = t.case_id"
		" JOIN ombudsman o ON o.id = c.ombudsman_id"
		" WHERE t.id = $1 AND task_visible($2, t.service_area_id)"
		" FOR UPDATE OF t",
		2, params, &res);
	if (err)
		return err;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return LD_ENOTFOUND;
	}
	t->status = (enum task_status)workflow_lookup(task_status_names,
						      PQgetvalue(res, 0, 0));
	t->area = db_long(res, 0, 1);
	t->remedy_id = db_long(res, 0, 2);
	t->case_closed = PQgetvalue(res, 0, 3)[0] == 't';
	t->paused = PQgetvalue(res, 0, 4)[0] == 't';
	snprintf(t->channel, sizeof(t->channel), "%s", PQgetvalue(res, 0, 5));
	snprintf(t->title, sizeof(t->title), "%s", PQgetvalue(res, 0, 6));
	long current = db_long(res, 0, 7);
	PQclear(res);
	if (t->case_closed) {
		why_set(why, NULL, "the case is closed");
		return LD_ECONFLICT;
	}
	if (version != current) {
		why_set(why, "version",
			"the task was changed by someone else (now version "
			"%ld): reload it",
			current);
		return LD_EPRECONDITION;
	}
	return LD_OK;
}

struct act_ctx {
	const struct principal *p;
	int64_t id;
	const struct task_action_in *in;
	char **json;
	struct why *why;
};

/*
 * The task's current files may go to the Ombudsman: none quarantined or
 * waiting for a scan and, with LINKDESK_REQUIRE_SCAN, none unscanned.
 * Checked at submission and again at sending (a file added since revises
 * the version).
 */
enum ld_err task_files_sendable(struct db *db, int64_t task_id,
				bool require_scan, struct why *why)
{
	struct db_num n;
	PGresult *res;
	const char *params[] = {db_num(&n, task_id), require_scan ? "t" : "f"};
	enum ld_err err = db_exec(
		db, "task_files_ready",
		"SELECT count(*) FILTER (WHERE status IN ('pending',"
		" 'quarantined')), count(*) FILTER (WHERE $2 AND status ="
		" 'not_scanned') FROM evidence_file WHERE task_id = $1"
		" AND replaced_at IS NULL",
		2, params, &res);
	if (err)
		return err;
	long waiting = db_long(res, 0, 0), unscanned = db_long(res, 0, 1);
	PQclear(res);
	if (waiting) {
		why_set(why, "files",
			"a file is quarantined or not yet scanned: remove or "
			"replace it first");
		return LD_ECONFLICT;
	}
	if (unscanned) {
		why_set(why, "files",
			"a file was not scanned for viruses and scanning is "
			"required here: remove it and upload it again once the "
			"scanner is running");
		return LD_ECONFLICT;
	}
	return LD_OK;
}

static enum ld_err files_sendable(struct db *db, struct act_ctx *c)
{
	return task_files_sendable(db, c->id, c->in->require_scan, c->why);
}

static enum ld_err submit(struct db *db, struct act_ctx *c)
{
	struct db_num n, who;
	const char *params[] = {db_num(&n, c->id), c->in->answer,
				c->in->attachments ? c->in->attachments : "[]",
				db_num(&who, c->p->user_id)};
	enum ld_err err = files_sendable(db, c);
	if (err)
		return err;
	/* The version records the exact files, with their hashes. */
	return db_exec(
		db, "task_submit",
		"WITH v AS (INSERT INTO evidence_version (task_id, case_id,"
		"  number, answer, attachments, files, submitted_by)"
		"  SELECT id, case_id, (SELECT coalesce(max(number), 0) + 1"
		"  FROM evidence_version WHERE task_id = $1), $2,"
		"  $3::jsonb, evidence_files_json($1), $4 FROM task"
		"  WHERE id = $1)"
		" UPDATE task SET status = 'submitted', answer = $2,"
		" return_comment = '' WHERE id = $1",
		4, params, NULL);
}

/* Record a validator's decision; on the last approval, validated. */
static enum ld_err sign_off(struct db *db, struct act_ctx *c, bool approve)
{
	struct db_num n, title, who;
	PGresult *res;
	const char *params[] = {
		db_num(&n, c->id), db_num(&title, c->p->validator_title_id),
		db_num(&who, c->p->user_id), approve ? "approved" : "returned",
		c->in->comment ? c->in->comment : ""};
	enum ld_err err = db_exec(
		db, "task_signoff",
		"INSERT INTO signoff (evidence_version_id, case_id,"
		" validator_title_id, user_id, decision, comment, files)"
		" SELECT v.id, v.case_id, $2, $3, $4, $5, v.files"
		" FROM evidence_version v"
		" WHERE v.task_id = $1 ORDER BY v.number DESC LIMIT 1",
		5, params, NULL);
	if (err)
		return why_constraint(db, err, c->why);
	if (!approve) {
		const char *back[] = {params[0], params[4]};
		return db_exec(db, "task_returned",
			       "UPDATE task SET status = 'in_progress',"
			       " return_comment = $2 WHERE id = $1",
			       2, back, NULL);
	}
	err = db_exec(db, "task_validated",
		      "UPDATE task SET status = 'validated' WHERE id = $1"
		      " AND (validation_json($1)->>'complete')::boolean"
		      " RETURNING id",
		      1, params, &res);
	if (!err)
		PQclear(res);
	return err;
}

enum ld_err task_record_sent(struct db *db, int64_t task_id, int32_t dated_on,
			     const char *channel, int64_t actor_id)
{
	struct db_num n, who;
	struct db_date d;
	const char *params[] = {db_num(&n, task_id), db_date(&d, dated_on),
				channel, db_num(&who, actor_id)};
	/*
	 * What was sent is the validated version, its files named by hash.
	 * The correspondence is read by roles refused resident details, so a
	 * file holding them is not named in it.
	 */
	return db_exec(
		db, "task_send",
		"WITH v AS (SELECT number, files FROM evidence_version"
		"  WHERE task_id = $1 ORDER BY number DESC LIMIT 1),"
		" t AS (UPDATE task SET status = 'sent', sent_on = $2,"
		"  sent_version = (SELECT number FROM v),"
		"  version = version + 1, updated_at = now()"
		"  WHERE id = $1 RETURNING case_id, title, remedy_id),"
		" m AS (INSERT INTO correspondence (case_id, direction, kind,"
		"  dated_on, channel, summary, created_by)"
		"  SELECT case_id, 'out', 'evidence_submitted', $2, $3,"
		"  'Evidence sent for task: ' || title || ' (version ' ||"
		"  v.number || coalesce('; files: ' || (SELECT string_agg("
		"  (f->>'name') || ' sha256 ' || (f->>'sha256'), ', ')"
		"  FROM jsonb_array_elements(files_shown(v.files, false)) f),"
		"  '') || ')', $4"
		"  FROM t, v)"
		" UPDATE remedy SET complied_on = $2, version = version + 1"
		" WHERE id = (SELECT remedy_id FROM t) AND complied_on IS NULL",
		4, params, NULL);
}

static enum ld_err send_evidence(struct db *db, struct act_ctx *c,
				 const struct locked_task *t)
{
	enum ld_err err = files_sendable(db, c);
	if (err)
		return err;
	return task_record_sent(db, c->id, c->in->dated_on,
				c->in->channel ? c->in->channel : t->channel,
				c->p->user_id);
}

static enum ld_err act(struct db *db, void *arg)
{
	struct act_ctx *c = arg;
	const struct task_action_in *in = c->in;
	struct locked_task t;
	enum task_status to;
	const char *why;
	struct db_num n;
	struct db_date d;

	enum ld_err err = db_begin_as(db, c->p->user_id);
	if (!err)
		err = task_lock(db, c->p, c->id, in->version, &t, c->why);
	if (err)
		goto out;
	err = workflow_task_action(t.status, in->action, c->p->roles,
				   principal_works_in(c->p, t.area), &to, &why);
	if (err) {
		why_set(c->why, "action", "%s", why);
		goto out;
	}
	const char *params[] = {db_num(&n, c->id), db_date(&d, in->dated_on),
				task_status_names[to]};
	switch (in->action) {
	case TASK_SUBMIT:
		if (!in->answer || !*in->answer) {
			why_set(c->why, "answer",
				"say what the answer is, or what is attached");
			err = LD_EVALIDATION;
			break;
		}
		err = submit(db, c);
		break;
	case TASK_APPROVE:
	case TASK_RETURN:
		if (!c->p->validator_title_id) {
			why_set(c->why, NULL,
				"you have no validator title to sign as");
			err = LD_EFORBIDDEN;
			break;
		}
		if (in->action == TASK_RETURN &&
		    (!in->comment || !*in->comment)) {
			why_set(c->why, "comment",
				"say why the answer is returned");
			err = LD_EVALIDATION;
			break;
		}
		err = sign_off(db, c, in->action == TASK_APPROVE);
		break;
	case TASK_CANCEL:
		/* A cancellation says why, for the record (issue 16). */
		if (!in->comment || !*in->comment) {
			why_set(c->why, "comment",
				"say why the task is cancelled");
			err = LD_EVALIDATION;
			break;
		}
		{
			const char *cp[] = {params[0], params[1], in->comment};
			err = db_exec(db, "task_cancel",
				      "UPDATE task SET status = 'cancelled',"
				      " completed_on = $2::date,"
				      " cancel_reason = $3 WHERE id = $1",
				      3, cp, NULL);
		}
		break;
	case TASK_SEND: err = send_evidence(db, c, &t); break;
	case TASK_PAUSE:
	case TASK_RESUME:
		if (t.paused == (in->action == TASK_PAUSE)) {
			why_set(c->why, "action", "the task is %s paused",
				t.paused ? "already" : "not");
			err = LD_ECONFLICT;
			break;
		}
		err = db_exec(db, "task_pause",
			      "UPDATE task SET"
			      " paused_days = paused_days + CASE WHEN paused_on"
			      "  IS NULL THEN 0 ELSE greatest($2::date -"
			      "  paused_on, 0) END,"
			      " paused_on = CASE WHEN paused_on IS NULL THEN"
			      "  $2::date END WHERE id = $1",
			      2, params, NULL);
		break;
	default:
		err = db_exec(
			db, "task_status",
			"UPDATE task SET status = $3, completed_on ="
			" CASE WHEN $3 IN ('done', 'cancelled') THEN $2::date"
			" END WHERE id = $1",
			3, params, NULL);
		break;
	}
	if (err)
		goto out;
	/* Recording it sent moves the version itself (task_record_sent). */
	if (in->action != TASK_SEND)
		err = db_exec(db, "task_bump",
			      "UPDATE task SET version = version + 1,"
			      " updated_at = now() WHERE id = $1",
			      1, params, NULL);
	if (!err)
		err = task_read(db, c->p, c->id, c->json);
out:
	return finish(db, err);
}

enum ld_err task_store_act(struct store *s, const struct principal *p,
			   int64_t id, const struct task_action_in *in,
			   char **json, struct why *why)
{
	struct act_ctx c = {p, id, in, json, why};
	return db_run(s, act, &c);
}

struct update_ctx {
	const struct principal *p;
	int64_t id;
	const struct task_update_in *in;
	char **json;
	struct why *why;
};

static enum ld_err update(struct db *db, void *arg)
{
	struct update_ctx *c = arg;
	const struct task_update_in *in = c->in;
	struct locked_task t;
	struct db_num n, who, area;
	const char *params[] = {
		db_num(&n, c->id),
		in->assignee_id > 0 ? db_num(&who, in->assignee_id) : NULL,
		in->assignee_id < 0 ? "t" : "f",
		in->service_area_id ? db_num(&area, in->service_area_id) : NULL,
		in->priority,
		in->title,
		in->detail};
	enum ld_err err = db_begin_as(db, c->p->user_id);
	if (!err)
		err = task_lock(db, c->p, c->id, in->version, &t, c->why);
	if (err)
		goto out;
	if (workflow_task_closed(t.status)) {
		why_set(c->why, NULL,
			"a task that is done or cancelled cannot "
			"be changed");
		err = LD_ECONFLICT;
		goto out;
	}
	/*
	 * The assignee belongs to the task's area (the trigger
	 * task_assignee_in_area refuses anyone else, as assignee_id): a task
	 * moved to another area without a new assignee goes to that area's
	 * officers, as the link officer moving it means.
	 */
	err = db_exec(
		db, "task_update",
		"UPDATE task SET"
		" assignee_id = CASE WHEN NOT $3 THEN $2::bigint"
		"  WHEN $4::bigint <> service_area_id THEN NULL"
		"  ELSE assignee_id END,"
		" service_area_id = coalesce($4::bigint, service_area_id),"
		" priority = coalesce($5, priority),"
		" title = coalesce($6, title), detail = coalesce($7, detail),"
		" version = version + 1, updated_at = now() WHERE id = $1",
		7, params, NULL);
	if (err) {
		err = why_constraint(db, err, c->why);
		goto out;
	}
	err = task_read(db, c->p, c->id, c->json);
out:
	return finish(db, err);
}

enum ld_err task_store_update(struct store *s, const struct principal *p,
			      int64_t id, const struct task_update_in *in,
			      char **json, struct why *why)
{
	struct update_ctx c = {p, id, in, json, why};
	return db_run(s, update, &c);
}

/* Chasing ----------------------------------------------------------------- */

struct chase_ctx {
	const struct principal *p;
	int64_t id;
	int32_t today;
	char **json;
	struct why *why;
};

/*
 * Who has chased whom about a task: the reminders mailed to its doers (by
 * the link officer, or in the sweep's list of the day) and the Ombudsman's
 * chasers on its case since it was set, newest first.
 */
static enum ld_err chasing(struct db *db, const struct principal *p, int64_t id,
			   char **json)
{
	struct db_num n, area;
	char chasers[200] = "{";
	/* The Ombudsman's chasers: core's kinds that raise a priority. */
	for (const struct corr_kind *k = corr_kinds; k->name; k++)
		if (k->raises)
			snprintf(chasers + strlen(chasers),
				 sizeof(chasers) - strlen(chasers), "%s%s",
				 chasers[1] ? "," : "", k->name);
	strcat(chasers, "}");
	const char *params[] = {db_num(&n, id), area_scope(p, &area), chasers};
	return db_json(
		db, "task_chasing",
		"SELECT json_build_object("
		" 'reminders', coalesce((SELECT json_agg(json_build_object("
		"  'on', (x.created_at AT TIME ZONE 'Europe/London')::date,"
		"  'to', coalesce(u.name, 'the service area'),"
		"  'status', x.status) ORDER BY x.id DESC, x.user_id)"
		/* The link officer's, about this task alone, to each person
		 * (outbox_person: a notice to several, before the mail makes
		 * their messages of it, too), and the sweep's, a person's
		 * list of the day (outbox_task_ids). */
		"  FROM (SELECT p.id, p.created_at, p.user_id, p.status"
		"  FROM outbox_person p WHERE p.case_id = t.case_id"
		"  AND p.task_id = t.id AND p.kind = 'reminder'"
		"  UNION ALL SELECT o.id, o.created_at, o.user_id, o.status"
		"  FROM outbox o WHERE o.task_ids @> ARRAY[t.id]"
		"  AND o.kind = 'reminders') x"
		"  LEFT JOIN app_user u ON u.id = x.user_id"
		"  WHERE x.status <> 'dropped'), '[]'),"
		" 'chasers', coalesce((SELECT json_agg(json_build_object("
		"  'kind', m.kind, 'dated_on', m.dated_on)"
		"  ORDER BY m.dated_on DESC, m.id DESC)"
		"  FROM correspondence m WHERE m.case_id = t.case_id"
		"  AND m.kind = ANY($3::text[])"
		"  AND m.dated_on >= t.set_on), '[]'))"
		" FROM task t WHERE t.id = $1"
		" AND task_visible($2, t.service_area_id)",
		3, params, json);
}

enum ld_err task_store_chasing(struct store *s, const struct principal *p,
			       int64_t id, char **json)
{
	return store_read(s, chasing, p, id, json);
}

/*
 * The link officer's "remind now": a reminder mailed at once to whoever
 * must do the task, as the sweep sends them, while the task awaits its
 * doer (workflow_task_awaits_assignee) and is not paused.
 */
static enum ld_err remind(struct db *db, void *arg)
{
	struct chase_ctx *c = arg;
	struct locked_task t;
	struct db_num n;
	struct db_date d;
	PGresult *res = NULL;
	int version = 0;
	const char *vp[] = {db_num(&n, c->id)};
	enum ld_err err = db_begin_as(db, c->p->user_id);
	/* The version the lock checks is the one it reads: a reminder
	 * changes nothing of the task. */
	if (!err)
		err = db_exec(db, "task_version",
			      "SELECT version FROM task WHERE id = $1", 1, vp,
			      &res);
	if (!err && PQntuples(res))
		version = (int)db_long(res, 0, 0);
	PQclear(res);
	res = NULL;
	if (!err)
		err = task_lock(db, c->p, c->id, version, &t, c->why);
	if (err)
		goto out;
	if (!workflow_task_awaits_assignee(t.status) || t.paused) {
		why_set(c->why, NULL,
			"a reminder goes only to a task still being worked on "
			"and not paused");
		err = LD_ECONFLICT;
		goto out;
	}
	/* Told as a task's doers are of everything (task_notify): its
	 * assignee, or one notice to its area's officers. */
	const char *params[] = {db_date(&d, c->today), vp[0]};
	err = db_exec(db, "task_remind",
		      "SELECT task_notify(t, 'reminder', " REMINDER_FACTS ")"
		      " FROM task t JOIN ombudsman_case c ON c.id = t.case_id"
		      " JOIN ombudsman o ON o.id = c.ombudsman_id"
		      " WHERE t.id = $2",
		      2, params, &res);
	if (err)
		goto out;
	if (PQntuples(res) == 0 || db_long(res, 0, 0) == 0) {
		why_set(c->why, NULL,
			"no one in the task's service area can be reminded");
		err = LD_ECONFLICT;
		goto out;
	}
	err = task_read(db, c->p, c->id, c->json);
out:
	PQclear(res);
	return finish(db, err);
}

enum ld_err task_store_remind(struct store *s, const struct principal *p,
			      int64_t id, int32_t today, char **json,
			      struct why *why)
{
	struct chase_ctx c = {p, id, today, json, why};
	return db_run(s, remind, &c);
}

struct by_area_ctx {
	const struct principal *p;
	int32_t today, horizon;
	char **json;
};

/*
 * The Monday digest's lines, for a page: each service area's overdue and
 * nearly overdue tasks (task_overdue and task_nearly_overdue, as the
 * digest selects them), soonest first, within the reader's scope.
 */
static enum ld_err by_area(struct db *db, void *arg)
{
	struct by_area_ctx *c = arg;
	struct db_date today, horizon;
	struct db_num area;
	const char *params[] = {db_date(&today, c->today),
				db_date(&horizon, c->horizon),
				area_scope(c->p, &area)};
	return db_json(
		db, "task_by_area",
		"SELECT coalesce(json_agg(json_build_object('area', a.name,"
		" 'overdue', l.overdue, 'due_soon', l.due_soon, 'count', l.n)"
		" ORDER BY a.name), '[]') FROM (SELECT d.service_area_id,"
		"  coalesce(json_agg(d.doc ORDER BY d.due, d.id)"
		"   FILTER (WHERE task_overdue(t, $1::date)), '[]') AS overdue,"
		"  coalesce(json_agg(d.doc ORDER BY d.due, d.id)"
		"   FILTER (WHERE NOT task_overdue(t, $1::date)), '[]')"
		"   AS due_soon, count(*) AS n"
		"  FROM task t JOIN task_doc d ON d.id = t.id"
		"  WHERE (task_overdue(t, $1::date)"
		"   OR task_nearly_overdue(t, $1::date, $2::date))"
		"  AND task_visible($3, t.service_area_id)"
		"  GROUP BY 1) l JOIN service_area a ON a.id = "
		"l.service_area_id",
		3, params, c->json);
}

enum ld_err task_store_by_area(struct store *s, const struct principal *p,
			       int32_t today, int32_t horizon, char **json)
{
	struct by_area_ctx c = {p, today, horizon, json};
	return db_run(s, by_area, &c);
}
