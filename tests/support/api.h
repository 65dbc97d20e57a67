/*
 * A signed-in client of the JSON API for the black-box tests: a libcurl
 * handle with its own cookie jar and the session's CSRF token.
 */
#ifndef API_H
#define API_H

#include "itest.h"

#define DEMO_PASSWORD "demo-linkdesk-2026"

struct api {
	CURL *h;
	char base[64];
	char csrf[64];
	char bearer[80]; /* "" or an API token used instead of the cookie */
	long user_id;
};

/* Sign in as a demo user ("link.officer" -> link.officer@demo...). */
void api_signin(struct api *a, const char *base, const char *who);
void api_release(struct api *a);

/* One call; body may be NULL.  Release r with itest_resp_release(). */
void api_call(struct api *a, const char *method, const char *path,
	      const char *body, struct itest_resp *r);

/*
 * A call that must answer status: returns the parsed body (json_decref it),
 * failing the test with the body otherwise.
 */
json_t *api_expect(struct api *a, long status, const char *method,
		   const char *path, const char *body);

/*
 * Append one call and its answer to the file LINKDESK_API_LOG names (unset:
 * nothing), one JSON object a line: method, path (with its query), the
 * request body, status, content type and the response body (or its length
 * in bytes when it is not UTF-8).  tests/openapi/check.py validates each
 * against docs/openapi.json.  api_call logs every call itself; a test that
 * sends a request of its own (a multipart upload) may log it here.
 */
void api_log(const char *method, const char *path, const char *body,
	     const struct itest_resp *r);

/*
 * A task action through the API (POST /api/v1/tasks/{id}/actions) at the
 * task's current version; extra (NULL: none) is more of the body, from
 * its comma: ", \"comment\": \"...\"".  The test fails unless it is taken.
 */
void api_act(struct api *a, long task, const char *action, const char *extra);
/*
 * An information request on case_id dated dated_on (summary NULL: none)
 * with one task, title, for area: the new task's id, from the change's
 * answer (the tasks it made).
 */
long api_request_task(struct api *a, long case_id, const char *dated_on,
		      const char *summary, const char *title, long area);

/* printf into one of eight rotating static buffers, for paths and bodies. */
const char *F(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The error code and field of a failed call, checked. */
void api_refused(struct api *a, long status, const char *code,
		 const char *field, const char *method, const char *path,
		 const char *body);

/* Run SQL against the suite's database as the application's role. */
int api_sql(const char *sql, char **out);
/* The same as the role that owns the schema (triggers of a test's own,
 * rows the application's role may not write); api_owner_exec() fails the
 * test, with psql's words, if it fails. */
int api_owner_sql(const char *sql, char **out);
void api_owner_exec(const char *sql);

/* The number a query answers (its first column of its first row). */
long api_sql_long(const char *sql);
/* Run sql; the test fails, with psql's words, if it does. */
void api_exec(const char *sql);
/* The id of the service area called name, as a sees it. */
long api_area_id(struct api *a, const char *name);
/*
 * A service area called name with a case of its own and n open tasks on
 * it, none assigned, set on set_on and due on due (SQL of g, the task's
 * number from 1 to n), straight into the database; the area's id.
 */
long api_area_tasks(const char *name, int n, const char *set_on,
		    const char *due);
/* Integer member, string member (or "" ). */
long long jint(json_t *o, const char *key);
const char *jstr(json_t *o, const char *key);

/* How many times needle occurs in hay. */
int api_occurrences(const char *hay, const char *needle);

/* GET path as a: its body (free() it), its status checked. */
char *api_page_body(struct api *a, const char *path, long status);

/*
 * Every row of ids (of tasks or cases, in order) is on exactly one of the
 * pages of path (?page=N), 50 a page, linked as /href/ID, in the same
 * order; the pages have the GOV.UK pagination with previous and next, a
 * page past the last is not found and a ?page= that is no number refused.
 */
void api_pages_hold(struct api *a, const char *path, const char *href,
		    json_t *ids);

#endif
