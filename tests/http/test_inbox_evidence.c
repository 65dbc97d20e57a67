/*
 * Evidence to the Ombudsman by email, through the outbox and a real SMTP
 * server (tests/smtp_sink.py): for the LGSCO the validated files go,
 * exactly the signed-off bytes, to the address of the case's Ombudsman
 * emails accepted from the Inbox; while the mail server refuses, the task
 * stays validated and nothing is recorded sent; once it takes the
 * message, the task is sent, the correspondence names the files by hash
 * and the outbox keeps the exact message the server received.  Refusals:
 * not validated, no address known, already in the outbox, the HOS (its
 * portal: the task page lists what to upload instead).
 */
#include <fcntl.h>
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
#include <sodium.h>

#include "api.h"
#include "itest.h"

static struct itest_server server;
static struct api lo, housing, v1, v2, v3;
static long area_housing;
static int smtp_port;
static pid_t smtp_pid;
static char sink[512];

static void sink_start(const char *mode)
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
		      sink, mode, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100; i++) {
		char *out = NULL;
		int rc = itest_sh(
			F("/usr/bin/python3 -c \"import socket;"
			  " socket.create_connection(('127.0.0.1', %d), 1)\""
			  " 2>/dev/null",
			  smtp_port),
			&out);
		free(out);
		if (rc == 0)
			return;
		usleep(100 * 1000);
	}
	fail_msg("the SMTP sink did not start");
}

static void sink_stop(void)
{
	kill(smtp_pid, SIGTERM);
	waitpid(smtp_pid, NULL, 0);
}

static int setup(void **state)
{
	static char smtp[64], clamd[600];
	(void)state;
	smtp_port = itest_free_port();
	snprintf(sink, sizeof(sink), "%s/evidence-sink-%d",
		 getenv("LINKDESK_TEST_TMP"), (int)getpid());
	char *out = NULL;
	itest_sh(F("mkdir -p '%s'", sink), &out);
	free(out);
	snprintf(smtp, sizeof(smtp), "LINKDESK_SMTP_URL=smtp://127.0.0.1:%d",
		 smtp_port);
	const char *sock = getenv("LINKDESK_TEST_CLAMD");
	snprintf(clamd, sizeof(clamd), "LINKDESK_CLAMD=%s", sock ? sock : "");
	const char *env[] = {"LINKDESK_TODAY=2026-12-01",
			     smtp,
			     clamd,
			     "LINKDESK_SMTP_TLS=off",
			     "LINKDESK_SCHEDULER_SECONDS=1",
			     "LINKDESK_MAIL_RETRY_SECONDS=1",
			     NULL};
	itest_server_start(&server, env);
	api_signin(&lo, server.base, "link.officer");
	api_signin(&housing, server.base, "housing.officer");
	api_signin(&v1, server.base, "ad.resident.contacts");
	api_signin(&v2, server.base, "head.disputes");
	api_signin(&v3, server.base, "rx.manager");
	area_housing = api_area_id(&lo, "Housing Management");
	return 0;
}

static int teardown(void **state)
{
	struct api *all[] = {&lo, &housing, &v1, &v2, &v3};
	(void)state;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		api_release(all[i]);
	assert_int_equal(itest_server_stop(&server), 0);
	return 0;
}

static long version_of(long task)
{
	return api_sql_long(F("SELECT version FROM task WHERE id = %ld", task));
}

static json_t *act(struct api *who, long task, const char *action,
		   const char *extra)
{
	return api_expect(
		who, 200, "POST", F("/api/v1/tasks/%ld/actions", task),
		F("{\"action\": \"%s\", \"version\": %ld%s%s}", action,
		  version_of(task), extra ? ", " : "", extra ? extra : ""));
}

static void upload(long task, const char *name, const char *data)
{
	char url[512], csrf[128];
	struct curl_slist *h = NULL;
	curl_mime *mime = curl_mime_init(housing.h);
	curl_mimepart *part = curl_mime_addpart(mime);
	long status = 0;
	curl_mime_name(part, "file");
	curl_mime_filename(part, name);
	curl_mime_data(part, data, strlen(data));
	snprintf(url, sizeof(url), "%s/api/v1/tasks/%ld/files", server.base,
		 task);
	snprintf(csrf, sizeof(csrf), "X-CSRF-Token: %s", housing.csrf);
	h = curl_slist_append(h, csrf);
	FILE *devnull = fopen("/dev/null", "w");
	curl_easy_setopt(housing.h, CURLOPT_CUSTOMREQUEST, NULL);
	curl_easy_setopt(housing.h, CURLOPT_POSTFIELDS, NULL);
	curl_easy_setopt(housing.h, CURLOPT_NOBODY, 0L);
	curl_easy_setopt(housing.h, CURLOPT_WRITEFUNCTION, NULL);
	curl_easy_setopt(housing.h, CURLOPT_HEADERFUNCTION, NULL);
	curl_easy_setopt(housing.h, CURLOPT_URL, url);
	curl_easy_setopt(housing.h, CURLOPT_MIMEPOST, mime);
	curl_easy_setopt(housing.h, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(housing.h, CURLOPT_WRITEDATA, devnull);
	curl_easy_setopt(housing.h, CURLOPT_HEADERDATA, devnull);
	if (curl_easy_perform(housing.h) == CURLE_OK)
		curl_easy_getinfo(housing.h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_setopt(housing.h, CURLOPT_MIMEPOST, NULL);
	curl_easy_setopt(housing.h, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(housing.h, CURLOPT_WRITEDATA, NULL);
	curl_easy_setopt(housing.h, CURLOPT_HEADERDATA, NULL);
	fclose(devnull);
	curl_slist_free_all(h);
	curl_mime_free(mime);
	assert_int_equal(status, 201);
}

static const char pdf[] = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n"
			  "trailer << /Root 1 0 R >>\n%%EOF\n";
static const char note[] = "Call log: 12 March, 2 April, 9 May.\n";

/* A task of a new case of this Ombudsman, its two files validated. */
static long validated_task(const char *ombudsman, const char *reference,
			   long *case_id)
{
	json_t *c = api_expect(
		&lo, 201, "POST", "/api/v1/complaints",
		F("{\"reference\": \"EV-%s\", \"category\": \"ASB\","
		  " \"service_area_id\": %ld, \"received_on\": \"2026-05-01\"}",
		  reference, area_housing));
	long complaint = (long)jint(c, "id");
	json_decref(c);
	c = api_expect(&lo, 201, "POST", "/api/v1/cases",
		       F("{\"complaint_id\": %ld, \"ombudsman\": \"%s\","
			 " \"reference\": \"%s\"}",
			 complaint, ombudsman, reference));
	*case_id = (long)jint(c, "id");
	json_decref(c);
	c = api_expect(&lo, 201, "POST",
		       F("/api/v1/cases/%ld/correspondence", *case_id),
		       F("{\"kind\": \"information_request\", \"tasks\":"
			 " [{\"title\": \"Tenancy file\", \"service_area_id\":"
			 " %ld}]}",
			 area_housing));
	long task = (long)jint(json_array_get(json_object_get(c, "tasks"), 0),
			       "id");
	json_decref(c);
	upload(task, "tenancy.pdf", pdf);
	upload(task, "calls.txt", note);
	/* Scanned, when clamd runs, before the answer may go. */
	for (int i = 0; i < 100 && api_sql_long(F("SELECT count(*) FROM"
						  " evidence_file WHERE task_id"
						  " = %ld AND status ="
						  " 'pending'",
						  task));
	     i++)
		usleep(100000);
	json_decref(act(&housing, task, "submit", "\"answer\": \"Attached\""));
	json_decref(act(&v1, task, "approve", NULL));
	json_decref(act(&v2, task, "approve", NULL));
	json_t *t = act(&v3, task, "approve", NULL);
	assert_string_equal(jstr(t, "status"), "validated");
	json_decref(t);
	return task;
}

/* An LGSCO email about this case, taken in and accepted onto it. */
static void accept_lgsco_email(const char *reference, long case_id)
{
	char *out = NULL;
	const char *tmp = getenv("LINKDESK_TEST_TMP");
	static int n; /* one message of its own each time */
	int me = (int)getpid() * 100 + ++n;
	if (itest_sh(F("sed -e 's/25 004 112/%s/g' -e 's/^Message-ID: <\\([^@]*"
		       "\\)@/Message-ID: <\\1-ev%d@/' -e 's/^From: .*/From:"
		       " Investigator <a.investigator@lgo.org.uk>/'"
		       " '%s/tests/data/inbox/lgsco_first_chaser.eml' >"
		       " '%s/ev-%d.eml' && LINKDESK_TODAY=2026-12-01 '%s' inbox"
		       " import '%s/ev-%d.eml'",
		       reference, me, getenv("LINKDESK_ROOT"), tmp, me,
		       getenv("LINKDESK_BIN"), tmp, me),
		     &out))
		fail_msg("import: %s", out);
	long id = strtol(strstr(out, ": inbox message ") + 16, NULL, 10);
	free(out);
	json_decref(
		api_expect(&lo, 200, "POST", F("/api/v1/inbox/%ld/accept", id),
			   F("{\"version\": 1, \"case_id\": %ld}", case_id)));
}

static long wait_for(const char *sql, long want)
{
	long got = -1;
	for (int i = 0; i < 300; i++) {
		if ((got = api_sql_long(sql)) == want)
			break;
		usleep(100000);
	}
	return got;
}

static void sha_hex(const char *data, char out[65])
{
	unsigned char d[32];
	crypto_hash_sha256(d, (const unsigned char *)data, strlen(data));
	sodium_bin2hex(out, 65, d, 32);
}

static void test_lgsco_evidence_by_email(void **state)
{
	(void)state;
	char reference[16];
	long case_id;
	snprintf(reference, sizeof(reference), "26 %03d %03d",
		 (int)(getpid() % 1000), (int)(getpid() / 1000 % 1000));
	long task = validated_task("LGSCO", reference, &case_id);

	/* No address of the LGSCO yet for this case. */
	api_refused(&lo, 409, "conflict", "recipient", "POST",
		    F("/api/v1/tasks/%ld/email", task),
		    F("{\"version\": %ld}", version_of(task)));
	accept_lgsco_email(reference, case_id);

	/* A mail server that refuses: queued, tried, nothing recorded. */
	sink_start("reject");
	json_t *q =
		api_expect(&lo, 202, "POST", F("/api/v1/tasks/%ld/email", task),
			   F("{\"version\": %ld}", version_of(task)));
	assert_string_equal(jstr(q, "recipient"), "a.investigator@lgo.org.uk");
	long outbox = (long)jint(q, "outbox_id");
	json_decref(q);
	api_refused(&lo, 409, "conflict", "action", "POST",
		    F("/api/v1/tasks/%ld/email", task),
		    F("{\"version\": %ld}", version_of(task)));
	assert_true(
		wait_for(F("SELECT (attempts >= 1 AND status = 'queued')::int"
			   " FROM outbox WHERE id = %ld",
			   outbox),
			 1) == 1);
	sink_stop();
	assert_int_equal(api_sql_long(F("SELECT count(*) FROM task WHERE id ="
					" %ld AND status = 'validated'",
					task)),
			 1);
	assert_int_equal(
		api_sql_long(F("SELECT count(*) FROM correspondence WHERE"
			       " case_id = %ld AND kind = 'evidence_submitted'",
			       case_id)),
		0);

	/* A mail server that takes it: then, and only then, sent, and the
	 * task's version moves on as any change's does. */
	long before = version_of(task);
	sink_start("ok");
	long sent = wait_for(F("SELECT count(*) FROM outbox WHERE id = %ld"
			       " AND status = 'sent'",
			       outbox),
			     1);
	sink_stop();
	assert_int_equal(sent, 1);
	assert_int_equal(api_sql_long(F("SELECT count(*) FROM task WHERE id ="
					" %ld AND status = 'sent'",
					task)),
			 1);
	assert_int_equal(version_of(task), before + 1);
	char pdf_hash[65], note_hash[65];
	sha_hex(pdf, pdf_hash);
	sha_hex(note, note_hash);
	assert_int_equal(
		api_sql_long(
			F("SELECT count(*) FROM correspondence WHERE"
			  " case_id = %ld AND kind = 'evidence_submitted'"
			  " AND channel = 'email' AND summary LIKE"
			  " '%%tenancy.pdf sha256 %s%%calls.txt sha256 %s%%'",
			  case_id, pdf_hash, note_hash)),
		1);

	/*
	 * What the mail server received: the attachments are the bytes
	 * signed off, and the outbox recorded the very message.
	 */
	char *out = NULL;
	char *sql_out = NULL;
	assert_int_equal(
		api_sql(F("SELECT encode(sha256(convert_to(body, 'UTF8')),"
			  " 'hex') FROM outbox WHERE id = %ld",
			  outbox),
			&sql_out),
		0);
	sql_out[64] = '\0';
	assert_int_equal(
		itest_sh(F("%s -c \"import email, email.policy, glob, hashlib;"
			   /* The investigator's: the round may send others
			    * after it (a task's notice). */
			   " f = [f for f in sorted(glob.glob('%s/*.eml')) if"
			   " b'a.investigator@lgo.org.uk' in open(f,"
			   " 'rb').read()][-1];"
			   " raw = open(f, 'rb').read();"
			   " body = b''.join(l for l in raw.splitlines(True) if"
			   " not l.startswith(b'X-Envelope-To:'));"
			   " m = email.message_from_bytes(body,"
			   " policy=email.policy.strict);"
			   " print(m['To'], hashlib.sha256(body).hexdigest());"
			   " [print(p.get_filename(), hashlib.sha256("
			   "p.get_payload(decode=True)).hexdigest()) for p in"
			   " m.iter_attachments()]\"",
			   getenv("LINKDESK_TEST_PYTHON"), sink),
			 &out),
		0);
	char want[600];
	snprintf(want, sizeof(want),
		 "a.investigator@lgo.org.uk %s\ntenancy.pdf %s\ncalls.txt %s\n",
		 sql_out, pdf_hash, note_hash);
	assert_string_equal(out, want);
	free(out);
	free(sql_out);
}

/*
 * Emailing evidence is a change of the task like any other: on a closed
 * case it is refused, and nothing is queued.
 */
static void test_closed_case_refused(void **state)
{
	(void)state;
	char reference[16];
	long case_id;
	snprintf(reference, sizeof(reference), "27 %03d %03d",
		 (int)(getpid() % 1000), (int)(getpid() / 1000 % 1000));
	long task = validated_task("LGSCO", reference, &case_id);
	accept_lgsco_email(reference, case_id);
	/* Closed behind the workflow's back (its own close would refuse
	 * an open task): the case as a closed one reads. */
	assert_int_equal(api_sql(F("UPDATE ombudsman_case SET stage = 'closed',"
				   " closed_on = '2026-12-01', outcome ="
				   " 'withdrawn' WHERE id = %ld",
				   case_id),
				 NULL),
			 0);
	api_refused(&lo, 409, "conflict", NULL, "POST",
		    F("/api/v1/tasks/%ld/email", task),
		    F("{\"version\": %ld}", version_of(task)));
	assert_int_equal(api_sql_long(F("SELECT count(*) FROM outbox WHERE"
					" task_id = %ld AND kind = 'evidence'",
					task)),
			 0);
}

static void test_hos_keeps_the_portal(void **state)
{
	(void)state;
	char reference[16];
	long case_id;
	snprintf(reference, sizeof(reference), "2026%05d",
		 (int)(getpid() % 100000));
	long task = validated_task("HOS", reference, &case_id);
	api_refused(&lo, 409, "conflict", "channel", "POST",
		    F("/api/v1/tasks/%ld/email", task),
		    F("{\"version\": %ld}", version_of(task)));
	struct itest_resp r;
	api_call(&lo, "GET", F("/tasks/%ld", task), NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "Upload to the Ombudsman's portal"));
	assert_non_null(strstr(r.body, "<li>tenancy.pdf ("));
	assert_null(strstr(r.body, "Email the evidence to the Ombudsman"));
	itest_resp_release(&r);
	/* Not validated: refused by the send action's own rule. */
	json_decref(act(&lo, task, "send", NULL));
	api_refused(&lo, 409, "conflict", "action", "POST",
		    F("/api/v1/tasks/%ld/email", task),
		    F("{\"version\": %ld}", version_of(task)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lgsco_evidence_by_email),
		cmocka_unit_test(test_closed_case_refused),
		cmocka_unit_test(test_hos_keeps_the_portal),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
