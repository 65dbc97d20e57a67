/*
 * The scheduled work of Linkdesk: reminders every few days, the overdue
 * digest, and delivering the outbox.  Run by the scheduler thread of
 * `linkdesk serve`, or once by `linkdesk remind --once` from cron.
 */
#ifndef JOBS_H
#define JOBS_H

#include <stdbool.h>
#include <stdint.h>

#include "ld_err.h"

struct remind_sweep;

struct app;
struct scheduler;
struct holiday_watch;

/*
 * The scheduler's clock: LINKDESK_NOW when set (tests), else the time.
 * LD_EINVAL when LINKDESK_NOW is not an RFC 3339 time.
 */
enum ld_err jobs_now(const struct app *app, int64_t *now);

/* What jobs_daily() did. */
struct jobs_daily {
	bool due; /* it was LINKDESK_REMINDER_HOUR or later in London */
	int reminders, digests; /* queued */
	int reminder_mails;	/* the messages the reminders went in */
};

/*
 * The day's reminders and digests, from LINKDESK_REMINDER_HOUR (London
 * time) on, and nothing before it: the one decision both the scheduler
 * thread and `linkdesk remind --once` make, so cron at 00:05 sends nothing
 * until the hour.  Safe to repeat: each reminder and digest goes once.
 */
enum ld_err jobs_daily(struct app *app, struct jobs_daily *out);

/* Queue the reminders due by today and their day's messages. */
enum ld_err jobs_remind(struct app *app, int32_t today,
			struct remind_sweep *out);

/* Queue today's digests (Mondays for all, daily areas every day). */
enum ld_err jobs_digest(struct app *app, int32_t today, int *queued);

/*
 * Make each person's message of the notices to several people waiting
 * (outbox_store_split), all of them, a thousand notices a statement;
 * *made counts the messages.  jobs_deliver() does this first.
 */
enum ld_err jobs_make_messages(struct app *app, int *made);

/*
 * Deliver queued messages until none is due: over SMTP with libcurl, or as
 * .eml files when no SMTP server is set.  Each message is claimed alone,
 * for LINKDESK_SMTP_TIMEOUT plus the time to record its outcome, so any
 * number of servers may deliver at once and none sends another's message;
 * no database connection is held while a message goes.  *sent and *failed
 * count tries.
 */
enum ld_err jobs_deliver(struct app *app, int *sent, int *failed);

/*
 * Scan the files left pending because clamd could not be reached, once it
 * answers; *scanned counts those with a verdict.
 */
enum ld_err jobs_rescan(struct app *app, int *scanned);

/*
 * The working days of tasks sent since (or of every sent task, once the
 * holidays changed) by core's calendar, and then the KPI facts kept: each
 * round, and (reader) before figures are read, when a round at most of
 * the KPI facts is kept (report_store_facts_fill).
 * *filled counts the tasks done; may be NULL.
 */
enum ld_err jobs_days(struct app *app, bool reader, int *filled);

/* Start and stop the scheduler thread of a server. */
struct scheduler *scheduler_start(struct app *app);
void scheduler_stop(struct scheduler *s);

/*
 * A thread of its own that reloads the server's calendar as soon as any
 * process imports holidays (holiday_store_watch: LISTEN on a connection
 * outside the pool), so the API and the command line never disagree.
 * Runs whether or not the scheduler does.  NULL if it cannot start.
 */
struct holiday_watch *holiday_watch_start(struct app *app);
void holiday_watch_stop(struct holiday_watch *w);

#endif
