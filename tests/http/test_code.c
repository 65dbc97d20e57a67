/*
 * Complaint Handling Code compliance through the API: stage dates and
 * their timeliness, the quarterly shares and the counts kept for them,
 * and a self-assessment from draft to published with its export,
 * refusals and access.
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
static struct api lo, so, boss, admin;
static long area; /* test_code_days_follow_holidays's own */

static int setup(void **state)
{
	static const char *const env[] = {"LINKDESK_TODAY=2026-11-23",
					  "LINKDESK_SCHEDULER=0", NULL};
	(void)state;
	itest_server_start(&server, env);
	api_signin(&lo, server.base, "link.officer");
	api_signin(&so, server.base, "repairs.officer");
	api_signin(&boss, server.base, "director");
	api_signin(&admin, server.base, "admin");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	api_release(&lo);
	api_release(&so);
	api_release(&boss);
	api_release(&admin);
	assert_int_equal(itest_server_stop(&server), 0);
	return 0;
}

static json_t *step(json_t *c, int i)
{
	return json_array_get(
		json_object_get(json_object_get(c, "timeliness"), "steps"),
		(size_t)i);
}

/* A complaint registered by the link officer: its id. */
static long new_complaint(const char *prefix, long area_id,
			  const char *received_on)
{
	json_t *c = api_expect(
		&lo, 201, "POST", "/api/v1/complaints",
		F("{\"reference\": \"%s-%d\", \"category\": \"Repairs\","
		  " \"service_area_id\": %ld, \"received_on\": \"%s\"}",
		  prefix, (int)getpid(), area_id, received_on));
	long id = (long)jint(c, "id");
	json_decref(c);
	return id;
}

static void test_stage_timeliness(void **state)
{
	(void)state;
	long id = new_complaint("CHC", 1, "2026-12-21");
	json_t *c;
	/* Received 21 December: acknowledged 30 December (5 working days
	 * over Christmas) and answered 15 January, a day late. */
	c = api_expect(
		&lo, 200, "PATCH", F("/api/v1/complaints/%ld/stages", id),
		"{\"version\": 1, \"stage1_acknowledged_on\":"
		" \"2026-12-30\", \"stage1_response_on\": \"2027-01-15\"}");
	assert_string_equal(jstr(step(c, 0), "state"), "met");
	assert_string_equal(jstr(step(c, 1), "state"), "missed");
	assert_int_equal(jint(step(c, 1), "late_by"), 1);
	assert_string_equal(jstr(step(c, 1), "text"),
			    "missed by 1 working day");
	assert_string_equal(jstr(step(c, 2), "state"), "not_started");
	json_decref(c);
	/* A stale version changes nothing; stage 2 needs its request. */
	api_refused(&lo, 412, "precondition_failed", "version", "PATCH",
		    F("/api/v1/complaints/%ld/stages", id),
		    "{\"version\": 1, \"stage1_response_on\": \"2027-01-14\"}");
	api_refused(
		&lo, 422, "validation_failed", "escalation_requested_on",
		"PATCH", F("/api/v1/complaints/%ld/stages", id),
		"{\"version\": 2, \"stage2_acknowledged_on\": \"2027-02-01\","
		" \"escalation_requested_on\": null}");
	api_refused(&lo, 400, "invalid", "stage1_response_on", "PATCH",
		    F("/api/v1/complaints/%ld/stages", id),
		    "{\"version\": 2, \"stage1_response_on\": \"2027-02-30\"}");
	api_refused(&so, 403, "forbidden", NULL, "PATCH",
		    F("/api/v1/complaints/%ld/stages", id), "{\"version\": 2}");
	c = api_expect(&lo, 200, "GET", F("/api/v1/complaints/%ld", id), NULL);
	assert_string_equal(jstr(json_object_get(c, "timeliness"), "code"),
			    "Complaint Handling Code 2024");
	json_decref(c);

	/* The quarter's shares: 2026-Q3 holds the complaint received on 21
	 * December: acknowledged in time, answered late. */
	json_t *k = api_expect(&boss, 200, "GET", "/api/v1/kpis?period=2026-Q3",
			       NULL);
	json_t *h = json_object_get(k, "complaint_handling");
	assert_true(jint(h, "stage1_complaints") >= 1);
	assert_true(jint(h, "stage1_acknowledged_in_time") >= 1);
	assert_true(jint(h, "stage1_answered_in_time") <
		    jint(h, "stage1_complaints"));
	json_decref(k);
}

/* Stage 1 complaints of an area's period acknowledged in time. */
static long acknowledged_in_time(const char *period)
{
	json_t *k = api_expect(
		&boss, 200, "GET",
		F("/api/v1/kpis?period=%s&service_area_id=%ld", period, area),
		NULL);
	long n = (long)jint(json_object_get(k, "complaint_handling"),
			    "stage1_acknowledged_in_time");
	json_decref(k);
	return n;
}

/* The figure once the server has its new calendar (it is told). */
static long acknowledged_becomes(const char *period, long want)
{
	long n = acknowledged_in_time(period);
	for (int i = 0; i < 50 && n != want; i++) {
		usleep(100000);
		n = acknowledged_in_time(period);
	}
	return n;
}

/*
 * The Code's figures count working days by core's calendar, stored for
 * each complaint (complaint_days), never by SQL: acknowledged on the sixth
 * working day a complaint is late; a bank holiday added inside that span
 * makes it the fifth, in time, in the quarter's figures as in the
 * complaint's own timeliness; taken away, it is late again.
 */
static void test_code_days_follow_holidays(void **state)
{
	(void)state;
	/* An area of its own: no other complaint's days move its figure. */
	const char *name = F("Code days %d", (int)getpid());
	json_decref(api_expect(&admin, 201, "POST", "/api/v1/service-areas",
			       F("{\"name\": \"%s\"}", name)));
	area = api_area_id(&lo, name);
	long before = acknowledged_in_time("2026-Q3");
	long id = new_complaint("CHD", area, "2026-10-05");
	json_t *c = api_expect(&lo, 200, "PATCH",
			       F("/api/v1/complaints/%ld/stages", id),
			       "{\"version\": 1, \"stage1_acknowledged_on\":"
			       " \"2026-10-13\"}");
	assert_string_equal(jstr(step(c, 0), "state"), "missed");
	json_decref(c);
	assert_int_equal(acknowledged_in_time("2026-Q3"), before);
	assert_int_equal(api_sql_long(F("SELECT s1_ack FROM complaint_days"
					" WHERE complaint_id = %ld",
					id)),
			 6);

	assert_int_equal(api_sql("INSERT INTO holiday (division, day, title,"
				 " notes, provisional) VALUES"
				 " ('england-and-wales', '2026-10-07',"
				 " 'Test day', '', false)",
				 NULL),
			 0);
	assert_int_equal(acknowledged_becomes("2026-Q3", before + 1),
			 before + 1);
	c = api_expect(&lo, 200, "GET", F("/api/v1/complaints/%ld", id), NULL);
	assert_string_equal(jstr(step(c, 0), "state"), "met");
	json_decref(c);

	assert_int_equal(
		api_sql("DELETE FROM holiday WHERE day = '2026-10-07'", NULL),
		0);
	assert_int_equal(acknowledged_becomes("2026-Q3", before), before);
}

/*
 * The Code's kept counts (sql/035) agree with a count from the complaints
 * and their days, and code_figures with the shares counted complaint by
 * complaint, for every code, period and area
 * (tests/http/code_kept_check.sql): "groups off figures differ" must be
 * "0" twice.
 */
static void counts_agree(const char *after)
{
	char *out = NULL;
	char cmd[1200];
	snprintf(cmd, sizeof(cmd),
		 "psql -X -q -At -v ON_ERROR_STOP=1 \"$LINKDESK_DATABASE_URL\""
		 " -f '%s/tests/http/code_kept_check.sql' 2>&1",
		 getenv("LINKDESK_ROOT"));
	assert_int_equal(itest_sh(cmd, &out), 0);
	long groups = 0, off = -1, figures = 0, differ = -1;
	int got = sscanf(out, "%ld %ld %ld %ld", &groups, &off, &figures,
			 &differ);
	if (got != 4 || off || differ || groups < 1 || figures < 1)
		fail_msg("after %s: %s", after, out);
	free(out);
}

/* The working days of every queued complaint counted (the server counts
 * them before it reads figures). */
static void days_counted(void)
{
	for (int i = 0; i < 100; i++) {
		json_decref(api_expect(&boss, 200, "GET",
				       "/api/v1/kpis?period=2026-Q3", NULL));
		if (!api_sql_long("SELECT count(*) FROM complaint_days_due"))
			return;
		usleep(100000);
	}
	fail_msg("the complaints' working days were not counted");
}

/*
 * The kept counts follow every change to what they count: a complaint
 * registered and its stages recorded (its days counted after), moved to
 * another area and month, given an extension; a bank holiday added and
 * taken away (every complaint's days counted again); a code's timescales
 * changed; a complaint's days and the complaint deleted.
 */
static void test_code_counts_kept(void **state)
{
	(void)state;
	counts_agree("the start");
	long id = new_complaint("CHK", 1, "2026-09-30");
	counts_agree("a complaint registered");
	json_decref(api_expect(
		&lo, 200, "PATCH", F("/api/v1/complaints/%ld/stages", id),
		"{\"version\": 1, \"stage1_acknowledged_on\": \"2026-10-02\","
		" \"stage1_response_on\": \"2026-10-14\","
		" \"escalation_requested_on\": \"2026-10-30\","
		" \"stage2_acknowledged_on\": \"2026-11-02\","
		" \"stage2_response_on\": \"2026-11-20\"}"));
	counts_agree("its stages recorded");
	days_counted();
	assert_true(api_sql_long(F("SELECT s1_ack FROM complaint_days"
				   " WHERE complaint_id = %ld",
				   id)) > 0);
	counts_agree("its days counted");
	api_exec(F("UPDATE complaint SET service_area_id = (SELECT max(id) FROM"
		   " service_area), received_on = '2026-08-31',"
		   " stage1_extension_days = 5 WHERE id = %ld",
		   id));
	counts_agree("moved to another area and month, extended");
	days_counted();
	counts_agree("its days counted again");
	api_exec(
		"INSERT INTO holiday (division, day, title, notes, provisional)"
		" VALUES ('england-and-wales', '2026-09-02', 'Kept test', '',"
		" false)");
	days_counted();
	counts_agree("a bank holiday added");
	api_exec("DELETE FROM holiday WHERE day = '2026-09-02'");
	days_counted();
	counts_agree("the bank holiday taken away");
	api_exec("UPDATE complaint_code SET s1_ack_days = s1_ack_days - 3,"
		 " s2_response_days = s2_response_days - 10"
		 " WHERE code = 'HOS-2024'");
	counts_agree("a code's timescales changed");
	api_exec("UPDATE complaint_code SET s1_ack_days = s1_ack_days + 3,"
		 " s2_response_days = s2_response_days + 10"
		 " WHERE code = 'HOS-2024'");
	counts_agree("the timescales put back");
	api_exec(F("DELETE FROM complaint_days WHERE complaint_id = %ld", id));
	counts_agree("its days deleted");
	days_counted();
	api_exec(F("DELETE FROM complaint WHERE id = %ld", id));
	counts_agree("the complaint deleted");
}

static void answer_all(struct api *a, long id, const char *except,
		       bool except_complies)
{
	json_t *sa = api_expect(a, 200, "GET",
				F("/api/v1/self-assessments/%ld", id), NULL);
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(sa, "provisions"), i, p)
	{
		const char *n = jstr(p, "number");
		bool yes = !except || strcmp(n, except) || except_complies;
		json_decref(api_expect(
			a, 200, "PUT",
			F("/api/v1/self-assessments/%ld/answers/%s", id, n),
			yes ? "{\"complies\": true, \"evidence\": \"Policy "
			      "s.4\"}"
			    : "{\"complies\": false, \"action\": \"Rewrite the"
			      " policy\", \"expected_on\": \"2027-03-31\"}"));
	}
	json_decref(sa);
}

static void test_self_assessment(void **state)
{
	(void)state;
	json_t *sa = api_expect(&lo, 201, "POST", "/api/v1/self-assessments",
				"{\"title\": \"Self-assessment 2025-26\","
				" \"reason\": \"annual\"}");
	long first = (long)jint(sa, "id");
	json_t *prov = json_object_get(sa, "provisions");
	/* Every provision of the 2024 Code, 1.2 to 9.8, in order. */
	assert_int_equal(json_array_size(prov), 72);
	assert_string_equal(jstr(json_array_get(prov, 0), "number"), "1.2");
	assert_string_equal(jstr(json_array_get(prov, 71), "number"), "9.8");
	json_decref(sa);

	/* Incomplete: not approved.  A "no" needs its action and date. */
	api_refused(&lo, 409, "conflict", NULL, "POST",
		    F("/api/v1/self-assessments/%ld/approve", first),
		    "{\"version\": 1, \"approved_on\": \"2026-06-10\","
		    " \"approved_by\": \"Board\"}");
	api_refused(&lo, 422, "validation_failed", "action", "PUT",
		    F("/api/v1/self-assessments/%ld/answers/6.2", first),
		    "{\"complies\": false}");
	api_refused(&lo, 422, "validation_failed", "number", "PUT",
		    F("/api/v1/self-assessments/%ld/answers/10.1", first),
		    "{\"complies\": true}");
	answer_all(&lo, first, NULL, true);
	api_refused(&lo, 409, "conflict", NULL, "POST",
		    F("/api/v1/self-assessments/%ld/publish", first),
		    "{\"version\": 1, \"published_on\": \"2026-06-30\","
		    " \"published_url\": \"https://example.gov.uk/sa\"}");
	sa = api_expect(&lo, 200, "POST",
			F("/api/v1/self-assessments/%ld/approve", first),
			"{\"version\": 1, \"approved_on\": \"2026-06-10\","
			" \"approved_by\": \"Board of Demo Borough\"}");
	assert_string_equal(jstr(sa, "status"), "approved");
	json_decref(sa);
	/* Approved: its answers are fixed. */
	api_refused(&lo, 409, "conflict", NULL, "PUT",
		    F("/api/v1/self-assessments/%ld/answers/1.2", first),
		    "{\"complies\": false, \"action\": \"x\", \"expected_on\":"
		    " \"2027-01-01\"}");
	sa = api_expect(&lo, 200, "POST",
			F("/api/v1/self-assessments/%ld/publish", first),
			"{\"version\": 2, \"published_on\": \"2026-06-30\","
			" \"published_url\": \"https://example.gov.uk/sa\"}");
	assert_string_equal(jstr(sa, "status"), "published");
	json_decref(sa);

	/* Next year's, out of cycle after a restructure: what changed. */
	sa = api_expect(&admin, 201, "POST", "/api/v1/self-assessments",
			"{\"title\": \"After the restructure\", \"reason\":"
			" \"restructure\"}");
	long second = (long)jint(sa, "id");
	assert_int_equal(jint(sa, "previous_id"), first);
	json_decref(sa);
	answer_all(&admin, second, "6.2", false);
	sa = api_expect(&boss, 200, "GET",
			F("/api/v1/self-assessments/%ld", second), NULL);
	size_t i, changed = 0;
	json_t *p;
	json_array_foreach(json_object_get(sa, "provisions"), i, p)
	{
		if (json_is_true(json_object_get(p, "changed"))) {
			changed++;
			assert_string_equal(jstr(p, "number"), "6.2");
			assert_true(json_is_true(
				json_object_get(p, "previous_complies")));
		}
	}
	assert_int_equal(changed, 1);
	json_decref(sa);

	/* Leadership reads, does not write; service officers do neither. */
	api_refused(&boss, 403, "forbidden", NULL, "POST",
		    "/api/v1/self-assessments",
		    "{\"title\": \"x\", \"reason\": \"annual\"}");
	api_refused(&so, 403, "forbidden", NULL, "GET",
		    F("/api/v1/self-assessments/%ld", first), NULL);

	/* The export, in the columns of the Ombudsman's form. */
	struct itest_resp r;
	char file[512], cmd[1200], *out;
	api_call(&boss, "GET",
		 F("/api/v1/self-assessments/%ld/export.xlsx", second), NULL,
		 &r);
	assert_int_equal(r.status, 200);
	snprintf(file, sizeof(file), "%s/sa-%d.xlsx",
		 getenv("LINKDESK_TEST_TMP"), (int)getpid());
	FILE *f = fopen(file, "wb");
	fwrite(r.body, 1, r.len, f);
	fclose(f);
	itest_resp_release(&r);
	snprintf(cmd, sizeof(cmd), "'%s' '%s/tests/sheetcheck.py' xlsx '%s'",
		 getenv("LINKDESK_TEST_PYTHON"), getenv("LINKDESK_ROOT"), file);
	assert_int_equal(itest_sh(cmd, &out), 0);
	json_t *x = json_loads(out, 0, NULL);
	free(out);
	assert_string_equal(jstr(x, "title"), "Self-assessment");
	json_t *rows = json_object_get(x, "rows");
	json_t *header = json_array_get(rows, 0);
	assert_string_equal(jstr(json_array_get(header, 1), "value"),
			    "Code provision");
	assert_string_equal(jstr(json_array_get(header, 3), "value"), "Comply");
	bool found = false;
	for (i = 1; i < json_array_size(rows); i++) {
		json_t *row = json_array_get(rows, i);
		if (!strcmp(jstr(json_array_get(row, 1), "value"), "6.2")) {
			found = true;
			assert_string_equal(
				jstr(json_array_get(row, 3), "value"), "No");
			assert_string_equal(
				jstr(json_array_get(row, 8), "type"),
				"datetime");
		}
	}
	assert_true(found);
	json_decref(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stage_timeliness),
		cmocka_unit_test(test_code_days_follow_holidays),
		cmocka_unit_test(test_code_counts_kept),
		cmocka_unit_test(test_self_assessment),
	};
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int rc = cmocka_run_group_tests_name("code", tests, setup, teardown);
	curl_global_cleanup();
	return rc;
}
