/*
 * The working days each sent task took, computed by core's calendar and
 * stored in task_days (sql/027_task_days.sql): the queue task_days_due is
 * worked through here, a batch a transaction.
 */
#include <stdbool.h>
#include <stdio.h>

#include "buf.h"
#include "db.h"
#include "store.h"
#include "workcal.h"

#define DAYS_BATCH 5000

struct fill_ctx {
	const struct workcal *cal;
	int done; /* rows taken from the queue by this batch */
};

/* One batch: the tasks queued, their days by core, the queue emptied. */
static enum ld_err fill_batch(struct db *db, void *arg)
{
	struct fill_ctx *c = arg;
	struct buf ids, days, gone, taken;
	PGresult *res = NULL;
	char limit[16];
	const char *params[] = {limit};
	snprintf(limit, sizeof(limit), "%d", DAYS_BATCH);
	c->done = 0;
	enum ld_err err = db_begin(db);
	if (!err)
		err = db_exec(db, "days_due",
			      "SELECT q.task_id, t.set_on - DATE '1970-01-01',"
			      " t.sent_on - DATE '1970-01-01'"
			      " FROM task_days_due q JOIN task t ON t.id ="
			      " q.task_id ORDER BY q.task_id LIMIT $1::int"
			      " FOR UPDATE OF q SKIP LOCKED",
			      1, params, &res);
	if (err) {
		db_rollback(db);
		return err;
	}
	int rows = PQntuples(res), kept = 0, dropped = 0;
	if (rows == 0) { /* another server has them */
		PQclear(res);
		db_rollback(db);
		return LD_OK;
	}
	buf_init(&ids, 1 << 20);
	buf_init(&days, 1 << 20);
	buf_init(&gone, 1 << 20);
	buf_init(&taken, 1 << 20);
	buf_addch(&ids, '{');
	buf_addch(&days, '{');
	buf_addch(&gone, '{');
	buf_addch(&taken, '{');
	for (int i = 0; i < rows; i++) {
		const char *id = PQgetvalue(res, i, 0);
		int n;
		buf_printf(&taken, "%s%s", i ? "," : "", id);
		/* Unsent since, or beyond the holidays loaded: no figure. */
		if (PQgetisnull(res, i, 2) ||
		    workcal_between(c->cal, (int32_t)db_long(res, i, 1),
				    (int32_t)db_long(res, i, 2), &n)) {
			buf_printf(&gone, "%s%s", dropped++ ? "," : "", id);
			continue;
		}
		buf_printf(&ids, "%s%s", kept ? "," : "", id);
		buf_printf(&days, "%s%d", kept++ ? "," : "", n < 0 ? 0 : n);
	}
	PQclear(res);
	buf_addch(&ids, '}');
	buf_addch(&days, '}');
	buf_addch(&gone, '}');
	buf_addch(&taken, '}');
	const char *put[] = {buf_str(&ids), buf_str(&days)},
		   *drop[] = {buf_str(&gone)}, *done[] = {buf_str(&taken)};
	err = db_exec(db, "days_put",
		      "INSERT INTO task_days (task_id, working_days)"
		      " SELECT * FROM unnest($1::bigint[], $2::int[])"
		      " ON CONFLICT (task_id) DO UPDATE"
		      " SET working_days = EXCLUDED.working_days",
		      2, put, NULL);
	if (!err)
		err = db_exec(db, "days_drop",
			      "DELETE FROM task_days"
			      " WHERE task_id = ANY($1::bigint[])",
			      1, drop, NULL);
	if (!err)
		err = db_exec(db, "days_done",
			      "DELETE FROM task_days_due"
			      " WHERE task_id = ANY($1::bigint[])",
			      1, done, NULL);
	if (!err)
		err = db_commit(db);
	if (err)
		db_rollback(db);
	else
		c->done = rows;
	buf_release(&ids);
	buf_release(&days);
	buf_release(&gone);
	buf_release(&taken);
	return err;
}

/* Is anything queued?  One read, no transaction: the usual answer. */
static enum ld_err queued(struct db *db, void *arg)
{
	bool *any = arg;
	PGresult *res = NULL;
	enum ld_err err = db_exec(db, "days_queued",
				  "SELECT EXISTS (SELECT 1 FROM task_days_due)",
				  0, NULL, &res);
	if (!err)
		*any = PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	return err;
}

enum ld_err days_store_fill(struct store *s, const struct workcal *cal,
			    int *filled)
{
	struct fill_ctx c = {cal, 0};
	bool any = false;
	enum ld_err err = db_run(s, queued, &any);
	*filled = 0;
	if (err || !any)
		return err;
	do {
		err = db_run(s, fill_batch, &c);
		*filled += c.done;
	} while (!err && c.done == DAYS_BATCH);
	return err;
}

static enum ld_err sweep(struct db *db, void *arg)
{
	(void)arg;
	return db_exec(db, "days_sweep",
		       "INSERT INTO task_days_due SELECT t.id FROM task t"
		       " WHERE t.sent_on IS NOT NULL AND NOT EXISTS"
		       " (SELECT 1 FROM task_days d WHERE d.task_id = t.id)"
		       " ON CONFLICT DO NOTHING",
		       0, NULL, NULL);
}

enum ld_err days_store_sweep(struct store *s)
{
	return db_run(s, sweep, NULL);
}
