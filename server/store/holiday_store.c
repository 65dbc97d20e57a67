#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "date.h"
#include "db.h"
#include "holiday_feed.h"
#include "holiday_rules.h"
#include "log.h"
#include "store.h"
#include "workcal.h"
#include "xalloc.h"

struct load_ctx {
	const char *division;
	struct workcal *cal;
};

static enum ld_err load(struct db *db, void *arg)
{
	struct load_ctx *ctx = arg;
	const char *params[] = {ctx->division && *ctx->division ? ctx->division
								: NULL};
	PGresult *res;
	enum ld_err err;
	int64_t version;

	/* The version first: a change committed after it leaves a newer
	 * version than this calendar's, so nothing counts by it for long. */
	err = db_exec(db, "calendar_version", "SELECT n FROM calendar_version",
		      0, NULL, &res);
	if (err)
		return err;
	version = PQntuples(res) ? db_long(res, 0, 0) : 0;
	PQclear(res);
	err = db_exec(db, "holiday_load",
		      "SELECT (day - DATE '1970-01-01'),"
		      " min(extract(year FROM day)::int) OVER (),"
		      " max(extract(year FROM day)::int) OVER ()"
		      " FROM holiday WHERE division = coalesce($1::text,"
		      "  " HOLIDAY_DIVISION_SQL ") ORDER BY day",
		      1, params, &res);
	if (err)
		return err;
	workcal_release(ctx->cal);
	int rows = PQntuples(res);
	for (int i = 0; i < rows; i++)
		workcal_add_holiday(ctx->cal, (int32_t)db_long(res, i, 0));
	if (rows) {
		int first = (int)db_long(res, 0, 1),
		    last = (int)db_long(res, 0, 2);
		workcal_set_range(ctx->cal, date_from_ymd(first, 1, 1),
				  date_from_ymd(last, 12, 31));
	}
	PQclear(res);
	ctx->cal->version = ctx->division && *ctx->division ? 0 : version;
	return LD_OK;
}

enum ld_err holiday_store_load(struct store *s, const char *division,
			       struct workcal *cal)
{
	struct load_ctx ctx = {division, cal};
	return db_run(s, load, &ctx);
}

/* Imports of holidays, one at a time, whichever process runs them. */
#define IMPORT_LOCK "4155862473"

/* The channel running servers LISTEN on for a new calendar. */
/* The holidays' trigger (sql/028) notifies on this channel. */
#define HOLIDAY_CHANNEL "linkdesk_holidays"

struct import_ctx {
	const struct holiday_feed *feed;
	bool force;
	struct holiday_plan *plan;
};

/*
 * The feed goes to PostgreSQL as one JSON parameter, so no statement text is
 * ever built from its contents.
 */
static char *feed_json(const struct holiday_feed *feed)
{
	json_t *arr = json_array();
	char date[DATE_STRLEN];

	for (size_t i = 0; i < feed->n; i++) {
		const struct holiday_feed_event *e = &feed->events[i];
		date_format(e->day, date);
		json_array_append_new(
			arr, json_pack("{s:s, s:s, s:s, s:s}", "division",
				       e->division, "day", date, "title",
				       e->title, "notes", e->notes));
	}
	char *text = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	return text;
}

static char *changes_json(const struct holiday_plan *plan)
{
	static const char *const kinds[] = {"added", "changed", "removed"};
	json_t *arr = json_array();
	char date[DATE_STRLEN];

	for (size_t i = 0; i < plan->n; i++) {
		const struct holiday_change *c = &plan->changes[i];
		date_format(c->day, date);
		json_array_append_new(
			arr, json_pack("{s:s, s:s, s:s, s:s, s:s}", "kind",
				       kinds[c->kind], "division", c->division,
				       "day", date, "title", c->title, "notes",
				       c->notes));
	}
	char *text = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	return text;
}

/* The days held now in the (division, year)s the feed holds. */
static enum ld_err held_days(struct db *db, const char *json, PGresult **res,
			     struct holiday_held **held)
{
	const char *params[] = {json};
	enum ld_err err = db_exec(
		db, "holiday_import_held",
		"SELECT division, (day - DATE '1970-01-01'), title, notes,"
		" provisional FROM holiday h WHERE EXISTS (SELECT 1"
		"  FROM json_to_recordset($1::json) AS x(division text, day "
		"date)"
		"  WHERE x.division = h.division AND extract(year FROM x.day) ="
		"  extract(year FROM h.day))",
		1, params, res);
	if (err)
		return err;
	int rows = PQntuples(*res);
	*held = xcalloc((size_t)rows + 1, sizeof(**held));
	for (int i = 0; i < rows; i++)
		(*held)[i] = (struct holiday_held){
			PQgetvalue(*res, i, 0), (int32_t)db_long(*res, i, 1),
			PQgetvalue(*res, i, 2), PQgetvalue(*res, i, 3),
			PQgetvalue(*res, i, 4)[0] == 't'};
	return LD_OK;
}

/*
 * Only what differs is written, so a feed imported again changes nothing
 * (and the audit trigger records nothing); the holidays' trigger
 * (sql/028) notifies every server listening, at commit.
 */
static enum ld_err import(struct db *db, void *arg)
{
	struct import_ctx *ctx = arg;
	char *json = feed_json(ctx->feed), *changes = NULL;
	struct holiday_held *held = NULL;
	PGresult *res = NULL;
	enum ld_err err;

	holiday_plan_release(ctx->plan);
	if ((err = db_begin(db)) ||
	    (err = db_exec(db, "holiday_import_lock",
			   "SELECT pg_advisory_xact_lock(" IMPORT_LOCK ")", 0,
			   NULL, NULL)) ||
	    (err = held_days(db, json, &res, &held)))
		goto out;
	holiday_plan_make(ctx->feed, held, (size_t)PQntuples(res), ctx->plan);
	if (ctx->plan->refusal[0] && !ctx->force) {
		err = LD_EVALIDATION;
		goto out;
	}
	if (ctx->plan->n) {
		changes = changes_json(ctx->plan);
		const char *params[] = {changes};
		err = db_exec(
			db, "holiday_import_apply",
			"WITH c AS (SELECT * FROM json_to_recordset($1::json)"
			"  AS x(kind text, division text, day date, title text,"
			"  notes text)),"
			" gone AS (DELETE FROM holiday h USING c"
			"  WHERE c.kind = 'removed' AND h.division = c.division"
			"  AND h.day = c.day),"
			" changed AS (UPDATE holiday h SET title = c.title,"
			"  notes = c.notes, provisional = false FROM c"
			"  WHERE c.kind = 'changed' AND h.division = c.division"
			"  AND h.day = c.day)"
			" INSERT INTO holiday (division, day, title, notes,"
			"  provisional)"
			" SELECT division, day, title, notes, false FROM c"
			" WHERE kind = 'added'",
			1, params, NULL);
		if (err)
			goto out;
	}
	err = db_commit(db);
out:
	if (err)
		db_rollback(db);
	PQclear(res);
	free(held);
	free(json);
	free(changes);
	return err;
}

enum ld_err holiday_store_import(struct store *s,
				 const struct holiday_feed *feed, bool force,
				 struct holiday_plan *plan)
{
	struct import_ctx ctx = {feed, force, plan};
	memset(plan, 0, sizeof(*plan));
	return db_run(s, import, &ctx);
}

void holiday_store_watch(const char *conninfo, atomic_bool *stop,
			 void (*changed)(void *), void *ctx)
{
	bool warned = false;
	while (!atomic_load(stop)) {
		char why[256];
		PGconn *pg = db_connect(conninfo, why, sizeof(why));
		PGresult *res =
			pg ? PQexec(pg, "LISTEN " HOLIDAY_CHANNEL) : NULL;
		if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
			if (!warned)
				log_warn("holiday imports not heard: %s",
					 pg ? PQerrorMessage(pg) : why);
			warned = true;
			PQclear(res);
			PQfinish(pg);
			/* Try again in five seconds, stopping at once. */
			for (int i = 0; i < 20 && !atomic_load(stop); i++)
				usleep(250 * 1000);
			continue;
		}
		PQclear(res);
		warned = false;
		/* An import may have come while nobody listened. */
		changed(ctx);
		while (!atomic_load(stop)) {
			struct pollfd pfd = {PQsocket(pg), POLLIN, 0};
			if (poll(&pfd, 1, 250) < 0 && errno != EINTR)
				break;
			if (!PQconsumeInput(pg))
				break; /* lost: connect again */
			PGnotify *note;
			bool any = false;
			while ((note = PQnotifies(pg))) {
				any = true;
				PQfreemem(note);
			}
			if (any)
				changed(ctx);
		}
		PQfinish(pg);
	}
}

struct generate_ctx {
	int from, to;
	int added;
};

static enum ld_err generate(struct db *db, void *arg)
{
	struct generate_ctx *ctx = arg;
	enum ld_err err = db_begin(db);
	if (err)
		goto out;
	for (int year = ctx->from; year <= ctx->to; year++) {
		struct holiday h[HOLIDAY_RULES_MAX];
		int n = holiday_rules_england_wales(year, h);
		json_t *arr = json_array();
		for (int i = 0; i < n; i++) {
			char date[DATE_STRLEN];
			date_format(h[i].day, date);
			json_array_append_new(
				arr,
				json_pack("{s:s, s:s, s:s}", "day", date,
					  "title", h[i].title, "notes",
					  h[i].substitute ? "Substitute day"
							  : ""));
		}
		char *json = json_dumps(arr, JSON_COMPACT);
		char yearbuf[8];
		snprintf(yearbuf, sizeof(yearbuf), "%d", year);
		const char *params[] = {json, yearbuf};
		PGresult *res;
		json_decref(arr);
		err = db_exec(
			db, "holiday_generate",
			"INSERT INTO holiday (division, day, title, notes,"
			" provisional)"
			" SELECT 'england-and-wales', day, title, notes, true"
			" FROM json_to_recordset($1::json)"
			" AS x(day date, title text, notes text)"
			" WHERE NOT EXISTS (SELECT 1 FROM holiday"
			"  WHERE division = 'england-and-wales'"
			"  AND extract(year FROM day)::int = $2::int)",
			2, params, &res);
		free(json);
		if (err)
			goto out;
		if (db_affected(res) > 0)
			ctx->added++;
		PQclear(res);
	}
	err = db_commit(db);
out:
	if (err)
		db_rollback(db);
	return err;
}

static enum ld_err set_division(struct db *db, void *arg)
{
	const char *const *division = arg;
	const char *params[] = {*division};
	return db_exec(db, "holiday_division_set",
		       "UPDATE setting SET value = $1, updated_at = now()"
		       " WHERE name = 'holiday_division' AND value <> $1",
		       1, params, NULL);
}

enum ld_err holiday_store_set_division(struct store *s, const char *division)
{
	if (!holiday_feed_division(division))
		return LD_EINVAL;
	return db_run(s, set_division, &division);
}

enum ld_err holiday_store_generate(struct store *s, int from, int to,
				   int *added)
{
	struct generate_ctx ctx = {from, to, 0};
	enum ld_err err = db_run(s, generate, &ctx);
	*added = ctx.added;
	return err;
}

struct list_ctx {
	const char *division;
	int year;
	void (*fn)(const struct holiday_row *, void *);
	void *fnctx;
};

static enum ld_err list(struct db *db, void *arg)
{
	struct list_ctx *ctx = arg;
	char year[8];
	const char *params[] = {
		ctx->division && *ctx->division ? ctx->division : NULL, year};
	PGresult *res;

	snprintf(year, sizeof(year), "%d", ctx->year);
	enum ld_err err = db_exec(
		db, "holiday_list",
		"SELECT (day - DATE '1970-01-01'), title, notes, provisional"
		" FROM holiday WHERE division = "
		"coalesce($1::text, " HOLIDAY_DIVISION_SQL ")"
		" AND ($2::int = 0 OR extract(year FROM day)::int = $2::int)"
		" ORDER BY day",
		2, params, &res);
	if (err)
		return err;
	for (int i = 0; i < PQntuples(res); i++) {
		struct holiday_row row;
		row.day = (int32_t)db_long(res, i, 0);
		snprintf(row.title, sizeof(row.title), "%s",
			 PQgetvalue(res, i, 1));
		snprintf(row.notes, sizeof(row.notes), "%s",
			 PQgetvalue(res, i, 2));
		row.provisional = PQgetvalue(res, i, 3)[0] == 't';
		ctx->fn(&row, ctx->fnctx);
	}
	PQclear(res);
	return LD_OK;
}

enum ld_err holiday_store_list(struct store *s, const char *division, int year,
			       void (*fn)(const struct holiday_row *, void *),
			       void *ctx)
{
	struct list_ctx lctx = {division, year, fn, ctx};
	return db_run(s, list, &lctx);
}
