#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "store.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{"serve", cmd_serve, "run the dashboard, API and scheduler"},
	{"migrate", cmd_migrate, "apply database migrations"},
	{"seed-demo", cmd_seed_demo, "load the demo organisation if empty"},
	{"workdays", cmd_workdays, "working-day arithmetic (add, between)"},
	{"holidays", cmd_holidays, "bank holidays (import, list, generate)"},
	{"remind", cmd_remind, "send due reminders, digests and mail once"},
	{"retention", cmd_retention, "remove closed cases' file contents"},
	{"inbox", cmd_inbox, "take .eml files into the Ombudsman inbox"},
	{"version", cmd_version, "print the version"},
};

static void usage(FILE *out)
{
	fprintf(out, "usage: linkdesk COMMAND [ARGS]\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(out, "\nRun 'linkdesk COMMAND --help' for more.\n");
}

/*
 * Blocks of a megabyte or more are mapped on their own and given back to
 * the system when freed.  glibc's default raises that threshold to the
 * largest block freed (up to 32 MB), after which a forecast model's
 * arrays come from the arena of whichever thread built it and stay
 * there: at full size the server grew from 53 to 167 MB over five
 * rebuilds of home's forecasts, and kept 71 MB after a backtest; with
 * this, 48 to 53 MB and 19 MB (bench/README.md).
 */
#define MMAP_FROM (1 << 20)

int main(int argc, char **argv)
{
	mallopt(M_MMAP_THRESHOLD, MMAP_FROM);
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "linkdesk: unknown command \"%s\"\n", argv[1]);
	usage(stderr);
	return 2;
}
