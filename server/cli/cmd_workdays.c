/* linkdesk workdays add DATE N | between DATE DATE | is DATE */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "date.h"
#include "store.h"
#include "workcal.h"

static void help(FILE *out)
{
	fprintf(out,
		"usage: linkdesk workdays add DATE N\n"
		"       linkdesk workdays between DATE DATE\n"
		"       linkdesk workdays is DATE\n\n"
		"Working-day arithmetic on the bank holidays in the database\n"
		"(the installation's division).  Day 0 is DATE; add "
		"prints the\nNth working day after it.  between prints the "
		"working days after the\nfirst date up to and including the "
		"second.  Dates are YYYY-MM-DD; a date\noutside the loaded "
		"holidays is an error.\n");
}

static bool parse_date(const char *s, int32_t *out)
{
	if (date_parse(s, out) == LD_OK)
		return true;
	fprintf(stderr, "linkdesk: \"%s\" is not a real date as YYYY-MM-DD\n",
		s);
	return false;
}

int cmd_workdays(int argc, char **argv)
{
	struct config cfg;
	struct store *store;
	struct workcal cal;
	int32_t a, b;
	int rc = 1;

	if (cli_wants_help(argc, argv)) {
		help(stdout);
		return 0;
	}
	bool add = argc == 4 && !strcmp(argv[1], "add");
	bool between = argc == 4 && !strcmp(argv[1], "between");
	bool is = argc == 3 && !strcmp(argv[1], "is");
	if (!add && !between && !is) {
		help(stderr);
		return 2;
	}
	if (!parse_date(argv[2], &a))
		return 2;
	long n = 0;
	if (add) {
		char *end;
		errno = 0;
		n = strtol(argv[3], &end, 10);
		if (errno || end == argv[3] || *end || n < 0 || n > 100000) {
			fprintf(stderr, "linkdesk: N must be a whole number "
					"from 0 to 100000\n");
			return 2;
		}
	} else if (between && !parse_date(argv[3], &b)) {
		return 2;
	}

	if (!cli_open(&cfg, &store))
		return 1;
	workcal_init(&cal);
	if (holiday_store_load(store, NULL, &cal)) {
		fprintf(stderr, "linkdesk: cannot load bank holidays from the "
				"database\n");
		goto out;
	}
	enum ld_err err;
	char out[DATE_STRLEN];
	int count;
	if (add) {
		err = workcal_add(&cal, a, (int)n, &b);
		if (!err) {
			date_format(b, out);
			printf("%s\n", out);
		}
	} else if (between) {
		err = workcal_between(&cal, a, b, &count);
		if (!err)
			printf("%d\n", count);
	} else {
		err = workcal_covers(&cal, a) ? LD_OK : LD_ERANGE;
		if (!err)
			printf("%s\n",
			       workcal_is_working_day(&cal, a) ? "yes" : "no");
	}
	if (err == LD_ERANGE)
		fprintf(stderr, "linkdesk: outside the bank holidays loaded; "
				"import or generate that year first\n");
	else if (!err)
		rc = 0;
out:
	workcal_release(&cal);
	cli_close(&cfg, store);
	return rc;
}
