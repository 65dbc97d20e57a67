/*
 * The outbox and what fills it on a schedule: delivery claims, reminders,
 * the overdue digest, calendar feeds.  Claims are made in the database
 * (FOR UPDATE SKIP LOCKED and unique keys), never in memory, so several
 * servers can share the work and each message goes once.
 */
#ifndef MAIL_STORE_H
#define MAIL_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ld_err.h"
#include "principal.h"
#include "secret.h"

struct store;

struct outbox_msg {
	int64_t id;
	int64_t task_id; /* 0: none */
	int attempts;	 /* tries so far, this one included */
	char *kind;	 /* "reminder", "reminders" (a person's day's list),
			    "invite", "digest", a notice event */
	char *recipient;
	char *subject;	   /* the text of a row without facts; the sender puts
			      the subject it rendered here before recording */
	char *body;	   /* the text of a row without facts */
	char *facts;	   /* JSON the mail_<kind> templates render, or NULL for
			      a row queued as text (before migration 019) */
	char *invite;	   /* an old invite row's calendar JSON, or NULL */
	double claim_left; /* seconds the claim had left once it was made */
	char *message;	   /* evidence: the exact message sent, to record */
	bool nothing_left; /* set by the sender: a reminder whose tasks were
			      all done or paused since it was queued */
};

/*
 * Claim the next queued message that is due, for lease seconds, and count
 * the try.  A claim guards exactly one message: its one try and the
 * recording of the outcome must fit in the lease, so no other server takes
 * it meanwhile.  A message whose sender dies is tried again once the lease
 * ends, with the same Message-ID.  *found is false when none is due.  The
 * strings in *m are the caller's: outbox_msg_release() frees them.
 */
enum ld_err outbox_store_claim(struct store *s, long lease,
			       struct outbox_msg *m, bool *found);
void outbox_msg_release(struct outbox_msg *m);

/*
 * Record a claimed message sent, with the subject in m->subject.  Evidence
 * emailed to the Ombudsman (kind "evidence") also records m->message, the
 * exact bytes sent, and its task's version sent, in the same transaction.
 */
enum ld_err outbox_store_sent(struct store *s, const struct outbox_msg *m);

/*
 * Record a claimed message with nothing left to say (a person's reminder
 * whose tasks were all done or paused since it was queued): dropped, not
 * sent, with why.  Nothing changes if another server has claimed it since.
 */
enum ld_err outbox_store_dropped(struct store *s, const struct outbox_msg *m,
				 const char *why);

/*
 * Record a failed try of a claimed message: it waits retry * 2^(tries - 1)
 * seconds (at most an hour) from now, or after max_attempts is failed for
 * good, keeping m->subject for the administrators' list.  Nothing changes
 * if another server has claimed it since.
 */
enum ld_err outbox_store_failed(struct store *s, const struct outbox_msg *m,
				const char *why, int max_attempts, long retry);

/*
 * Back off up to limit due messages without trying them (the mail server
 * is down), counting a try each as outbox_store_failed() does; *n counts
 * them.
 */
enum ld_err outbox_store_defer(struct store *s, int limit, const char *why,
			       int max_attempts, long retry, int *n);

/*
 * Make each person's message of up to limit pending notices (a notice to
 * several people, sql/039_notices.sql), oldest first, in one statement, so
 * that each person's message is made exactly once whichever server does
 * it; *notices counts the notices split, *made the messages.
 */
enum ld_err outbox_store_split(struct store *s, int limit, int *notices,
			       int *made);

/* An administrator sends a failed message again. */
enum ld_err outbox_store_retry(struct store *s, const struct principal *p,
			       int64_t id);

/* The distinct days open tasks were set on (for reminder slots). */
enum ld_err remind_store_set_days(struct store *s, int32_t **days, int *n);

/*
 * This installation's identifier (the setting installation_id, made once by
 * migration 019), for calendar UIDs and Message-IDs; LD_ENOTFOUND before
 * the migration.
 */
enum ld_err mail_store_installation_id(struct store *s, char *out, size_t len);

/* What a sweep queued: reminders (one a task) and the messages they went in. */
struct remind_sweep {
	int reminders, mails;
};

/*
 * Queue one reminder per task for its latest slot: slots_json maps each
 * set_on day to the slot day due by today ([{"set_on", "slot"}]).  Then
 * the mail: one message to each person listing their tasks reminded and
 * not yet mailed (kind "reminders", facts rendered by the sender from the
 * mail_reminders templates), whichever sweep wrote them.
 */
enum ld_err remind_store_sweep(struct store *s, int32_t today,
			       const char *slots_json,
			       struct remind_sweep *out);

/*
 * The same in batches of batch tasks, each its own transaction, then the
 * mail: remind_store_sweep is this with batches of 10,000.  max_batches
 * (0: none) stops the sweep after that many, before its mail, as a server
 * killed between its batches would.  A sweep stopped
 * between batches resumes at the next without a second reminder for any
 * (task, slot), and no reminder is mailed twice.
 */
enum ld_err remind_store_sweep_batches(struct store *s, int32_t today,
				       const char *slots_json, int batch,
				       int max_batches,
				       struct remind_sweep *out);

/*
 * The tasks of a person's reminder (outbox row outbox_id) still to be
 * reminded of, as of today: {"count", "overdue": {"tasks": [...]} or null,
 * "open": {"tasks": [...]} or null}, each task's facts as the link
 * officer's "remind now" states them.
 */
enum ld_err remind_store_mail_tasks(struct store *s, int64_t outbox_id,
				    int32_t today, char **json);

/*
 * The overdue and nearly-overdue digest for today: every service area on
 * Mondays, daily areas on other days, and the link officers' digest of
 * everything.  Each (area, day) goes once.
 */
enum ld_err remind_store_digest(struct store *s, int32_t today, int32_t horizon,
				bool monday, int *queued);

/* Feeds ----------------------------------------------------------------- */

enum ld_err feed_store_create(struct store *s, const struct principal *p,
			      const char *scope, int64_t area_id,
			      const unsigned char hash[SECRET_HASH_LEN],
			      char **json, struct why *why);
enum ld_err feed_store_list(struct store *s, const struct principal *p,
			    char **json);
enum ld_err feed_store_revoke(struct store *s, const struct principal *p,
			      int64_t id);

struct feed_task {
	int64_t id;
	int32_t due;
	int64_t stamp; /* last change, Unix seconds */
	int version;
	char title[301];
	char case_ref[64];
};

/*
 * The open tasks a feed shows, nearest first; LD_EGONE for a revoked
 * token, LD_ENOTFOUND for an unknown one or an owner no longer entitled to
 * it.  free() *tasks.
 */
enum ld_err feed_store_tasks(struct store *s,
			     const unsigned char hash[SECRET_HASH_LEN],
			     struct feed_task **tasks, int *n, char *name,
			     size_t namelen);

#endif
