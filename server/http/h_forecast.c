/*
 * Forecasts on the pages and the API: the link officer's "Likely to be
 * late" list and sanction-risk flags, each task's risk, leadership's
 * expected late answers, the "This week" page, and the backtest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "arena.h"
#include "date.h"
#include "forecast_store.h"
#include "handlers.h"
#include "page.h"
#include "paging.h"
#include "view.h"
#include "workcal.h"
#include "workflow.h"

/* GET /api/v1/forecasts lists this many unless asked (?limit=, at most
 * the second). */
#define FORECASTS_LISTED     200
#define FORECASTS_LISTED_MAX 1000

/* One store call with the calendar held. */
struct call {
	struct request *req;
	enum ld_err (*fn)(struct call *c, const struct workcal *cal);
	int32_t today, from, to;
	int64_t id;
	size_t offset, max;
	const int64_t *ids;
	size_t n;
	struct forecast_filter filter;
	char *json;
	char *name; /* FORECAST_MODEL_NAME_LEN bytes */
};

static enum ld_err call_fn(const struct workcal *cal, void *arg)
{
	struct call *c = arg;
	return c->fn(c, cal);
}

static json_t *call_json(struct call *c, enum ld_err *err)
{
	*err = app_with_calendar(c->req->app, call_fn, c);
	json_t *j = *err ? NULL : json_loads(c->json ? c->json : "", 0, NULL);
	free(c->json);
	c->json = NULL;
	if (!*err && !j)
		*err = LD_EINTERNAL;
	return j;
}

static enum ld_err tasks_fn(struct call *c, const struct workcal *cal)
{
	return forecast_store_tasks(c->req->app->store, cal, &c->req->who,
				    c->today, &c->filter, &c->json);
}

static enum ld_err of_fn(struct call *c, const struct workcal *cal)
{
	return forecast_store_of(c->req->app->store, cal, c->today,
				 (int)c->req->app->cfg.late_risk_percent,
				 c->ids, c->n, &c->json);
}

static enum ld_err sanctions_fn(struct call *c, const struct workcal *cal)
{
	return forecast_store_sanctions(c->req->app->store, cal, &c->req->who,
					c->today, c->id, &c->json);
}

static enum ld_err flags_page_fn(struct call *c, const struct workcal *cal)
{
	return forecast_store_sanctions_page(c->req->app->store, cal,
					     &c->req->who, c->today, c->offset,
					     c->max, &c->json);
}

static enum ld_err expected_fn(struct call *c, const struct workcal *cal)
{
	return forecast_store_expected(c->req->app->store, cal, &c->req->who,
				       c->today, c->from, c->to, &c->json);
}

static enum ld_err backtest_fn(struct call *c, const struct workcal *cal)
{
	return forecast_store_backtest(c->req->app->store, cal, c->from, c->to,
				       c->today, &c->json);
}

/* The tag a forecast shows: red when likely late, else grey. */
static void forecast_labels(json_t *f)
{
	json_object_set_new(
		f, "tag",
		json_string(json_is_true(json_object_get(f, "likely_late"))
				    ? "govuk-tag--red"
				    : "govuk-tag--grey"));
	json_object_set_new(
		f, "label",
		json_sprintf("%lld%% likely to be late",
			     (long long)json_integer_value(
				     json_object_get(f, "percent"))));
}

/* Sanction flags with their dates as people read them. */
static void flag_labels(json_t *ctx, json_t *flags)
{
	json_object_set_new(ctx, "has_sanction_flags",
			    json_boolean(json_array_size(flags)));
	static const char *const dates[] = {"since", "act_by", NULL};
	size_t i;
	json_t *f;
	json_array_foreach(flags, i, f) view_dates(f, dates);
}

/* A likely-late or this-week list, its tasks decorated for the page. */
static json_t *task_list(struct request *req, const struct forecast_filter *f,
			 enum ld_err *err)
{
	struct call c = {.req = req, .fn = tasks_fn, .filter = *f};
	c.today = app_today(req->app);
	json_t *list = call_json(&c, err);
	if (!list)
		return NULL;
	json_t *tasks = json_object_get(list, "tasks"), *t;
	size_t i;
	page_view_tasks(req, tasks);
	json_array_foreach(tasks, i, t)
		forecast_labels(json_object_get(t, "forecast"));
	return list;
}

/* Into ctx: the link officer's likely-late tasks, max after offset (home's
 * and its page's): "likely_late", "has_likely_late", and
 * "likely_late_total" (every one); the total, or -1 on failure. */
static json_int_t likely_late_into(struct request *req, json_t *ctx,
				   size_t offset, size_t max, enum ld_err *err)
{
	struct forecast_filter f = {
		.min_percent = (int)req->app->cfg.late_risk_percent,
		.offset = (int)offset,
		.limit = (int)max};
	json_t *list = task_list(req, &f, err);
	if (!list)
		return -1;
	json_t *tasks = json_object_get(list, "tasks");
	json_int_t total = json_integer_value(json_object_get(list, "total"));
	json_object_set_new(ctx, "has_likely_late",
			    json_boolean(json_array_size(tasks)));
	json_object_set(ctx, "likely_late", tasks);
	json_object_set_new(ctx, "likely_late_total", json_integer(total));
	json_object_set_new(ctx, "late_risk_percent",
			    json_integer(req->app->cfg.late_risk_percent));
	json_decref(list);
	return total;
}

/* Into ctx: "sanction_flags" (max after offset, the soonest to act on
 * first), "has_sanction_flags" and "sanction_flags_total"; the total, or
 * -1 on failure. */
static json_int_t flags_into(struct request *req, json_t *ctx, size_t offset,
			     size_t max, enum ld_err *err)
{
	struct call c = {
		.req = req, .fn = flags_page_fn, .offset = offset, .max = max};
	c.today = app_today(req->app);
	json_t *page = call_json(&c, err);
	if (!page)
		return -1;
	json_t *flags = json_incref(json_object_get(page, "flags"));
	json_int_t total = json_integer_value(json_object_get(page, "total"));
	json_decref(page);
	flag_labels(ctx, flags);
	json_object_set_new(ctx, "sanction_flags", flags);
	json_object_set_new(ctx, "sanction_flags_total", json_integer(total));
	return total;
}

static enum ld_err model_name_fn(struct call *c, const struct workcal *cal)
{
	return forecast_store_model_name(c->req->app->store, cal, c->today,
					 c->name);
}

enum ld_err forecast_page_model(struct request *req, char *name)
{
	struct call c = {.req = req, .fn = model_name_fn, .name = name};
	c.today = app_today(req->app);
	return app_with_calendar(req->app, call_fn, &c);
}

enum ld_err forecast_page_home(struct request *req, json_t *ctx)
{
	enum ld_err err = LD_OK, flags_err = LD_OK;
	page_home_more(ctx, "likely_late_more",
		       likely_late_into(req, ctx, 0, PAGE_HOME_SHOWN, &err),
		       "tasks likely to be late");
	page_home_more(ctx, "sanction_flags_more",
		       flags_into(req, ctx, 0, PAGE_HOME_SHOWN, &flags_err),
		       "cases at risk of a sanction");
	return err ? err : flags_err;
}

/* GET /likely-late: every task home lists as likely to be late, 50 a
 * page, the soonest due first. */
enum ld_err h_page_likely_late(struct request *req)
{
	return page_paged(req, "Likely to be late", "/likely-late",
			  "likely_late", likely_late_into);
}

/* GET /sanction-risk: every case home flags at risk of a sanction, 50 a
 * page, the soonest to act on first. */
enum ld_err h_page_sanction_risk(struct request *req)
{
	return page_paged(req, "Sanction risk", "/sanction-risk",
			  "sanction_risk", flags_into);
}

void forecast_page_tasks(struct request *req, json_t *tasks)
{
	size_t n = json_array_size(tasks), i;
	int64_t *ids = arena_alloc(req->arena, (n ? n : 1) * sizeof(*ids));
	json_t *t;
	enum ld_err err;
	json_array_foreach(tasks, i, t) ids[i] =
		json_integer_value(json_object_get(t, "id"));
	struct call c = {.req = req, .fn = of_fn, .ids = ids, .n = n};
	c.today = app_today(req->app);
	json_t *by_id = call_json(&c, &err);
	if (!by_id)
		return;
	json_array_foreach(tasks, i, t)
	{
		char key[24];
		snprintf(key, sizeof(key), "%lld", (long long)ids[i]);
		json_t *f = json_object_get(by_id, key);
		if (!f)
			continue;
		forecast_labels(f);
		json_object_set(t, "forecast", f);
	}
	json_decref(by_id);
}

void forecast_page_case(struct request *req, json_t *ctx, int64_t case_id)
{
	enum ld_err err;
	struct call c = {.req = req, .fn = sanctions_fn, .id = case_id};
	c.today = app_today(req->app);
	json_t *flags = call_json(&c, &err);
	if (flags) {
		flag_labels(ctx, flags);
		json_object_set_new(ctx, "sanction_flags", flags);
	}
}

void forecast_page_leadership(struct request *req, json_t *ctx, int32_t from,
			      int32_t to)
{
	enum ld_err err;
	struct call c = {.req = req, .fn = expected_fn, .from = from, .to = to};
	c.today = app_today(req->app);
	json_t *e = call_json(&c, &err);
	if (!e)
		return;
	json_object_set_new(
		e, "expected_to_come_text",
		json_sprintf("%.1f", json_number_value(json_object_get(
					     e, "expected_to_come"))));
	json_object_set_new(
		e, "expected_late_text",
		json_sprintf("%.1f", json_number_value(json_object_get(
					     e, "expected_late"))));
	json_object_set_new(e, "running", json_boolean(c.today <= to));
	json_object_set_new(ctx, "late_forecast", e);
}

/* Monday to Sunday of the week holding day. */
static void week_of(int32_t day, int32_t *from, int32_t *to)
{
	*from = day - (date_weekday(day) - 1);
	*to = *from + 6;
}

enum ld_err h_page_this_week(struct request *req)
{
	enum ld_err err;
	int32_t today = app_today(req->app);
	struct forecast_filter f = {.limit = 500};
	char from[DATE_LONG_LEN], to[DATE_LONG_LEN];
	week_of(today, &f.due_from, &f.due_to);
	json_t *list = task_list(req, &f, &err);
	if (!list)
		return err;
	json_t *ctx = page_ctx(req, "This week", "/this-week");
	date_format_long(f.due_from, from);
	date_format_long(f.due_to, to);
	json_object_set_new(ctx, "week_text",
			    json_sprintf("%s to %s", from, to));
	json_object_set(ctx, "tasks", json_object_get(list, "tasks"));
	json_object_set_new(
		ctx, "has_tasks",
		json_boolean(json_array_size(json_object_get(list, "tasks"))));
	json_object_set(ctx, "total", json_object_get(list, "total"));
	json_object_set_new(ctx, "late_risk_percent",
			    json_integer(req->app->cfg.late_risk_percent));
	json_decref(list);
	if (page_has_role(req, ROLE_LINK_OFFICER) ||
	    page_has_role(req, ROLE_LEADERSHIP)) {
		struct call c = {.req = req, .fn = sanctions_fn};
		c.today = today;
		json_t *flags = call_json(&c, &err);
		if (flags) {
			flag_labels(ctx, flags);
			json_object_set_new(ctx, "sanction_flags", flags);
		}
	}
	page_this_week_digest(req, ctx);
	return page_render(req, 200, "this_week", ctx);
}

/* GET /api/v1/forecasts: open tasks the reader may see with their
 * forecasts; ?likely_late=true keeps those at the setting or above. */
enum ld_err h_forecasts(struct request *req)
{
	const char *likely = request_query(req, "likely_late");
	long limit = FORECASTS_LISTED;
	struct forecast_filter f = {0};
	if (likely && strcmp(likely, "true") && strcmp(likely, "false"))
		return request_fail(req, LD_EINVAL, "likely_late",
				    "likely_late is true or false");
	enum ld_err err =
		paging_query(req, "limit", FORECASTS_LISTED_MAX, &limit);
	if (err)
		return err;
	f.limit = (int)limit;
	if (likely && !strcmp(likely, "true"))
		f.min_percent = (int)req->app->cfg.late_risk_percent;
	struct call c = {.req = req, .fn = tasks_fn, .filter = f};
	c.today = app_today(req->app);
	err = app_with_calendar(req->app, call_fn, &c);
	return reply_result(req, err, c.json, NULL, 200);
}

/* GET /api/v1/sanction-risks: flagged open cases the reader may see. */
enum ld_err h_sanction_risks(struct request *req)
{
	struct call c = {.req = req, .fn = sanctions_fn};
	c.today = app_today(req->app);
	enum ld_err err = app_with_calendar(req->app, call_fn, &c);
	return reply_result(req, err, c.json, NULL, 200);
}

static enum ld_err backtest_run(struct request *req)
{
	const char *from = request_query(req, "from");
	const char *to = request_query(req, "to");
	struct call c = {.req = req, .fn = backtest_fn};
	c.today = app_today(req->app);
	if (!from || date_parse(from, &c.from))
		return request_fail(req, LD_EINVAL, "from",
				    "from is a date (YYYY-MM-DD)");
	if (!to || date_parse(to, &c.to))
		return request_fail(req, LD_EINVAL, "to",
				    "to is a date (YYYY-MM-DD)");
	if (c.to < c.from || c.to >= c.today || c.to - c.from > 800)
		return request_fail(req, LD_EINVAL, "to",
				    "to is after from, before today, and "
				    "within 800 days of from");
	enum ld_err err = app_with_calendar(req->app, call_fn, &c);
	if (err == LD_ERANGE)
		return request_fail(req, LD_EINVAL, "from",
				    "the dates lie outside the calendar");
	return reply_result(req, err, c.json, NULL, 200);
}

/* GET /api/v1/forecasts/backtest?from=&to=: slow, on the work pool. */
enum ld_err h_forecast_backtest(struct request *req)
{
	return request_defer(req, req->app->work_pool, backtest_run);
}
