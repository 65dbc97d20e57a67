#include "date.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int date_days_in_month(int year, int month)
{
	static const int days[] = {31, 28, 31, 30, 31, 30,
				   31, 31, 30, 31, 30, 31};
	if (month < 1 || month > 12)
		return 0;
	if (month == 2 && is_leap(year))
		return 29;
	return days[month - 1];
}

bool date_valid_ymd(int year, int month, int day)
{
	return year >= DATE_MIN_YEAR && year <= DATE_MAX_YEAR && month >= 1 &&
	       month <= 12 && day >= 1 &&
	       day <= date_days_in_month(year, month);
}

/* Howard Hinnant's days_from_civil and civil_from_days. */
int32_t date_from_ymd(int year, int month, int day)
{
	int y = year - (month <= 2);
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void date_to_ymd(int32_t days, int *year, int *month, int *day)
{
	int32_t z = days + 719468;
	int32_t era = (z >= 0 ? z : z - 146096) / 146097;
	int32_t doe = z - era * 146097;
	int32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int32_t y = yoe + era * 400;
	int32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int32_t mp = (5 * doy + 2) / 153;
	int32_t d = doy - (153 * mp + 2) / 5 + 1;
	int32_t m = mp + (mp < 10 ? 3 : -9);
	*year = (int)(y + (m <= 2));
	*month = (int)m;
	*day = (int)d;
}

int date_weekday(int32_t days)
{
	/* 1970-01-01 was a Thursday (4). */
	int32_t w = (days + 3) % 7;
	if (w < 0)
		w += 7;
	return (int)w + 1;
}

static bool digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

enum ld_err date_parse(const char *s, int32_t *out)
{
	int y, m, d;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return LD_EINVAL;
	if (!digits(s, 4, &y) || !digits(s + 5, 2, &m) || !digits(s + 8, 2, &d))
		return LD_EINVAL;
	if (!date_valid_ymd(y, m, d))
		return LD_EINVAL;
	*out = date_from_ymd(y, m, d);
	return LD_OK;
}

enum ld_err date_parse_timestamp(const char *s, int64_t *out)
{
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	size_t n = strlen(s), i = 19;
	if (n < 20 || !digits(s, 4, &y) || s[4] != '-' ||
	    !digits(s + 5, 2, &mo) || s[7] != '-' || !digits(s + 8, 2, &d) ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) ||
	    s[16] != ':' || !digits(s + 17, 2, &sec))
		return LD_EINVAL;
	if (!date_valid_ymd(y, mo, d) || h > 23 || mi > 59 || sec > 59)
		return LD_EINVAL;
	if (s[i] == '.') {
		size_t start = ++i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == start)
			return LD_EINVAL;
	}
	if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == n) {
		sign = 0;
	} else if ((s[i] == '+' || s[i] == '-') && i + 6 == n &&
		   digits(s + i + 1, 2, &oh) && s[i + 3] == ':' &&
		   digits(s + i + 4, 2, &om) && oh <= 23 && om <= 59) {
		sign = s[i] == '+' ? 1 : -1;
	} else {
		return LD_EINVAL;
	}
	*out = (int64_t)date_from_ymd(y, mo, d) * 86400 + h * 3600 + mi * 60 +
	       sec - sign * (oh * 3600 + om * 60);
	return LD_OK;
}

void date_format(int32_t days, char out[DATE_STRLEN])
{
	int y, m, d;
	date_to_ymd(days, &y, &m, &d);
	if (y < 0 || y > 9999) {
		memcpy(out, "0000-00-00", DATE_STRLEN);
		return;
	}
	snprintf(out, DATE_STRLEN, "%04d-%02d-%02d", y, m, d);
}

/*
 * Europe/London is UTC in winter and UTC+1 from 01:00 UTC on the last Sunday
 * of March to 01:00 UTC on the last Sunday of October.  Working it out here
 * keeps the rule pure and independent of the process's TZ.
 */
static int64_t london_seconds(int64_t unix_seconds)
{
	int64_t day = unix_seconds / 86400 - (unix_seconds % 86400 < 0);
	int y, m, d;
	date_to_ymd((int32_t)day, &y, &m, &d);
	int32_t mar31 = date_from_ymd(y, 3, 31);
	int32_t oct31 = date_from_ymd(y, 10, 31);
	int32_t bst_start = mar31 - (date_weekday(mar31) % 7);
	int32_t bst_end = oct31 - (date_weekday(oct31) % 7);
	int64_t start = (int64_t)bst_start * 86400 + 3600;
	int64_t end = (int64_t)bst_end * 86400 + 3600;
	if (unix_seconds >= start && unix_seconds < end)
		unix_seconds += 3600;
	return unix_seconds;
}

int32_t date_from_unix_london(int64_t unix_seconds)
{
	int64_t t = london_seconds(unix_seconds);
	return (int32_t)(t / 86400 - (t % 86400 < 0));
}

int date_london_hour(int64_t unix_seconds)
{
	int64_t t = london_seconds(unix_seconds) % 86400;
	return (int)((t < 0 ? t + 86400 : t) / 3600);
}

void date_format_long(int32_t days, char out[DATE_LONG_LEN])
{
	static const char *const weekdays[] = {
		"Monday", "Tuesday",  "Wednesday", "Thursday",
		"Friday", "Saturday", "Sunday"};
	static const char *const months[] = {"January", "February", "March",
					     "April",	"May",	    "June",
					     "July",	"August",   "September",
					     "October", "November", "December"};
	int y, m, d;
	date_to_ymd(days, &y, &m, &d);
	snprintf(out, DATE_LONG_LEN, "%s %d %s %d",
		 weekdays[date_weekday(days) - 1], d, months[m - 1], y);
}
