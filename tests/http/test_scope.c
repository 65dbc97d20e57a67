/*
 * One area rule, everywhere: every reader of cases and tasks (lists,
 * records, exports as CSV and XLSX, KPI figures and their drill-downs,
 * calendar feeds, pages) asked as a service-area officer of another area
 * and as one with no area.  The officer of no area gets nothing; the other
 * area's officer gets none of the area's rows; a drill-down lists only
 * cases that then open; a task cannot be handed to an officer of another
 * area; the names of files holding resident details are not shown to those
 * refused them.
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

#define CANARY	   "Ysolde Scopecanary"
#define FILE_NAME  "Scopecanary-tenancy-letter.pdf"
#define FILE_LABEL "File with resident details"
#define PERIOD	   "period=2026-Q3" /* October to December 2026 */

static struct itest_server server;
static struct api lo, repairs, housing, asc, boss, admin, noarea, mover;
static struct api validators[3];
static long area_repairs, area_housing, area_asc;
/* Case A: a Housing complaint and task.  Case B: a Repairs complaint whose
 * only task is Housing's, so no Repairs officer may open it. */
static long case_a, case_b, task_a, task_b;
static char noarea_email[80], mover_email[80];
static char ref_a[16], ref_b[16];

/* A service officer made by the administrator; area 0: none. */
static void officer(struct api *a, char email[80], const char *name, long area,
		    bool residents)
{
	snprintf(email, 80, "scope.%s.%d", name, (int)getpid());
	json_decref(api_expect(
		&admin, 201, "POST", "/api/v1/users",
		F("{\"email\": \"%s@demo.linkdesk.test\", \"name\": \"Scope "
		  "%s\","
		  " \"roles\": [\"service_officer\"], \"service_area_id\": %s,"
		  " \"resident_access\": %s, \"password\": \"%s\"}",
		  email, name, area ? F("%ld", area) : "null",
		  residents ? "true" : "false", DEMO_PASSWORD)));
	api_signin(a, server.base, email);
}

static long open_case(const char *tag, long area, char *ref, int n)
{
	json_t *c = api_expect(
		&lo, 201, "POST", "/api/v1/complaints",
		F("{\"reference\": \"SCOPE-%s-%d\", \"category\": \"Tenancy\","
		  " \"service_area_id\": %ld, \"received_on\": \"2026-06-01\","
		  " \"summary\": \"Scope\", \"resident\": {\"name\": \"" CANARY
		  "\"}}",
		  tag, (int)getpid(), area));
	long complaint = (long)jint(c, "id");
	json_decref(c);
	snprintf(ref, 16, "%09d",
		 600000000 + n * 100000 + (int)(getpid() % 100000));
	c = api_expect(&lo, 201, "POST", "/api/v1/cases",
		       F("{\"complaint_id\": %ld, \"ombudsman\": \"HOS\","
			 " \"reference\": \"%s\", \"received_on\":"
			 " \"2026-11-16\"}",
			 complaint, ref));
	long id = (long)jint(c, "id");
	json_decref(c);
	return id;
}

/* An information request setting one task; returns the task's id. */
static long request(long case_id, const char *title, long area)
{
	json_t *c = api_expect(
		&lo, 201, "POST",
		F("/api/v1/cases/%ld/correspondence", case_id),
		F("{\"kind\": \"information_request\", \"tasks\": [{\"title\":"
		  " \"%s\", \"service_area_id\": %ld}]}",
		  title, area));
	json_t *tasks = json_object_get(c, "tasks");
	long id = (long)jint(json_array_get(tasks, json_array_size(tasks) - 1),
			     "id");
	json_decref(c);
	return id;
}

static int setup(void **state)
{
	static const char *const env[] = {"LINKDESK_TODAY=2026-11-23",
					  "LINKDESK_SCHEDULER=0", NULL};
	static const char *const titles[] = {"ad.resident.contacts",
					     "head.disputes", "rx.manager"};
	(void)state;
	itest_server_start(&server, env);
	api_signin(&lo, server.base, "link.officer");
	api_signin(&repairs, server.base, "repairs.officer");
	api_signin(&housing, server.base, "housing.officer");
	api_signin(&asc, server.base, "asc.officer");
	api_signin(&boss, server.base, "director");
	api_signin(&admin, server.base, "admin");
	for (int i = 0; i < 3; i++)
		api_signin(&validators[i], server.base, titles[i]);
	area_repairs = api_area_id(&lo, "Repairs and Maintenance");
	area_housing = api_area_id(&lo, "Housing Management");
	area_asc = api_area_id(&lo, "Adult Social Care");
	/* With resident access: an export that leaked would name them. */
	officer(&noarea, noarea_email, "noarea", 0, true);
	officer(&mover, mover_email, "mover", area_housing, false);

	case_a = open_case("A", area_housing, ref_a, 1);
	task_a = request(case_a, "Scope tenancy file", area_housing);
	case_b = open_case("B", area_repairs, ref_b, 2);
	task_b = request(case_b, "Scope rent account", area_housing);
	return 0;
}

static int teardown(void **state)
{
	struct api *all[] = {&lo,
			     &repairs,
			     &housing,
			     &asc,
			     &boss,
			     &admin,
			     &noarea,
			     &mover,
			     &validators[0],
			     &validators[1],
			     &validators[2]};
	(void)state;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		api_release(all[i]);
	assert_int_equal(itest_server_stop(&server), 0);
	return 0;
}

/* An export read back by tests/sheetcheck.py: its rows (json_decref). */
static json_t *sheet(struct api *a, const char *kind, const char *path)
{
	struct itest_resp r;
	char file[512], cmd[1200], *out;
	api_call(a, "GET", path, NULL, &r);
	if (r.status != 200)
		fail_msg("%s: %ld %s", path, r.status, r.body);
	snprintf(file, sizeof(file), "%s/scope-%d.%s",
		 getenv("LINKDESK_TEST_TMP"), (int)getpid(), kind);
	FILE *f = fopen(file, "wb");
	assert_non_null(f);
	fwrite(r.body, 1, r.len, f);
	fclose(f);
	itest_resp_release(&r);
	snprintf(cmd, sizeof(cmd), "'%s' '%s/tests/sheetcheck.py' %s '%s'",
		 getenv("LINKDESK_TEST_PYTHON"), getenv("LINKDESK_ROOT"), kind,
		 file);
	assert_int_equal(itest_sh(cmd, &out), 0);
	json_t *j = json_loads(out, 0, NULL);
	if (!j)
		fail_msg("sheetcheck: %s", out);
	free(out);
	json_t *rows = json_incref(json_object_get(j, "rows"));
	json_decref(j);
	return rows;
}

/* The export's rows as one string, to look for what must not be there. */
static char *sheet_text(struct api *a, const char *kind, const char *path,
			size_t *nrows)
{
	json_t *rows = sheet(a, kind, path);
	*nrows = json_array_size(rows);
	char *text = json_dumps(rows, 0);
	json_decref(rows);
	return text;
}

static void assert_absent(const char *where, const char *body, const char *what)
{
	if (body && strstr(body, what))
		fail_msg("%s shows %s", where, what);
}

/* A page of the dashboard, as HTML. */
static char *page(struct api *a, const char *path, long want)
{
	struct itest_resp r;
	api_call(a, "GET", path, NULL, &r);
	if (r.status != want)
		fail_msg("%s: %ld, want %ld", path, r.status, want);
	char *html = strdup(r.body ? r.body : "");
	itest_resp_release(&r);
	return html;
}

/* A new calendar feed of this scope, fetched: the calendar's text. */
static char *feed(struct api *a, const char *body)
{
	struct itest_resp r;
	json_t *f = api_expect(a, 201, "POST", "/api/v1/feeds", body);
	const char *path = strstr(jstr(f, "url"), "/feeds/");
	assert_non_null(path);
	char *url = strdup(F("%s%s", server.base, path));
	json_decref(f);
	itest_request(NULL, "GET", url, NULL, NULL, &r);
	free(url);
	assert_int_equal(r.status, 200);
	char *ics = strdup(r.body);
	itest_resp_release(&r);
	return ics;
}

static long total(struct api *a, const char *path)
{
	json_t *l = api_expect(a, 200, "GET", path, NULL);
	long n = (long)jint(l, "total");
	json_decref(l);
	return n;
}

static void test_no_area_reads_nothing(void **state)
{
	(void)state;
	assert_int_equal(total(&noarea, "/api/v1/cases"), 0);
	assert_int_equal(total(&noarea, "/api/v1/tasks"), 0);
	api_refused(&noarea, 404, "not_found", NULL, "GET",
		    F("/api/v1/cases/%ld", case_a), NULL);
	api_refused(&noarea, 404, "not_found", NULL, "GET",
		    F("/api/v1/tasks/%ld", task_a), NULL);

	/* Every export: its header and no row. */
	static const char *const exports[] = {
		"/api/v1/exports/case-log.csv",
		"/api/v1/exports/task-log.csv",
		"/api/v1/exports/kpi/kpi-cases.csv?" PERIOD
		"&figure=cases_received",
		"/api/v1/exports/kpi/kpi-cases.csv?" PERIOD
		"&figure=evidence_requests",
	};
	for (size_t i = 0; i < sizeof(exports) / sizeof(exports[0]); i++) {
		size_t n;
		char *text = sheet_text(&noarea, "csv", exports[i], &n);
		if (n != 1)
			fail_msg("%s: %zu rows for an officer of no area: "
				 "%.300s",
				 exports[i], n, text);
		assert_absent(exports[i], text, CANARY);
		free(text);
	}
	static const char *const sheets[] = {
		"/api/v1/exports/case-log.xlsx",
		"/api/v1/exports/task-log.xlsx",
		"/api/v1/exports/kpi/kpi-cases.xlsx?" PERIOD
		"&figure=cases_received",
	};
	for (size_t i = 0; i < sizeof(sheets) / sizeof(sheets[0]); i++) {
		size_t n;
		char *text = sheet_text(&noarea, "xlsx", sheets[i], &n);
		if (n != 1)
			fail_msg("%s: %zu rows for an officer of no area",
				 sheets[i], n);
		free(text);
	}
	/* The figures are of nothing, and their drill-downs list nothing. */
	json_t *k =
		api_expect(&noarea, 200, "GET", "/api/v1/kpis?" PERIOD, NULL);
	json_t *f = json_object_get(k, "figures");
	assert_int_equal(jint(f, "cases_received"), 0);
	assert_int_equal(jint(f, "evidence_requests"), 0);
	json_decref(k);
	json_t *cases = api_expect(
		&noarea, 200, "GET",
		"/api/v1/kpis/cases?" PERIOD "&figure=cases_received", NULL);
	assert_int_equal(json_array_size(cases), 0);
	json_decref(cases);

	/* Their own work: none, as a page and as a calendar. */
	char *html = page(&noarea, "/my-tasks", 200);
	assert_absent("my tasks", html, "Scope tenancy file");
	assert_absent("my tasks", html, "Scope rent account");
	free(html);
	char *ics = feed(&noarea, "{\"scope\": \"mine\"}");
	assert_null(strstr(ics, "BEGIN:VEVENT"));
	free(ics);
	/* Nor can anything be handed to them. */
	json_t *t = api_expect(&lo, 200, "GET", F("/api/v1/tasks/%ld", task_a),
			       NULL);
	long version = (long)jint(t, "version");
	json_decref(t);
	api_refused(&lo, 422, "validation_failed", "assignee_id", "PATCH",
		    F("/api/v1/tasks/%ld", task_a),
		    F("{\"version\": %ld, \"assignee_id\": %ld}", version,
		      noarea.user_id));
}

/*
 * A case with tasks in two areas: each area's officer's case log counts
 * only their own area's tasks (it once counted the case's every task).
 */
static void test_case_log_counts_own_tasks(void **state)
{
	char ref[16];
	(void)state;
	long c = open_case("C", area_housing, ref, 3);
	request(c, "Scope tenancy history", area_housing);
	request(c, "Scope repairs log", area_repairs);
	request(c, "Scope repairs photos", area_repairs);
	struct api *who[] = {&housing, &repairs, &lo};
	const char *want[] = {"1", "2", "3"};
	for (int k = 0; k < 3; k++) {
		json_t *rows =
			sheet(who[k], "csv", "/api/v1/exports/case-log.csv");
		json_t *head = json_array_get(rows, 0), *row;
		size_t i, col = SIZE_MAX;
		json_t *v;
		json_array_foreach(head, i, v)
		{
			if (!strcmp(json_string_value(v), "Open tasks"))
				col = i;
		}
		assert_true(col != SIZE_MAX);
		bool found = false;
		json_array_foreach(rows, i, row)
		{
			json_t *cell;
			size_t j;
			bool ours = false;
			json_array_foreach(row, j, cell)
			{
				ours |= !strcmp(json_string_value(cell), ref);
			}
			if (!ours)
				continue;
			found = true;
			assert_string_equal(
				json_string_value(json_array_get(row, col)),
				want[k]);
		}
		assert_true(found);
		json_decref(rows);
	}
}

static void test_other_area_reads_none_of_it(void **state)
{
	(void)state;
	api_refused(&repairs, 404, "not_found", NULL, "GET",
		    F("/api/v1/cases/%ld", case_a), NULL);
	api_refused(&repairs, 404, "not_found", NULL, "GET",
		    F("/api/v1/cases/%ld", case_b), NULL);
	api_refused(&repairs, 404, "not_found", NULL, "GET",
		    F("/api/v1/tasks/%ld", task_b), NULL);
	json_t *l = api_expect(&repairs, 200, "GET",
			       F("/api/v1/cases?q=%s", ref_b), NULL);
	assert_int_equal(jint(l, "total"), 0);
	json_decref(l);

	static const char *const exports[] = {
		"/api/v1/exports/case-log.csv",
		"/api/v1/exports/task-log.csv",
		"/api/v1/exports/kpi/kpi-cases.csv?" PERIOD
		"&figure=cases_received",
	};
	for (size_t i = 0; i < sizeof(exports) / sizeof(exports[0]); i++) {
		size_t n;
		char *text = sheet_text(&repairs, "csv", exports[i], &n);
		assert_absent(exports[i], text, ref_a);
		assert_absent(exports[i], text, ref_b);
		assert_absent(exports[i], text, "Scope tenancy file");
		assert_absent(exports[i], text, "Scope rent account");
		free(text);
	}
	/* Housing's officer does see both, so the canaries are real. */
	size_t n;
	char *text =
		sheet_text(&housing, "csv", "/api/v1/exports/case-log.csv", &n);
	assert_non_null(strstr(text, ref_a));
	assert_non_null(strstr(text, ref_b));
	free(text);
}

/*
 * Each case a drill-down lists opens for its reader, and the figure counts
 * exactly those cases: case B is a Repairs complaint, but only Housing has
 * a task in it, so Repairs' officer cannot open it and it is not theirs.
 */
static void test_drill_down_lists_what_opens(void **state)
{
	static const char *const figures[] = {
		"cases_received", "evidence_requests", "open_tasks_at_end"};
	struct api *readers[] = {&repairs, &housing, &asc, &lo};
	(void)state;
	for (size_t u = 0; u < sizeof(readers) / sizeof(readers[0]); u++) {
		struct api *a = readers[u];
		json_t *k =
			api_expect(a, 200, "GET", "/api/v1/kpis?" PERIOD, NULL);
		for (size_t i = 0; i < sizeof(figures) / sizeof(figures[0]);
		     i++) {
			json_t *cases = api_expect(
				a, 200, "GET",
				F("/api/v1/kpis/cases?" PERIOD "&figure=%s",
				  figures[i]),
				NULL);
			size_t j;
			json_t *c;
			json_array_foreach(cases, j, c)
			{
				struct itest_resp r;
				api_call(a, "GET",
					 F("/api/v1/cases/%lld", jint(c, "id")),
					 NULL, &r);
				if (r.status != 200)
					fail_msg("drill-down %s lists case "
						 "%lld, which answers %ld",
						 figures[i], jint(c, "id"),
						 r.status);
				itest_resp_release(&r);
			}
			if (!strcmp(figures[i], "cases_received"))
				assert_int_equal(
					(long)json_array_size(cases),
					jint(json_object_get(k, "figures"),
					     figures[i]));
			if (a == &repairs) {
				char *dump = json_dumps(cases, 0);
				assert_absent("repairs' drill-down", dump,
					      ref_b);
				free(dump);
			}
			/* Case B's task is Housing's: theirs to open. */
			if (a == &housing && i == 1) {
				char *dump = json_dumps(cases, 0);
				assert_non_null(strstr(dump, ref_a));
				assert_non_null(strstr(dump, ref_b));
				free(dump);
			}
			json_decref(cases);
		}
		json_decref(k);
	}
	/* The drill-down page and its export agree. */
	char *html =
		page(&boss,
		     "/leadership/cases?" PERIOD "&figure=cases_received", 200);
	assert_non_null(strstr(html, ref_b));
	free(html);
}

static void test_assignee_in_area(void **state)
{
	(void)state;
	/* At creation: a Repairs task for Adult Social Care's officer. */
	api_refused(&lo, 422, "validation_failed", "assignee_id", "POST",
		    F("/api/v1/cases/%ld/correspondence", case_a),
		    F("{\"kind\": \"information_request\", \"tasks\":"
		      " [{\"title\": \"Scope crossed\", \"service_area_id\":"
		      " %ld, \"assignee_id\": %ld}]}",
		      area_repairs, asc.user_id));
	long task = request(case_a, "Scope boiler log", area_repairs);

	/* Reassigned: refused, and nothing changed. */
	json_t *t =
		api_expect(&lo, 200, "GET", F("/api/v1/tasks/%ld", task), NULL);
	long version = (long)jint(t, "version");
	json_decref(t);
	api_refused(&lo, 422, "validation_failed", "assignee_id", "PATCH",
		    F("/api/v1/tasks/%ld", task),
		    F("{\"version\": %ld, \"assignee_id\": %ld}", version,
		      asc.user_id));
	api_refused(&asc, 404, "not_found", NULL, "GET",
		    F("/api/v1/tasks/%ld", task), NULL);
	char *ics = feed(&asc, "{\"scope\": \"mine\"}");
	assert_absent("asc's feed", ics, "Scope boiler log");
	free(ics);

	/* Assigned within the area, then moved: the assignee is cleared and
	 * the task is the new area's. */
	t = api_expect(&lo, 200, "PATCH", F("/api/v1/tasks/%ld", task),
		       F("{\"version\": %ld, \"assignee_id\": %ld}", version,
			 repairs.user_id));
	version = (long)jint(t, "version");
	json_decref(t);
	api_refused(&lo, 422, "validation_failed", "assignee_id", "PATCH",
		    F("/api/v1/tasks/%ld", task),
		    F("{\"version\": %ld, \"service_area_id\": %ld,"
		      " \"assignee_id\": %ld}",
		      version, area_asc, repairs.user_id));
	t = api_expect(&lo, 200, "PATCH", F("/api/v1/tasks/%ld", task),
		       F("{\"version\": %ld, \"service_area_id\": %ld}",
			 version, area_asc));
	assert_true(json_is_null(json_object_get(t, "assignee")));
	assert_int_equal(jint(json_object_get(t, "service_area"), "id"),
			 area_asc);
	json_decref(t);
	api_refused(&repairs, 404, "not_found", NULL, "GET",
		    F("/api/v1/tasks/%ld", task), NULL);
	ics = feed(&repairs, "{\"scope\": \"mine\"}");
	assert_absent("repairs' feed", ics, "Scope boiler log");
	free(ics);
	json_decref(api_expect(&asc, 200, "GET", F("/api/v1/tasks/%ld", task),
			       NULL));
	char *html = page(&asc, "/my-tasks", 200);
	assert_non_null(strstr(html, "Scope boiler log"));
	free(html);
}

/* An officer who leaves the area leaves its tasks to it. */
static void test_officer_moved_out(void **state)
{
	(void)state;
	long task = request(case_a, "Scope arrears letters", area_housing);
	json_t *t =
		api_expect(&lo, 200, "GET", F("/api/v1/tasks/%ld", task), NULL);
	json_decref(api_expect(&lo, 200, "PATCH", F("/api/v1/tasks/%ld", task),
			       F("{\"version\": %lld, \"assignee_id\": %ld}",
				 jint(t, "version"), mover.user_id)));
	json_decref(t);
	char *ics = feed(&mover, "{\"scope\": \"mine\"}");
	assert_non_null(strstr(ics, "Scope arrears letters"));
	free(ics);

	json_t *u = api_expect(&admin, 200, "GET", "/api/v1/users", NULL);
	long version = 0;
	size_t i;
	json_t *x;
	json_array_foreach(json_is_array(u) ? u : json_object_get(u, "items"),
			   i, x) if (jint(x, "id") == mover.user_id) version =
		(long)jint(x, "version");
	json_decref(u);
	assert_true(version > 0);
	json_decref(api_expect(
		&admin, 200, "PATCH", F("/api/v1/users/%ld", mover.user_id),
		F("{\"version\": %ld, \"service_area_id\": null}", version)));

	/* Signed in afresh, should the change have ended their sessions. */
	api_release(&mover);
	api_signin(&mover, server.base, mover_email);
	ics = feed(&mover, "{\"scope\": \"mine\"}");
	assert_absent("a moved officer's feed", ics, "Scope arrears letters");
	free(ics);
	assert_int_equal(total(&mover, "/api/v1/tasks"), 0);
	char *html = page(&mover, "/my-tasks", 200);
	assert_absent("a moved officer's tasks", html, "Scope arrears letters");
	free(html);
	t = api_expect(&lo, 200, "GET", F("/api/v1/tasks/%ld", task), NULL);
	assert_true(json_is_null(json_object_get(t, "assignee")));
	json_decref(t);
	html = page(&housing, "/my-tasks", 200);
	assert_non_null(strstr(html, "Scope arrears letters"));
	free(html);
}

/* Upload bytes as a multipart file field. */
static void upload(struct api *a, long task, const char *query,
		   const char *name, const char *data, struct itest_resp *r)
{
	char url[512], csrf[128];
	struct curl_slist *h = NULL;
	curl_mime *mime = curl_mime_init(a->h);
	curl_mimepart *part = curl_mime_addpart(mime);
	FILE *bf, *hf;

	curl_mime_name(part, "file");
	curl_mime_filename(part, name);
	curl_mime_data(part, data, strlen(data));
	snprintf(url, sizeof(url), "%s/api/v1/tasks/%ld/files%s", a->base, task,
		 query);
	snprintf(csrf, sizeof(csrf), "X-CSRF-Token: %s", a->csrf);
	h = curl_slist_append(h, csrf);
	memset(r, 0, sizeof(*r));
	bf = open_memstream(&r->body, &r->len);
	size_t hlen;
	hf = open_memstream(&r->headers, &hlen);
	curl_easy_setopt(a->h, CURLOPT_CUSTOMREQUEST, NULL);
	curl_easy_setopt(a->h, CURLOPT_POSTFIELDS, NULL);
	curl_easy_setopt(a->h, CURLOPT_NOBODY, 0L);
	curl_easy_setopt(a->h, CURLOPT_WRITEFUNCTION, NULL);
	curl_easy_setopt(a->h, CURLOPT_HEADERFUNCTION, NULL);
	curl_easy_setopt(a->h, CURLOPT_URL, url);
	curl_easy_setopt(a->h, CURLOPT_MIMEPOST, mime);
	curl_easy_setopt(a->h, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(a->h, CURLOPT_WRITEDATA, bf);
	curl_easy_setopt(a->h, CURLOPT_HEADERDATA, hf);
	if (curl_easy_perform(a->h) == CURLE_OK)
		curl_easy_getinfo(a->h, CURLINFO_RESPONSE_CODE, &r->status);
	fclose(bf);
	fclose(hf);
	r->json = json_loadb(r->body, r->len, 0, NULL);
	curl_easy_setopt(a->h, CURLOPT_MIMEPOST, NULL);
	curl_easy_setopt(a->h, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(a->h, CURLOPT_WRITEDATA, NULL);
	curl_easy_setopt(a->h, CURLOPT_HEADERDATA, NULL);
	curl_slist_free_all(h);
	curl_mime_free(mime);
}

static void test_resident_file_names(void **state)
{
	struct itest_resp r;
	(void)state;
	long task = request(case_a, "Scope tenancy letters", area_housing);
	upload(&lo, task, "?resident_detail=true", FILE_NAME,
	       "%PDF-1.4\nDear Ms Scopecanary, about your tenancy.\n%%EOF\n",
	       &r);
	if (r.status != 201)
		fail_msg("upload: %ld %s", r.status, r.body);
	itest_resp_release(&r);

	/* Entitled: the link officer, and Housing's officer with access. */
	struct api *entitled[] = {&lo, &housing};
	for (int i = 0; i < 2; i++) {
		api_call(entitled[i], "GET", F("/api/v1/tasks/%ld", task), NULL,
			 &r);
		assert_int_equal(r.status, 200);
		assert_non_null(strstr(r.body, FILE_NAME));
		itest_resp_release(&r);
	}
	api_act(&lo, task, "submit", ", \"answer\": \"The letters.\"");
	for (int i = 0; i < 3; i++)
		api_act(&validators[i], task, "approve", "");
	api_act(&lo, task, "send", "");

	/* Refused resident details: a validator, leadership. */
	api_call(&validators[0], "GET", F("/api/v1/tasks/%ld", task), NULL, &r);
	assert_int_equal(r.status, 200);
	assert_absent("the task as a validator reads it", r.body, FILE_NAME);
	json_t *files = json_object_get(r.json, "files");
	assert_int_equal(json_array_size(files), 1);
	assert_string_equal(jstr(json_array_get(files, 0), "name"), FILE_LABEL);
	json_t *v =
		json_array_get(json_object_get(r.json, "evidence_versions"), 0);
	assert_string_equal(
		jstr(json_array_get(json_object_get(v, "files"), 0), "name"),
		FILE_LABEL);
	itest_resp_release(&r);

	char *html = page(&validators[0], F("/tasks/%ld", task), 200);
	assert_absent("the task page as a validator reads it", html, FILE_NAME);
	assert_non_null(strstr(html, FILE_LABEL));
	/* Not downloadable by them either: no link to the file. */
	assert_null(strstr(html, "/api/v1/files/"));
	free(html);

	/* The case: its correspondence (what was sent) and its audit. */
	api_call(&boss, "GET", F("/api/v1/cases/%ld", case_a), NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "Evidence sent for task"));
	assert_absent("the case as leadership reads it", r.body, FILE_NAME);
	assert_absent("the case as leadership reads it", r.body,
		      "Scopecanary-");
	itest_resp_release(&r);
	/* Its audit trail, read by page, hides the name likewise. */
	api_call(&boss, "GET", F("/api/v1/cases/%ld/audit?limit=200", case_a),
		 NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\"evidence_file\""));
	assert_absent("the audit trail as leadership reads it", r.body,
		      FILE_NAME);
	itest_resp_release(&r);
	api_call(&lo, "GET", F("/api/v1/cases/%ld/audit?limit=200", case_a),
		 NULL, &r);
	assert_non_null(strstr(r.body, FILE_NAME));
	itest_resp_release(&r);
	html = page(&boss, F("/cases/%ld", case_a), 200);
	assert_absent("the case page as leadership reads it", html, FILE_NAME);
	free(html);
	html = page(&validators[0], F("/cases/%ld", case_a), 200);
	assert_absent("the case page as a validator reads it", html, FILE_NAME);
	free(html);
	/* The link officer still reads the file by its name. */
	api_call(&lo, "GET", F("/api/v1/tasks/%ld", task), NULL, &r);
	assert_non_null(strstr(r.body, FILE_NAME));
	itest_resp_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_area_reads_nothing),
		cmocka_unit_test(test_other_area_reads_none_of_it),
		cmocka_unit_test(test_case_log_counts_own_tasks),
		cmocka_unit_test(test_drill_down_lists_what_opens),
		cmocka_unit_test(test_assignee_in_area),
		cmocka_unit_test(test_officer_moved_out),
		cmocka_unit_test(test_resident_file_names),
	};
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int rc = cmocka_run_group_tests_name("scope", tests, setup, teardown);
	curl_global_cleanup();
	return rc;
}
