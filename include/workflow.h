/*
 * The rules of the link-officer workflow (section 5 of the council's
 * guidance), as tables: which role may take which action on a task in which
 * status, how a case's stage may move, and when a case may close.  Pure: the
 * store asks, then writes.
 */
#ifndef WORKFLOW_H
#define WORKFLOW_H

#include <stdbool.h>
#include <stddef.h>

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
extern const char *const role_names[];	       /* in bit order */
extern const char *const role_titles[];	       /* their words, same order */
extern const char *const task_status_names[];  /* TASK_STATUS_COUNT + NULL */
extern const char *const task_status_titles[]; /* their words */
extern const char *const task_action_names[];
extern const char *const case_stage_names[];
extern const char *const case_stage_titles[]; /* their words */

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

/*
 * Every action a user with roles may take on a task in status from now:
 * a mask of 1 << action.  why[action], when why is not NULL, holds the
 * reason for each refused one.  A page offers exactly these.
 */
unsigned workflow_task_actions(enum task_status from, unsigned roles,
			       bool own_area,
			       const char *why[TASK_ACTION_COUNT]);

/* True while the assignee still owes work: reminders go out. */
bool workflow_task_awaits_assignee(enum task_status s);

/*
 * Live, and its evidence not yet gone to the Ombudsman: its due date still
 * counts (overdue, nearly overdue), and chasers and agreed extensions are
 * about these.
 */
bool workflow_task_unsent(enum task_status s);

/*
 * The Ombudsman's confirmation that an order is met completes its task
 * (to TASK_DONE) from every live status: the Ombudsman has the last word.
 */
bool workflow_task_confirmable(enum task_status s);

/*
 * The names of the statuses for which pred holds as a PostgreSQL array
 * literal ("{open,in_progress}") into out (at least 100 bytes), for a
 * store statement's "status = ANY($n::text[])".
 */
const char *workflow_status_set(bool (*pred)(enum task_status), char *out,
				size_t size);

/* Neither done nor cancelled: the one meaning of an open task. */
bool workflow_task_open(enum task_status s);

/* True for done and cancelled. */
bool workflow_task_closed(enum task_status s);

/*
 * May the task's evidence still change (files added, replaced, removed)?
 * Until it is sent or closed.
 */
bool workflow_task_evidence_open(enum task_status s);

/*
 * May an evidence file in this scan status be downloaded?  Once scanned
 * clean, or where no scanner runs (not_scanned); never pending,
 * quarantined or removed.  Who may see a file is principal.h's.
 */
bool workflow_file_downloadable(const char *status);

/*
 * May a case move from one stage to another by the link officer's hand?
 * Forward moves only, and never into or out of closed this way.
 */
enum ld_err workflow_case_stage(enum case_stage from, enum case_stage to,
				const char **why);

/* What decides whether a case may close, read by the store or the page. */
struct case_close_facts {
	enum case_stage stage;
	int orders_unconfirmed; /* orders the Ombudsman has not confirmed */
	int open_tasks;		/* tasks neither done nor cancelled */
	bool has_orders;	/* any order at all */
};

/*
 * May a case close, and with this outcome (NULL: with the outcome
 * workflow_case_outcome() proposes)?  On refusal LD_ECONFLICT (not now) or
 * LD_EVALIDATION (not with that outcome), *field the field to blame or
 * NULL, *why a sentence for the user.
 */
enum ld_err workflow_case_close(const struct case_close_facts *f,
				const char *outcome, const char **field,
				const char **why);

/*
 * The outcome a case closes with unless told: its orders satisfied; no
 * orders once determined; not investigated before.
 */
const char *workflow_case_outcome(const struct case_close_facts *f);

#endif
