/*
 * "What happens next" on a case (core/next_step.c): the step the guidance
 * takes next, who owns it, and by when, for a case at each point of its
 * life: notified, asked, answered, signed off, sent, determined with and
 * without orders, confirmed, closed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kinds.h"
#include "next_step.h"

static struct next_step step_of(enum case_stage stage, bool determined,
				int unconfirmed,
				const struct next_step_task *tasks,
				size_t ntasks)
{
	struct next_step_facts f = {.close = {.stage = stage,
					      .orders_unconfirmed = unconfirmed,
					      .has_orders = unconfirmed > 0},
				    .determined = determined,
				    .tasks = tasks,
				    .ntasks = ntasks};
	struct next_step s;
	for (size_t i = 0; i < ntasks; i++)
		f.close.open_tasks += workflow_task_open(tasks[i].status);
	next_step(&f, &s);
	return s;
}

static void test_new_notification_asks_for_the_request(void **state)
{
	(void)state;
	struct next_step s = step_of(STAGE_NOTIFIED, false, 0, NULL, 0);
	assert_int_equal(s.kind, NEXT_REQUEST);
	assert_int_equal(s.owner, OWNER_LINK_OFFICER);
	assert_string_equal(s.owner_words, "The link officer");
	assert_int_equal(s.by, 0);
}

static void test_the_service_area_owes_the_earliest(void **state)
{
	(void)state;
	const struct next_step_task t[] = {{TASK_IN_PROGRESS, 20500, false},
					   {TASK_OPEN, 20490, false},
					   {TASK_DONE, 20400, false}};
	struct next_step s = step_of(STAGE_INVESTIGATION, false, 0, t, 3);
	assert_int_equal(s.kind, NEXT_ANSWER);
	assert_int_equal(s.owner, OWNER_SERVICE_AREA);
	assert_int_equal(s.by, 20490);
	assert_int_equal(s.count, 2);
}

/* A paused task still owes its answer, but its date does not count. */
static void test_a_paused_task_sets_no_date(void **state)
{
	(void)state;
	const struct next_step_task t[] = {{TASK_OPEN, 20450, true},
					   {TASK_OPEN, 20480, false}};
	struct next_step s = step_of(STAGE_INVESTIGATION, false, 0, t, 2);
	assert_int_equal(s.kind, NEXT_ANSWER);
	assert_int_equal(s.by, 20480);
	assert_int_equal(s.count, 2);
}

/* Work nearest the Ombudsman comes first: send, then sign off, then answer.
 */
static void test_nearest_the_ombudsman_first(void **state)
{
	(void)state;
	const struct next_step_task t[] = {{TASK_OPEN, 20400, false},
					   {TASK_SUBMITTED, 20410, false},
					   {TASK_VALIDATED, 20420, false}};
	struct next_step s = step_of(STAGE_INVESTIGATION, false, 0, t, 3);
	assert_int_equal(s.kind, NEXT_SEND);
	assert_int_equal(s.owner, OWNER_LINK_OFFICER);
	assert_int_equal(s.by, 20420);
	s = step_of(STAGE_INVESTIGATION, false, 0, t, 2);
	assert_int_equal(s.kind, NEXT_SIGN_OFF);
	assert_int_equal(s.owner, OWNER_VALIDATORS);
	assert_string_equal(s.owner_words, "The validators");
	assert_int_equal(s.by, 20410);
}

static void test_sent_evidence(void **state)
{
	(void)state;
	const struct next_step_task t[] = {{TASK_SENT, 20400, false},
					   {TASK_CANCELLED, 20300, false}};
	/* An information request sent: the link officer marks it done. */
	struct next_step s = step_of(STAGE_INVESTIGATION, false, 0, t, 2);
	assert_int_equal(s.kind, NEXT_COMPLETE);
	assert_int_equal(s.count, 1);
	/* An order's evidence sent: the Ombudsman confirms, no date of ours.
	 */
	s = step_of(STAGE_REMEDIES, true, 1, t, 2);
	assert_int_equal(s.kind, NEXT_AWAIT_CONFIRMATION);
	assert_int_equal(s.owner, OWNER_OMBUDSMAN);
	assert_int_equal(s.by, 0);
}

static void test_waiting_on_the_ombudsman(void **state)
{
	(void)state;
	const struct next_step_task t[] = {{TASK_DONE, 20400, false}};
	struct next_step s = step_of(STAGE_INVESTIGATION, false, 0, t, 1);
	assert_int_equal(s.kind, NEXT_AWAIT_DECISION);
	assert_int_equal(s.owner, OWNER_OMBUDSMAN);
	s = step_of(STAGE_DRAFT_DECISION, false, 0, NULL, 0);
	assert_int_equal(s.kind, NEXT_AWAIT_DECISION);
	s = step_of(STAGE_REMEDIES, true, 2, t, 1);
	assert_int_equal(s.kind, NEXT_AWAIT_CONFIRMATION);
}

/* Once workflow_case_close() would let it, the next step is closing. */
static void test_close_when_core_allows(void **state)
{
	(void)state;
	const struct next_step_task t[] = {{TASK_DONE, 20400, false}};
	struct next_step s = step_of(STAGE_DETERMINED, true, 0, t, 1);
	assert_int_equal(s.kind, NEXT_CLOSE);
	assert_int_equal(s.owner, OWNER_LINK_OFFICER);
	s = step_of(STAGE_CLOSED, true, 0, t, 1);
	assert_int_equal(s.kind, NEXT_NONE);
	assert_int_equal(s.owner, OWNER_NONE);
	assert_non_null(s.what);
}

/*
 * The stage follows the work (core's kinds table, which the store obeys):
 * the evidence request and the chasers move a notified case on to
 * investigation; the draft decision to its own stage.
 */
static void test_the_stage_follows_the_work(void **state)
{
	(void)state;
	static const char *const investigating[] = {
		"information_request", "first_chaser", "final_chaser"};
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(corr_kind_find(investigating[i])->moves_to,
				 STAGE_INVESTIGATION);
	assert_int_equal(corr_kind_find("draft_decision")->moves_to,
			 STAGE_DRAFT_DECISION);
	assert_int_equal(corr_kind_find("acknowledgement")->moves_to, -1);
	assert_int_equal(corr_kind_find("information_request")->notice, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_notification_asks_for_the_request),
		cmocka_unit_test(test_the_service_area_owes_the_earliest),
		cmocka_unit_test(test_a_paused_task_sets_no_date),
		cmocka_unit_test(test_nearest_the_ombudsman_first),
		cmocka_unit_test(test_sent_evidence),
		cmocka_unit_test(test_waiting_on_the_ombudsman),
		cmocka_unit_test(test_close_when_core_allows),
		cmocka_unit_test(test_the_stage_follows_the_work),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
