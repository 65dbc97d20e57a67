/*
 * Words, not codes (issue 16): every page of a case, its timeline and its
 * audit history included, and every page of its tasks, says what it means
 * in words.  A page's visible text (its tags, scripts and styles taken
 * out) holding a snake_case code ("orders_satisfied", "service_area_id",
 * "chaser_response") fails, whoever reads it; nothing is let pass.
 *
 * The cases walked: every case of the demo organisation, and one made
 * here through the API with every kind of change a case and its tasks
 * meet (registered, an evidence request with its task, the task moved,
 * given a priority, paused and resumed, answered, returned, answered
 * again, signed off, sent, a draft decision, a determination with an
 * order and a recommendation), read by the link
 * officer, a validator and a director.
 *
 * The server runs with LINKDESK_TODAY=2026-11-23 against the demo
 * organisation.
 */
#include <ctype.h>
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

static struct itest_server server;
static struct api lo, housing, director, v1, v2, v3;
static long area_housing, area_repairs;

static int setup(void **state)
{
	static const char *const env[] = {"LINKDESK_TODAY=2026-11-23", NULL};
	(void)state;
	itest_server_start(&server, env);
	api_signin(&lo, server.base, "link.officer");
	api_signin(&housing, server.base, "housing.officer");
	api_signin(&director, server.base, "director");
	api_signin(&v1, server.base, "ad.resident.contacts");
	api_signin(&v2, server.base, "head.disputes");
	api_signin(&v3, server.base, "rx.manager");
	area_housing = api_area_id(&lo, "Housing Management");
	area_repairs = api_area_id(&lo, "Repairs and Maintenance");
	return 0;
}

static int teardown(void **state)
{
	struct api *all[] = {&lo, &housing, &director, &v1, &v2, &v3};
	(void)state;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		api_release(all[i]);
	assert_int_equal(itest_server_stop(&server), 0);
	return 0;
}

/* Take the element name's whole content (tags and all) out of html. */
static void drop_element(char *html, const char *name)
{
	char open[32], close[32];
	snprintf(open, sizeof(open), "<%s", name);
	snprintf(close, sizeof(close), "</%s>", name);
	for (char *p; (p = strstr(html, open));) {
		char *end = strstr(p, close);
		end = end ? end + strlen(close) : p + strlen(p);
		memmove(p, end, strlen(end) + 1);
	}
}

/*
 * The first snake_case code in a page's visible text, or NULL: a word of
 * letters and digits joined by an underscore.  Written into code.
 */
static const char *first_code(char *html, char *code, size_t cap)
{
	drop_element(html, "script");
	drop_element(html, "style");
	drop_element(html, "svg");
	/* Tags out: their attributes (ids, names, values) are not read. */
	char *w = html;
	bool in_tag = false;
	for (const char *r = html; *r; r++) {
		if (*r == '<')
			in_tag = true;
		else if (*r == '>' && in_tag) {
			in_tag = false;
			*w++ = ' ';
		} else if (!in_tag)
			*w++ = *r;
	}
	*w = '\0';
	for (const char *p = html; *p; p++) {
		if (*p != '_' || p == html || !isalnum((unsigned char)p[-1]) ||
		    !isalnum((unsigned char)p[1]))
			continue;
		const char *s = p, *e = p;
		while (s > html &&
		       (isalnum((unsigned char)s[-1]) || s[-1] == '_'))
			s--;
		while (isalnum((unsigned char)*e) || *e == '_')
			e++;
		snprintf(code, cap, "%.*s", (int)(e - s), s);
		return code;
	}
	return NULL;
}

static int pages_read;

/* A page a reader may open says everything in words. */
static void in_words(struct api *a, const char *who, const char *path)
{
	struct itest_resp r;
	char code[120];
	api_call(a, "GET", path, NULL, &r);
	if (r.status == 403 || r.status == 404) { /* not theirs to read */
		itest_resp_release(&r);
		return;
	}
	if (r.status != 200)
		fail_msg("%s GET %s: %ld", who, path, r.status);
	char *html = strdup(r.body);
	const char *c = first_code(html, code, sizeof(code));
	if (c) {
		const char *at = strstr(r.body, c);
		fail_msg("%s GET %s shows the code \"%s\": ...%.300s...", who,
			 path, c, at && at - r.body > 200 ? at - 200 : r.body);
	}
	free(html);
	itest_resp_release(&r);
	pages_read++;
}

/* A case's pages and those of its tasks, as each reader opens them. */
static void case_in_words(long id)
{
	struct {
		struct api *a;
		const char *who;
	} readers[] = {{&lo, "link officer"},
		       {&v1, "validator"},
		       {&director, "director"}};
	json_t *c =
		api_expect(&lo, 200, "GET", F("/api/v1/cases/%ld", id), NULL);
	for (size_t k = 0; k < sizeof(readers) / sizeof(readers[0]); k++) {
		in_words(readers[k].a, readers[k].who, F("/cases/%ld", id));
		in_words(readers[k].a, readers[k].who,
			 F("/cases/%ld/complaint", id));
		size_t i;
		json_t *t;
		json_array_foreach(json_object_get(c, "tasks"), i, t) in_words(
			readers[k].a, readers[k].who,
			F("/tasks/%lld", (long long)json_integer_value(
						 json_object_get(t, "id"))));
	}
	json_decref(c);
}

/* A case through every kind of change, through the API. */
static long full_history(void)
{
	json_t *c = api_expect(
		&lo, 201, "POST", "/api/v1/cases",
		F("{\"ombudsman\": \"HOS\", \"reference\": \"2026%05d\","
		  " \"received_on\": \"2026-10-01\", \"complaint\":"
		  " {\"reference\": \"W-%d\", \"category\": \"Repairs\","
		  " \"service_area_id\": %ld, \"received_on\": \"2026-06-01\","
		  " \"resident\": {\"name\": \"Ada Words\"}}}",
		  (int)getpid() % 90000, (int)getpid(), area_housing));
	long id = (long)jint(c, "id");
	json_decref(c);
	long task = api_request_task(&lo, id, "2026-10-05", "Repair records",
				     "Repair history", area_repairs);
	/* Moved to Housing, given a priority, paused and resumed. */
	json_t *t =
		api_expect(&lo, 200, "GET", F("/api/v1/tasks/%ld", task), NULL);
	json_decref(api_expect(
		&lo, 200, "PATCH", F("/api/v1/tasks/%ld", task),
		F("{\"version\": %d, \"service_area_id\": %ld, \"priority\":"
		  " \"high\"}",
		  (int)jint(t, "version"), area_housing)));
	json_decref(t);
	api_act(&lo, task, "pause",
		", \"comment\": \"Waiting for the resident\"");
	api_act(&lo, task, "resume", NULL);
	api_act(&housing, task, "submit", ", \"answer\": \"The repair log.\"");
	api_act(&v1, task, "return", ", \"comment\": \"Add the dates\"");
	api_act(&housing, task, "submit",
		", \"answer\": \"The repair log, with dates.\"");
	api_act(&v1, task, "approve", NULL);
	api_act(&v2, task, "approve", NULL);
	api_act(&v3, task, "approve", NULL);
	api_act(&lo, task, "send", NULL);
	json_decref(api_expect(
		&lo, 201, "POST", F("/api/v1/cases/%ld/correspondence", id),
		"{\"kind\": \"draft_decision\", \"dated_on\": \"2026-10-20\","
		" \"summary\": \"Draft\"}"));
	json_decref(api_expect(
		&lo, 201, "POST", F("/api/v1/cases/%ld/determination", id),
		F("{\"decided_on\": \"2026-11-02\", \"findings\":"
		  " [{\"element\": \"Repairs\", \"finding\":"
		  " \"maladministration\"}], \"remedies\": [{\"type\":"
		  " \"order\", \"kind\": \"compensation\", \"description\":"
		  " \"Pay the resident\", \"amount_pence\": 35000,"
		  " \"service_area_id\": %ld}, {\"type\": \"recommendation\","
		  " \"kind\": \"policy_review\", \"description\": \"Review the"
		  " repairs policy\", \"service_area_id\": %ld}]}",
		  area_housing, area_repairs)));
	return id;
}

static void test_case_pages_in_words(void **state)
{
	(void)state;
	case_in_words(full_history());
	print_message("%d pages read in words\n", pages_read);
}

/*
 * The demo's cases: those made in the demo's one transaction, the first
 * (the suite's database also holds every case the other tests made, and
 * reading each of those as three readers took minutes).
 */
static void test_demo_cases_in_words(void **state)
{
	(void)state;
	char *out = NULL;
	assert_int_equal(
		api_sql("SELECT string_agg(id::text, ' ' ORDER BY id) FROM"
			" ombudsman_case WHERE created_at = (SELECT created_at"
			" FROM ombudsman_case ORDER BY id LIMIT 1)",
			&out),
		0);
	int n = 0;
	for (char *p = out, *end; *p; p = end) {
		long id = strtol(p, &end, 10);
		if (end == p)
			break;
		case_in_words(id);
		n++;
	}
	free(out);
	/* The demo has seven cases, at every stage. */
	assert_int_equal(n, 7);
	print_message("%d pages read in words\n", pages_read);
}

/* Each role's everyday pages too. */
static void test_everyday_pages_in_words(void **state)
{
	(void)state;
	static const char *const lo_pages[] = {"/home",
					       "/this-week",
					       "/cases",
					       "/inbox",
					       "/cases/new",
					       "/calendar",
					       "/account",
					       "/likely-late",
					       "/leadership",
					       "/home/overdue",
					       "/home/due-soon",
					       "/home/awaiting-validation",
					       "/home/ready-to-send",
					       "/home/areas",
					       NULL};
	for (int i = 0; lo_pages[i]; i++)
		in_words(&lo, "link officer", lo_pages[i]);
	in_words(&housing, "service officer", "/my-tasks");
	in_words(&v1, "validator", "/validation");
	in_words(&director, "director", "/leadership");
	in_words(&director, "director", "/leadership?ombudsman=LGSCO");
	in_words(&director, "director", "/reports/annual");
	struct api admin;
	api_signin(&admin, server.base, "admin");
	in_words(&admin, "administrator", "/admin");
	in_words(&admin, "administrator", "/admin/brand");
	api_release(&admin);
	print_message("%d pages read in words\n", pages_read);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_case_pages_in_words),
		cmocka_unit_test(test_demo_cases_in_words),
		cmocka_unit_test(test_everyday_pages_in_words),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
