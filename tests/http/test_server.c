/*
 * The server skeleton over real HTTP: health, JSON errors, limits,
 * keep-alive, a database that goes away and comes back, clean shutdown.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api.h"

static struct itest_server server;

static int start(void **state)
{
	static const char *const env[] = {"LINKDESK_MAX_BODY=4096", NULL};
	(void)state;
	itest_server_start(&server, env);
	return 0;
}

static int stop(void **state)
{
	(void)state;
	assert_int_equal(itest_server_stop(&server), 0);
	return 0;
}

static void get(const char *path, struct itest_resp *r)
{
	char url[512];
	snprintf(url, sizeof(url), "%s%s", server.base, path);
	itest_request(NULL, "GET", url, NULL, NULL, r);
}

static void post(const char *path, const char *body, struct itest_resp *r)
{
	static const char *const headers[] = {"Content-Type: application/json",
					      NULL};
	char url[512];
	snprintf(url, sizeof(url), "%s%s", server.base, path);
	itest_request(NULL, "POST", url, body, headers, r);
}

static void assert_error(struct itest_resp *r, long status, const char *code,
			 const char *field)
{
	if (r->status != status)
		fail_msg("status %ld, want %ld: %s", r->status, status,
			 r->body);
	assert_non_null(r->json);
	assert_string_equal(itest_error_code(r), code);
	json_t *err = json_object_get(r->json, "error");
	assert_true(json_is_string(json_object_get(err, "message")));
	assert_true(strlen(json_string_value(json_object_get(err, "message"))) >
		    0);
	json_t *f = json_object_get(err, "field");
	if (field)
		assert_string_equal(json_string_value(f), field);
	else
		assert_true(json_is_null(f));
	assert_string_equal(itest_resp_header(r, "Content-Type"),
			    "application/json");
}

static void test_health(void **state)
{
	struct itest_resp r;
	(void)state;
	get("/healthz", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(
		json_string_value(json_object_get(r.json, "status")), "ok");
	assert_true(json_integer_value(
			    json_object_get(r.json, "schema_version")) >= 2);
	/* Security headers go on every response. */
	assert_string_equal(itest_resp_header(&r, "X-Content-Type-Options"),
			    "nosniff");
	assert_non_null(strstr(itest_resp_header(&r, "Content-Security-Policy"),
			       "frame-ancestors 'none'"));
	itest_resp_release(&r);
}

static void test_keep_alive(void **state)
{
	CURL *h = curl_easy_init();
	struct itest_resp a, b, c;
	char url[256];
	(void)state;
	snprintf(url, sizeof(url), "%s/healthz", server.base);
	itest_request(h, "GET", url, NULL, NULL, &a);
	itest_request(h, "GET", url, NULL, NULL, &b);
	snprintf(url, sizeof(url), "%s/api/v1/nothing-here", server.base);
	itest_request(h, "GET", url, NULL, NULL, &c);
	assert_int_equal(a.status, 200);
	assert_int_equal(b.status, 200);
	assert_int_equal(c.status, 404);
	assert_int_equal(a.new_connections, 1);
	/* The second and third requests reuse the first's connection. */
	assert_int_equal(b.new_connections, 0);
	assert_int_equal(c.new_connections, 0);
	const char *conn = itest_resp_header(&b, "Connection");
	assert_true(!conn || strcmp(conn, "close"));
	itest_resp_release(&a);
	itest_resp_release(&b);
	itest_resp_release(&c);
	curl_easy_cleanup(h);
}

static void test_unknown_route_and_method(void **state)
{
	struct itest_resp r;
	(void)state;
	get("/api/v1/no-such-thing", &r);
	assert_error(&r, 404, "not_found", NULL);
	itest_resp_release(&r);
	get("/../../etc/passwd", &r);
	assert_int_equal(r.status, 404);
	itest_resp_release(&r);
	post("/healthz", "{}", &r);
	assert_error(&r, 405, "method_not_allowed", NULL);
	assert_string_equal(itest_resp_header(&r, "Allow"), "GET, HEAD");
	itest_resp_release(&r);
	post("/api/v1/tasks/1", "{}", &r);
	assert_error(&r, 405, "method_not_allowed", NULL);
	assert_string_equal(itest_resp_header(&r, "Allow"), "GET, HEAD, PATCH");
	itest_resp_release(&r);
}

/*
 * Text that is not UTF-8 in a query or a header answers 400 (or is
 * scrubbed where it is only shown), never a database error.
 */
static void test_not_utf8(void **state)
{
	struct itest_resp r;
	struct api a;
	(void)state;
	api_signin(&a, server.base, "link.officer");
	api_call(&a, "GET", "/api/v1/cases?q=%c3", NULL, &r);
	assert_error(&r, 400, "invalid", NULL);
	itest_resp_release(&r);
	api_release(&a);
	/* A User-Agent that is not UTF-8 does not stop a sign-in. */
	char url[128];
	snprintf(url, sizeof(url), "%s/api/v1/session", server.base);
	static const char *const headers[] = {"Content-Type: application/json",
					      "User-Agent: bad\xff agent",
					      NULL};
	itest_request(NULL, "POST", url,
		      "{\"email\": \"link.officer@demo.linkdesk.test\","
		      " \"password\": \"" DEMO_PASSWORD "\"}",
		      headers, &r);
	assert_int_equal(r.status, 201);
	itest_resp_release(&r);
}

static void test_workdays(void **state)
{
	struct itest_resp r;
	(void)state;
	get("/api/v1/workdays?from=2026-11-23&days=15", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(
		json_string_value(json_object_get(r.json, "due_date")),
		"2026-12-14");
	itest_resp_release(&r);

	get("/api/v1/workdays?from=2026-12-24&to=2026-12-29", &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(
		json_integer_value(json_object_get(r.json, "working_days")), 1);
	itest_resp_release(&r);

	post("/api/v1/workdays", "{\"from\": \"2026-12-24\", \"days\": 1}", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(
		json_string_value(json_object_get(r.json, "due_date")),
		"2026-12-29");
	itest_resp_release(&r);
}

static void test_bad_input(void **state)
{
	static const struct {
		const char *body;
		long status;
		const char *code;
		const char *field;
	} cases[] = {
		{"{\"from\": ", 400, "invalid", NULL},
		{"[1, 2]", 400, "invalid", NULL},
		{"", 400, "invalid", NULL},
		{"{\"from\": \"2026-02-30\", \"days\": 1}", 400, "invalid",
		 "from"},
		{"{\"from\": 20261123, \"days\": 1}", 400, "invalid", "from"},
		{"{\"from\": \"2026-11-23\", \"days\": \"3\"}", 400, "invalid",
		 "days"},
		{"{\"from\": \"2026-11-23\", \"days\": -1}", 400, "invalid",
		 "days"},
		{"{\"from\": \"2026-11-23\", \"days\": 99999999999}", 400,
		 "invalid", "days"},
		{"{\"from\": \"2026-11-23\", \"days\": 1, \"days\": 2}", 400,
		 "invalid", NULL},
		{"{\"from\": \"2026-11-23\", \"dayz\": 1}", 400, "invalid",
		 "dayz"},
		{"{\"days\": 1}", 400, "invalid", "from"},
		{"{\"from\": \"2026-11-23\"}", 400, "invalid", "days"},
		{"{\"from\": \"2035-12-01\", \"days\": 40}", 422,
		 "out_of_range", "days"},
		{"{\"from\": \"\xff\xfe\", \"days\": 1}", 400, "invalid", NULL},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct itest_resp r;
		post("/api/v1/workdays", cases[i].body, &r);
		assert_error(&r, cases[i].status, cases[i].code,
			     cases[i].field);
		itest_resp_release(&r);
	}
	struct itest_resp r;
	get("/api/v1/workdays?from=2026-02-30&days=1", &r);
	assert_error(&r, 400, "invalid", "from");
	itest_resp_release(&r);
	get("/api/v1/workdays?from=2026-11-23&days=1x", &r);
	assert_error(&r, 400, "invalid", "days");
	itest_resp_release(&r);
}

static void test_oversize_body(void **state)
{
	struct itest_resp r;
	size_t n = 64 * 1024;
	char *big = malloc(n + 1);
	(void)state;
	memset(big, ' ', n);
	big[0] = '{';
	big[n - 1] = '}';
	big[n] = '\0';
	post("/api/v1/workdays", big, &r);
	free(big);
	assert_error(&r, 413, "too_large", NULL);
	assert_non_null(strstr(r.body, "4096"));
	itest_resp_release(&r);

	/* The server is still there and well. */
	get("/healthz", &r);
	assert_int_equal(r.status, 200);
	itest_resp_release(&r);
}

static void dbctl(const char *action)
{
	char cmd[512];
	const char *ctl = getenv("LINKDESK_TEST_DBCTL");
	assert_non_null(ctl);
	snprintf(cmd, sizeof(cmd), "%s %s >/dev/null 2>&1", ctl, action);
	assert_int_equal(itest_sh(cmd, NULL), 0);
}

static void test_database_goes_away(void **state)
{
	struct itest_resp r;
	(void)state;
	get("/healthz", &r); /* a pooled connection exists before the stop */
	assert_int_equal(r.status, 200);
	itest_resp_release(&r);

	dbctl("stop");
	for (int i = 0; i < 3; i++) {
		get("/healthz", &r);
		assert_error(&r, 503, "unavailable", NULL);
		itest_resp_release(&r);
	}
	post("/api/v1/workdays", "{\"from\": \"2026-11-23\", \"days\": 2}", &r);
	assert_int_equal(r.status, 200); /* the calendar is in memory */
	itest_resp_release(&r);

	dbctl("start");
	get("/healthz", &r);
	assert_int_equal(r.status, 200);
	itest_resp_release(&r);
}

static void test_request_log(void **state)
{
	struct itest_resp r;
	(void)state;
	get("/api/v1/ping", &r);
	itest_resp_release(&r);
	char *log = itest_server_log(&server);
	assert_non_null(strstr(log, "GET /api/v1/ping 200 "));
	assert_non_null(strstr(log, "ms"));
	free(log);
}

/* Every documented route exists: none answers "no such address" or 405. */
static void test_openapi_matches_routes(void **state)
{
	struct itest_resp doc;
	const char *path;
	json_t *ops;
	(void)state;
	get("/api/v1/openapi.json", &doc);
	assert_int_equal(doc.status, 200);
	assert_string_equal(
		json_string_value(json_object_get(doc.json, "openapi")),
		"3.1.0");
	json_t *paths = json_object_get(doc.json, "paths");
	assert_true(json_object_size(paths) > 30);
	json_object_foreach(paths, path, ops)
	{
		const char *method;
		json_t *op;
		char concrete[256], url[512];
		size_t o = 0;
		for (const char *p = path; *p && o < sizeof(concrete) - 20;) {
			if (*p == '{') {
				o += (size_t)snprintf(concrete + o,
						      sizeof(concrete) - o,
						      "1");
				p = strchr(p, '}') + 1;
			} else {
				concrete[o++] = *p++;
			}
		}
		concrete[o] = '\0';
		snprintf(url, sizeof(url), "%s%s", server.base, concrete);
		json_object_foreach(ops, method, op)
		{
			struct itest_resp r;
			char upper[16];
			size_t i;
			for (i = 0; method[i] && i < sizeof(upper) - 1; i++)
				upper[i] = (char)(method[i] - 32);
			upper[i] = '\0';
			itest_request(NULL, upper, url,
				      strcmp(upper, "GET") ? "{}" : NULL, NULL,
				      &r);
			if (r.status == 405 || r.status == 0 ||
			    strstr(r.body, "no such address"))
				fail_msg("%s %s: %ld %s", upper, concrete,
					 r.status, r.body);
			itest_resp_release(&r);
		}
	}
	itest_resp_release(&doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_health),
		cmocka_unit_test(test_keep_alive),
		cmocka_unit_test(test_unknown_route_and_method),
		cmocka_unit_test(test_not_utf8),
		cmocka_unit_test(test_workdays),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_oversize_body),
		cmocka_unit_test(test_database_goes_away),
		cmocka_unit_test(test_request_log),
		cmocka_unit_test(test_openapi_matches_routes),
	};
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int rc = cmocka_run_group_tests_name("server", tests, start, stop);
	curl_global_cleanup();
	return rc;
}
