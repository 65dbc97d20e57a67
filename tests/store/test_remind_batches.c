/*
 * The reminder sweep in batches, each its own transaction: a sweep stopped
 * after a batch (a server killed, a lost connection) keeps what it
 * committed, and the next resumes without a second reminder for any task;
 * then the mail, one message to each doer listing the tasks, each reminder
 * mailed once whichever sweep wrote it, and each message in an audit row.
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
#include "date.h"
#include "mail_store.h"
#include "store.h"

#define TASKS 7

static struct store *s;
static long area;
static char tag[32];

/*
 * An area of its own with three officers, and a case of seven tasks for it
 * with no assignee (so each reminder goes to the three), set on a Sunday no
 * other test sets a task on.
 */
static int setup(void **state)
{
	(void)state;
	s = store_new(getenv("LINKDESK_DATABASE_URL"), 2);
	snprintf(tag, sizeof(tag), "BATCH-%d", (int)getpid());
	area = api_area_tasks(tag, TASKS, "2026-09-13", "date '2026-12-18'");
	api_exec(F(
		"WITH u AS (INSERT INTO app_user (email, name, service_area_id,"
		" password_hash) SELECT lower('%s') || '.' || g ||"
		" '@batch.linkdesk.test', 'Batch officer ' || g, %ld, 'x'"
		" FROM generate_series(1, 3) g RETURNING id)"
		" INSERT INTO user_role (user_id, role) SELECT id,"
		" 'service_officer' FROM u",
		tag, area));
	return s && area > 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	/* Out of everyone else's way: the tasks cancelled, the area and its
	 * officers inactive. */
	api_exec(
		F("UPDATE task SET status = 'cancelled' WHERE service_area_id ="
		  " %ld",
		  area));
	api_exec(F("UPDATE app_user SET active = false WHERE service_area_id = "
		   "%ld",
		   area));
	api_exec(F("UPDATE service_area SET active = false WHERE id = %ld",
		   area));
	/* Their reminders queued, as if sent: other tests count the queue. */
	api_exec(
		F("UPDATE outbox SET status = 'sent', sent_at = now() WHERE"
		  " user_id IN (SELECT id FROM app_user WHERE service_area_id ="
		  " %ld) AND status = 'queued'",
		  area));
	store_free(s);
	return 0;
}

/* Rows of from (where t is this test's task) meeting cond ("" or
 * "... AND "). */
static long count(const char *from, const char *cond)
{
	return api_sql_long(
		F("SELECT count(*) FROM %s WHERE %s t.service_area_id = %ld",
		  from, cond, area));
}

/*
 * A sweep on today of the tasks set on 13 September (this test's), their
 * latest slot being slot, in batches of batch tasks, stopping after max
 * batches (0: none left), or as the scheduler sweeps (batch 0).
 */
static enum ld_err sweep(const char *today, const char *slot, int batch,
			 int max, struct remind_sweep *out)
{
	int32_t day = 0;
	const char *slots =
		F("[{\"set_on\": \"2026-09-13\", \"slot\": \"%s\"}]", slot);
	assert_int_equal(date_parse(today, &day), 0);
	return batch ? remind_store_sweep_batches(s, day, slots, batch, max,
						  out)
		     : remind_store_sweep(s, day, slots, out);
}

/* This area's officers' reminder messages ("reminders"), and the (message,
 * task) pairs they list. */
static long messages(void)
{
	return api_sql_long(F("SELECT count(*) FROM outbox m JOIN app_user u"
			      " ON u.id = m.user_id WHERE m.kind ="
			      " 'reminders' AND u.service_area_id = %ld",
			      area));
}

static long listed(const char *distinct)
{
	return api_sql_long(
		F("SELECT count(%s) FROM outbox m, unnest(m.task_ids) i(id)"
		  " JOIN task t ON t.id = i.id WHERE m.kind = 'reminders' AND"
		  " t.service_area_id = %ld",
		  distinct, area));
}

/*
 * psql running sql in a transaction it keeps open until told "COMMIT;\n"
 * (then pclose): returned once its session waits in that transaction.
 */
static FILE *psql_holding(const char *sql)
{
	FILE *p = popen("psql -X -q \"$LINKDESK_DATABASE_URL\" >/dev/null 2>&1",
			"w");
	assert_non_null(p);
	fprintf(p, "BEGIN;\n%sSELECT 'remind batches: holding';\n", sql);
	fflush(p);
	for (int i = 0;
	     i < 400 && !api_sql_long("SELECT count(*) FROM pg_stat_activity"
				      " WHERE state = 'idle in transaction'"
				      " AND query LIKE 'SELECT ''remind"
				      " batches: holding''%'");
	     i++)
		usleep(50 * 1000);
	return p;
}

static void test_stopped_after_a_batch_resumes_once(void **state)
{
	(void)state;
	struct remind_sweep out;

	/* Only this test's tasks were set that day. */
	assert_int_equal(api_sql_long("SELECT count(*) FROM task WHERE set_on"
				      " = '2026-09-13'"),
			 TASKS);
	/* Stopped after its first batch of two tasks, as a server killed
	 * then would be: two reminders committed, not yet mailed. */
	assert_int_equal(sweep("2026-11-23", "2026-11-22", 2, 1, &out), LD_OK);
	assert_int_equal(out.reminders, 2);
	assert_int_equal(out.mails, 0);
	assert_int_equal(
		count("reminder r JOIN task t ON t.id = r.task_id", ""), 2);
	assert_int_equal(messages(), 0);

	/* The next sweep, in batches of two again (three of them), does the
	 * five left and nothing twice, then mails all seven: one message to
	 * each of the three officers, listing the seven tasks. */
	assert_int_equal(sweep("2026-11-23", "2026-11-22", 2, 0, &out), LD_OK);
	assert_int_equal(out.reminders, TASKS - 2);
	assert_int_equal(out.mails, 3);
	assert_int_equal(
		count("reminder r JOIN task t ON t.id = r.task_id", ""), TASKS);
	assert_int_equal(count("(SELECT DISTINCT r.task_id FROM reminder r)"
			       " d JOIN task t ON t.id = d.task_id",
			       ""),
			 TASKS);
	assert_int_equal(messages(), 3);
	assert_int_equal(listed("*"), TASKS * 3);
	assert_int_equal(listed("DISTINCT (m.user_id, t.id)"), TASKS * 3);
	/* Each message in its statement's audit row, which names who it went
	 * to and never what it says. */
	assert_int_equal(
		api_sql_long(F(
			"SELECT count(*) FROM outbox m JOIN app_user u ON u.id"
			" = m.user_id WHERE m.kind = 'reminders' AND"
			" u.service_area_id = %ld AND EXISTS (SELECT 1 FROM"
			" audit_log l WHERE l.entity = 'outbox' AND l.action ="
			" 'insert' AND l.after->'to' @> jsonb_build_array("
			"jsonb_build_object('id', m.id, 'user_id', m.user_id))"
			" AND NOT l.after ? 'facts')",
			area)),
		3);

	/* Swept again the same day, whole: nothing is due, nothing mailed. */
	assert_int_equal(sweep("2026-11-23", "2026-11-22", 0, 0, &out), LD_OK);
	assert_int_equal(out.reminders, 0);
	assert_int_equal(out.mails, 0);
	assert_int_equal(messages(), 3);
}

/*
 * A task another transaction holds (a change being saved) is left to the
 * next sweep, not waited for or reminded twice.
 */
static void test_a_task_held_elsewhere_waits_for_the_next(void **state)
{
	(void)state;
	struct remind_sweep out;
	long held = api_sql_long(F("SELECT min(id) FROM task WHERE"
				   " service_area_id = %ld",
				   area));
	long before = messages();
	/* psql holds the task's row lock until told to commit, after the
	 * sweep: it is held once psql's session waits in its transaction. */
	FILE *p = psql_holding(
		F("SELECT 1 FROM task WHERE id = %ld FOR UPDATE;\n", held));
	assert_int_equal(sweep("2026-11-26", "2026-11-25", 3, 0, &out), LD_OK);
	assert_int_equal(out.reminders, TASKS - 1);
	assert_int_equal(out.mails, 3);
	fprintf(p, "COMMIT;\n");
	assert_int_equal(pclose(p), 0);
	assert_int_equal(sweep("2026-11-26", "2026-11-25", 0, 0, &out), LD_OK);
	assert_int_equal(out.reminders, 1);
	assert_int_equal(out.mails, 3);
	assert_int_equal(count("reminder r JOIN task t ON t.id = r.task_id",
			       "r.slot = '2026-11-25' AND"),
			 TASKS);
	/* The held task in the second message alone. */
	assert_int_equal(messages(), before + 6);
	assert_int_equal(api_sql_long(F("SELECT count(*) FROM outbox WHERE kind"
					" = 'reminders' AND task_ids = "
					"ARRAY[%ld]::bigint[]",
					held)),
			 3);
}

struct sweep_thread {
	pthread_t thread;
	enum ld_err err;
	struct remind_sweep out;
};

static void *sweep_run(void *arg)
{
	struct sweep_thread *t = arg;
	t->err = sweep("2026-11-29", "2026-11-28", 0, 0, &t->out);
	return NULL;
}

/*
 * A batch still in flight when the mail runs (another server's, written
 * before this sweep's batches but committed after): the mail waits for it
 * and mails its reminder too, rather than moving past it for good.
 */
static void test_the_mail_waits_for_a_batch_in_flight(void **state)
{
	(void)state;
	long first = api_sql_long(F("SELECT min(id) FROM task WHERE"
				    " service_area_id = %ld",
				    area));
	long before = messages();
	/* psql is that batch: reminder_mailed held as a batch holds it, the
	 * first task locked and its reminder written, not committed. */
	FILE *p = psql_holding(
		F("SELECT 1 FROM reminder_mailed FOR SHARE;\n"
		  "SELECT 1 FROM task WHERE id = %ld FOR UPDATE;\n"
		  "INSERT INTO reminder (task_id, slot) VALUES (%ld,"
		  " '2026-11-28');\n",
		  first, first));
	struct sweep_thread t = {0};
	assert_int_equal(pthread_create(&t.thread, NULL, sweep_run, &t), 0);
	/* The sweep's batches commit (without the first task, which psql
	 * holds) and its mail waits. */
	long waiting = 0;
	for (int i = 0; i < 400 && !waiting; i++) {
		usleep(50 * 1000);
		waiting = api_sql_long(
			"SELECT count(*) FROM pg_stat_activity WHERE"
			" wait_event_type = 'Lock' AND query LIKE"
			" 'SELECT upto FROM reminder_mailed FOR UPDATE%'");
	}
	assert_int_equal(waiting, 1);
	fprintf(p, "COMMIT;\n");
	assert_int_equal(pclose(p), 0);
	assert_int_equal(pthread_join(t.thread, NULL), 0);
	assert_int_equal(t.err, LD_OK);
	assert_int_equal(t.out.reminders, TASKS - 1);
	assert_int_equal(t.out.mails, 3);
	/* Every task of the day in each officer's one message, psql's too. */
	assert_int_equal(messages(), before + 3);
	assert_int_equal(
		api_sql_long(F("SELECT count(*) FROM outbox m JOIN app_user u"
			       " ON u.id = m.user_id WHERE m.kind ="
			       " 'reminders' AND u.service_area_id = %ld AND"
			       " m.facts->>'today' = '2026-11-29' AND"
			       " cardinality(m.task_ids) = %d AND"
			       " %ld = ANY (m.task_ids)",
			       area, TASKS, first)),
		3);
}

/* This test's tasks, the nth of them (from 0) in id order. */
static long nth_task(int nth)
{
	return api_sql_long(F("SELECT id FROM task WHERE service_area_id = %ld"
			      " ORDER BY id OFFSET %d LIMIT 1",
			      area, nth));
}

/* The task's rows queued for the sweep. */
static long queued(long task)
{
	return api_sql_long(
		F("SELECT count(*) FROM reminder_wake WHERE task_id = %ld",
		  task));
}

static long reminded(long task, const char *slot)
{
	return api_sql_long(F("SELECT count(*) FROM reminder WHERE task_id ="
			      " %ld AND slot = '%s'",
			      task, slot));
}

/*
 * Once a sweep has reminded every pair it read, the next with the same day
 * and slots reads only the tasks that have become remindable since: one
 * reopened, one unpaused, each reminded and mailed that same day.  One
 * whose queued row is gone (as if no trigger had queued it) is missed,
 * until the queue is longer than the marked read takes, or slots of
 * another day set come: then every task is read.  The store tier runs one
 * test at a time: no other sweep marks in between.
 */
static void test_a_marked_sweep_reads_the_tasks_woken_since(void **state)
{
	(void)state;
	struct remind_sweep out;
	long reopened = nth_task(0), unpaused = nth_task(1),
	     unqueued = nth_task(2);
	api_exec(F("UPDATE task SET status = 'done' WHERE id IN (%ld, %ld)",
		   reopened, unqueued));
	api_exec(F("UPDATE task SET paused_on = '2026-11-30' WHERE id = %ld",
		   unpaused));

	/* Every task read: the four remindable reminded and mailed, the
	 * sweep marked; the next, marked, finds nothing and mails nothing. */
	assert_int_equal(sweep("2026-12-02", "2026-12-01", 0, 0, &out), LD_OK);
	assert_int_equal(out.reminders, TASKS - 3);
	assert_int_equal(out.mails, 3);
	assert_int_equal(
		api_sql_long("SELECT count(*) FROM reminder_swept WHERE day ="
			     " '2026-12-02'"),
		1);
	assert_int_equal(sweep("2026-12-02", "2026-12-01", 0, 0, &out), LD_OK);
	assert_int_equal(out.reminders, 0);
	assert_int_equal(out.mails, 0);

	/* Woken since: each queued by the triggers, each reminded and
	 * mailed now, the mail past the last reminder numbered. */
	api_exec(F("UPDATE task SET status = 'open' WHERE id = %ld", reopened));
	api_exec(
		F("UPDATE task SET paused_on = NULL WHERE id = %ld", unpaused));
	assert_int_equal(queued(reopened) + queued(unpaused), 2);
	assert_int_equal(sweep("2026-12-02", "2026-12-01", 0, 0, &out), LD_OK);
	assert_int_equal(out.reminders, 2);
	assert_int_equal(out.mails, 3);
	assert_int_equal(reminded(reopened, "2026-12-01"), 1);
	assert_int_equal(reminded(unpaused, "2026-12-01"), 1);
	assert_int_equal(queued(reopened) + queued(unpaused), 0);
	assert_int_equal(api_sql_long("SELECT count(*) FROM reminder_mailed,"
				      " reminder_id_seq WHERE upto ="
				      " last_value"),
			 1);

	/* Reopened with its queued row deleted: the marked sweep reads the
	 * queue alone and misses it; a queue longer than the marked read
	 * takes has every task read, and it found. */
	api_exec(F("UPDATE task SET status = 'open' WHERE id = %ld", unqueued));
	api_exec(F("DELETE FROM reminder_wake WHERE task_id = %ld", unqueued));
	assert_int_equal(sweep("2026-12-02", "2026-12-01", 0, 0, &out), LD_OK);
	assert_int_equal(out.reminders, 0);
	api_exec("INSERT INTO reminder_wake (task_id)"
		 " SELECT 0 FROM generate_series(1, 10001)");
	assert_int_equal(sweep("2026-12-02", "2026-12-01", 0, 0, &out), LD_OK);
	assert_int_equal(out.reminders, 1);
	assert_int_equal(reminded(unqueued, "2026-12-01"), 1);
	assert_int_equal(api_sql_long("SELECT count(*) FROM reminder_wake"), 0);

	/* And slots of another day set: every task read again. */
	long fourth = nth_task(3);
	api_exec(F("UPDATE task SET status = 'done' WHERE id = %ld", fourth));
	api_exec(F("DELETE FROM reminder WHERE task_id = %ld", fourth));
	api_exec(F("UPDATE task SET status = 'open' WHERE id = %ld", fourth));
	api_exec(F("DELETE FROM reminder_wake WHERE task_id = %ld", fourth));
	assert_int_equal(sweep("2026-12-02", "2026-12-01", 0, 0, &out), LD_OK);
	assert_int_equal(out.reminders, 0);
	int32_t day = 0;
	assert_int_equal(date_parse("2026-12-02", &day), 0);
	assert_int_equal(remind_store_sweep(
				 s, day,
				 "[{\"set_on\": \"2026-09-13\", \"slot\":"
				 " \"2026-12-01\"}, {\"set_on\":"
				 " \"1990-01-01\", \"slot\": \"2026-12-01\"}]",
				 &out),
			 LD_OK);
	assert_int_equal(out.reminders, 1);
	assert_int_equal(reminded(fourth, "2026-12-01"), 1);

	/* Queued too: a remindable task moved to another day set, and each
	 * task set remindable. */
	api_exec(F("UPDATE task SET set_on = '2026-09-14' WHERE id = %ld",
		   reopened));
	assert_int_equal(queued(reopened), 1);
	api_exec(F("UPDATE task SET set_on = '2026-09-13' WHERE id = %ld",
		   reopened));
	long more = api_area_tasks(F("%s-more", tag), 2, "2026-09-20",
				   "date '2026-12-18'");
	assert_int_equal(api_sql_long(F("SELECT count(*) FROM reminder_wake w"
					" JOIN task t ON t.id = w.task_id"
					" WHERE t.service_area_id = %ld",
					more)),
			 2);
	api_exec(F("UPDATE task SET status = 'cancelled' WHERE"
		   " service_area_id = %ld",
		   more));
	api_exec(F("UPDATE service_area SET active = false WHERE id = %ld",
		   more));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stopped_after_a_batch_resumes_once),
		cmocka_unit_test(test_a_task_held_elsewhere_waits_for_the_next),
		cmocka_unit_test(test_the_mail_waits_for_a_batch_in_flight),
		cmocka_unit_test(
			test_a_marked_sweep_reads_the_tasks_woken_since),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
