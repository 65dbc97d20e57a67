/* Money as pounds (periods are test_period.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "money.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_money),
	};
	return cmocka_run_group_tests_name("money", tests, NULL, NULL);
}
