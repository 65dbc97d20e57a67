/*
 * The GOV.UK bank-holidays feed (https://www.gov.uk/bank-holidays.json):
 * an object keyed by division, each with an "events" array of {title, date,
 * notes, bunting}.  Parsing is pure; loading the result is the store's job.
 */
#ifndef HOLIDAY_FEED_H
#define HOLIDAY_FEED_H

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

#endif
