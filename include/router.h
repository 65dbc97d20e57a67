/*
 * The router (server/http/router.c): the routes of server/http/routes.c
 * and who may use them, for the request library's http_start().
 */
#ifndef ROUTER_H
#define ROUTER_H

#include "http.h"

extern const struct http_router linkdesk_router;

/*
 * Check the route's access rule: authenticate (session cookie or bearer
 * token), check the CSRF token and Origin of a cookie-authenticated change,
 * then the role.  Fills req->who.  (server/http/auth.c)
 */
enum ld_err auth_check(struct request *req, const struct route *r);

#endif
