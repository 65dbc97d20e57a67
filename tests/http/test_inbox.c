/*
 * The Ombudsman inbox taken in from .eml files (linkdesk inbox import)
 * against the suite's database and clamd: the corpus of tests/data/inbox
 * (each kind for both Ombudsmen, HTML-only, attachment-heavy) proposed as
 * a link officer would register it, with its reasons; the exact bytes and
 * their SHA-256 stored; and the bad input refused or held back with a
 * reason: no reference, an unknown sender, a case closed long ago,
 * malformed MIME, over the size limit, a virus, a duplicate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api.h"
#include "itest.h"

/* The day the corpus is taken in, as its letters are dated: one clock. */
#define TODAY "2026-12-01"

/* Run linkdesk inbox import on corpus files with extra settings. */
static int import(const char *env, const char *files, char **out)
{
	char cmd[4096];
	const char *clamd = getenv("LINKDESK_TEST_CLAMD");
	snprintf(cmd, sizeof(cmd),
		 "cd '%s/tests/data/inbox' && LINKDESK_CLAMD='%s' "
		 "LINKDESK_TODAY=" TODAY " %s '%s' inbox import %s 2>&1",
		 getenv("LINKDESK_ROOT"), clamd ? clamd : "", env,
		 getenv("LINKDESK_BIN"), files);
	return itest_sh(cmd, out);
}

static char *sql_text(const char *sql)
{
	char *out = NULL;
	assert_int_equal(api_sql(sql, &out), 0);
	size_t n = strlen(out);
	while (n && out[n - 1] == '\n')
		out[--n] = '\0';
	return out;
}

/* A case closed 400 days ago, for the "closed long ago" message. */
static void closed_case(void)
{
	char *out = NULL;
	int rc = api_sql(
		"WITH c AS (INSERT INTO complaint (reference, category,"
		" service_area_id, received_on) SELECT 'CMP-2023-0001',"
		" 'Council tax', min(id), DATE '" TODAY "' - 800 FROM"
		" service_area RETURNING id) INSERT INTO ombudsman_case"
		" (complaint_id, ombudsman_id, reference, stage, outcome,"
		" received_on, closed_on) SELECT c.id, o.id, '23 001 234',"
		" 'closed', 'no_orders', DATE '" TODAY "' - 700,"
		" DATE '" TODAY "' - 400 FROM c,"
		" ombudsman o WHERE o.code = 'LGSCO'",
		&out);
	if (rc)
		fail_msg("%s", out);
	free(out);
}

static int setup(void **state)
{
	char *out = NULL;
	(void)state;
	closed_case();
	int rc = import("",
			"hos_*.eml lgsco_*.eml bad_no_reference.eml "
			"bad_unknown_sender.eml bad_closed_long_ago.eml",
			&out);
	if (rc)
		fail_msg("import failed (%d): %s", rc, out);
	free(out);
	return 0;
}

static const struct {
	const char *file;
	const char *target, *kind, *reference, *case_ref, *due;
	const char *reason; /* a line of the reasons */
} corpus[] = {
	{"hos_notification", "new_case", "notification", "202612345", "", "",
	 "no case has reference 202612345: a new HOS case with that "
	 "reference"},
	{"hos_information_request", "case", "information_request", "202513877",
	 "202513877", "2026-12-22",
	 "the letter asks for an answer \"within 15 working days of the date "
	 "of this letter\": Tuesday 22 December 2026"},
	{"hos_first_chaser", "case", "first_chaser", "202513877", "202513877",
	 "2026-12-08", "the subject says \"Chaser\""},
	{"hos_final_chaser", "case", "final_chaser", "202513877", "202513877",
	 "2026-12-04", "the subject says \"Final chaser\""},
	{"hos_extension_agreed", "case", "extension_agreed", "202513877",
	 "202513877", "2027-01-15", "the subject says \"extension agreed\""},
	{"hos_draft_decision", "case", "draft_decision", "202511002",
	 "202511002", "2026-12-15", "the subject says \"Provisional view\""},
	{"hos_determination", "case", "determination", "202511002", "202511002",
	 "2026-12-29", "the subject says \"Determination\""},
	{"hos_orders_confirmed", "case", "orders_confirmed", "202410552",
	 "202410552", "", "the body says \"Confirmation of compliance\""},
	{"hos_chfo", "case", "sanction_notice", "202513877", "202513877", "",
	 "the subject says \"Complaint handling failure order issued\""},
	{"lgsco_enquiry", "case", "information_request", "25 004 112",
	 "25 004 112", "2027-01-12",
	 "reference 25 004 112 matches LGSCO 25 004 112 (in the subject)"},
	{"lgsco_first_chaser", "case", "first_chaser", "25 004 112",
	 "25 004 112", "2026-12-08", "the subject says \"Chaser\""},
	{"lgsco_final_chaser", "case", "final_chaser", "25 004 112",
	 "25 004 112", "2026-12-09", "the subject says \"final chaser\""},
	{"lgsco_extension_agreed", "case", "extension_agreed", "25 004 112",
	 "25 004 112", "2027-01-22",
	 "the letter asks for an answer \"no later than 22 January 2027\""},
	{"lgsco_draft_decision", "case", "draft_decision", "25 004 112",
	 "25 004 112", "2026-12-15", "the subject says \"Draft decision\""},
	{"lgsco_final_decision", "case", "determination", "25 004 112",
	 "25 004 112", "2026-12-29", "the subject says \"Final decision\""},
	{"lgsco_orders_confirmed", "case", "orders_confirmed", "25 004 112",
	 "25 004 112", "", "the body says \"remedy has been completed\""},
	/* Bad input: held for a person, each with its reason. */
	{"bad_no_reference", "none", "other", "", "", "",
	 "no reference in an Ombudsman's format was found: choose the case"},
	{"bad_unknown_sender", "none", "information_request", "", "", "",
	 "the sender's domain example.com is not one the Ombudsmen write "
	 "from: nothing is proposed until a person chooses the case"},
	{"bad_closed_long_ago", "none", "determination", "23 001 234", "", "",
	 "(400 days ago): check it before choosing the case"},
};

static void test_corpus_proposals(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(corpus) / sizeof(*corpus); i++) {
		char sql[1024];
		print_message("%s\n", corpus[i].file);
		snprintf(sql, sizeof(sql),
			 "SELECT m.state || '|' || m.proposed_target || '|' ||"
			 " m.proposed_kind || '|' ||"
			 " coalesce(m.proposed_reference, '') || '|' ||"
			 " coalesce(c.reference, '') || '|' ||"
			 " coalesce(m.proposed_due_on::text, '') || '|' ||"
			 " m.proposed_received_on"
			 " FROM inbox_message m LEFT JOIN ombudsman_case c"
			 " ON c.id = m.proposed_case_id WHERE m.message_id ="
			 " '%s@test.linkdesk.invalid'",
			 corpus[i].file);
		char *got = sql_text(sql);
		char want[512];
		snprintf(want, sizeof(want), "waiting|%s|%s|%s|%s|%s|" TODAY,
			 corpus[i].target, corpus[i].kind, corpus[i].reference,
			 corpus[i].case_ref, corpus[i].due);
		assert_string_equal(got, want);
		free(got);
		snprintf(sql, sizeof(sql),
			 "SELECT reasons FROM inbox_message WHERE message_id ="
			 " '%s@test.linkdesk.invalid'",
			 corpus[i].file);
		got = sql_text(sql);
		if (!strstr(got, corpus[i].reason))
			fail_msg("%s: reasons\n%s\nlack\n%s", corpus[i].file,
				 got, corpus[i].reason);
		free(got);
	}
}

/* The bytes stored are the file's, and the hash is theirs. */
static void test_exact_bytes(void **state)
{
	(void)state;
	char *want = NULL, cmd[1024];
	snprintf(cmd, sizeof(cmd),
		 "sha256sum '%s/tests/data/inbox/lgsco_enquiry.eml' | cut "
		 "-c1-64",
		 getenv("LINKDESK_ROOT"));
	assert_int_equal(itest_sh(cmd, &want), 0);
	want[64] = '\0';
	char *got = sql_text(
		"SELECT sha256 || ' ' || encode(sha256(raw), 'hex') || ' ' ||"
		" size || ' ' || length(raw) FROM inbox_message WHERE"
		" message_id = 'lgsco_enquiry@test.linkdesk.invalid'");
	char expect[300];
	snprintf(expect, sizeof(expect), "%s %s 2440 2440", want, want);
	assert_string_equal(got, expect);
	free(got);
	free(want);
}

/* Attachments decoded and hashed; the inline logo not proposed. */
static void test_attachments(void **state)
{
	(void)state;
	char *got = sql_text(
		"SELECT string_agg(a.name || ':' || a.content_type || ':' ||"
		" a.size || ':' || a.keep_proposed || ':' ||"
		" (a.sha256 = encode(sha256(a.content), 'hex')), ',' ORDER BY"
		" a.position) FROM inbox_attachment a JOIN inbox_message m ON"
		" m.id = a.message_id WHERE m.message_id ="
		" 'lgsco_enquiry@test.linkdesk.invalid'");
	assert_string_equal(
		got, "enquiry-questions.pdf:application/pdf:69:true:true,"
		     "statement.pdf:application/pdf:80:true:true,"
		     "chronology.txt:text/plain:52:true:true,"
		     "logo.png:image/png:70:false:true");
	free(got);
}

/* An HTML-only message's text, without its markup or its style. */
static void test_html_only(void **state)
{
	(void)state;
	char *got = sql_text("SELECT body_text FROM inbox_message WHERE"
			     " message_id = 'hos_determination@test.linkdesk."
			     "invalid'");
	assert_non_null(strstr(got, "Dear\xc2\xa0landlord,"));
	assert_non_null(strstr(got, "Our determination on case 202511002 is "
				    "attached."));
	assert_null(strchr(got, '<'));
	assert_null(strstr(got, "color"));
	free(got);
}

static void test_duplicates_refused(void **state)
{
	(void)state;
	char *out = NULL;
	assert_int_equal(import("", "hos_information_request.eml", &out), 1);
	assert_non_null(strstr(out, "refused: this message was taken in "
				    "before, as inbox message"));
	assert_non_null(strstr(out, "(the same bytes)"));
	free(out);
	assert_int_equal(import("", "bad_duplicate_id.eml", &out), 1);
	assert_non_null(strstr(out, "(the same Message-ID)"));
	free(out);
	assert_int_equal(
		api_sql_long("SELECT count(*) FROM inbox_message WHERE"
			     " message_id = 'hos_information_request@test."
			     "linkdesk.invalid'"),
		1);
}

static void test_malformed_refused(void **state)
{
	(void)state;
	char *out = NULL;
	assert_int_equal(import("", "bad_malformed.eml", &out), 1);
	assert_non_null(strstr(out, "bad_malformed.eml: refused: malformed "
				    "MIME: a multipart with no parts"));
	free(out);
	assert_int_equal(api_sql_long("SELECT count(*) FROM inbox_message WHERE"
				      " message_id = 'bad_malformed@test."
				      "linkdesk.invalid'"),
			 0);
}

static void test_over_size_refused(void **state)
{
	(void)state;
	char *out = NULL;
	assert_int_equal(import("LINKDESK_FILE_MAX=2048",
				"hos_chfo.eml "
				"lgsco_enquiry.eml",
				&out),
			 1);
	assert_non_null(strstr(out, "lgsco_enquiry.eml: refused: the message "
				    "is larger than the limit of 2048 bytes"));
	/* The small one was judged on its own: a duplicate, not too large. */
	assert_non_null(strstr(out, "hos_chfo.eml: refused: this message was "
				    "taken in before"));
	free(out);
}

static void test_virus_held_back(void **state)
{
	(void)state;
	char *out = NULL;
	if (!getenv("LINKDESK_TEST_CLAMD"))
		skip();
	assert_int_equal(import("", "bad_eicar.eml", &out), 0);
	assert_non_null(strstr(out, "(quarantined: "));
	assert_non_null(strstr(out, "in eicar.com)"));
	free(out);
	char *got = sql_text(
		"SELECT state || '|' || scan_status || '|' || (raw IS NULL) ||"
		" '|' || (SELECT count(*) FROM inbox_attachment a WHERE"
		" a.message_id = m.id) FROM inbox_message m WHERE message_id ="
		" 'bad_eicar@test.linkdesk.invalid'");
	assert_string_equal(got, "quarantined|quarantined|true|0");
	free(got);
}

/* Residents' words stay out of the audit log. */
static void test_audit_redacted(void **state)
{
	(void)state;
	assert_int_equal(
		api_sql_long("SELECT count(*) FROM audit_log WHERE entity ="
			     " 'inbox_message' AND (after->>'body_text' <>"
			     " '(redacted)' OR after->>'subject' <>"
			     " '(redacted)' OR after->>'raw' <> '(redacted)')"),
		0);
	assert_true(api_sql_long("SELECT count(*) FROM audit_log WHERE entity"
				 " = 'inbox_message'") >= 19);
}

/* Retention as for evidence: old dismissed messages lose their contents. */
static void test_retention(void **state)
{
	(void)state;
	char *out = NULL;
	assert_int_equal(
		api_sql("UPDATE inbox_message SET state = 'dismissed',"
			" dismiss_reason = 'old', handled_at = '2019-01-01'"
			" WHERE message_id = "
			"'lgsco_enquiry@test.linkdesk.invalid'",
			&out),
		0);
	free(out);
	assert_int_equal(itest_sh("LINKDESK_TODAY=" TODAY " \"$LINKDESK_BIN\""
				  " retention --dry-run 2>&1",
				  &out),
			 0);
	assert_non_null(strstr(out, "would empty 1 inbox messages"));
	free(out);
	assert_int_equal(itest_sh("LINKDESK_TODAY=" TODAY " \"$LINKDESK_BIN\""
				  " retention 2>&1",
				  &out),
			 0);
	assert_non_null(strstr(out, "emptied 1 inbox messages"));
	free(out);
	char *got = sql_text(
		"SELECT (raw IS NULL) || '|' || body_text || '|' ||"
		" length(sha256) || '|' || subject || '|' || (SELECT"
		" count(*) FROM inbox_attachment a WHERE a.message_id = m.id"
		" AND a.content IS NULL AND length(a.sha256) = 64) FROM"
		" inbox_message m WHERE message_id ="
		" 'lgsco_enquiry@test.linkdesk.invalid'");
	assert_string_equal(got, "true||64|Our ref: 25-004-112 - enquiry "
				 "letter|4");
	free(got);
	/* A waiting message keeps everything. */
	assert_int_equal(
		api_sql_long("SELECT count(*) FROM inbox_message WHERE"
			     " message_id = 'hos_chfo@test.linkdesk.invalid'"
			     " AND raw IS NOT NULL AND body_text <> ''"),
		1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus_proposals),
		cmocka_unit_test(test_exact_bytes),
		cmocka_unit_test(test_attachments),
		cmocka_unit_test(test_html_only),
		cmocka_unit_test(test_duplicates_refused),
		cmocka_unit_test(test_malformed_refused),
		cmocka_unit_test(test_over_size_refused),
		cmocka_unit_test(test_virus_held_back),
		cmocka_unit_test(test_audit_redacted),
		cmocka_unit_test(test_retention),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
