/*
 * The database's own defences: the server connects as a runtime role that
 * owns nothing (LINKDESK_DATABASE_URL, "linkdesk"); the schema belongs to
 * the role migrations run as (LINKDESK_OWNER_DATABASE_URL,
 * "linkdesk_owner").  Whatever SQL the server could be made to run, it
 * cannot change the schema, switch a trigger off, empty a table or rewrite
 * the audit log; it can still do its work.
 *
 * Each statement runs inside a transaction that is rolled back, so that a
 * statement wrongly allowed cannot harm the rest of the suite.
 */
#include <libpq-fe.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api.h"

static PGconn *runtime;

static int setup(void **state)
{
	(void)state;
	runtime = PQconnectdb(getenv("LINKDESK_DATABASE_URL"));
	if (PQstatus(runtime) != CONNECTION_OK)
		fail_msg("cannot connect as the runtime role: %s",
			 PQerrorMessage(runtime));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	PQfinish(runtime);
	return 0;
}

/*
 * Run sql as the runtime role in a transaction rolled back afterwards;
 * returns the SQLSTATE ("" when it succeeded) and copies the error's
 * first line into msg.
 */
static const char *try_sql(const char *sql, char *msg, size_t len)
{
	static char state[6];
	PGresult *res = PQexec(runtime, "BEGIN");
	assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	res = PQexec(runtime, sql);
	ExecStatusType st = PQresultStatus(res);
	const char *code = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	const char *text = PQresultErrorMessage(res);
	snprintf(state, sizeof(state), "%s",
		 st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? ""
		 : code						 ? code
								 : "?");
	snprintf(msg, len, "%.*s", (int)strcspn(text, "\n"), text);
	PQclear(res);
	PQclear(PQexec(runtime, "ROLLBACK"));
	return state;
}

/* Refused by the privilege system: 42501 and "must be owner" or "denied". */
static void assert_refused(const char *sql, const char *why)
{
	char msg[512];
	const char *state = try_sql(sql, msg, sizeof(msg));
	if (strcmp(state, "42501"))
		fail_msg("%s: SQLSTATE \"%s\" (%s), want 42501", sql, state,
			 msg);
	if (!strstr(msg, why))
		fail_msg("%s: \"%s\", want \"%s\"", sql, msg, why);
}

static void assert_allowed(const char *sql)
{
	char msg[512];
	const char *state = try_sql(sql, msg, sizeof(msg));
	if (*state)
		fail_msg("%s: refused, %s %s", sql, state, msg);
}

/* The runtime role is not the one that owns the tables. */
static void test_runtime_owns_nothing(void **state)
{
	char *out;
	(void)state;
	assert_int_equal(api_sql("SELECT current_user || ' ' || count(*)"
				 " FROM pg_tables WHERE schemaname = 'public'"
				 " AND tableowner = current_user",
				 &out),
			 0);
	assert_string_equal(out, "linkdesk 0\n");
	free(out);
	assert_int_equal(api_sql("SELECT count(*) FROM pg_tables WHERE"
				 " schemaname = 'public' AND tableowner ="
				 " 'linkdesk_owner'",
				 &out),
			 0);
	assert_true(strtol(out, NULL, 10) > 10);
	free(out);
}

static void test_schema_changes_refused(void **state)
{
	(void)state;
	assert_refused("ALTER TABLE task ADD COLUMN probe integer",
		       "must be owner");
	assert_refused("ALTER TABLE audit_log DISABLE TRIGGER "
		       "audit_log_no_update",
		       "must be owner");
	assert_refused("ALTER TABLE task DISABLE TRIGGER audit",
		       "must be owner");
	assert_refused("ALTER TABLE audit_log DISABLE TRIGGER ALL",
		       "must be owner");
	assert_refused("DROP TABLE task", "must be owner");
	assert_refused("DROP TABLE audit_log", "must be owner");
	assert_refused("DROP TRIGGER audit_log_no_update ON audit_log",
		       "must be owner");
	assert_refused("CREATE OR REPLACE FUNCTION audit_log_immutable()"
		       " RETURNS trigger LANGUAGE plpgsql AS"
		       " $$ BEGIN RETURN NULL; END $$",
		       "permission denied");
	assert_refused("CREATE TABLE probe (x integer)", "permission denied");
	assert_refused("CREATE TRIGGER probe BEFORE INSERT ON task FOR EACH"
		       " ROW EXECUTE FUNCTION audit_row()",
		       "permission denied");
}

static void test_audit_log_untouchable(void **state)
{
	(void)state;
	/* The privilege system refuses, before the owner's trigger would. */
	assert_refused("TRUNCATE audit_log", "permission denied");
	assert_refused("UPDATE audit_log SET action = 'x'",
		       "permission denied");
	assert_refused("DELETE FROM audit_log", "permission denied");
	assert_refused("TRUNCATE task", "permission denied");
	assert_refused("TRUNCATE app_user CASCADE", "permission denied");
	assert_refused("INSERT INTO schema_migration VALUES (999, 'x')",
		       "permission denied");
	assert_refused("DELETE FROM schema_migration", "permission denied");
}

/* What the server does, it still may. */
static void test_runtime_can_work(void **state)
{
	(void)state;
	/* A row with its audit row, through the trigger and a sequence. */
	assert_allowed("INSERT INTO service_area (name) VALUES"
		       " ('Roles probe area')");
	assert_allowed("UPDATE setting SET value = value");
	assert_allowed("DELETE FROM feed WHERE false");
	assert_allowed("INSERT INTO audit_log (action, entity)"
		       " VALUES ('probe', 'probe')");
	assert_allowed("SELECT count(*) FROM audit_log");
	assert_allowed("SELECT max(version) FROM schema_migration");
	assert_allowed("SELECT count(*) FROM complaint_days");
	/* Evidence files: a large object written, read back, unlinked. */
	assert_allowed("SELECT lo_from_bytea(4242424, 'evidence');"
		       " SELECT lo_put(4242424, 0, 'E');"
		       " SELECT 1 / (lo_get(4242424) = 'Evidence')::int;"
		       " SELECT lo_unlink(4242424)");
	assert_allowed("SELECT lo_unlink(lo_creat(-1))");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runtime_owns_nothing),
		cmocka_unit_test(test_schema_changes_refused),
		cmocka_unit_test(test_audit_log_untouchable),
		cmocka_unit_test(test_runtime_can_work),
	};
	return cmocka_run_group_tests_name("roles", tests, setup, teardown);
}
