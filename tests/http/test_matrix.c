/*
 * Access control as a matrix: every signed-in JSON endpoint, called by
 * every role (and by nobody), on records in the caller's own service area
 * and in another.  Allowed calls are never refused; refused calls answer
 * 401, 403 or, for another area's records, 404, and their bodies carry
 * nothing of the record.  Bodies are empty objects, so allowed writes stop
 * at validation and change nothing.
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

enum { LO = 1, SO = 2, VA = 4, LD = 8, AD = 16 };
#define ANY	(LO | SO | VA | LD | AD)
#define READERS (LO | SO | VA | LD)
#define WORKERS (LO | SO | VA)

struct cell {
	const char *method;
	const char *path; /* %C complaint, %K case, %T task: another area's */
	int may;	  /* who may */
	bool area;	  /* the service officer sees only their own area */
	bool missing_ok;  /* an allowed call may answer 404 */
	const char *body; /* for writes; NULL: {} */
};

static const struct cell matrix[] = {
	{"GET", "/api/v1/me", ANY, false, false, NULL},
	{"GET", "/api/v1/tokens", ANY, false, false, NULL},
	{"GET", "/api/v1/feeds", ANY, false, false, NULL},
	{"GET", "/api/v1/service-areas", ANY, false, false, NULL},
	{"GET", "/api/v1/ombudsmen", ANY, false, false, NULL},
	{"GET", "/api/v1/validator-titles", ANY, false, false, NULL},
	{"GET", "/api/v1/users", AD | LO, false, false, NULL},
	{"POST", "/api/v1/users", AD, false, false, NULL},
	{"PATCH", "/api/v1/users/999999", AD, false, true, NULL},
	{"GET", "/api/v1/positions", AD | LO, false, false, NULL},
	{"GET", "/api/v1/notice-recipients", AD | LO, false, false, NULL},
	{"POST", "/api/v1/notice-recipients", AD, false, false, NULL},
	{"DELETE", "/api/v1/notice-recipients/999999", AD, false, true, NULL},
	{"GET", "/api/v1/outbox", AD, false, false, NULL},
	{"POST", "/api/v1/outbox/999999/retry", AD, false, true, NULL},
	{"POST", "/api/v1/holidays/import", AD, false, false, NULL},
	{"POST", "/api/v1/service-areas", AD, false, false, NULL},
	{"PATCH", "/api/v1/service-areas/999999", AD, false, true, NULL},
	{"POST", "/api/v1/complaints", LO, false, false, NULL},
	{"GET", "/api/v1/complaints/%C", READERS, true, false, NULL},
	{"PUT", "/api/v1/complaints/%C/resident", LO, false, false, NULL},
	{"POST", "/api/v1/cases", LO, false, false, NULL},
	{"GET", "/api/v1/cases", READERS, false, false, NULL},
	{"GET", "/api/v1/cases/%K", READERS, true, false, NULL},
	{"POST", "/api/v1/cases/%K/correspondence", LO, false, false, NULL},
	{"POST", "/api/v1/cases/%K/determination", LO, false, false, NULL},
	{"POST", "/api/v1/cases/%K/stage", LO, false, false, NULL},
	{"POST", "/api/v1/cases/%K/close", LO, false, false, NULL},
	{"GET", "/api/v1/tasks", READERS, false, false, NULL},
	{"GET", "/api/v1/tasks/%T", READERS, true, false, NULL},
	{"PATCH", "/api/v1/tasks/%T", LO, false, false, NULL},
	/* A well-formed action on a stale version: refused with 409 if the
	 * caller may act, so nothing changes either way. */
	{"POST", "/api/v1/tasks/%T/actions", WORKERS, true, false,
	 "{\"action\": \"start\", \"version\": 999}"},
	{"GET", "/api/v1/tasks/%T/bundle", READERS, true, true, NULL},
	{"GET", "/api/v1/complaint-codes", READERS, false, false, NULL},
	{"GET", "/api/v1/self-assessments", LO | LD | AD, false, false, NULL},
	{"POST", "/api/v1/self-assessments", LO | AD, false, false, NULL},
	{"GET", "/api/v1/kpis", READERS, false, false, NULL},
	{"GET", "/api/v1/exports/case-log.csv", READERS, false, false, NULL},
	{"GET", "/api/v1/exports/task-log.csv", READERS, false, false, NULL},
	{"GET", "/api/v1/exports/case-log.xlsx", READERS, false, false, NULL},
	{"GET", "/api/v1/exports/task-log.xlsx", READERS, false, false, NULL},
	{"GET", "/api/v1/kpis/cases?figure=cases_received", READERS, false,
	 false, NULL},
	{"GET", "/api/v1/exports/kpi/kpi-cases.csv?figure=cases_received",
	 READERS, false, false, NULL},
};

static struct itest_server server;
static struct api users[5];
static const char *const who[] = {"link.officer", "repairs.officer",
				  "ad.resident.contacts", "director", "admin"};
static long complaint, case_id, task;
static char case_ref[32];

static int setup(void **state)
{
	static const char *const env[] = {"LINKDESK_TODAY=2026-11-23", NULL};
	(void)state;
	itest_server_start(&server, env);
	for (int i = 0; i < 5; i++)
		api_signin(&users[i], server.base, who[i]);
	/* A case, its complaint and a task, all in Housing Management: not
	 * the repairs officer's area. */
	long housing = api_area_id(&users[0], "Housing Management");
	json_t *c = api_expect(
		&users[0], 201, "POST", "/api/v1/complaints",
		F("{\"reference\": \"MATRIX-%d\", \"category\": \"Tenancy\","
		  " \"service_area_id\": %ld, \"received_on\": \"2026-06-01\","
		  " \"summary\": \"Matrix\", \"resident\": {\"name\": \"Ysolde "
		  "Matrixcanary\"}}",
		  (int)getpid(), housing));
	complaint = (long)jint(c, "id");
	json_decref(c);
	snprintf(case_ref, sizeof(case_ref), "%09d",
		 500000000 + (int)(getpid() % 100000));
	c = api_expect(&users[0], 201, "POST", "/api/v1/cases",
		       F("{\"complaint_id\": %ld, \"ombudsman\": \"HOS\","
			 " \"reference\": \"%s\", \"received_on\":"
			 " \"2026-11-16\"}",
			 complaint, case_ref));
	case_id = (long)jint(c, "id");
	json_decref(c);
	c = api_expect(&users[0], 201, "POST",
		       F("/api/v1/cases/%ld/correspondence", case_id),
		       F("{\"kind\": \"information_request\", \"tasks\":"
			 " [{\"title\": \"Tenancy file\", \"service_area_id\":"
			 " %ld}]}",
			 housing));
	task = (long)jint(json_array_get(json_object_get(c, "tasks"), 0), "id");
	json_decref(c);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < 5; i++)
		api_release(&users[i]);
	assert_int_equal(itest_server_stop(&server), 0);
	return 0;
}

/* The cell's path with the record ids filled in. */
static void fill(const char *tmpl, char *out, size_t len)
{
	size_t n = 0;
	for (const char *p = tmpl; *p && n + 24 < len; p++) {
		if (*p == '%' && (p[1] == 'C' || p[1] == 'K' || p[1] == 'T')) {
			long id = p[1] == 'C'	? complaint
				  : p[1] == 'K' ? case_id
						: task;
			n += (size_t)snprintf(out + n, len - n, "%ld", id);
			p++;
		} else {
			out[n++] = *p;
		}
	}
	out[n] = '\0';
}

static void test_matrix(void **state)
{
	char path[256];
	struct itest_resp r;
	int checked = 0;
	(void)state;
	for (size_t i = 0; i < sizeof(matrix) / sizeof(matrix[0]); i++) {
		const struct cell *m = &matrix[i];
		bool reads = !strcmp(m->method, "GET") ||
			     !strcmp(m->method, "DELETE");
		const char *body = reads ? NULL : m->body ? m->body : "{}";
		fill(m->path, path, sizeof(path));
		for (int u = 0; u < 5; u++) {
			int role = 1 << u;
			bool may = m->may & role;
			bool hidden = may && m->area && role == SO;
			api_call(&users[u], m->method, path, body, &r);
			long st = r.status;
			if (st >= 500)
				fail_msg("%s %s as %s: %ld", m->method, path,
					 who[u], st);
			if (hidden) {
				if (st != 404)
					fail_msg("%s %s as %s: %ld, want 404 "
						 "(another area): %s",
						 m->method, path, who[u], st,
						 r.body);
			} else if (may) {
				if (st == 401 || st == 403 ||
				    (st == 404 && !m->missing_ok))
					fail_msg("%s %s as %s: refused %ld: %s",
						 m->method, path, who[u], st,
						 r.body);
			} else if (st != 403 && st != 404) {
				fail_msg("%s %s as %s: %ld, want a refusal",
					 m->method, path, who[u], st);
			}
			if (!may || hidden) {
				assert_null(strstr(r.body, case_ref));
				assert_null(strstr(r.body, "Matrixcanary"));
				assert_null(strstr(r.body, "Tenancy file"));
			}
			itest_resp_release(&r);
			checked++;
		}
		/* Nobody signed in: 401 for each. */
		char url[512];
		snprintf(url, sizeof(url), "%s%s", server.base, path);
		static const char *const json[] = {
			"Content-Type: application/json", NULL};
		itest_request(NULL, m->method, url, body, json, &r);
		if (r.status != 401)
			fail_msg("%s %s signed out: %ld, want 401", m->method,
				 path, r.status);
		assert_null(strstr(r.body, case_ref));
		itest_resp_release(&r);
		checked++;
	}
	/* Nothing was changed by the refused or empty writes: the case is
	 * where setup's evidence request moved it. */
	json_t *c = api_expect(&users[0], 200, "GET",
			       F("/api/v1/cases/%ld", case_id), NULL);
	assert_string_equal(jstr(c, "stage"), "investigation");
	json_decref(c);
	assert_int_equal(checked,
			 (int)(sizeof(matrix) / sizeof(matrix[0])) * 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matrix),
	};
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int rc = cmocka_run_group_tests_name("matrix", tests, setup, teardown);
	curl_global_cleanup();
	return rc;
}
