/* linkdesk holidays import [--force] FILE | list [YEAR] | generate FROM TO */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "date.h"
#include "holiday_feed.h"
#include "store.h"

#define FEED_MAX (8 * 1024 * 1024)

static void help(FILE *out)
{
	fprintf(out,
		"usage: linkdesk holidays import [--force] FILE\n"
		"       linkdesk holidays list [YEAR]\n"
		"       linkdesk holidays generate FROM_YEAR TO_YEAR\n\n"
		"import loads GOV.UK's bank-holidays.json (all three "
		"divisions): each year\nin the file comes to hold exactly "
		"the file's days, provisional ones replaced.\nIt prints "
		"each day added (+), changed (~) and removed (-); running "
		"it again\nchanges nothing.  A file that would remove "
		"published days from a year, or\nleave a year fewer days "
		"than its division's standard rules give, is refused\n"
		"unless --force is given.  Running servers load the new "
		"calendar at once.\n"
		"list prints the holidays of the installation's division.\n"
		"generate fills years that have no holidays yet from the "
		"standard England\nand Wales rules, marked provisional.\n");
}

static bool parse_year(const char *s, int *out)
{
	char *end;
	errno = 0;
	long y = strtol(s, &end, 10);
	if (errno || end == s || *end || y < DATE_MIN_YEAR ||
	    y > DATE_MAX_YEAR) {
		fprintf(stderr,
			"linkdesk: \"%s\" is not a year from %d to %d\n", s,
			DATE_MIN_YEAR, DATE_MAX_YEAR);
		return false;
	}
	*out = (int)y;
	return true;
}

static bool read_file(const char *path, struct buf *b)
{
	FILE *f = fopen(path, "rb");
	char chunk[8192];
	size_t n;

	if (!f) {
		fprintf(stderr, "linkdesk: cannot open %s\n", path);
		return false;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (buf_add(b, chunk, n)) {
			fprintf(stderr, "linkdesk: %s is over %d bytes\n", path,
				FEED_MAX);
			fclose(f);
			return false;
		}
	}
	bool ok = !ferror(f);
	fclose(f);
	if (!ok)
		fprintf(stderr, "linkdesk: cannot read %s\n", path);
	return ok;
}

static int import(struct store *store, const char *path, bool force)
{
	struct buf b;
	struct holiday_feed feed;
	struct holiday_plan plan = {0};
	char why[256], line[512];
	int rc = 1;

	buf_init(&b, FEED_MAX);
	if (!read_file(path, &b))
		goto out;
	if (holiday_feed_parse(b.ptr ? b.ptr : "", b.len, &feed, why,
			       sizeof(why))) {
		fprintf(stderr, "linkdesk: %s: %s\n", path, why);
		goto out;
	}
	enum ld_err err = holiday_store_import(store, &feed, force, &plan);
	holiday_feed_release(&feed);
	for (size_t i = 0; i < plan.n; i++) {
		holiday_change_text(&plan.changes[i], line, sizeof(line));
		printf("%s\n", line);
	}
	if (err == LD_EVALIDATION) {
		fprintf(stderr,
			"linkdesk: %s refused, nothing changed: %s\n"
			"hint: if the file is right, run again with --force\n",
			path, plan.refusal);
		goto out;
	}
	if (err) {
		fprintf(stderr, "linkdesk: import failed: %s\n",
			ld_err_name(err));
		goto out;
	}
	if (plan.refusal[0])
		printf("forced: %s\n", plan.refusal);
	printf("holidays added %d, changed %d, removed %d in %d "
	       "division-years\n",
	       plan.added, plan.changed, plan.removed, plan.years);
	rc = 0;
out:
	holiday_plan_release(&plan);
	buf_release(&b);
	return rc;
}

static void print_row(const struct holiday_row *row, void *ctx)
{
	char date[DATE_STRLEN];
	(void)ctx;
	date_format(row->day, date);
	printf("%s\t%s\t%s\t%s\n", date, row->title, row->notes,
	       row->provisional ? "provisional" : "published");
}

int cmd_holidays(int argc, char **argv)
{
	struct config cfg;
	struct store *store;
	int rc = 2, from, to, year = 0, added;

	if (cli_wants_help(argc, argv)) {
		help(stdout);
		return 0;
	}
	bool force = argc == 4 && !strcmp(argv[2], "--force");
	bool import_cmd = (argc == 3 || force) && !strcmp(argv[1], "import");
	bool list = (argc == 2 || argc == 3) && !strcmp(argv[1], "list");
	bool generate = argc == 4 && !strcmp(argv[1], "generate");
	if (!import_cmd && !list && !generate) {
		help(stderr);
		return 2;
	}
	if (list && argc == 3 && !parse_year(argv[2], &year))
		return 2;
	if (generate &&
	    (!parse_year(argv[2], &from) || !parse_year(argv[3], &to)))
		return 2;
	if (!cli_open(&cfg, &store))
		return 1;
	if (import_cmd) {
		rc = import(store, argv[argc - 1], force);
	} else if (list) {
		rc = holiday_store_list(store, NULL, year, print_row, NULL) ? 1
									    : 0;
	} else if (holiday_store_generate(store, from, to, &added)) {
		fprintf(stderr, "linkdesk: generate failed\n");
		rc = 1;
	} else {
		printf("generated provisional holidays for %d years\n", added);
		rc = 0;
	}
	cli_close(&cfg, store);
	return rc;
}
