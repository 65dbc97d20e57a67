/*
 * The dashboard's forms refuse what their JSON twins refuse, with the same
 * decoder: an empty finding (which once spun a thread for ever holding the
 * case's row lock), a javascript: address for a published self-assessment,
 * control characters, values outside the API's lists.  Lengths count
 * characters, not bytes.  The sign-in form still signs in, its password
 * hash now on the hash pool.
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
static struct api lo;
static long area_housing;
static int seq;

static int setup(void **state)
{
	static const char *const env[] = {"LINKDESK_TODAY=2026-11-23", NULL};
	(void)state;
	itest_server_start(&server, env);
	api_signin(&lo, server.base, "link.officer");
	area_housing = api_area_id(&lo, "Housing Management");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	api_release(&lo);
	assert_int_equal(itest_server_stop(&server), 0);
	return 0;
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

/*
 * POST a urlencoded form as the browser does (the session's cookie, its
 * CSRF token as a field), giving up after timeout seconds: a request that
 * never answers is a status of 0.  The caller frees r->body and
 * r->headers.
 */
static void form_post(CURL *h, const char *csrf, const char *path,
		      const char *fields, long timeout, struct itest_resp *r)
{
	struct sink b = {0}, hd = {0};
	char url[1024];
	size_t size = strlen(fields) + 200;
	char *body = malloc(size);
	struct curl_slist *hl = curl_slist_append(
		NULL, "Content-Type: application/x-www-form-urlencoded");

	memset(r, 0, sizeof(*r));
	snprintf(url, sizeof(url), "%s%s", server.base, path);
	snprintf(body, size, "%s%scsrf_token=%s", fields, *fields ? "&" : "",
		 csrf ? csrf : "");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "POST");
	curl_easy_setopt(h, CURLOPT_NOBODY, 0L);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &hd);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout);
	CURLcode rc = curl_easy_perform(h);
	if (rc == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	else
		print_message("POST %s: %s\n", path, curl_easy_strerror(rc));
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, NULL);
	curl_slist_free_all(hl);
	free(body);
	r->body = b.p ? b.p : calloc(1, 1);
	r->len = b.len;
	r->headers = hd.p ? hd.p : calloc(1, 1);
}

/*
 * A form the server must refuse promptly (5 s) with a page whose GOV.UK
 * error summary links to the input id: 400 or 422, as the API answers the
 * same refusal (test_same_status pins which).
 */
static long refused_saying(const char *path, const char *fields, const char *id,
			   const char *text)
{
	struct itest_resp r;
	char link[80];
	form_post(lo.h, lo.csrf, path, fields, 5, &r);
	long status = r.status;
	if (r.status != 400 && r.status != 422)
		fail_msg("%s %.100s: %ld (0: no answer in 5 s), want 400 or "
			 "422: %.300s",
			 path, fields, r.status, r.body);
	if (!strstr(r.body, "govuk-error-summary"))
		fail_msg("%s %.100s: no error summary: %.300s", path, fields,
			 r.body);
	snprintf(link, sizeof(link), "href=\"#%s\"", id);
	if (id && !strstr(r.body, link))
		fail_msg("%s %.100s: the summary does not link to #%s: %.3000s",
			 path, fields, id, r.body);
	if (text && !strstr(r.body, text))
		fail_msg("%s %.100s: the page does not say \"%s\": %.3000s",
			 path, fields, text, r.body);
	itest_resp_release(&r);
	return status;
}

static long refused(const char *path, const char *fields, const char *id)
{
	return refused_saying(path, fields, id, NULL);
}

/* A form that must be accepted: 303 to a page that is not an error. */
static void accepted(const char *path, const char *fields)
{
	struct itest_resp r;
	form_post(lo.h, lo.csrf, path, fields, 10, &r);
	if (r.status != 303)
		fail_msg("%s %.100s: %ld, want 303: %.3000s", path, fields,
			 r.status, r.body);
	itest_resp_release(&r);
}

/* A new HOS case on a new complaint of Housing; returns its id. */
static long new_case(void)
{
	int n = ++seq;
	json_t *c = api_expect(
		&lo, 201, "POST", "/api/v1/complaints",
		F("{\"reference\": \"FM-%d-%d\", \"category\": \"Repairs\","
		  " \"service_area_id\": %ld, \"received_on\": \"2026-06-01\"}",
		  (int)getpid(), n, area_housing));
	long complaint = (long)jint(c, "id");
	json_decref(c);
	c = api_expect(&lo, 201, "POST", "/api/v1/cases",
		       F("{\"complaint_id\": %ld, \"ombudsman\": \"HOS\","
			 " \"reference\": \"2023%05d\", \"received_on\":"
			 " \"2026-11-16\"}",
			 complaint, (int)getpid() % 900 * 100 + n));
	long id = (long)jint(c, "id");
	json_decref(c);
	return id;
}

static long determinations(long case_id)
{
	return api_sql_long(
		F("SELECT count(*) FROM determination WHERE case_id = %ld",
		  case_id));
}

/* n copies of s, urlencoded as given, into a static buffer. */
static const char *times(const char *s, int n)
{
	static char b[8][8192];
	static int next;
	char *out = b[next++ % 8];
	size_t len = strlen(s), at = 0;
	for (int i = 0; i < n && at + len < sizeof(b[0]); i++, at += len)
		memcpy(out + at, s, len);
	out[at] = '\0';
	return out;
}

#define DECIDED "decided_on-day=2&decided_on-month=11&decided_on-year=2026"

static void test_empty_finding(void **state)
{
	(void)state;
	long id = new_case();
	char path[80];
	snprintf(path, sizeof(path), "/cases/%ld/determination", id);
	/* The JSON twin refuses it... */
	api_refused(&lo, 400, "invalid", "findings[0].finding", "POST",
		    F("/api/v1/cases/%ld/determination", id),
		    "{\"decided_on\": \"2026-11-02\", \"findings\":"
		    " [{\"element\": \"Repairs\", \"finding\": \"\"}]}");
	/* ...and so does the form, at once. */
	refused_saying(path,
		       DECIDED "&element-1=Repairs&finding-1=", "finding-1",
		       "Choose the finding");
	assert_int_equal(determinations(id), 0);
	/* No lock is left behind: the case takes its determination. */
	accepted(path, DECIDED "&element-1=Repairs&finding-1=maladministration"
			       "&element-2=&finding-2=maladministration");
	assert_int_equal(determinations(id), 1);
	assert_int_equal(
		api_sql_long(F("SELECT count(*) FROM finding WHERE case_id ="
			       " %ld AND finding = 'maladministration'",
			       id)),
		1);
}

static void test_odd_determinations(void **state)
{
	(void)state;
	long id = new_case();
	char path[80];
	snprintf(path, sizeof(path), "/cases/%ld/determination", id);
	char remedy[300];
	snprintf(remedy, sizeof(remedy),
		 DECIDED "&element-1=Repairs&finding-1=maladministration"
			 "&description-1=Apologise&area-1=%ld",
		 area_housing);

	refused(path, DECIDED "&element-1=Repairs", "finding-1");
	refused(path, DECIDED "&element-1=&finding-1=maladministration",
		"element-1");
	/* Beside its input too, as the GOV.UK pattern has it. */
	struct itest_resp r;
	form_post(lo.h, lo.csrf, path,
		  DECIDED "&element-1=&finding-1=maladministration", 5, &r);
	assert_non_null(strstr(r.body, "id=\"element-1-error\""));
	itest_resp_release(&r);
	refused(path,
		DECIDED "&element-1=Rep%01airs&finding-1=maladministration",
		"element-1");
	refused(path, DECIDED "&element-1=Repairs&finding-1=nonsense",
		"element-1");
	refused(path, F("%s&kind-1=bribe&type-1=order", remedy), "kind-1");
	refused(path, F("%s&kind-1=apology&type-1=decree", remedy), "type-1");
	refused(path, F("%s&kind-1=apology&type-1=order&weeks-1=soon", remedy),
		"weeks-1");
	refused(path, F("%s&kind-1=apology&type-1=order&weeks-1=0", remedy),
		"weeks-1");
	refused(path,
		DECIDED "&element-1=Repairs&finding-1=maladministration"
			"&description-1=Apologise&kind-1=apology&type-1=order",
		"area-1");
	/* Characters, not bytes: 301 two-byte characters are too many. */
	refused(path,
		F(DECIDED "&element-1=%s&finding-1=maladministration",
		  times("%C3%A9", 301)),
		"element-1");
	assert_int_equal(determinations(id), 0);
	/* 300 of them (600 bytes) are within the limit of 300. */
	accepted(path, F(DECIDED "&element-1=%s&finding-1=maladministration",
			 times("%C3%A9", 300)));
	assert_int_equal(api_sql_long(F("SELECT length(element) FROM finding"
					" WHERE case_id = %ld",
					id)),
			 300);
}

static void test_lengths_in_characters(void **state)
{
	(void)state;
	/* A complaint's reference is up to 40 characters. */
	const char *forty = times("\xc3\xa9", 39);
	json_decref(api_expect(
		&lo, 201, "POST", "/api/v1/complaints",
		F("{\"reference\": \"%s%d\", \"category\": \"Repairs\","
		  " \"service_area_id\": %ld, \"received_on\": \"2026-06-01\"}",
		  forty, (int)getpid() % 10, area_housing)));
	api_refused(&lo, 400, "invalid", "reference", "POST",
		    "/api/v1/complaints",
		    F("{\"reference\": \"%s\", \"category\": \"Repairs\","
		      " \"service_area_id\": %ld, \"received_on\":"
		      " \"2026-06-01\"}",
		      times("\xc3\xa9", 41), area_housing));
	/* A form that is not UTF-8 is refused whole. */
	struct itest_resp r;
	form_post(lo.h, lo.csrf,
		  F("/cases/%ld/determination?csrf_token=%s", new_case(),
		    lo.csrf),
		  DECIDED "&element-1=%C3%28&finding-1=maladministration", 5,
		  &r);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body, "The form is malformed."));
	itest_resp_release(&r);
}

/* A new self-assessment; returns its id. */
static long draft_sa(void)
{
	json_t *sa = api_expect(&lo, 201, "POST", "/api/v1/self-assessments",
				"{\"title\": \"Forms test\", \"reason\":"
				" \"annual\"}");
	long id = (long)jint(sa, "id");
	json_decref(sa);
	return id;
}

/* Answer every provision and approve; returns the version approved. */
static int approve_sa(long id)
{
	size_t i;
	json_t *p,
		*sa = api_expect(&lo, 200, "GET",
				 F("/api/v1/self-assessments/%ld", id), NULL);
	json_array_foreach(json_object_get(sa, "provisions"), i, p)
	{
		json_decref(
			api_expect(&lo, 200, "PUT",
				   F("/api/v1/self-assessments/%ld/answers/%s",
				     id, jstr(p, "number")),
				   "{\"complies\": true}"));
	}
	json_decref(sa);
	sa = api_expect(&lo, 200, "GET", F("/api/v1/self-assessments/%ld", id),
			NULL);
	int v = (int)jint(sa, "version");
	json_decref(sa);
	sa = api_expect(&lo, 200, "POST",
			F("/api/v1/self-assessments/%ld/approve", id),
			F("{\"version\": %d, \"approved_on\": \"2026-11-20\","
			  " \"approved_by\": \"The board\"}",
			  v));
	assert_string_equal(jstr(sa, "status"), "approved");
	v = (int)jint(sa, "version");
	json_decref(sa);
	return v;
}

static const char *sa_status(long id)
{
	static char status[32];
	json_t *sa = api_expect(&lo, 200, "GET",
				F("/api/v1/self-assessments/%ld", id), NULL);
	snprintf(status, sizeof(status), "%s", jstr(sa, "status"));
	json_decref(sa);
	return status;
}

static void test_publish_url(void **state)
{
	(void)state;
	long id = draft_sa();
	char answer[80], path[80];
	snprintf(answer, sizeof(answer), "/self-assessments/%ld/provisions/1.2",
		 id);
	/* The provision form: the answer's own rules, as the API's. */
	refused(answer, "complies=maybe", "complies");
	refused(answer, "complies=yes&evidence=Policy%0B4", "evidence");
	refused(answer, "complies=no&action=Rewrite", "expected_on");
	/* Two wrong at once: both said (each linked to its input). */
	refused(answer, "complies=maybe&evidence=Policy%0B4", "complies");
	refused(answer, "complies=maybe&evidence=Policy%0B4", "evidence");
	accepted(answer, "complies=yes&evidence=Policy+s.4");
	int version = approve_sa(id);
	snprintf(path, sizeof(path), "/self-assessments/%ld/publish", id);
	const char *on = "published_on-day=23&published_on-month=11"
			 "&published_on-year=2026";
	struct itest_resp r;

	/* The API refuses a javascript: address... */
	api_refused(&lo, 400, "invalid", "published_url", "POST",
		    F("/api/v1/self-assessments/%ld/publish", id),
		    F("{\"version\": %d, \"published_on\": \"2026-11-23\","
		      " \"published_url\": \"javascript:alert(1)\"}",
		      version));
	/* ...and so does the form. */
	form_post(lo.h, lo.csrf, path,
		  F("version=%d&%s&published_url=javascript%%3Aalert(1)",
		    version, on),
		  5, &r);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body, "published_url"));
	itest_resp_release(&r);
	assert_string_equal(sa_status(id), "approved");
	/* One limit of 500 characters: 501 is refused by both. */
	char long_url[600];
	snprintf(long_url, sizeof(long_url), "https://example.org/%s",
		 times("a", 501 - 20));
	api_refused(&lo, 400, "invalid", "published_url", "POST",
		    F("/api/v1/self-assessments/%ld/publish", id),
		    F("{\"version\": %d, \"published_on\": \"2026-11-23\","
		      " \"published_url\": \"%s\"}",
		      version, long_url));
	form_post(lo.h, lo.csrf, path,
		  F("version=%d&%s&published_url=%s", version, on, long_url), 5,
		  &r);
	assert_int_equal(r.status, 400);
	itest_resp_release(&r);
	assert_string_equal(sa_status(id), "approved");
	/* 300 characters are within it, on the form as on the API. */
	accepted(path, F("version=%d&%s&published_url=https://example.org/%s",
			 version, on, times("b", 300 - 20)));
	assert_string_equal(sa_status(id), "published");
}

/*
 * A refusal has one status whichever face it comes through: 422 for a rule
 * (a response due before the letter), 400 for what cannot be read (a
 * control character), as the API answers.
 */
static void test_same_status(void **state)
{
	(void)state;
	long id = new_case();
	api_refused(&lo, 422, "validation_failed", "response_due_on", "POST",
		    F("/api/v1/cases/%ld/correspondence", id),
		    "{\"kind\": \"draft_decision\", \"dated_on\":"
		    " \"2026-11-20\", \"response_due_on\": \"2026-11-01\"}");
	assert_int_equal(
		refused(F("/cases/%ld/record?kind=draft_decision", id),
			"dated_on-day=20&dated_on-month=11&dated_on-year=2026"
			"&response_due_on-day=1&response_due_on-month=11"
			"&response_due_on-year=2026&summary=Draft",
			"response_due_on"),
		422);
	api_refused(&lo, 400, "invalid", "summary", "POST",
		    F("/api/v1/cases/%ld/correspondence", id),
		    "{\"kind\": \"other\", \"summary\": \"Bell\\u0007\"}");
	assert_int_equal(
		refused(F("/cases/%ld/record?kind=other", id),
			"dated_on-day=20&dated_on-month=11&dated_on-year=2026"
			"&summary=Bell%07",
			"summary"),
		400);
}

/*
 * One catalogue of bad input, fed to one command (registering an
 * information request) through both faces: the JSON body and the record
 * form.  Each is refused with the same status, naming the same field (the
 * form's summary links to its input), and nothing is saved.
 */
static const struct {
	const char *what;
	const char *json; /* the body's fields after "kind" */
	const char *form; /* the form's fields after the date */
	long status;
	const char *field; /* in the JSON refusal */
	const char *input; /* on the form */
} bad_inputs[] = {
	{"a title too long in characters",
	 "\"tasks\": [{\"title\": \"%s\", \"service_area_id\": %ld}]",
	 "title=%s&service_area_id=%ld", 400, "tasks[0].title", "title"},
	{"a line break in a title",
	 "\"tasks\": [{\"title\": \"Repairs\\nlog\", \"service_area_id\":"
	 " %ld}]",
	 "title=Repairs%%0Alog&service_area_id=%ld", 400, "tasks[0].title",
	 "title"},
	{"a control character in the summary",
	 "\"summary\": \"Bell\\u0007\", \"tasks\": [{\"title\": \"Log\","
	 " \"service_area_id\": %ld}]",
	 "summary=Bell%%07&title=Log&service_area_id=%ld", 400, "summary",
	 "summary"},
	{"a service area that is not a number",
	 "\"tasks\": [{\"title\": \"Log\", \"service_area_id\": \"x%ld\"}]",
	 "title=Log&service_area_id=x%ld", 400, "tasks[0].service_area_id",
	 "service_area_id"},
	{"a response date before the letter",
	 "\"response_due_on\": \"2026-11-01\", \"tasks\": [{\"title\":"
	 " \"Log\", \"service_area_id\": %ld}]",
	 "response_due_on-day=1&response_due_on-month=11&response_due_on-year="
	 "2026&title=Log&service_area_id=%ld",
	 422, "response_due_on", "response_due_on"},
};

static void test_bad_input_both_faces(void **state)
{
	(void)state;
	long id = new_case();
	const char *path = F("/cases/%ld/record?kind=information_request", id);
	const char *api = F("/api/v1/cases/%ld/correspondence", id);
	const char *long_title = times("\xc3\xa9", 301);
	const char *long_form = times("%C3%A9", 301);
	for (size_t i = 0; i < sizeof(bad_inputs) / sizeof(bad_inputs[0]);
	     i++) {
		char fields[4096], json[4096], body[4200], form[4400];
		bool lengthy = i == 0;
		if (lengthy) {
			snprintf(json, sizeof(json), bad_inputs[i].json,
				 long_title, area_housing);
			snprintf(fields, sizeof(fields), bad_inputs[i].form,
				 long_form, area_housing);
		} else {
			snprintf(json, sizeof(json), bad_inputs[i].json,
				 area_housing);
			snprintf(fields, sizeof(fields), bad_inputs[i].form,
				 area_housing);
		}
		snprintf(body, sizeof(body),
			 "{\"kind\": \"information_request\", \"dated_on\":"
			 " \"2026-11-20\", %s}",
			 json);
		snprintf(form, sizeof(form),
			 "dated_on-day=20&dated_on-month=11&dated_on-year=2026"
			 "&%s",
			 fields);
		print_message("%s\n", bad_inputs[i].what);
		api_refused(&lo, bad_inputs[i].status,
			    bad_inputs[i].status == 422 ? "validation_failed"
							: "invalid",
			    bad_inputs[i].field, "POST", api, body);
		assert_int_equal(refused(path, form, bad_inputs[i].input),
				 bad_inputs[i].status);
	}
	assert_int_equal(api_sql_long(F("SELECT count(*) FROM correspondence"
					" WHERE case_id = %ld AND kind <>"
					" 'notification'",
					id)),
			 0);
	/* The same request, well formed, is taken by both. */
	json_decref(
		api_expect(&lo, 201, "POST", api,
			   F("{\"kind\": \"information_request\", \"dated_on\":"
			     " \"2026-11-20\", \"tasks\": [{\"title\": \"%s\","
			     " \"service_area_id\": %ld}]}",
			     times("\xc3\xa9", 300), area_housing)));
	accepted(path, F("dated_on-day=20&dated_on-month=11&dated_on-year=2026"
			 "&title=%s&service_area_id=%ld",
			 times("%C3%A9", 300), area_housing));
	assert_int_equal(api_sql_long(F("SELECT count(*) FROM correspondence"
					" WHERE case_id = %ld AND kind ="
					" 'information_request'",
					id)),
			 2);
}

/*
 * A failure order's type: the sanction notice form asks it only where the
 * Ombudsman's sanction has types (data: ombudsman.sanction_types), and the
 * API and the form store it alike; a type the Ombudsman has not is refused
 * naming chfo_type.
 */
static void test_chfo_type(void **state)
{
	(void)state;
	long id = new_case(); /* the Housing Ombudsman's */
	const char *path = F("/cases/%ld/record?kind=sanction_notice", id);
	struct itest_resp r;
	api_call(&lo, "GET", path, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "name=\"chfo_type\" type=\"radio\""
				       " value=\"3\""));
	assert_null(strstr(r.body, "value=\"4\""));
	itest_resp_release(&r);
	accepted(path, "dated_on-day=20&dated_on-month=11&dated_on-year=2026"
		       "&chfo_type=2&summary=CHFO");
	assert_int_equal(
		api_sql_long(F("SELECT chfo_type FROM correspondence WHERE"
			       " case_id = %ld AND kind = 'sanction_notice'",
			       id)),
		2);
	api_refused(&lo, 422, "validation_failed", "chfo_type", "POST",
		    F("/api/v1/cases/%ld/correspondence", id),
		    "{\"kind\": \"sanction_notice\", \"chfo_type\": 4}");
	api_refused(&lo, 422, "validation_failed", "chfo_type", "POST",
		    F("/api/v1/cases/%ld/correspondence", id),
		    "{\"kind\": \"other\", \"chfo_type\": 1}");
	json_decref(api_expect(&lo, 201, "POST",
			       F("/api/v1/cases/%ld/correspondence", id),
			       "{\"kind\": \"sanction_notice\", \"chfo_type\":"
			       " 3}"));
	assert_int_equal(
		api_sql_long(F("SELECT count(*) FROM correspondence WHERE"
			       " case_id = %ld AND chfo_type IS NOT NULL",
			       id)),
		2);
	/* The other Ombudsman's sanction has no types: no question. */
	long lgsco = api_sql_long(
		"SELECT min(c.id) FROM ombudsman_case c JOIN ombudsman o"
		" ON o.id = c.ombudsman_id WHERE o.code = 'LGSCO'"
		" AND c.stage <> 'closed'");
	api_call(&lo, "GET", F("/cases/%ld/record?kind=sanction_notice", lgsco),
		 NULL, &r);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body, "chfo_type"));
	itest_resp_release(&r);
}

static void test_other_forms(void **state)
{
	(void)state;
	long id = new_case();
	json_t *c =
		api_expect(&lo, 200, "GET", F("/api/v1/cases/%ld", id), NULL);
	int version = (int)jint(c, "version");
	json_decref(c);

	/* The record form: a response due before the letter itself. */
	refused(F("/cases/%ld/record?kind=draft_decision", id),
		"dated_on-day=20&dated_on-month=11&dated_on-year=2026"
		"&response_due_on-day=1&response_due_on-month=11"
		"&response_due_on-year=2026&summary=Draft",
		"response_due_on");
	refused(F("/cases/%ld/record?kind=other", id),
		"dated_on-day=20&dated_on-month=11&dated_on-year=2026"
		"&summary=Bell%07",
		"summary");
	assert_int_equal(api_sql_long(F("SELECT count(*) FROM correspondence"
					" WHERE case_id = %ld AND kind <>"
					" 'notification'",
					id)),
			 0);
	/* Closing with an outcome the API does not know. */
	struct itest_resp r;
	form_post(lo.h, lo.csrf, F("/cases/%ld/close", id),
		  F("version=%d&outcome=vanished", version), 5, &r);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body, "outcome"));
	itest_resp_release(&r);
	/* A new notification whose reference has a control character. */
	refused_saying("/cases/new",
		       "received_on-day=20&received_on-month=11"
		       "&received_on-year=2026&complaint_id=&ombudsman=HOS",
		       "complaint_id", "Choose the complaint");
	refused("/cases/new",
		"received_on-day=20&received_on-month=11&received_on-year=2026"
		"&complaint_id=1&ombudsman=HOS&reference=AB%1B1",
		"reference");
}

/*
 * The error summary's entries of a refused form: how many, and that each
 * of ids is linked (href="#id") and beside its input; the caller frees
 * the page.
 */
static int summary_entries(const char *page, const char *const *ids)
{
	const char *list = strstr(page, "govuk-error-summary__list");
	const char *end = list ? strstr(list, "</ul>") : NULL;
	int n = 0;
	if (!end)
		fail_msg("no error summary: %.2000s", page);
	for (const char *p = list; (p = strstr(p, "href=\"#")) && p < end; p++)
		n++;
	for (int i = 0; ids[i]; i++) {
		char link[80], beside[80];
		snprintf(link, sizeof(link), "href=\"#%s\"", ids[i]);
		snprintf(beside, sizeof(beside), "id=\"%s-error\"", ids[i]);
		const char *at = strstr(list, link);
		if (!at || at > end)
			fail_msg("the summary does not link to #%s: %.3000s",
				 ids[i], list);
		if (!strstr(page, beside))
			fail_msg("no error message beside #%s: %.3000s", ids[i],
				 page);
	}
	return n;
}

/*
 * Every refusal of a form at once (issue 16): the record form's own date
 * and the two fields its API decoder refuses; the task form's three
 * fields the decoder refuses, one after the other.  Nothing is saved.
 */
static void test_all_refusals_at_once(void **state)
{
	(void)state;
	long id = new_case();
	struct itest_resp r;
	form_post(lo.h, lo.csrf,
		  F("/cases/%ld/record?kind=information_request", id),
		  F("dated_on-day=31&dated_on-month=2&dated_on-year=2026"
		    "&summary=Bell%%07&title=&service_area_id=%ld",
		    area_housing),
		  10, &r);
	assert_int_equal(r.status, 400);
	static const char *const record[] = {"dated_on", "summary", "title",
					     NULL};
	assert_int_equal(summary_entries(r.body, record), 3);
	assert_non_null(strstr(r.body, "Enter what exactly the Ombudsman"));
	itest_resp_release(&r);
	assert_int_equal(api_sql_long(F("SELECT count(*) FROM correspondence"
					" WHERE case_id = %ld AND kind <>"
					" 'notification'",
					id)),
			 0);

	long task = api_request_task(&lo, id, "2026-11-20", NULL,
				     "Repair records", area_housing);
	long before = api_sql_long(
		F("SELECT version FROM task WHERE id = %ld", task));
	form_post(lo.h, lo.csrf, F("/tasks/%ld/change", task),
		  F("version=%ld&service_area_id=housing&assignee_id=nobody"
		    "&priority=whenever",
		    before),
		  10, &r);
	assert_int_equal(r.status, 400);
	static const char *const change[] = {"service_area_id", "priority",
					     "assignee_id", NULL};
	assert_int_equal(summary_entries(r.body, change), 3);
	itest_resp_release(&r);
	assert_int_equal(api_sql_long(F("SELECT version FROM task WHERE id ="
					" %ld",
					task)),
			 before);
	/* Compensation with no amount, in words beside the amount (the API
	 * names remedies[0].amount_pence), and a determination not made. */
	api_refused(&lo, 422, "validation_failed", "remedies[0].amount_pence",
		    "POST", F("/api/v1/cases/%ld/determination", id),
		    F("{\"decided_on\": \"2026-11-02\", \"findings\":"
		      " [{\"element\": \"Repairs\", \"finding\":"
		      " \"maladministration\"}], \"remedies\": [{\"type\":"
		      " \"order\", \"kind\": \"compensation\","
		      " \"description\": \"Pay\", \"service_area_id\":"
		      " %ld}]}",
		      area_housing));
	refused_saying(F("/cases/%ld/determination", id),
		       F(DECIDED
			 "&element-1=Repairs&finding-1=maladministration"
			 "&description-1=Pay&type-1=order&kind-1=compensation"
			 "&area-1=%ld",
			 area_housing),
		       "amount-1", "Enter the compensation amount in pounds");
	assert_int_equal(determinations(id), 0);
}

/*
 * The new-user form is decoded by the API's decoder: a password counted in
 * characters (seven two-byte letters are 14 bytes but too short), a role
 * from the API's list; a good one adds the user with that role.
 */
static void test_admin_user_form(void **state)
{
	struct api admin;
	struct itest_resp r;
	(void)state;
	api_signin(&admin, server.base, "admin");
	const char *email = F("form-user-%d@demo.linkdesk.test", (int)getpid());
	form_post(admin.h, admin.csrf, "/admin/users",
		  F("name=Form+User&email=%s&role=validator&password="
		    "%%C3%%A9%%C3%%A9%%C3%%A9%%C3%%A9%%C3%%A9%%C3%%A9%%C3%%A9",
		    email),
		  10, &r);
	/* 422, as the API answers a password too short. */
	assert_int_equal(r.status, 422);
	assert_non_null(strstr(r.body, "govuk-error-summary"));
	assert_non_null(strstr(r.body, "#password"));
	itest_resp_release(&r);
	form_post(admin.h, admin.csrf, "/admin/users",
		  F("name=Form+User&email=%s&role=overlord&password="
		    "long+enough+password",
		    email),
		  10, &r);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body, "#role"));
	itest_resp_release(&r);
	assert_int_equal(api_sql_long(F("SELECT count(*) FROM app_user WHERE"
					" email = '%s'",
					email)),
			 0);
	form_post(admin.h, admin.csrf, "/admin/users",
		  F("name=Form+User&email=%s&role=validator&password="
		    "long+enough+password",
		    email),
		  10, &r);
	assert_int_equal(r.status, 303);
	itest_resp_release(&r);
	assert_int_equal(api_sql_long(F("SELECT count(*) FROM app_user u JOIN"
					" user_role r ON r.user_id = u.id"
					" WHERE u.email = '%s' AND r.role ="
					" 'validator'",
					email)),
			 1);
	api_release(&admin);
}

static void test_signin_form(void **state)
{
	(void)state;
	CURL *h = curl_easy_init();
	struct itest_resp r;
	curl_easy_setopt(h, CURLOPT_COOKIEFILE, "");

	form_post(h, NULL, "/sign-in",
		  "email=link.officer%40demo.linkdesk.test&password=wrong"
		  "-password-here",
		  30, &r);
	assert_int_equal(r.status, 401);
	assert_non_null(strstr(r.body, "govuk-error-summary"));
	itest_resp_release(&r);

	form_post(h, NULL, "/sign-in",
		  "email=link.officer%40demo.linkdesk.test&"
		  "password=" DEMO_PASSWORD,
		  30, &r);
	assert_int_equal(r.status, 303);
	assert_non_null(strstr(r.headers, "Set-Cookie: "));
	itest_resp_release(&r);
	/* The cookie takes us home. */
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	itest_request(h, "GET", F("%s/", server.base), NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "Sign out"));
	itest_resp_release(&r);
	curl_easy_cleanup(h);
}

/* The value of a quarter in a chart's table of the performance page. */
static long chart_value(const char *page, const char *title,
			const char *quarter)
{
	const char *t = strstr(page, F("%s, by quarter</caption>", title));
	const char *end = t ? strstr(t, "</table>") : NULL;
	const char *row =
		t ? strstr(t,
			   F("<th scope=\"row\" class=\"govuk-table__header\">"
			     "%s</th>",
			     quarter))
		  : NULL;
	if (!end || !row || row > end)
		fail_msg("no %s in the chart \"%s\"", quarter, title);
	const char *cell = strstr(row, "numeric\">");
	assert_non_null(cell);
	return strtol(cell + strlen("numeric\">"), NULL, 10);
}

/*
 * The performance page narrows by Ombudsman (and area) by the API's own
 * rules: its figure is the API's for the same narrowing, its figure links
 * and exports carry the narrowing, each Ombudsman's own section is left
 * out once one is chosen, and a value that is not an Ombudsman's code is
 * ignored, never echoed.
 */
static void test_leadership_narrowing(void **state)
{
	(void)state;
	json_t *k =
		api_expect(&lo, 200, "GET",
			   "/api/v1/kpis?period=2026-Q3&ombudsman=LGSCO", NULL);
	long received =
		(long)jint(json_object_get(k, "figures"), "cases_received");
	json_decref(k);
	struct itest_resp r;
	api_call(&lo, "GET", "/leadership?period=2026-Q3&ombudsman=LGSCO", NULL,
		 &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "<option value=\"LGSCO\" selected>"));
	assert_non_null(strstr(
		r.body, F("figure=cases_received&amp;ombudsman=LGSCO\">%ld<",
			  received)));
	assert_non_null(strstr(r.body, "kpis.csv?period=2026-Q3&amp;"
				       "ombudsman=LGSCO\""));
	assert_non_null(strstr(r.body, "task-log.csv\""));
	assert_null(strstr(r.body, "own measures"));
	/* Its charts too: the quarter's cases received are the LGSCO's,
	 * which are not everyone's, and the rate is the one the LGSCO
	 * counts. */
	k = api_expect(&lo, 200, "GET", "/api/v1/kpis?period=2026-Q3", NULL);
	long everyone =
		(long)jint(json_object_get(k, "figures"), "cases_received");
	json_decref(k);
	assert_true(everyone > received);
	assert_int_equal(chart_value(r.body, "Cases received", "2026-Q3"),
			 received);
	assert_non_null(strstr(r.body, "Uphold rate, detailed investigations"
				       " (LGSCO), by quarter"));
	itest_resp_release(&r);
	api_call(&lo, "GET", "/leadership?period=2026-Q3", NULL, &r);
	assert_int_equal(chart_value(r.body, "Cases received", "2026-Q3"),
			 everyone);
	/* With none chosen, the Housing Ombudsman's rate, as the catalogue
	 * (the first rate by a way of counting) says. */
	assert_non_null(strstr(r.body, "Maladministration rate, by findings"
				       " (Housing Ombudsman), by quarter"));
	assert_null(strstr(r.body, "Uphold rate, detailed investigations"
				   " (LGSCO), by quarter"));
	itest_resp_release(&r);
	api_call(&lo, "GET", "/leadership?period=2026-Q3&ombudsman=HOS", NULL,
		 &r);
	assert_non_null(strstr(r.body, "Maladministration rate, by findings"
				       " (Housing Ombudsman), by quarter"));
	itest_resp_release(&r);
	/* Which rate judges which way of counting is the catalogue's word,
	 * the one kpi_facts counts its measures by. */
	k = api_expect(&lo, 200, "GET", "/api/v1/kpis?period=2026-Q3", NULL);
	size_t i;
	json_t *f;
	int rates = 0;
	json_array_foreach(json_object_get(k, "catalogue"), i, f)
	{
		const char *name = jstr(f, "name");
		json_t *basis = json_object_get(f, "rate_basis");
		if (!strcmp(name, "uphold_rate"))
			rates += json_is_string(basis) &&
				 !strcmp(json_string_value(basis), "decisions");
		else if (!strcmp(name, "maladministration_rate"))
			rates += json_is_string(basis) &&
				 !strcmp(json_string_value(basis), "findings");
		else if (!json_is_null(basis))
			fail_msg("%s has a rate_basis", name);
	}
	assert_int_equal(rates, 2);
	json_decref(k);
	api_call(&lo, "GET", "/leadership?period=2026-Q3&ombudsman=%3Cb%3E",
		 NULL, &r);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body, "\" selected>"));
	assert_null(strstr(r.body, "ombudsman=&lt;b"));
	assert_non_null(strstr(r.body, "own measures"));
	itest_resp_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_finding),
		cmocka_unit_test(test_odd_determinations),
		cmocka_unit_test(test_lengths_in_characters),
		cmocka_unit_test(test_publish_url),
		cmocka_unit_test(test_same_status),
		cmocka_unit_test(test_bad_input_both_faces),
		cmocka_unit_test(test_chfo_type),
		cmocka_unit_test(test_other_forms),
		cmocka_unit_test(test_all_refusals_at_once),
		cmocka_unit_test(test_admin_user_form),
		cmocka_unit_test(test_signin_form),
		cmocka_unit_test(test_leadership_narrowing),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
