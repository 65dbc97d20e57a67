/*
 * The KPI facts kept case by case (sql/032_kpi_facts_kept.sql) agree with
 * the facts worked out again from the raw rows (kpi_facts), for every
 * quarter and year around the report data set, by area and for the
 * organisation (tests/http/kpi_kept_check.sql), once filled for the data
 * that was there before the server started and after each kind of change:
 * new correspondence, a request sent, an order complied with, a case moved
 * to another area, a bank holiday added in a request's span, a case
 * loaded with the triggers off.
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
static struct api lo, boss;
static char db[64];

/*
 * A change behind the API's back, as the owner, attributed to the
 * administrator as every change in the audit log is to someone
 * (test_workflow checks that task changes carry their actor).
 */
static void owner_sql(const char *sql)
{
	char cmd[2600];
	snprintf(cmd, sizeof(cmd),
		 "psql -X -q -v ON_ERROR_STOP=1 '%s' -c \"SELECT"
		 " set_config('linkdesk.actor', (SELECT id::text FROM app_user"
		 " WHERE email = 'admin@demo.linkdesk.test'), false); %s\""
		 " >/dev/null 2>&1",
		 getenv("LINKDESK_OWNER_DATABASE_URL"), sql);
	assert_int_equal(itest_sh(cmd, NULL), 0);
}

static void client(struct api *a, const char *token)
{
	memset(a, 0, sizeof(*a));
	a->h = curl_easy_init();
	snprintf(a->base, sizeof(a->base), "%s", server.base);
	snprintf(a->bearer, sizeof(a->bearer), "%s", token);
}

static int setup(void **state)
{
	static char url[600], owner[600];
	char cmd[1200];
	(void)state;
	snprintf(db, sizeof(db), "kpikept_%d", (int)getpid());
	snprintf(cmd, sizeof(cmd),
		 "psql -X -q '%s dbname=linkdesk' -c 'CREATE DATABASE %s'"
		 " >/dev/null 2>&1",
		 getenv("LINKDESK_OWNER_DATABASE_URL"), db);
	assert_int_equal(itest_sh(cmd, NULL), 0);
	snprintf(url, sizeof(url), "LINKDESK_DATABASE_URL=%s dbname=%s",
		 getenv("LINKDESK_DATABASE_URL"), db);
	snprintf(owner, sizeof(owner),
		 "LINKDESK_OWNER_DATABASE_URL=%s dbname=%s",
		 getenv("LINKDESK_OWNER_DATABASE_URL"), db);
	putenv(url);
	putenv(owner);
	snprintf(cmd, sizeof(cmd), "\"$LINKDESK_BIN\" migrate >/dev/null 2>&1");
	assert_int_equal(itest_sh(cmd, NULL), 0);
	/* Loaded after migrate, before the server: the triggers queue it. */
	snprintf(
		cmd, sizeof(cmd),
		"psql -X -q -v ON_ERROR_STOP=1 \"$LINKDESK_OWNER_DATABASE_URL\""
		" -f '%s/tests/http/reports_dataset.sql' >/dev/null 2>&1",
		getenv("LINKDESK_ROOT"));
	assert_int_equal(itest_sh(cmd, NULL), 0);
	const char *env[] = {"LINKDESK_TODAY=2026-11-23",
			     "LINKDESK_SCHEDULER=0", NULL};
	itest_server_start(&server, env);
	client(&lo, "lo-token");
	client(&boss, "boss-token");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	api_release(&lo);
	api_release(&boss);
	assert_int_equal(itest_server_stop(&server), 0);
	return 0;
}

/* A figures read, which brings the kept facts up to date first; its
 * evidence_days_mean for 2026-Q2. */
static double read_figures(void)
{
	json_t *k = api_expect(&boss, 200, "GET", "/api/v1/kpis?period=2026-Q2",
			       NULL);
	json_t *v = json_object_get(json_object_get(k, "figures"),
				    "evidence_days_mean");
	double mean = json_number_value(v);
	json_decref(k);
	return mean;
}

/* Nothing queued, the kept facts not empty, and every count agreeing. */
static void expect_agree(const char *after)
{
	char cmd[1024], *out = NULL;
	read_figures();
	snprintf(cmd, sizeof(cmd),
		 "psql -X -q -t -A -v ON_ERROR_STOP=1 -v today=2026-11-23"
		 " \"$LINKDESK_DATABASE_URL\""
		 " -f '%s/tests/http/kpi_kept_check.sql' 2>&1",
		 getenv("LINKDESK_ROOT"));
	assert_int_equal(itest_sh(cmd, &out), 0);
	long queued = -1, groups = -1, differ = -1;
	if (sscanf(out, "%ld %ld %ld", &queued, &groups, &differ) != 3)
		fail_msg("%s: %s", after, out);
	free(out);
	if (queued != 0 || groups < 50 || differ != 0)
		fail_msg("%s: %ld cases queued, %ld groups, %ld differ", after,
			 queued, groups, differ);
}

static void test_filled_for_existing_data(void **state)
{
	(void)state;
	expect_agree("the data set loaded before the server started");
	/* Every case of the data set has its facts kept. */
	assert_int_equal(
		api_sql_long("SELECT count(DISTINCT case_id) FROM kpi_dated"),
		api_sql_long("SELECT count(*) FROM ombudsman_case"));
}

static void test_new_correspondence(void **state)
{
	(void)state;
	/* A final chaser on C5 today, through the API. */
	json_decref(api_expect(&lo, 201, "POST",
			       "/api/v1/cases/5/correspondence",
			       "{\"kind\": \"final_chaser\", \"dated_on\":"
			       " \"2026-11-23\", \"channel\": \"portal\","
			       " \"summary\": \"Final chaser\"}"));
	expect_agree("a final chaser recorded");
	/* And one dated in an earlier quarter. */
	owner_sql("INSERT INTO correspondence (case_id, direction, kind,"
		  " dated_on, channel) VALUES (2, 'in', 'first_chaser',"
		  " '2026-08-14', 'portal')");
	expect_agree("a first chaser dated in 2026-Q2");
}

static void test_task_sent(void **state)
{
	(void)state;
	/* T6 (due 5 November) sent today: late, no longer unsent. */
	owner_sql("UPDATE task SET status = 'sent', sent_on = '2026-11-23'"
		  " WHERE id = 6");
	expect_agree("a late request sent");
	/* T3 (due 22 September, Q2) sent in Q3, and a task cancelled. */
	owner_sql("UPDATE task SET status = 'sent', sent_on = '2026-10-02'"
		  " WHERE id = 3");
	owner_sql("UPDATE task SET status = 'cancelled' WHERE id = 8");
	expect_agree("a Q2 request sent in Q3, a request cancelled");
}

static void test_order_and_area_changes(void **state)
{
	(void)state;
	owner_sql("UPDATE remedy SET complied_on = '2026-11-20'"
		  " WHERE complied_on IS NULL AND confirmed_on IS NULL"
		  " AND id = (SELECT min(id) FROM remedy WHERE complied_on IS"
		  " NULL AND confirmed_on IS NULL)");
	expect_agree("an order complied with");
	/* C2's complaint moves to Housing: its facts move with it. */
	owner_sql("UPDATE complaint SET service_area_id = 2 WHERE id ="
		  " (SELECT complaint_id FROM ombudsman_case WHERE id = 2)");
	expect_agree("a complaint moved to another area");
	owner_sql("DELETE FROM finding WHERE id = (SELECT min(id) FROM "
		  "finding)");
	expect_agree("a finding taken away");
}

/* A bank holiday inside T1's span (1 to 20 July) takes a day off its
 * working days, by core's calendar: the kept facts follow. */
static void test_holiday_added(void **state)
{
	(void)state;
	double before = read_figures();
	owner_sql("INSERT INTO holiday (division, day, title, notes,"
		  " provisional) VALUES ('england-and-wales', '2026-07-08',"
		  " 'Test day', '', false); SELECT pg_notify("
		  "'linkdesk_holidays', '')");
	double mean = before;
	for (int i = 0; i < 50 && mean == before; i++) {
		usleep(100000); /* the server reloads its calendar */
		mean = read_figures();
	}
	assert_true(mean < before);
	assert_int_equal(api_sql_long("SELECT working_days FROM task_days"
				      " WHERE task_id = 1"),
			 12);
	expect_agree("a bank holiday added");
}

/* A case written with the triggers off (a bulk load, a restore) is found
 * when the server starts, and kept. */
static void test_bulk_load_swept(void **state)
{
	(void)state;
	owner_sql("ALTER TABLE ombudsman_case DISABLE TRIGGER kpi_queue;"
		  " INSERT INTO complaint (id, reference, category,"
		  " service_area_id, received_on) VALUES (90, 'R-90', 'Damp',"
		  " 1, '2026-08-01');"
		  " INSERT INTO ombudsman_case (id, complaint_id, ombudsman_id,"
		  " reference, stage, received_on, link_officer_id) VALUES"
		  " (90, 90, 1, '202610090', 'investigation', '2026-08-03', 1);"
		  " ALTER TABLE ombudsman_case ENABLE TRIGGER kpi_queue");
	assert_int_equal(api_sql_long("SELECT count(*) FROM kpi_case_due"), 0);
	const char *env[] = {"LINKDESK_TODAY=2026-11-23",
			     "LINKDESK_SCHEDULER=0", NULL};
	assert_int_equal(itest_server_stop(&server), 0);
	itest_server_start(&server, env);
	snprintf(lo.base, sizeof(lo.base), "%s", server.base);
	snprintf(boss.base, sizeof(boss.base), "%s", server.base);
	expect_agree("a case loaded with the triggers off");
	assert_int_equal(api_sql_long("SELECT count(*) FROM kpi_dated"
				      " WHERE case_id = 90"),
			 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filled_for_existing_data),
		cmocka_unit_test(test_new_correspondence),
		cmocka_unit_test(test_task_sent),
		cmocka_unit_test(test_order_and_area_changes),
		cmocka_unit_test(test_holiday_added),
		cmocka_unit_test(test_bulk_load_swept),
	};
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int rc =
		cmocka_run_group_tests_name("kpi_kept", tests, setup, teardown);
	curl_global_cleanup();
	return rc;
}
