/* The sign-in form: the password half (h_oidc.c offers single sign-on). */
#include <ctype.h>

#include "app.h"
#include "arena.h"
#include "handlers.h"
#include "input.h"
#include "page.h"

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
