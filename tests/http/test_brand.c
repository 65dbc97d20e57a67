/*
 * The organisation's brand as every page reads it (sql/029_brand.sql):
 * the style sheet and logo addresses are public, a colour or name set by
 * hand in the database cannot inject CSS or HTML, and the logo is served
 * with a policy that runs no script; GOV.UK Frontend's CSS is served
 * without GDS Transport.  The Brand page's forms are played
 * in tests/browser/dashboard.test.mjs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "itest.h"

static struct itest_server server;

/* SQL as the owner, on the suite's database. */
static void sql(const char *text)
{
	char cmd[2048];
	snprintf(cmd, sizeof(cmd),
		 "psql -X -q -v ON_ERROR_STOP=1 '%s' -c \"%s\" >/dev/null 2>&1",
		 getenv("LINKDESK_OWNER_DATABASE_URL"), text);
	assert_int_equal(itest_sh(cmd, NULL), 0);
}

static void restore(void)
{
	sql("UPDATE setting SET value = 'Demo Borough Council' WHERE name = "
	    "'organisation_name'; UPDATE setting SET value = '#1d70b8' WHERE "
	    "name = 'brand_colour'; DELETE FROM brand_logo");
}

static int start(void **state)
{
	(void)state;
	itest_server_start(&server, NULL);
	return 0;
}

static int stop(void **state)
{
	(void)state;
	restore();
	assert_int_equal(itest_server_stop(&server), 0);
	return 0;
}

static void get(const char *path, struct itest_resp *r)
{
	char url[512];
	snprintf(url, sizeof(url), "%s%s", server.base, path);
	itest_request(NULL, "GET", url, NULL, NULL, r);
}

static void test_style_sheet(void **state)
{
	(void)state;
	struct itest_resp r;
	get("/brand/style.css", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(itest_resp_header(&r, "Content-Type"),
			    "text/css; charset=utf-8");
	assert_non_null(strstr(r.body, "--govuk-brand-colour: #1d70b8;"));
	itest_resp_release(&r);

	sql("UPDATE setting SET value = '#4C2C92' WHERE name = "
	    "'brand_colour'");
	get("/brand/style.css", &r);
	assert_non_null(strstr(r.body, "--govuk-brand-colour: #4c2c92;"));
	itest_resp_release(&r);

	/* Set by hand to something else: the default, nothing injected. */
	static const char *const bad[] = {
		"#fff; } body { display: none",
		"#ffdd00", /* white cannot be read on it */
		"red",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[256];
		snprintf(text, sizeof(text),
			 "UPDATE setting SET value = '%s' WHERE name = "
			 "'brand_colour'",
			 bad[i]);
		sql(text);
		get("/brand/style.css", &r);
		assert_int_equal(r.status, 200);
		assert_non_null(
			strstr(r.body, "--govuk-brand-colour: #1d70b8;"));
		assert_null(strstr(r.body, "display"));
		assert_null(strstr(r.body, "ffdd00"));
		itest_resp_release(&r);
	}
	restore();
}

/* Every page, signed out too, names the organisation, escaped. */
static void test_name_on_pages(void **state)
{
	(void)state;
	struct itest_resp r;
	get("/sign-in", &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "govuk-generic-header"));
	assert_non_null(strstr(r.body, "Demo Borough Council"));
	assert_null(strstr(r.body, "govuk-header__"));
	assert_null(strstr(r.body, "/brand/logo"));
	itest_resp_release(&r);

	sql("UPDATE setting SET value = '<b>Evil</b> & Co' WHERE name = "
	    "'organisation_name'");
	get("/sign-in", &r);
	assert_null(strstr(r.body, "<b>Evil"));
	assert_non_null(strstr(r.body, "&lt;b&gt;Evil&lt;/b&gt; &amp; Co"));
	itest_resp_release(&r);
	restore();
}

static void test_logo(void **state)
{
	(void)state;
	struct itest_resp r;
	get("/brand/logo", &r);
	assert_int_equal(r.status, 404);
	itest_resp_release(&r);

	/* <svg><script>...</script></svg>, as the table keeps it. */
	sql("INSERT INTO brand_logo (content_type, bytes) VALUES "
	    "('image/svg+xml', convert_to('<svg "
	    "xmlns=\\\"http://www.w3.org/2000/svg\\\"><script>alert(1)"
	    "</script></svg>', 'UTF8'))");
	get("/brand/logo", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(itest_resp_header(&r, "Content-Type"),
			    "image/svg+xml");
	const char *csp = itest_resp_header(&r, "Content-Security-Policy");
	assert_non_null(csp);
	assert_non_null(strstr(csp, "sandbox"));
	assert_non_null(strstr(csp, "default-src 'none'"));
	assert_null(strstr(csp, "script-src"));
	assert_string_equal(itest_resp_header(&r, "X-Content-Type-Options"),
			    "nosniff");
	assert_non_null(strstr(r.body, "<svg"));
	itest_resp_release(&r);

	/* The header shows it, with an address that changes with it. */
	get("/sign-in", &r);
	assert_non_null(strstr(r.body, "<img class=\"app-brand-header__logo\" "
				       "src=\"/brand/logo?v="));
	itest_resp_release(&r);
	restore();
}

/* GOV.UK Frontend as served: built with Arial, no GDS Transport at all. */
static void test_no_gds_transport(void **state)
{
	(void)state;
	struct itest_resp r;
	get("/assets/govuk-frontend.min.css", &r);
	assert_int_equal(r.status, 200);
	assert_true(r.len > 50000);
	assert_null(strstr(r.body, "GDS Transport"));
	assert_null(strstr(r.body, "@font-face"));
	assert_non_null(strstr(r.body, "font-family:arial,sans-serif"));
	assert_non_null(strstr(r.body, "govuk-generic-header"));
	assert_non_null(strstr(r.body, "--govuk-frontend-version: \"6."));
	itest_resp_release(&r);
	/* Neither GOV.UK's fonts nor its crown and icons are there to fetch. */
	static const char *const gone[] = {
		"/assets/fonts/bold-b542beb274-v2.woff2",
		"/assets/fonts/light-94a07e06a1-v2.woff2",
		"/assets/images/govuk-crest.svg",
		"/assets/images/favicon.svg",
	};
	for (size_t i = 0; i < sizeof(gone) / sizeof(gone[0]); i++) {
		get(gone[i], &r);
		assert_int_equal(r.status, 404);
		itest_resp_release(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_style_sheet),
		cmocka_unit_test(test_name_on_pages),
		cmocka_unit_test(test_logo),
		cmocka_unit_test(test_no_gds_transport),
	};
	return cmocka_run_group_tests(tests, start, stop);
}
