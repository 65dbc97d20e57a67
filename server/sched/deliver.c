/*
 * Delivery runs: the scheduler's part of sending mail.  A run claims one
 * outbox message at a time, has the mail code build and send it
 * (server/mail/sender.c: one message, nothing else), and records the
 * outcome; no database connection is held while the message goes.
 */
#include <stdbool.h>
#include <stdio.h>

#include "app.h"
#include "jobs.h"
#include "log.h"
#include "mail_store.h"
#include "sender.h"
#include "store.h"

/* Messages one delivery run may claim, one at a time. */
#define RUN_MAX 1000
/* Notices to several people a run makes messages of (25 each, say). */
#define SPLIT_MAX 1000
/*
 * A claim lasts LINKDESK_SMTP_TIMEOUT and the time recording the outcome
 * may take at the most: waiting for a pooled connection, then one
 * statement, and this for building the message and the rest.
 */
#define RECORD_SLACK_SECONDS 5

enum ld_err jobs_make_messages(struct app *app, int *made)
{
	int notices, n;
	enum ld_err err;
	*made = 0;
	do {
		err = outbox_store_split(app->store, SPLIT_MAX, &notices, &n);
		*made += n;
	} while (!err && notices == SPLIT_MAX);
	return err;
}

enum ld_err jobs_deliver(struct app *app, int *sent, int *failed)
{
	/* The send must end this long before the claim does. */
	const long record = STORE_ACQUIRE_TIMEOUT_SECONDS +
			    (app->cfg.statement_timeout + 999) / 1000 +
			    RECORD_SLACK_SECONDS;
	const long lease = app->cfg.smtp_timeout + record;
	const int max = (int)app->cfg.mail_attempts;
	struct mail_env env;
	*sent = *failed = 0;
	int made;
	/* Each person's message of the notices to several first; mail
	 * already made still goes if that fails. */
	enum ld_err err = jobs_make_messages(app, &made);
	if (err)
		log_warn("mail: notices to several not made into messages: %s",
			 ld_err_name(err));
	err = mail_env_init(app, &env);
	if (err)
		return err;
	/*
	 * One message per claim, so a claim covers exactly the try it guards
	 * however slow the mail server, and no connection to the database is
	 * held while the message goes.
	 */
	for (int i = 0; i < RUN_MAX; i++) {
		struct outbox_msg m;
		struct smtp_conn conn = {NULL, NULL};
		char why[300] = "";
		bool found;
		err = outbox_store_claim(app->store, lease, &m, &found);
		if (err || !found)
			break;
		int64_t deadline = mail_clock_ms() +
				   (int64_t)(m.claim_left * 1000) -
				   (int64_t)record * 1000;
		enum ld_err sent_err = mail_deliver_one(
			app, &env, &m, deadline, &conn, why, sizeof(why));
		if (m.nothing_left) {
			log_info("mail %lld dropped: %s", (long long)m.id, why);
			err = outbox_store_dropped(app->store, &m, why);
		} else if (sent_err) {
			log_warn("mail %lld to outbox recipient not delivered "
				 "(try %d): %s",
				 (long long)m.id, m.attempts, why);
			(*failed)++;
			err = outbox_store_failed(app->store, &m, why, max,
						  app->cfg.mail_retry);
		} else {
			(*sent)++;
			err = outbox_store_sent(app->store, &m);
		}
		smtp_close(&conn);
		outbox_msg_release(&m);
		/* Unrecorded, it goes again once its claim ends. */
		if (err)
			break;
		/*
		 * Once the server itself fails, the rest are not tried (each
		 * would wait out the same timeout) but back off with it.
		 */
		if (sent_err == LD_EUNAVAILABLE) {
			char down[300];
			int n;
			snprintf(down, sizeof(down),
				 "not tried: the mail server failed: %.200s",
				 why);
			err = outbox_store_defer(app->store, RUN_MAX, down, max,
						 app->cfg.mail_retry, &n);
			if (!err && n)
				log_warn("mail: %d more not tried: the mail "
					 "server failed",
					 n);
			*failed += n;
			break;
		}
	}
	mail_env_release(&env);
	return err;
}
