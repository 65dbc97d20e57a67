/*
 * The inbox's proposals (core/inbox.c), table-driven: references in any
 * spelling and not in dates or telephone numbers, the sender's Ombudsman,
 * the kind by the rules' phrases (subject before body), the response date
 * a letter sets, the case proposed and the reasons in words, and HTML
 * reduced to text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "date.h"
#include "inbox.h"

/* The rows sql/025_inbox.sql seeds, in the order the store reads them. */
static const struct inbox_sender senders[] = {
	{"housing-ombudsman.org.uk", "HOS"},
	{"lgo.org.uk", "LGSCO"},
};
static const struct inbox_ombudsman ombudsmen[] = {
	{"HOS", "#########"},
	{"LGSCO", "## ### ###"},
};
static const struct inbox_phrase phrases[] = {
	{NULL, "sanction_notice", "complaint handling failure order"},
	{NULL, "orders_confirmed", "orders have been complied with"},
	{NULL, "information_request", "request for information"},
	{NULL, "extension_agreed", "agreed to extend"},
	{NULL, "draft_decision", "draft decision"},
	{NULL, "determination", "final decision"},
	{NULL, "final_chaser", "final chaser"},
	{"LGSCO", "information_request", "enquiry letter"},
	{NULL, "first_chaser", "chaser"},
	{"HOS", "determination", "determination"},
};
static const struct inbox_rules rules = {
	senders, 2, ombudsmen, 2, phrases, sizeof(phrases) / sizeof(*phrases)};

static struct workcal cal;

static int32_t d(const char *s)
{
	int32_t v = 0;
	assert_int_equal(date_parse(s, &v), LD_OK);
	return v;
}

static int setup(void **state)
{
	(void)state;
	workcal_init(&cal);
	workcal_add_holiday(&cal, d("2026-12-25"));
	workcal_add_holiday(&cal, d("2026-12-28"));
	workcal_add_holiday(&cal, d("2027-01-01"));
	workcal_set_range(&cal, d("2026-01-01"), d("2027-12-31"));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	workcal_release(&cal);
	return 0;
}

static const struct {
	const char *from, *subject, *body;
	const char *ombudsman; /* by sender; NULL none */
	const char *ref;       /* first reference; NULL none */
	const char *ref_ombudsman;
	const char *kind;
	const char *due; /* NULL: none */
	const char *due_text;
} find_cases[] = {
	{"portal@housing-ombudsman.org.uk",
	 "Request for information - case 202612345", "Dear landlord,", "HOS",
	 "202612345", "HOS", "information_request", NULL, NULL},
	{"Casework <casework@lgo.org.uk>", "Our ref: 24 013 880",
	 "Please treat this as an enquiry letter. Reply by 12 January 2027.",
	 "LGSCO", "24 013 880", "LGSCO", "information_request", "2027-01-12",
	 "by 12 January 2027"},
	{"casework@lgo.org.uk", "Our ref 24-013-880", "Final chaser", "LGSCO",
	 "24 013 880", "LGSCO", "final_chaser", NULL, NULL},
	{"casework@lgo.org.uk", "Ref 24013880 chaser", "", "LGSCO",
	 "24 013 880", "LGSCO", "first_chaser", NULL, NULL},
	{"casework@mail.lgo.org.uk", "Ref 24/013/880", "Draft decision",
	 "LGSCO", "24 013 880", "LGSCO", "draft_decision", NULL, NULL},
	/* A date and a telephone number are not references. */
	{"casework@lgo.org.uk", "Dated 2027-01-12",
	 "Call 0300 061 0614 or 0300 111 3000 by Tuesday 12th Jan 2027.",
	 "LGSCO", NULL, NULL, "other", "2027-01-12",
	 "by Tuesday 12th Jan 2027"},
	/* The subject's kind wins over the body's. */
	{"notifications@housing-ombudsman.org.uk", "Final chaser 202511002",
	 "We sent a request for information on 1 December.", "HOS", "202511002",
	 "HOS", "final_chaser", NULL, NULL},
	/* A phrase broken over lines; working days from the letter's date,
	 * over Christmas: 15 working days after Mon 7 Dec 2026. */
	{"portal@housing-ombudsman.org.uk", "Case 202612345",
	 "We need a response within\r\n15 working days of the date of this\n"
	 "letter.  This is a request\nfor information.",
	 "HOS", "202612345", "HOS", "information_request", "2026-12-30",
	 "within 15 working days of the date of this letter"},
	{"portal@housing-ombudsman.org.uk", "202612345",
	 "Please comply within four weeks.", "HOS", "202612345", "HOS", "other",
	 "2027-01-04", "within four weeks"},
	{"portal@housing-ombudsman.org.uk", "202612345",
	 "within fifteen (15) working days", "HOS", "202612345", "HOS", "other",
	 "2026-12-30", "within fifteen (15) working days"},
	{"portal@housing-ombudsman.org.uk", "202612345",
	 "within twenty-one days", "HOS", "202612345", "HOS", "other",
	 "2026-12-28", "within twenty-one days"},
	/* An LGSCO phrase does not mark HOS mail; HOS nine digits only. */
	{"portal@housing-ombudsman.org.uk", "enquiry letter 24 013 880", "",
	 "HOS", NULL, NULL, "other", NULL, NULL},
	/* An unknown sender: every mask searched, the Ombudsman unknown. */
	{"someone@example.com",
	 "FW: 24 013 880 complaint handling failure "
	 "order",
	 "", NULL, "24 013 880", "LGSCO", "sanction_notice", NULL, NULL},
	/* Lookalike domains are not the Ombudsman's. */
	{"x@notlgo.org.uk", "", "", NULL, NULL, NULL, "other", NULL, NULL},
	{"x@lgo.org.uk.evil.example", "", "", NULL, NULL, NULL, "other", NULL,
	 NULL},
	/* A date before the letter's own is no response date. */
	{"casework@lgo.org.uk", "24 013 880",
	 "You wrote to us by 1 November 2026. Reply by 4 January 2027.",
	 "LGSCO", "24 013 880", "LGSCO", "other", "2027-01-04",
	 "by 4 January 2027"},
	/* Ten digits are not nine; an impossible date is no date. */
	{"portal@housing-ombudsman.org.uk", "2026123456", "by 31 February 2027",
	 "HOS", NULL, NULL, "other", NULL, NULL},
};

static void test_find(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(find_cases) / sizeof(*find_cases); i++) {
		struct inbox_letter l = {find_cases[i].from,
					 find_cases[i].subject,
					 find_cases[i].body, d("2026-12-07")};
		struct inbox_finding f;
		inbox_find(&rules, &l, &cal, &f);
		print_message("case %zu: %s\n", i, find_cases[i].subject);
		if (find_cases[i].ombudsman)
			assert_string_equal(f.ombudsman,
					    find_cases[i].ombudsman);
		else
			assert_null(f.ombudsman);
		if (find_cases[i].ref) {
			assert_true(f.nrefs >= 1);
			assert_string_equal(f.refs[0].reference,
					    find_cases[i].ref);
			assert_string_equal(f.refs[0].ombudsman,
					    find_cases[i].ref_ombudsman);
		} else {
			assert_int_equal(f.nrefs, 0);
		}
		assert_string_equal(f.kind, find_cases[i].kind);
		if (find_cases[i].due) {
			assert_int_equal(f.due_on, d(find_cases[i].due));
			assert_string_equal(f.due_text, find_cases[i].due_text);
		} else {
			assert_int_equal(f.due_on, 0);
		}
	}
}

static void test_working_days_past_calendar(void **state)
{
	(void)state;
	struct inbox_letter l = {"portal@housing-ombudsman.org.uk", "202612345",
				 "within 15 working days", d("2027-12-24")};
	struct inbox_finding f;
	inbox_find(&rules, &l, &cal, &f);
	assert_int_equal(f.due_on, 0);
	assert_true(f.due_out_of_range);
	struct inbox_proposal p;
	struct buf r;
	buf_init(&r, 4096);
	assert_int_equal(inbox_propose(&f, NULL, d("2027-12-24"),
				       d("2027-12-24"), &p, &r),
			 LD_OK);
	assert_non_null(strstr(buf_str(&r), "past the bank holidays loaded"));
	buf_release(&r);
}

static const struct {
	const char *from, *subject;
	struct inbox_case c;
	enum inbox_target target;
	const char *kind;
	const char *reason; /* a line the reasons hold */
} propose_cases[] = {
	{"portal@housing-ombudsman.org.uk",
	 "Request for information 202612345",
	 {7, "HOS", "202612345", false, 0},
	 INBOX_TARGET_CASE,
	 "information_request",
	 "reference 202612345 matches HOS 202612345 (in the subject)\n"
	 "the subject says \"Request for information\"\n"},
	{"portal@housing-ombudsman.org.uk",
	 "Draft decision 202699999",
	 {0, NULL, NULL, false, 0},
	 INBOX_TARGET_NEW_CASE,
	 "draft_decision",
	 "no case has reference 202699999: a new HOS case with that "
	 "reference\n"},
	/* Closed 60 days ago: proposed as other correspondence. */
	{"casework@lgo.org.uk",
	 "24 013 880 final decision",
	 {3, "LGSCO", "24 013 880", true, -60},
	 INBOX_TARGET_CASE,
	 "other",
	 "the case is closed, so it is proposed as other correspondence\n"},
	/* Closed long ago: nothing proposed, the reason says so. */
	{"casework@lgo.org.uk",
	 "24 013 880 final decision",
	 {3, "LGSCO", "24 013 880", true, -400},
	 INBOX_TARGET_NONE,
	 "determination",
	 "(400 days ago): check it before choosing the case\n"},
	{"someone@example.com",
	 "Request for information 202612345",
	 {7, "HOS", "202612345", false, 0},
	 INBOX_TARGET_NONE,
	 "information_request",
	 "the sender's domain example.com is not one the Ombudsmen write "
	 "from"},
	{"portal@housing-ombudsman.org.uk",
	 "Hello",
	 {0, NULL, NULL, false, 0},
	 INBOX_TARGET_NONE,
	 "other",
	 "no reference in an Ombudsman's format was found: choose the case\n"
	 "no phrase of a kind of correspondence was found"},
};

static void test_propose(void **state)
{
	(void)state;
	int32_t today = d("2026-12-07");
	for (size_t i = 0; i < sizeof(propose_cases) / sizeof(*propose_cases);
	     i++) {
		struct inbox_letter l = {propose_cases[i].from,
					 propose_cases[i].subject, "", today};
		struct inbox_finding f;
		struct inbox_case c = propose_cases[i].c;
		struct inbox_proposal p;
		struct buf r;
		print_message("case %zu\n", i);
		c.closed_on += today;
		inbox_find(&rules, &l, &cal, &f);
		buf_init(&r, 4096);
		assert_int_equal(inbox_propose(&f, f.nrefs ? &c : NULL, today,
					       today, &p, &r),
				 LD_OK);
		assert_int_equal(p.target, propose_cases[i].target);
		assert_string_equal(p.kind, propose_cases[i].kind);
		assert_int_equal(p.case_id, p.target == INBOX_TARGET_CASE
						    ? propose_cases[i].c.id
						    : 0);
		assert_int_equal(p.received_on, today);
		if (!strstr(buf_str(&r), propose_cases[i].reason))
			fail_msg("reasons %s lack %s", buf_str(&r),
				 propose_cases[i].reason);
		buf_release(&r);
	}
}

static void test_due_reason(void **state)
{
	(void)state;
	struct inbox_letter l = {"casework@lgo.org.uk", "25 004 112",
				 "Please reply by 12 January 2027.",
				 d("2026-12-07")};
	struct inbox_finding f;
	struct inbox_case c = {5, "LGSCO", "25 004 112", false, 0};
	struct inbox_proposal p;
	struct buf r;
	inbox_find(&rules, &l, &cal, &f);
	buf_init(&r, 4096);
	assert_int_equal(inbox_propose(&f, &c, l.dated_on, l.dated_on, &p, &r),
			 LD_OK);
	assert_int_equal(p.due_on, d("2027-01-12"));
	assert_non_null(strstr(buf_str(&r),
			       "the letter asks for an answer \"by 12 January "
			       "2027\": Tuesday 12 January 2027\n"));
	assert_non_null(strstr(buf_str(&r), "received on Monday 7 December "
					    "2026\n"));
	buf_release(&r);
}

static const struct {
	const char *html, *text;
} html_cases[] = {
	{"<p>Dear&nbsp;landlord,</p><p>Please send</p>",
	 "\nDear\xc2\xa0landlord,\n\nPlease send\n"},
	{"<html><head><title>x</title><style>p{}</style></head><body>A<br/>B"
	 "<script>alert(1)</script></body></html>",
	 "A\nB"},
	{"Fish &amp; chips &lt;3 &#163;5 &#x2014; &bogus; &", "Fish & chips <3 "
							      "\xc2\xa3"
							      "5 \xe2\x80\x94 "
							      "&bogus; &"},
	{"<table><tr><td>Ref</td><td>24 013 880</td></tr></table>",
	 " Ref 24 013 880\n\n"},
	{"a<!-- hidden <b> -->b", "ab"},
	{"&#0; &#xD800; &#99999999999;", "\xef\xbf\xbd \xef\xbf\xbd "
					 "\xef\xbf\xbd"},
	{"unclosed <b", "unclosed "},
};

static void test_html_text(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(html_cases) / sizeof(*html_cases); i++) {
		struct buf out;
		buf_init(&out, 4096);
		assert_int_equal(inbox_html_text(html_cases[i].html, &out),
				 LD_OK);
		assert_string_equal(buf_str(&out), html_cases[i].text);
		buf_release(&out);
	}
}

static void test_fold(void **state)
{
	(void)state;
	struct buf out;
	buf_init(&out, 4096);
	assert_int_equal(inbox_fold("  Final\r\n\tCHASER\xc2\xa0 Now ", &out),
			 LD_OK);
	assert_string_equal(buf_str(&out), "final chaser now");
	buf_release(&out);
	assert_true(inbox_kind_known("final_chaser"));
	assert_false(inbox_kind_known("chaser"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_working_days_past_calendar),
		cmocka_unit_test(test_propose),
		cmocka_unit_test(test_due_reason),
		cmocka_unit_test(test_html_text),
		cmocka_unit_test(test_fold),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
