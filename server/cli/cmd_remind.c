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
	int sent = 0, failed = 0, days = 0, made = 0;
	bool deliver = true;

	if (cli_wants_help(argc, argv)) {
		printf("usage: linkdesk remind --once [--no-mail]\n\n"
		       "What the scheduler of 'linkdesk serve' does, for "
		       "those who prefer cron:\nfrom LINKDESK_REMINDER_HOUR "
		       "(London time) on, queue the reminders due\ntoday "
		       "(every LINKDESK_REMINDER_DAYS days for each open task) "
		       "and today's\noverdue digests; at any hour, deliver the "
		       "outbox, then count the working\ndays and keep the KPI "
		       "facts of what changed (every case after a load).  "
		       "Safe to run beside\nservers: each "
		       "reminder and digest goes once.  --no-mail queues (and "
		       "makes each\nperson's message of a notice to several) "
		       "but does not deliver.\n");
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
	struct jobs_daily daily = {0};
	int64_t now;
	if (jobs_now(&app, &now)) {
		fprintf(stderr, "linkdesk: LINKDESK_NOW must be an RFC 3339 "
				"time, such as 2026-11-23T08:00:00Z\n");
		app_close(&app);
		return 1;
	}
	enum ld_err err = app_reload_calendar(&app);
	if (!err)
		err = jobs_daily(&app, &daily);
	/* Without mail, the notices to several are still made into each
	 * person's message: that is queueing. */
	if (!err && !deliver)
		err = jobs_make_messages(&app, &made);
	if (!err && deliver)
		err = jobs_deliver(&app, &sent, &failed);
	/* Last, and whatever became of the mail: after a load it keeps
	 * every case's KPI facts, minutes at full size. */
	enum ld_err kept = jobs_days(&app, false, &days);
	if (!err)
		err = kept;
	long hour = app.cfg.reminder_hour;
	app_close(&app);
	if (err) {
		fprintf(stderr, "linkdesk: remind failed: %s\n",
			ld_err_name(err));
		return 1;
	}
	if (!daily.due)
		printf("before %02ld:00 in London (LINKDESK_REMINDER_HOUR): "
		       "no reminders or digests yet\n",
		       hour);
	printf("reminders queued: %d, in %d messages; digests queued: %d; "
	       "working days counted: %d; mail sent: %d, failed: %d",
	       daily.reminders, daily.reminder_mails, daily.digests, days, sent,
	       failed);
	if (!deliver)
		printf("; messages made of notices to several: %d", made);
	printf("\n");
	return 0;
}
