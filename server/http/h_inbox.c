/*
 * The Ombudsman inbox for link officers: the API (GET /api/v1/inbox, one
 * message, accept, dismiss) and its pages (/inbox, /inbox/{id}).  Nothing
 * is registered without a person: accepting builds the body a person
 * would have sent to POST /api/v1/cases/{id}/correspondence, decodes it
 * with that endpoint's own decoder and registers it through the same store
 * call, which links the message to the correspondence in its transaction.
 */
#include <jansson.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin_store.h"
#include "app.h"
#include "arena.h"
#include "case_store.h"
#include "date.h"
#include "evidence_mail.h"
#include "handlers.h"
#include "inbox_mail.h"
#include "inbox_store.h"
#include "input.h"
#include "kinds.h"
#include "page.h"
#include "spool.h"
#include "view.h"
#include "xalloc.h"

#define TITLE_MAX 300

static const char *str_or(json_t *v, const char *otherwise)
{
	const char *s = json_string_value(v);
	return s ? s : otherwise;
}

/* The message as the store has it (a new reference), or NULL with err. */
static json_t *message(struct request *req, int64_t id, enum ld_err *err)
{
	char *text = NULL;
	*err = inbox_store_get(req->app->store, &req->who, id, &text);
	json_t *m = *err ? NULL : page_parsed(text);
	if (!*err && !m)
		*err = LD_EINTERNAL;
	return m;
}

/* Copy a date member ("YYYY-MM-DD" or null) into body under key. */
static void copy_date(json_t *body, const char *key, json_t *from,
		      const char *from_key)
{
	json_t *v = json_object_get(from, from_key);
	if (json_is_string(v))
		json_object_set_new(body, key,
				    json_string(json_string_value(v)));
}

/*
 * The correspondence as proposed, as a person would type it on the record
 * form: the kind, the date received, the subject as the summary (never the
 * body, which names residents), the response date the letter set (the
 * revised date for chasers and extensions), and for an information request
 * one task, the subject as what was asked for, in the complaint's area.
 */
static json_t *as_proposed(struct request *req, json_t *msg, int64_t case_id,
			   enum ld_err *err)
{
	json_t *p = json_object_get(msg, "proposal");
	const char *kind = json_string_value(json_object_get(p, "kind"));
	const char *subject =
		json_string_value(json_object_get(msg, "subject"));
	json_t *body = json_pack("{s:s, s:s, s:s}", "kind",
				 kind ? kind : "other", "channel", "email",
				 "summary", subject ? subject : "");
	copy_date(body, "dated_on", p, "received_on");
	/* What the kind means is core's (kinds.h). */
	const struct corr_kind *k = corr_kind_find(kind);
	copy_date(body,
		  k && k->asks_revised ? "revised_due_on" : "response_due_on",
		  p, "due_on");
	*err = LD_OK;
	if (k && k->needs_tasks) {
		char *text = NULL;
		*err = case_store_get(req->app->store, &req->who, case_id,
				      &text);
		json_t *c = *err ? NULL : request_own(req, page_parsed(text));
		json_int_t area = json_integer_value(json_object_get(
			json_object_get(json_object_get(c, "complaint"),
					"service_area"),
			"id"));
		char title[TITLE_MAX * 4 + 1];
		/* One line, cut at a whole character within the limit. */
		snprintf(title, sizeof(title), "%s",
			 subject && *subject ? subject
					     : "Information requested");
		long chars = 0;
		for (size_t i = 0; title[i]; i++) {
			if (title[i] == '\r' || title[i] == '\n')
				title[i] = ' ';
			if (((unsigned char)title[i] & 0xc0) != 0x80 &&
			    ++chars > TITLE_MAX) {
				title[i] = '\0';
				break;
			}
		}
		json_object_set_new(body, "tasks",
				    json_pack("[{s:s, s:I}]", "title", title,
					      "service_area_id", area));
	}
	return body;
}

struct accept_call {
	struct request *req;
	int64_t id, case_id;
	int version;
	const struct correspondence_in *in;
	const int64_t *keep;
	int nkeep;
	char **json;
	struct why *why;
};

static enum ld_err accept_with_calendar(const struct workcal *cal, void *arg)
{
	struct accept_call *c = arg;
	return inbox_store_accept(c->req->app->store, &c->req->who, cal, c->id,
				  c->version, c->case_id, c->in, c->keep,
				  c->nkeep, c->json, c->why);
}

/*
 * Accept message id: case_id 0 takes the proposal's; correspondence NULL
 * is the correspondence as proposed; keep NULL keeps what was proposed.
 */
static enum ld_err inbox_accept(struct request *req, int64_t id, int version,
				int64_t case_id, json_t *correspondence,
				const int64_t *keep, int nkeep, char **json,
				struct why *why)
{
	enum ld_err err;
	json_t *msg = request_own(req, message(req, id, &err));
	if (!msg)
		return err;
	json_t *p = json_object_get(msg, "proposal");
	if (!case_id)
		case_id = json_integer_value(json_object_get(p, "case_id"));
	if (!case_id)
		return request_fail(
			req, LD_EVALIDATION, "case_id",
			"choose the case this message belongs to (a new case "
			"is registered first, then the message accepted)");
	json_t *body = correspondence
			       ? correspondence
			       : request_own(req, as_proposed(req, msg, case_id,
							      &err));
	if (err)
		return err;
	struct correspondence_in in;
	if ((err = cases_correspondence_in(req, body, &in)))
		return err;
	struct accept_call call = {req,	 id,	case_id, version, &in,
				   keep, nkeep, json,	 why};
	return app_with_calendar(req->app, accept_with_calendar, &call);
}

/* The API --------------------------------------------------------------- */

enum ld_err h_inbox_list(struct request *req)
{
	char *json = NULL;
	enum ld_err err = inbox_store_list(req->app->store, &req->who, &json);
	return reply_result(req, err, json, NULL, 200);
}

enum ld_err h_inbox_get(struct request *req)
{
	int64_t id;
	char *json = NULL;
	enum ld_err err = request_id(req, 0, &id);
	if (!err)
		err = inbox_store_get(req->app->store, &req->who, id, &json);
	return reply_result(req, err, json, NULL, 200);
}

/*
 * The accept command, decoded once for the API and the page: version,
 * case_id (the proposal's if absent), correspondence (the body of POST
 * /api/v1/cases/{id}/correspondence; the proposal's if absent) and keep
 * (the attachments kept as files; those proposed if absent).
 */
static enum ld_err accept_command(struct request *req, int64_t id, json_t *body,
				  char **json, struct why *why)
{
	static const char *const fields[] = {"version", "case_id",
					     "correspondence", "keep", NULL};
	int64_t *keep = NULL;
	long long version = 0, case_id = 0;
	int nkeep = 0;
	enum ld_err err;
	if ((err = input_known_fields(req, body, fields)) ||
	    (err = input_int(req, body, "version", 1, 1000000000, true,
			     &version)) ||
	    (err = input_int(req, body, "case_id", 1, INT64_MAX, false,
			     &case_id)) ||
	    (err = input_ids(req, body, "keep", &keep, &nkeep)))
		return err;
	json_t *corr = json_object_get(body, "correspondence");
	if (corr && !json_is_object(corr))
		return request_fail(req, LD_EINVAL, "correspondence",
				    "must be an object: the body of POST "
				    "/api/v1/cases/{id}/correspondence");
	return inbox_accept(req, id, (int)version, case_id, corr,
			    json_object_get(body, "keep") ? keep : NULL, nkeep,
			    json, why);
}

/* The dismiss command: version and reason, for the API and the page. */
static enum ld_err dismiss_command(struct request *req, int64_t id,
				   json_t *body, struct why *why)
{
	static const char *const fields[] = {"version", "reason", NULL};
	long long version = 0;
	const char *reason = NULL;
	enum ld_err err;
	if ((err = input_known_fields(req, body, fields)) ||
	    (err = input_int(req, body, "version", 1, 1000000000, true,
			     &version)) ||
	    (err = input_string(req, body, "reason", 500, true, &reason)))
		return err;
	return inbox_store_dismiss(req->app->store, &req->who, id, (int)version,
				   reason, why);
}

enum ld_err h_inbox_accept(struct request *req)
{
	struct why why = {0};
	json_t *body;
	int64_t id;
	char *json = NULL;
	enum ld_err err;
	if ((err = request_id(req, 0, &id)) || (err = request_json(req, &body)))
		return err;
	err = accept_command(req, id, body, &json, &why);
	return reply_result(req, err, json, &why, 200);
}

enum ld_err h_inbox_dismiss(struct request *req)
{
	struct why why = {0};
	json_t *body;
	int64_t id;
	char *json = NULL;
	enum ld_err err;
	if ((err = request_id(req, 0, &id)) || (err = request_json(req, &body)))
		return err;
	if ((err = dismiss_command(req, id, body, &why)))
		return reply_result(req, err, NULL, &why, 200);
	err = inbox_store_get(req->app->store, &req->who, id, &json);
	return reply_result(req, err, json, NULL, 200);
}

/* The pages ------------------------------------------------------------- */

static const char *const target_words[][2] = {
	{"case", "Correspondence on"},
	{"new_case", "A new case:"},
	{"none", "Nothing proposed: choose the case"},
};

/* How long a message has waited, in words. */
static json_t *age_words(long seconds)
{
	if (seconds < 3600)
		return json_sprintf("%ld minutes", seconds / 60);
	if (seconds < 2 * 86400)
		return json_sprintf("%ld hours", seconds / 3600);
	return json_sprintf("%ld days", seconds / 86400);
}

/* What a template shows of one message. */
static void view_message(json_t *m)
{
	static const char *const dates[] = {"received_on", "due_on", NULL};
	json_t *p = json_object_get(m, "proposal");
	const char *target = json_string_value(json_object_get(p, "target"));
	const char *kind = json_string_value(json_object_get(p, "kind"));
	view_dates(p, dates);
	for (size_t i = 0; i < 3; i++)
		if (target && !strcmp(target, target_words[i][0]))
			json_object_set_new(p, "target_text",
					    json_string(target_words[i][1]));
	json_object_set_new(p, "kind_label", json_string(view_label(kind)));
	json_object_set_new(p, "on_case",
			    json_boolean(target && !strcmp(target, "case")));
	json_object_set_new(
		p, "new_case",
		json_boolean(target && !strcmp(target, "new_case")));
	const struct corr_kind *k = corr_kind_find(kind);
	json_object_set_new(m, "may_accept",
			    json_boolean(target && !strcmp(target, "case") &&
					 k && !k->own_command));
	json_object_set_new(m, "has_attachments",
			    json_boolean(json_array_size(
				    json_object_get(m, "attachments"))));
	json_object_set_new(m, "is_determination",
			    json_boolean(k && k->own_command));
	json_object_set_new(m, "age_text",
			    age_words((long)json_integer_value(
				    json_object_get(m, "age_seconds"))));
}

/* The Inbox page's context: the messages waiting and those decided. */
static enum ld_err inbox_ctx(struct request *req, json_t **out)
{
	char *text = NULL;
	enum ld_err err = inbox_store_list(req->app->store, &req->who, &text);
	json_t *list = err ? NULL : request_own(req, page_parsed(text));
	if (!list)
		return err ? err : LD_EINTERNAL;
	json_t *ctx = page_ctx(req, "Inbox", "/inbox");
	size_t i;
	json_t *m;
	json_t *waiting = json_object_get(list, "waiting");
	json_array_foreach(waiting, i, m) view_message(m);
	json_array_foreach(json_object_get(list, "decided"), i, m)
		view_message(m);
	json_object_set(ctx, "waiting", waiting);
	json_object_set(ctx, "decided", json_object_get(list, "decided"));
	json_object_set_new(ctx, "waiting_total",
			    json_integer((json_int_t)json_array_size(waiting)));
	*out = ctx;
	return LD_OK;
}

enum ld_err h_page_inbox(struct request *req)
{
	json_t *ctx;
	enum ld_err err = inbox_ctx(req, &ctx);
	if (err)
		return err;
	const char *done = request_query(req, "done");
	if (done && !strcmp(done, "accepted"))
		json_object_set_new(ctx, "flash",
				    json_string("Message registered"));
	else if (done && !strcmp(done, "dismissed"))
		json_object_set_new(ctx, "flash",
				    json_string("Message dismissed"));
	return page_render(req, 200, "inbox", ctx);
}

/* The message page, with its edit form (values: what was typed, or NULL). */
static enum ld_err message_page(struct request *req, int64_t id, json_t *form,
				json_t *ctx, unsigned int status)
{
	enum ld_err err;
	json_t *m = message(req, id, &err);
	if (!m) {
		json_decref(ctx);
		return err;
	}
	view_message(m);
	json_t *p = json_object_get(m, "proposal");
	int32_t received = 0, due = 0;
	(void)date_parse(str_or(json_object_get(p, "received_on"), ""),
			 &received);
	(void)date_parse(str_or(json_object_get(p, "due_on"), ""), &due);
	const char *kind = json_string_value(json_object_get(p, "kind"));
	if (form) {
		json_t *typed = NULL;
		kind = page_field(form, "kind");
		(void)page_date(form, "dated_on", "", "", false, &received,
				&typed);
		json_decref(typed);
		typed = NULL;
		(void)page_date(form, "due_on", "", "", false, &due, &typed);
		json_decref(typed);
	}
	/* What the Ombudsman may send: core's kinds, less the organisation's
	 * own and those registered by a command of their own. */
	json_t *options = json_array();
	for (const struct corr_kind *c = corr_kinds; c->name; c++)
		if (!c->outgoing && !c->own_command)
			json_array_append_new(
				options,
				json_pack("{s:s, s:s, s:b}", "value", c->name,
					  "text", c->label, "selected",
					  kind && !strcmp(kind, c->name)));
	json_object_set_new(ctx, "kinds", options);
	json_object_set_new(
		ctx, "dated",
		page_date_input("dated_on", "Date of the correspondence",
				"For example, 23 11 2026", received));
	json_object_set_new(
		ctx, "response_due",
		page_date_input("due_on", "The date the letter sets (optional)",
				"A response date; for a chaser or an "
				"extension, the new due date",
				due));
	json_int_t case_id = json_integer_value(json_object_get(p, "case_id"));
	if (form)
		json_object_set_new(ctx, "case_id_value",
				    json_string(page_field(form, "case_id")));
	else if (case_id)
		json_object_set_new(ctx, "case_id_value",
				    json_sprintf("%lld", (long long)case_id));
	json_object_set_new(
		ctx, "summary_value",
		json_string(form ? page_field(form, "summary")
				 : json_string_value(
					   json_object_get(m, "subject"))));
	json_object_set_new(
		ctx, "title_value",
		json_string(form ? page_field(form, "title")
				 : json_string_value(
					   json_object_get(m, "subject"))));
	/* The service areas, the case's complaint's chosen. */
	char *text = NULL;
	json_int_t area = 0;
	if (form) {
		area = strtoll(page_field(form, "service_area_id"), NULL, 10);
	} else if (case_id && !case_store_get(req->app->store, &req->who,
					      case_id, &text)) {
		json_t *c = request_own(req, page_parsed(text));
		text = NULL;
		area = json_integer_value(json_object_get(
			json_object_get(json_object_get(c, "complaint"),
					"service_area"),
			"id"));
	}
	json_t *areas = admin_store_areas(req->app->store, &text)
				? json_array()
				: page_parsed(text);
	size_t i;
	json_t *o;
	json_array_foreach(areas, i, o) json_object_set_new(
		o, "selected",
		json_boolean(json_integer_value(json_object_get(o, "id")) ==
			     area));
	json_object_set_new(ctx, "areas", areas ? areas : json_array());
	json_object_set_new(ctx, "message", m);
	json_object_set_new(ctx, "back", json_string("/inbox"));
	return page_render(req, status, "inbox_message", ctx);
}

enum ld_err h_page_inbox_message(struct request *req)
{
	int64_t id;
	enum ld_err err = request_id(req, 0, &id);
	if (err)
		return err;
	json_t *ctx = page_ctx(req, "Inbox message", "/inbox");
	const char *done = request_query(req, "done");
	if (done && !strcmp(done, "taken"))
		json_object_set_new(ctx, "flash",
				    json_string("Message taken in"));
	return message_page(req, id, NULL, ctx, 200);
}

/* The attachments ticked on the form (keep_<id>), as the API's keep. */
static json_t *kept(json_t *form)
{
	json_t *ids = json_array(), *v;
	const char *key;
	json_object_foreach(form, key, v)
	{
		int64_t id;
		if (!strncmp(key, "keep_", 5) && *json_string_value(v) &&
		    page_positive_id(key + 5, &id))
			json_array_append_new(ids, json_integer(id));
	}
	return ids;
}

/* Where the accept command's fields are on the message's form. */
static const struct form_input accept_inputs[] = {
	{"case_id", "case_id", "The case", "Enter the case's number"},
	{"kind", "kind", "The kind of correspondence", NULL},
	{"dated_on", "dated_on", "The date of the correspondence", NULL},
	{"response_due_on", "due_on", "The date the letter sets", NULL},
	{"revised_due_on", "due_on", "The new due date", NULL},
	{"summary", "summary", "The summary", NULL},
	{"tasks", "title", "What was asked for", NULL},
	{"tasks[].title", "title", "What was asked for",
	 "Enter what exactly the Ombudsman asked for, in up to 300 characters"},
	{"tasks[].service_area_id", "service_area_id", "The service area",
	 "Choose the service area"},
	{"keep", "case_id", NULL, NULL},
	{NULL, NULL, NULL, NULL}};

/*
 * The edited form's body as accept_command() decodes it, without
 * accepting: the correspondence's fields named inside it.
 */
static enum ld_err edited_decoder(struct request *req, json_t *body, void *out)
{
	static const char *const fields[] = {"version", "case_id",
					     "correspondence", "keep", NULL};
	long long n = 0;
	int64_t *keep;
	int nkeep;
	enum ld_err err;
	if ((err = input_known_fields(req, body, fields)) ||
	    (err = input_int(req, body, "version", 1, 1000000000, true, &n)) ||
	    (err = input_int(req, body, "case_id", 1, INT64_MAX, false, &n)) ||
	    (err = input_ids(req, body, "keep", &keep, &nkeep)))
		return err;
	if ((err = cases_correspondence_in(
		     req, json_object_get(body, "correspondence"), out)))
		input_nest_field(req, "correspondence", -1);
	return err;
}

/* The correspondence as edited on the form, as the API's body. */
static json_t *edited(json_t *form, int32_t dated_on, int32_t due_on)
{
	const char *kind = page_field(form, "kind");
	const struct corr_kind *k = corr_kind_find(kind);
	json_t *corr =
		json_pack("{s:s, s:s, s:s}", "kind", kind, "channel", "email",
			  "summary", page_field(form, "summary"));
	form_body_date(corr, "dated_on", dated_on);
	form_body_date(corr,
		       k && k->asks_revised ? "revised_due_on"
					    : "response_due_on",
		       due_on);
	if (k && k->needs_tasks) {
		json_t *t =
			json_pack("{s:s}", "title", page_field(form, "title"));
		form_body_number(t, "service_area_id",
				 page_field(form, "service_area_id"));
		json_object_set_new(corr, "tasks", json_pack("[o]", t));
	}
	return corr;
}

enum ld_err h_page_inbox_accept(struct request *req)
{
	json_t *form = page_form(req);
	struct why why = {0};
	unsigned int status = 400; /* what the form itself could not read */
	int64_t id;
	char *json = NULL;
	enum ld_err err = page_posted(req, form, &id);
	if (err)
		return err;
	bool proposed = *page_field(form, "as_proposed");
	json_t *ctx = page_ctx(req, "Inbox message", "/inbox");
	json_t *body = form_body(req);
	form_body_number(body, "version", page_field(form, "version"));
	if (!proposed) {
		int32_t dated_on = 0, due_on = 0;
		json_t *dated = NULL, *due = NULL;
		/* The edited form always names its case: left empty, it
		 * is not "the proposal's". */
		if (!*page_field(form, "case_id"))
			page_field_error(ctx, "case_id",
					 "Enter the case's number");
		if (!page_date(form, "dated_on", "Date of the correspondence",
			       "For example, 23 11 2026", true, &dated_on,
			       &dated))
			page_field_error(ctx, "dated_on",
					 json_string_value(json_object_get(
						 dated, "error")));
		if (!page_date(form, "due_on", "The date the letter sets", "",
			       false, &due_on, &due))
			page_field_error(ctx, "due_on",
					 json_string_value(json_object_get(
						 due, "error")));
		json_decref(dated);
		json_decref(due);
		form_body_number(body, "case_id", page_field(form, "case_id"));
		json_object_set_new(body, "correspondence",
				    edited(form, dated_on, due_on));
		json_object_set_new(body, "keep", kept(form));
	}
	bool typed = !json_is_true(json_object_get(ctx, "has_errors"));
	struct refusals refused = {0};
	struct correspondence_in in;
	/* The edited form is decoded whole first, for every refusal. */
	err = proposed ? LD_OK
		       : form_decode(req, body, edited_decoder, &in, &refused);
	for (int i = 0; i < refused.n; i++)
		if (!strncmp(refused.r[i].field, "correspondence.", 15))
			refused.r[i].field += 15;
	if (!err && typed) {
		err = accept_command(req, id, body, &json, &why);
		if (!err) {
			free(json);
			json_decref(ctx);
			return page_redirect(req, "/inbox?done=accepted");
		}
		if (err == LD_ENOTFOUND || ld_err_transient(err) ||
		    err == LD_EFORBIDDEN) {
			json_decref(ctx);
			return err;
		}
		if (!why.msg[0]) /* the decoder's, not the store's */
			page_why_refused(req, &why);
		refusals_add(req, &refused, err, why.field, why.msg);
	}
	unsigned int shown = form_show_refusals(req, ctx, accept_inputs, NULL,
						0, &refused, NULL);
	return message_page(req, id, proposed ? NULL : form, ctx,
			    typed ? shown : status);
}

static const struct form_input dismiss_inputs[] = {
	{"reason", "reason", "The reason", "Enter why it is dismissed"},
	{NULL, NULL, NULL, NULL}};

enum ld_err h_page_inbox_dismiss(struct request *req)
{
	json_t *form = page_form(req);
	struct why why = {0};
	int64_t id;
	enum ld_err err = page_posted(req, form, &id);
	if (err)
		return err;
	json_t *body = form_body(req);
	form_body_number(body, "version", page_field(form, "version"));
	json_object_set_new(body, "reason",
			    json_string(page_field(form, "reason")));
	err = dismiss_command(req, id, body, &why);
	if (!err)
		return page_redirect(req, "/inbox?done=dismissed");
	if (err == LD_ENOTFOUND || ld_err_transient(err))
		return err;
	json_t *ctx = page_ctx(req, "Inbox message", "/inbox");
	if (!why.msg[0]) /* the decoder's, not the store's */
		page_why_refused(req, &why);
	unsigned int status = form_refused(req, ctx, dismiss_inputs, NULL, 0,
					   err, why.field, why.msg);
	return message_page(req, id, NULL, ctx, status);
}

enum ld_err inbox_page_home(struct request *req, json_t *ctx)
{
	long count = 0, oldest = 0;
	enum ld_err err = inbox_store_waiting(req->app->store, &req->who,
					      &count, &oldest);
	if (err)
		return err;
	json_object_set_new(ctx, "inbox_waiting", json_integer(count));
	json_object_set_new(ctx, "inbox_has_waiting", json_boolean(count > 0));
	json_object_set_new(ctx, "inbox_oldest", age_words(oldest));
	return LD_OK;
}

/* An .eml uploaded on the Inbox page ------------------------------------ */

struct eml_upload {
	struct MHD_PostProcessor *pp;
	int fd; /* the spool */
	long size, max;
	bool got_file;
	enum ld_err err;
	char why[200];
	char csrf[64]; /* the page's token, as its field arrives */
};

/* On the HTTP thread: the bytes go to the spool, nothing else. */
static enum MHD_Result eml_chunk(void *cls, enum MHD_ValueKind kind,
				 const char *key, const char *filename,
				 const char *content_type,
				 const char *transfer_encoding,
				 const char *data, uint64_t off, size_t size)
{
	struct request *req = cls;
	struct eml_upload *u = req->upload;
	(void)kind;
	(void)filename;
	(void)content_type;
	(void)transfer_encoding;
	if (!strcmp(key, "csrf_token") && req->csrf_in_body)
		return request_upload_token(req, u->csrf, sizeof(u->csrf), data,
					    off, size)
			       ? MHD_YES
			       : MHD_NO;
	if (strcmp(key, "file"))
		return MHD_YES;
	/* Not one byte of the message before the page's token is checked. */
	if (req->csrf_in_body && !req->csrf_ok) {
		u->err = LD_EFORBIDDEN;
		snprintf(u->why, sizeof(u->why),
			 "missing or wrong CSRF token: reload the page and "
			 "try again");
		return MHD_NO;
	}
	u->got_file = true;
	if (u->size + (long)size > u->max) {
		u->err = LD_ETOOLARGE;
		req->upload_refusal = UPLOAD_TOO_LARGE;
		snprintf(u->why, sizeof(u->why),
			 "the message is larger than the limit of %ld bytes",
			 u->max);
		return MHD_NO;
	}
	if (size && write(u->fd, data, size) != (ssize_t)size) {
		u->err = spool_failed();
		snprintf(u->why, sizeof(u->why),
			 "the upload could not be kept");
		return MHD_NO;
	}
	u->size += (long)size;
	return MHD_YES;
}

static enum ld_err eml_begin(struct request *req)
{
	struct eml_upload *u = arena_calloc(req->arena, 1, sizeof(*u));
	u->fd = -1;
	u->max = req->app->cfg.file_max;
	u->pp = MHD_create_post_processor(req->conn, 64 * 1024, eml_chunk, req);
	if (!u->pp) {
		req->upload_refusal = UPLOAD_NOT_MULTIPART;
		return request_fail(req, LD_EINVAL, "file",
				    "send the message as multipart/form-data "
				    "in a field named file");
	}
	req->upload = u;
	if ((u->fd = spool_open(req->app->cfg.spool_dir)) < 0)
		return spool_failed();
	return LD_OK;
}

static enum ld_err eml_data(struct request *req, const char *data, size_t len)
{
	struct eml_upload *u = req->upload;
	if (MHD_post_process(u->pp, data, len) == MHD_YES)
		return LD_OK;
	if (!u->why[0])
		req->upload_refusal = UPLOAD_NOT_MULTIPART;
	return request_fail(req, u->err ? u->err : LD_EINVAL, "file", "%s",
			    u->why[0] ? u->why
				      : "the multipart body is malformed");
}

static void eml_abort(struct request *req)
{
	struct eml_upload *u = req->upload;
	if (!u)
		return;
	if (u->pp)
		MHD_destroy_post_processor(u->pp);
	if (u->fd >= 0)
		close(u->fd);
	req->upload = NULL;
}

const struct upload_ops inbox_upload_ops = {eml_begin, eml_data, eml_abort};

static enum ld_err
lend(void *app, enum ld_err (*use)(const struct workcal *, void *), void *arg)
{
	return app_with_calendar(app, use, arg);
}

/* On the work pool: parse, scan and store the spooled message. */
static enum ld_err eml_store(struct request *req)
{
	struct eml_upload *u = req->upload;
	struct why why = {0};
	int64_t id = 0;
	enum ld_err err = LD_OK;
	unsigned char *raw = NULL;

	if (!u->got_file || u->size == 0) {
		why.field = "file";
		snprintf(why.msg, sizeof(why.msg), "choose a message (.eml)");
		err = LD_EINVAL;
	} else {
		raw = xmalloc((size_t)u->size + 1);
		if (pread(u->fd, raw, (size_t)u->size, 0) != u->size)
			err = LD_EIO;
	}
	if (!err) {
		struct app *app = req->app;
		struct inbox_source src = {"upload",	   app->cfg.file_max,
					   app->cfg.clamd, req->who.user_id,
					   NULL,	   NULL};
		err = inbox_take(app->store, &src, lend, app, app_today(app),
				 raw, (size_t)u->size, &id, &why);
	}
	free(raw);
	if (!err)
		return page_redirect(req, arena_printf(req->arena,
						       "/inbox/%lld?done=taken",
						       (long long)id));
	if (ld_err_transient(err) || err == LD_EIO || err == LD_EDB)
		return err;
	/* Refused: the Inbox page again, the reason on the file field. */
	json_t *ctx;
	enum ld_err e = inbox_ctx(req, &ctx);
	if (e)
		return e;
	page_field_error(
		ctx, "file",
		page_upload_reason(req, err,
				   why.msg[0] ? why.msg : req->err_message,
				   "message"));
	return page_render(req, 400, "inbox", ctx);
}

enum ld_err inbox_upload_refused(struct request *req, enum ld_err err)
{
	json_t *ctx;
	if (ld_err_transient(err))
		return err;
	enum ld_err e = inbox_ctx(req, &ctx);
	if (e)
		return e;
	page_field_error(
		ctx, "file",
		page_upload_reason(req, err, req->err_message, "message"));
	return page_render(req, http_status(err), "inbox", ctx);
}

enum ld_err h_page_inbox_upload(struct request *req)
{
	return request_defer(req, req->app->work_pool, eml_store);
}

/* An attachment, always as a download: mail is not this site's content. */
enum ld_err h_inbox_attachment(struct request *req)
{
	int64_t id;
	char *name = NULL, *type = NULL;
	unsigned char *data = NULL;
	size_t len = 0;
	enum ld_err err = request_id(req, 0, &id);
	if (!err)
		err = inbox_store_attachment(req->app->store, &req->who, id,
					     &name, &type, &data, &len);
	if (err)
		return err;
	struct buf d;
	buf_init(&d, 2048);
	(void)buf_addstr(&d, "attachment; filename=\"");
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		(void)buf_addch(
			&d, (*p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\')
				    ? '_'
				    : (char)*p);
	(void)buf_addch(&d, '"');
	reply_header(req, "Content-Disposition",
		     arena_strdup(req->arena, buf_str(&d)));
	buf_release(&d);
	reply_bytes(req, 200, "application/octet-stream", data, len);
	free(name);
	free(type);
	free(data);
	return LD_OK;
}

/* Evidence to the Ombudsman by email ------------------------------------ */

static enum ld_err email_evidence(struct request *req, int64_t id, int version,
				  char **json, struct why *why)
{
	const struct config *cfg = &req->app->cfg;
	return evidence_mail_queue(req->app->store, &req->who, id, version,
				   app_today(req->app), cfg->evidence_mail_max,
				   cfg->require_scan != 0, json, why);
}

enum ld_err h_evidence_email(struct request *req)
{
	static const char *const fields[] = {"version", NULL};
	struct why why = {0};
	json_t *body;
	int64_t id;
	long long version = 0;
	char *json = NULL;
	enum ld_err err;
	if ((err = request_id(req, 0, &id)) ||
	    (err = request_json(req, &body)) ||
	    (err = input_known_fields(req, body, fields)) ||
	    (err = input_int(req, body, "version", 1, 1000000000, true,
			     &version)))
		return err;
	err = email_evidence(req, id, (int)version, &json, &why);
	return reply_result(req, err, json, &why, 202);
}

enum ld_err h_page_evidence_email(struct request *req)
{
	json_t *form = page_form(req);
	struct why why = {0};
	int64_t id;
	char *json = NULL, *end;
	enum ld_err err = request_id(req, 0, &id);
	if (err)
		return err;
	long version = form ? strtol(page_field(form, "version"), &end, 10) : 0;
	if (!form || *end || version < 1)
		return request_fail(req, LD_EINVAL, "version",
				    "The form is malformed.");
	err = email_evidence(req, id, (int)version, &json, &why);
	free(json);
	if (err)
		return why.msg[0] ? request_fail(req, err, why.field, "%s",
						 why.msg)
				  : err;
	return page_redirect(req, arena_printf(req->arena,
					       "/tasks/%lld?done=emailed",
					       (long long)id));
}

/*
 * The task page: whether its Ombudsman takes evidence by email (the
 * button that emails it) or by portal (a checklist of what to upload,
 * each file against the portal's limit), and an email in the outbox.
 */
void evidence_page_task(struct request *req, json_t *ctx)
{
	json_t *task = json_object_get(ctx, "task");
	json_int_t case_id = json_integer_value(
		json_object_get(json_object_get(task, "case"), "id"));
	char *text = NULL;
	if (!case_id ||
	    case_store_get(req->app->store, &req->who, case_id, &text))
		return;
	json_t *c = page_parsed(text);
	json_t *o = json_object_get(c, "ombudsman");
	const char *channel =
		json_string_value(json_object_get(o, "submission_channel"));
	json_int_t limit =
		json_integer_value(json_object_get(o, "portal_file_limit"));
	bool email = channel && !strcmp(channel, "email");
	json_object_set_new(ctx, "evidence_by_email", json_boolean(email));
	if (!email) {
		json_t *list = json_array();
		size_t i;
		json_t *f;
		json_array_foreach(json_object_get(task, "files"), i, f)
		{
			json_int_t size =
				json_integer_value(json_object_get(f, "size"));
			json_array_append_new(
				list,
				json_pack("{s:O?, s:O?, s:I, s:b}", "name",
					  json_object_get(f, "name"), "sha256",
					  json_object_get(f, "sha256"), "size",
					  size, "over_limit",
					  limit > 0 && size > limit));
		}
		json_object_set_new(ctx, "portal_checklist", list);
		json_object_set_new(ctx, "portal_limit", json_integer(limit));
	}
	json_decref(c);
}
