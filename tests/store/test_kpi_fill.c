/*
 * Keeping the KPI facts (kpi_fill, report_store_facts_fill) when every
 * case is queued, as after a load with the triggers off.  At full size the
 * keeping of every case takes minutes: a figures read that did it ran past
 * the statement timeout, which undid it, so every read began it again
 * (the bench's KPI and write scenarios read 0 requests/s); and it held
 * every queued case's row, so a change to any case waited for it.  Now a
 * reader keeps no more than a round and waits for no more than the lock
 * timeout, and the scheduler keeps every case with no statement timeout
 * and with none of the queue's rows held.
 *
 * The keeping of every case is made slow here by a trigger of the test's
 * (owner's connection) that sleeps once per insert into kpi_dated.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "api.h"
#include "report_store.h"
#include "store.h"

static struct store *s;

static void slow_keeping(bool on)
{
	api_owner_exec(
		on ? "CREATE OR REPLACE FUNCTION test_kpi_slow() RETURNS"
		     " trigger LANGUAGE plpgsql AS \\$\\$ BEGIN PERFORM"
		     " pg_sleep(1.5); RETURN NULL; END \\$\\$;"
		     " CREATE OR REPLACE TRIGGER test_kpi_slow AFTER INSERT"
		     " ON kpi_dated FOR EACH STATEMENT EXECUTE FUNCTION"
		     " test_kpi_slow()"
		   : "DROP TRIGGER IF EXISTS test_kpi_slow ON kpi_dated;"
		     " DROP FUNCTION IF EXISTS test_kpi_slow()");
}

static void queue_every_case(void)
{
	api_owner_exec("INSERT INTO kpi_case_due SELECT id FROM ombudsman_case"
		       " ON CONFLICT DO NOTHING");
}

static long queued(const char *cond)
{
	return api_sql_long(
		F("SELECT count(*) FROM kpi_case_due WHERE %s", cond));
}

static int setup(void **state)
{
	(void)state;
	s = store_new(getenv("LINKDESK_DATABASE_URL"), 3);
	/* The server's own kind of limits, shorter: a statement 1 s, a lock
	 * 300 ms. */
	store_set_timeouts(s, 1000, 300);
	/* Nothing queued to begin with (the demo's cases are, after its
	 * load). */
	int n = 0;
	return s && !report_store_facts_fill(s, false, &n) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	slow_keeping(false);
	int n = 0;
	report_store_facts_fill(s, false, &n); /* as found: nothing queued */
	store_free(s);
	return 0;
}

/*
 * While another filler is at work, a reader waits for it up to the lock
 * timeout (a round at most, when it is a reader's) and then takes
 * nothing; the scheduler takes nothing at once.
 */
static void test_another_filler_at_work(void **state)
{
	(void)state;
	int n = -1;
	long one = api_sql_long("SELECT min(id) FROM ombudsman_case");
	api_owner_exec(F("INSERT INTO kpi_case_due VALUES (%ld) ON CONFLICT DO"
			 " NOTHING",
			 one));
	/* Another filler: psql holds the fill's lock until told. */
	FILE *p = popen("psql -X -q \"$LINKDESK_DATABASE_URL\" >/dev/null 2>&1",
			"w");
	assert_non_null(p);
	fprintf(p, "SELECT pg_advisory_lock(kpi_fill_lock());\n"
		   "SELECT 'kpi fill: held';\n");
	fflush(p);
	for (int i = 0;
	     i < 400 && !api_sql_long("SELECT count(*) FROM pg_locks WHERE"
				      " locktype = 'advisory' AND granted AND"
				      " objid = kpi_fill_lock()::oid");
	     i++)
		usleep(50 * 1000);
	assert_int_equal(report_store_facts_fill(s, true, &n), LD_OK);
	assert_int_equal(n, 0);
	/* Nor the scheduler: the other filler's, or the next round's. */
	assert_int_equal(report_store_facts_fill(s, false, &n), LD_OK);
	assert_int_equal(n, 0);
	assert_int_equal(queued("true"), 1);
	fprintf(p, "SELECT pg_advisory_unlock(kpi_fill_lock());"
		   "\n");
	assert_int_equal(pclose(p), 0);
	/* Free again: the reader keeps its one case. */
	assert_int_equal(report_store_facts_fill(s, true, &n), LD_OK);
	assert_int_equal(n, 1);
	assert_int_equal(queued("true"), 0);
}

/*
 * A reader keeps no more than a round (p_batch cases; the store's is
 * 1,000), and nothing while every case is due: it leaves those to the
 * scheduler.
 */
static void test_reader_leaves_a_long_queue(void **state)
{
	(void)state;
	long cases = api_sql_long("SELECT count(*) FROM ombudsman_case");
	assert_true(cases > 3);
	queue_every_case();
	assert_int_equal(
		api_sql_long(F("SELECT kpi_fill(%ld, true)", cases - 1)), 0);
	assert_int_equal(queued("true"), cases);
	assert_int_equal(queued("case_id = kpi_every_case()"), 0);
	/* Every case marked due, as the scheduler does. */
	api_owner_exec("DELETE FROM kpi_case_due; INSERT INTO kpi_case_due"
		       " VALUES (kpi_every_case())");
	assert_int_equal(api_sql_long("SELECT kpi_fill(1000, true)"), 0);
	assert_int_equal(queued("true"), 1);
	/* A round's worth: taken. */
	queue_every_case();
	api_owner_exec(
		"DELETE FROM kpi_case_due WHERE case_id = kpi_every_case()");
	assert_int_equal(api_sql_long(F("SELECT kpi_fill(%ld, true)", cases)),
			 cases);
	assert_int_equal(queued("true"), 0);
}

struct fill_arg {
	int n;
	enum ld_err err;
};

static void *scheduler_fill(void *arg)
{
	struct fill_arg *f = arg;
	f->err = report_store_facts_fill(s, false, &f->n);
	return NULL;
}

/*
 * Every case due (the marker in the queue) while a reader's round holds
 * the fill's lock for a moment: the scheduler's round waits for it (up to
 * the lock timeout) and keeps every case.  It took nothing and left the
 * marker, which a server with no scheduler (each HTTP test's) kept for
 * good, every figures read then counting from the raw rows
 * (test_kpi_kept failed with "1 cases queued" in a full run).
 */
static void test_every_case_waits_for_a_reader(void **state)
{
	(void)state;
	long cases = api_sql_long("SELECT count(*) FROM ombudsman_case");
	api_owner_exec("INSERT INTO kpi_case_due VALUES (kpi_every_case())"
		       " ON CONFLICT DO NOTHING");
	FILE *p = popen("psql -X -q \"$LINKDESK_DATABASE_URL\" >/dev/null 2>&1",
			"w");
	assert_non_null(p);
	fprintf(p, "SELECT pg_advisory_lock(kpi_fill_lock());\n");
	fflush(p);
	int i;
	for (i = 0; i < 400 && !api_sql_long("SELECT count(*) FROM pg_locks"
					     " WHERE locktype = 'advisory' AND"
					     " granted AND objid ="
					     " kpi_fill_lock()::oid");
	     i++)
		usleep(10 * 1000);
	assert_true(i < 400);
	struct fill_arg f = {0, LD_OK};
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, scheduler_fill, &f), 0);
	/* Let go once the round waits (or after 200 ms, within its 300 ms
	 * lock timeout, should it not wait). */
	for (i = 0; i < 20 && !api_sql_long("SELECT count(*) FROM pg_locks"
					    " WHERE locktype = 'advisory' AND"
					    " NOT granted AND objid ="
					    " kpi_fill_lock()::oid");
	     i++)
		usleep(10 * 1000);
	fprintf(p, "SELECT pg_advisory_unlock(kpi_fill_lock());\n");
	assert_int_equal(pclose(p), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(f.err, LD_OK);
	assert_true(f.n >= cases);
	assert_int_equal(queued("case_id = kpi_every_case()"), 0);
}

/*
 * The scheduler keeps every case past the statement timeout, and a change
 * to a case meanwhile neither waits nor is lost: it is queued again and
 * kept by the next round.
 */
static void test_scheduler_keeps_every_case(void **state)
{
	(void)state;
	long cases = api_sql_long("SELECT count(*) FROM ombudsman_case");
	long one = api_sql_long("SELECT min(id) FROM ombudsman_case");
	queue_every_case();
	slow_keeping(true);
	struct fill_arg f = {0, LD_OK};
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, scheduler_fill, &f), 0);
	/* Every case marked due (case 0) in place of the queue, committed:
	 * the keeping of every case is under way. */
	int i;
	for (i = 0; i < 400 && !queued("case_id = kpi_every_case()"); i++)
		usleep(10 * 1000);
	assert_true(i < 400);
	assert_int_equal(queued("true"), 1);
	/* A change to a case, as the queue's triggers write it, within the
	 * lock timeout of 300 ms: before, it waited for the whole keeping. */
	api_owner_exec(F("SET lock_timeout = 300; INSERT INTO kpi_case_due"
			 " VALUES (%ld) ON CONFLICT (case_id) DO UPDATE SET"
			 " case_id = EXCLUDED.case_id",
			 one));
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(f.err, LD_OK);
	assert_true(f.n >= cases);
	/* Case 0 gone with its keeping; the changed case queued again. */
	assert_int_equal(queued("case_id = kpi_every_case()"), 0);
	assert_int_equal(queued("true"), 1);
	assert_int_equal(queued(F("case_id = %ld", one)), 1);
	slow_keeping(false);
	int n = 0;
	assert_int_equal(report_store_facts_fill(s, false, &n), LD_OK);
	assert_int_equal(n, 1);
	assert_int_equal(queued("true"), 0);
	/* Every case's facts kept, as kpi_facts gives them. */
	assert_int_equal(api_sql_long("SELECT count(*) FROM kpi_dated"),
			 api_sql_long("SELECT count(*) FROM kpi_facts_dated("
				      "'-infinity', 'infinity', 'infinity',"
				      " NULL)"));
	assert_int_equal(
		api_sql_long("SELECT count(*) FROM (SELECT case_id, measure,"
			     " on_date, ombudsman, area_id, days, amount FROM"
			     " kpi_dated EXCEPT ALL SELECT case_id, measure,"
			     " on_date, ombudsman, area_id, days, amount FROM"
			     " kpi_facts_dated('-infinity', 'infinity',"
			     " 'infinity', NULL)) x"),
		0);
}

/*
 * Mismatches between the figures' counts of each quarter around today
 * (and of the year to today) read from the kept facts, with whatever is
 * queued, and counted afresh from the raw rows, row for row; whole: the
 * organisation's counts (area NULL), compared summed over areas.
 */
static long mismatches(bool whole)
{
	const char *by = whole ? "NULL::bigint" : "area_id";
	return api_sql_long(
		F("WITH p AS (SELECT q::date AS f, (q + interval '3 months'"
		  " - interval '1 day')::date AS t FROM generate_series("
		  " date_trunc('quarter', current_date - 365), current_date +"
		  " 90, interval '3 months') q UNION ALL SELECT"
		  " date_trunc('year', current_date)::date, current_date"
		  /* An as-of day whose facts at the end are not kept. */
		  " UNION ALL SELECT date_trunc('year', current_date)::date,"
		  " current_date - 10),"
		  " kept AS (SELECT p.f, p.t, c.measure, c.ombudsman, %s AS a,"
		  " c.days, sum(c.n) AS n, sum(c.amount) AS amount FROM p,"
		  " kpi_counts(p.f, p.t, current_date, NULL, NULL, NULL, %s) c"
		  " GROUP BY 1, 2, 3, 4, 5, 6 %s),"
		  " fresh AS (SELECT p.f, p.t, x.measure, x.ombudsman, %s AS a,"
		  " x.days, count(*) AS n, coalesce(sum(x.amount), 0) AS amount"
		  " FROM p, kpi_facts_for(p.f, p.t, current_date, NULL, NULL,"
		  " NULL) x GROUP BY 1, 2, 3, 4, 5, 6)"
		  " SELECT (SELECT count(*) FROM (SELECT * FROM kept EXCEPT"
		  " SELECT * FROM fresh) a) + (SELECT count(*) FROM (SELECT *"
		  " FROM fresh EXCEPT SELECT * FROM kept) b)",
		  by, whole ? "true" : "false",
		  /* The organisation's rows are summed over areas here, as
		   * kpi_groups sums them: a sum of 0 is no row afresh. */
		  whole ? "HAVING sum(c.n) <> 0" : "", by));
}

/*
 * Cases changed since their facts were kept (queued, no filler having
 * taken them) read as they are now: the figures follow the queue, not
 * the last keeping, and cost what the queue holds, not the data.
 */
static void test_queued_cases_read_as_they_are(void **state)
{
	(void)state;
	int n = 0;
	assert_int_equal(report_store_facts_fill(s, false, &n), LD_OK);
	assert_int_equal(queued("true"), 0);
	assert_true(api_sql_long("SELECT count(*) FROM kpi_dated") > 0);
	assert_int_equal(mismatches(false), 0);
	/* Every task of the demo's first two cases due 40 days sooner, the
	 * second case closed today (if open), and the first case's first
	 * task moved to another area (its old area's group emptied): queued,
	 * not kept. */
	long second = api_sql_long("SELECT id FROM ombudsman_case ORDER BY id"
				   " OFFSET 1 LIMIT 1");
	long was_open = api_sql_long(F("SELECT count(*) FROM ombudsman_case"
				       " WHERE id = %ld AND closed_on IS NULL",
				       second));
	long task = api_sql_long("SELECT min(t.id) FROM task t WHERE"
				 " t.case_id = (SELECT min(id) FROM"
				 " ombudsman_case)");
	long area = api_sql_long(
		F("SELECT service_area_id FROM task WHERE id = %ld", task));
	long assignee = api_sql_long(
		F("SELECT coalesce(assignee_id, 0) FROM task WHERE id = %ld",
		  task));
	api_owner_exec("UPDATE task SET due_on = due_on - 40 WHERE case_id IN"
		       " (SELECT id FROM ombudsman_case ORDER BY id LIMIT 2)");
	api_owner_exec(F("UPDATE ombudsman_case SET closed_on = current_date"
			 " WHERE id = %ld AND closed_on IS NULL",
			 second));
	api_owner_exec(F("UPDATE task SET assignee_id = NULL, service_area_id"
			 " = (SELECT max(id) FROM service_area WHERE id <> %ld)"
			 " WHERE id = %ld",
			 area, task));
	assert_true(queued("true") >= 1);
	assert_int_equal(mismatches(false), 0);
	assert_int_equal(mismatches(true), 0);
	/* And the kept facts alone are the old ones: read without the
	 * queue, the figures would be wrong. */
	assert_true(api_sql_long(
			    "SELECT count(*) FROM (SELECT f.case_id, f.measure,"
			    " f.on_date, f.ombudsman, f.area_id, f.days,"
			    " f.amount FROM kpi_facts_dated('-infinity',"
			    " 'infinity', 'infinity', ARRAY(SELECT case_id FROM"
			    " kpi_case_due)) f EXCEPT ALL SELECT d.case_id,"
			    " d.measure, d.on_date, d.ombudsman, d.area_id,"
			    " d.days, d.amount FROM kpi_dated d) x") > 0);
	/* As found. */
	api_owner_exec("UPDATE task SET due_on = due_on + 40 WHERE case_id IN"
		       " (SELECT id FROM ombudsman_case ORDER BY id LIMIT 2)");
	api_owner_exec(F("UPDATE task SET service_area_id = %ld, assignee_id ="
			 " nullif(%ld, 0) WHERE id = %ld",
			 area, assignee, task));
	if (was_open)
		api_owner_exec(F("UPDATE ombudsman_case SET closed_on = NULL"
				 " WHERE id = %ld",
				 second));
	assert_int_equal(report_store_facts_fill(s, false, &n), LD_OK);
	assert_int_equal(mismatches(false), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_another_filler_at_work),
		cmocka_unit_test(test_reader_leaves_a_long_queue),
		cmocka_unit_test(test_scheduler_keeps_every_case),
		cmocka_unit_test(test_every_case_waits_for_a_reader),
		cmocka_unit_test(test_queued_cases_read_as_they_are),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
