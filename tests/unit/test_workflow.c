/*
 * The workflow's rules and the domain's lists, table by table: every task
 * action in every status for every role, the actions a page is offered,
 * case stage moves and closing, and that core's lists of kinds hold exactly
 * the values the schema's CHECKs allow.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "forecast.h"
#include "kinds.h"
#include "workflow.h"

#define LO  ROLE_LINK_OFFICER
#define SO  ROLE_SERVICE_OFFICER
#define VA  ROLE_VALIDATOR
#define LE  ROLE_LEADERSHIP
#define AD  ROLE_ADMINISTRATOR
#define OK_ 0

/* action, from, roles, own area: the answer and the status after. */
static const struct {
	enum task_action action;
	enum task_status from;
	unsigned roles;
	bool own_area;
	enum ld_err want;
	enum task_status to;
} actions[] = {
	{TASK_START, TASK_OPEN, SO, true, LD_OK, TASK_IN_PROGRESS},
	{TASK_START, TASK_OPEN, SO, false, LD_EFORBIDDEN, 0},
	{TASK_START, TASK_OPEN, LO, false, LD_OK, TASK_IN_PROGRESS},
	{TASK_START, TASK_IN_PROGRESS, SO, true, LD_ECONFLICT, 0},
	{TASK_SUBMIT, TASK_OPEN, SO, true, LD_OK, TASK_SUBMITTED},
	{TASK_SUBMIT, TASK_IN_PROGRESS, LO, false, LD_OK, TASK_SUBMITTED},
	{TASK_SUBMIT, TASK_SUBMITTED, SO, true, LD_ECONFLICT, 0},
	{TASK_SUBMIT, TASK_OPEN, VA, true, LD_EFORBIDDEN, 0},
	{TASK_SUBMIT, TASK_OPEN, LE, true, LD_EFORBIDDEN, 0},
	{TASK_APPROVE, TASK_SUBMITTED, VA, false, LD_OK, TASK_SUBMITTED},
	{TASK_APPROVE, TASK_SUBMITTED, LO, false, LD_EFORBIDDEN, 0},
	{TASK_APPROVE, TASK_IN_PROGRESS, VA, false, LD_ECONFLICT, 0},
	{TASK_RETURN, TASK_SUBMITTED, VA, false, LD_OK, TASK_IN_PROGRESS},
	{TASK_SEND, TASK_VALIDATED, LO, false, LD_OK, TASK_SENT},
	{TASK_SEND, TASK_SUBMITTED, LO, false, LD_ECONFLICT, 0},
	{TASK_SEND, TASK_VALIDATED, SO, true, LD_EFORBIDDEN, 0},
	{TASK_COMPLETE, TASK_SENT, LO, false, LD_OK, TASK_DONE},
	{TASK_COMPLETE, TASK_VALIDATED, LO, false, LD_ECONFLICT, 0},
	{TASK_CANCEL, TASK_SENT, LO, false, LD_OK, TASK_CANCELLED},
	{TASK_CANCEL, TASK_DONE, LO, false, LD_ECONFLICT, 0},
	{TASK_CANCEL, TASK_OPEN, AD, false, LD_EFORBIDDEN, 0},
	{TASK_PAUSE, TASK_IN_PROGRESS, LO, false, LD_OK, TASK_IN_PROGRESS},
	{TASK_RESUME, TASK_OPEN, LO, false, LD_OK, TASK_OPEN},
	{TASK_PAUSE, TASK_SENT, LO, false, LD_ECONFLICT, 0},
};

static void test_task_actions(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		enum task_status to = TASK_STATUS_COUNT;
		const char *why = NULL;
		enum ld_err err = workflow_task_action(
			actions[i].from, actions[i].action, actions[i].roles,
			actions[i].own_area, &to, &why);
		if (err != actions[i].want)
			fail_msg("row %zu (%s from %s): %d, want %d (%s)", i,
				 task_action_names[actions[i].action],
				 task_status_names[actions[i].from], err,
				 actions[i].want, why ? why : "");
		if (!err && to != actions[i].to)
			fail_msg("row %zu: to %s, want %s", i,
				 task_status_names[to],
				 task_status_names[actions[i].to]);
		if (err && (!why || !*why))
			fail_msg("row %zu: refused without a reason", i);
	}
}

/* The mask a page is offered is exactly the actions the rule allows. */
static void test_action_mask(void **state)
{
	(void)state;
	static const unsigned roles[] = {LO, SO, VA, LE, AD, LO | VA, SO | VA};
	for (int st = 0; st < TASK_STATUS_COUNT; st++)
		for (size_t r = 0; r < sizeof(roles) / sizeof(roles[0]); r++)
			for (int own = 0; own < 2; own++) {
				const char *why[TASK_ACTION_COUNT];
				unsigned mask = workflow_task_actions(
					st, roles[r], own, why);
				for (int a = 0; a < TASK_ACTION_COUNT; a++) {
					enum task_status to;
					const char *w;
					bool ok = !workflow_task_action(
						st, a, roles[r], own, &to, &w);
					assert_int_equal(ok,
							 !!(mask & (1u << a)));
					if (!ok)
						assert_string_equal(why[a], w);
				}
			}
	/* Examples a reader can check by eye. */
	assert_int_equal(workflow_task_actions(TASK_SENT, LO, false, NULL),
			 1u << TASK_COMPLETE | 1u << TASK_CANCEL);
	assert_int_equal(workflow_task_actions(TASK_SUBMITTED, VA, false, NULL),
			 1u << TASK_APPROVE | 1u << TASK_RETURN);
	assert_int_equal(workflow_task_actions(TASK_DONE, ROLE_ANY, true, NULL),
			 0);
	assert_int_equal(workflow_task_actions(TASK_OPEN, LE, true, NULL), 0);
}

static void test_status_sets(void **state)
{
	(void)state;
	char out[200];
	assert_string_equal(
		workflow_status_set(workflow_task_open, out, sizeof(out)),
		"{open,in_progress,submitted,validated,sent}");
	assert_string_equal(
		workflow_status_set(workflow_task_unsent, out, sizeof(out)),
		"{open,in_progress,submitted,validated}");
	assert_string_equal(workflow_status_set(workflow_task_confirmable, out,
						sizeof(out)),
			    "{open,in_progress,submitted,validated,sent}");
	assert_string_equal(
		workflow_status_set(workflow_task_closed, out, sizeof(out)),
		"{done,cancelled}");
}

static void test_file_downloadable(void **state)
{
	(void)state;
	assert_true(workflow_file_downloadable("available"));
	assert_true(workflow_file_downloadable("not_scanned"));
	assert_false(workflow_file_downloadable("pending"));
	assert_false(workflow_file_downloadable("quarantined"));
	assert_false(workflow_file_downloadable("removed"));
	assert_false(workflow_file_downloadable(NULL));
}

static const struct {
	enum case_stage from, to;
	enum ld_err want;
} stages[] = {
	{STAGE_NOTIFIED, STAGE_ASSESSMENT, LD_OK},
	{STAGE_NOTIFIED, STAGE_DRAFT_DECISION, LD_OK},
	{STAGE_INVESTIGATION, STAGE_ASSESSMENT, LD_ECONFLICT},
	{STAGE_ASSESSMENT, STAGE_DETERMINED, LD_ECONFLICT},
	{STAGE_DETERMINED, STAGE_REMEDIES, LD_ECONFLICT},
	{STAGE_REMEDIES, STAGE_CLOSED, LD_ECONFLICT},
	{STAGE_CLOSED, STAGE_INVESTIGATION, LD_ECONFLICT},
};

static void test_case_stages(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(stages) / sizeof(stages[0]); i++) {
		const char *why = NULL;
		if (workflow_case_stage(stages[i].from, stages[i].to, &why) !=
		    stages[i].want)
			fail_msg("row %zu: %s to %s", i,
				 case_stage_names[stages[i].from],
				 case_stage_names[stages[i].to]);
	}
}

/* Facts, outcome: the answer, the field blamed, the proposed outcome. */
static const struct {
	struct case_close_facts f;
	const char *outcome;
	enum ld_err want;
	const char *field, *proposed;
} closes[] = {
	/* A withdrawn case closes before any determination. */
	{{STAGE_ASSESSMENT, 0, 0, false},
	 "withdrawn",
	 LD_OK,
	 NULL,
	 "not_investigated"},
	{{STAGE_NOTIFIED, 0, 0, false}, NULL, LD_OK, NULL, "not_investigated"},
	{{STAGE_DETERMINED, 0, 0, false},
	 "no_orders",
	 LD_OK,
	 NULL,
	 "no_orders"},
	{{STAGE_REMEDIES, 1, 0, true},
	 "orders_satisfied",
	 LD_ECONFLICT,
	 NULL,
	 "orders_satisfied"},
	{{STAGE_REMEDIES, 0, 2, true},
	 "orders_satisfied",
	 LD_ECONFLICT,
	 NULL,
	 "orders_satisfied"},
	{{STAGE_REMEDIES, 0, 0, true},
	 "no_orders",
	 LD_EVALIDATION,
	 "outcome",
	 "orders_satisfied"},
	{{STAGE_REMEDIES, 0, 0, true},
	 "orders_satisfied",
	 LD_OK,
	 NULL,
	 "orders_satisfied"},
	{{STAGE_CLOSED, 0, 0, false},
	 "no_orders",
	 LD_ECONFLICT,
	 NULL,
	 "no_orders"},
};

static void test_case_close(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(closes) / sizeof(closes[0]); i++) {
		const char *field = "x", *why = NULL;
		enum ld_err err = workflow_case_close(
			&closes[i].f, closes[i].outcome, &field, &why);
		if (err != closes[i].want)
			fail_msg("row %zu: %d, want %d", i, err,
				 closes[i].want);
		if ((field == NULL) != (closes[i].field == NULL) ||
		    (field && strcmp(field, closes[i].field)))
			fail_msg("row %zu: field %s", i, field ? field : "-");
		assert_string_equal(workflow_case_outcome(&closes[i].f),
				    closes[i].proposed);
	}
}

/* What each kind of correspondence means, as a reader would state it. */
static void test_correspondence_kinds(void **state)
{
	(void)state;
	const struct corr_kind *k = corr_kind_find("final_chaser");
	assert_non_null(k);
	assert_true(k->targets_tasks);
	assert_string_equal(k->raises, "urgent");
	assert_int_equal(k->notice, NOTICE_FINAL_CHASER);
	assert_string_equal(k->task_kind, "chaser_response");
	k = corr_kind_find("extension_agreed");
	assert_true(k->needs_revised && k->asks_revised && !k->raises);
	k = corr_kind_find("draft_decision");
	assert_int_equal(k->moves_to, STAGE_DRAFT_DECISION);
	k = corr_kind_find("information_request");
	assert_true(k->needs_tasks && k->asks_response_due);
	assert_string_equal(k->task_kind, "information_request");
	assert_non_null(corr_kind_find("determination")->own_command);
	assert_true(corr_kind_find("acknowledgement")->outgoing);
	assert_true(corr_kind_find("orders_confirmed")->confirms_orders);
	assert_null(corr_kind_find("javascript"));
	assert_null(corr_kind_find(NULL));
	/* Every kind has words, and a form only with a heading and link. */
	for (k = corr_kinds; k->name; k++) {
		assert_non_null(k->label);
		assert_non_null(k->task_kind);
		assert_int_not_equal(kind_index(task_kinds,
						sizeof(task_kinds[0]),
						k->task_kind),
				     -1);
		if (k->heading)
			assert_non_null(k->link);
		if (k->raises)
			assert_int_not_equal(kind_index(priorities,
							sizeof(priorities[0]),
							k->raises),
					     -1);
	}
	/* The forecast's words follow core's task kinds, row for row. */
	int ntask = 0;
	while (task_kinds[ntask].name)
		ntask++;
	assert_int_equal(ntask, (int)forecast_kinds_count);
	assert_int_equal(forecast_kind("order"), 2);
	assert_int_equal(forecast_kind("bribe"), -1);
	assert_string_equal(kinds_label("first_chaser"), "1st chaser");
	assert_string_equal(kinds_label("works"), "Repairs or works");
	assert_string_equal(kinds_label("validator"), "Validator");
	assert_null(kinds_label("nothing"));
}

/* A file of the source tree's sql/ (under LINKDESK_ROOT), open to read. */
static FILE *sql_open(const char *name)
{
	char path[512];
	const char *root = getenv("LINKDESK_ROOT");
	snprintf(path, sizeof(path), "%s/sql/%s", root ? root : ".", name);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	return f;
}

/*
 * The values of CHECK (column IN (...)) after "    column" in a table of
 * sql/004_casework.sql, as a comma-joined list.
 */
static void sql_values(const char *table, const char *column, char *out,
		       size_t size)
{
	char line[1024], head[128], want[128];
	FILE *f = sql_open("004_casework.sql");
	snprintf(head, sizeof(head), "CREATE TABLE %s (", table);
	snprintf(want, sizeof(want), "    %s ", column);
	bool in_table = false, in_check = false;
	size_t len = 0;
	out[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "CREATE TABLE ", 13))
			in_table = !strncmp(line, head, strlen(head));
		if (!in_table)
			continue;
		const char *from = line;
		if (!in_check && !strncmp(line, want, strlen(want)) &&
		    strstr(line, "CHECK (")) {
			in_check = true;
			from = strstr(line, "CHECK ("); /* not a DEFAULT */
		}
		if (!in_check)
			continue;
		for (const char *p = strchr(from, '\''); p;
		     p = strchr(p + 1, '\'')) {
			const char *end = strchr(p + 1, '\'');
			if (!end)
				break;
			len += (size_t)snprintf(out + len, size - len, "%s%.*s",
						len ? "," : "",
						(int)(end - p - 1), p + 1);
			p = end;
		}
		if (strstr(line, "))")) {
			in_check = false;
			break;
		}
	}
	fclose(f);
}

static void table_values(const void *table, size_t stride, char *out,
			 size_t size)
{
	size_t len = 0;
	out[0] = '\0';
	for (int i = 0; kind_name(table, stride, i); i++)
		len += (size_t)snprintf(out + len, size - len, "%s%s",
					len ? "," : "",
					kind_name(table, stride, i));
}

/* Sorted, so that order does not matter. */
static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void assert_same_set(const char *what, char *a, char *b)
{
	char *x[64], *y[64], *save;
	int nx = 0, ny = 0;
	for (char *t = strtok_r(a, ",", &save); t && nx < 64;
	     t = strtok_r(NULL, ",", &save))
		x[nx++] = t;
	for (char *t = strtok_r(b, ",", &save); t && ny < 64;
	     t = strtok_r(NULL, ",", &save))
		y[ny++] = t;
	qsort(x, (size_t)nx, sizeof(*x), cmp);
	qsort(y, (size_t)ny, sizeof(*y), cmp);
	if (nx != ny)
		fail_msg("%s: %d values in core, %d in sql", what, nx, ny);
	for (int i = 0; i < nx; i++)
		if (strcmp(x[i], y[i]))
			fail_msg("%s: core has %s where sql has %s", what, x[i],
				 y[i]);
}

static void test_kinds_match_schema(void **state)
{
	(void)state;
	static const struct {
		const char *table, *column;
		const void *rows;
		size_t stride;
	} lists[] = {
		{"correspondence", "kind", corr_kinds, sizeof(corr_kinds[0])},
		{"correspondence", "channel", channels, sizeof(channels[0])},
		{"ombudsman_case", "outcome", case_outcomes,
		 sizeof(case_outcomes[0])},
		{"remedy", "type", remedy_types, sizeof(remedy_types[0])},
		{"remedy", "kind", remedy_kinds, sizeof(remedy_kinds[0])},
		{"task", "kind", task_kinds, sizeof(task_kinds[0])},
		{"task", "priority", priorities, sizeof(priorities[0])},
	};
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		char sql[2000], core[2000], what[80];
		sql_values(lists[i].table, lists[i].column, sql, sizeof(sql));
		table_values(lists[i].rows, lists[i].stride, core,
			     sizeof(core));
		snprintf(what, sizeof(what), "%s.%s", lists[i].table,
			 lists[i].column);
		if (!*sql)
			fail_msg("%s: no CHECK found in sql", what);
		assert_same_set(what, core, sql);
	}
}

/*
 * The kinds of remedy with an amount are those sql/004's CHECK on remedy
 * ties amount_pence to: ((kind = 'compensation') = (amount_pence IS NOT
 * NULL)).
 */
static void test_remedy_amounts_match_schema(void **state)
{
	(void)state;
	char line[1024], sql[256] = "", core[256] = "";
	FILE *f = sql_open("004_casework.sql");
	size_t len = 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, "= (amount_pence IS NOT NULL)"))
			continue;
		for (const char *p = strstr(line, "kind = '"); p;
		     p = strstr(p + 1, "kind = '")) {
			const char *from = p + 8, *end = strchr(from, '\'');
			if (!end)
				break;
			len += (size_t)snprintf(sql + len, sizeof(sql) - len,
						"%s%.*s", len ? "," : "",
						(int)(end - from), from);
		}
	}
	fclose(f);
	if (!*sql)
		fail_msg("no CHECK on remedy's amount_pence found in sql");
	len = 0;
	for (const struct remedy_kind *k = remedy_kinds; k->name; k++)
		if (k->has_amount)
			len += (size_t)snprintf(core + len, sizeof(core) - len,
						"%s%s", len ? "," : "",
						k->name);
	assert_same_set("remedy kinds with an amount", core, sql);
	/* And kinds_label still knows every remedy kind's words. */
	for (const struct remedy_kind *k = remedy_kinds; k->name; k++)
		assert_string_equal(kinds_label(k->name), k->label);
}

/* The 'quoted' values on a line from in, as "a,b,c" into out. */
static void quoted_list(const char *in, char *out, size_t size)
{
	size_t len = 0;
	*out = '\0';
	for (const char *p = strchr(in, '\''); p; p = strchr(p + 1, '\'')) {
		const char *end = strchr(p + 1, '\'');
		if (!end)
			break;
		len += (size_t)snprintf(out + len, size - len, "%s%.*s",
					len ? "," : "", (int)(end - p - 1),
					p + 1);
		p = end;
	}
}

/*
 * The statuses SQL's task_is_open() keeps out (sql/functions/10_tasks.sql)
 * are exactly those core calls closed, and task_is_unsent() adds "sent",
 * as workflow_task_unsent() does.
 */
static void test_open_matches_sql(void **state)
{
	(void)state;
	char line[1024], sql[256] = "", core[256] = "";
	FILE *f = sql_open("functions/10_tasks.sql");
	bool in_fn = false, unsent_adds_sent = false;
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "FUNCTION task_is_open("))
			in_fn = true;
		const char *in = in_fn ? strstr(line, "NOT IN (") : NULL;
		if (in) {
			quoted_list(in, sql, sizeof(sql));
			in_fn = false;
		}
		if (strstr(line, "task_is_open(p_status) AND p_status <> "
				 "'sent'"))
			unsent_adds_sent = true;
	}
	fclose(f);
	size_t len = 0;
	for (int s = 0; s < TASK_STATUS_COUNT; s++) {
		assert_int_equal(workflow_task_open((enum task_status)s),
				 !workflow_task_closed((enum task_status)s));
		if (workflow_task_closed((enum task_status)s))
			len += (size_t)snprintf(core + len, sizeof(core) - len,
						"%s%s", len ? "," : "",
						task_status_names[s]);
		assert_int_equal(workflow_task_unsent((enum task_status)s),
				 workflow_task_open((enum task_status)s) &&
					 s != TASK_SENT);
	}
	if (!*sql)
		fail_msg("no task_is_open in sql/functions/10_tasks.sql");
	assert_same_set("task_is_open", core, sql);
	assert_true(unsent_adds_sent);
}

/*
 * The statuses SQL's task_remindable() reminds (sql/functions/10_tasks.sql)
 * are exactly those core says await the assignee, and a paused task is
 * not reminded.
 */
static void test_remindable_matches_sql(void **state)
{
	(void)state;
	char line[1024], sql[256] = "", core[256] = "";
	FILE *f = sql_open("functions/10_tasks.sql");
	bool in_fn = false, unpaused = false;
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "FUNCTION task_remindable("))
			in_fn = true;
		const char *in = in_fn ? strstr(line, "p_status IN (") : NULL;
		if (in) {
			quoted_list(in, sql, sizeof(sql));
			unpaused = strstr(line, "AND p_paused_on IS NULL");
			in_fn = false;
		}
	}
	fclose(f);
	size_t len = 0;
	for (int s = 0; s < TASK_STATUS_COUNT; s++)
		if (workflow_task_awaits_assignee((enum task_status)s))
			len += (size_t)snprintf(core + len, sizeof(core) - len,
						"%s%s", len ? "," : "",
						task_status_names[s]);
	if (!*sql)
		fail_msg("no task_remindable in sql/functions/10_tasks.sql");
	assert_same_set("task_remindable", core, sql);
	assert_true(unpaused);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_task_actions),
		cmocka_unit_test(test_remindable_matches_sql),
		cmocka_unit_test(test_action_mask),
		cmocka_unit_test(test_status_sets),
		cmocka_unit_test(test_file_downloadable),
		cmocka_unit_test(test_case_stages),
		cmocka_unit_test(test_case_close),
		cmocka_unit_test(test_correspondence_kinds),
		cmocka_unit_test(test_kinds_match_schema),
		cmocka_unit_test(test_remedy_amounts_match_schema),
		cmocka_unit_test(test_open_matches_sql),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
