/*
 * The running server's shared state: settings, the store and the working-day
 * calendar.  One per process, created by `linkdesk serve`.
 */
#ifndef APP_H
#define APP_H

#include <pthread.h>
#include <stddef.h>
#include <stdatomic.h>

#include "config.h"
#include "workcal.h"

struct store;

struct app {
	struct config cfg;
	struct store *store;
	pthread_rwlock_t cal_lock;
	struct workcal cal;
	atomic_int active_requests;
	/* Slow work off the HTTP threads (request_defer), made by http_start.
	 */
	struct workpool *hash_pool;   /* password hashes */
	struct workpool *work_pool;   /* uploads, downloads */
	struct workpool *bundle_pool; /* evidence bundles */
};

/*
 * Load the settings, start libsodium and make the store (connecting lazily).
 * On failure why holds a one-line reason.  Release with app_close().
 */
enum ld_err app_open(struct app *app, char *why, size_t whylen);
void app_close(struct app *app);

/* Reload the calendar from the holidays table (after an import). */
enum ld_err app_reload_calendar(struct app *app);

/*
 * Run fn with the calendar held for reading: the calendar may be swapped by
 * a reload at any time, so nobody keeps a pointer to it.
 */
enum ld_err app_with_calendar(struct app *app,
			      enum ld_err (*fn)(const struct workcal *, void *),
			      void *ctx);

/*
 * Today in Europe/London; LINKDESK_TODAY fixes it (tests and demos only).
 */
int32_t app_today(struct app *app);

#endif
