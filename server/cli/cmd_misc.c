/* The small subcommands: version, migrate, seed-demo. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "embedded.h"
#include "auth_store.h"
#include "secret.h"
#include "store.h"

/* Printed by make run; never a real password. */
#define DEMO_PASSWORD "demo-linkdesk-2026"

#ifndef LINKDESK_VERSION
#define LINKDESK_VERSION "0.0.0-dev"
#endif

int cmd_version(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		printf("usage: linkdesk version\n\nPrint the version of this "
		       "build and the schema version it needs.\n");
		return 0;
	}
	printf("linkdesk %s (schema %d)\n", LINKDESK_VERSION,
	       migrations[migrations_count - 1].version);
	return 0;
}

int cmd_migrate(int argc, char **argv)
{
	struct config cfg;
	struct store *store;
	char why[512];
	int applied, version = 0;

	if (cli_wants_help(argc, argv)) {
		printf("usage: linkdesk migrate [--status]\n\n"
		       "Apply every migration in sql/ not yet applied, each in "
		       "its own transaction.\nSafe to run again: it does "
		       "nothing when the database is up to date.\n"
		       "--status prints the database's version and stops.\n"
		       "Runs as LINKDESK_OWNER_DATABASE_URL's role, which "
		       "owns the schema, and\ngives LINKDESK_DATABASE_URL's "
		       "role (the server's) the rights it needs.\n");
		return 0;
	}
	if (!cli_open_owner(&cfg, &store))
		return 1;
	int rc = 0;
	if (argc > 1 && !strcmp(argv[1], "--status")) {
		enum ld_err err = store_schema_version(store, &version);
		if (err && err != LD_ENOTFOUND) {
			fprintf(stderr,
				"linkdesk: cannot reach the database\n");
			rc = 1;
		} else {
			printf("database at %d, this build at %d\n", version,
			       migrations[migrations_count - 1].version);
		}
	} else if (migrate_store_apply(store, migrations, migrations_count,
				       cfg.database_url, &applied, why,
				       sizeof(why))) {
		fprintf(stderr, "linkdesk: %s\n", why);
		rc = 1;
	} else if (*cfg.division &&
		   holiday_store_set_division(store, cfg.division)) {
		fprintf(stderr,
			"linkdesk: LINKDESK_HOLIDAY_DIVISION: unknown "
			"division \"%s\" (england-and-wales, scotland, "
			"northern-ireland)\n",
			cfg.division);
		rc = 1;
	} else {
		printf("migrations applied: %d; database at %d\n", applied,
		       migrations[migrations_count - 1].version);
	}
	cli_close(&cfg, store);
	return rc;
}

int cmd_seed_demo(int argc, char **argv)
{
	struct config cfg;
	struct store *store;
	bool loaded = false;

	if (cli_wants_help(argc, argv)) {
		printf("usage: linkdesk seed-demo\n\n"
		       "Load the demo organisation (service areas, users, "
		       "cases in every state)\ninto a migrated database that "
		       "holds no organisation data yet; otherwise do\n"
		       "nothing.  Demo passwords are printed, never for "
		       "production use.\n");
		return 0;
	}
	if (!cli_open(&cfg, &store))
		return 1;
	enum ld_err err =
		store_seed_demo(store, demo_sql, config_today(&cfg), &loaded);
	if (!err && loaded) {
		/* One hash serves every demo user: they share a password. */
		char hash[SECRET_PWHASH_LEN];
		int changed;
		err = secret_init();
		if (!err)
			err = secret_password_hash(
				DEMO_PASSWORD,
				!strcmp(cfg.password_hash, "interactive"),
				hash);
		if (!err)
			err = auth_store_set_passwords(
				store, "%@demo.linkdesk.test", hash, &changed);
	}
	cli_close(&cfg, store);
	if (err) {
		fprintf(stderr, "linkdesk: demo data not loaded: %s\n",
			ld_err_name(err));
		return 1;
	}
	printf(loaded ? "demo organisation loaded\n"
		      : "database already holds data: demo not loaded\n");
	return 0;
}
