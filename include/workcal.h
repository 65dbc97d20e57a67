/*
 * The working-day calendar: Monday to Friday less the bank holidays of one
 * division, over the range of dates the loaded holidays cover.  Pure: no
 * I/O, no clock.  The server loads one from the holidays table; tests build
 * their own.
 *
 * Rules (DOMAIN.md, "Timescales"): day 0 is the day a request arrives and the
 * due date is the Nth working day after it; the working days between A and B
 * are those after A up to and including B.
 */
#ifndef WORKCAL_H
#define WORKCAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ld_err.h"

struct workcal {
	int32_t *holidays; /* sorted, unique, weekdays only */
	size_t n;
	size_t cap;
	int32_t first; /* the covered range, inclusive; empty when first > last
			*/
	int32_t last;
	/* The store's calendar_version it was loaded at; 0: not loaded
	 * from the store (a test's or a command's own calendar). */
	int64_t version;
};

/* An empty calendar covering no dates. */
void workcal_init(struct workcal *cal);
void workcal_release(struct workcal *cal);

/*
 * Add a holiday.  A holiday on a weekend changes nothing and is dropped;
 * duplicates are ignored.  Call workcal_set_range() as well: holidays alone
 * do not say which years are covered.
 */
void workcal_add_holiday(struct workcal *cal, int32_t day);

/* Declare the inclusive range of dates whose holidays are all loaded. */
void workcal_set_range(struct workcal *cal, int32_t first, int32_t last);

bool workcal_covers(const struct workcal *cal, int32_t day);

/* True on a weekday that is not a holiday.  Outside the range: false. */
bool workcal_is_working_day(const struct workcal *cal, int32_t day);

/*
 * The Nth working day after from (N = 0 gives from itself).  LD_EINVAL for
 * a negative N, LD_ERANGE when from or the result lies outside the range.
 */
enum ld_err workcal_add(const struct workcal *cal, int32_t from, int n,
			int32_t *out);

/*
 * The working days after a up to and including b; negative when b is before
 * a.  LD_ERANGE when either lies outside the range.
 */
enum ld_err workcal_between(const struct workcal *cal, int32_t a, int32_t b,
			    int *out);

/* The last working day on or before day (for "plan to the day before"). */
enum ld_err workcal_on_or_before(const struct workcal *cal, int32_t day,
				 int32_t *out);

/* Calendar invites and feeds mark the day to have a task ready. */
#define WORKCAL_CHECKPOINT_DAYS 3

/*
 * The checkpoint of a task due on due: WORKCAL_CHECKPOINT_DAYS working days
 * before it (stopping where the calendar's range ends).
 */
int32_t workcal_checkpoint(const struct workcal *cal, int32_t due);

/*
 * The last due date that counts as nearly overdue on today: the days-th
 * working day after it (past the calendar's range, or with no calendar
 * (NULL), today + days).  Lists,
 * counts, pages and the digest all ask this.
 */
int32_t workcal_nearly_due_by(const struct workcal *cal, int32_t today,
			      int days);

#endif
