/* System routes: health, the fixed ceiling route, the working-day calendar. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "date.h"
#include "embedded.h"
#include "handlers.h"
#include "input.h"
#include "store.h"
#include "workcal.h"

#define WORKDAYS_MAX 10000

enum ld_err h_healthz(struct request *req)
{
	int version = 0;
	enum ld_err err = store_ping(req->app->store);
	if (err)
		return request_fail(req, LD_EUNAVAILABLE, NULL,
				    "database unavailable");
	err = store_schema_version(req->app->store, &version);
	if (err == LD_ENOTFOUND)
		version = 0;
	else if (err)
		return request_fail(req, LD_EUNAVAILABLE, NULL,
				    "database unavailable");
	reply_json(req, 200,
		   json_pack("{s:s, s:s, s:i}", "status", "ok", "database",
			     "ok", "schema_version", version));
	return LD_OK;
}

enum ld_err h_openapi(struct request *req)
{
	reply_bytes(req, 200, "application/json", openapi_json,
		    strlen(openapi_json));
	return LD_OK;
}

/* A fixed body that touches nothing: the HTTP ceiling of bench/. */
enum ld_err h_ping(struct request *req)
{
	static const char body[] = "{\"pong\":true}";
	reply_bytes(req, 200, "application/json", body, sizeof(body) - 1);
	return LD_OK;
}

static enum ld_err query_date(struct request *req, const char *name,
			      int32_t *out)
{
	const char *v = request_query(req, name);
	if (!v)
		return request_fail(req, LD_EINVAL, name, "%s is required",
				    name);
	if (date_parse(v, out))
		return request_fail(req, LD_EINVAL, name,
				    "%s must be a real date as YYYY-MM-DD",
				    name);
	return LD_OK;
}

struct workdays_ctx {
	int32_t from, to;
	long days;
	bool adding;
	int32_t due;
	int between;
};

static enum ld_err workdays_calc(const struct workcal *cal, void *arg)
{
	struct workdays_ctx *c = arg;
	if (c->adding)
		return workcal_add(cal, c->from, (int)c->days, &c->due);
	return workcal_between(cal, c->from, c->to, &c->between);
}

static enum ld_err workdays_reply(struct request *req, struct workdays_ctx *c)
{
	char a[DATE_STRLEN], b[DATE_STRLEN];
	enum ld_err err = app_with_calendar(req->app, workdays_calc, c);

	if (err == LD_ERANGE)
		return request_fail(req, LD_ERANGE, c->adding ? "days" : "to",
				    "outside the bank holidays loaded; import "
				    "or generate that year first");
	if (err)
		return err;
	date_format(c->from, a);
	if (c->adding) {
		date_format(c->due, b);
		reply_json(req, 200,
			   json_pack("{s:s, s:I, s:s}", "from", a, "days",
				     (json_int_t)c->days, "due_date", b));
	} else {
		date_format(c->to, b);
		reply_json(req, 200,
			   json_pack("{s:s, s:s, s:i}", "from", a, "to", b,
				     "working_days", c->between));
	}
	return LD_OK;
}

/*
 * GET /api/v1/workdays?from=D&days=N -> the due date;
 * GET /api/v1/workdays?from=D&to=D   -> working days between.
 */
enum ld_err h_workdays(struct request *req)
{
	struct workdays_ctx c = {0};
	const char *days = request_query(req, "days");
	enum ld_err err = query_date(req, "from", &c.from);

	if (err)
		return err;
	if (days) {
		char *end;
		errno = 0;
		c.days = strtol(days, &end, 10);
		if (errno || end == days || *end || c.days < 0 ||
		    c.days > WORKDAYS_MAX)
			return request_fail(req, LD_EINVAL, "days",
					    "days must be a whole number from "
					    "0 to %d",
					    WORKDAYS_MAX);
		c.adding = true;
	} else if (!request_query(req, "to")) {
		return request_fail(req, LD_EINVAL, "days",
				    "give days (to add) or to (to count)");
	} else if ((err = query_date(req, "to", &c.to))) {
		return err;
	}
	return workdays_reply(req, &c);
}

/* POST /api/v1/workdays {"from": D, "days": N} or {"from": D, "to": D} */
enum ld_err h_workdays_post(struct request *req)
{
	static const char *const fields[] = {"from", "days", "to", NULL};
	struct workdays_ctx c = {0};
	long long days = -1;
	json_t *body;
	enum ld_err err;

	if ((err = request_json(req, &body)) ||
	    (err = input_known_fields(req, body, fields)) ||
	    (err = input_date(req, body, "from", true, &c.from)) ||
	    (err = input_int(req, body, "days", 0, WORKDAYS_MAX, false, &days)))
		return err;
	if (days >= 0) {
		c.adding = true;
		c.days = (long)days;
	} else if (!json_object_get(body, "to")) {
		return request_fail(req, LD_EINVAL, "days",
				    "give days (to add) or to (to count)");
	} else if ((err = input_date(req, body, "to", true, &c.to))) {
		return err;
	}
	return workdays_reply(req, &c);
}
