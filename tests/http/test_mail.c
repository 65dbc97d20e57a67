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

/*
 * linkdesk remind --once on a given day with extra settings, delivering to
 * the sink unless told not to.  The reminder hour is midnight: the day is
 * fixed, so the hour must not be the wall clock's.
 */
static void remind_cmd(char *cmd, size_t size, const char *day, const char *env,
		       bool mail)
{
	snprintf(cmd, size,
		 "LINKDESK_TODAY=%s LINKDESK_REMINDER_HOUR=0"
		 " LINKDESK_SMTP_URL=smtp://127.0.0.1:%d"
		 " LINKDESK_SMTP_TLS=off LINKDESK_MAIL_RETRY_SECONDS=1 %s"
		 " \"$LINKDESK_BIN\" remind --once %s 2>&1",
		 day, smtp_port, env, mail ? "" : "--no-mail");
}

static int remind_with(const char *day, const char *env, bool mail, char **out)
{
	char cmd[1024];
	remind_cmd(cmd, sizeof(cmd), day, env, mail);
	char *unused;
	int rc = itest_sh(cmd, out ? out : &unused);
	if (!out)
		free(unused);
	return rc;
}

/* remind_with() delivering, or with extra settings (even "") not. */
static int remind(const char *day, const char *extra, char **out)
{
	return remind_with(day, extra ? extra : "", !extra, out);
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
	char *out;
	if (remind("2026-11-23", NULL, &out))
		fail_msg("remind --once: %s", out);
	free(out);
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

/* A task on a new case, set on day, for assignee (0: the whole area). */
static long new_task_for(const char *day, const char *title, long assignee)
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
	c = api_expect(
		&lo, 201, "POST", F("/api/v1/cases/%ld/correspondence", cid),
		F("{\"kind\": \"information_request\", \"dated_on\":"
		  " \"%s\", \"tasks\": [{\"title\": \"%s\","
		  " \"service_area_id\": %ld%s}]}",
		  day, title, area_repairs,
		  assignee ? F(", \"assignee_id\": %ld", assignee) : ""));
	long task = (long)jint(json_array_get(json_object_get(c, "tasks"), 0),
			       "id");
	json_decref(c);
	return task;
}

/* A task on a new case, set on day, assigned to the repairs officer. */
static long new_task(const char *day, const char *title)
{
	return new_task_for(day, title, repairs.user_id);
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

/* The sink's reminders (a person's list of the day) naming needle. */
static json_t *lists_naming(json_t *all, const char *needle)
{
	json_t *out = json_array();
	size_t i;
	json_t *m;
	json_array_foreach(all, i, m)
	{
		if (strstr(jstr(m, "subject"), "your Ombudsman tasks (") &&
		    strstr(jstr(m, "text"), needle))
			json_array_append(out, m);
	}
	return out;
}

/* This installation's identifier, as UIDs and Message-IDs carry it. */
static const char *installation(void)
{
	static char id[80];
	char *out;
	assert_int_equal(api_sql("SELECT value FROM setting WHERE name ="
				 " 'installation_id'",
				 &out),
			 0);
	snprintf(id, sizeof(id), "%.*s", (int)strcspn(out, "\n"), out);
	free(out);
	assert_true(strlen(id) >= 32);
	return id;
}

/*
 * A message as Python's email reads it with policy.strict: no defect, CRLF
 * everywhere (decoded parts too), encoded header lines of at most 76
 * characters and none over 998, a one-line subject, and an HTML part that
 * is a whole document with its charset and real links.
 */
static void assert_well_formed(json_t *m)
{
	json_t *problems = json_object_get(m, "problems");
	if (json_array_size(problems) || strlen(jstr(m, "strict"))) {
		char *dump = json_dumps(problems, 0);
		fail_msg("%s: %s %s", jstr(m, "subject"), jstr(m, "strict"),
			 dump);
	}
	assert_null(strchr(jstr(m, "subject"), '\n'));
	assert_null(strchr(jstr(m, "subject"), '\r'));
	assert_string_equal(jstr(m, "content_type"), "multipart/alternative");
	const char *html = jstr(m, "html");
	assert_non_null(strstr(html, "<head>"));
	assert_non_null(strstr(html, "<meta charset=\"utf-8\">"));
	assert_non_null(strstr(html, "<title>"));
	assert_string_equal(jstr(m, "html_charset"), "utf-8");
	assert_non_null(strstr(html, "<a href=\""));
	assert_non_null(strstr(jstr(m, "message_id"), installation()));
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
		assert_well_formed(m);
		assert_non_null(strstr(jstr(m, "html"), "<a href=\"http"));
		assert_non_null(
			strstr(jstr(m, "html"), F("/tasks/%ld\"", task)));
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
			/* Dates as the pages write them. */
			assert_non_null(strstr(jstr(ev, "description"),
					       "Monday 14 December 2026"));
			assert_non_null(
				strstr(text, "Due: Monday 14 December 2026"));
			assert_non_null(strstr(text, "Wednesday 9 December"));
			assert_string_equal(jstr(ev, "uid"),
					    F("task-%ld@%s.linkdesk", task,
					      installation()));
			assert_true(
				!strncmp(jstr(m, "subject"), "Calendar: ", 10));
			/* What Outlook keeps: who organises, who attends,
			 * and an alarm before the event (09:00 the day
			 * before), not after its start. */
			json_t *att = json_array_get(
				json_object_get(ev, "attendees"), 0);
			assert_string_equal(
				jstr(att, "value"),
				"mailto:repairs.officer@demo.linkdesk.test");
			json_t *ps = json_object_get(att, "params");
			assert_true(strlen(jstr(ps, "CN")) > 0);
			assert_string_equal(jstr(ps, "ROLE"),
					    "REQ-PARTICIPANT");
			assert_string_equal(jstr(ps, "PARTSTAT"),
					    "NEEDS-ACTION");
			assert_string_equal(jstr(ps, "RSVP"), "FALSE");
			json_t *org = json_object_get(ev, "organizer");
			assert_string_equal(
				jstr(json_object_get(org, "params"), "CN"),
				"Linkdesk");
			json_t *trig = json_array_get(
				json_object_get(ev, "triggers"), 0);
			assert_true(json_number_value(trig) == -15 * 3600);
		} else {
			notice = true;
			assert_non_null(
				strstr(text, "Due: Monday 14 December 2026"));
			/* Its words from mail_notice's templates. */
			assert_true(!strncmp(jstr(m, "subject"),
					     "New Ombudsman task: ", 20));
			assert_non_null(strstr(
				text, "A task has been set for your service"));
			assert_non_null(strstr(jstr(m, "html"), "<table"));
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
	json_decref(api_expect(&lo, 200, "POST",
			       F("/api/v1/tasks/%ld/actions", task),
			       F("{\"action\": \"cancel\", \"version\": %ld, "
				 "\"comment\": \"No longer needed\"}",
				 version)));
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
		assert_string_equal(jstr(ev, "uid"), F("task-%ld@%s.linkdesk",
						       task, installation()));
		assert_well_formed(m);
		if (seq == 1) /* the new date: 21 Dec less 3 working days */
			assert_string_equal(jstr(ev, "dtstart"), "2026-12-16");
		if (seq == 2) {
			assert_true(!strncmp(jstr(m, "subject"),
					     "Cancelled: ", 11));
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
	/* Every day for a fortnight, twice a day, delivering: every 3 days,
	 * once, in the officer's list of the day. */
	for (int d = 23; d <= 36; d++) {
		char day[32];
		snprintf(day, sizeof(day), "2026-%02d-%02d", d <= 30 ? 11 : 12,
			 d <= 30 ? d : d - 30);
		for (int twice = 0; twice < 2; twice++)
			assert_int_equal(remind(day, NULL, NULL), 0);
	}
	const char *lists = F("SELECT count(*) FROM outbox WHERE kind ="
			      " 'reminders' AND %ld = ANY (task_ids)",
			      task);
	char listed[256];
	snprintf(listed, sizeof(listed), "%s", lists);
	assert_int_equal(api_sql_long(listed), 4);
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
	json_decref(api_expect(&lo, 200, "POST",
			       F("/api/v1/tasks/%ld/actions", task),
			       F("{\"action\": \"cancel\", \"version\": %ld, "
				 "\"comment\": \"No longer needed\"}",
				 version)));
	assert_int_equal(remind("2026-12-08", NULL, NULL), 0);
	assert_int_equal(api_sql_long(listed), 4);
	/* Delivered, each once, naming the task and linking to it. */
	json_t *all = sink_messages();
	json_t *mine = lists_naming(all, "Fortnight task");
	size_t i;
	json_t *m;
	json_array_foreach(mine, i, m)
		assert_non_null(strstr(jstr(m, "text"), F("/tasks/%ld", task)));
	assert_int_equal(json_array_size(mine), 4);
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
					 "LINKDESK_STATEMENT_TIMEOUT=2000",
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
	/* Until both have swept and every reminder for these is delivered:
	 * the officer's one list of the day, naming the twelve. */
	static const char listed_sql[] =
		"SELECT count(*) FROM outbox m, unnest(m.task_ids) i(id)"
		" JOIN task t ON t.id = i.id WHERE m.kind = 'reminders' AND"
		" t.id >= %ld AND t.title LIKE 'Twin server task %%'";
	for (int i = 0; i < 100; i++) {
		if (api_sql_long(F("%s AND m.status = 'sent'",
				   F(listed_sql, first))) >= 12 &&
		    api_sql_long("SELECT count(*) FROM outbox WHERE status ="
				 " 'queued' AND next_attempt_at <= now()") == 0)
			break;
		usleep(200 * 1000);
	}
	usleep(2500 * 1000); /* two more rounds each: nothing more goes */
	assert_int_equal(itest_server_stop(&a), 0);
	assert_int_equal(itest_server_stop(&b), 0);
	/* Each task in one list, once, whichever server swept it. */
	assert_int_equal(api_sql_long(F(listed_sql, first)), 12);
	assert_int_equal(
		api_sql_long(
			F("SELECT count(DISTINCT m.id) FROM outbox m,"
			  " unnest(m.task_ids) i(id) JOIN task t ON t.id ="
			  " i.id WHERE m.kind = 'reminders' AND t.id >= %ld"
			  " AND t.title LIKE 'Twin server task %%'",
			  first)),
		1);
	json_t *all = sink_messages();
	json_t *twins = lists_naming(all, "Twin server task");
	/* Went once, naming all twelve. */
	assert_int_equal(json_array_size(twins), 1);
	for (int k = 0; k < 12; k++)
		assert_non_null(strstr(jstr(json_array_get(twins, 0), "text"),
				       F("Twin server task %d (", k)));
	json_decref(twins);
	json_decref(all);
}

/*
 * A task for a whole area is one notice naming its officers (one outbox
 * row in the change's transaction); two deliveries at once make each
 * officer's message of it once, and each officer gets one email.
 */
static void test_area_notice_one_message_a_person(void **state)
{
	(void)state;
	char officers_sql[300];
	snprintf(officers_sql, sizeof(officers_sql),
		 "SELECT u.id FROM app_user u JOIN user_role r ON r.user_id ="
		 " u.id AND r.role = 'service_officer' WHERE u.active AND"
		 " u.service_area_id = %ld",
		 area_repairs);
	long officers =
		api_sql_long(F("SELECT count(*) FROM (%s) o", officers_sql));
	assert_true(officers >= 2);
	long task = new_task_for("2026-11-23", "Whole area notice task", 0);
	assert_int_equal(api_sql_long(F("SELECT count(*) FROM outbox WHERE"
					" task_id = %ld AND kind ="
					" 'task_assigned'",
					task)),
			 1);
	/* Two deliveries at once (two remind --once processes). */
	char one[1024], cmd[2200], *out;
	remind_cmd(one, sizeof(one), "2026-11-23", "", true);
	snprintf(cmd, sizeof(cmd), "(%s) & (%s); s=$?; wait $! && exit $s", one,
		 one);
	if (itest_sh(cmd, &out))
		fail_msg("remind --once: %s", out);
	free(out);
	assert_int_equal(api_sql_long(F("SELECT count(*) FROM outbox WHERE"
					" task_id = %ld AND kind ="
					" 'task_assigned' AND status = 'split'",
					task)),
			 1);
	/* One message each officer, sent, to that officer. */
	assert_int_equal(
		api_sql_long(F("SELECT count(*) FROM outbox o JOIN app_user u"
			       " ON u.id = o.user_id AND u.email = o.recipient"
			       " WHERE o.task_id = %ld AND o.kind ="
			       " 'task_assigned' AND o.status = 'sent' AND"
			       " o.user_id IN (%s)",
			       task, officers_sql)),
		officers);
	assert_int_equal(
		api_sql_long(F("SELECT count(*) FROM outbox WHERE"
			       " task_id = %ld AND kind ="
			       " 'task_assigned' AND recipients IS NULL",
			       task)),
		officers);
	/* Again: nothing more. */
	assert_int_equal(remind("2026-11-23", NULL, NULL), 0);
	json_t *all = sink_messages();
	json_t *mine = messages_about(all, "Whole area notice task");
	json_decref(all);
	assert_int_equal((long)json_array_size(mine), officers);
	json_t *to = json_object();
	size_t i;
	json_t *m;
	json_array_foreach(mine, i, m)
	{
		assert_true(!strncmp(jstr(m, "subject"),
				     "New Ombudsman task: ", 20));
		assert_non_null(strstr(jstr(m, "text"), "Due: "));
		assert_int_equal(json_array_size(json_object_get(m, "to")), 1);
		json_object_set_new(to,
				    json_string_value(json_array_get(
					    json_object_get(m, "to"), 0)),
				    json_true());
		assert_well_formed(m);
	}
	assert_int_equal((long)json_object_size(to), officers);
	json_decref(to);
	json_decref(mine);

	/* The administrators' list shows the messages, not the notice
	 * they were made of, unless asked for it. */
	struct api admin;
	api_signin(&admin, server.base, "admin");
	long notice = api_sql_long(F("SELECT id FROM outbox WHERE task_id = %ld"
				     " AND kind = 'task_assigned' AND"
				     " recipients IS NOT NULL",
				     task));
	json_t *listed = api_expect(&admin, 200, "GET", "/api/v1/outbox", NULL);
	int in_all = 0, in_split = 0;
	json_array_foreach(listed, i, m) in_all += jint(m, "id") == notice;
	json_decref(listed);
	listed = api_expect(&admin, 200, "GET", "/api/v1/outbox?status=split",
			    NULL);
	json_array_foreach(listed, i, m)
	{
		if (jint(m, "id") == notice) {
			in_split++;
			assert_int_equal((long)json_array_size(json_object_get(
						 m, "recipients")),
					 officers);
		}
	}
	json_decref(listed);
	api_release(&admin);
	assert_int_equal(in_all, 0);
	assert_int_equal(in_split, 1);

	/* remind --once --no-mail makes the messages, sending none. */
	task = new_task_for("2026-11-23", "Whole area notice unsent", 0);
	char *said;
	assert_int_equal(remind("2026-11-23", "", &said), 0);
	assert_non_null(strstr(said, "messages made of notices to several: "));
	free(said);
	assert_int_equal(api_sql_long(F("SELECT count(*) FROM outbox WHERE"
					" task_id = %ld AND kind ="
					" 'task_assigned' AND status = 'queued'"
					" AND recipients IS NULL",
					task)),
			 officers);
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
				    "LINKDESK_STATEMENT_TIMEOUT=2000",
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
	/* Queued as facts, rendered when sent. */
	char *facts;
	assert_int_equal(api_sql("SELECT f.facts::jsonb FROM outbox o JOIN"
				 " outbox_facts f ON f.id = o.facts_id WHERE"
				 " o.kind = 'digest' AND o.recipient ="
				 " 'link.officer@demo.linkdesk.test' ORDER BY"
				 " o.id LIMIT 1",
				 &facts),
			 0);
	assert_non_null(strstr(facts, "\"overdue\": {\"tasks\""));
	assert_null(strstr(facts, "Canary"));
	free(facts);
	/*
	 * A server of another test file, with no SMTP server, may have
	 * written it to its mail folder already: send it again, here.
	 */
	assert_int_equal(api_sql("UPDATE outbox SET status = 'queued',"
				 " attempts = 0, next_attempt_at = now()"
				 " WHERE kind = 'digest' AND recipient ="
				 " 'link.officer@demo.linkdesk.test' AND"
				 " facts_id IN (SELECT id FROM outbox_facts"
				 " WHERE facts->>'today' = '2026-11-23')",
				 NULL),
			 0);
	assert_int_equal(remind("2026-11-23", NULL, NULL), 0);
	json_t *all = sink_messages();
	/*
	 * The digest of the 23rd: servers of other test files, run without a
	 * fixed today, may have queued digests of the real date too.
	 */
	json_t *d = NULL, *m;
	size_t i;
	json_array_foreach(all, i, m)
	{
		if (!strncmp(jstr(m, "subject"),
			     "Ombudsman tasks overdue and due soon: ", 38) &&
		    strstr(jstr(m, "subject"), "every service area") &&
		    strstr(jstr(m, "text"), "as of Monday 23 November 2026"))
			d = m;
	}
	if (!d)
		fail_msg("no digest of every service area as of 23 November");
	assert_well_formed(d);
	assert_non_null(strstr(jstr(d, "text"), "OVERDUE"));
	/* The forecast, made as it is sent, with its reason in words. */
	assert_non_null(strstr(jstr(d, "text"), "LIKELY TO BE LATE"));
	assert_non_null(strstr(jstr(d, "text"), "% likely to be late: "));
	assert_non_null(strstr(jstr(d, "html"), "Likely to be late</h2>"));
	assert_non_null(strstr(jstr(d, "html"), "<h2"));
	assert_null(strstr(jstr(d, "text"), "Canary"));
	json_decref(all);
	/* Tuesday: only the daily areas (the demo has none; other tests'
	 * areas may be), no digest of every area. */
	assert_int_equal(remind("2026-11-24", "", NULL), 0);
	assert_int_equal(
		api_sql_long("SELECT count(*) FROM digest_run WHERE day ="
			     " '2026-11-24'"),
		api_sql_long("SELECT count(*) FROM service_area WHERE active"
			     " AND digest_daily"));
}

/*
 * A quarantine is queued as facts (file_store.c) and said in words by the
 * sender from the mail_file_quarantined templates: no text is built in
 * SQL, and no file name is in it.
 */
static void test_quarantine_in_words(void **state)
{
	(void)state;
	long task = api_sql_long("SELECT min(id) FROM task");
	assert_int_equal(
		api_sql(F("INSERT INTO outbox (kind, recipient, user_id,"
			  " case_id, task_id, facts) SELECT 'file_quarantined',"
			  " 'link.officer@demo.linkdesk.test', NULL, t.case_id,"
			  " t.id, jsonb_build_object('file_id', 4242, "
			  "'task_id',"
			  " t.id, 'case_id', t.case_id, 'title', t.title,"
			  " 'ombudsman', o.code, 'case_reference', c.reference)"
			  " FROM task t JOIN ombudsman_case c ON c.id ="
			  " t.case_id JOIN ombudsman o ON o.id = c.ombudsman_id"
			  " WHERE t.id = %ld",
			  task),
			NULL),
		0);
	assert_int_equal(remind("2026-11-23", NULL, NULL), 0);
	json_t *all = sink_messages(), *m, *q = NULL;
	size_t i;
	json_array_foreach(all, i,
			   m) if (strstr(jstr(m, "text"), "number 4242")) q = m;
	if (!q)
		fail_msg("no quarantine message sent");
	assert_well_formed(q);
	assert_non_null(
		strstr(jstr(q, "subject"), "Evidence file quarantined: "));
	assert_non_null(strstr(jstr(q, "text"), "failed its virus scan"));
	assert_non_null(strstr(jstr(q, "text"), F("/tasks/%ld", task)));
	assert_non_null(strstr(jstr(q, "html"), "failed its virus scan"));
	json_decref(all);
	assert_int_equal(api_sql_long("SELECT count(*) FROM outbox WHERE kind ="
				      " 'file_quarantined' AND status <> "
				      "'sent' AND (facts->>'file_id')::int ="
				      " 4242"),
			 0);
}

/* remind --once delivering with extra settings (a moved server, say). */
static void deliver_with(const char *extra)
{
	assert_int_equal(remind_with("2026-11-23", extra, true, NULL), 0);
}

/* The invite's calendar part imported into khal: what it lists. */
static json_t *khal_import(json_t *m)
{
	json_t *cal = json_array_get(json_object_get(m, "calendars"), 0);
	char file[512], *out;
	snprintf(file, sizeof(file), "%s/invite-%d.ics",
		 getenv("LINKDESK_TEST_TMP"), (int)getpid());
	FILE *f = fopen(file, "wb");
	fputs(jstr(cal, "text"), f);
	fclose(f);
	assert_int_equal(itest_sh(F("'%s' '%s/tests/mailcheck.py' khal '%s'",
				    getenv("LINKDESK_TEST_PYTHON"),
				    getenv("LINKDESK_ROOT"), file),
				  &out),
			 0);
	json_t *j = json_loads(out, 0, NULL);
	if (!j)
		fail_msg("khal: %s", out);
	free(out);
	return j;
}

/*
 * A title carrying a line break gives a one-line subject; the server moved
 * to another address (LINKDESK_BASE_URL) keeps every UID; invites are
 * organised by LINKDESK_MAIL_ORGANIZER, whom replies reach; khal imports
 * them; a task done is "Done: ...", not "Cancelled: ...".
 */
static void test_invites_outlook_keeps(void **state)
{
	(void)state;
	long task = new_task("2026-11-23", "Boiler servicing plan");
	deliver_with("");
	assert_int_equal(
		api_sql(F("UPDATE task SET title = E'Boiler\\r\\nservicing"
			  "  plan' WHERE id = %ld",
			  task),
			NULL),
		0);
	json_t *t =
		api_expect(&lo, 200, "GET", F("/api/v1/tasks/%ld", task), NULL);
	long case_id = (long)jint(json_object_get(t, "case"), "id");
	json_decref(t);
	json_decref(api_expect(&lo, 201, "POST",
			       F("/api/v1/cases/%ld/correspondence", case_id),
			       F("{\"kind\": \"extension_agreed\","
				 " \"revised_due_on\": \"2027-01-11\","
				 " \"task_ids\": [%ld]}",
				 task)));
	deliver_with("LINKDESK_BASE_URL=https://linkdesk.moved.example "
		     "LINKDESK_MAIL_ORGANIZER='Ombudsman link officers"
		     " <link.officers@council.example>'");
	assert_int_equal(api_sql(F("UPDATE task SET status = 'done' WHERE id ="
				   " %ld",
				   task),
				 NULL),
			 0);
	deliver_with("");

	json_t *all = sink_messages();
	json_t *mine = messages_about(all, "Boiler");
	json_t *req0 = NULL, *req1 = NULL, *done = NULL;
	size_t i;
	json_t *m;
	json_array_foreach(mine, i, m)
	{
		json_t *cal =
			json_array_get(json_object_get(m, "calendars"), 0);
		if (!cal)
			continue;
		assert_well_formed(m);
		long seq = (long)jint(
			json_array_get(json_object_get(cal, "events"), 0),
			"sequence");
		if (seq == 0)
			req0 = m;
		else if (seq == 1)
			req1 = m;
		else
			done = m;
	}
	assert_non_null(req0);
	assert_non_null(req1);
	assert_non_null(done);
	/* One line, whitespace collapsed. */
	assert_true(strstr(jstr(req1, "subject"), ": Boiler servicing plan") !=
		    NULL);
	assert_null(strstr(jstr(req1, "text"), "Boiler\r\n"));
	json_t *ev0 = json_array_get(
		json_object_get(
			json_array_get(json_object_get(req0, "calendars"), 0),
			"events"),
		0);
	json_t *ev1 = json_array_get(
		json_object_get(
			json_array_get(json_object_get(req1, "calendars"), 0),
			"events"),
		0);
	/* The same event, though the server's address changed. */
	assert_string_equal(jstr(ev0, "uid"), jstr(ev1, "uid"));
	assert_string_equal(jstr(ev1, "uid"),
			    F("task-%ld@%s.linkdesk", task, installation()));
	assert_non_null(strstr(jstr(req1, "text"),
			       "https://linkdesk.moved.example/tasks/"));
	assert_non_null(strstr(jstr(req1, "text"), "Monday 11 January 2027"));
	/* Organised by a mailbox people read, and replies go there. */
	json_t *org = json_object_get(ev1, "organizer");
	assert_string_equal(jstr(org, "value"),
			    "mailto:link.officers@council.example");
	assert_string_equal(jstr(json_object_get(org, "params"), "CN"),
			    "Ombudsman link officers");
	assert_non_null(strstr(jstr(req1, "reply_to"),
			       "link.officers@council.example"));
	assert_true(json_is_null(json_object_get(req0, "reply_to")));
	/* Done, not cancelled. */
	assert_true(!strncmp(jstr(done, "subject"), "Done: ", 6));
	assert_non_null(strstr(jstr(done, "text"), "This task is done"));
	json_t *cal = json_array_get(json_object_get(done, "calendars"), 0);
	assert_string_equal(jstr(cal, "method"), "CANCEL");

	/* khal, a real calendar program, takes the invite and its alarm. */
	json_t *k = khal_import(req1);
	if (jint(k, "import_rc") != 0)
		fail_msg("khal import: %s", jstr(k, "import_err"));
	json_t *events = json_object_get(k, "events");
	assert_int_equal(json_array_size(events), 1);
	const char *line = json_string_value(json_array_get(events, 0));
	/* 11 January 2027 less three working days: Wednesday 6 January. */
	assert_true(
		!strncmp(line, "2027-01-06|Due Monday 11 January 2027: ", 39));
	assert_non_null(strstr(line, "\u23f0")); /* the alarm clock */
	json_t *file = json_array_get(json_object_get(k, "files"), 0);
	assert_non_null(strstr(json_string_value(file), installation()));
	json_decref(k);
	json_decref(mine);
	json_decref(all);
}

static void test_reminder_reads_as_the_pages(void **state)
{
	(void)state;
	/* Set on 20 November, due 11 December: reminded on the 23rd. */
	long task = new_task("2026-11-20", "Damp survey results");
	deliver_with("");
	json_t *all = sink_messages();
	json_t *lists = lists_naming(all, "Damp survey results");
	assert_int_equal(json_array_size(lists), 1);
	json_t *m = json_array_get(lists, 0);
	assert_well_formed(m);
	const char *text = jstr(m, "text");
	assert_non_null(strstr(text,
			       ": Damp survey results (due Friday 11 December"
			       " 2026)"));
	assert_non_null(strstr(text, "as of Monday 23 November 2026"));
	const char *link = strstr(text, F("/tasks/%ld", task));
	assert_non_null(link);
	link += strlen(F("/tasks/%ld", task));
	assert_true(*link == '\r' || *link == '\n');
	assert_non_null(strstr(jstr(m, "html"), "Friday 11 December 2026"));
	assert_non_null(strstr(jstr(m, "html"), F("/tasks/%ld\"", task)));
	/* The subject it went with is what the administrators see. */
	assert_int_equal(
		api_sql_long(F("SELECT count(*) FROM outbox WHERE %ld = ANY"
			       " (task_ids) AND kind = 'reminders' AND subject"
			       " LIKE 'Still open: your Ombudsman tasks (%%)'"
			       " AND status = 'sent'",
			       task)),
		1);
	json_decref(lists);
	json_decref(all);
}

/*
 * A person's reminder lists its tasks as they are when it is sent: a task
 * done since it was queued is left out, and a reminder whose tasks were
 * all done since is dropped, not sent.
 */
static void test_reminder_as_it_is_when_sent(void **state)
{
	(void)state;
	long open = new_task("2026-11-23", "Kept on the list");
	long gone = new_task("2026-11-23", "Cancelled before sending");
	json_t *t =
		api_expect(&lo, 200, "GET", F("/api/v1/tasks/%ld", gone), NULL);
	long version = (long)jint(t, "version");
	json_decref(t);
	const char *row =
		"INSERT INTO outbox (kind, recipient, user_id, task_ids, facts)"
		" SELECT 'reminders', email, id, %s, jsonb_build_object("
		"'today', '2026-11-23') FROM app_user WHERE id = %ld"
		" RETURNING id";
	long both = api_sql_long(
		F(row, F("ARRAY[%ld, %ld]", open, gone), repairs.user_id));
	long only =
		api_sql_long(F(row, F("ARRAY[%ld]", gone), repairs.user_id));
	json_decref(api_expect(&lo, 200, "POST",
			       F("/api/v1/tasks/%ld/actions", gone),
			       F("{\"action\": \"cancel\", \"version\": %ld,"
				 " \"comment\": \"Not needed\"}",
				 version)));
	deliver_with("");
	assert_int_equal(
		api_sql_long(F("SELECT count(*) FROM outbox WHERE id = %ld AND"
			       " status = 'sent' AND subject = 'Still open:"
			       " your Ombudsman tasks (1)'",
			       both)),
		1);
	assert_int_equal(
		api_sql_long(F("SELECT count(*) FROM outbox WHERE id = %ld AND"
			       " status = 'dropped' AND sent_at IS NULL AND"
			       " last_error LIKE 'nothing left to remind of%%'",
			       only)),
		1);
	json_t *all = sink_messages();
	json_t *kept = lists_naming(all, "Kept on the list");
	assert_int_equal(json_array_size(kept), 1);
	assert_null(strstr(jstr(json_array_get(kept, 0), "text"),
			   "Cancelled before sending"));
	json_t *none = lists_naming(all, "Cancelled before sending");
	assert_int_equal(json_array_size(none), 0);
	json_decref(none);
	json_decref(kept);
	json_decref(all);
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
		if (!strcmp(jstr(ev, "uid"), F("task-%ld-due@%s.linkdesk", task,
					       installation()))) {
			found++;
			assert_string_equal(jstr(ev, "dtstart"), "2026-12-14");
			assert_true(
				json_is_true(json_object_get(ev, "all_day")));
			assert_int_equal(jint(ev, "alarms"), 1);
		}
		if (!strcmp(jstr(ev, "uid"),
			    F("task-%ld-checkpoint@%s.linkdesk", task,
			      installation()))) {
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
	/* Each task's notice and invite, queued as it was set. */
	long total = api_sql_long(
		F("SELECT count(*) FROM outbox WHERE task_id >= %ld", first));
	assert_true(total >= 2 * N);
	/* Some delivered, not all: then the server dies. */
	static const char sent_sql[] = "SELECT count(*) FROM outbox WHERE"
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
	assert_true(sent >= 3 && sent < total);

	itest_server_start(&a, env);
	for (int i = 0; i < 300; i++) {
		if (api_sql_long(F(sent_sql, first)) == total)
			break;
		usleep(100 * 1000);
	}
	assert_int_equal(itest_server_stop(&a), 0);
	sink_stop();
	sink_start();
	assert_int_equal(api_sql_long(F("SELECT count(*) FROM outbox WHERE"
					" task_id >= %ld",
					first)),
			 total);
	assert_int_equal(api_sql_long(F(sent_sql, first)), total);

	json_t *all = sink_messages();
	json_t *mine = messages_about(all, "Crash mail task");
	size_t i, received = 0, distinct = 0;
	json_t *m;
	json_array_foreach(mine, i, m)
	{
		received++;
		bool seen = false;
		for (size_t k = 0; k < i; k++)
			seen |= !strcmp(
				jstr(m, "message_id"),
				jstr(json_array_get(mine, k), "message_id"));
		distinct += !seen;
	}
	/* Every message arrived; at most the one in flight twice. */
	assert_int_equal(distinct, total);
	assert_true(received <= (size_t)total + 1);
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
		cmocka_unit_test(test_area_notice_one_message_a_person),
		cmocka_unit_test(test_three_servers_slow_smtp_send_once),
		cmocka_unit_test(test_killed_mid_send),
		cmocka_unit_test(test_smtp_down_then_back),
		cmocka_unit_test(test_smtp_misbehaves),
		cmocka_unit_test(test_recorded_before_goodbye),
		cmocka_unit_test(test_digest_once_a_day),
		cmocka_unit_test(test_quarantine_in_words),
		cmocka_unit_test(test_invites_outlook_keeps),
		cmocka_unit_test(test_reminder_reads_as_the_pages),
		cmocka_unit_test(test_reminder_as_it_is_when_sent),
		cmocka_unit_test(test_feeds),
	};
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int rc = cmocka_run_group_tests_name("mail", tests, setup, teardown);
	curl_global_cleanup();
	return rc;
}
