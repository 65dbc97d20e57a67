/*
 * The shared mailbox read over IMAP by the scheduler, against a real
 * Dovecot on loopback (tests/imap/dovecot.sh) whose Maildir this test
 * fills: two servers polling one mailbox take each message exactly once
 * and move it to the handled folder, a malformed one is recorded as
 * refused and moved too; and a connection cut off mid-fetch (a proxy,
 * tests/imap/dropper.py) stores nothing partial, and the next poll takes
 * the message whole.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "api.h"
#include "itest.h"

static char dir[512];
static int port;
static pid_t introspect_pid;

static void sh_ok(const char *cmd)
{
	char *out = NULL;
	if (itest_sh(cmd, &out))
		fail_msg("%s: %s", cmd, out);
	free(out);
}

static int setup(void **state)
{
	(void)state;
	if (system("command -v dovecot >/dev/null 2>&1")) {
		print_message("dovecot is not installed (dovecot-imapd)\n");
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s/imap-%d", getenv("LINKDESK_TEST_TMP"),
		 (int)getpid());
	port = itest_free_port();
	int introspect = itest_free_port();
	introspect_pid = fork();
	if (introspect_pid == 0) {
		char p[16], path[600];
		snprintf(p, sizeof(p), "%d", introspect);
		snprintf(path, sizeof(path), "%s/tests/imap/introspect.py",
			 getenv("LINKDESK_ROOT"));
		execl("/usr/bin/python3", "python3", path, p,
		      "imap-test-bearer-token", "officer", (char *)NULL);
		_exit(127);
	}
	sh_ok(F("mkdir -p '%s' && sh '%s/tests/imap/dovecot.sh' start '%s' %d"
		" officer imap-test-secret %d",
		dir, getenv("LINKDESK_ROOT"), dir, port, introspect));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sh_ok(F("sh '%s/tests/imap/dovecot.sh' stop '%s'",
		getenv("LINKDESK_ROOT"), dir));
	kill(introspect_pid, SIGTERM);
	waitpid(introspect_pid, NULL, 0);
	return 0;
}

/* Deliver a copy of a corpus message under its own Message-ID. */
static void deliver(const char *file, const char *tag, int n)
{
	sh_ok(F("sed 's/^Message-ID: <\\([^@]*\\)@/Message-ID: <\\1-%s%d@/'"
		" '%s/tests/data/inbox/%s.eml' > '%s/mail/officer/tmp/%s%d'"
		" && (test \"$(id -u)\" != 0 || chown dovecot"
		" '%s/mail/officer/tmp/%s%d') && mv '%s/mail/officer/tmp/%s%d'"
		" '%s/mail/officer/new/%s%d.host'",
		tag, n, getenv("LINKDESK_ROOT"), file, dir, tag, n, dir, tag, n,
		dir, tag, n, dir, tag, n));
}

/* Files in a Maildir folder ("" for INBOX, ".Handled"). */
static long files_in(const char *folder)
{
	char *out = NULL;
	assert_int_equal(
		itest_sh(
			F("ls '%s/mail/officer/%s/new' '%s/mail/officer/%s/cur'"
			  " 2>/dev/null | grep -v -e '^$' -e ':$' | wc -l",
			  dir, folder, dir, folder),
			&out),
		0);
	long n = strtol(out, NULL, 10);
	free(out);
	return n;
}

static void start(struct itest_server *s, int imap_port)
{
	char url[64];
	snprintf(url, sizeof(url), "LINKDESK_IMAP_URL=imap://127.0.0.1:%d/",
		 imap_port);
	const char *const env[] = {url,
				   "LINKDESK_IMAP_USER=officer",
				   "LINKDESK_IMAP_PASSWORD=imap-test-secret",
				   "LINKDESK_IMAP_HANDLED_FOLDER=Handled",
				   "LINKDESK_IMAP_BATCH=3",
				   "LINKDESK_IMAP_TIMEOUT=5",
				   "LINKDESK_SCHEDULER_SECONDS=1",
				   "LINKDESK_TODAY=2026-12-01",
				   NULL};
	itest_server_start(s, env);
}

/* Wait until the query answers want (up to 90 s); returns its answer. */
static long wait_for(const char *sql, long want)
{
	long got = -1;
	for (int i = 0; i < 900; i++) {
		got = api_sql_long(sql);
		if (got == want)
			break;
		usleep(100000);
	}
	return got;
}

static void test_two_servers_take_each_once(void **state)
{
	static const char *const files[] = {
		"hos_notification",	"hos_information_request",
		"hos_first_chaser",	"hos_final_chaser",
		"hos_extension_agreed", "hos_determination",
		"lgsco_enquiry",	"lgsco_first_chaser",
		"lgsco_final_chaser",	"lgsco_draft_decision",
		"lgsco_final_decision", "lgsco_orders_confirmed",
		"bad_malformed"};
	const int n = (int)(sizeof(files) / sizeof(*files));
	char tag[32];
	(void)state;
	snprintf(tag, sizeof(tag), "imap%d-", (int)getpid());
	for (int i = 0; i < n; i++)
		deliver(files[i], tag, i);
	struct itest_server a, b;
	start(&a, port);
	start(&b, port);
	const char *taken = F("SELECT count(*) FROM inbox_message WHERE"
			      " source = 'imap' AND message_id LIKE '%%-%s%%'",
			      tag);
	char taken_sql[512];
	snprintf(taken_sql, sizeof(taken_sql), "%s", taken);
	long got = wait_for(taken_sql, n - 1);
	long moved = wait_for(F("SELECT count(*) FROM inbox_fetch WHERE"
				" key LIKE 'imap://127.0.0.1:%d/%%' AND"
				" moved_at IS NOT NULL",
				port),
			      n);
	assert_int_equal(itest_server_stop(&a), 0);
	assert_int_equal(itest_server_stop(&b), 0);
	assert_int_equal(got, n - 1);
	assert_int_equal(moved, n);
	/* Each once: as many Message-IDs as messages, each one row. */
	assert_int_equal(
		api_sql_long(F("SELECT count(DISTINCT message_id) FROM"
			       " inbox_message WHERE message_id LIKE '%%-%s%%'",
			       tag)),
		n - 1);
	assert_int_equal(
		api_sql_long(
			F("SELECT count(*) FROM inbox_fetch WHERE key LIKE"
			  " 'imap://127.0.0.1:%d/%%' AND done_at IS NOT NULL",
			  port)),
		n);
	assert_int_equal(
		api_sql_long(F("SELECT count(*) FROM inbox_fetch WHERE key LIKE"
			       " 'imap://127.0.0.1:%d/%%' AND outcome LIKE"
			       " 'refused: malformed MIME%%'",
			       port)),
		1);
	/* The proposals are the same as from a file. */
	assert_int_equal(
		api_sql_long(F("SELECT count(*) FROM inbox_message m JOIN"
			       " ombudsman_case c ON c.id = m.proposed_case_id"
			       " WHERE m.message_id ="
			       " 'lgsco_enquiry-%s6@test.linkdesk.invalid'"
			       " AND c.reference = '25 004 112' AND"
			       " m.proposed_kind = 'information_request' AND"
			       " m.proposed_due_on = '2027-01-12'",
			       tag)),
		1);
	print_message("messages taken by %ld of the two servers\n",
		      api_sql_long(F("SELECT count(DISTINCT claimed_by) FROM"
				     " inbox_fetch WHERE key LIKE"
				     " 'imap://127.0.0.1:%d/%%'",
				     port)));
	/* The mailbox: INBOX empty, every message in Handled. */
	assert_int_equal(files_in(""), 0);
	assert_int_equal(files_in(".Handled"), n);
}

static void test_drop_mid_fetch_loses_nothing(void **state)
{
	char tag[32], log[600];
	(void)state;
	snprintf(tag, sizeof(tag), "drop%d-", (int)getpid());
	snprintf(log, sizeof(log), "%s/dropper.log", dir);
	deliver("lgsco_enquiry", tag, 1);
	sh_ok(F(": > '%s'", log));
	int proxy = itest_free_port();
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char lp[16], tp[16];
		snprintf(lp, sizeof(lp), "%d", proxy);
		snprintf(tp, sizeof(tp), "%d", port);
		char path[600];
		snprintf(path, sizeof(path), "%s/tests/imap/dropper.py",
			 getenv("LINKDESK_ROOT"));
		execl("/usr/bin/python3", "python3", path, lp, tp, "600", log,
		      (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100; i++) {
		char *out = NULL;
		if (!itest_sh(F("grep -q listening '%s'", log), &out)) {
			free(out);
			break;
		}
		free(out);
		usleep(100000);
	}
	struct itest_server s;
	start(&s, proxy);
	long got = wait_for(F("SELECT count(*) FROM inbox_message WHERE"
			      " message_id = 'lgsco_enquiry-%s1@test.linkdesk."
			      "invalid'",
			      tag),
			    1);
	assert_int_equal(itest_server_stop(&s), 0);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	assert_int_equal(got, 1);
	char *out = NULL;
	assert_int_equal(itest_sh(F("cat '%s'", log), &out), 0);
	assert_non_null(strstr(out, "dropped after 600 bytes of a fetch"));
	free(out);
	/* Tried twice; stored whole: every attachment, each as sent. */
	assert_true(api_sql_long(F("SELECT tries FROM inbox_fetch f JOIN"
				   " inbox_message m ON m.id = f.message_id"
				   " WHERE m.message_id = 'lgsco_enquiry-%s1@"
				   "test.linkdesk.invalid'",
				   tag)) >= 2);
	assert_int_equal(
		api_sql_long(F("SELECT count(*) FROM inbox_attachment a JOIN"
			       " inbox_message m ON m.id = a.message_id WHERE"
			       " m.message_id = 'lgsco_enquiry-%s1@test."
			       "linkdesk.invalid' AND a.sha256 ="
			       " encode(sha256(a.content), 'hex') AND a.size IN"
			       " (69, 80, 52, 70)",
			       tag)),
		4);
	assert_int_equal(
		api_sql_long(
			F("SELECT count(*) FROM inbox_message WHERE"
			  " message_id = 'lgsco_enquiry-%s1@test.linkdesk."
			  "invalid' AND sha256 = encode(sha256(raw), 'hex')"
			  " AND size = length(raw) AND size > 2440",
			  tag)),
		1);
}

/*
 * XOAUTH2, as Exchange Online and Gmail require: the bearer token read
 * from a file at each poll; a token the provider does not vouch for
 * takes nothing in, the one it does takes the message.
 */
static void test_xoauth2_bearer(void **state)
{
	char tag[32], token[600], url[64], bearer[700];
	(void)state;
	snprintf(tag, sizeof(tag), "oauth%d-", (int)getpid());
	snprintf(token, sizeof(token), "%s/bearer", dir);
	snprintf(url, sizeof(url), "LINKDESK_IMAP_URL=imap://127.0.0.1:%d/",
		 port);
	snprintf(bearer, sizeof(bearer), "LINKDESK_IMAP_BEARER_FILE=%s", token);
	sh_ok(F("echo expired-token > '%s'", token));
	deliver("hos_notification", tag, 1);
	const char *const env[] = {url,
				   "LINKDESK_IMAP_USER=officer",
				   bearer,
				   "LINKDESK_IMAP_HANDLED_FOLDER=Handled",
				   "LINKDESK_IMAP_TIMEOUT=5",
				   "LINKDESK_SCHEDULER_SECONDS=1",
				   "LINKDESK_TODAY=2026-12-01",
				   NULL};
	struct itest_server s;
	itest_server_start(&s, env);
	const char *sql = F("SELECT count(*) FROM inbox_message WHERE"
			    " message_id = 'hos_notification-%s1@test."
			    "linkdesk.invalid'",
			    tag);
	char taken[300];
	snprintf(taken, sizeof(taken), "%s", sql);
	sleep(3);
	assert_int_equal(api_sql_long(taken), 0);
	/* The token renewed in place, as a refresher would. */
	sh_ok(F("echo imap-test-bearer-token > '%s.new' && mv '%s.new' '%s'",
		token, token, token));
	long got = wait_for(taken, 1);
	char *log = itest_server_log(&s);
	assert_int_equal(itest_server_stop(&s), 0);
	assert_int_equal(got, 1);
	/* The secret never reaches the log. */
	assert_null(strstr(log, "imap-test-bearer-token"));
	assert_non_null(strstr(log, "inbox: IMAP"));
	free(log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_servers_take_each_once),
		cmocka_unit_test(test_drop_mid_fetch_loses_nothing),
		cmocka_unit_test(test_xoauth2_bearer),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
