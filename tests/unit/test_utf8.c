/* The one UTF-8 decoder: what counts as valid, and scrubbing what is not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "utf8.h"

static void test_chars(void **state)
{
	static const struct {
		const char *s;
		long chars; /* -1: not UTF-8 */
	} cases[] = {
		{"", 0},
		{"plain", 5},
		{"caf\xc3\xa9", 4},
		{"\xe2\x82\xac 5", 3},
		{"\xf0\x9f\x99\x82", 1},
		{"\xc3", -1},		  /* cut short */
		{"\xc3(", -1},		  /* not a continuation */
		{"\xc0\xaf", -1},	  /* overlong slash */
		{"\xe0\x80\xaf", -1},	  /* overlong, three bytes */
		{"\xed\xa0\x80", -1},	  /* a surrogate */
		{"\xf4\x90\x80\x80", -1}, /* past U+10FFFF */
		{"\xff", -1},
		{"x.pdf\xc3", -1},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long n = utf8_chars(cases[i].s, strlen(cases[i].s));
		if (n != cases[i].chars)
			fail_msg("case %zu: %ld, not %ld", i, n,
				 cases[i].chars);
	}
}

static void test_scrub(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"plain", "plain"},
		{"caf\xc3\xa9", "caf\xc3\xa9"},
		{"x.pdf\xc3", "x.pdf?"},
		{"a\xffz", "a?z"},
		{"\xc0\xaf/", "?\?/"},
		{"\xe2\x82", "??"},
		{"\xf0\x9f\x99\x82\x80", "\xf0\x9f\x99\x82?"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[64];
		strcpy(buf, cases[i].in);
		utf8_scrub(buf);
		assert_string_equal(buf, cases[i].out);
		assert_true(utf8_chars(buf, strlen(buf)) >= 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chars),
		cmocka_unit_test(test_scrub),
	};
	return cmocka_run_group_tests_name("utf8", tests, NULL, NULL);
}
