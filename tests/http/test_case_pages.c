/*
 * The link officer's, service officer's and validators' everyday steps on
 * the case and task pages, through the same commands as the API (issue
 * 16): "What happens next" and a stage that follows the work; moving a
 * task to another person, area or priority; pausing and resuming it;
 * cancelling it only with a reason, after a confirmation; moving a case's
 * stage and closing it, refusals shown on the page; uploads that say why
 * they are refused beside the file field and never put the CSRF token in
 * an address; the current answer first for the validators; "Returned" and
 * "High priority" on My tasks; messages in words, hashes behind
 * "Technical details".
 *
 * The server runs with LINKDESK_TODAY=2026-11-23 against the demo
 * organisation.
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

static struct itest_server server;
static struct api lo, repairs, housing, v1, v2, v3;
static long area_repairs, area_housing;
static int seq;

static int setup(void **state)
{
	/* A small file limit, for uploads over it. */
	static const char *const env[] = {"LINKDESK_TODAY=2026-11-23",
					  "LINKDESK_FILE_MAX=100000", NULL};
	(void)state;
	itest_server_start(&server, env);
	api_signin(&lo, server.base, "link.officer");
	api_signin(&repairs, server.base, "repairs.officer");
	api_signin(&housing, server.base, "housing.officer");
	api_signin(&v1, server.base, "ad.resident.contacts");
	api_signin(&v2, server.base, "head.disputes");
	api_signin(&v3, server.base, "rx.manager");
	area_repairs = api_area_id(&lo, "Repairs and Maintenance");
	area_housing = api_area_id(&lo, "Housing Management");
	return 0;
}

static int teardown(void **state)
{
	struct api *all[] = {&lo, &repairs, &housing, &v1, &v2, &v3};
	(void)state;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		api_release(all[i]);
	assert_int_equal(itest_server_stop(&server), 0);
	return 0;
}

/* A page, as the browser asks for it (the session's cookie only). */
static void page_get(struct api *a, const char *path, struct itest_resp *r)
{
	itest_request(a->h, "GET", F("%s%s", server.base, path), NULL, NULL, r);
}

/*
 * A form posted as the browser posts it: urlencoded, the CSRF token as a
 * field, no header of the API's.
 */
static void page_post(struct api *a, const char *path, const char *fields,
		      struct itest_resp *r)
{
	static const char *const h[] = {
		"Content-Type: application/x-www-form-urlencoded", NULL};
	itest_request(
		a->h, "POST", F("%s%s", server.base, path),
		F("%s%scsrf_token=%s", fields, *fields ? "&" : "", a->csrf), h,
		r);
}

/* A form that must succeed: 303 to the page named. */
static void posted_to(struct api *a, const char *path, const char *fields,
		      const char *to)
{
	struct itest_resp r;
	page_post(a, path, fields, &r);
	const char *where = itest_resp_header(&r, "Location");
	if (r.status != 303 || !where || !strstr(where, to))
		fail_msg("POST %s: %ld to %s, want 303 to %s: %.600s", path,
			 r.status, where ? where : "(none)", to, r.body);
	itest_resp_release(&r);
}

/*
 * A form that must be refused with status, its GOV.UK error summary
 * linking to the input id and saying text.
 */
static void refused_on(struct api *a, const char *path, const char *fields,
		       long status, const char *id, const char *text)
{
	struct itest_resp r;
	page_post(a, path, fields, &r);
	if (r.status != status) {
		const char *e = strstr(r.body, "govuk-error-summary__list");
		fail_msg("POST %s: %ld, want %ld: %.600s", path, r.status,
			 status, e ? e : r.body);
	}
	if (!strstr(r.body, "govuk-error-summary") ||
	    !strstr(r.body, F("href=\"#%s\"", id))) {
		const char *e = strstr(r.body, "govuk-error-summary__list");
		fail_msg("POST %s: no error linked to #%s: %.600s", path, id,
			 e ? e : r.body);
	}
	if (text && !strstr(r.body, text))
		fail_msg("POST %s: the page does not say \"%s\": %.2000s", path,
			 text, r.body);
	itest_resp_release(&r);
}

/* The body of a page that must answer 200 (free it). */
static char *page_text(struct api *a, const char *path)
{
	struct itest_resp r;
	page_get(a, path, &r);
	if (r.status != 200)
		fail_msg("GET %s: %ld: %.400s", path, r.status, r.body);
	char *body = r.body;
	r.body = NULL;
	itest_resp_release(&r);
	return body;
}

static void page_says(struct api *a, const char *path, const char *text)
{
	char *body = page_text(a, path);
	if (!strstr(body, text))
		fail_msg("GET %s does not say \"%s\": %.3000s", path, text,
			 body);
	free(body);
}

static void page_lacks(struct api *a, const char *path, const char *text)
{
	char *body = page_text(a, path);
	if (strstr(body, text))
		fail_msg("GET %s says \"%s\"", path, text);
	free(body);
}

static json_t *get(const char *path)
{
	return api_expect(&lo, 200, "GET", path, NULL);
}

/* A new case in Repairs with one evidence request to Repairs. */
static long new_case(long *task)
{
	json_t *c = api_expect(
		&lo, 201, "POST", "/api/v1/complaints",
		F("{\"reference\": \"P-%d-%d\", \"category\": \"Repairs\","
		  " \"service_area_id\": %ld, \"received_on\": \"2026-06-01\","
		  " \"resident\": {\"name\": \"Yolanda Quillfeather\"}}",
		  (int)getpid(), ++seq, area_repairs));
	long complaint = (long)jint(c, "id");
	json_decref(c);
	c = api_expect(&lo, 201, "POST", "/api/v1/cases",
		       F("{\"complaint_id\": %ld, \"ombudsman\": \"HOS\","
			 " \"reference\": \"2026%05d\", \"received_on\":"
			 " \"2026-11-16\"}",
			 complaint, (int)(getpid() % 1000) * 10 + seq));
	long id = (long)jint(c, "id");
	json_decref(c);
	if (!task)
		return id;
	c = api_expect(&lo, 201, "POST",
		       F("/api/v1/cases/%ld/correspondence", id),
		       F("{\"kind\": \"information_request\", \"dated_on\":"
			 " \"2026-11-23\", \"tasks\": [{\"title\": \"Repair "
			 "log\", \"service_area_id\": %ld}]}",
			 area_repairs));
	*task = (long)jint(json_array_get(json_object_get(c, "tasks"), 0),
			   "id");
	json_decref(c);
	return id;
}

static long version_of(const char *path)
{
	json_t *j = get(path);
	long v = (long)jint(j, "version");
	json_decref(j);
	return v;
}

/*
 * The case says what happens next, computed by core: a new notification
 * asks the link officer for the request; once asked, the stage has moved
 * on to investigation and the service area owes the answer by its date.
 */
static void test_what_happens_next(void **state)
{
	(void)state;
	long cid = new_case(NULL);
	page_says(&lo, F("/cases/%ld", cid), "What happens next");
	page_says(&lo, F("/cases/%ld", cid),
		  "Record the Ombudsman&#39;s information or evidence request");
	json_t *c = api_expect(
		&lo, 201, "POST", F("/api/v1/cases/%ld/correspondence", cid),
		F("{\"kind\": \"information_request\", \"dated_on\":"
		  " \"2026-11-23\", \"tasks\": [{\"title\": \"Damp survey\","
		  " \"service_area_id\": %ld}]}",
		  area_repairs));
	assert_string_equal(jstr(c, "stage"), "investigation");
	json_decref(c);
	char *body = page_text(&lo, F("/cases/%ld", cid));
	assert_non_null(strstr(body, "The service area"));
	/* 15 working days from Monday 23 November 2026. */
	assert_non_null(strstr(body, "Monday 14 December 2026"));
	assert_non_null(strstr(body, "Investigation"));
	free(body);
	/* Messages in words, not codes. */
	page_says(&lo, F("/cases/%ld?done=information_request", cid),
		  "Information request recorded.");
	page_says(&lo, F("/cases/%ld?done=notification", cid),
		  "Notification registered.");
	page_lacks(&lo, F("/cases/%ld?done=notification", cid), "Recorded:");
}

/* The link officer moves a task to another area, person and priority. */
static void test_move_a_task(void **state)
{
	(void)state;
	long task;
	new_case(&task);
	long v = version_of(F("/api/v1/tasks/%ld", task));
	page_says(&lo, F("/tasks/%ld", task), "Move the task");
	/* An area that does not exist: said beside the area, nothing saved.
	 */
	refused_on(&lo, F("/tasks/%ld/change", task),
		   F("version=%ld&service_area_id=999999&assignee_id="
		     "&priority=high",
		     v),
		   422, "service_area_id", NULL);
	json_t *t = get(F("/api/v1/tasks/%ld", task));
	assert_int_equal(jint(json_object_get(t, "service_area"), "id"),
			 area_repairs);
	assert_string_equal(jstr(t, "priority"), "normal");
	json_decref(t);
	posted_to(&lo, F("/tasks/%ld/change", task),
		  F("version=%ld&service_area_id=%ld&assignee_id=%ld"
		    "&priority=high",
		    v, area_housing, housing.user_id),
		  F("/tasks/%ld?done=updated", task));
	t = get(F("/api/v1/tasks/%ld", task));
	assert_int_equal(jint(json_object_get(t, "service_area"), "id"),
			 area_housing);
	assert_int_equal(jint(json_object_get(t, "assignee"), "id"),
			 housing.user_id);
	assert_string_equal(jstr(t, "priority"), "high");
	json_decref(t);
	page_says(&lo, F("/tasks/%ld?done=updated", task), "Task changed.");
	/* Its new officer sees it on My tasks as high priority. */
	page_says(&housing, "/my-tasks", "High priority");
	/* A service officer has no such form. */
	page_lacks(&housing, F("/tasks/%ld", task), "Move the task");
	struct itest_resp r;
	page_post(&housing, F("/tasks/%ld/change", task),
		  F("version=%ld&priority=normal", v + 1), &r);
	assert_int_equal(r.status, 403);
	itest_resp_release(&r);
}

static void test_pause_and_resume(void **state)
{
	(void)state;
	long task;
	new_case(&task);
	long v = version_of(F("/api/v1/tasks/%ld", task));
	page_says(&lo, F("/tasks/%ld", task), "Pause the task");
	posted_to(&lo, F("/tasks/%ld/act", task),
		  F("version=%ld&action=pause", v),
		  F("/tasks/%ld?done=pause", task));
	json_t *t = get(F("/api/v1/tasks/%ld", task));
	assert_true(json_is_string(json_object_get(t, "paused_on")));
	json_decref(t);
	page_says(&lo, F("/tasks/%ld", task), "Resume the task");
	page_lacks(&lo, F("/tasks/%ld", task), "Pause the task");
	posted_to(&lo, F("/tasks/%ld/act", task),
		  F("version=%ld&action=resume", v + 1),
		  F("/tasks/%ld?done=resume", task));
	t = get(F("/api/v1/tasks/%ld", task));
	assert_true(json_is_null(json_object_get(t, "paused_on")));
	json_decref(t);
}

/*
 * Cancel asks first, and for a reason: without one nothing changes; with
 * one the task is cancelled and the reason kept, on the API and the page.
 * The API refuses a cancellation without a reason the same way.
 */
static void test_cancel_with_a_reason(void **state)
{
	(void)state;
	long task;
	new_case(&task);
	long v = version_of(F("/api/v1/tasks/%ld", task));
	/* The task page's cancel is a link to the confirmation, not a
	 * button that cancels. */
	page_lacks(&lo, F("/tasks/%ld", task), "value=\"cancel\"");
	page_says(&lo, F("/tasks/%ld/cancel?cancel=1", task),
		  "Why is the task cancelled?");
	page_says(&lo, F("/tasks/%ld/cancel?cancel=1", task),
		  "Yes, cancel the task");
	refused_on(&lo, F("/tasks/%ld/act", task),
		   F("version=%ld&action=cancel&comment=", v), 422, "reason",
		   "Why is the task cancelled?");
	api_refused(&lo, 422, "validation_failed", "comment", "POST",
		    F("/api/v1/tasks/%ld/actions", task),
		    F("{\"action\": \"cancel\", \"version\": %ld}", v));
	json_t *t = get(F("/api/v1/tasks/%ld", task));
	assert_string_equal(jstr(t, "status"), "open");
	assert_int_equal(jint(t, "version"), v);
	json_decref(t);
	posted_to(&lo, F("/tasks/%ld/act", task),
		  F("version=%ld&action=cancel&comment=Withdrawn+by+the+"
		    "Ombudsman",
		    v),
		  F("/tasks/%ld?done=cancel", task));
	t = get(F("/api/v1/tasks/%ld", task));
	assert_string_equal(jstr(t, "status"), "cancelled");
	assert_string_equal(jstr(t, "cancel_reason"),
			    "Withdrawn by the Ombudsman");
	json_decref(t);
	page_says(&lo, F("/tasks/%ld", task), "Withdrawn by the Ombudsman");
	page_says(&lo, F("/tasks/%ld?done=cancel", task),
		  "Task cancelled. The reason is recorded.");
}

/* How many entries the audit history of a case page lists. */
static long audit_entries(const char *body)
{
	const char *from = strstr(body, "id=\"audit\"");
	const char *to = from ? strstr(from, "</ol>") : NULL;
	long n = 0;
	if (!to)
		fail_msg("no audit history: %.600s", body);
	for (const char *p = from; (p = strstr(p, "<li>")) && p < to; p++)
		n++;
	return n;
}

/*
 * The case page shows the newest 50 entries of its audit trail and links
 * to the older ones, which open where the link points.
 */
static void test_audit_history_by_page(void **state)
{
	(void)state;
	long task;
	long cid = new_case(&task);
	for (int i = 0; i < 14; i++)
		json_decref(api_expect(
			&lo, 201, "POST",
			F("/api/v1/cases/%ld/correspondence", cid),
			F("{\"kind\": \"information_request\", \"tasks\":"
			  " [{\"title\": \"Records %d\","
			  " \"service_area_id\": %ld}]}",
			  i, area_repairs)));
	/* More than one page and at most two, so the older page is the last. */
	long total = api_sql_long(
		F("SELECT count(*) FROM audit_log WHERE case_id = %ld", cid));
	assert_in_range(total, 51, 100);
	long older = api_sql_long(F("SELECT min(id) FROM (SELECT id FROM"
				    " audit_log WHERE case_id = %ld ORDER BY"
				    " id DESC LIMIT 50) x",
				    cid));
	const char *link = F("/cases/%ld?audit_before=%ld#audit", cid, older);
	char *body = page_text(&lo, F("/cases/%ld", cid));
	assert_non_null(strstr(body, "Older changes"));
	assert_non_null(strstr(body, link));
	assert_int_equal(audit_entries(body), 50);
	free(body);
	/*
	 * The older page: open, every entry older than the link's (the
	 * boundary's own entry is the newest page's last, not repeated here,
	 * and the next older is not skipped: the two pages hold the trail
	 * once), and nothing older than it left to link.
	 */
	const char *path = F("/cases/%ld?audit_before=%ld", cid, older);
	body = page_text(&lo, path);
	assert_non_null(strstr(body, "id=\"audit\" open"));
	assert_int_equal(audit_entries(body), total - 50);
	assert_null(strstr(body, "Older changes"));
	free(body);
	/* The API's page agrees: its first entry is the next older. */
	json_t *a = get(F("/api/v1/cases/%ld/audit?before=%ld", cid, older));
	json_t *entries = json_object_get(a, "entries");
	assert_int_equal(json_array_size(entries), total - 50);
	assert_int_equal(jint(json_array_get(entries, 0), "id"),
			 api_sql_long(F("SELECT max(id) FROM audit_log WHERE"
					" case_id = %ld AND id < %ld",
					cid, older)));
	json_decref(a);
	/* A bad ?audit_before= is refused, as the API refuses ?before=. */
	static const char *const bad[] = {"x", "0", "-3", "12x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct itest_resp r;
		page_get(&lo, F("/cases/%ld?audit_before=%s", cid, bad[i]), &r);
		if (r.status != 400 || !strstr(r.body, "audit_before must be"))
			fail_msg("audit_before=%s: %ld: %.600s", bad[i],
				 r.status, r.body);
		itest_resp_release(&r);
	}
	/* A service-area officer's case page has no audit history. */
	page_lacks(&repairs, F("/cases/%ld", cid), "Audit history");
}

/* The API's error for a paging field: 400, naming it and its limit. */
static void paging_refused(const char *path, const char *field,
			   const char *message)
{
	json_t *e = api_expect(&lo, 400, "GET", path, NULL);
	json_t *err = json_object_get(e, "error");
	assert_string_equal(jstr(err, "field"), field);
	assert_string_equal(jstr(err, "message"), message);
	json_decref(e);
}

/*
 * Every paged list keeps paging.h's limits, the API's and the pages':
 * a page of 1 to 200 rows, a page number up to 1,000,000, each refusal
 * naming its field and its range.
 */
static void test_paging_limits(void **state)
{
	(void)state;
	long task;
	long cid = new_case(&task);
	const char *audit = F("/api/v1/cases/%ld/audit", cid);
	paging_refused(F("%s?limit=201", audit), "limit",
		       "limit must be a whole number from 1 to 200");
	paging_refused(F("%s?limit=0", audit), "limit",
		       "limit must be a whole number from 1 to 200");
	paging_refused(F("%s?limit=+5", audit), "limit",
		       "limit must be a whole number from 1 to 200");
	json_decref(
		api_expect(&lo, 200, "GET", F("%s?limit=200", audit), NULL));
	paging_refused("/api/v1/cases?per_page=201", "per_page",
		       "per_page must be a whole number from 1 to 200");
	paging_refused("/api/v1/cases?page=1000001", "page",
		       "page must be a whole number from 1 to 1000000");
	json_t *l = api_expect(&lo, 200, "GET", "/api/v1/cases", NULL);
	assert_int_equal(jint(l, "per_page"), 50);
	json_decref(l);
	/* The pages' lists: the same page numbers, past the last not found. */
	struct itest_resp r;
	page_get(&lo, "/likely-late?page=1000001", &r);
	if (r.status != 400 ||
	    !strstr(r.body, "page must be a whole number from 1 to 1000000"))
		fail_msg("page=1000001: %ld: %.600s", r.status, r.body);
	itest_resp_release(&r);
	page_get(&lo, "/likely-late?page=200000", &r);
	assert_int_equal(r.status, 404);
	itest_resp_release(&r);
}

/* Stage moves and closing, refused on the case page with the reason. */
static void test_stage_and_close(void **state)
{
	(void)state;
	long task;
	long cid = new_case(&task);
	long v = version_of(F("/api/v1/cases/%ld", cid));
	page_says(&lo, F("/cases/%ld", cid), "Move the case to a later stage");
	/* Backwards is core's refusal, said beside the stage. */
	refused_on(&lo, F("/cases/%ld/stage", cid),
		   F("version=%ld&stage=assessment", v), 409, "stage",
		   "a case moves forward only");
	posted_to(&lo, F("/cases/%ld/stage", cid),
		  F("version=%ld&stage=draft_decision", v),
		  F("/cases/%ld?done=stage", cid));
	json_t *c = get(F("/api/v1/cases/%ld", cid));
	assert_string_equal(jstr(c, "stage"), "draft_decision");
	v = (long)jint(c, "version");
	json_decref(c);
	/* An open task: the case cannot close; the page says why. */
	refused_on(&lo, F("/cases/%ld/close", cid),
		   F("version=%ld&outcome=withdrawn", v), 409, "main-content",
		   "tasks are still open");
	long tv = version_of(F("/api/v1/tasks/%ld", task));
	posted_to(&lo, F("/tasks/%ld/act", task),
		  F("version=%ld&action=cancel&comment=Case+withdrawn", tv),
		  "done=cancel");
	page_says(&lo, F("/cases/%ld", cid), "Close the case");
	posted_to(&lo, F("/cases/%ld/close", cid),
		  F("version=%ld&outcome=withdrawn", v),
		  F("/cases/%ld?done=closed", cid));
	c = get(F("/api/v1/cases/%ld", cid));
	assert_string_equal(jstr(c, "stage"), "closed");
	assert_string_equal(jstr(c, "outcome"), "withdrawn");
	json_decref(c);
	page_says(&lo, F("/cases/%ld?done=closed", cid), "Case closed.");
	page_says(&lo, F("/cases/%ld", cid), "Nothing: the case is closed.");
}

/* A multipart upload to a page's path; csrf: the token's field first, or
 * none. */
static void upload_to(struct api *a, const char *path, const char *csrf,
		      const char *name, const char *data, size_t len,
		      struct itest_resp *r)
{
	curl_mime *mime = curl_mime_init(a->h);
	curl_mimepart *part;
	if (csrf) {
		part = curl_mime_addpart(mime);
		curl_mime_name(part, "csrf_token");
		curl_mime_data(part, csrf, CURL_ZERO_TERMINATED);
	}
	/* A name of "resident..." ticks the box for resident details. */
	if (!strncmp(name, "resident", 8)) {
		part = curl_mime_addpart(mime);
		curl_mime_name(part, "resident_detail");
		curl_mime_data(part, "true", CURL_ZERO_TERMINATED);
	}
	part = curl_mime_addpart(mime);
	/* The brand page's form names its file "logo", every other "file". */
	curl_mime_name(part, strstr(path, "/brand/logo") ? "logo" : "file");
	curl_mime_filename(part, name);
	curl_mime_data(part, data, len);
	struct {
		char *p;
		size_t n;
	} body = {0}, hdr = {0};
	memset(r, 0, sizeof(*r));
	FILE *bf = open_memstream(&body.p, &body.n);
	FILE *hf = open_memstream(&hdr.p, &hdr.n);
	curl_easy_setopt(a->h, CURLOPT_CUSTOMREQUEST, NULL);
	curl_easy_setopt(a->h, CURLOPT_POSTFIELDS, NULL);
	curl_easy_setopt(a->h, CURLOPT_NOBODY, 0L);
	curl_easy_setopt(a->h, CURLOPT_WRITEFUNCTION, NULL);
	curl_easy_setopt(a->h, CURLOPT_HEADERFUNCTION, NULL);
	curl_easy_setopt(a->h, CURLOPT_URL, F("%s%s", server.base, path));
	curl_easy_setopt(a->h, CURLOPT_MIMEPOST, mime);
	curl_easy_setopt(a->h, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(a->h, CURLOPT_WRITEDATA, bf);
	curl_easy_setopt(a->h, CURLOPT_HEADERDATA, hf);
	if (curl_easy_perform(a->h) == CURLE_OK)
		curl_easy_getinfo(a->h, CURLINFO_RESPONSE_CODE, &r->status);
	fclose(bf);
	fclose(hf);
	r->body = body.p;
	r->len = body.n;
	r->headers = hdr.p;
	curl_easy_setopt(a->h, CURLOPT_MIMEPOST, NULL);
	curl_easy_setopt(a->h, CURLOPT_WRITEDATA, NULL);
	curl_easy_setopt(a->h, CURLOPT_HEADERDATA, NULL);
	curl_mime_free(mime);
}

/* The same to the task page's upload. */
static void page_upload(struct api *a, long task, const char *csrf,
			const char *query, const char *name, const char *data,
			size_t len, struct itest_resp *r)
{
	upload_to(a, F("/tasks/%ld/upload%s", task, query), csrf, name, data,
		  len, r);
}

/*
 * An upload refused before its body is read is the form again, at the
 * refusal's status, with the reason in the error summary linked to the
 * file input (id) and beside it; never a redirect, so never an address
 * with the token in it.
 */
static void upload_form_says(struct itest_resp *r, long status, const char *id,
			     const char *text)
{
	if (r->status != status || !strstr(r->body, "govuk-error-summary") ||
	    !strstr(r->body, F("href=\"#%s\"", id)) ||
	    !strstr(r->body, F("id=\"%s-error\"", id)) ||
	    !strstr(r->body, text))
		fail_msg("want %ld with \"%s\" by #%s, got %ld: %.3000s",
			 status, text, id, r->status, r->body);
	assert_null(itest_resp_header(r, "Location"));
	assert_null(strstr(r->body, "?csrf_token"));
}

static long files_of(long task)
{
	return api_sql_long(
		F("SELECT count(*) FROM evidence_file WHERE task_id = %ld",
		  task));
}

/*
 * An upload's words come from why it was refused, never from its
 * message's text: a file refused for its type whose name has a word the
 * other refusals use ("multipart", "CSRF") is refused for its type.
 */
static void test_upload_reason_is_not_its_text(void **state)
{
	(void)state;
	static const char note[] = "Just some text, not a PDF at all.\n";
	static const char *const names[] = {"multipart-notes.pdf",
					    "CSRF-notes.pdf"};
	long task;
	new_case(&task);
	for (size_t i = 0; i < 2; i++) {
		struct itest_resp r;
		page_upload(&repairs, task, repairs.csrf, "", names[i], note,
			    sizeof(note) - 1, &r);
		upload_form_says(&r, 422, "file", names[i] + 1);
		if (strstr(r.body, "Choose it again") ||
		    strstr(r.body, "The page had expired"))
			fail_msg("%s: another refusal's words: %.3000s",
				 names[i], r.body);
		itest_resp_release(&r);
	}
	assert_int_equal(files_of(task), 0);
}

/*
 * The upload form carries its token as a field, never in its address;
 * refusals say why beside the file field.
 */
static void test_upload_reasons_and_token(void **state)
{
	(void)state;
	static const char pdf[] = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n"
				  "%%EOF\n";
	static const char note[] = "Just some text, not a PDF at all.\n";
	long task;
	new_case(&task);
	char *body = page_text(&repairs, F("/tasks/%ld", task));
	assert_non_null(strstr(body, F("action=\"/tasks/%ld/upload\"", task)));
	assert_null(strstr(body, "upload?csrf_token"));
	free(body);

	struct itest_resp r;
	/* No token, or a stale one: refused before the file's first byte,
	 * the form again saying why, nothing stored. */
	page_upload(&repairs, task, NULL, "", "log.pdf", pdf, sizeof(pdf) - 1,
		    &r);
	upload_form_says(&r, 403, "file", "The page had expired");
	itest_resp_release(&r);
	page_upload(&repairs, task, "wrong-token", "", "log.pdf", pdf,
		    sizeof(pdf) - 1, &r);
	upload_form_says(&r, 403, "file", "The page had expired");
	itest_resp_release(&r);
	assert_int_equal(files_of(task), 0);

	/* Over the limit (100 000 bytes here): just over, refused as it
	 * arrives; far over, refused on its declared length before a byte
	 * of it is read.  The same words either way. */
	size_t over = 2 * 1024 * 1024;
	char *big = malloc(over);
	memcpy(big, "%PDF-", 5);
	memset(big + 5, 'a', over - 5);
	page_upload(&repairs, task, repairs.csrf, "", "big.pdf", big, 100010,
		    &r);
	upload_form_says(&r, 413, "file",
			 "The selected file must be smaller than 98 KB");
	itest_resp_release(&r);
	page_upload(&repairs, task, repairs.csrf, "", "huge.pdf", big, over,
		    &r);
	upload_form_says(&r, 413, "file",
			 "The selected file must be smaller than 98 KB");
	itest_resp_release(&r);
	assert_int_equal(files_of(task), 0);
	/* The Inbox's message upload likewise, its token in its body. */
	body = page_text(&lo, "/inbox");
	assert_non_null(strstr(body, "action=\"/inbox/upload\""));
	free(body);
	upload_to(&lo, "/inbox/upload", NULL, "m.eml", "Subject: x\r\n\r\nx",
		  15, &r);
	upload_form_says(&r, 403, "file",
			 "The page had expired. Choose the message again");
	itest_resp_release(&r);
	upload_to(&lo, "/inbox/upload", lo.csrf, "m.eml", big, over, &r);
	upload_form_says(&r, 413, "file",
			 "The selected message must be smaller than 98 KB");
	itest_resp_release(&r);
	/* The brand page's logo likewise: an administrator's form. */
	struct api admin;
	api_signin(&admin, server.base, "admin");
	upload_to(&admin, "/admin/brand/logo", NULL, "logo.png", "x", 1, &r);
	upload_form_says(&r, 403, "logo",
			 "The page had expired. Choose the logo again");
	itest_resp_release(&r);
	upload_to(&admin, "/admin/brand/logo", admin.csrf, "logo.png", big,
		  over, &r);
	upload_form_says(&r, 413, "logo",
			 "The logo must be smaller than 200 KB");
	itest_resp_release(&r);
	assert_int_equal(api_sql_long("SELECT count(*) FROM brand_logo"), 0);
	api_release(&admin);

	/* Not a PDF though named .pdf: the reason, by the file field. */
	page_upload(&repairs, task, repairs.csrf, "", "survey.pdf", note,
		    sizeof(note) - 1, &r);
	assert_int_equal(r.status, 422);
	assert_non_null(strstr(r.body, "href=\"#file\""));
	assert_non_null(strstr(r.body, "id=\"file-error\""));
	assert_null(strstr(r.body, "That could not be done"));
	itest_resp_release(&r);
	/* No file chosen: the browser's empty part. */
	page_upload(&repairs, task, repairs.csrf, "", "", "", 0, &r);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body, "Choose a file to upload"));
	assert_non_null(strstr(r.body, "href=\"#file\""));
	itest_resp_release(&r);
	assert_int_equal(files_of(task), 0);

	page_upload(&repairs, task, repairs.csrf, "", "log.pdf", pdf,
		    sizeof(pdf) - 1, &r);
	assert_int_equal(r.status, 303);
	assert_non_null(
		strstr(itest_resp_header(&r, "Location"), "done=uploaded"));
	itest_resp_release(&r);
	assert_int_equal(files_of(task), 1);
	/* A replacement too large: the reason beside that file's input. */
	long file = api_sql_long(F(
		"SELECT max(id) FROM evidence_file WHERE task_id = %ld", task));
	page_upload(&repairs, task, repairs.csrf, F("?replaces=%ld", file),
		    "big.pdf", big, over, &r);
	upload_form_says(&r, 413, F("replace-%ld", file),
			 "The selected file must be smaller than 98 KB");
	itest_resp_release(&r);
	free(big);
	assert_int_equal(files_of(task), 1);
	/* The file's fingerprint is behind "Technical details". */
	body = page_text(&repairs, F("/tasks/%ld?done=uploaded", task));
	assert_non_null(strstr(body, "File uploaded."));
	char *tech = strstr(body, "Technical details");
	char *hash = strstr(body, "SHA-256");
	assert_non_null(tech);
	assert_non_null(hash);
	assert_true(hash > tech);
	free(body);
}

/* A file can be replaced and removed from the task page. */
static void test_replace_and_remove_a_file(void **state)
{
	(void)state;
	static const char pdf[] = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n"
				  "%%EOF\n";
	static const char pdf2[] = "%PDF-1.4\n2 0 obj<<>>endobj\ntrailer<<>>"
				   "\n%%EOF\n";
	long task;
	new_case(&task);
	struct itest_resp r;
	page_upload(&repairs, task, repairs.csrf, "", "log.pdf", pdf,
		    sizeof(pdf) - 1, &r);
	assert_int_equal(r.status, 303);
	itest_resp_release(&r);
	long first = api_sql_long(F("SELECT max(id) FROM evidence_file WHERE"
				    " task_id = %ld",
				    task));
	page_says(&repairs, F("/tasks/%ld", task),
		  "Replace or remove this file");
	page_upload(&repairs, task, repairs.csrf, F("?replaces=%ld", first),
		    "log v2.pdf", pdf2, sizeof(pdf2) - 1, &r);
	assert_int_equal(r.status, 303);
	assert_non_null(
		strstr(itest_resp_header(&r, "Location"), "done=replaced"));
	itest_resp_release(&r);
	json_t *t = get(F("/api/v1/tasks/%ld", task));
	json_t *files = json_object_get(t, "files");
	assert_int_equal(json_array_size(files), 1);
	long second = (long)jint(json_array_get(files, 0), "id");
	assert_string_equal(jstr(json_array_get(files, 0), "name"),
			    "log v2.pdf");
	assert_true(second != first);
	json_decref(t);
	page_says(&repairs, F("/tasks/%ld?done=replaced", task),
		  "File replaced.");
	posted_to(&repairs, F("/tasks/%ld/files/%ld/remove", task, second), "",
		  F("/tasks/%ld?done=removed", task));
	t = get(F("/api/v1/tasks/%ld", task));
	assert_int_equal(json_array_size(json_object_get(t, "files")), 0);
	json_decref(t);
	/* Another area's officer cannot: 404, as the API answers. */
	page_upload(&repairs, task, repairs.csrf, "", "log.pdf", pdf,
		    sizeof(pdf) - 1, &r);
	itest_resp_release(&r);
	long third = api_sql_long(F("SELECT max(id) FROM evidence_file WHERE"
				    " task_id = %ld",
				    task));
	page_post(&housing, F("/tasks/%ld/files/%ld/remove", task, third), "",
		  &r);
	assert_int_equal(r.status, 404);
	itest_resp_release(&r);
	assert_int_equal(api_sql_long(F("SELECT count(*) FROM evidence_file"
					" WHERE task_id = %ld AND replaced_at"
					" IS NULL",
					task)),
			 1);
	/* A file marked as holding resident details on upload is marked. */
	page_upload(&repairs, task, repairs.csrf, "", "resident.pdf", pdf2,
		    sizeof(pdf2) - 1, &r);
	itest_resp_release(&r);
	assert_int_equal(api_sql_long(F("SELECT count(*) FROM evidence_file"
					" WHERE task_id = %ld AND name ="
					" 'resident.pdf' AND resident_detail",
					task)),
			 1);
}

/*
 * Defaults (point 8): the evidence request goes to the complaint's service
 * area and each remedy's area is the case's unless chosen.
 */
static void test_defaults_follow_the_complaint(void **state)
{
	(void)state;
	long cid = new_case(NULL);
	char *body = page_text(&lo, F("/cases/%ld/record?kind="
				      "information_request",
				      cid));
	assert_non_null(strstr(
		body, F("<option value=\"%ld\" selected>", area_repairs)));
	free(body);
	body = page_text(&lo, F("/cases/%ld/determination", cid));
	assert_non_null(strstr(
		body, F("<option value=\"%ld\" selected>", area_repairs)));
	assert_null(strstr(body,
			   F("<option value=\"%ld\" selected>", area_housing)));
	free(body);
}

static long count_of(const char *table, const char *where)
{
	return api_sql_long(
		F("SELECT count(*) FROM %s WHERE %s", table, where));
}

/*
 * A notification for a complaint not yet in Linkdesk: the complaint, its
 * resident and the case in one command, on the page and the API; refused,
 * neither is saved.
 */
static void test_register_with_a_new_complaint(void **state)
{
	(void)state;
	int n = (int)getpid() % 100000;
	char cref[40], oref[40], dup[40];
	snprintf(cref, sizeof(cref), "NEW-%d-%d", n, ++seq);
	snprintf(oref, sizeof(oref), "2026%05d", 90000 + seq);
	page_says(&lo, "/cases/new", "It is not in Linkdesk yet");
	/* The category missing: said beside it, nothing saved. */
	refused_on(&lo, "/cases/new",
		   F("complaint_choice=new&complaint_reference=%s"
		     "&complaint_category=&complaint_area=%ld"
		     "&complaint_received_on-day=2&complaint_received_on-"
		     "month=6&complaint_received_on-year=2026&ombudsman=HOS"
		     "&reference=%s&received_on-day=23&received_on-month=11"
		     "&received_on-year=2026&resident_name=Ulrika+Marchbank",
		     cref, area_repairs, oref),
		   400, "complaint_category",
		   "Enter the complaint&#39;s category");
	assert_int_equal(count_of("complaint", F("reference = '%s'", cref)), 0);
	/* An Ombudsman reference already registered: the new complaint goes
	 * too, in the same transaction. */
	long taken = new_case(NULL);
	json_t *c = get(F("/api/v1/cases/%ld", taken));
	snprintf(dup, sizeof(dup), "%s", jstr(c, "reference"));
	refused_on(&lo, "/cases/new",
		   F("complaint_choice=new&complaint_reference=%s"
		     "&complaint_category=Repairs&complaint_area=%ld"
		     "&complaint_received_on-day=2&complaint_received_on-"
		     "month=6&complaint_received_on-year=2026&ombudsman=HOS"
		     "&reference=%s&received_on-day=23&received_on-month=11"
		     "&received_on-year=2026",
		     cref, area_repairs, dup),
		   409, "reference", NULL);
	json_decref(c);
	assert_int_equal(count_of("complaint", F("reference = '%s'", cref)), 0);
	/* Both together. */
	posted_to(&lo, "/cases/new",
		  F("complaint_choice=new&complaint_reference=%s"
		    "&complaint_category=Repairs&complaint_area=%ld"
		    "&complaint_received_on-day=2&complaint_received_on-month=6"
		    "&complaint_received_on-year=2026&complaint_summary=Damp"
		    "&ombudsman=HOS&reference=%s&received_on-day=23"
		    "&received_on-month=11&received_on-year=2026"
		    "&resident_name=Ulrika+Marchbank&resident_vulnerabilities="
		    "Asthma",
		    cref, area_repairs, oref),
		  "?done=notification");
	assert_int_equal(count_of("complaint", F("reference = '%s'", cref)), 1);
	assert_int_equal(count_of("resident r JOIN complaint c ON c.id ="
				  " r.complaint_id",
				  F("c.reference = '%s' AND r.name = 'Ulrika "
				    "Marchbank' AND r.vulnerabilities ="
				    " 'Asthma'",
				    cref)),
			 1);
	assert_int_equal(count_of("ombudsman_case oc JOIN complaint c ON c.id"
				  " = oc.complaint_id",
				  F("c.reference = '%s' AND oc.reference ="
				    " '%s' AND c.received_on = '2026-06-02'",
				    cref, oref)),
			 1);
	/* The API takes the same: refused with the complaint's field. */
	api_refused(&lo, 400, "invalid", "complaint.category", "POST",
		    "/api/v1/cases",
		    F("{\"ombudsman\": \"HOS\", \"reference\":"
		      " \"2026%05d\", \"complaint\": {\"reference\":"
		      " \"API-%d\", \"service_area_id\": %ld,"
		      " \"received_on\": \"2026-06-01\"}}",
		      80000 + seq, n, area_repairs));
	api_refused(&lo, 400, "invalid", "complaint", "POST", "/api/v1/cases",
		    F("{\"ombudsman\": \"HOS\", \"reference\":"
		      " \"2026%05d\", \"complaint_id\": 1, \"complaint\":"
		      " {}}",
		      80000 + seq));
	c = api_expect(&lo, 201, "POST", "/api/v1/cases",
		       F("{\"ombudsman\": \"HOS\", \"reference\":"
			 " \"2026%05d\", \"complaint\": {\"reference\":"
			 " \"API-%d\", \"category\": \"Repairs\","
			 " \"service_area_id\": %ld, \"received_on\":"
			 " \"2026-06-01\"}}",
			 80000 + seq, n, area_repairs));
	assert_string_equal(jstr(json_object_get(c, "complaint"), "reference"),
			    F("API-%d", n));
	json_decref(c);
}

/* The complaint's dates against the Code, and the resident's details. */
static void test_complaint_dates_and_resident(void **state)
{
	(void)state;
	long cid = new_case(NULL);
	json_t *c = get(F("/api/v1/cases/%ld", cid));
	long complaint = (long)jint(json_object_get(c, "complaint"), "id");
	json_decref(c);
	c = get(F("/api/v1/complaints/%ld", complaint));
	long v = (long)jint(c, "version");
	json_decref(c);
	page_says(&lo, F("/cases/%ld", cid),
		  F("href=\"/cases/%ld/complaint\"", cid));
	page_says(&lo, F("/cases/%ld/complaint", cid), "Stage 1 acknowledged");
	/* Not a real date, and stage 2 before its escalation: refused. */
	refused_on(&lo, F("/cases/%ld/complaint", cid),
		   F("part=dates&version=%ld&stage1_acknowledged_on-day=31"
		     "&stage1_acknowledged_on-month=2&stage1_acknowledged_on-"
		     "year=2026",
		     v),
		   400, "stage1_acknowledged_on", "must be a real date");
	refused_on(&lo, F("/cases/%ld/complaint", cid),
		   F("part=dates&version=%ld&stage2_acknowledged_on-day=3"
		     "&stage2_acknowledged_on-month=7&stage2_acknowledged_on-"
		     "year=2026",
		     v),
		   422, "escalation_requested_on", "escalation");
	c = get(F("/api/v1/complaints/%ld", complaint));
	assert_int_equal(jint(c, "version"), v);
	json_decref(c);
	posted_to(&lo, F("/cases/%ld/complaint", cid),
		  F("part=dates&version=%ld&stage1_acknowledged_on-day=3"
		    "&stage1_acknowledged_on-month=6&stage1_acknowledged_on-"
		    "year=2026&stage1_extension_days=5"
		    "&stage1_extension_reason=Awaiting+a+survey",
		    v),
		  F("/cases/%ld/complaint?done=stages", cid));
	c = get(F("/api/v1/complaints/%ld", complaint));
	json_t *st = json_object_get(c, "stages");
	assert_string_equal(jstr(st, "stage1_acknowledged_on"), "2026-06-03");
	assert_int_equal(jint(st, "stage1_extension_days"), 5);
	assert_true(json_is_null(json_object_get(st, "stage1_response_on")));
	json_decref(c);
	page_says(&lo, F("/cases/%ld/complaint?done=stages", cid),
		  "Complaint dates saved.");
	/* The form shows what is stored. */
	page_says(&lo, F("/cases/%ld/complaint", cid), "Awaiting a survey");
	/* A stale version: refused, as the API refuses it. */
	refused_on(&lo, F("/cases/%ld/complaint", cid),
		   F("part=dates&version=%ld", v), 412, "main-content", NULL);

	refused_on(&lo, F("/cases/%ld/complaint", cid),
		   "part=resident&resident_name=&resident_address=1+Lane", 400,
		   "resident_name", "Enter the resident&#39;s name");
	posted_to(&lo, F("/cases/%ld/complaint", cid),
		  "part=resident&resident_name=Yolanda+Quillfeather"
		  "&resident_address=1+Orchard+Lane&resident_adjustments="
		  "Large+print",
		  F("/cases/%ld/complaint?done=resident", cid));
	c = get(F("/api/v1/complaints/%ld", complaint));
	json_t *r = json_object_get(c, "resident");
	assert_string_equal(jstr(r, "address"), "1 Orchard Lane");
	assert_string_equal(jstr(r, "adjustments"), "Large print");
	json_decref(c);
	/* A service officer has no such page. */
	struct itest_resp resp;
	page_get(&repairs, F("/cases/%ld/complaint", cid), &resp);
	assert_int_equal(resp.status, 403);
	itest_resp_release(&resp);
}

/*
 * Who is chasing whom (point 6): reminders sent and the Ombudsman's
 * chasers on the task; a link officer reminds now; the officers doing the
 * task are told of a 1st chaser about it.
 */
static void test_reminders_and_chasers(void **state)
{
	(void)state;
	long task;
	long cid = new_case(&task);
	char mine[80];
	snprintf(mine, sizeof(mine), "task_id = %ld AND kind = 'reminder'",
		 task);
	long officers = api_sql_long(
		F("SELECT count(*) FROM app_user u JOIN user_role r ON"
		  " r.user_id = u.id AND r.role = 'service_officer' WHERE"
		  " u.active AND u.service_area_id = %ld",
		  area_repairs));
	assert_true(officers >= 1);
	page_says(&lo, F("/tasks/%ld", task), "No reminders sent yet.");
	page_says(&lo, F("/tasks/%ld", task), "Send a reminder now");
	page_lacks(&repairs, F("/tasks/%ld", task), "Send a reminder now");
	posted_to(&lo, F("/tasks/%ld/remind", task), "",
		  F("/tasks/%ld?done=reminded", task));
	assert_int_equal(count_of("outbox_person", mine), officers);
	/* To several, one notice naming them, as every notice of a task to
	 * its area's officers (task_notify), whether or not the mail has
	 * made their messages of it yet. */
	if (officers > 1)
		assert_int_equal(
			count_of("outbox",
				 F("%s AND recipients IS NOT NULL", mine)),
			1);
	page_says(&lo, F("/tasks/%ld?done=reminded", task),
		  "Reminder sent to the service area.");
	page_says(&lo, F("/tasks/%ld", task),
		  F("Reminders sent: %ld", officers));
	json_decref(api_expect(&lo, 201, "POST",
			       F("/api/v1/tasks/%ld/reminders", task), NULL));
	assert_int_equal(count_of("outbox_person", mine), 2 * officers);
	/* The sweep's: a person's list of the day naming it (and another
	 * task), on the page too; one dropped unsent is not.  As if sent:
	 * other tests count the queue. */
	api_exec(F("INSERT INTO outbox (kind, recipient, user_id, task_ids,"
		   " facts, status) SELECT 'reminders', email, id, ARRAY[%ld,"
		   " %ld + 100000], '{}', s FROM app_user, (VALUES ('sent'),"
		   " ('dropped')) v(s) WHERE email ="
		   " 'repairs.officer@demo.linkdesk.test'",
		   task, task));
	page_says(&lo, F("/tasks/%ld", task),
		  F("Reminders sent: %ld", 2 * officers + 1));
	struct itest_resp r;
	page_post(&repairs, F("/tasks/%ld/remind", task), "", &r);
	assert_int_equal(r.status, 403);
	itest_resp_release(&r);

	/* A 1st chaser: on the task, and each of its officers is told, once
	 * (a head of service who is one too is not told twice). */
	json_decref(api_expect(&lo, 201, "POST",
			       F("/api/v1/cases/%ld/correspondence", cid),
			       "{\"kind\": \"first_chaser\", \"dated_on\":"
			       " \"2026-11-23\"}"));
	const char *officer_ids =
		F("(SELECT u.id FROM app_user u JOIN user_role r ON r.user_id ="
		  " u.id AND r.role = 'service_officer' WHERE u.active AND"
		  " u.service_area_id = %ld)",
		  area_repairs);
	assert_int_equal(
		api_sql_long(F("SELECT count(DISTINCT user_id) FROM"
			       " outbox_person WHERE case_id = %ld AND kind ="
			       " 'first_chaser'"
			       " AND user_id IN %s",
			       cid, officer_ids)),
		officers);
	assert_int_equal(
		api_sql_long(F("SELECT count(*) - count(DISTINCT user_id) FROM"
			       " outbox_person WHERE case_id = %ld AND kind ="
			       " 'first_chaser'",
			       cid)),
		0);
	assert_true(
		count_of("outbox", F("task_id = %ld AND kind = 'first_chaser'",
				     task)) >= 1);
	char *body = page_text(&repairs, F("/tasks/%ld", task));
	assert_non_null(strstr(body, "1st chaser"));
	assert_non_null(strstr(body, "Monday 23 November 2026"));
	free(body);
	page_says(&repairs, "/my-tasks", "High priority");

	/* Paused: no reminder, said on the page; nothing queued. */
	long v = version_of(F("/api/v1/tasks/%ld", task));
	posted_to(&lo, F("/tasks/%ld/act", task),
		  F("version=%ld&action=pause", v), "done=pause");
	page_lacks(&lo, F("/tasks/%ld", task), "Send a reminder now");
	refused_on(&lo, F("/tasks/%ld/remind", task), "", 409, "main-content",
		   "not paused");
	api_refused(&lo, 409, "conflict", NULL, "POST",
		    F("/api/v1/tasks/%ld/reminders", task), NULL);
	assert_int_equal(count_of("outbox_person", mine), 2 * officers);
}

/*
 * This week (point 7): the Monday digest's lines on screen, by service
 * area, overdue and nearly overdue as the digest selects them; an
 * officer sees their own area's.
 */
static void test_this_week_is_the_monday_list(void **state)
{
	(void)state;
	long cid = new_case(NULL);
	json_t *c = api_expect(
		&lo, 201, "POST", F("/api/v1/cases/%ld/correspondence", cid),
		F("{\"kind\": \"information_request\", \"dated_on\":"
		  " \"2026-10-01\", \"tasks\": [{\"title\": \"Overdue "
		  "gas safety record\", \"service_area_id\": %ld}]}",
		  area_repairs));
	json_decref(c);
	char *body = page_text(&lo, "/this-week");
	char *list = strstr(body, "id=\"monday-list\"");
	assert_non_null(list);
	char *area = strstr(list, "Repairs and Maintenance");
	assert_non_null(area);
	assert_non_null(strstr(area, "Overdue gas safety record"));
	/* The area's count is the digest's: overdue or nearly overdue
	 * (3 working days from Monday 23 November 2026: to Thursday 26). */
	long n = api_sql_long(
		F("SELECT count(*) FROM task t WHERE t.service_area_id = %ld"
		  " AND (task_overdue(t, '2026-11-23') OR"
		  " task_nearly_overdue(t, '2026-11-23', '2026-11-26'))",
		  area_repairs));
	assert_true(n >= 1);
	assert_non_null(strstr(area, F("app-count\">%ld</span>", n)));
	free(body);
	page_lacks(&housing, "/this-week", "Overdue gas safety record");
	page_says(&repairs, "/this-week", "Overdue gas safety record");
}

static void act(struct api *who, long task, const char *fields,
		const char *done)
{
	long v = version_of(F("/api/v1/tasks/%ld", task));
	posted_to(who, F("/tasks/%ld/act", task),
		  F("version=%ld&%s", v, fields), done);
}

/*
 * The validators see the answer they sign first, with who submitted it
 * and when; a returned answer is marked on My tasks and filled in again.
 */
static void test_validators_see_the_current_answer(void **state)
{
	(void)state;
	long task;
	new_case(&task);
	act(&repairs, task, "action=submit&answer=First+answer+here",
	    "done=submit");
	act(&v1, task, "action=return&comment=Add+the+survey", "done=return");
	page_says(&repairs, "/my-tasks", "Returned");
	page_says(&repairs, "/my-tasks", "Add the survey");
	/* The form starts from the answer returned. */
	page_says(&repairs, F("/tasks/%ld", task),
		  ">First answer here</textarea>");
	act(&repairs, task, "action=submit&answer=Second+answer+with+survey",
	    "done=submit");
	/* Submitted again: no longer marked returned. */
	json_t *t = get(F("/api/v1/tasks/%ld", task));
	assert_string_equal(jstr(t, "status"), "submitted");
	assert_string_equal(jstr(t, "return_comment"), "");
	json_decref(t);
	char *body = page_text(&v2, F("/tasks/%ld", task));
	char *current = strstr(body, "Second answer with survey");
	char *earlier = strstr(body, "Earlier answers");
	assert_non_null(strstr(body, "version 2"));
	assert_non_null(strstr(body, "Submitted by"));
	assert_non_null(strstr(body, "Monday 23 November 2026"));
	assert_non_null(current);
	assert_non_null(earlier);
	assert_true(current < earlier);
	assert_true(strstr(body, "First answer here") > earlier);
	free(body);
	page_says(&v2, F("/tasks/%ld?done=approve", task),
		  "Your sign-off was recorded.");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_what_happens_next),
		cmocka_unit_test(test_move_a_task),
		cmocka_unit_test(test_pause_and_resume),
		cmocka_unit_test(test_cancel_with_a_reason),
		cmocka_unit_test(test_stage_and_close),
		cmocka_unit_test(test_audit_history_by_page),
		cmocka_unit_test(test_paging_limits),
		cmocka_unit_test(test_upload_reasons_and_token),
		cmocka_unit_test(test_upload_reason_is_not_its_text),
		cmocka_unit_test(test_validators_see_the_current_answer),
		cmocka_unit_test(test_replace_and_remove_a_file),
		cmocka_unit_test(test_defaults_follow_the_complaint),
		cmocka_unit_test(test_register_with_a_new_complaint),
		cmocka_unit_test(test_complaint_dates_and_resident),
		cmocka_unit_test(test_reminders_and_chasers),
		cmocka_unit_test(test_this_week_is_the_monday_list),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
