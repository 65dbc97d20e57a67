/*
 * Working days that core's calendar counted and the database keeps, for
 * the figures SQL reads in bulk: how long each sent task took (task_days,
 * sql/027) and how long each complaint's stages took (complaint_days,
 * sql/034).  Each has a queue its triggers fill (a row changed, or every
 * row once the holidays or the division changed), worked through here a
 * batch a transaction.  SQL compares the stored days; it never counts them.
 */
#include <stdbool.h>
#include <stdio.h>

#include "buf.h"
#include "db.h"
#include "store.h"
#include "workcal.h"

#define DAYS_BATCH     5000
#define DAYS_MAX_SPANS 6

/*
 * One kind of stored days.  take reads up to $1 queued rows, locked: the
 * id, then a from and a to day (days since 1970-01-01, NULL when unset)
 * for each of the kind's spans.  put is given the ids and, for each span,
 * its working days (NULL where a date is missing or beyond the holidays
 * loaded) as arrays, and empties the queue of those ids.
 */
struct days_kind {
	const char *name;
	int spans;
	const char *take, *put, *sweep;
};

static const struct days_kind kinds[] = {
	{
		.name = "task",
		.spans = 1,
		.take = "SELECT q.task_id, t.set_on - DATE '1970-01-01',"
			" t.sent_on - DATE '1970-01-01'"
			" FROM task_days_due q JOIN task t ON t.id = q.task_id"
			" ORDER BY q.task_id LIMIT $1::int"
			" FOR UPDATE OF q SKIP LOCKED",
		.put = "WITH v AS (SELECT * FROM unnest($1::bigint[],"
		       " $2::int[]) AS v (id, days)),"
		       " gone AS (DELETE FROM task_days WHERE task_id IN"
		       " (SELECT id FROM v WHERE days IS NULL)),"
		       " done AS (DELETE FROM task_days_due"
		       " WHERE task_id = ANY($1::bigint[]))"
		       " INSERT INTO task_days (task_id, working_days)"
		       " SELECT id, days FROM v WHERE days IS NOT NULL"
		       " ON CONFLICT (task_id) DO UPDATE"
		       " SET working_days = EXCLUDED.working_days",
		/* Rows written with the triggers off (the benchmark's load). */
		.sweep = "INSERT INTO task_days_due SELECT t.id FROM task t"
			 " WHERE t.sent_on IS NOT NULL AND NOT EXISTS"
			 " (SELECT 1 FROM task_days d WHERE d.task_id = t.id)"
			 " ON CONFLICT DO NOTHING",
	},
	{
		.name = "complaint",
		.spans = 6,
		/* Stage 1 acknowledged; answered, counted from receipt and
		 * from acknowledgement; the same for stage 2 from the
		 * escalation request. */
		.take = "SELECT c.id,"
			" c.received_on - DATE '1970-01-01',"
			" c.stage1_acknowledged_on - DATE '1970-01-01',"
			" c.received_on - DATE '1970-01-01',"
			" c.stage1_response_on - DATE '1970-01-01',"
			" coalesce(c.stage1_acknowledged_on, c.received_on)"
			"  - DATE '1970-01-01',"
			" c.stage1_response_on - DATE '1970-01-01',"
			" c.escalation_requested_on - DATE '1970-01-01',"
			" c.stage2_acknowledged_on - DATE '1970-01-01',"
			" c.escalation_requested_on - DATE '1970-01-01',"
			" c.stage2_response_on - DATE '1970-01-01',"
			" coalesce(c.stage2_acknowledged_on,"
			"  c.escalation_requested_on) - DATE '1970-01-01',"
			" c.stage2_response_on - DATE '1970-01-01'"
			" FROM complaint_days_due q"
			" JOIN complaint c ON c.id = q.complaint_id"
			" ORDER BY q.complaint_id LIMIT $1::int"
			" FOR UPDATE OF q SKIP LOCKED",
		.put = "WITH done AS (DELETE FROM complaint_days_due"
		       " WHERE complaint_id = ANY($1::bigint[]))"
		       " INSERT INTO complaint_days SELECT * FROM unnest("
		       " $1::bigint[], $2::int[], $3::int[], $4::int[],"
		       " $5::int[], $6::int[], $7::int[])"
		       " ON CONFLICT (complaint_id) DO UPDATE SET"
		       " s1_ack = EXCLUDED.s1_ack,"
		       " s1_response_receipt = EXCLUDED.s1_response_receipt,"
		       " s1_response_ack = EXCLUDED.s1_response_ack,"
		       " s2_ack = EXCLUDED.s2_ack,"
		       " s2_response_request = EXCLUDED.s2_response_request,"
		       " s2_response_ack = EXCLUDED.s2_response_ack",
		.sweep = "INSERT INTO complaint_days_due SELECT c.id"
			 " FROM complaint c WHERE NOT EXISTS"
			 " (SELECT 1 FROM complaint_days d"
			 " WHERE d.complaint_id = c.id)"
			 " ON CONFLICT DO NOTHING",
	},
};

struct fill_ctx {
	const struct days_kind *kind;
	const struct workcal *cal;
	int done; /* rows taken from the queue by this batch */
};

/* The working days of one span, or -1 for none (NULL). */
static int span_days(const struct workcal *cal, PGresult *res, int row, int col)
{
	int n;
	if (PQgetisnull(res, row, col) || PQgetisnull(res, row, col + 1) ||
	    workcal_between(cal, (int32_t)db_long(res, row, col),
			    (int32_t)db_long(res, row, col + 1), &n))
		return -1;
	return n < 0 ? 0 : n;
}

/* One batch: the rows queued, their days by core, the queue emptied. */
static enum ld_err fill_batch(struct db *db, void *arg)
{
	struct fill_ctx *c = arg;
	const struct days_kind *k = c->kind;
	struct buf arrays[1 + DAYS_MAX_SPANS];
	const char *put[1 + DAYS_MAX_SPANS];
	PGresult *res = NULL;
	char limit[16], name[32];
	const char *params[] = {limit};
	snprintf(limit, sizeof(limit), "%d", DAYS_BATCH);
	c->done = 0;
	enum ld_err err = db_begin(db);
	/* Counted only by the current calendar: one older (the holidays
	 * changed since it was loaded) leaves the queue to the reload. */
	if (!err && c->cal->version) {
		err = db_exec(db, "days_calendar",
			      "SELECT n FROM calendar_version FOR SHARE", 0,
			      NULL, &res);
		if (!err && PQntuples(res) &&
		    db_long(res, 0, 0) != c->cal->version) {
			PQclear(res);
			db_rollback(db);
			return LD_OK;
		}
		PQclear(res);
		res = NULL;
	}
	snprintf(name, sizeof(name), "days_take_%s", k->name);
	if (!err)
		err = db_exec(db, name, k->take, 1, params, &res);
	if (err) {
		db_rollback(db);
		return err;
	}
	int rows = PQntuples(res);
	if (rows == 0) { /* another server has them */
		PQclear(res);
		db_rollback(db);
		return LD_OK;
	}
	for (int a = 0; a <= k->spans; a++) {
		buf_init(&arrays[a], 1 << 16);
		buf_addch(&arrays[a], '{');
	}
	for (int i = 0; i < rows; i++) {
		const char *sep = i ? "," : "";
		buf_printf(&arrays[0], "%s%s", sep, PQgetvalue(res, i, 0));
		for (int a = 1; a <= k->spans; a++) {
			int n = span_days(c->cal, res, i, 2 * a - 1);
			if (n < 0)
				buf_printf(&arrays[a], "%sNULL", sep);
			else
				buf_printf(&arrays[a], "%s%d", sep, n);
		}
	}
	PQclear(res);
	for (int a = 0; a <= k->spans; a++) {
		buf_addch(&arrays[a], '}');
		put[a] = buf_str(&arrays[a]);
	}
	snprintf(name, sizeof(name), "days_put_%s", k->name);
	err = db_exec(db, name, k->put, 1 + k->spans, put, NULL);
	if (!err)
		err = db_commit(db);
	if (err)
		db_rollback(db);
	else
		c->done = rows;
	for (int a = 0; a <= k->spans; a++)
		buf_release(&arrays[a]);
	return err;
}

/* Which kinds have anything queued: one read for all, no transaction
 * (nothing queued is the usual answer), a column a kind of kinds[], in
 * its order. */
_Static_assert(sizeof(kinds) / sizeof(kinds[0]) == 2,
	       "days_queued reads one column for each kind of kinds[]");
static enum ld_err queued(struct db *db, void *arg)
{
	bool *any = arg;
	PGresult *res = NULL;
	enum ld_err err = db_exec(db, "days_queued",
				  "SELECT EXISTS (SELECT 1 FROM task_days_due),"
				  " EXISTS (SELECT 1 FROM complaint_days_due)",
				  0, NULL, &res);
	for (size_t i = 0; !err && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		any[i] = PQgetvalue(res, 0, (int)i)[0] == 't';
	PQclear(res);
	return err;
}

enum ld_err days_store_fill(struct store *s, const struct workcal *cal,
			    int *filled)
{
	bool any[sizeof(kinds) / sizeof(kinds[0])] = {false};
	enum ld_err err = db_run(s, queued, any);
	*filled = 0;
	for (size_t i = 0; !err && i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct fill_ctx c = {&kinds[i], cal, 0};
		if (!any[i])
			continue;
		do {
			err = db_run(s, fill_batch, &c);
			*filled += c.done;
		} while (!err && c.done == DAYS_BATCH);
	}
	return err;
}

static enum ld_err sweep(struct db *db, void *arg)
{
	(void)arg;
	enum ld_err err = LD_OK;
	for (size_t i = 0; !err && i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		char name[32];
		snprintf(name, sizeof(name), "days_sweep_%s", kinds[i].name);
		err = db_exec(db, name, kinds[i].sweep, 0, NULL, NULL);
	}
	return err;
}

enum ld_err days_store_sweep(struct store *s)
{
	return db_run(s, sweep, NULL);
}
