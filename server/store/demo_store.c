#include <string.h>

#include "db.h"
#include "log.h"

struct demo_ctx {
	const char *sql;
	int32_t today;
	bool loaded;
};

static enum ld_err seed(struct db *db, void *arg)
{
	struct demo_ctx *ctx = arg;
	PGresult *res = NULL;
	enum ld_err err = db_begin(db);
	if (err)
		goto out;
	/* Two `make run`s at once must not both load it. */
	err = db_exec(db, "demo_lock",
		      "SELECT pg_advisory_xact_lock(4155862472)", 0, NULL,
		      NULL);
	if (err)
		goto out;
	err = db_exec(db, "demo_empty",
		      "SELECT NOT EXISTS (SELECT 1 FROM setting"
		      " WHERE name = 'organisation_name')",
		      0, NULL, &res);
	if (err)
		goto out;
	bool empty = PQgetvalue(res, 0, 0)[0] == 't';
	if (!empty)
		goto out;
	PQclear(res);
	res = NULL;
	/* The day the demo is as of: sql/demo.sql's pg_temp.today(). */
	struct db_date day;
	const char *params[] = {db_date(&day, ctx->today)};
	err = db_exec(db, "demo_today",
		      "SELECT set_config('linkdesk.demo_today', $1, true)", 1,
		      params, NULL);
	if (err)
		goto out;
	res = PQexec(db->pg, ctx->sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK) {
		const char *msg = PQresultErrorMessage(res);
		log_error("demo data failed: %.*s", (int)strcspn(msg, "\n"),
			  msg);
		err = LD_EDB;
		goto out;
	}
	err = db_commit(db);
	ctx->loaded = !err;
out:
	PQclear(res);
	if (err || !ctx->loaded)
		db_rollback(db);
	return err;
}

enum ld_err store_seed_demo(struct store *s, const char *sql, int32_t today,
			    bool *loaded)
{
	struct demo_ctx ctx = {sql, today, false};
	enum ld_err err = db_run(s, seed, &ctx);
	*loaded = ctx.loaded;
	return err;
}
