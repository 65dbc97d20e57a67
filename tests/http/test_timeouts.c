/*
 * Every connection of the server has a lock_timeout and a statement_timeout
 * (LINKDESK_LOCK_TIMEOUT, LINKDESK_STATEMENT_TIMEOUT): a change that waits
 * too long for a row another session holds, or a statement that runs too
 * long, answers 503 with a reason, on the JSON face and on the pages, and
 * leaves nothing of itself (no change, no audit row).  Migrations run
 * without them.
 *
 * The waits are made real: a second connection (libpq, as the tests may
 * link it) holds the row or the table while the server's request runs.
 */
#include <libpq-fe.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "api.h"

static int seq;

/* A connection of its own, as the role url names. */
static PGconn *connect_as(const char *url_env)
{
	PGconn *pg = PQconnectdb(getenv(url_env));
	if (PQstatus(pg) != CONNECTION_OK)
		fail_msg("cannot connect as %s: %s", url_env,
			 PQerrorMessage(pg));
	return pg;
}

static void exec_ok(PGconn *pg, const char *sql)
{
	PGresult *res = PQexec(pg, sql);
	ExecStatusType st = PQresultStatus(res);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQresultErrorMessage(res));
	PQclear(res);
}

/* A new task in a new case of Repairs; returns its id. */
static long new_task(struct api *lo)
{
	long area = api_area_id(lo, "Repairs and Maintenance");
	json_t *c = api_expect(
		lo, 201, "POST", "/api/v1/complaints",
		F("{\"reference\": \"TO-%d-%d\", \"category\": \"Repairs\","
		  " \"service_area_id\": %ld, \"received_on\": \"2026-06-01\","
		  " \"summary\": \"Leak\"}",
		  (int)getpid(), ++seq, area));
	long complaint = (long)jint(c, "id");
	json_decref(c);
	c = api_expect(lo, 201, "POST", "/api/v1/cases",
		       F("{\"complaint_id\": %ld, \"ombudsman\": \"HOS\","
			 " \"reference\": \"2027%05d\", \"received_on\":"
			 " \"2026-11-16\"}",
			 complaint, ((int)getpid() * 10 + seq) % 100000));
	long case_id = (long)jint(c, "id");
	json_decref(c);
	c = api_expect(lo, 201, "POST",
		       F("/api/v1/cases/%ld/correspondence", case_id),
		       F("{\"kind\": \"information_request\", \"tasks\":"
			 " [{\"title\": \"Repair logs\","
			 " \"service_area_id\": %ld}]}",
			 area));
	long task = (long)jint(json_array_get(json_object_get(c, "tasks"), 0),
			       "id");
	json_decref(c);
	return task;
}

/* The task's state and the number of audit rows about it. */
static char *task_state(long task)
{
	char *out;
	assert_int_equal(
		api_sql(F("SELECT t.version || ' ' || t.priority || ' ' ||"
			  " t.status || ' ' || (SELECT count(*) FROM audit_log"
			  " l WHERE l.entity = 'task' AND l.entity_id = t.id)"
			  " FROM task t WHERE t.id = %ld",
			  task),
			&out),
		0);
	return out;
}

static void assert_timeout(const struct itest_resp *r)
{
	assert_int_equal(r->status, 503);
	assert_non_null(r->json);
	json_t *e = json_object_get(r->json, "error");
	assert_string_equal(jstr(e, "code"), "timeout");
	assert_non_null(strstr(jstr(e, "message"), "took too long"));
	assert_non_null(strstr(jstr(e, "message"), "nothing was saved"));
}

/*
 * A row lock held elsewhere: the change waits LINKDESK_LOCK_TIMEOUT, then
 * answers 503; nothing of it is kept, and once the lock is gone it goes
 * through.
 */
static void test_lock_timeout(void **state)
{
	static const char *const env[] = {"LINKDESK_LOCK_TIMEOUT=200", NULL};
	struct itest_server s;
	struct api lo;
	struct itest_resp r;
	(void)state;
	itest_server_start(&s, env);
	api_signin(&lo, s.base, "link.officer");
	long task = new_task(&lo);
	json_t *t =
		api_expect(&lo, 200, "GET", F("/api/v1/tasks/%ld", task), NULL);
	long version = (long)jint(t, "version");
	json_decref(t);
	char *before = task_state(task);

	PGconn *holder = connect_as("LINKDESK_DATABASE_URL");
	exec_ok(holder, "BEGIN");
	exec_ok(holder,
		F("SELECT id FROM task WHERE id = %ld FOR UPDATE", task));

	const char *body =
		F("{\"version\": %ld, \"priority\": \"urgent\"}", version);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	api_call(&lo, "PATCH", F("/api/v1/tasks/%ld", task), body, &r);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_timeout(&r);
	itest_resp_release(&r);
	/* It gave up after the lock timeout, not after the default 5 s. */
	assert_true(t1.tv_sec - t0.tv_sec < 3);

	/* The same through a task action. */
	api_call(&lo, "POST", F("/api/v1/tasks/%ld/actions", task),
		 F("{\"action\": \"start\", \"version\": %ld}", version), &r);
	assert_timeout(&r);
	itest_resp_release(&r);

	/* And through the page's form: the reason is on the page. */
	char url[256], form[256], *page;
	snprintf(url, sizeof(url), "%s/tasks/%ld/act", s.base, task);
	snprintf(form, sizeof(form), "action=start&version=%ld&csrf_token=%s",
		 version, lo.csrf);
	static const char *const form_headers[] = {
		"Content-Type: application/x-www-form-urlencoded", NULL};
	itest_request(lo.h, "POST", url, form, form_headers, &r);
	assert_int_equal(r.status, 503);
	page = r.body;
	assert_non_null(strstr(page, "took too long"));
	itest_resp_release(&r);

	exec_ok(holder, "ROLLBACK");
	PQfinish(holder);

	/* Nothing of the three refused changes was kept. */
	char *after = task_state(task);
	assert_string_equal(before, after);
	free(after);
	free(before);

	/* With the lock gone the same change goes through. */
	t = api_expect(&lo, 200, "PATCH", F("/api/v1/tasks/%ld", task), body);
	assert_string_equal(jstr(t, "priority"), "urgent");
	json_decref(t);
	api_release(&lo);
	assert_int_equal(itest_server_stop(&s), 0);
}

/*
 * A statement that runs longer than LINKDESK_STATEMENT_TIMEOUT (here it
 * waits on a table another session has locked, with a lock timeout longer
 * than the statement timeout, so it is the statement timeout that ends
 * it): 503 with the reason, and the server's log names SQLSTATE 57014.
 */
static void test_statement_timeout(void **state)
{
	static const char *const env[] = {"LINKDESK_STATEMENT_TIMEOUT=300",
					  "LINKDESK_LOCK_TIMEOUT=60000", NULL};
	struct itest_server s;
	struct api lo;
	struct itest_resp r;
	(void)state;
	itest_server_start(&s, env);
	api_signin(&lo, s.base, "link.officer");
	long task = new_task(&lo);
	json_decref(api_expect(&lo, 200, "GET", F("/api/v1/tasks/%ld", task),
			       NULL));

	PGconn *holder = connect_as("LINKDESK_OWNER_DATABASE_URL");
	exec_ok(holder, "BEGIN");
	exec_ok(holder, "LOCK TABLE task IN ACCESS EXCLUSIVE MODE");
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	api_call(&lo, "GET", F("/api/v1/tasks/%ld", task), NULL, &r);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_timeout(&r);
	itest_resp_release(&r);
	assert_true(t1.tv_sec - t0.tv_sec < 10);
	exec_ok(holder, "ROLLBACK");
	PQfinish(holder);

	json_decref(api_expect(&lo, 200, "GET", F("/api/v1/tasks/%ld", task),
			       NULL));

	/* Home, its lists kept, with the Inbox's count out of reach: the
	 * reason, not "nothing waiting" (it said so, with a 200). */
	free(api_page_body(&lo, "/home", 200));
	holder = connect_as("LINKDESK_OWNER_DATABASE_URL");
	exec_ok(holder, "BEGIN");
	exec_ok(holder, "LOCK TABLE inbox_message IN ACCESS EXCLUSIVE MODE");
	api_call(&lo, "GET", "/home", NULL, &r);
	assert_int_equal(r.status, 503);
	assert_non_null(strstr(r.body, "took too long"));
	assert_null(strstr(r.body, "nothing waiting"));
	itest_resp_release(&r);
	exec_ok(holder, "ROLLBACK");
	PQfinish(holder);
	char *home = api_page_body(&lo, "/home", 200);
	assert_non_null(strstr(home, "id=\"inbox-waiting\""));
	free(home);

	api_release(&lo);
	assert_int_equal(itest_server_stop(&s), 0);
	char *log = itest_server_log(&s);
	assert_non_null(strstr(log, "57014"));
	free(log);
}

/*
 * linkdesk migrate does not take the server's timeouts: with them set
 * tiny, it waits for as long as another session holds schema_migration,
 * then finishes.
 */
static void test_migrate_waits(void **state)
{
	const char *tmp = getenv("LINKDESK_TEST_TMP");
	char rcfile[512], *out = NULL;
	(void)state;
	snprintf(rcfile, sizeof(rcfile), "%s/migrate_waits.rc", tmp);
	unlink(rcfile);
	PGconn *holder = connect_as("LINKDESK_OWNER_DATABASE_URL");
	exec_ok(holder, "BEGIN");
	exec_ok(holder, "LOCK TABLE schema_migration IN ACCESS EXCLUSIVE MODE");
	assert_int_equal(
		itest_sh(F("(LINKDESK_LOCK_TIMEOUT=10 "
			   "LINKDESK_STATEMENT_TIMEOUT=100 \"$LINKDESK_BIN\" "
			   "migrate >'%s.log' 2>&1; echo $? >'%s.tmp';"
			   " mv '%s.tmp' '%s') </dev/null >/dev/null 2>&1 &",
			   rcfile, rcfile, rcfile, rcfile),
			 NULL),
		0);
	sleep(1);
	assert_int_not_equal(access(rcfile, F_OK), 0); /* still waiting */
	exec_ok(holder, "ROLLBACK");
	PQfinish(holder);
	for (int i = 0; i < 100 && access(rcfile, F_OK); i++)
		usleep(100 * 1000);
	assert_int_equal(itest_sh(F("cat '%s' '%s.log'", rcfile, rcfile), &out),
			 0);
	if (strncmp(out, "0\n", 2))
		fail_msg("migrate failed: %s", out);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lock_timeout),
		cmocka_unit_test(test_statement_timeout),
		cmocka_unit_test(test_migrate_waits),
	};
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int rc = cmocka_run_group_tests_name("timeouts", tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
