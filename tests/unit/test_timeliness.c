/*
 * Stage timeliness against the Complaint Handling Code, worked out by hand
 * on the real England and Wales calendar.
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
#include "timeliness.h"

static struct workcal cal;

static int32_t D(const char *s)
{
	int32_t d = 0;
	if (s && date_parse(s, &d))
		fail_msg("bad date %s", s);
	return s ? d : 0;
}

static int setup(void **state)
{
	FILE *f = fopen("tests/data/bank-holidays-2019-2027.json", "rb");
	static char text[40000];
	size_t n = fread(text, 1, sizeof(text), f);
	struct holiday_feed feed;
	char why[200];
	(void)state;
	fclose(f);
	workcal_init(&cal);
	assert_int_equal(holiday_feed_parse(text, n, &feed, why, sizeof(why)),
			 LD_OK);
	for (size_t i = 0; i < feed.n; i++)
		if (!strcmp(feed.events[i].division, "england-and-wales"))
			workcal_add_holiday(&cal, feed.events[i].day);
	workcal_set_range(&cal, D("2019-01-01"), D("2027-12-31"));
	holiday_feed_release(&feed);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	workcal_release(&cal);
	return 0;
}

static const struct code_limits code2024 = {5, 10, 10, true, 5, 20, 20, true};
static const struct code_limits code2020 = {5, 10, 10, false, 5, 20, 10, false};

static void test_met_across_christmas(void **state)
{
	struct step s[TIMELINESS_STEPS];
	(void)state;
	/* Received Monday 21 December 2026.  Acknowledgement due 5 working
	 * days later: 22, 23, 24, 29, 30 (25 and 28 are bank holidays). */
	struct complaint_dates d = {.received = D("2026-12-21"),
				    .s1_ack = D("2026-12-30"),
				    .s1_response = D("2027-01-14")};
	assert_int_equal(
		timeliness_steps(&cal, &code2024, &d, D("2027-02-01"), s),
		LD_OK);
	assert_int_equal(s[0].due, D("2026-12-30"));
	assert_int_equal(s[0].state, STEP_MET);
	/* Response 10 working days from 30 Dec: 31, 4-8, 11-14 (1 Jan is a
	 * holiday) = 14 January. */
	assert_int_equal(s[1].due, D("2027-01-14"));
	assert_int_equal(s[1].state, STEP_MET);
	assert_int_equal(s[2].state, STEP_NOT_STARTED);
}

static void test_missed_and_extension(void **state)
{
	struct step s[TIMELINESS_STEPS];
	(void)state;
	/* Received Thursday 23 April 2026: acknowledgement due after 24, 27,
	 * 28, 29 and 30 April.  Acknowledged Tuesday 5 May: 1 May and 5 May
	 * late (4 May is the Early May bank holiday), so 2 working days. */
	struct complaint_dates d = {.received = D("2026-04-23"),
				    .s1_ack = D("2026-05-05"),
				    .s1_response = D("2026-06-02"),
				    .s1_extension = 10};
	assert_int_equal(
		timeliness_steps(&cal, &code2024, &d, D("2026-07-01"), s),
		LD_OK);
	assert_int_equal(s[0].due, D("2026-04-30"));
	assert_int_equal(s[0].state, STEP_MISSED);
	assert_int_equal(s[0].late_by, 2);
	/* 10 + 10 extension working days from 5 May: due 3 June (25 May is
	 * the Spring bank holiday); answered 2 June. */
	assert_int_equal(s[1].due, D("2026-06-03"));
	assert_int_equal(s[1].state, STEP_MET);
	assert_false(s[1].extension_over);

	/* An extension beyond the Code counts only to its limit. */
	d.s1_extension = 15;
	assert_int_equal(
		timeliness_steps(&cal, &code2024, &d, D("2026-07-01"), s),
		LD_OK);
	assert_true(s[1].extension_over);
	assert_int_equal(s[1].due, D("2026-06-03"));
}

static void test_stage2_and_overdue(void **state)
{
	struct step s[TIMELINESS_STEPS];
	(void)state;
	struct complaint_dates d = {.received = D("2026-01-05"),
				    .s1_ack = D("2026-01-06"),
				    .s1_response = D("2026-01-15"),
				    .escalated = D("2026-08-20"),
				    .s2_ack = D("2026-08-27")};
	/* Stage 2 ack due 5 working days from Thursday 20 August: 21, 24,
	 * 25, 26, 27 (31 August is later). Response 20 working days from 27
	 * August: 28, 1 Sep ... (31 Aug holiday) = 25 September. */
	assert_int_equal(
		timeliness_steps(&cal, &code2024, &d, D("2026-10-01"), s),
		LD_OK);
	assert_int_equal(s[2].due, D("2026-08-27"));
	assert_int_equal(s[2].state, STEP_MET);
	assert_int_equal(s[3].due, D("2026-09-25"));
	assert_int_equal(s[3].state, STEP_OVERDUE);
	assert_int_equal(s[3].late_by, 4); /* 28, 29, 30 Sep, 1 Oct */
	/* Before the deadline it is pending. */
	assert_int_equal(
		timeliness_steps(&cal, &code2024, &d, D("2026-09-10"), s),
		LD_OK);
	assert_int_equal(s[3].state, STEP_PENDING);
}

static void test_2020_code_counts_from_receipt(void **state)
{
	struct step s[TIMELINESS_STEPS];
	(void)state;
	struct complaint_dates d = {.received = D("2026-03-02"),
				    .s1_ack = D("2026-03-06"),
				    .s1_response = D("2026-03-17"),
				    .escalated = D("2026-04-01"),
				    .s2_response = D("2026-04-30")};
	assert_int_equal(
		timeliness_steps(&cal, &code2020, &d, D("2026-06-01"), s),
		LD_OK);
	/* 10 working days from receipt: 16 March; answered the 17th. */
	assert_int_equal(s[1].due, D("2026-03-16"));
	assert_int_equal(s[1].state, STEP_MISSED);
	assert_int_equal(s[1].late_by, 1);
	/* 20 working days from the request of 1 April, over Easter (3 and 6
	 * April): 1 May; answered 30 April, in time.  Never acknowledged:
	 * overdue. */
	assert_int_equal(s[3].due, D("2026-05-01"));
	assert_int_equal(s[3].state, STEP_MET);
	assert_int_equal(s[2].state, STEP_OVERDUE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_met_across_christmas),
		cmocka_unit_test(test_missed_and_extension),
		cmocka_unit_test(test_stage2_and_overdue),
		cmocka_unit_test(test_2020_code_counts_from_receipt),
	};
	return cmocka_run_group_tests_name("timeliness", tests, setup,
					   teardown);
}
