/* Delivering the outbox: each message built, then sent or written. */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "buf.h"
#include "date.h"
#include "ics.h"
#include "jobs.h"
#include "log.h"
#include "mail.h"
#include "mail_store.h"

#define MESSAGE_MAX (4 * 1024 * 1024)
/* Messages one delivery run may claim, one at a time. */
#define RUN_MAX 1000
/*
 * A claim lasts LINKDESK_SMTP_TIMEOUT and this: the seconds allowed for
 * building the message and recording its outcome in the database.
 */
#define RECORD_SECONDS 10

/* The host of the base URL, for Message-IDs and UIDs. */
static void base_host(const char *base_url, char *out, size_t len)
{
	const char *p = strstr(base_url, "://");
	p = p ? p + 3 : base_url;
	size_t n = strcspn(p, ":/");
	snprintf(out, len, "%.*s", (int)(n ? n : 9), n ? p : "localhost");
}

/* The invite part of a message from its outbox JSON; NULL without one. */
static char *invite_ics(struct app *app, const struct outbox_msg *m,
			const char *host, const char **method)
{
	json_t *inv = m->invite ? json_loads(m->invite, 0, NULL) : NULL;
	int32_t checkpoint, due;
	if (!inv)
		return NULL;
	const char *meth = json_string_value(json_object_get(inv, "method"));
	const char *cp = json_string_value(json_object_get(inv, "checkpoint"));
	const char *du = json_string_value(json_object_get(inv, "due"));
	if (!meth || !cp || !du || date_parse(cp, &checkpoint) ||
	    date_parse(du, &due)) {
		json_decref(inv);
		return NULL;
	}
	long long task = json_integer_value(json_object_get(inv, "task_id"));
	char uid[256], summary[512], description[1024], url[512], org[300],
		att[300];
	snprintf(uid, sizeof(uid), "task-%lld@%s", task, host);
	snprintf(summary, sizeof(summary), "Due %s: %s: %s", du,
		 json_string_value(json_object_get(inv, "case_reference")),
		 json_string_value(json_object_get(inv, "title")));
	snprintf(url, sizeof(url), "%s/tasks/%lld", app->cfg.base_url, task);
	snprintf(description, sizeof(description),
		 "Ombudsman task due %s. Open it in Linkdesk: %s", du, url);
	snprintf(org, sizeof(org), "mailto:%s", app->cfg.smtp_from);
	snprintf(att, sizeof(att), "mailto:%s", m->recipient);
	struct ics_event ev = {
		.uid = uid,
		.date = checkpoint,
		.stamp = (int64_t)time(NULL),
		.sequence = (int)json_integer_value(
			json_object_get(inv, "sequence")),
		.summary = summary,
		.description = description,
		.url = url,
		.alarm = true,
		.cancelled = !strcmp(meth, "CANCEL"),
	};
	*method = strcmp(meth, "CANCEL") ? "REQUEST" : "CANCEL";
	char *ics = ics_calendar(*method, NULL, org, att, &ev, 1);
	json_decref(inv);
	return ics;
}

struct upload {
	const char *data;
	size_t len, off;
};

static size_t read_message(char *out, size_t size, size_t n, void *arg)
{
	struct upload *u = arg;
	size_t want = size * n, left = u->len - u->off;
	size_t take = want < left ? want : left;
	memcpy(out, u->data + u->off, take);
	u->off += take;
	return take;
}

/* An SMTP connection kept until the outcome is recorded. */
struct smtp_conn {
	CURL *curl;
	struct curl_slist *rcpts;
};

/* Say goodbye (QUIT) and close: after recording, since it may be slow. */
static void smtp_close(struct smtp_conn *conn)
{
	if (conn->curl)
		curl_easy_cleanup(conn->curl);
	curl_slist_free_all(conn->rcpts);
	conn->curl = NULL;
	conn->rcpts = NULL;
}

/*
 * Send one message, taking at most timeout_ms (the time its claim has
 * left for the try).  The connection stays open in *conn for
 * smtp_close().
 */
static enum ld_err smtp_send(struct app *app, const char *to,
			     const struct buf *msg, long timeout_ms,
			     struct smtp_conn *conn, char *why, size_t whylen)
{
	char from[300], rcpt[300], errbuf[CURL_ERROR_SIZE] = "";
	struct upload u = {msg->ptr, msg->len, 0};
	CURL *c = curl_easy_init();
	CURLcode rc;

	if (!c) {
		snprintf(why, whylen, "curl did not start");
		return LD_EIO;
	}
	snprintf(from, sizeof(from), "<%s>", app->cfg.smtp_from);
	snprintf(rcpt, sizeof(rcpt), "<%s>", to);
	conn->curl = c;
	conn->rcpts = curl_slist_append(NULL, rcpt);
	curl_easy_setopt(c, CURLOPT_URL, app->cfg.smtp_url);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, conn->rcpts);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_message);
	curl_easy_setopt(c, CURLOPT_READDATA, &u);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)msg->len);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	/* SMTP waits for each reply on a clock of its own (120 s). */
	curl_easy_setopt(c, CURLOPT_SERVER_RESPONSE_TIMEOUT,
			 app->cfg.smtp_timeout);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_USE_SSL,
			 !strcmp(app->cfg.smtp_tls, "require") ? CURLUSESSL_ALL
			 : !strcmp(app->cfg.smtp_tls, "try")   ? CURLUSESSL_TRY
							     : CURLUSESSL_NONE);
	if (app->cfg.smtp_user[0]) {
		curl_easy_setopt(c, CURLOPT_USERNAME, app->cfg.smtp_user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, app->cfg.smtp_password);
	}
	rc = curl_easy_perform(c);
	/* The buffer is on this stack: the goodbye must not write to it. */
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
	if (rc != CURLE_OK)
		snprintf(why, whylen, "%s",
			 errbuf[0] ? errbuf : curl_easy_strerror(rc));
	if (rc == CURLE_OK)
		return LD_OK;
	/* The server, not this message: unreachable, silent or gone. */
	bool server = rc == CURLE_COULDNT_CONNECT ||
		      rc == CURLE_COULDNT_RESOLVE_HOST ||
		      rc == CURLE_OPERATION_TIMEDOUT ||
		      rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR ||
		      rc == CURLE_GOT_NOTHING;
	return server ? LD_EUNAVAILABLE : LD_EIO;
}

/* Without SMTP: the message as an .eml file, whole or not at all. */
static enum ld_err write_eml(struct app *app, int64_t id, const struct buf *msg,
			     char *why, size_t whylen)
{
	char path[600], tmp[620];
	mkdir(app->cfg.mail_dir, 0750);
	snprintf(path, sizeof(path), "%s/%lld.eml", app->cfg.mail_dir,
		 (long long)id);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0 || write(fd, msg->ptr, msg->len) != (ssize_t)msg->len ||
	    fsync(fd) || close(fd) || rename(tmp, path)) {
		snprintf(why, whylen, "cannot write the .eml file: %s",
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		return LD_EIO;
	}
	return LD_OK;
}

static int64_t monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Build and send (or write) one claimed message; the try must end by
 * deadline_ms (monotonic), leaving the claim time to record the outcome.
 */
static enum ld_err deliver_one(struct app *app, const struct outbox_msg *m,
			       int64_t deadline_ms, struct smtp_conn *conn,
			       char *why, size_t whylen)
{
	char host[128], message_id[200];
	const char *method = NULL;
	struct buf msg;
	enum ld_err err;

	base_host(app->cfg.base_url, host, sizeof(host));
	/* Derived from the row: a resend is recognisably the same message. */
	snprintf(message_id, sizeof(message_id), "linkdesk.outbox.%lld@%s",
		 (long long)m->id, host);
	char *ics = invite_ics(app, m, host, &method);
	struct buf text;
	buf_init(&text, MESSAGE_MAX);
	buf_addstr(&text, m->body);
	/* An invite's text links to its task like every other notice. */
	if (ics && m->task_id)
		buf_printf(&text, "\n\nOpen it in Linkdesk: %s/tasks/%lld\n",
			   app->cfg.base_url, (long long)m->task_id);
	struct mail_message mm = {.from = app->cfg.smtp_from,
				  .to = m->recipient,
				  .subject = m->subject,
				  .text = buf_str(&text),
				  .message_id = message_id,
				  .date = (int64_t)time(NULL),
				  .ics = ics,
				  .ics_method = method};
	buf_init(&msg, MESSAGE_MAX);
	err = mail_build(&mm, &msg);
	buf_release(&text);
	free(ics);
	int64_t left_ms = deadline_ms - monotonic_ms();
	if (left_ms > app->cfg.smtp_timeout * 1000)
		left_ms = app->cfg.smtp_timeout * 1000;
	if (err) {
		snprintf(why, whylen, "message too large");
	} else if (left_ms < 100) {
		/* Never a send that could outlast its claim. */
		snprintf(why, whylen, "not tried: its claim ran out first");
		err = LD_EIO;
	} else if (app->cfg.smtp_url[0]) {
		err = smtp_send(app, m->recipient, &msg, (long)left_ms, conn,
				why, whylen);
	} else {
		err = write_eml(app, m->id, &msg, why, whylen);
	}
	buf_release(&msg);
	return err;
}

enum ld_err jobs_deliver(struct app *app, int *sent, int *failed)
{
	const long lease = app->cfg.smtp_timeout + RECORD_SECONDS;
	const int max = (int)app->cfg.mail_attempts;
	enum ld_err err = LD_OK;
	*sent = *failed = 0;
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
		int64_t deadline = monotonic_ms() +
				   (int64_t)(m.claim_left * 1000) -
				   RECORD_SECONDS * 1000;
		enum ld_err sent_err =
			deliver_one(app, &m, deadline, &conn, why, sizeof(why));
		if (sent_err) {
			log_warn("mail %lld to outbox recipient not delivered "
				 "(try %d): %s",
				 (long long)m.id, m.attempts, why);
			(*failed)++;
			err = outbox_store_failed(app->store, &m, why, max,
						  app->cfg.mail_retry);
		} else {
			(*sent)++;
			err = outbox_store_sent(app->store, m.id);
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
	return err;
}
