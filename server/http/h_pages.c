/* The dashboard's pages that show things: homes, tasks, cases. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "arena.h"
#include "admin_store.h"
#include "case_store.h"
#include "date.h"
#include "forecast_store.h"
#include "handlers.h"
#include "kinds.h"
#include "next_step.h"
#include "page.h"
#include "paging.h"
#include "page_store.h"
#include "principal.h"
#include "store.h"
#include "view.h"
#include "workcal.h"
#include "workflow.h"

void page_done_flash(struct request *req, json_t *ctx)
{
	const char *done = request_query(req, "done");
	if (done && *view_done(done))
		json_object_set_new(ctx, "flash", json_string(view_done(done)));
}

/* A label and tag for every listed value member of each object. */
static void label_members(json_t *items, const char *key)
{
	size_t i;
	json_t *o;
	char name[64];
	json_array_foreach(items, i, o)
	{
		const char *v = json_string_value(json_object_get(o, key));
		snprintf(name, sizeof(name), "%s_label", key);
		json_object_set_new(o, name, json_string(view_label(v)));
	}
}

static void long_dates(json_t *items, const char *const *keys)
{
	size_t i;
	json_t *o;
	json_array_foreach(items, i, o) view_dates(o, keys);
}

enum ld_err h_page_root(struct request *req)
{
	static const struct {
		unsigned role;
		const char *home;
	} homes[] = {
		{ROLE_LINK_OFFICER, "/home"},
		{ROLE_SERVICE_OFFICER, "/my-tasks"},
		{ROLE_VALIDATOR, "/validation"},
		{ROLE_LEADERSHIP, "/leadership"},
		{ROLE_ADMINISTRATOR, "/admin"},
	};
	for (size_t i = 0; i < sizeof(homes) / sizeof(homes[0]); i++)
		if (req->who.roles & homes[i].role)
			return page_redirect(req, homes[i].home);
	return page_redirect(req, "/calendar");
}

struct horizon_ctx {
	int32_t today, horizon;
	long days;
};

static enum ld_err horizon(const struct workcal *cal, void *arg)
{
	struct horizon_ctx *c = arg;
	c->horizon = workcal_nearly_due_by(cal, c->today, (int)c->days);
	return LD_OK;
}

/* Today and the last day of "nearly overdue", by core's calendar. */
static struct horizon_ctx horizon_of(struct request *req)
{
	struct horizon_ctx h = {app_today(req->app), 0,
				req->app->cfg.nearly_overdue_days};
	if (app_with_calendar(req->app, horizon, &h))
		h.horizon = workcal_nearly_due_by(NULL, h.today, (int)h.days);
	return h;
}

static json_t *home_data(struct request *req)
{
	struct horizon_ctx h = horizon_of(req);
	char *text = NULL;
	if (page_store_home(req->app->store, h.today, h.horizon,
			    PAGE_HOME_SHOWN, &text))
		return NULL;
	return page_parsed(text);
}

/*
 * Home's four task lists: the first few on the home page, every one on the
 * list's own pages.  key is the list's name in sql/functions/15_home.sql.
 */
static const struct home_list {
	const char *key, *caption, *empty, *path;
} home_lists[] = {
	{"overdue", "Overdue", "Nothing is overdue.", "/home/overdue"},
	{"due_soon", "Due in the next 3 working days", "Nothing is due soon.",
	 "/home/due-soon"},
	{"awaiting_validation", "Evidence awaiting validation",
	 "No evidence is waiting for sign-off.", "/home/awaiting-validation"},
	{"ready_to_send", "Validated, ready to send",
	 "Nothing is waiting to be sent.", "/home/ready-to-send"},
};

/* The home list whose pages are at the request's path, or NULL. */
static const struct home_list *home_list_of(struct request *req)
{
	for (size_t i = 0; i < sizeof(home_lists) / sizeof(home_lists[0]); i++)
		if (!strcmp(req->path, home_lists[i].path))
			return &home_lists[i];
	return NULL;
}

/* Into ctx: "list", the section of max tasks after offset of the
 * request's home list; the list's total, or -1 on failure. */
static json_int_t home_list_into(struct request *req, json_t *ctx,
				 size_t offset, size_t max, enum ld_err *err)
{
	const struct home_list *l = home_list_of(req);
	struct horizon_ctx h = horizon_of(req);
	char *text = NULL;
	json_t *page = NULL;
	*err = l ? page_store_home_tasks(req->app->store, l->key, h.today,
					 h.horizon, offset, max, &text)
		 : LD_ENOTFOUND;
	if (!*err && !(page = page_parsed(text)))
		*err = LD_EINTERNAL;
	if (*err)
		return -1;
	json_int_t total = json_integer_value(json_object_get(page, "total"));
	json_object_set_new(ctx, "list",
			    page_tasks_section_of(
				    req, l->caption, l->empty,
				    json_incref(json_object_get(page, "tasks")),
				    total));
	json_object_set_new(ctx, "show_case_links", json_true());
	json_decref(page);
	return total;
}

/*
 * Into ctx: "by_area", max of home's areas after offset (the most overdue
 * first); how many there are.
 */
static json_int_t areas_slice(json_t *ctx, json_t *home, size_t offset,
			      size_t max)
{
	json_t *all = json_object_get(home, "by_area"), *some = json_array();
	size_t n = json_array_size(all);
	for (size_t i = offset; i < n && i < offset + max; i++)
		json_array_append(some, json_array_get(all, i));
	json_object_set_new(ctx, "by_area", some);
	return (json_int_t)n;
}

static json_int_t areas_into(struct request *req, json_t *ctx, size_t offset,
			     size_t max, enum ld_err *err)
{
	json_t *home = home_data(req);
	if (!home) {
		*err = LD_EUNAVAILABLE;
		return -1;
	}
	json_int_t n = areas_slice(ctx, home, offset, max);
	json_decref(home);
	return n;
}

/* GET /home/areas: every area's open and overdue tasks, 50 a page, the
 * most overdue first, as home's table. */
enum ld_err h_page_home_areas(struct request *req)
{
	return page_paged(req, "Open and overdue tasks by service area",
			  "/home/areas", "home_areas", areas_into);
}

/* GET /home/overdue and the rest: every task of one of home's lists, 50 a
 * page, in home's order. */
enum ld_err h_page_home_list(struct request *req)
{
	const struct home_list *l = home_list_of(req);
	if (!l)
		return LD_ENOTFOUND;
	return page_paged(req, l->caption, l->path, "home_tasks",
			  home_list_into);
}

void page_this_week_digest(struct request *req, json_t *ctx)
{
	struct horizon_ctx h = horizon_of(req);
	char *text = NULL;
	json_t *areas = task_store_by_area(req->app->store, &req->who, h.today,
					   h.horizon, &text)
				? NULL
				: page_parsed(text);
	json_t *a;
	size_t i;
	json_array_foreach(areas, i, a)
	{
		page_view_tasks(req, json_object_get(a, "overdue"));
		page_view_tasks(req, json_object_get(a, "due_soon"));
		json_object_set_new(a, "has_overdue",
				    json_boolean(json_array_size(
					    json_object_get(a, "overdue"))));
		json_object_set_new(a, "has_due_soon",
				    json_boolean(json_array_size(
					    json_object_get(a, "due_soon"))));
	}
	json_object_set_new(ctx, "has_digest",
			    json_boolean(json_array_size(areas) > 0));
	json_object_set_new(ctx, "digest", areas ? areas : json_array());
}

/*
 * Home below its top (web/templates/home_body.html) is the same for every
 * reader of its scope on a day, so it is rendered once a snapshot of the
 * data (store_remember) rather than once a visit: parsing its 40 KB of
 * JSON and rendering it were 70 % of a visit at full size.  A part that
 * fails fails the page: without its forecasts home would say nothing is
 * likely to be late.
 */
static enum ld_err home_body_html(void *arg, char **html)
{
	static const char *const dates[] = {"received_on", "dated_on", NULL};
	struct request *req = arg;
	json_t *home = home_data(req);
	if (!home)
		return LD_EUNAVAILABLE;
	json_t *ctx = json_pack("{s:b, s:i}", "show_case_links", 1,
				"home_shown", PAGE_HOME_SHOWN);
	json_t *totals = json_object_get(home, "totals");
	for (size_t i = 0; i < sizeof(home_lists) / sizeof(home_lists[0]);
	     i++) {
		const struct home_list *l = &home_lists[i];
		json_t *section = page_tasks_section_of(
			req, l->caption, l->empty,
			json_incref(json_object_get(home, l->key)),
			json_integer_value(json_object_get(totals, l->key)));
		if (json_object_get(section, "shown"))
			json_object_set_new(section, "more_href",
					    json_string(l->path));
		json_object_set_new(ctx, l->key, section);
	}
	json_object_set(ctx, "new_cases_total",
			json_object_get(totals, "new_cases"));
	page_home_more(ctx, "new_cases_more",
		       json_integer_value(json_object_get(totals, "new_cases")),
		       "new notifications");
	json_object_set(ctx, "chasers_total",
			json_object_get(totals, "chasers"));
	const char *lists[] = {"new_cases", "chasers", "awaiting_confirmation",
			       "by_ombudsman"};
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		json_object_set(ctx, lists[i], json_object_get(home, lists[i]));
	page_home_more(ctx, "by_area_more",
		       areas_slice(ctx, home, 0, PAGE_HOME_SHOWN),
		       "service areas");
	long_dates(json_object_get(ctx, "new_cases"), dates);
	long_dates(json_object_get(ctx, "chasers"), dates);
	label_members(json_object_get(ctx, "chasers"), "kind");
	json_decref(home);
	enum ld_err err = forecast_page_home(req, ctx);
	if (err) {
		json_decref(ctx);
		return err;
	}
	return page_part("home_body", ctx, html);
}

enum ld_err h_page_home(struct request *req)
{
	struct horizon_ctx h = horizon_of(req);
	char key[160], model[FORECAST_MODEL_NAME_LEN], *body = NULL;
	/* Kept as long as the forecasts in it: their model may be older
	 * than the snapshot the body is kept under. */
	enum ld_err err = forecast_page_model(req, model);
	if (err)
		return err;
	snprintf(key, sizeof(key), "home_body %ld %ld %lld %s", (long)h.today,
		 (long)h.horizon, (long long)principal_area_scope(&req->who),
		 model);
	err = store_remember(req->app->store, key, home_body_html, req, &body);
	if (err)
		return err;
	char today[DATE_LONG_LEN];
	json_t *ctx = page_ctx(req, "Home", "/home");
	date_format_long(h.today, today);
	json_object_set_new(ctx, "today_long", json_string(today));
	err = inbox_page_home(req, ctx);
	if (err)
		json_decref(ctx);
	else
		err = page_render_around(req, 200, "home", body, ctx);
	free(body);
	return err;
}

enum ld_err h_page_my_tasks(struct request *req)
{
	char *text = NULL;
	enum ld_err err =
		page_store_my_tasks(req->app->store, &req->who, &text);
	json_t *tasks = err ? NULL : page_parsed(text);
	if (!tasks)
		return err ? err : LD_EINTERNAL;
	page_view_tasks(req, tasks);
	json_t *ctx = page_ctx(req, "My tasks", "/my-tasks");
	json_object_set_new(ctx, "has_tasks",
			    json_boolean(json_array_size(tasks) > 0));
	json_object_set_new(ctx, "tasks", tasks);
	/* The area's name, from any task or the list of areas. */
	json_object_set_new(ctx, "area", json_string("your service area"));
	return page_render(req, 200, "my_tasks", ctx);
}

enum ld_err h_page_validation(struct request *req)
{
	char *text = NULL;
	if (!req->who.validator_title_id)
		return request_fail(req, LD_EFORBIDDEN, NULL,
				    "You have no validator title to sign as.");
	enum ld_err err =
		page_store_validation(req->app->store, &req->who, &text);
	json_t *tasks = err ? NULL : page_parsed(text);
	if (!tasks)
		return err ? err : LD_EINTERNAL;
	json_t *ctx = page_ctx(req, "Validation", "/validation");
	json_object_set_new(ctx, "show_case_links", json_true());
	char *titles = NULL;
	json_t *list = admin_store_validator_titles(req->app->store, &titles)
			       ? NULL
			       : page_parsed(titles);
	json_t *t;
	size_t i;
	json_array_foreach(
		list, i, t) if (json_integer_value(json_object_get(t, "id")) ==
				req->who.validator_title_id)
		json_object_set(ctx, "validator_title",
				json_object_get(t, "title"));
	json_decref(list);
	json_object_set_new(ctx, "queue",
			    page_tasks_section(req, "Awaiting your sign-off",
					       "Nothing is waiting for you.",
					       tasks));
	return page_render(req, 200, "validation", ctx);
}

/* The people and areas a task may move to, the current ones chosen. */
static void task_change_choices(struct request *req, json_t *task, json_t *form,
				json_t *ctx)
{
	int64_t area = json_integer_value(
		json_object_get(json_object_get(task, "service_area"), "id"));
	int64_t who = json_integer_value(
		json_object_get(json_object_get(task, "assignee"), "id"));
	const char *prio = json_string_value(json_object_get(task, "priority"));
	if (form) {
		area = 0;
		who = 0;
		page_positive_id(page_field(form, "service_area_id"), &area);
		page_positive_id(page_field(form, "assignee_id"), &who);
		prio = page_field(form, "priority");
	}
	page_area_choices(req, ctx, "change_areas", "change_people", area, who);
	json_t *prios = json_array();
	for (const struct kind_label *k = priorities; k->name; k++)
		json_array_append_new(
			prios, json_pack("{s:s, s:s, s:b}", "value", k->name,
					 "label", k->label, "selected",
					 prio && !strcmp(prio, k->name)));
	json_object_set_new(ctx, "change_priorities", prios);
	json_object_set_new(ctx, "can_change", json_true());
}

/* Reminders sent and the Ombudsman's chasers, in words, on the task page. */
static void task_chasing(struct request *req, int64_t id, json_t *ctx)
{
	static const char *const dates[] = {"on", "dated_on", NULL};
	char *text = NULL;
	json_t *ch = task_store_chasing(req->app->store, &req->who, id, &text)
			     ? NULL
			     : page_parsed(text);
	json_t *o;
	size_t i;
	if (!ch)
		return;
	json_array_foreach(json_object_get(ch, "reminders"), i, o)
		view_dates(o, dates);
	json_array_foreach(json_object_get(ch, "chasers"), i, o)
	{
		view_dates(o, dates);
		json_object_set_new(o, "kind_label",
				    json_string(view_label(json_string_value(
					    json_object_get(o, "kind")))));
	}
	size_t n = json_array_size(json_object_get(ch, "reminders"));
	json_object_set_new(ch, "reminder_count", json_integer((json_int_t)n));
	json_object_set_new(ch, "has_reminders", json_boolean(n > 0));
	json_object_set_new(
		ch, "has_chasers",
		json_boolean(json_array_size(json_object_get(ch, "chasers"))));
	json_object_set_new(ctx, "chasing", ch);
}

/*
 * The answer the validators sign: the latest version, with who submitted
 * it and when, first; the versions before it under "Earlier answers".
 */
static void current_answer(json_t *task, json_t *ctx)
{
	json_t *versions = json_object_get(task, "evidence_versions");
	size_t n = json_array_size(versions);
	if (!n)
		return;
	json_t *cur = json_array_get(versions, n - 1);
	const char *at =
		json_string_value(json_object_get(cur, "submitted_at"));
	int32_t day;
	char text[DATE_LONG_LEN];
	if (at && strlen(at) >= 10) {
		char iso[11];
		memcpy(iso, at, 10);
		iso[10] = '\0';
		if (!date_parse(iso, &day)) {
			date_format_long(day, text);
			json_object_set_new(cur, "submitted_on_long",
					    json_string(text));
		}
	}
	json_object_set(ctx, "current_answer", cur);
	json_t *earlier = json_array();
	for (size_t i = 0; i + 1 < n; i++)
		json_array_append(earlier, json_array_get(versions, i));
	json_object_set_new(ctx, "earlier_answers", earlier);
	json_object_set_new(ctx, "has_earlier", json_boolean(n > 1));
}

enum ld_err page_task(struct request *req, int64_t id, json_t *form,
		      const struct why *why, enum ld_err failed)
{
	struct refusals refused = {0};
	if (failed)
		refusals_add(req, &refused, failed, why ? why->field : NULL,
			     why ? why->msg : NULL);
	return page_task_refused(req, id, form, &refused, failed);
}

/* Where a refusal of a task form is shown: the page's top, or its input. */
static const struct form_input task_inputs[] = {
	{"", "main-content", NULL, NULL},
	{"answer", "answer", NULL, NULL},
	{"comment", "comment", NULL, NULL},
	{"file", "file", NULL, NULL},
	{"assignee_id", "assignee_id", "The person", NULL},
	{"service_area_id", "service_area_id", "The service area",
	 "Choose the service area"},
	{"priority", "priority", "The priority", NULL},
	{NULL, NULL, NULL, NULL}};

/* The same when cancelling, where the comment is the reason. */
static const struct form_input cancel_inputs[] = {
	{"", "main-content", NULL, NULL},
	{"comment", "reason", NULL, NULL},
	{NULL, NULL, NULL, NULL}};

/* A file's replacement refused: the reason beside that file's input. */
static void replace_refused(json_t *ctx, const struct refusal *r)
{
	size_t i;
	json_t *f;
	json_array_foreach(
		json_object_get(json_object_get(ctx, "task"), "files"), i, f)
	{
		if (json_integer_value(json_object_get(f, "id")) ==
		    strtoll(r->field + 8, NULL, 10))
			json_object_set_new(f, "error", json_string(r->msg));
	}
	page_field_error(ctx, r->field, r->msg);
}

/* The task page, with the actions this user may take; errors from a
 * failed action shown with what they typed. */
enum ld_err page_task_refused(struct request *req, int64_t id, json_t *form,
			      const struct refusals *refused,
			      enum ld_err failed)
{
	char *text = NULL;
	enum ld_err err = task_store_get(req->app->store, &req->who, id, &text);
	json_t *task = err ? NULL : page_parsed(text);
	if (!task)
		return err ? err : LD_EINTERNAL;
	json_t *one = json_array();
	json_array_append(one, task);
	page_view_tasks(req, one);
	forecast_page_tasks(req, one);
	json_decref(one);

	const char *status = json_string_value(json_object_get(task, "status"));
	int st = workflow_lookup(task_status_names, status);
	bool worker = principal_may_add_evidence(
		&req->who,
		json_integer_value(json_object_get(
			json_object_get(task, "service_area"), "id")));
	bool evidence_open =
		st >= 0 && workflow_task_evidence_open((enum task_status)st);
	int64_t area = json_integer_value(
		json_object_get(json_object_get(task, "service_area"), "id"));
	unsigned may =
		st < 0 ? 0
		       : workflow_task_actions(
				 (enum task_status)st, req->who.roles,
				 principal_works_in(&req->who, area), NULL);
#define MAY(a) ((may & (1u << (a))) != 0)
	bool validator = MAY(TASK_APPROVE) && req->who.validator_title_id;

	json_t *ctx = page_ctx(
		req, json_string_value(json_object_get(task, "title")), NULL);
	/*
	 * Files: size, status and whether they can be downloaded (a file with
	 * resident details only by those who may see them; the store has
	 * already hidden its name from the rest).
	 */
	bool residents = principal_sees_residents(&req->who);
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(task, "files"), i, f)
	{
		const char *fs =
			json_string_value(json_object_get(f, "status"));
		long long size = json_integer_value(json_object_get(f, "size"));
		json_object_set_new(f, "status_label",
				    json_string(view_label(fs)));
		json_object_set_new(f, "status_tag", json_string(""));
		json_object_set_new(
			f, "downloadable",
			json_boolean(
				workflow_file_downloadable(fs) &&
				(residents || !json_is_true(json_object_get(
						      f, "resident_detail")))));
		json_object_set_new(
			f, "size_text",
			size < 1024 ? json_sprintf("%lld bytes", size)
				    : json_sprintf("%lld KB",
						   (size + 1023) / 1024));
	}
	/* A validator whose title has already decided this version waits. */
	json_t *signoffs = json_object_get(json_object_get(task, "validation"),
					   "signoffs");
	json_t *s;
	const char *my_title = "validator";
	json_array_foreach(signoffs, i, s)
	{
		if (json_integer_value(json_object_get(s, "title_id")) !=
		    req->who.validator_title_id)
			continue;
		my_title = json_string_value(json_object_get(s, "title"));
		if (json_is_string(json_object_get(s, "decision")))
			validator = false;
	}
	json_object_set_new(ctx, "validator_title",
			    json_string(my_title ? my_title : "validator"));
	json_object_set_new(ctx, "task", task);
	json_object_set_new(ctx, "file_max_text",
			    json_string(page_file_max_text(req)));
	json_object_set_new(ctx, "can_upload",
			    json_boolean(worker && evidence_open));
	json_object_set_new(ctx, "can_submit", json_boolean(MAY(TASK_SUBMIT)));
	json_object_set_new(ctx, "can_validate", json_boolean(validator));
	json_object_set_new(ctx, "lo_actions",
			    json_boolean(MAY(TASK_SEND) || MAY(TASK_COMPLETE) ||
					 MAY(TASK_CANCEL)));
	json_object_set_new(ctx, "can_send", json_boolean(MAY(TASK_SEND)));
	json_object_set_new(ctx, "can_complete",
			    json_boolean(MAY(TASK_COMPLETE)));
	json_object_set_new(ctx, "can_cancel", json_boolean(MAY(TASK_CANCEL)));
	bool paused = json_is_string(json_object_get(task, "paused_on"));
	json_object_set_new(ctx, "can_pause",
			    json_boolean(MAY(TASK_PAUSE) && !paused));
	json_object_set_new(ctx, "can_resume",
			    json_boolean(MAY(TASK_RESUME) && paused));
	json_object_set_new(
		ctx, "can_remind",
		json_boolean(
			page_has_role(req, ROLE_LINK_OFFICER) && st >= 0 &&
			workflow_task_awaits_assignee((enum task_status)st) &&
			!paused));
	task_chasing(req, id, ctx);
	/* Confirming a cancellation: asked for, or refused for want of a
	 * reason. */
	json_object_set_new(
		ctx, "confirm_cancel",
		json_boolean(
			MAY(TASK_CANCEL) &&
			((form &&
			  !strcmp(page_field(form, "action"), "cancel")) ||
			 (!form && !failed && request_query(req, "cancel")))));
	/* The link officer moves the task: another person or area, priority.
	 */
	if (page_has_role(req, ROLE_LINK_OFFICER) && st >= 0 &&
	    !workflow_task_closed((enum task_status)st))
		task_change_choices(req, task, form, ctx);
#undef MAY
	evidence_page_task(req, ctx);
	json_object_set_new(ctx, "can_see_case", json_true());
	json_object_set_new(
		ctx, "has_versions",
		json_boolean(json_array_size(json_object_get(
				     task, "evidence_versions")) > 0));
	if (!failed)
		page_done_flash(req, ctx);
	current_answer(task, ctx);
	if (form)
		json_object_set_new(
			ctx, "values",
			json_pack("{s:s, s:s, s:s}", "answer",
				  page_field(form, "answer"), "comment",
				  page_field(form, "comment"), "reason",
				  page_field(form, "comment")));
	else { /* a resubmission starts from the answer returned */
		const char *answer =
			json_string_value(json_object_get(task, "answer"));
		json_object_set_new(
			ctx, "values",
			json_pack("{s:s}", "answer", answer ? answer : ""));
	}
	if (failed) {
		bool cancelling =
			form && !strcmp(page_field(form, "action"), "cancel");
		struct refusals shown = {0};
		for (int k = 0; k < refused->n; k++) {
			struct refusal r = refused->r[k];
			if (!r.msg[0])
				r.msg = failed == LD_ETIMEOUT
						? "The database took too long "
						  "(a lock or a slow query). "
						  "Nothing was saved: try "
						  "again."
						: "That could not be done.";
			if (strncmp(r.field, "replace-", 8))
				shown.r[shown.n++] = r;
			else
				replace_refused(ctx, &r);
		}
		form_show_refusals(req, ctx,
				   cancelling ? cancel_inputs : task_inputs,
				   NULL, 0, &shown, NULL);
	}
	return page_render(req, failed ? http_status(failed) : 200, "task",
			   ctx);
}

enum ld_err h_page_task(struct request *req)
{
	int64_t id;
	enum ld_err err = request_id(req, 0, &id);
	return err ? err : page_task(req, id, NULL, NULL, LD_OK);
}

/*
 * After a task form's command: a fault of the system as an error page,
 * a refusal on the task page with what was typed, or back to the task
 * saying what was done.
 */
static enum ld_err task_answer(struct request *req, int64_t id, json_t *form,
			       enum ld_err err, const struct why *why,
			       const char *done)
{
	if (err == LD_ENOTFOUND || ld_err_transient(err))
		return err;
	if (err)
		return page_task(req, id, form, why, err);
	return page_redirect(req,
			     arena_printf(req->arena, "/tasks/%lld?done=%s",
					  (long long)id, done));
}

static enum ld_err task_action_decoder(struct request *req, json_t *body,
				       void *out)
{
	return cases_task_action_in(req, body, out);
}

/* POST /tasks/{id}/act: a workflow action from the task page's forms,
 * decoded by the API's own decoder. */
enum ld_err h_page_task_act(struct request *req)
{
	struct task_action_in in;
	struct why why = {0};
	json_t *form = page_form(req);
	char *json = NULL;
	int64_t id;
	enum ld_err err = page_posted(req, form, &id);
	if (err)
		return err;
	json_t *body = form_body(req);
	json_object_set_new(body, "action",
			    json_string(page_field(form, "action")));
	form_body_number(body, "version", page_field(form, "version"));
	static const char *const texts[] = {"answer", "comment", NULL};
	for (int i = 0; texts[i]; i++)
		if (*page_field(form, texts[i]))
			json_object_set_new(
				body, texts[i],
				json_string(page_field(form, texts[i])));
	struct refusals refused;
	if ((err = form_decode(req, body, task_action_decoder, &in,
			       &refused))) {
		for (int i = 0; i < refused.n; i++)
			if (!refused.r[i].field[0] ||
			    !strcmp(refused.r[i].field, "action") ||
			    !strcmp(refused.r[i].field, "version"))
				return request_fail(req, LD_EINVAL, NULL,
						    "The form is malformed.");
		return page_task_refused(req, id, form, &refused, err);
	}
	err = task_store_act(req->app->store, &req->who, id, &in, &json, &why);
	free(json);
	return task_answer(req, id, form, err, &why,
			   task_action_names[in.action]);
}

/* POST /tasks/{id}/remind: POST /api/v1/tasks/{id}/reminders. */
enum ld_err h_page_task_remind(struct request *req)
{
	struct why why = {0};
	char *json = NULL;
	int64_t id;
	enum ld_err err = request_id(req, 0, &id);
	if (err)
		return err;
	err = task_store_remind(req->app->store, &req->who, id,
				app_today(req->app), &json, &why);
	free(json);
	return task_answer(req, id, NULL, err, &why, "reminded");
}

/* GET /tasks/{id}/cancel: the task page asking for the reason first. */
enum ld_err h_page_task_cancel(struct request *req)
{
	int64_t id;
	enum ld_err err = request_id(req, 0, &id);
	return err ? err : page_task(req, id, NULL, NULL, LD_OK);
}

static enum ld_err task_update_decoder(struct request *req, json_t *body,
				       void *out)
{
	return cases_task_update_in(req, body, out);
}

/* POST /tasks/{id}/change: PATCH /api/v1/tasks/{id} from the task page. */
enum ld_err h_page_task_change(struct request *req)
{
	struct task_update_in in;
	struct why why = {0};
	json_t *form = page_form(req);
	char *json = NULL;
	int64_t id;
	enum ld_err err = page_posted(req, form, &id);
	if (err)
		return err;
	json_t *body = form_body(req);
	form_body_number(body, "version", page_field(form, "version"));
	form_body_number(body, "service_area_id",
			 page_field(form, "service_area_id"));
	/* "Anyone in the area" is no one named. */
	if (*page_field(form, "assignee_id"))
		form_body_number(body, "assignee_id",
				 page_field(form, "assignee_id"));
	else
		json_object_set_new(body, "assignee_id", json_null());
	if (*page_field(form, "priority"))
		json_object_set_new(body, "priority",
				    json_string(page_field(form, "priority")));
	struct refusals refused;
	if ((err = form_decode(req, body, task_update_decoder, &in, &refused)))
		return page_task_refused(req, id, form, &refused, err);
	err = task_store_update(req->app->store, &req->who, id, &in, &json,
				&why);
	free(json);
	return task_answer(req, id, form, err, &why, "updated");
}

enum ld_err h_page_cases(struct request *req)
{
	static const char *const dates[] = {"received_on", "next_due_on", NULL};
	struct list_query q = {0};
	char *text = NULL;
	const char *search = request_query(req, "q");
	const char *open = request_query(req, "open");
	const char *stage = request_query(req, "stage");

	q.page = 1;
	q.per_page = PAGE_ROWS_MAX;
	/* An unknown stage is no filter: this page's links make the known. */
	q.stage = stage && workflow_lookup(case_stage_names, stage) >= 0 ? stage
									 : NULL;
	q.today = app_today(req->app);
	q.q = search && *search && strlen(search) <= 40 ? search : NULL;
	q.open_only = open && !strcmp(open, "true");
	enum ld_err err =
		case_store_list(req->app->store, &req->who, &q, &text);
	json_t *list = err ? NULL : page_parsed(text);
	if (!list)
		return err ? err : LD_EINTERNAL;
	json_t *items = json_object_get(list, "items");
	long_dates(items, dates);
	size_t i;
	json_t *c;
	json_array_foreach(items, i, c)
	{
		json_object_set_new(c, "stage_label",
				    json_string(view_label(json_string_value(
					    json_object_get(c, "stage")))));
		json_object_set_new(c, "stage_tag", json_string(""));
	}
	json_t *ctx = page_ctx(req, "Ombudsman cases", "/cases");
	json_object_set(ctx, "items", items);
	json_object_set(ctx, "total", json_object_get(list, "total"));
	json_object_set_new(ctx, "q", json_string(q.q ? q.q : ""));
	json_object_set_new(ctx, "open", json_boolean(q.open_only));
	json_decref(list);
	return page_render(req, 200, "cases", ctx);
}

/*
 * The case page's "Record" links: every kind of correspondence core gives
 * a form, the determination until there is one, the confirmation that
 * orders are met only after it.
 */
static json_t *record_links(json_t *c)
{
	json_t *links = json_array();
	bool determined = json_is_object(json_object_get(c, "determination"));
	const char *sanction = json_string_value(json_object_get(
		json_object_get(c, "ombudsman"), "sanction_name"));
	long long id = json_integer_value(json_object_get(c, "id"));
	for (const struct corr_kind *k = corr_kinds; k->name; k++) {
		if (!k->link || (k->confirms_orders && !determined) ||
		    (k->own_command && determined))
			continue;
		const char *text = k->link;
		char buf[200];
		if (k->notice == NOTICE_SANCTION && sanction) {
			snprintf(buf, sizeof(buf), "A %s", sanction);
			text = buf;
		}
		json_array_append_new(
			links,
			json_pack("{s:s, s:o}", "text", text, "href",
				  k->own_command
					  ? json_sprintf("/cases/%lld/%s", id,
							 k->own_command)
					  : json_sprintf("/cases/%lld/record"
							 "?kind=%s",
							 id, k->name)));
	}
	return links;
}

/*
 * "What happens next": core's next step from the case's tasks, with its
 * date in words and, when that date is not a working day, the day to plan
 * for (core's calendar).
 */
struct next_ctx {
	const struct next_step_facts *f;
	struct next_step *s;
	int32_t plan;
};

static enum ld_err next_with_calendar(const struct workcal *cal, void *arg)
{
	struct next_ctx *n = arg;
	next_step(n->f, n->s);
	n->plan = 0;
	if (n->s->by && !workcal_is_working_day(cal, n->s->by) &&
	    workcal_on_or_before(cal, n->s->by, &n->plan))
		n->plan = 0;
	return LD_OK;
}

static json_t *case_next_step(struct request *req, json_t *c,
			      const struct case_close_facts *close,
			      bool determined)
{
	json_t *tasks = json_object_get(c, "tasks"), *t;
	size_t n = json_array_size(tasks), i;
	struct next_step_task *list =
		arena_calloc(req->arena, n ? n : 1, sizeof(*list));
	json_array_foreach(tasks, i, t)
	{
		int st = workflow_lookup(
			task_status_names,
			json_string_value(json_object_get(t, "status")));
		list[i].status = st < 0 ? TASK_OPEN : (enum task_status)st;
		if (date_parse(json_string_value(
				       json_object_get(t, "effective_due_on")),
			       &list[i].due))
			list[i].due = 0;
		list[i].paused =
			json_is_string(json_object_get(t, "paused_on"));
	}
	struct next_step_facts f = {*close, determined, list, n};
	struct next_step s;
	struct next_ctx nc = {&f, &s, 0};
	if (app_with_calendar(req->app, next_with_calendar, &nc))
		next_step(&f, &s);
	json_t *out = json_pack("{s:s, s:s, s:b}", "what", s.what, "owner",
				s.owner_words, "ombudsman",
				s.owner == OWNER_OMBUDSMAN);
	if (s.by) {
		char text[DATE_LONG_LEN];
		date_format_long(s.by, text);
		json_object_set_new(out, "by_long", json_string(text));
	}
	if (nc.plan) {
		char text[DATE_LONG_LEN];
		date_format_long(nc.plan, text);
		json_object_set_new(out, "plan_by", json_string(text));
	}
	return out;
}

/* The newest page of the case's audit trail, or the page before entry
 * `before` (0: the newest), with a link to older entries: for its readers
 * only. */
static void page_case_audit(struct request *req, json_t *ctx, int64_t id,
			    int64_t before)
{
	char *text = NULL;
	if (case_store_audit(req->app->store, &req->who, id, before, PAGE_ROWS,
			     &text))
		return;
	json_t *audit = page_parsed(text);
	if (!audit)
		return;
	json_t *entries = json_object_get(audit, "entries");
	json_t *next = json_object_get(audit, "next_before");
	json_object_set(ctx, "audit", entries);
	json_object_set_new(ctx, "has_audit",
			    json_boolean(json_array_size(entries) > 0));
	json_object_set_new(ctx, "audit_older", json_boolean(before > 0));
	if (json_is_integer(next))
		json_object_set_new(
			ctx, "audit_next",
			json_sprintf("/cases/%lld?audit_before=%lld#audit",
				     (long long)id,
				     (long long)json_integer_value(next)));
	json_decref(audit);
}

/*
 * Each entry of an audit trail in words: when (London time) and what
 * ("A task changed: Submitted to Validated"), from core's tables.
 */
static void audit_in_words(struct request *req, json_t *entries)
{
	size_t i;
	json_t *e;
	json_array_foreach(entries, i, e)
	{
		int64_t t;
		const char *at = json_string_value(json_object_get(e, "at"));
		if (at && !date_parse_timestamp(at, &t)) {
			char day[DATE_LONG_LEN];
			date_format_long(date_from_unix_london(t), day);
			json_object_set_new(e, "when",
					    json_sprintf("%s at %02d:%02d", day,
							 date_london_hour(t),
							 (int)(t / 60 % 60)));
		}
		const char *noun = kind_label(
			audit_entities,
			json_string_value(json_object_get(e, "entity")));
		const char *verb = kind_label(
			audit_actions,
			json_string_value(json_object_get(e, "action")));
		const char *what = arena_printf(req->arena, "%s %s",
						noun ? noun : "A record",
						verb ? verb : "changed");
		/* A status or a stage moved says from what to what. */
		static const char *const moves[] = {"status", "stage"};
		for (size_t k = 0; k < 2; k++) {
			const char *from = json_string_value(json_object_get(
				json_object_get(e, "before"), moves[k]));
			const char *to = json_string_value(json_object_get(
				json_object_get(e, "after"), moves[k]));
			if (from && to && strcmp(from, to))
				what = arena_printf(req->arena, "%s: %s to %s",
						    what, view_label(from),
						    view_label(to));
		}
		json_object_set_new(e, "what", json_string(what));
	}
}

enum ld_err page_case(struct request *req, int64_t id,
		      const struct why *refused, enum ld_err failed)
{
	static const char *const cdates[] = {"received_on", "closed_on", NULL};
	static const char *const mdates[] = {"dated_on", NULL};
	static const char *const rdates[] = {"due_on", NULL};
	char *text = NULL;
	/* The API's rule for ?before= (an id above 0), refused as it is. */
	int64_t before = 0;
	enum ld_err err = paging_query_id(req, "audit_before", &before);
	if (err)
		return err;
	err = case_store_get(req->app->store, &req->who, id, &text);
	json_t *c = err ? NULL : page_parsed(text);
	if (!c)
		return err ? err : LD_EINTERNAL;
	const char *stage = json_string_value(json_object_get(c, "stage"));
	view_dates(c, cdates);
	view_dates(json_object_get(c, "complaint"), cdates);
	json_object_set_new(c, "stage_label", json_string(view_label(stage)));
	json_object_set_new(c, "stage_tag", json_string(""));
	json_object_set_new(c, "outcome_label",
			    json_string(view_label(json_string_value(
				    json_object_get(c, "outcome")))));
	json_t *m, *r;
	size_t i;
	json_array_foreach(json_object_get(c, "correspondence"), i, m)
	{
		view_dates(m, mdates);
		json_object_set_new(m, "kind_label",
				    json_string(view_label(json_string_value(
					    json_object_get(m, "kind")))));
		json_object_set_new(
			m, "direction_label",
			json_string(!strcmp(json_string_value(json_object_get(
						    m, "direction")),
					    "in")
					    ? "received"
					    : "sent"));
	}
	json_t *det = json_object_get(c, "determination");
	if (json_is_object(det)) {
		static const char *const ddates[] = {"decided_on", NULL};
		view_dates(det, ddates);
		json_array_foreach(json_object_get(det, "findings"), i, m)
			json_object_set_new(
				m, "finding_label",
				json_string(view_finding(json_string_value(
					json_object_get(m, "finding")))));
	}
	struct case_close_facts close = {0};
	int st = workflow_lookup(case_stage_names, stage);
	close.stage = st < 0 ? STAGE_CLOSED : (enum case_stage)st;
	json_array_foreach(json_object_get(c, "remedies"), i, r)
	{
		view_dates(r, rdates);
		const char *comp =
			json_string_value(json_object_get(r, "compliance"));
		json_object_set_new(r, "compliance_label",
				    json_string(view_label(comp)));
		json_object_set_new(r, "compliance_tag", json_string(""));
		json_object_set_new(r, "type_label",
				    json_string(view_label(json_string_value(
					    json_object_get(r, "type")))));
		json_t *amount = json_object_get(r, "amount_pence");
		if (json_is_integer(amount))
			json_object_set_new(
				r, "amount_text",
				json_sprintf("£%lld.%02lld",
					     json_integer_value(amount) / 100,
					     json_integer_value(amount) % 100));
		if (!strcmp(json_string_value(json_object_get(r, "type")),
			    "order")) {
			close.has_orders = true;
			close.orders_unconfirmed += !json_is_string(
				json_object_get(r, "confirmed_on"));
		}
	}
	json_array_foreach(json_object_get(c, "tasks"), i, m)
	{
		int ts = workflow_lookup(
			task_status_names,
			json_string_value(json_object_get(m, "status")));
		close.open_tasks += ts < 0 || workflow_task_open(ts);
	}
	const char *field, *why;
	bool can_close = !workflow_case_close(&close, NULL, &field, &why);
	json_t *steps = json_array();
	for (int to = close.stage + 1; to < STAGE_COUNT; to++)
		if (!workflow_case_stage(close.stage, (enum case_stage)to,
					 &why))
			json_array_append_new(
				steps, json_pack("{s:s, s:s}", "value",
						 case_stage_names[to], "label",
						 case_stage_titles[to]));
	json_t *next = case_next_step(
		req, c, &close,
		json_is_object(json_object_get(c, "determination")));

	json_t *ctx = page_ctx(req,
			       arena_printf(req->arena, "Case %s",
					    json_string_value(json_object_get(
						    c, "reference"))),
			       "/cases");
	json_object_set_new(ctx, "show_case_links", json_false());
	forecast_page_case(req, ctx, id);
	json_object_set_new(
		ctx, "tasks_section",
		page_tasks_section(req, "Tasks", "No tasks yet.",
				   json_incref(json_object_get(c, "tasks"))));
	json_object_set_new(
		ctx, "is_link_officer",
		json_boolean(page_has_role(req, ROLE_LINK_OFFICER)));
	json_object_set_new(ctx, "open", json_boolean(strcmp(stage, "closed")));
	json_object_set_new(ctx, "can_close", json_boolean(can_close));
	json_t *outcomes = json_array();
	for (const struct kind_label *o = case_outcomes; o->name; o++)
		json_array_append_new(
			outcomes,
			json_pack("{s:s, s:s, s:b}", "value", o->name, "label",
				  o->label, "selected",
				  !strcmp(o->name,
					  workflow_case_outcome(&close))));
	json_object_set_new(ctx, "outcomes", outcomes);
	json_object_set_new(ctx, "next_step", next);
	json_object_set_new(ctx, "has_stages",
			    json_boolean(json_array_size(steps) > 0));
	json_object_set_new(ctx, "stages", steps);
	json_object_set_new(ctx, "record_links", record_links(c));
	json_object_set_new(
		ctx, "has_remedies",
		json_boolean(json_array_size(json_object_get(c, "remedies"))));
	json_object_set_new(ctx, "has_timeline",
			    json_boolean(json_array_size(
				    json_object_get(c, "correspondence"))));
	page_case_audit(req, ctx, id, before);
	/* How the original complaint was handled against the Code. */
	char *complaint_text = NULL;
	int64_t complaint_id = json_integer_value(
		json_object_get(json_object_get(c, "complaint"), "id"));
	if (!case_store_complaint(req->app->store, &req->who, complaint_id,
				  &complaint_text)) {
		json_t *complaint = page_parsed(complaint_text);
		if (complaint) {
			code_timeliness(req, complaint);
			json_object_set(
				ctx, "timeliness",
				json_object_get(complaint, "timeliness"));
			json_decref(complaint);
		}
	}
	json_object_set_new(ctx, "case", c);
	audit_in_words(req, json_object_get(ctx, "audit"));
	page_done_flash(req, ctx);
	if (failed) {
		const char *f =
			refused && refused->field ? refused->field : NULL;
		page_field_error(
			ctx,
			f && (!strcmp(f, "stage") || !strcmp(f, "outcome"))
				? f
				: "main-content",
			refused && refused->msg[0]
				? refused->msg
				: "That could not be done. Nothing was saved.");
	}
	return page_render(req, failed ? http_status(failed) : 200, "case",
			   ctx);
}

enum ld_err h_page_case(struct request *req)
{
	int64_t id;
	enum ld_err err = request_id(req, 0, &id);
	return err ? err : page_case(req, id, NULL, LD_OK);
}
