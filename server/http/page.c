#include "page.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "arena.h"
#include "brand.h"
#include "brand_store.h"
#include "buf.h"
#include "date.h"
#include "embedded.h"
#include "form.h"
#include "log.h"
#include "paging.h"
#include "tmpl.h"
#include "view.h"
#include "workcal.h"
#include "workflow.h"

#define PAGE_MAX (8 * 1024 * 1024)

bool page_path(const char *path)
{
	return strncmp(path, "/api/", 5) && strncmp(path, "/feeds/", 7) &&
	       strcmp(path, "/healthz") && strncmp(path, "/assets/", 8) &&
	       strncmp(path, "/static/", 8);
}

bool page_has_role(struct request *req, unsigned role)
{
	return req->signed_in && (req->who.roles & role);
}

struct nav_item {
	unsigned roles;
	const char *href, *text;
};

static const struct nav_item nav_items[] = {
	{ROLE_LINK_OFFICER, "/home", "Home"},
	{ROLE_LINK_OFFICER, "/inbox", "Inbox"},
	{ROLE_SERVICE_OFFICER, "/my-tasks", "My tasks"},
	{ROLE_VALIDATOR, "/validation", "Validation"},
	{ROLE_LEADERSHIP, "/leadership", "Performance"},
	{ROLE_LINK_OFFICER | ROLE_VALIDATOR | ROLE_LEADERSHIP, "/cases",
	 "Cases"},
	{ROLE_LINK_OFFICER, "/cases/new", "Register a notification"},
	{ROLE_LINK_OFFICER | ROLE_LEADERSHIP | ROLE_ADMINISTRATOR,
	 "/self-assessments", "Self-assessment"},
	{ROLE_ANY, "/calendar", "Calendar"},
	{ROLE_ADMINISTRATOR, "/admin", "Administration"},
};

json_t *page_ctx(struct request *req, const char *title, const char *current)
{
	char *brand_text = NULL;
	json_t *brand = NULL;
	json_t *ctx = json_pack("{s:s, s:b, s:[], s:{}, s:{}}", "title", title,
				"has_errors", 0, "errors", "err", "values");
	if (!brand_store_get(req->app->store, &brand_text))
		brand = json_loads(brand_text, 0, NULL);
	free(brand_text);
	if (!json_is_object(brand)) {
		json_decref(brand);
		brand = json_pack("{s:s, s:s, s:b, s:i}", "name", "Linkdesk",
				  "colour", BRAND_COLOUR_DEFAULT, "has_logo", 0,
				  "version", 0);
	}
	json_object_set(ctx, "org", json_object_get(brand, "name"));
	json_object_set_new(ctx, "brand", brand);
	if (!req->signed_in)
		return ctx;

	json_t *nav = json_array();
	for (size_t i = 0; i < sizeof(nav_items) / sizeof(nav_items[0]); i++)
		if (req->who.roles & nav_items[i].roles)
			json_array_append_new(
				nav,
				json_pack("{s:s, s:s, s:b}", "href",
					  nav_items[i].href, "text",
					  nav_items[i].text, "current",
					  current &&
						  !strcmp(current,
							  nav_items[i].href)));
	struct buf roles;
	buf_init(&roles, 200);
	for (int i = 0; role_names[i]; i++)
		if (req->who.roles & (1u << i))
			buf_printf(&roles, "%s%s", roles.len ? ", " : "",
				   role_titles[i]);
	json_object_set_new(ctx, "user",
			    json_pack("{s:s, s:s}", "name", req->who.name,
				      "role_text", buf_str(&roles)));
	buf_release(&roles);
	json_object_set_new(ctx, "nav", nav);
	json_object_set_new(ctx, "has_nav", json_true());
	json_object_set_new(ctx, "csrf", json_string(req->who.csrf));
	return ctx;
}

/*
 * A figures table ({first, columns, rows: [{label, values: [{text}]}]},
 * web/templates/figures_table.html) gives each cell its column's heading
 * as "column", which the template writes as the cell's data-label: on a
 * small screen each row is a card of "heading: value" lines.  Found at any
 * depth of the page's context, so that no page has to remember it.
 */
static void label_tables(json_t *v, int depth)
{
	size_t i;
	json_t *item;
	if (depth > 4)
		return;
	if (json_is_array(v)) {
		json_array_foreach(v, i, item) label_tables(item, depth + 1);
		return;
	}
	if (!json_is_object(v))
		return;
	json_t *columns = json_object_get(v, "columns");
	json_t *rows = json_object_get(v, "rows");
	if (json_is_array(columns) && json_is_array(rows)) {
		json_t *row;
		json_array_foreach(rows, i, row)
		{
			json_t *values = json_object_get(row, "values");
			size_t c;
			json_t *cell;
			json_array_foreach(values, c, cell)
			{
				json_t *heading = json_array_get(columns, c);
				if (json_is_object(cell) &&
				    json_is_string(heading))
					json_object_set(cell, "column",
							heading);
			}
		}
		return;
	}
	const char *key;
	json_object_foreach(v, key, item) label_tables(item, depth + 1);
}

/* Template name with ctx appended to out, its tables labelled first. */
static enum ld_err render_into(struct buf *out, const char *name, json_t *ctx)
{
	char why[200];
	label_tables(ctx, 0);
	enum ld_err err =
		tmpl_render(&web_templates, name, ctx, out, why, sizeof(why));
	if (err)
		log_error("template %s: %s", name, why);
	return err;
}

/* out as the reply, or after err nothing but the error. */
static enum ld_err reply_html(struct request *req, unsigned int status,
			      struct buf *out, enum ld_err err)
{
	if (err) {
		buf_release(out);
		return LD_EINTERNAL;
	}
	req->len = out->len;
	free(req->data);
	req->data = buf_detach(out);
	req->status = status;
	req->content_type = "text/html; charset=utf-8";
	return LD_OK;
}

enum ld_err page_render(struct request *req, unsigned int status,
			const char *name, json_t *ctx)
{
	struct buf out;
	buf_init(&out, PAGE_MAX);
	enum ld_err err = render_into(&out, name, ctx);
	json_decref(ctx);
	return reply_html(req, status, &out, err);
}

enum ld_err page_part(const char *name, json_t *ctx, char **html)
{
	struct buf out;
	buf_init(&out, PAGE_MAX);
	enum ld_err err = render_into(&out, name, ctx);
	json_decref(ctx);
	*html = err ? NULL : buf_detach(&out);
	buf_release(&out);
	return err ? LD_EINTERNAL : LD_OK;
}

enum ld_err page_render_around(struct request *req, unsigned int status,
			       const char *top, const char *part, json_t *ctx)
{
	struct buf out;
	buf_init(&out, PAGE_MAX);
	enum ld_err err = render_into(&out, top, ctx);
	if (!err)
		err = buf_addstr(&out, part);
	if (!err)
		err = render_into(&out, "footer", ctx);
	json_decref(ctx);
	return reply_html(req, status, &out, err);
}

enum ld_err page_redirect(struct request *req, const char *location)
{
	reply_header(req, "Location", arena_strdup(req->arena, location));
	req->status = 303;
	return LD_OK;
}

enum ld_err page_error(struct request *req, enum ld_err err)
{
	const char *heading, *message = req->err_message;
	if (err == LD_EUNAUTHORISED) {
		bool expired =
			req->err_field && !strcmp(req->err_field, "session");
		return page_redirect(req, expired ? "/sign-in?expired=1"
						  : "/sign-in");
	}
	switch (err) {
	case LD_ENOTFOUND:
		heading = "Page not found";
		message = "If you typed the web address, check it is correct.";
		break;
	case LD_EFORBIDDEN:
		heading = "You cannot see this page";
		if (!message)
			message = "Your role does not include it.";
		break;
	case LD_EUNAVAILABLE:
		heading = "Sorry, the service is unavailable";
		message = "The database cannot be reached. Try again in a few "
			  "minutes.";
		break;
	case LD_ETIMEOUT:
		heading = "Sorry, the service is busy";
		message = "The database took too long (a lock or a slow "
			  "query). Nothing was saved: try again.";
		break;
	case LD_EINVAL:
	case LD_EVALIDATION:
	case LD_ECONFLICT:
	case LD_EPRECONDITION:
	case LD_ETOOLARGE: heading = "That could not be done"; break;
	default:
		heading = "Sorry, there is a problem with the service";
		message = "Try again later.";
		break;
	}
	json_t *ctx = page_ctx(req, heading, NULL);
	json_object_set_new(ctx, "heading", json_string(heading));
	json_object_set_new(ctx, "message",
			    json_string(message ? message : ""));
	enum ld_err rerr = page_render(req, http_status(err), "error", ctx);
	if (rerr) /* the error page itself failed: plain text, at least */
		reply_bytes(req, http_status(err), "text/plain; charset=utf-8",
			    heading, strlen(heading));
	return LD_OK;
}

void page_field_error(json_t *ctx, const char *id, const char *text)
{
	json_array_append_new(json_object_get(ctx, "errors"),
			      json_pack("{s:s, s:s}", "id", id, "text", text));
	json_object_set_new(json_object_get(ctx, "err"), id, json_string(text));
	json_object_set_new(ctx, "has_errors", json_true());
}

json_t *page_form(struct request *req)
{
	json_t *form;
	if (form_parse(req->body.ptr ? req->body.ptr : "", req->body.len,
		       &form))
		return NULL;
	request_own(req, form);
	return form;
}

const char *page_field(json_t *form, const char *name)
{
	const char *v = json_string_value(json_object_get(form, name));
	return v ? v : "";
}

static bool whole(const char *s, long min, long max, int *out)
{
	char *end;
	while (*s == ' ')
		s++;
	errno = 0;
	long v = strtol(s, &end, 10);
	while (*end == ' ')
		end++;
	if (errno || end == s || *end || v < min || v > max)
		return false;
	*out = (int)v;
	return true;
}

json_t *page_date_input(const char *id, const char *label, const char *hint,
			int32_t day)
{
	int y = 0, m = 0, d = 0;
	char ys[8] = "", ms[4] = "", ds[4] = "";
	if (day) {
		date_to_ymd(day, &y, &m, &d);
		snprintf(ys, sizeof(ys), "%d", y);
		snprintf(ms, sizeof(ms), "%d", m);
		snprintf(ds, sizeof(ds), "%d", d);
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", id, "label",
			 label, "hint", hint, "day", ds, "month", ms, "year",
			 ys);
}

bool page_date(json_t *form, const char *id, const char *label,
	       const char *hint, bool required, int32_t *out, json_t **input)
{
	char key[64];
	const char *parts[3];
	const char *names[] = {"day", "month", "year"};
	bool empty = true;
	for (int i = 0; i < 3; i++) {
		snprintf(key, sizeof(key), "%s-%s", id, names[i]);
		parts[i] = page_field(form, key);
		empty &= !*parts[i];
	}
	*input = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", id, "label",
			   label, "hint", hint, "day", parts[0], "month",
			   parts[1], "year", parts[2]);
	*out = 0;
	if (empty) {
		if (!required)
			return true;
		json_object_set_new(*input, "error",
				    json_sprintf("Enter %s", label));
		return false;
	}
	int d, m, y;
	if (!whole(parts[0], 1, 31, &d) || !whole(parts[1], 1, 12, &m) ||
	    !whole(parts[2], DATE_MIN_YEAR, DATE_MAX_YEAR, &y) ||
	    !date_valid_ymd(y, m, d)) {
		json_object_set_new(
			*input, "error",
			json_sprintf("%s must be a real date", label));
		return false;
	}
	*out = date_from_ymd(y, m, d);
	return true;
}

struct view_ctx {
	int32_t today;
	int soon_days;
	json_t *tasks;
};

static enum ld_err view(const struct workcal *cal, void *arg)
{
	struct view_ctx *c = arg;
	view_tasks(cal, c->today,
		   workcal_nearly_due_by(cal, c->today, c->soon_days),
		   c->tasks);
	return LD_OK;
}

void page_view_tasks(struct request *req, json_t *tasks)
{
	struct view_ctx c = {app_today(req->app),
			     (int)req->app->cfg.nearly_overdue_days, tasks};
	app_with_calendar(req->app, view, &c);
}

json_t *page_tasks_section_of(struct request *req, const char *caption,
			      const char *empty, json_t *tasks,
			      json_int_t total)
{
	if (!json_is_array(tasks)) {
		json_decref(tasks);
		tasks = json_array();
	}
	json_int_t shown = (json_int_t)json_array_size(tasks);
	if (total < shown)
		total = shown;
	page_view_tasks(req, tasks);
	json_t *section = json_pack("{s:s, s:s, s:o, s:b, s:I}", "caption",
				    caption, "empty", empty, "tasks", tasks,
				    "has_tasks", shown > 0, "count", total);
	if (total > shown)
		json_object_set_new(section, "shown", json_integer(shown));
	return section;
}

json_t *page_tasks_section(struct request *req, const char *caption,
			   const char *empty, json_t *tasks)
{
	return page_tasks_section_of(req, caption, empty, tasks, 0);
}

/*
 * ?page= of a paged list: 1 when absent, else paging.h's page number; 0
 * after refusing the request.
 */
static int page_number(struct request *req)
{
	long n = 1;
	return paging_query(req, "page", PAGE_NUMBER_MAX, &n) ? 0 : (int)n;
}

static json_t *page_link(const char *path, long n, long current)
{
	json_t *l = json_pack("{s:I, s:b}", "number", (json_int_t)n, "current",
			      n == current);
	json_object_set_new(l, "href", json_sprintf("%s?page=%ld", path, n));
	return l;
}

/*
 * The GOV.UK pagination component's parts for page current of a list of
 * total rows: previous and next, and the first, last, current and its
 * neighbours, with an ellipsis for each gap.  None for a single page.
 */
static void pagination(json_t *ctx, const char *path, long current, long total)
{
	long pages = (total + PAGE_ROWS - 1) / PAGE_ROWS;
	if (pages < 2)
		return;
	json_t *p = json_object(), *items = json_array();
	if (current > 1)
		json_object_set_new(p, "prev", page_link(path, current - 1, 0));
	if (current < pages)
		json_object_set_new(p, "next", page_link(path, current + 1, 0));
	long last = 0;
	for (long n = 1; n <= pages; n++) {
		if (n != 1 && n != pages &&
		    (n < current - 1 || n > current + 1))
			continue;
		if (last && n > last + 1)
			json_array_append_new(
				items, json_pack("{s:b}", "ellipsis", 1));
		json_array_append_new(items, page_link(path, n, current));
		last = n;
	}
	json_object_set_new(p, "items", items);
	json_object_set_new(ctx, "pagination", p);
}

enum ld_err page_paged(struct request *req, const char *title, const char *path,
		       const char *template,
		       json_int_t (*into)(struct request *req, json_t *ctx,
					  size_t offset, size_t max,
					  enum ld_err *err))
{
	enum ld_err err = LD_EINTERNAL;
	int page = page_number(req);
	if (!page)
		return LD_EINVAL;
	json_t *parts = json_object();
	json_int_t total = into(req, parts, (size_t)(page - 1) * PAGE_ROWS,
				PAGE_ROWS, &err);
	if (total < 0 ||
	    (page > 1 && (json_int_t)(page - 1) * PAGE_ROWS >= total)) {
		json_decref(parts);
		return total < 0 ? err : LD_ENOTFOUND;
	}
	json_t *ctx = page_ctx(req, title, "/home");
	json_object_update(ctx, parts);
	json_decref(parts);
	json_object_set_new(ctx, "back", json_string("/home"));
	json_object_set_new(ctx, "page", json_integer(page));
	json_object_set_new(ctx, "pages",
			    json_integer((total + PAGE_ROWS - 1) / PAGE_ROWS));
	pagination(ctx, path, page, (long)total);
	return page_render(req, 200, template, ctx);
}

void page_home_more(json_t *ctx, const char *key, json_int_t total,
		    const char *what)
{
	if (total > PAGE_HOME_SHOWN)
		json_object_set_new(ctx, key,
				    json_sprintf("See all %lld %s",
						 (long long)total, what));
}
