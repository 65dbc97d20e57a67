/* The Ombudsman mailbox over IMAP (include/inbox_imap.h). */
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "buf.h"
#include "inbox_imap.h"
#include "inbox_mail.h"
#include "inbox_store.h"
#include "log.h"
#include "store.h"
#include "xalloc.h"

#define UIDS_MAX    10000
#define LISTING_MAX (1u << 20)
#define SECRET_MAX  8192

struct sink {
	struct buf b;
	bool over;
};

static size_t collect(char *data, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;
	if (buf_add(&s->b, data, size * n)) {
		s->over = true;
		return 0;
	}
	return size * n;
}

/* The first line of a file, for a secret that is rotated in place. */
static bool first_line(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	bool ok = fgets(out, (int)len, f) != NULL;
	fclose(f);
	if (ok)
		out[strcspn(out, "\r\n")] = '\0';
	return ok && out[0];
}

struct session {
	CURL *h;
	char base[2048]; /* the mailbox URL and the folder, escaped */
	char secret[SECRET_MAX];
};

static enum ld_err session_open(const struct config *cfg, struct session *s)
{
	memset(s, 0, sizeof(*s));
	char *folder = curl_easy_escape(NULL, cfg->imap_folder, 0);
	size_t n = strlen(cfg->imap_url);
	while (n && cfg->imap_url[n - 1] == '/')
		n--;
	snprintf(s->base, sizeof(s->base), "%.*s/%s", (int)n, cfg->imap_url,
		 folder ? folder : "INBOX");
	curl_free(folder);
	s->h = curl_easy_init();
	if (!s->h)
		return LD_EIO;
	curl_easy_setopt(s->h, CURLOPT_USERNAME, cfg->imap_user);
	if (cfg->imap_bearer_file[0]) {
		if (!first_line(cfg->imap_bearer_file, s->secret,
				sizeof(s->secret))) {
			log_warn(
				"inbox: cannot read LINKDESK_IMAP_BEARER_FILE");
			return LD_EIO;
		}
		curl_easy_setopt(s->h, CURLOPT_XOAUTH2_BEARER, s->secret);
		curl_easy_setopt(s->h, CURLOPT_LOGIN_OPTIONS, "AUTH=XOAUTH2");
	} else if (cfg->imap_password_file[0]) {
		if (!first_line(cfg->imap_password_file, s->secret,
				sizeof(s->secret))) {
			log_warn("inbox: cannot read "
				 "LINKDESK_IMAP_PASSWORD_FILE");
			return LD_EIO;
		}
		curl_easy_setopt(s->h, CURLOPT_PASSWORD, s->secret);
	} else {
		curl_easy_setopt(s->h, CURLOPT_PASSWORD, cfg->imap_password);
	}
	curl_easy_setopt(s->h, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
	curl_easy_setopt(s->h, CURLOPT_TIMEOUT, cfg->imap_timeout);
	curl_easy_setopt(s->h, CURLOPT_CONNECTTIMEOUT, cfg->imap_timeout);
	curl_easy_setopt(s->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(s->h, CURLOPT_WRITEFUNCTION, collect);
	return LD_OK;
}

static void session_close(struct session *s)
{
	if (s->h)
		curl_easy_cleanup(s->h);
	sodium_memzero(s->secret, sizeof(s->secret));
}

/* One exchange: a command on the folder (custom) or a fetch (suffix). */
static enum ld_err exchange(struct session *s, const char *suffix,
			    const char *custom, struct sink *out)
{
	char url[2200];
	snprintf(url, sizeof(url), "%s%s", s->base, suffix ? suffix : "");
	curl_easy_setopt(s->h, CURLOPT_URL, url);
	curl_easy_setopt(s->h, CURLOPT_CUSTOMREQUEST, custom);
	curl_easy_setopt(s->h, CURLOPT_WRITEDATA, out);
	CURLcode rc = curl_easy_perform(s->h);
	if (rc != CURLE_OK) {
		/* curl's words name neither the user nor the secret. */
		log_warn("inbox: IMAP %s failed: %s", custom ? custom : "FETCH",
			 curl_easy_strerror(rc));
		return LD_EIO;
	}
	return LD_OK;
}

/* A quoted IMAP string (RFC 3501) of a folder name. */
static void quoted(const char *name, char *out, size_t len)
{
	size_t o = 0;
	if (len < 3)
		return;
	out[o++] = '"';
	for (const char *p = name; *p && o + 3 < len; p++) {
		if (*p == '"' || *p == '\\')
			out[o++] = '\\';
		out[o++] = *p;
	}
	out[o++] = '"';
	out[o] = '\0';
}

static enum ld_err move(struct session *s, const struct config *cfg,
			unsigned long uid)
{
	char folder[600], cmd[700];
	struct sink out;
	quoted(cfg->imap_handled_folder, folder, sizeof(folder));
	snprintf(cmd, sizeof(cmd), "UID MOVE %lu %s", uid, folder);
	buf_init(&out.b, LISTING_MAX);
	out.over = false;
	enum ld_err err = exchange(s, NULL, cmd, &out);
	buf_release(&out.b);
	return err;
}

static enum ld_err
lend(void *app, enum ld_err (*use)(const struct workcal *, void *), void *arg)
{
	return app_with_calendar(app, use, arg);
}

/* This server's name in claims: host, process and start. */
static const char *claimant(void)
{
	/* Only the scheduler's thread polls. */
	static char name[160];
	if (!name[0]) {
		char host[100] = "";
		gethostname(host, sizeof(host) - 1);
		snprintf(name, sizeof(name), "%s:%ld:%ld", host, (long)getpid(),
			 (long)time(NULL));
	}
	return name;
}

enum ld_err inbox_imap_poll(struct app *app, struct inbox_poll *out)
{
	const struct config *cfg = &app->cfg;
	struct session s;
	struct sink list;
	unsigned long validity = 0;
	enum ld_err err;

	memset(out, 0, sizeof(*out));
	if (!cfg->imap_url[0])
		return LD_OK;
	buf_init(&list.b, LISTING_MAX);
	list.over = false;
	if ((err = session_open(cfg, &s)))
		goto out;
	char examine[600], folder[520];
	quoted(cfg->imap_folder, folder, sizeof(folder));
	snprintf(examine, sizeof(examine), "EXAMINE %s", folder);
	if ((err = exchange(&s, NULL, examine, &list)))
		goto out;
	const char *v = strstr(buf_str(&list.b), "[UIDVALIDITY ");
	if (v)
		validity = strtoul(v + 13, NULL, 10);
	buf_reset(&list.b);
	if ((err = exchange(&s, NULL, "UID SEARCH ALL", &list)))
		goto out;
	const char *line = strstr(buf_str(&list.b), "* SEARCH");
	const char *p = line ? line + 8 : "";
	long lease = 2 * cfg->imap_timeout + STORE_ACQUIRE_TIMEOUT_SECONDS +
		     cfg->statement_timeout / 1000 + 10;
	int handled = 0;
	while (*p == ' ' && handled < cfg->imap_batch) {
		char *end;
		unsigned long uid = strtoul(p, &end, 10);
		if (end == p)
			break;
		p = end;
		char key[2400], suffix[40];
		snprintf(key, sizeof(key), "%s|%lu|%lu", s.base, validity, uid);
		enum inbox_claim claim;
		if (inbox_store_fetch_claim(app->store, key, claimant(), lease,
					    &claim)) {
			out->failed++;
			continue;
		}
		if (claim == INBOX_CLAIM_BUSY)
			continue;
		if (claim == INBOX_CLAIM_TAKEN) {
			struct sink msg;
			buf_init(&msg.b, (size_t)cfg->file_max + 1);
			msg.over = false;
			snprintf(suffix, sizeof(suffix), "/;UID=%lu", uid);
			enum ld_err e = exchange(&s, suffix, NULL, &msg);
			handled++;
			if (e && !msg.over) {
				/* Cut off: nothing stored; any server retries.
				 */
				(void)inbox_store_fetch_release(app->store, key,
								claimant());
				buf_release(&msg.b);
				out->failed++;
				continue;
			}
			struct inbox_source src = {"imap",     cfg->file_max,
						   cfg->clamd, 0,
						   key,	       claimant()};
			struct why why = {0};
			int64_t id = 0;
			if (msg.over) {
				snprintf(why.msg, sizeof(why.msg),
					 "the message is larger than the limit "
					 "of %ld bytes (LINKDESK_FILE_MAX)",
					 cfg->file_max);
				e = LD_ETOOLARGE;
			} else {
				e = inbox_take(app->store, &src, lend, app,
					       app_today(app),
					       (unsigned char *)msg.b.ptr,
					       msg.b.len, &id, &why);
			}
			buf_release(&msg.b);
			if (!e) {
				out->taken++;
			} else if (e == LD_ECONFLICT && !why.field) {
				/* Another server's claim now: it is theirs. */
				continue;
			} else if (ld_err_transient(e) || e == LD_EDB ||
				   e == LD_EIO || e == LD_EINTERNAL) {
				(void)inbox_store_fetch_release(app->store, key,
								claimant());
				out->failed++;
				continue;
			} else {
				char outcome[300];
				snprintf(outcome, sizeof(outcome), "%s: %s",
					 e == LD_ECONFLICT ? "duplicate"
							   : "refused",
					 why.msg);
				if (e == LD_ECONFLICT)
					out->duplicates++;
				else
					out->refused++;
				log_warn("inbox: IMAP UID %lu not taken in: %s",
					 uid, why.msg);
				if (inbox_store_fetch_done(app->store, key,
							   claimant(), outcome))
					continue;
			}
		}
		if (!move(&s, cfg, uid)) {
			out->moved++;
			(void)inbox_store_fetch_moved(app->store, key);
		}
	}
out:
	buf_release(&list.b);
	session_close(&s);
	return err;
}
