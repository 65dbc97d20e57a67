/* Complaints and Ombudsman cases: registration, reading, stage, closure. */
#include "case_store.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_store_int.h"
#include "reference.h"

void why_set(struct why *w, const char *field, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	w->field = field;
	vsnprintf(w->msg, sizeof(w->msg), fmt, ap);
	va_end(ap);
}

const char *area_scope(const struct principal *p, struct db_num *n)
{
	int64_t scope = principal_area_scope(p);
	return scope == AREA_SCOPE_ALL ? NULL : db_num(n, scope);
}

const char *residents_param(const struct principal *p)
{
	return principal_sees_residents(p) ? "t" : "f";
}

enum ld_err why_constraint(struct db *db, enum ld_err err, struct why *why)
{
	static const struct {
		const char *constraint, *field, *msg;
	} known[] = {
		{"complaint_reference_key", "reference",
		 "a complaint with this reference already exists"},
		{"complaint_service_area_id_fkey", "service_area_id",
		 "no such service area"},
		{"ombudsman_case_ombudsman_id_reference_key", "reference",
		 "this Ombudsman reference is already registered"},
		{"task_assignee_id_fkey", "assignee_id", "no such user"},
		{"task_service_area_id_fkey", "service_area_id",
		 "no such service area"},
		{"task_assignee_in_area", "assignee_id",
		 "the assignee must be an active officer of the task's "
		 "service area"},
		{"signoff_evidence_version_id_validator_title_id_key", NULL,
		 "this version already has a sign-off for your title"},
		{"determination_case_id_key", NULL,
		 "this case already has its determination"},
		{"correspondence_chfo_type_kind", "chfo_type",
		 "only a sanction notice has a failure order type"},
		{"correspondence_chfo_type_ombudsman", "chfo_type",
		 "not a type of this Ombudsman's sanction (the Housing "
		 "Ombudsman's failure orders are type 1, 2 or 3)"},
	};
	if (err != LD_ECONFLICT && err != LD_EVALIDATION)
		return err;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (!strcmp(db->constraint, known[i].constraint)) {
			why_set(why, known[i].field, "%s", known[i].msg);
			return err;
		}
	}
	why_set(why, NULL, "%s",
		err == LD_ECONFLICT ? "already exists"
				    : "a value is not allowed");
	return err;
}

enum ld_err finish(struct db *db, enum ld_err err)
{
	if (!err)
		err = db_commit(db);
	if (err)
		db_rollback(db);
	return err;
}

enum ld_err case_read(struct db *db, const struct principal *p, int64_t id,
		      char **json)
{
	struct db_num n, area;
	const char *params[] = {db_num(&n, id), area_scope(p, &area),
				residents_param(p)};
	return db_json(db, "case_read", "SELECT case_json($1, $2, $3)", 3,
		       params, json);
}

void case_changes_init(struct case_changes *ch)
{
	memset(ch, 0, sizeof(*ch));
	buf_init(&ch->correspondence, 1 << 20);
	buf_init(&ch->tasks, 1 << 20);
	buf_init(&ch->remedies, 1 << 20);
}

void case_changes_release(struct case_changes *ch)
{
	buf_release(&ch->correspondence);
	buf_release(&ch->tasks);
	buf_release(&ch->remedies);
}

enum ld_err case_changes_add(struct buf *list, int64_t id)
{
	return buf_printf(list, "%s%lld", list->len ? "," : "", (long long)id);
}

/* A list of case_changes as a bigint[] parameter, NULL when empty. */
static const char *changed_ids(const struct buf *list, struct buf *text)
{
	if (!list->len)
		return NULL;
	buf_init(text, list->len + 3);
	if (buf_printf(text, "{%s}", buf_str(list)))
		return NULL;
	return buf_str(text);
}

enum ld_err case_changed(struct db *db, const struct principal *p,
			 int64_t case_id, const struct case_changes *ch,
			 char **json)
{
	if (ch->whole)
		return case_read(db, p, case_id, json);
	struct db_num n, area;
	struct buf corr = {0}, tasks = {0}, remedies = {0};
	const char *params[] = {db_num(&n, case_id),
				area_scope(p, &area),
				changed_ids(&ch->correspondence, &corr),
				changed_ids(&ch->tasks, &tasks),
				changed_ids(&ch->remedies, &remedies),
				ch->determination ? "t" : "f"};
	enum ld_err err =
		db_json(db, "case_changed",
			"SELECT case_change_json($1, $2, $3, $4, $5, $6)", 6,
			params, json);
	buf_release(&corr);
	buf_release(&tasks);
	buf_release(&remedies);
	return err;
}

/* A change that moved only the case itself: its head. */
static enum ld_err case_answer(struct db *db, const struct principal *p,
			       int64_t id, char **json)
{
	struct case_changes ch;
	case_changes_init(&ch);
	enum ld_err err = case_changed(db, p, id, &ch, json);
	case_changes_release(&ch);
	return err;
}

/* May p read a case's audit trail (with its actors' names)? */
static bool reads_audit(const struct principal *p)
{
	return p->roles & (ROLE_LINK_OFFICER | ROLE_LEADERSHIP);
}

struct audit_ctx {
	const struct principal *p;
	int64_t id, before;
	int limit;
	char **json;
};

static enum ld_err read_audit(struct db *db, void *arg)
{
	struct audit_ctx *c = arg;
	struct db_num n, area, before, limit;
	const char *params[] = {db_num(&n, c->id), area_scope(c->p, &area),
				residents_param(c->p),
				c->before ? db_num(&before, c->before) : NULL,
				db_num(&limit, c->limit)};
	return db_json(db, "case_audit",
		       "SELECT case_audit_json($1, $2, $3, $4, $5)", 5, params,
		       c->json);
}

enum ld_err case_store_audit(struct store *s, const struct principal *p,
			     int64_t id, int64_t before, int limit, char **json)
{
	struct audit_ctx c = {p, id, before, limit, json};
	if (!reads_audit(p))
		return LD_EFORBIDDEN;
	return db_run(s, read_audit, &c);
}

/* Complaints ------------------------------------------------------------ */

struct complaint_ctx {
	const struct principal *p;
	const struct complaint_in *in;
	int64_t id;
	char **json;
	struct why *why;
};

static enum ld_err complaint_read(struct db *db, const struct principal *p,
				  int64_t id, char **json)
{
	struct db_num n;
	const char *params[] = {db_num(&n, id), residents_param(p)};
	return db_json(
		db, "complaint_read",
		"SELECT json_build_object('id', cp.id, 'reference', "
		"cp.reference,"
		" 'category', cp.category, 'received_on', cp.received_on,"
		" 'service_area', json_build_object('id', a.id, 'name', "
		"a.name),"
		" 'summary', CASE WHEN $2 THEN cp.summary END,"
		" 'resident', CASE WHEN $2 THEN (SELECT json_build_object("
		"  'name', r.name, 'address', r.address, 'contact', r.contact,"
		"  'vulnerabilities', r.vulnerabilities, 'adjustments',"
		"  r.adjustments) FROM resident r WHERE r.complaint_id = cp.id)"
		"  END,"
		" 'stages', json_build_object('received_on', cp.received_on,"
		"  'stage1_acknowledged_on', cp.stage1_acknowledged_on,"
		"  'stage1_response_on', cp.stage1_response_on,"
		"  'stage1_extension_days', cp.stage1_extension_days,"
		"  'stage1_extension_reason', CASE WHEN $2 THEN"
		"   cp.stage1_extension_reason END,"
		"  'stage1_extension_told_on', cp.stage1_extension_told_on,"
		"  'escalation_requested_on', cp.escalation_requested_on,"
		"  'stage2_acknowledged_on', cp.stage2_acknowledged_on,"
		"  'stage2_response_on', cp.stage2_response_on,"
		"  'stage2_extension_days', cp.stage2_extension_days,"
		"  'stage2_extension_reason', CASE WHEN $2 THEN"
		"   cp.stage2_extension_reason END,"
		"  'stage2_extension_told_on', cp.stage2_extension_told_on),"
		" 'cases', coalesce((SELECT json_agg(case_summary_json(c)"
		"  ORDER BY c.id) FROM ombudsman_case c"
		"  WHERE c.complaint_id = cp.id), '[]'), 'version', cp.version)"
		" FROM complaint cp JOIN service_area a"
		" ON a.id = cp.service_area_id WHERE cp.id = $1",
		2, params, json);
}

static enum ld_err resident_write(struct db *db, int64_t complaint_id,
				  const struct complaint_in *in)
{
	struct db_num n;
	const char *params[] = {db_num(&n, complaint_id),
				in->name,
				in->address,
				in->contact,
				in->vulnerabilities,
				in->adjustments};
	return db_exec(db, "resident_write",
		       "INSERT INTO resident (complaint_id, name, address,"
		       " contact, vulnerabilities, adjustments)"
		       " VALUES ($1, $2, $3, $4, $5, $6)"
		       " ON CONFLICT (complaint_id) DO UPDATE SET"
		       " name = $2, address = $3, contact = $4,"
		       " vulnerabilities = $5, adjustments = $6,"
		       " version = resident.version + 1",
		       6, params, NULL);
}

/* A new complaint and its resident, in the caller's transaction. */
static enum ld_err complaint_insert(struct db *db,
				    const struct complaint_in *in, int64_t *id,
				    struct why *why)
{
	struct db_num area;
	struct db_date rec;
	PGresult *res = NULL;
	const char *params[] = {
		in->reference, in->category, db_num(&area, in->service_area_id),
		db_date(&rec, in->received_on), in->summary ? in->summary : ""};
	enum ld_err err = db_exec(db, "complaint_add",
				  "INSERT INTO complaint (reference, category,"
				  " service_area_id, received_on, summary)"
				  " VALUES ($1, $2, $3, $4, $5) RETURNING id",
				  5, params, &res);
	if (err)
		return why_constraint(db, err, why);
	*id = db_long(res, 0, 0);
	PQclear(res);
	return in->resident ? resident_write(db, *id, in) : LD_OK;
}

static enum ld_err add_complaint(struct db *db, void *arg)
{
	struct complaint_ctx *c = arg;
	enum ld_err err = db_begin_as(db, c->p->user_id);
	if (!err)
		err = complaint_insert(db, c->in, &c->id, c->why);
	if (!err)
		err = complaint_read(db, c->p, c->id, c->json);
	return finish(db, err);
}

enum ld_err case_store_add_complaint(struct store *s, const struct principal *p,
				     const struct complaint_in *in, char **json,
				     struct why *why)
{
	struct complaint_ctx c = {p, in, 0, json, why};
	return db_run(s, add_complaint, &c);
}

static enum ld_err get_complaint(struct db *db, void *arg)
{
	struct complaint_ctx *c = arg;
	/* Service officers reach complaints only through their cases. */
	struct db_num n, area;
	const char *scope = area_scope(c->p, &area);
	if (scope) {
		const char *params[] = {db_num(&n, c->id), scope};
		char *seen;
		enum ld_err err = db_json(
			db, "complaint_visible",
			"SELECT 'true' FROM ombudsman_case c"
			" WHERE c.complaint_id = $1 AND case_visible($2, c.id)"
			" LIMIT 1",
			2, params, &seen);
		if (err)
			return err;
		free(seen);
	}
	return complaint_read(db, c->p, c->id, c->json);
}

enum ld_err case_store_complaint(struct store *s, const struct principal *p,
				 int64_t id, char **json)
{
	struct complaint_ctx c = {p, NULL, id, json, NULL};
	return db_run(s, get_complaint, &c);
}

static enum ld_err set_resident(struct db *db, void *arg)
{
	struct complaint_ctx *c = arg;
	enum ld_err err = db_begin_as(db, c->p->user_id);
	if (!err)
		err = resident_write(db, c->id, c->in);
	if (err == LD_EVALIDATION)
		err = LD_ENOTFOUND; /* no such complaint */
	if (!err)
		err = complaint_read(db, c->p, c->id, c->json);
	return finish(db, err);
}

enum ld_err case_store_set_resident(struct store *s, const struct principal *p,
				    int64_t complaint_id,
				    const struct complaint_in *in, char **json)
{
	struct complaint_ctx c = {p, in, complaint_id, json, NULL};
	return db_run(s, set_resident, &c);
}

/* Cases ----------------------------------------------------------------- */

struct register_ctx {
	const struct principal *p;
	const struct case_in *in;
	char **json;
	struct why *why;
};

static enum ld_err register_case(struct db *db, void *arg)
{
	struct register_ctx *c = arg;
	const struct case_in *in = c->in;
	char ref[REFERENCE_MAX];
	struct db_num cid, lo, oid, caseid, actor;
	struct db_date rec;
	PGresult *res = NULL;
	enum ld_err err = db_begin_as(db, c->p->user_id);
	if (err)
		goto out;

	const char *q1[] = {in->ombudsman};
	err = db_exec(db, "ombudsman_find",
		      "SELECT id, reference_mask, reference_example"
		      " FROM ombudsman WHERE code = $1",
		      1, q1, &res);
	if (err)
		goto out;
	if (PQntuples(res) == 0) {
		why_set(c->why, "ombudsman", "no Ombudsman with code %.20s",
			in->ombudsman);
		err = LD_EVALIDATION;
		goto out;
	}
	int64_t ombudsman_id = db_long(res, 0, 0);
	const char *mask =
		PQgetisnull(res, 0, 1) ? NULL : PQgetvalue(res, 0, 1);
	if (reference_normalise(mask, in->reference, ref)) {
		why_set(c->why, "reference",
			"not a %s reference: it looks like %s", in->ombudsman,
			PQgetvalue(res, 0, 2));
		err = LD_EINVAL;
		goto out;
	}
	PQclear(res);
	res = NULL;

	int64_t complaint_id = in->complaint_id;
	if (in->complaint && (err = complaint_insert(db, in->complaint,
						     &complaint_id, c->why))) {
		/* Its fields are the complaint's, not the case's. */
		if (c->why->field)
			c->why->field =
				!strcmp(c->why->field, "reference")
					? "complaint.reference"
				: !strcmp(c->why->field, "service_area_id")
					? "complaint.service_area_id"
					: c->why->field;
		goto out;
	}
	int64_t link_officer =
		in->link_officer_id ? in->link_officer_id : c->p->user_id;
	const char *q2[] = {db_num(&cid, complaint_id),
			    db_num(&lo, link_officer)};
	err = db_exec(db, "case_register_check",
		      "SELECT EXISTS (SELECT 1 FROM complaint WHERE id = $1),"
		      " EXISTS (SELECT 1 FROM user_role r JOIN app_user u"
		      "  ON u.id = r.user_id WHERE r.user_id = $2"
		      "  AND r.role = 'link_officer' AND u.active)",
		      2, q2, &res);
	if (err)
		goto out;
	if (PQgetvalue(res, 0, 0)[0] != 't') {
		why_set(c->why, "complaint_id", "no such complaint");
		err = LD_EVALIDATION;
		goto out;
	}
	if (PQgetvalue(res, 0, 1)[0] != 't') {
		why_set(c->why, "link_officer_id",
			"the link officer must be an active user with the link "
			"officer role");
		err = LD_EVALIDATION;
		goto out;
	}
	PQclear(res);
	res = NULL;

	const char *q3[] = {q2[0], db_num(&oid, ombudsman_id), ref,
			    db_date(&rec, in->received_on), q2[1]};
	err = db_exec(db, "case_insert",
		      "INSERT INTO ombudsman_case (complaint_id, ombudsman_id,"
		      " reference, received_on, link_officer_id)"
		      " VALUES ($1, $2, $3, $4, $5) RETURNING id",
		      5, q3, &res);
	if (err) {
		err = why_constraint(db, err, c->why);
		goto out;
	}
	int64_t case_id = db_long(res, 0, 0);
	PQclear(res);
	res = NULL;
	const char *q4[] = {db_num(&caseid, case_id), q3[3],
			    in->channel ? in->channel : "email",
			    in->summary ? in->summary : "",
			    db_num(&actor, c->p->user_id)};
	err = db_exec(db, "case_notification",
		      "INSERT INTO correspondence (case_id, direction, kind,"
		      " dated_on, channel, summary, created_by)"
		      " VALUES ($1, 'in', 'notification', $2, $3, $4, $5)",
		      5, q4, NULL);
	if (err) {
		err = why_constraint(db, err, c->why);
		goto out;
	}
	struct case_changes ch;
	case_changes_init(&ch);
	ch.whole = true; /* the record it made is the case */
	err = case_changed(db, c->p, case_id, &ch, c->json);
	case_changes_release(&ch);
out:
	PQclear(res);
	return finish(db, err);
}

enum ld_err case_store_register(struct store *s, const struct principal *p,
				const struct case_in *in, char **json,
				struct why *why)
{
	struct register_ctx c = {p, in, json, why};
	return db_run(s, register_case, &c);
}

struct read_ctx {
	record_reader *read;
	const struct principal *p;
	int64_t id;
	char **json;
};

static enum ld_err read_one(struct db *db, void *arg)
{
	struct read_ctx *c = arg;
	return c->read(db, c->p, c->id, c->json);
}

enum ld_err store_read(struct store *s, record_reader *read,
		       const struct principal *p, int64_t id, char **json)
{
	struct read_ctx c = {read, p, id, json};
	return db_run(s, read_one, &c);
}

enum ld_err case_store_get(struct store *s, const struct principal *p,
			   int64_t id, char **json)
{
	return store_read(s, case_read, p, id, json);
}

struct list_ctx {
	const struct principal *p;
	const struct list_query *q;
	char **json;
};

/* The case list: a page of ids, newest first, their case_doc, the total. */
static enum ld_err list_cases(struct db *db, void *arg)
{
	struct list_ctx *c = arg;
	const struct list_query *q = c->q;
	struct db_num area, scope;
	struct filter f;

	filter_init(&f);
	filter_add(&f, "c.stage = $%d", q->stage);
	filter_add(&f,
		   "c.ombudsman_id = (SELECT id FROM ombudsman WHERE code ="
		   " $%d)",
		   q->ombudsman);
	filter_add(&f,
		   "c.complaint_id IN (SELECT id FROM complaint WHERE"
		   " service_area_id = $%d)",
		   q->service_area_id ? db_num(&area, q->service_area_id)
				      : NULL);
	filter_add(&f, "case_visible($%d, c.id)", area_scope(c->p, &scope));
	filter_add_if(&f, q->open_only, "case_is_open(c.stage)");
	filter_add(&f,
		   "(c.reference ILIKE '%%' || $%1$d || '%%' OR c.complaint_id"
		   " IN (SELECT id FROM complaint WHERE reference ILIKE '%%' ||"
		   " $%1$d || '%%'))",
		   q->q);
	struct page_query pq = {"c.id, c.received_on FROM ombudsman_case c",
				"received_on DESC, id DESC",
				"p.received_on DESC, p.id DESC",
				"case_doc",
				q->page,
				q->per_page};
	return filter_page(db, "case_list", &f, &pq, c->json);
}

enum ld_err case_store_list(struct store *s, const struct principal *p,
			    const struct list_query *q, char **json)
{
	struct list_ctx c = {p, q, json};
	return db_run(s, list_cases, &c);
}

struct stage_ctx {
	const struct principal *p;
	int64_t id;
	int version;
	enum case_stage to;
	int32_t closed_on;
	const char *outcome;
	char **json;
	struct why *why;
};

/* Lock a case for a change; LD_EPRECONDITION when version is stale. */
static enum ld_err lock_case(struct db *db, int64_t id, int version,
			     enum case_stage *stage, struct why *why)
{
	struct db_num n;
	const char *params[] = {db_num(&n, id)};
	PGresult *res;
	enum ld_err err = db_exec(db, "case_lock",
				  "SELECT stage, version FROM ombudsman_case"
				  " WHERE id = $1 FOR UPDATE",
				  1, params, &res);
	if (err)
		return err;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return LD_ENOTFOUND;
	}
	*stage = (enum case_stage)workflow_lookup(case_stage_names,
						  PQgetvalue(res, 0, 0));
	long current = db_long(res, 0, 1);
	PQclear(res);
	if (version && current != version) {
		why_set(why, "version",
			"the case was changed by someone else (now version "
			"%ld): reload it",
			current);
		return LD_EPRECONDITION;
	}
	return LD_OK;
}

static enum ld_err set_stage(struct db *db, void *arg)
{
	struct stage_ctx *c = arg;
	enum case_stage from;
	const char *why;
	struct db_num n;
	enum ld_err err = db_begin_as(db, c->p->user_id);
	if (!err)
		err = lock_case(db, c->id, c->version, &from, c->why);
	if (err)
		goto out;
	if ((err = workflow_case_stage(from, c->to, &why))) {
		why_set(c->why, "stage", "%s", why);
		goto out;
	}
	const char *params[] = {db_num(&n, c->id), case_stage_names[c->to]};
	err = db_exec(
		db, "case_stage",
		"UPDATE ombudsman_case SET stage = $2, version = version + 1,"
		" updated_at = now() WHERE id = $1",
		2, params, NULL);
	if (!err)
		err = case_answer(db, c->p, c->id, c->json);
out:
	return finish(db, err);
}

enum ld_err case_store_set_stage(struct store *s, const struct principal *p,
				 int64_t id, int version, enum case_stage to,
				 char **json, struct why *why)
{
	struct stage_ctx c = {p, id, version, to, 0, NULL, json, why};
	return db_run(s, set_stage, &c);
}

static enum ld_err close_case(struct db *db, void *arg)
{
	struct stage_ctx *c = arg;
	enum case_stage from;
	struct db_num n;
	struct db_date d;
	const char *why, *field;
	char open_set[200];
	PGresult *res = NULL;
	const char *params[] = {db_num(&n, c->id), db_date(&d, c->closed_on),
				c->outcome};
	const char *check[] = {params[0],
			       workflow_status_set(workflow_task_open, open_set,
						   sizeof(open_set))};
	enum ld_err err = db_begin_as(db, c->p->user_id);
	if (!err)
		err = lock_case(db, c->id, c->version, &from, c->why);
	if (err)
		goto out;
	err = db_exec(db, "case_close_check",
		      "SELECT (SELECT count(*) FROM remedy WHERE case_id = $1"
		      "  AND type = 'order' AND confirmed_on IS NULL),"
		      " (SELECT count(*) FROM task WHERE case_id = $1"
		      "  AND status = ANY($2::text[])),"
		      " EXISTS (SELECT 1 FROM remedy WHERE case_id = $1"
		      "  AND type = 'order')",
		      2, check, &res);
	if (err)
		goto out;
	struct case_close_facts facts = {from, (int)db_long(res, 0, 0),
					 (int)db_long(res, 0, 1),
					 PQgetvalue(res, 0, 2)[0] == 't'};
	err = workflow_case_close(&facts, c->outcome, &field, &why);
	if (err) {
		why_set(c->why, field, "%s", why);
		goto out;
	}
	err = db_exec(
		db, "case_close",
		"UPDATE ombudsman_case SET stage = 'closed', closed_on = $2,"
		" outcome = $3, version = version + 1, updated_at = now()"
		" WHERE id = $1",
		3, params, NULL);
	if (err) {
		err = why_constraint(db, err, c->why);
		goto out;
	}
	err = case_answer(db, c->p, c->id, c->json);
out:
	PQclear(res);
	return finish(db, err);
}

enum ld_err case_store_close(struct store *s, const struct principal *p,
			     int64_t id, int version, int32_t closed_on,
			     const char *outcome, char **json, struct why *why)
{
	struct stage_ctx c = {p,	 id,	  version, STAGE_CLOSED,
			      closed_on, outcome, json,	   why};
	return db_run(s, close_case, &c);
}
