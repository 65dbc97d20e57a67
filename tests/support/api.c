#include "api.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

void api_log(const char *method, const char *path, const char *body,
	     const struct itest_resp *r)
{
	const char *file = getenv("LINKDESK_API_LOG");
	if (!file || !*file)
		return;
	const char *type = itest_resp_header(r, "Content-Type");
	json_t *line =
		json_pack("{s:s, s:s, s:s, s:I, s:s}", "test",
			  program_invocation_short_name, "method", method,
			  "path", path, "status", (json_int_t)r->status,
			  "content_type", type ? type : "");
	json_t *request = body ? json_string(body) : NULL;
	if (request)
		json_object_set_new(line, "request", request);
	json_t *text = json_stringn(r->body, r->len);
	if (text)
		json_object_set_new(line, "body", text);
	else
		json_object_set_new(line, "body_bytes",
				    json_integer((json_int_t)r->len));
	char *out = json_dumps(line, JSON_COMPACT);
	json_decref(line);
	if (!out)
		fail_msg("api log: cannot encode %s %s", method, path);
	/* One write of one line, appended: lines from several servers'
	 * clients never interleave. */
	FILE *f = fopen(file, "a");
	if (!f)
		fail_msg("api log: cannot open %s", file);
	setvbuf(f, NULL, _IOFBF, strlen(out) + 2);
	fprintf(f, "%s\n", out);
	fclose(f);
	free(out);
}

void api_signin(struct api *a, const char *base, const char *who)
{
	char body[256], url[128];
	struct itest_resp r;

	memset(a, 0, sizeof(*a));
	a->h = curl_easy_init();
	curl_easy_setopt(a->h, CURLOPT_COOKIEFILE, "");
	snprintf(a->base, sizeof(a->base), "%s", base);
	snprintf(body, sizeof(body),
		 "{\"email\": \"%s@demo.linkdesk.test\", \"password\": \"%s\"}",
		 who, DEMO_PASSWORD);
	snprintf(url, sizeof(url), "%s/api/v1/session", base);
	static const char *const headers[] = {"Content-Type: application/json",
					      NULL};
	itest_request(a->h, "POST", url, body, headers, &r);
	api_log("POST", "/api/v1/session", body, &r);
	if (r.status != 201)
		fail_msg("sign-in as %s: %ld %s", who, r.status, r.body);
	snprintf(a->csrf, sizeof(a->csrf), "%s", jstr(r.json, "csrf_token"));
	a->user_id = (long)jint(r.json, "id");
	itest_resp_release(&r);
}

void api_release(struct api *a)
{
	if (a->h)
		curl_easy_cleanup(a->h);
	a->h = NULL;
}

void api_call(struct api *a, const char *method, const char *path,
	      const char *body, struct itest_resp *r)
{
	char url[1024], csrf[128], bearer[128];
	const char *headers[4] = {"Content-Type: application/json"};
	int n = 1;

	snprintf(url, sizeof(url), "%s%s", a->base, path);
	if (a->bearer[0]) {
		snprintf(bearer, sizeof(bearer), "Authorization: Bearer %s",
			 a->bearer);
		headers[n++] = bearer;
	} else if (a->csrf[0]) {
		snprintf(csrf, sizeof(csrf), "X-CSRF-Token: %s", a->csrf);
		headers[n++] = csrf;
	}
	headers[n] = NULL;
	itest_request(a->h, method, url, body, headers, r);
	api_log(method, path, body, r);
}

json_t *api_expect(struct api *a, long status, const char *method,
		   const char *path, const char *body)
{
	struct itest_resp r;
	api_call(a, method, path, body, &r);
	if (r.status != status)
		fail_msg("%s %s: %ld, want %ld: %s", method, path, r.status,
			 status, r.body);
	json_t *j = json_incref(r.json);
	itest_resp_release(&r);
	return j;
}

void api_act(struct api *a, long task, const char *action, const char *extra)
{
	json_t *t =
		api_expect(a, 200, "GET", F("/api/v1/tasks/%ld", task), NULL);
	long version = (long)jint(t, "version");
	json_decref(t);
	json_decref(api_expect(a, 200, "POST",
			       F("/api/v1/tasks/%ld/actions", task),
			       F("{\"action\": \"%s\", \"version\": %ld%s}",
				 action, version, extra ? extra : "")));
}

const char *F(const char *fmt, ...)
{
	static char bufs[8][16384];
	static int next;
	char *b = bufs[next++ % 8];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b, sizeof(bufs[0]), fmt, ap);
	va_end(ap);
	return b;
}

void api_refused(struct api *a, long status, const char *code,
		 const char *field, const char *method, const char *path,
		 const char *body)
{
	struct itest_resp r;
	api_call(a, method, path, body, &r);
	if (r.status != status || strcmp(itest_error_code(&r), code))
		fail_msg("%s %s %s: %ld %s, want %ld %s", method, path,
			 body ? body : "", r.status, r.body, status, code);
	json_t *f = json_object_get(json_object_get(r.json, "error"), "field");
	if (field &&
	    (!json_is_string(f) || strcmp(json_string_value(f), field)))
		fail_msg("%s %s %s: field %s, want %s", method, path,
			 body ? body : "",
			 json_is_string(f) ? json_string_value(f) : "null",
			 field);
	itest_resp_release(&r);
}

/* sql through psql, connected by the environment's variable url. */
static int psql_as(const char *url, const char *sql, char **out)
{
	char cmd[8192];
	snprintf(cmd, sizeof(cmd),
		 "psql -X -q -t -A -v ON_ERROR_STOP=1 \"$%s\" -c \"%s\" 2>&1",
		 url, sql);
	return itest_sh(cmd, out);
}

int api_sql(const char *sql, char **out)
{
	return psql_as("LINKDESK_DATABASE_URL", sql, out);
}

int api_owner_sql(const char *sql, char **out)
{
	return psql_as("LINKDESK_OWNER_DATABASE_URL", sql, out);
}

void api_owner_exec(const char *sql)
{
	char *out = NULL;
	if (api_owner_sql(sql, &out))
		fail_msg("%s: %s", sql, out);
	free(out);
}

long api_sql_long(const char *sql)
{
	char *out;
	assert_int_equal(api_sql(sql, &out), 0);
	long n = strtol(out, NULL, 10);
	free(out);
	return n;
}

long api_area_id(struct api *a, const char *name)
{
	json_t *areas =
		api_expect(a, 200, "GET", "/api/v1/service-areas", NULL);
	size_t i;
	json_t *e;
	long id = 0;
	json_array_foreach(areas, i, e) if (!strcmp(jstr(e, "name"), name)) id =
		(long)jint(e, "id");
	json_decref(areas);
	if (id <= 0)
		fail_msg("no service area called %s", name);
	return id;
}

void api_exec(const char *sql)
{
	char *out = NULL;
	if (api_sql(sql, &out))
		fail_msg("%s: %s", sql, out);
	free(out);
}

long api_request_task(struct api *a, long case_id, const char *dated_on,
		      const char *summary, const char *title, long area)
{
	json_t *c = api_expect(
		a, 201, "POST", F("/api/v1/cases/%ld/correspondence", case_id),
		F("{\"kind\": \"information_request\", \"dated_on\": "
		  "\"%s\"%s%s%s,"
		  " \"tasks\": [{\"title\": \"%s\", \"service_area_id\": "
		  "%ld}]}",
		  dated_on, summary ? ", \"summary\": \"" : "",
		  summary ? summary : "", summary ? "\"" : "", title, area));
	long task = (long)jint(json_array_get(json_object_get(c, "tasks"), 0),
			       "id");
	json_decref(c);
	if (task <= 0)
		fail_msg("POST /api/v1/cases/%ld/correspondence answered no "
			 "task",
			 case_id);
	return task;
}

long api_area_tasks(const char *name, int n, const char *set_on,
		    const char *due)
{
	api_exec(F("INSERT INTO service_area (name) VALUES ('%s')", name));
	long id = api_sql_long(
		F("SELECT id FROM service_area WHERE name = '%s'", name));
	api_exec(F(
		"WITH c AS (INSERT INTO complaint (reference, category,"
		" service_area_id, received_on) VALUES ('%s', 'Repairs', %ld,"
		" date '%s' - 4) RETURNING id),"
		" o AS (INSERT INTO ombudsman_case (complaint_id, ombudsman_id,"
		" reference, stage, received_on) SELECT id, 1, '%s',"
		" 'investigation', date '%s' - 2 FROM c RETURNING id)"
		" INSERT INTO task (case_id, kind, title, service_area_id,"
		" set_on, due_on, due_rule) SELECT o.id, 'information_request',"
		" '%s ' || g, %ld, '%s', %s, 'given'"
		" FROM o, generate_series(1, %d) g",
		name, id, set_on, name, set_on, name, id, set_on, due, n));
	return id;
}

long long jint(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

int api_occurrences(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

char *api_page_body(struct api *a, const char *path, long status)
{
	struct itest_resp r;
	api_call(a, "GET", path, NULL, &r);
	assert_int_equal(r.status, status);
	char *body = strdup(r.body ? r.body : "");
	itest_resp_release(&r);
	return body;
}

void api_pages_hold(struct api *a, const char *path, const char *href,
		    json_t *ids)
{
	size_t n = json_array_size(ids), pages = (n + 49) / 50;
	assert_true(pages >= 2);
	for (size_t pg = 1; pg <= pages; pg++) {
		char *body = api_page_body(a, F("%s?page=%zu", path, pg), 200);
		const char *at = body;
		for (size_t i = 0; i < n; i++) {
			const char *link = F("href=\"/%s/%lld\"", href,
					     (long long)json_integer_value(
						     json_array_get(ids, i)));
			bool here = i / 50 == pg - 1;
			const char *found = strstr(body, link);
			if (!here) {
				assert_null(found);
				continue;
			}
			/* In order: each after the one before. */
			assert_non_null(found);
			assert_true(found >= at);
			at = found;
			assert_int_equal(api_occurrences(body, link), 1);
		}
		assert_non_null(strstr(body, "class=\"govuk-pagination\""));
		assert_non_null(strstr(body, "class=\"govuk-back-link\""));
		assert_non_null(strstr(
			body, F("aria-label=\"Page %zu\" aria-current=\"page\"",
				pg)));
		assert_int_equal(api_occurrences(body, "rel=\"prev\""), pg > 1);
		assert_int_equal(api_occurrences(body, "rel=\"next\""),
				 pg < pages);
		free(body);
	}
	/* Past the last page, and a page that is no number. */
	free(api_page_body(a, F("%s?page=%zu", path, pages + 1), 404));
	free(api_page_body(a, F("%s?page=0", path), 400));
	free(api_page_body(a, F("%s?page=2x", path), 400));
	free(api_page_body(a, F("%s?page=-1", path), 400));
}
