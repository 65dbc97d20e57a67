/* The brand's rules (core/brand.c): colour, contrast, name, logo type. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "brand.h"

static void test_colour(void **state)
{
	(void)state;
	char out[8];
	const char *why = NULL;
	assert_true(brand_colour_parse(" #1D70B8 ", out, &why));
	assert_string_equal(out, "#1d70b8");
	assert_true(brand_colour_parse("#0b0c0c", out, &why));
	assert_string_equal(out, "#0b0c0c");
	const char *bad[] = {"",	"1d70b8", "#1d70b",    "#1d70b80",
			     "#1g70b8", "red",	  "#1d70b8;}", "#1d7 b8"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		assert_false(brand_colour_parse(bad[i], out, &why));
		assert_non_null(strstr(why, "six hexadecimal digits"));
	}
}

/* White on the colour must reach WCAG AA's 4.5:1. */
static void test_contrast(void **state)
{
	(void)state;
	char out[8];
	const char *why = NULL;
	assert_true(brand_contrast_with_white("#000000") > 20.9);
	assert_true(brand_contrast_with_white("#ffffff") < 1.01);
	/* #767676 is the lightest grey that passes; #777777 fails. */
	assert_true(brand_colour_parse("#767676", out, &why));
	assert_false(brand_colour_parse("#777777", out, &why));
	assert_non_null(strstr(why, "4.5 to 1"));
	assert_false(brand_colour_parse("#ffdd00", out, &why));
	assert_true(brand_colour_parse("#d4351c", out, &why)); /* 4.5:1 red */
}

static void test_name(void **state)
{
	(void)state;
	const char *why = NULL;
	char long_name[200];
	assert_true(brand_name_valid("Demo Borough Council", &why));
	assert_false(brand_name_valid("   ", &why));
	assert_string_equal(why, "Enter the organisation's name");
	memset(long_name, 'a', 121);
	long_name[121] = '\0';
	assert_false(brand_name_valid(long_name, &why));
	long_name[120] = '\0';
	assert_true(brand_name_valid(long_name, &why));
	assert_false(brand_name_valid("Caf\xc3", &why));
}

static void test_logo_type(void **state)
{
	(void)state;
	const char *why = NULL;
	assert_string_equal(brand_logo_type("image/png", 10, &why),
			    "image/png");
	assert_string_equal(brand_logo_type("image/svg+xml", 10, &why),
			    "image/svg+xml");
	assert_null(brand_logo_type("text/html", 10, &why));
	assert_string_equal(why, "The logo must be a PNG or SVG file");
	assert_null(brand_logo_type("image/png", 0, &why));
	assert_null(brand_logo_type("image/png", BRAND_LOGO_MAX + 1, &why));
	assert_non_null(strstr(why, "200 KB"));
	assert_non_null(brand_logo_type("image/png", BRAND_LOGO_MAX, &why));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_colour),
		cmocka_unit_test(test_contrast),
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_logo_type),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
