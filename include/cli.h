/* The subcommands of the linkdesk binary, dispatched by server/main.c. */
#ifndef CLI_H
#define CLI_H

#include <stdbool.h>

#include "config.h"

struct store;

int cmd_serve(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_seed_demo(int argc, char **argv);
int cmd_workdays(int argc, char **argv);
int cmd_holidays(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_retention(int argc, char **argv);
int cmd_inbox(int argc, char **argv);
int cmd_remind(int argc, char **argv);

/* True when argv holds -h or --help. */
bool cli_wants_help(int argc, char **argv);

/*
 * Load the settings and open a store on them, printing a one-line reason and
 * returning false on failure.  Release both with cli_close().
 */
bool cli_open(struct config *cfg, struct store **store);

/*
 * cli_open() on LINKDESK_OWNER_DATABASE_URL, the role that owns the schema
 * (linkdesk migrate), without the server's statement and lock timeouts.
 */
bool cli_open_owner(struct config *cfg, struct store **store);
void cli_close(struct config *cfg, struct store *store);

#endif
