/* Every HTTP handler, listed in the route table of server/http/routes.c. */
#ifndef HANDLERS_H
#define HANDLERS_H

#include "http.h"

enum ld_err h_healthz(struct request *req);
enum ld_err h_ping(struct request *req);
enum ld_err h_workdays(struct request *req);
enum ld_err h_workdays_post(struct request *req);

#endif
