/*
 * Reporting periods: UK public-sector financial quarters (Q1 is April to
 * June) and financial years.  "2026-Q3" is October to December 2026, the
 * third quarter of 2026-27; "2026-27" is 1 April 2026 to 31 March 2027.
 */
#ifndef PERIOD_H
#define PERIOD_H

#include <stdbool.h>
#include <stdint.h>

#include "ld_err.h"

struct period {
	int32_t from, to; /* inclusive */
	int year;	  /* the financial year's first calendar year */
	int quarter;	  /* 1 to 4; 0 for a whole year */
	char label[16];
};

/* Parse "2026-Q3" or "2026-27"; LD_EINVAL for anything else. */
enum ld_err period_parse(const char *s, struct period *out);

/* The quarter, or the year, holding a day. */
void period_quarter_of(int32_t day, struct period *out);
void period_year_of(int32_t day, struct period *out);

/* The period before (quarter before, or year before). */
void period_previous(const struct period *p, struct period *out);

/* The same period a year earlier. */
void period_year_earlier(const struct period *p, struct period *out);

/*
 * A period still running on today (it has begun and its last day is not
 * over) is reported as of today: every "at the end" figure is taken
 * today.  period_as_of() is the day figures are taken: the period's end,
 * today while it runs, or the day before it begins if it has not.
 */
bool period_running(const struct period *p, int32_t today);
int32_t period_as_of(const struct period *p, int32_t today);

/* "1 October to 31 December 2026" plus ", so far" fits here. */
#define PERIOD_TEXT_LEN 64

/*
 * The period as people read it, to its as-of day: "1 October to 31
 * December 2026", or "1 October to 1 December 2026, so far" while it
 * runs; "1 April 2026 to 31 March 2027" across calendar years.
 */
void period_text(const struct period *p, int32_t today,
		 char out[PERIOD_TEXT_LEN]);

#endif
