/* Who is asking: sessions, API tokens, CSRF and role checks. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <strings.h>

#include "app.h"
#include "arena.h"
#include "auth_store.h"
#include "buf.h"
#include "http.h"
#include "log.h"
#include "page.h"
#include "router.h"
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
 * Whether the browser says the request comes from one of our own pages.
 * Origin is compared with the base URL, or the address the browser used;
 * "null" (sent under some referrer policies) proves nothing either way.
 * Sec-Fetch-Site, when sent, must say same-origin, or none for something
 * the user typed or bookmarked.  Clients that send neither pass: scripts
 * are not browsers carrying someone's cookie.
 */
static bool from_our_site(struct request *req)
{
	const char *site = request_header(req, "Sec-Fetch-Site");
	const char *origin = request_header(req, "Origin");
	const char *base = req->app->cfg.base_url;

	if (site && strcmp(site, "same-origin") && strcmp(site, "none"))
		return false;
	/*
	 * An opaque origin (a sandboxed frame, a data: page) could be anyone's,
	 * unless the browser vouches that it is no other site's.
	 */
	if (origin && !strcmp(origin, "null"))
		return site != NULL;
	if (origin) {
		const char *host = request_header(req, "Host");
		size_t n = origin_len(base);
		bool ours = strlen(origin) == n && !strncmp(origin, base, n);
		/* Also accept the address the browser actually used. */
		if (!ours && host) {
			const char *o = strstr(origin, "://");
			ours = o && !strcmp(o + 3, host);
		}
		return ours;
	}
	return true;
}

/*
 * A change made with a session cookie must carry the session's CSRF token,
 * and come from our own origin when the browser says where it came from.
 */
static enum ld_err check_csrf(struct request *req, const struct route *r)
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
	/* A page's upload: its field is read before the file's bytes. */
	if (!token && r->upload && page_path(req->path)) {
		req->csrf_in_body = true;
		return from_our_site(req)
			       ? LD_OK
			       : request_fail(req, LD_EFORBIDDEN, NULL,
					      "request from another "
					      "site refused");
	}

	if (!token || !secret_equal(token, req->who.csrf))
		return request_fail(req, LD_EFORBIDDEN, NULL,
				    "missing or wrong CSRF token: reload the "
				    "page and try again");
	if (!from_our_site(req))
		return request_fail(req, LD_EFORBIDDEN, NULL,
				    "request from another site refused");
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
		if (err == LD_EUNAUTHORISED)
			return request_fail(req, LD_EUNAUTHORISED, "token",
					    "this API token has expired");
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

	/*
	 * A public change has no session and so no CSRF token: the sign-in
	 * form is still refused from another site's page, so that nobody
	 * can sign a browser in to an account of theirs.
	 */
	if (!r->roles) {
		if (is_write(req->method) && !from_our_site(req))
			return request_fail(req, LD_EFORBIDDEN, NULL,
					    "request from another site "
					    "refused");
		return LD_OK;
	}
	if ((err = authenticate(req)))
		return err;
	req->signed_in = true;
	if (req->who.session_id && is_write(req->method) &&
	    (err = check_csrf(req, r)))
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

/*
 * An address as 16 bytes, IPv4 as IPv4-mapped IPv6, so that "10.0.0.1" and
 * "::ffff:10.0.0.1" are one address.  Accepts "[v6]", and a port after an
 * IPv4 address or a bracketed IPv6 one, as some proxies write them.
 */
static bool parse_addr(const char *s, size_t n, struct in6_addr *out)
{
	char text[INET6_ADDRSTRLEN + 8];
	struct in_addr v4;

	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n && *s == '[') {
		const char *end = memchr(s, ']', n);
		if (!end)
			return false;
		n = (size_t)(end - s) - 1;
		s++;
	} else if (memchr(s, '.', n)) {
		const char *colon = memchr(s, ':', n);
		/* One colon: IPv4 with a port (IPv6 has two or more). */
		if (colon &&
		    !memchr(colon + 1, ':', n - (size_t)(colon - s) - 1))
			n = (size_t)(colon - s);
	}
	if (n == 0 || n >= sizeof(text))
		return false;
	memcpy(text, s, n);
	text[n] = '\0';
	if (inet_pton(AF_INET, text, &v4) == 1) {
		memset(out, 0, sizeof(*out));
		out->s6_addr[10] = out->s6_addr[11] = 0xff;
		memcpy(&out->s6_addr[12], &v4, 4);
		return true;
	}
	return inet_pton(AF_INET6, text, out) == 1;
}

static void format_addr(const struct in6_addr *a, char out[INET6_ADDRSTRLEN])
{
	if (IN6_IS_ADDR_V4MAPPED(a))
		inet_ntop(AF_INET, &a->s6_addr[12], out, INET6_ADDRSTRLEN);
	else
		inet_ntop(AF_INET6, a, out, INET6_ADDRSTRLEN);
}

/* Whether a is one of the comma-separated addresses of list. */
static bool listed(const char *list, const struct in6_addr *a)
{
	struct in6_addr b;
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ",");
		if (parse_addr(p, n, &b) && !memcmp(&b, a, sizeof(b)))
			return true;
		p += n;
		if (*p)
			p++;
	}
	return false;
}

static bool peer_addr(struct request *req, struct in6_addr *out)
{
	const union MHD_ConnectionInfo *ci =
		req->conn
			? MHD_get_connection_info(
				  req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS)
			: NULL;
	if (!ci || !ci->client_addr)
		return false;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET) {
		memset(out, 0, sizeof(*out));
		out->s6_addr[10] = out->s6_addr[11] = 0xff;
		memcpy(&out->s6_addr[12],
		       &((const struct sockaddr_in *)(const void *)sa)
				->sin_addr,
		       4);
		return true;
	}
	if (sa->sa_family == AF_INET6) {
		*out = ((const struct sockaddr_in6 *)(const void *)sa)
			       ->sin6_addr;
		return true;
	}
	return false;
}

/* Every X-Forwarded-For header, in order, joined by commas. */
static enum MHD_Result forwarded(void *cls, enum MHD_ValueKind kind,
				 const char *key, const char *value)
{
	struct buf *b = cls;
	(void)kind;
	if (key && value && !strcasecmp(key, "X-Forwarded-For")) {
		if ((b->len && buf_addch(b, ',')) || buf_addstr(b, value))
			buf_reset(b); /* too long: believe none of it */
	}
	return MHD_YES;
}

/*
 * The peer's address, unless the peer is a trusted proxy: then the
 * right-most address of X-Forwarded-For that is not itself a trusted proxy
 * (the one the nearest trusted proxy saw), since anything to its left was
 * written by the client and proves nothing.
 */
const char *request_ip(struct request *req)
{
	const char *trusted = req->app->cfg.trusted_proxies;
	char text[INET6_ADDRSTRLEN] = "unknown";
	struct in6_addr addr;

	if (!peer_addr(req, &addr))
		return arena_strdup(req->arena, text);
	if (trusted && *trusted && listed(trusted, &addr)) {
		struct buf chain;
		buf_init(&chain, 8192);
		MHD_get_connection_values(req->conn, MHD_HEADER_KIND, forwarded,
					  &chain);
		const char *list = buf_str(&chain);
		size_t end = chain.len;
		while (end > 0 && listed(trusted, &addr)) {
			size_t start = end;
			while (start > 0 && list[start - 1] != ',')
				start--;
			struct in6_addr hop;
			if (!parse_addr(list + start, end - start, &hop))
				break;
			addr = hop;
			end = start ? start - 1 : 0;
		}
		buf_release(&chain);
	}
	format_addr(&addr, text);
	return arena_strdup(req->arena, text);
}
