/*
 * The sign-in form: the password half (h_oidc.c offers single sign-on);
 * the signed-in user's account: their sessions and API tokens.
 */
#include <ctype.h>
#include <string.h>

#include "app.h"
#include "arena.h"
#include "auth_store.h"
#include "date.h"
#include "handlers.h"
#include "input.h"
#include "page.h"
#include "workflow.h"

/* Sign in and out ------------------------------------------------------- */

/*
 * The email and password of the sign-in form, checked as the API checks
 * them; NULL with the page's errors in ctx otherwise.
 */
static json_t *signin_fields(struct request *req, json_t *form, json_t *ctx)
{
	json_t *body = form_body(req);
	const char *email = page_field(form, "email"), *password;
	json_object_set_new(body, "email", json_string(email));
	json_object_set_new(body, "password",
			    json_string(page_field(form, "password")));
	json_object_set_new(ctx, "values", json_pack("{s:s}", "email", email));
	if (input_string(req, body, "email", 254, true, &email))
		page_field_error(ctx, "email", "Enter your email address");
	if (input_string(req, body, "password", 1024, true, &password))
		page_field_error(ctx, "password", "Enter your password");
	return json_is_true(json_object_get(ctx, "has_errors")) ? NULL : body;
}

/* The sign-in page again, saying why: a wrong password, or a wait. */
static enum ld_err signin_refused(struct request *req, json_t *ctx,
				  enum ld_err err)
{
	/* The wait as the API says it, as a sentence. */
	const char *msg = req->err_message ? req->err_message : "";
	page_field_error(
		ctx, "email",
		err == LD_ERATELIMIT && *msg
			? arena_printf(req->arena, "%c%s",
				       toupper((unsigned char)msg[0]), msg + 1)
			: "Enter the email address and password of your "
			  "account");
	oidc_page_ctx(req, ctx); /* single sign-on still offered first */
	return page_render(req, http_status(err), "signin", ctx);
}

/* The slow half of signing in, on the hash pool: the password's hash. */
static enum ld_err signin_form_hash(struct request *req)
{
	json_t *form = page_form(req);
	char token[SECRET_TOKEN_LEN], csrf[SECRET_TOKEN_LEN];
	int64_t user_id;
	if (!form)
		return request_fail(req, LD_EINVAL, NULL,
				    "The form is malformed.");
	json_t *ctx = page_ctx(req, "Sign in", NULL);
	json_t *body = signin_fields(req, form, ctx);
	if (!body) {
		oidc_page_ctx(req, ctx);
		return page_render(req, 400, "signin", ctx);
	}
	enum ld_err err = auth_signin(
		req, json_string_value(json_object_get(body, "email")),
		json_string_value(json_object_get(body, "password")), token,
		csrf, &user_id);
	if (err == LD_EUNAUTHORISED || err == LD_ERATELIMIT)
		return signin_refused(req, ctx, err);
	json_decref(ctx);
	if (err)
		return err;
	reply_header(
		req, "Set-Cookie",
		auth_session_cookie(req, token, req->app->cfg.session_max));
	return page_redirect(req, "/");
}

enum ld_err h_page_signin_post(struct request *req)
{
	json_t *form = page_form(req);
	if (!form)
		return request_fail(req, LD_EINVAL, NULL,
				    "The form is malformed.");
	/* A form refused, or made to wait, takes no place on the pool. */
	json_t *ctx = page_ctx(req, "Sign in", NULL);
	json_t *body = signin_fields(req, form, ctx);
	if (!body)
		return page_render(req, 400, "signin", ctx);
	enum ld_err err = auth_signin_allowed(
		req, json_string_value(json_object_get(body, "email")));
	if (err == LD_ERATELIMIT)
		return signin_refused(req, ctx, err);
	json_decref(ctx);
	if (err)
		return err;
	return request_defer(req, req->app->hash_pool, signin_form_hash);
}

/* Your account: your sessions and API tokens ---------------------------- */

/* An RFC 3339 time as people read it: "Tuesday 1 December 2026, 3:05pm". */
static const char *when(struct request *req, json_t *v)
{
	int64_t t;
	char day[DATE_LONG_LEN];
	if (!json_is_string(v) ||
	    date_parse_timestamp(json_string_value(v), &t))
		return NULL;
	date_format_long(date_from_unix_london(t), day);
	int hour = date_london_hour(t), minute = (int)((t % 3600) / 60);
	return arena_printf(req->arena, "%s, %d:%02d%s", day,
			    hour % 12 ? hour % 12 : 12, minute,
			    hour < 12 ? "am" : "pm");
}

/* Each time member key of the objects of list, also as words (key_text). */
static void times_in_words(struct request *req, json_t *list,
			   const char *const *keys)
{
	size_t i;
	json_t *o;
	json_array_foreach(list, i, o) for (int k = 0; keys[k]; k++)
	{
		const char *w = when(req, json_object_get(o, keys[k]));
		json_object_set_new(
			o, arena_printf(req->arena, "%s_text", keys[k]),
			w ? json_string(w) : json_null());
	}
}

static enum ld_err account_page(struct request *req, json_t *ctx,
				unsigned int status, json_t *form)
{
	static const char *const session_times[] = {"created_at",
						    "last_seen_at", NULL};
	static const char *const token_times[] = {"created_at", "last_used_at",
						  "expires_at", NULL};
	char *text = NULL;
	json_t *me = auth_store_me(req->app->store, &req->who, &text)
			     ? NULL
			     : page_parsed(text);
	json_t *tokens =
		auth_store_list_tokens(req->app->store, req->who.user_id, &text)
			? NULL
			: page_parsed(text);
	if (!me || !tokens) {
		json_decref(me);
		json_decref(tokens);
		json_decref(ctx);
		return LD_EUNAVAILABLE;
	}
	json_object_set_new(me, "roles_text",
			    json_string(page_roles_text(
				    req, json_object_get(me, "roles"))));
	times_in_words(req, json_object_get(me, "sessions"), session_times);
	times_in_words(req, tokens, token_times);
	json_object_set_new(ctx, "me", me);
	json_object_set_new(ctx, "has_tokens",
			    json_boolean(json_array_size(tokens) > 0));
	json_object_set_new(ctx, "tokens", tokens);
	json_object_set_new(ctx, "values",
			    json_pack("{s:s, s:s}", "token_name",
				      page_field(form, "token_name"),
				      "expires_in_days",
				      page_field(form, "expires_in_days")));
	return page_render(req, status, "account", ctx);
}

enum ld_err h_page_account(struct request *req)
{
	static const char *const flashes[] = {
		"revoked", "The API token has been revoked.", "ended",
		"That session has been signed out.", NULL};
	return account_page(
		req, page_ctx_done(req, "Your account", "/account", flashes),
		200, NULL);
}

static const struct form_input token_inputs[] = {
	{"name", "token_name", "The name", "Enter a name for the token"},
	{"expires_in_days", "expires_in_days", "The number of days", NULL},
	{"expires_at", "expires_in_days", NULL, NULL},
	{NULL, NULL, NULL, NULL}};

/*
 * A new token, made by the API's own command; the page shows it this once
 * (it is never in an address, and never shown again).
 */
enum ld_err h_page_account_token(struct request *req)
{
	json_t *form = page_form(req), *made;
	if (!form)
		return request_fail(req, LD_EINVAL, NULL,
				    "The form is malformed.");
	json_t *body = form_body(req);
	json_object_set_new(body, "name",
			    json_string(page_field(form, "token_name")));
	form_body_number(body, "expires_in_days",
			 page_field(form, "expires_in_days"));
	json_t *ctx = page_ctx(req, "Your account", "/account");
	struct token_in in;
	struct refusals refused;
	enum ld_err err = form_decode(req, body, auth_token_in, &in, &refused);
	if (!err)
		err = auth_token_make(req, &in, &made);
	if (!err) {
		json_object_set_new(ctx, "made", made);
		err = account_page(req, ctx, 201, NULL);
		reply_header(req, "Cache-Control", "no-store");
		return err;
	}
	if (ld_err_transient(err)) {
		json_decref(ctx);
		return err;
	}
	if (!refused.n)
		refusals_add(req, &refused, err, req->err_field,
			     req->err_message);
	return account_page(req, ctx,
			    form_show_refusals(req, ctx, token_inputs, NULL, 0,
					       &refused, NULL),
			    form);
}

enum ld_err h_page_account_token_revoke(struct request *req)
{
	int64_t id;
	enum ld_err err = request_id(req, 0, &id);
	if (!err)
		err = auth_store_revoke_token(req->app->store, req->who.user_id,
					      id);
	return err ? err : page_redirect(req, "/account?done=revoked#tokens");
}

enum ld_err h_page_account_session_end(struct request *req)
{
	int64_t id;
	enum ld_err err = request_id(req, 0, &id);
	if (!err && id == req->who.session_id)
		return page_redirect(req, "/account#sessions");
	if (!err)
		err = auth_store_end_session(req->app->store, req->who.user_id,
					     id);
	return err ? err : page_redirect(req, "/account?done=ended#sessions");
}
