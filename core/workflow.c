#include "workflow.h"

#include <stdio.h>
#include <string.h>

const char *const role_names[] = {"link_officer",  "service_officer",
				  "validator",	   "leadership",
				  "administrator", NULL};
const char *const role_titles[] = {"Link officer",  "Service-area officer",
				   "Validator",	    "Leadership",
				   "Administrator", NULL};
const char *const task_status_names[] = {
	"open", "in_progress", "submitted", "validated",
	"sent", "done",	       "cancelled", NULL};
const char *const task_status_titles[] = {"Open",
					  "In progress",
					  "Awaiting validation",
					  "Validated",
					  "Sent to the Ombudsman",
					  "Done",
					  "Cancelled",
					  NULL};
const char *const task_action_names[] = {
	"start",    "submit", "approve", "return", "send",
	"complete", "cancel", "pause",	 "resume", NULL};
const char *const case_stage_names[] = {
	"notified",   "assessment", "investigation", "draft_decision",
	"determined", "remedies",   "closed",	     NULL};

const char *const case_stage_titles[] = {
	"Notified",   "Assessment",	      "Investigation", "Draft decision",
	"Determined", "Remedies in progress", "Closed",	       NULL};

int workflow_lookup(const char *const *names, const char *name)
{
	for (int i = 0; name && names[i]; i++)
		if (!strcmp(names[i], name))
			return i;
	return -1;
}

unsigned workflow_roles(const char *const *names, int n)
{
	unsigned mask = 0;
	for (int i = 0; i < n; i++) {
		int r = workflow_lookup(role_names, names[i]);
		if (r >= 0)
			mask |= 1u << r;
	}
	return mask;
}

#define S(x)	(1u << (x))
#define WORKING (S(TASK_OPEN) | S(TASK_IN_PROGRESS))
#define LIVE	(WORKING | S(TASK_SUBMITTED) | S(TASK_VALIDATED) | S(TASK_SENT))

struct task_rule {
	enum task_action action;
	unsigned from;	/* statuses it may be taken in */
	unsigned roles; /* roles that may take it */
	bool area_only; /* a service officer only on their own area's tasks */
	enum task_status to;
	const char *refused; /* said when the status does not allow it */
};

/* One row per action; `to` of TASK_PAUSE and TASK_RESUME is unused. */
static const struct task_rule task_rules[] = {
	{TASK_START, S(TASK_OPEN), ROLE_LINK_OFFICER | ROLE_SERVICE_OFFICER,
	 true, TASK_IN_PROGRESS, "only an open task can be started"},
	{TASK_SUBMIT, WORKING, ROLE_LINK_OFFICER | ROLE_SERVICE_OFFICER, true,
	 TASK_SUBMITTED,
	 "an answer can be submitted only while the task is open or in "
	 "progress"},
	{TASK_APPROVE, S(TASK_SUBMITTED), ROLE_VALIDATOR, false, TASK_SUBMITTED,
	 "only an answer awaiting validation can be approved"},
	{TASK_RETURN, S(TASK_SUBMITTED), ROLE_VALIDATOR, false,
	 TASK_IN_PROGRESS,
	 "only an answer awaiting validation can be returned"},
	{TASK_SEND, S(TASK_VALIDATED), ROLE_LINK_OFFICER, false, TASK_SENT,
	 "evidence cannot be recorded as sent until every required sign-off "
	 "is given on its latest version"},
	{TASK_COMPLETE, S(TASK_SENT), ROLE_LINK_OFFICER, false, TASK_DONE,
	 "a task is done only once its evidence has been sent to the "
	 "Ombudsman"},
	{TASK_CANCEL, LIVE, ROLE_LINK_OFFICER, false, TASK_CANCELLED,
	 "a task that is done or cancelled cannot be cancelled"},
	{TASK_PAUSE, WORKING, ROLE_LINK_OFFICER, false, TASK_OPEN,
	 "only an open or in-progress task can be paused"},
	{TASK_RESUME, WORKING, ROLE_LINK_OFFICER, false, TASK_OPEN,
	 "only an open or in-progress task can be resumed"},
};

enum ld_err workflow_task_action(enum task_status from, enum task_action action,
				 unsigned roles, bool own_area,
				 enum task_status *to, const char **why)
{
	for (size_t i = 0; i < sizeof(task_rules) / sizeof(task_rules[0]);
	     i++) {
		const struct task_rule *r = &task_rules[i];
		if (r->action != action)
			continue;
		/*
		 * A link officer acts on every area; a service officer only on
		 * their own, where the rule says so.
		 */
		unsigned usable = roles & r->roles;
		if (r->area_only && !own_area)
			usable &= ~(unsigned)ROLE_SERVICE_OFFICER;
		if (!usable) {
			*why = "your role cannot do this";
			return LD_EFORBIDDEN;
		}
		if (!(r->from & S(from))) {
			*why = r->refused;
			return LD_ECONFLICT;
		}
		*to = (action == TASK_PAUSE || action == TASK_RESUME) ? from
								      : r->to;
		return LD_OK;
	}
	*why = "unknown action";
	return LD_EINVAL;
}

unsigned workflow_task_actions(enum task_status from, unsigned roles,
			       bool own_area,
			       const char *why[TASK_ACTION_COUNT])
{
	unsigned mask = 0;
	for (int a = 0; a < TASK_ACTION_COUNT; a++) {
		enum task_status to;
		const char *reason = NULL;
		if (!workflow_task_action(from, (enum task_action)a, roles,
					  own_area, &to, &reason))
			mask |= 1u << a;
		if (why)
			why[a] = reason;
	}
	return mask;
}

bool workflow_task_awaits_assignee(enum task_status s)
{
	return s == TASK_OPEN || s == TASK_IN_PROGRESS;
}

bool workflow_task_open(enum task_status s)
{
	return !workflow_task_closed(s);
}

bool workflow_task_unsent(enum task_status s)
{
	return workflow_task_open(s) && s != TASK_SENT;
}

bool workflow_task_confirmable(enum task_status s)
{
	return workflow_task_open(s);
}

const char *workflow_status_set(bool (*pred)(enum task_status), char *out,
				size_t size)
{
	size_t len = 0;
	out[0] = '\0';
	for (int i = 0; i < TASK_STATUS_COUNT && len + 1 < size; i++)
		if (pred((enum task_status)i))
			len += (size_t)snprintf(out + len, size - len, "%s%s",
						len ? "," : "{",
						task_status_names[i]);
	if (len + 1 < size)
		snprintf(out + len, size - len, "%s", len ? "}" : "{}");
	return out;
}

bool workflow_task_closed(enum task_status s)
{
	return s == TASK_DONE || s == TASK_CANCELLED;
}

bool workflow_task_evidence_open(enum task_status s)
{
	return workflow_task_unsent(s); /* until it is sent or closed */
}

bool workflow_file_downloadable(const char *status)
{
	return status &&
	       (!strcmp(status, "available") || !strcmp(status, "not_scanned"));
}

enum ld_err workflow_case_stage(enum case_stage from, enum case_stage to,
				const char **why)
{
	if (from == STAGE_CLOSED) {
		*why = "the case is closed";
		return LD_ECONFLICT;
	}
	if (to == STAGE_CLOSED) {
		*why = "close a case with its own action, which checks its "
		       "orders";
		return LD_ECONFLICT;
	}
	if (to == STAGE_DETERMINED || to == STAGE_REMEDIES) {
		*why = "register the determination to move the case on";
		return LD_ECONFLICT;
	}
	if (to <= from) {
		*why = "a case moves forward only";
		return LD_ECONFLICT;
	}
	return LD_OK;
}

enum ld_err workflow_case_close(const struct case_close_facts *f,
				const char *outcome, const char **field,
				const char **why)
{
	*field = NULL;
	if (f->stage == STAGE_CLOSED) {
		*why = "the case is already closed";
		return LD_ECONFLICT;
	}
	if (f->orders_unconfirmed > 0) {
		*why = "the Ombudsman has not yet confirmed every order is met";
		return LD_ECONFLICT;
	}
	if (f->open_tasks > 0) {
		*why = "tasks are still open: complete or cancel them first";
		return LD_ECONFLICT;
	}
	if (outcome && f->has_orders && strcmp(outcome, "orders_satisfied")) {
		*field = "outcome";
		*why = "a case with orders closes as orders_satisfied";
		return LD_EVALIDATION;
	}
	return LD_OK;
}

const char *workflow_case_outcome(const struct case_close_facts *f)
{
	if (f->has_orders)
		return "orders_satisfied";
	return f->stage >= STAGE_DETERMINED ? "no_orders" : "not_investigated";
}
