/*
 * Faults and hostile clients: the server killed in the middle of writes,
 * slow and greedy clients, path and header tricks, TLS-only headers,
 * resident details kept out of logs, mail and feeds, and a backup
 * restored into a fresh cluster.
 *
 * Each test starts the servers it needs; the suite's database is shared
 * with the other black-box tests, so rows made here carry their own
 * references.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "api.h"

/* A TCP connection to the server with a receive timeout, or -1. */
static int raw_connect(int port, int timeout_s)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port)};
	struct timeval tv = {.tv_sec = timeout_s};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/*
 * Everything the server sends on fd until it closes or goes quiet.
 * *closed says whether it closed (rather than timed out).
 */
static char *raw_read(int fd, bool *closed)
{
	size_t cap = 4096, len = 0;
	char *out = malloc(cap);
	*closed = false;
	for (;;) {
		if (cap - len < 2048)
			out = realloc(out, cap *= 2);
		ssize_t n = recv(fd, out + len, cap - len - 1, 0);
		if (n == 0) {
			*closed = true;
			break;
		}
		if (n < 0) {
			*closed = errno == ECONNRESET;
			break;
		}
		len += (size_t)n;
	}
	out[len] = '\0';
	return out;
}

/* One raw request on a fresh connection; the status, 0 if none came. */
static int raw_request(int port, const char *req, size_t len, char **body)
{
	int fd = raw_connect(port, 10);
	bool closed;
	int status = 0;
	assert_true(fd >= 0);
	if (send(fd, req, len, MSG_NOSIGNAL) < 0) {
		/* Refused mid-send: whatever it answered is still readable. */
	}
	char *out = raw_read(fd, &closed);
	close(fd);
	if (!strncmp(out, "HTTP/1.", 7))
		status = atoi(out + 9);
	if (body)
		*body = out;
	else
		free(out);
	return status;
}

static int get_status(const struct itest_server *s, const char *path)
{
	char url[256];
	struct itest_resp r;
	snprintf(url, sizeof(url), "%s%s", s->base, path);
	itest_request(NULL, "GET", url, NULL, NULL, &r);
	int status = (int)r.status;
	itest_resp_release(&r);
	return status;
}

/* ---- The server killed in the middle of a write load -------------- */

#define MAX_ACKED 4096

struct writer {
	struct api *api;
	long area, assignee;
	long cases[MAX_ACKED], tasks[MAX_ACKED];
	atomic_int ncases;
	int ntasks;
};

/* Complaint, case, evidence request with a task, until the server dies. */
static void *write_load(void *arg)
{
	struct writer *w = arg;
	char body[1024], path[128];
	struct itest_resp r;
	for (int i = 0; i < MAX_ACKED; i++) {
		snprintf(body, sizeof(body),
			 "{\"reference\": \"KILL-%d-%d\", \"category\":"
			 " \"Repairs\", \"service_area_id\": %ld,"
			 " \"received_on\": \"2026-06-01\", \"summary\":"
			 " \"Leak\", \"resident\": {\"name\": \"A Resident\"}}",
			 (int)getpid(), i, w->area);
		api_call(w->api, "POST", "/api/v1/complaints", body, &r);
		long complaint = r.status == 201 ? (long)jint(r.json, "id") : 0;
		itest_resp_release(&r);
		if (!complaint)
			break;
		snprintf(body, sizeof(body),
			 "{\"complaint_id\": %ld, \"ombudsman\": \"HOS\","
			 " \"reference\": \"%09d\", \"received_on\":"
			 " \"2026-11-16\"}",
			 complaint,
			 700000000 + (int)(getpid() % 1000) * 1000 + i);
		api_call(w->api, "POST", "/api/v1/cases", body, &r);
		long id = r.status == 201 ? (long)jint(r.json, "id") : 0;
		itest_resp_release(&r);
		if (!id)
			break;
		w->cases[atomic_load(&w->ncases)] = id;
		atomic_fetch_add(&w->ncases, 1);
		snprintf(path, sizeof(path), "/api/v1/cases/%ld/correspondence",
			 id);
		snprintf(
			body, sizeof(body),
			"{\"kind\": \"information_request\", \"dated_on\":"
			" \"2026-11-23\", \"channel\": \"portal\", \"summary\":"
			" \"Evidence\", \"tasks\": [{\"title\": \"Repair log\","
			" \"service_area_id\": %ld, \"assignee_id\": %ld}]}",
			w->area, w->assignee);
		api_call(w->api, "POST", path, body, &r);
		json_t *t =
			r.status == 201
				? json_array_get(
					  json_object_get(r.json, "tasks"), 0)
				: NULL;
		if (t)
			w->tasks[w->ntasks++] = (long)jint(t, "id");
		itest_resp_release(&r);
		if (!t)
			break;
	}
	return NULL;
}

static void test_sigkill_mid_writes(void **state)
{
	static const char *const env[] = {"LINKDESK_TODAY=2026-11-23", NULL};
	static struct writer w;
	struct itest_server s;
	struct api lo, repairs;
	pthread_t th;
	int status;
	char path[128];
	(void)state;

	itest_server_start(&s, env);
	api_signin(&lo, s.base, "link.officer");
	api_signin(&repairs, s.base, "repairs.officer");
	w.api = &lo;
	w.area = api_area_id(&lo, "Repairs and Maintenance");
	w.assignee = repairs.user_id;
	assert_int_equal(pthread_create(&th, NULL, write_load, &w), 0);
	for (int i = 0; i < 600 && atomic_load(&w.ncases) < 25; i++)
		usleep(20 * 1000);
	kill(s.pid, SIGKILL);
	waitpid(s.pid, &status, 0);
	assert_true(WIFSIGNALED(status));
	pthread_join(th, NULL);
	assert_true(atomic_load(&w.ncases) >= 25);

	/* Restarted, every acknowledged write is there. */
	itest_server_start(&s, env);
	snprintf(lo.base, sizeof(lo.base), "%s", s.base);
	for (int i = 0; i < atomic_load(&w.ncases); i++) {
		snprintf(path, sizeof(path), "/api/v1/cases/%ld", w.cases[i]);
		json_decref(api_expect(&lo, 200, "GET", path, NULL));
	}
	for (int i = 0; i < w.ntasks; i++) {
		snprintf(path, sizeof(path), "/api/v1/tasks/%ld", w.tasks[i]);
		json_decref(api_expect(&lo, 200, "GET", path, NULL));
	}

	/* And nothing is half-written: no row without its audit entry, no
	 * assigned task without its email, no request without its task. */
	char like[64];
	snprintf(like, sizeof(like), "'KILL-%d-%%'", (int)getpid());
	assert_true(api_sql_long(F("SELECT count(*) FROM complaint WHERE "
				   "reference LIKE %s",
				   like)) >= atomic_load(&w.ncases));
	assert_int_equal(
		api_sql_long(
			F("SELECT count(*) FROM complaint c WHERE reference "
			  "LIKE %s AND NOT EXISTS (SELECT 1 FROM audit_log a "
			  "WHERE a.entity = 'complaint' AND a.entity_id = "
			  "c.id AND a.action = 'insert')",
			  like)),
		0);
	assert_int_equal(
		api_sql_long(
			F("SELECT count(*) FROM ombudsman_case oc JOIN "
			  "complaint c ON c.id = oc.complaint_id WHERE "
			  "c.reference LIKE %s AND NOT EXISTS (SELECT 1 FROM "
			  "audit_log a WHERE a.entity = 'ombudsman_case' AND "
			  "a.entity_id = oc.id AND a.action = 'insert')",
			  like)),
		0);
	assert_int_equal(
		api_sql_long(
			F("SELECT count(*) FROM task t JOIN ombudsman_case oc "
			  "ON oc.id = t.case_id JOIN complaint c ON c.id = "
			  "oc.complaint_id WHERE c.reference LIKE %s AND NOT "
			  "EXISTS (SELECT 1 FROM outbox o WHERE o.task_id = "
			  "t.id AND o.kind = 'task_assigned')",
			  like)),
		0);
	assert_int_equal(
		api_sql_long(F("SELECT count(*) FROM correspondence r JOIN "
			       "ombudsman_case oc ON oc.id = r.case_id JOIN "
			       "complaint c ON c.id = oc.complaint_id WHERE "
			       "c.reference LIKE %s AND r.kind = "
			       "'information_request' AND NOT EXISTS (SELECT 1 "
			       "FROM task t WHERE t.correspondence_id = r.id)",
			       like)),
		0);
	api_release(&lo);
	api_release(&repairs);
	assert_int_equal(itest_server_stop(&s), 0);
}

/* ---- Hostile clients ----------------------------------------------- */

static void test_path_tricks(void **state)
{
	static const char *const paths[] = {
		"/static/../../../../etc/passwd",
		"/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
		"/static/..%2f..%2f..%2f..%2fetc%2fpasswd",
		"/static/%252e%252e/%252e%252e/etc/passwd",
		"/assets/../../Makefile",
		"/static/..\\..\\Makefile",
		"/static/.%2e/.%2e/Makefile",
		"/static/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
		"/static/",
		"/static/../static/../../README.md",
	};
	struct itest_server s;
	char req[512], *body;
	(void)state;
	itest_server_start(&s, NULL);
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		int n = snprintf(req, sizeof(req),
				 "GET %s HTTP/1.1\r\nHost: x\r\nConnection: "
				 "close\r\n\r\n",
				 paths[i]);
		int st = raw_request(s.port, req, (size_t)n, &body);
		if (st != 404 && st != 400)
			fail_msg("%s answered %d:\n%.300s", paths[i], st, body);
		assert_null(strstr(body, "root:"));
		assert_null(strstr(body, "PHONY"));
		assert_null(strstr(body, "# Linkdesk"));
		free(body);
	}
	/* The real file is served, so the refusals above mean something. */
	int n = snprintf(req, sizeof(req),
			 "GET /static/app.css HTTP/1.1\r\nHost: x\r\n"
			 "Connection: close\r\n\r\n");
	assert_int_equal(raw_request(s.port, req, (size_t)n, NULL), 200);
	/* libmicrohttpd ends the path at a decoded NUL: that is app.css
	 * itself, never a file named otherwise. */
	n = snprintf(req, sizeof(req),
		     "GET /static/app.css%%00.html HTTP/1.1\r\nHost: x\r\n"
		     "Connection: close\r\n\r\n");
	int st = raw_request(s.port, req, (size_t)n, &body);
	assert_true(st == 404 || st == 400 ||
		    (st == 200 && strstr(body, "text/css")));
	free(body);
	assert_int_equal(itest_server_stop(&s), 0);
}

static void test_oversize_headers(void **state)
{
	struct itest_server s;
	size_t big = 256 * 1024;
	char *req = malloc(big + 256);
	(void)state;
	itest_server_start(&s, NULL);
	int n = snprintf(req, 256,
			 "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ");
	memset(req + n, 'a', big);
	memcpy(req + n + big, "\r\n\r\n", 5);
	int st = raw_request(s.port, req, (size_t)n + big + 4, NULL);
	/* Refused (431, or the connection closed), and the server lives. */
	assert_true(st == 0 || st == 431 || st == 400 || st == 413);
	/* Very many small headers. */
	size_t len = (size_t)snprintf(req, 64, "GET /healthz HTTP/1.1\r\n");
	for (int i = 0; len < big; i++)
		len += (size_t)snprintf(req + len, 64, "X-H%d: v\r\n", i);
	memcpy(req + len, "\r\n", 3);
	st = raw_request(s.port, req, len + 2, NULL);
	assert_true(st == 0 || st == 431 || st == 400 || st == 413);
	free(req);
	assert_int_equal(get_status(&s, "/healthz"), 200);
	assert_int_equal(itest_server_stop(&s), 0);
}

/* A client that sends half a request and waits is cut off. */
static void test_slow_client(void **state)
{
	static const char *const env[] = {"LINKDESK_CONN_TIMEOUT=2", NULL};
	struct itest_server s;
	int fds[20];
	bool closed;
	(void)state;
	itest_server_start(&s, env);
	for (int i = 0; i < 20; i++) {
		fds[i] = raw_connect(s.port, 6);
		assert_true(fds[i] >= 0);
		const char part[] =
			"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ";
		assert_true(send(fds[i], part, sizeof(part) - 1, MSG_NOSIGNAL) >
			    0);
	}
	/* Meanwhile everyone else is served. */
	assert_int_equal(get_status(&s, "/healthz"), 200);
	for (int i = 0; i < 20; i++) {
		char *out = raw_read(fds[i], &closed);
		assert_true(closed);
		assert_null(strstr(out, "200 OK"));
		free(out);
		close(fds[i]);
	}
	assert_int_equal(itest_server_stop(&s), 0);
}

/*
 * A head trickled one byte at a time never goes idle long enough for the
 * inactivity timeout: the head deadline closes it, while others are served.
 */
static void test_trickled_head(void **state)
{
	static const char *const env[] = {"LINKDESK_CONN_TIMEOUT=30",
					  "LINKDESK_HEAD_TIMEOUT=2", NULL};
	struct itest_server s;
	struct timespec t0, t1;
	bool closed = false;
	(void)state;
	itest_server_start(&s, env);
	int fd = raw_connect(s.port, 1);
	assert_true(fd >= 0);
	const char part[] = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ";
	assert_true(send(fd, part, sizeof(part) - 1, MSG_NOSIGNAL) > 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* One byte every 0.5 s for up to 12 s, until the server closes. */
	for (int i = 0; i < 24 && !closed; i++) {
		char b;
		usleep(500 * 1000);
		if (send(fd, "a", 1, MSG_NOSIGNAL) < 0)
			closed = true;
		struct timeval tv = {0, 1000};
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		ssize_t n = recv(fd, &b, 1, 0);
		if (n == 0 ||
		    (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
			closed = true;
		if (i == 2)
			assert_int_equal(get_status(&s, "/healthz"), 200);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	close(fd);
	assert_true(closed);
	/* Closed near the deadline, not at the 30 s inactivity timeout. */
	assert_true(t1.tv_sec - t0.tv_sec <= 6);
	assert_int_equal(get_status(&s, "/healthz"), 200);
	assert_int_equal(itest_server_stop(&s), 0);
}

/*
 * A chunked body over the limit (no Content-Length to refuse it by) is
 * answered 413 with a JSON reason, not a reset connection.
 */
static void test_chunked_over_limit(void **state)
{
	static const char *const env[] = {"LINKDESK_MAX_BODY=4096", NULL};
	struct itest_server s;
	char *out = NULL;
	(void)state;
	itest_server_start(&s, env);
	size_t n = 0, cap = 64 * 1024;
	char *req = malloc(cap);
	n += (size_t)snprintf(req, cap,
			      "POST /api/v1/session HTTP/1.1\r\nHost: x\r\n"
			      "Content-Type: application/json\r\n"
			      "Transfer-Encoding: chunked\r\n\r\n");
	for (int i = 0; i < 8; i++) {
		n += (size_t)snprintf(req + n, cap - n, "400\r\n");
		memset(req + n, ' ', 1024);
		n += 1024;
		n += (size_t)snprintf(req + n, cap - n, "\r\n");
	}
	n += (size_t)snprintf(req + n, cap - n, "0\r\n\r\n");
	int status = raw_request(s.port, req, n, &out);
	if (status != 413)
		fail_msg("chunked body over the limit: %d %s", status,
			 out ? out : "");
	assert_non_null(strstr(out, "\"too_large\""));
	free(out);
	free(req);
	assert_int_equal(itest_server_stop(&s), 0);
}

/* One address cannot take every connection. */
static void test_per_address_limit(void **state)
{
	static const char *const env[] = {"LINKDESK_PER_IP_CONNECTIONS=8",
					  NULL};
	struct itest_server s;
	int fds[8];
	(void)state;
	itest_server_start(&s, env);
	/* Let the server see the start-up probe's connection close. */
	usleep(500 * 1000);
	for (int i = 0; i < 8; i++) {
		fds[i] = raw_connect(s.port, 5);
		assert_true(fds[i] >= 0);
	}
	usleep(200 * 1000);
	/* The ninth from the same address is closed unanswered. */
	static const char req[] =
		"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	assert_int_equal(raw_request(s.port, req, sizeof(req) - 1, NULL), 0);
	for (int i = 0; i < 8; i++)
		close(fds[i]);
	usleep(300 * 1000);
	assert_int_equal(raw_request(s.port, req, sizeof(req) - 1, NULL), 200);
	assert_int_equal(itest_server_stop(&s), 0);
}

/* ---- TLS-only headers ----------------------------------------------- */

static void test_behind_tls(void **state)
{
	static const char *const env[] = {
		"LINKDESK_BASE_URL=https://linkdesk.example.org", NULL};
	struct itest_server plain, tls;
	struct itest_resp r;
	char url[256];
	(void)state;
	itest_server_start(&plain, NULL);
	snprintf(url, sizeof(url), "%s/healthz", plain.base);
	itest_request(NULL, "GET", url, NULL, NULL, &r);
	assert_null(itest_resp_header(&r, "Strict-Transport-Security"));
	itest_resp_release(&r);
	assert_int_equal(itest_server_stop(&plain), 0);

	itest_server_start(&tls, env);
	snprintf(url, sizeof(url), "%s/healthz", tls.base);
	itest_request(NULL, "GET", url, NULL, NULL, &r);
	assert_string_equal(itest_resp_header(&r, "Strict-Transport-Security"),
			    "max-age=31536000; includeSubDomains");
	itest_resp_release(&r);
	/* The session cookie is marked Secure. */
	static const char *const json[] = {"Content-Type: application/json",
					   NULL};
	snprintf(url, sizeof(url), "%s/api/v1/session", tls.base);
	itest_request(NULL, "POST", url,
		      "{\"email\": \"link.officer@demo.linkdesk.test\","
		      " \"password\": \"" DEMO_PASSWORD "\"}",
		      json, &r);
	assert_int_equal(r.status, 201);
	assert_non_null(
		strstr(itest_resp_header(&r, "Set-Cookie"), "; Secure"));
	itest_resp_release(&r);
	assert_int_equal(itest_server_stop(&tls), 0);
}

/* ---- Resident details stay in the database -------------------------- */

static bool contains_canary(const char *text)
{
	return strstr(text, "Canarywick") || strstr(text, "Canary Row") ||
	       strstr(text, "canary-asthma");
}

static void test_no_resident_details_leak(void **state)
{
	static const char *const env[] = {"LINKDESK_TODAY=2026-11-23", NULL};
	struct itest_server s;
	struct api lo, repairs, director;
	struct itest_resp r;
	char *text;
	(void)state;
	itest_server_start(&s, env);
	api_signin(&lo, s.base, "link.officer");
	api_signin(&repairs, s.base, "repairs.officer");
	api_signin(&director, s.base, "director");
	long area = api_area_id(&lo, "Repairs and Maintenance");
	json_t *c = api_expect(
		&lo, 201, "POST", "/api/v1/complaints",
		F("{\"reference\": \"LEAK-%d\", \"category\": \"Repairs\","
		  " \"service_area_id\": %ld, \"received_on\": \"2026-06-01\","
		  " \"summary\": \"Damp\", \"resident\": {\"name\": \"Quillon "
		  "Canarywick\", \"address\": \"7 Canary Row\","
		  " \"vulnerabilities\": \"canary-asthma\"}}",
		  (int)getpid(), area));
	long complaint = (long)jint(c, "id");
	json_decref(c);
	c = api_expect(&lo, 201, "POST", "/api/v1/cases",
		       F("{\"complaint_id\": %ld, \"ombudsman\": \"HOS\","
			 " \"reference\": \"%09d\", \"received_on\":"
			 " \"2026-11-16\"}",
			 complaint, 600000000 + (int)(getpid() % 100000)));
	long case_id = (long)jint(c, "id");
	json_decref(c);
	json_decref(api_expect(
		&lo, 201, "POST",
		F("/api/v1/cases/%ld/correspondence", case_id),
		F("{\"kind\": \"information_request\", \"dated_on\":"
		  " \"2026-11-23\", \"channel\": \"portal\", \"summary\":"
		  " \"Evidence\", \"tasks\": [{\"title\": \"Damp survey\","
		  " \"service_area_id\": %ld, \"assignee_id\": %ld}]}",
		  area, repairs.user_id)));

	/* The link officer is entitled, and sees it: the canary is real. */
	api_call(&lo, "GET", F("/api/v1/cases/%ld", case_id), NULL, &r);
	assert_true(contains_canary(r.body));
	itest_resp_release(&r);
	api_call(&lo, "GET", "/api/v1/exports/case-log.csv", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_true(contains_canary(r.body));
	itest_resp_release(&r);

	/* Not in the service officer's view of the case, nor leadership's
	 * exports. */
	api_call(&repairs, "GET", F("/api/v1/cases/%ld", case_id), NULL, &r);
	assert_int_equal(r.status, 200);
	assert_false(contains_canary(r.body));
	itest_resp_release(&r);
	static const char *const exports[] = {"case-log.csv", "task-log.csv",
					      "case-log.xlsx"};
	for (size_t i = 0; i < 3; i++) {
		api_call(&director, "GET", F("/api/v1/exports/%s", exports[i]),
			 NULL, &r);
		assert_int_equal(r.status, 200);
		assert_true(r.len > 0);
		assert_null(memmem(r.body, r.len, "Canarywick", 10));
		itest_resp_release(&r);
	}

	/* Not in the assignee's calendar feed. */
	json_t *f = api_expect(&repairs, 201, "POST", "/api/v1/feeds",
			       "{\"scope\": \"mine\"}");
	char url[512];
	snprintf(url, sizeof(url), "%s%s", s.base,
		 strstr(jstr(f, "url"), "/feeds/"));
	json_decref(f);
	itest_request(NULL, "GET", url, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "Damp survey"));
	assert_false(contains_canary(r.body));
	itest_resp_release(&r);

	/* Not in any email queued, nor the audit's free text. */
	char *leak;
	assert_int_equal(
		api_sql("SELECT kind, subject, body FROM outbox WHERE "
			"(subject || body || coalesce(outbox_facts_of(outbox),"
			" '')) ILIKE '%canary%'",
			&leak),
		0);
	if (*leak)
		fail_msg("resident details in email: %s", leak);
	free(leak);
	assert_true(
		api_sql_long(F("SELECT count(*) FROM outbox WHERE case_id = "
			       "%ld",
			       case_id)) > 0);

	/* Not in the server's log. */
	api_release(&lo);
	api_release(&repairs);
	api_release(&director);
	assert_int_equal(itest_server_stop(&s), 0);
	text = itest_server_log(&s);
	assert_non_null(strstr(text, "/api/v1/complaints"));
	assert_false(contains_canary(text));
	free(text);
}

/* ---- Backup and restore --------------------------------------------- */

static void test_backup_restore(void **state)
{
	const char *tmp = getenv("LINKDESK_TEST_TMP");
	const char *root = getenv("LINKDESK_ROOT");
	const char *url = getenv("LINKDESK_DATABASE_URL");
	const char *owner = getenv("LINKDESK_OWNER_DATABASE_URL");
	int port = itest_free_port();
	char cmd[2048], ctl[1024], *a, *b;
	(void)state;
	snprintf(ctl, sizeof(ctl),
		 "env LD_PGDATA=%s/restore/pg LD_PGPORT=%d LD_PGFAST=1 sh "
		 "%s/scripts/devdb.sh",
		 tmp, port, root);
	/*
	 * The documented commands (docs/deploy.md): dump as the owner,
	 * restore as the owner, then migrate, which gives the server's role
	 * its rights and the evidence files back.
	 */
	snprintf(
		cmd, sizeof(cmd),
		"pg_dump --format=custom --file='%s/linkdesk.dump' '%s' && "
		"%s start && pg_restore --exit-on-error --no-owner "
		"--dbname='host=127.0.0.1 port=%d dbname=linkdesk "
		"user=linkdesk_owner' '%s/linkdesk.dump' && "
		"LINKDESK_OWNER_DATABASE_URL='host=127.0.0.1 port=%d "
		"dbname=linkdesk user=linkdesk_owner' "
		"LINKDESK_DATABASE_URL='host=127.0.0.1 port=%d dbname=linkdesk "
		"user=linkdesk' \"$LINKDESK_BIN\" migrate 2>&1",
		tmp, owner, ctl, port, tmp, port, port);
	char *out;
	if (itest_sh(cmd, &out))
		fail_msg("backup and restore failed:\n%s", out);
	free(out);

	/*
	 * Every case, task, audit row and evidence file came across, the
	 * files readable by the server's role.
	 */
	static const char q[] =
		"SELECT (SELECT count(*) FROM ombudsman_case) || ' ' || "
		"(SELECT md5(string_agg(reference || stage, ',' ORDER BY id)) "
		"FROM ombudsman_case) || ' ' || (SELECT count(*) FROM task) || "
		"' ' || (SELECT count(*) FROM audit_log) || ' ' || (SELECT "
		"count(*) FROM pg_largeobject_metadata) || ' ' || (SELECT "
		"count(*) FROM pg_largeobject_metadata WHERE lomowner = "
		"current_user::regrole)";
	snprintf(cmd, sizeof(cmd), "psql -X -A -t '%s' -c \"%s\"", url, q);
	assert_int_equal(itest_sh(cmd, &a), 0);
	snprintf(cmd, sizeof(cmd),
		 "psql -X -A -t 'host=127.0.0.1 port=%d dbname=linkdesk "
		 "user=linkdesk' -c \"%s\"",
		 port, q);
	assert_int_equal(itest_sh(cmd, &b), 0);
	assert_true(strtol(a, NULL, 10) > 0);
	assert_string_equal(a, b);
	free(a);
	free(b);

	/* And Linkdesk runs on the restored database. */
	char env_url[256];
	snprintf(env_url, sizeof(env_url),
		 "LINKDESK_DATABASE_URL=host=127.0.0.1 port=%d dbname=linkdesk "
		 "user=linkdesk",
		 port);
	const char *const env[] = {env_url, NULL};
	struct itest_server s;
	struct api lo;
	itest_server_start(&s, env);
	api_signin(&lo, s.base, "link.officer");
	json_t *cases = api_expect(&lo, 200, "GET", "/api/v1/cases", NULL);
	assert_true(json_array_size(json_object_get(cases, "items")) > 0 ||
		    json_array_size(cases) > 0);
	json_decref(cases);
	api_release(&lo);
	assert_int_equal(itest_server_stop(&s), 0);
	snprintf(cmd, sizeof(cmd), "LD_PGSTOP_MODE=immediate %s stop", ctl);
	assert_int_equal(itest_sh(cmd, NULL), 0);
}

/*
 * The database out of disk space (SQLSTATE 53100, raised here by a trigger
 * for one probe, as PostgreSQL raises it when a write finds no room): the
 * request answers 503 with a JSON reason, nothing of the change is stored,
 * and the same request succeeds once there is room again.
 */
static void test_disk_full(void **state)
{
	struct itest_server s;
	struct api lo;
	char *out = NULL;
	(void)state;
	itest_server_start(&s, NULL);
	api_signin(&lo, s.base, "link.officer");
	long case_id = api_sql_long(
		"SELECT min(id) FROM ombudsman_case WHERE stage <> 'closed'");
	long area = api_area_id(&lo, "Repairs and Maintenance");
	assert_int_equal(
		api_owner_sql(
			"CREATE FUNCTION disk_full_probe() RETURNS trigger"
			" LANGUAGE plpgsql AS \\$\\$ BEGIN RAISE EXCEPTION"
			" 'could not extend file: No space left on device'"
			" USING ERRCODE = 'disk_full'; END \\$\\$;"
			" CREATE TRIGGER disk_full_probe BEFORE INSERT ON task"
			" FOR EACH ROW WHEN (NEW.title = 'Disk full probe')"
			" EXECUTE FUNCTION disk_full_probe()",
			&out),
		0);
	free(out);
	static const char counts[] =
		"SELECT (SELECT count(*) FROM correspondence) || ' ' ||"
		" (SELECT count(*) FROM task) || ' ' || (SELECT count(*) FROM"
		" audit_log) || ' ' || (SELECT count(*) FROM outbox)";
	char *before, *after;
	assert_int_equal(api_sql(counts, &before), 0);
	const char *path = F("/api/v1/cases/%ld/correspondence", case_id);
	const char *body =
		F("{\"kind\": \"information_request\", \"dated_on\":"
		  " \"2026-11-23\", \"channel\": \"portal\", \"summary\":"
		  " \"Probe\", \"tasks\": [{\"title\": \"Disk full probe\","
		  " \"service_area_id\": %ld}]}",
		  area);
	struct itest_resp r;
	api_call(&lo, "POST", path, body, &r);
	assert_int_equal(r.status, 503);
	assert_non_null(r.json);
	assert_string_equal(jstr(json_object_get(r.json, "error"), "code"),
			    "unavailable");
	assert_non_null(strstr(
		jstr(json_object_get(r.json, "error"), "message"), "space"));
	itest_resp_release(&r);
	assert_int_equal(api_sql(counts, &after), 0);
	assert_string_equal(before, after);
	free(before);
	free(after);

	assert_int_equal(api_owner_sql("DROP TRIGGER disk_full_probe ON task;"
				       " DROP FUNCTION disk_full_probe()",
				       &out),
			 0);
	free(out);
	json_decref(api_expect(&lo, 201, "POST", path, body));
	api_release(&lo);
	assert_int_equal(itest_server_stop(&s), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sigkill_mid_writes),
		cmocka_unit_test(test_path_tricks),
		cmocka_unit_test(test_oversize_headers),
		cmocka_unit_test(test_slow_client),
		cmocka_unit_test(test_trickled_head),
		cmocka_unit_test(test_chunked_over_limit),
		cmocka_unit_test(test_per_address_limit),
		cmocka_unit_test(test_behind_tls),
		cmocka_unit_test(test_no_resident_details_leak),
		cmocka_unit_test(test_disk_full),
		cmocka_unit_test(test_backup_restore),
	};
	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int rc = cmocka_run_group_tests_name("faults", tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
