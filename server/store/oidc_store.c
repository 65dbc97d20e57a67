/*
 * OpenID Connect in PostgreSQL: sign-ins begun (oidc_login), identities
 * (oidc_identity) and the sign-in itself (oidc_sign_in, sql/024_oidc.sql).
 */
#include "oidc.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "xalloc.h"

struct begin_ctx {
	const unsigned char *state, *browser;
	const char *nonce, *verifier;
};

static enum ld_err begin(struct db *db, void *arg)
{
	struct begin_ctx *c = arg;
	struct db_hex st, br;
	const char *params[] = {db_hex(&st, c->state, SECRET_HASH_LEN),
				db_hex(&br, c->browser, SECRET_HASH_LEN),
				c->nonce, c->verifier};
	/* Sign-ins never finished are cleared as new ones begin. */
	return db_exec(db, "oidc_begin",
		       "WITH old AS (DELETE FROM oidc_login"
		       "  WHERE expires_at < now())"
		       " INSERT INTO oidc_login (state_hash, browser_hash,"
		       " nonce, code_verifier) VALUES ($1, $2, $3, $4)",
		       4, params, NULL);
}

enum ld_err oidc_store_begin(struct store *s,
			     const unsigned char state_hash[SECRET_HASH_LEN],
			     const unsigned char browser_hash[SECRET_HASH_LEN],
			     const char *nonce, const char *verifier)
{
	struct begin_ctx c = {state_hash, browser_hash, nonce, verifier};
	return db_run(s, begin, &c);
}

struct take_ctx {
	const unsigned char *state;
	unsigned char *browser;
	char *nonce, *verifier;
};

/* Hex text of a bytea column ("\x..."), back into bytes. */
static bool unhex(const char *text, unsigned char *out, size_t len)
{
	if (strncmp(text, "\\x", 2) || strlen(text + 2) != 2 * len)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned v;
		if (sscanf(text + 2 + 2 * i, "%2x", &v) != 1)
			return false;
		out[i] = (unsigned char)v;
	}
	return true;
}

static enum ld_err take(struct db *db, void *arg)
{
	struct take_ctx *c = arg;
	struct db_hex st;
	const char *params[] = {db_hex(&st, c->state, SECRET_HASH_LEN)};
	PGresult *res;
	/* Deleted whatever follows: a state is good for one try. */
	enum ld_err err =
		db_exec(db, "oidc_take",
			"DELETE FROM oidc_login WHERE state_hash = $1"
			" RETURNING browser_hash, nonce, code_verifier,"
			" expires_at > now()",
			1, params, &res);
	if (err)
		return err;
	if (PQntuples(res) != 1 || PQgetvalue(res, 0, 3)[0] != 't' ||
	    !unhex(PQgetvalue(res, 0, 0), c->browser, SECRET_HASH_LEN)) {
		PQclear(res);
		return LD_ENOTFOUND;
	}
	snprintf(c->nonce, SECRET_TOKEN_LEN, "%s", PQgetvalue(res, 0, 1));
	snprintf(c->verifier, SECRET_TOKEN_LEN, "%s", PQgetvalue(res, 0, 2));
	PQclear(res);
	return LD_OK;
}

enum ld_err oidc_store_take(struct store *s,
			    const unsigned char state_hash[SECRET_HASH_LEN],
			    unsigned char browser_hash[SECRET_HASH_LEN],
			    char nonce[SECRET_TOKEN_LEN],
			    char verifier[SECRET_TOKEN_LEN])
{
	struct take_ctx c = {state_hash, browser_hash, nonce, verifier};
	return db_run(s, take, &c);
}

struct signin_ctx {
	const struct oidc_signin *in;
	const char *roles; /* a text[] literal */
	int64_t user_id;
	char *refusal;
};

static enum ld_err signin(struct db *db, void *arg)
{
	struct signin_ctx *c = arg;
	const struct oidc_signin *in = c->in;
	struct db_hex hex;
	struct db_num age;
	const char *params[] = {in->issuer,
				in->sub,
				in->email,
				in->name,
				in->roles->map ? "t" : "f",
				c->roles,
				in->roles->area,
				in->roles->title,
				in->create ? "t" : "f",
				in->ip,
				in->user_agent,
				db_hex(&hex, in->token_hash, SECRET_HASH_LEN),
				in->csrf,
				db_num(&age, in->max_age),
				in->id_token};
	PGresult *res;
	enum ld_err err = db_begin(db);
	if (err)
		goto out;
	err = db_exec(db, "oidc_sign_in",
		      "SELECT coalesce(user_id, 0), refusal FROM oidc_sign_in("
		      "$1, $2, $3, $4, $5, $6::text[], $7, $8, $9, $10, $11,"
		      " $12::bytea, $13, $14::integer, $15)",
		      15, params, &res);
	if (err)
		goto out;
	c->user_id = db_long(res, 0, 0);
	if (!PQgetisnull(res, 0, 1)) {
		snprintf(c->refusal, 256, "%s", PQgetvalue(res, 0, 1));
		err = LD_EFORBIDDEN;
	}
	PQclear(res);
out:
	/* A refusal keeps its audit row: it commits, having changed nothing
	 * else. */
	if (!err || err == LD_EFORBIDDEN) {
		enum ld_err cerr = db_commit(db);
		if (cerr)
			err = cerr;
	}
	if (err && err != LD_EFORBIDDEN)
		db_rollback(db);
	return err;
}

enum ld_err oidc_store_signin(struct store *s, const struct oidc_signin *in,
			      int64_t *user_id, char refusal[256])
{
	struct buf roles;
	buf_init(&roles, 200);
	enum ld_err err = buf_addch(&roles, '{');
	for (int i = 0; !err && i < in->roles->nroles; i++)
		err = buf_printf(&roles, "%s%s", i ? "," : "",
				 in->roles->roles[i]);
	if (!err)
		err = buf_addch(&roles, '}');
	struct signin_ctx c = {in, buf_str(&roles), 0, refusal};
	refusal[0] = '\0';
	if (!err)
		err = db_run(s, signin, &c);
	buf_release(&roles);
	*user_id = c.user_id;
	return err;
}

struct refused_ctx {
	int64_t user_id;
	const char *why, *ip;
};

static enum ld_err refused(struct db *db, void *arg)
{
	struct refused_ctx *c = arg;
	struct db_num u;
	const char *params[] = {c->user_id ? db_num(&u, c->user_id) : NULL,
				c->why, c->ip};
	return db_exec(db, "oidc_refused",
		       "INSERT INTO audit_log (actor_id, action, entity,"
		       " entity_id, detail) VALUES ($1, 'oidc_refused',"
		       " 'app_user', $1, left($2 || ' (from ' || $3 || ')',"
		       " 300))",
		       3, params, NULL);
}

enum ld_err oidc_store_refused(struct store *s, int64_t user_id,
			       const char *why, const char *ip)
{
	struct refused_ctx c = {user_id, why, ip};
	return db_run(s, refused, &c);
}

struct token_ctx {
	int64_t session_id;
	char **out;
};

static enum ld_err session_token(struct db *db, void *arg)
{
	struct token_ctx *c = arg;
	struct db_num sid;
	const char *params[] = {db_num(&sid, c->session_id)};
	PGresult *res;
	/* Taken, not read: a token kept after sign-out serves nothing. */
	enum ld_err err = db_exec(db, "oidc_session_token",
				  "DELETE FROM oidc_session"
				  " WHERE session_id = $1 RETURNING id_token",
				  1, params, &res);
	if (err)
		return err;
	*c->out = PQntuples(res) ? xstrdup(PQgetvalue(res, 0, 0)) : NULL;
	PQclear(res);
	return LD_OK;
}

enum ld_err oidc_store_session_token(struct store *s, int64_t session_id,
				     char **id_token)
{
	struct token_ctx c = {session_id, id_token};
	*id_token = NULL;
	return db_run(s, session_token, &c);
}

struct admin_ctx {
	int64_t user_id;
	bool admin;
};

static enum ld_err is_admin(struct db *db, void *arg)
{
	struct admin_ctx *c = arg;
	struct db_num u;
	const char *params[] = {db_num(&u, c->user_id)};
	PGresult *res;
	enum ld_err err = db_exec(
		db, "oidc_is_admin",
		"SELECT EXISTS (SELECT 1 FROM user_role r JOIN app_user u"
		" ON u.id = r.user_id AND u.active"
		" WHERE r.user_id = $1 AND r.role = 'administrator')",
		1, params, &res);
	if (err)
		return err;
	c->admin = PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	return LD_OK;
}

enum ld_err oidc_store_is_admin(struct store *s, int64_t user_id, bool *admin)
{
	struct admin_ctx c = {user_id, false};
	enum ld_err err = db_run(s, is_admin, &c);
	*admin = c.admin;
	return err;
}
