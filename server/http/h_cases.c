/* Complaints, Ombudsman cases, correspondence, determinations and tasks. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "arena.h"
#include "case_store.h"
#include "date.h"
#include "handlers.h"
#include "input.h"
#include "utf8.h"
#include "kinds.h"
#include "paging.h"

#define TEXT_MAX   4000
#define TITLE_MAX  300
#define ANSWER_MAX 20000
#define ITEMS_MAX  100

/* A field naming a row of one of core's tables (kinds.h), as its name. */
#define kind_text(req, body, field, table, required, out)                      \
	kind_text_((req), (body), (field), (table), sizeof((table)[0]),        \
		   (required), (out))

static enum ld_err kind_text_(struct request *req, json_t *body,
			      const char *field, const void *table,
			      size_t stride, bool required, const char **out)
{
	int i = -1;
	enum ld_err err =
		input_kind(req, body, field, table, stride, required, &i);
	if (i >= 0)
		*out = kind_name(table, stride, i);
	return err;
}

/* An optional enum field as its text, or NULL. */
static enum ld_err enum_text(struct request *req, json_t *body,
			     const char *field, const char *const *values,
			     bool required, const char **out)
{
	int i = -1;
	enum ld_err err = input_enum(req, body, field, values, required, &i);
	*out = i >= 0 ? values[i] : NULL;
	return err;
}

static enum ld_err id_field(struct request *req, json_t *body,
			    const char *field, bool required, int64_t *out)
{
	long long v = 0;
	enum ld_err err =
		input_int(req, body, field, 1, INT64_MAX, required, &v);
	if (!err && v)
		*out = v;
	return err;
}

/* Complaints ------------------------------------------------------------ */

enum ld_err cases_resident_in(struct request *req, json_t *r,
			      struct complaint_in *in)
{
	static const char *const fields[] = {"name",	    "address",
					     "contact",	    "vulnerabilities",
					     "adjustments", NULL};
	enum ld_err err;
	in->address = in->contact = in->vulnerabilities = in->adjustments = "";
	if ((err = input_known_fields(req, r, fields)) ||
	    (err = input_string(req, r, "name", 200, true, &in->name)) ||
	    (err = input_string(req, r, "address", 500, false, &in->address)) ||
	    (err = input_string(req, r, "contact", 300, false, &in->contact)) ||
	    (err = input_string(req, r, "vulnerabilities", 2000, false,
				&in->vulnerabilities)) ||
	    (err = input_string(req, r, "adjustments", 2000, false,
				&in->adjustments)))
		return err;
	in->resident = true;
	return LD_OK;
}

enum ld_err cases_complaint_in(struct request *req, json_t *body,
			       struct complaint_in *in)
{
	static const char *const fields[] = {
		"reference",   "category", "service_area_id",
		"received_on", "summary",  "resident",
		NULL};
	json_t *resident;
	enum ld_err err;

	memset(in, 0, sizeof(*in));
	in->summary = "";
	if ((err = input_known_fields(req, body, fields)) ||
	    (err = input_string(req, body, "reference", 40, true,
				&in->reference)) ||
	    (err = input_string(req, body, "category", 80, true,
				&in->category)) ||
	    (err = id_field(req, body, "service_area_id", true,
			    &in->service_area_id)) ||
	    (err = input_date(req, body, "received_on", true,
			      &in->received_on)) ||
	    (err = input_string(req, body, "summary", 2000, false,
				&in->summary)))
		return err;
	/* Inside the complaint, its fields are named resident.name ... */
	resident = json_object_get(body, "resident");
	if (resident && !json_is_object(resident))
		return request_fail(req, LD_EINVAL, "resident",
				    "resident must be an object");
	if (resident && (err = cases_resident_in(req, resident, in))) {
		input_nest_field(req, "resident", -1);
		return err;
	}
	return LD_OK;
}

enum ld_err h_complaint_add(struct request *req)
{
	struct complaint_in in;
	struct why why = {0};
	json_t *body;
	char *json = NULL;
	enum ld_err err;

	if ((err = request_json(req, &body)) ||
	    (err = cases_complaint_in(req, body, &in)))
		return err;
	err = case_store_add_complaint(req->app->store, &req->who, &in, &json,
				       &why);
	return reply_result(req, err, json, &why, 201);
}

enum ld_err h_complaint_get(struct request *req)
{
	int64_t id;
	char *json = NULL;
	enum ld_err err = request_id(req, 0, &id);
	if (!err)
		err = case_store_complaint(req->app->store, &req->who, id,
					   &json);
	if (err)
		return reply_result(req, err, json, NULL, 200);
	json_t *c = json_loads(json, 0, NULL);
	free(json);
	if (!c)
		return LD_EINTERNAL;
	code_timeliness(req, c);
	reply_json(req, 200, c);
	return LD_OK;
}

enum ld_err h_resident_put(struct request *req)
{
	struct complaint_in in = {0};
	int64_t id;
	json_t *body;
	char *json = NULL;
	enum ld_err err;

	if ((err = request_id(req, 0, &id)) || (err = request_json(req, &body)))
		return err;
	/* The body is the resident object itself. */
	if ((err = cases_resident_in(req, body, &in)))
		return err;
	err = case_store_set_resident(req->app->store, &req->who, id, &in,
				      &json);
	return reply_result(req, err, json, NULL, 200);
}

/* Cases ----------------------------------------------------------------- */

static int32_t today(struct request *req)
{
	return app_today(req->app);
}

enum ld_err cases_case_in(struct request *req, json_t *body, struct case_in *in)
{
	static const char *const fields[] = {
		"complaint_id", "complaint",	   "ombudsman",
		"reference",	"received_on",	   "channel",
		"summary",	"link_officer_id", NULL};
	json_t *complaint = json_object_get(body, "complaint");
	enum ld_err err;

	memset(in, 0, sizeof(*in));
	in->received_on = today(req);
	if ((err = input_known_fields(req, body, fields)))
		return err;
	/* The complaint registered already, or a new one with the case. */
	if (complaint && json_object_get(body, "complaint_id"))
		return request_fail(req, LD_EINVAL, "complaint",
				    "give complaint_id or a new complaint, not "
				    "both");
	if (complaint) {
		struct complaint_in *c =
			arena_calloc(req->arena, 1, sizeof(*c));
		if (!json_is_object(complaint))
			return request_fail(req, LD_EINVAL, "complaint",
					    "complaint must be an object");
		if ((err = cases_complaint_in(req, complaint, c))) {
			input_nest_field(req, "complaint", -1);
			return err;
		}
		in->complaint = c;
	}
	if ((err = id_field(req, body, "complaint_id", !complaint,
			    &in->complaint_id)) ||
	    (err = input_string(req, body, "ombudsman", 16, true,
				&in->ombudsman)) ||
	    (err = input_string(req, body, "reference", 40, true,
				&in->reference)) ||
	    (err = input_date(req, body, "received_on", false,
			      &in->received_on)) ||
	    (err = id_field(req, body, "link_officer_id", false,
			    &in->link_officer_id)) ||
	    (err = kind_text(req, body, "channel", channels, false,
			     &in->channel)) ||
	    (err = input_string(req, body, "summary", TEXT_MAX, false,
				&in->summary)))
		return err;
	return LD_OK;
}

enum ld_err h_case_register(struct request *req)
{
	struct case_in in;
	struct why why = {0};
	json_t *body;
	char *json = NULL;
	enum ld_err err;

	if ((err = request_json(req, &body)) ||
	    (err = cases_case_in(req, body, &in)))
		return err;
	err = case_store_register(req->app->store, &req->who, &in, &json, &why);
	return reply_result(req, err, json, &why, 201);
}

enum ld_err h_case_get(struct request *req)
{
	int64_t id;
	char *json = NULL;
	enum ld_err err = request_id(req, 0, &id);
	if (!err)
		err = case_store_get(req->app->store, &req->who, id, &json);
	return reply_result(req, err, json, NULL, 200);
}

static enum ld_err query_enum(struct request *req, const char *name,
			      const char *const *values, const char **out)
{
	const char *v = request_query(req, name);
	if (!v)
		return LD_OK;
	for (int i = 0; values[i]; i++) {
		if (!strcmp(values[i], v)) {
			*out = values[i];
			return LD_OK;
		}
	}
	return request_fail(req, LD_EINVAL, name, "unknown %s", name);
}

static enum ld_err query_bool(struct request *req, const char *name, bool *out)
{
	const char *v = request_query(req, name);
	if (!v)
		return LD_OK;
	if (strcmp(v, "true") && strcmp(v, "false"))
		return request_fail(req, LD_EINVAL, name,
				    "%s must be true or false", name);
	*out = !strcmp(v, "true");
	return LD_OK;
}

static enum ld_err query_date(struct request *req, const char *name,
			      int32_t *out)
{
	const char *v = request_query(req, name);
	if (v && date_parse(v, out))
		return request_fail(req, LD_EINVAL, name,
				    "%s must be a real date as YYYY-MM-DD",
				    name);
	return LD_OK;
}

static enum ld_err query_page(struct request *req, struct list_query *q)
{
	long page = 1, per_page = PAGE_ROWS;
	enum ld_err err;
	if ((err = paging_query(req, "page", PAGE_NUMBER_MAX, &page)) ||
	    (err = paging_query(req, "per_page", PAGE_ROWS_MAX, &per_page)))
		return err;
	q->page = (int)page;
	q->per_page = (int)per_page;
	return LD_OK;
}

static enum ld_err list_query(struct request *req, struct list_query *q)
{
	const char *ombudsman = request_query(req, "ombudsman");
	const char *text = request_query(req, "q");
	int kind = -1;
	enum ld_err err;

	memset(q, 0, sizeof(*q));
	q->today = today(req);
	if ((err = query_enum(req, "status", task_status_names, &q->status)) ||
	    (err = query_enum(req, "stage", case_stage_names, &q->stage)) ||
	    (err = input_query_kind(req, "kind", task_kinds,
				    sizeof(task_kinds[0]), &kind)) ||
	    (err = paging_query_id(req, "service_area_id",
				   &q->service_area_id)) ||
	    (err = paging_query_id(req, "assignee_id", &q->assignee_id)) ||
	    (err = paging_query_id(req, "case_id", &q->case_id)) ||
	    (err = query_date(req, "due_before", &q->due_before)) ||
	    (err = query_date(req, "due_after", &q->due_after)) ||
	    (err = query_bool(req, "overdue", &q->overdue)) ||
	    (err = query_bool(req, "open", &q->open_only)) ||
	    (err = query_page(req, q)))
		return err;
	if (kind >= 0)
		q->kind = task_kinds[kind].name;
	if (ombudsman && (strlen(ombudsman) > 16 || !*ombudsman))
		return request_fail(req, LD_EINVAL, "ombudsman",
				    "unknown ombudsman");
	if (text && strlen(text) > 40)
		return request_fail(req, LD_EINVAL, "q", "q is too long");
	q->ombudsman = ombudsman;
	q->q = text && *text ? text : NULL;
	return LD_OK;
}

/* GET /api/v1/cases/{id}/audit?before=ID&limit=N: the trail by page. */
enum ld_err h_case_audit(struct request *req)
{
	int64_t id, before = 0;
	long limit = PAGE_ROWS;
	char *json = NULL;
	enum ld_err err;

	if ((err = request_id(req, 0, &id)) ||
	    (err = paging_query_id(req, "before", &before)) ||
	    (err = paging_query(req, "limit", PAGE_ROWS_MAX, &limit)))
		return err;
	err = case_store_audit(req->app->store, &req->who, id, before,
			       (int)limit, &json);
	return reply_result(req, err, json, NULL, 200);
}

enum ld_err h_case_list(struct request *req)
{
	struct list_query q;
	char *json = NULL;
	enum ld_err err = list_query(req, &q);
	if (!err)
		err = case_store_list(req->app->store, &req->who, &q, &json);
	return reply_result(req, err, json, NULL, 200);
}

static enum ld_err task_fields(struct request *req, json_t *t,
			       struct task_in *in)
{
	static const char *const fields[] = {
		"title",	   "detail",	  "kind",
		"service_area_id", "assignee_id", "due_on",
		"working_days",	   "weeks",	  NULL};
	long long wd = -1, weeks = 0;
	enum ld_err err;

	memset(in, 0, sizeof(*in));
	if (!json_is_object(t))
		return request_fail(req, LD_EINVAL, NULL,
				    "each task must be an object");
	if ((err = input_known_fields(req, t, fields)) ||
	    (err = input_line(req, t, "title", TITLE_MAX, true, &in->title)) ||
	    (err = input_string(req, t, "detail", TEXT_MAX, false,
				&in->detail)) ||
	    (err = kind_text(req, t, "kind", task_kinds, false, &in->kind)) ||
	    (err = id_field(req, t, "service_area_id", true,
			    &in->service_area_id)) ||
	    (err = id_field(req, t, "assignee_id", false, &in->assignee_id)) ||
	    (err = input_date(req, t, "due_on", false, &in->due_on)) ||
	    (err = input_int(req, t, "working_days", 0, 260, false, &wd)) ||
	    (err = input_int(req, t, "weeks", 1, 104, false, &weeks)))
		return err;
	in->working_days = (int)wd;
	in->weeks = (int)weeks;
	return LD_OK;
}

struct correspond_call {
	struct request *req;
	int64_t id;
	struct correspondence_in *in;
	char **json;
	struct why *why;
};

static enum ld_err correspond_with_calendar(const struct workcal *cal,
					    void *arg)
{
	struct correspond_call *c = arg;
	return case_store_correspond(c->req->app->store, &c->req->who, cal,
				     c->id, c->in, c->json, c->why);
}

enum ld_err cases_correspond(struct request *req, int64_t id,
			     struct correspondence_in *in, char **json,
			     struct why *why)
{
	struct correspond_call call = {req, id, in, json, why};
	return app_with_calendar(req->app, correspond_with_calendar, &call);
}

enum ld_err cases_correspondence_in(struct request *req, json_t *body,
				    struct correspondence_in *in)
{
	static const char *const fields[] = {
		"kind",	      "direction",	 "dated_on",	   "channel",
		"summary",    "response_due_on", "revised_due_on", "task_ids",
		"remedy_ids", "tasks",		 "chfo_type",	   NULL};
	static const char *const directions[] = {"in", "out", NULL};
	long long chfo_type = 0;
	json_t *tasks;
	int64_t *task_ids, *remedy_ids;
	enum ld_err err;

	memset(in, 0, sizeof(*in));
	in->dated_on = today(req);
	if ((err = input_known_fields(req, body, fields)) ||
	    (err = kind_text(req, body, "kind", corr_kinds, true, &in->kind)) ||
	    (err = enum_text(req, body, "direction", directions, false,
			     &in->direction)) ||
	    (err = input_date(req, body, "dated_on", false, &in->dated_on)) ||
	    (err = kind_text(req, body, "channel", channels, false,
			     &in->channel)) ||
	    (err = input_string(req, body, "summary", TEXT_MAX, false,
				&in->summary)) ||
	    (err = input_date(req, body, "response_due_on", false,
			      &in->response_due_on)) ||
	    (err = input_date(req, body, "revised_due_on", false,
			      &in->revised_due_on)) ||
	    (err = input_ids(req, body, "task_ids", &task_ids,
			     &in->ntask_ids)) ||
	    (err = input_ids(req, body, "remedy_ids", &remedy_ids,
			     &in->nremedy_ids)) ||
	    (err = input_array(req, body, "tasks", ITEMS_MAX, &tasks)) ||
	    (err = input_int(req, body, "chfo_type", 0, 9, false, &chfo_type)))
		return err;
	/* Which types an Ombudsman's sanction has is data: the store's. */
	in->chfo_type = (int)chfo_type;
	in->task_ids = task_ids;
	in->remedy_ids = remedy_ids;
	if (in->response_due_on && in->response_due_on < in->dated_on)
		return request_fail(req, LD_EVALIDATION, "response_due_on",
				    "the response date is before the "
				    "correspondence");
	if (tasks) {
		struct task_in *t = arena_calloc(
			req->arena, json_array_size(tasks) + 1, sizeof(*t));
		json_t *v;
		size_t i;
		json_array_foreach(tasks, i, v)
		{
			if ((err = task_fields(req, v, &t[i]))) {
				input_nest_field(req, "tasks", (int)i);
				return err;
			}
		}
		in->tasks = t;
		in->ntasks = (int)json_array_size(tasks);
	}
	return LD_OK;
}

enum ld_err h_correspondence_add(struct request *req)
{
	struct correspondence_in in;
	struct why why = {0};
	json_t *body;
	int64_t id;
	char *json = NULL;
	enum ld_err err;

	if ((err = request_id(req, 0, &id)) ||
	    (err = request_json(req, &body)) ||
	    (err = cases_correspondence_in(req, body, &in)))
		return err;
	struct correspond_call call = {req, id, &in, &json, &why};
	err = app_with_calendar(req->app, correspond_with_calendar, &call);
	return reply_result(req, err, json, &why, 201);
}

struct determine_call {
	struct request *req;
	int64_t id;
	struct determination_in *in;
	char **json;
	struct why *why;
};

static enum ld_err determine_with_calendar(const struct workcal *cal, void *arg)
{
	struct determine_call *c = arg;
	return case_store_determine(c->req->app->store, &c->req->who, cal,
				    c->id, c->in, c->json, c->why);
}

static enum ld_err remedy_fields(struct request *req, json_t *r,
				 struct remedy_in *in)
{
	static const char *const fields[] = {
		"type",	  "kind",  "description",     "amount_pence",
		"due_on", "weeks", "service_area_id", "assignee_id",
		NULL};
	long long weeks = 0;
	enum ld_err err;

	memset(in, 0, sizeof(*in));
	in->amount_pence = -1;
	if (!json_is_object(r))
		return request_fail(req, LD_EINVAL, NULL,
				    "each remedy must be an object");
	if ((err = input_known_fields(req, r, fields)) ||
	    (err = kind_text(req, r, "type", remedy_types, true, &in->type)) ||
	    (err = kind_text(req, r, "kind", remedy_kinds, true, &in->kind)) ||
	    (err = input_string(req, r, "description", TEXT_MAX, true,
				&in->description)) ||
	    (err = input_int(req, r, "amount_pence", 0, 100000000, false,
			     &in->amount_pence)) ||
	    (err = input_date(req, r, "due_on", false, &in->due_on)) ||
	    (err = input_int(req, r, "weeks", 1, 104, false, &weeks)) ||
	    (err = id_field(req, r, "service_area_id", true,
			    &in->service_area_id)) ||
	    (err = id_field(req, r, "assignee_id", false, &in->assignee_id)))
		return err;
	/* Compensation has an amount; nothing else has one (core's table). */
	const struct remedy_kind *rk = remedy_kind_find(in->kind);
	if (rk && (in->amount_pence >= 0) != rk->has_amount)
		return request_fail(
			req, LD_EVALIDATION, "amount_pence",
			in->amount_pence < 0
				? "amount_pence is required"
				: "amount_pence is for compensation "
				  "only: leave it out");
	in->weeks = (int)weeks;
	return LD_OK;
}

enum ld_err cases_determine(struct request *req, int64_t id,
			    struct determination_in *in, char **json,
			    struct why *why)
{
	struct determine_call call = {req, id, in, json, why};
	return app_with_calendar(req->app, determine_with_calendar, &call);
}

enum ld_err cases_determination_in(struct request *req, json_t *body,
				   struct determination_in *in)
{
	static const char *const fields[] = {"decided_on", "channel",
					     "summary",	   "findings",
					     "remedies",   NULL};
	static const char *const ffields[] = {"element", "finding", NULL};
	json_t *findings, *remedies, *v;
	size_t i;
	enum ld_err err;

	memset(in, 0, sizeof(*in));
	if ((err = input_known_fields(req, body, fields)) ||
	    (err = input_date(req, body, "decided_on", true,
			      &in->decided_on)) ||
	    (err = kind_text(req, body, "channel", channels, false,
			     &in->channel)) ||
	    (err = input_string(req, body, "summary", TEXT_MAX, false,
				&in->summary)) ||
	    (err = input_array(req, body, "findings", ITEMS_MAX, &findings)) ||
	    (err = input_array(req, body, "remedies", ITEMS_MAX, &remedies)))
		return err;
	if (!findings || json_array_size(findings) == 0)
		return request_fail(req, LD_EINVAL, "findings",
				    "a determination has at least one finding");
	struct finding_in *f =
		arena_calloc(req->arena, json_array_size(findings), sizeof(*f));
	json_array_foreach(findings, i, v)
	{
		if (!json_is_object(v))
			err = request_fail(req, LD_EINVAL, NULL,
					   "each finding must be an object");
		else if (!(err = input_known_fields(req, v, ffields)) &&
			 !(err = input_string(req, v, "element", 300, true,
					      &f[i].element)))
			err = input_string(req, v, "finding", 40, true,
					   &f[i].finding);
		if (err) {
			input_nest_field(req, "findings", (int)i);
			return err;
		}
	}
	in->findings = f;
	in->nfindings = (int)json_array_size(findings);
	if (remedies) {
		struct remedy_in *r = arena_calloc(
			req->arena, json_array_size(remedies) + 1, sizeof(*r));
		json_array_foreach(remedies, i, v)
		{
			if ((err = remedy_fields(req, v, &r[i]))) {
				input_nest_field(req, "remedies", (int)i);
				return err;
			}
			if (r[i].due_on && r[i].due_on < in->decided_on) {
				request_fail(req, LD_EVALIDATION, "due_on",
					     "the remedy is due before the "
					     "determination");
				input_nest_field(req, "remedies", (int)i);
				return LD_EVALIDATION;
			}
		}
		in->remedies = r;
		in->nremedies = (int)json_array_size(remedies);
	}
	return LD_OK;
}

enum ld_err h_determination_add(struct request *req)
{
	struct determination_in in;
	struct why why = {0};
	json_t *body;
	int64_t id;
	char *json = NULL;
	enum ld_err err;

	if ((err = request_id(req, 0, &id)) ||
	    (err = request_json(req, &body)) ||
	    (err = cases_determination_in(req, body, &in)))
		return err;
	struct determine_call call = {req, id, &in, &json, &why};
	err = app_with_calendar(req->app, determine_with_calendar, &call);
	return reply_result(req, err, json, &why, 201);
}

enum ld_err cases_stage_in(struct request *req, json_t *body, int *stage,
			   int *version)
{
	static const char *const fields[] = {"stage", "version", NULL};
	enum ld_err err;
	*stage = 0;
	if ((err = input_known_fields(req, body, fields)) ||
	    (err = input_enum(req, body, "stage", case_stage_names, true,
			      stage)) ||
	    (err = input_version(req, body, version)))
		return err;
	return LD_OK;
}

enum ld_err h_case_stage(struct request *req)
{
	struct why why = {0};
	json_t *body;
	int64_t id;
	int version, stage = 0;
	char *json = NULL;
	enum ld_err err;

	if ((err = request_id(req, 0, &id)) ||
	    (err = request_json(req, &body)) ||
	    (err = cases_stage_in(req, body, &stage, &version)))
		return err;
	err = case_store_set_stage(req->app->store, &req->who, id, version,
				   (enum case_stage)stage, &json, &why);
	return reply_result(req, err, json, &why, 200);
}

enum ld_err cases_close_in(struct request *req, json_t *body,
			   const char **outcome, int32_t *closed_on,
			   int *version)
{
	static const char *const fields[] = {"outcome", "closed_on", "version",
					     NULL};
	enum ld_err err;

	*closed_on = today(req);
	if ((err = input_known_fields(req, body, fields)) ||
	    (err = kind_text(req, body, "outcome", case_outcomes, true,
			     outcome)) ||
	    (err = input_date(req, body, "closed_on", false, closed_on)) ||
	    (err = input_version(req, body, version)))
		return err;
	return LD_OK;
}

enum ld_err h_case_close(struct request *req)
{
	struct why why = {0};
	const char *outcome;
	json_t *body;
	int64_t id;
	int version;
	int32_t closed_on;
	char *json = NULL;
	enum ld_err err;

	if ((err = request_id(req, 0, &id)) ||
	    (err = request_json(req, &body)) ||
	    (err = cases_close_in(req, body, &outcome, &closed_on, &version)))
		return err;
	err = case_store_close(req->app->store, &req->who, id, version,
			       closed_on, outcome, &json, &why);
	return reply_result(req, err, json, &why, 200);
}

/* Tasks ----------------------------------------------------------------- */

enum ld_err h_task_list(struct request *req)
{
	struct list_query q;
	char *json = NULL;
	enum ld_err err = list_query(req, &q);
	if (!err)
		err = task_store_list(req->app->store, &req->who, &q, &json);
	return reply_result(req, err, json, NULL, 200);
}

enum ld_err h_task_get(struct request *req)
{
	int64_t id;
	char *json = NULL;
	enum ld_err err = request_id(req, 0, &id);
	if (!err)
		err = task_store_get(req->app->store, &req->who, id, &json);
	return reply_result(req, err, json, NULL, 200);
}

enum ld_err cases_task_action_in(struct request *req, json_t *body,
				 struct task_action_in *in)
{
	static const char *const fields[] = {
		"action",  "version",  "answer",  "attachments",
		"comment", "dated_on", "channel", NULL};
	json_t *attachments;
	int action = 0;
	enum ld_err err;

	memset(in, 0, sizeof(*in));
	in->dated_on = today(req);
	if ((err = input_known_fields(req, body, fields)) ||
	    (err = input_enum(req, body, "action", task_action_names, true,
			      &action)) ||
	    (err = input_version(req, body, &in->version)) ||
	    (err = input_string(req, body, "answer", ANSWER_MAX, false,
				&in->answer)) ||
	    (err = input_string(req, body, "comment", TEXT_MAX, false,
				&in->comment)) ||
	    (err = input_date(req, body, "dated_on", false, &in->dated_on)) ||
	    (err = kind_text(req, body, "channel", channels, false,
			     &in->channel)) ||
	    (err = input_array(req, body, "attachments", 50, &attachments)))
		return err;
	if (attachments) {
		json_t *v;
		size_t i;
		json_array_foreach(attachments, i, v)
		{
			long n = json_is_string(v)
					 ? utf8_chars(json_string_value(v),
						      json_string_length(v))
					 : -1;
			if (n < 1 || n > 300)
				return request_fail(
					req, LD_EINVAL, "attachments",
					"attachments are references of 1 to "
					"300 characters");
		}
		char *text = json_dumps(attachments, JSON_COMPACT);
		in->attachments = arena_strdup(req->arena, text);
		free(text);
	}
	in->action = (enum task_action)action;
	in->require_scan = req->app->cfg.require_scan;
	return LD_OK;
}

enum ld_err h_task_action(struct request *req)
{
	struct task_action_in in;
	struct why why = {0};
	json_t *body;
	int64_t id;
	char *json = NULL;
	enum ld_err err;

	if ((err = request_id(req, 0, &id)) ||
	    (err = request_json(req, &body)) ||
	    (err = cases_task_action_in(req, body, &in)))
		return err;
	err = task_store_act(req->app->store, &req->who, id, &in, &json, &why);
	return reply_result(req, err, json, &why, 200);
}

enum ld_err cases_task_update_in(struct request *req, json_t *body,
				 struct task_update_in *in)
{
	static const char *const fields[] = {
		"version",  "assignee_id", "service_area_id",
		"priority", "title",	   "detail",
		NULL};
	json_t *assignee;
	enum ld_err err;

	memset(in, 0, sizeof(*in));
	in->assignee_id = -1;
	if ((err = input_known_fields(req, body, fields)) ||
	    (err = input_version(req, body, &in->version)) ||
	    (err = id_field(req, body, "service_area_id", false,
			    &in->service_area_id)) ||
	    (err = kind_text(req, body, "priority", priorities, false,
			     &in->priority)) ||
	    (err = input_line(req, body, "title", TITLE_MAX, false,
			      &in->title)) ||
	    (err = input_string(req, body, "detail", TEXT_MAX, false,
				&in->detail)))
		return err;
	assignee = input_field(req, body, "assignee_id");
	if (assignee && json_is_null(assignee))
		in->assignee_id = 0;
	else if ((err = id_field(req, body, "assignee_id", false,
				 &in->assignee_id)))
		return err;
	return LD_OK;
}

/* POST /api/v1/tasks/{id}/reminders: remind whoever must do it, now. */
enum ld_err h_task_remind(struct request *req)
{
	struct why why = {0};
	char *json = NULL;
	int64_t id;
	enum ld_err err = request_id(req, 0, &id);
	if (!err)
		err = task_store_remind(req->app->store, &req->who, id,
					today(req), &json, &why);
	return reply_result(req, err, json, &why, 201);
}

enum ld_err h_task_update(struct request *req)
{
	struct task_update_in in;
	struct why why = {0};
	json_t *body;
	int64_t id;
	char *json = NULL;
	enum ld_err err;

	if ((err = request_id(req, 0, &id)) ||
	    (err = request_json(req, &body)) ||
	    (err = cases_task_update_in(req, body, &in)))
		return err;
	err = task_store_update(req->app->store, &req->who, id, &in, &json,
				&why);
	return reply_result(req, err, json, &why, 200);
}
