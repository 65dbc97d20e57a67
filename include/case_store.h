/*
 * Casework in PostgreSQL: complaints, Ombudsman cases, correspondence,
 * determinations, tasks and their validation.  Every change is one
 * transaction with its audit rows (the audit trigger) and outbox rows.
 * Reads return JSON text built by the SQL functions of sql/005 (free() it).
 *
 * Access is part of every call: a service-area officer is confined to their
 * area, and what they may not see answers LD_ENOTFOUND, as if it did not
 * exist.  On a refusal, why says which field and why.
 */
#ifndef CASE_STORE_H
#define CASE_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "ld_err.h"
#include "principal.h"
#include "workcal.h"
#include "workflow.h"

struct store;

/* Filters and paging shared by the lists; 0 or NULL means "any". */
struct list_query {
	const char *status;
	const char *stage;
	const char *ombudsman;
	const char *kind;
	int64_t service_area_id;
	int64_t assignee_id;
	int64_t case_id;
	int32_t due_before, due_after; /* 0: no bound */
	bool overdue;
	bool open_only;
	const char *q; /* a reference, or part of one */
	int32_t today;
	int page;     /* from 1 */
	int per_page; /* 1 to PAGE_ROWS_MAX (paging.h) */
};

struct complaint_in {
	const char *reference;
	const char *category;
	const char *summary;
	int64_t service_area_id;
	int32_t received_on;
	bool resident;
	const char *name, *address, *contact, *vulnerabilities, *adjustments;
};

enum ld_err case_store_add_complaint(struct store *s, const struct principal *p,
				     const struct complaint_in *in, char **json,
				     struct why *why);
enum ld_err case_store_complaint(struct store *s, const struct principal *p,
				 int64_t id, char **json);
enum ld_err case_store_set_resident(struct store *s, const struct principal *p,
				    int64_t complaint_id,
				    const struct complaint_in *in, char **json);

struct case_in {
	int64_t complaint_id;
	/* A complaint not yet in Linkdesk, registered with the case in the
	 * same transaction (complaint_id then unused), or NULL. */
	const struct complaint_in *complaint;
	const char *ombudsman; /* code */
	const char *reference;
	int32_t received_on;
	int64_t link_officer_id; /* 0: the registering user */
	const char *channel;
	const char *summary;
};

/*
 * A change of a case (register, correspondence, determination, stage,
 * close) answers with what it changed, not the whole case: *json is the
 * case's head (id, reference, stage, status, outcome, received_on,
 * closed_on, version) and, under the keys case_store_get uses, only the
 * correspondence, tasks, remedies and determination it made or changed.
 * Registering answers the whole case it made.
 */
enum ld_err case_store_register(struct store *s, const struct principal *p,
				const struct case_in *in, char **json,
				struct why *why);
enum ld_err case_store_get(struct store *s, const struct principal *p,
			   int64_t id, char **json);
enum ld_err case_store_list(struct store *s, const struct principal *p,
			    const struct list_query *q, char **json);
/*
 * A case's audit trail by page, newest first (case_audit_json): at most
 * limit (1 to PAGE_ROWS_MAX of paging.h, which the caller checks)
 * entries with ids below before (0: the newest), and next_before for the
 * page after.  Link officers and leadership only (LD_EFORBIDDEN for
 * others).
 */
enum ld_err case_store_audit(struct store *s, const struct principal *p,
			     int64_t id, int64_t before, int limit,
			     char **json);
enum ld_err case_store_set_stage(struct store *s, const struct principal *p,
				 int64_t id, int version, enum case_stage to,
				 char **json, struct why *why);
enum ld_err case_store_close(struct store *s, const struct principal *p,
			     int64_t id, int version, int32_t closed_on,
			     const char *outcome, char **json, struct why *why);

/* A task to set: due by rule (working days or weeks from set_on) or given. */
struct task_in {
	const char *title;
	const char *detail;
	const char *kind;
	int64_t service_area_id;
	int64_t assignee_id; /* 0: unassigned */
	int32_t due_on;	     /* 0: by rule */
	int working_days;    /* -1: the Ombudsman's evidence period */
	int weeks;	     /* > 0: calendar weeks */
};

struct correspondence_in {
	const char *kind;
	const char *direction;
	int32_t dated_on;
	const char *channel;
	const char *summary;
	int32_t response_due_on; /* 0: none */
	int32_t revised_due_on;	 /* chasers and extensions; 0: none */
	int chfo_type;		 /* a failure order's type, 1..3; 0: none */
	const int64_t *task_ids;
	int ntask_ids;
	const int64_t *remedy_ids;
	int nremedy_ids;
	const struct task_in *tasks;
	int ntasks;
};

/*
 * Register correspondence and do what its kind means: an information request
 * sets tasks; a chaser raises the priority of open tasks and tells the right
 * people; an agreed extension revises due dates (both kept); a draft
 * decision moves the stage; confirmation marks orders satisfied.
 */
enum ld_err case_store_correspond(struct store *s, const struct principal *p,
				  const struct workcal *cal, int64_t case_id,
				  const struct correspondence_in *in,
				  char **json, struct why *why);

struct finding_in {
	const char *element;
	const char *finding;
};

struct remedy_in {
	const char *type; /* order, recommendation */
	const char *kind;
	const char *description;
	long long amount_pence; /* -1: none */
	int32_t due_on;		/* 0: by weeks */
	int weeks;
	int64_t service_area_id;
	int64_t assignee_id;
};

struct determination_in {
	int32_t decided_on;
	const char *channel;
	const char *summary;
	const struct finding_in *findings;
	int nfindings;
	const struct remedy_in *remedies;
	int nremedies;
};

enum ld_err case_store_determine(struct store *s, const struct principal *p,
				 const struct workcal *cal, int64_t case_id,
				 const struct determination_in *in, char **json,
				 struct why *why);

enum ld_err task_store_get(struct store *s, const struct principal *p,
			   int64_t id, char **json);
enum ld_err task_store_list(struct store *s, const struct principal *p,
			    const struct list_query *q, char **json);

struct task_action_in {
	enum task_action action;
	int version;
	const char *answer;
	const char *attachments; /* a JSON array as text, or NULL */
	const char *comment;
	int32_t dated_on;
	const char *channel; /* NULL: the Ombudsman's own */
	bool require_scan;   /* LINKDESK_REQUIRE_SCAN: unscanned files block */
};

enum ld_err task_store_act(struct store *s, const struct principal *p,
			   int64_t id, const struct task_action_in *in,
			   char **json, struct why *why);

struct task_update_in {
	int version;
	int64_t assignee_id;	 /* -1: unchanged, 0: unassign */
	int64_t service_area_id; /* 0: unchanged */
	const char *priority;	 /* NULL: unchanged */
	const char *title;
	const char *detail;
};

enum ld_err task_store_update(struct store *s, const struct principal *p,
			      int64_t id, const struct task_update_in *in,
			      char **json, struct why *why);

/*
 * What the Monday digest lists, by service area: [{area, count, overdue:
 * [task], due_soon: [task]}], the reader's areas only.  horizon: the last
 * day of "nearly overdue" (workcal_nearly_due_by()).
 */
enum ld_err task_store_by_area(struct store *s, const struct principal *p,
			       int32_t today, int32_t horizon, char **json);

/*
 * Who has chased whom about a task: {"reminders": [{on, to, status}],
 * "chasers": [{kind, dated_on}]}, newest first.
 */
enum ld_err task_store_chasing(struct store *s, const struct principal *p,
			       int64_t id, char **json);

/*
 * Mail a reminder now to whoever must do the task (its assignee, else its
 * area's officers), as the sweep does: LD_ECONFLICT once it is no longer
 * being worked on or while paused.  *json: the task.
 */
enum ld_err task_store_remind(struct store *s, const struct principal *p,
			      int64_t id, int32_t today, char **json,
			      struct why *why);

#endif
