/*
 * The case forms beside the API's (h_cases.c): registering a notification,
 * recording correspondence, the determination, closing.  Each decodes what
 * was typed with the API's own decoder and keeps it when it is refused.
 */
#include <string.h>

#include "admin_store.h"
#include "app.h"
#include "arena.h"
#include "code_store.h"
#include "date.h"
#include "handlers.h"
#include "kinds.h"
#include "page.h"
#include "page_store.h"
#include "principal.h"
#include "view.h"

/* What the forms share ------------------------------------------------- */

void page_area_choices(struct request *req, json_t *ctx, const char *areas_key,
		       const char *people_key, int64_t area, int64_t who)
{
	char *text = NULL;
	json_t *areas = admin_store_areas(req->app->store, &text)
				? json_array()
				: page_parsed(text);
	json_t *people = page_store_assignees(req->app->store, &text)
				 ? json_array()
				 : page_parsed(text);
	size_t i;
	json_t *o;
	json_array_foreach(areas, i, o) json_object_set_new(
		o, "selected",
		json_boolean(json_integer_value(json_object_get(o, "id")) ==
			     area));
	json_array_foreach(people, i, o) json_object_set_new(
		o, "selected",
		json_boolean(json_integer_value(json_object_get(o, "id")) ==
			     who));
	json_object_set_new(ctx, areas_key, areas);
	json_object_set_new(ctx, people_key, people);
}

/* The service area of a case's complaint, which its work defaults to. */
static int64_t case_area(json_t *c)
{
	return json_integer_value(
		json_object_get(json_object_get(json_object_get(c, "complaint"),
						"service_area"),
				"id"));
}

/* Register a notification ----------------------------------------------- */

/* The new complaint's text fields, as typed, by the form's names. */
static const char *const complaint_fields[] = {"complaint_reference",
					       "complaint_category",
					       "complaint_summary",
					       "resident_name",
					       "resident_address",
					       "resident_contact",
					       "resident_vulnerabilities",
					       "resident_adjustments",
					       NULL};

static enum ld_err case_form(struct request *req, json_t *form, json_t *ctx,
			     json_t *received, json_t *creceived,
			     unsigned int status)
{
	char *text = NULL;
	json_t *complaints = page_store_complaints(req->app->store, &text)
				     ? json_array()
				     : page_parsed(text);
	json_t *ombudsmen = admin_store_ombudsmen(req->app->store, &text)
				    ? json_array()
				    : page_parsed(text);
	const char *cid = page_field(form, "complaint_id");
	const char *om = page_field(form, "ombudsman");
	size_t i;
	json_t *o;
	json_array_foreach(complaints, i, o) json_object_set_new(
		o, "selected",
		json_boolean(*cid &&
			     json_integer_value(json_object_get(o, "id")) ==
				     strtoll(cid, NULL, 10)));
	json_array_foreach(ombudsmen, i, o) json_object_set_new(
		o, "selected",
		json_boolean(!strcmp(
			om, json_string_value(json_object_get(o, "code")))));
	json_object_set_new(ctx, "complaints", complaints);
	json_object_set_new(ctx, "ombudsmen", ombudsmen);
	json_object_set_new(ctx, "received", received);
	json_object_set_new(ctx, "complaint_received", creceived);
	json_t *values = json_pack("{s:s, s:s}", "reference",
				   page_field(form, "reference"), "summary",
				   page_field(form, "summary"));
	for (int k = 0; complaint_fields[k]; k++)
		json_object_set_new(
			values, complaint_fields[k],
			json_string(page_field(form, complaint_fields[k])));
	json_object_set_new(ctx, "values", values);
	/* A new complaint: chosen, or the page's first choice when there is
	 * none to choose. */
	bool fresh = !strcmp(page_field(form, "complaint_choice"), "new") ||
		     !json_array_size(complaints);
	json_object_set_new(ctx, "new_complaint", json_boolean(fresh));
	json_object_set_new(ctx, "has_complaints",
			    json_boolean(json_array_size(complaints) > 0));
	int64_t area = 0;
	page_positive_id(page_field(form, "complaint_area"), &area);
	page_area_choices(req, ctx, "areas", "assignees", area, 0);
	return page_render(req, status, "case_new", ctx);
}

enum ld_err h_page_case_new(struct request *req)
{
	json_t *form = json_object();
	json_t *ctx = page_ctx(req, "Register a notification", "/cases/new");
	json_object_set_new(ctx, "back", json_string("/home"));
	enum ld_err err = case_form(
		req, form, ctx,
		page_date_input("received_on", "Date received",
				"For example, 23 11 2026", app_today(req->app)),
		page_date_input("complaint_received_on",
				"Date the complaint was made",
				"For example, 2 6 2026", 0),
		200);
	json_decref(form);
	return err;
}

static const struct form_input case_inputs[] = {
	{"reference", "reference", "The Ombudsman's reference",
	 "Enter the Ombudsman's reference"},
	{"complaint_id", "complaint_id", "The complaint",
	 "Choose the complaint"},
	{"ombudsman", "ombudsman", "The Ombudsman", "Choose the Ombudsman"},
	{"received_on", "received_on", "The date received", NULL},
	{"summary", "summary", "The summary", NULL},
	{"complaint", "complaint_choice", NULL, NULL},
	{"complaint.reference", "complaint_reference",
	 "The complaint's reference", "Enter the complaint's own reference"},
	{"complaint.category", "complaint_category", "The category",
	 "Enter the complaint's category, for example Repairs"},
	{"complaint.service_area_id", "complaint_area", "The service area",
	 "Choose the service area the complaint is about"},
	{"complaint.received_on", "complaint_received_on", "The date", NULL},
	{"complaint.summary", "complaint_summary", "The summary", NULL},
	{"complaint.resident.name", "resident_name", "The resident's name",
	 "Enter the resident's name"},
	{"complaint.resident.address", "resident_address", "The address", NULL},
	{"complaint.resident.contact", "resident_contact", "The contact", NULL},
	{"complaint.resident.vulnerabilities", "resident_vulnerabilities",
	 "The vulnerabilities", NULL},
	{"complaint.resident.adjustments", "resident_adjustments",
	 "The adjustments", NULL},
	{NULL, NULL, NULL, NULL}};

/*
 * The new complaint's part of the body, as POST /api/v1/cases takes it;
 * the resident only when any of their details is given.
 */
static void complaint_body(struct request *req, json_t *form, json_t *ctx,
			   json_t *body, json_t **creceived)
{
	int32_t day;
	json_t *c =
		json_pack("{s:s, s:s, s:s}", "reference",
			  page_field(form, "complaint_reference"), "category",
			  page_field(form, "complaint_category"), "summary",
			  page_field(form, "complaint_summary"));
	if (!page_date(form, "complaint_received_on",
		       "Date the complaint was made", "For example, 2 6 2026",
		       true, &day, creceived))
		page_field_error(ctx, "complaint_received_on",
				 json_string_value(
					 json_object_get(*creceived, "error")));
	form_body_date(c, "received_on", day);
	form_body_number(c, "service_area_id",
			 page_field(form, "complaint_area"));
	json_t *r = json_object();
	static const char *const who[] = {"name",	 "address",
					  "contact",	 "vulnerabilities",
					  "adjustments", NULL};
	bool any = false;
	for (int k = 0; who[k]; k++) {
		const char *v = page_field(
			form, arena_printf(req->arena, "resident_%s", who[k]));
		any |= *v != '\0';
		json_object_set_new(r, who[k], json_string(v));
	}
	if (any)
		json_object_set_new(c, "resident", r);
	else
		json_decref(r);
	json_object_set_new(body, "complaint", c);
}

static enum ld_err case_decoder(struct request *req, json_t *body, void *out)
{
	return cases_case_in(req, body, out);
}

enum ld_err h_page_case_new_post(struct request *req)
{
	unsigned int status = 400; /* a date the form could not read */
	json_t *form = page_form(req), *received, *creceived = NULL;
	struct case_in in;
	struct why why = {0};
	int32_t received_on;
	char *json = NULL;
	if (!form)
		return request_fail(req, LD_EINVAL, NULL,
				    "The form is malformed.");
	json_t *ctx = page_ctx(req, "Register a notification", "/cases/new");
	json_object_set_new(ctx, "back", json_string("/home"));
	json_t *body = form_body(req);
	if (!page_date(form, "received_on", "Date received",
		       "For example, 23 11 2026", true, &received_on,
		       &received))
		page_field_error(
			ctx, "received_on",
			json_string_value(json_object_get(received, "error")));
	form_body_date(body, "received_on", received_on);
	if (!strcmp(page_field(form, "complaint_choice"), "new"))
		complaint_body(req, form, ctx, body, &creceived);
	else
		form_body_number(body, "complaint_id",
				 page_field(form, "complaint_id"));
	if (!creceived)
		creceived = page_date_input("complaint_received_on",
					    "Date the complaint was made",
					    "For example, 2 6 2026", 0);
	json_object_set_new(body, "ombudsman",
			    json_string(page_field(form, "ombudsman")));
	json_object_set_new(body, "reference",
			    json_string(page_field(form, "reference")));
	json_object_set_new(body, "summary",
			    json_string(page_field(form, "summary")));
	json_object_set_new(body, "channel", json_string("email"));
	bool typed = !json_is_true(json_object_get(ctx, "has_errors"));
	struct refusals refused;
	enum ld_err err = form_decode(req, body, case_decoder, &in, &refused);
	if (!err && typed) {
		err = case_store_register(req->app->store, &req->who, &in,
					  &json, &why);
		json_t *c = err ? NULL : page_parsed(json);
		if (c) {
			const char *to = arena_printf(
				req->arena, "/cases/%lld?done=notification",
				(long long)json_integer_value(
					json_object_get(c, "id")));
			json_decref(c);
			json_decref(received);
			json_decref(creceived);
			json_decref(ctx);
			return page_redirect(req, to);
		}
		if (ld_err_transient(err)) {
			json_decref(received);
			json_decref(creceived);
			json_decref(ctx);
			return err;
		}
		refusals_add(req, &refused, err, why.field, why.msg);
	}
	unsigned int shown = form_show_refusals(req, ctx, case_inputs, NULL, 0,
						&refused, NULL);
	return case_form(req, form, ctx, received, creceived,
			 typed ? shown : status);
}

/* Record correspondence ------------------------------------------------- */

/* The kind a record form is for: one with a form in core's table. */
static const struct corr_kind *kind_of(struct request *req)
{
	const struct corr_kind *k = corr_kind_find(request_query(req, "kind"));
	return k && k->heading ? k : NULL;
}

/*
 * The types the case's Ombudsman gives its sanction (the Housing
 * Ombudsman's failure orders: 1, 2 or 3), as radios; none: no question.
 */
static void sanction_types(struct request *req, json_t *c, json_t *form,
			   json_t *ctx)
{
	char *text = NULL;
	json_t *oms = admin_store_ombudsmen(req->app->store, &text)
			      ? json_array()
			      : page_parsed(text);
	const char *code = json_string_value(
		json_object_get(json_object_get(c, "ombudsman"), "code"));
	const char *chosen = page_field(form, "chfo_type");
	size_t i;
	json_t *o;
	json_array_foreach(oms, i, o)
	{
		const char *oc = json_string_value(json_object_get(o, "code"));
		json_int_t n = json_integer_value(
			json_object_get(o, "sanction_types"));
		if (!code || !oc || strcmp(code, oc) || n <= 0)
			continue;
		json_t *types = json_array();
		for (json_int_t t = 1; t <= n; t++) {
			char v[8];
			snprintf(v, sizeof(v), "%d", (int)t);
			json_array_append_new(
				types, json_pack("{s:s, s:b, s:b}", "value", v,
						 "selected", !strcmp(chosen, v),
						 "first", t == 1));
		}
		json_object_set_new(ctx, "sanction_types", types);
		json_object_set_new(ctx, "has_sanction_types", json_true());
		json_object_set(ctx, "sanction_name",
				json_object_get(o, "sanction_name"));
	}
	json_decref(oms);
}

static enum ld_err record_form(struct request *req, int64_t case_id,
			       const struct corr_kind *k, json_t *form,
			       json_t *ctx, json_t *dated, json_t *due,
			       json_t *revised, unsigned int status)
{
	char *text = NULL;
	enum ld_err err =
		case_store_get(req->app->store, &req->who, case_id, &text);
	json_t *c = err ? NULL : page_parsed(text);
	if (!c) {
		json_decref(ctx);
		json_decref(dated);
		json_decref(due);
		json_decref(revised);
		return err ? err : LD_EINTERNAL;
	}
	int64_t area = 0, who = 0;
	page_positive_id(page_field(form, "service_area_id"), &area);
	page_positive_id(page_field(form, "assignee_id"), &who);
	/* Unless chosen, the request goes to the complaint's service area. */
	if (!json_object_get(form, "service_area_id"))
		area = case_area(c);
	page_area_choices(req, ctx, "areas", "assignees", area, who);
	json_object_set_new(ctx, "case", c);
	json_object_set_new(ctx, "kind", json_string(k->name));
	json_object_set_new(ctx, "heading", json_string(k->heading));
	json_object_set_new(ctx, "show_task", json_boolean(k->needs_tasks));
	json_object_set_new(ctx, "show_response_due",
			    json_boolean(k->asks_response_due));
	json_object_set_new(ctx, "show_revised", json_boolean(k->asks_revised));
	if (k->asks_sanction_type)
		sanction_types(req, c, form, ctx);
	json_object_set_new(ctx, "dated", dated);
	json_object_set_new(ctx, "response_due", due);
	json_object_set_new(ctx, "revised", revised);
	json_object_set_new(ctx, "back",
			    json_sprintf("/cases/%lld", (long long)case_id));
	json_object_set_new(ctx, "values",
			    json_pack("{s:s, s:s, s:s}", "title",
				      page_field(form, "title"), "detail",
				      page_field(form, "detail"), "summary",
				      page_field(form, "summary")));
	return page_render(req, status, "record", ctx);
}

enum ld_err h_page_record(struct request *req)
{
	const struct corr_kind *k = kind_of(req);
	int64_t id;
	enum ld_err err = request_id(req, 0, &id);
	if (err)
		return err;
	if (!k)
		return request_fail(req, LD_ENOTFOUND, NULL, "no such form");
	json_t *form = json_object();
	json_t *ctx = page_ctx(req, k->heading, "/cases");
	err = record_form(
		req, id, k, form, ctx,
		page_date_input("dated_on", "Date of the correspondence",
				"For example, 23 11 2026", app_today(req->app)),
		page_date_input("response_due_on",
				"The date the Ombudsman set for a response "
				"(optional)",
				"Leave blank for its usual period in working "
				"days",
				0),
		page_date_input("revised_due_on", "The new due date",
				"For example, 14 12 2026", 0),
		200);
	json_decref(form);
	return err;
}

static const struct form_input record_inputs[] = {
	{"dated_on", "dated_on", "The date of the correspondence", NULL},
	{"response_due_on", "response_due_on", "The response date", NULL},
	{"revised_due_on", "revised_due_on", "The new due date", NULL},
	{"summary", "summary", "The summary", NULL},
	{"chfo_type", "chfo_type", "The type", NULL},
	{"tasks[].title", "title", "What was asked for",
	 "Enter what exactly the Ombudsman asked for, in up to 300 characters"},
	{"tasks[].detail", "detail", "The detail", NULL},
	{"tasks[].service_area_id", "service_area_id", "The service area",
	 "Choose the service area"},
	{"tasks[].assignee_id", "assignee_id", "The assignee", NULL},
	{NULL, NULL, NULL, NULL}};

static enum ld_err correspondence_decoder(struct request *req, json_t *body,
					  void *out)
{
	return cases_correspondence_in(req, body, out);
}

enum ld_err h_page_record_post(struct request *req)
{
	unsigned int status = 400; /* a date the form could not read */
	const struct corr_kind *k = kind_of(req);
	json_t *form = page_form(req), *dated, *due, *revised;
	struct correspondence_in in;
	struct why why = {0};
	int32_t dated_on, response_due_on, revised_due_on;
	int64_t id;
	char *json = NULL;
	enum ld_err err = request_id(req, 0, &id);
	if (err)
		return err;
	if (!k || !form)
		return request_fail(req, LD_EINVAL, NULL,
				    "The form is malformed.");
	json_t *ctx = page_ctx(req, k->heading, "/cases");
	json_t *body = form_body(req);
	if (!page_date(form, "dated_on", "Date of the correspondence",
		       "For example, 23 11 2026", true, &dated_on, &dated))
		page_field_error(
			ctx, "dated_on",
			json_string_value(json_object_get(dated, "error")));
	if (!page_date(form, "response_due_on",
		       "The date the Ombudsman set for a response (optional)",
		       "Leave blank for its usual period in working days",
		       false, &response_due_on, &due))
		page_field_error(
			ctx, "response_due_on",
			json_string_value(json_object_get(due, "error")));
	if (!page_date(form, "revised_due_on", "The new due date",
		       "For example, 14 12 2026", k->needs_revised,
		       &revised_due_on, &revised))
		page_field_error(
			ctx, "revised_due_on",
			json_string_value(json_object_get(revised, "error")));
	json_object_set_new(body, "kind", json_string(k->name));
	json_object_set_new(body, "channel", json_string("email"));
	json_object_set_new(body, "summary",
			    json_string(page_field(form, "summary")));
	form_body_date(body, "dated_on", dated_on);
	form_body_date(body, "response_due_on", response_due_on);
	form_body_date(body, "revised_due_on", revised_due_on);
	if (k->asks_sanction_type)
		form_body_number(body, "chfo_type",
				 page_field(form, "chfo_type"));
	if (k->needs_tasks) {
		json_t *t = json_pack("{s:s, s:s}", "title",
				      page_field(form, "title"), "detail",
				      page_field(form, "detail"));
		form_body_number(t, "service_area_id",
				 page_field(form, "service_area_id"));
		form_body_number(t, "assignee_id",
				 page_field(form, "assignee_id"));
		json_object_set_new(body, "tasks", json_pack("[o]", t));
	}
	bool typed = !json_is_true(json_object_get(ctx, "has_errors"));
	struct refusals refused;
	static const int row = 1;
	err = form_decode(req, body, correspondence_decoder, &in, &refused);
	if (!err && typed) {
		err = cases_correspond(req, id, &in, &json, &why);
		if (!err) {
			free(json);
			json_decref(ctx);
			json_decref(dated);
			json_decref(due);
			json_decref(revised);
			return page_redirect(
				req,
				arena_printf(req->arena, "/cases/%lld?done=%s",
					     (long long)id, k->name));
		}
		if (err == LD_ENOTFOUND || ld_err_transient(err)) {
			json_decref(ctx);
			json_decref(dated);
			json_decref(due);
			json_decref(revised);
			return err;
		}
		refusals_add(req, &refused, err, why.field, why.msg);
	}
	unsigned int shown = form_show_refusals(req, ctx, record_inputs, &row,
						1, &refused, NULL);
	return record_form(req, id, k, form, ctx, dated, due, revised,
			   typed ? shown : status);
}

/* The determination ----------------------------------------------------- */

#define FINDING_ROWS 3
#define REMEDY_ROWS  4

static enum ld_err determination_form(struct request *req, int64_t case_id,
				      json_t *form, json_t *ctx,
				      json_t *decided, unsigned int status)
{
	char *text = NULL, key[32];
	enum ld_err err =
		case_store_get(req->app->store, &req->who, case_id, &text);
	json_t *c = err ? NULL : page_parsed(text);
	if (!c) {
		json_decref(ctx);
		json_decref(decided);
		return err ? err : LD_EINTERNAL;
	}
	json_t *oms = admin_store_ombudsmen(req->app->store, &text)
			      ? json_array()
			      : page_parsed(text);
	const char *code = json_string_value(
		json_object_get(json_object_get(c, "ombudsman"), "code"));
	json_t *allowed = NULL, *o;
	size_t i;
	json_array_foreach(oms, i, o)
	{
		const char *oc = json_string_value(json_object_get(o, "code"));
		if (code && oc && !strcmp(oc, code))
			allowed = json_object_get(o, "findings");
	}
	json_t *rows = json_array();
	for (int n = 1; n <= FINDING_ROWS; n++) {
		json_t *choices = json_array();
		json_t *f;
		snprintf(key, sizeof(key), "finding-%d", n);
		const char *chosen = page_field(form, key);
		json_array_foreach(allowed, i, f) json_array_append_new(
			choices,
			json_pack("{s:s, s:s, s:b}", "value",
				  json_string_value(f), "label",
				  view_finding(json_string_value(f)),
				  "selected",
				  !strcmp(chosen, json_string_value(f))));
		snprintf(key, sizeof(key), "element-%d", n);
		json_t *row = json_pack(
			"{s:i, s:b, s:s, s:o}", "n", n, "optional", n > 1,
			"element", page_field(form, key), "choices", choices);
		/* The row shows its error beside the input too. */
		json_t *e = json_object_get(json_object_get(ctx, "err"), key);
		if (e)
			json_object_set(row, "error", e);
		json_array_append_new(rows, row);
	}
	json_t *areas_text_list = admin_store_areas(req->app->store, &text)
					  ? json_array()
					  : page_parsed(text);
	json_t *remedies = json_array();
	for (int n = 1; n <= REMEDY_ROWS; n++) {
		json_t *kinds = json_array(),
		       *areas = json_deep_copy(areas_text_list);
		snprintf(key, sizeof(key), "kind-%d", n);
		const char *kind = page_field(form, key);
		for (const struct remedy_kind *rk = remedy_kinds; rk->name;
		     rk++)
			json_array_append_new(
				kinds,
				json_pack("{s:s, s:s, s:b}", "value", rk->name,
					  "label", rk->label, "selected",
					  !strcmp(kind, rk->name)));
		snprintf(key, sizeof(key), "area-%d", n);
		/* Each remedy's area is the case's unless chosen. */
		int64_t area = 0;
		if (json_object_get(form, key))
			page_positive_id(page_field(form, key), &area);
		else
			area = case_area(c);
		json_array_foreach(areas, i, o) json_object_set_new(
			o, "selected",
			json_boolean(json_integer_value(json_object_get(
					     o, "id")) == area));
		char dk[32], ak[32], wk[32], tk[32];
		snprintf(dk, sizeof(dk), "description-%d", n);
		snprintf(ak, sizeof(ak), "amount-%d", n);
		snprintf(wk, sizeof(wk), "weeks-%d", n);
		snprintf(tk, sizeof(tk), "type-%d", n);
		json_t *row = json_pack(
			"{s:i, s:s, s:s, s:s, s:b, s:o, s:o}", "n", n,
			"description", page_field(form, dk), "amount",
			page_field(form, ak), "weeks",
			*page_field(form, wk) ? page_field(form, wk) : "4",
			"is_order",
			strcmp(page_field(form, tk), "recommendation"), "kinds",
			kinds, "areas", areas);
		json_t *e = json_object_get(json_object_get(ctx, "err"), dk);
		if (e)
			json_object_set(row, "error", e);
		json_array_append_new(remedies, row);
	}
	json_decref(areas_text_list);
	json_decref(oms);
	json_object_set_new(ctx, "case", c);
	json_object_set_new(ctx, "decided", decided);
	json_object_set_new(ctx, "finding_rows", rows);
	json_object_set_new(ctx, "remedy_rows", remedies);
	json_object_set_new(ctx, "back",
			    json_sprintf("/cases/%lld", (long long)case_id));
	return page_render(req, status, "determination", ctx);
}

enum ld_err h_page_determination(struct request *req)
{
	int64_t id;
	enum ld_err err = request_id(req, 0, &id);
	if (err)
		return err;
	json_t *form = json_object();
	err = determination_form(
		req, id, form,
		page_ctx(req, "Register the determination", "/cases"),
		page_date_input("decided_on", "Date of the determination",
				"For example, 2 11 2026", app_today(req->app)),
		200);
	json_decref(form);
	return err;
}

/* Pounds as typed ("350", "350.50", "£1,200") to pence; -1 if not money. */
static long long pence(const char *s)
{
	long long p = 0;
	int decimals = -1;
	if (*s == '\xc2' && s[1] == '\xa3')
		s += 2;
	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s == ',' && decimals < 0)
			continue;
		if (*s == '.' && decimals < 0) {
			decimals = 0;
			continue;
		}
		if (*s < '0' || *s > '9' || decimals == 2 || p > 100000000000LL)
			return -1;
		p = p * 10 + (*s - '0');
		if (decimals >= 0)
			decimals++;
	}
	if (decimals < 0)
		decimals = 0;
	for (; decimals < 2; decimals++)
		p *= 10;
	return p;
}

static const struct form_input determination_inputs[] = {
	{"findings[].element", "element-", "The complaint element",
	 "Enter the complaint element of the finding"},
	{"decided_on", "decided_on", "The date of the determination", NULL},
	{"findings", "element-", NULL, NULL},
	{"findings[].finding", "finding-", "The finding", "Choose the finding"},
	{"remedies", "description-", NULL, NULL},
	{"remedies[].description", "description-", "What was ordered", NULL},
	{"remedies[].type", "type-", "Order or recommendation",
	 "Choose order or recommendation"},
	{"remedies[].kind", "kind-", "The kind", "Choose the kind"},
	{"remedies[].amount_pence", "amount-", "The amount",
	 "Enter the compensation amount in pounds"},
	{"remedies[].weeks", "weeks-", "The weeks", NULL},
	{"remedies[].service_area_id", "area-", "The service area",
	 "Choose the service area"},
	{NULL, NULL, NULL, NULL}};

static enum ld_err determination_decoder(struct request *req, json_t *body,
					 void *out)
{
	return cases_determination_in(req, body, out);
}

enum ld_err h_page_determination_post(struct request *req)
{
	unsigned int status = 400; /* a date or sum the form could not read */
	json_t *form = page_form(req), *decided;
	struct determination_in in;
	struct why why = {0};
	int finding_row[FINDING_ROWS], remedy_row[REMEDY_ROWS];
	int nfindings = 0, nremedies = 0;
	int32_t decided_on;
	char key[32], *json = NULL;
	int64_t id;
	enum ld_err err = page_posted(req, form, &id);
	if (err)
		return err;
	json_t *ctx = page_ctx(req, "Register the determination", "/cases");
	json_t *body = form_body(req);
	json_t *findings = json_array(), *remedies = json_array();
	json_object_set_new(body, "channel", json_string("email"));
	if (!page_date(form, "decided_on", "Date of the determination",
		       "For example, 2 11 2026", true, &decided_on, &decided))
		page_field_error(
			ctx, "decided_on",
			json_string_value(json_object_get(decided, "error")));
	form_body_date(body, "decided_on", decided_on);
	/* A row left blank is no finding; the first is never blank. */
	for (int n = 1; n <= FINDING_ROWS; n++) {
		snprintf(key, sizeof(key), "element-%d", n);
		const char *element = page_field(form, key);
		if (n > 1 && !*element)
			continue;
		snprintf(key, sizeof(key), "finding-%d", n);
		finding_row[nfindings++] = n;
		json_array_append_new(
			findings, json_pack("{s:s, s:s}", "element", element,
					    "finding", page_field(form, key)));
	}
	for (int n = 1; n <= REMEDY_ROWS; n++) {
		char k[32];
		snprintf(k, sizeof(k), "description-%d", n);
		const char *desc = page_field(form, k);
		if (!*desc)
			continue;
		json_t *r = json_pack("{s:s}", "description", desc);
		snprintf(k, sizeof(k), "type-%d", n);
		json_object_set_new(r, "type",
				    json_string(page_field(form, k)));
		snprintf(k, sizeof(k), "kind-%d", n);
		json_object_set_new(r, "kind",
				    json_string(page_field(form, k)));
		/* The form takes pounds as typed; the API takes pence. */
		snprintf(k, sizeof(k), "amount-%d", n);
		const char *amount = page_field(form, k);
		long long p = *amount ? pence(amount) : -1;
		if (*amount && p < 0)
			page_field_error(
				ctx, arena_printf(req->arena, "amount-%d", n),
				"Enter the compensation in pounds, "
				"like 350 or 350.50");
		if (p >= 0)
			json_object_set_new(r, "amount_pence", json_integer(p));
		snprintf(k, sizeof(k), "weeks-%d", n);
		form_body_number(r, "weeks", page_field(form, k));
		snprintf(k, sizeof(k), "area-%d", n);
		form_body_number(r, "service_area_id", page_field(form, k));
		remedy_row[nremedies++] = n;
		json_array_append_new(remedies, r);
	}
	json_object_set_new(body, "findings", findings);
	json_object_set_new(body, "remedies", remedies);
	bool typed = !json_is_true(json_object_get(ctx, "has_errors"));
	struct refusals refused, of_remedies = {0};
	err = form_decode(req, body, determination_decoder, &in, &refused);
	if (!err && typed) {
		err = cases_determine(req, id, &in, &json, &why);
		if (!err) {
			free(json);
			json_decref(ctx);
			json_decref(decided);
			return page_redirect(
				req,
				arena_printf(req->arena,
					     "/cases/%lld?done=determination",
					     (long long)id));
		}
		if (err == LD_ENOTFOUND || ld_err_transient(err)) {
			json_decref(ctx);
			json_decref(decided);
			return err;
		}
		refusals_add(req, &refused, err, why.field, why.msg);
	}
	/* A remedy's row is counted among the remedies, the rest's among the
	 * findings. */
	int n = 0;
	for (int i = 0; i < refused.n; i++)
		if (!strncmp(refused.r[i].field, "remedies", 8))
			of_remedies.r[of_remedies.n++] = refused.r[i];
		else
			refused.r[n++] = refused.r[i];
	refused.n = n;
	unsigned int shown =
		form_show_refusals(req, ctx, determination_inputs, finding_row,
				   nfindings, &refused, NULL);
	unsigned int shown_remedies =
		form_show_refusals(req, ctx, determination_inputs, remedy_row,
				   nremedies, &of_remedies, NULL);
	if (typed)
		status = n ? shown : shown_remedies;
	return determination_form(req, id, form, ctx, decided, status);
}

/*
 * The case page's two commands: closing with an outcome (POST
 * /api/v1/cases/{id}/close) and moving the stage (.../stage), each decoded
 * by the API's decoder; a refusal is shown on the case page.
 */
static enum ld_err case_command(struct request *req, bool closing)
{
	json_t *form = page_form(req);
	struct why why = {0};
	char *json = NULL;
	const char *outcome;
	int32_t closed_on;
	int version, stage;
	int64_t id;
	enum ld_err err = page_posted(req, form, &id);
	if (err)
		return err;
	json_t *body = form_body(req);
	const char *key = closing ? "outcome" : "stage";
	form_body_number(body, "version", page_field(form, "version"));
	json_object_set_new(body, key, json_string(page_field(form, key)));
	if ((err = closing ? cases_close_in(req, body, &outcome, &closed_on,
					    &version)
			   : cases_stage_in(req, body, &stage, &version)))
		page_why_refused(req, &why);
	else if (closing)
		err = case_store_close(req->app->store, &req->who, id, version,
				       closed_on, outcome, &json, &why);
	else
		err = case_store_set_stage(req->app->store, &req->who, id,
					   version, (enum case_stage)stage,
					   &json, &why);
	free(json);
	if (err == LD_ENOTFOUND || ld_err_transient(err))
		return err;
	if (err)
		return page_case(req, id, &why, err);
	return page_redirect(
		req, arena_printf(req->arena, "/cases/%lld?done=%s",
				  (long long)id, closing ? "closed" : "stage"));
}

enum ld_err h_page_case_close(struct request *req)
{
	return case_command(req, true);
}

enum ld_err h_page_case_stage(struct request *req)
{
	return case_command(req, false);
}

/* The complaint: its handling dates and its resident -------------------- */

/* The dates the Code times, as the form asks them. */
static const struct {
	const char *key, *label;
} stage_dates[] = {
	{"stage1_acknowledged_on", "Stage 1 acknowledged"},
	{"stage1_response_on", "Stage 1 response sent"},
	{"stage1_extension_told_on", "Resident told of a stage 1 extension"},
	{"escalation_requested_on", "Escalation to stage 2 requested"},
	{"stage2_acknowledged_on", "Stage 2 acknowledged"},
	{"stage2_response_on", "Stage 2 response sent"},
	{"stage2_extension_told_on", "Resident told of a stage 2 extension"},
};
#define STAGE_DATES (sizeof(stage_dates) / sizeof(stage_dates[0]))
#define DATE_HINT   "Leave blank if it has not happened yet"

static const char *const resident_keys[] = {
	"name", "address", "contact", "vulnerabilities", "adjustments", NULL};

/*
 * The complaint page of a case: the complaint's dates against the Code
 * and the resident's details.  form: what was typed (NULL: the stored
 * values); dates: the date inputs as typed (NULL: from the store).
 */
static enum ld_err complaint_page(struct request *req, int64_t case_id,
				  json_t *form, json_t *ctx, json_t *dates,
				  unsigned int status)
{
	char *text = NULL;
	enum ld_err err =
		case_store_get(req->app->store, &req->who, case_id, &text);
	json_t *c = err ? NULL : page_parsed(text);
	if (!c) {
		json_decref(ctx);
		json_decref(dates);
		return err ? err : LD_EINTERNAL;
	}
	request_own(req, c);
	int64_t cid = json_integer_value(
		json_object_get(json_object_get(c, "complaint"), "id"));
	err = case_store_complaint(req->app->store, &req->who, cid, &text);
	json_t *cp = err ? NULL : page_parsed(text);
	if (!cp) {
		json_decref(ctx);
		json_decref(dates);
		return err ? err : LD_EINTERNAL;
	}
	code_timeliness(req, cp);
	json_t *stages = json_object_get(cp, "stages");
	if (!dates) {
		dates = json_array();
		for (size_t i = 0; i < STAGE_DATES; i++) {
			int32_t day = 0;
			if (date_parse(json_string_value(json_object_get(
					       stages, stage_dates[i].key)),
				       &day))
				day = 0;
			json_array_append_new(
				dates, page_date_input(stage_dates[i].key,
						       stage_dates[i].label,
						       DATE_HINT, day));
		}
	}
	/* An error the API gave a date shows by that date too. */
	json_t *errs = json_object_get(ctx, "err"), *d;
	size_t i;
	json_array_foreach(dates, i, d)
	{
		json_t *e = json_object_get(
			errs, json_string_value(json_object_get(d, "id")));
		if (e && !json_object_get(d, "error"))
			json_object_set(d, "error", e);
	}
	json_t *values = json_object();
	static const char *const texts[] = {
		"stage1_extension_days", "stage1_extension_reason",
		"stage2_extension_days", "stage2_extension_reason", NULL};
	for (int k = 0; texts[k]; k++) {
		json_t *v = json_object_get(stages, texts[k]);
		json_object_set_new(
			values, texts[k],
			form ? json_string(page_field(form, texts[k]))
			: json_is_integer(v)
				? json_sprintf("%lld",
					       (long long)json_integer_value(v))
				: json_string(json_is_string(v)
						      ? json_string_value(v)
						      : ""));
	}
	json_t *r = json_object_get(cp, "resident");
	for (int k = 0; resident_keys[k]; k++) {
		const char *key = arena_printf(req->arena, "resident_%s",
					       resident_keys[k]);
		const char *v = form ? page_field(form, key)
				     : json_string_value(json_object_get(
					       r, resident_keys[k]));
		json_object_set_new(values, key, json_string(v ? v : ""));
	}
	json_object_set_new(ctx, "values", values);
	json_object_set_new(ctx, "dates", dates);
	json_object_set_new(ctx, "sees_residents",
			    json_boolean(principal_sees_residents(&req->who)));
	json_object_set(ctx, "timeliness", json_object_get(cp, "timeliness"));
	json_object_set(ctx, "case", c);
	json_object_set_new(ctx, "complaint", cp);
	json_object_set_new(ctx, "back",
			    json_sprintf("/cases/%lld", (long long)case_id));
	return page_render(req, status, "complaint", ctx);
}

enum ld_err h_page_complaint(struct request *req)
{
	int64_t id;
	enum ld_err err = request_id(req, 0, &id);
	if (err)
		return err;
	json_t *ctx = page_ctx(req, "The complaint", "/cases");
	page_done_flash(req, ctx);
	return complaint_page(req, id, NULL, ctx, NULL, 200);
}

static const struct form_input complaint_inputs[] = {
	{"version", "main-content", NULL, NULL},
	{"stage1_acknowledged_on", "stage1_acknowledged_on", "The date", NULL},
	{"stage1_response_on", "stage1_response_on", "The date", NULL},
	{"stage1_extension_told_on", "stage1_extension_told_on", "The date",
	 NULL},
	{"escalation_requested_on", "escalation_requested_on", "The date",
	 NULL},
	{"stage2_acknowledged_on", "stage2_acknowledged_on", "The date", NULL},
	{"stage2_response_on", "stage2_response_on", "The date", NULL},
	{"stage2_extension_told_on", "stage2_extension_told_on", "The date",
	 NULL},
	{"stage1_extension_days", "stage1_extension_days", "The extension",
	 NULL},
	{"stage2_extension_days", "stage2_extension_days", "The extension",
	 NULL},
	{"stage1_extension_reason", "stage1_extension_reason", "The reason",
	 NULL},
	{"stage2_extension_reason", "stage2_extension_reason", "The reason",
	 NULL},
	{"name", "resident_name", "The resident's name",
	 "Enter the resident's name"},
	{"address", "resident_address", "The address", NULL},
	{"contact", "resident_contact", "The contact", NULL},
	{"vulnerabilities", "resident_vulnerabilities", "The vulnerabilities",
	 NULL},
	{"adjustments", "resident_adjustments", "The adjustments", NULL},
	{NULL, NULL, NULL, NULL}};

/*
 * POST /cases/{id}/complaint: the complaint's dates (PATCH
 * /api/v1/complaints/{id}/stages) or its resident (PUT .../resident), by
 * the form's "part", each through the API's decoder and store command.
 */
static enum ld_err resident_decoder(struct request *req, json_t *body,
				    void *out)
{
	return cases_resident_in(req, body, out);
}

static enum ld_err stages_decoder(struct request *req, json_t *body, void *out)
{
	return code_stages_in(req, body, out);
}

enum ld_err h_page_complaint_post(struct request *req)
{
	unsigned int status = 400; /* a date the form could not read */
	json_t *form = page_form(req);
	struct why why = {0};
	char *json = NULL, *text = NULL;
	int64_t id;
	enum ld_err err = page_posted(req, form, &id);
	if (err)
		return err;
	bool resident = !strcmp(page_field(form, "part"), "resident");
	json_t *ctx = page_ctx(req, "The complaint", "/cases");
	json_t *body = form_body(req), *dates = NULL;
	if (resident)
		for (int k = 0; resident_keys[k]; k++)
			json_object_set_new(
				body, resident_keys[k],
				json_string(page_field(
					form,
					arena_printf(req->arena, "resident_%s",
						     resident_keys[k]))));
	else {
		dates = json_array();
		form_body_number(body, "version", page_field(form, "version"));
		for (size_t i = 0; i < STAGE_DATES; i++) {
			int32_t day;
			json_t *in;
			if (!page_date(form, stage_dates[i].key,
				       stage_dates[i].label, DATE_HINT, false,
				       &day, &in))
				page_field_error(
					ctx, stage_dates[i].key,
					json_string_value(
						json_object_get(in, "error")));
			json_array_append_new(dates, in);
			/* Blank: not done (yet), so none. */
			if (day)
				form_body_date(body, stage_dates[i].key, day);
			else
				json_object_set_new(body, stage_dates[i].key,
						    json_null());
		}
		static const char *const days[] = {"stage1_extension_days",
						   "stage2_extension_days"};
		for (int k = 0; k < 2; k++) {
			const char *v = page_field(form, days[k]);
			if (*v)
				form_body_number(body, days[k], v);
			else
				json_object_set_new(body, days[k],
						    json_integer(0));
		}
		json_object_set_new(body, "stage1_extension_reason",
				    json_string(page_field(
					    form, "stage1_extension_reason")));
		json_object_set_new(body, "stage2_extension_reason",
				    json_string(page_field(
					    form, "stage2_extension_reason")));
	}
	bool typed = !json_is_true(json_object_get(ctx, "has_errors"));
	struct refusals refused;
	struct complaint_in rin;
	struct stage_dates_in sin;
	err = resident
		      ? form_decode(req, body, resident_decoder, &rin, &refused)
		      : form_decode(req, body, stages_decoder, &sin, &refused);
	if (!err && typed) {
		err = case_store_get(req->app->store, &req->who, id, &text);
		json_t *c = err ? NULL : page_parsed(text);
		if (!c) {
			json_decref(ctx);
			json_decref(dates);
			return err ? err : LD_EINTERNAL;
		}
		int64_t cid = json_integer_value(
			json_object_get(json_object_get(c, "complaint"), "id"));
		json_decref(c);
		if (resident)
			err = case_store_set_resident(
				req->app->store, &req->who, cid, &rin, &json);
		else
			err = code_store_set_stages(req->app->store, &req->who,
						    cid, &sin, &json, &why);
		free(json);
		if (!err) {
			json_decref(ctx);
			json_decref(dates);
			return page_redirect(
				req,
				arena_printf(req->arena,
					     "/cases/%lld/complaint?done=%s",
					     (long long)id,
					     resident ? "resident" : "stages"));
		}
		if (err == LD_ENOTFOUND || ld_err_transient(err)) {
			json_decref(ctx);
			json_decref(dates);
			return err;
		}
		refusals_add(req, &refused, err, why.field, why.msg);
	}
	unsigned int shown = form_show_refusals(req, ctx, complaint_inputs,
						NULL, 0, &refused, NULL);
	return complaint_page(req, id, form, ctx, dates,
			      typed ? shown : status);
}
