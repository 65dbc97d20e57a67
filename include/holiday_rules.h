/*
 * The standard rules for bank holidays in each division, used to fill years
 * that GOV.UK has not yet published (marked provisional) and to tell how
 * many days a published year cannot have fewer of.  One-off days (2020's
 * moved May holiday, 2022's jubilee and funeral, 2023's coronation) are
 * data in the published feed, never rules here.
 */
#ifndef HOLIDAY_RULES_H
#define HOLIDAY_RULES_H

#include <stdbool.h>
#include <stdint.h>

#define HOLIDAY_RULES_MAX 10

struct holiday {
	int32_t day;
	const char *title; /* static text */
	bool substitute;   /* moved off a weekend */
};

/* Easter Sunday of a Gregorian year (the anonymous Gregorian algorithm). */
int32_t holiday_rules_easter(int year);

/*
 * Fill out with the standard England and Wales bank holidays of a year, in
 * date order; returns how many (always 8).
 */
int holiday_rules_england_wales(int year,
				struct holiday out[HOLIDAY_RULES_MAX]);

/*
 * The standard holidays of a division (as GOV.UK names it) in a year, in
 * date order: 8 in England and Wales; 9 in Scotland (2nd January and St
 * Andrew's Day added, the summer holiday early in August); 10 in Northern
 * Ireland (St Patrick's Day and the Battle of the Boyne added).  Returns
 * how many, 0 for an unknown division.
 */
int holiday_rules_division(const char *division, int year,
			   struct holiday out[HOLIDAY_RULES_MAX]);

#endif
