/* Helpers shared by the subcommands. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "store.h"

bool cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return true;
	return false;
}

static bool open_as(struct config *cfg, struct store **store, bool owner)
{
	char why[256];
	if (config_load(cfg, why, sizeof(why))) {
		fprintf(stderr, "linkdesk: %s\n", why);
		return false;
	}
	*store = store_new(owner ? cfg->owner_database_url : cfg->database_url,
			   2);
	return true;
}

bool cli_open(struct config *cfg, struct store **store)
{
	return open_as(cfg, store, false);
}

bool cli_open_owner(struct config *cfg, struct store **store)
{
	return open_as(cfg, store, true);
}

void cli_close(struct config *cfg, struct store *store)
{
	store_free(store);
	config_release(cfg);
}
