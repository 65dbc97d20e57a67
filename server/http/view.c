#include "view.h"

#include <stdio.h>
#include <string.h>

#include "date.h"
#include "kinds.h"
#include "workcal.h"
#include "workflow.h"

struct label {
	const char *value, *label, *tag;
};

/* Tags for values whose words are core's (label NULL), and both for the rest.
 */
static const struct label labels[] = {
	{"open", NULL, "govuk-tag--blue"},
	{"in_progress", NULL, "govuk-tag--light-blue"},
	{"submitted", NULL, "govuk-tag--yellow"},
	{"validated", NULL, "govuk-tag--turquoise"},
	{"sent", NULL, "govuk-tag--purple"},
	{"done", NULL, "govuk-tag--green"},
	{"cancelled", NULL, "govuk-tag--grey"},
	{"notified", NULL, "govuk-tag--blue"},
	{"assessment", NULL, "govuk-tag--light-blue"},
	{"investigation", NULL, "govuk-tag--yellow"},
	{"draft_decision", NULL, "govuk-tag--orange"},
	{"determined", NULL, "govuk-tag--purple"},
	{"remedies", NULL, "govuk-tag--pink"},
	{"closed", NULL, "govuk-tag--grey"},
	{"pending", "Pending", "govuk-tag--grey"},
	{"complied_on_time", "Complied on time", "govuk-tag--green"},
	{"complied_late", "Complied late", "govuk-tag--orange"},
	{"confirmed", "Confirmed by the Ombudsman", "govuk-tag--green"},
	{"available", "Scanned, clean", "govuk-tag--green"},
	{"not_scanned", "Not scanned", "govuk-tag--grey"},
	{"quarantined", "Quarantined", "govuk-tag--red"},
	{"removed", "Removed", "govuk-tag--grey"},
	/* Their words are core's (kinds.h); only the tag is the page's. */
	{"high", NULL, "govuk-tag--orange"},
	{"urgent", NULL, "govuk-tag--red"},
	{"normal", NULL, "govuk-tag--grey"},
};

static const struct label *find(const char *value)
{
	for (size_t i = 0; value && i < sizeof(labels) / sizeof(labels[0]); i++)
		if (!strcmp(labels[i].value, value))
			return &labels[i];
	return NULL;
}

const char *view_label(const char *value)
{
	const struct label *l = find(value);
	const char *k = kinds_label(value);
	if (l && l->label)
		return l->label;
	return k ? k : value ? value : "";
}

static void set_long(json_t *obj, const char *key, const char *iso)
{
	int32_t day;
	char out[DATE_LONG_LEN], name[64];
	if (!iso || date_parse(iso, &day))
		return;
	date_format_long(day, out);
	snprintf(name, sizeof(name), "%s_long", key);
	json_object_set_new(obj, name, json_string(out));
}

void view_dates(json_t *obj, const char *const *keys)
{
	for (int i = 0; keys[i]; i++)
		set_long(obj, keys[i],
			 json_string_value(json_object_get(obj, keys[i])));
}

void view_task(const struct workcal *cal, int32_t today, int32_t soon,
	       json_t *task)
{
	static const char *const dates[] = {
		"due_on", "revised_due_on", "effective_due_on",
		"set_on", "sent_on",	    "completed_on",
		NULL};
	const char *status = json_string_value(json_object_get(task, "status"));
	const char *due_iso =
		json_string_value(json_object_get(task, "effective_due_on"));
	const struct label *l = find(status);
	int st = workflow_lookup(task_status_names, status);
	bool live = st >= 0 && workflow_task_unsent((enum task_status)st);
	int32_t due;
	int n;
	char text[80] = "";

	view_dates(task, dates);
	json_object_set_new(task, "status_label",
			    json_string(view_label(status)));
	json_object_set_new(task, "status_tag",
			    json_string(l && l->tag ? l->tag : ""));
	json_object_set_new(task, "kind_label",
			    json_string(view_label(json_string_value(
				    json_object_get(task, "kind")))));
	const char *prio = json_string_value(json_object_get(task, "priority"));
	if (prio && strcmp(prio, "normal")) {
		json_object_set_new(task, "priority_label",
				    json_string(view_label(prio)));
		json_object_set_new(task, "priority_tag",
				    json_string(find(prio)->tag));
	}
	/* Returned by a validator and not yet submitted again. */
	const char *ret =
		json_string_value(json_object_get(task, "return_comment"));
	json_object_set_new(
		task, "returned",
		json_boolean(st == TASK_IN_PROGRESS && ret && *ret));
	/* Always set, so a template never finds an outer value instead. */
	json_object_set_new(task, "overdue", json_false());
	json_object_set_new(task, "due_soon", json_false());
	json_object_set_new(task, "due_text", json_string(""));
	if (!live || !due_iso || date_parse(due_iso, &due) ||
	    workcal_between(cal, today, due, &n))
		return;
	if (n < 0)
		snprintf(text, sizeof(text), "%d working day%s overdue", -n,
			 n == -1 ? "" : "s");
	else if (due == today)
		snprintf(text, sizeof(text), "due today");
	else if (n == 0)
		snprintf(text, sizeof(text),
			 "due on a day that is not a working day: plan for "
			 "today");
	else
		snprintf(text, sizeof(text), "due in %d working day%s", n,
			 n == 1 ? "" : "s");
	json_object_set_new(task, "due_text", json_string(text));
	json_object_set_new(task, "overdue", json_boolean(n < 0));
	/* As the lists count it (task_nearly_overdue): not while paused. */
	json_object_set_new(task, "due_soon",
			    json_boolean(due >= today && due <= soon &&
					 !json_is_string(json_object_get(
						 task, "paused_on"))));
	if (!workcal_is_working_day(cal, due)) {
		int32_t plan;
		char out[DATE_LONG_LEN];
		if (!workcal_on_or_before(cal, due, &plan)) {
			date_format_long(plan, out);
			json_object_set_new(task, "plan_by_long",
					    json_string(out));
		}
	}
}

void view_tasks(const struct workcal *cal, int32_t today, int32_t soon,
		json_t *tasks)
{
	size_t i;
	json_t *t;
	json_array_foreach(tasks, i, t) view_task(cal, today, soon, t);
}

const char *view_finding(const char *f)
{
	static const char *const map[][2] = {
		{"no_maladministration", "No maladministration"},
		{"service_failure", "Service failure"},
		{"maladministration", "Maladministration"},
		{"severe_maladministration", "Severe maladministration"},
		{"reasonable_redress", "Reasonable redress"},
		{"outside_jurisdiction", "Outside jurisdiction"},
		{"fault_causing_injustice", "Fault causing injustice (upheld)"},
		{"fault_without_injustice", "Fault without injustice (upheld)"},
		{"no_fault", "No fault (not upheld)"},
	};
	for (size_t i = 0; f && i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(map[i][0], f))
			return map[i][1];
	return f ? f : "";
}

const char *view_done(const char *done)
{
	static const char *const map[][2] = {
		{"notification", "Notification registered."},
		{"determination", "Final determination registered."},
		{"closed", "Case closed."},
		{"stage", "Stage changed."},
		{"resident", "Resident details saved."},
		{"stages", "Complaint dates saved."},
		{"start", "Task started."},
		{"submit", "Your answer was submitted for validation."},
		{"approve", "Your sign-off was recorded."},
		{"return", "The answer was returned with your comment."},
		{"send", "Evidence recorded as sent to the Ombudsman."},
		{"complete", "Task marked done."},
		{"cancel", "Task cancelled. The reason is recorded."},
		{"pause", "Task paused: its reminders stop until it resumes."},
		{"resume", "Task resumed."},
		{"uploaded", "File uploaded."},
		{"removed", "File removed."},
		{"replaced", "File replaced."},
		{"marked", "File marked as holding resident details."},
		{"unmarked", "File no longer marked as holding resident "
			     "details."},
		{"updated", "Task changed."},
		{"reminded", "Reminder sent to the service area."},
		{"emailed", "Evidence emailed to the Ombudsman."},
	};
	const struct corr_kind *k = corr_kind_find(done);
	static _Thread_local char text[120];
	for (size_t i = 0; done && i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(map[i][0], done))
			return map[i][1];
	if (k) {
		snprintf(text, sizeof(text), "%s recorded.", k->label);
		return text;
	}
	return "";
}
