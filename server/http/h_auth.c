/* Sign-in, sign-out, the signed-in user, their sessions and API tokens. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "arena.h"
#include "auth_store.h"
#include "handlers.h"
#include "input.h"
#include "log.h"
#include "secret.h"

/*
 * A hash to verify against when the email is unknown, so that a wrong email
 * and a wrong password take the same time.
 */
static char dummy_hash[SECRET_PWHASH_LEN];
static bool dummy_fast;
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy(void)
{
	char token[SECRET_TOKEN_LEN];
	secret_token(token);
	if (secret_password_hash(token, dummy_fast, dummy_hash))
		dummy_hash[0] = '\0';
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

enum ld_err auth_signin(struct request *req, const char *email,
			const char *password, char token[SECRET_TOKEN_LEN],
			char csrf[SECRET_TOKEN_LEN], int64_t *user_id)
{
	const char *ip = request_ip(req);
	const char *agent = request_header(req, "User-Agent");
	char hash[SECRET_PWHASH_LEN] = "";
	unsigned char token_hash[SECRET_HASH_LEN];
	bool limited, ok;
	enum ld_err err;

	*user_id = 0;
	if ((err = auth_store_rate_limited(req->app->store, email, ip,
					   &limited)))
		return err;
	if (limited)
		return request_fail(req, LD_ERATELIMIT, NULL,
				    "too many failed sign-ins: wait 15 "
				    "minutes and try again");
	err = auth_store_find_user(req->app->store, email, user_id, hash);
	if (err && err != LD_ENOTFOUND)
		return err;
	if (err == LD_ENOTFOUND) {
		dummy_fast =
			!strcmp(req->app->cfg.password_hash, "interactive");
		pthread_once(&dummy_once, make_dummy);
		secret_password_verify(dummy_hash, password);
		ok = false;
		*user_id = 0;
	} else {
		ok = secret_password_verify(hash, password);
	}
	secret_token(token);
	secret_token(csrf);
	secret_hash(token, token_hash);
	err = auth_store_signin(req->app->store, email, ip, agent ? agent : "",
				ok ? *user_id : 0, ok, token_hash, csrf,
				req->app->cfg.session_max);
	if (err)
		return err;
	if (!ok)
		return request_fail(req, LD_EUNAUTHORISED, NULL,
				    "email or password not recognised");
	return LD_OK;
}

enum ld_err h_signin(struct request *req)
{
	static const char *const fields[] = {"email", "password", NULL};
	const char *email, *password;
	char token[SECRET_TOKEN_LEN], csrf[SECRET_TOKEN_LEN];
	int64_t user_id;
	json_t *body;
	enum ld_err err;

	if ((err = request_json(req, &body)) ||
	    (err = input_known_fields(req, body, fields)) ||
	    (err = input_string(req, body, "email", 254, true, &email)) ||
	    (err = input_string(req, body, "password", 1024, true,
				&password)) ||
	    (err = auth_signin(req, email, password, token, csrf, &user_id)))
		return err;
	struct principal p = {0};
	p.user_id = user_id;
	reply_header(
		req, "Set-Cookie",
		auth_session_cookie(req, token, req->app->cfg.session_max));
	return reply_me(req, &p, csrf, 201);
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

enum ld_err h_token_create(struct request *req)
{
	static const char *const fields[] = {"name", NULL};
	const char *name;
	json_t *body;
	char *json, token[SECRET_TOKEN_LEN];
	unsigned char hash[SECRET_HASH_LEN];
	enum ld_err err;

	if ((err = request_json(req, &body)) ||
	    (err = input_known_fields(req, body, fields)) ||
	    (err = input_string(req, body, "name", 80, true, &name)))
		return err;
	secret_token(token);
	secret_hash(token, hash);
	if ((err = auth_store_create_token(req->app->store, req->who.user_id,
					   name, hash, &json)))
		return err;
	json_t *out = json_loads(json, 0, NULL);
	free(json);
	if (!out)
		return LD_EINTERNAL;
	/* The only time the token is ever shown. */
	json_object_set_new(out, "token", json_string(token));
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
