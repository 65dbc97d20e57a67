/* The Complaint Handling Code: stage timeliness and self-assessments. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "arena.h"
#include "code_store.h"
#include "sa_store.h"
#include "date.h"
#include "export.h"
#include "handlers.h"
#include "input.h"
#include "page.h"
#include "workflow.h"
#include "timeliness.h"

static int32_t stage_date(json_t *stages, const char *key)
{
	int32_t d;
	const char *v = json_string_value(json_object_get(stages, key));
	return v && !date_parse(v, &d) ? d : 0;
}

struct steps_ctx {
	const struct code_limits *limits;
	const struct complaint_dates *dates;
	int32_t today;
	struct step *steps;
};

static enum ld_err steps(const struct workcal *cal, void *arg)
{
	struct steps_ctx *c = arg;
	return timeliness_steps(cal, c->limits, c->dates, c->today, c->steps);
}

void code_timeliness(struct request *req, json_t *complaint)
{
	json_t *st = json_object_get(complaint, "stages");
	struct code_limits limits;
	struct step s[TIMELINESS_STEPS];
	char name[200];
	if (!st || code_store_limits(req->app->store, NULL, &limits, name,
				     sizeof(name)))
		return;
	struct complaint_dates d = {
		.received = stage_date(st, "received_on"),
		.s1_ack = stage_date(st, "stage1_acknowledged_on"),
		.s1_response = stage_date(st, "stage1_response_on"),
		.s1_extension = (int)json_integer_value(
			json_object_get(st, "stage1_extension_days")),
		.escalated = stage_date(st, "escalation_requested_on"),
		.s2_ack = stage_date(st, "stage2_acknowledged_on"),
		.s2_response = stage_date(st, "stage2_response_on"),
		.s2_extension = (int)json_integer_value(
			json_object_get(st, "stage2_extension_days")),
	};
	struct steps_ctx c = {&limits, &d, app_today(req->app), s};
	if (!d.received || app_with_calendar(req->app, steps, &c))
		return;
	json_t *arr = json_array();
	for (int i = 0; i < TIMELINESS_STEPS; i++) {
		char due[DATE_STRLEN] = "", done[DATE_STRLEN] = "",
		     due_long[DATE_LONG_LEN] = "", text[120];
		if (s[i].due) {
			date_format(s[i].due, due);
			date_format_long(s[i].due, due_long);
		}
		if (s[i].done)
			date_format(s[i].done, done);
		switch (s[i].state) {
		case STEP_MET: snprintf(text, sizeof(text), "met"); break;
		case STEP_MISSED:
			snprintf(text, sizeof(text),
				 "missed by %d working day%s", s[i].late_by,
				 s[i].late_by == 1 ? "" : "s");
			break;
		case STEP_OVERDUE:
			snprintf(text, sizeof(text),
				 "not done: %d working day%s overdue",
				 s[i].late_by, s[i].late_by == 1 ? "" : "s");
			break;
		case STEP_PENDING:
			snprintf(text, sizeof(text), "not yet due");
			break;
		default: snprintf(text, sizeof(text), "not escalated"); break;
		}
		json_array_append_new(
			arr,
			json_pack(
				"{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:b, s:s, "
				"s:b}",
				"name", s[i].name, "label", s[i].label, "state",
				timeliness_state_name(s[i].state), "due", due,
				"due_long", due_long, "done", done, "late_by",
				s[i].late_by, "extension_over",
				s[i].extension_over, "text", text, "met",
				s[i].state == STEP_MET));
	}
	json_object_set_new(
		complaint, "timeliness",
		json_pack("{s:s, s:o}", "code", name, "steps", arr));
}

enum ld_err code_stages_in(struct request *req, json_t *body,
			   struct stage_dates_in *out)
{
	static const char *const fields[] = {"version",
					     "stage1_acknowledged_on",
					     "stage1_response_on",
					     "stage1_extension_days",
					     "stage1_extension_reason",
					     "stage1_extension_told_on",
					     "escalation_requested_on",
					     "stage2_acknowledged_on",
					     "stage2_response_on",
					     "stage2_extension_days",
					     "stage2_extension_reason",
					     "stage2_extension_told_on",
					     NULL};
	struct stage_dates_in in;
	long long e1 = -1, e2 = -1;
	enum ld_err err;

	memset(&in, 0, sizeof(in));
	in.s1_ack = in.s1_response = in.s1_told = in.escalated = in.s2_ack =
		in.s2_response = in.s2_told = -1;
	if ((err = input_known_fields(req, body, fields)) ||
	    (err = input_version(req, body, &in.version)))
		return err;
	struct {
		const char *key;
		int32_t *out;
	} dates[] = {{"stage1_acknowledged_on", &in.s1_ack},
		     {"stage1_response_on", &in.s1_response},
		     {"stage1_extension_told_on", &in.s1_told},
		     {"escalation_requested_on", &in.escalated},
		     {"stage2_acknowledged_on", &in.s2_ack},
		     {"stage2_response_on", &in.s2_response},
		     {"stage2_extension_told_on", &in.s2_told}};
	for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
		json_t *v = input_field(req, body, dates[i].key);
		if (!v)
			continue;
		if (json_is_null(v))
			*dates[i].out = 0; /* cleared */
		else if ((err = input_date(req, body, dates[i].key, true,
					   dates[i].out)))
			return err;
	}
	if ((err = input_int(req, body, "stage1_extension_days", 0, 60, false,
			     &e1)) ||
	    (err = input_int(req, body, "stage2_extension_days", 0, 60, false,
			     &e2)) ||
	    (err = input_string(req, body, "stage1_extension_reason", 2000,
				false, &in.s1_reason)) ||
	    (err = input_string(req, body, "stage2_extension_reason", 2000,
				false, &in.s2_reason)))
		return err;
	in.s1_extension = (int)e1;
	in.s2_extension = (int)e2;
	if (in.s2_ack > 0 && in.escalated == 0)
		return request_fail(req, LD_EVALIDATION,
				    "escalation_requested_on",
				    "stage 2 needs the date escalation was "
				    "requested");
	*out = in;
	return LD_OK;
}

enum ld_err h_complaint_stages(struct request *req)
{
	struct stage_dates_in in;
	struct why why = {0};
	json_t *body;
	int64_t id;
	char *json = NULL;
	enum ld_err err;

	if ((err = request_id(req, 0, &id)) ||
	    (err = request_json(req, &body)) ||
	    (err = code_stages_in(req, body, &in)))
		return err;
	err = code_store_set_stages(req->app->store, &req->who, id, &in, &json,
				    &why);
	if (err)
		return reply_result(req, err, json, &why, 200);
	json_t *c = json_loads(json, 0, NULL);
	free(json);
	if (!c)
		return LD_EINTERNAL;
	code_timeliness(req, c);
	reply_json(req, 200, c);
	return LD_OK;
}

enum ld_err h_complaint_codes(struct request *req)
{
	char *json = NULL;
	enum ld_err err = code_store_codes(req->app->store, &json);
	return reply_result(req, err, json, NULL, 200);
}

/* Self-assessments ------------------------------------------------------ */

enum ld_err h_sa_list(struct request *req)
{
	char *json = NULL;
	enum ld_err err = sa_store_list(req->app->store, &json);
	return reply_result(req, err, json, NULL, 200);
}

static const char *const sa_reasons[] = {
	"annual",	    "restructure",	 "merger",
	"procedure_change", "ombudsman_request", NULL};

/* A new self-assessment's body, as the API and the form both send it. */
static enum ld_err sa_create_in(struct request *req, json_t *body,
				const char **title, const char **reason,
				long long *remedy)
{
	static const char *const fields[] = {"title", "reason", "remedy_id",
					     NULL};
	int i = 0;
	enum ld_err err;
	*remedy = 0;
	if ((err = input_known_fields(req, body, fields)) ||
	    (err = input_string(req, body, "title", 200, true, title)) ||
	    (err = input_enum(req, body, "reason", sa_reasons, true, &i)) ||
	    (err = input_int(req, body, "remedy_id", 1, INT64_MAX, false,
			     remedy)))
		return err;
	*reason = sa_reasons[i];
	return LD_OK;
}

enum ld_err h_sa_create(struct request *req)
{
	const char *title, *reason;
	long long remedy;
	struct why why = {0};
	json_t *body;
	char *json = NULL;
	enum ld_err err;
	if ((err = request_json(req, &body)) ||
	    (err = sa_create_in(req, body, &title, &reason, &remedy)))
		return err;
	err = sa_store_create(req->app->store, &req->who, title, reason, remedy,
			      &json, &why);
	if (err == LD_EVALIDATION)
		why.field = "remedy_id";
	return reply_result(req, err, json, &why, 201);
}

enum ld_err h_sa_get(struct request *req)
{
	int64_t id;
	char *json = NULL;
	enum ld_err err = request_id(req, 0, &id);
	if (!err)
		err = sa_store_get(req->app->store, id, &json);
	return reply_result(req, err, json, NULL, 200);
}

/* An answer for provision number (from the path), as API and form send it. */
static enum ld_err sa_answer_in(struct request *req, json_t *body,
				const char *number, struct sa_answer_in *in)
{
	static const char *const fields[] = {
		"complies", "evidence",	   "links", "commentary",
		"action",   "expected_on", NULL};
	bool complies = false;
	enum ld_err err;
	memset(in, 0, sizeof(*in));
	in->evidence = in->links = in->commentary = in->action = "";
	if ((err = input_known_fields(req, body, fields)) ||
	    (err = input_bool(req, body, "complies", true, &complies)) ||
	    (err = input_string(req, body, "evidence", 4000, false,
				&in->evidence)) ||
	    (err = input_string(req, body, "links", 2000, false, &in->links)) ||
	    (err = input_string(req, body, "commentary", 4000, false,
				&in->commentary)) ||
	    (err = input_string(req, body, "action", 4000, false,
				&in->action)) ||
	    (err = input_date(req, body, "expected_on", false,
			      &in->expected_on)))
		return err;
	in->number = number;
	in->complies = complies;
	if (strlen(in->number) > 8)
		return request_fail(req, LD_ENOTFOUND, NULL,
				    "no such provision");
	if (!complies && (!*in->action || !in->expected_on))
		return request_fail(req, LD_EVALIDATION,
				    *in->action ? "expected_on" : "action",
				    "where it does not comply, say what will "
				    "be done and by when");
	return LD_OK;
}

enum ld_err h_sa_answer(struct request *req)
{
	struct sa_answer_in in;
	struct why why = {0};
	json_t *body;
	int64_t id;
	char *json = NULL;
	enum ld_err err;
	if ((err = request_id(req, 0, &id)) ||
	    (err = request_json(req, &body)) ||
	    (err = sa_answer_in(req, body, req->params[1], &in)))
		return err;
	err = sa_store_answer(req->app->store, &req->who, id, &in, &json, &why);
	return reply_result(req, err, json, &why, 200);
}

/*
 * An approval (approved_on, approved_by) or a publication (published_on,
 * published_url: a web address) with the version it changes, as the API
 * and the form both send it.
 */
static enum ld_err sa_step_in(struct request *req, json_t *body, bool publish,
			      int *version, int32_t *on, const char **text)
{
	static const char *const approve_fields[] = {"version", "approved_on",
						     "approved_by", NULL};
	static const char *const publish_fields[] = {"version", "published_on",
						     "published_url", NULL};
	enum ld_err err;
	if ((err = input_known_fields(
		     req, body, publish ? publish_fields : approve_fields)) ||
	    (err = input_version(req, body, version)) ||
	    (err = input_date(req, body,
			      publish ? "published_on" : "approved_on", true,
			      on)) ||
	    (err = input_string(req, body,
				publish ? "published_url" : "approved_by",
				publish ? 500 : 200, true, text)))
		return err;
	if (publish && strncmp(*text, "https://", 8) &&
	    strncmp(*text, "http://", 7))
		return request_fail(req, LD_EINVAL, "published_url",
				    "published_url must be a web address "
				    "beginning https:// or http://");
	return LD_OK;
}

static enum ld_err sa_step(struct request *req, bool publish)
{
	const char *text;
	int32_t on;
	int version;
	struct why why = {0};
	json_t *body;
	int64_t id;
	char *json = NULL;
	enum ld_err err;
	if ((err = request_id(req, 0, &id)) ||
	    (err = request_json(req, &body)) ||
	    (err = sa_step_in(req, body, publish, &version, &on, &text)))
		return err;
	err = publish ? sa_store_publish(req->app->store, &req->who, id,
					 version, on, text, &json, &why)
		      : sa_store_approve(req->app->store, &req->who, id,
					 version, on, text, &json, &why);
	return reply_result(req, err, json, &why, 200);
}

enum ld_err h_sa_approve(struct request *req)
{
	return sa_step(req, false);
}

enum ld_err h_sa_publish(struct request *req)
{
	return sa_step(req, true);
}

static const char *sa_cell(void *src, int row, int col)
{
	static const char *const keys[] = {
		"section_title", "number",   "summary",
		"complies",	 "evidence", "links",
		"commentary",	 "action",   "expected_on"};
	json_t *p = json_array_get(src, (size_t)row);
	json_t *v = json_object_get(p, keys[col]);
	if (json_is_boolean(v))
		return json_is_true(v) ? "Yes" : "No";
	return json_string_value(v);
}

/* The self-assessment in the columns of the Ombudsman's form. */
enum ld_err h_sa_export(struct request *req)
{
	static const char *names[] = {
		"Section",    "Code provision", "Code requirement",
		"Comply",     "Evidence",	"Links",
		"Commentary", "Action",		"Compliance expected"};
	static enum report_type types[] = {
		REPORT_TEXT, REPORT_TEXT, REPORT_TEXT, REPORT_TEXT, REPORT_TEXT,
		REPORT_TEXT, REPORT_TEXT, REPORT_TEXT, REPORT_DATE};
	int64_t id;
	char *json = NULL;
	enum ld_err err = request_id(req, 0, &id);
	if (!err)
		err = sa_store_get(req->app->store, id, &json);
	if (err)
		return reply_result(req, err, json, NULL, 200);
	json_t *sa = request_own(req, page_parsed(json));
	if (!sa)
		return LD_EINTERNAL;
	json_t *prov = json_object_get(sa, "provisions");
	struct table t = {
		9, (int)json_array_size(prov), names, types, sa_cell, prov};
	err = export_xlsx(
		req, &t,
		arena_printf(req->arena, "self-assessment-%lld", (long long)id),
		"Self-assessment");
	return err;
}

/* The pages ------------------------------------------------------------ */

static bool can_edit(struct request *req)
{
	return page_has_role(req, ROLE_LINK_OFFICER | ROLE_ADMINISTRATOR);
}

enum ld_err h_page_sa_list(struct request *req)
{
	static const char *const reasons[][2] = {
		{"annual", "Annual"},
		{"restructure", "Restructure"},
		{"merger", "Merger"},
		{"procedure_change", "Change in procedures"},
		{"ombudsman_request", "Ombudsman's request"}};
	char *text = NULL;
	enum ld_err err = sa_store_list(req->app->store, &text);
	json_t *items = err ? NULL : page_parsed(text);
	if (!items)
		return err ? err : LD_EINTERNAL;
	size_t i;
	json_t *o;
	json_array_foreach(items, i, o)
	{
		const char *r = json_string_value(json_object_get(o, "reason"));
		for (size_t k = 0; k < 5; k++)
			if (!strcmp(r, reasons[k][0]))
				json_object_set_new(o, "reason_label",
						    json_string(reasons[k][1]));
	}
	json_t *ctx = page_ctx(req, "Self-assessments", "/self-assessments");
	json_object_set_new(ctx, "items", items);
	json_object_set_new(ctx, "can_edit", json_boolean(can_edit(req)));
	return page_render(req, 200, "self_assessments", ctx);
}

enum ld_err h_page_sa_create(struct request *req)
{
	json_t *form = page_form(req);
	struct why why = {0};
	const char *title, *reason;
	long long remedy;
	char *json = NULL;
	if (!form)
		return request_fail(req, LD_EINVAL, NULL,
				    "The form is malformed.");
	json_t *body = form_body(req);
	json_object_set_new(body, "title",
			    json_string(page_field(form, "title")));
	json_object_set_new(body, "reason",
			    json_string(page_field(form, "reason")));
	enum ld_err err = sa_create_in(req, body, &title, &reason, &remedy);
	if (err)
		return err;
	err = sa_store_create(req->app->store, &req->who, title, reason, 0,
			      &json, &why);
	json_t *sa = err ? NULL : request_own(req, page_parsed(json));
	if (!sa)
		return err ? request_fail(req, err, NULL, "%s",
					  why.msg[0] ? why.msg
						     : "Not possible.")
			   : LD_EINTERNAL;
	return page_redirect(req,
			     arena_printf(req->arena, "/self-assessments/%lld",
					  (long long)json_integer_value(
						  json_object_get(sa, "id"))));
}

enum ld_err h_page_sa(struct request *req)
{
	int64_t id;
	char *text = NULL;
	enum ld_err err = request_id(req, 0, &id);
	if (!err)
		err = sa_store_get(req->app->store, id, &text);
	json_t *sa = err ? NULL : page_parsed(text);
	if (!sa)
		return err ? err : LD_EINTERNAL;
	const char *status = json_string_value(json_object_get(sa, "status"));
	bool draft = !strcmp(status, "draft");
	json_t *sections = json_array(), *section = NULL, *p;
	int current = 0;
	size_t i;
	json_array_foreach(json_object_get(sa, "provisions"), i, p)
	{
		int n = (int)json_integer_value(json_object_get(p, "section"));
		if (n != current) {
			section = json_pack("{s:i, s:O, s:[]}", "number", n,
					    "title",
					    json_object_get(p, "section_title"),
					    "provisions");
			json_array_append_new(sections, section);
			current = n;
		}
		json_t *c = json_object_get(p, "complies");
		json_object_set_new(p, "comply_text",
				    json_string(json_is_true(c) ? "Yes"
						: json_is_false(c)
							? "No"
							: "Not answered"));
		json_object_set_new(p, "sa_id", json_integer(id));
		json_object_set_new(p, "editable",
				    json_boolean(draft && can_edit(req)));
		json_array_append(json_object_get(section, "provisions"), p);
	}
	json_t *ctx =
		page_ctx(req, json_string_value(json_object_get(sa, "title")),
			 "/self-assessments");
	json_object_set_new(ctx, "sa", sa);
	json_object_set_new(ctx, "sections", sections);
	json_object_set_new(ctx, "back", json_string("/self-assessments"));
	json_object_set_new(ctx, "can_approve",
			    json_boolean(draft && can_edit(req)));
	json_object_set_new(
		ctx, "can_publish",
		json_boolean(!strcmp(status, "approved") && can_edit(req)));
	json_object_set_new(ctx, "approved",
			    page_date_input("approved_on", "Date approved",
					    "For example, 15 6 2026",
					    app_today(req->app)));
	json_object_set_new(ctx, "published",
			    page_date_input("published_on", "Date published",
					    "For example, 30 6 2026",
					    app_today(req->app)));
	return page_render(req, 200, "self_assessment", ctx);
}

static json_t *provision_of(json_t *sa, const char *number)
{
	size_t i;
	json_t *p;
	json_array_foreach(
		json_object_get(sa, "provisions"), i,
		p) if (!strcmp(json_string_value(json_object_get(p, "number")),
			       number)) return p;
	return NULL;
}

static enum ld_err provision_page(struct request *req, json_t *sa, json_t *p,
				  json_t *ctx, json_t *expected,
				  unsigned int status)
{
	json_t *c = json_object_get(p, "complies");
	json_object_set_new(ctx, "yes", json_boolean(json_is_true(c)));
	json_object_set_new(ctx, "no", json_boolean(json_is_false(c)));
	json_object_set(ctx, "p", p);
	json_object_set_new(ctx, "sa", sa);
	json_object_set_new(ctx, "expected", expected);
	json_object_set_new(ctx, "back",
			    json_sprintf("/self-assessments/%lld",
					 (long long)json_integer_value(
						 json_object_get(sa, "id"))));
	return page_render(req, status, "provision", ctx);
}

enum ld_err h_page_provision(struct request *req)
{
	int64_t id;
	char *text = NULL;
	enum ld_err err = request_id(req, 0, &id);
	if (!err)
		err = sa_store_get(req->app->store, id, &text);
	json_t *sa = err ? NULL : page_parsed(text);
	if (!sa)
		return err ? err : LD_EINTERNAL;
	json_t *p = provision_of(sa, req->params[1]);
	if (!p) {
		json_decref(sa);
		return request_fail(req, LD_ENOTFOUND, NULL,
				    "no such provision");
	}
	int32_t expected = 0;
	const char *e = json_string_value(json_object_get(p, "expected_on"));
	if (e)
		date_parse(e, &expected);
	return provision_page(
		req, sa, p, page_ctx(req, "Provision", "/self-assessments"),
		page_date_input("expected_on",
				"When compliance is expected (where it does "
				"not comply)",
				"For example, 31 3 2027", expected),
		200);
}

/* Where the answer command's fields are on the provision's form. */
static const struct form_input provision_inputs[] = {
	{"complies", "complies", "Whether it complies",
	 "Choose whether it complies"},
	{"evidence", "evidence", "The evidence", NULL},
	{"links", "links", "The links", NULL},
	{"commentary", "commentary", "The commentary", NULL},
	{"action", "action", "The action", NULL},
	{"expected_on", "expected_on", "The date", NULL},
	{NULL, NULL, NULL, NULL}};

/* The API's decoder of an answer, as form_decode() calls it. */
struct provision_in {
	const char *provision;
	struct sa_answer_in in;
};

static enum ld_err provision_decoder(struct request *req, json_t *body,
				     void *out)
{
	struct provision_in *p = out;
	return sa_answer_in(req, body, p->provision, &p->in);
}

enum ld_err h_page_provision_post(struct request *req)
{
	unsigned int status = 400; /* a date the form could not read */
	json_t *form = page_form(req), *expected;
	struct provision_in in = {req->params[1], {0}};
	struct refusals refused;
	struct why why = {0};
	int32_t expected_on;
	int64_t id;
	char *text = NULL;
	enum ld_err err = page_posted(req, form, &id);
	if (err)
		return err;
	json_t *ctx = page_ctx(req, "Provision", "/self-assessments");
	json_t *body = form_body(req);
	const char *complies = page_field(form, "complies");
	const char *texts[] = {"evidence", "links", "commentary", "action"};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		json_object_set_new(body, texts[i],
				    json_string(page_field(form, texts[i])));
	/* Radios of yes and no: anything else stays text, and is refused. */
	json_object_set_new(body, "complies",
			    !strcmp(complies, "yes")  ? json_true()
			    : !strcmp(complies, "no") ? json_false()
						      : json_string(complies));
	if (!page_date(form, "expected_on",
		       "When compliance is expected (where it does not comply)",
		       "For example, 31 3 2027", false, &expected_on,
		       &expected))
		page_field_error(
			ctx, "expected_on",
			json_string_value(json_object_get(expected, "error")));
	form_body_date(body, "expected_on", expected_on);
	/* Every refusal at once: the form's own date's and the API's. */
	bool typed = !json_is_true(json_object_get(ctx, "has_errors"));
	err = form_decode(req, body, provision_decoder, &in, &refused);
	if (!err && typed) {
		err = sa_store_answer(req->app->store, &req->who, id, &in.in,
				      &text, &why);
		free(text);
		text = NULL;
		if (!err) {
			json_decref(ctx);
			json_decref(expected);
			return page_redirect(
				req, arena_printf(req->arena,
						  "/self-assessments/%lld",
						  (long long)id));
		}
		refusals_add(req, &refused, err, why.field, why.msg);
	}
	/* The API's fields are the form's inputs; its status too. */
	unsigned int shown = form_show_refusals(req, ctx, provision_inputs,
						NULL, 0, &refused, NULL);
	if (typed)
		status = shown;
	err = sa_store_get(req->app->store, id, &text);
	json_t *sa = err ? NULL : page_parsed(text);
	json_t *p = sa ? provision_of(sa, req->params[1]) : NULL;
	if (!p) {
		json_decref(sa);
		json_decref(ctx);
		json_decref(expected);
		return err ? err
			   : request_fail(req, LD_ENOTFOUND, NULL,
					  "no such provision");
	}
	/* Show what was chosen and typed, not what is stored. */
	json_object_set_new(p, "complies",
			    !strcmp(complies, "yes")  ? json_true()
			    : !strcmp(complies, "no") ? json_false()
						      : json_null());
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		json_object_set_new(p, texts[i],
				    json_string(page_field(form, texts[i])));
	return provision_page(req, sa, p, ctx, expected, status);
}

/* The approve and publish forms: refused as the API refuses, on a page. */
static enum ld_err sa_page_step(struct request *req, bool publish)
{
	json_t *form = page_form(req), *input;
	struct why why = {0};
	int64_t id;
	int32_t on;
	int version;
	const char *text;
	char *json = NULL;
	enum ld_err err = page_posted(req, form, &id);
	if (err)
		return err;
	const char *date = publish ? "published_on" : "approved_on";
	const char *what = publish ? "published_url" : "approved_by";
	json_t *body = form_body(req);
	bool ok = page_date(form, date, "the date", "", true, &on, &input);
	if (!ok) {
		err = request_fail(
			req, LD_EINVAL, date, "%s",
			json_string_value(json_object_get(input, "error")));
		json_decref(input);
		return err;
	}
	json_decref(input);
	form_body_date(body, date, on);
	form_body_number(body, "version", page_field(form, "version"));
	json_object_set_new(body, what, json_string(page_field(form, what)));
	if ((err = sa_step_in(req, body, publish, &version, &on, &text)))
		return err;
	err = publish ? sa_store_publish(req->app->store, &req->who, id,
					 version, on, text, &json, &why)
		      : sa_store_approve(req->app->store, &req->who, id,
					 version, on, text, &json, &why);
	free(json);
	if (err)
		return request_fail(req, err, NULL, "%s",
				    why.msg[0] ? why.msg : "Not possible.");
	return page_redirect(req,
			     arena_printf(req->arena, "/self-assessments/%lld",
					  (long long)id));
}

enum ld_err h_page_sa_approve(struct request *req)
{
	return sa_page_step(req, false);
}

enum ld_err h_page_sa_publish(struct request *req)
{
	return sa_page_step(req, true);
}
