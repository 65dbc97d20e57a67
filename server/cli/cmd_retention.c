/* linkdesk retention [--dry-run]: remove closed cases' file contents. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "date.h"
#include "file_store.h"
#include "inbox_store.h"

int cmd_retention(int argc, char **argv)
{
	struct config cfg;
	struct store *store;
	bool dry_run = argc == 2 && !strcmp(argv[1], "--dry-run");
	char *json = NULL;
	int count = 0;

	if (cli_wants_help(argc, argv)) {
		printf("usage: linkdesk retention [--dry-run]\n\n"
		       "Remove the contents of evidence files of cases closed "
		       "more than\nLINKDESK_RETENTION_DAYS ago, keeping each "
		       "file's name, size and SHA-256\n(and the audit log's "
		       "record of it).  --dry-run lists them as JSON and\n"
		       "changes nothing.\n");
		return 0;
	}
	if (argc > 2 || (argc == 2 && !dry_run)) {
		fprintf(stderr, "usage: linkdesk retention [--dry-run]\n");
		return 2;
	}
	if (!cli_open(&cfg, &store))
		return 1;
	int32_t today = config_today(&cfg);
	enum ld_err err = file_store_retention(store, (int)cfg.retention_days,
					       dry_run, today, &json, &count);
	if (!err) {
		if (dry_run)
			printf("%s\n", json);
		printf("%s %d files\n", dry_run ? "would remove" : "removed",
		       count);
		err = inbox_store_retention(store, (int)cfg.retention_days,
					    dry_run, today, &count);
		if (!err)
			printf("%s %d inbox messages\n",
			       dry_run ? "would empty" : "emptied", count);
		else
			fprintf(stderr,
				"linkdesk: inbox retention failed: %s\n",
				ld_err_name(err));
	} else {
		fprintf(stderr, "linkdesk: retention failed: %s\n",
			ld_err_name(err));
	}
	free(json);
	cli_close(&cfg, store);
	return err ? 1 : 0;
}
