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

/* Run linkdesk ARGS with settings env ("A=1 B=2") against database db. */
static int ld_env(const char *db, const char *env, const char *args, char **out)
{
	char cmd[2048];
	const char *url = getenv("LINKDESK_DATABASE_URL");
	const char *owner = getenv("LINKDESK_OWNER_DATABASE_URL");
	if (*db)
		snprintf(
			cmd, sizeof(cmd),
			"LINKDESK_DATABASE_URL='%s dbname=%s' "
			"LINKDESK_OWNER_DATABASE_URL='%s dbname=%s' %s '%s' %s "
			"2>&1",
			url, db, owner, db, env, getenv("LINKDESK_BIN"), args);
	else
		snprintf(cmd, sizeof(cmd), "%s '%s' %s 2>&1", env,
			 getenv("LINKDESK_BIN"), args);
	return itest_sh(cmd, out);
}

/* Run linkdesk ARGS against database db ("" for the suite's). */
static int ld(const char *db, const char *args, char **out)
{
	return ld_env(db, "", args, out);
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

	/* A function of the superuser's in public that nobody else may run
	 * (as pg_stat_statements_reset, when a DBA installs the extension
	 * there): migrate still grants the server's role its rights. */
	/* psql()'s connection, as the cluster's superuser. */
	char as_postgres[128];
	snprintf(as_postgres, sizeof(as_postgres), "%s user=postgres", dbname);
	psql(as_postgres,
	     "CREATE FUNCTION public.dba_only() RETURNS int LANGUAGE sql AS"
	     " 'SELECT 1'; REVOKE EXECUTE ON FUNCTION public.dba_only() FROM"
	     " PUBLIC");
	expect(dbname, "migrate", 0, "migrations applied: 0");

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
	/* Provisional 2018-2035 in England and Wales: 2019-2027 become
	 * published (the few one-off days added or removed), and Scotland's
	 * and Northern Ireland's arrive. */
	expect(dbname, args, 0, "in 27 division-years");
	char *audit_text = psql_value(dbname, "SELECT count(*) FROM audit_log"
					      " WHERE entity = 'holiday'");
	long audit = atol(audit_text);
	free(audit_text);
	/* Again: nothing differs, so nothing is written. */
	expect(dbname, args, 0,
	       "holidays added 0, changed 0, removed 0 in 27 division-years");
	char *after = psql_value(dbname, "SELECT count(*) FROM audit_log"
					 " WHERE entity = 'holiday'");
	assert_int_equal(atol(after), audit);
	free(after);
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
	/* Two days are fewer than the rules' eight: refused unless forced. */
	expect(dbname, args, 1, "fewer than the 8 of the standard rules");
	expect(dbname, "holidays list 2028", 0, "provisional");
	snprintf(args, sizeof(args), "holidays import --force %s", path);
	expect(dbname, args, 0,
	       "holidays added 1, changed 1, removed 7 in 1 division-years");
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
	expect(dbname, args, 1, "2028-02-30 is not a date");
	expect(dbname, "holidays list 2028", 0, "Extra day");
	f = fopen(path, "w");
	fclose(f);
	expect(dbname, args, 1, "the file is empty");

	/* Years not yet known can be generated, provisionally. */
	expect(dbname, "holidays generate 2036 2037", 0, "for 2 years");
	expect(dbname, "holidays generate 2036 2037", 0, "for 0 years");
	expect(dbname, "holidays list 2037", 0,
	       "2037-12-25\tChristmas Day\t\tprovisional");
	expect(dbname, "workdays add 2035-12-20 10", 0, "2036-01-08");
	expect(dbname, "holidays generate 1800 2000", 2, "not a year");
}

/* A file for path holding these England and Wales events of 2027. */
static void feed_file(const char *path, const char *const *days, int n)
{
	FILE *f = fopen(path, "w");
	fputs("{\"england-and-wales\": {\"division\": \"england-and-wales\","
	      " \"events\": [",
	      f);
	for (int i = 0; i < n; i++)
		fprintf(f,
			"%s{\"title\": \"Day %d\", \"date\": \"%s\","
			" \"notes\": \"\", \"bunting\": true}",
			i ? ", " : "", i, days[i]);
	fputs("]}}", f);
	fclose(f);
}

/*
 * The import that lost a day: a file of one 2027 event replaced the whole
 * year, and workdays add 2027-05-28 1 then gave a real bank holiday.  Now
 * the partial file, and one that drops a published day, are refused with
 * nothing changed, and say what would change.
 */
static void test_holidays_refused(void **state)
{
	char path[512], args[1024], *out;
	static const char *const one[] = {"2027-12-27"};
	/* 2027 as published, with Spring bank holiday moved a week. */
	static const char *const moved[] = {
		"2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03",
		"2027-06-07", "2027-08-30", "2027-12-27", "2027-12-28"};
	(void)state;
	expect(dbname, "migrate", 0, NULL);
	snprintf(args, sizeof(args),
		 "holidays import %s/tests/data/bank-holidays-2019-2027.json",
		 getenv("LINKDESK_ROOT"));
	expect(dbname, args, 0, NULL);
	expect(dbname, "workdays add 2027-05-28 1", 0, "2027-06-01");
	char *before = psql_value(
		dbname, "SELECT count(*) || ' ' || (SELECT count(*) FROM"
			" audit_log) FROM holiday");

	snprintf(path, sizeof(path), "%s/one2027-%d.json",
		 getenv("LINKDESK_TEST_TMP"), (int)getpid());
	feed_file(path, one, 1);
	snprintf(args, sizeof(args), "holidays import %s", path);
	assert_int_equal(ld(dbname, args, &out), 1);
	assert_non_null(strstr(out, "refused, nothing changed"));
	assert_non_null(strstr(out, "england-and-wales 2027: 7 published "
				    "days would go (2027-01-01 and more)"));
	assert_non_null(strstr(out, "the file has 1 day, fewer than the 8"));
	assert_non_null(strstr(out, "- england-and-wales 2027-05-31 Spring "
				    "bank holiday"));
	assert_non_null(strstr(out, "--force"));
	free(out);

	feed_file(path, moved, 8);
	assert_int_equal(ld(dbname, args, &out), 1);
	assert_non_null(strstr(out, "1 published day would go (2027-05-31)"));
	assert_non_null(strstr(out, "+ england-and-wales 2027-06-07 Day 4"));
	assert_null(strstr(out, "fewer than"));
	free(out);

	/* Nothing changed, not even the audit log; the day is still one. */
	char *now = psql_value(dbname,
			       "SELECT count(*) || ' ' || (SELECT count(*) FROM"
			       " audit_log) FROM holiday");
	assert_string_equal(now, before);
	free(now);
	free(before);
	expect(dbname, "workdays add 2027-05-28 1", 0, "2027-06-01");

	/* Forced, it is the operator's word. */
	snprintf(args, sizeof(args), "holidays import --force %s", path);
	expect(dbname, args, 0, "holidays added 1, changed 7, removed 1");
	expect(dbname, "workdays add 2027-05-28 1", 0, "2027-05-31");
}

/*
 * linkdesk remind --once makes the scheduler's decision: nothing before
 * LINKDESK_REMINDER_HOUR (London time), the day's reminders and digests
 * from it.  LINKDESK_NOW fixes the clock.
 */
static void test_remind_hour(void **state)
{
	char *out;
	(void)state;
	expect(dbname, "migrate", 0, NULL);
	expect(dbname, "seed-demo", 0, NULL);
	const char *outbox = "SELECT count(*) FROM outbox";
	char *queued = psql_value(dbname, outbox);
	long seeded = atol(queued); /* the demo's own mail */
	free(queued);

	/* 07:59 in London (GMT in November): too early, from cron or not. */
	assert_int_equal(ld_env(dbname,
				"LINKDESK_TODAY=2026-11-23"
				" LINKDESK_NOW=2026-11-23T07:59:00Z",
				"remind --once --no-mail", &out),
			 0);
	assert_non_null(strstr(out, "before 08:00 in London"));
	assert_non_null(strstr(
		out, "reminders queued: 0, in 0 messages; digests queued: 0"));
	free(out);
	queued = psql_value(dbname, outbox);
	assert_int_equal(atol(queued), seeded);
	free(queued);
	/* Cron at 00:05 sends nothing either. */
	assert_int_equal(ld_env(dbname,
				"LINKDESK_TODAY=2026-11-23"
				" LINKDESK_NOW=2026-11-23T00:05:00Z",
				"remind --once --no-mail", &out),
			 0);
	assert_non_null(strstr(out, "no reminders or digests yet"));
	free(out);
	queued = psql_value(dbname, outbox);
	assert_int_equal(atol(queued), seeded);
	free(queued);

	/* From the hour, the day's reminders and digests go. */
	assert_int_equal(ld_env(dbname,
				"LINKDESK_TODAY=2026-11-23"
				" LINKDESK_NOW=2026-11-23T08:00:00Z",
				"remind --once --no-mail", &out),
			 0);
	assert_null(strstr(out, "yet"));
	free(out);
	queued = psql_value(dbname, outbox);
	assert_true(atol(queued) > seeded);
	free(queued);

	/* The hour is London's: 07:30 UTC in June is 08:30 BST. */
	assert_int_equal(ld_env(dbname,
				"LINKDESK_TODAY=2026-11-23"
				" LINKDESK_NOW=2026-06-01T07:30:00Z",
				"remind --once --no-mail", &out),
			 0);
	assert_null(strstr(out, "yet"));
	free(out);
	assert_int_equal(ld_env(dbname,
				"LINKDESK_TODAY=2026-11-23"
				" LINKDESK_REMINDER_HOUR=9"
				" LINKDESK_NOW=2026-06-01T07:30:00Z",
				"remind --once --no-mail", &out),
			 0);
	assert_non_null(strstr(out, "before 09:00 in London"));
	free(out);
	assert_int_equal(ld_env(dbname, "LINKDESK_NOW=tomorrow",
				"remind --once --no-mail", &out),
			 1);
	assert_non_null(strstr(out, "LINKDESK_NOW must be an RFC 3339"));
	free(out);
}

/*
 * A running server sees a command-line import at once (LISTEN/NOTIFY), not
 * ten minutes later: the API and the command line agree.  No scheduler
 * runs, so nothing but the holiday watch can reload it.
 */
static void test_server_sees_import(void **state)
{
	char path[512], args[1024], url[600], dburl[600];
	static const char *const moved[] = {
		"2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03",
		"2027-06-07", "2027-08-30", "2027-12-27", "2027-12-28"};
	struct itest_server s;
	struct itest_resp r;
	(void)state;
	expect(dbname, "migrate", 0, NULL);
	snprintf(dburl, sizeof(dburl), "LINKDESK_DATABASE_URL=%s dbname=%s",
		 getenv("LINKDESK_DATABASE_URL"), dbname);
	const char *env[] = {dburl, "LINKDESK_SCHEDULER=0", NULL};
	itest_server_start(&s, env);
	snprintf(url, sizeof(url), "%s/api/v1/workdays?from=2027-05-28&days=1",
		 s.base);
	itest_request(NULL, "GET", url, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(
		json_string_value(json_object_get(r.json, "due_date")),
		"2027-06-01");
	itest_resp_release(&r);

	snprintf(path, sizeof(path), "%s/moved-%d.json",
		 getenv("LINKDESK_TEST_TMP"), (int)getpid());
	feed_file(path, moved, 8);
	snprintf(args, sizeof(args), "holidays import --force %s", path);
	expect(dbname, args, 0, "removed 1");
	/* Within two seconds (the watch polls every quarter second). */
	char due[16] = "";
	for (int i = 0; i < 20 && strcmp(due, "2027-05-31"); i++) {
		if (i)
			usleep(100 * 1000);
		itest_request(NULL, "GET", url, NULL, NULL, &r);
		const char *got =
			json_string_value(json_object_get(r.json, "due_date"));
		snprintf(due, sizeof(due), "%s", got ? got : "");
		itest_resp_release(&r);
	}
	assert_string_equal(due, "2027-05-31");
	assert_int_equal(itest_server_stop(&s), 0);
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

/*
 * sql/functions/ is applied after the migrations, and again only when a
 * file's text is not the one the database took: a function changed by hand
 * stays changed until its file is taken again.
 */
static void test_repeatables(void **state)
{
	char *out = NULL, *v;
	(void)state;
	assert_int_equal(ld(dbname, "migrate", &out), 0);
	assert_non_null(strstr(out, "applied sql/functions/10_tasks.sql"));
	free(out);
	v = psql_value(dbname, "SELECT count(*) > 3 FROM schema_repeatable");
	assert_string_equal(v, "t");
	free(v);
	/* Nothing changed: nothing taken again. */
	assert_int_equal(ld(dbname, "migrate", &out), 0);
	assert_null(strstr(out, "applied sql/functions"));
	free(out);
	psql(dbname, "CREATE OR REPLACE FUNCTION effective_due(t task)"
		     " RETURNS date LANGUAGE sql IMMUTABLE AS"
		     " 'SELECT NULL::date'");
	psql(dbname, "UPDATE schema_repeatable SET checksum = 'old'"
		     " WHERE name = '10_tasks'");
	assert_int_equal(ld(dbname, "migrate", &out), 0);
	assert_non_null(strstr(out, "applied sql/functions/10_tasks.sql"));
	assert_null(strstr(out, "applied sql/functions/20_cases.sql"));
	free(out);
	v = psql_value(dbname, "SELECT prosrc LIKE '%revised_due_on%'"
			       " FROM pg_proc WHERE proname = 'effective_due'");
	assert_string_equal(v, "t");
	free(v);
}

/* Is day a holiday of the division SQL reads?  1 or 0. */
#define DIVISION_HOLIDAY(day)                                                  \
	"SELECT count(*) FROM holiday WHERE day = '" day "' AND division ="    \
	" (SELECT value FROM setting WHERE name = 'holiday_division')"

/*
 * The division is one setting: LINKDESK_HOLIDAY_DIVISION is written into
 * the database by migrate, and C (workdays) and SQL (the division it
 * reads) then agree on Scotland's St Andrew's Day, 30 November 2026.
 */

static void test_one_division(void **state)
{
	char *out = NULL;
	(void)state;
	expect(dbname, "migrate", 0, NULL);
	psql(dbname, "INSERT INTO holiday (division, day, title, notes,"
		     " provisional) VALUES ('scotland', '2026-11-30',"
		     " 'St Andrew''s Day', '', false)");
	assert_int_equal(ld_env(dbname, "LINKDESK_HOLIDAY_DIVISION=scotland",
				"migrate", &out),
			 0);
	free(out);
	char *v = psql_value(dbname, "SELECT value FROM setting"
				     " WHERE name = 'holiday_division'");
	assert_string_equal(v, "scotland");
	free(v);
	/* Without the variable, every reader uses the database's division. */
	expect(dbname, "workdays is 2026-11-30", 0, "no\n");
	v = psql_value(dbname, DIVISION_HOLIDAY("2026-11-30"));
	assert_string_equal(v, "1");
	free(v);
	assert_int_equal(ld_env(dbname,
				"LINKDESK_HOLIDAY_DIVISION=england-and-wales",
				"migrate", &out),
			 0);
	free(out);
	expect(dbname, "workdays is 2026-11-30", 0, "yes\n");
	v = psql_value(dbname, DIVISION_HOLIDAY("2026-11-30"));
	assert_string_equal(v, "0");
	free(v);
	/* An unknown division is refused and changes nothing. */
	assert_int_equal(ld_env(dbname, "LINKDESK_HOLIDAY_DIVISION=wessex",
				"migrate", &out),
			 1);
	assert_non_null(strstr(out, "unknown division"));
	free(out);
	v = psql_value(dbname, "SELECT value FROM setting"
			       " WHERE name = 'holiday_division'");
	assert_string_equal(v, "england-and-wales");
	free(v);
}

/*
 * The working-days queue is refilled only by a change that changes
 * something: not by migrate writing the division it already has, nor by
 * generating years already held; a real new holiday refills it.
 */
static void test_days_queue(void **state)
{
	char *out = NULL, *v;
	(void)state;
	expect(dbname, "migrate", 0, NULL);
	expect(dbname, "seed-demo", 0, NULL);
	psql(dbname, "DELETE FROM task_days_due");
	assert_int_equal(ld_env(dbname,
				"LINKDESK_HOLIDAY_DIVISION=england-and-wales",
				"migrate", &out),
			 0);
	free(out);
	expect(dbname, "holidays generate 2030 2030", 0, NULL);
	v = psql_value(dbname, "SELECT count(*) FROM task_days_due");
	assert_string_equal(v, "0");
	free(v);
	psql(dbname, "INSERT INTO holiday (division, day, title, notes,"
		     " provisional) VALUES ('england-and-wales', '2026-07-08',"
		     " 'Test day', '', false)");
	v = psql_value(dbname, "SELECT count(*) > 0 FROM task_days_due");
	assert_string_equal(v, "t");
	free(v);
}

/*
 * The demo is as of the server's today: LINKDESK_TODAY when set, so a suite
 * or a demo that fixes the day reads demo dates from the same clock.
 */
static void test_seed_demo(void **state)
{
	(void)state;
	char *out;
	expect(dbname, "migrate", 0, NULL);
	assert_int_equal(ld_env(dbname, "LINKDESK_TODAY='2 March 2020'",
				"seed-demo", &out),
			 1);
	assert_non_null(strstr(out, "LINKDESK_TODAY must be YYYY-MM-DD"));
	free(out);
	assert_int_equal(
		ld_env(dbname, "LINKDESK_TODAY=2020-03-02", "seed-demo", &out),
		0);
	assert_non_null(strstr(out, "demo organisation loaded"));
	free(out);
	/* The newest case came two days before; the overdue request's
	 * due date nine days before. */
	char *v = psql_value(dbname, "SELECT max(received_on) FROM"
				     " ombudsman_case");
	assert_string_equal(v, "2020-02-29");
	free(v);
	v = psql_value(dbname, "SELECT min(due_on) FILTER (WHERE status ="
			       " 'in_progress') FROM task");
	assert_string_equal(v, "2020-02-22");
	free(v);
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
		cmocka_unit_test_setup_teardown(test_holidays_refused, fresh_db,
						drop_db),
		cmocka_unit_test_setup_teardown(test_remind_hour, fresh_db,
						drop_db),
		cmocka_unit_test_setup_teardown(test_server_sees_import,
						fresh_db, drop_db),
		cmocka_unit_test(test_workdays),
		cmocka_unit_test_setup_teardown(test_one_division, fresh_db,
						drop_db),
		cmocka_unit_test_setup_teardown(test_repeatables, fresh_db,
						drop_db),
		cmocka_unit_test_setup_teardown(test_days_queue, fresh_db,
						drop_db),
		cmocka_unit_test_setup_teardown(test_seed_demo, fresh_db,
						drop_db),
	};
	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
