/*
 * The task list's total: exact up to 1,000 tasks past the page's first,
 * beyond that the bound with total_exact false ("more than 1,000"); the
 * page itself is the tasks in due-date order whatever the count.
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
#include <jansson.h>

#include "api.h"
#include "case_store.h"
#include "store.h"

#define MANY 1005

static struct store *s;
static struct principal lo;
static long many, few;

static int setup(void **state)
{
	(void)state;
	char name[40];
	s = store_new(getenv("LINKDESK_DATABASE_URL"), 2);
	lo.user_id = api_sql_long("SELECT id FROM app_user WHERE email ="
				  " 'link.officer@demo.linkdesk.test'");
	lo.roles = ROLE_LINK_OFFICER;
	/* Due on days spread over a month. */
	snprintf(name, sizeof(name), "LIST-MANY-%d", (int)getpid());
	many = api_area_tasks(name, MANY, "2026-09-14",
			      "date '2026-12-01' + g % 31");
	snprintf(name, sizeof(name), "LIST-FEW-%d", (int)getpid());
	few = api_area_tasks(name, 3, "2026-09-14", "date '2026-12-01' + g");
	return s && lo.user_id > 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	api_exec(F(
		"UPDATE task SET status = 'cancelled' WHERE service_area_id IN"
		" (%ld, %ld)",
		many, few));
	api_exec(F(
		"UPDATE service_area SET active = false WHERE id IN (%ld, %ld)",
		many, few));
	store_free(s);
	return 0;
}

static json_t *list(long area, int page, int per_page)
{
	struct list_query q = {.service_area_id = area,
			       .open_only = true,
			       .page = page,
			       .per_page = per_page};
	char *text = NULL;
	assert_int_equal(task_store_list(s, &lo, &q, &text), LD_OK);
	json_t *v = json_loads(text, 0, NULL);
	free(text);
	assert_non_null(v);
	return v;
}

static long long num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static void test_total_exact_when_few(void **state)
{
	(void)state;
	json_t *l = list(few, 1, 50);
	assert_int_equal(num(l, "total"), 3);
	assert_true(json_is_true(json_object_get(l, "total_exact")));
	assert_int_equal(json_array_size(json_object_get(l, "items")), 3);
	json_decref(l);
}

static void test_total_more_than_a_thousand(void **state)
{
	(void)state;
	json_t *l = list(many, 1, 50);
	assert_int_equal(num(l, "total"), 1000);
	assert_true(json_is_false(json_object_get(l, "total_exact")));
	json_t *items = json_object_get(l, "items");
	assert_int_equal(json_array_size(items), 50);
	/* Soonest first, whatever was counted: 1 December's. */
	assert_string_equal(
		json_string_value(json_object_get(json_array_get(items, 0),
						  "effective_due_on")),
		"2026-12-01");
	json_decref(l);

	/* Page 3 of 200 (from the 401st): counted to 1,400, all 1,005. */
	l = list(many, 3, 200);
	assert_int_equal(num(l, "total"), MANY);
	assert_true(json_is_true(json_object_get(l, "total_exact")));
	assert_int_equal(json_array_size(json_object_get(l, "items")), 200);
	json_decref(l);

	/* The last page: the five left. */
	l = list(many, 21, 50);
	assert_int_equal(num(l, "total"), MANY);
	assert_int_equal(json_array_size(json_object_get(l, "items")), 5);
	json_decref(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_total_exact_when_few),
		cmocka_unit_test(test_total_more_than_a_thousand),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
