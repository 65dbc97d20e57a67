/* The one route table: every address the server answers is here. */
#include "handlers.h"

const struct route http_routes[] = {
	{"GET", "/healthz", h_healthz},
	{"GET", "/api/v1/ping", h_ping},
	{"GET", "/api/v1/workdays", h_workdays},
	{"POST", "/api/v1/workdays", h_workdays_post},
};

const size_t http_routes_count = sizeof(http_routes) / sizeof(http_routes[0]);
