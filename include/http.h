/*
 * The HTTP layer on libmicrohttpd: one request context per request, one
 * route table (server/http/routes.c), one table from ld_err to status
 * (server/http/http_error.c).  Handlers read the request, call the store and
 * core, and either set a reply or return an error with request_fail().
 */
#ifndef HTTP_H
#define HTTP_H

#include <jansson.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <time.h>

#include "buf.h"
#include "ld_err.h"
#include "principal.h"

struct app;
struct arena;
struct workpool;

#define HTTP_MAX_PARAMS	 4
#define HTTP_MAX_HEADERS 12

struct reply_header {
	const char *name;
	const char *value;
};

struct request {
	struct MHD_Connection *conn;
	struct app *app;
	struct arena *arena; /* freed when the request completes */
	const char *method;
	const char *path;
	struct timespec start;

	struct buf body;
	bool body_too_large;

	const char *params[HTTP_MAX_PARAMS]; /* {name} segments of the route */
	int nparams;

	/* Who is asking, once the route's access check has passed. */
	bool signed_in;
	struct principal who;

	const struct route *route; /* matched on the first call */
	void *upload;		   /* the upload route's own state */
	size_t discarded;	   /* bytes dropped after a refusal */
	enum ld_err upload_err;	   /* an upload refused part-way */
	/* A page's upload carries its CSRF token as the multipart field
	 * before the file, never in its address: checked as it arrives. */
	bool csrf_in_body, csrf_ok;
	/*
	 * Why an upload was refused, as its page words it
	 * (page_upload_reason()), set beside request_fail() by the upload's
	 * own code: never read from the message's text.  A token refused is
	 * known by csrf_in_body and csrf_ok, over the limit by
	 * body_too_large or UPLOAD_TOO_LARGE.
	 */
	enum upload_refusal {
		UPLOAD_REFUSED, /* the message says why */
		UPLOAD_TOO_LARGE,
		UPLOAD_NO_FILE,
		UPLOAD_MANY_FILES,
		UPLOAD_NOT_MULTIPART,
	} upload_refusal;

	/* Set by request_fail() for the error body. */
	const char *err_field;
	const char *err_message;
	/* Fields the decoders pass over as left out (input_skip()). */
	struct input_skips *skips;

	/* The reply, sent once the handler returns LD_OK. */
	unsigned int status;
	const char *content_type;
	char *data; /* malloc'd, handed to libmicrohttpd */
	size_t len;
	struct reply_header headers[HTTP_MAX_HEADERS];
	int nheaders;
	struct MHD_Response *response; /* a streamed reply, instead of data */

	/* Work handed to a pool by request_defer(); the connection waits. */
	enum ld_err (*deferred)(struct request *req);
	struct workpool *defer_pool;
	bool defer_done;
	enum ld_err defer_err;
};

typedef enum ld_err (*http_handler)(struct request *req);

/*
 * A route that takes a streamed upload instead of a JSON body: begin runs
 * once the caller is known to be allowed, data for every chunk of the body,
 * and the route's handler when the body is complete.  abort runs whenever
 * the request ends without the handler having finished the upload (a
 * failure, a dropped connection), and must undo begin.
 */
struct upload_ops {
	enum ld_err (*begin)(struct request *req);
	enum ld_err (*data)(struct request *req, const char *data, size_t len);
	void (*abort)(struct request *req);
};

struct route {
	const char *method;
	const char *pattern; /* "/api/v1/cases/{id}" */
	http_handler handler;
	unsigned roles; /* enum role bits allowed; 0: no sign-in needed */
	const struct upload_ops *upload;
};

/* The route table and its size, in server/http/routes.c. */
extern const struct route http_routes[];
extern const size_t http_routes_count;

/*
 * What the request library asks of the router above it, so that it knows
 * no route, page or handler itself.
 */
struct http_router {
	/* The route of a request whose head has arrived, or NULL. */
	const struct route *(*find)(struct request *req);
	/* Answer a request whose body has arrived (req->route: find's). */
	enum ld_err (*dispatch)(struct request *req);
	/* Reply for an error the request ended with (a page, or JSON). */
	void (*error)(struct request *req, enum ld_err err);
	/* An upload route's checks and begin, before its body is read. */
	enum ld_err (*upload_begin)(struct request *req);
	/*
	 * An upload refused before or while its body is read (over the
	 * limit, no token, not multipart): err, for error(), or LD_OK with a
	 * reply of its own (a page's form saying why).
	 */
	enum ld_err (*upload_refused)(struct request *req, enum ld_err err);
};

/* Start serving through router; NULL with a logged reason on failure. */
struct MHD_Daemon *http_start(struct app *app,
			      const struct http_router *router);

/* Stop accepting, wait (bounded) for requests in flight, then stop. */
void http_stop(struct MHD_Daemon *d, struct app *app);

/* The HTTP status for an error. */
unsigned int http_status(enum ld_err err);

/* A query-string value, or NULL.  Owned by libmicrohttpd. */
const char *request_query(struct request *req, const char *key);

/*
 * A page's upload: size bytes at off of its csrf_token field, gathered
 * into token (cap bytes, "" at first); sets req->csrf_ok once the token
 * is the session's.  False (stop reading) for a token too long or a part
 * out of order.  Every upload route calls it for the field, so no byte of
 * a file is kept before the token is checked.
 */
bool request_upload_token(struct request *req, char *token, size_t cap,
			  const char *data, uint64_t off, size_t size);
/* A request header, or NULL.  Owned by libmicrohttpd. */
const char *request_header(struct request *req, const char *name);

/*
 * Parse the body as a JSON object (duplicate keys refused).  On success *out
 * is owned by the request's arena.  LD_EINVAL with a message otherwise.
 */
enum ld_err request_json(struct request *req, json_t **out);

/*
 * Hand v to the request's arena, which releases it when the request ends,
 * and return v (NULL stays NULL).  A page builds its context with owned
 * values and needs no json_decref() on any path.
 */
json_t *request_own(struct request *req, json_t *v);

/*
 * Record why a request failed and return err, so a handler can say
 * `return request_fail(req, LD_EINVAL, "due_date", "not a date");`.
 * field may be NULL.  The message is copied into the arena.
 */
enum ld_err request_fail(struct request *req, enum ld_err err,
			 const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Reply with a JSON value (the reference is stolen). */
void reply_json(struct request *req, unsigned int status, json_t *value);

/*
 * Finish a handler that called the store: on success reply with the JSON
 * text it built (taking ownership); on failure pass the error on with the
 * store's reason, if it gave one.
 */
enum ld_err reply_result(struct request *req, enum ld_err err, char *json,
			 const struct why *why, unsigned int status);

/* Reply with JSON text the store built (ownership of text is taken). */
void reply_json_text(struct request *req, unsigned int status, char *text);

/* Reply with the error's JSON body: {"error": {code, message, field}}. */
void reply_error(struct request *req, enum ld_err err);

/* The client's address as text (for rate limits and the audit log). */
const char *request_ip(struct request *req);

/* A path parameter as a positive id; LD_ENOTFOUND when it is not one. */
enum ld_err request_id(struct request *req, int i, int64_t *out);

/*
 * Finish the request on a thread of pool instead of this HTTP thread, for
 * slow work (a password hash, a virus scan, storing an upload): the
 * connection is suspended, fn runs on the pool with the request as it is,
 * and what it replies (or the error it returns) is sent when it is done.
 * The HTTP thread serves other connections meanwhile.  A handler ends with
 * `return request_defer(req, req->app->hash_pool, fn);`.  When the pool's
 * queue is full the answer is 503 with Retry-After, and fn never runs.
 * Without a connection (the body fuzzer) or a pool, fn runs here and now.
 */
enum ld_err request_defer(struct request *req, struct workpool *pool,
			  enum ld_err (*fn)(struct request *req));

/* Reply with bytes (copied). */
void reply_bytes(struct request *req, unsigned int status,
		 const char *content_type, const void *data, size_t len);

/* Reply with a response the handler built (streamed); ownership taken. */
void reply_response(struct request *req, unsigned int status,
		    const char *content_type, struct MHD_Response *resp);

/* Add a response header; name and value must outlive the request. */
void reply_header(struct request *req, const char *name, const char *value);

#endif
