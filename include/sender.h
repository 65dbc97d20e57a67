/*
 * The mail code's one job: build one claimed outbox message (GMime, the
 * templates of web/templates/mail_*) and send it over SMTP, or write it
 * as a file without an SMTP server.  Runs that claim messages and record
 * outcomes are the scheduler's (server/sched/deliver.c).
 */
#ifndef SENDER_H
#define SENDER_H

#include <curl/curl.h>
#include <stdint.h>

#include "ld_err.h"
#include "mail.h"

struct app;
struct outbox_msg;

/* What one delivery run sends every message with. */
struct mail_env {
	char installation[80]; /* the installation's id, for UIDs */
	struct mail_address from, reply_to, organizer;
	char *org_name, *org_address; /* LINKDESK_MAIL_ORGANIZER, parsed */
};

/* Read the settings and the installation id; release what it holds. */
enum ld_err mail_env_init(struct app *app, struct mail_env *env);
void mail_env_release(struct mail_env *env);

/* An SMTP connection kept open from the send to after the recording. */
struct smtp_conn {
	CURL *curl;
	struct curl_slist *rcpts;
};

/* Say goodbye (QUIT) and close: after recording, since it may be slow. */
void smtp_close(struct smtp_conn *conn);

/* Milliseconds on the monotonic clock. */
int64_t mail_clock_ms(void);

/*
 * Build and send (or write) one claimed message; the try must end by
 * deadline_ms (mail_clock_ms()), leaving the claim time to record the
 * outcome.  The subject it rendered goes into m->subject, to be recorded;
 * why says what went wrong.
 */
enum ld_err mail_deliver_one(struct app *app, const struct mail_env *env,
			     struct outbox_msg *m, int64_t deadline_ms,
			     struct smtp_conn *conn, char *why, size_t whylen);

#endif
