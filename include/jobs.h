/*
 * The scheduled work of Linkdesk: reminders every few days, the overdue
 * digest, and delivering the outbox.  Run by the scheduler thread of
 * `linkdesk serve`, or once by `linkdesk remind --once` from cron.
 */
#ifndef JOBS_H
#define JOBS_H

#include <stdint.h>

#include "ld_err.h"

struct app;
struct scheduler;

/* Queue the reminders due by today; *queued counts them. */
enum ld_err jobs_remind(struct app *app, int32_t today, int *queued);

/* Queue today's digests (Mondays for all, daily areas every day). */
enum ld_err jobs_digest(struct app *app, int32_t today, int *queued);

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

/* Start and stop the scheduler thread of a server. */
struct scheduler *scheduler_start(struct app *app);
void scheduler_stop(struct scheduler *s);

#endif
