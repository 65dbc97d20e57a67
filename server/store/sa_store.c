/*
 * The annual self-assessment against the Complaint Handling Code's
 * provisions: drafted, answered provision by provision, approved,
 * published.
 */
#include "sa_store.h"

#include <stdio.h>
#include <string.h>

#include "case_store_int.h"

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
