#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"

/* Any constant will do, as long as every Linkdesk process uses the same. */
#define MIGRATE_LOCK "4155862471"

struct migrate_ctx {
	const struct migration *m;
	size_t n;
	const char *runtime_role;
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

/*
 * The runtime role's rights, from nothing each time (a right granted by hand
 * does not linger).  The role's name is a setting of the transaction, quoted
 * by format(), rather than text spliced into the statement.  The owner must
 * be a member of the runtime role to give it large objects.
 */
static const char grant_sql[] =
	"DO $grant$ DECLARE"
	"  r text := current_setting('linkdesk.runtime_role');"
	"  lo oid;"
	"  f regprocedure;"
	" BEGIN"
	"  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN"
	"   RAISE EXCEPTION 'the runtime role % does not exist', r"
	"    USING HINT = 'create it as docs/deploy.md shows';"
	"  END IF;"
	"  EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA public FROM %I',"
	"   r);"
	"  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE"
	"   ON ALL TABLES IN SCHEMA public TO %I', r);"
	"  EXECUTE format('REVOKE UPDATE, DELETE ON audit_log FROM %I', r);"
	"  EXECUTE format('REVOKE INSERT, UPDATE, DELETE ON schema_migration"
	"   FROM %I', r);"
	"  EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA public"
	"   FROM %I', r);"
	"  EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES"
	"   IN SCHEMA public TO %I', r);"
	/*
	 * Linkdesk's own functions: not every function in public, where a
	 * superuser's (pg_stat_statements_reset, installed there by the
	 * DBA) refused the grant and with it the migration.
	 */
	"  FOR f IN SELECT p.oid::regprocedure FROM pg_proc p"
	"   WHERE p.pronamespace = 'public'::regnamespace"
	"   AND p.proowner = current_user::regrole LOOP"
	"   EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %I', f, r);"
	"  END LOOP;"
	"  EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', r);"
	/*
	 * PostgreSQL 15 creates public without CREATE for everyone; a
	 * database from before (or pg_upgrade'd) still has it.
	 */
	"  BEGIN"
	"   REVOKE CREATE ON SCHEMA public FROM PUBLIC;"
	"   EXECUTE format('REVOKE CREATE ON SCHEMA public FROM %I', r);"
	"  EXCEPTION WHEN insufficient_privilege THEN"
	"   RAISE WARNING 'cannot revoke CREATE on schema public: ask the"
	" database superuser to'"
	"    USING HINT = 'REVOKE CREATE ON SCHEMA public FROM PUBLIC';"
	"  END;"
	"  FOR lo IN SELECT oid FROM pg_largeobject_metadata"
	"   WHERE lomowner = current_user::regrole LOOP"
	"   EXECUTE format('ALTER LARGE OBJECT %s OWNER TO %I', lo, r);"
	"  END LOOP;"
	" END $grant$";

static enum ld_err grant_runtime(struct db *db, const char *role, char *why,
				 size_t whylen)
{
	const char *params[] = {role};
	PGresult *res = NULL;
	enum ld_err err = db_begin(db);
	if (err)
		goto out;
	err = db_exec(db, "migrate_owner", "SELECT current_user = $1", 1,
		      params, &res);
	if (err)
		goto out;
	if (PQgetvalue(res, 0, 0)[0] == 't') {
		log_warn(
			"LINKDESK_DATABASE_URL and LINKDESK_OWNER_DATABASE_URL "
			"name the same role %s: the server owns its tables "
			"(docs/deploy.md sets up two roles)",
			role);
		goto out;
	}
	err = db_exec(db, "migrate_role",
		      "SELECT set_config('linkdesk.runtime_role', $1, true)", 1,
		      params, NULL);
	if (err)
		goto out;
	PQclear(res);
	res = PQexec(db->pg, grant_sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		const char *msg =
			PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		if (!msg)
			msg = PQresultErrorMessage(res);
		snprintf(why, whylen,
			 "cannot grant the runtime role its rights: "
			 "%.*s",
			 (int)strcspn(msg, "\n"), msg);
		err = LD_EDB;
		goto out;
	}
	err = db_commit(db);
out:
	PQclear(res);
	db_rollback(db);
	return err;
}

/*
 * One file of sql/functions/, when its text is not the one the database
 * last took (by md5, recorded in schema_repeatable).  Function bodies are
 * checked when called, not here (check_function_bodies off), so that the
 * files need not be ordered by what calls what.
 */
static enum ld_err apply_repeatable(struct db *db, const struct migration *r,
				    bool *applied, char *why, size_t whylen)
{
	const char *params[] = {r->name, r->sql};
	PGresult *res = NULL;
	*applied = false;
	enum ld_err err = db_begin(db);
	if (!err)
		err = db_exec(db, "repeatable_same",
			      "SELECT EXISTS (SELECT 1 FROM schema_repeatable"
			      " WHERE name = $1 AND checksum = md5($2))",
			      2, params, &res);
	if (err)
		goto fail;
	bool same = PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	res = NULL;
	if (same) {
		db_rollback(db);
		return LD_OK;
	}
	PQclear(PQexec(db->pg, "SET LOCAL check_function_bodies = off"));
	res = PQexec(db->pg, r->sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK) {
		const char *msg =
			PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		if (!msg)
			msg = PQresultErrorMessage(res);
		snprintf(why, whylen, "sql/functions/%s.sql failed: %.*s",
			 r->name, (int)strcspn(msg, "\n"), msg);
		err = LD_EDB;
		goto fail;
	}
	PQclear(res);
	res = NULL;
	err = db_exec(db, "repeatable_record",
		      "INSERT INTO schema_repeatable (name, checksum)"
		      " VALUES ($1, md5($2)) ON CONFLICT (name) DO UPDATE"
		      " SET checksum = EXCLUDED.checksum, applied_at = now()",
		      2, params, NULL);
	if (!err)
		err = db_commit(db);
	if (err)
		goto fail;
	*applied = true;
	return LD_OK;
fail:
	PQclear(res);
	db_rollback(db);
	return err ? err : LD_EDB;
}

static enum ld_err migrate(struct db *db, void *arg)
{
	struct migrate_ctx *ctx = arg;
	PGresult *res = NULL;
	char grant_why[256] = "";
	enum ld_err err, gerr;

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
			break;
		log_info("applied migration %s", ctx->m[i].name);
		ctx->applied++;
	}
	if (!err)
		err = db_exec(db, "repeatable_table",
			      "CREATE TABLE IF NOT EXISTS schema_repeatable ("
			      " name text PRIMARY KEY,"
			      " checksum text NOT NULL,"
			      " applied_at timestamptz NOT NULL DEFAULT now())",
			      0, NULL, NULL);
	for (size_t i = 0; !err && i < repeatables_count; i++) {
		bool took;
		err = apply_repeatable(db, &repeatables[i], &took, ctx->why,
				       ctx->whylen);
		if (!err && took)
			log_info("applied sql/functions/%s.sql",
				 repeatables[i].name);
	}
	/*
	 * After a failed migration too: the server then reads the version it
	 * is at and says which, rather than being refused the table.
	 */
	gerr = grant_runtime(db, ctx->runtime_role, grant_why,
			     sizeof(grant_why));
	if (!err && gerr) {
		err = gerr;
		snprintf(ctx->why, ctx->whylen, "%s", grant_why);
	}
out:
	PQclear(PQexec(db->pg, "SELECT pg_advisory_unlock(" MIGRATE_LOCK ")"));
	return err;
}

/* The user a connection string names: "" when it names none. */
static void conninfo_user(const char *conninfo, char *user, size_t len)
{
	PQconninfoOption *opts = PQconninfoParse(conninfo, NULL);
	user[0] = '\0';
	for (PQconninfoOption *o = opts; o && o->keyword; o++)
		if (!strcmp(o->keyword, "user") && o->val)
			snprintf(user, len, "%s", o->val);
	PQconninfoFree(opts);
}

enum ld_err migrate_store_apply(struct store *s, const struct migration *m,
				size_t n, const char *runtime_conninfo,
				int *applied, char *why, size_t whylen)
{
	char role[128];
	why[0] = '\0';
	*applied = 0;
	conninfo_user(runtime_conninfo, role, sizeof(role));
	if (!role[0] && getenv("PGUSER"))
		snprintf(role, sizeof(role), "%s", getenv("PGUSER"));
	if (!role[0]) {
		snprintf(why, whylen,
			 "LINKDESK_DATABASE_URL names no user: the runtime "
			 "role's rights cannot be granted");
		return LD_EINVAL;
	}
	struct migrate_ctx ctx = {m, n, role, 0, why, whylen};
	enum ld_err err = db_run(s, migrate, &ctx);
	*applied = ctx.applied;
	if (err && !why[0])
		snprintf(why, whylen, "cannot migrate: %s", ld_err_name(err));
	return err;
}
