#include <stdio.h>
#include <string.h>

#include "db.h"
#include "log.h"

/* Any constant will do, as long as every Linkdesk process uses the same. */
#define MIGRATE_LOCK "4155862471"

struct migrate_ctx {
	const struct migration *m;
	size_t n;
	int applied;
	char *why;
	size_t whylen;
};

static enum ld_err apply_one(struct db *db, const struct migration *m,
			     char *why, size_t whylen)
{
	char version[16];
	const char *params[] = {version, m->name};
	enum ld_err err;

	snprintf(version, sizeof(version), "%d", m->version);
	err = db_begin(db);
	if (err)
		goto fail;

	/* Several statements in one text: only the simple protocol runs them.
	 */
	PGresult *res = PQexec(db->pg, m->sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK) {
		const char *msg =
			PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		if (!msg)
			msg = PQresultErrorMessage(res);
		snprintf(why, whylen, "migration %s failed: %.*s", m->name,
			 (int)strcspn(msg, "\n"), msg);
		PQclear(res);
		err = LD_EDB;
		goto fail;
	}
	PQclear(res);
	err = db_exec(db, "migration_record",
		      "INSERT INTO schema_migration (version, name) "
		      "VALUES ($1, $2)",
		      2, params, NULL);
	if (err)
		goto fail;
	err = db_commit(db);
	if (err)
		goto fail;
	return LD_OK;
fail:
	db_rollback(db);
	if (!*why)
		snprintf(why, whylen, "migration %s failed: %s", m->name,
			 ld_err_name(err));
	return err;
}

static enum ld_err migrate(struct db *db, void *arg)
{
	struct migrate_ctx *ctx = arg;
	PGresult *res = NULL;
	enum ld_err err;

	err = db_exec(db, "migrate_lock",
		      "SELECT pg_advisory_lock(" MIGRATE_LOCK ")", 0, NULL,
		      NULL);
	if (err)
		return err;
	err = db_exec(db, "migrate_table",
		      "CREATE TABLE IF NOT EXISTS schema_migration ("
		      " version integer PRIMARY KEY,"
		      " name text NOT NULL,"
		      " applied_at timestamptz NOT NULL DEFAULT now())",
		      0, NULL, NULL);
	if (err)
		goto out;
	err = db_exec(db, "migrate_applied",
		      "SELECT coalesce(max(version), 0) FROM schema_migration",
		      0, NULL, &res);
	if (err)
		goto out;
	long current = db_long(res, 0, 0);
	PQclear(res);

	if (ctx->n && current > ctx->m[ctx->n - 1].version) {
		snprintf(ctx->why, ctx->whylen,
			 "database is at migration %ld, newer than this "
			 "build's %d",
			 current, ctx->m[ctx->n - 1].version);
		err = LD_ECONFLICT;
		goto out;
	}
	for (size_t i = 0; i < ctx->n; i++) {
		if (ctx->m[i].version <= current)
			continue;
		err = apply_one(db, &ctx->m[i], ctx->why, ctx->whylen);
		if (err)
			goto out;
		log_info("applied migration %s", ctx->m[i].name);
		ctx->applied++;
	}
out:
	PQclear(PQexec(db->pg, "SELECT pg_advisory_unlock(" MIGRATE_LOCK ")"));
	return err;
}

enum ld_err migrate_store_apply(struct store *s, const struct migration *m,
				size_t n, int *applied, char *why,
				size_t whylen)
{
	struct migrate_ctx ctx = {m, n, 0, why, whylen};
	why[0] = '\0';
	enum ld_err err = db_run(s, migrate, &ctx);
	*applied = ctx.applied;
	if (err && !why[0])
		snprintf(why, whylen, "cannot migrate: %s", ld_err_name(err));
	return err;
}
