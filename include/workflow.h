/*
 * The rules of the link-officer workflow (section 5 of the council's
 * guidance), as tables: which role may take which action on a task in which
 * status, how a case's stage may move, and when a case may close.  Pure: the
 * store asks, then writes.
 */
#ifndef WORKFLOW_H
#define WORKFLOW_H

#include <stdbool.h>

#include "ld_err.h"

enum role {
	ROLE_LINK_OFFICER = 1 << 0,
	ROLE_SERVICE_OFFICER = 1 << 1,
	ROLE_VALIDATOR = 1 << 2,
	ROLE_LEADERSHIP = 1 << 3,
	ROLE_ADMINISTRATOR = 1 << 4,
};
#define ROLE_ANY 0x1f

enum task_status {
	TASK_OPEN,
	TASK_IN_PROGRESS,
	TASK_SUBMITTED, /* for validation */
	TASK_VALIDATED,
	TASK_SENT, /* to the Ombudsman */
	TASK_DONE,
	TASK_CANCELLED,
	TASK_STATUS_COUNT
};

enum task_action {
	TASK_START,
	TASK_SUBMIT,
	TASK_APPROVE,
	TASK_RETURN,
	TASK_SEND,
	TASK_COMPLETE,
	TASK_CANCEL,
	TASK_PAUSE,
	TASK_RESUME,
	TASK_ACTION_COUNT
};

enum case_stage {
	STAGE_NOTIFIED,
	STAGE_ASSESSMENT,
	STAGE_INVESTIGATION,
	STAGE_DRAFT_DECISION,
	STAGE_DETERMINED,
	STAGE_REMEDIES,
	STAGE_CLOSED,
	STAGE_COUNT
};

/* Names as stored and as the API spells them; NULL-terminated lists. */
extern const char *const role_names[];	      /* in bit order */
extern const char *const task_status_names[]; /* TASK_STATUS_COUNT + NULL */
extern const char *const task_action_names[];
extern const char *const case_stage_names[];

/* The index of name in a NULL-terminated list, or -1. */
int workflow_lookup(const char *const *names, const char *name);

/* A role mask from role names (unknown names ignored). */
unsigned workflow_roles(const char *const *names, int n);

/*
 * May a user with roles take action on a task in status from?  own_area is
 * true when the task belongs to the user's service area.  On success *to is
 * the status after (for TASK_APPROVE the store moves on to TASK_VALIDATED
 * only once every required sign-off is in).  On refusal returns
 * LD_EFORBIDDEN (the role may never do this) or LD_ECONFLICT (not in this
 * status), with *why a sentence for the user.
 */
enum ld_err workflow_task_action(enum task_status from, enum task_action action,
				 unsigned roles, bool own_area,
				 enum task_status *to, const char **why);

/* True while the assignee still owes work: reminders go out. */
bool workflow_task_awaits_assignee(enum task_status s);

/* True for done and cancelled. */
bool workflow_task_closed(enum task_status s);

/*
 * May the task's evidence still change (files added, replaced, removed)?
 * Until it is sent or closed.
 */
bool workflow_task_evidence_open(enum task_status s);

/*
 * May a case move from one stage to another by the link officer's hand?
 * Forward moves only, and never into or out of closed this way.
 */
enum ld_err workflow_case_stage(enum case_stage from, enum case_stage to,
				const char **why);

/*
 * May a case close?  orders_unconfirmed counts orders the Ombudsman has not
 * confirmed; open_tasks counts tasks neither done nor cancelled.
 */
enum ld_err workflow_case_close(enum case_stage from, int orders_unconfirmed,
				int open_tasks, const char **why);

#endif
