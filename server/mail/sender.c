/*
 * One outbox message: rendered from the mail_<kind> templates
 * (web/templates/mail_*) with the facts its row carries, built by GMime
 * (core/mail.c), then sent or written.  The runs that claim messages and
 * record what happened are the scheduler's (server/sched/deliver.c).
 */
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
#include "embedded.h"
#include "evidence_mail.h"
#include "forecast_store.h"
#include "ics.h"
#include "jobs.h"
#include "kinds.h"
#include "log.h"
#include "mail.h"
#include "mail_store.h"
#include "sender.h"
#include "store.h"
#include "tmpl.h"
#include "workcal.h"
#include "workflow.h"
#include "xalloc.h"

#define MESSAGE_MAX (4 * 1024 * 1024)

enum ld_err mail_env_init(struct app *app, struct mail_env *env)
{
	memset(env, 0, sizeof(*env));
	enum ld_err err = mail_store_installation_id(
		app->store, env->installation, sizeof(env->installation));
	if (err) {
		log_error("mail: no installation_id setting (run linkdesk "
			  "migrate)");
		return err;
	}
	env->from = (struct mail_address){"Linkdesk", app->cfg.smtp_from};
	env->organizer = env->from;
	if (app->cfg.mail_organizer[0]) {
		if (mail_parse_mailbox(app->cfg.mail_organizer, &env->org_name,
				       &env->org_address) == LD_OK) {
			env->organizer = (struct mail_address){
				env->org_name[0] ? env->org_name : "Linkdesk",
				env->org_address};
			env->reply_to = env->organizer;
		} else {
			log_warn("mail: LINKDESK_MAIL_ORGANIZER is not one "
				 "\"Name <address>\": invites are organised "
				 "by LINKDESK_SMTP_FROM");
		}
	}
	return LD_OK;
}

void mail_env_release(struct mail_env *env)
{
	free(env->org_name);
	free(env->org_address);
	memset(env, 0, sizeof(*env));
}

/*
 * Facts ready for the templates: every string on one line, and beside
 * every "YYYY-MM-DD" string key a key_long as the pages write dates
 * ("Wednesday 6 January 2027").
 */
static void prepare(json_t *v)
{
	const char *key;
	json_t *val;
	size_t i;
	if (json_is_array(v)) {
		json_array_foreach(v, i, val) prepare(val);
		return;
	}
	if (!json_is_object(v))
		return;
	json_t *dates = json_object();
	json_object_foreach(v, key, val)
	{
		if (!json_is_string(val)) {
			prepare(val);
			continue;
		}
		struct buf one;
		int32_t day;
		buf_init(&one, MESSAGE_MAX);
		if (!mail_one_line(&one, json_string_value(val)))
			json_string_set(val, buf_str(&one));
		buf_release(&one);
		if (!date_parse(json_string_value(val), &day)) {
			char text[DATE_LONG_LEN], name[200];
			date_format_long(day, text);
			snprintf(name, sizeof(name), "%s_long", key);
			json_object_set_new(dates, name, json_string(text));
		}
	}
	json_object_update(v, dates);
	json_decref(dates);
}

static enum ld_err checkpoint_of(const struct workcal *cal, void *arg)
{
	int32_t *day = arg;
	*day = workcal_checkpoint(cal, *day);
	return LD_OK;
}

/*
 * An invite's checkpoint, from its due date by core's calendar as the
 * message goes (the outbox row holds only the due date): checkpoint and
 * checkpoint_long.
 */
static void add_checkpoint(struct app *app, json_t *ctx)
{
	const char *due = json_string_value(json_object_get(ctx, "due"));
	int32_t day;
	char iso[DATE_STRLEN], text[DATE_LONG_LEN];
	if (!due || date_parse(due, &day) ||
	    app_with_calendar(app, checkpoint_of, &day))
		return;
	date_format(day, iso);
	date_format_long(day, text);
	json_object_set_new(ctx, "checkpoint", json_string(iso));
	json_object_set_new(ctx, "checkpoint_long", json_string(text));
}

/* The context of a message's templates: its facts and what they imply. */
static json_t *context(struct app *app, json_t *facts, int64_t task_id)
{
	json_t *ctx = json_deep_copy(facts);
	if (!json_is_object(ctx)) {
		json_decref(ctx);
		ctx = json_object();
	}
	prepare(ctx);
	json_object_set_new(ctx, "base_url", json_string(app->cfg.base_url));
	if (!task_id)
		task_id = json_integer_value(json_object_get(ctx, "task_id"));
	int64_t case_id = json_integer_value(json_object_get(ctx, "case_id"));
	if (task_id || case_id) {
		char link[600];
		snprintf(link, sizeof(link), "%s/%s/%lld", app->cfg.base_url,
			 task_id ? "tasks" : "cases",
			 (long long)(task_id ? task_id : case_id));
		json_object_set_new(ctx, "link", json_string(link));
	}
	/* A notice's event, for its templates' sections. */
	const char *notice = json_string_value(json_object_get(ctx, "notice"));
	if (notice)
		json_object_set_new(ctx, notice, json_true());
	static const char *const labelled[] = {"priority", "status", NULL};
	for (int i = 0; labelled[i]; i++) {
		const char *v =
			json_string_value(json_object_get(ctx, labelled[i]));
		const char *label = v ? kinds_label(v) : NULL;
		char name[64];
		snprintf(name, sizeof(name), "%s_label", labelled[i]);
		if (v)
			json_object_set_new(ctx, name,
					    json_string(label ? label : v));
	}
	/* An invite's words: why a CANCEL goes (old rows: cancelled). */
	const char *method = json_string_value(json_object_get(ctx, "method"));
	if (method)
		add_checkpoint(app, ctx);
	if (method && !strcmp(method, "CANCEL")) {
		const char *reason =
			json_string_value(json_object_get(ctx, "reason"));
		if (!reason ||
		    (strcmp(reason, "done") && strcmp(reason, "reassigned")))
			reason = "cancelled";
		json_object_set_new(ctx, "cancel", json_true());
		json_object_set_new(ctx, reason, json_true());
	}
	return ctx;
}

#define DIGEST_LIKELY_LATE_MAX 20

struct likely_late_ctx {
	struct app *app;
	const struct principal *p;
	int32_t today;
	char *json;
};

static enum ld_err likely_late_read(const struct workcal *cal, void *arg)
{
	struct likely_late_ctx *c = arg;
	struct forecast_filter f = {.min_percent =
					    (int)c->app->cfg.late_risk_percent,
				    .limit = DIGEST_LIKELY_LATE_MAX};
	return forecast_store_tasks(c->app->store, cal, c->p, c->today, &f,
				    &c->json);
}

/*
 * The digest's "Likely to be late" section, forecast when it is sent for
 * the area it is about (area 0: every area, as a link officer reads it):
 * {"tasks": [{case_reference, title, due, task_id, percent, reason}],
 * "more": N} or nothing.  Titles and references only: a task's detail and
 * answer may hold personal data and never go into mail.
 */
static void add_likely_late(struct app *app, json_t *ctx)
{
	struct principal p = {0};
	int32_t today;
	int64_t area =
		(int64_t)json_integer_value(json_object_get(ctx, "area_id"));
	const char *day = json_string_value(json_object_get(ctx, "today"));
	if (!day || date_parse(day, &today))
		return;
	p.roles = area > 0 ? ROLE_SERVICE_OFFICER : ROLE_LINK_OFFICER;
	p.service_area_id = area;
	struct likely_late_ctx c = {app, &p, today, NULL};
	if (app_with_calendar(app, likely_late_read, &c) || !c.json) {
		free(c.json);
		return;
	}
	json_t *all = json_loads(c.json, 0, NULL);
	free(c.json);
	json_t *tasks = json_array(), *t;
	size_t i;
	json_array_foreach(json_object_get(all, "tasks"), i, t)
	{
		json_t *cs = json_object_get(t, "case"),
		       *fc = json_object_get(t, "forecast");
		const char *om =
			json_string_value(json_object_get(cs, "ombudsman"));
		const char *cref =
			json_string_value(json_object_get(cs, "reference"));
		char ref[200];
		snprintf(ref, sizeof(ref), "%s %s", om ? om : "",
			 cref ? cref : "");
		json_array_append_new(
			tasks,
			json_pack("{s:s, s:O, s:O, s:O, s:O, s:O}",
				  "case_reference", ref, "title",
				  json_object_get(t, "title"), "due",
				  json_object_get(t, "effective_due_on"),
				  "task_id", json_object_get(t, "id"),
				  "percent", json_object_get(fc, "percent"),
				  "reason", json_object_get(fc, "reason")));
	}
	json_int_t more = json_integer_value(json_object_get(all, "total")) -
			  (json_int_t)json_array_size(tasks);
	json_decref(all);
	if (!json_array_size(tasks)) {
		json_decref(tasks);
		return;
	}
	json_t *section = json_pack("{s:o}", "tasks", tasks);
	if (more > 0)
		json_object_set_new(section, "more", json_integer(more));
	prepare(section);
	json_object_set_new(ctx, "likely_late", section);
}

/* Render template name as text (a .txt template) or HTML. */
static enum ld_err render(const char *name, bool text, json_t *ctx,
			  struct buf *out, char *why, size_t whylen)
{
	char tmpl_why[200];
	enum ld_err err =
		text ? tmpl_render_text(&web_templates, name, ctx, out,
					tmpl_why, sizeof(tmpl_why))
		     : tmpl_render(&web_templates, name, ctx, out, tmpl_why,
				   sizeof(tmpl_why));
	if (err)
		snprintf(why, whylen, "cannot render %s: %s", name,
			 tmpl_why[0] ? tmpl_why : "too large");
	return err;
}

/*
 * The HTML of a message queued as text: its paragraphs, with each address
 * in it a real link.
 */
static json_t *plain_paragraphs(const char *body)
{
	json_t *paras = json_array(), *lines = NULL;
	for (const char *p = body; *p;) {
		size_t n = strcspn(p, "\n");
		char *line = strndup(p, n);
		if (!line)
			abort(); /* out of memory */
		if (n && line[n - 1] == '\r')
			line[--n] = '\0';
		if (!n) {
			lines = NULL;
		} else {
			if (!lines) {
				lines = json_array();
				json_array_append_new(
					paras,
					json_pack("{s:o}", "lines", lines));
			}
			char *url = strstr(line, "https://");
			if (!url)
				url = strstr(line, "http://");
			size_t len = url ? strcspn(url, " \t") : 0;
			json_t *l = json_object();
			json_object_set_new(
				l, "text",
				json_stringn(line,
					     url ? (size_t)(url - line) : n));
			if (url) {
				json_object_set_new(l, "link",
						    json_stringn(url, len));
				json_object_set_new(l, "after",
						    json_string(url + len));
			}
			json_array_append_new(lines, l);
		}
		free(line);
		p += n;
		if (*p == '\n')
			p++;
	}
	return paras;
}

/* A message ready to build: its rendered parts and calendar. */
struct rendered {
	struct buf subject, text, html;
	char *ics; /* NULL: no invite */
	const char *method;
};

/* The invite part, from an invite's context (ctx from context()). */
static enum ld_err invite_part(const struct mail_env *env, json_t *ctx,
			       const char *recipient, struct rendered *r,
			       char *why, size_t whylen)
{
	const char *meth = json_string_value(json_object_get(ctx, "method"));
	const char *cp = json_string_value(json_object_get(ctx, "checkpoint"));
	int64_t task = json_integer_value(json_object_get(ctx, "task_id"));
	int32_t checkpoint;
	struct buf uid, summary, description, local;
	enum ld_err err;

	if (!meth || !cp || date_parse(cp, &checkpoint) || !task) {
		snprintf(why, whylen,
			 "invite without its method, date or "
			 "task");
		return LD_EINVAL;
	}
	buf_init(&uid, 1000);
	buf_init(&local, 100);
	buf_init(&summary, 4000);
	buf_init(&description, 4000);
	if ((err = buf_printf(&local, "task-%lld", (long long)task)) ||
	    (err = ics_uid(&uid, buf_str(&local), env->installation)) ||
	    (err = render("mail_invite_summary.txt", true, ctx, &summary, why,
			  whylen)) ||
	    (err = render("mail_invite_description.txt", true, ctx,
			  &description, why, whylen)))
		goto out;
	const char *link = json_string_value(json_object_get(ctx, "link"));
	struct buf line;
	buf_init(&line, 4000);
	err = mail_one_line(&line, buf_str(&summary));
	buf_reset(&summary);
	if (!err)
		err = buf_addstr(&summary, buf_str(&line));
	buf_release(&line);
	if (err)
		goto out;
	struct ics_event ev = {
		.uid = buf_str(&uid),
		.date = checkpoint,
		.stamp = (int64_t)time(NULL),
		.sequence = (int)json_integer_value(
			json_object_get(ctx, "sequence")),
		.summary = buf_str(&summary),
		.description = buf_str(&description),
		.url = link,
		.alarm = true,
		.cancelled = !strcmp(meth, "CANCEL"),
	};
	struct ics_party org = {env->organizer.name, env->organizer.address};
	struct ics_party att = {
		json_string_value(json_object_get(ctx, "attendee_name")),
		recipient};
	r->method = strcmp(meth, "CANCEL") ? "REQUEST" : "CANCEL";
	r->ics = ics_invite(r->method, &org, &att, &ev);
out:
	buf_release(&uid);
	buf_release(&local);
	buf_release(&summary);
	buf_release(&description);
	return err;
}

/*
 * A person's reminder (kind "reminders"): its tasks as they are now, into
 * ctx.  When none is left to remind of, *nothing_left and an error: the
 * message is dropped, not sent.
 */
static enum ld_err add_reminder_tasks(struct app *app, int64_t outbox_id,
				      json_t *ctx, bool *nothing_left,
				      char *why, size_t whylen)
{
	const char *day = json_string_value(json_object_get(ctx, "today"));
	int32_t today;
	char *json = NULL;
	if (!day || date_parse(day, &today)) {
		snprintf(why, whylen, "a reminder without its day");
		return LD_EINVAL;
	}
	enum ld_err err =
		remind_store_mail_tasks(app->store, outbox_id, today, &json);
	json_t *tasks = err ? NULL : json_loads(json, 0, NULL);
	free(json);
	if (!err && !json_is_object(tasks))
		err = LD_EINVAL;
	if (err) {
		snprintf(why, whylen, "its tasks could not be read: %s",
			 ld_err_name(err));
		json_decref(tasks);
		return err;
	}
	if (json_integer_value(json_object_get(tasks, "count")) == 0) {
		snprintf(why, whylen,
			 "nothing left to remind of: every task "
			 "was done or paused since");
		json_decref(tasks);
		*nothing_left = true;
		return LD_ENOTFOUND;
	}
	prepare(tasks);
	json_object_update(ctx, tasks);
	json_decref(tasks);
	return LD_OK;
}

/*
 * Render a claimed message: from its facts by the mail_<kind> templates, or
 * (a row queued as text) its subject and body as they are.  A person's
 * reminder with no task left to remind of sets m->nothing_left.
 */
static enum ld_err render_message(struct app *app, const struct mail_env *env,
				  struct outbox_msg *m, struct rendered *r,
				  char *why, size_t whylen)
{
	json_t *facts = NULL, *ctx = NULL;
	enum ld_err err = LD_OK;
	char name[100];

	buf_init(&r->subject, 4000);
	buf_init(&r->text, MESSAGE_MAX);
	buf_init(&r->html, MESSAGE_MAX);
	r->ics = NULL;
	r->method = NULL;
	if (m->facts) {
		facts = json_loads(m->facts, 0, NULL);
		ctx = context(app, facts, m->task_id);
		if (!strcmp(m->kind, "digest"))
			add_likely_late(app, ctx);
		if (!strcmp(m->kind, "reminders") &&
		    (err = add_reminder_tasks(app, m->id, ctx, &m->nothing_left,
					      why, whylen)))
			goto out;
		/* The workflow's notices share one set of templates. */
		const char *base =
			json_object_get(ctx, "notice") ? "notice" : m->kind;
		snprintf(name, sizeof(name), "mail_%s_subject.txt", base);
		if ((err = render(name, true, ctx, &r->subject, why, whylen)))
			goto out;
		struct buf one;
		buf_init(&one, r->subject.max);
		err = mail_one_line(&one, buf_str(&r->subject));
		json_object_set_new(ctx, "subject", json_string(buf_str(&one)));
		buf_release(&one);
		if (err)
			goto out;
		snprintf(name, sizeof(name), "mail_%s.txt", base);
		if ((err = render(name, true, ctx, &r->text, why, whylen)))
			goto out;
		snprintf(name, sizeof(name), "mail_%s", base);
		if ((err = render(name, false, ctx, &r->html, why, whylen)))
			goto out;
	} else {
		/* Queued as text (notices, and rows from before 019). */
		bool old_invite = m->invite && !strcmp(m->kind, "invite");
		if (old_invite) {
			facts = json_loads(m->invite, 0, NULL);
			ctx = context(app, facts, m->task_id);
		}
		if ((err = buf_addstr(&r->subject, m->subject)) ||
		    (err = buf_addstr(&r->text, m->body)))
			goto out;
		/* An old invite's text did not link to its task. */
		const char *link =
			ctx ? json_string_value(json_object_get(ctx, "link"))
			    : NULL;
		if (link &&
		    (err = buf_printf(&r->text, "\n\nOpen it in Linkdesk: %s\n",
				      link)))
			goto out;
		json_t *plain = json_pack("{s:s, s:o}", "subject",
					  buf_str(&r->subject), "paragraphs",
					  plain_paragraphs(buf_str(&r->text)));
		err = render("mail_plain", false, plain, &r->html, why, whylen);
		json_decref(plain);
		if (err)
			goto out;
	}
	if (!strcmp(m->kind, "invite") && ctx)
		err = invite_part(env, ctx, m->recipient, r, why, whylen);
	/* The subject on one line, as sent and as recorded. */
	struct buf line;
	buf_init(&line, r->subject.max);
	if (!err && !(err = mail_one_line(&line, buf_str(&r->subject)))) {
		buf_reset(&r->subject);
		err = buf_addstr(&r->subject, buf_str(&line));
	}
	buf_release(&line);
out:
	json_decref(facts);
	json_decref(ctx);
	return err;
}

static void rendered_release(struct rendered *r)
{
	buf_release(&r->subject);
	buf_release(&r->text);
	buf_release(&r->html);
	free(r->ics);
	r->ics = NULL;
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
/* Say goodbye (QUIT) and close: after recording, since it may be slow. */
void smtp_close(struct smtp_conn *conn)
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

int64_t mail_clock_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Build and send (or write) one claimed message; the try must end by
 * deadline_ms (monotonic), leaving the claim time to record the outcome.
 * The subject it rendered goes into m->subject, to be recorded.
 */
enum ld_err mail_deliver_one(struct app *app, const struct mail_env *env,
			     struct outbox_msg *m, int64_t deadline_ms,
			     struct smtp_conn *conn, char *why, size_t whylen)
{
	struct rendered r;
	struct buf msg, id, local;
	struct evidence_files files = {0};
	enum ld_err err;
	bool evidence = !strcmp(m->kind, "evidence");

	buf_init(&msg,
		 evidence ? evidence_message_max(app->cfg.evidence_mail_max)
			  : MESSAGE_MAX);
	buf_init(&id, 1000);
	buf_init(&local, 100);
	m->nothing_left = false;
	err = render_message(app, env, m, &r, why, whylen);
	if (!err) {
		free(m->subject);
		m->subject = xstrdup(buf_str(&r.subject));
	}
	/* Evidence carries exactly the bytes signed off, or does not go. */
	if (!err && evidence)
		err = evidence_files_load(app, m->facts, &files, why, whylen);
	/* Derived from the row: a resend is recognisably the same message. */
	if (!err &&
	    (err = buf_printf(&local, "linkdesk.outbox.%lld",
			      (long long)m->id)) == LD_OK &&
	    (err = ics_uid(&id, buf_str(&local), env->installation)) == LD_OK) {
		struct mail_message mm = {.from = env->from,
					  .reply_to = env->reply_to,
					  .to = m->recipient,
					  .subject = buf_str(&r.subject),
					  .text = buf_str(&r.text),
					  .html = buf_str(&r.html),
					  .message_id = buf_str(&id),
					  .date = (int64_t)time(NULL),
					  .ics = r.ics,
					  .ics_method = r.method,
					  .attachments = files.items,
					  .nattachments = files.n};
		if ((err = mail_build(&mm, &msg)))
			snprintf(why, whylen, "message too large");
	}
	rendered_release(&r);
	buf_release(&id);
	buf_release(&local);
	int64_t left_ms = deadline_ms - mail_clock_ms();
	if (left_ms > app->cfg.smtp_timeout * 1000)
		left_ms = app->cfg.smtp_timeout * 1000;
	if (err) {
		/* why says what */
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
	if (!err && evidence)
		m->message = xstrdup(buf_str(&msg));
	evidence_files_release(&files);
	buf_release(&msg);
	return err;
}
