/*
 * Civil dates as whole days since 1970-01-01 in the proleptic Gregorian
 * calendar.  A date here is a calendar date in Europe/London with no time of
 * day; it never passes through a time zone.
 */
#ifndef DATE_H
#define DATE_H

#include <stdbool.h>
#include <stdint.h>

#include "ld_err.h"

/* The years a date may name; anything else is refused by date_parse(). */
#define DATE_MIN_YEAR 1900
#define DATE_MAX_YEAR 2199

/* "YYYY-MM-DD" plus the terminating NUL. */
#define DATE_STRLEN 11

bool date_valid_ymd(int year, int month, int day);
int date_days_in_month(int year, int month);

/* The day number of a valid date (check with date_valid_ymd() first). */
int32_t date_from_ymd(int year, int month, int day);
void date_to_ymd(int32_t days, int *year, int *month, int *day);

/* ISO weekday: 1 for Monday to 7 for Sunday. */
int date_weekday(int32_t days);

/*
 * Parse exactly "YYYY-MM-DD" (no surrounding space, no other form) into a
 * day number.  LD_EINVAL for anything else, including impossible dates such
 * as 2026-02-30 and years outside DATE_MIN_YEAR..DATE_MAX_YEAR.
 */
enum ld_err date_parse(const char *s, int32_t *out);

/*
 * An RFC 3339 time with its offset ("2027-01-31T17:00:00Z", "+01:00" or
 * "-05:00"; fractions of a second allowed and dropped) as a Unix time.
 * LD_EINVAL for anything else.
 */
enum ld_err date_parse_timestamp(const char *s, int64_t *out);

/* Write "YYYY-MM-DD" into out, which must hold DATE_STRLEN bytes. */
void date_format(int32_t days, char out[DATE_STRLEN]);

/* Today's date in Europe/London for a Unix time. */
int32_t date_from_unix_london(int64_t unix_seconds);

/* "Friday 19 December 2025" plus the terminating NUL fits here. */
#define DATE_LONG_LEN 40

/* A date as people read it: "Friday 19 December 2025". */
void date_format_long(int32_t days, char out[DATE_LONG_LEN]);

/* The hour of the day (0-23) in Europe/London at a Unix time. */
int date_london_hour(int64_t unix_seconds);

#endif
