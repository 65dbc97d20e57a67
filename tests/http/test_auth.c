/*
 * Signing in and out, sessions, CSRF, API tokens, rate limits, and the
 * administrator's management of users and roles.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "api.h"

static struct itest_server server;

static int setup(void **state)
{
	static const char *const env[] = {"LINKDESK_TODAY=2026-11-23", NULL};
	(void)state;
	itest_server_start(&server, env);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(itest_server_stop(&server), 0);
	return 0;
}

static long signin_status(const char *email, const char *password,
			  char **cookie)
{
	struct itest_resp r;
	char url[128];
	static const char *const headers[] = {"Content-Type: application/json",
					      NULL};
	snprintf(url, sizeof(url), "%s/api/v1/session", server.base);
	itest_request(
		NULL, "POST", url,
		F("{\"email\": \"%s\", \"password\": \"%s\"}", email, password),
		headers, &r);
	long status = r.status;
	if (cookie) {
		const char *c = itest_resp_header(&r, "Set-Cookie");
		*cookie = strdup(c ? c : "");
	}
	itest_resp_release(&r);
	return status;
}

/*
 * One JSON sign-in from a local address (iface: "127.0.0.3", or NULL for
 * the default) with an X-Forwarded-For header (or none); the response is
 * kept in r when given (release it), else released.
 */
static long signin_from(const char *base, const char *iface, const char *xff,
			const char *email, const char *password,
			struct itest_resp *r)
{
	struct itest_resp own;
	char url[128], fwd[160];
	const char *headers[3] = {"Content-Type: application/json"};
	CURL *h = curl_easy_init();
	if (iface)
		curl_easy_setopt(h, CURLOPT_INTERFACE, iface);
	if (xff) {
		snprintf(fwd, sizeof(fwd), "X-Forwarded-For: %s", xff);
		headers[1] = fwd;
	}
	snprintf(url, sizeof(url), "%s/api/v1/session", base);
	if (!r)
		r = &own;
	itest_request(
		h, "POST", url,
		F("{\"email\": \"%s\", \"password\": \"%s\"}", email, password),
		headers, r);
	curl_easy_cleanup(h);
	long status = r->status;
	if (r == &own)
		itest_resp_release(r);
	return status;
}

/* A signed-in client for any account. */
static void signin_as(struct api *a, const char *email, const char *password)
{
	struct itest_resp r;
	char url[128];
	static const char *const headers[] = {"Content-Type: application/json",
					      NULL};
	memset(a, 0, sizeof(*a));
	a->h = curl_easy_init();
	curl_easy_setopt(a->h, CURLOPT_COOKIEFILE, "");
	snprintf(a->base, sizeof(a->base), "%s", server.base);
	snprintf(url, sizeof(url), "%s/api/v1/session", server.base);
	itest_request(
		a->h, "POST", url,
		F("{\"email\": \"%s\", \"password\": \"%s\"}", email, password),
		headers, &r);
	if (r.status != 201)
		fail_msg("sign-in as %s: %ld %s", email, r.status, r.body);
	snprintf(a->csrf, sizeof(a->csrf), "%s", jstr(r.json, "csrf_token"));
	a->user_id = (long)jint(r.json, "id");
	itest_resp_release(&r);
}

/* A client that uses an API token instead of a cookie. */
static void bearer_client(struct api *a, const char *token)
{
	memset(a, 0, sizeof(*a));
	a->h = curl_easy_init();
	snprintf(a->base, sizeof(a->base), "%s", server.base);
	snprintf(a->bearer, sizeof(a->bearer), "%s", token);
}

static void test_signin_and_cookie(void **state)
{
	char *cookie;
	(void)state;
	assert_int_equal(signin_status("link.officer@demo.linkdesk.test",
				       DEMO_PASSWORD, &cookie),
			 201);
	assert_non_null(strstr(cookie, "ld_session="));
	assert_non_null(strstr(cookie, "HttpOnly"));
	assert_non_null(strstr(cookie, "SameSite=Strict"));
	assert_null(strstr(cookie, "Secure")); /* plain http here */
	free(cookie);
	assert_int_equal(signin_status("link.officer@demo.linkdesk.test",
				       "wrong-password", NULL),
			 401);
	assert_int_equal(signin_status("nobody@demo.linkdesk.test",
				       "wrong-password", NULL),
			 401);
	/* Email is matched without regard to case. */
	assert_int_equal(signin_status("Link.Officer@Demo.Linkdesk.Test",
				       DEMO_PASSWORD, NULL),
			 201);
}

static void test_unauthenticated(void **state)
{
	struct itest_resp r;
	char url[128];
	(void)state;
	snprintf(url, sizeof(url), "%s/api/v1/cases", server.base);
	itest_request(NULL, "GET", url, NULL, NULL, &r);
	assert_int_equal(r.status, 401);
	assert_string_equal(itest_error_code(&r), "unauthorised");
	itest_resp_release(&r);
	static const char *const bad[] = {"Cookie: ld_session=forged", NULL};
	itest_request(NULL, "GET", url, NULL, bad, &r);
	assert_int_equal(r.status, 401);
	itest_resp_release(&r);
	static const char *const bearer[] = {"Authorization: Bearer nope",
					     NULL};
	itest_request(NULL, "GET", url, NULL, bearer, &r);
	assert_int_equal(r.status, 401);
	itest_resp_release(&r);
}

static void test_csrf(void **state)
{
	struct api a;
	struct itest_resp r;
	(void)state;
	api_signin(&a, server.base, "link.officer");
	char csrf[64];
	snprintf(csrf, sizeof(csrf), "%s", a.csrf);

	/* No token, a wrong token: refused.  Reads need none. */
	a.csrf[0] = '\0';
	api_refused(&a, 403, "forbidden", NULL, "POST", "/api/v1/tokens",
		    "{\"name\": \"x\"}");
	snprintf(a.csrf, sizeof(a.csrf), "not-the-token");
	api_refused(&a, 403, "forbidden", NULL, "POST", "/api/v1/tokens",
		    "{\"name\": \"x\"}");
	a.csrf[0] = '\0';
	json_decref(api_expect(&a, 200, "GET", "/api/v1/me", NULL));

	/* The right token from another site's page: refused. */
	char url[128], h1[128];
	snprintf(url, sizeof(url), "%s/api/v1/tokens", server.base);
	snprintf(h1, sizeof(h1), "X-CSRF-Token: %s", csrf);
	const char *headers[] = {h1, "Origin: https://evil.example",
				 "Content-Type: application/json", NULL};
	itest_request(a.h, "POST", url, "{\"name\": \"x\"}", headers, &r);
	assert_int_equal(r.status, 403);
	itest_resp_release(&r);
	/* From our own page: accepted. */
	char origin[128];
	snprintf(origin, sizeof(origin), "Origin: %s", server.base);
	headers[1] = origin;
	itest_request(a.h, "POST", url, "{\"name\": \"x\"}", headers, &r);
	assert_int_equal(r.status, 201);
	itest_resp_release(&r);
	api_release(&a);
}

static void test_tokens(void **state)
{
	struct api a, script;
	(void)state;
	api_signin(&a, server.base, "link.officer");
	json_t *t = api_expect(&a, 201, "POST", "/api/v1/tokens",
			       "{\"name\": \"nightly export\"}");
	const char *token = jstr(t, "token");
	long id = (long)jint(t, "id");
	assert_int_equal(strlen(token), 43); /* 256 bits, base64url */

	/* A script uses it with no cookie and no CSRF token. */
	memset(&script, 0, sizeof(script));
	script.h = curl_easy_init();
	snprintf(script.base, sizeof(script.base), "%s", server.base);
	snprintf(script.bearer, sizeof(script.bearer), "%s", token);
	json_t *me = api_expect(&script, 200, "GET", "/api/v1/me", NULL);
	assert_string_equal(jstr(me, "email"),
			    "link.officer@demo.linkdesk.test");
	json_decref(me);

	/* Stored only as a hash. */
	char *out;
	assert_int_equal(api_sql(F("SELECT count(*) FROM api_token WHERE"
				   " token_hash::text LIKE '%%%s%%'",
				   token),
				 &out),
			 0);
	assert_string_equal(out, "0\n");
	free(out);

	json_t *list = api_expect(&a, 200, "GET", "/api/v1/tokens", NULL);
	assert_true(json_array_size(list) >= 1);
	char *listed = json_dumps(list, 0);
	assert_null(strstr(listed, token));
	free(listed);
	json_decref(list);
	json_decref(api_expect(&a, 200, "DELETE", F("/api/v1/tokens/%ld", id),
			       NULL));
	api_refused(&script, 401, "unauthorised", NULL, "GET", "/api/v1/me",
		    NULL);
	/* Nobody else's token can be revoked by id. */
	api_refused(&a, 404, "not_found", NULL, "DELETE",
		    F("/api/v1/tokens/%ld", id), NULL);
	json_decref(t);
	api_release(&script);
	api_release(&a);
}

static void test_signout_and_sessions(void **state)
{
	struct api a, b;
	(void)state;
	api_signin(&a, server.base, "repairs.officer");
	api_signin(&b, server.base, "repairs.officer");
	json_t *me = api_expect(&a, 200, "GET", "/api/v1/me", NULL);
	json_t *sessions = json_object_get(me, "sessions");
	assert_true(json_array_size(sessions) >= 2);
	long other = 0;
	size_t i;
	json_t *s;
	json_array_foreach(sessions, i,
			   s) if (!json_is_true(json_object_get(s, "current")))
		other = (long)jint(s, "id");
	json_decref(me);

	/* End b's session from a. */
	json_decref(api_expect(&a, 200, "DELETE",
			       F("/api/v1/sessions/%ld", other), NULL));
	api_refused(&b, 401, "unauthorised", NULL, "GET", "/api/v1/me", NULL);

	json_decref(api_expect(&a, 200, "DELETE", "/api/v1/session", NULL));
	api_refused(&a, 401, "unauthorised", NULL, "GET", "/api/v1/me", NULL);
	api_release(&a);
	api_release(&b);
}

static void test_idle_expiry(void **state)
{
	struct api a;
	char *out;
	(void)state;
	api_signin(&a, server.base, "asc.officer");
	assert_int_equal(
		api_sql("UPDATE session SET last_seen_at = now() -"
			" interval '2 hours' WHERE user_id = (SELECT id"
			" FROM app_user WHERE email ="
			" 'asc.officer@demo.linkdesk.test')",
			&out),
		0);
	free(out);
	struct itest_resp r;
	api_call(&a, "GET", "/api/v1/me", NULL, &r);
	assert_int_equal(r.status, 401);
	assert_non_null(strstr(r.body, "expired"));
	itest_resp_release(&r);
	api_release(&a);
}

static void test_rate_limit(void **state)
{
	(void)state;
	for (int i = 0; i < 5; i++)
		assert_int_equal(signin_status("rx.manager@demo.linkdesk.test",
					       "guess", NULL),
				 401);
	/* The right password from the same address waits now, and is told
	 * how long. */
	struct itest_resp r;
	long st =
		signin_from(server.base, NULL, NULL,
			    "rx.manager@demo.linkdesk.test", DEMO_PASSWORD, &r);
	assert_int_equal(st, 429);
	const char *wait = itest_resp_header(&r, "Retry-After");
	assert_non_null(wait);
	assert_true(strtol(wait, NULL, 10) > 0);
	assert_true(strtol(wait, NULL, 10) <= 15);
	itest_resp_release(&r);
	char *out;
	assert_int_equal(api_sql("SELECT count(*) >= 5 FROM audit_log WHERE"
				 " action = 'signin_failed'",
				 &out),
			 0);
	assert_string_equal(out, "t\n");
	free(out);
	assert_int_equal(api_sql("DELETE FROM signin_attempt WHERE email ="
				 " 'rx.manager@demo.linkdesk.test'",
				 &out),
			 0);
	free(out);
}

static void test_admin_manages_users(void **state)
{
	struct api admin;
	(void)state;
	api_signin(&admin, server.base, "admin");
	json_t *areas =
		api_expect(&admin, 201, "POST", "/api/v1/service-areas",
			   F("{\"name\": \"Parking %d\"}", (int)getpid()));
	json_decref(areas);
	json_t *users = api_expect(
		&admin, 201, "POST", "/api/v1/users",
		F("{\"email\": \"new.officer.%d@demo.linkdesk.test\", \"name\":"
		  " \"New Officer\", \"roles\": [\"service_officer\"],"
		  " \"service_area_id\": 1, \"password\":"
		  " \"a-long-enough-password\"}",
		  (int)getpid()));
	long id = 0, version = 0;
	size_t i;
	json_t *u;
	json_array_foreach(users, i, u)
	{
		if (strstr(jstr(u, "email"), "new.officer.")) {
			id = (long)jint(u, "id");
			version = (long)jint(u, "version");
			assert_string_equal(
				json_string_value(json_array_get(
					json_object_get(u, "roles"), 0)),
				"service_officer");
		}
	}
	json_decref(users);
	assert_true(id > 0);
	assert_int_equal(signin_status(F("new.officer.%d@demo.linkdesk.test",
					 (int)getpid()),
				       "a-long-enough-password", NULL),
			 201);

	/* Duplicate email, short password, unknown role: refused. */
	api_refused(&admin, 409, "conflict", "email", "POST", "/api/v1/users",
		    F("{\"email\": \"NEW.officer.%d@demo.linkdesk.test\","
		      " \"name\": \"Twin\"}",
		      (int)getpid()));
	api_refused(&admin, 422, "validation_failed", "password", "POST",
		    "/api/v1/users",
		    "{\"email\": \"x@y.z\", \"name\": \"X\", \"password\":"
		    " \"short\"}");
	api_refused(&admin, 400, "invalid", "roles", "POST", "/api/v1/users",
		    "{\"email\": \"x@y.z\", \"name\": \"X\", \"roles\":"
		    " [\"king\"]}");

	/* Promote to link officer; a stale version is refused. */
	json_decref(api_expect(&admin, 200, "PATCH", F("/api/v1/users/%ld", id),
			       F("{\"version\": %ld, \"roles\":"
				 " [\"link_officer\"]}",
				 version)));
	api_refused(&admin, 412, "precondition_failed", "version", "PATCH",
		    F("/api/v1/users/%ld", id),
		    F("{\"version\": %ld, \"active\": false}", version));
	/* Deactivated users cannot sign in. */
	json_decref(api_expect(
		&admin, 200, "PATCH", F("/api/v1/users/%ld", id),
		F("{\"version\": %ld, \"active\": false}", version + 1)));
	assert_int_equal(signin_status(F("new.officer.%d@demo.linkdesk.test",
					 (int)getpid()),
				       "a-long-enough-password", NULL),
			 401);
	/* The password hash never leaves the database, nor enters the log. */
	json_t *all = api_expect(&admin, 200, "GET", "/api/v1/users", NULL);
	char *text = json_dumps(all, 0);
	assert_null(strstr(text, "argon2"));
	free(text);
	json_decref(all);
	char *out;
	assert_int_equal(api_sql("SELECT count(*) FROM audit_log WHERE"
				 " after::text LIKE '%argon2%' OR"
				 " before::text LIKE '%argon2%'",
				 &out),
			 0);
	assert_string_equal(out, "0\n");
	free(out);

	/* Positions and recipients are configuration. */
	json_t *pos = api_expect(&admin, 200, "PUT",
				 "/api/v1/positions/monitoring_officer",
				 F("{\"user_id\": %ld}", admin.user_id));
	json_decref(pos);
	json_t *rec =
		api_expect(&admin, 201, "POST", "/api/v1/notice-recipients",
			   "{\"event\": \"final_chaser\", \"kind\":"
			   " \"address\", \"address\":"
			   " \"ombudsman-team@demo.linkdesk.test\"}");
	long rid = 0;
	json_array_foreach(rec, i, u) if (!strcmp(jstr(u, "address"),
						  "ombudsman-team@demo."
						  "linkdesk.test")) rid =
		(long)jint(u, "id");
	json_decref(rec);
	assert_true(rid > 0);
	json_decref(api_expect(&admin, 200, "DELETE",
			       F("/api/v1/notice-recipients/%ld", rid), NULL));
	api_refused(&admin, 400, "invalid", "address", "POST",
		    "/api/v1/notice-recipients",
		    "{\"event\": \"final_chaser\", \"kind\": \"address\"}");
	api_release(&admin);
}

/* A new user with a password, made by the administrator; returns its id. */
static long new_user(struct api *admin, const char *email, const char *password,
		     long *version)
{
	json_t *users = api_expect(
		admin, 201, "POST", "/api/v1/users",
		F("{\"email\": \"%s\", \"name\": \"Reset Test\", \"roles\":"
		  " [\"link_officer\"], \"password\": \"%s\"}",
		  email, password));
	long id = 0;
	size_t i;
	json_t *u;
	json_array_foreach(users, i, u) if (!strcmp(jstr(u, "email"), email))
	{
		id = (long)jint(u, "id");
		*version = (long)jint(u, "version");
	}
	json_decref(users);
	assert_true(id > 0);
	return id;
}

/* A session and an API token of the account, both working. */
static void signed_in_twice(struct api *session, struct api *script,
			    const char *email, const char *password)
{
	signin_as(session, email, password);
	json_t *t = api_expect(session, 201, "POST", "/api/v1/tokens",
			       "{\"name\": \"before the change\"}");
	bearer_client(script, jstr(t, "token"));
	json_decref(t);
	json_decref(api_expect(script, 200, "GET", "/api/v1/me", NULL));
}

static void both_ended(struct api *session, struct api *script)
{
	api_refused(session, 401, "unauthorised", NULL, "GET", "/api/v1/me",
		    NULL);
	api_refused(script, 401, "unauthorised", NULL, "GET", "/api/v1/me",
		    NULL);
	api_release(session);
	api_release(script);
}

static void test_reset_and_deactivation_end_sessions(void **state)
{
	struct api admin, session, script;
	char email[96];
	long version;
	(void)state;
	snprintf(email, sizeof(email), "reset.%d@demo.linkdesk.test",
		 (int)getpid());
	api_signin(&admin, server.base, "admin");
	long id = new_user(&admin, email, "the-first-password", &version);

	/* A new password ends the sessions and tokens of the old one. */
	signed_in_twice(&session, &script, email, "the-first-password");
	json_decref(api_expect(&admin, 200, "PATCH", F("/api/v1/users/%ld", id),
			       F("{\"version\": %ld, \"password\":"
				 " \"the-second-password\"}",
				 version++)));
	both_ended(&session, &script);
	assert_int_equal(signin_status(email, "the-first-password", NULL), 401);

	/* Deactivating ends them too. */
	signed_in_twice(&session, &script, email, "the-second-password");
	json_decref(api_expect(
		&admin, 200, "PATCH", F("/api/v1/users/%ld", id),
		F("{\"version\": %ld, \"active\": false}", version++)));
	both_ended(&session, &script);

	/*
	 * Reactivating revives nothing made before: a token minted just
	 * before a deactivation and a session open then stay ended.
	 */
	json_decref(api_expect(
		&admin, 200, "PATCH", F("/api/v1/users/%ld", id),
		F("{\"version\": %ld, \"active\": true}", version++)));
	signed_in_twice(&session, &script, email, "the-second-password");
	json_decref(api_expect(
		&admin, 200, "PATCH", F("/api/v1/users/%ld", id),
		F("{\"version\": %ld, \"active\": false}", version++)));
	api_exec(F("UPDATE session SET ended_at = NULL WHERE user_id = %ld AND"
		   " ended_at > now() - interval '1 minute'",
		   id));
	api_exec(F("UPDATE api_token SET revoked_at = NULL WHERE user_id = %ld"
		   " AND revoked_at > now() - interval '1 minute'",
		   id));
	json_decref(api_expect(
		&admin, 200, "PATCH", F("/api/v1/users/%ld", id),
		F("{\"version\": %ld, \"active\": true}", version++)));
	both_ended(&session, &script);

	/* A change of name alone ends nothing. */
	signed_in_twice(&session, &script, email, "the-second-password");
	json_decref(api_expect(
		&admin, 200, "PATCH", F("/api/v1/users/%ld", id),
		F("{\"version\": %ld, \"name\": \"Renamed\", \"active\": true}",
		  version++)));
	json_decref(api_expect(&session, 200, "GET", "/api/v1/me", NULL));
	json_decref(api_expect(&script, 200, "GET", "/api/v1/me", NULL));
	api_release(&session);
	api_release(&script);
	assert_true(api_sql_long(F("SELECT count(*) FROM audit_log WHERE"
				   " action = 'signins_ended' AND entity_id"
				   " = %ld",
				   id)) >= 3);
	api_release(&admin);
}

/* A Unix time as RFC 3339 in UTC. */
static const char *rfc3339(time_t t)
{
	static char out[32];
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, sizeof(out), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return out;
}

static void test_token_expiry(void **state)
{
	struct api a, parent, child;
	(void)state;
	api_signin(&a, server.base, "head.disputes");

	/* Refused: not a time, in the past, both forms at once. */
	api_refused(&a, 400, "invalid", "expires_at", "POST", "/api/v1/tokens",
		    "{\"name\": \"x\", \"expires_at\": \"next week\"}");
	api_refused(&a, 422, "validation_failed", "expires_at", "POST",
		    "/api/v1/tokens",
		    F("{\"name\": \"x\", \"expires_at\": \"%s\"}",
		      rfc3339(time(NULL) - 60)));
	api_refused(&a, 400, "invalid", "expires_at", "POST", "/api/v1/tokens",
		    F("{\"name\": \"x\", \"expires_at\": \"%s\","
		      " \"expires_in_days\": 3}",
		      rfc3339(time(NULL) + 3600)));
	api_refused(&a, 400, "invalid", "expires_in_days", "POST",
		    "/api/v1/tokens",
		    "{\"name\": \"x\", \"expires_in_days\": 0}");

	/* A token for an hour; with an offset, the same instant. */
	time_t hour = time(NULL) + 3600;
	json_t *p = api_expect(&a, 201, "POST", "/api/v1/tokens",
			       F("{\"name\": \"an hour\", \"expires_at\":"
				 " \"%s\"}",
				 rfc3339(hour)));
	long pid = (long)jint(p, "id");
	assert_true(json_is_string(json_object_get(p, "expires_at")));
	assert_int_equal(api_sql_long(F("SELECT abs(extract(epoch FROM"
					" expires_at) - %lld)::int FROM"
					" api_token WHERE id = %ld",
					(long long)hour, pid)),
			 0);
	bearer_client(&parent, jstr(p, "token"));
	json_decref(p);

	/* Made with that token: never outlives it, asked or not. */
	json_t *c = api_expect(&parent, 201, "POST", "/api/v1/tokens",
			       "{\"name\": \"a year\", \"expires_in_days\":"
			       " 365}");
	long cid = (long)jint(c, "id");
	bearer_client(&child, jstr(c, "token"));
	json_decref(c);
	json_t *d = api_expect(&parent, 201, "POST", "/api/v1/tokens",
			       "{\"name\": \"for ever\"}");
	long did = (long)jint(d, "id");
	json_decref(d);
	assert_int_equal(api_sql_long(F("SELECT count(*) FROM api_token c,"
					" api_token p WHERE p.id = %ld AND"
					" c.id IN (%ld, %ld) AND c.expires_at"
					" <= p.expires_at",
					pid, cid, did)),
			 2);
	json_decref(api_expect(&child, 200, "GET", "/api/v1/me", NULL));

	/* Revoking the parent revokes what it made. */
	json_decref(api_expect(&a, 200, "DELETE", F("/api/v1/tokens/%ld", pid),
			       NULL));
	api_refused(&parent, 401, "unauthorised", NULL, "GET", "/api/v1/me",
		    NULL);
	api_refused(&child, 401, "unauthorised", NULL, "GET", "/api/v1/me",
		    NULL);
	api_release(&parent);
	api_release(&child);

	/* An expired token authenticates as nobody. */
	json_t *e = api_expect(&a, 201, "POST", "/api/v1/tokens",
			       "{\"name\": \"a day\", \"expires_in_days\": 1}");
	long eid = (long)jint(e, "id");
	bearer_client(&child, jstr(e, "token"));
	json_decref(e);
	json_decref(api_expect(&child, 200, "GET", "/api/v1/me", NULL));
	api_exec(F("UPDATE api_token SET expires_at = now() - interval"
		   " '1 second' WHERE id = %ld",
		   eid));
	api_refused(&child, 401, "unauthorised", "token", "GET", "/api/v1/me",
		    NULL);
	api_refused(&child, 401, "unauthorised", NULL, "GET", "/api/v1/cases",
		    NULL);
	api_release(&child);
	api_release(&a);
}

static void forget_attempts(const char *where)
{
	api_exec(F("DELETE FROM signin_attempt WHERE %s", where));
}

static void test_right_password_from_another_address(void **state)
{
	const char *who = "head.housing@demo.linkdesk.test";
	(void)state;
	for (int i = 0; i < 5; i++)
		assert_int_equal(signin_from(server.base, "127.0.0.3", NULL,
					     who, "guess", NULL),
				 401);
	assert_int_equal(signin_from(server.base, "127.0.0.3", NULL, who,
				     DEMO_PASSWORD, NULL),
			 429);
	/* The owner, elsewhere, is not locked out by someone guessing. */
	assert_int_equal(signin_from(server.base, "127.0.0.4", NULL, who,
				     DEMO_PASSWORD, NULL),
			 201);
	assert_int_equal(
		signin_from(server.base, NULL, NULL, who, DEMO_PASSWORD, NULL),
		201);
	forget_attempts("ip IN ('127.0.0.3', '127.0.0.4')");
}

static void test_forwarded_for_only_from_trusted_proxies(void **state)
{
	static const char *const env[] = {"LINKDESK_TODAY=2026-11-23",
					  "LINKDESK_TRUSTED_PROXIES=::1, "
					  "127.0.0.1",
					  NULL};
	struct itest_server proxied;
	const char *who = "head.repairs@demo.linkdesk.test";
	(void)state;
	itest_server_start(&proxied, env);

	/*
	 * Behind the proxy, two clients do not lock each other out: the
	 * address is the right-most one the proxy added, whatever the client
	 * put to its left.
	 */
	for (int i = 0; i < 5; i++)
		assert_int_equal(signin_from(proxied.base, NULL,
					     "10.9.9.9, 203.0.113.7", who,
					     "guess", NULL),
				 401);
	assert_int_equal(signin_from(proxied.base, NULL, "203.0.113.7", who,
				     DEMO_PASSWORD, NULL),
			 429);
	assert_int_equal(signin_from(proxied.base, NULL, "203.0.113.8", who,
				     DEMO_PASSWORD, NULL),
			 201);
	assert_int_equal(api_sql_long("SELECT count(*) FROM signin_attempt"
				      " WHERE ip = '203.0.113.7'"),
			 5);
	assert_int_equal(api_sql_long("SELECT count(*) FROM audit_log WHERE"
				      " detail = 'from 203.0.113.8'"),
			 1);
	/* Trusted hops are passed over, as written with a port or mapped. */
	assert_int_equal(signin_from(proxied.base, NULL,
				     "203.0.113.9:4711, ::ffff:127.0.0.1", who,
				     DEMO_PASSWORD, NULL),
			 201);
	assert_int_equal(api_sql_long("SELECT count(*) FROM audit_log WHERE"
				      " detail = 'from 203.0.113.9'"),
			 1);

	/*
	 * From a peer that is not a trusted proxy, X-Forwarded-For is the
	 * client's own word: changing it every time does not escape the
	 * limit, and it is not what is recorded.
	 */
	for (int i = 0; i < 5; i++)
		assert_int_equal(signin_from(proxied.base, "127.0.0.2",
					     F("198.51.100.%d", i + 1), who,
					     "guess", NULL),
				 401);
	assert_int_equal(signin_from(proxied.base, "127.0.0.2", "198.51.100.99",
				     who, DEMO_PASSWORD, NULL),
			 429);
	assert_int_equal(api_sql_long("SELECT count(*) FROM signin_attempt"
				      " WHERE ip = '127.0.0.2'"),
			 5);
	assert_int_equal(api_sql_long("SELECT count(*) FROM signin_attempt"
				      " WHERE ip LIKE '198.51.100.%'"),
			 0);

	/*
	 * One address trying many accounts meets a ceiling, whichever
	 * account it tries next.
	 */
	api_exec("INSERT INTO signin_attempt (email, ip, success)"
		 " SELECT 'sprayed' || g || '@demo.linkdesk.test',"
		 " '203.0.113.50', false FROM generate_series(1, 50) g");
	struct itest_resp r;
	assert_int_equal(signin_from(proxied.base, NULL, "203.0.113.50", who,
				     DEMO_PASSWORD, &r),
			 429);
	assert_non_null(itest_resp_header(&r, "Retry-After"));
	itest_resp_release(&r);
	/*
	 * But an account that has signed in from that address before (an
	 * office behind one NAT address, sprayed by someone else there) is
	 * not locked out by the ceiling.
	 */
	const char *known = "head.housing@demo.linkdesk.test";
	api_exec(F("INSERT INTO signin_attempt (email, ip, success, at)"
		   " VALUES ('%s', '203.0.113.50', true, now() - interval"
		   " '2 days')",
		   known));
	assert_int_equal(signin_from(proxied.base, NULL, "203.0.113.50", known,
				     DEMO_PASSWORD, NULL),
			 201);
	forget_attempts("ip IN ('203.0.113.7', '203.0.113.8', '203.0.113.9',"
			" '127.0.0.2', '203.0.113.50')");
	assert_int_equal(itest_server_stop(&proxied), 0);
}

/* POST /sign-in as the form does, with extra headers. */
static long signin_form(const char *const *extra)
{
	struct itest_resp r;
	char url[128];
	const char *headers[6] = {"Content-Type: "
				  "application/x-www-form-urlencoded"};
	int n = 1;
	for (int i = 0; extra && extra[i] && n < 5; i++)
		headers[n++] = extra[i];
	headers[n] = NULL;
	snprintf(url, sizeof(url), "%s/sign-in", server.base);
	itest_request(
		NULL, "POST", url,
		"email=comms%40demo.linkdesk.test&password=" DEMO_PASSWORD,
		headers, &r);
	long status = r.status;
	if (status == 303)
		assert_non_null(strstr(r.headers, "ld_session="));
	else
		assert_null(strstr(r.headers, "ld_session="));
	itest_resp_release(&r);
	return status;
}

static void test_signin_form_refuses_other_sites(void **state)
{
	char origin[128];
	(void)state;
	snprintf(origin, sizeof(origin), "Origin: %s", server.base);
	const char *const evil[] = {"Origin: https://evil.example", NULL};
	const char *const cross[] = {"Sec-Fetch-Site: cross-site", NULL};
	const char *const sibling[] = {"Sec-Fetch-Site: same-site", NULL};
	const char *const ours[] = {origin, "Sec-Fetch-Site: same-origin",
				    NULL};
	const char *const typed[] = {"Origin: null", "Sec-Fetch-Site: none",
				     NULL};
	assert_int_equal(signin_form(evil), 403);
	assert_int_equal(signin_form(cross), 403);
	assert_int_equal(signin_form(sibling), 403);
	assert_int_equal(signin_form(ours), 303);
	assert_int_equal(signin_form(typed), 303);
	/* An opaque origin the browser does not vouch for (a sandboxed frame).
	 */
	const char *const opaque[] = {"Origin: null", NULL};
	assert_int_equal(signin_form(opaque), 403);
	assert_int_equal(signin_form(NULL), 303); /* not a browser */
}

struct pinger {
	const char *base;
	volatile int stop;
	double worst; /* seconds */
	int answered, tries;
};

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void *ping_loop(void *arg)
{
	struct pinger *p = arg;
	char url[128];
	snprintf(url, sizeof(url), "%s/api/v1/ping", p->base);
	while (!p->stop) {
		struct itest_resp r;
		double t0 = now_s();
		itest_request(NULL, "GET", url, NULL, NULL, &r);
		double took = now_s() - t0;
		p->tries++;
		p->answered += r.status == 200;
		if (took > p->worst)
			p->worst = took;
		itest_resp_release(&r);
		usleep(20 * 1000);
	}
	return NULL;
}

static size_t ignore(char *data, size_t size, size_t n, void *arg)
{
	(void)data;
	(void)arg;
	return size * n;
}

/* Collects whether a response carried Retry-After. */
static size_t saw_retry(char *data, size_t size, size_t n, void *arg)
{
	if (size * n >= 12 && !strncasecmp(data, "Retry-After:", 12))
		*(int *)arg = 1;
	return size * n;
}

static void test_hash_pool_full_answers_503(void **state)
{
	static const char *const env[] = {"LINKDESK_TODAY=2026-11-23",
					  "LINKDESK_HASH_THREADS=1",
					  "LINKDESK_HASH_QUEUE=1", NULL};
	enum { N = 40 };
	struct itest_server busy;
	CURL *h[N];
	int retry[N] = {0};
	struct curl_slist *hl =
		curl_slist_append(NULL, "Content-Type: application/json");
	(void)state;
	itest_server_start(&busy, env);

	struct pinger p = {busy.base, 0, 0, 0, 0};
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, ping_loop, &p), 0);

	CURLM *m = curl_multi_init();
	char url[128];
	snprintf(url, sizeof(url), "%s/api/v1/session", busy.base);
	for (int i = 0; i < N; i++) {
		h[i] = curl_easy_init();
		curl_easy_setopt(h[i], CURLOPT_URL, url);
		curl_easy_setopt(h[i], CURLOPT_HTTPHEADER, hl);
		curl_easy_setopt(h[i], CURLOPT_COPYPOSTFIELDS,
				 "{\"email\": \"director@demo.linkdesk.test\","
				 " \"password\": \"" DEMO_PASSWORD "\"}");
		curl_easy_setopt(h[i], CURLOPT_WRITEFUNCTION, ignore);
		curl_easy_setopt(h[i], CURLOPT_HEADERFUNCTION, saw_retry);
		curl_easy_setopt(h[i], CURLOPT_HEADERDATA, &retry[i]);
		curl_easy_setopt(h[i], CURLOPT_TIMEOUT, 60L);
		curl_multi_add_handle(m, h[i]);
	}
	int running = 1;
	while (running) {
		curl_multi_perform(m, &running);
		if (running)
			curl_multi_poll(m, NULL, 0, 100, NULL);
	}
	p.stop = 1;
	pthread_join(t, NULL);

	int created = 0, busy_503 = 0, other = 0;
	for (int i = 0; i < N; i++) {
		long status = 0;
		curl_easy_getinfo(h[i], CURLINFO_RESPONSE_CODE, &status);
		if (status == 201)
			created++;
		else if (status == 503 && retry[i])
			busy_503++;
		else
			other++;
		curl_multi_remove_handle(m, h[i]);
		curl_easy_cleanup(h[i]);
	}
	curl_multi_cleanup(m);
	curl_slist_free_all(hl);
	print_message("sign-ins: %d created, %d busy (503), %d other; ping "
		      "worst %.3f s over %d\n",
		      created, busy_503, other, p.worst, p.tries);
	assert_true(created >= 1);
	assert_true(busy_503 >= 1);
	assert_int_equal(other, 0);
	assert_true(p.tries >= 1);
	assert_int_equal(p.answered, p.tries);
	assert_true(p.worst < 2.0);
	assert_int_equal(itest_server_stop(&busy), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signin_and_cookie),
		cmocka_unit_test(test_unauthenticated),
		cmocka_unit_test(test_csrf),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_signout_and_sessions),
		cmocka_unit_test(test_idle_expiry),
		cmocka_unit_test(test_rate_limit),
		cmocka_unit_test(test_admin_manages_users),
		cmocka_unit_test(test_reset_and_deactivation_end_sessions),
		cmocka_unit_test(test_token_expiry),
		cmocka_unit_test(test_right_password_from_another_address),
		cmocka_unit_test(test_forwarded_for_only_from_trusted_proxies),
		cmocka_unit_test(test_signin_form_refuses_other_sites),
		cmocka_unit_test(test_hash_pool_full_answers_503),
	};
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int rc = cmocka_run_group_tests_name("auth", tests, setup, teardown);
	curl_global_cleanup();
	return rc;
}
