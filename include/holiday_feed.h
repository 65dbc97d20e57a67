/*
 * The GOV.UK bank-holidays feed (https://www.gov.uk/bank-holidays.json):
 * an object keyed by division, each with an "events" array of {title, date,
 * notes, bunting}.  Parsing is pure; loading the result is the store's job.
 */
#ifndef HOLIDAY_FEED_H
#define HOLIDAY_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ld_err.h"

#define HOLIDAY_DIVISIONS 3

struct holiday_feed_event {
	const char *division; /* one of holiday_feed_divisions[] */
	int32_t day;
	char *title;
	char *notes;
};

struct holiday_feed {
	struct holiday_feed_event *events;
	size_t n;
};

/* The divisions Linkdesk knows, as GOV.UK names them. */
extern const char *const holiday_feed_divisions[HOLIDAY_DIVISIONS];

/* The canonical division name, or NULL when name is not one. */
const char *holiday_feed_division(const char *name);

/*
 * Parse the feed's JSON text.  Unknown divisions are refused, as are events
 * with a missing or impossible date or an empty title.  On error why holds a
 * one-line reason and out is left empty.  Release with
 * holiday_feed_release().
 */
enum ld_err holiday_feed_parse(const char *json, size_t len,
			       struct holiday_feed *out, char *why,
			       size_t whylen);
void holiday_feed_release(struct holiday_feed *feed);

/* A holiday the database holds now. */
struct holiday_held {
	const char *division; /* one of holiday_feed_divisions[] */
	int32_t day;
	const char *title, *notes;
	bool provisional;
};

enum holiday_change_kind { HOLIDAY_ADDED, HOLIDAY_CHANGED, HOLIDAY_REMOVED };

/* One day an import changes. */
struct holiday_change {
	enum holiday_change_kind kind;
	const char *division;
	int32_t day;
	char *title, *notes; /* the feed's; the old ones when removed */
	char *old_title;     /* changed: the title it had */
	bool published;	     /* removed: the day was published, not
				provisional */
};

/*
 * What importing a feed would do.  Each (division, year) the feed holds is
 * made to hold exactly the feed's days: days the feed adds, days whose
 * title or notes differ or that were provisional (changed), and days of
 * those years the feed leaves out (removed).  Days already as the feed has
 * them are no change at all.
 */
struct holiday_plan {
	struct holiday_change *changes; /* by division, then day */
	size_t n;
	int added, changed, removed;
	int years; /* (division, year) pairs the feed holds */
	/*
	 * Why the import is refused unless forced ("" when it is not): a year
	 * that would lose published days, or be left with fewer days than
	 * its division's standard rules give (a file cut short).
	 */
	char refusal[512];
};

/*
 * Compare feed with the held days (any order; those of years the feed does
 * not hold are ignored) and fill plan.  Release with holiday_plan_release().
 */
void holiday_plan_make(const struct holiday_feed *feed,
		       const struct holiday_held *held, size_t n,
		       struct holiday_plan *plan);
void holiday_plan_release(struct holiday_plan *plan);

/* "+", "~" or "-" and "england-and-wales 2027-05-31 Spring bank holiday". */
void holiday_change_text(const struct holiday_change *c, char *out, size_t len);

#endif
