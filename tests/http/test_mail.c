/*
 * Email, reminders, invites and feeds against a real SMTP server (Debian's
 * python3-aiosmtpd) and a real calendar parser (python3-icalendar): what is
 * sent, to whom, exactly once, with nothing lost while the mail server is
 * down, and no resident details anywhere.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "api.h"

static struct itest_server server;
static struct api lo, repairs, housing;
static long area_repairs;
static int smtp_port;
static pid_t smtp_pid;
static char sink[512];

/* Start the sink as a good server (mode NULL) or a bad one. */
static void sink_start_mode(const char *mode)
{
	char port[16];
	snprintf(port, sizeof(port), "%d", smtp_port);
	smtp_pid = fork();
	if (smtp_pid == 0) {
		char script[512];
		snprintf(script, sizeof(script), "%s/tests/smtp_sink.py",
			 getenv("LINKDESK_ROOT"));
		int devnull = open("/dev/null", O_WRONLY);
		dup2(devnull, 1);
		dup2(devnull, 2);
		execl(getenv("LINKDESK_TEST_PYTHON"), "python3", script, port,
		      sink, mode ? mode : "ok", (char *)NULL);
		_exit(127);
	}
	/* Ready when it accepts a connection. */
	for (int i = 0; i < 100; i++) {
		char cmd[128];
		snprintf(cmd, sizeof(cmd),
			 "exec 3<>/dev/tcp/127.0.0.1/%d 2>/dev/null",
			 smtp_port);
		char *out;
		char bash[200];
		snprintf(bash, sizeof(bash), "bash -c '%s' 2>/dev/null", cmd);
		int rc = itest_sh(bash, &out);
		free(out);
		if (rc == 0)
			return;
		usleep(100 * 1000);
	}
	fail_msg("the SMTP sink did not start");
}

static void sink_start(void)
{
	sink_start_mode(NULL);
}

static void sink_stop(void)
{
	kill(smtp_pid, SIGTERM);
	waitpid(smtp_pid, NULL, 0);
}

/* Every message the sink has, parsed (json_decref it). */
static json_t *sink_messages(void)
{
	char cmd[1200], *out;
	snprintf(cmd, sizeof(cmd), "'%s' '%s/tests/mailcheck.py' mail '%s'",
		 getenv("LINKDESK_TEST_PYTHON"), getenv("LINKDESK_ROOT"), sink);
	assert_int_equal(itest_sh(cmd, &out), 0);
	json_t *j = json_loads(out, 0, NULL);
	if (!j)
		fail_msg("mailcheck: %s", out);
	free(out);
	return j;
}

/* linkdesk remind --once on a given day, delivering to the sink. */
static int remind(const char *day, const char *extra, char **out)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd),
		 "LINKDESK_TODAY=%s LINKDESK_REMINDER_HOUR=0"
		 " LINKDESK_SMTP_URL=smtp://127.0.0.1:%d"
		 " LINKDESK_SMTP_TLS=off LINKDESK_MAIL_RETRY_SECONDS=1 %s"
		 " \"$LINKDESK_BIN\" remind --once %s 2>&1",
		 day, smtp_port, extra ? extra : "", extra ? "--no-mail" : "");
	char *unused;
	int rc = itest_sh(cmd, out ? out : &unused);
	if (!out)
		free(unused);
	return rc;
}

static int setup(void **state)
{
	static const char *const env[] = {"LINKDESK_TODAY=2026-11-23",
					  "LINKDESK_SCHEDULER=0", NULL};
	(void)state;
	smtp_port = itest_free_port();
	snprintf(sink, sizeof(sink), "%s/sink-%d", getenv("LINKDESK_TEST_TMP"),
		 (int)getpid());
	sink_start();
	itest_server_start(&server, env);
	api_signin(&lo, server.base, "link.officer");
	api_signin(&repairs, server.base, "repairs.officer");
	api_signin(&housing, server.base, "housing.officer");
	json_t *areas =
		api_expect(&lo, 200, "GET", "/api/v1/service-areas", NULL);
	size_t i;
	json_t *a;
	json_array_foreach(areas, i, a) if (!strcmp(jstr(a, "name"),
						    "Repairs and Maintenance"))
		area_repairs = (long)jint(a, "id");
	json_decref(areas);
	/* Deliver what earlier tests queued, so counts below are our own. */
	assert_int_equal(remind("2026-11-23", NULL, NULL), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	api_release(&lo);
	api_release(&repairs);
	api_release(&housing);
	assert_int_equal(itest_server_stop(&server), 0);
	sink_stop();
	return 0;
}

/* A task on a new case, set on day, assigned to the repairs officer. */
static long new_task(const char *day, const char *title)
{
	static int seq;
	json_t *c = api_expect(
		&lo, 201, "POST", "/api/v1/complaints",
		F("{\"reference\": \"M-%d-%d\", \"category\": \"Repairs\","
		  " \"service_area_id\": %ld, \"received_on\": \"2026-05-01\","
		  " \"resident\": {\"name\": \"Ophelia Canarywood\"}}",
		  (int)getpid(), ++seq, area_repairs));
	long complaint = (long)jint(c, "id");
	json_decref(c);
	c = api_expect(&lo, 201, "POST", "/api/v1/cases",
		       F("{\"complaint_id\": %ld, \"ombudsman\": \"HOS\","
			 " \"reference\": \"2028%05d\"}",
			 complaint, (int)(getpid() % 1000) * 50 + seq));
	long cid = (long)jint(c, "id");
	json_decref(c);
	c = api_expect(&lo, 201, "POST",
		       F("/api/v1/cases/%ld/correspondence", cid),
		       F("{\"kind\": \"information_request\", \"dated_on\":"
			 " \"%s\", \"tasks\": [{\"title\": \"%s\","
			 " \"service_area_id\": %ld, \"assignee_id\": %ld}]}",
			 day, title, area_repairs, repairs.user_id));
	long task = (long)jint(json_array_get(json_object_get(c, "tasks"), 0),
			       "id");
	json_decref(c);
	return task;
}

/* The sink's messages whose subject contains needle. */
static json_t *messages_about(json_t *all, const char *needle)
{
	json_t *out = json_array();
	size_t i;
	json_t *m;
	json_array_foreach(all, i, m) if (strstr(jstr(m, "subject"), needle))
		json_array_append(out, m);
	return out;
}

static void test_assignment_mail_and_invite(void **state)
{
	(void)state;
	long task = new_task("2026-11-23", "Gas safety certificates 2026");
	assert_int_equal(remind("2026-11-23", NULL, NULL), 0);
	json_t *all = sink_messages();
	json_t *mine = messages_about(all, "Gas safety certificates 2026");
	/* The assignment notice and the calendar invite. */
	assert_int_equal(json_array_size(mine), 2);
	size_t i;
	json_t *m;
	bool notice = false, invite = false;
	json_array_foreach(mine, i, m)
	{
		const char *to = json_string_value(
			json_array_get(json_object_get(m, "to"), 0));
		assert_string_equal(to, "repairs.officer@demo.linkdesk.test");
		const char *text = jstr(m, "text");
		assert_non_null(strstr(text, "Ombudsman reference: 2028"));
		if (!strstr(text, F("/tasks/%ld", task)))
			fail_msg("no link to task %ld in: %s", task, text);
		assert_true(strlen(jstr(m, "html")) > 0);
		assert_non_null(
			strstr(jstr(m, "message_id"), "linkdesk.outbox."));
		json_t *cals = json_object_get(m, "calendars");
		if (json_array_size(cals)) {
			invite = true;
			json_t *cal = json_array_get(cals, 0);
			assert_string_equal(jstr(cal, "method"), "REQUEST");
			json_t *ev = json_array_get(
				json_object_get(cal, "events"), 0);
			/* Due 14 December; three working days before: the 9th.
			 */
			assert_string_equal(jstr(ev, "dtstart"), "2026-12-09");
			assert_true(
				json_is_true(json_object_get(ev, "all_day")));
			assert_int_equal(jint(ev, "alarms"), 1);
			assert_non_null(
				strstr(jstr(ev, "description"), "2026-12-14"));
			assert_string_equal(jstr(ev, "uid"),
					    F("task-%ld@localhost", task));
		} else {
			notice = true;
			assert_non_null(strstr(text, "Due: 2026-12-14"));
		}
	}
	assert_true(notice && invite);
	json_decref(mine);

	/* No resident detail in any message the sink ever received. */
	char *dump = json_dumps(all, 0);
	assert_null(strstr(dump, "Canarywood"));
	assert_null(strstr(dump, "Zebedee"));
	free(dump);
	json_decref(all);
}

static void test_invite_updates_and_cancel(void **state)
{
	(void)state;
	long task = new_task("2026-11-23", "Asbestos register");
	json_t *t =
		api_expect(&lo, 200, "GET", F("/api/v1/tasks/%ld", task), NULL);
	long case_id = (long)jint(json_object_get(t, "case"), "id");
	json_decref(t);
	json_decref(api_expect(&lo, 201, "POST",
			       F("/api/v1/cases/%ld/correspondence", case_id),
			       F("{\"kind\": \"extension_agreed\","
				 " \"revised_due_on\": \"2026-12-21\","
				 " \"task_ids\": [%ld]}",
				 task)));
	t = api_expect(&lo, 200, "GET", F("/api/v1/tasks/%ld", task), NULL);
	long version = (long)jint(t, "version");
	json_decref(t);
	json_decref(api_expect(
		&lo, 200, "POST", F("/api/v1/tasks/%ld/actions", task),
		F("{\"action\": \"cancel\", \"version\": %ld}", version)));
	assert_int_equal(remind("2026-11-23", NULL, NULL), 0);
	json_t *all = sink_messages();
	json_t *mine = messages_about(all, "Asbestos register");
	json_decref(all);
	int seen[3] = {0};
	size_t i;
	json_t *m;
	json_array_foreach(mine, i, m)
	{
		json_t *cal =
			json_array_get(json_object_get(m, "calendars"), 0);
		if (!cal)
			continue;
		json_t *ev = json_array_get(json_object_get(cal, "events"), 0);
		long seq = (long)jint(ev, "sequence");
		assert_true(seq >= 0 && seq <= 2);
		seen[seq]++;
		assert_string_equal(jstr(ev, "uid"),
				    F("task-%ld@localhost", task));
		if (seq == 1) /* the new date: 21 Dec less 3 working days */
			assert_string_equal(jstr(ev, "dtstart"), "2026-12-16");
		if (seq == 2) {
			assert_string_equal(jstr(cal, "method"), "CANCEL");
			assert_string_equal(jstr(ev, "status"), "CANCELLED");
		}
	}
	assert_int_equal(seen[0], 1);
	assert_int_equal(seen[1], 1);
	assert_int_equal(seen[2], 1);
	json_decref(mine);
}

static void test_fortnight_of_reminders(void **state)
{
	(void)state;
	long task = new_task("2026-11-23", "Fortnight task");
	/* Every day for a fortnight, twice a day: every 3 days, once. */
	for (int d = 23; d <= 36; d++) {
		char day[32];
		snprintf(day, sizeof(day), "2026-%02d-%02d", d <= 30 ? 11 : 12,
			 d <= 30 ? d : d - 30);
		for (int twice = 0; twice < 2; twice++)
			assert_int_equal(remind(day, "", NULL), 0);
	}
	assert_int_equal(
		api_sql_long(F("SELECT count(*) FROM outbox WHERE kind ="
			       " 'reminder' AND task_id = %ld",
			       task)),
		4);
	char *slots;
	assert_int_equal(api_sql(F("SELECT string_agg(to_char(slot, 'MMDD'),"
				   " ',' ORDER BY slot) FROM reminder WHERE"
				   " task_id = %ld",
				   task),
				 &slots),
			 0);
	assert_string_equal(slots, "1126,1129,1202,1205\n");
	free(slots);
	/* Done: no more. */
	json_t *t =
		api_expect(&lo, 200, "GET", F("/api/v1/tasks/%ld", task), NULL);
	long version = (long)jint(t, "version");
	json_decref(t);
	json_decref(api_expect(
		&lo, 200, "POST", F("/api/v1/tasks/%ld/actions", task),
		F("{\"action\": \"cancel\", \"version\": %ld}", version)));
	assert_int_equal(remind("2026-12-08", "", NULL), 0);
	assert_int_equal(
		api_sql_long(F("SELECT count(*) FROM outbox WHERE kind ="
			       " 'reminder' AND task_id = %ld",
			       task)),
		4);
	/* Delivered, each once, naming the task and linking to it. */
	assert_int_equal(remind("2026-12-08", NULL, NULL), 0);
	json_t *all = sink_messages();
	json_t *mine = messages_about(all, "Reminder: HOS");
	size_t i, n = 0;
	json_t *m;
	json_array_foreach(mine, i,
			   m) if (strstr(jstr(m, "subject"), "Fortnight task"))
	{
		n++;
		assert_non_null(strstr(jstr(m, "text"), F("/tasks/%ld", task)));
	}
	assert_int_equal(n, 4);
	json_decref(mine);
	json_decref(all);
}

/*
 * n tasks due on 20 November titled "<title> i", and the settings of a
 * server whose scheduler sweeps every second and sends to the sink (a
 * message's claim lasts its 3 s timeout and 10 s to record it).
 * Returns the first task's id.
 */
static long due_tasks(int n, const char *title, const char ***env)
{
	static char smtp[64];
	static const char *settings[] = {"LINKDESK_TODAY=2026-11-23",
					 "LINKDESK_SCHEDULER_SECONDS=1",
					 "LINKDESK_REMINDER_HOUR=0",
					 "LINKDESK_SMTP_TLS=off",
					 "LINKDESK_MAIL_RETRY_SECONDS=1",
					 "LINKDESK_SMTP_TIMEOUT=3",
					 smtp,
					 NULL};
	snprintf(smtp, sizeof(smtp), "LINKDESK_SMTP_URL=smtp://127.0.0.1:%d",
		 smtp_port);
	long first = 0;
	for (int i = 0; i < n; i++) {
		long t = new_task("2026-11-20", F("%s %d", title, i));
		if (!first)
			first = t;
	}
	*env = settings;
	return first;
}

static void test_two_servers_send_once(void **state)
{
	(void)state;
	const char **env;
	long first = due_tasks(12, "Twin server task", &env);
	struct itest_server a, b;
	itest_server_start(&a, env);
	itest_server_start(&b, env);
	/* Until both have swept and every reminder for these is delivered. */
	for (int i = 0; i < 100; i++) {
		if (api_sql_long(
			    F("SELECT count(*) FROM outbox WHERE kind ="
			      " 'reminder' AND status = 'sent' AND task_id >="
			      " %ld",
			      first)) >= 12 &&
		    api_sql_long("SELECT count(*) FROM outbox WHERE status ="
				 " 'queued' AND next_attempt_at <= now()") == 0)
			break;
		usleep(200 * 1000);
	}
	usleep(2500 * 1000); /* two more rounds each: nothing more goes */
	assert_int_equal(itest_server_stop(&a), 0);
	assert_int_equal(itest_server_stop(&b), 0);
	assert_int_equal(
		api_sql_long(F("SELECT count(*) FROM outbox WHERE kind ="
			       " 'reminder' AND task_id >= %ld",
			       first)),
		12);
	json_t *all = sink_messages();
	json_t *twins = messages_about(all, "Twin server task");
	/* Each Message-ID once: no message went twice. */
	size_t i;
	json_t *m;
	int reminders = 0;
	json_array_foreach(twins, i, m)
	{
		if (!strstr(jstr(m, "subject"), "Reminder"))
			continue;
		reminders++;
		for (size_t k = i + 1; k < json_array_size(twins); k++)
			assert_string_not_equal(
				jstr(m, "message_id"),
				jstr(json_array_get(twins, k), "message_id"));
	}
	assert_int_equal(reminders, 12);
	json_decref(twins);
	json_decref(all);
}

/*
 * Three servers share the outbox through a mail server that takes 1.5 s a
 * message, with a retry wait (1 s) shorter than one message and an SMTP
 * timeout (3 s) longer than it: each message reaches the mail server
 * exactly once.  A claim of twenty rows for the retry wait let a second
 * server take the unsent rest of a batch and send it too.
 */
static void test_three_servers_slow_smtp_send_once(void **state)
{
	enum { TASKS = 8, SERVERS = 3 };
	static char smtp[64];
	static const char *env[] = {"LINKDESK_TODAY=2026-11-23",
				    "LINKDESK_SCHEDULER_SECONDS=1",
				    "LINKDESK_SMTP_TLS=off",
				    "LINKDESK_MAIL_RETRY_SECONDS=1",
				    "LINKDESK_SMTP_TIMEOUT=3",
				    smtp,
				    NULL};
	(void)state;
	snprintf(smtp, sizeof(smtp), "LINKDESK_SMTP_URL=smtp://127.0.0.1:%d",
		 smtp_port);
	sink_stop();
	sink_start_mode("slow:1.5");
	/* Set on the day itself: each task's notice and invite, no reminder. */
	long first = 0;
	for (int i = 0; i < TASKS; i++) {
		long t = new_task("2026-11-23", F("Slow mail task %d", i));
		if (!first)
			first = t;
	}
	struct itest_server srv[SERVERS];
	for (int i = 0; i < SERVERS; i++)
		itest_server_start(&srv[i], env);
	static const char sent_sql[] =
		"SELECT count(*) FROM outbox WHERE status = 'sent' AND"
		" task_id >= %ld";
	for (int i = 0; i < 300; i++) {
		if (api_sql_long(F(sent_sql, first)) == 2 * TASKS)
			break;
		usleep(100 * 1000);
	}
	usleep(2000 * 1000); /* a copy still on its way arrives too */
	for (int i = 0; i < SERVERS; i++)
		assert_int_equal(itest_server_stop(&srv[i]), 0);
	sink_stop();
	sink_start();
	assert_int_equal(api_sql_long(F(sent_sql, first)), 2 * TASKS);

	json_t *all = sink_messages();
	json_t *mine = messages_about(all, "Slow mail task");
	size_t i;
	json_t *m;
	int twice = 0;
	json_array_foreach(mine, i, m)
	{
		bool seen = false;
		for (size_t k = 0; k < i; k++)
			seen |= !strcmp(
				jstr(m, "message_id"),
				jstr(json_array_get(mine, k), "message_id"));
		twice += seen;
	}
	if (twice)
		fail_msg("%d of %d messages received were sent before", twice,
			 (int)json_array_size(mine));
	assert_int_equal(json_array_size(mine), 2 * TASKS);
	json_decref(mine);
	json_decref(all);
}

/* With the sink good again, the task's two messages go at the retry. */
static void assert_sent_once_back(long task)
{
	usleep(2200 * 1000); /* the first retry waits 2 s */
	assert_int_equal(remind("2026-11-23", NULL, NULL), 0);
	assert_int_equal(api_sql_long(F("SELECT count(*) FROM outbox WHERE "
					"task_id = %ld AND status = 'sent'",
					task)),
			 2);
}

static void test_smtp_down_then_back(void **state)
{
	(void)state;
	sink_stop();
	long task = new_task("2026-11-23", "Written while mail was down");
	char *out;
	assert_int_equal(remind("2026-11-23", NULL, &out), 0);
	assert_non_null(strstr(out, "failed: "));
	free(out);
	assert_int_equal(
		api_sql_long(F("SELECT count(*) FROM outbox WHERE task_id ="
			       " %ld AND status = 'queued' AND attempts ="
			       " 1 AND last_error <> ''",
			       task)),
		2);
	sink_start();
	assert_sent_once_back(task);
	json_t *all = sink_messages();
	json_t *mine = messages_about(all, "Written while mail was down");
	assert_int_equal(json_array_size(mine), 2);
	json_decref(mine);
	json_decref(all);
}

/*
 * A server that refuses the message, one that never answers it, and one
 * that drops the connection half-way: each time the messages stay queued
 * with the reason, and go once a good server is back.
 */
static void test_smtp_misbehaves(void **state)
{
	static const char *const modes[] = {"reject", "hang", "drop"};
	(void)state;
	for (int i = 0; i < 3; i++) {
		sink_stop();
		sink_start_mode(modes[i]);
		long task = new_task("2026-11-23",
				     F("Bad mail server %s", modes[i]));
		char *out;
		assert_int_equal(
			remind("2026-11-23", "LINKDESK_SMTP_TIMEOUT=2", &out),
			0);
		free(out);
		/* --no-mail above queued them; now deliver, and fail. */
		assert_int_equal(
			itest_sh(F("LINKDESK_TODAY=2026-11-23 "
				   "LINKDESK_SMTP_URL=smtp://127.0.0.1:%d "
				   "LINKDESK_SMTP_TLS=off "
				   "LINKDESK_SMTP_TIMEOUT=2 "
				   "LINKDESK_MAIL_RETRY_SECONDS=1 "
				   "\"$LINKDESK_BIN\" remind --once >/dev/null "
				   "2>&1",
				   smtp_port),
				 NULL),
			0);
		assert_int_equal(
			api_sql_long(F("SELECT count(*) FROM outbox WHERE "
				       "task_id = %ld AND status = 'queued' "
				       "AND attempts >= 1 AND last_error <> ''",
				       task)),
			2);
		sink_stop();
		sink_start();
		assert_sent_once_back(task);
	}
}

/*
 * A mail server that takes a message and then never answers the goodbye
 * (QUIT): the message is recorded sent once it is accepted, not a whole
 * timeout later, so a slow goodbye cannot stretch a try past its claim.
 */
static void test_recorded_before_goodbye(void **state)
{
	(void)state;
	sink_stop();
	sink_start_mode("mute-quit");
	long task = new_task("2026-11-23", "Goodbye unanswered");
	assert_int_equal(api_sql_long("SELECT count(*) FROM outbox WHERE status"
				      " = 'queued' AND next_attempt_at <= "
				      "now()"),
			 2);
	pid_t pid = fork();
	if (pid == 0) {
		char cmd[512];
		snprintf(cmd, sizeof(cmd),
			 "LINKDESK_TODAY=2026-11-23 "
			 "LINKDESK_SMTP_URL=smtp://127.0.0.1:%d "
			 "LINKDESK_SMTP_TLS=off LINKDESK_SMTP_TIMEOUT=30 "
			 "exec \"$LINKDESK_BIN\" remind --once >/dev/null 2>&1",
			 smtp_port);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	static const char sent_sql[] = "SELECT count(*) FROM outbox WHERE"
				       " task_id = %ld AND status = 'sent'";
	long sent = 0;
	for (int i = 0; i < 100 && !sent; i++) {
		usleep(100 * 1000);
		sent = api_sql_long(F(sent_sql, task));
	}
	/* Recorded while the sender still waits for the goodbye. */
	assert_int_equal(waitpid(pid, NULL, WNOHANG), 0);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	assert_int_equal(sent, 1);
	sink_stop();
	sink_start();
	/* The other was never claimed: it goes at once, at the shortest
	 * timeout there is. */
	assert_int_equal(
		itest_sh(F("LINKDESK_TODAY=2026-11-23 "
			   "LINKDESK_SMTP_URL=smtp://127.0.0.1:%d "
			   "LINKDESK_SMTP_TLS=off "
			   "LINKDESK_SMTP_TIMEOUT=1 "
			   "\"$LINKDESK_BIN\" remind --once >/dev/null "
			   "2>&1",
			   smtp_port),
			 NULL),
		0);
	assert_int_equal(api_sql_long(F(sent_sql, task)), 2);
	json_t *all = sink_messages();
	json_t *mine = messages_about(all, "Goodbye unanswered");
	assert_int_equal(json_array_size(mine), 2);
	json_decref(mine);
	json_decref(all);
}

static void test_digest_once_a_day(void **state)
{
	(void)state;
	/* Monday 23 November: every area, and the link officers. */
	assert_int_equal(
		api_sql_long("SELECT count(*) FROM digest_run WHERE day ="
			     " '2026-11-23' AND area_id = 0"),
		1);
	long before = api_sql_long("SELECT count(*) FROM outbox WHERE kind ="
				   " 'digest' AND recipient ="
				   " 'link.officer@demo.linkdesk.test'");
	assert_true(before >= 1);
	assert_int_equal(remind("2026-11-23", "", NULL), 0);
	assert_int_equal(api_sql_long("SELECT count(*) FROM outbox WHERE kind ="
				      " 'digest' AND recipient ="
				      " 'link.officer@demo.linkdesk.test'"),
			 before);
	char *body;
	assert_int_equal(api_sql("SELECT body FROM outbox WHERE kind = 'digest'"
				 " AND recipient = 'link.officer@demo.linkdesk."
				 "test' ORDER BY id LIMIT 1",
				 &body),
			 0);
	assert_non_null(strstr(body, "OVERDUE"));
	assert_null(strstr(body, "Canary"));
	free(body);
	/* Tuesday: only daily areas, and none is. */
	assert_int_equal(remind("2026-11-24", "", NULL), 0);
	assert_int_equal(
		api_sql_long("SELECT count(*) FROM digest_run WHERE day ="
			     " '2026-11-24'"),
		0);
}

static void test_feeds(void **state)
{
	(void)state;
	long task = new_task("2026-11-23", "Feed task");
	json_t *f = api_expect(&repairs, 201, "POST", "/api/v1/feeds",
			       "{\"scope\": \"mine\"}");
	const char *url = jstr(f, "url");
	assert_non_null(strstr(jstr(f, "webcal_url"), "webcal://"));
	long feed_id = (long)jint(json_object_get(f, "feed"), "id");
	char path[256];
	snprintf(path, sizeof(path), "%s", strstr(url, "/feeds/"));
	json_decref(f);

	struct itest_resp r;
	char full[512];
	snprintf(full, sizeof(full), "%s%s", server.base, path);
	itest_request(NULL, "GET", full, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(
		strstr(itest_resp_header(&r, "Content-Type"), "text/calendar"));
	assert_non_null(strstr(r.body, "\r\n")); /* CRLF line ends */
	assert_null(strstr(r.body, "Canarywood"));
	char etag[128], file[512];
	snprintf(etag, sizeof(etag), "If-None-Match: %s",
		 itest_resp_header(&r, "ETag"));
	snprintf(file, sizeof(file), "%s/feed.ics",
		 getenv("LINKDESK_TEST_TMP"));
	FILE *out = fopen(file, "wb");
	fwrite(r.body, 1, r.len, out);
	fclose(out);
	itest_resp_release(&r);

	char cmd[1200], *parsed;
	snprintf(cmd, sizeof(cmd), "'%s' '%s/tests/mailcheck.py' ics '%s'",
		 getenv("LINKDESK_TEST_PYTHON"), getenv("LINKDESK_ROOT"), file);
	assert_int_equal(itest_sh(cmd, &parsed), 0);
	json_t *cal = json_loads(parsed, 0, NULL);
	free(parsed);
	json_t *ev;
	size_t i;
	int found = 0;
	json_array_foreach(json_object_get(cal, "events"), i, ev)
	{
		if (!strcmp(jstr(ev, "uid"),
			    F("task-%ld-due@localhost", task))) {
			found++;
			assert_string_equal(jstr(ev, "dtstart"), "2026-12-14");
			assert_true(
				json_is_true(json_object_get(ev, "all_day")));
			assert_int_equal(jint(ev, "alarms"), 1);
		}
		if (!strcmp(jstr(ev, "uid"),
			    F("task-%ld-checkpoint@localhost", task))) {
			found++;
			assert_string_equal(jstr(ev, "dtstart"), "2026-12-09");
		}
	}
	assert_int_equal(found, 2);
	json_decref(cal);

	/* Unchanged: 304.  Changed: a new body. */
	const char *cond[] = {etag, NULL};
	itest_request(NULL, "GET", full, NULL, cond, &r);
	assert_int_equal(r.status, 304);
	itest_resp_release(&r);
	json_t *t =
		api_expect(&lo, 200, "GET", F("/api/v1/tasks/%ld", task), NULL);
	json_decref(api_expect(&lo, 200, "PATCH", F("/api/v1/tasks/%ld", task),
			       F("{\"version\": %lld, \"title\": \"Feed task,"
				 " renamed\"}",
				 jint(t, "version"))));
	json_decref(t);
	itest_request(NULL, "GET", full, NULL, cond, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "renamed"));
	itest_resp_release(&r);

	/* The token never reaches the log. */
	char *log = itest_server_log(&server);
	assert_null(strstr(log, path + 7));
	assert_non_null(strstr(log, "/feeds/(token)"));
	free(log);

	/* Another area's feed is not for a service officer. */
	api_refused(&repairs, 403, "forbidden", "scope", "POST",
		    "/api/v1/feeds", "{\"scope\": \"all\"}");
	api_refused(&housing, 403, "forbidden", "scope", "POST",
		    "/api/v1/feeds",
		    F("{\"scope\": \"area\", \"service_area_id\": %ld}",
		      area_repairs));
	/* Revoked: gone. */
	json_decref(api_expect(&repairs, 200, "DELETE",
			       F("/api/v1/feeds/%ld", feed_id), NULL));
	itest_request(NULL, "GET", full, NULL, NULL, &r);
	assert_int_equal(r.status, 410);
	itest_resp_release(&r);
}

/*
 * The server killed (SIGKILL) while it is sending reminders through a slow
 * mail server: after a restart every reminder is delivered, each task's
 * reminder was queued once, and a message sent again (the one in flight
 * when the server died) carries the same Message-ID, so mail clients show
 * it once: at least once, as documented, and no more.
 */
static void test_killed_mid_send(void **state)
{
	(void)state;
	enum { N = 12 };
	sink_stop();
	sink_start_mode("slow");
	const char **env;
	long first = due_tasks(N, "Crash mail task", &env);
	struct itest_server a;
	itest_server_start(&a, env);
	/* Some delivered, not all: then the server dies. */
	static const char sent_sql[] =
		"SELECT count(*) FROM outbox WHERE kind = 'reminder' AND"
		" status = 'sent' AND task_id >= %ld";
	long sent = 0;
	for (int i = 0; i < 300 && sent < 3; i++) {
		usleep(50 * 1000);
		sent = api_sql_long(F(sent_sql, first));
	}
	kill(a.pid, SIGKILL);
	int status;
	waitpid(a.pid, &status, 0);
	assert_true(WIFSIGNALED(status));
	assert_true(sent >= 3 && sent < N);

	itest_server_start(&a, env);
	for (int i = 0; i < 300; i++) {
		if (api_sql_long(F(sent_sql, first)) == N)
			break;
		usleep(100 * 1000);
	}
	assert_int_equal(itest_server_stop(&a), 0);
	sink_stop();
	sink_start();
	assert_int_equal(api_sql_long(F("SELECT count(*) FROM outbox WHERE kind"
					" = 'reminder' AND task_id >= %ld",
					first)),
			 N);
	assert_int_equal(api_sql_long(F(sent_sql, first)), N);

	json_t *all = sink_messages();
	json_t *mine = messages_about(all, "Crash mail task");
	size_t i, received = 0, distinct = 0;
	json_t *m;
	json_array_foreach(mine, i, m)
	{
		const char *subject = jstr(m, "subject");
		if (strncmp(subject, "Overdue: ", 9) &&
		    strncmp(subject, "Reminder: ", 10))
			continue;
		received++;
		bool seen = false;
		for (size_t k = 0; k < i; k++)
			seen |= !strcmp(
				jstr(m, "message_id"),
				jstr(json_array_get(mine, k), "message_id"));
		distinct += !seen;
	}
	/* Every reminder arrived; at most the one in flight twice. */
	assert_int_equal(distinct, N);
	assert_true(received <= N + 1);
	json_decref(mine);
	json_decref(all);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_assignment_mail_and_invite),
		cmocka_unit_test(test_invite_updates_and_cancel),
		cmocka_unit_test(test_fortnight_of_reminders),
		cmocka_unit_test(test_two_servers_send_once),
		cmocka_unit_test(test_three_servers_slow_smtp_send_once),
		cmocka_unit_test(test_killed_mid_send),
		cmocka_unit_test(test_smtp_down_then_back),
		cmocka_unit_test(test_smtp_misbehaves),
		cmocka_unit_test(test_recorded_before_goodbye),
		cmocka_unit_test(test_digest_once_a_day),
		cmocka_unit_test(test_feeds),
	};
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int rc = cmocka_run_group_tests_name("mail", tests, setup, teardown);
	curl_global_cleanup();
	return rc;
}
