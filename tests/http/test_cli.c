/*
 * The linkdesk command line against real databases: help, migrations
 * (idempotent, refusals), holidays import and generate, workdays, demo.
 * Each test works in a database of its own, created here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "itest.h"

/* Run linkdesk ARGS against database db ("" for the suite's). */
static int ld(const char *db, const char *args, char **out)
{
	char cmd[2048];
	const char *url = getenv("LINKDESK_DATABASE_URL");
	const char *owner = getenv("LINKDESK_OWNER_DATABASE_URL");
	if (*db)
		snprintf(cmd, sizeof(cmd),
			 "LINKDESK_DATABASE_URL='%s dbname=%s' "
			 "LINKDESK_OWNER_DATABASE_URL='%s dbname=%s' '%s' %s "
			 "2>&1",
			 url, db, owner, db, getenv("LINKDESK_BIN"), args);
	else
		snprintf(cmd, sizeof(cmd), "'%s' %s 2>&1",
			 getenv("LINKDESK_BIN"), args);
	return itest_sh(cmd, out);
}

/* SQL as the owner, who creates the databases and changes the schema. */
static void psql(const char *db, const char *sql)
{
	char cmd[2048];
	snprintf(cmd, sizeof(cmd),
		 "psql -X -q -v ON_ERROR_STOP=1 '%s dbname=%s' -c \"%s\" "
		 ">/dev/null 2>&1",
		 getenv("LINKDESK_OWNER_DATABASE_URL"), db, sql);
	assert_int_equal(itest_sh(cmd, NULL), 0);
}

static char dbname[64];

/* A fresh, empty database for one test. */
static int fresh_db(void **state)
{
	static int seq;
	char sql[128];
	(void)state;
	snprintf(dbname, sizeof(dbname), "cli_%d_%d", (int)getpid(), ++seq);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", dbname);
	psql("linkdesk", sql);
	return 0;
}

static int drop_db(void **state)
{
	char sql[128];
	(void)state;
	snprintf(sql, sizeof(sql), "DROP DATABASE %s WITH (FORCE)", dbname);
	psql("linkdesk", sql);
	return 0;
}

static void expect(const char *db, const char *args, int rc, const char *needle)
{
	char *out;
	int got = ld(db, args, &out);
	if (got != rc || (needle && !strstr(out, needle)))
		fail_msg("linkdesk %s: exit %d (want %d), output:\n%s\nwanted: "
			 "%s",
			 args, got, rc, out, needle ? needle : "");
	free(out);
}

static void test_help(void **state)
{
	static const char *const cmds[] = {"serve",    "migrate",  "seed-demo",
					   "workdays", "holidays", "version"};
	char args[64];
	(void)state;
	expect("", "--help", 0, "Commands:");
	expect("", "", 2, "usage: linkdesk");
	expect("", "frobnicate", 2, "unknown command");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		snprintf(args, sizeof(args), "%s --help", cmds[i]);
		expect("", args, 0, "usage: linkdesk");
	}
	expect("", "serve --help", 0, "LINKDESK_DATABASE_URL");
	expect("", "version", 0, "linkdesk ");
}

static void test_migrate(void **state)
{
	(void)state;
	expect(dbname, "serve", 1, "not migrated: run 'linkdesk migrate'");
	expect(dbname, "migrate", 0, "migrations applied: ");
	expect(dbname, "migrate", 0, "migrations applied: 0");
	expect(dbname, "migrate --status", 0, "database at ");

	/* A database migrated by a newer build is refused, not touched. */
	psql(dbname, "INSERT INTO schema_migration VALUES (999, '999_future')");
	expect(dbname, "serve", 1, "newer than this build");
	expect(dbname, "migrate", 1, "newer than this build");
}

/* The first line psql prints for one query in database db. */
static char *psql_value(const char *db, const char *sql)
{
	char cmd[2048], *out;
	snprintf(cmd, sizeof(cmd),
		 "psql -X -q -A -t -v ON_ERROR_STOP=1 '%s dbname=%s' -c \"%s\"",
		 getenv("LINKDESK_OWNER_DATABASE_URL"), db, sql);
	assert_int_equal(itest_sh(cmd, &out), 0);
	out[strcspn(out, "\n")] = '\0';
	return out;
}

/*
 * A migration that fails part-way leaves nothing of itself behind: the
 * tables it made before the failing statement are gone, the recorded
 * version is the one before, and once the cause is removed it applies.
 */
static void test_failed_migration(void **state)
{
	char *v;
	(void)state;
	/* 007 creates reminder, then digest_run, which now already exists. */
	psql(dbname, "CREATE TABLE digest_run (x int)");
	expect(dbname, "migrate", 1,
	       "migration 007_reminders failed: relation \"digest_run\" "
	       "already exists");
	v = psql_value(dbname, "SELECT max(version) FROM schema_migration");
	assert_string_equal(v, "6");
	free(v);
	v = psql_value(dbname, "SELECT to_regclass('reminder') IS NULL");
	assert_string_equal(v, "t");
	free(v);
	expect(dbname, "serve", 1,
	       "database is at migration 6, this build needs");

	psql(dbname, "DROP TABLE digest_run");
	expect(dbname, "migrate", 0, "migrations applied: ");
	v = psql_value(dbname, "SELECT to_regclass('reminder') IS NOT NULL");
	assert_string_equal(v, "t");
	free(v);
}

static void test_serve_unreachable(void **state)
{
	char *out;
	(void)state;
	int rc = itest_sh("LINKDESK_DATABASE_URL='host=127.0.0.1 port=1 "
			  "dbname=x connect_timeout=2' \"$LINKDESK_BIN\" serve "
			  "2>&1",
			  &out);
	assert_int_equal(rc, 1);
	assert_non_null(strstr(out, "cannot reach the database"));
	free(out);
	rc = itest_sh("LINKDESK_THREADS=0 \"$LINKDESK_BIN\" serve 2>&1", &out);
	assert_int_equal(rc, 1);
	assert_non_null(strstr(out, "invalid LINKDESK_THREADS"));
	free(out);
}

static void test_holidays(void **state)
{
	char *out, args[1024];
	(void)state;
	expect(dbname, "migrate", 0, NULL);
	/* Shipped: 2018 to 2035, the years after 2027 provisional. */
	expect(dbname, "holidays list 2028", 0, "provisional");
	expect(dbname, "holidays list 2026", 0,
	       "2026-12-28\tBoxing Day\tSubstitute day\tpublished");
	expect(dbname, "workdays add 2018-01-02 3", 0, "2018-01-05");
	expect(dbname, "workdays add 2035-12-20 10", 1, "outside the bank");

	snprintf(args, sizeof(args),
		 "holidays import %s/tests/data/"
		 "bank-holidays-2019-2027.json",
		 getenv("LINKDESK_ROOT"));
	expect(dbname, args, 0, "imported 252 holidays for 27 division-years");
	expect(dbname, args, 0, "imported 252 holidays for 27 division-years");
	ld(dbname, "holidays list 2025", &out);
	int lines = 0;
	for (char *p = out; (p = strchr(p, '\n')); p++)
		lines++;
	assert_int_equal(lines, 8); /* imported twice, still eight */
	free(out);

	/* A published year replaces the provisional one. */
	char path[512];
	snprintf(path, sizeof(path), "%s/feed2028.json",
		 getenv("LINKDESK_TEST_TMP"));
	FILE *f = fopen(path, "w");
	fputs("{\"england-and-wales\": {\"division\": \"england-and-wales\", "
	      "\"events\": [{\"title\": \"New Year\\u2019s Day\", \"date\": "
	      "\"2028-01-03\", \"notes\": \"Substitute day\", \"bunting\": "
	      "true}, {\"title\": \"Extra day\", \"date\": \"2028-06-09\", "
	      "\"notes\": \"\", \"bunting\": true}]}}",
	      f);
	fclose(f);
	snprintf(args, sizeof(args), "holidays import %s", path);
	expect(dbname, args, 0, "imported 2 holidays for 1 division-years");
	ld(dbname, "holidays list 2028", &out);
	assert_null(strstr(out, "provisional"));
	assert_non_null(strstr(out, "2028-06-09\tExtra day"));
	assert_null(strstr(out, "Good Friday"));
	free(out);
	expect(dbname, "workdays add 2028-06-08 1", 0, "2028-06-12");

	/* A bad file changes nothing. */
	expect(dbname, "holidays import /nonexistent.json", 1, "cannot open");
	snprintf(path, sizeof(path), "%s/bad.json",
		 getenv("LINKDESK_TEST_TMP"));
	f = fopen(path, "w");
	fputs("{\"england-and-wales\": {\"events\": [{\"title\": \"x\", "
	      "\"date\": \"2028-02-30\"}]}}",
	      f);
	fclose(f);
	snprintf(args, sizeof(args), "holidays import %s", path);
	expect(dbname, args, 1, "no valid \"date\"");
	expect(dbname, "holidays list 2028", 0, "Extra day");

	/* Years not yet known can be generated, provisionally. */
	expect(dbname, "holidays generate 2036 2037", 0, "for 2 years");
	expect(dbname, "holidays generate 2036 2037", 0, "for 0 years");
	expect(dbname, "holidays list 2037", 0,
	       "2037-12-25\tChristmas Day\t\tprovisional");
	expect(dbname, "workdays add 2035-12-20 10", 0, "2036-01-08");
	expect(dbname, "holidays generate 1800 2000", 2, "not a year");
}

static void test_workdays(void **state)
{
	(void)state;
	expect("", "workdays add 2026-11-23 15", 0, "2026-12-14\n");
	expect("", "workdays add 2026-11-21 1", 0, "2026-11-23\n");
	expect("", "workdays between 2026-12-24 2026-12-29", 0, "1\n");
	expect("", "workdays between 2026-12-29 2026-12-24", 0, "-1\n");
	expect("", "workdays is 2026-12-28", 0, "no\n");
	expect("", "workdays is 2026-12-29", 0, "yes\n");
	expect("", "workdays add 2026-02-30 1", 2, "not a real date");
	expect("", "workdays add 2026-11-23 -1", 2, "whole number");
	expect("", "workdays add 2026-11-23 x", 2, "whole number");
	expect("", "workdays add 2017-12-01 1", 1, "outside the bank");
	expect("", "workdays frob", 2, "usage");
}

static void test_seed_demo(void **state)
{
	(void)state;
	expect(dbname, "migrate", 0, NULL);
	expect(dbname, "seed-demo", 0, "demo organisation loaded");
	expect(dbname, "seed-demo", 0, "demo not loaded");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_help),
		cmocka_unit_test_setup_teardown(test_migrate, fresh_db,
						drop_db),
		cmocka_unit_test_setup_teardown(test_failed_migration, fresh_db,
						drop_db),
		cmocka_unit_test(test_serve_unreachable),
		cmocka_unit_test_setup_teardown(test_holidays, fresh_db,
						drop_db),
		cmocka_unit_test(test_workdays),
		cmocka_unit_test_setup_teardown(test_seed_demo, fresh_db,
						drop_db),
	};
	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
