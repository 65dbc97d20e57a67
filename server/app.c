/* The running process's shared state: settings, store, calendar, clock. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "date.h"
#include "mail.h"
#include "secret.h"
#include "store.h"

enum ld_err app_open(struct app *app, char *why, size_t whylen)
{
	memset(app, 0, sizeof(*app));
	if (config_load(&app->cfg, why, whylen))
		return LD_EINVAL;
	if (secret_init()) {
		snprintf(why, whylen, "libsodium cannot start");
		config_release(&app->cfg);
		return LD_EINTERNAL;
	}
	mail_init(); /* GMime, once, before any thread builds a message */
	pthread_rwlock_init(&app->cal_lock, NULL);
	workcal_init(&app->cal);
	app->store = store_new(app->cfg.database_url, (int)app->cfg.db_pool);
	store_set_timeouts(app->store, app->cfg.statement_timeout,
			   app->cfg.lock_timeout);
	return LD_OK;
}

void app_close(struct app *app)
{
	store_free(app->store);
	workcal_release(&app->cal);
	pthread_rwlock_destroy(&app->cal_lock);
	config_release(&app->cfg);
}

enum ld_err app_reload_calendar(struct app *app)
{
	struct workcal fresh, old;
	workcal_init(&fresh);
	enum ld_err err = holiday_store_load(app->store, NULL, &fresh);
	if (err) {
		workcal_release(&fresh);
		return err;
	}
	pthread_rwlock_wrlock(&app->cal_lock);
	old = app->cal;
	app->cal = fresh;
	pthread_rwlock_unlock(&app->cal_lock);
	workcal_release(&old);
	return LD_OK;
}

enum ld_err app_with_calendar(struct app *app,
			      enum ld_err (*fn)(const struct workcal *, void *),
			      void *ctx)
{
	pthread_rwlock_rdlock(&app->cal_lock);
	enum ld_err err = fn(&app->cal, ctx);
	pthread_rwlock_unlock(&app->cal_lock);
	return err;
}

int32_t app_today(struct app *app)
{
	return config_today(&app->cfg);
}
