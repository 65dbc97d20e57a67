#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_store_int.h"
#include "date.h"
#include "mail_store.h"
#include "xalloc.h"

#define FEEDS_SQL                                                              \
	"SELECT coalesce(json_agg(json_build_object('id', f.id, 'scope',"      \
	" f.scope, 'service_area', (SELECT json_build_object('id', a.id,"      \
	" 'name', a.name) FROM service_area a WHERE a.id ="                    \
	" f.service_area_id), 'created_at', f.created_at) ORDER BY f.id),"     \
	" '[]') FROM feed f WHERE f.user_id = $1 AND f.revoked_at IS NULL"

/*
 * Who may subscribe to what: their own tasks, always; an area's, if they
 * read every area or work in it; everything, link officers and leadership.
 * The same test runs again on every fetch, so a feed stops when its owner's
 * role does.
 */
#define FEED_ALLOWED                                                           \
	"(f.scope = 'mine' OR (f.scope = 'area' AND (u.service_area_id ="      \
	" f.service_area_id OR EXISTS (SELECT 1 FROM user_role r WHERE"        \
	" r.user_id = u.id AND r.role IN ('link_officer', 'validator',"        \
	" 'leadership')))) OR (f.scope = 'all' AND EXISTS (SELECT 1 FROM"      \
	" user_role r WHERE r.user_id = u.id AND r.role IN ('link_officer',"   \
	" 'leadership'))))"

struct create_ctx {
	const struct principal *p;
	const char *scope;
	int64_t area;
	const unsigned char *hash;
	char **json;
	struct why *why;
};

static enum ld_err create(struct db *db, void *arg)
{
	struct create_ctx *c = arg;
	struct db_num u, a;
	struct db_hex h;
	PGresult *res;
	const char *params[] = {db_num(&u, c->p->user_id),
				db_hex(&h, c->hash, SECRET_HASH_LEN), c->scope,
				c->area ? db_num(&a, c->area) : NULL};
	enum ld_err err = db_begin_as(db, c->p->user_id);
	if (err)
		goto out;
	err = db_exec(db, "feed_create",
		      "INSERT INTO feed (user_id, token_hash, scope,"
		      " service_area_id) SELECT $1, $2, $3, $4"
		      " FROM app_user u, (SELECT $3::text AS scope,"
		      " $4::bigint AS service_area_id) f"
		      " WHERE u.id = $1 AND " FEED_ALLOWED " RETURNING id",
		      4, params, &res);
	if (err) {
		err = why_constraint(db, err, c->why);
		if (err == LD_EVALIDATION)
			why_set(c->why, "service_area_id",
				"no such service area");
		goto out;
	}
	if (PQntuples(res) == 0) {
		why_set(c->why, "scope", "your role cannot subscribe to that");
		err = LD_EFORBIDDEN;
	}
	PQclear(res);
	if (!err)
		err = db_json(db, "feeds", FEEDS_SQL, 1, params, c->json);
out:
	return finish(db, err);
}

enum ld_err feed_store_create(struct store *s, const struct principal *p,
			      const char *scope, int64_t area_id,
			      const unsigned char hash[SECRET_HASH_LEN],
			      char **json, struct why *why)
{
	struct create_ctx c = {p, scope, area_id, hash, json, why};
	return db_run(s, create, &c);
}

enum ld_err feed_store_list(struct store *s, const struct principal *p,
			    char **json)
{
	struct db_num u;
	const char *params[] = {db_num(&u, p->user_id)};
	return db_run_json(s, "feeds", FEEDS_SQL, 1, params, json);
}

struct revoke_ctx {
	const struct principal *p;
	int64_t id;
};

static enum ld_err revoke(struct db *db, void *arg)
{
	struct revoke_ctx *c = arg;
	struct db_num u, f;
	PGresult *res;
	const char *params[] = {db_num(&u, c->p->user_id), db_num(&f, c->id)};
	enum ld_err err = db_begin_as(db, c->p->user_id);
	if (err)
		goto out;
	err = db_exec(db, "feed_revoke",
		      "UPDATE feed SET revoked_at = now() WHERE id = $2"
		      " AND user_id = $1 AND revoked_at IS NULL RETURNING id",
		      2, params, &res);
	if (err)
		goto out;
	if (PQntuples(res) == 0)
		err = LD_ENOTFOUND;
	PQclear(res);
out:
	return finish(db, err);
}

enum ld_err feed_store_revoke(struct store *s, const struct principal *p,
			      int64_t id)
{
	struct revoke_ctx c = {p, id};
	return db_run(s, revoke, &c);
}

struct tasks_ctx {
	const unsigned char *hash;
	struct feed_task *tasks;
	int n;
	char *name;
	size_t namelen;
};

/*
 * A feed's open tasks, nearest first: the feed is read first, then its tasks
 * by the open-task index of its scope (one statement per scope, so each
 * plan uses its index), of those its owner may read now.
 */
static enum ld_err tasks(struct db *db, void *arg)
{
	static const char *const by_scope[] = {"t.assignee_id = $1",
					       "t.service_area_id = $1",
					       "$1::bigint > 0"};
	struct tasks_ctx *c = arg;
	struct db_hex h;
	PGresult *res;
	const char *params[] = {db_hex(&h, c->hash, SECRET_HASH_LEN)};
	enum ld_err err = db_exec(
		db, "feed_read",
		"SELECT f.scope, coalesce(f.service_area_id, f.user_id),"
		" f.scope || ':' || coalesce((SELECT name FROM service_area"
		"  WHERE id = f.service_area_id), u.name),"
		" coalesce(u.service_area_id, 0), array_to_string(ARRAY("
		"  SELECT role FROM user_role r WHERE r.user_id = u.id), ','),"
		" f.revoked_at IS NOT NULL, u.active AND " FEED_ALLOWED
		" FROM feed f JOIN app_user u ON u.id = f.user_id"
		" WHERE f.token_hash = $1",
		1, params, &res);
	if (err)
		return err;
	/* Revoked is said (410), so a client stops asking; anything else
	 * that ends a feed reads as never having been. */
	err = PQntuples(res) == 0		? LD_ENOTFOUND
	      : PQgetvalue(res, 0, 5)[0] == 't' ? LD_EGONE
	      : PQgetvalue(res, 0, 6)[0] != 't' ? LD_ENOTFOUND
						: LD_OK;
	if (err) {
		PQclear(res);
		return err;
	}
	int kind = !strcmp(PQgetvalue(res, 0, 0), "mine")   ? 0
		   : !strcmp(PQgetvalue(res, 0, 0), "area") ? 1
							    : 2;
	char owner[24], roles[200];
	const char *names[8];
	int nroles = 0;
	struct principal reader = {0};
	struct db_num scope;
	snprintf(owner, sizeof(owner), "%s", PQgetvalue(res, 0, 1));
	snprintf(c->name, c->namelen, "%s", PQgetvalue(res, 0, 2));
	reader.service_area_id = db_long(res, 0, 3);
	snprintf(roles, sizeof(roles), "%s", PQgetvalue(res, 0, 4));
	PQclear(res);
	for (char *r = roles; *r && nroles < 8;) {
		names[nroles++] = r;
		r += strcspn(r, ",");
		if (*r)
			*r++ = '\0';
	}
	reader.roles = workflow_roles(names, nroles);

	char sql[1024];
	const char *owner_param[] = {owner, area_scope(&reader, &scope)};
	snprintf(sql, sizeof(sql),
		 "SELECT t.id, effective_due(t),"
		 " extract(epoch FROM t.updated_at)::bigint, t.version,"
		 " t.title, o.code || ' ' || c.reference"
		 " FROM task t JOIN ombudsman_case c ON c.id = t.case_id"
		 " JOIN ombudsman o ON o.id = c.ombudsman_id"
		 " WHERE task_is_unsent(t.status) AND %s"
		 " AND task_visible($2, t.service_area_id)"
		 " ORDER BY effective_due(t), t.id",
		 by_scope[kind]);
	if ((err = db_exec(db, "feed_tasks", sql, 2, owner_param, &res)))
		return err;
	int rows = PQntuples(res);
	c->tasks = xcalloc((size_t)rows + 1, sizeof(*c->tasks));
	for (int i = 0; i < rows; i++) {
		struct feed_task *t = &c->tasks[c->n++];
		t->id = db_long(res, i, 0);
		t->due = db_day(res, i, 1);
		t->stamp = db_long(res, i, 2);
		t->version = (int)db_long(res, i, 3);
		snprintf(t->title, sizeof(t->title), "%s",
			 PQgetvalue(res, i, 4));
		snprintf(t->case_ref, sizeof(t->case_ref), "%s",
			 PQgetvalue(res, i, 5));
	}
	PQclear(res);
	return LD_OK;
}

enum ld_err feed_store_tasks(struct store *s,
			     const unsigned char hash[SECRET_HASH_LEN],
			     struct feed_task **out, int *n, char *name,
			     size_t namelen)
{
	struct tasks_ctx c = {hash, NULL, 0, name, namelen};
	enum ld_err err = db_run(s, tasks, &c);
	*out = c.tasks;
	*n = c.n;
	return err;
}
