/*
 * The scheduler thread of `linkdesk serve`, and the jobs it runs: reminders
 * every few days, the Monday (or daily) digest, delivering the outbox,
 * scanning files that were stored while clamd could not be reached.
 * Every claim is made in the database, so any number of servers may run it.
 */
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "clamd.h"
#include "date.h"
#include "file_store.h"
#include "inbox_imap.h"
#include "jobs.h"
#include "log.h"
#include "mail_store.h"
#include "report_store.h"
#include "spool.h"
#include "store.h"
#include "workcal.h"
#include "xalloc.h"

struct slots_ctx {
	struct app *app;
	const int32_t *days;
	int n;
	int32_t today;
	json_t *out;
	int32_t horizon;
};

/*
 * The latest reminder slot due by today for a task set on day: every
 * reminder_days (calendar or working) after it.
 */
static int32_t latest_slot(const struct workcal *cal, const struct config *cfg,
			   int32_t set_on, int32_t today)
{
	long step = cfg->reminder_days;
	if (!cfg->reminder_working_days) {
		long k = (today - set_on) / step;
		return k >= 1 ? set_on + (int32_t)(k * step) : 0;
	}
	int elapsed;
	int32_t slot;
	if (workcal_between(cal, set_on, today, &elapsed) || elapsed < step)
		return 0;
	if (workcal_add(cal, set_on, (int)((elapsed / step) * step), &slot))
		return 0;
	return slot;
}

static enum ld_err slots(const struct workcal *cal, void *arg)
{
	struct slots_ctx *c = arg;
	char set[DATE_STRLEN], slot[DATE_STRLEN];
	for (int i = 0; i < c->n; i++) {
		int32_t s =
			latest_slot(cal, &c->app->cfg, c->days[i], c->today);
		if (!s)
			continue;
		date_format(c->days[i], set);
		date_format(s, slot);
		json_array_append_new(c->out, json_pack("{s:s, s:s}", "set_on",
							set, "slot", slot));
	}
	return LD_OK;
}

enum ld_err jobs_remind(struct app *app, int32_t today,
			struct remind_sweep *out)
{
	int32_t *days;
	int n;
	enum ld_err err = remind_store_set_days(app->store, &days, &n);
	memset(out, 0, sizeof(*out));
	if (err)
		return err;
	struct slots_ctx c = {app, days, n, today, json_array(), 0};
	app_with_calendar(app, slots, &c);
	char *text = json_dumps(c.out, JSON_COMPACT);
	json_decref(c.out);
	free(days);
	err = remind_store_sweep(app->store, today, text, out);
	free(text);
	return err;
}

static enum ld_err horizon(const struct workcal *cal, void *arg)
{
	struct slots_ctx *c = arg;
	c->horizon = workcal_nearly_due_by(
		cal, c->today, (int)c->app->cfg.nearly_overdue_days);
	return LD_OK;
}

enum ld_err jobs_digest(struct app *app, int32_t today, int *queued)
{
	struct slots_ctx c = {app, NULL, 0, today, NULL, 0};
	*queued = 0;
	if (app_with_calendar(app, horizon, &c))
		c.horizon = workcal_nearly_due_by(
			NULL, today, (int)app->cfg.nearly_overdue_days);
	return remind_store_digest(app->store, today, c.horizon,
				   date_weekday(today) == 1, queued);
}

#define RESCAN_BATCH 20

/*
 * Each file is copied to a spool in a short read, scanned with no
 * connection held, and its verdict written in a short transaction.
 */
enum ld_err jobs_rescan(struct app *app, int *scanned)
{
	int64_t ids[RESCAN_BATCH];
	int n;
	enum ld_err err;

	*scanned = 0;
	if (!app->cfg.clamd[0])
		return LD_OK;
	if ((err = file_store_pending(app->store, ids, RESCAN_BATCH, &n)))
		return err;
	for (int i = 0; i < n; i++) {
		struct file_meta meta;
		struct why why = {0};
		char signature[200] = "";
		bool infected = false;
		int fd = spool_open(app->cfg.spool_dir);
		if (fd < 0)
			return spool_failed();
		err = file_store_copy(app->store, NULL, ids[i], &meta, fd,
				      &why);
		if (!err)
			err = clamd_scan_fd(app->cfg.clamd, fd, &infected,
					    signature, sizeof(signature));
		close(fd);
		if (err == LD_EUNAVAILABLE)
			return LD_OK; /* clamd still unreachable: next round */
		if (err == LD_EIO) {
			log_warn("clamd could not scan pending file %lld",
				 (long long)ids[i]);
			file_store_scan_failed(app->store, ids[i],
					       "clamd could not scan it");
			continue;
		}
		if (err)
			continue;
		if (infected)
			log_warn("pending file %lld quarantined: %s",
				 (long long)ids[i], signature);
		if (!file_store_scanned(app->store, ids[i], infected,
					signature))
			(*scanned)++;
	}
	return LD_OK;
}

struct scheduler {
	struct app *app;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;
};

enum ld_err jobs_now(const struct app *app, int64_t *now)
{
	if (!app->cfg.now[0]) {
		*now = (int64_t)time(NULL);
		return LD_OK;
	}
	return date_parse_timestamp(app->cfg.now, now);
}

enum ld_err jobs_daily(struct app *app, struct jobs_daily *out)
{
	int64_t now;
	enum ld_err err = jobs_now(app, &now);
	int32_t today = app_today(app);

	memset(out, 0, sizeof(*out));
	if (err)
		return err;
	out->due = date_london_hour(now) >= app->cfg.reminder_hour;
	if (!out->due)
		return LD_OK;
	struct remind_sweep sweep;
	err = jobs_remind(app, today, &sweep);
	out->reminders = sweep.reminders;
	out->reminder_mails = sweep.mails;
	if (!err)
		err = jobs_digest(app, today, &out->digests);
	return err;
}

struct days_ctx {
	struct app *app;
	int filled;
};

static enum ld_err days_fill(const struct workcal *cal, void *arg)
{
	struct days_ctx *c = arg;
	return days_store_fill(c->app->store, cal, &c->filled);
}

enum ld_err jobs_days(struct app *app, bool reader, int *filled)
{
	struct days_ctx c = {app, 0};
	int kept;
	enum ld_err err = app_with_calendar(app, days_fill, &c);
	if (filled)
		*filled = c.filled;
	/* The KPI facts kept read the days: theirs follow, outside the
	 * calendar's lock (they need no calendar). */
	return err ? err : report_store_facts_fill(app->store, reader, &kept);
}

static void round_of_work(struct app *app, unsigned round)
{
	struct jobs_daily daily;
	int queued, sent, failed;

	/* A database that is down is tried again next round, in silence. */
	if (jobs_daily(app, &daily) == LD_EINVAL)
		log_warn("LINKDESK_NOW is not an RFC 3339 time: no reminders");
	if (daily.reminders || daily.reminder_mails)
		log_info("queued %d reminders in %d messages", daily.reminders,
			 daily.reminder_mails);
	if (daily.digests)
		log_info("queued %d digests", daily.digests);
	if (!jobs_rescan(app, &queued) && queued)
		log_info("scanned %d pending files", queued);
	if (!jobs_deliver(app, &sent, &failed) && (sent || failed))
		log_info("mail: %d sent, %d failed", sent, failed);
	struct inbox_poll poll;
	if (!inbox_imap_poll(app, &poll) &&
	    (poll.taken || poll.duplicates || poll.refused))
		log_info("inbox: %d taken in, %d seen before, %d refused",
			 poll.taken, poll.duplicates, poll.refused);
	/* After the mail and the inbox: after a load it keeps every case's
	 * KPI facts, minutes at full size. */
	if (!jobs_days(app, false, &queued) && queued)
		log_info("working days counted: %d tasks and complaints",
			 queued);
	/* The holiday watch reloads at once; this is in case it cannot. */
	if (round % (unsigned)(600 / app->cfg.scheduler_seconds + 1) == 0)
		app_reload_calendar(app);
}

static void *run(void *arg)
{
	struct scheduler *s = arg;
	for (unsigned round = 1;; round++) {
		struct timespec until;
		pthread_mutex_lock(&s->lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += s->app->cfg.scheduler_seconds;
		while (!s->stop &&
		       pthread_cond_timedwait(&s->wake, &s->lock, &until) == 0)
			;
		bool stop = s->stop;
		pthread_mutex_unlock(&s->lock);
		if (stop)
			return NULL;
		round_of_work(s->app, round);
	}
}

struct holiday_watch {
	struct app *app;
	pthread_t thread;
	atomic_bool stop;
};

static void calendar_changed(void *arg)
{
	struct app *app = arg;
	if (app_reload_calendar(app))
		log_warn("bank holidays changed, but cannot be loaded now");
	else /* the working days the change requeued, by the new calendar */
		jobs_days(app, false, NULL);
}

static void *watch(void *arg)
{
	struct holiday_watch *w = arg;
	holiday_store_watch(w->app->cfg.database_url, &w->stop,
			    calendar_changed, w->app);
	return NULL;
}

struct holiday_watch *holiday_watch_start(struct app *app)
{
	struct holiday_watch *w = xcalloc(1, sizeof(*w));
	w->app = app;
	atomic_init(&w->stop, false);
	if (pthread_create(&w->thread, NULL, watch, w)) {
		log_error("cannot start the holiday watch");
		free(w);
		return NULL;
	}
	return w;
}

void holiday_watch_stop(struct holiday_watch *w)
{
	if (!w)
		return;
	atomic_store(&w->stop, true);
	pthread_join(w->thread, NULL);
	free(w);
}

struct scheduler *scheduler_start(struct app *app)
{
	struct scheduler *s = xcalloc(1, sizeof(*s));
	s->app = app;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->wake, NULL);
	if (pthread_create(&s->thread, NULL, run, s)) {
		log_error("cannot start the scheduler");
		free(s);
		return NULL;
	}
	return s;
}

void scheduler_stop(struct scheduler *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->wake);
	free(s);
}
