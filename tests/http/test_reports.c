/*
 * KPIs against a fixed dataset whose figures were worked out by hand
 * (tests/http/reports_dataset.sql says how each row counts), the cases
 * behind a figure, and the exports read back: CSV by Python's csv module,
 * XLSX by python3-openpyxl.
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
static struct api lo, so, boss;
static char db[64];

static void psql(const char *dbname, const char *args)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd),
		 "psql -X -q -v ON_ERROR_STOP=1 '%s dbname=%s' %s >/dev/null "
		 "2>&1",
		 getenv("LINKDESK_OWNER_DATABASE_URL"), dbname, args);
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
	snprintf(db, sizeof(db), "reports_%d", (int)getpid());
	psql("linkdesk", F("-c 'CREATE DATABASE %s'", db));
	snprintf(url, sizeof(url), "LINKDESK_DATABASE_URL=%s dbname=%s",
		 getenv("LINKDESK_DATABASE_URL"), db);
	snprintf(owner, sizeof(owner),
		 "LINKDESK_OWNER_DATABASE_URL=%s dbname=%s",
		 getenv("LINKDESK_OWNER_DATABASE_URL"), db);
	/* From here on this process, and the server it starts, use it. */
	putenv(url);
	putenv(owner);
	snprintf(cmd, sizeof(cmd), "\"$LINKDESK_BIN\" migrate >/dev/null 2>&1");
	assert_int_equal(itest_sh(cmd, NULL), 0);
	psql(db, F("-f '%s/tests/http/reports_dataset.sql'",
		   getenv("LINKDESK_ROOT")));
	const char *env[] = {"LINKDESK_TODAY=2026-11-23",
			     "LINKDESK_SCHEDULER=0", NULL};
	itest_server_start(&server, env);
	client(&lo, "lo-token");
	client(&so, "so-token");
	client(&boss, "boss-token");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	api_release(&lo);
	api_release(&so);
	api_release(&boss);
	assert_int_equal(itest_server_stop(&server), 0);
	return 0;
}

static long long fig(json_t *figures, const char *name)
{
	json_t *v = json_object_get(figures, name);
	if (!json_is_integer(v))
		fail_msg("figure %s is not a number", name);
	return json_integer_value(v);
}

static void test_quarter(void **state)
{
	(void)state;
	json_t *k = api_expect(&boss, 200, "GET", "/api/v1/kpis?period=2026-Q2",
			       NULL);
	json_t *p = json_object_get(k, "period");
	assert_string_equal(jstr(p, "from"), "2026-07-01");
	assert_string_equal(jstr(p, "to"), "2026-09-30");
	json_t *f = json_object_get(k, "figures");
	/* C2 (1 July) and C3 (30 September); C1 and C4 fall either side. */
	assert_int_equal(fig(f, "cases_received"), 2);
	/* Determinations made in the quarter: C1, C2, C3. */
	assert_int_equal(fig(f, "cases_investigated"), 3);
	assert_int_equal(fig(f, "cases_closed"), 1);
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(f, "cases_closed_by_outcome"),
				 "no_orders")),
			 1);
	/* T1, T2, T3 set; T1 and T2 answered; T1 on time against the
	 * original; T1 and T2 against the revised date. */
	assert_int_equal(fig(f, "evidence_requests"), 3);
	assert_int_equal(fig(f, "evidence_answered"), 2);
	assert_int_equal(fig(f, "evidence_on_time"), 1);
	assert_int_equal(fig(f, "evidence_on_time_revised"), 2);
	/* (13 + 20) / 2 working days; the 90th percentile of {13, 20}. */
	assert_true(json_real_value(json_object_get(
			    f, "evidence_days_average")) == 16.5 ||
		    json_number_value(json_object_get(
			    f, "evidence_days_average")) == 16.5);
	assert_int_equal(fig(f, "evidence_days_p90"), 20);
	/* The 1st chaser in August; the final chaser is in Q3. */
	assert_int_equal(fig(f, "first_chasers"), 1);
	assert_int_equal(fig(f, "final_chasers"), 0);
	/* C1 upheld; reasonable redress and no fault are not: 1 of 3. */
	assert_int_equal(fig(f, "determinations"), 3);
	assert_int_equal(fig(f, "upheld"), 1);
	assert_true(json_number_value(json_object_get(f, "upheld_rate")) ==
		    33.3);
	json_t *findings = json_object_get(f, "findings");
	assert_int_equal(json_integer_value(json_object_get(
				 findings, "reasonable_redress")),
			 1);
	assert_int_equal(json_integer_value(json_object_get(
				 findings, "maladministration")),
			 1);
	/* Two orders, two recommendations (a recommendation is not an order);
	 * R1 on time, R2 late, R3 overdue today, R4 not yet due. */
	assert_int_equal(fig(f, "orders"), 2);
	assert_int_equal(fig(f, "recommendations"), 2);
	assert_int_equal(fig(f, "remedies_complied_on_time"), 1);
	assert_int_equal(fig(f, "remedies_complied_late"), 1);
	assert_int_equal(fig(f, "remedies_overdue"), 1);
	assert_int_equal(fig(f, "compensation_ordered_pence"), 35000);
	assert_int_equal(fig(f, "compensation_paid_pence"), 35000);
	/* T3 was open, and overdue, on 30 September. */
	assert_int_equal(fig(f, "open_tasks_at_end"), 1);
	assert_int_equal(fig(f, "overdue_tasks_at_end"), 1);

	/* The quarter before holds C1; a year earlier, nothing. */
	json_t *prev = json_object_get(k, "previous");
	assert_string_equal(jstr(json_object_get(prev, "period"), "label"),
			    "2026-Q1");
	assert_int_equal(
		fig(json_object_get(prev, "figures"), "cases_received"), 1);
	assert_int_equal(fig(json_object_get(json_object_get(k, "year_earlier"),
					     "figures"),
			     "cases_received"),
			 0);
	/* By Ombudsman and by service area. */
	json_t *by = json_object_get(k, "by_ombudsman");
	assert_int_equal(fig(json_object_get(json_array_get(by, 0), "figures"),
			     "cases_received"),
			 1); /* HOS: C2 */
	json_t *areas = json_object_get(k, "by_area");
	size_t i;
	json_t *a;
	int seen = 0;
	json_array_foreach(areas, i, a)
	{
		if (!strcmp(jstr(a, "name"), "Repairs")) {
			assert_int_equal(jint(a, "open_tasks_at_end"), 1);
			seen++;
		}
	}
	assert_int_equal(seen, 1);
	json_decref(k);
}

static void test_year_and_drilldown(void **state)
{
	(void)state;
	json_t *k = api_expect(&lo, 200, "GET", "/api/v1/kpis?period=2026-27",
			       NULL);
	json_t *f = json_object_get(k, "figures");
	assert_int_equal(fig(f, "cases_received"), 4);
	assert_int_equal(fig(f, "final_chasers"), 1);
	json_decref(k);

	json_t *cases = api_expect(
		&lo, 200, "GET",
		"/api/v1/kpis/cases?period=2026-Q2&figure=cases_received",
		NULL);
	assert_int_equal(json_array_size(cases), 2);
	assert_string_equal(jstr(json_array_get(cases, 0), "reference"),
			    "202610002");
	assert_string_equal(jstr(json_array_get(cases, 1), "reference"),
			    "26 100 003");
	json_decref(cases);
	cases = api_expect(&lo, 200, "GET",
			   "/api/v1/kpis/cases?period=2026-Q2&figure="
			   "determinations&key=upheld",
			   NULL);
	assert_int_equal(json_array_size(cases), 1);
	assert_string_equal(jstr(json_array_get(cases, 0), "reference"),
			    "202610001");
	json_decref(cases);

	api_refused(&lo, 400, "invalid", "period", "GET",
		    "/api/v1/kpis?period=2026-Q5", NULL);
	api_refused(&lo, 400, "invalid", "period", "GET",
		    "/api/v1/kpis?period=2026-28", NULL);
	api_refused(&lo, 400, "invalid", "figure", "GET",
		    "/api/v1/kpis/cases?period=2026-Q2&figure=x", NULL);

	/* A service officer's figures are their area's. */
	k = api_expect(&so, 200, "GET", "/api/v1/kpis?period=2026-Q2", NULL);
	assert_int_equal(
		fig(json_object_get(k, "figures"), "evidence_requests"),
		2); /* T1 and T3, not Housing's T2 */
	json_decref(k);
}

static json_t *read_back(const char *kind, struct api *a, const char *path)
{
	struct itest_resp r;
	char file[512], cmd[1200], *out;
	api_call(a, "GET", path, NULL, &r);
	if (r.status != 200)
		fail_msg("%s: %ld %s", path, r.status, r.body);
	snprintf(file, sizeof(file), "%s/export-%d.%s",
		 getenv("LINKDESK_TEST_TMP"), (int)getpid(), kind);
	FILE *f = fopen(file, "wb");
	fwrite(r.body, 1, r.len, f);
	fclose(f);
	itest_resp_release(&r);
	snprintf(cmd, sizeof(cmd), "'%s' '%s/tests/sheetcheck.py' %s '%s'",
		 getenv("LINKDESK_TEST_PYTHON"), getenv("LINKDESK_ROOT"), kind,
		 file);
	assert_int_equal(itest_sh(cmd, &out), 0);
	json_t *j = json_loads(out, 0, NULL);
	if (!j)
		fail_msg("sheetcheck: %s", out);
	free(out);
	return j;
}

static void test_exports(void **state)
{
	(void)state;
	json_t *c = read_back("csv", &lo, "/api/v1/exports/case-log.csv");
	json_t *rows = json_object_get(c, "rows");
	assert_int_equal(json_array_size(rows), 5); /* header + 4 cases */
	json_t *head = json_array_get(rows, 0);
	assert_string_equal(json_string_value(json_array_get(head, 1)),
			    "reference");
	assert_string_equal(json_string_value(json_array_get(
				    head, json_array_size(head) - 1)),
			    "resident");
	json_t *c1 = json_array_get(rows, 1);
	assert_string_equal(json_string_value(json_array_get(c1, 1)),
			    "202610001");
	assert_string_equal(
		json_string_value(json_array_get(c1, json_array_size(c1) - 1)),
		"Quentin Canaryfold");
	json_decref(c);

	/* A service officer's export: their area's cases, no resident. */
	c = read_back("csv", &so, "/api/v1/exports/case-log.csv");
	rows = json_object_get(c, "rows");
	assert_int_equal(json_array_size(rows), 2);
	assert_string_equal(
		json_string_value(json_array_get(json_array_get(rows, 1), 1)),
		"202610002");
	char *dump = json_dumps(c, 0);
	assert_null(strstr(dump, "Canaryfold"));
	assert_null(strstr(dump, "resident"));
	free(dump);
	json_decref(c);

	/* XLSX: a Cases sheet, a frozen bold header, dates as dates. */
	json_t *x = read_back("xlsx", &lo, "/api/v1/exports/case-log.xlsx");
	assert_string_equal(jstr(x, "title"), "Cases");
	assert_string_equal(jstr(x, "freeze"), "A2");
	assert_true(json_is_true(json_object_get(x, "bold_header")));
	json_t *header = json_array_get(json_object_get(x, "rows"), 0);
	json_t *first = json_array_get(json_object_get(x, "rows"), 1);
	size_t col;
	json_t *h;
	int dates = 0;
	json_array_foreach(header, col, h)
	{
		const char *name = jstr(h, "value");
		json_t *cell = json_array_get(first, col);
		if (!strcmp(name, "received_on")) {
			assert_string_equal(jstr(cell, "type"), "datetime");
			assert_non_null(
				strstr(jstr(cell, "value"), "2026-06-30"));
			dates++;
		}
		if (!strcmp(name, "open_tasks"))
			assert_string_equal(jstr(cell, "type"), "int");
	}
	assert_int_equal(dates, 1);
	json_decref(x);

	/* The task log, and a drill-down, as spreadsheets too. */
	x = read_back("xlsx", &so, "/api/v1/exports/task-log.xlsx");
	assert_int_equal(json_array_size(json_object_get(x, "rows")), 3);
	json_decref(x);
	c = read_back("csv", &boss,
		      "/api/v1/exports/kpi/kpi-cases.csv?period=2026-Q2&figure="
		      "cases_received");
	assert_int_equal(json_array_size(json_object_get(c, "rows")), 3);
	json_decref(c);
	api_refused(&lo, 404, "not_found", NULL, "GET",
		    "/api/v1/exports/other.csv", NULL);
}

/*
 * The KPIs count working days in SQL by arithmetic and the holiday table;
 * over 3,000 date pairs around several years' bank holidays (Christmas and
 * Easter included) it agrees with counting day by day.
 */
static void test_working_days_sql(void **state)
{
	(void)state;
	long differ = api_sql_long(
		"WITH p AS (SELECT date '2024-12-01' + (i * 37 % 900) AS a,"
		"  date '2024-12-01' + (i * 37 % 900) + (i * 13 % 120) - 10"
		"  AS b FROM generate_series(1, 3000) i)"
		" SELECT count(*) FROM p WHERE working_days_between(a, b) <>"
		" (SELECT count(*) FROM generate_series(a + 1, b, interval"
		" '1 day') g(d) WHERE extract(isodow FROM g.d) < 6"
		" AND NOT EXISTS (SELECT 1 FROM holiday h WHERE h.day ="
		" g.d::date AND h.division = 'england-and-wales'))");
	assert_int_equal(differ, 0);
	/* 2026: 253 working days in England and Wales. */
	assert_int_equal(api_sql_long("SELECT working_days_between("
				      "'2025-12-31', '2026-12-31')"),
			 253);
}

/*
 * The KPIs are remembered for as long as nothing changes (the same database
 * snapshot), and follow the first change made after.
 */
static void test_kpis_follow_changes(void **state)
{
	(void)state;
	/* 2026-Q2: July to September 2026. */
	const char *path = "/api/v1/kpis?period=2026-Q2";
	json_t *k1 = api_expect(&boss, 200, "GET", path, NULL);
	json_t *k2 = api_expect(&boss, 200, "GET", path, NULL);
	assert_true(json_equal(k1, k2));
	long long before =
		fig(json_object_get(k1, "figures"), "cases_received");
	char *out = NULL;
	assert_int_equal(
		api_sql("UPDATE ombudsman_case SET received_on = '2026-08-03'"
			" WHERE id = (SELECT min(id) FROM ombudsman_case WHERE"
			" received_on NOT BETWEEN '2026-07-01' AND "
			"'2026-09-30')",
			&out),
		0);
	free(out);
	json_t *k3 = api_expect(&boss, 200, "GET", path, NULL);
	assert_int_equal(fig(json_object_get(k3, "figures"), "cases_received"),
			 before + 1);
	json_decref(k1);
	json_decref(k2);
	json_decref(k3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quarter),
		cmocka_unit_test(test_year_and_drilldown),
		cmocka_unit_test(test_exports),
		cmocka_unit_test(test_working_days_sql),
		cmocka_unit_test(test_kpis_follow_changes),
	};
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int rc = cmocka_run_group_tests_name("reports", tests, setup, teardown);
	curl_global_cleanup();
	return rc;
}
