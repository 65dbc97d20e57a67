/* linkdesk serve: the HTTP server, until SIGTERM or SIGINT. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "date.h"

#include "app.h"
#include "cli.h"
#include "http.h"
#include "router.h"
#include "jobs.h"
#include "log.h"
#include "secret.h"
#include "spool.h"
#include "report_store.h"
#include "store.h"

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
	/*
	 * Block the stop signals in every thread (the server's threads inherit
	 * this mask) so that only sigwait() below receives them.
	 */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);

	if (app_open(&app, why, sizeof(why))) {
		fprintf(stderr, "linkdesk: %s\n", why);
		return 1;
	}
	const char *refusal = schema_refusal(app.store, why, sizeof(why));
	if (refusal) {
		fprintf(stderr, "linkdesk: %s\n", refusal);
		goto out;
	}
	if (app_reload_calendar(&app)) {
		fprintf(stderr, "linkdesk: cannot load bank holidays\n");
		goto out;
	}
	spool_sweep(app.cfg.spool_dir);
	/* Sent tasks written with the triggers off (a bulk load) have no
	 * working days yet: queue them once, for core to count. */
	days_store_sweep(app.store);
	report_store_facts_sweep(app.store); /* and their cases' KPI facts */
	struct MHD_Daemon *d = http_start(&app, &linkdesk_router);
	if (!d)
		goto out;
	struct scheduler *sched =
		app.cfg.scheduler ? scheduler_start(&app) : NULL;
	struct holiday_watch *watch = holiday_watch_start(&app);
	log_info("linkdesk serving on http://%s (%ld threads, %ld database "
		 "connections)",
		 app.cfg.listen, app.cfg.threads, app.cfg.db_pool);
	sigwait(&sigs, &sig);
	log_info("received %s: finishing requests in flight",
		 sig == SIGTERM ? "SIGTERM" : "SIGINT");
	http_stop(d, &app);
	scheduler_stop(sched);
	holiday_watch_stop(watch);
	log_info("stopped");
	rc = 0;
out:
	app_close(&app);
	return rc;
}
