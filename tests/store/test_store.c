/*
 * The store against the real database, with no server and no HTTP: the
 * calls and the ownership rules store.h states.  Working days are core's,
 * counted by days_store_fill with whatever calendar it is given and kept
 * for SQL to compare; a refused change answers with why and keeps
 * nothing; a database that cannot be reached is LD_EUNAVAILABLE.
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
#include "case_store.h"
#include "code_store.h"
#include "date.h"
#include "store.h"
#include "workcal.h"
#include "workflow.h"

static struct store *s;
static struct principal lo;

static int32_t D(const char *iso)
{
	int32_t d = 0;
	assert_int_equal(date_parse(iso, &d), 0);
	return d;
}

static int setup(void **state)
{
	(void)state;
	s = store_new(getenv("LINKDESK_DATABASE_URL"), 2);
	lo.user_id = api_sql_long("SELECT id FROM app_user WHERE email ="
				  " 'link.officer@demo.linkdesk.test'");
	lo.roles = ROLE_LINK_OFFICER;
	snprintf(lo.name, sizeof(lo.name), "Store test");
	return s && lo.user_id > 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	store_free(s);
	return 0;
}

/* A calendar of 2026 with no holidays but those given. */
static void calendar(struct workcal *cal, const char *holiday)
{
	workcal_init(cal);
	if (holiday)
		workcal_add_holiday(cal, D(holiday));
	workcal_set_range(cal, D("2026-01-01"), D("2026-12-31"));
}

/* Stage 1 acknowledged on a day, every other date left as it is. */
static struct stage_dates_in acknowledge(int version, int32_t day)
{
	return (struct stage_dates_in){.version = version,
				       .s1_ack = day,
				       .s1_response = -1,
				       .s1_told = -1,
				       .escalated = -1,
				       .s2_ack = -1,
				       .s2_response = -1,
				       .s2_told = -1,
				       .s1_extension = -1,
				       .s2_extension = -1};
}

static int64_t complaint(const char *received, const char *acknowledged)
{
	char ref[40], *json = NULL;
	struct why why = {0};
	snprintf(ref, sizeof(ref), "STORE-%d-%s", (int)getpid(), received);
	struct complaint_in in = {.reference = ref,
				  .category = "Repairs",
				  .summary = "",
				  .service_area_id = 1,
				  .received_on = D(received)};
	assert_int_equal(case_store_add_complaint(s, &lo, &in, &json, &why),
			 LD_OK);
	assert_non_null(json);
	free(json);
	int64_t id = api_sql_long(
		F("SELECT id FROM complaint WHERE reference = '%s'", ref));
	struct stage_dates_in st = acknowledge(1, D(acknowledged));
	json = NULL;
	assert_int_equal(code_store_set_stages(s, &lo, id, &st, &json, &why),
			 LD_OK);
	free(json);
	return id;
}

/*
 * The days are counted by the calendar the fill is given, once per change
 * queued: the store never counts them by another rule.
 */
static void test_days_by_the_given_calendar(void **state)
{
	(void)state;
	struct workcal plain, holiday;
	int filled = 0;
	calendar(&plain, NULL);
	calendar(&holiday, "2026-10-07");
	/* Monday 5 to Tuesday 13 October: six working days. */
	int64_t id = complaint("2026-10-05", "2026-10-13");
	assert_int_equal(days_store_fill(s, &plain, &filled), LD_OK);
	assert_true(filled >= 1);
	const char *q = F("SELECT coalesce(s1_ack, -1) FROM complaint_days"
			  " WHERE complaint_id = %lld",
			  (long long)id);
	assert_int_equal(api_sql_long(q), 6);
	/* Nothing queued: another calendar changes nothing. */
	assert_int_equal(days_store_fill(s, &holiday, &filled), LD_OK);
	assert_int_equal(filled, 0);
	assert_int_equal(api_sql_long(q), 6);
	/* Queued again (as a holiday change queues it): counted anew. */
	assert_int_equal(
		api_sql(F("INSERT INTO complaint_days_due VALUES (%lld)",
			  (long long)id),
			NULL),
		0);
	assert_int_equal(days_store_fill(s, &holiday, &filled), LD_OK);
	assert_int_equal(filled, 1);
	assert_int_equal(api_sql_long(q), 5);
	/* Beyond the calendar's range there is no figure, not a guess. */
	int64_t late = complaint("2026-12-30", "2027-01-04");
	assert_int_equal(days_store_fill(s, &holiday, &filled), LD_OK);
	assert_int_equal(api_sql_long(F("SELECT coalesce(s1_ack, -1)"
					" FROM complaint_days"
					" WHERE complaint_id = %lld",
					(long long)late)),
			 -1);
	/* A stage without its dates has none either. */
	assert_int_equal(api_sql_long(F("SELECT count(*) FROM complaint_days"
					" WHERE complaint_id = %lld AND"
					" s2_ack IS NULL AND s1_response_ack"
					" IS NULL",
					(long long)id)),
			 1);
	workcal_release(&plain);
	workcal_release(&holiday);
}

/* A refused change says why, leaves *json untouched and keeps nothing. */
static void test_refusal_keeps_nothing(void **state)
{
	(void)state;
	int64_t id = complaint("2026-09-01", "2026-09-03");
	struct stage_dates_in st = acknowledge(1, D("2026-09-02")); /* 2 now */
	struct why why = {0};
	char *json = NULL;
	assert_int_equal(code_store_set_stages(s, &lo, id, &st, &json, &why),
			 LD_EPRECONDITION);
	assert_null(json);
	assert_non_null(why.field);
	assert_string_equal(why.field, "version");
	assert_int_equal(api_sql_long(F("SELECT count(*) FROM complaint"
					" WHERE id = %lld AND"
					" stage1_acknowledged_on ="
					" '2026-09-03' AND version = 2",
					(long long)id)),
			 1);
}

/* Does the plan of sql (with sequential scans off) use index? */
static int plan_uses(const char *sql, const char *index)
{
	char *out = NULL;
	assert_int_equal(
		api_sql(F("SET enable_seqscan = off; EXPLAIN %s", sql), &out),
		0);
	int uses = strstr(out, index) != NULL;
	if (!uses)
		print_message("%s\n", out);
	free(out);
	return uses;
}

/*
 * The named predicates (task_is_open, task_is_unsent, task_overdue) are
 * inlined, so the open-task partial indexes still serve the lists.
 */
static void test_open_task_indexes(void **state)
{
	(void)state;
	assert_true(plan_uses("SELECT t.id FROM task t WHERE"
			      " task_overdue(t, '2026-11-23')"
			      " ORDER BY effective_due(t), t.id LIMIT 20",
			      "task_open_due"));
	assert_true(plan_uses("SELECT t.id FROM task t WHERE"
			      " t.service_area_id = 1 AND"
			      " task_is_unsent(t.status)"
			      " ORDER BY effective_due(t), t.id LIMIT 20",
			      "task_area_open"));
}

/*
 * Who a transaction has told already (outbox_told, on every task set) is
 * found by case and time whatever the statistics say: its generic plan
 * once picked the split's index of every pending notice and filtered them
 * all by case, 35 ms a task after an hour of notices (bench/README.md).
 */
static void test_told_by_case(void **state)
{
	(void)state;
	char *out = NULL;
	/* Sequential scans off, as plan_uses(): the suite's outbox is small
	 * enough for one to be cheapest once it is analysed. */
	assert_int_equal(api_sql("SET enable_seqscan = off;"
				 " SET plan_cache_mode = force_generic_plan;"
				 " PREPARE told(bigint, text) AS"
				 " SELECT * FROM outbox_told(\\$1, \\$2);"
				 " EXPLAIN EXECUTE told(1, 'task_assigned')",
				 &out),
			 0);
	/* Inlined, so that the plan below is the statement's own; and each
	 * scan of the outbox (a message to one; a pending notice) finds
	 * the case in its index, none filters it. */
	if (strstr(out, "Function Scan on outbox_told"))
		fail_msg("outbox_told is not inlined:\n%s", out);
	int looked_up = 0;
	for (const char *l = out; l; l = strchr(l, '\n')) {
		l += *l == '\n';
		const char *end = strchr(l, '\n');
		const char *stop = end ? end : l + strlen(l);
		const char *cs = strstr(l, "case_id");
		if (!cs || cs > stop)
			continue;
		const char *f = strstr(l, "Filter:");
		const char *c = strstr(l, "Index Cond:");
		if (f && f < cs)
			fail_msg("the case is filtered, not looked up:\n%s",
				 out);
		looked_up += c && c < cs;
	}
	if (looked_up < 2)
		fail_msg("not both scans look up the case:\n%s", out);
	free(out);
}

/* Unreachable: LD_EUNAVAILABLE, nothing returned. */
static void test_unreachable(void **state)
{
	(void)state;
	struct store *down =
		store_new("host=127.0.0.1 port=1 connect_timeout=2", 1);
	char *json = NULL;
	assert_int_equal(store_ping(down), LD_EUNAVAILABLE);
	assert_int_equal(case_store_complaint(down, &lo, 1, &json),
			 LD_EUNAVAILABLE);
	assert_null(json);
	store_free(down);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_days_by_the_given_calendar),
		cmocka_unit_test(test_refusal_keeps_nothing),
		cmocka_unit_test(test_open_task_indexes),
		cmocka_unit_test(test_told_by_case),
		cmocka_unit_test(test_unreachable),
	};
	return cmocka_run_group_tests_name("store", tests, setup, teardown);
}
