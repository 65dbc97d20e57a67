#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "db.h"
#include "holiday_feed.h"
#include "holiday_rules.h"
#include "workcal.h"

struct load_ctx {
	const char *division;
	struct workcal *cal;
};

static enum ld_err load(struct db *db, void *arg)
{
	struct load_ctx *ctx = arg;
	const char *params[] = {ctx->division};
	PGresult *res;
	enum ld_err err;

	err = db_exec(db, "holiday_load",
		      "SELECT (day - DATE '1970-01-01'),"
		      " min(extract(year FROM day)::int) OVER (),"
		      " max(extract(year FROM day)::int) OVER ()"
		      " FROM holiday WHERE division = $1 ORDER BY day",
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
	return LD_OK;
}

enum ld_err holiday_store_load(struct store *s, const char *division,
			       struct workcal *cal)
{
	struct load_ctx ctx = {division, cal};
	return db_run(s, load, &ctx);
}

struct import_ctx {
	const struct holiday_feed *feed;
	int added;
	int years;
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

static enum ld_err import(struct db *db, void *arg)
{
	struct import_ctx *ctx = arg;
	char *json = feed_json(ctx->feed);
	const char *params[] = {json};
	PGresult *res = NULL;
	enum ld_err err;

	err = db_begin(db);
	if (err)
		goto out;
	err = db_exec(db, "holiday_import_clear",
		      "WITH feed AS (SELECT DISTINCT division,"
		      "  extract(year FROM day)::int AS year"
		      "  FROM json_to_recordset($1::json)"
		      "  AS x(division text, day date)),"
		      " gone AS (DELETE FROM holiday h USING feed f"
		      "  WHERE h.division = f.division"
		      "  AND extract(year FROM h.day)::int = f.year)"
		      " SELECT count(*) FROM feed",
		      1, params, &res);
	if (err)
		goto out;
	ctx->years = (int)db_long(res, 0, 0);
	PQclear(res);
	res = NULL;
	err = db_exec(db, "holiday_import_insert",
		      "INSERT INTO holiday (division, day, title, notes,"
		      " provisional)"
		      " SELECT division, day, title, coalesce(notes, ''), false"
		      " FROM json_to_recordset($1::json)"
		      " AS x(division text, day date, title text, notes text)"
		      " ON CONFLICT (division, day) DO NOTHING",
		      1, params, &res);
	if (err)
		goto out;
	ctx->added = (int)db_affected(res);
	err = db_commit(db);
out:
	if (err)
		db_rollback(db);
	PQclear(res);
	free(json);
	return err;
}

enum ld_err holiday_store_import(struct store *s,
				 const struct holiday_feed *feed, int *added,
				 int *years)
{
	struct import_ctx ctx = {feed, 0, 0};
	enum ld_err err = db_run(s, import, &ctx);
	*added = ctx.added;
	*years = ctx.years;
	return err;
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
	const char *params[] = {ctx->division, year};
	PGresult *res;

	snprintf(year, sizeof(year), "%d", ctx->year);
	enum ld_err err = db_exec(
		db, "holiday_list",
		"SELECT (day - DATE '1970-01-01'), title, notes, provisional"
		" FROM holiday WHERE division = $1"
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
