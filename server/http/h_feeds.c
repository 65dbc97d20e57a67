/* Calendar feeds: subscriptions behind revocable tokens, and the feeds. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "arena.h"
#include "date.h"
#include "handlers.h"
#include "ics.h"
#include "input.h"
#include "mail_store.h"
#include "secret.h"
#include "store.h"
#include "workcal.h"
#include "xalloc.h"

#define CHECKPOINT_DAYS 3

enum ld_err h_feeds(struct request *req)
{
	char *json = NULL;
	enum ld_err err = feed_store_list(req->app->store, &req->who, &json);
	return reply_result(req, err, json, NULL, 200);
}

/* POST /api/v1/feeds {scope: mine|area|all, service_area_id?} */
enum ld_err h_feed_create(struct request *req)
{
	static const char *const fields[] = {"scope", "service_area_id", NULL};
	static const char *const scopes[] = {"mine", "area", "all", NULL};
	char token[SECRET_TOKEN_LEN];
	unsigned char hash[SECRET_HASH_LEN];
	struct why why = {0};
	long long area = 0;
	int scope = 0;
	json_t *body;
	char *json = NULL;
	enum ld_err err;

	if ((err = request_json(req, &body)) ||
	    (err = input_known_fields(req, body, fields)) ||
	    (err = input_enum(req, body, "scope", scopes, true, &scope)) ||
	    (err = input_int(req, body, "service_area_id", 1, INT64_MAX,
			     scope == 1, &area)))
		return err;
	if (scope != 1 && area)
		return request_fail(req, LD_EINVAL, "service_area_id",
				    "only an area feed names a service area");
	secret_token(token);
	secret_hash(token, hash);
	err = feed_store_create(req->app->store, &req->who, scopes[scope], area,
				hash, &json, &why);
	if (err)
		return reply_result(req, err, NULL, &why, 201);
	json_t *feeds = json_loads(json, 0, NULL);
	free(json);
	if (!feeds)
		return LD_EINTERNAL;
	/* The address is shown once; only its hash is kept. */
	const char *base = req->app->cfg.base_url;
	const char *rest = strstr(base, "://");
	char *url = arena_printf(req->arena, "%s/feeds/%s.ics", base, token);
	char *webcal = arena_printf(req->arena, "webcal://%s/feeds/%s.ics",
				    rest ? rest + 3 : base, token);
	json_t *last = json_array_get(feeds, json_array_size(feeds) - 1);
	reply_json(req, 201,
		   json_pack("{s:O, s:s, s:s, s:o}", "feed", last, "url", url,
			     "webcal_url", webcal, "feeds", feeds));
	return LD_OK;
}

enum ld_err h_feed_revoke(struct request *req)
{
	int64_t id;
	enum ld_err err = request_id(req, 0, &id);
	if (!err)
		err = feed_store_revoke(req->app->store, &req->who, id);
	if (err)
		return err;
	reply_json(req, 200, json_pack("{s:I}", "revoked", (json_int_t)id));
	return LD_OK;
}

struct checkpoints {
	const struct feed_task *tasks;
	int n;
	int32_t *out;
};

static enum ld_err checkpoints(const struct workcal *cal, void *arg)
{
	struct checkpoints *c = arg;
	for (int i = 0; i < c->n; i++) {
		/* Three working days before: the day to have it ready. */
		int32_t d = c->tasks[i].due;
		int k = 0;
		while (k < CHECKPOINT_DAYS && workcal_covers(cal, d - 1)) {
			d--;
			k += workcal_is_working_day(cal, d);
		}
		c->out[i] = d;
	}
	return LD_OK;
}

/*
 * A hash of everything the feed's body is made from: the program's version
 * and base URL, the feed's name, and each task's fields and checkpoint.
 */
static char *feed_etag(struct request *req, const char *name,
		       const struct feed_task *tasks, const int32_t *cps, int n)
{
	crypto_hash_sha256_state st;
	unsigned char raw[crypto_hash_sha256_BYTES];
	char *etag = arena_alloc(req->arena, 36);

	crypto_hash_sha256_init(&st);
	const char *head =
		arena_printf(req->arena, "%s\n%s\n%s\n", LINKDESK_VERSION,
			     req->app->cfg.base_url, name);
	crypto_hash_sha256_update(&st, (const unsigned char *)head,
				  strlen(head));
	for (int i = 0; i < n; i++) {
		const struct feed_task *t = &tasks[i];
		const char *row = arena_printf(
			req->arena, "%lld %d %d %lld %d %s\x1f%s\n",
			(long long)t->id, (int)t->due, (int)cps[i],
			(long long)t->stamp, t->version, t->case_ref, t->title);
		crypto_hash_sha256_update(&st, (const unsigned char *)row,
					  strlen(row));
	}
	crypto_hash_sha256_final(&st, raw);
	etag[0] = '"';
	sodium_bin2hex(etag + 1, 33, raw, 16);
	strcat(etag, "\"");
	return etag;
}

/* The feed's reply: 304 when the client has it, else the calendar. */
static enum ld_err feed_reply(struct request *req, const char *etag, char *ics)
{
	reply_header(req, "ETag", arena_strdup(req->arena, etag));
	reply_header(req, "Cache-Control", "private, max-age=300");
	const char *match = request_header(req, "If-None-Match");
	if (match && !strcmp(match, etag)) {
		free(ics);
		req->status = 304;
		return LD_OK;
	}
	req->data = ics;
	req->len = strlen(ics);
	req->status = 200;
	req->content_type = "text/calendar; charset=utf-8";
	return LD_OK;
}

struct feed_build {
	struct request *req;
	const unsigned char *hash;
};

/* The feed as "ETag\nbody" (for store_remember), or LD_ENOTFOUND. */
static enum ld_err feed_build(void *arg, char **text)
{
	struct feed_build *fb = arg;
	struct request *req = fb->req;
	char name[200], host[128];
	struct feed_task *tasks = NULL;
	int n = 0;
	enum ld_err err = feed_store_tasks(req->app->store, fb->hash, &tasks,
					   &n, name, sizeof(name));
	if (err)
		return err;

	const char *p = strstr(req->app->cfg.base_url, "://");
	p = p ? p + 3 : req->app->cfg.base_url;
	snprintf(host, sizeof(host), "%.*s", (int)strcspn(p, ":/"), p);
	struct checkpoints cps = {
		tasks, n,
		arena_calloc(req->arena, (size_t)n + 1, sizeof(int32_t))};
	app_with_calendar(req->app, checkpoints, &cps);
	/* The feed is a function of what was just read: its hash is a strong
	 * ETag. */
	char *etag = feed_etag(req, name, tasks, cps.out, n);
	struct ics_event *ev =
		arena_calloc(req->arena, (size_t)n * 2 + 1, sizeof(*ev));
	for (int i = 0; i < n; i++) {
		const struct feed_task *t = &tasks[i];
		char due[DATE_STRLEN];
		date_format(t->due, due);
		const char *url =
			arena_printf(req->arena, "%s/tasks/%lld",
				     req->app->cfg.base_url, (long long)t->id);
		const char *desc = arena_printf(
			req->arena,
			"Ombudsman task due %s. Open it in Linkdesk: %s", due,
			url);
		ev[2 * i] = (struct ics_event){
			arena_printf(req->arena, "task-%lld-due@%s",
				     (long long)t->id, host),
			t->due,
			t->stamp,
			t->version,
			arena_printf(req->arena, "Due: %s: %s", t->case_ref,
				     t->title),
			desc,
			url,
			true,
			false};
		ev[2 * i + 1] = (struct ics_event){
			arena_printf(req->arena, "task-%lld-checkpoint@%s",
				     (long long)t->id, host),
			cps.out[i],
			t->stamp,
			t->version,
			arena_printf(req->arena, "3 working days to go: %s: %s",
				     t->case_ref, t->title),
			desc,
			url,
			true,
			false};
	}
	free(tasks);
	char *ics = ics_calendar(NULL,
				 arena_printf(req->arena, "Linkdesk: %s", name),
				 NULL, NULL, ev, (size_t)n * 2);
	size_t elen = strlen(etag), ilen = strlen(ics);
	*text = xmalloc(elen + ilen + 2);
	memcpy(*text, etag, elen);
	(*text)[elen] = '\n';
	memcpy(*text + elen + 1, ics, ilen + 1);
	free(ics);
	return LD_OK;
}

/*
 * GET /feeds/{token}.ics: public by its long random token.  Calendar
 * clients ask often and tasks change seldom, so the built feed is
 * remembered per database snapshot: until anything commits (a task, the
 * feed revoked, its owner deactivated) it is served from memory.
 */
enum ld_err h_feed(struct request *req)
{
	char token[SECRET_TOKEN_LEN + 8];
	char key[8 + 2 * SECRET_HASH_LEN + 1];
	unsigned char hash[SECRET_HASH_LEN];
	char *text;

	snprintf(token, sizeof(token), "%s", req->params[0]);
	size_t len = strlen(token);
	if (len > 4 && !strcmp(token + len - 4, ".ics"))
		token[len - 4] = '\0';
	secret_hash(token, hash);
	memcpy(key, "feed ", 5);
	sodium_bin2hex(key + 5, sizeof(key) - 5, hash, SECRET_HASH_LEN);
	struct feed_build fb = {req, hash};
	enum ld_err err =
		store_remember(req->app->store, key, feed_build, &fb, &text);
	if (err == LD_ENOTFOUND)
		return request_fail(req, err, NULL, "no such calendar feed");
	if (err)
		return err;
	/* "ETag\nbody": the body moved to the front, for the reply. */
	char *nl = strchr(text, '\n');
	*nl = '\0';
	char *etag = arena_strdup(req->arena, text);
	memmove(text, nl + 1, strlen(nl + 1) + 1);
	return feed_reply(req, etag, text);
}

enum ld_err h_outbox_retry(struct request *req)
{
	int64_t id;
	enum ld_err err = request_id(req, 0, &id);
	if (!err)
		err = outbox_store_retry(req->app->store, &req->who, id);
	if (err == LD_ENOTFOUND)
		return request_fail(req, err, NULL,
				    "no failed message with that id");
	if (err)
		return err;
	reply_json(req, 200, json_pack("{s:I}", "queued", (json_int_t)id));
	return LD_OK;
}
