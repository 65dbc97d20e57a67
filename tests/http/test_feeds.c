/*
 * Calendar feeds as subscribing clients use them: each form of
 * If-None-Match (an exact tag, a weak W/"..." one, a list, "*") and
 * If-Modified-Since answered 304 with no body and no Content-Length; the
 * calendar, as python3-icalendar reads it, named as a person would name it,
 * with REFRESH-INTERVAL, X-PUBLISHED-TTL and each event's LAST-MODIFIED; a
 * revoked feed 410 Gone while an unknown one stays 404; a task title with a
 * line break refused where it comes in.
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
static struct api lo, repairs;
static long area_repairs;
static long last_case; /* the case of the latest new_task() */

static int setup(void **state)
{
	static const char *const env[] = {"LINKDESK_TODAY=2026-11-23",
					  "LINKDESK_SCHEDULER=0", NULL};
	(void)state;
	itest_server_start(&server, env);
	api_signin(&lo, server.base, "link.officer");
	api_signin(&repairs, server.base, "repairs.officer");
	area_repairs = api_area_id(&lo, "Repairs and Maintenance");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	api_release(&lo);
	api_release(&repairs);
	assert_int_equal(itest_server_stop(&server), 0);
	return 0;
}

/* A case with one task for Dan Price (repairs.officer); the task's id. */
static long new_task(const char *title)
{
	static int seq;
	json_t *c = api_expect(
		&lo, 201, "POST", "/api/v1/complaints",
		F("{\"reference\": \"FEED-%d-%d\", \"category\": \"Repairs\","
		  " \"service_area_id\": %ld, \"received_on\": \"2026-05-01\","
		  " \"resident\": {\"name\": \"Ottoline Feedcanary\"}}",
		  (int)getpid(), ++seq, area_repairs));
	long complaint = (long)jint(c, "id");
	json_decref(c);
	c = api_expect(&lo, 201, "POST", "/api/v1/cases",
		       F("{\"complaint_id\": %ld, \"ombudsman\": \"HOS\","
			 " \"reference\": \"7%03d%05d\"}",
			 complaint, (int)(getpid() % 1000), seq));
	long cid = (long)jint(c, "id");
	last_case = cid;
	json_decref(c);
	c = api_expect(&lo, 201, "POST",
		       F("/api/v1/cases/%ld/correspondence", cid),
		       F("{\"kind\": \"information_request\", \"dated_on\":"
			 " \"2026-11-23\", \"tasks\": [{\"title\": \"%s\","
			 " \"service_area_id\": %ld, \"assignee_id\": %ld}]}",
			 title, area_repairs, repairs.user_id));
	long task = (long)jint(json_array_get(json_object_get(c, "tasks"), 0),
			       "id");
	json_decref(c);
	return task;
}

/* A new feed of Dan Price's own tasks: its full URL; *id its id. */
static void new_feed(char url[512], long *id)
{
	json_t *f = api_expect(&repairs, 201, "POST", "/api/v1/feeds",
			       "{\"scope\": \"mine\"}");
	snprintf(url, 512, "%s%s", server.base,
		 strstr(jstr(f, "url"), "/feeds/"));
	*id = (long)jint(json_object_get(f, "feed"), "id");
	json_decref(f);
}

/* GET url with one request header (NULL: none); the status. */
static long get(const char *url, const char *header, struct itest_resp *r)
{
	const char *headers[] = {header, NULL};
	itest_request(NULL, "GET", url, NULL, header ? headers : NULL, r);
	return r->status;
}

/* A 304 as RFC 9110 has it: no content, and no Content-Length: 0. */
static void expect_not_modified(const char *url, const char *header,
				const char *etag)
{
	struct itest_resp r;
	if (get(url, header, &r) != 304)
		fail_msg("%s: %ld, not 304", header, r.status);
	assert_int_equal(r.len, 0);
	assert_null(itest_resp_header(&r, "Content-Length"));
	assert_null(itest_resp_header(&r, "Transfer-Encoding"));
	assert_string_equal(itest_resp_header(&r, "ETag"), etag);
	assert_non_null(itest_resp_header(&r, "Last-Modified"));
	itest_resp_release(&r);
}

static void expect_full(const char *url, const char *header)
{
	struct itest_resp r;
	if (get(url, header, &r) != 200)
		fail_msg("%s: %ld, not 200", header, r.status);
	assert_non_null(strstr(r.body, "BEGIN:VCALENDAR"));
	itest_resp_release(&r);
}

static void test_conditional(void **state)
{
	char url[512], etag[128], weak[140], modified[64];
	long feed;
	struct itest_resp r;
	(void)state;
	long task = new_task("Feed conditional log");
	new_feed(url, &feed);
	assert_int_equal(get(url, NULL, &r), 200);
	snprintf(etag, sizeof(etag), "%s", itest_resp_header(&r, "ETag"));
	assert_non_null(itest_resp_header(&r, "Last-Modified"));
	snprintf(modified, sizeof(modified), "%s",
		 itest_resp_header(&r, "Last-Modified"));
	assert_non_null(strstr(modified, " GMT"));
	itest_resp_release(&r);
	snprintf(weak, sizeof(weak), "W/%s", etag);

	expect_not_modified(url, F("If-None-Match: %s", etag), etag);
	expect_not_modified(url, F("If-None-Match: %s", weak), etag);
	expect_not_modified(url, F("If-None-Match: \"other\", %s", weak), etag);
	expect_not_modified(url, F("If-None-Match: W/\"a,b\" ,%s ", etag),
			    etag);
	expect_not_modified(url, "If-None-Match: *", etag);
	expect_not_modified(url, F("If-Modified-Since: %s", modified), etag);
	/* Later than the change: unchanged too. */
	expect_not_modified(
		url, "If-Modified-Since: Fri, 01 Jan 2100 00:00:00 GMT", etag);
	/* The obsolete forms a recipient must still read. */
	expect_not_modified(
		url, "If-Modified-Since: Sunday, 01-Jan-68 00:00:00 GMT", etag);
	expect_not_modified(url, "If-Modified-Since: Fri Jan  1 00:00:00 2100",
			    etag);

	expect_full(url, "If-None-Match: \"other\"");
	expect_full(url, "If-None-Match: W/\"other\", \"more\"");
	expect_full(url, F("If-None-Match: %.*s\"", (int)strlen(etag) - 2,
			   etag)); /* one character short */
	expect_full(url, "If-Modified-Since: Mon, 01 Jan 2001 00:00:00 GMT");
	expect_full(url, "If-Modified-Since: yesterday");
	/* If-None-Match is asked first, and decides alone. */
	const char *both[] = {"If-None-Match: \"other\"",
			      F("If-Modified-Since: %s", modified), NULL};
	itest_request(NULL, "GET", url, NULL, both, &r);
	assert_int_equal(r.status, 200);
	itest_resp_release(&r);

	/* Changed: neither the old tag nor the old date holds it back. */
	json_t *t =
		api_expect(&lo, 200, "GET", F("/api/v1/tasks/%ld", task), NULL);
	json_decref(api_expect(&lo, 200, "PATCH", F("/api/v1/tasks/%ld", task),
			       F("{\"version\": %lld, \"title\": \"Feed"
				 " conditional log, renamed\"}",
				 jint(t, "version"))));
	json_decref(t);
	expect_full(url, F("If-None-Match: %s", etag));
	assert_int_equal(get(url, F("If-Modified-Since: %s", modified), &r),
			 200);
	assert_non_null(strstr(r.body, "renamed"));
	assert_string_not_equal(itest_resp_header(&r, "ETag"), etag);
	itest_resp_release(&r);
}

static void test_calendar(void **state)
{
	char url[512], file[512], cmd[1400], *parsed;
	long feed;
	struct itest_resp r;
	(void)state;
	long task = new_task("Feed calendar log");
	new_feed(url, &feed);
	assert_int_equal(get(url, NULL, &r), 200);
	assert_non_null(
		strstr(r.body, "\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n"));
	assert_non_null(strstr(r.body, "\r\nX-PUBLISHED-TTL:PT1H\r\n"));
	assert_null(strstr(r.body, "Feedcanary"));
	snprintf(file, sizeof(file), "%s/feed-%d.ics",
		 getenv("LINKDESK_TEST_TMP"), (int)getpid());
	FILE *out = fopen(file, "wb");
	fwrite(r.body, 1, r.len, out);
	fclose(out);
	itest_resp_release(&r);

	snprintf(cmd, sizeof(cmd), "'%s' '%s/tests/feedcheck.py' '%s'",
		 getenv("LINKDESK_TEST_PYTHON"), getenv("LINKDESK_ROOT"), file);
	assert_int_equal(itest_sh(cmd, &parsed), 0);
	json_t *cal = json_loads(parsed, 0, NULL);
	if (!cal)
		fail_msg("feedcheck.py: %s", parsed);
	free(parsed);
	assert_string_equal(jstr(cal, "name"),
			    "Linkdesk: Dan Price's Ombudsman tasks");
	assert_string_equal(jstr(cal, "refresh_interval"), "PT1H");
	assert_string_equal(jstr(cal, "refresh_value"), "DURATION");
	assert_string_equal(jstr(cal, "published_ttl"), "PT1H");
	json_t *events = json_object_get(cal, "events");
	assert_true(json_array_size(events) >= 2);
	size_t i;
	json_t *ev;
	int mine = 0;
	json_array_foreach(events, i, ev)
	{
		/* Every event says when it last changed: the task's change. */
		assert_string_not_equal(jstr(ev, "last_modified"), "");
		assert_string_equal(jstr(ev, "last_modified"),
				    jstr(ev, "dtstamp"));
		mine += strstr(jstr(ev, "uid"), F("task-%ld-", task)) != NULL;
	}
	assert_int_equal(mine, 2);
	json_decref(cal);
}

static void test_revoked(void **state)
{
	char url[512];
	long feed;
	struct itest_resp r;
	(void)state;
	new_feed(url, &feed);
	assert_int_equal(get(url, NULL, &r), 200);
	itest_resp_release(&r);
	json_decref(api_expect(&repairs, 200, "DELETE",
			       F("/api/v1/feeds/%ld", feed), NULL));
	assert_int_equal(get(url, NULL, &r), 410);
	assert_string_equal(itest_error_code(&r), "gone");
	itest_resp_release(&r);
	/* Even to a client that had it. */
	assert_int_equal(get(url, "If-None-Match: *", &r), 410);
	itest_resp_release(&r);
	/* A token never issued is not found, as before. */
	assert_int_equal(
		get(F("%s/feeds/0123456789abcdef0123456789abcdef0123456789ab"
		      ".ics",
		      server.base),
		    NULL, &r),
		404);
	itest_resp_release(&r);
}

/* A title is one line: CR or LF in it is refused, on creation and edit. */
static void test_title_line_break(void **state)
{
	(void)state;
	long task = new_task("Feed one-line title");
	json_t *t =
		api_expect(&lo, 200, "GET", F("/api/v1/tasks/%ld", task), NULL);
	long long version = jint(t, "version");
	json_decref(t);
	api_refused(
		&lo, 400, "invalid", "title", "PATCH",
		F("/api/v1/tasks/%ld", task),
		F("{\"version\": %lld, \"title\": \"Repair\\rlog\"}", version));
	api_refused(
		&lo, 400, "invalid", "title", "PATCH",
		F("/api/v1/tasks/%ld", task),
		F("{\"version\": %lld, \"title\": \"Repair\\nlog\"}", version));
	t = api_expect(&lo, 200, "GET", F("/api/v1/tasks/%ld", task), NULL);
	assert_string_equal(jstr(t, "title"), "Feed one-line title");
	json_decref(t);

	struct itest_resp r;
	api_call(&lo, "POST", F("/api/v1/cases/%ld/correspondence", last_case),
		 F("{\"kind\": \"information_request\", \"tasks\":"
		   " [{\"title\": \"Two\\r\\nlines\", \"service_area_id\":"
		   " %ld}]}",
		   area_repairs),
		 &r);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body, "line break"));
	itest_resp_release(&r);
	/* The detail may run to several lines. */
	json_decref(api_expect(
		&lo, 200, "PATCH", F("/api/v1/tasks/%ld", task),
		F("{\"version\": %lld, \"detail\": \"First\\nSecond\"}",
		  version)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conditional),
		cmocka_unit_test(test_calendar),
		cmocka_unit_test(test_revoked),
		cmocka_unit_test(test_title_line_break),
	};
	return cmocka_run_group_tests_name("feeds", tests, setup, teardown);
}
