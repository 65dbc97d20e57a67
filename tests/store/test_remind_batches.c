/*
 * The reminder sweep in batches, each its own transaction: a sweep stopped
 * after a batch (a server killed, a lost connection) keeps what it
 * committed, and the next resumes without a second reminder, message or
 * audit row for any task; every reminder still has its message to each of
 * the task's doers and each message its audit row.
 */
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
	api_exec(F("UPDATE outbox SET status = 'sent', sent_at = now() WHERE"
		   " task_id IN (SELECT id FROM task WHERE service_area_id ="
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
 * batches (0: none left), or as the scheduler sweeps (batch 0); the
 * reminders' messages queued in *queued.
 */
static enum ld_err sweep(const char *today, const char *slot, int batch,
			 int max, int *queued)
{
	int32_t day = 0;
	const char *slots =
		F("[{\"set_on\": \"2026-09-13\", \"slot\": \"%s\"}]", slot);
	assert_int_equal(date_parse(today, &day), 0);
	return batch ? remind_store_sweep_batches(s, day, slots, batch, max,
						  queued)
		     : remind_store_sweep(s, day, slots, queued);
}

static void test_stopped_after_a_batch_resumes_once(void **state)
{
	(void)state;
	int queued = 0;

	/* Only this test's tasks were set that day. */
	assert_int_equal(api_sql_long("SELECT count(*) FROM task WHERE set_on"
				      " = '2026-09-13'"),
			 TASKS);
	/* Stopped after its first batch of two tasks: two reminders, their
	 * messages to the three officers each, committed. */
	assert_int_equal(sweep("2026-11-23", "2026-11-22", 2, 1, &queued),
			 LD_OK);
	assert_int_equal(queued, 2 * 3);
	assert_int_equal(
		count("reminder r JOIN task t ON t.id = r.task_id", ""), 2);

	/* The next sweep, in batches of two again (three of them), does the
	 * five left and nothing twice. */
	assert_int_equal(sweep("2026-11-23", "2026-11-22", 2, 0, &queued),
			 LD_OK);
	assert_int_equal(queued, (TASKS - 2) * 3);
	assert_int_equal(
		count("reminder r JOIN task t ON t.id = r.task_id", ""), TASKS);
	assert_int_equal(count("(SELECT DISTINCT r.task_id FROM reminder r)"
			       " d JOIN task t ON t.id = d.task_id",
			       ""),
			 TASKS);
	/* One message a task and officer, each in an audit row (its own, or
	 * its statement's list of messages). */
	assert_int_equal(
		count("(SELECT DISTINCT task_id, user_id FROM outbox WHERE"
		      " kind = 'reminder') m JOIN task t ON t.id = m.task_id",
		      ""),
		TASKS * 3);
	assert_int_equal(count("outbox m JOIN task t ON t.id = m.task_id",
			       "m.kind = 'reminder' AND"),
			 TASKS * 3);
	assert_int_equal(
		count("outbox m JOIN task t ON t.id = m.task_id",
		      "m.kind = 'reminder' AND EXISTS (SELECT 1 FROM audit_log"
		      " l WHERE l.entity = 'outbox' AND l.action = 'insert'"
		      " AND (l.entity_id = m.id OR l.after->'to' @>"
		      " jsonb_build_array(jsonb_build_object('id', m.id))))"
		      " AND"),
		TASKS * 3);

	/* Swept again the same day, whole: nothing is due. */
	assert_int_equal(sweep("2026-11-23", "2026-11-22", 0, 0, &queued),
			 LD_OK);
	assert_int_equal(queued, 0);
	assert_int_equal(count("outbox m JOIN task t ON t.id = m.task_id",
			       "m.kind = 'reminder' AND"),
			 TASKS * 3);
}

/*
 * A task another transaction holds (a change being saved) is left to the
 * next sweep, not waited for or reminded twice.
 */
static void test_a_task_held_elsewhere_waits_for_the_next(void **state)
{
	(void)state;
	int queued = 0;
	long held = api_sql_long(F("SELECT min(id) FROM task WHERE"
				   " service_area_id = %ld",
				   area));
	/* psql holds the task's row lock until told to commit, after the
	 * sweep: it is held once psql's session waits in its transaction. */
	FILE *p = popen("psql -X -q \"$LINKDESK_DATABASE_URL\" >/dev/null 2>&1",
			"w");
	assert_non_null(p);
	fprintf(p,
		"BEGIN;\nSELECT 1 FROM task WHERE id = %ld FOR UPDATE;\n"
		"SELECT 'remind batches: held';\n",
		held);
	fflush(p);
	for (int i = 0;
	     i < 400 && !api_sql_long("SELECT count(*) FROM pg_stat_activity"
				      " WHERE state = 'idle in transaction'"
				      " AND query LIKE 'SELECT ''remind"
				      " batches: held''%'");
	     i++)
		usleep(50 * 1000);
	assert_int_equal(sweep("2026-11-26", "2026-11-25", 3, 0, &queued),
			 LD_OK);
	assert_int_equal(queued, (TASKS - 1) * 3);
	fprintf(p, "COMMIT;\n");
	assert_int_equal(pclose(p), 0);
	assert_int_equal(sweep("2026-11-26", "2026-11-25", 0, 0, &queued),
			 LD_OK);
	assert_int_equal(queued, 3);
	assert_int_equal(count("reminder r JOIN task t ON t.id = r.task_id",
			       "r.slot = '2026-11-25' AND"),
			 TASKS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stopped_after_a_batch_resumes_once),
		cmocka_unit_test(test_a_task_held_elsewhere_waits_for_the_next),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
