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
