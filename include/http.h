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

struct app;
struct arena;

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

	/* Set by request_fail() for the error body. */
	const char *err_field;
	const char *err_message;

	/* The reply, sent once the handler returns LD_OK. */
	unsigned int status;
	const char *content_type;
	char *data; /* malloc'd, handed to libmicrohttpd */
	size_t len;
	struct reply_header headers[HTTP_MAX_HEADERS];
	int nheaders;
};

typedef enum ld_err (*http_handler)(struct request *req);

struct route {
	const char *method;
	const char *pattern; /* "/api/v1/cases/{id}" */
	http_handler handler;
};

/* The route table and its size, in server/http/routes.c. */
extern const struct route http_routes[];
extern const size_t http_routes_count;

/* Start serving; NULL with a logged reason on failure. */
struct MHD_Daemon *http_start(struct app *app);

/* Stop accepting, wait (bounded) for requests in flight, then stop. */
void http_stop(struct MHD_Daemon *d, struct app *app);

/* The HTTP status for an error. */
unsigned int http_status(enum ld_err err);

/* A query-string value, or NULL.  Owned by libmicrohttpd. */
const char *request_query(struct request *req, const char *key);
/* A request header, or NULL.  Owned by libmicrohttpd. */
const char *request_header(struct request *req, const char *name);

/*
 * Parse the body as a JSON object (duplicate keys refused).  On success *out
 * is owned by the request's arena.  LD_EINVAL with a message otherwise.
 */
enum ld_err request_json(struct request *req, json_t **out);

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

/* Reply with bytes (copied). */
void reply_bytes(struct request *req, unsigned int status,
		 const char *content_type, const void *data, size_t len);

/* Add a response header; name and value must outlive the request. */
void reply_header(struct request *req, const char *name, const char *value);

#endif
