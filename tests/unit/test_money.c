/* Money as pounds, and reporting periods "so far". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "date.h"
#include "money.h"
#include "period.h"

static const struct {
	long long pence;
	const char *text;
} amounts[] = {
	{0, "£0.00"},
	{5, "£0.05"},
	{35000, "£350.00"},
	{123450, "£1,234.50"},
	{100000, "£1,000.00"},
	{99999, "£999.99"},
	{100000000, "£1,000,000.00"},
	{-1200, "-£12.00"},
	{-9223372036854775807LL - 1, "-£92,233,720,368,547,758.08"},
};

static void test_money(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(amounts) / sizeof(amounts[0]); i++) {
		char out[MONEY_STRLEN];
		money_format(amounts[i].pence, out);
		if (strcmp(out, amounts[i].text))
			fail_msg("money_format(%lld): %s, want %s",
				 amounts[i].pence, out, amounts[i].text);
	}
}

static void test_so_far(void **state)
{
	(void)state;
	struct period p;
	char text[PERIOD_TEXT_LEN];
	assert_int_equal(period_parse("2026-Q3", &p), LD_OK);
	int32_t today = date_from_ymd(2026, 12, 1);
	/* Running: as of today, and it says so. */
	assert_true(period_running(&p, today));
	assert_int_equal(period_as_of(&p, today), today);
	period_text(&p, today, text);
	assert_string_equal(text, "1 October to 1 December 2026, so far");
	/* Over: its own end. */
	assert_false(period_running(&p, date_from_ymd(2027, 1, 1)));
	assert_int_equal(period_as_of(&p, date_from_ymd(2027, 1, 1)), p.to);
	period_text(&p, date_from_ymd(2027, 1, 1), text);
	assert_string_equal(text, "1 October to 31 December 2026");
	/* Its last day is still running: the day is not over. */
	assert_true(period_running(&p, p.to));
	/* A year across two calendar years names both. */
	assert_int_equal(period_parse("2026-27", &p), LD_OK);
	period_text(&p, today, text);
	assert_string_equal(text, "1 April to 1 December 2026, so far");
	period_text(&p, date_from_ymd(2027, 6, 1), text);
	assert_string_equal(text, "1 April 2026 to 31 March 2027");
	/* Not begun: nothing so far, as of the day before it. */
	assert_int_equal(period_parse("2027-Q1", &p), LD_OK);
	assert_false(period_running(&p, today));
	assert_int_equal(period_as_of(&p, today), p.from - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_money),
		cmocka_unit_test(test_so_far),
	};
	return cmocka_run_group_tests_name("money", tests, NULL, NULL);
}
