#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "app.h"
#include "arena.h"
#include "log.h"
#include "secret.h"
#include "utf8.h"
#include "workpool.h"
#include "xalloc.h"

#define SHUTDOWN_WAIT_MS 10000

/* The most of a refused body of unknown length read to answer it. */
#define DISCARD_MAX (16u << 20)

/* Room for multipart boundaries and headers around an uploaded file. */
#define UPLOAD_OVERHEAD (64 * 1024)

/* Sent with every response: see docs/security.md. */
static const struct reply_header security_headers[] = {
	{"X-Content-Type-Options", "nosniff"},
	{"Referrer-Policy", "same-origin"},
	{"X-Frame-Options", "DENY"},
	{"Content-Security-Policy",
	 "default-src 'self'; script-src 'self'; style-src 'self'; "
	 "img-src 'self' data:; font-src 'self'; object-src 'none'; "
	 "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"},
	{"Cache-Control", "no-store"},
};

/* A request built in-process (the body fuzzer's) has no connection. */
const char *request_query(struct request *req, const char *key)
{
	if (!req->conn)
		return NULL;
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND,
					   key);
}

bool request_upload_token(struct request *req, char *token, size_t cap,
			  const char *data, uint64_t off, size_t size)
{
	size_t have = strlen(token);
	if (off != have || have + size >= cap)
		return false;
	memcpy(token + have, data, size);
	token[have + size] = '\0';
	req->csrf_ok = secret_equal(token, req->who.csrf);
	return true;
}

const char *request_header(struct request *req, const char *name)
{
	if (!req->conn)
		return NULL;
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

enum ld_err request_fail(struct request *req, enum ld_err err,
			 const char *field, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* A message may quote the client's bytes: it must stay JSON. */
	req->err_field =
		field ? utf8_scrub(arena_strdup(req->arena, field)) : NULL;
	req->err_message = utf8_scrub(arena_strdup(req->arena, msg));
	return err;
}

static void json_release(void *p)
{
	json_decref(p);
}

json_t *request_own(struct request *req, json_t *v)
{
	if (v)
		arena_defer(req->arena, json_release, v);
	return v;
}

enum ld_err request_json(struct request *req, json_t **out)
{
	json_error_t jerr;
	json_t *v;

	if (req->body.len == 0)
		return request_fail(req, LD_EINVAL, NULL,
				    "request body is empty: a JSON object is "
				    "expected");
	v = json_loadb(req->body.ptr, req->body.len, JSON_REJECT_DUPLICATES,
		       &jerr);
	if (!v)
		return request_fail(req, LD_EINVAL, NULL,
				    "malformed JSON at line %d column %d: %s",
				    jerr.line, jerr.column, jerr.text);
	arena_defer(req->arena, json_release, v);
	if (!json_is_object(v))
		return request_fail(req, LD_EINVAL, NULL,
				    "a JSON object is expected");
	*out = v;
	return LD_OK;
}

void reply_bytes(struct request *req, unsigned int status,
		 const char *content_type, const void *data, size_t len)
{
	free(req->data);
	req->data = xmalloc(len);
	memcpy(req->data, data, len);
	req->len = len;
	req->status = status;
	req->content_type = content_type;
}

void reply_json(struct request *req, unsigned int status, json_t *value)
{
	free(req->data);
	req->data = json_dumps(value, JSON_COMPACT);
	if (!req->data)
		abort(); /* jansson fails only when out of memory */
	req->len = strlen(req->data);
	req->status = status;
	req->content_type = "application/json";
	json_decref(value);
}

void reply_json_text(struct request *req, unsigned int status, char *text)
{
	free(req->data);
	req->data = text;
	req->len = strlen(text);
	req->status = status;
	req->content_type = "application/json";
}

enum ld_err reply_result(struct request *req, enum ld_err err, char *json,
			 const struct why *why, unsigned int status)
{
	if (err) {
		free(json);
		if (why && why->msg[0])
			return request_fail(req, err, why->field, "%s",
					    why->msg);
		return err;
	}
	reply_json_text(req, status, json);
	return LD_OK;
}

enum ld_err request_id(struct request *req, int i, int64_t *out)
{
	const char *s = i < req->nparams ? req->params[i] : NULL;
	char *end;
	if (!s || *s < '1' || *s > '9')
		return request_fail(req, LD_ENOTFOUND, NULL, "not found");
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end || v <= 0)
		return request_fail(req, LD_ENOTFOUND, NULL, "not found");
	*out = v;
	return LD_OK;
}

void reply_response(struct request *req, unsigned int status,
		    const char *content_type, struct MHD_Response *resp)
{
	if (req->response)
		MHD_destroy_response(req->response);
	req->response = resp;
	req->status = status;
	req->content_type = content_type;
}

void reply_header(struct request *req, const char *name, const char *value)
{
	if (req->nheaders == HTTP_MAX_HEADERS)
		abort(); /* a programmer error: raise HTTP_MAX_HEADERS */
	req->headers[req->nheaders++] = (struct reply_header){name, value};
}

static const char *default_message(enum ld_err err)
{
	switch (err) {
	case LD_EINVAL:
		return "malformed request: text must be UTF-8, and each value "
		       "of its kind";
	case LD_ENOTFOUND: return "not found";
	case LD_EUNAUTHORISED: return "sign-in required";
	case LD_EFORBIDDEN: return "not permitted for your role";
	case LD_EUNAVAILABLE:
		return "the database cannot be reached or is out of space:"
		       " nothing was saved, try again shortly";
	case LD_ETIMEOUT:
		return "the database took too long (a lock or a slow query):"
		       " nothing was saved, try again";
	case LD_ETOOLARGE: return "request body too large";
	case LD_ERATELIMIT: return "too many attempts, try again later";
	default: return "internal error";
	}
}

void reply_error(struct request *req, enum ld_err err)
{
	const char *msg =
		req->err_message ? req->err_message : default_message(err);
	json_t *body = json_pack("{s:{s:s, s:s, s:o}}", "error", "code",
				 ld_err_name(err), "message", msg, "field",
				 req->err_field ? json_string(req->err_field)
						: json_null());
	reply_json(req, http_status(err), body);
}

/*
 * What the request library asks of the router above it (router.c): set by
 * http_start(), so that this file knows no route, page or handler.
 */
static const struct http_router *router;

/* Refusals that need no route, then the router's answer. */
static enum ld_err dispatch(struct request *req)
{
	bool upload = req->route && req->route->upload;
	enum ld_err err;
	if (req->body_too_large)
		err = request_fail(req, LD_ETOOLARGE, NULL,
				   "request body over the limit of %ld bytes",
				   upload ? req->app->cfg.file_max
					  : req->app->cfg.max_body);
	else if (req->upload_err)
		err = req->upload_err;
	else
		return router->dispatch(req);
	return upload && router->upload_refused
		       ? router->upload_refused(req, err)
		       : err;
}

static enum MHD_Result queue_reply(struct request *req)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	if (req->response) {
		resp = req->response;
		req->response = NULL;
	} else if (req->data)
		resp = MHD_create_response_from_buffer(req->len, req->data,
						       MHD_RESPMEM_MUST_FREE);
	else
		resp = MHD_create_response_from_buffer(0, NULL,
						       MHD_RESPMEM_PERSISTENT);
	req->data = NULL;
	if (!resp)
		return MHD_NO;
	for (size_t i = 0;
	     i < sizeof(security_headers) / sizeof(security_headers[0]); i++) {
		bool own = false;
		for (int k = 0; k < req->nheaders; k++)
			own |= !strcasecmp(req->headers[k].name,
					   security_headers[i].name);
		if (!own)
			MHD_add_response_header(resp, security_headers[i].name,
						security_headers[i].value);
	}
	/* Behind TLS (the proxy's), browsers are told to keep to it. */
	if (!strncmp(req->app->cfg.base_url, "https://", 8))
		MHD_add_response_header(resp, "Strict-Transport-Security",
					"max-age=31536000; includeSubDomains");
	if (req->content_type)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
					req->content_type);
	for (int i = 0; i < req->nheaders; i++)
		MHD_add_response_header(resp, req->headers[i].name,
					req->headers[i].value);
	ret = MHD_queue_response(req->conn, req->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result finish(struct request *req, enum ld_err err)
{
	if (err)
		router->error(req, err);
	if (!req->status)
		req->status = 200;
	return queue_reply(req);
}

enum ld_err request_defer(struct request *req, struct workpool *pool,
			  enum ld_err (*fn)(struct request *req))
{
	if (!req->conn || !pool)
		return fn(req);
	req->deferred = fn;
	req->defer_pool = pool;
	return LD_OK;
}

/*
 * Held by the HTTP thread from queueing a job until its connection is
 * suspended, and by the job to resume it: a job that ends at once cannot
 * resume a connection that is not yet suspended.
 */
static pthread_mutex_t defer_lock = PTHREAD_MUTEX_INITIALIZER;

static void resume(struct request *req, enum ld_err err)
{
	pthread_mutex_lock(&defer_lock);
	req->defer_err = err;
	req->defer_done = true;
	MHD_resume_connection(req->conn);
	pthread_mutex_unlock(&defer_lock);
}

static void run_deferred(void *arg)
{
	struct request *req = arg;
	resume(req, req->deferred(req));
}

/* Still waiting when the server stops: answered, never half done. */
static void cancel_deferred(void *arg)
{
	struct request *req = arg;
	reply_header(req, "Retry-After", "5");
	resume(req, request_fail(req, LD_EUNAVAILABLE, NULL,
				 "the server is stopping: try again in a "
				 "moment"));
}

static enum MHD_Result respond(struct request *req)
{
	enum ld_err err = dispatch(req);
	if (!err && req->deferred) {
		pthread_mutex_lock(&defer_lock);
		bool queued = workpool_submit(req->defer_pool, run_deferred,
					      cancel_deferred, req);
		if (queued)
			MHD_suspend_connection(req->conn);
		pthread_mutex_unlock(&defer_lock);
		if (queued)
			return MHD_YES; /* on_request is called again */
		req->deferred = NULL;
		reply_header(req, "Retry-After", "2");
		err = request_fail(req, LD_EUNAVAILABLE, NULL,
				   "the server is busy: try again in a few "
				   "seconds");
	}
	return finish(req, err);
}

/*
 * The head deadline (LINKDESK_HEAD_TIMEOUT).  libmicrohttpd's own timeout
 * counts only inactivity, so a client sending one header byte every few
 * seconds would keep its connection, and a place in every limit, for ever.
 * Each connection is watched from its start, and again from the end of
 * each request, until the next request's head has arrived; one that takes
 * longer is shut down.  Keep-alive connections left idle are closed at the
 * same deadline.
 */
struct watch {
	MHD_socket fd;
	time_t since; /* monotonic seconds; 0 while a request is handled */
	struct watch *prev, *next;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct watch list; /* sentinel of a circular list */
	bool stop;
	long timeout;
	pthread_t thread;
	bool running;
} watch = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

static time_t mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static void watch_set(struct MHD_Connection *conn, bool waiting)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
		conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct watch *w = ci ? ci->socket_context : NULL;
	if (!w)
		return;
	pthread_mutex_lock(&watch.lock);
	w->since = waiting ? mono_now() : 0;
	pthread_mutex_unlock(&watch.lock);
}

static void on_connection(void *cls, struct MHD_Connection *conn,
			  void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct watch *w = *socket_context;
	(void)cls;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
			conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		w = xcalloc(1, sizeof(*w));
		w->fd = ci ? ci->connect_fd : MHD_INVALID_SOCKET;
		pthread_mutex_lock(&watch.lock);
		w->since = mono_now();
		w->next = watch.list.next;
		w->prev = &watch.list;
		watch.list.next->prev = w;
		watch.list.next = w;
		pthread_mutex_unlock(&watch.lock);
		*socket_context = w;
		return;
	}
	if (!w)
		return;
	/* Before libmicrohttpd closes the socket, so fd is still ours. */
	pthread_mutex_lock(&watch.lock);
	w->prev->next = w->next;
	w->next->prev = w->prev;
	pthread_mutex_unlock(&watch.lock);
	free(w);
	*socket_context = NULL;
}

static void *watch_run(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&watch.lock);
	while (!watch.stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_cond_timedwait(&watch.wake, &watch.lock, &until);
		time_t now = mono_now();
		for (struct watch *w = watch.list.next; w != &watch.list;
		     w = w->next) {
			if (!w->since || now - w->since <= watch.timeout ||
			    w->fd == MHD_INVALID_SOCKET)
				continue;
			/* libmicrohttpd sees the end and closes it. */
			shutdown(w->fd, SHUT_RDWR);
			w->since = 0;
		}
	}
	pthread_mutex_unlock(&watch.lock);
	return NULL;
}

static bool content_length_over(struct request *req, long max)
{
	const char *cl = request_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
	char *end;
	if (!cl)
		return false;
	unsigned long long n = strtoull(cl, &end, 10);
	return *end == '\0' && n > (unsigned long long)max;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct app *app = cls;
	struct request *req = *con_cls;
	(void)version;

	/* Resumed: the deferred work is done, or not yet (a spurious call). */
	if (req && req->deferred) {
		pthread_mutex_lock(&defer_lock);
		bool done = req->defer_done;
		pthread_mutex_unlock(&defer_lock);
		if (!done)
			return MHD_YES;
		req->deferred = NULL;
		return finish(req, req->defer_err);
	}

	/*
	 * The first call only sets up: a response queued here would be sent
	 * with Connection: close by libmicrohttpd 0.9.75, losing keep-alive.
	 */
	if (!req) {
		watch_set(conn, false); /* the head has arrived */
		req = xcalloc(1, sizeof(*req));
		clock_gettime(CLOCK_MONOTONIC, &req->start);
		req->conn = conn;
		req->app = app;
		req->arena = arena_new();
		req->method = arena_strdup(req->arena, method);
		req->path = arena_strdup(req->arena, url);
		buf_init(&req->body, (size_t)app->cfg.max_body);
		atomic_fetch_add(&app->active_requests, 1);
		*con_cls = req;
		req->route = router->find(req);
		bool upload = req->route && req->route->upload;
		/*
		 * The exception: a declared body over the limit is refused at
		 * once, so a client that sent "Expect: 100-continue" never
		 * sends it, and closing the connection is what we want.
		 */
		if (content_length_over(req, upload ? app->cfg.file_max +
							      UPLOAD_OVERHEAD
						    : app->cfg.max_body)) {
			req->body_too_large = true;
			return respond(req);
		}
		/*
		 * An upload is checked before its body is read, so a refused
		 * one costs nothing; the answer waits for the next call.
		 */
		if (upload)
			req->upload_err = router->upload_begin(req);
		return MHD_YES;
	}
	if (*upload_data_size && req->route && req->route->upload) {
		size_t len = *upload_data_size;
		*upload_data_size = 0;
		if (req->status)
			return MHD_YES; /* answered; discard the rest */
		if (!req->upload_err) {
			req->upload_err =
				req->route->upload->data(req, upload_data, len);
			return MHD_YES;
		}
		/*
		 * Refused: read and drop the rest of the body so the client
		 * hears the answer on a connection that stays open, unless it
		 * goes on past any body we would have taken.
		 */
		req->discarded += len;
		if (req->discarded >
		    (size_t)app->cfg.file_max + UPLOAD_OVERHEAD)
			return MHD_NO; /* closed: no answer mid-body */
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t len = *upload_data_size;
		*upload_data_size = 0;
		if (req->status)
			return MHD_YES; /* answered; discard the rest */
		if (!req->body_too_large &&
		    buf_add(&req->body, upload_data, len)) {
			req->body_too_large = true;
			buf_release(&req->body);
		}
		/*
		 * A body over the limit whose length was not declared (chunked)
		 * is read and dropped, so the client hears 413 rather than a
		 * reset; one that goes on far past the limit has the
		 * connection closed (no answer can be queued mid-body).
		 */
		if (req->body_too_large) {
			req->discarded += len;
			if (req->discarded > DISCARD_MAX)
				return MHD_NO;
		}
		return MHD_YES;
	}
	if (req->status)
		return MHD_YES; /* already answered (413 mid-upload) */
	return respond(req);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode why)
{
	struct app *app = cls;
	struct request *req = *con_cls;
	struct timespec end;
	if (!req)
		return;
	watch_set(conn, true); /* the next request's head is awaited */
	clock_gettime(CLOCK_MONOTONIC, &end);
	double ms = (double)(end.tv_sec - req->start.tv_sec) * 1e3 +
		    (double)(end.tv_nsec - req->start.tv_nsec) / 1e6;
	char path[256];
	secret_log_text(req->path, path, sizeof(path));
	if (why == MHD_REQUEST_TERMINATED_COMPLETED_OK)
		log_info("%s %s %u %.1fms", req->method, path, req->status, ms);
	else
		log_info("%s %s %u %.1fms aborted (%d)", req->method, path,
			 req->status, ms, (int)why);
	if (req->upload && req->route && req->route->upload)
		req->route->upload->abort(req);
	if (req->response)
		MHD_destroy_response(req->response);
	free(req->data);
	buf_release(&req->body);
	arena_free(req->arena);
	free(req);
	*con_cls = NULL;
	atomic_fetch_sub(&app->active_requests, 1);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512], said[512];
	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	/* Its messages quote the request's URL. */
	secret_log_text(msg, said, sizeof(said));
	log_warn("http: %s", said);
}

/* Split "host:port" or "[v6]:port" and resolve it. */
static struct addrinfo *resolve_listen(const char *listen)
{
	char host[256];
	const char *colon = strrchr(listen, ':');
	struct addrinfo hints = {0}, *ai = NULL;

	if (!colon || colon == listen ||
	    (size_t)(colon - listen) >= sizeof(host))
		return NULL;
	if (listen[0] == '[' && colon[-1] == ']')
		snprintf(host, sizeof(host), "%.*s", (int)(colon - listen - 2),
			 listen + 1);
	else
		snprintf(host, sizeof(host), "%.*s", (int)(colon - listen),
			 listen);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if (getaddrinfo(host, colon + 1, &hints, &ai))
		return NULL;
	return ai;
}

static void stop_watch_and_pools(struct app *app)
{
	if (watch.running) {
		pthread_mutex_lock(&watch.lock);
		watch.stop = true;
		pthread_cond_signal(&watch.wake);
		pthread_mutex_unlock(&watch.lock);
		pthread_join(watch.thread, NULL);
		watch.running = false;
	}
	workpool_free(app->hash_pool);
	workpool_free(app->work_pool);
	workpool_free(app->bundle_pool);
	app->hash_pool = app->work_pool = app->bundle_pool = NULL;
}

struct MHD_Daemon *http_start(struct app *app, const struct http_router *with)
{
	struct addrinfo *ai = resolve_listen(app->cfg.listen);
	struct MHD_Daemon *d;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO |
			     MHD_USE_ITC | MHD_USE_ERROR_LOG |
			     MHD_ALLOW_SUSPEND_RESUME;

	if (!ai) {
		log_error("cannot use LINKDESK_LISTEN \"%s\": host:port needed",
			  app->cfg.listen);
		return NULL;
	}
	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	router = with;
	/* The pools and the watch exist before the first request can. */
	app->hash_pool =
		workpool_new("password hashing", (int)app->cfg.hash_threads,
			     (int)app->cfg.hash_queue);
	app->work_pool = workpool_new("slow work", (int)app->cfg.work_threads,
				      (int)app->cfg.work_queue);
	app->bundle_pool = workpool_new("bundles", (int)app->cfg.bundle_threads,
					(int)app->cfg.bundle_queue);
	watch.list.next = watch.list.prev = &watch.list;
	watch.timeout = app->cfg.head_timeout;
	watch.stop = false;
	watch.running = !pthread_create(&watch.thread, NULL, watch_run, NULL);
	d = !app->hash_pool || !app->work_pool || !app->bundle_pool ||
			    !watch.running
		    ? NULL
		    : MHD_start_daemon(
			      flags, 0, NULL, NULL, on_request, app,
			      MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
			      MHD_OPTION_SOCK_ADDR, ai->ai_addr,
			      MHD_OPTION_THREAD_POOL_SIZE,
			      (unsigned int)app->cfg.threads,
			      MHD_OPTION_CONNECTION_TIMEOUT,
			      (unsigned int)app->cfg.conn_timeout,
			      MHD_OPTION_PER_IP_CONNECTION_LIMIT,
			      (unsigned int)app->cfg.per_ip_connections,
			      MHD_OPTION_CONNECTION_LIMIT,
			      (unsigned int)app->cfg.max_connections,
			      MHD_OPTION_CONNECTION_MEMORY_LIMIT,
			      (size_t)app->cfg.conn_memory,
			      MHD_OPTION_LISTENING_ADDRESS_REUSE, 1,
			      MHD_OPTION_NOTIFY_COMPLETED, on_completed, app,
			      MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
			      MHD_OPTION_END);
	freeaddrinfo(ai);
	if (!d) {
		log_error("cannot listen on %s", app->cfg.listen);
		stop_watch_and_pools(app);
	}
	return d;
}

/*
 * Stopping: no new connections; the pools refuse new jobs, answer those
 * still waiting with 503 and let those running end (each is bounded by the
 * statement, lock and clamd timeouts), so no job resumes a connection after
 * the daemon is gone; then the replies in flight go out, and the daemon
 * stops.  The pools are freed only once nothing can reach them.
 */
void http_stop(struct MHD_Daemon *d, struct app *app)
{
	MHD_socket listener = MHD_quiesce_daemon(d);
	workpool_close(app->hash_pool);
	workpool_close(app->work_pool);
	workpool_close(app->bundle_pool);
	for (int waited = 0; atomic_load(&app->active_requests) > 0 &&
			     waited < SHUTDOWN_WAIT_MS;
	     waited += 20)
		usleep(20 * 1000);
	MHD_stop_daemon(d);
	if (listener != MHD_INVALID_SOCKET)
		close(listener);
	stop_watch_and_pools(app);
}
