/*
 * Signing in and out, sessions, CSRF, API tokens, rate limits, and the
 * administrator's management of users and roles.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	/* Even the right password waits now. */
	assert_int_equal(signin_status("rx.manager@demo.linkdesk.test",
				       DEMO_PASSWORD, NULL),
			 429);
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
	};
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int rc = cmocka_run_group_tests_name("auth", tests, setup, teardown);
	curl_global_cleanup();
	return rc;
}
