/*
 * The working-day calendar, dates and the holiday rules, table-driven, on
 * the real GOV.UK feed (tests/data, a copy of shared/data).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "date.h"
#include "holiday_feed.h"
#include "holiday_rules.h"
#include "workcal.h"

#define FEED "tests/data/bank-holidays-2019-2027.json"

static int32_t D(const char *s)
{
	int32_t d;
	if (date_parse(s, &d) != LD_OK)
		fail_msg("bad date in test table: %s", s);
	return d;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *p = malloc((size_t)n + 1);
	if (fread(p, 1, (size_t)n, f) != (size_t)n)
		fail_msg("cannot read %s", path);
	fclose(f);
	p[n] = '\0';
	*len = (size_t)n;
	return p;
}

/* England and Wales 2019-2027 from the feed, covering exactly those years. */
static int setup_cal(void **state)
{
	struct workcal *cal = malloc(sizeof(*cal));
	struct holiday_feed feed;
	char why[256];
	size_t len;
	char *text = slurp(FEED, &len);

	workcal_init(cal);
	assert_int_equal(holiday_feed_parse(text, len, &feed, why, sizeof(why)),
			 LD_OK);
	for (size_t i = 0; i < feed.n; i++)
		if (!strcmp(feed.events[i].division, "england-and-wales"))
			workcal_add_holiday(cal, feed.events[i].day);
	workcal_set_range(cal, D("2019-01-01"), D("2027-12-31"));
	holiday_feed_release(&feed);
	free(text);
	*state = cal;
	return 0;
}

static int teardown_cal(void **state)
{
	workcal_release(*state);
	free(*state);
	return 0;
}

static void test_date_parse(void **state)
{
	static const struct {
		const char *in;
		int ok;
	} cases[] = {
		{"2026-11-23", 1},  {"2024-02-29", 1},
		{"2000-02-29", 1},  {"1900-01-01", 1},
		{"2199-12-31", 1},  {"2026-02-30", 0},
		{"2023-02-29", 0},  {"1900-02-29", 0},
		{"2026-13-01", 0},  {"2026-00-10", 0},
		{"2026-04-31", 0},  {"2026-1-01", 0},
		{" 2026-01-01", 0}, {"2026-01-01 ", 0},
		{"2026/01/01", 0},  {"", 0},
		{"1899-12-31", 0},  {"2200-01-01", 0},
		{"２026-01-01", 0}, {"2026-01-0a", 0},
		{"+026-01-01", 0},
	};
	int32_t d;
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum ld_err err = date_parse(cases[i].in, &d);
		if ((err == LD_OK) != cases[i].ok)
			fail_msg("date_parse(\"%s\") gave %s", cases[i].in,
				 ld_err_name(err));
	}
	assert_int_equal(date_parse(NULL, &d), LD_EINVAL);
}

/* RFC 3339 times with their offsets, as API tokens' expiry takes them. */
static void test_timestamp_parse(void **state)
{
	static const struct {
		const char *in;
		int64_t unix_time; /* -1: refused */
	} cases[] = {
		{"1970-01-01T00:00:00Z", 0},
		{"2027-01-31T17:00:00Z", 1801414800},
		{"2027-01-31t17:00:00z", 1801414800},
		{"2027-01-31 17:00:00Z", 1801414800},
		{"2027-01-31T17:00:00.123456Z", 1801414800},
		{"2027-01-31T18:00:00+01:00", 1801414800},
		{"2027-01-31T12:00:00-05:00", 1801414800},
		{"2028-02-29T00:00:00Z", 1835395200},
		{"2027-02-29T00:00:00Z", -1},
		{"2027-01-31T24:00:00Z", -1},
		{"2027-01-31T17:00:00", -1},
		{"2027-01-31T17:00:00.Z", -1},
		{"2027-01-31T17:00:00+1:00", -1},
		{"2027-01-31T17:00:00+01:00x", -1},
		{"2027-01-31", -1},
		{"", -1},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t t = -1;
		enum ld_err err = date_parse_timestamp(cases[i].in, &t);
		if (cases[i].unix_time < 0) {
			if (err == LD_OK)
				fail_msg("%s accepted", cases[i].in);
		} else if (err || t != cases[i].unix_time) {
			fail_msg("%s: %lld, not %lld", cases[i].in,
				 (long long)t, (long long)cases[i].unix_time);
		}
	}
}

static void test_date_roundtrip_and_weekday(void **state)
{
	char out[DATE_STRLEN];
	int32_t d;
	(void)state;
	assert_int_equal(D("1970-01-01"), 0);
	assert_int_equal(date_weekday(D("2026-11-23")), 1); /* Monday */
	assert_int_equal(date_weekday(D("2025-12-19")), 5); /* Friday */
	assert_int_equal(date_weekday(D("1900-01-01")), 1);
	for (d = D("1900-01-01"); d <= D("2199-12-31"); d += 1) {
		int32_t back;
		date_format(d, out);
		assert_int_equal(date_parse(out, &back), LD_OK);
		assert_int_equal(back, d);
	}
}

static void test_date_london_clock_change(void **state)
{
	(void)state;
	/* 2026-03-29 01:00 UTC BST starts; 23:30 UTC on the 28th is still
	 * the 28th in London, 23:30 UTC on 29th is the 30th. */
	assert_int_equal(date_from_unix_london(1774740600), D("2026-03-28"));
	assert_int_equal(date_from_unix_london(1774827000), D("2026-03-30"));
	/* 2026-10-25 01:00 UTC BST ends: 23:30 UTC on the 25th is the 25th. */
	assert_int_equal(date_from_unix_london(1792971000), D("2026-10-25"));
	/* 2026-07-01 23:30 UTC is 00:30 on 2 July in London. */
	assert_int_equal(date_from_unix_london(1782948600), D("2026-07-02"));
}

static void test_easter(void **state)
{
	static const char *const easter[] = {
		"2018-04-01", "2019-04-21", "2020-04-12", "2021-04-04",
		"2022-04-17", "2023-04-09", "2024-03-31", "2025-04-20",
		"2026-04-05", "2027-03-28", "2028-04-16", "2029-04-01",
		"2030-04-21", "2038-04-25", "2285-03-22",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(easter) / sizeof(easter[0]); i++) {
		int year = (int)strtol(easter[i], NULL, 10);
		if (year > DATE_MAX_YEAR)
			continue;
		assert_int_equal(holiday_rules_easter(year), D(easter[i]));
	}
}

/*
 * The standard rules reproduce the published feed for every year but the
 * one-off changes, which are spelled out here.
 */
static void test_rules_match_feed(void **state)
{
	struct workcal *cal = *state;
	static const struct {
		const char *date;
		int in_feed; /* 1: feed only (one-off), 0: rules only (moved) */
	} oneoff[] = {
		{"2020-05-08", 1}, /* VE Day: Early May moved to Friday */
		{"2020-05-04", 0},
		{"2022-06-02", 1}, /* Spring bank holiday moved to Thursday */
		{"2022-05-30", 0},
		{"2022-06-03", 1}, /* Platinum Jubilee */
		{"2022-09-19", 1}, /* State funeral of Queen Elizabeth II */
		{"2023-05-08", 1}, /* Coronation of King Charles III */
	};
	for (int year = 2019; year <= 2027; year++) {
		struct holiday h[HOLIDAY_RULES_MAX];
		int n = holiday_rules_england_wales(year, h);
		int32_t first = date_from_ymd(year, 1, 1);
		int32_t last = date_from_ymd(year, 12, 31);
		assert_int_equal(n, 8);
		for (int32_t d = first; d <= last; d++) {
			if (date_weekday(d) > 5)
				continue;
			int by_rule = 0, expected;
			for (int i = 0; i < n; i++)
				by_rule |= h[i].day == d;
			expected = by_rule;
			for (size_t i = 0;
			     i < sizeof(oneoff) / sizeof(oneoff[0]); i++)
				if (D(oneoff[i].date) == d)
					expected = oneoff[i].in_feed;
			int holiday = !workcal_is_working_day(cal, d);
			if (holiday != expected) {
				char s[DATE_STRLEN];
				date_format(d, s);
				fail_msg("%s: feed says %s, rules %s", s,
					 holiday ? "holiday" : "working",
					 by_rule ? "holiday" : "working");
			}
		}
	}
}

/*
 * Every division's rules give the published days of 2019-2027 but for the
 * same one-off changes, everywhere: so a short year can be told.
 */
static void test_rules_every_division(void **state)
{
	static const char *const moved_or_added[] = {"2020-05-08", "2022-06-02",
						     "2022-06-03", "2022-09-19",
						     "2023-05-08"};
	static const char *const moved_from[] = {"2020-05-04", "2022-05-30"};
	static const int standard[] = {8, 9, 10};
	struct holiday_feed feed;
	char why[256];
	size_t len;
	(void)state;
	char *text = slurp(FEED, &len);
	assert_int_equal(holiday_feed_parse(text, len, &feed, why, sizeof(why)),
			 LD_OK);
	free(text);
	for (int dv = 0; dv < HOLIDAY_DIVISIONS; dv++) {
		const char *division = holiday_feed_divisions[dv];
		for (int year = 2019; year <= 2027; year++) {
			struct holiday h[HOLIDAY_RULES_MAX];
			int n = holiday_rules_division(division, year, h);
			assert_int_equal(n, standard[dv]);
			for (int i = 1; i < n; i++)
				assert_true(h[i - 1].day < h[i].day);
			for (int i = 0; i < n; i++) {
				bool published = false, moved = false;
				for (size_t k = 0; k < feed.n; k++)
					published |=
						feed.events[k].division ==
							division &&
						feed.events[k].day == h[i].day;
				for (size_t k = 0; k < 2; k++)
					moved |= D(moved_from[k]) == h[i].day;
				if (published == moved) {
					char d[DATE_STRLEN];
					date_format(h[i].day, d);
					fail_msg("%s %s %s: rules and feed "
						 "disagree",
						 division, d, h[i].title);
				}
			}
			for (size_t k = 0; k < feed.n; k++) {
				int y, m, d;
				bool by_rule = false, oneoff = false;
				date_to_ymd(feed.events[k].day, &y, &m, &d);
				if (feed.events[k].division != division ||
				    y != year)
					continue;
				for (int i = 0; i < n; i++)
					by_rule |=
						h[i].day == feed.events[k].day;
				for (size_t i = 0; i < 5; i++)
					oneoff |= D(moved_or_added[i]) ==
						  feed.events[k].day;
				if (by_rule == oneoff)
					fail_msg("%s %s: not by the rules",
						 division,
						 feed.events[k].title);
			}
		}
	}
	struct holiday h[HOLIDAY_RULES_MAX];
	assert_int_equal(holiday_rules_division("wales", 2027, h), 0);
	/* Scotland's pairs: 1 January 2022 a Saturday, 2023 a Sunday. */
	holiday_rules_division("scotland", 2022, h);
	assert_int_equal(h[0].day, D("2022-01-03"));
	assert_int_equal(h[1].day, D("2022-01-04"));
	holiday_rules_division("scotland", 2023, h);
	assert_int_equal(h[0].day, D("2023-01-02"));
	assert_string_equal(h[0].title, "2nd January");
	assert_int_equal(h[1].day, D("2023-01-03"));
	holiday_feed_release(&feed);
}

/* A feed of England and Wales days of one year, titled "Day N". */
static void feed_of(struct holiday_feed *feed, const char *const *days, int n)
{
	char text[4096];
	size_t o = 0;
	char why[256];
	o += (size_t)snprintf(text + o, sizeof(text) - o,
			      "{\"england-and-wales\": {\"events\": [");
	for (int i = 0; i < n; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o,
				      "%s{\"title\": \"Day %d\", \"date\":"
				      " \"%s\"}",
				      i ? ", " : "", i, days[i]);
	o += (size_t)snprintf(text + o, sizeof(text) - o, "]}}");
	if (holiday_feed_parse(text, o, feed, why, sizeof(why)))
		fail_msg("%s", why);
}

/* What an import would change, and when it is refused. */
static void test_import_plan(void **state)
{
	static const char *const days[] = {
		"2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03",
		"2027-05-31", "2027-08-30", "2027-12-27", "2027-12-28"};
	struct holiday_held held[9];
	struct holiday_feed feed;
	struct holiday_plan plan;
	char titles[8][16], line[256];
	(void)state;
	for (int i = 0; i < 8; i++) {
		snprintf(titles[i], sizeof(titles[i]), "Day %d", i);
		held[i] = (struct holiday_held){"england-and-wales", D(days[i]),
						titles[i], "", false};
	}
	/* Another year and division are none of this feed's business. */
	held[8] = (struct holiday_held){"scotland", D("2027-11-30"), "x", "",
					false};

	/* The same again: nothing to do. */
	feed_of(&feed, days, 8);
	holiday_plan_make(&feed, held, 9, &plan);
	assert_int_equal(plan.n, 0);
	assert_int_equal(plan.years, 1);
	assert_string_equal(plan.refusal, "");
	holiday_plan_release(&plan);
	holiday_feed_release(&feed);

	/* One event of 2027 only: seven published days would go. */
	feed_of(&feed, days + 6, 1);
	holiday_plan_make(&feed, held, 9, &plan);
	assert_int_equal(plan.added, 0);
	assert_int_equal(plan.changed, 1); /* titled "Day 0", not "Day 6" */
	assert_int_equal(plan.removed, 7);
	assert_non_null(
		strstr(plan.refusal,
		       "england-and-wales 2027: 7 published days would go"
		       " (2027-01-01 and more)"));
	assert_non_null(strstr(plan.refusal, "the file has 1 day, fewer than "
					     "the 8 of the standard rules"));
	holiday_change_text(&plan.changes[0], line, sizeof(line));
	assert_string_equal(line, "- england-and-wales 2027-01-01 Day 0");
	holiday_plan_release(&plan);

	/* Provisional days may go: only the count refuses this one. */
	for (int i = 0; i < 8; i++)
		held[i].provisional = true;
	holiday_plan_make(&feed, held, 9, &plan);
	assert_int_equal(plan.changed, 1); /* provisional becomes published */
	assert_null(strstr(plan.refusal, "published days would go"));
	assert_non_null(strstr(plan.refusal, "fewer than the 8"));
	holiday_plan_release(&plan);
	holiday_feed_release(&feed);

	/* A day moved and a title changed: a change, not a refusal... */
	static const char *const moved[] = {
		"2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03",
		"2027-06-07", "2027-08-30", "2027-12-27", "2027-12-28"};
	for (int i = 0; i < 8; i++)
		held[i].provisional = true;
	feed_of(&feed, moved, 8);
	holiday_plan_make(&feed, held, 9, &plan);
	assert_int_equal(plan.added, 1);
	assert_int_equal(plan.changed, 7);
	assert_int_equal(plan.removed, 1);
	assert_string_equal(plan.refusal, "");
	holiday_plan_release(&plan);
	/* ...unless the day it drops was published. */
	for (int i = 0; i < 8; i++)
		held[i].provisional = false;
	holiday_plan_make(&feed, held, 9, &plan);
	assert_int_equal(plan.added, 1);
	assert_int_equal(plan.changed, 0);
	assert_int_equal(plan.removed, 1);
	assert_string_equal(plan.refusal,
			    "england-and-wales 2027: 1 published day would go"
			    " (2027-05-31)");
	holiday_change_text(&plan.changes[0], line, sizeof(line));
	assert_string_equal(line, "- england-and-wales 2027-05-31 Day 4");
	holiday_change_text(&plan.changes[1], line, sizeof(line));
	assert_string_equal(line, "+ england-and-wales 2027-06-07 Day 4");
	holiday_plan_release(&plan);
	holiday_feed_release(&feed);
}

static void test_rules_substitutes(void **state)
{
	(void)state;
	static const struct {
		int year;
		const char *xmas, *boxing;
	} cases[] = {
		{2020, "2020-12-25", "2020-12-28"}, /* Fri: Boxing Mon 28 */
		{2021, "2021-12-27", "2021-12-28"}, /* Sat/Sun */
		{2022, "2022-12-27", "2022-12-26"}, /* Sun: Boxing keeps 26 */
		{2032, "2032-12-27", "2032-12-28"}, /* Sat */
		{2033, "2033-12-27", "2033-12-26"}, /* Sun */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct holiday h[HOLIDAY_RULES_MAX];
		holiday_rules_england_wales(cases[i].year, h);
		assert_int_equal(h[6].day == D(cases[i].xmas) ||
					 h[7].day == D(cases[i].xmas),
				 1);
		assert_int_equal(h[6].day == D(cases[i].boxing) ||
					 h[7].day == D(cases[i].boxing),
				 1);
	}
	struct holiday h[HOLIDAY_RULES_MAX];
	holiday_rules_england_wales(2028, h); /* New Year's Day on Saturday */
	assert_int_equal(h[0].day, D("2028-01-03"));
	assert_true(h[0].substitute);
}

static void test_add(void **state)
{
	struct workcal *cal = *state;
	static const struct {
		const char *from;
		int n;
		const char *due;
	} cases[] = {
		{"2026-11-23", 0, "2026-11-23"}, /* N = 0 is the day itself */
		{"2026-11-23", 1, "2026-11-24"},
		{"2026-11-20", 1, "2026-11-23"},  /* Friday to Monday */
		{"2026-11-21", 1, "2026-11-23"},  /* Saturday: as Friday */
		{"2026-11-22", 1, "2026-11-23"},  /* Sunday: as Friday */
		{"2026-11-23", 15, "2026-12-14"}, /* the evidence period */
		{"2026-11-23", 5, "2026-11-30"},
		{"2025-04-17", 1,
		 "2025-04-22"}, /* Good Friday, Easter Monday */
		{"2025-04-18", 1, "2025-04-22"},  /* arrives on Good Friday */
		{"2026-05-01", 1, "2026-05-05"},  /* Early May Monday */
		{"2026-05-22", 1, "2026-05-26"},  /* Spring bank holiday */
		{"2026-08-28", 1, "2026-09-01"},  /* Summer bank holiday */
		{"2026-12-24", 1, "2026-12-29"},  /* Boxing Day substitute */
		{"2021-12-24", 1, "2021-12-29"},  /* both substituted */
		{"2022-12-23", 1, "2022-12-28"},  /* Sunday Christmas */
		{"2026-12-31", 1, "2027-01-04"},  /* year boundary */
		{"2020-05-07", 1, "2020-05-11"},  /* VE Day 2020 */
		{"2020-05-01", 1, "2020-05-04"},  /* 4 May 2020 was working */
		{"2022-06-01", 1, "2022-06-06"},  /* Jubilee */
		{"2022-09-16", 1, "2022-09-20"},  /* State funeral */
		{"2023-05-05", 1, "2023-05-09"},  /* Coronation */
		{"2019-01-01", 20, "2019-01-29"}, /* from a holiday */
		{"2026-12-18", 15, "2027-01-13"}, /* across Christmas */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int32_t due;
		enum ld_err err =
			workcal_add(cal, D(cases[i].from), cases[i].n, &due);
		char got[DATE_STRLEN];
		if (err)
			fail_msg("%s + %d: %s", cases[i].from, cases[i].n,
				 ld_err_name(err));
		date_format(due, got);
		if (due != D(cases[i].due))
			fail_msg("%s + %d working days: got %s, want %s",
				 cases[i].from, cases[i].n, got, cases[i].due);
	}
}

/* A slow but obviously right count, to check the fast one against. */
static int naive_between(const struct workcal *cal, int32_t a, int32_t b)
{
	int n = 0;
	for (int32_t d = a + 1; d <= b; d++)
		n += workcal_is_working_day(cal, d);
	for (int32_t d = b + 1; d <= a; d++)
		n -= workcal_is_working_day(cal, d);
	return n;
}

static void test_between_and_large_n(void **state)
{
	struct workcal *cal = *state;
	int n;

	assert_int_equal(
		workcal_between(cal, D("2026-11-23"), D("2026-12-14"), &n),
		LD_OK);
	assert_int_equal(n, 15);
	assert_int_equal(
		workcal_between(cal, D("2026-12-14"), D("2026-11-23"), &n),
		LD_OK);
	assert_int_equal(n, -15);
	assert_int_equal(
		workcal_between(cal, D("2026-11-21"), D("2026-11-22"), &n),
		LD_OK);
	assert_int_equal(n, 0);

	/* 2019 to 2027: 2348 weekdays less 75 holidays on weekdays. */
	assert_int_equal(
		workcal_between(cal, D("2019-01-01"), D("2027-12-31"), &n),
		LD_OK);
	assert_int_equal(n,
			 naive_between(cal, D("2019-01-01"), D("2027-12-31")));

	/* Large N across several years, and add/between agree. */
	int32_t due;
	assert_int_equal(workcal_add(cal, D("2019-01-02"), 2000, &due), LD_OK);
	assert_int_equal(naive_between(cal, D("2019-01-02"), due), 2000);
	assert_true(workcal_is_working_day(cal, due));

	srand(2026);
	for (int i = 0; i < 3000; i++) {
		int32_t a = D("2019-01-01") + rand() % 3000;
		int k = rand() % 400;
		if (workcal_add(cal, a, k, &due) != LD_OK)
			continue;
		assert_int_equal(naive_between(cal, a, due), k);
		assert_int_equal(workcal_between(cal, a, due, &n), LD_OK);
		assert_int_equal(n, k);
		if (k > 0) /* the due date is the first such day */
			assert_int_equal(naive_between(cal, a, due - 1), k - 1);
	}
}

static void test_bad_input(void **state)
{
	struct workcal *cal = *state;
	int32_t due;
	int n;

	assert_int_equal(workcal_add(cal, D("2026-11-23"), -1, &due),
			 LD_EINVAL);
	assert_int_equal(workcal_add(cal, D("2018-12-31"), 1, &due), LD_ERANGE);
	assert_int_equal(workcal_add(cal, D("2027-12-30"), 5, &due), LD_ERANGE);
	assert_int_equal(
		workcal_between(cal, D("2018-12-31"), D("2019-01-02"), &n),
		LD_ERANGE);
	assert_int_equal(
		workcal_between(cal, D("2027-12-01"), D("2028-01-02"), &n),
		LD_ERANGE);
	assert_false(workcal_is_working_day(cal, D("2030-01-02")));

	struct workcal empty;
	workcal_init(&empty);
	assert_int_equal(workcal_add(&empty, D("2026-11-23"), 1, &due),
			 LD_ERANGE);
	workcal_release(&empty);
}

static void test_on_or_before(void **state)
{
	struct workcal *cal = *state;
	int32_t d;
	/* An order due on Boxing Day 2026's substitute Monday is planned to
	 * Thursday 24th. */
	assert_int_equal(workcal_on_or_before(cal, D("2026-12-28"), &d), LD_OK);
	assert_int_equal(d, D("2026-12-24"));
	assert_int_equal(workcal_on_or_before(cal, D("2026-11-23"), &d), LD_OK);
	assert_int_equal(d, D("2026-11-23"));
}

static void test_feed_errors(void **state)
{
	static const char *const bad[] = {
		"",
		"[]",
		"{}",
		"{\"wales\": {\"events\": []}}",
		"{\"scotland\": {}}",
		"{\"scotland\": {\"events\": [{\"title\": \"x\", \"date\": "
		"\"2026-02-30\"}]}}",
		"{\"scotland\": {\"events\": [{\"title\": \"\", \"date\": "
		"\"2026-02-03\"}]}}",
		"{\"scotland\": {\"events\": [{\"title\": \"x\"}]}}",
		"{\"scotland\": {\"events\": []}, \"scotland\": {\"events\": "
		"[]}}",
		"{\"scotland\": {\"events\": [{\"title\": \"x\", \"date\": "
		"\"2026-02-03\", \"notes\": 5}]}}",
		"{\"scotland\": {\"events\": [{\"title\": \"x\", \"date\": "
		"\"2026-02-03\"}, {\"title\": \"y\", \"date\": "
		"\"2026-02-03\"}]}}",
		" \n",
	};
	struct holiday_feed feed;
	char why[256];
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		assert_int_equal(holiday_feed_parse(bad[i], strlen(bad[i]),
						    &feed, why, sizeof(why)),
				 LD_EINVAL);
		assert_true(why[0] != '\0');
		assert_int_equal(feed.n, 0);
	}
	/* Each reason names the value at fault. */
	static const struct {
		const char *text, *why;
	} named[] = {
		{"", "the file is empty"},
		{"\n\t ", "the file is empty"},
		{"{\"england-and-wales\": {\"events\": [{\"title\": \"x\","
		 " \"date\": \"2027-02-30\"}]}}",
		 "england-and-wales: 2027-02-30 is not a date"},
		{"{\"scotland\": {\"events\": [{\"title\": \"x\"}]}}",
		 "scotland: event 1 has no \"date\""},
		{"{\"scotland\": {\"events\": [{\"title\": \"x\", \"date\":"
		 " \"2026-02-03\"}, {\"title\": \"y\", \"date\":"
		 " \"2026-02-03\"}]}}",
		 "scotland: 2026-02-03 is listed twice"},
	};
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		assert_int_equal(holiday_feed_parse(named[i].text,
						    strlen(named[i].text),
						    &feed, why, sizeof(why)),
				 LD_EINVAL);
		if (!strstr(why, named[i].why))
			fail_msg("%s: said \"%s\"", named[i].why, why);
	}
	const char *ok =
		"{\"scotland\": {\"division\": \"scotland\", \"events\": "
		"[{\"title\": \"St Andrew\\u2019s Day\", \"date\": "
		"\"2026-11-30\", \"notes\": \"\", \"bunting\": true}]}}";
	assert_int_equal(
		holiday_feed_parse(ok, strlen(ok), &feed, why, sizeof(why)),
		LD_OK);
	assert_int_equal(feed.n, 1);
	assert_string_equal(feed.events[0].title, "St Andrew\xe2\x80\x99s Day");
	holiday_feed_release(&feed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_date_parse),
		cmocka_unit_test(test_timestamp_parse),
		cmocka_unit_test(test_date_roundtrip_and_weekday),
		cmocka_unit_test(test_date_london_clock_change),
		cmocka_unit_test(test_easter),
		cmocka_unit_test(test_rules_substitutes),
		cmocka_unit_test(test_feed_errors),
		cmocka_unit_test(test_rules_every_division),
		cmocka_unit_test(test_import_plan),
		cmocka_unit_test_setup_teardown(test_rules_match_feed,
						setup_cal, teardown_cal),
		cmocka_unit_test_setup_teardown(test_add, setup_cal,
						teardown_cal),
		cmocka_unit_test_setup_teardown(test_between_and_large_n,
						setup_cal, teardown_cal),
		cmocka_unit_test_setup_teardown(test_bad_input, setup_cal,
						teardown_cal),
		cmocka_unit_test_setup_teardown(test_on_or_before, setup_cal,
						teardown_cal),
	};
	return cmocka_run_group_tests_name("calendar", tests, NULL, NULL);
}
