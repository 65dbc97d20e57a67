/* Calendar feeds: subscriptions behind revocable tokens, and the feeds. */
#include <libical/ical.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* How often a subscribed calendar is asked to look again (RFC 7986). */
#define FEED_REFRESH_SECONDS 3600
#define FEED_REFRESH_TEXT    "PT1H"

/* Feeds whose Last-Modified is remembered (see feed_since). */
#define SINCE_SLOTS 1024

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

enum ld_err feeds_revoke(struct request *req, int64_t *id)
{
	enum ld_err err = request_id(req, 0, id);
	return err ? err : feed_store_revoke(req->app->store, &req->who, *id);
}

enum ld_err h_feed_revoke(struct request *req)
{
	int64_t id;
	enum ld_err err = feeds_revoke(req, &id);
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
	for (int i = 0; i < c->n; i++)
		c->out[i] = workcal_checkpoint(cal, c->tasks[i].due);
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
		arena_printf(req->arena, "feed 2\n%s\n%s\n%s\n",
			     LINKDESK_VERSION, req->app->cfg.base_url, name);
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

/*
 * Does an If-None-Match header match etag (RFC 9110 section 13.1.2)?  "*"
 * matches any feed that exists; otherwise the header is a list of entity
 * tags, compared weakly: W/"x" matches "x".  A malformed member matches
 * nothing, and the rest of the list still counts.
 */
static bool none_match(const char *header, const char *etag)
{
	size_t elen = strlen(etag);
	const char *p = header;
	for (;;) {
		p += strspn(p, " \t,");
		if (!*p)
			return false;
		if (*p == '*')
			return true;
		if (!strncmp(p, "W/", 2))
			p += 2;
		if (*p != '"') {
			p += strcspn(p, ",");
			continue;
		}
		const char *end = strchr(p + 1, '"');
		if (!end)
			return false;
		if ((size_t)(end + 1 - p) == elen && !memcmp(p, etag, elen))
			return true;
		p = end + 1;
	}
}

/* An HTTP-date (IMF-fixdate, RFC 9110 section 5.6.7) of Unix seconds. */
static const char *http_date(struct request *req, int64_t t)
{
	char *out = arena_alloc(req->arena, 32);
	struct tm tm;
	time_t tt = (time_t)t;
	gmtime_r(&tt, &tm);
	strftime(out, 32, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	return out;
}

/* An HTTP-date in any of the three forms a recipient must accept. */
static bool http_date_parse(const char *s, int64_t *out)
{
	static const char *const forms[] = {
		"%a, %d %b %Y %H:%M:%S GMT", /* IMF-fixdate */
		"%A, %d-%b-%y %H:%M:%S GMT", /* RFC 850 */
		"%a %b %e %H:%M:%S %Y",	     /* asctime() */
	};
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		struct tm tm;
		memset(&tm, 0, sizeof(tm));
		const char *end = strptime(s, forms[i], &tm);
		if (end && !end[strspn(end, " \t")]) {
			*out = (int64_t)timegm(&tm);
			return true;
		}
	}
	return false;
}

/*
 * When this feed's body last changed, as far as this process knows: the
 * time it first served the current ETag.  Each feed remembers its latest
 * ETag only, so a body that changes back to an earlier one is new again.
 * A feed not remembered (a restart, another feed in its slot) counts from
 * now: a Last-Modified later than the true one costs a client one full
 * reply, while an earlier one could keep a changed feed from it.
 * Seconds are the resolution of HTTP dates, so each change moves the time
 * on by at least one.
 */
static int64_t feed_since(const unsigned char *hash, const char *etag)
{
	static struct {
		unsigned char hash[16];
		char etag[40];
		int64_t since;
	} slots[SINCE_SLOTS];
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	int64_t now = (int64_t)time(NULL), since;
	unsigned i = ((unsigned)hash[0] | (unsigned)hash[1] << 8) % SINCE_SLOTS;

	pthread_mutex_lock(&lock);
	if (memcmp(slots[i].hash, hash, 16)) {
		memcpy(slots[i].hash, hash, 16);
		slots[i].since = 0;
		slots[i].etag[0] = '\0';
	}
	if (strcmp(slots[i].etag, etag)) {
		snprintf(slots[i].etag, sizeof(slots[i].etag), "%s", etag);
		slots[i].since =
			slots[i].since >= now ? slots[i].since + 1 : now;
	}
	since = slots[i].since;
	pthread_mutex_unlock(&lock);
	return since;
}

static ssize_t no_body(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)cls;
	(void)pos;
	(void)buf;
	(void)max;
	return MHD_CONTENT_READER_END_OF_STREAM;
}

/*
 * A 304 has no content, and RFC 9110 (section 8.6) lets it carry a
 * Content-Length only of the full reply's size.  libmicrohttpd 0.9.75 adds
 * "Content-Length: 0" to any reply of known size and chunks one of unknown
 * size, so the reply is of unknown size in its HTTP/1.0 manner: neither
 * header, the connection closed after it (a calendar asks once an hour).
 */
static enum ld_err not_modified(struct request *req)
{
	struct MHD_Response *resp = MHD_create_response_from_callback(
		MHD_SIZE_UNKNOWN, 64, no_body, NULL, NULL);
	if (!resp)
		return LD_EINTERNAL;
	MHD_set_response_options(resp, MHD_RF_HTTP_1_0_COMPATIBLE_STRICT,
				 MHD_RO_END);
	reply_response(req, 304, NULL, resp);
	return LD_OK;
}

/*
 * The feed's reply: 304 when the client has it (If-None-Match, or when
 * there is none, If-Modified-Since: RFC 9110 section 13.2.2), else the
 * calendar.
 */
static enum ld_err feed_reply(struct request *req, const unsigned char *hash,
			      const char *etag, char *ics)
{
	int64_t since = feed_since(hash, etag), asked;
	reply_header(req, "ETag", arena_strdup(req->arena, etag));
	reply_header(req, "Last-Modified", http_date(req, since));
	reply_header(req, "Cache-Control", "private, max-age=300");
	const char *match = request_header(req, "If-None-Match");
	const char *modified = request_header(req, "If-Modified-Since");
	if (match ? none_match(match, etag)
		  : modified && http_date_parse(modified, &asked) &&
			    since <= asked) {
		free(ics);
		return not_modified(req);
	}
	req->data = ics;
	req->len = strlen(ics);
	req->status = 200;
	req->content_type = "text/calendar; charset=utf-8";
	return LD_OK;
}

/*
 * The calendar's name as its owner would give it, from the store's
 * "scope:name" (the owner's name, or the service area's).
 */
static const char *feed_name(struct request *req, const char *scoped)
{
	const char *colon = strchr(scoped, ':');
	const char *who = colon ? colon + 1 : scoped;
	if (!strncmp(scoped, "mine:", 5))
		return arena_printf(req->arena,
				    "Linkdesk: %s's Ombudsman tasks", who);
	if (!strncmp(scoped, "area:", 5))
		return arena_printf(req->arena,
				    "Linkdesk: Ombudsman tasks of %s", who);
	return "Linkdesk: all Ombudsman tasks";
}

/*
 * What ics_calendar() leaves to a feed, added with libical: how often to
 * refresh (REFRESH-INTERVAL of RFC 7986, and X-PUBLISHED-TTL, which Outlook
 * reads), and each event's LAST-MODIFIED, which is its DTSTAMP (the
 * task's last change).  free() the result.
 */
static char *feed_dress(const char *ics)
{
	icalcomponent *cal = icalparser_parse_string(ics);
	if (!cal)
		return NULL;
	icalproperty *p = icalproperty_new_refreshinterval(
		icaldurationtype_from_int(FEED_REFRESH_SECONDS));
	icalproperty_add_parameter(
		p, icalparameter_new_value(ICAL_VALUE_DURATION));
	icalcomponent_add_property(cal, p);
	p = icalproperty_new_x(FEED_REFRESH_TEXT);
	icalproperty_set_x_name(p, "X-PUBLISHED-TTL");
	icalcomponent_add_property(cal, p);
	for (icalcomponent *ev = icalcomponent_get_first_component(
		     cal, ICAL_VEVENT_COMPONENT);
	     ev;
	     ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT))
		icalcomponent_add_property(
			ev, icalproperty_new_lastmodified(
				    icalcomponent_get_dtstamp(ev)));
	char *text = icalcomponent_as_ical_string_r(cal);
	icalcomponent_free(cal);
	return text;
}

/* An event's UID: "task-N-due@INSTALLATION.linkdesk", owned by the arena. */
static const char *feed_uid(struct request *req, const char *what,
			    long long task_id, const char *inst)
{
	struct buf b;
	buf_init(&b, 256);
	const char *local =
		arena_printf(req->arena, "task-%lld-%s", task_id, what);
	const char *out = ics_uid(&b, local, inst)
				  ? ""
				  : arena_strdup(req->arena, buf_str(&b));
	buf_release(&b);
	return out;
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
	char name[200], inst[128];
	struct feed_task *tasks = NULL;
	int n = 0;
	enum ld_err err = feed_store_tasks(req->app->store, fb->hash, &tasks,
					   &n, name, sizeof(name));
	if (err)
		return err;

	/* UIDs by installation, as invites': not by the base URL's host. */
	if ((err = mail_store_installation_id(req->app->store, inst,
					      sizeof(inst)))) {
		free(tasks);
		return err;
	}
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
			feed_uid(req, "due", t->id, inst),
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
			feed_uid(req, "checkpoint", t->id, inst),
			cps.out[i],
			t->stamp,
			t->version,
			arena_printf(
				req->arena, "%d working days to go: %s: %s",
				WORKCAL_CHECKPOINT_DAYS, t->case_ref, t->title),
			desc,
			url,
			true,
			false};
	}
	free(tasks);
	char *plain = ics_calendar(NULL, feed_name(req, name), NULL, NULL, ev,
				   (size_t)n * 2);
	char *ics = feed_dress(plain);
	free(plain);
	if (!ics)
		return LD_EINTERNAL;
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
	if (err == LD_EGONE)
		return request_fail(req, err, NULL,
				    "this calendar feed was revoked: "
				    "unsubscribe from it");
	if (err)
		return err;
	/* "ETag\nbody": the body moved to the front, for the reply. */
	char *nl = strchr(text, '\n');
	*nl = '\0';
	char *etag = arena_strdup(req->arena, text);
	memmove(text, nl + 1, strlen(nl + 1) + 1);
	return feed_reply(req, hash, etag, text);
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
