#include "auth_store.h"

#include <stdio.h>
#include <string.h>

#include "db.h"
#include "workflow.h"

/* The columns a principal is read from, after a join that names u. */
#define PRINCIPAL_COLUMNS                                                      \
	"u.id, coalesce(u.service_area_id, 0), "                               \
	"coalesce(u.validator_title_id, 0), u.resident_access, "               \
	"array_to_string(ARRAY(SELECT role FROM user_role r"                   \
	" WHERE r.user_id = u.id ORDER BY role), ','), u.name"

/* Fill p from the PRINCIPAL_COLUMNS starting at column col. */
static void read_principal(PGresult *res, int col, struct principal *p)
{
	char roles[200];
	const char *names[8];
	int n = 0;

	p->user_id = db_long(res, 0, col);
	p->service_area_id = db_long(res, 0, col + 1);
	p->validator_title_id = db_long(res, 0, col + 2);
	p->resident_access = PQgetvalue(res, 0, col + 3)[0] == 't';
	snprintf(roles, sizeof(roles), "%s", PQgetvalue(res, 0, col + 4));
	for (char *r = roles; *r && n < 8;) {
		names[n++] = r;
		r += strcspn(r, ",");
		if (*r)
			*r++ = '\0';
	}
	p->roles = workflow_roles(names, n);
	snprintf(p->name, sizeof(p->name), "%s", PQgetvalue(res, 0, col + 5));
}

struct wait_ctx {
	const char *email, *ip;
	long wait;
};

/*
 * The failures that count for a pair are those of the last hour since its
 * last success; each beyond the free ones doubles the wait after the last
 * failure.  The address's ceiling waits until its oldest counted failure
 * leaves the window.
 */
static enum ld_err signin_wait(struct db *db, void *arg)
{
	struct wait_ctx *c = arg;
	const char *params[] = {c->email, c->ip};
	PGresult *res;
	enum ld_err err = db_exec(
		db, "signin_wait",
		"WITH pair AS (SELECT count(*) AS n, max(at) AS last"
		"  FROM signin_attempt"
		"  WHERE lower(email) = lower($1) AND ip = $2 AND NOT success"
		"  AND at > now() - interval '1 hour'"
		"  AND at > coalesce((SELECT max(at) FROM signin_attempt"
		"   WHERE lower(email) = lower($1) AND ip = $2 AND success),"
		"   '-infinity')),"
		" addr AS (SELECT at FROM signin_attempt"
		"  WHERE ip = $2 AND NOT success"
		"  AND at > now() - interval '15 minutes'"
		"  AND NOT EXISTS (SELECT 1 FROM signin_attempt k"
		"   WHERE lower(k.email) = lower($1) AND k.ip = $2"
		"   AND k.success AND k.at > now() - interval '30 days')"
		"  ORDER BY at DESC OFFSET 49 LIMIT 1)"
		" SELECT greatest(0,"
		"  (SELECT ceil(extract(epoch FROM last - now())"
		"   + least(900, 15 * power(2.0, least(n - 5, 10))))"
		"   FROM pair WHERE n >= 5),"
		"  (SELECT ceil(extract(epoch FROM at + interval '15 minutes'"
		"   - now())) FROM addr))::bigint",
		2, params, &res);
	if (err)
		return err;
	c->wait = db_long(res, 0, 0);
	PQclear(res);
	return LD_OK;
}

enum ld_err auth_store_signin_wait(struct store *s, const char *email,
				   const char *ip, long *wait)
{
	struct wait_ctx c = {email, ip, 0};
	enum ld_err err = db_run(s, signin_wait, &c);
	*wait = c.wait;
	return err;
}

struct find_ctx {
	const char *email;
	int64_t id;
	char *hash;
};

static enum ld_err find_user(struct db *db, void *arg)
{
	struct find_ctx *c = arg;
	const char *params[] = {c->email};
	PGresult *res;
	enum ld_err err = db_exec(db, "signin_user",
				  "SELECT id, password_hash FROM app_user"
				  " WHERE lower(email) = lower($1) AND active"
				  " AND password_hash IS NOT NULL",
				  1, params, &res);
	if (err)
		return err;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return LD_ENOTFOUND;
	}
	c->id = db_long(res, 0, 0);
	snprintf(c->hash, SECRET_PWHASH_LEN, "%s", PQgetvalue(res, 0, 1));
	PQclear(res);
	return LD_OK;
}

enum ld_err auth_store_find_user(struct store *s, const char *email,
				 int64_t *user_id, char hash[SECRET_PWHASH_LEN])
{
	struct find_ctx c = {email, 0, hash};
	enum ld_err err = db_run(s, find_user, &c);
	*user_id = c.id;
	return err;
}

struct signin_ctx {
	const char *email, *ip, *agent, *csrf;
	int64_t user_id;
	bool success;
	const unsigned char *hash;
	long max_age;
};

static enum ld_err signin(struct db *db, void *arg)
{
	struct signin_ctx *c = arg;
	struct db_num uid, age;
	struct db_hex hex;
	const char *attempt[] = {c->email, c->ip, c->success ? "t" : "f",
				 c->user_id ? db_num(&uid, c->user_id) : NULL};
	enum ld_err err = db_begin_as(db, c->user_id);
	if (err)
		goto out;
	err = db_exec(
		db, "signin_attempt",
		"WITH a AS (INSERT INTO signin_attempt (email, ip, success)"
		"  VALUES ($1, $2, $3))"
		" INSERT INTO audit_log (actor_id, action, entity, entity_id,"
		"  detail)"
		" VALUES ($4, CASE WHEN $3 THEN 'signin' ELSE"
		"  'signin_failed' END, 'app_user', $4, 'from ' || $2)",
		4, attempt, NULL);
	if (err || !c->success)
		goto out;
	const char *session[] = {db_hex(&hex, c->hash, SECRET_HASH_LEN),
				 attempt[3],
				 c->csrf,
				 db_num(&age, c->max_age),
				 c->ip,
				 c->agent};
	err = db_exec(db, "session_open",
		      "INSERT INTO session (token_hash, user_id, csrf_token,"
		      " expires_at, ip, user_agent)"
		      " VALUES ($1, $2, $3, now() + make_interval(secs => $4),"
		      " $5, left($6, 200))",
		      6, session, NULL);
out:
	if (!err)
		err = db_commit(db);
	if (err)
		db_rollback(db);
	return err;
}

enum ld_err auth_store_signin(struct store *s, const char *email,
			      const char *ip, const char *user_agent,
			      int64_t user_id, bool success,
			      const unsigned char token_hash[SECRET_HASH_LEN],
			      const char *csrf, long max_age)
{
	struct signin_ctx c = {email,	ip,	 user_agent, csrf,
			       user_id, success, token_hash, max_age};
	return db_run(s, signin, &c);
}

struct session_ctx {
	const unsigned char *hash;
	long idle;
	struct principal *p;
};

static enum ld_err session(struct db *db, void *arg)
{
	struct session_ctx *c = arg;
	struct db_hex hex;
	struct db_num idle;
	const char *params[] = {db_hex(&hex, c->hash, SECRET_HASH_LEN),
				db_num(&idle, c->idle)};
	PGresult *res;
	/*
	 * last_seen_at is written at most once a minute, so reading a page
	 * does not cost a write per request.
	 */
	enum ld_err err = db_exec(
		db, "session_lookup",
		"WITH s AS (SELECT id, user_id, csrf_token, last_seen_at,"
		"  ended_at IS NULL AND expires_at > now()"
		"  AND last_seen_at > now() - make_interval(secs => $2) AS live"
		"  FROM session WHERE token_hash = $1),"
		" touch AS (UPDATE session SET last_seen_at = now() FROM s"
		"  WHERE session.id = s.id AND s.live"
		"  AND s.last_seen_at < now() - interval '60 seconds')"
		" SELECT s.live, s.id, s.csrf_token, " PRINCIPAL_COLUMNS
		" FROM s JOIN app_user u ON u.id = s.user_id AND u.active",
		2, params, &res);
	if (err)
		return err;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return LD_ENOTFOUND;
	}
	if (PQgetvalue(res, 0, 0)[0] != 't') {
		PQclear(res);
		return LD_EUNAUTHORISED;
	}
	memset(c->p, 0, sizeof(*c->p));
	c->p->session_id = db_long(res, 0, 1);
	snprintf(c->p->csrf, sizeof(c->p->csrf), "%s", PQgetvalue(res, 0, 2));
	read_principal(res, 3, c->p);
	PQclear(res);
	return LD_OK;
}

enum ld_err auth_store_session(struct store *s,
			       const unsigned char hash[SECRET_HASH_LEN],
			       long idle, struct principal *out)
{
	struct session_ctx c = {hash, idle, out};
	return db_run(s, session, &c);
}

struct token_ctx {
	const unsigned char *hash;
	struct principal *p;
};

static enum ld_err token(struct db *db, void *arg)
{
	struct token_ctx *c = arg;
	struct db_hex hex;
	const char *params[] = {db_hex(&hex, c->hash, SECRET_HASH_LEN)};
	PGresult *res;
	enum ld_err err = db_exec(
		db, "token_lookup",
		"WITH t AS (SELECT id, user_id, last_used_at,"
		"  expires_at IS NULL OR expires_at > now() AS live"
		"  FROM api_token WHERE token_hash = $1 AND revoked_at IS "
		"NULL),"
		" touch AS (UPDATE api_token SET last_used_at = now() FROM t"
		"  WHERE api_token.id = t.id AND t.live"
		"  AND (t.last_used_at IS NULL"
		"  OR t.last_used_at < now() - interval '60 seconds'))"
		" SELECT t.live, t.id, " PRINCIPAL_COLUMNS
		" FROM t JOIN app_user u ON u.id = t.user_id AND u.active",
		1, params, &res);
	if (err)
		return err;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return LD_ENOTFOUND;
	}
	if (PQgetvalue(res, 0, 0)[0] != 't') {
		PQclear(res);
		return LD_EUNAUTHORISED;
	}
	memset(c->p, 0, sizeof(*c->p));
	c->p->token_id = db_long(res, 0, 1);
	read_principal(res, 2, c->p);
	PQclear(res);
	return LD_OK;
}

enum ld_err auth_store_token(struct store *s,
			     const unsigned char hash[SECRET_HASH_LEN],
			     struct principal *out)
{
	struct token_ctx c = {hash, out};
	return db_run(s, token, &c);
}

/*
 * End one of the user's own sessions or tokens: sql updates row $2 of user
 * $1 and records it in the audit log, returning a row if it did.
 */
struct end_ctx {
	const char *name, *sql;
	int64_t user_id, id;
};

static enum ld_err end_owned(struct db *db, void *arg)
{
	struct end_ctx *c = arg;
	struct db_num u, id;
	const char *params[] = {db_num(&u, c->user_id), db_num(&id, c->id)};
	PGresult *res;
	enum ld_err err = db_begin_as(db, c->user_id);
	if (err)
		goto out;
	err = db_exec(db, c->name, c->sql, 2, params, &res);
	if (err)
		goto out;
	if (PQntuples(res) == 0)
		err = LD_ENOTFOUND;
	PQclear(res);
out:
	if (!err)
		err = db_commit(db);
	if (err)
		db_rollback(db);
	return err;
}

enum ld_err auth_store_end_session(struct store *s, int64_t user_id,
				   int64_t session_id)
{
	struct end_ctx c = {
		"session_end",
		"WITH e AS (UPDATE session SET ended_at = now()"
		"  WHERE id = $2 AND user_id = $1 AND ended_at IS NULL"
		"  RETURNING id)"
		" INSERT INTO audit_log (actor_id, action, entity, entity_id)"
		" SELECT $1, 'signout', 'session', id FROM e RETURNING id",
		user_id, session_id};
	return db_run(s, end_owned, &c);
}

enum ld_err auth_store_me(struct store *s, const struct principal *p,
			  char **json)
{
	struct db_num u, sid;
	const char *params[] = {db_num(&u, p->user_id),
				db_num(&sid, p->session_id)};
	return db_run_json(
		s, "me",
		"SELECT json_build_object('id', u.id, 'name', u.name, 'email',"
		" u.email, 'job_title', u.job_title, 'roles', ARRAY(SELECT role"
		" FROM user_role WHERE user_id = u.id ORDER BY role),"
		" 'service_area', (SELECT json_build_object('id', a.id, 'name',"
		"  a.name) FROM service_area a WHERE a.id = u.service_area_id),"
		" 'validator_title', (SELECT title FROM validator_title"
		"  WHERE id = u.validator_title_id),"
		" 'sessions', coalesce((SELECT json_agg(json_build_object('id',"
		"  s.id, 'created_at', s.created_at, 'last_seen_at',"
		"  s.last_seen_at, 'ip', s.ip, 'user_agent', s.user_agent,"
		"  'current', s.id = $2::bigint) ORDER BY s.id)"
		"  FROM session s WHERE s.user_id = u.id AND s.ended_at IS NULL"
		"  AND s.expires_at > now()), '[]'))"
		" FROM app_user u WHERE u.id = $1",
		2, params, json);
}

struct create_token_ctx {
	int64_t user_id, parent_id, expires;
	const char *name;
	const unsigned char *hash;
	char **json;
};

static enum ld_err create_token(struct db *db, void *arg)
{
	struct create_token_ctx *c = arg;
	struct db_num u, parent, expires;
	struct db_hex hex;
	const char *params[] = {
		db_num(&u, c->user_id), c->name,
		db_hex(&hex, c->hash, SECRET_HASH_LEN),
		c->parent_id ? db_num(&parent, c->parent_id) : NULL,
		c->expires ? db_num(&expires, c->expires) : NULL};
	enum ld_err err = db_begin_as(db, c->user_id);
	/* least() ignores NULL: no expiry asked gives the parent's. */
	if (!err)
		err = db_json(
			db, "token_create",
			"WITH p AS (SELECT expires_at FROM api_token"
			"  WHERE id = $4::bigint AND user_id = $1),"
			" t AS (INSERT INTO api_token (user_id, name,"
			"  token_hash, parent_id, expires_at)"
			"  VALUES ($1, $2, $3, $4::bigint,"
			"  least(to_timestamp($5::bigint),"
			"  (SELECT expires_at FROM p)))"
			"  RETURNING id, name, created_at, expires_at),"
			" a AS (INSERT INTO audit_log (actor_id, action,"
			"  entity, entity_id) SELECT $1, 'token_created',"
			"  'api_token', id FROM t)"
			" SELECT json_build_object('id', id, 'name', name,"
			" 'created_at', created_at, 'expires_at', expires_at)"
			" FROM t",
			5, params, c->json);
	if (!err)
		err = db_commit(db);
	if (err)
		db_rollback(db);
	return err;
}

enum ld_err auth_store_create_token(struct store *s, int64_t user_id,
				    int64_t parent_id, int64_t expires,
				    const char *name,
				    const unsigned char hash[SECRET_HASH_LEN],
				    char **json)
{
	struct create_token_ctx c = {user_id, parent_id, expires,
				     name,    hash,	 json};
	return db_run(s, create_token, &c);
}

enum ld_err auth_store_list_tokens(struct store *s, int64_t user_id,
				   char **json)
{
	struct db_num u;
	const char *params[] = {db_num(&u, user_id)};
	return db_run_json(
		s, "token_list",
		"SELECT coalesce(json_agg(json_build_object('id', id, 'name',"
		" name, 'created_at', created_at, 'last_used_at', last_used_at,"
		" 'expires_at', expires_at) ORDER BY id), '[]') FROM api_token"
		" WHERE user_id = $1 AND revoked_at IS NULL",
		1, params, json);
}

enum ld_err auth_store_revoke_token(struct store *s, int64_t user_id,
				    int64_t token_id)
{
	struct end_ctx c = {
		"token_revoke",
		"WITH RECURSIVE tree AS (SELECT id FROM api_token"
		"  WHERE id = $2 AND user_id = $1 AND revoked_at IS NULL"
		"  UNION SELECT c.id FROM api_token c JOIN tree"
		"  ON c.parent_id = tree.id WHERE c.revoked_at IS NULL),"
		" r AS (UPDATE api_token SET revoked_at = now()"
		"  WHERE id IN (SELECT id FROM tree) RETURNING id)"
		" INSERT INTO audit_log (actor_id, action, entity, entity_id)"
		" SELECT $1, 'token_revoked', 'api_token', id FROM r"
		" RETURNING id",
		user_id, token_id};
	return db_run(s, end_owned, &c);
}

struct refusal_ctx {
	int64_t user_id;
	const char *what;
};

static enum ld_err audit_refusal(struct db *db, void *arg)
{
	struct refusal_ctx *c = arg;
	struct db_num u;
	const char *params[] = {c->user_id ? db_num(&u, c->user_id) : NULL,
				c->what};
	return db_exec(
		db, "audit_refusal",
		"INSERT INTO audit_log (actor_id, action, entity, detail)"
		" VALUES ($1, 'access_refused', 'request', left($2, 300))",
		2, params, NULL);
}

enum ld_err auth_store_audit_refusal(struct store *s, int64_t user_id,
				     const char *what)
{
	struct refusal_ctx c = {user_id, what};
	return db_run(s, audit_refusal, &c);
}

struct passwords_ctx {
	const char *pattern, *hash;
	int changed;
};

static enum ld_err set_passwords(struct db *db, void *arg)
{
	struct passwords_ctx *c = arg;
	const char *params[] = {c->pattern, c->hash};
	PGresult *res;
	enum ld_err err = db_exec(
		db, "set_passwords",
		"WITH u AS (UPDATE app_user SET password_hash = $2"
		"  WHERE email LIKE $1 RETURNING id),"
		" s AS (UPDATE session SET ended_at = now()"
		"  WHERE user_id IN (SELECT id FROM u) AND ended_at IS NULL),"
		" t AS (UPDATE api_token SET revoked_at = now()"
		"  WHERE user_id IN (SELECT id FROM u) AND revoked_at IS NULL),"
		" a AS (INSERT INTO audit_log (actor_id, action, entity,"
		"  entity_id, detail) SELECT NULL, 'signins_ended', 'app_user',"
		"  id, 'password set' FROM u)"
		" SELECT count(*) FROM u",
		2, params, &res);
	if (err)
		return err;
	c->changed = (int)db_long(res, 0, 0);
	PQclear(res);
	return LD_OK;
}

enum ld_err auth_store_set_passwords(struct store *s, const char *pattern,
				     const char *hash, int *changed)
{
	struct passwords_ctx c = {pattern, hash, 0};
	enum ld_err err = db_run(s, set_passwords, &c);
	*changed = c.changed;
	return err;
}
