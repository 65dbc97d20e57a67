/*
 * The forecast of late answers (core/forecast.c): the Kaplan-Meier curve
 * worked out by hand, censoring, conditioning on the days already open,
 * areas of different speeds, the fallback to the organisation's history,
 * the reason in words, the backtest against a naive baseline on a history
 * with a known pattern, and each sanction rule.
 *
 * The calendar here has weekends and no bank holidays, so working days can
 * be counted on the fingers.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "date.h"
#include "forecast.h"

static struct workcal cal;

static int32_t D(const char *s)
{
	int32_t d = 0;
	if (date_parse(s, &d))
		fail_msg("bad date %s", s);
	return d;
}

/* The nth working day after from. */
static int32_t W(int32_t from, int n)
{
	int32_t out;
	assert_int_equal(workcal_add(&cal, from, n, &out), LD_OK);
	return out;
}

static int setup(void **state)
{
	(void)state;
	workcal_init(&cal);
	workcal_set_range(&cal, D("2020-01-01"), D("2030-12-31"));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	workcal_release(&cal);
	return 0;
}

static void close_to(double got, double want)
{
	if (fabs(got - want) > 1e-9)
		fail_msg("got %.6f, want %.6f", got, want);
}

/* Kaplan-Meier by hand: each row a set of durations and S at times. */
static void test_survival_by_hand(void **state)
{
	static const struct {
		const char *name;
		int n;
		int days[8];
		bool answered[8];
		int at[4];
		double s[4];
	} cases[] = {
		/* No censoring: the empirical share still unanswered. */
		{"plain",
		 4,
		 {1, 2, 2, 4},
		 {1, 1, 1, 1},
		 {0, 1, 2, 4},
		 {1.0, 0.75, 0.25, 0.0}},
		/* 1, 2, 2, 3+ and 4: S(1) = 4/5, S(2) = 0.8 * 2/4, the
		 * censored one leaves the risk set, S(4) = 0.4 * 0/1. */
		{"censored",
		 5,
		 {1, 2, 2, 3, 4},
		 {1, 1, 1, 0, 1},
		 {1, 2, 3, 4},
		 {0.8, 0.4, 0.4, 0.0}},
		/* Censored at the same time as an answer is still at risk
		 * then: S(2) = 1 - 1/3 (not 1 - 1/2). */
		{"tie",
		 3,
		 {2, 2, 5},
		 {1, 0, 1},
		 {1, 2, 4, 5},
		 {1.0, 2.0 / 3.0, 2.0 / 3.0, 0.0}},
		/* Every task still open: nothing is known to be quick. */
		{"all open",
		 3,
		 {3, 4, 5},
		 {0, 0, 0},
		 {0, 3, 10, 100},
		 {1.0, 1.0, 1.0, 1.0}},
		/* An open task set today (censored at -1) says nothing. */
		{"set today",
		 3,
		 {-1, 2, 2},
		 {0, 1, 1},
		 {1, 2, 3, 0},
		 {1.0, 0.0, 0.0, 1.0}},
		/* Times past the due date, so days to spare are negative:
		 * S(-3) = 3/4, S(-1) = 0.75 * 2/3 (the one censored at -1
		 * still at risk then), S(2) = 0. */
		{"before due",
		 4,
		 {-3, -1, -1, 2},
		 {1, 1, 0, 1},
		 {-4, -3, 0, 2},
		 {1.0, 0.75, 0.5, 0.0}},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct survival sv;
		forecast_survival_build(&sv, cases[i].days, cases[i].answered,
					(size_t)cases[i].n);
		for (int k = 0; k < 4; k++) {
			double got = forecast_survival_at(&sv, cases[i].at[k]);
			if (fabs(got - cases[i].s[k]) > 1e-9)
				fail_msg("%s: S(%d) = %.4f, want %.4f",
					 cases[i].name, cases[i].at[k], got,
					 cases[i].s[k]);
		}
		forecast_survival_release(&sv);
	}
}

/* The observations later than t, answered or censored. */
static void test_survival_beyond(void **state)
{
	static const int days[] = {-3, -1, -1, 2, 5};
	static const bool answered[] = {1, 1, 0, 1, 0};
	static const struct {
		int t, beyond;
	} rows[] = {{-4, 5}, {-3, 4}, {-2, 4}, {-1, 2},
		    {1, 2},  {2, 1},  {4, 1},  {5, 0}};
	(void)state;
	struct survival sv;
	forecast_survival_build(&sv, days, answered, 5);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (forecast_survival_beyond(&sv, rows[i].t) != rows[i].beyond)
			fail_msg("beyond %d: %d, want %d", rows[i].t,
				 forecast_survival_beyond(&sv, rows[i].t),
				 rows[i].beyond);
	forecast_survival_release(&sv);
}

/*
 * Ten tasks of an area: five answered in 5 working days, five still open
 * after 20.  Dropping the open ones would say every task is answered in 5
 * days; counting them censored says half are slower than 15.
 */
static void test_censoring(void **state)
{
	(void)state;
	int32_t today = D("2026-06-01");
	struct forecast_task t[11];
	for (int i = 0; i < 5; i++) {
		int32_t set = W(D("2026-01-05"), i);
		t[i] = (struct forecast_task){i + 1, 7,		 0,
					      set,   W(set, 15), W(set, 5)};
	}
	for (int i = 5; i < 10; i++) {
		/* Set 21 working days before today: open 20 days by
		 * yesterday. */
		int32_t set = D("2026-05-01");
		t[i] = (struct forecast_task){i + 1, 7, 0, set, W(set, 15), 0};
	}
	/* The task to forecast, set today. */
	t[10] = (struct forecast_task){11, 7, 0, today, W(today, 15), 0};
	struct forecast_model m;
	struct forecast f;
	assert_int_equal(forecast_model_build(&m, &cal, t, 10, today, 0),
			 LD_OK);
	assert_int_equal(forecast_task(&m, &cal, &t[10], today, &f), LD_OK);
	assert_true(f.known);
	assert_false(f.fallback);
	assert_int_equal(f.history, 10);
	close_to(f.p_late, 0.5);
	forecast_model_release(&m);
}

/*
 * Conditioning on the days already open: half the area answers in 2
 * working days, half in 20.  A new request is late with probability 1/2;
 * one already open 5 days without an answer is one of the slow half.
 */
static void test_conditioning_on_elapsed(void **state)
{
	(void)state;
	int32_t start = D("2025-01-06");
	struct forecast_task t[20];
	for (int i = 0; i < 20; i++) {
		int32_t set = W(start, i * 2);
		t[i] = (struct forecast_task){
			i + 1, 3, 0, set, W(set, 15), W(set, i % 2 ? 20 : 2)};
	}
	int32_t today = D("2026-03-02");
	struct forecast_model m;
	assert_int_equal(forecast_model_build(&m, &cal, t, 20, today, 0),
			 LD_OK);
	static const struct {
		int open_days; /* working days since set, today */
		double p;
	} rows[] = {{0, 0.5}, {1, 0.5}, {2, 0.5},
		    {3, 1.0}, {5, 1.0}, {15, 1.0}};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		/* Set open_days working days before today. */
		int32_t set = today;
		while (1) {
			int n;
			assert_int_equal(workcal_between(&cal, set, today, &n),
					 LD_OK);
			if (n >= rows[i].open_days)
				break;
			set--;
		}
		struct forecast_task x = {99, 3, 0, set, W(set, 15), 0};
		struct forecast f;
		assert_int_equal(forecast_task(&m, &cal, &x, today, &f), LD_OK);
		assert_int_equal(f.elapsed, rows[i].open_days);
		if (fabs(f.p_late - rows[i].p) > 1e-9)
			fail_msg("open %d days: P(late) %.4f, want %.4f",
				 rows[i].open_days, f.p_late, rows[i].p);
	}
	/* Past its due date, unanswered: late for certain. */
	struct forecast_task x = {
		98, 3, 0, D("2026-01-05"), W(D("2026-01-05"), 15), 0};
	struct forecast f;
	assert_int_equal(forecast_task(&m, &cal, &x, today, &f), LD_OK);
	assert_true(f.overdue);
	close_to(f.p_late, 1.0);
	forecast_model_release(&m);
}

/*
 * Two areas of different speeds, and a third with too little history:
 * each forecast follows its own area, the third the organisation's, and
 * the reasons say so.
 */
static void test_areas_and_reasons(void **state)
{
	(void)state;
	struct forecast_task t[64];
	size_t n = 0;
	int32_t start = D("2025-09-01");
	for (int i = 0; i < 20; i++) {
		int32_t set = W(start, i);
		/* Area 1 answers in 5 working days, area 2 in 25, except
		 * three of area 1's, answered in 20. */
		t[n] = (struct forecast_task){(int64_t)n + 1,
					      1,
					      0,
					      set,
					      W(set, 15),
					      W(set, i % 7 == 3 ? 20 : 5)};
		n++;
		t[n] = (struct forecast_task){(int64_t)n + 1, 2,	 0, set,
					      W(set, 15),     W(set, 25)};
		n++;
	}
	for (int i = 0; i < 3; i++) {
		int32_t set = W(start, i);
		t[n] = (struct forecast_task){(int64_t)n + 1, 3,	0, set,
					      W(set, 15),     W(set, 4)};
		n++;
	}
	int32_t today = D("2026-02-02");
	struct forecast_model m;
	assert_int_equal(forecast_model_build(&m, &cal, t, n, today, 0), LD_OK);
	int32_t set = W(D("2026-01-20"), 0); /* 9 working days ago */
	struct forecast fast, slow, thin;
	struct forecast_task a = {101, 1, 0, set, W(set, 15), 0};
	struct forecast_task b = {102, 2, 0, set, W(set, 15), 0};
	struct forecast_task c = {103, 3, 0, set, W(set, 15), 0};
	assert_int_equal(forecast_task(&m, &cal, &a, today, &fast), LD_OK);
	assert_int_equal(forecast_task(&m, &cal, &b, today, &slow), LD_OK);
	assert_int_equal(forecast_task(&m, &cal, &c, today, &thin), LD_OK);
	assert_int_equal(fast.elapsed, 9);
	/* Area 1: of those still open after 8 days (the three slow ones),
	 * all took 20: late.  Area 2: all late. */
	close_to(fast.p_late, 1.0);
	close_to(slow.p_late, 1.0);
	assert_false(fast.fallback);
	assert_true(thin.fallback);
	assert_int_equal(thin.area_tasks, 3);

	struct buf r;
	buf_init(&r, 1000);
	assert_int_equal(
		forecast_reason(&fast, "Repairs and Maintenance", 0, &r),
		LD_OK);
	assert_string_equal(buf_str(&r),
			    "Repairs and Maintenance has answered 17 of its "
			    "last 20 information requests by their due dates; "
			    "this one has been open 9 of its 15 working days.");
	buf_reset(&r);
	assert_int_equal(forecast_reason(&thin, "Planning", 0, &r), LD_OK);
	assert_string_equal(buf_str(&r),
			    "Planning has too little history of information "
			    "requests (3), so the organisation's is used: 0 "
			    "of the last 20 were answered by their due dates; "
			    "this one has been open 9 of its 15 working days.");
	buf_release(&r);

	/* A fresh request in area 1 is quick (3 in 20 late); in area 2
	 * late. */
	struct forecast_task a0 = {104, 1, 0, today, W(today, 15), 0};
	struct forecast_task b0 = {105, 2, 0, today, W(today, 15), 0};
	assert_int_equal(forecast_task(&m, &cal, &a0, today, &fast), LD_OK);
	assert_int_equal(forecast_task(&m, &cal, &b0, today, &slow), LD_OK);
	close_to(fast.p_late, 3.0 / 20.0);
	close_to(slow.p_late, 1.0);
	assert_int_equal(forecast_percent(fast.p_late), 15);
	forecast_model_release(&m);
}

/*
 * Open longer than any of its area's tasks on record: the area's curve
 * ends there, and says nothing of what comes after (it would read as
 * never answered, so late for certain).  The organisation's curve of the
 * kind answers, and the reason says so.  Quick Area answers in 2 to 4
 * working days; Steady Area half in 10 (on time), half in 20 (late).
 */
static void test_longer_than_its_area(void **state)
{
	(void)state;
	struct forecast_task t[40];
	size_t n = 0;
	int32_t start = D("2025-09-01");
	for (int i = 0; i < 12; i++) {
		int32_t set = W(start, i);
		t[n] = (struct forecast_task){
			(int64_t)n + 1,	  5, 0, set, W(set, 15),
			W(set, 2 + i % 3)};
		n++;
		t[n] = (struct forecast_task){(int64_t)n + 1, 6,	 0, set,
					      W(set, 15),     W(set, 10)};
		n++;
		t[n] = (struct forecast_task){(int64_t)n + 1, 6,	 0, set,
					      W(set, 15),     W(set, 20)};
		n++;
	}
	int32_t today = D("2026-02-02");
	struct forecast_model m;
	assert_int_equal(forecast_model_build(&m, &cal, t, n, today, 0), LD_OK);
	static const struct {
		int64_t area;
		int open_days;
		double p;
		bool fallback, longest;
	} rows[] = {
		/* Within its area's record: its own curve. */
		{5, 0, 0.0, false, false},
		{5, 3, 0.0, false, false},
		/* Beyond it: of the organisation's still open after 7 days
		 * (Steady Area's 24), half were late. */
		{5, 5, 0.5, true, true},
		{5, 8, 0.5, true, true},
		/* Beyond even those answered in 10: all the rest were late. */
		{5, 12, 1.0, true, true},
		{6, 8, 0.5, false, false},
		{6, 12, 1.0, false, false},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int32_t set = today;
		for (int k = 0; k < rows[i].open_days; k++)
			do
				set--;
			while (!workcal_is_working_day(&cal, set));
		struct forecast_task x = {99,  rows[i].area, 0,
					  set, W(set, 15),   0};
		struct forecast f;
		assert_int_equal(forecast_task(&m, &cal, &x, today, &f), LD_OK);
		assert_int_equal(f.elapsed, rows[i].open_days);
		if (fabs(f.p_late - rows[i].p) > 1e-9 ||
		    f.fallback != rows[i].fallback ||
		    f.longest != rows[i].longest)
			fail_msg("area %lld open %d: P(late) %.4f fallback %d "
				 "longest %d, want %.4f %d %d",
				 (long long)rows[i].area, rows[i].open_days,
				 f.p_late, f.fallback, f.longest, rows[i].p,
				 rows[i].fallback, rows[i].longest);
		if (rows[i].open_days == 8 && rows[i].area == 5) {
			struct buf r;
			buf_init(&r, 1000);
			assert_int_equal(
				forecast_reason(&f, "Quick Area", 0, &r),
				LD_OK);
			assert_string_equal(
				buf_str(&r),
				"None of Quick Area's 12 information requests "
				"on record was unanswered as long as this one, "
				"so the organisation's history is used: 8 of "
				"the last 20 were answered by their due dates; "
				"this one has been open 8 of its 15 working "
				"days.");
			buf_release(&r);
		}
	}
	forecast_model_release(&m);
}

/*
 * Each past task against its own allowance: an area's orders, half given
 * 20 working days and answered in 18, half given 60 and answered in 50,
 * every one on time.  Durations alone would say half take longer than 20
 * days, so a new order due in 20 is as likely late as not, and one open
 * 55 days is slower than all of them; against their allowances neither
 * is likely late.
 */
static void test_own_allowance(void **state)
{
	(void)state;
	struct forecast_task t[20];
	int32_t start = D("2025-01-06");
	for (int i = 0; i < 20; i++) {
		int32_t set = W(start, i * 3);
		int allowed = i % 2 ? 60 : 20;
		t[i] = (struct forecast_task){i + 1,
					      8,
					      2,
					      set,
					      W(set, allowed),
					      W(set, allowed == 20 ? 18 : 50)};
	}
	int32_t today = D("2026-03-02");
	struct forecast_model m;
	assert_int_equal(forecast_model_build(&m, &cal, t, 20, today, 0),
			 LD_OK);
	struct forecast f;
	struct forecast_task fresh = {98, 8, 2, today, W(today, 20), 0};
	assert_int_equal(forecast_task(&m, &cal, &fresh, today, &f), LD_OK);
	assert_false(f.fallback);
	close_to(f.p_late, 0.0);
	int32_t set = today;
	for (int k = 0; k < 55; k++)
		do
			set--;
		while (!workcal_is_working_day(&cal, set));
	struct forecast_task slow = {99, 8, 2, set, W(set, 60), 0};
	assert_int_equal(forecast_task(&m, &cal, &slow, today, &f), LD_OK);
	assert_int_equal(f.elapsed, 55);
	assert_false(f.fallback);
	close_to(f.p_late, 0.0);
	assert_int_equal(f.recent, 20);
	assert_int_equal(f.recent_in_time, 20);
	forecast_model_release(&m);
}

/* What was known on a day: answers after it are not used. */
static void test_known_that_day(void **state)
{
	(void)state;
	struct forecast_task t[12];
	int32_t start = D("2026-01-05");
	for (int i = 0; i < 12; i++) {
		int32_t set = W(start, i);
		t[i] = (struct forecast_task){i + 1, 4,		 2,
					      set,   W(set, 20), W(set, 30)};
	}
	/* On the day the first is 10 days old nothing is answered yet. */
	struct forecast_model m;
	int32_t day = W(start, 11);
	assert_int_equal(forecast_model_build(&m, &cal, t, 12, day, 0), LD_OK);
	struct forecast f;
	struct forecast_task x = {50, 4, 2, day, W(day, 20), 0};
	assert_int_equal(forecast_task(&m, &cal, &x, day, &f), LD_OK);
	assert_int_equal(f.recent, 0);
	close_to(f.p_late, 1.0); /* nothing known yet: S stays 1 */
	forecast_model_release(&m);
	/* A month later they are all answered, in 30: late. */
	day = W(start, 60);
	assert_int_equal(forecast_model_build(&m, &cal, t, 12, day, 0), LD_OK);
	x.set_on = day;
	x.due_on = W(day, 20);
	assert_int_equal(forecast_task(&m, &cal, &x, day, &f), LD_OK);
	assert_int_equal(f.recent, 12);
	assert_int_equal(f.recent_in_time, 0);
	close_to(f.p_late, 1.0);
	forecast_model_release(&m);
}

/* A small deterministic generator. */
static uint32_t rnd_state = 12345;
static int rnd(int n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (int)((rnd_state >> 16) % (uint32_t)n);
}

/*
 * The backtest on a history with a known pattern: a fast area (3 to 9
 * working days), a slow one (12 to 24) and one of two kinds (half in 2 to
 * 4, half in 18 to 26), 15 working days allowed.  The forecast, which
 * knows how long each task has been open, must beat each area's late
 * rate; its calibration must order the outcomes.
 */
static void test_backtest_beats_baseline(void **state)
{
	(void)state;
	size_t n = 0, cap = 3 * 520;
	struct forecast_task *t = calloc(cap, sizeof(*t));
	int32_t start = D("2024-01-01");
	int32_t end = D("2026-01-05");
	for (int d = 0; d < 500; d++) {
		int32_t set = W(start, d);
		for (int area = 1; area <= 3; area++) {
			int days = area == 1   ? 3 + rnd(7)
				   : area == 2 ? 12 + rnd(13)
				   : rnd(2)    ? 2 + rnd(3)
					       : 18 + rnd(9);
			int32_t ans = W(set, days);
			t[n] = (struct forecast_task){
				(int64_t)n + 1,	    area, 0, set, W(set, 15),
				ans < end ? ans : 0};
			n++;
		}
	}
	struct forecast_score s;
	assert_int_equal(forecast_backtest(&cal, t, n, D("2025-06-02"),
					   D("2025-09-30"), end, 365, &s),
			 LD_OK);
	assert_true(s.predictions > 1000);
	print_message("backtest: %ld forecasts, Brier %.4f, baseline %.4f\n",
		      s.predictions, s.brier, s.baseline_brier);
	if (!(s.brier < s.baseline_brier))
		fail_msg("Brier %.4f does not beat the baseline's %.4f",
			 s.brier, s.baseline_brier);
	/* Well ahead: the baseline cannot tell a fresh task from one a
	 * week old. */
	assert_true(s.brier < 0.75 * s.baseline_brier);
	assert_true(s.deciles[0].n > 0 && s.deciles[9].n > 0);
	assert_true(s.deciles[0].observed < 0.2);
	assert_true(s.deciles[9].observed > 0.8);
	long total = 0;
	for (int d = 0; d < FORECAST_DECILES; d++)
		total += s.deciles[d].n;
	assert_int_equal(total, s.predictions);
	free(t);
}

/* England and Wales bank holidays, from data/bank-holidays-2019-2027.json. */
static const char *const bank_holidays[] = {
	"2020-01-01", "2020-04-10", "2020-04-13", "2020-05-08", "2020-05-25",
	"2020-08-31", "2020-12-25", "2020-12-28", "2021-01-01", "2021-04-02",
	"2021-04-05", "2021-05-03", "2021-05-31", "2021-08-30", "2021-12-27",
	"2021-12-28", "2022-01-03", "2022-04-15", "2022-04-18", "2022-05-02",
	"2022-06-02", "2022-06-03", "2022-08-29", "2022-09-19", "2022-12-26",
	"2022-12-27", "2023-01-02", "2023-04-07", "2023-04-10", "2023-05-01",
	"2023-05-08", "2023-05-29", "2023-08-28", "2023-12-25", "2023-12-26",
	"2024-01-01", "2024-03-29", "2024-04-01", "2024-05-06", "2024-05-27",
	"2024-08-26", "2024-12-25", "2024-12-26", "2025-01-01", "2025-04-18",
	"2025-04-21", "2025-05-05", "2025-05-26", "2025-08-25", "2025-12-25",
	"2025-12-26",
};

/*
 * The backtest where history is thin, as in a small organisation (the
 * bench's small dataset): 80 areas, a case of five requests every few
 * months each, answered in calendar days at one of four speeds (2 to 10,
 * 8 to 16, 15 to 23, 24 to 32 days; 21 allowed, fewer working days when
 * bank holidays fall in them), two years of history.  Most tasks late or
 * not are told apart by their area alone, so the forecast wins only if it
 * is not thrown by what thin curves cannot say: a task open longer than
 * its area's record, and allowances shortened by bank holidays.
 */
static void test_backtest_thin_history(void **state)
{
	(void)state;
	struct workcal hcal;
	workcal_init(&hcal);
	for (size_t i = 0; i < sizeof(bank_holidays) / sizeof(bank_holidays[0]);
	     i++)
		workcal_add_holiday(&hcal, D(bank_holidays[i]));
	workcal_set_range(&hcal, D("2020-01-01"), D("2025-12-31"));
	static const int speed[] = {6, 12, 19, 28};
	size_t n = 0, cap = 8000;
	struct forecast_task *t = calloc(cap, sizeof(*t));
	int32_t start = D("2021-01-04"), end = D("2025-01-06");
	rnd_state = 12345;
	for (int a = 1; a <= 80; a++)
		for (int32_t d = start + rnd(120); d < end - 40;
		     d += 60 + rnd(120))
			for (int k = 0; k < 5 && n < cap; k++) {
				int32_t ans = d + speed[a % 4] + rnd(9) - 4;
				t[n] = (struct forecast_task){
					(int64_t)n + 1,	    a, 0, d, d + 21,
					ans < end ? ans : 0};
				n++;
			}
	struct forecast_score s;
	assert_int_equal(forecast_backtest(&hcal, t, n, D("2024-01-01"),
					   D("2024-12-31"), end, 730, &s),
			 LD_OK);
	print_message("thin backtest: %ld forecasts, Brier %.4f, baseline "
		      "%.4f\n",
		      s.predictions, s.brier, s.baseline_brier);
	assert_true(s.predictions > 5000);
	if (!(s.brier < s.baseline_brier))
		fail_msg("Brier %.4f does not beat the baseline's %.4f",
			 s.brier, s.baseline_brier);
	/* Nothing forecast certain that was not: the top decile is late. */
	assert_true(s.deciles[9].observed > 0.95);
	free(t);
	workcal_release(&hcal);
}

/* Each sanction rule of the table, met and not met. */
static void test_sanction_rules(void **state)
{
	(void)state;
	int32_t today = D("2026-11-23"); /* a Monday */
	static const struct {
		const char *name;
		struct sanction_facts f;
		const char *rules; /* codes flagged, comma-separated */
		const char *act_by[2];
	} cases[] = {
		{"HOS final chaser, request open",
		 {"HOS", .final_chaser_on = 1, .open_requests = 1},
		 "hos_final_chaser",
		 {"2026-11-20"}},
		{"HOS final chaser with its own date",
		 {"HOS", .final_chaser_on = 1, .final_chaser_due = 2,
		  .open_requests = 2},
		 "hos_final_chaser",
		 {"2026-11-30"}},
		{"HOS final chaser, request answered",
		 {"HOS", .final_chaser_on = 1, .open_requests = 0},
		 "",
		 {NULL}},
		{"LGSCO final chaser and past its date",
		 {"LGSCO", .final_chaser_on = 1, .chaser_on = 1,
		  .open_requests = 1, .open_due = 3},
		 "lgsco_final_chaser,lgsco_past_due_after_chaser",
		 {"2026-11-20", "2026-11-23"}},
		{"LGSCO past its date, never chased",
		 {"LGSCO", .open_requests = 1, .open_due = 3},
		 "",
		 {NULL}},
		{"LGSCO chased, not yet due",
		 {"LGSCO", .chaser_on = 1, .open_requests = 1, .open_due = 4},
		 "",
		 {NULL}},
		{"HOS extension due in 3 working days, no update",
		 {"HOS", .extension_on = 5, .extension_due = 6,
		  .open_requests = 1},
		 "hos_extension_no_update",
		 {"2026-11-26"}},
		{"HOS extension due in 4 working days",
		 {"HOS", .extension_on = 5, .extension_due = 7,
		  .open_requests = 1},
		 "",
		 {NULL}},
		{"HOS extension, an update sent since",
		 {"HOS", .extension_on = 5, .extension_due = 6, .update_on = 8,
		  .open_requests = 1},
		 "",
		 {NULL}},
		{"LGSCO extension: not an LGSCO rule",
		 {"LGSCO", .extension_on = 5, .extension_due = 6,
		  .open_requests = 1},
		 "",
		 {NULL}},
	};
	/* The dates the facts above name by number. */
	int32_t dates[] = {0,
			   D("2026-11-13"),  /* 1: a final chaser, a Friday */
			   D("2026-11-30"),  /* 2: its own response date */
			   D("2026-11-20"),  /* 3: a due date passed */
			   D("2026-11-24"),  /* 4: tomorrow */
			   D("2026-11-02"),  /* 5: extension agreed */
			   D("2026-11-26"),  /* 6: revised, 3 working days */
			   D("2026-11-27"),  /* 7: revised, 4 working days */
			   D("2026-11-10")}; /* 8: an update sent */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sanction_facts f = cases[i].f;
		int32_t *fields[] = {&f.final_chaser_on, &f.final_chaser_due,
				     &f.chaser_on,	 &f.extension_on,
				     &f.extension_due,	 &f.update_on,
				     &f.open_due};
		for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
			*fields[k] = dates[*fields[k]];
		struct sanction_flag out[8];
		size_t got = forecast_sanctions(&cal, &f, today, out, 8);
		char codes[200] = "";
		for (size_t k = 0; k < got; k++) {
			char when[DATE_STRLEN];
			snprintf(codes + strlen(codes),
				 sizeof(codes) - strlen(codes), "%s%s",
				 k ? "," : "", out[k].rule->code);
			date_format(out[k].act_by, when);
			if (k < 2 && cases[i].act_by[k] &&
			    strcmp(when, cases[i].act_by[k]))
				fail_msg("%s: %s act by %s, want %s",
					 cases[i].name, out[k].rule->code, when,
					 cases[i].act_by[k]);
			assert_non_null(out[k].rule->words);
			assert_true(out[k].since > 0);
		}
		if (strcmp(codes, cases[i].rules))
			fail_msg("%s: flagged \"%s\", want \"%s\"",
				 cases[i].name, codes, cases[i].rules);
	}
	/* Every rule of the table is met by some case above. */
	for (size_t r = 0; r < forecast_sanction_rules_count; r++) {
		bool seen = false;
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			seen |= strstr(cases[i].rules,
				       forecast_sanction_rules[r].code) != NULL;
		if (!seen)
			fail_msg("rule %s has no test",
				 forecast_sanction_rules[r].code);
	}
}

static void test_kinds(void **state)
{
	(void)state;
	assert_int_equal(forecast_kind("information_request"), 0);
	assert_int_equal(forecast_kind("order"), 2);
	assert_int_equal(forecast_kind("nonsense"), -1);
	assert_int_equal(forecast_kind(NULL), -1);
	assert_int_equal(forecast_percent(0.456), 46);
	assert_int_equal(forecast_percent(1.2), 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_survival_by_hand),
		cmocka_unit_test(test_survival_beyond),
		cmocka_unit_test(test_censoring),
		cmocka_unit_test(test_conditioning_on_elapsed),
		cmocka_unit_test(test_areas_and_reasons),
		cmocka_unit_test(test_longer_than_its_area),
		cmocka_unit_test(test_own_allowance),
		cmocka_unit_test(test_known_that_day),
		cmocka_unit_test(test_backtest_beats_baseline),
		cmocka_unit_test(test_backtest_thin_history),
		cmocka_unit_test(test_sanction_rules),
		cmocka_unit_test(test_kinds),
	};
	return cmocka_run_group_tests_name("forecast", tests, setup, teardown);
}
