/*
 * `make run`'s start-up (issue 16, point 10), through its scripts: the
 * banner names every demo validator a case's evidence needs, one setting
 * moves each port (LD_PGPORT the database's address, LINKDESK_LISTEN the
 * public one), and a cluster that does not start says where its log is.
 * Run from the repository's root, as tests/run.sh does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "itest.h"

static char *sh(const char *cmd, int want_rc)
{
	char *out = NULL;
	int rc = itest_sh(cmd, &out);
	if (rc != want_rc)
		fail_msg("%s: exit %d (want %d):\n%s", cmd, rc, want_rc, out);
	return out;
}

static void want(const char *out, const char *needle)
{
	if (!strstr(out, needle))
		fail_msg("wanted \"%s\" in:\n%s", needle, out);
}

/* Every validator of the demo (sql/demo.sql) is in the banner. */
static void test_banner_validators(void **state)
{
	(void)state;
	char *banner = sh("LINKDESK_BASE_URL=http://localhost:8123 "
			  "sh scripts/banner.sh",
			  0);
	char *validators = sh("grep \"'{validator}'\" sql/demo.sql | "
			      "sed \"s/^ *('\\([^']*\\)'.*/\\1/\"",
			      0);
	int n = 0;
	for (char *line = strtok(validators, "\n"); line;
	     line = strtok(NULL, "\n"), n++)
		want(banner, line);
	assert_int_equal(n, 3);
	want(banner, "http://localhost:8123/");
	want(banner, "Head of Dispute Resolutions");
	free(validators);
	free(banner);
}

/* LD_PGPORT and LINKDESK_LISTEN are each the one setting for a port. */
static void test_one_setting_a_port(void **state)
{
	(void)state;
	char *out = sh("env -u LINKDESK_DATABASE_URL -u "
		       "LINKDESK_OWNER_DATABASE_URL -u LINKDESK_BASE_URL "
		       "LD_PGPORT=56001 LINKDESK_LISTEN=127.0.0.1:8181 "
		       "sh scripts/run.sh --env",
		       0);
	want(out, "LINKDESK_DATABASE_URL=host=127.0.0.1 port=56001 "
		  "dbname=linkdesk user=linkdesk\n");
	want(out, "LINKDESK_OWNER_DATABASE_URL=host=127.0.0.1 port=56001 "
		  "dbname=linkdesk user=linkdesk_owner\n");
	want(out, "LINKDESK_BASE_URL=http://localhost:8181\n");
	free(out);
	/* A public host keeps its name; settings given are kept. */
	out = sh("env -u LINKDESK_BASE_URL LD_PGPORT=56001 "
		 "LINKDESK_DATABASE_URL='host=db.example port=5432' "
		 "LINKDESK_LISTEN=tracker.example:8443 sh scripts/run.sh --env",
		 0);
	want(out, "LINKDESK_BASE_URL=http://tracker.example:8443\n");
	want(out, "LINKDESK_DATABASE_URL=host=db.example port=5432\n");
	free(out);
	out = sh("LINKDESK_BASE_URL=https://tracker.example "
		 "LINKDESK_LISTEN=127.0.0.1:8181 sh scripts/run.sh --env",
		 0);
	want(out, "LINKDESK_BASE_URL=https://tracker.example\n");
	free(out);
}

/* A cluster that cannot start says so, and where its log is. */
static void test_failed_start_names_log(void **state)
{
	(void)state;
	char dir[] = "/tmp/ld-startup.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "chmod 755 %s", dir);
	free(sh(cmd, 0));
	snprintf(cmd, sizeof(cmd),
		 "LD_PGDATA=%s/pg LD_PGPORT=%d "
		 "LD_PGOPTS='-c no_such_setting=1' sh scripts/devdb.sh start "
		 "2>&1",
		 dir, itest_free_port());
	char *out = sh(cmd, 1);
	char log[300];
	snprintf(log, sizeof(log), "its log is %s/postgresql.log", dir);
	want(out, log);
	want(out, "no_such_setting");
	free(out);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	free(sh(cmd, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_banner_validators),
		cmocka_unit_test(test_one_setting_a_port),
		cmocka_unit_test(test_failed_start_names_log),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
