#include "code_store.h"

#include <stdio.h>
#include <string.h>

#include "case_store_int.h"

struct limits_ctx {
	const char *code;
	struct code_limits *out;
	char *name;
	size_t namelen;
};

static enum ld_err limits(struct db *db, void *arg)
{
	struct limits_ctx *c = arg;
	const char *params[] = {c->code};
	PGresult *res;
	enum ld_err err = db_exec(
		db, "code_limits",
		"SELECT name, s1_ack_days, s1_response_days, s1_response_from ="
		" 'acknowledgement', s1_extension_days, s2_ack_days,"
		" s2_response_days, s2_response_from = 'acknowledgement',"
		" s2_extension_days FROM complaint_code WHERE code = "
		"coalesce($1,"
		" (SELECT value FROM setting WHERE name = 'complaint_code'),"
		" 'HOS-2024')",
		1, params, &res);
	if (err)
		return err;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return LD_ENOTFOUND;
	}
	snprintf(c->name, c->namelen, "%s", PQgetvalue(res, 0, 0));
	c->out->s1_ack = (int)db_long(res, 0, 1);
	c->out->s1_response = (int)db_long(res, 0, 2);
	c->out->s1_from_ack = PQgetvalue(res, 0, 3)[0] == 't';
	c->out->s1_extension = (int)db_long(res, 0, 4);
	c->out->s2_ack = (int)db_long(res, 0, 5);
	c->out->s2_response = (int)db_long(res, 0, 6);
	c->out->s2_from_ack = PQgetvalue(res, 0, 7)[0] == 't';
	c->out->s2_extension = (int)db_long(res, 0, 8);
	PQclear(res);
	return LD_OK;
}

enum ld_err code_store_limits(struct store *s, const char *code,
			      struct code_limits *out, char *name,
			      size_t namelen)
{
	struct limits_ctx c = {code, out, name, namelen};
	return db_run(s, limits, &c);
}

enum ld_err code_store_codes(struct store *s, char **json)
{
	return db_run_json(s, "codes",
			   "SELECT json_agg(row_to_json(c) ORDER BY code) FROM"
			   " complaint_code c",
			   0, NULL, json);
}

struct stages_ctx {
	const struct principal *p;
	int64_t id;
	const struct stage_dates_in *in;
	char **json;
	struct why *why;
};

static enum ld_err set_stages(struct db *db, void *arg)
{
	struct stages_ctx *c = arg;
	const struct stage_dates_in *in = c->in;
	struct db_num id, v, e1, e2;
	struct db_date d[8];
	const int32_t dates[] = {
		in->s1_ack, in->s1_response, in->s1_told, in->escalated,
		in->s2_ack, in->s2_response, in->s2_told};
	const char *params[14];
	params[0] = db_num(&id, c->id);
	params[1] = db_num(&v, in->version);
	/* Each date: unchanged (-1 -> "keep"), cleared (0) or set. */
	for (int i = 0; i < 7; i++)
		params[2 + i] = dates[i] < 0	? "keep"
				: dates[i] == 0 ? NULL
						: db_date(&d[i], dates[i]);
	params[9] = in->s1_extension < 0 ? "-1" : db_num(&e1, in->s1_extension);
	params[10] =
		in->s2_extension < 0 ? "-1" : db_num(&e2, in->s2_extension);
	params[11] = in->s1_reason;
	params[12] = in->s2_reason;
	PGresult *res;
	enum ld_err err = db_begin_as(db, c->p->user_id);
	if (err)
		goto out;
#define DATE_SET(col, n)                                                       \
	" " col " = CASE WHEN $" n "::text = 'keep' THEN " col " ELSE $" n     \
	"::text::date END,"
	err = db_exec(
		db, "complaint_stages",
		"UPDATE complaint SET" DATE_SET(
			"stage1_acknowledged_on",
			"3") DATE_SET("stage1_response_on", "4")
			DATE_SET("stage1_extension_told_on", "5") DATE_SET(
				"escalation_requested_on",
				"6") DATE_SET("stage2_acknowledged_on", "7")
				DATE_SET("stage2_response_on", "8") DATE_SET(
					"stage2_extension_told_on",
					"9") " stage1_extension_days = CASE "
					     "$10::int WHEN -1 THEN"
					     "  stage1_extension_days WHEN 0 "
					     "THEN NULL ELSE $10 END,"
					     " stage2_extension_days = CASE "
					     "$11::int WHEN -1 THEN"
					     "  stage2_extension_days WHEN 0 "
					     "THEN NULL ELSE $11 END,"
					     " stage1_extension_reason = "
					     "coalesce($12,"
					     "  stage1_extension_reason),"
					     " stage2_extension_reason = "
					     "coalesce($13,"
					     "  stage2_extension_reason),"
					     " version = version + 1"
					     " WHERE id = $1 AND version = "
					     "$2::int RETURNING id",
		13, params, &res);
#undef DATE_SET
	if (err) {
		err = why_constraint(db, err, c->why);
		goto out;
	}
	if (PQntuples(res) == 0) {
		why_set(c->why, "version",
			"no such complaint, or it was changed by someone else: "
			"reload it");
		err = LD_EPRECONDITION;
	}
	PQclear(res);
out:
	return finish(db, err);
}

enum ld_err code_store_set_stages(struct store *s, const struct principal *p,
				  int64_t complaint_id,
				  const struct stage_dates_in *in, char **json,
				  struct why *why)
{
	struct stages_ctx c = {p, complaint_id, in, json, why};
	enum ld_err err = db_run(s, set_stages, &c);
	if (!err)
		err = case_store_complaint(s, p, complaint_id, json);
	return err;
}

/* Self-assessments ------------------------------------------------------ */

enum ld_err sa_store_list(struct store *s, char **json)
{
	return db_run_json(
		s, "sa_list",
		"SELECT coalesce(json_agg(json_build_object('id', a.id, "
		"'title',"
		" a.title, 'reason', a.reason, 'status', a.status, 'code', "
		"a.code,"
		" 'approved_on', a.approved_on, 'published_on', a.published_on,"
		" 'answered', (SELECT count(*) FROM self_assessment_answer x"
		"  WHERE x.assessment_id = a.id), 'provisions', (SELECT "
		"count(*)"
		"  FROM code_provision p WHERE p.code = a.code)) ORDER BY a.id"
		" DESC), '[]') FROM self_assessment a",
		0, NULL, json);
}

static const char *const SA_READ = "SELECT self_assessment_json($1)";

struct sa_ctx {
	const struct principal *p;
	int64_t id;
	const char *sql, *name;
	int n;
	const char **params;
	char **json;
	struct why *why;
	const char *refused;
};

/* One change to a self-assessment, then the whole of it. */
static enum ld_err sa_change(struct db *db, void *arg)
{
	struct sa_ctx *c = arg;
	PGresult *res;
	struct db_num id;
	enum ld_err err = db_begin_as(db, c->p->user_id);
	if (err)
		goto out;
	err = db_exec(db, c->name, c->sql, c->n, c->params, &res);
	if (err) {
		err = why_constraint(db, err, c->why);
		goto out;
	}
	if (PQntuples(res) == 0) {
		why_set(c->why, NULL, "%s", c->refused);
		err = LD_ECONFLICT;
	} else {
		c->id = db_long(res, 0, 0);
	}
	PQclear(res);
	if (!err) {
		const char *read[] = {db_num(&id, c->id)};
		err = db_json(db, "sa_read", SA_READ, 1, read, c->json);
	}
out:
	return finish(db, err);
}

enum ld_err sa_store_create(struct store *s, const struct principal *p,
			    const char *title, const char *reason,
			    int64_t remedy_id, char **json, struct why *why)
{
	struct db_num r;
	const char *params[] = {title, reason,
				remedy_id ? db_num(&r, remedy_id) : NULL};
	struct sa_ctx c = {
		p,
		0,
		"INSERT INTO self_assessment (title, reason, remedy_id)"
		" VALUES ($1, $2, $3) RETURNING id",
		"sa_create",
		3,
		params,
		json,
		why,
		"the self-assessment could not be made"};
	return db_run(s, sa_change, &c);
}

enum ld_err sa_store_get(struct store *s, int64_t id, char **json)
{
	struct db_num n;
	const char *params[] = {db_num(&n, id)};
	return db_run_json(s, "sa_read", SA_READ, 1, params, json);
}

enum ld_err sa_store_answer(struct store *s, const struct principal *p,
			    int64_t id, const struct sa_answer_in *in,
			    char **json, struct why *why)
{
	struct db_num n;
	struct db_date d;
	const char *params[] = {db_num(&n, id),
				in->number,
				in->complies ? "t" : "f",
				in->evidence,
				in->links,
				in->commentary,
				in->action,
				db_date(&d, in->expected_on)};
	/* Only a draft takes answers; the provision must be its code's. */
	struct sa_ctx c = {
		p,
		id,
		"INSERT INTO self_assessment_answer (assessment_id, code, "
		"number,"
		" complies, evidence, links, commentary, action, expected_on)"
		" SELECT a.id, a.code, $2, $3::boolean, $4, $5, $6, $7, $8"
		" FROM self_assessment a WHERE a.id = $1 AND a.status = 'draft'"
		" ON CONFLICT (assessment_id, number) DO UPDATE SET"
		" complies = $3::boolean, evidence = $4, links = $5,"
		" commentary = $6, action = $7, expected_on = $8"
		" RETURNING assessment_id",
		"sa_answer",
		8,
		params,
		json,
		why,
		"only a draft self-assessment can be changed"};
	enum ld_err err = db_run(s, sa_change, &c);
	if (err == LD_EVALIDATION)
		why_set(why, "number", "no such provision of the Code");
	return err;
}

enum ld_err sa_store_approve(struct store *s, const struct principal *p,
			     int64_t id, int version, int32_t on,
			     const char *by, char **json, struct why *why)
{
	struct db_num n, v;
	struct db_date d;
	const char *params[] = {db_num(&n, id), db_num(&v, version),
				db_date(&d, on), by};
	struct sa_ctx c = {
		p,
		id,
		"UPDATE self_assessment a SET status = 'approved',"
		" approved_on = $3, approved_by = $4, version = version + 1"
		" WHERE id = $1 AND version = $2::int AND status = 'draft'"
		" AND NOT EXISTS (SELECT 1 FROM code_provision p WHERE"
		" p.code = a.code AND NOT EXISTS (SELECT 1 FROM"
		" self_assessment_answer x WHERE x.assessment_id = a.id AND"
		" x.number = p.number)) RETURNING id",
		"sa_approve",
		4,
		params,
		json,
		why,
		"only a draft with every provision answered, at its latest "
		"version, can be approved"};
	return db_run(s, sa_change, &c);
}

enum ld_err sa_store_publish(struct store *s, const struct principal *p,
			     int64_t id, int version, int32_t on,
			     const char *url, char **json, struct why *why)
{
	struct db_num n, v;
	struct db_date d;
	const char *params[] = {db_num(&n, id), db_num(&v, version),
				db_date(&d, on), url};
	struct sa_ctx c = {
		p,
		id,
		"UPDATE self_assessment SET status = 'published',"
		" published_on = $3, published_url = $4, version = version + 1"
		" WHERE id = $1 AND version = $2::int AND status = 'approved'"
		" AND $3::date >= approved_on RETURNING id",
		"sa_publish",
		4,
		params,
		json,
		why,
		"only an approved self-assessment, at its latest version, can "
		"be published, on or after its approval"};
	return db_run(s, sa_change, &c);
}
