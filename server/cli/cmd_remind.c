/* linkdesk remind --once: one round of the scheduler, for cron. */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "cli.h"
#include "jobs.h"

int cmd_remind(int argc, char **argv)
{
	struct app app;
	char why[256];
	int reminders = 0, digests = 0, sent = 0, failed = 0;
	bool deliver = true;

	if (cli_wants_help(argc, argv)) {
		printf("usage: linkdesk remind --once [--no-mail]\n\n"
		       "Queue the reminders due today (every "
		       "LINKDESK_REMINDER_DAYS days for each\nopen task), "
		       "today's overdue digests, and deliver the outbox: "
		       "what the\nscheduler of 'linkdesk serve' does, for "
		       "those who prefer cron.  Safe to run\nbeside servers: "
		       "each reminder and digest goes once.  --no-mail "
		       "queues but\ndoes not deliver.\n");
		return 0;
	}
	if (argc < 2 || strcmp(argv[1], "--once") ||
	    (argc == 3 && strcmp(argv[2], "--no-mail")) || argc > 3) {
		fprintf(stderr, "usage: linkdesk remind --once [--no-mail]\n");
		return 2;
	}
	deliver = argc == 2;
	if (app_open(&app, why, sizeof(why))) {
		fprintf(stderr, "linkdesk: %s\n", why);
		return 1;
	}
	int32_t today = app_today(&app);
	enum ld_err err = app_reload_calendar(&app);
	if (!err)
		err = jobs_remind(&app, today, &reminders);
	if (!err)
		err = jobs_digest(&app, today, &digests);
	if (!err && deliver)
		err = jobs_deliver(&app, &sent, &failed);
	app_close(&app);
	if (err) {
		fprintf(stderr, "linkdesk: remind failed: %s\n",
			ld_err_name(err));
		return 1;
	}
	printf("reminders queued: %d; digests queued: %d; mail sent: %d, "
	       "failed: %d\n",
	       reminders, digests, sent, failed);
	return 0;
}
