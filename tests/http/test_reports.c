/*
 * KPIs against a fixed dataset whose figures were worked out by hand
 * (tests/http/reports_dataset.sql says how each row counts), with a
 * quarter still running on a fixed today; the rows behind every figure,
 * over that dataset and the demo; and the exports read back: CSV by
 * Python's csv module, XLSX by python3-openpyxl.
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

static struct itest_server server, demo;
static struct api lo, so, boss, demo_director, demo_repairs;
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
	/* A server over the suite's demo database first, on its day. */
	static char demo_day[64];
	const char *day = getenv("LINKDESK_TEST_DEMO_DAY");
	if (!day)
		fail_msg(
			"LINKDESK_TEST_DEMO_DAY is unset: run by tests/run.sh");
	snprintf(demo_day, sizeof(demo_day), "LINKDESK_TODAY=%s", day);
	const char *demo_env[] = {demo_day, NULL};
	itest_server_start(&demo, demo_env);
	api_signin(&demo_director, demo.base, "director");
	api_signin(&demo_repairs, demo.base, "repairs.officer");
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
	api_release(&demo_director);
	api_release(&demo_repairs);
	assert_int_equal(itest_server_stop(&server), 0);
	assert_int_equal(itest_server_stop(&demo), 0);
	return 0;
}

static long long fig(json_t *figures, const char *name)
{
	json_t *v = json_object_get(figures, name);
	if (!json_is_integer(v))
		fail_msg("figure %s is not a number", name);
	return json_integer_value(v);
}

static double num(json_t *figures, const char *name)
{
	json_t *v = json_object_get(figures, name);
	if (!json_is_number(v))
		fail_msg("figure %s is not a number", name);
	return json_number_value(v);
}

/* Each figure of a set, by name: {name, value}. */
struct want {
	const char *name;
	double value;
};

static void expect(json_t *figures, const struct want *w, size_t n,
		   const char *where)
{
	for (size_t i = 0; i < n; i++)
		if (num(figures, w[i].name) != w[i].value)
			fail_msg("%s: %s is %g, want %g", where, w[i].name,
				 num(figures, w[i].name), w[i].value);
}

#define EXPECT(f, w, where) expect(f, w, sizeof(w) / sizeof(w[0]), where)

/*
 * The working days a request took are core's calendar, stored: a bank
 * holiday added inside T1's span (1 to 20 July, 13 working days) takes one
 * off it, and the mean of T1 and T2 follows; taken away, it is back.
 */
static void test_days_follow_holidays(void **state)
{
	(void)state;
	static const char *const q = "/api/v1/kpis?period=2026-Q2";
	json_t *k = api_expect(&boss, 200, "GET", q, NULL);
	assert_true(num(json_object_get(k, "figures"), "evidence_days_mean") ==
		    16.5);
	json_decref(k);
	psql(db,
	     "-c \"INSERT INTO holiday (division, day, title, notes,"
	     " provisional) VALUES ('england-and-wales', '2026-07-08',"
	     " 'Test day', '', false); SELECT pg_notify('linkdesk_holidays',"
	     " '')\"");
	double mean = 0;
	for (int i = 0; i < 50 && mean != 16; i++) {
		usleep(100000); /* the server reloads its calendar */
		k = api_expect(&boss, 200, "GET", q, NULL);
		mean = num(json_object_get(k, "figures"), "evidence_days_mean");
		json_decref(k);
	}
	assert_true(mean == 16);
	assert_int_equal(api_sql_long("SELECT working_days FROM task_days"
				      " WHERE task_id = 1"),
			 12);
	psql(db, "-c \"DELETE FROM holiday WHERE day = '2026-07-08';"
		 " SELECT pg_notify('linkdesk_holidays', '')\"");
	for (int i = 0; i < 50 && mean != 16.5; i++) {
		usleep(100000);
		k = api_expect(&boss, 200, "GET", q, NULL);
		mean = num(json_object_get(k, "figures"), "evidence_days_mean");
		json_decref(k);
	}
	assert_true(mean == 16.5);
}

/* 2026-Q2, over: July to September 2026. */
static void test_quarter(void **state)
{
	(void)state;
	json_t *k = api_expect(&boss, 200, "GET", "/api/v1/kpis?period=2026-Q2",
			       NULL);
	json_t *p = json_object_get(k, "period");
	assert_string_equal(jstr(p, "from"), "2026-07-01");
	assert_string_equal(jstr(p, "to"), "2026-09-30");
	assert_string_equal(jstr(p, "as_of"), "2026-09-30");
	assert_false(json_is_true(json_object_get(p, "running")));
	static const struct want w[] = {
		/* C2 (1 July) and C3 (30 September); C1 and C4 either side. */
		{"cases_received", 2},
		/* Determinations made in the quarter: C1, C2, C3. */
		{"cases_investigated", 3},
		{"cases_closed", 1},
		{"closed_no_orders", 1},
		/* T1, T2, T3 set and due; T1 on time against the original
		 * date, T2 only against the revised one; T3 never sent. */
		{"evidence_requests", 3},
		{"evidence_due", 3},
		{"evidence_on_time", 2},
		{"evidence_on_time_rate", 66.7},
		{"evidence_on_time_original", 1},
		{"evidence_on_time_original_rate", 33.3},
		{"evidence_sent_late", 0},
		{"evidence_unsent", 1},
		{"evidence_extended", 1},
		/* (13 + 20) / 2 working days; the 90th percentile of {13, 20}.
		 */
		{"evidence_days_mean", 16.5},
		{"evidence_days_p90", 20},
		/* The 1st chaser in August; the final chaser is in Q3. */
		{"first_chasers", 1},
		{"final_chasers", 0},
		/* HOS by findings: maladministration, service failure of 3
		 * considered (reasonable redress is not adverse). */
		{"findings_considered", 3},
		{"findings_adverse", 2},
		{"maladministration_rate", 66.7},
		{"finding_reasonable_redress", 1},
		/* LGSCO by decisions: C3, no fault. */
		{"investigations_decided", 1},
		{"investigations_upheld", 0},
		{"uphold_rate", 0},
		/* R1 on time, R2 late (20 Sept, within three months). */
		{"orders_made", 2},
		{"recommendations_made", 2},
		{"orders_due", 2},
		{"orders_complied_on_time", 1},
		{"orders_on_time_rate", 50},
		{"orders_complied_3_months", 2},
		{"orders_3_months_rate", 100},
		{"recommendations_due", 0},
		{"compensation_ordered_pence", 35000},
		{"compensation_paid_pence", 35000},
		/* R3 and R4 made, not complied; C7's R10 (1 Oct) and R11. */
		{"remedies_open", 4},
		/* T3 was open, and overdue, on 30 September. */
		{"open_tasks_at_end", 1},
		{"overdue_tasks_at_end", 1},
	};
	EXPECT(json_object_get(k, "figures"), w, "2026-Q2");
	/* A rate of nothing is none, not nought. */
	assert_true(json_is_null(json_object_get(json_object_get(k, "figures"),
						 "recommendation_compliance_"
						 "rate")));
	/* Money in pounds beside the pence. */
	assert_string_equal(
		jstr(json_object_get(k, "figures"), "compensation_ordered"),
		"£350.00");

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
	/* By Ombudsman, each under its own name. */
	json_t *by = json_object_get(k, "by_ombudsman");
	json_t *hos = json_array_get(by, 0), *lgsco = json_array_get(by, 1);
	assert_string_equal(jstr(hos, "ombudsman"), "HOS");
	assert_string_equal(jstr(hos, "rate_basis"), "findings");
	assert_string_equal(jstr(lgsco, "rate_basis"), "decisions");
	assert_int_equal(fig(json_object_get(hos, "figures"), "cases_received"),
			 1); /* C2 */
	assert_true(num(json_object_get(hos, "figures"),
			"maladministration_rate") == 66.7);
	assert_true(json_is_null(json_object_get(
		json_object_get(hos, "figures"), "uphold_rate")));
	assert_int_equal(fig(json_object_get(lgsco, "figures"),
			     "investigations_decided"),
			 1);
	json_t *areas = json_object_get(k, "by_area");
	size_t i;
	json_t *a;
	int seen = 0;
	json_array_foreach(areas, i, a)
	{
		json_t *f = json_object_get(a, "figures");
		if (!strcmp(jstr(a, "name"), "Repairs")) {
			assert_int_equal(fig(f, "open_tasks_at_end"), 1);
			assert_int_equal(fig(f, "evidence_due"), 2);
			seen++;
		}
		if (!strcmp(jstr(a, "name"), "Housing")) {
			assert_int_equal(fig(f, "evidence_on_time"), 1);
			seen++;
		}
	}
	assert_int_equal(seen, 2);
	json_decref(k);
}

/*
 * 2026-Q3 on Monday 23 November 2026: reported as of today, every "at the
 * end" figure taken today.
 */
static void test_running_quarter(void **state)
{
	(void)state;
	json_t *k = api_expect(&boss, 200, "GET", "/api/v1/kpis?period=2026-Q3",
			       NULL);
	json_t *p = json_object_get(k, "period");
	assert_string_equal(jstr(p, "to"), "2026-12-31");
	assert_string_equal(jstr(p, "as_of"), "2026-11-23");
	assert_true(json_is_true(json_object_get(p, "running")));
	static const struct want w[] = {
		{"cases_received", 3}, /* C4, C5, C6 */
		{"cases_closed", 1},
		{"closed_withdrawn", 1},
		{"cases_investigated", 2},
		/* Set so far: T4 to T9 (T11 cancelled). */
		{"evidence_requests", 6},
		/* Due and settled: T4 on time, T5 late, T6 and T7 unsent
		 * past their dates; T8 not due, T9 due today. */
		{"evidence_due", 4},
		{"evidence_on_time", 1},
		{"evidence_on_time_rate", 25},
		{"evidence_on_time_original", 1},
		{"evidence_sent_late", 1},
		{"evidence_unsent", 2},
		{"evidence_extended", 1},
		{"evidence_days_mean", 15.5},
		{"evidence_days_p90", 18},
		{"first_chasers", 1},
		{"final_chasers", 1},
		{"sanctions", 2},
		{"sanctions_type_2", 1},
		{"sanctions_type_1", 0},
		/* Severe maladministration of 2 considered (outside
		 * jurisdiction is not). */
		{"findings_considered", 2},
		{"findings_adverse", 1},
		{"maladministration_rate", 50},
		{"finding_outside_jurisdiction", 1},
		{"investigations_decided", 1},
		{"investigations_upheld", 1},
		{"uphold_rate", 100},
		{"orders_made", 2},
		{"recommendations_made", 2},
		/* R5 due 16 Nov, not complied; R6 not due yet. */
		{"orders_due", 1},
		{"orders_complied_on_time", 0},
		{"orders_on_time_rate", 0},
		{"orders_not_complied", 1},
		/* R3 (10 Oct, never), R7 (on time), R8 (late). */
		{"recommendations_due", 3},
		{"recommendations_complied", 2},
		{"recommendation_compliance_rate", 66.7},
		{"recommendations_complied_on_time", 1},
		{"remedies_confirmed", 1},
		{"remedies_evidence_sent", 1},
		{"remedies_open", 5},
		{"compensation_ordered_pence", 143450},
		{"compensation_paid_pence", 20000},
		/* Today: T3, T6 to T10 open; T3, T6, T7 overdue (T10 is
		 * paused, T9 due today). */
		{"open_tasks_at_end", 6},
		{"overdue_tasks_at_end", 3},
	};
	json_t *f = json_object_get(k, "figures");
	EXPECT(f, w, "2026-Q3");
	assert_string_equal(jstr(f, "compensation_ordered"), "£1,434.50");
	assert_string_equal(jstr(f, "compensation_paid"), "£200.00");
	/* What the home page calls overdue today. */
	assert_int_equal(fig(f, "overdue_tasks_at_end"),
			 api_sql_long("SELECT count(*) FROM task t WHERE "
				      "task_overdue(t, '2026-11-23')"));
	json_t *by = json_object_get(k, "by_ombudsman");
	json_t *hos = json_object_get(json_array_get(by, 0), "figures");
	json_t *lgsco = json_object_get(json_array_get(by, 1), "figures");
	assert_int_equal(fig(hos, "evidence_due"), 2);
	assert_int_equal(fig(hos, "evidence_on_time"), 1);
	assert_int_equal(fig(lgsco, "evidence_due"), 2);
	assert_int_equal(fig(lgsco, "evidence_on_time"), 0);
	assert_int_equal(fig(lgsco, "sanctions"), 1);
	json_decref(k);

	/* The page says so, with the count beside the share. */
	struct itest_resp r;
	api_call(&boss, "GET", "/leadership?period=2026-Q3", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(
		strstr(r.body, "1 October to 23 November 2026, so far"));
	assert_non_null(strstr(r.body, "1 of 4, 25.0%"));
	assert_non_null(strstr(r.body, "£1,434.50"));
	assert_non_null(strstr(r.body, "Local Government and Social Care "
				       "Ombudsman"));
	itest_resp_release(&r);
}

/* 2026-Q1: C7's four orders, all due 1 May, in the Housing Ombudsman's
 * terms. */
static void test_order_compliance(void **state)
{
	(void)state;
	json_t *k = api_expect(&boss, 200, "GET", "/api/v1/kpis?period=2026-Q1",
			       NULL);
	static const struct want w[] = {
		{"orders_due", 4},
		{"orders_complied_on_time", 1},
		{"orders_on_time_rate", 25},
		{"orders_complied_3_months", 2},
		{"orders_3_months_rate", 50},
		{"orders_complied_6_months", 3},
		{"orders_6_months_rate", 75},
		{"orders_not_complied", 1},
		{"remedies_evidence_sent", 3},
		{"remedies_confirmed", 0},
	};
	EXPECT(json_object_get(k, "figures"), w, "2026-Q1");
	json_decref(k);
}

/*
 * Every figure equals the rows of its drill-down: a count their number, a
 * sum of money their amounts, a rate its numerator's rows, for a reader.
 */
static void drilldowns_agree(struct api *a, const char *period,
			     const char *narrow)
{
	json_t *k =
		api_expect(a, 200, "GET",
			   F("/api/v1/kpis?period=%s%s", period, narrow), NULL);
	json_t *cat = json_object_get(k, "catalogue"),
	       *f = json_object_get(k, "figures"), *def;
	size_t i;
	assert_true(json_array_size(cat) > 40);
	json_array_foreach(cat, i, def)
	{
		const char *name = jstr(def, "name"), *kind = jstr(def, "kind");
		const char *drill =
			!strcmp(kind, "rate") ? jstr(def, "numerator") : name;
		json_t *rows =
			api_expect(a, 200, "GET",
				   F("/api/v1/kpis/cases?period=%s&figure=%s%s",
				     period, name, narrow),
				   NULL);
		json_t *row;
		size_t j;
		long long total = 0;
		json_array_foreach(rows, j, row)
		{
			assert_non_null(jstr(row, "reference"));
			total += jint(json_object_get(row, "fact"),
				      "amount_pence");
		}
		long long n = (long long)json_array_size(rows);
		if (!strcmp(kind, "count") && n != fig(f, name))
			fail_msg("%s%s: %s is %lld, its drill-down %lld rows",
				 period, narrow, name, fig(f, name), n);
		if (!strcmp(kind, "money") && total != fig(f, name))
			fail_msg("%s%s: %s is %lld, its rows sum to %lld",
				 period, narrow, name, fig(f, name), total);
		if (!strcmp(kind, "rate") && n != fig(f, drill))
			fail_msg("%s%s: %s lists %lld rows, %s is %lld", period,
				 narrow, name, n, drill, fig(f, drill));
		json_decref(rows);
	}
	json_decref(k);
}

static void test_drilldowns_equal_figures(void **state)
{
	(void)state;
	static const char *const periods[] = {"2026-Q1", "2026-Q2", "2026-Q3",
					      "2026-27"};
	for (size_t i = 0; i < sizeof(periods) / sizeof(periods[0]); i++) {
		drilldowns_agree(&boss, periods[i], "");
		drilldowns_agree(&boss, periods[i], "&ombudsman=HOS");
		drilldowns_agree(&boss, periods[i], "&ombudsman=LGSCO");
		drilldowns_agree(&boss, periods[i], "&service_area_id=2");
		drilldowns_agree(&so, periods[i], "");
	}
	/* And over the demo, for the quarter and year running today. */
	drilldowns_agree(&demo_director, "2026-Q3", "");
	drilldowns_agree(&demo_director, "2026-27", "");
	drilldowns_agree(&demo_director, "2026-27", "&ombudsman=LGSCO");
	drilldowns_agree(&demo_repairs, "2026-27", "");
	/* A drill-down row is the thing counted, named. */
	json_t *rows = api_expect(&boss, 200, "GET",
				  "/api/v1/kpis/cases?period=2026-Q3&figure="
				  "evidence_unsent",
				  NULL);
	assert_int_equal(json_array_size(rows), 2);
	assert_string_equal(
		jstr(json_object_get(json_array_get(rows, 0), "fact"),
		     "detail"),
		"Assessment");
	assert_string_equal(
		jstr(json_object_get(json_array_get(rows, 1), "fact"),
		     "detail"),
		"Panel minutes");
	json_decref(rows);
}

static void test_year_and_drilldown(void **state)
{
	(void)state;
	json_t *k = api_expect(&lo, 200, "GET", "/api/v1/kpis?period=2026-27",
			       NULL);
	json_t *f = json_object_get(k, "figures");
	assert_int_equal(fig(f, "cases_received"), 6);
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
			   "/api/v1/kpis/cases?period=2026-Q3&figure="
			   "investigations_upheld",
			   NULL);
	assert_int_equal(json_array_size(cases), 1);
	assert_string_equal(jstr(json_array_get(cases, 0), "reference"),
			    "26 100 006");
	json_decref(cases);

	api_refused(&lo, 400, "invalid", "period", "GET",
		    "/api/v1/kpis?period=2026-Q5", NULL);
	api_refused(&lo, 400, "invalid", "period", "GET",
		    "/api/v1/kpis?period=2026-28", NULL);
	api_refused(&lo, 400, "invalid", "figure", "GET",
		    "/api/v1/kpis/cases?period=2026-Q2&figure=x", NULL);
	api_refused(&lo, 400, "invalid", "figure", "GET",
		    "/api/v1/kpis/cases?period=2026-Q2&figure=Cases%20received",
		    NULL);

	/* A service officer's figures are their area's. */
	k = api_expect(&so, 200, "GET", "/api/v1/kpis?period=2026-Q2", NULL);
	assert_int_equal(
		fig(json_object_get(k, "figures"), "evidence_requests"),
		2); /* T1 and T3, not Housing's T2 */
	json_decref(k);

	/* The drill-down page: one row a thing counted, with its case. */
	struct itest_resp r;
	api_call(&boss, "GET",
		 "/leadership/cases?period=2026-Q3&figure=evidence_due", NULL,
		 &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "Cases behind Evidence requests due"));
	assert_non_null(strstr(r.body, "4 rows"));
	assert_non_null(strstr(r.body, "Panel minutes"));
	itest_resp_release(&r);
	/* The annual report: the year so far, five years, what is open. */
	api_call(&boss, "GET", "/reports/annual?year=2026-27", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "1 April to 23 November 2026, so far"));
	assert_non_null(strstr(r.body, "2022-23"));
	assert_non_null(
		strstr(r.body, "Orders and recommendations still open: 5"));
	assert_non_null(strstr(r.body, "Treat the damp"));
	/* The year and the one before, in their own table and in the five
	 * years: the same figures, whichever reading gave them. */
	static const struct {
		const char *period, *want;
	} years[] = {{"2026-27", "6"}, {"2025-26", NULL}};
	for (size_t y = 0; y < sizeof(years) / sizeof(years[0]); y++) {
		const char *needle = F("period=%s&amp;figure=cases_received\">",
				       years[y].period);
		char seen[2][16];
		int n = 0;
		for (const char *at = r.body; (at = strstr(at, needle));) {
			at += strlen(needle);
			size_t len = strcspn(at, "<");
			if (!len)
				continue;
			if (n < 2)
				snprintf(seen[n], sizeof(seen[n]), "%.*s",
					 (int)len, at);
			n++;
		}
		assert_int_equal(n, 2);
		assert_string_equal(seen[0], seen[1]);
		if (years[y].want)
			assert_string_equal(seen[0], years[y].want);
	}
	itest_resp_release(&r);
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

/* The column of a header row named name, or -1. */
static int column(json_t *header, const char *name, bool xlsx)
{
	size_t i;
	json_t *h;
	json_array_foreach(header, i, h)
	{
		const char *v = xlsx ? jstr(h, "value") : json_string_value(h);
		if (v && !strcmp(v, name))
			return (int)i;
	}
	fail_msg("no column %s", name);
	return -1;
}

static void test_exports(void **state)
{
	(void)state;
	json_t *c = read_back("csv", &lo, "/api/v1/exports/case-log.csv");
	json_t *rows = json_object_get(c, "rows");
	assert_int_equal(json_array_size(rows), 8); /* header + 7 cases */
	json_t *head = json_array_get(rows, 0);
	assert_string_equal(json_string_value(json_array_get(head, 1)),
			    "Ombudsman reference");
	assert_string_equal(json_string_value(json_array_get(
				    head, json_array_size(head) - 1)),
			    "Resident");
	/* C7 (February) first, then C1. */
	json_t *c1 = json_array_get(rows, 2);
	assert_string_equal(json_string_value(json_array_get(c1, 1)),
			    "202610001");
	assert_string_equal(
		json_string_value(json_array_get(c1, json_array_size(c1) - 1)),
		"Quentin Canaryfold");
	assert_string_equal(
		json_string_value(json_array_get(
			c1, (size_t)column(head, "Ombudsman", false))),
		"Housing Ombudsman Service");
	assert_string_equal(json_string_value(json_array_get(
				    c1, (size_t)column(head, "Stage", false))),
			    "Remedies in progress");
	assert_string_equal(
		json_string_value(json_array_get(
			c1,
			(size_t)column(head, "Compensation ordered", false))),
		"£350.00");
	assert_string_equal(json_string_value(json_array_get(
				    json_array_get(rows, 4),
				    (size_t)column(head, "Outcome", false))),
			    "No orders"); /* C3 */
	json_decref(c);

	/* A service officer's export: the cases they can open (C2 and C5),
	 * no resident. */
	c = read_back("csv", &so, "/api/v1/exports/case-log.csv");
	rows = json_object_get(c, "rows");
	assert_int_equal(json_array_size(rows), 3);
	assert_string_equal(
		json_string_value(json_array_get(json_array_get(rows, 1), 1)),
		"202610002");
	char *dump = json_dumps(c, 0);
	assert_null(strstr(dump, "Canaryfold"));
	assert_null(strstr(dump, "Resident"));
	free(dump);
	json_decref(c);

	/* XLSX: a Cases sheet, a frozen bold header, dates as dates, money
	 * as currency. */
	json_t *x = read_back("xlsx", &lo, "/api/v1/exports/case-log.xlsx");
	assert_string_equal(jstr(x, "title"), "Cases");
	assert_string_equal(jstr(x, "freeze"), "A2");
	assert_true(json_is_true(json_object_get(x, "bold_header")));
	json_t *header = json_array_get(json_object_get(x, "rows"), 0);
	json_t *first = json_array_get(json_object_get(x, "rows"), 2);
	json_t *cell =
		json_array_get(first, (size_t)column(header, "Received", true));
	assert_string_equal(jstr(cell, "type"), "datetime");
	assert_non_null(strstr(jstr(cell, "value"), "2026-06-30"));
	cell = json_array_get(first,
			      (size_t)column(header, "Open tasks", true));
	assert_string_equal(jstr(cell, "type"), "int");
	cell = json_array_get(
		first, (size_t)column(header, "Compensation ordered", true));
	assert_string_equal(jstr(cell, "value"), "350");
	assert_non_null(strstr(jstr(cell, "format"), "£"));
	json_decref(x);

	/* The task log: human names and values, dates as dates. */
	x = read_back("xlsx", &so, "/api/v1/exports/task-log.xlsx");
	rows = json_object_get(x, "rows");
	assert_int_equal(json_array_size(rows), 8); /* T1 T3 T4 T5 T8 T10 T11 */
	header = json_array_get(rows, 0);
	first = json_array_get(rows, 1);
	assert_string_equal(
		jstr(json_array_get(first,
				    (size_t)column(header, "Kind", true)),
		     "value"),
		"Information request");
	assert_string_equal(
		jstr(json_array_get(first,
				    (size_t)column(header, "Status", true)),
		     "value"),
		"Sent to the Ombudsman");
	assert_string_equal(
		jstr(json_array_get(
			     first,
			     (size_t)column(header, "Evidence sent", true)),
		     "type"),
		"datetime");
	json_decref(x);

	/* A drill-down, as a spreadsheet too. */
	c = read_back("csv", &boss,
		      "/api/v1/exports/kpi/kpi-cases.csv?period=2026-Q2&figure="
		      "cases_received");
	assert_int_equal(json_array_size(json_object_get(c, "rows")), 3);
	json_decref(c);
	c = read_back("csv", &boss,
		      "/api/v1/exports/kpi/kpi-cases.csv?period=2026-Q3&figure="
		      "compensation_ordered_pence");
	rows = json_object_get(c, "rows");
	assert_int_equal(json_array_size(rows), 3);
	head = json_array_get(rows, 0);
	assert_string_equal(json_string_value(json_array_get(
				    json_array_get(rows, 1),
				    (size_t)column(head, "Amount", false))),
			    "£1,234.50");
	json_decref(c);
	api_refused(&lo, 404, "not_found", NULL, "GET",
		    "/api/v1/exports/other.csv", NULL);
	api_refused(&lo, 400, "invalid", "figure", "GET",
		    "/api/v1/exports/kpi/kpi-cases.csv?period=2026-Q2&figure=x",
		    NULL);
}

/* The row of a figure's label in a KPI export, or fail. */
static json_t *figure_row(json_t *rows, const char *label, bool xlsx)
{
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r)
	{
		json_t *c = json_array_get(r, 1);
		const char *v = xlsx ? jstr(c, "value") : json_string_value(c);
		if (v && !strcmp(v, label))
			return r;
	}
	fail_msg("no row %s", label);
	return NULL;
}

/*
 * The KPI export: one row a figure, a column each for the period (so far),
 * the quarter before and the same quarter a year earlier.
 */
static void test_kpi_export(void **state)
{
	(void)state;
	json_t *c = read_back("csv", &boss,
			      "/api/v1/exports/kpi/kpis.csv?period=2026-Q3");
	json_t *rows = json_object_get(c, "rows");
	json_t *head = json_array_get(rows, 0);
	assert_string_equal(json_string_value(json_array_get(head, 1)),
			    "Figure");
	assert_string_equal(json_string_value(json_array_get(head, 2)),
			    "2026-Q3 (so far)");
	assert_string_equal(json_string_value(json_array_get(head, 3)),
			    "2026-Q2");
	assert_string_equal(json_string_value(json_array_get(head, 4)),
			    "2025-Q3");
	/* One row a figure of the catalogue, under the header. */
	assert_int_equal(json_array_size(rows),
			 api_sql_long("SELECT count(*) FROM kpi_figure") + 1);
	json_t *r = figure_row(rows, "Evidence on time", false);
	assert_string_equal(json_string_value(json_array_get(r, 2)), "25.0%");
	assert_string_equal(json_string_value(json_array_get(r, 3)), "66.7%");
	assert_string_equal(json_string_value(json_array_get(r, 4)), "");
	r = figure_row(rows, "Compensation ordered", false);
	assert_string_equal(json_string_value(json_array_get(r, 2)),
			    "£1,434.50");
	assert_string_equal(json_string_value(json_array_get(r, 3)), "£350.00");
	assert_string_equal(json_string_value(json_array_get(r, 4)), "£0.00");
	r = figure_row(rows, "Evidence requests due", false);
	assert_string_equal(json_string_value(json_array_get(r, 2)), "4");
	json_decref(c);

	json_t *x = read_back("xlsx", &boss,
			      "/api/v1/exports/kpi/kpis.xlsx?period=2026-Q3");
	assert_string_equal(jstr(x, "title"), "Figures");
	rows = json_object_get(x, "rows");
	r = figure_row(rows, "Evidence on time", true);
	assert_string_equal(jstr(json_array_get(r, 2), "value"), "0.25");
	assert_string_equal(jstr(json_array_get(r, 2), "format"), "0.0%");
	r = figure_row(rows, "Compensation ordered", true);
	assert_string_equal(jstr(json_array_get(r, 2), "value"), "1434.5");
	assert_non_null(strstr(jstr(json_array_get(r, 2), "format"), "£"));
	r = figure_row(rows, "Evidence requests due", true);
	assert_string_equal(jstr(json_array_get(r, 2), "type"), "int");
	json_decref(x);
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

/*
 * A failure order's type, where it is recorded: only on a sanction notice,
 * only as one of the Ombudsman's own types (the Housing Ombudsman's 1 to
 * 3; the LGSCO's witness summons has none), and counted by type.
 */
static void test_chfo_types(void **state)
{
	(void)state;
	static const struct {
		const char *values, *refused_by;
	} rows[] = {
		/* C6 is the LGSCO's. */
		{"(6, 'in', 'sanction_notice', '2026-11-16', 'email', 1)",
		 "is not one of this Ombudsman's"},
		{"(5, 'in', 'sanction_notice', '2026-11-16', 'portal', 4)",
		 "is not one of this Ombudsman's"},
		{"(5, 'in', 'sanction_notice', '2026-11-16', 'portal', 0)",
		 "is not one of this Ombudsman's"},
		{"(5, 'in', 'final_chaser', '2026-11-16', 'portal', 1)",
		 "correspondence_chfo_type_kind"},
		{"(5, 'in', 'sanction_notice', '2026-11-16', 'portal', 3)",
		 NULL},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *out = NULL;
		int rc = api_sql(F("INSERT INTO correspondence (case_id, "
				   "direction, kind, dated_on, channel, "
				   "chfo_type) VALUES %s",
				   rows[i].values),
				 &out);
		if (rows[i].refused_by
			    ? rc == 0 || !strstr(out, rows[i].refused_by)
			    : rc != 0)
			fail_msg("%s: rc %d, %s", rows[i].values, rc, out);
		free(out);
	}
	/* Q3 so far: the type 2 of the data set and the type 3 above. */
	json_t *k = api_expect(&boss, 200, "GET", "/api/v1/kpis?period=2026-Q3",
			       NULL);
	json_t *f = json_object_get(k, "figures");
	assert_int_equal(fig(f, "sanctions"), 3);
	assert_int_equal(fig(f, "sanctions_type_1"), 0);
	assert_int_equal(fig(f, "sanctions_type_2"), 1);
	assert_int_equal(fig(f, "sanctions_type_3"), 1);
	json_decref(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quarter),
		cmocka_unit_test(test_days_follow_holidays),
		cmocka_unit_test(test_running_quarter),
		cmocka_unit_test(test_order_compliance),
		cmocka_unit_test(test_drilldowns_equal_figures),
		cmocka_unit_test(test_year_and_drilldown),
		cmocka_unit_test(test_exports),
		cmocka_unit_test(test_kpi_export),
		cmocka_unit_test(test_kpis_follow_changes),
		cmocka_unit_test(test_chfo_types),
	};
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int rc = cmocka_run_group_tests_name("reports", tests, setup, teardown);
	curl_global_cleanup();
	return rc;
}
