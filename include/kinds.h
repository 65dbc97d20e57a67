/*
 * The domain's lists, each written once: the kinds of correspondence and
 * what each means to the workflow, the kinds of task, remedy and outcome,
 * the channels and priorities.  The API's decoders, the dashboard's forms,
 * the labels on pages and the store all read these tables; SQL CHECKs hold
 * the same values (tests/unit/test_workflow.c compares them with sql/).  Pure.
 */
#ifndef KINDS_H
#define KINDS_H

#include <stdbool.h>
#include <stddef.h>

#include "notice.h"
#include "workflow.h"

/* A value as stored and as the API spells it, with its words for people. */
struct kind_label {
	const char *name;
	const char *label;
};

/*
 * What a kind of correspondence means.  The record form of a kind asks for
 * exactly what its row says, and the store does exactly what it says.
 */
struct corr_kind {
	const char *name;    /* "first_chaser" */
	const char *label;   /* "1st chaser" */
	const char *heading; /* its record form's heading; NULL: no such form */
	const char *link;    /* the case page's link to that form */
	bool outgoing;	     /* sent by the organisation (direction "out") */
	bool needs_tasks;    /* needs at least one task: what was asked for */
	const char *task_kind;	 /* the kind of the tasks it sets; NULL: none */
	bool asks_response_due;	 /* the form asks the date set for a response */
	bool asks_revised;	 /* the form asks a revised due date */
	bool needs_revised;	 /* ... and it must be given */
	bool asks_sanction_type; /* the form asks the sanction's type, where
				    the Ombudsman's has types (a CHFO's 1-3) */
	bool targets_tasks;	 /* it is about the case's live, unsent tasks */
	const char *raises;	 /* the priority it raises them to, or NULL */
	int notice;	      /* the notice it sends (enum notice_event), -1 */
	int moves_to;	      /* the stage it moves the case on to, or -1 */
	bool confirms_orders; /* the Ombudsman says orders are met (so only
				 once there is a determination) */
	bool on_closed;	      /* may be recorded on a closed case */
	const char *own_command; /* registered by another command, or NULL */
};

extern const struct corr_kind corr_kinds[]; /* ends with a NULL name */

/* The row of name, or NULL. */
const struct corr_kind *corr_kind_find(const char *name);

/* NULL-terminated: name and label. */
extern const struct kind_label task_kinds[];
extern const struct kind_label remedy_types[];

/*
 * What a kind of remedy is: its name and label, as a kind_label's, and
 * whether it has an amount (amount_pence, given for it and for no other:
 * sql/004's CHECK on remedy).
 */
struct remedy_kind {
	const char *name;
	const char *label;
	bool has_amount;
};

extern const struct remedy_kind remedy_kinds[];

/* The row of name, or NULL. */
const struct remedy_kind *remedy_kind_find(const char *name);

extern const struct kind_label case_outcomes[];
extern const struct kind_label channels[];
extern const struct kind_label priorities[];
/* The audit log's records (its entity, a table) and changes, in words. */
extern const struct kind_label audit_entities[];
extern const struct kind_label audit_actions[];

/*
 * Every table here begins each row with its name and ends with a row whose
 * name is NULL: the index of name in one (rows stride bytes apart), or -1;
 * the name of row i.  input_kind() (server/http/input.c) decodes a field
 * against any of them.
 */
int kind_index(const void *table, size_t stride, const char *name);
const char *kind_name(const void *table, size_t stride, int i);

/* The label of name in a NULL-terminated table, or NULL. */
const char *kind_label(const struct kind_label *table, const char *name);

/*
 * The label of any of the values above (a correspondence kind, a task
 * kind, ...), or NULL when none of them names it.
 */
const char *kinds_label(const char *name);

#endif
