/*
 * Single sign-on with the organisation's OpenID provider: the sign-in page
 * that offers it first, the start of the flow, the provider's callback and
 * sign-out through the provider's end-session endpoint.
 *
 * The network work (discovery, the code exchange, the key set) runs on the
 * work pool, between store calls and never inside one, so no database
 * connection waits on the provider.  The session it opens is the password
 * sign-in's: the same table, cookie, CSRF token and limits.
 */
#include <curl/curl.h>
#include <microhttpd.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "arena.h"
#include "auth_store.h"
#include "handlers.h"
#include "log.h"
#include "oidc.h"
#include "page.h"
#include "secret.h"
#include "utf8.h"

/* The cookie that binds a sign-in to the browser that began it. */
#define BINDING_COOKIE "ld_oidc"
#define BINDING_PATH   "/sign-in/oidc"
#define CALLBACK_PATH  "/sign-in/oidc/callback"

/* The public address with path appended, without a doubled slash. */
static const char *public_url(struct request *req, const char *path)
{
	const char *base = req->app->cfg.base_url;
	size_t n = strlen(base);
	while (n && base[n - 1] == '/')
		n--;
	return arena_printf(req->arena, "%.*s%s", (int)n, base, path);
}

static bool tls(struct request *req)
{
	return !strncmp(req->app->cfg.base_url, "https:", 6);
}

void oidc_page_ctx(struct request *req, json_t *ctx)
{
	const char *org = json_string_value(json_object_get(ctx, "org"));
	if (oidc_enabled(&req->app->cfg))
		json_object_set_new(
			ctx, "sso",
			json_pack(
				"{s:s}", "label",
				arena_printf(req->arena, "Sign in with %s",
					     org ? org : "your organisation")));
	json_object_set_new(ctx, "password_admins_only",
			    json_boolean(oidc_enabled(&req->app->cfg) &&
					 req->app->cfg.password_admins_only));
}

enum ld_err h_oidc_signin_page(struct request *req)
{
	json_t *ctx = page_ctx(req, "Sign in", NULL);
	json_object_set_new(ctx, "expired",
			    json_boolean(request_query(req, "expired")));
	json_object_set_new(ctx, "signed_out",
			    json_boolean(request_query(req, "signed_out")));
	oidc_page_ctx(req, ctx);
	return page_render(req, 200, "signin", ctx);
}

/*
 * The sign-in page again with why single sign-on did not sign the person
 * in, after recording the refusal in the audit log.
 */
static enum ld_err refuse(struct request *req, enum ld_err err, int64_t user_id,
			  const char *why, bool audited)
{
	if (!audited) {
		enum ld_err aerr = oidc_store_refused(req->app->store, user_id,
						      why, request_ip(req));
		if (aerr)
			return aerr;
	}
	log_warn("single sign-on refused from %s: %s", request_ip(req), why);
	json_t *ctx = page_ctx(req, "Sign in", NULL);
	oidc_page_ctx(req, ctx);
	page_field_error(ctx, "sso",
			 arena_printf(req->arena,
				      "Single sign-on did not sign you in: %s",
				      why));
	return page_render(req, http_status(err), "signin", ctx);
}

/* The provider cannot be reached or answered nonsense: say so, log why. */
static enum ld_err unavailable(struct request *req, const char *why)
{
	log_error("single sign-on: %s", why);
	return refuse(req, LD_EUNAVAILABLE, 0,
		      "the organisation's sign-in service could not be "
		      "reached; try again in a few minutes",
		      false);
}

/* The slow part of GET /sign-in/oidc, on the work pool. */
static enum ld_err start_work(struct request *req)
{
	struct oidc_endpoints ep;
	char why[512], state[SECRET_TOKEN_LEN], nonce[SECRET_TOKEN_LEN];
	char verifier[SECRET_TOKEN_LEN], browser[SECRET_TOKEN_LEN];
	char challenge[SECRET_TOKEN_LEN];
	unsigned char state_hash[SECRET_HASH_LEN],
		browser_hash[SECRET_HASH_LEN];
	enum ld_err err = oidc_endpoints(&req->app->cfg, req->arena, &ep, why,
					 sizeof(why));
	if (err)
		return unavailable(req, why);
	secret_token(state);
	secret_token(nonce);
	secret_token(verifier);
	secret_token(browser);
	secret_hash(state, state_hash);
	secret_hash(browser, browser_hash);
	if ((err = oidc_store_begin(req->app->store, state_hash, browser_hash,
				    nonce, verifier)))
		return err;
	oidc_pkce_challenge(verifier, challenge);
	/*
	 * Lax, not Strict: the provider sends the browser back with a
	 * top-level navigation from its own site, which Lax lets through.
	 */
	reply_header(req, "Set-Cookie",
		     arena_printf(req->arena,
				  BINDING_COOKIE "=%s; Path=" BINDING_PATH
						 "; HttpOnly; SameSite=Lax; "
						 "Max-Age=600%s",
				  browser, tls(req) ? "; Secure" : ""));
	reply_header(req, "Cache-Control", "no-store");
	return page_redirect(req,
			     oidc_authorize_url(&req->app->cfg, req->arena, &ep,
						public_url(req, CALLBACK_PATH),
						state, nonce, challenge));
}

enum ld_err h_oidc_start(struct request *req)
{
	if (!oidc_enabled(&req->app->cfg))
		return LD_ENOTFOUND;
	return request_defer(req, req->app->work_pool, start_work);
}

/* A claim as text, or NULL. */
static const char *claim(json_t *claims, const char *name)
{
	return json_string_value(json_object_get(claims, name));
}

/*
 * A page that moves the browser on to `to` at once (web/templates/
 * moving_on.html), never kept by a cache: a navigation of our own, where a
 * redirect would still count as the provider's.
 */
static enum ld_err moving_on(struct request *req, const char *title,
			     const char *message, const char *to,
			     const char *link)
{
	reply_header(req, "Cache-Control", "no-store");
	return page_render(req, 200, "moving_on",
			   json_pack("{s:s, s:s, s:s, s:s}", "title", title,
				     "message", message, "to", to, "link",
				     link));
}

/*
 * The session opened: its cookie, the binding cookie cleared, and a page
 * that moves on to the dashboard.  The session cookie is SameSite=Strict,
 * and a browser holds such a cookie back from every step of a navigation
 * that began on another site (the provider's), a redirect from here
 * included; a refresh from this page is a navigation of our own.
 */
static enum ld_err signed_in(struct request *req, const char *token)
{
	reply_header(
		req, "Set-Cookie",
		auth_session_cookie(req, token, req->app->cfg.session_max));
	reply_header(req, "Set-Cookie",
		     arena_printf(req->arena,
				  BINDING_COOKIE "=; Path=" BINDING_PATH
						 "; HttpOnly; SameSite=Lax; "
						 "Max-Age=0%s",
				  tls(req) ? "; Secure" : ""));
	return moving_on(req, "Signed in", "You are signed in.", "/",
			 "Continue to Linkdesk");
}

/* The slow part of GET /sign-in/oidc/callback, on the work pool. */
static enum ld_err callback_work(struct request *req)
{
	const struct config *cfg = &req->app->cfg;
	const char *state = request_query(req, "state");
	const char *code = request_query(req, "code");
	const char *perr = request_query(req, "error");
	const char *browser = MHD_lookup_connection_value(
		req->conn, MHD_COOKIE_KIND, BINDING_COOKIE);
	unsigned char state_hash[SECRET_HASH_LEN], want[SECRET_HASH_LEN];
	unsigned char got[SECRET_HASH_LEN];
	char nonce[SECRET_TOKEN_LEN], verifier[SECRET_TOKEN_LEN];
	char why[512], refusal[256];
	char token[SECRET_TOKEN_LEN], csrf[SECRET_TOKEN_LEN];
	unsigned char token_hash[SECRET_HASH_LEN];
	struct oidc_endpoints ep;
	struct oidc_roles roles;
	const char *id_token;
	json_t *claims = NULL;
	int64_t user_id;
	enum ld_err err;

	if (!state || !*state || strlen(state) > 100)
		return refuse(req, LD_EINVAL, 0,
			      "the provider sent you back without the "
			      "sign-in's state",
			      false);
	secret_hash(state, state_hash);
	err = oidc_store_take(req->app->store, state_hash, want, nonce,
			      verifier);
	if (err == LD_ENOTFOUND)
		return refuse(req, LD_EINVAL, 0,
			      "this sign-in was not begun here, has been "
			      "used already, or took more than ten minutes",
			      false);
	if (err)
		return err;
	if (!browser || strlen(browser) > 100)
		return refuse(req, LD_EINVAL, 0,
			      "this sign-in was begun in another browser",
			      false);
	secret_hash(browser, got);
	if (sodium_memcmp(got, want, SECRET_HASH_LEN))
		return refuse(req, LD_EINVAL, 0,
			      "this sign-in was begun in another browser",
			      false);
	/* RFC 9207: an answer from another provider (a mix-up) is refused. */
	const char *iss = request_query(req, "iss");
	if (iss && strcmp(iss, cfg->oidc_issuer))
		return refuse(req, LD_EINVAL, 0,
			      "the answer came from another provider than "
			      "this sign-in's",
			      false);
	if (perr)
		return refuse(req, LD_EUNAUTHORISED, 0,
			      arena_printf(req->arena,
					   "the provider answered %s",
					   utf8_scrub(arena_strndup(req->arena,
								    perr, 60))),
			      false);
	if (!code || !*code || strlen(code) > 2048)
		return refuse(req, LD_EINVAL, 0,
			      "the provider sent you back without a code",
			      false);

	/* The provider, with no database connection held. */
	if ((err = oidc_endpoints(cfg, req->arena, &ep, why, sizeof(why))))
		return unavailable(req, why);
	err = oidc_exchange(cfg, req->arena, &ep,
			    public_url(req, CALLBACK_PATH), code, verifier,
			    &id_token, why, sizeof(why));
	if (err == LD_EUNAUTHORISED)
		return refuse(req, err, 0, why, false);
	if (err)
		return unavailable(req, why);
	err = oidc_verify(cfg, id_token, nonce, (int64_t)time(NULL), &claims,
			  why, sizeof(why));
	if (err == LD_EUNAUTHORISED)
		return refuse(req, err, 0, why, false);
	if (err)
		return unavailable(req, why);
	request_own(req, claims);

	err = oidc_map_groups(cfg->oidc_group_roles,
			      json_object_get(claims, cfg->oidc_groups_claim),
			      req->arena, &roles, why, sizeof(why));
	if (err) {
		log_error("single sign-on: %s", why);
		return refuse(req, LD_EINTERNAL, 0,
			      "Linkdesk's group mapping is misconfigured; tell "
			      "your administrator",
			      false);
	}
	/* An email the provider says it has not verified matches nobody. */
	const char *email = claim(claims, cfg->oidc_email_claim);
	if (json_is_false(json_object_get(claims, "email_verified")))
		email = NULL;
	const char *agent = request_header(req, "User-Agent");
	agent = agent ? utf8_scrub(arena_strdup(req->arena, agent)) : "";
	secret_token(token);
	secret_token(csrf);
	secret_hash(token, token_hash);
	struct oidc_signin in = {
		.issuer = cfg->oidc_issuer,
		.sub = claim(claims, "sub"),
		.email = email && strlen(email) <= 254 ? email : NULL,
		.name = claim(claims, "name"),
		.roles = &roles,
		.create = cfg->oidc_create_users,
		.ip = request_ip(req),
		.user_agent = agent,
		.token_hash = token_hash,
		.csrf = csrf,
		.max_age = cfg->session_max,
		.id_token = id_token,
	};
	err = oidc_store_signin(req->app->store, &in, &user_id, refusal);
	if (err == LD_EFORBIDDEN)
		return refuse(req, err, user_id, refusal, true);
	if (err == LD_EVALIDATION)
		return refuse(req, err, 0,
			      "the provider's details for you do not fit a "
			      "Linkdesk account (email or name)",
			      false);
	if (err)
		return err;
	return signed_in(req, token);
}

enum ld_err h_oidc_callback(struct request *req)
{
	if (!oidc_enabled(&req->app->cfg))
		return LD_ENOTFOUND;
	return request_defer(req, req->app->work_pool, callback_work);
}

/*
 * Signed out here; on to the provider's end-session endpoint.  A page, not
 * a redirect: the sign-out is a form, and the pages' form-action 'self'
 * forbids a form's redirect to another site, while a refresh is not a
 * form's.
 */
static enum ld_err signed_out_page(struct request *req, const char *url)
{
	return moving_on(req, "Signed out", "You have signed out of Linkdesk.",
			 url, "Sign out of your organisation's account too");
}

/*
 * Sign-out, on the work pool when single sign-on is on: ends the session,
 * then, for a session the provider began, sends the browser to the
 * provider's end-session endpoint to end that one too.
 */
static enum ld_err signout_work(struct request *req)
{
	char *id_token = NULL, why[512];
	struct oidc_endpoints ep;
	enum ld_err err;
	if (req->who.session_id) {
		if (oidc_enabled(&req->app->cfg) &&
		    (err = oidc_store_session_token(
			     req->app->store, req->who.session_id, &id_token)))
			return err;
		auth_store_end_session(req->app->store, req->who.user_id,
				       req->who.session_id);
	}
	reply_header(req, "Set-Cookie", auth_session_cookie(req, "", 0));
	const char *back = public_url(req, "/sign-in?signed_out=1");
	if (!id_token)
		return page_redirect(req, "/sign-in?signed_out=1");
	const char *hint = arena_strdup(req->arena, id_token);
	free(id_token);
	err = oidc_endpoints(&req->app->cfg, req->arena, &ep, why, sizeof(why));
	if (err || !ep.end_session) {
		if (err)
			log_warn("single sign-on: sign-out at the provider "
				 "skipped: %s",
				 why);
		return page_redirect(req, "/sign-in?signed_out=1");
	}
	char *h = curl_easy_escape(NULL, hint, 0);
	char *b = curl_easy_escape(NULL, back, 0);
	char *c = curl_easy_escape(NULL, req->app->cfg.oidc_client_id, 0);
	const char *url = arena_printf(
		req->arena,
		"%s%cid_token_hint=%s&post_logout_redirect_uri=%s&client_id=%s",
		ep.end_session, strchr(ep.end_session, '?') ? '&' : '?',
		h ? h : "", b ? b : "", c ? c : "");
	curl_free(h);
	curl_free(b);
	curl_free(c);
	return signed_out_page(req, url);
}

enum ld_err h_oidc_signout(struct request *req)
{
	if (!oidc_enabled(&req->app->cfg))
		return signout_work(req);
	return request_defer(req, req->app->work_pool, signout_work);
}
