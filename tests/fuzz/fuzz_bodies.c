/*
 * JSON bodies into the domain structs, through the real handlers of every
 * JSON write endpoint (the first byte picks the endpoint, the rest is the
 * body).  The process has a store whose database cannot be reached, so a
 * body either is refused (4xx, with a message) or passes every check and
 * reaches the store (503).  Never a crash, never a 500, and never a
 * refusal without saying why.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "app.h"
#include "arena.h"
#include "date.h"
#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct app app;
static const struct route *writes[128];
static size_t nwrites;

static void start(void)
{
	char why[256];
	int32_t first, last;

	/* Port 1 refuses at once: every store call is "unavailable". */
	setenv("LINKDESK_DATABASE_URL",
	       "host=127.0.0.1 port=1 dbname=none connect_timeout=1", 1);
	setenv("LINKDESK_TODAY", "2026-11-23", 1);
	if (app_open(&app, why, sizeof(why)))
		abort();
	/* Weekends only, so that deadlines are worked out. */
	date_parse("2016-01-01", &first);
	date_parse("2036-12-31", &last);
	workcal_set_range(&app.cal, first, last);
	for (size_t i = 0; i < http_routes_count; i++) {
		const struct route *r = &http_routes[i];
		if (strncmp(r->pattern, "/api/v1/", 8) || r->upload ||
		    !strcmp(r->method, "GET"))
			continue;
		if (nwrites < sizeof(writes) / sizeof(writes[0]))
			writes[nwrites++] = r;
	}
	if (!nwrites)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!nwrites)
		start();
	if (size < 1)
		return 0;
	const struct route *r = writes[data[0] % nwrites];
	struct request req;
	memset(&req, 0, sizeof(req));
	req.app = &app;
	req.arena = arena_new();
	req.method = r->method;
	req.path = r->pattern;
	req.route = r;
	buf_init(&req.body, 1 << 20);
	buf_add(&req.body, data + 1, size - 1);
	req.params[0] = "1";
	req.params[1] = "1";
	req.nparams = 2;
	/* Someone who may do everything, in service area 1. */
	req.signed_in = true;
	req.who.user_id = 1;
	req.who.session_id = 1;
	req.who.roles = ~0u;
	req.who.service_area_id = 1;
	req.who.validator_title_id = 1;
	req.who.resident_access = true;

	enum ld_err err = r->handler(&req);
	switch (err) {
	case LD_OK:
	case LD_EUNAVAILABLE: break;
	case LD_EINVAL:
	case LD_EVALIDATION:
	case LD_ERANGE:
	case LD_ETOOLARGE:
		/* A refusal of the body says why. */
		if (!req.err_message || !*req.err_message) {
			fprintf(stderr,
				"%s %s: refused (%d) without a reason\n",
				r->method, r->pattern, (int)err);
			abort();
		}
		break;
	case LD_ENOTFOUND:
	case LD_ECONFLICT:
	case LD_EPRECONDITION:
	case LD_EFORBIDDEN:
	case LD_EUNAUTHORISED:
	case LD_ERATELIMIT: break;
	default:
		fprintf(stderr, "%s %s: error %d\n", r->method, r->pattern,
			(int)err);
		abort();
	}
	free(req.data);
	if (req.response)
		MHD_destroy_response(req.response);
	buf_release(&req.body);
	arena_free(req.arena);
	return 0;
}
