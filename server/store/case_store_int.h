/* Helpers shared by the casework store files (server/store only). */
#ifndef CASE_STORE_INT_H
#define CASE_STORE_INT_H

#include "buf.h"
#include "case_store.h"
#include "db.h"

void why_set(struct why *w, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * The reader's area scope (principal_area_scope()) as the p_scope
 * parameter of SQL's task_visible() and case_visible(): NULL for roles that
 * read every area, else the officer's area or -1 (none).  Every reader of
 * tasks and cases passes it; filters add "task_visible($n, t.service_area_id)"
 * or "case_visible($n, c.id)" with it (filter_add leaves them out for NULL).
 */
const char *area_scope(const struct principal *p, struct db_num *n);

/* "t" when the reader may read resident details, else "f". */
const char *residents_param(const struct principal *p);

/* Explain an integrity violation by its constraint; returns err. */
enum ld_err why_constraint(struct db *db, enum ld_err err, struct why *why);

/*
 * What a reminder's mail states about its task t (of case c, Ombudsman
 * o), as jsonb_build_object() members: the sweep's and the link
 * officer's "remind now" alike.
 */
#define TASK_FACTS                                                             \
	"'task_id', t.id, 'ombudsman', o.code, 'reference', c.reference,"      \
	" 'case_reference', o.code || ' ' || c.reference, 'title', t.title,"   \
	" 'due', effective_due(t)"
#define REMINDER_FACTS                                                         \
	"jsonb_build_object(" TASK_FACTS ", 'priority', t.priority,"           \
	" 'status', t.status, 'overdue', task_overdue(t, $1::date))"

/* Commit on success, roll back on failure; returns the outcome. */
enum ld_err finish(struct db *db, enum ld_err err);

/* A record as this user may see it, read inside a unit of work. */
typedef enum ld_err record_reader(struct db *db, const struct principal *p,
				  int64_t id, char **json);

/* The case as case_json() builds it for this user. */
record_reader case_read;

/*
 * What one change of a case made or changed, for its answer: ids as
 * "1,2,3" text (case_changes_add), the determination, or the whole case
 * (a case just registered).
 */
struct case_changes {
	struct buf correspondence, tasks, remedies;
	bool determination;
	bool whole;
};

void case_changes_init(struct case_changes *ch);
void case_changes_release(struct case_changes *ch);
/* Note id in one of ch's lists (&ch->tasks ...). */
enum ld_err case_changes_add(struct buf *list, int64_t id);

/*
 * Inside a unit of work: what every change of a case answers, as this
 * user may see it: the case's head (id, reference, stage, status,
 * outcome, dates, version) and, under case_json's keys, only the parts
 * ch names (case_change_json()).
 */
enum ld_err case_changed(struct db *db, const struct principal *p,
			 int64_t case_id, const struct case_changes *ch,
			 char **json);

/* The task as task_detail_json() builds it for this user. */
record_reader task_read;

/*
 * case_store_correspond() that also runs then(db, correspondence_id, arg)
 * inside its transaction once the correspondence is in: a failure there
 * undoes the whole registration (the inbox links the message it came
 * from this way).
 */
enum ld_err
case_store_correspond_then(struct store *s, const struct principal *p,
			   const struct workcal *cal, int64_t case_id,
			   const struct correspondence_in *in,
			   enum ld_err (*then)(struct db *, int64_t, void *),
			   void *then_arg, char **json, struct why *why);

/*
 * Inside a unit of work: may the task's evidence go to the Ombudsman (no
 * file quarantined or waiting for a scan; with require_scan, none
 * unscanned)?  LD_ECONFLICT with why otherwise.
 */
enum ld_err task_files_sendable(struct db *db, int64_t task_id,
				bool require_scan, struct why *why);

/* A task locked for a change, with what the rules need to know. */
struct locked_task {
	enum task_status status;
	int64_t area;
	int64_t remedy_id;
	bool case_closed;
	bool paused;
	char channel[10];
	char title[301];
};

/*
 * Inside a unit of work: lock task id for a change by p at version (FOR
 * UPDATE), as every change of a task does.  LD_ENOTFOUND when p may not
 * see it; LD_ECONFLICT on a closed case; LD_EPRECONDITION at another
 * version; why says which.
 */
enum ld_err task_lock(struct db *db, const struct principal *p, int64_t id,
		      int version, struct locked_task *t, struct why *why);

/*
 * Inside a unit of work: record the task's validated version sent on
 * dated_on by channel (the task sent, the correspondence saying which
 * files by hash, a remedy complied) and move its version on.  The caller
 * has checked it may be.
 */
enum ld_err task_record_sent(struct db *db, int64_t task_id, int32_t dated_on,
			     const char *channel, int64_t actor_id);

/* One reader run as a unit of work of its own. */
enum ld_err store_read(struct store *s, record_reader *read,
		       const struct principal *p, int64_t id, char **json);

#endif
