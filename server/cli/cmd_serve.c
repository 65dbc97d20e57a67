/* linkdesk serve: the HTTP server, until SIGTERM or SIGINT. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "date.h"

#include "app.h"
#include "cli.h"
#include "http.h"
#include "log.h"
#include "secret.h"
#include "store.h"

enum ld_err app_reload_calendar(struct app *app)
{
	struct workcal fresh, old;
	workcal_init(&fresh);
	enum ld_err err =
		holiday_store_load(app->store, app->cfg.division, &fresh);
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
	int32_t day;
	if (app->cfg.today[0] && date_parse(app->cfg.today, &day) == LD_OK)
		return day;
	return date_from_unix_london((int64_t)time(NULL));
}

/* The one-line reason serve refuses to start, or NULL to go ahead. */
static const char *schema_refusal(struct store *store, char *why, size_t len)
{
	int version = 0, want = migrations[migrations_count - 1].version;
	enum ld_err err = store_schema_version(store, &version);

	if (err == LD_ENOTFOUND || (!err && version == 0))
		return "database is not migrated: run 'linkdesk migrate'";
	if (err)
		return "cannot reach the database (LINKDESK_DATABASE_URL)";
	if (version < want) {
		snprintf(why, len,
			 "database is at migration %d, this build needs %d: "
			 "run 'linkdesk migrate'",
			 version, want);
		return why;
	}
	if (version > want) {
		snprintf(why, len,
			 "database is at migration %d, newer than this "
			 "build's %d: upgrade linkdesk",
			 version, want);
		return why;
	}
	return NULL;
}

int cmd_serve(int argc, char **argv)
{
	struct app app;
	char why[256];
	sigset_t sigs;
	int sig, rc = 1;

	if (cli_wants_help(argc, argv)) {
		printf("usage: linkdesk serve\n\nServe the dashboard and the "
		       "JSON API until SIGTERM or SIGINT, which\nfinish the "
		       "requests in flight first.\n\n");
		config_print_help(stdout);
		return 0;
	}
	memset(&app, 0, sizeof(app));
	if (config_load(&app.cfg, why, sizeof(why))) {
		fprintf(stderr, "linkdesk: %s\n", why);
		return 1;
	}
	int32_t fixed;
	if (app.cfg.today[0] && date_parse(app.cfg.today, &fixed)) {
		fprintf(stderr,
			"linkdesk: LINKDESK_TODAY must be YYYY-MM-DD\n");
		config_release(&app.cfg);
		return 1;
	}
	if (secret_init()) {
		fprintf(stderr, "linkdesk: libsodium cannot start\n");
		config_release(&app.cfg);
		return 1;
	}
	/*
	 * Block the stop signals in every thread (the server's threads inherit
	 * this mask) so that only sigwait() below receives them.
	 */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);

	pthread_rwlock_init(&app.cal_lock, NULL);
	workcal_init(&app.cal);
	app.store = store_new(app.cfg.database_url, (int)app.cfg.db_pool);

	const char *refusal = schema_refusal(app.store, why, sizeof(why));
	if (refusal) {
		fprintf(stderr, "linkdesk: %s\n", refusal);
		goto out;
	}
	if (app_reload_calendar(&app)) {
		fprintf(stderr, "linkdesk: cannot load bank holidays\n");
		goto out;
	}
	struct MHD_Daemon *d = http_start(&app);
	if (!d)
		goto out;
	log_info("linkdesk serving on http://%s (%ld threads, %ld database "
		 "connections)",
		 app.cfg.listen, app.cfg.threads, app.cfg.db_pool);
	sigwait(&sigs, &sig);
	log_info("received %s: finishing requests in flight",
		 sig == SIGTERM ? "SIGTERM" : "SIGINT");
	http_stop(d, &app);
	log_info("stopped");
	rc = 0;
out:
	store_free(app.store);
	workcal_release(&app.cal);
	pthread_rwlock_destroy(&app.cal_lock);
	config_release(&app.cfg);
	return rc;
}
