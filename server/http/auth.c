/* Who is asking: sessions, API tokens, CSRF and role checks. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <strings.h>

#include "app.h"
#include "arena.h"
#include "auth_store.h"
#include "http.h"
#include "log.h"
#include "page.h"
#include "secret.h"
#include "workflow.h"

static bool is_write(const char *method)
{
	return strcmp(method, "GET") && strcmp(method, "HEAD");
}

/* The scheme://host[:port] of a URL, for comparing with Origin. */
static size_t origin_len(const char *url)
{
	const char *p = strstr(url, "://");
	if (!p)
		return strlen(url);
	p += 3;
	return (size_t)(p - url) + strcspn(p, "/");
}

/*
 * A change made with a session cookie must carry the session's CSRF token,
 * and come from our own origin when the browser says where it came from.
 */
static enum ld_err check_csrf(struct request *req)
{
	const char *token = request_header(req, "X-CSRF-Token");
	/* Pages' forms carry it as a field, or in the action's query. */
	if (!token)
		token = request_query(req, "csrf_token");
	if (!token && page_path(req->path)) {
		json_t *form = page_form(req);
		const char *field = form ? page_field(form, "csrf_token") : "";
		token = *field ? field : NULL;
	}
	const char *origin = request_header(req, "Origin");
	const char *base = req->app->cfg.base_url;

	if (!token || !secret_equal(token, req->who.csrf))
		return request_fail(req, LD_EFORBIDDEN, NULL,
				    "missing or wrong CSRF token: reload the "
				    "page and try again");
	if (origin && strcmp(origin, "null")) {
		const char *host = request_header(req, "Host");
		size_t n = origin_len(base);
		bool ours = strlen(origin) == n && !strncmp(origin, base, n);
		/* Also accept the address the browser actually used. */
		if (!ours && host) {
			const char *o = strstr(origin, "://");
			ours = o && !strcmp(o + 3, host);
		}
		if (!ours)
			return request_fail(
				req, LD_EFORBIDDEN, NULL,
				"request from another site refused");
	}
	return LD_OK;
}

static enum ld_err authenticate(struct request *req)
{
	const char *authz = request_header(req, "Authorization");
	const char *cookie = MHD_lookup_connection_value(
		req->conn, MHD_COOKIE_KIND, "ld_session");
	unsigned char hash[SECRET_HASH_LEN];
	enum ld_err err;

	if (authz) {
		if (strncasecmp(authz, "Bearer ", 7) || strlen(authz + 7) > 100)
			return request_fail(req, LD_EUNAUTHORISED, NULL,
					    "Authorization must be a Bearer "
					    "token");
		secret_hash(authz + 7, hash);
		err = auth_store_token(req->app->store, hash, &req->who);
		if (err == LD_ENOTFOUND)
			return request_fail(req, LD_EUNAUTHORISED, NULL,
					    "unknown or revoked API token");
		return err;
	}
	if (!cookie || strlen(cookie) > 100)
		return request_fail(req, LD_EUNAUTHORISED, NULL,
				    "sign-in required");
	secret_hash(cookie, hash);
	err = auth_store_session(req->app->store, hash,
				 req->app->cfg.session_idle, &req->who);
	if (err == LD_ENOTFOUND)
		return request_fail(req, LD_EUNAUTHORISED, NULL,
				    "sign-in required");
	if (err == LD_EUNAUTHORISED)
		return request_fail(req, LD_EUNAUTHORISED, "session",
				    "your session has expired: sign in again");
	return err;
}

enum ld_err auth_check(struct request *req, const struct route *r)
{
	enum ld_err err;

	if (!r->roles)
		return LD_OK;
	if ((err = authenticate(req)))
		return err;
	req->signed_in = true;
	if (req->who.session_id && is_write(req->method) &&
	    (err = check_csrf(req)))
		return err;
	if (!(req->who.roles & r->roles)) {
		char *what = arena_printf(req->arena, "%s %s", req->method,
					  req->path);
		if (auth_store_audit_refusal(req->app->store, req->who.user_id,
					     what))
			log_warn("could not audit a refused request");
		return request_fail(req, LD_EFORBIDDEN, NULL,
				    "not permitted for your role");
	}
	return LD_OK;
}

const char *request_ip(struct request *req)
{
	const union MHD_ConnectionInfo *ci =
		req->conn
			? MHD_get_connection_info(
				  req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS)
			: NULL;
	char addr[INET6_ADDRSTRLEN] = "unknown";
	if (ci && ci->client_addr) {
		const struct sockaddr *sa = ci->client_addr;
		if (sa->sa_family == AF_INET)
			inet_ntop(
				AF_INET,
				&((const struct sockaddr_in *)(const void *)sa)
					 ->sin_addr,
				addr, sizeof(addr));
		else if (sa->sa_family == AF_INET6)
			inet_ntop(
				AF_INET6,
				&((const struct sockaddr_in6 *)(const void *)sa)
					 ->sin6_addr,
				addr, sizeof(addr));
	}
	return arena_strdup(req->arena, addr);
}
