/*
 * Due dates from the rules the Ombudsmen use: N working days from the day a
 * request arrives (evidence: 15), N calendar weeks from a determination
 * ("within four weeks of the date of this report": 28 days), or a date the
 * Ombudsman gives.  Every deadline in Linkdesk comes from here, on the
 * working-day calendar.
 */
#ifndef DEADLINE_H
#define DEADLINE_H

#include <stdbool.h>
#include <stdint.h>

#include "ld_err.h"
#include "workcal.h"

enum due_kind { DUE_WORKING_DAYS, DUE_WEEKS, DUE_GIVEN };

struct due_rule {
	enum due_kind kind;
	int n;	       /* working days or weeks */
	int32_t given; /* DUE_GIVEN only */
};

struct deadline {
	int32_t due;
	/* The due date is a weekend or bank holiday: plan to plan_by. */
	bool non_working;
	int32_t plan_by;
	char rule[24]; /* "working_days:15", "weeks:4", "given" */
};

/*
 * Work out the deadline of something set on set_on.  LD_EINVAL for a
 * negative or absurd N (over 520) or a given date before set_on, LD_ERANGE
 * outside the calendar.
 */
enum ld_err deadline_compute(const struct workcal *cal, int32_t set_on,
			     const struct due_rule *rule, struct deadline *out);

#endif
