/*
 * Deciding the Ombudsman inbox, over HTTP as a link officer: accepting as
 * proposed registers exactly what a person would have typed on the record
 * form (the same correspondence and tasks as POST .../correspondence with
 * the body a person sends), links the message to it and keeps the
 * attachments proposed; editing first registers what was edited; a
 * refusal (a stale version, no case, a determination, the case's own
 * rules) registers nothing and leaves the message waiting; dismissing
 * registers nothing and needs a reason; the Inbox and home pages show the
 * waiting messages, their reasons, how many and the oldest's age; other
 * roles cannot read it.
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
#include "itest.h"

static struct itest_server server;
static struct api lo;

static int setup(void **state)
{
	static const char *const env[] = {"LINKDESK_TODAY=2026-12-01", NULL};
	(void)state;
	itest_server_start(&server, env);
	api_signin(&lo, server.base, "link.officer");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	api_release(&lo);
	assert_int_equal(itest_server_stop(&server), 0);
	return 0;
}

/*
 * Take in a copy of a corpus message under a Message-ID of its own (so
 * neither its ID nor its bytes were seen before); returns its id.
 */
static long take(const char *file)
{
	static int seq;
	char cmd[2048], *out = NULL;
	const char *tmp = getenv("LINKDESK_TEST_TMP");
	int n = ++seq;
	snprintf(cmd, sizeof(cmd),
		 "sed 's/^Message-ID: <\\([^@]*\\)@/Message-ID: "
		 "<\\1-accept%d-%d@/'"
		 " '%s/tests/data/inbox/%s.eml' > '%s/%s-%d.eml' &&"
		 " LINKDESK_TODAY=2026-12-01 '%s' inbox import '%s/%s-%d.eml'"
		 " 2>&1",
		 (int)getpid(), n, getenv("LINKDESK_ROOT"), file, tmp, file, n,
		 getenv("LINKDESK_BIN"), tmp, file, n);
	if (itest_sh(cmd, &out))
		fail_msg("import %s: %s", file, out);
	const char *at = strstr(out, ": inbox message ");
	assert_non_null(at);
	long id = strtol(at + 16, NULL, 10);
	free(out);
	return id;
}

static json_t *get_message(long id)
{
	return api_expect(&lo, 200, "GET", F("/api/v1/inbox/%ld", id), NULL);
}

static long case_id_of(const char *reference)
{
	return api_sql_long(F("SELECT id FROM ombudsman_case WHERE reference"
			      " = '%s'",
			      reference));
}

/* The correspondence and its tasks as rows, without ids and times. */
static char *registered(long correspondence_id)
{
	char *out = NULL;
	assert_int_equal(
		api_sql(F("SELECT m.direction || '|' || m.kind || '|' ||"
			  " m.dated_on || '|' || m.channel || '|' || m.summary"
			  " || '|' || coalesce(m.response_due_on::text, '') ||"
			  " '|' || coalesce((SELECT string_agg(t.kind || ':' ||"
			  " t.title || ':' || t.service_area_id || ':' ||"
			  " t.due_on || ':' || t.priority, ',' ORDER BY t.id)"
			  " FROM task t WHERE t.correspondence_id = m.id), '')"
			  " FROM correspondence m WHERE m.id = %ld",
			  correspondence_id),
			&out),
		0);
	return out;
}

static void test_accept_as_proposed_is_what_a_person_types(void **state)
{
	(void)state;
	long id = take("hos_information_request");
	long case_id = case_id_of("202513877");
	json_t *m = get_message(id);
	json_t *p = json_object_get(m, "proposal");
	assert_string_equal(jstr(p, "target"), "case");
	assert_int_equal(jint(p, "case_id"), case_id);
	assert_string_equal(jstr(p, "kind"), "information_request");
	assert_string_equal(jstr(p, "due_on"), "2026-12-22");
	assert_string_equal(
		json_string_value(
			json_array_get(json_object_get(p, "reasons"), 0)),
		"reference 202513877 matches HOS 202513877 (in the subject)");
	long attachment = jint(
		json_array_get(json_object_get(m, "attachments"), 0), "id");
	json_decref(m);

	long area = api_sql_long(F("SELECT cp.service_area_id FROM"
				   " ombudsman_case c JOIN complaint cp ON"
				   " cp.id = c.complaint_id WHERE c.id = %ld",
				   case_id));
	json_t *c =
		api_expect(&lo, 200, "POST", F("/api/v1/inbox/%ld/accept", id),
			   "{\"version\": 1}");
	assert_int_equal(jint(c, "id"), case_id);
	json_decref(c);
	m = get_message(id);
	assert_string_equal(jstr(m, "state"), "accepted");
	long corr = jint(m, "correspondence_id");
	assert_true(corr > 0);
	assert_true(json_is_true(json_object_get(
		json_array_get(json_object_get(m, "attachments"), 0), "kept")));
	assert_int_equal(
		jint(json_array_get(json_object_get(m, "attachments"), 0),
		     "id"),
		attachment);
	json_decref(m);

	/* What a person types on the record form, sent by hand. */
	json_t *hand = api_expect(
		&lo, 201, "POST",
		F("/api/v1/cases/%ld/correspondence", case_id),
		F("{\"kind\": \"information_request\", \"dated_on\":"
		  " \"2026-12-01\", \"channel\": \"email\", \"summary\":"
		  " \"Request for information - 202513877\","
		  " \"response_due_on\": \"2026-12-22\", \"tasks\":"
		  " [{\"title\": \"Request for information - 202513877\","
		  " \"service_area_id\": %ld}]}",
		  area));
	json_decref(hand);
	long by_hand = api_sql_long(F("SELECT max(id) FROM correspondence"
				      " WHERE case_id = %ld",
				      case_id));
	char *a = registered(corr), *b = registered(by_hand);
	assert_string_equal(a, b);
	assert_non_null(strstr(a, "in|information_request|2026-12-01|email|"
				  "Request for information - 202513877|"
				  "2026-12-22|information_request:"));
	free(a);
	free(b);

	/* Once decided, it cannot be decided again. */
	api_refused(&lo, 409, "conflict", "version", "POST",
		    F("/api/v1/inbox/%ld/accept", id), "{\"version\": 1}");
	api_refused(&lo, 409, "conflict", "version", "POST",
		    F("/api/v1/inbox/%ld/dismiss", id),
		    "{\"version\": 2, \"reason\": \"again\"}");
}

static void test_edit_and_accept(void **state)
{
	(void)state;
	long id = take("lgsco_first_chaser");
	long case_id = case_id_of("25 004 112");
	long before = api_sql_long("SELECT count(*) FROM correspondence");
	/* The person says it is a final chaser, with another date. */
	json_t *c = api_expect(
		&lo, 200, "POST", F("/api/v1/inbox/%ld/accept", id),
		F("{\"version\": 1, \"case_id\": %ld, \"keep\": [],"
		  " \"correspondence\": {\"kind\": \"final_chaser\","
		  " \"dated_on\": \"2026-11-30\", \"summary\": \"Final chaser"
		  " on our enquiries\", \"revised_due_on\": \"2026-12-09\"}}",
		  case_id));
	json_decref(c);
	assert_int_equal(api_sql_long("SELECT count(*) FROM correspondence"),
			 before + 1);
	json_t *m = get_message(id);
	char *row = registered(jint(m, "correspondence_id"));
	assert_string_equal(row, "in|final_chaser|2026-11-30|email|Final "
				 "chaser on our enquiries|2026-12-09|\n");
	free(row);
	json_decref(m);
}

static void test_refusals_register_nothing(void **state)
{
	(void)state;
	long before = api_sql_long("SELECT count(*) FROM correspondence");
	long none = take("bad_no_reference");
	api_refused(&lo, 422, "validation_failed", "case_id", "POST",
		    F("/api/v1/inbox/%ld/accept", none), "{\"version\": 1}");
	long determination = take("lgsco_final_decision");
	api_refused(&lo, 422, "validation_failed", "kind", "POST",
		    F("/api/v1/inbox/%ld/accept", determination),
		    "{\"version\": 1}");
	long chaser = take("hos_first_chaser");
	api_refused(&lo, 409, "conflict", "version", "POST",
		    F("/api/v1/inbox/%ld/accept", chaser), "{\"version\": 7}");
	/* The decoder of POST .../correspondence refuses the same way. */
	api_refused(&lo, 422, "validation_failed", "tasks", "POST",
		    F("/api/v1/inbox/%ld/accept", chaser),
		    "{\"version\": 1, \"correspondence\": {\"kind\":"
		    " \"information_request\"}}");
	api_refused(&lo, 400, "invalid", "correspondence", "POST",
		    F("/api/v1/inbox/%ld/accept", chaser),
		    "{\"version\": 1, \"correspondence\": 3}");
	/* An attachment of another message is not this one's to keep. */
	api_refused(&lo, 422, "validation_failed", "keep", "POST",
		    F("/api/v1/inbox/%ld/accept", chaser),
		    "{\"version\": 1, \"keep\": [999999]}");
	assert_int_equal(api_sql_long("SELECT count(*) FROM correspondence"),
			 before);
	/* A new case is registered first: the page says so and links. */
	long fresh = take("hos_notification");
	api_refused(&lo, 422, "validation_failed", "case_id", "POST",
		    F("/api/v1/inbox/%ld/accept", fresh), "{\"version\": 1}");
	struct itest_resp r;
	api_call(&lo, "GET", F("/inbox/%ld", fresh), NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "register the HOS case 202612345"));
	itest_resp_release(&r);
	long waiting = api_sql_long(
		F("SELECT count(*) FROM inbox_message WHERE state = 'waiting'"
		  " AND id IN (%ld, %ld, %ld)",
		  none, determination, chaser));
	assert_int_equal(waiting, 3);
}

static void test_dismiss_registers_nothing(void **state)
{
	(void)state;
	long id = take("hos_extension_agreed");
	long before = api_sql_long("SELECT count(*) FROM correspondence");
	long tasks = api_sql_long("SELECT count(*) FROM task");
	api_refused(&lo, 400, "invalid", "reason", "POST",
		    F("/api/v1/inbox/%ld/dismiss", id), "{\"version\": 1}");
	json_t *m =
		api_expect(&lo, 200, "POST", F("/api/v1/inbox/%ld/dismiss", id),
			   "{\"version\": 1, \"reason\": \"registered by "
			   "phone already\"}");
	assert_string_equal(jstr(m, "state"), "dismissed");
	assert_string_equal(jstr(m, "dismiss_reason"),
			    "registered by phone already");
	json_decref(m);
	assert_int_equal(api_sql_long("SELECT count(*) FROM correspondence"),
			 before);
	assert_int_equal(api_sql_long("SELECT count(*) FROM task"), tasks);
}

static void test_pages_and_home(void **state)
{
	(void)state;
	long id = take("hos_chfo");
	struct itest_resp r;
	api_call(&lo, "GET", "/inbox", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, F("href=\"/inbox/%ld\"", id)));
	assert_non_null(strstr(r.body, "the subject says &quot;Complaint "
				       "handling failure order issued&quot;"));
	assert_non_null(strstr(r.body, "Accept as proposed"));
	itest_resp_release(&r);
	api_call(&lo, "GET", F("/inbox/%ld", id), NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "We have issued a complaint handling"));
	itest_resp_release(&r);
	long waiting = api_sql_long("SELECT count(*) FROM inbox_message WHERE"
				    " state = 'waiting'");
	api_call(&lo, "GET", "/home", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, F("<strong>%ld</strong> waiting to be "
					 "registered, the oldest for",
					 waiting)));
	itest_resp_release(&r);

	struct api so;
	api_signin(&so, server.base, "repairs.officer");
	api_refused(&so, 403, "forbidden", NULL, "GET", "/api/v1/inbox", NULL);
	api_release(&so);
}

struct sink {
	char *p;
	size_t len;
};

static size_t collect(char *data, size_t size, size_t n, void *arg)
{
	struct sink *k = arg;
	size_t add = size * n;
	k->p = realloc(k->p, k->len + add + 1);
	memcpy(k->p + k->len, data, add);
	k->len += add;
	k->p[k->len] = '\0';
	return add;
}

/* POST a urlencoded form as the browser does (cookie and CSRF field). */
static void form_post(const char *path, const char *fields,
		      struct itest_resp *r)
{
	struct sink b = {0}, hd = {0};
	char url[1024], body[4096];
	struct curl_slist *hl = curl_slist_append(
		NULL, "Content-Type: application/x-www-form-urlencoded");
	memset(r, 0, sizeof(*r));
	snprintf(url, sizeof(url), "%s%s", server.base, path);
	snprintf(body, sizeof(body), "%s&csrf_token=%s", fields, lo.csrf);
	curl_easy_setopt(lo.h, CURLOPT_URL, url);
	curl_easy_setopt(lo.h, CURLOPT_CUSTOMREQUEST, "POST");
	curl_easy_setopt(lo.h, CURLOPT_NOBODY, 0L);
	curl_easy_setopt(lo.h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(lo.h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(lo.h, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(lo.h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(lo.h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(lo.h, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(lo.h, CURLOPT_HEADERDATA, &hd);
	if (curl_easy_perform(lo.h) == CURLE_OK)
		curl_easy_getinfo(lo.h, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_setopt(lo.h, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(lo.h, CURLOPT_POSTFIELDS, NULL);
	curl_slist_free_all(hl);
	r->body = b.p ? b.p : calloc(1, 1);
	r->len = b.len;
	r->headers = hd.p ? hd.p : calloc(1, 1);
}

/* The forms: as proposed, edited, refused with the field, dismissed. */
static void test_page_forms(void **state)
{
	(void)state;
	struct itest_resp r;
	long id = take("lgsco_draft_decision");
	form_post(F("/inbox/%ld/accept", id), "version=1&as_proposed=1", &r);
	assert_int_equal(r.status, 303);
	assert_non_null(strstr(r.headers, "/inbox?done=accepted"));
	itest_resp_release(&r);
	json_t *m = get_message(id);
	char *row = registered(jint(m, "correspondence_id"));
	assert_string_equal(row, "in|draft_decision|2026-12-01|email|Draft "
				 "decision 25 004 112|2026-12-15|\n");
	free(row);
	json_decref(m);

	long chaser = take("hos_final_chaser");
	long case_id = case_id_of("202513877");
	/* Edited: no case number is refused on its field, nothing saved. */
	form_post(F("/inbox/%ld/accept", chaser),
		  "version=1&case_id=&kind=final_chaser&dated_on-day=2"
		  "&dated_on-month=12&dated_on-year=2026&summary=Final",
		  &r);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body, "href=\"#case_id\""));
	itest_resp_release(&r);
	form_post(F("/inbox/%ld/accept", chaser),
		  F("version=1&case_id=%ld&kind=final_chaser&dated_on-day=2"
		    "&dated_on-month=12&dated_on-year=2026&due_on-day=4"
		    "&due_on-month=12&due_on-year=2026&summary=Final+chaser"
		    "+by+the+portal",
		    case_id),
		  &r);
	assert_int_equal(r.status, 303);
	itest_resp_release(&r);
	m = get_message(chaser);
	row = registered(jint(m, "correspondence_id"));
	assert_string_equal(row, "in|final_chaser|2026-12-02|email|Final "
				 "chaser by the portal|2026-12-04|\n");
	free(row);
	json_decref(m);

	long other = take("bad_unknown_sender");
	form_post(F("/inbox/%ld/dismiss", other), "version=1&reason=", &r);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body, "href=\"#reason\""));
	itest_resp_release(&r);
	form_post(F("/inbox/%ld/dismiss", other),
		  "version=1&reason=Not+from+the+Ombudsman", &r);
	assert_int_equal(r.status, 303);
	itest_resp_release(&r);
	assert_int_equal(
		api_sql_long(F("SELECT count(*) FROM inbox_message WHERE id ="
			       " %ld AND state = 'dismissed' AND"
			       " dismiss_reason = 'Not from the Ombudsman'",
			       other)),
		1);
}

/* Upload a file as the Inbox page's form does (multipart, CSRF in query). */
static void upload(const char *path, struct itest_resp *r)
{
	struct sink b = {0}, hd = {0};
	char url[1024];
	memset(r, 0, sizeof(*r));
	snprintf(url, sizeof(url), "%s/inbox/upload?csrf_token=%s", server.base,
		 lo.csrf);
	curl_mime *mime = curl_mime_init(lo.h);
	curl_mimepart *part = curl_mime_addpart(mime);
	curl_mime_name(part, "file");
	curl_mime_filedata(part, path);
	curl_easy_setopt(lo.h, CURLOPT_URL, url);
	curl_easy_setopt(lo.h, CURLOPT_CUSTOMREQUEST, "POST");
	curl_easy_setopt(lo.h, CURLOPT_NOBODY, 0L);
	curl_easy_setopt(lo.h, CURLOPT_MIMEPOST, mime);
	curl_easy_setopt(lo.h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(lo.h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(lo.h, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(lo.h, CURLOPT_HEADERDATA, &hd);
	if (curl_easy_perform(lo.h) == CURLE_OK)
		curl_easy_getinfo(lo.h, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_setopt(lo.h, CURLOPT_MIMEPOST, NULL);
	curl_mime_free(mime);
	r->body = b.p ? b.p : calloc(1, 1);
	r->len = b.len;
	r->headers = hd.p ? hd.p : calloc(1, 1);
}

/*
 * An .eml uploaded on the Inbox page is taken in as an import is; one seen
 * before is refused on the file field; its attachments download as bytes
 * exactly as sent, never rendered.
 */
static void test_upload_and_download(void **state)
{
	(void)state;
	struct itest_resp r;
	char path[600];
	snprintf(path, sizeof(path), "%s/upload-%d.eml",
		 getenv("LINKDESK_TEST_TMP"), (int)getpid());
	char *out = NULL;
	assert_int_equal(
		itest_sh(F("sed 's/^Message-ID: <\\([^@]*\\)@/Message-ID:"
			   " <\\1-upload%d@/' '%s/tests/data/inbox/"
			   "lgsco_final_decision.eml' > '%s'",
			   (int)getpid(), getenv("LINKDESK_ROOT"), path),
			 &out),
		0);
	free(out);
	upload(path, &r);
	assert_int_equal(r.status, 303);
	const char *at = strstr(r.headers, "/inbox/");
	assert_non_null(at);
	long id = strtol(at + 7, NULL, 10);
	assert_non_null(strstr(r.headers, "?done=taken"));
	itest_resp_release(&r);
	json_t *m = get_message(id);
	assert_string_equal(jstr(m, "source"), "upload");
	assert_string_equal(jstr(json_object_get(m, "proposal"), "kind"),
			    "determination");
	json_t *a = json_array_get(json_object_get(m, "attachments"), 0);
	assert_string_equal(jstr(a, "name"), "final-decision.pdf");
	long attachment = jint(a, "id");
	assert_int_equal(api_sql_long(F("SELECT handled_by IS NULL FROM"
					" inbox_message WHERE id = %ld",
					id)),
			 0);
	json_decref(m);

	upload(path, &r);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body, "href=\"#file\""));
	assert_non_null(strstr(r.body, "taken in before"));
	itest_resp_release(&r);

	api_call(&lo, "GET", F("/inbox/attachments/%ld", attachment), NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.headers, "application/octet-stream"));
	assert_non_null(strstr(r.headers, "attachment; filename=\"final-"
					  "decision.pdf\""));
	assert_int_equal(r.len, 76);
	assert_memory_equal(r.body, "%PDF-1.4", 8);
	itest_resp_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_accept_as_proposed_is_what_a_person_types),
		cmocka_unit_test(test_edit_and_accept),
		cmocka_unit_test(test_refusals_register_nothing),
		cmocka_unit_test(test_dismiss_registers_nothing),
		cmocka_unit_test(test_pages_and_home),
		cmocka_unit_test(test_page_forms),
		cmocka_unit_test(test_upload_and_download),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
