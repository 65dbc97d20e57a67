/* Sign-in, sign-out, the signed-in user, their sessions and API tokens. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "arena.h"
#include "auth_store.h"
#include "date.h"
#include "utf8.h"
#include "handlers.h"
#include "input.h"
#include "log.h"
#include "oidc.h"
#include "secret.h"

/*
 * A hash to verify against when the email is unknown, so that a wrong email
 * and a wrong password take the same time.  Made once, by whichever pool
 * thread needs it first, at the limits new hashes use.
 */
static pthread_mutex_t dummy_lock = PTHREAD_MUTEX_INITIALIZER;
static char dummy_hash[SECRET_PWHASH_LEN];
static bool dummy_made;

static const char *dummy(bool fast)
{
	pthread_mutex_lock(&dummy_lock);
	if (!dummy_made) {
		char token[SECRET_TOKEN_LEN];
		secret_token(token);
		if (secret_password_hash(token, fast, dummy_hash))
			dummy_hash[0] = '\0';
		dummy_made = true;
	}
	pthread_mutex_unlock(&dummy_lock);
	return dummy_hash;
}

const char *auth_session_cookie(struct request *req, const char *token,
				long max_age)
{
	bool tls = !strncmp(req->app->cfg.base_url, "https:", 6);
	return arena_printf(req->arena,
			    "ld_session=%s; Path=/; HttpOnly; SameSite=Strict; "
			    "Max-Age=%ld%s",
			    token, max_age, tls ? "; Secure" : "");
}

/* The user as /me shows it, with the CSRF token for this session. */
static enum ld_err reply_me(struct request *req, const struct principal *p,
			    const char *csrf, unsigned int status)
{
	char *text;
	enum ld_err err = auth_store_me(req->app->store, p, &text);
	if (err)
		return err;
	json_t *me = json_loads(text, 0, NULL);
	free(text);
	if (!me)
		return LD_EINTERNAL;
	json_object_set_new(me, "csrf_token",
			    csrf ? json_string(csrf) : json_null());
	reply_json(req, status, me);
	return LD_OK;
}

enum ld_err auth_signin_allowed(struct request *req, const char *email)
{
	long wait;
	enum ld_err err = auth_store_signin_wait(req->app->store, email,
						 request_ip(req), &wait);
	if (err || wait <= 0)
		return err;
	reply_header(req, "Retry-After", arena_printf(req->arena, "%ld", wait));
	return request_fail(req, LD_ERATELIMIT, NULL,
			    "too many failed sign-ins: try again in %ld "
			    "seconds",
			    wait);
}

/*
 * Runs on the hashing pool (or anywhere): it uses only the request, its
 * arena and the store, never state of the HTTP thread.
 */
enum ld_err auth_signin(struct request *req, const char *email,
			const char *password, char token[SECRET_TOKEN_LEN],
			char csrf[SECRET_TOKEN_LEN], int64_t *user_id)
{
	const char *ip = request_ip(req);
	/* Only ever shown: scrubbed rather than refused. */
	const char *agent = request_header(req, "User-Agent");
	agent = agent ? utf8_scrub(arena_strdup(req->arena, agent)) : NULL;
	char hash[SECRET_PWHASH_LEN] = "";
	unsigned char token_hash[SECRET_HASH_LEN];
	bool ok;
	enum ld_err err;

	*user_id = 0;
	/* Again: the wait may have begun while this one was queued. */
	if ((err = auth_signin_allowed(req, email)))
		return err;
	err = auth_store_find_user(req->app->store, email, user_id, hash);
	if (err && err != LD_ENOTFOUND)
		return err;
	if (err == LD_ENOTFOUND) {
		secret_password_verify(
			dummy(!strcmp(req->app->cfg.password_hash,
				      "interactive")),
			password);
		ok = false;
		*user_id = 0;
	} else {
		ok = secret_password_verify(hash, password);
	}
	/* With single sign-on, passwords may be for administrators only. */
	bool sso_only = false;
	if (ok && req->app->cfg.password_admins_only &&
	    oidc_enabled(&req->app->cfg)) {
		bool admin;
		if ((err = oidc_store_is_admin(req->app->store, *user_id,
					       &admin)))
			return err;
		sso_only = !admin;
		ok = admin;
	}
	secret_token(token);
	secret_token(csrf);
	secret_hash(token, token_hash);
	err = auth_store_signin(req->app->store, email, ip, agent ? agent : "",
				ok ? *user_id : 0, ok, token_hash, csrf,
				req->app->cfg.session_max);
	if (err)
		return err;
	if (sso_only)
		return request_fail(req, LD_EFORBIDDEN, "email",
				    "passwords are for administrators: sign in "
				    "with your organisation's account");
	if (!ok)
		return request_fail(req, LD_EUNAUTHORISED, NULL,
				    "email or password not recognised");
	return LD_OK;
}

static enum ld_err signin_fields(struct request *req, const char **email,
				 const char **password)
{
	static const char *const fields[] = {"email", "password", NULL};
	json_t *body;
	enum ld_err err;

	if ((err = request_json(req, &body)) ||
	    (err = input_known_fields(req, body, fields)) ||
	    (err = input_string(req, body, "email", 254, true, email)) ||
	    (err = input_string(req, body, "password", 1024, true, password)))
		return err;
	return LD_OK;
}

/* The slow part of POST /session, on the hashing pool. */
static enum ld_err signin_work(struct request *req)
{
	const char *email, *password;
	char token[SECRET_TOKEN_LEN], csrf[SECRET_TOKEN_LEN];
	int64_t user_id;
	enum ld_err err;

	if ((err = signin_fields(req, &email, &password)) ||
	    (err = auth_signin(req, email, password, token, csrf, &user_id)))
		return err;
	struct principal p = {0};
	p.user_id = user_id;
	reply_header(
		req, "Set-Cookie",
		auth_session_cookie(req, token, req->app->cfg.session_max));
	return reply_me(req, &p, csrf, 201);
}

/*
 * The body is checked here, so that a malformed one is refused without
 * waiting for the pool; the pool reads it again (it cannot change).
 */
enum ld_err h_signin(struct request *req)
{
	const char *email, *password;
	enum ld_err err = signin_fields(req, &email, &password);
	/* One that must wait takes no place on the pool. */
	if (err || (err = auth_signin_allowed(req, email)))
		return err;
	return request_defer(req, req->app->hash_pool, signin_work);
}

enum ld_err h_signout(struct request *req)
{
	if (!req->who.session_id)
		return request_fail(req, LD_EINVAL, NULL,
				    "an API token has no session to end");
	enum ld_err err = auth_store_end_session(
		req->app->store, req->who.user_id, req->who.session_id);
	if (err)
		return err;
	reply_header(req, "Set-Cookie", auth_session_cookie(req, "", 0));
	reply_json(req, 200, json_pack("{s:b}", "signed_out", 1));
	return LD_OK;
}

enum ld_err h_me(struct request *req)
{
	return reply_me(req, &req->who,
			req->who.session_id ? req->who.csrf : NULL, 200);
}

enum ld_err h_session_end(struct request *req)
{
	int64_t id;
	enum ld_err err = request_id(req, 0, &id);
	if (err)
		return err;
	err = auth_store_end_session(req->app->store, req->who.user_id, id);
	if (err == LD_ENOTFOUND)
		return request_fail(req, err, NULL, "no such session of yours");
	if (err)
		return err;
	reply_json(req, 200, json_pack("{s:I}", "ended", (json_int_t)id));
	return LD_OK;
}

enum ld_err h_tokens(struct request *req)
{
	char *json;
	enum ld_err err = auth_store_list_tokens(req->app->store,
						 req->who.user_id, &json);
	if (err)
		return err;
	reply_json_text(req, 200, json);
	return LD_OK;
}

/* The longest a token may be asked to last, in days. */
#define TOKEN_MAX_DAYS 3650

/* When a new token is to expire: *out a Unix time, or 0 for never. */
static enum ld_err token_expiry(struct request *req, json_t *body, int64_t *out)
{
	const char *at = NULL;
	long long days = 0;
	int64_t now = (int64_t)time(NULL);
	enum ld_err err;

	*out = 0;
	if ((err = input_string(req, body, "expires_at", 40, false, &at)) ||
	    (err = input_int(req, body, "expires_in_days", 1, TOKEN_MAX_DAYS,
			     false, &days)))
		return err;
	if (at && days)
		return request_fail(req, LD_EINVAL, "expires_at",
				    "give expires_at or expires_in_days, not "
				    "both");
	if (days)
		*out = now + (int64_t)days * 86400;
	if (at) {
		if (date_parse_timestamp(at, out))
			return request_fail(
				req, LD_EINVAL, "expires_at",
				"expires_at must be a time with its "
				"offset, as 2027-01-31T17:00:00Z");
		if (*out <= now)
			return request_fail(req, LD_EVALIDATION, "expires_at",
					    "expires_at must be in the future");
		if (*out > now + (int64_t)TOKEN_MAX_DAYS * 86400)
			return request_fail(req, LD_EVALIDATION, "expires_at",
					    "a token lasts at most %d days",
					    TOKEN_MAX_DAYS);
	}
	return LD_OK;
}

/*
 * A token made with a token expires no later than its parent, and is
 * revoked with it (the store sees to both): one credential cannot turn
 * itself into a longer-lived one.
 */
enum ld_err auth_token_in(struct request *req, json_t *body, void *out)
{
	static const char *const fields[] = {"name", "expires_at",
					     "expires_in_days", NULL};
	struct token_in *in = out;
	enum ld_err err;
	if ((err = input_known_fields(req, body, fields)) ||
	    (err = input_string(req, body, "name", 80, true, &in->name)))
		return err;
	return token_expiry(req, body, &in->expires);
}

enum ld_err auth_token_make(struct request *req, const struct token_in *in,
			    json_t **out)
{
	char *json, token[SECRET_TOKEN_LEN];
	unsigned char hash[SECRET_HASH_LEN];
	enum ld_err err;

	*out = NULL;
	secret_token(token);
	secret_hash(token, hash);
	if ((err = auth_store_create_token(req->app->store, req->who.user_id,
					   req->who.token_id, in->expires,
					   in->name, hash, &json)))
		return err;
	*out = json_loads(json, 0, NULL);
	free(json);
	if (!*out)
		return LD_EINTERNAL;
	/* The only time the token is ever shown. */
	json_object_set_new(*out, "token", json_string(token));
	return LD_OK;
}

enum ld_err h_token_create(struct request *req)
{
	json_t *body, *out;
	struct token_in in;
	enum ld_err err;
	if ((err = request_json(req, &body)) ||
	    (err = auth_token_in(req, body, &in)) ||
	    (err = auth_token_make(req, &in, &out)))
		return err;
	reply_json(req, 201, out);
	return LD_OK;
}

enum ld_err h_token_revoke(struct request *req)
{
	int64_t id;
	enum ld_err err = request_id(req, 0, &id);
	if (err)
		return err;
	err = auth_store_revoke_token(req->app->store, req->who.user_id, id);
	if (err == LD_ENOTFOUND)
		return request_fail(req, err, NULL, "no such token of yours");
	if (err)
		return err;
	reply_json(req, 200, json_pack("{s:I}", "revoked", (json_int_t)id));
	return LD_OK;
}
