#include "kinds.h"

#include <stddef.h>
#include <string.h>

/*
 * One row per kind of correspondence, in the order the case page offers
 * them;
 * what a row leaves out is false, NULL or (for notice and stage) none.
 */
#define NONE .notice = -1, .moves_to = -1
const struct corr_kind corr_kinds[] = {
	{.name = "notification",
	 .label = "Notification",
	 .task_kind = "corrective_action",
	 NONE},
	{.name = "information_request",
	 .label = "Information request",
	 .heading = "Record an information or evidence request",
	 .link = "An information or evidence request",
	 .needs_tasks = true,
	 .task_kind = "information_request",
	 .asks_response_due = true,
	 .notice = -1,
	 .moves_to = STAGE_INVESTIGATION},
	{.name = "first_chaser",
	 .label = "1st chaser",
	 .heading = "Record a 1st chaser",
	 .link = "A 1st chaser",
	 .task_kind = "chaser_response",
	 .asks_revised = true,
	 .targets_tasks = true,
	 .raises = "high",
	 .notice = NOTICE_FIRST_CHASER,
	 .moves_to = STAGE_INVESTIGATION},
	{.name = "final_chaser",
	 .label = "Final chaser",
	 .heading = "Record a 2nd or final chaser",
	 .link = "A 2nd or final chaser",
	 .task_kind = "chaser_response",
	 .asks_revised = true,
	 .targets_tasks = true,
	 .raises = "urgent",
	 .notice = NOTICE_FINAL_CHASER,
	 .moves_to = STAGE_INVESTIGATION},
	{.name = "extension_agreed",
	 .label = "Extension agreed",
	 .heading = "Record an extension agreed",
	 .link = "An extension agreed",
	 .task_kind = "corrective_action",
	 .asks_revised = true,
	 .needs_revised = true,
	 .targets_tasks = true,
	 NONE},
	{.name = "draft_decision",
	 .label = "Draft decision",
	 .heading = "Record a draft decision",
	 .link = "A draft decision",
	 .task_kind = "corrective_action",
	 .asks_response_due = true,
	 .notice = -1,
	 .moves_to = STAGE_DRAFT_DECISION},
	{.name = "acknowledgement",
	 .label = "Acknowledgement",
	 .heading = "Record an acknowledgement sent",
	 .link = "An acknowledgement sent",
	 .outgoing = true,
	 .task_kind = "corrective_action",
	 .on_closed = true,
	 NONE},
	{.name = "sanction_notice",
	 .label = "Sanction notice",
	 .heading = "Record a sanction notice",
	 .link = "A sanction notice",
	 .task_kind = "corrective_action",
	 .asks_sanction_type = true,
	 .notice = NOTICE_SANCTION,
	 .moves_to = -1},
	{.name = "determination",
	 .label = "Final determination",
	 .link = "The final determination",
	 .task_kind = "corrective_action",
	 .own_command = "determination",
	 NONE},
	{.name = "orders_confirmed",
	 .label = "Orders confirmed",
	 .heading = "Record the Ombudsman's confirmation",
	 .link = "The Ombudsman's confirmation that orders are met",
	 .task_kind = "corrective_action",
	 .confirms_orders = true,
	 NONE},
	{.name = "other",
	 .label = "Other",
	 .heading = "Record other correspondence",
	 .link = "Other correspondence",
	 .task_kind = "corrective_action",
	 .on_closed = true,
	 NONE},
	{.name = "evidence_submitted",
	 .label = "Evidence submitted",
	 .outgoing = true,
	 .task_kind = "corrective_action",
	 NONE},
	{.name = "extension_requested",
	 .label = "Extension requested",
	 .outgoing = true,
	 .task_kind = "corrective_action",
	 NONE},
	{.name = NULL, NONE},
};
#undef NONE

const struct corr_kind *corr_kind_find(const char *name)
{
	int i = kind_index(corr_kinds, sizeof(corr_kinds[0]), name);
	return i < 0 ? NULL : &corr_kinds[i];
}

const struct kind_label task_kinds[] = {
	{"information_request", "Information request"},
	{"corrective_action", "Corrective action"},
	{"order", "Order"},
	{"recommendation", "Recommendation"},
	{"chaser_response", "Chaser response"},
	{NULL, NULL}};

const struct kind_label remedy_types[] = {
	{"order", "Order"}, {"recommendation", "Recommendation"}, {NULL, NULL}};

const struct remedy_kind remedy_kinds[] = {
	{"apology", "Apology", false},
	{"compensation", "Compensation", true},
	{"works", "Repairs or works", false},
	{"policy_review", "Policy review", false},
	{"training", "Staff training", false},
	{"self_assessment", "Self-assessment against the Code", false},
	{"other", "Other", false},
	{NULL, NULL, false}};

const struct remedy_kind *remedy_kind_find(const char *name)
{
	int i = kind_index(remedy_kinds, sizeof(remedy_kinds[0]), name);
	return i < 0 ? NULL : &remedy_kinds[i];
}

const struct kind_label audit_entities[] = {
	{"ombudsman_case", "The case"},
	{"complaint", "The complaint"},
	{"resident", "The resident's details"},
	{"correspondence", "Correspondence"},
	{"determination", "The determination"},
	{"finding", "A finding"},
	{"remedy", "An order or recommendation"},
	{"task", "A task"},
	{"task_days", "A task's working days"},
	{"evidence_file", "A file"},
	{"evidence_version", "An answer"},
	{"signoff", "A sign-off"},
	{"outbox", "A message"},
	{"inbox_message", "An Inbox message"},
	{"self_assessment", "A self-assessment"},
	{"self_assessment_answer", "A self-assessment's answer"},
	{NULL, NULL}};

const struct kind_label audit_actions[] = {{"insert", "added"},
					   {"update", "changed"},
					   {"delete", "removed"},
					   {NULL, NULL}};

const struct kind_label case_outcomes[] = {
	{"orders_satisfied", "Orders satisfied"},
	{"no_orders", "No orders"},
	{"not_investigated", "Not investigated"},
	{"premature", "Premature"},
	{"outside_jurisdiction", "Outside jurisdiction"},
	{"withdrawn", "Withdrawn"},
	{"resolved_early", "Resolved early"},
	{NULL, NULL}};

const struct kind_label channels[] = {{"portal", "Portal"}, {"email", "Email"},
				      {"letter", "Letter"}, {"phone", "Phone"},
				      {"other", "Other"},   {NULL, NULL}};

const struct kind_label priorities[] = {{"normal", "Normal"},
					{"high", "High priority"},
					{"urgent", "Urgent"},
					{NULL, NULL}};

int kind_index(const void *table, size_t stride, const char *name)
{
	const char *row = table;
	for (int i = 0; name && *(const char *const *)row; i++, row += stride)
		if (!strcmp(*(const char *const *)row, name))
			return i;
	return -1;
}

const char *kind_name(const void *table, size_t stride, int i)
{
	return *(const char *const *)((const char *)table + (size_t)i * stride);
}

const char *kind_label(const struct kind_label *table, const char *name)
{
	int i = kind_index(table, sizeof(*table), name);
	return i < 0 ? NULL : table[i].label;
}

const char *kinds_label(const char *name)
{
	static const struct kind_label *const tables[] = {
		task_kinds, remedy_types, case_outcomes, channels, priorities};
	const struct corr_kind *k = corr_kind_find(name);
	const struct remedy_kind *rk = remedy_kind_find(name);
	int r = workflow_lookup(role_names, name);
	int st = workflow_lookup(task_status_names, name);
	int sg = workflow_lookup(case_stage_names, name);
	if (k)
		return k->label;
	if (rk)
		return rk->label;
	if (r >= 0)
		return role_titles[r];
	if (st >= 0)
		return task_status_titles[st];
	if (sg >= 0)
		return case_stage_titles[sg];
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		const char *l = kind_label(tables[i], name);
		if (l)
			return l;
	}
	return NULL;
}
