/* What the log may hold of a URL (secret_log_text). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "secret.h"

static const struct {
	const char *text, *said;
} cases[] = {
	{"/cases/12", "/cases/12"},
	{"/feeds/7lsINn9LYqKgh-C7oDk1XYnITxWTeKiezBEY5bAjYbE.ics",
	 "/feeds/(token)"},
	/* libmicrohttpd's words, quoting the URL. */
	{"Failed to send the response body for the request for "
	 "`/feeds/7lsINn9LYqKgh-C7oDk1XYnITxWTeKiezBEY5bAjYbE.ics'. Error: "
	 "The socket is no longer available for sending",
	 "Failed to send the response body for the request for "
	 "`/feeds/(token)'. Error: The socket is no longer available for "
	 "sending"},
	{"the request for `/cases?q=Ada+Words&page=2' failed",
	 "the request for `/cases?(query)' failed"},
	{"two: /feeds/a /feeds/b?x", "two: /feeds/(token) /feeds/(token)"},
	/* The same feed, spelt as a client may: percent-encoded, any case. */
	{"GET /%66eeds/7lsINn9LYqKgh", "GET /%66eeds/(token)"},
	{"GET %2Ffeeds%2f7lsINn9LYqKgh", "GET %2Ffeeds%2f(token)"},
	{"GET /FEEDS/7lsINn9LYqKgh", "GET /FEEDS/(token)"},
	/* Not a feed, and bad or cut-short escapes left as they are. */
	{"/feedsx/a /%6 /%zzeeds/b /%", "/feedsx/a /%6 /%zzeeds/b /%"},
	{"", ""},
};

static void test_log_text(void **state)
{
	(void)state;
	char out[256];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		secret_log_text(cases[i].text, out, sizeof(out));
		assert_string_equal(out, cases[i].said);
	}
}

/* Cut short, never past out, and never the token's first bytes. */
static void test_log_text_short(void **state)
{
	(void)state;
	char out[12];
	secret_log_text("/feeds/7lsINn9LYqKgh-C7oDk1XYnITxWTeKiezBEY5bAjYbE",
			out, sizeof(out));
	assert_true(strlen(out) < sizeof(out));
	assert_null(strstr(out, "7ls"));
	secret_log_text("abcdefghijklmnopqrstuvwxyz", out, sizeof(out));
	assert_string_equal(out, "abcdefghijk");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log_text),
		cmocka_unit_test(test_log_text_short),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
