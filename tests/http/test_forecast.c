/*
 * Forecasts of late answers and sanction risk over HTTP, on a history with
 * a known pattern (tests/http/forecast_dataset.sql): each area's forecast
 * and reason, the organisation's history for a thin area, the one area
 * rule, the sanction flags with by when to act, the pages that show them,
 * and the backtest beating the naive baseline.
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
#include "forecast_store.h"

static struct itest_server server;
static struct api lo, so, boss;

static void psql(const char *dbname, const char *args)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd),
		 "psql -X -q -v ON_ERROR_STOP=1 '%s dbname=%s' %s >/dev/null",
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
	char db[64];
	(void)state;
	snprintf(db, sizeof(db), "forecast_%d", (int)getpid());
	psql("linkdesk", F("-c 'CREATE DATABASE %s'", db));
	snprintf(url, sizeof(url), "LINKDESK_DATABASE_URL=%s dbname=%s",
		 getenv("LINKDESK_DATABASE_URL"), db);
	snprintf(owner, sizeof(owner),
		 "LINKDESK_OWNER_DATABASE_URL=%s dbname=%s",
		 getenv("LINKDESK_OWNER_DATABASE_URL"), db);
	putenv(url);
	putenv(owner);
	assert_int_equal(
		itest_sh("\"$LINKDESK_BIN\" migrate >/dev/null 2>&1", NULL), 0);
	psql(db, F("-f '%s/tests/http/forecast_dataset.sql'",
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

/* The task of a list with this id, or NULL. */
static json_t *task_in(json_t *list, long id)
{
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(list, "tasks"), i,
			   t) if (jint(t, "id") == id) return t;
	return NULL;
}

static void test_each_area_its_own_speed(void **state)
{
	(void)state;
	json_t *all = api_expect(&lo, 200, "GET", "/api/v1/forecasts", NULL);
	json_t *fast = json_object_get(task_in(all, 1001), "forecast");
	json_t *slow = json_object_get(task_in(all, 1002), "forecast");
	json_t *mixed = json_object_get(task_in(all, 1003), "forecast");
	json_t *tiny = json_object_get(task_in(all, 1004), "forecast");
	assert_non_null(fast);
	assert_non_null(slow);
	assert_non_null(mixed);
	assert_non_null(tiny);
	assert_int_equal(jint(fast, "percent"), 0);
	assert_false(json_is_true(json_object_get(fast, "likely_late")));
	assert_string_equal(jstr(fast, "reason"),
			    "Fast Repairs has answered 20 of its last 20 "
			    "information requests by their due dates; "
			    "this one has been open 1 of its 15 working days.");
	assert_int_equal(jint(slow, "percent"), 100);
	assert_string_equal(jstr(slow, "reason"),
			    "Slow Housing has answered 0 of its last 20 "
			    "information requests by their due dates; "
			    "this one has been open 5 of its 15 working days.");
	/* Open 5 days in an area that answers in 2 or in 40: slow. */
	assert_int_equal(jint(mixed, "percent"), 100);
	assert_true(json_is_true(json_object_get(tiny, "fallback")));
	assert_non_null(strstr(jstr(tiny, "reason"),
			       "Tiny Planning has too little history of "
			       "information requests (4), so the "
			       "organisation's is used"));
	json_decref(all);

	/* The likely-late list: the slow ones, soonest due first. */
	json_t *late = api_expect(&lo, 200, "GET",
				  "/api/v1/forecasts?likely_late=true", NULL);
	assert_null(task_in(late, 1001));
	assert_non_null(task_in(late, 1002));
	json_t *first = json_array_get(json_object_get(late, "tasks"), 0);
	assert_int_equal(jint(first, "id"), 1011); /* due 22 October */
	assert_int_equal(jint(late, "total"),
			 json_array_size(json_object_get(late, "tasks")));
	/* The first of a list, and the total of it all: every area's list
	 * is counted from the model's tallies, an officer's by reading. */
	static const char *const lists[] = {
		"/api/v1/forecasts", "/api/v1/forecasts?likely_late=true"};
	struct api *readers[] = {&lo, &so};
	for (size_t w = 0; w < 2; w++)
		for (size_t l = 0; l < 2; l++) {
			json_t *whole = api_expect(readers[w], 200, "GET",
						   lists[l], NULL);
			json_t *one = api_expect(
				readers[w], 200, "GET",
				F("%s%slimit=1", lists[l], l ? "&" : "?"),
				NULL);
			assert_true(jint(whole, "total") > 1 || w == 1);
			assert_int_equal(jint(one, "total"),
					 jint(whole, "total"));
			assert_int_equal(
				json_array_size(json_object_get(one, "tasks")),
				jint(whole, "total") ? 1 : 0);
			json_decref(whole);
			json_decref(one);
		}
	json_decref(late);
	api_refused(&lo, 400, "invalid", "likely_late", "GET",
		    "/api/v1/forecasts?likely_late=maybe", NULL);
	api_refused(&lo, 400, "invalid", "limit", "GET",
		    "/api/v1/forecasts?limit=0", NULL);
}

/* A service-area officer sees their own area's forecasts and flags only. */
static void test_area_rule(void **state)
{
	(void)state;
	json_t *all = api_expect(&so, 200, "GET", "/api/v1/forecasts", NULL);
	size_t i;
	json_t *t;
	assert_non_null(task_in(all, 1001));
	json_array_foreach(json_object_get(all, "tasks"), i, t)
		assert_int_equal(jint(json_object_get(t, "service_area"), "id"),
				 1);
	json_decref(all);
	json_t *flags =
		api_expect(&so, 200, "GET", "/api/v1/sanction-risks", NULL);
	assert_int_equal(json_array_size(flags), 0);
	json_decref(flags);
	struct itest_resp r;
	api_call(&so, "GET", "/this-week", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body, "Slow open"));
	itest_resp_release(&r);
}

/* Each rule the dataset meets, with by when to act. */
static void test_sanction_flags(void **state)
{
	(void)state;
	static const struct {
		long case_id;
		const char *rule, *act_by;
	} want[] = {
		{13, "lgsco_past_due_after_chaser", "2026-11-23"},
		{11, "hos_final_chaser", "2026-11-25"},
		{12, "hos_extension_no_update", "2026-11-25"},
	};
	json_t *flags =
		api_expect(&lo, 200, "GET", "/api/v1/sanction-risks", NULL);
	assert_int_equal(json_array_size(flags), 3);
	for (size_t i = 0; i < 3; i++) {
		json_t *f = json_array_get(flags, i);
		assert_int_equal(jint(f, "case_id"), want[i].case_id);
		assert_string_equal(jstr(f, "rule"), want[i].rule);
		assert_string_equal(jstr(f, "act_by"), want[i].act_by);
		assert_true(strlen(jstr(f, "words")) > 20);
	}
	json_decref(flags);
	/* The case page says which rule and by when. */
	struct itest_resp r;
	api_call(&lo, "GET", "/cases/12", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "no update by the agreed date"));
	assert_non_null(strstr(r.body, "Act by Wednesday 25 November 2026"));
	itest_resp_release(&r);
}

static void test_pages(void **state)
{
	(void)state;
	struct itest_resp r;
	api_call(&lo, "GET", "/home", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "Likely to be late"));
	assert_non_null(strstr(r.body, "Slow Housing has answered 0 of its"));
	assert_null(strstr(r.body, "Fast open"));
	assert_non_null(strstr(r.body, "witness summons"));
	itest_resp_release(&r);
	api_call(&lo, "GET", "/tasks/1002", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "100% likely to be late"));
	itest_resp_release(&r);
	api_call(&lo, "GET", "/tasks/1001", NULL, &r);
	assert_non_null(strstr(r.body, "0% likely to be late"));
	itest_resp_release(&r);
	/* This week: Monday 23 to Sunday 29 November; 1012 is due on the
	 * 25th. */
	api_call(&lo, "GET", "/this-week", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "Extended"));
	assert_null(strstr(r.body, "Slow open"));
	itest_resp_release(&r);
	/* Leadership: the quarter October to December 2026. */
	json_t *e = NULL;
	api_call(&boss, "GET", "/leadership?period=2026-Q3", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "Late answers expected"));
	/* 1011 (22 October) and 1013 (13 November) are late so far. */
	assert_non_null(strstr(r.body, "2 of the tasks due in the period"));
	itest_resp_release(&r);
	json_decref(e);
}

static void test_backtest(void **state)
{
	(void)state;
	json_t *b = api_expect(
		&boss, 200, "GET",
		"/api/v1/forecasts/backtest?from=2026-04-01&to=2026-09-30",
		NULL);
	double brier = json_number_value(json_object_get(b, "brier"));
	double base = json_number_value(json_object_get(b, "baseline_brier"));
	print_message("backtest: %lld forecasts, Brier %.4f, baseline %.4f\n",
		      jint(b, "predictions"), brier, base);
	assert_true(jint(b, "predictions") > 500);
	assert_true(brier < base);
	assert_int_equal(json_array_size(json_object_get(b, "deciles")), 10);
	json_decref(b);
	api_refused(&boss, 400, "invalid", "from", "GET",
		    "/api/v1/forecasts/backtest?from=soon&to=2026-09-30", NULL);
	api_refused(&boss, 400, "invalid", "to", "GET",
		    "/api/v1/forecasts/backtest?from=2026-04-01&to=2027-01-01",
		    NULL);
	api_refused(&so, 403, "forbidden", NULL, "GET",
		    "/api/v1/forecasts/backtest?from=2026-04-01&to=2026-09-30",
		    NULL);
}

/* GET path as the link officer: its body (free() it), status checked. */
static char *page_body(const char *path, long status)
{
	return api_page_body(&lo, path, status);
}

/* Home's count of likely-late tasks. */
static long home_likely_late(void)
{
	static const char at[] = "id=\"likely-late\">Likely to be late "
				 "<span class=\"govuk-caption-m app-count\">";
	char *page = page_body("/home", 200);
	const char *p = strstr(page, at);
	assert_non_null(p);
	long n = atol(p + strlen(at));
	free(page);
	return n;
}

/*
 * Home's lists are kept until something commits, and its forecasts may be
 * a model up to FORECAST_FRESH_SECONDS old: once that model is replaced,
 * home shows the new one's, even with nothing committed since (it kept
 * the old model's until the next commit, however long that was).
 */
static void test_home_forecasts_follow_changes(void **state)
{
	(void)state;
	long before = home_likely_late();
	api_exec("INSERT INTO task (case_id, kind, title, service_area_id,"
		 " set_on, due_on, due_rule) VALUES (2, 'information_request',"
		 " 'Slow open too', 2, '2026-11-16', '2026-12-07',"
		 " 'working_days:15')");
	(void)home_likely_late(); /* may still be the older model's */
	sleep(FORECAST_FRESH_SECONDS + 1);
	assert_int_equal(home_likely_late(), before + 1);
}

/*
 * The home page shows the first 10 likely-late tasks and the 10 flags
 * soonest to act on, however many there are, each with the total and a
 * link to the page of every one: 60 more HOS cases, each with a final
 * chaser received on a day of its own and its overdue request unanswered.
 */
static void test_home_shows_ten_pages_show_all(void **state)
{
	(void)state;
	char *out = NULL;
	/* A few: no link to the rest. */
	char *home = page_body("/home", 200);
	assert_null(strstr(home, "See all"));
	free(home);
	assert_int_equal(
		api_sql("WITH c AS (INSERT INTO complaint (id, reference, "
			"category, service_area_id, received_on) SELECT 100 + "
			"g, 'B-' || g, 'Repairs', 2, '2026-01-05' FROM "
			"generate_series(1, 60) g RETURNING id),"
			" o AS (INSERT INTO ombudsman_case (id, complaint_id, "
			"ombudsman_id, reference, stage, received_on) SELECT "
			"id, id, 1, (202690000 + id)::text, 'investigation', "
			"'2026-01-05' FROM c RETURNING id),"
			" t AS (INSERT INTO task (case_id, kind, title, "
			"service_area_id, set_on, due_on, due_rule) SELECT id, "
			"'information_request', 'Chased ' || id, 2, "
			"'2026-10-01', date '2026-10-22' + (id - 100)::int, "
			"'working_days:15' FROM o)"
			" INSERT INTO correspondence (case_id, direction, "
			"kind, "
			"dated_on, channel) SELECT id, 'in', 'final_chaser', "
			"date '2026-09-01' + (id - 100)::int, 'portal' FROM o",
			&out),
		0);
	free(out);
	/* A model this young is reused: wait for the next. */
	sleep(11);
	json_t *flags =
		api_expect(&lo, 200, "GET", "/api/v1/sanction-risks", NULL);
	json_t *late = api_expect(
		&lo, 200, "GET",
		"/api/v1/forecasts?likely_late=true&limit=1000", NULL);
	size_t nflags = json_array_size(flags);
	long nlate = jint(late, "total");
	assert_true(nflags > 60);
	assert_true(nlate > 60);
	assert_int_equal(json_array_size(json_object_get(late, "tasks")),
			 nlate);
	json_t *flag_ids = json_array(), *late_ids = json_array(), *v;
	size_t i;
	json_array_foreach(flags, i, v) json_array_append_new(
		flag_ids, json_integer(jint(v, "case_id")));
	json_array_foreach(json_object_get(late, "tasks"), i, v)
		json_array_append_new(late_ids, json_integer(jint(v, "id")));

	home = page_body("/home", 200);
	assert_int_equal(api_occurrences(home, "app-sanction"), 10);
	assert_int_equal(api_occurrences(home, "data-label=\"Risk and why\""),
			 10);
	/* The first ten of each, soonest first: the chaser of 2 September
	 * is shown, the latest of the sixty (30 October) is not. */
	for (i = 0; i < 10; i++) {
		assert_non_null(
			strstr(home, F("href=\"/tasks/%lld\"",
				       (long long)json_integer_value(
					       json_array_get(late_ids, i)))));
		assert_non_null(
			strstr(home, F("href=\"/cases/%lld\"",
				       (long long)json_integer_value(
					       json_array_get(flag_ids, i)))));
	}
	assert_non_null(strstr(home, "HOS 202690101</a>: A final chaser"));
	assert_null(strstr(home, "HOS 202690160</a>: A final chaser"));
	/* ...the totals, and the links to every one. */
	assert_non_null(strstr(
		home, F("<a class=\"govuk-link\" href=\"/likely-late\">See all "
			"%ld tasks likely to be late</a>",
			nlate)));
	assert_non_null(strstr(
		home, F("<a class=\"govuk-link\" href=\"/sanction-risk\">See "
			"all %zu cases at risk of a sanction</a>",
			nflags)));
	free(home);

	api_pages_hold(&lo, "/likely-late", "tasks", late_ids);
	api_pages_hold(&lo, "/sanction-risk", "cases", flag_ids);
	/* The same reasons and tags as home. */
	char *page = page_body("/likely-late", 200);
	assert_non_null(strstr(page, "Slow Housing has answered 0 of its"));
	assert_non_null(strstr(page, "govuk-tag--red"));
	assert_non_null(strstr(page, F("Page 1 of %ld.", (nlate + 49) / 50)));
	free(page);
	page = page_body("/sanction-risk", 200);
	assert_non_null(strstr(page, "Act by "));
	free(page);
	/* Who sees home's forecast parts sees these pages. */
	struct itest_resp r;
	api_call(&so, "GET", "/likely-late", NULL, &r);
	assert_int_equal(r.status, 403);
	itest_resp_release(&r);
	api_call(&boss, "GET", "/sanction-risk", NULL, &r);
	assert_int_equal(r.status, 403);
	itest_resp_release(&r);
	json_decref(flag_ids);
	json_decref(late_ids);
	json_decref(flags);
	json_decref(late);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_area_its_own_speed),
		cmocka_unit_test(test_area_rule),
		cmocka_unit_test(test_sanction_flags),
		cmocka_unit_test(test_pages),
		cmocka_unit_test(test_home_forecasts_follow_changes),
		cmocka_unit_test(test_backtest),
		cmocka_unit_test(test_home_shows_ten_pages_show_all),
	};
	return cmocka_run_group_tests_name("forecast", tests, setup, teardown);
}
