/* CSV fields: quoting, and cells a spreadsheet would run as formulas. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "csv.h"

static const struct {
	const char *value, *written;
} cases[] = {
	{"plain", "plain"},
	{"", ""},
	{"a,b", "\"a,b\""},
	{"say \"hi\"", "\"say \"\"hi\"\"\""},
	{"two\nlines", "\"two\nlines\""},
	{"=SUM(A1:A2)", "\"'=SUM(A1:A2)\""},
	{"+44 20", "\"'+44 20\""},
	{"-1", "\"'-1\""},
	{"@cmd", "\"'@cmd\""},
	/* Some spreadsheets skip leading white space before the formula. */
	{"\t=cmd|' /C calc'!A0", "\"'\t=cmd|' /C calc'!A0\""},
	{"\r=1+1", "\"'\r=1+1\""},
	{"\n=1+1", "\"'\n=1+1\""},
	{"\tindented", "\"'\tindented\""},
	/* Only the first character makes a formula. */
	{"a=b", "a=b"},
	{"a\tb", "a\tb"},
};

static void test_fields(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b;
		buf_init(&b, 1000);
		assert_int_equal(csv_field(&b, cases[i].value, true), LD_OK);
		if (strcmp(buf_str(&b), cases[i].written))
			fail_msg("csv_field(%s): [%s], want [%s]",
				 cases[i].value, buf_str(&b), cases[i].written);
		buf_release(&b);
	}
}

static void test_record(void **state)
{
	struct buf b;
	(void)state;
	buf_init(&b, 1000);
	assert_int_equal(csv_field(&b, "a", true), LD_OK);
	assert_int_equal(csv_field(&b, "\t-2", false), LD_OK);
	assert_int_equal(csv_end(&b), LD_OK);
	assert_string_equal(buf_str(&b), "a,\"'\t-2\"\r\n");
	buf_release(&b);
	/* The cap holds: a field that does not fit is refused. */
	buf_init(&b, 4);
	assert_int_equal(csv_field(&b, "=toolong", true), LD_ETOOLARGE);
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_record),
	};
	return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}
