/*
 * The router, between the request library (http.c: one request, its body,
 * its reply) and the resources (h_*.c): which route a request is for, who
 * may use it (auth.c), the static files, and whether an error is answered
 * as a page or as JSON.  http.c calls it through struct http_router and
 * knows nothing of it.
 */
#include "router.h"

#include <string.h>

#include "app.h"
#include "arena.h"
#include "buf.h"
#include "handlers.h"
#include "page.h"

/* Match path against a pattern, filling req->params for {name} segments. */
static bool route_match(const char *pattern, const char *path,
			struct request *req)
{
	int nparams = 0;
	const char *p = pattern, *s = path;

	while (*p && *s) {
		if (*p != '/' || *s != '/')
			return false;
		p++;
		s++;
		size_t plen = strcspn(p, "/");
		size_t slen = strcspn(s, "/");
		if (*p == '{') {
			if (slen == 0 || nparams == HTTP_MAX_PARAMS)
				return false;
			req->params[nparams++] =
				arena_strndup(req->arena, s, slen);
		} else if (plen != slen || strncmp(p, s, plen)) {
			return false;
		}
		p += plen;
		s += slen;
	}
	if (*p || *s)
		return false;
	req->nparams = nparams;
	return true;
}

/* Find the route for the request; NULL with *path_known when only the
 * method is wrong. */
static const struct route *match(struct request *req, bool *path_known)
{
	const char *method = strcmp(req->method, "HEAD") ? req->method : "GET";
	*path_known = false;
	for (size_t i = 0; i < http_routes_count; i++) {
		const struct route *r = &http_routes[i];
		if (!route_match(r->pattern, req->path, req))
			continue;
		*path_known = true;
		if (!strcmp(r->method, method))
			return r;
	}
	return NULL;
}

/* The methods the request's address takes, for a 405's Allow header. */
static const char *allowed_methods(struct request *req)
{
	struct buf b;
	buf_init(&b, 256);
	for (size_t i = 0; i < http_routes_count; i++) {
		const struct route *r = &http_routes[i];
		if (!route_match(r->pattern, req->path, req))
			continue;
		buf_printf(&b, "%s%s%s", b.len ? ", " : "", r->method,
			   strcmp(r->method, "GET") ? "" : ", HEAD");
	}
	const char *out = arena_strdup(req->arena, buf_str(&b));
	buf_release(&b);
	return out;
}

static const struct route *find(struct request *req)
{
	bool path_known;
	return match(req, &path_known);
}

static enum ld_err dispatch(struct request *req)
{
	bool path_known;
	const struct route *r = req->route;
	enum ld_err err;

	if (!r && static_path(req->path) &&
	    (!strcmp(req->method, "GET") || !strcmp(req->method, "HEAD")))
		return h_static(req);
	if (!r && !(r = match(req, &path_known))) {
		if (path_known) {
			reply_header(req, "Allow", allowed_methods(req));
			return request_fail(req, LD_EMETHOD, NULL,
					    "this address does not take %s",
					    req->method);
		}
		return request_fail(req, LD_ENOTFOUND, NULL, "no such address");
	}
	/* An upload route was checked before its body arrived. */
	if (!r->upload && (err = auth_check(req, r)))
		return err;
	if (req->csrf_in_body && !req->csrf_ok)
		return request_fail(req, LD_EFORBIDDEN, NULL,
				    "missing or wrong CSRF token: reload the "
				    "page and try again");
	return r->handler(req);
}

/* A page's error is a page; the API's is JSON. */
static void error(struct request *req, enum ld_err err)
{
	if (page_path(req->path))
		page_error(req, err);
	else
		reply_error(req, err);
}

/* An upload is checked before its body is read: a refusal costs nothing. */
static enum ld_err upload_begin(struct request *req)
{
	enum ld_err err = auth_check(req, req->route);
	return err ? err : req->route->upload->begin(req);
}

/*
 * A page's upload refused before its body was read: its form again, with
 * the reason beside the file field.  A length refused at once came before
 * the route's access check, so it is made here (its refusal is not the
 * answer: the upload's is).
 */
static enum ld_err upload_refused(struct request *req, enum ld_err err)
{
	if (!page_path(req->path))
		return err;
	if (!req->signed_in && !req->body_too_large)
		return err; /* the access check refused it */
	if (!req->signed_in) {
		const char *field = req->err_field, *msg = req->err_message;
		enum ld_err denied = auth_check(req, req->route);
		req->err_field = field;
		req->err_message = msg;
		if (denied)
			return err;
	}
	return page_upload_refused(req, err);
}

const struct http_router linkdesk_router = {find, dispatch, error, upload_begin,
					    upload_refused};
