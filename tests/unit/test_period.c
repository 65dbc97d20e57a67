/*
 * Reporting periods, table by table: financial quarters and years as the
 * API spells them, the period before and the year before, the period
 * holding a day, and how a period still running is read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "date.h"
#include "period.h"

static int32_t D(const char *iso)
{
	int32_t d = 0;
	assert_int_equal(date_parse(iso, &d), 0);
	return d;
}

static void assert_period(const struct period *p, const char *label,
			  const char *from, const char *to)
{
	char f[DATE_STRLEN], t[DATE_STRLEN];
	date_format(p->from, f);
	date_format(p->to, t);
	if (strcmp(p->label, label) || strcmp(f, from) || strcmp(t, to))
		fail_msg("%s %s..%s, want %s %s..%s", p->label, f, t, label,
			 from, to);
}

/* Every spelling the API takes, and what it refuses. */
static void test_parse(void **state)
{
	(void)state;
	static const struct {
		const char *in, *label, *from, *to;
	} good[] = {
		{"2026-Q1", "2026-Q1", "2026-04-01", "2026-06-30"},
		{"2026-Q2", "2026-Q2", "2026-07-01", "2026-09-30"},
		{"2026-Q3", "2026-Q3", "2026-10-01", "2026-12-31"},
		/* The fourth quarter is in the next calendar year. */
		{"2026-Q4", "2026-Q4", "2027-01-01", "2027-03-31"},
		/* A leap year's February is inside Q4. */
		{"2027-Q4", "2027-Q4", "2028-01-01", "2028-03-31"},
		{"2026-27", "2026-27", "2026-04-01", "2027-03-31"},
		{"1999-00", "1999-00", "1999-04-01", "2000-03-31"},
	};
	static const char *const bad[] = {
		"",	    "2026",    "2026-Q0", "2026-Q5", "2026-q3",
		"2026-28",  "2026-26", "2026-2",  "26-27",   "2026-Q3 ",
		"2026-Q34", "x026-27", "2026-QQ", "2026/27", "2026-27x",
	};
	struct period p;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		memset(&p, 0, sizeof(p));
		if (period_parse(good[i].in, &p) != LD_OK)
			fail_msg("%s refused", good[i].in);
		assert_period(&p, good[i].label, good[i].from, good[i].to);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (period_parse(bad[i], &p) != LD_EINVAL)
			fail_msg("%s accepted", bad[i]);
	assert_int_equal(period_parse(NULL, &p), LD_EINVAL);
}

/* The period before, and the same period a year earlier. */
static void test_neighbours(void **state)
{
	(void)state;
	static const struct {
		const char *in, *previous, *year_earlier;
	} rows[] = {
		{"2026-Q3", "2026-Q2", "2025-Q3"},
		/* Q1's previous is the year before's Q4. */
		{"2026-Q1", "2025-Q4", "2025-Q1"},
		{"2026-Q4", "2026-Q3", "2025-Q4"},
		/* A year's previous period is the year before it. */
		{"2026-27", "2025-26", "2025-26"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct period p, prev, earlier;
		assert_int_equal(period_parse(rows[i].in, &p), LD_OK);
		period_previous(&p, &prev);
		period_year_earlier(&p, &earlier);
		if (strcmp(prev.label, rows[i].previous) ||
		    strcmp(earlier.label, rows[i].year_earlier))
			fail_msg("%s: previous %s, year earlier %s", rows[i].in,
				 prev.label, earlier.label);
		/* The previous period ends the day before this begins. */
		assert_int_equal(prev.to + 1, p.from);
	}
}

/* The quarter and the financial year holding a day. */
static void test_holding_a_day(void **state)
{
	(void)state;
	static const struct {
		const char *day, *quarter, *year;
	} rows[] = {
		{"2026-04-01", "2026-Q1", "2026-27"},
		{"2026-06-30", "2026-Q1", "2026-27"},
		{"2026-07-01", "2026-Q2", "2026-27"},
		{"2026-12-31", "2026-Q3", "2026-27"},
		{"2027-01-01", "2026-Q4", "2026-27"},
		{"2027-03-31", "2026-Q4", "2026-27"},
		{"2028-02-29", "2027-Q4", "2027-28"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct period q, y;
		period_quarter_of(D(rows[i].day), &q);
		period_year_of(D(rows[i].day), &y);
		if (strcmp(q.label, rows[i].quarter) ||
		    strcmp(y.label, rows[i].year))
			fail_msg("%s: in %s and %s", rows[i].day, q.label,
				 y.label);
		assert_true(q.from <= D(rows[i].day) && D(rows[i].day) <= q.to);
	}
}

/* Running, as of, and in words, on days before, inside and after. */
static void test_as_of(void **state)
{
	(void)state;
	static const struct {
		const char *period, *today;
		bool running;
		const char *as_of, *text;
	} rows[] = {
		{"2026-Q3", "2026-12-01", true, "2026-12-01",
		 "1 October to 1 December 2026, so far"},
		/* Its last day is not over while it is today. */
		{"2026-Q3", "2026-12-31", true, "2026-12-31",
		 "1 October to 31 December 2026, so far"},
		{"2026-Q3", "2027-01-01", false, "2026-12-31",
		 "1 October to 31 December 2026"},
		/* Today is its first day. */
		{"2026-Q3", "2026-10-01", true, "2026-10-01",
		 "1 October to 1 October 2026, so far"},
		/* Not begun: figures as of the day before it. */
		{"2027-Q1", "2026-12-01", false, "2027-03-31", NULL},
		{"2026-27", "2026-12-01", true, "2026-12-01",
		 "1 April to 1 December 2026, so far"},
		{"2026-27", "2027-06-01", false, "2027-03-31",
		 "1 April 2026 to 31 March 2027"},
		{"2026-Q4", "2027-02-10", true, "2027-02-10",
		 "1 January to 10 February 2027, so far"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct period p;
		char text[PERIOD_TEXT_LEN], as_of[DATE_STRLEN];
		int32_t today = D(rows[i].today);
		assert_int_equal(period_parse(rows[i].period, &p), LD_OK);
		if (period_running(&p, today) != rows[i].running)
			fail_msg("%s on %s: running is wrong", rows[i].period,
				 rows[i].today);
		int32_t on = period_as_of(&p, today);
		if (!rows[i].text) { /* not begun */
			assert_int_equal(on, p.from - 1);
			continue;
		}
		date_format(on, as_of);
		if (strcmp(as_of, rows[i].as_of))
			fail_msg("%s on %s: as of %s, want %s", rows[i].period,
				 rows[i].today, as_of, rows[i].as_of);
		period_text(&p, today, text);
		if (strcmp(text, rows[i].text))
			fail_msg("%s on %s: \"%s\", want \"%s\"",
				 rows[i].period, rows[i].today, text,
				 rows[i].text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_neighbours),
		cmocka_unit_test(test_holding_a_day),
		cmocka_unit_test(test_as_of),
	};
	return cmocka_run_group_tests_name("period", tests, NULL, NULL);
}
