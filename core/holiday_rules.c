#include "holiday_rules.h"

#include <string.h>

#include "date.h"

int32_t holiday_rules_easter(int year)
{
	int a = year % 19;
	int b = year / 100;
	int c = year % 100;
	int d = b / 4;
	int e = b % 4;
	int f = (b + 8) / 25;
	int g = (b - f + 1) / 3;
	int h = (19 * a + b - d - g + 15) % 30;
	int i = c / 4;
	int k = c % 4;
	int l = (32 + 2 * e + 2 * i - h - k) % 7;
	int m = (a + 11 * h + 22 * l) / 451;
	int month = (h + l - 7 * m + 114) / 31;
	int day = ((h + l - 7 * m + 114) % 31) + 1;
	return date_from_ymd(year, month, day);
}

static int32_t first_monday(int year, int month)
{
	int32_t d = date_from_ymd(year, month, 1);
	return d + (8 - date_weekday(d)) % 7;
}

static int32_t last_monday(int year, int month)
{
	int32_t d = date_from_ymd(year, month, date_days_in_month(year, month));
	return d - (date_weekday(d) - 1);
}

/*
 * Two days running (Christmas and Boxing Day; in Scotland New Year's Day
 * and 2nd January): a day that falls on a weekend is replaced by the next
 * weekday not already a holiday.  When the first is a Sunday, the second
 * keeps Monday and the first takes Tuesday.  Writes two, in date order.
 */
static int pair(int32_t first, const char *one, const char *two,
		struct holiday *out)
{
	switch (date_weekday(first)) {
	case 5: /* Friday: the second is Saturday, moves to Monday */
		out[0] = (struct holiday){first, one, false};
		out[1] = (struct holiday){first + 3, two, true};
		break;
	case 6: /* Saturday: Monday and Tuesday */
		out[0] = (struct holiday){first + 2, one, true};
		out[1] = (struct holiday){first + 3, two, true};
		break;
	case 7: /* Sunday: the second Monday, the first Tuesday */
		out[0] = (struct holiday){first + 1, two, false};
		out[1] = (struct holiday){first + 2, one, true};
		break;
	default:
		out[0] = (struct holiday){first, one, false};
		out[1] = (struct holiday){first + 1, two, false};
		break;
	}
	return 2;
}

/* A lone day on a weekend moves to the Monday after. */
static struct holiday lone(int32_t d, const char *title)
{
	int wd = date_weekday(d);
	return (struct holiday){wd == 6	  ? d + 2
				: wd == 7 ? d + 1
					  : d,
				title, wd >= 6};
}

int holiday_rules_england_wales(int year, struct holiday out[HOLIDAY_RULES_MAX])
{
	int n = 0;
	int32_t easter = holiday_rules_easter(year);

	out[n++] = lone(date_from_ymd(year, 1, 1), "New Year\xe2\x80\x99s Day");
	out[n++] = (struct holiday){easter - 2, "Good Friday", false};
	out[n++] = (struct holiday){easter + 1, "Easter Monday", false};
	out[n++] = (struct holiday){first_monday(year, 5),
				    "Early May bank holiday", false};
	out[n++] = (struct holiday){last_monday(year, 5), "Spring bank holiday",
				    false};
	out[n++] = (struct holiday){last_monday(year, 8), "Summer bank holiday",
				    false};

	n += pair(date_from_ymd(year, 12, 25), "Christmas Day", "Boxing Day",
		  out + n);
	return n;
}

/* In date order: a division's extra days land among England's. */
static void sort_days(struct holiday *h, int n)
{
	for (int i = 1; i < n; i++)
		for (int k = i; k > 0 && h[k - 1].day > h[k].day; k--) {
			struct holiday t = h[k];
			h[k] = h[k - 1];
			h[k - 1] = t;
		}
}

static int scotland(int year, struct holiday out[HOLIDAY_RULES_MAX])
{
	int n = 0;
	int32_t easter = holiday_rules_easter(year);
	n += pair(date_from_ymd(year, 1, 1), "New Year\xe2\x80\x99s Day",
		  "2nd January", out + n);
	out[n++] = (struct holiday){easter - 2, "Good Friday", false};
	out[n++] = (struct holiday){first_monday(year, 5),
				    "Early May bank holiday", false};
	out[n++] = (struct holiday){last_monday(year, 5), "Spring bank holiday",
				    false};
	out[n++] = (struct holiday){first_monday(year, 8),
				    "Summer bank holiday", false};
	out[n++] =
		lone(date_from_ymd(year, 11, 30), "St Andrew\xe2\x80\x99s Day");
	n += pair(date_from_ymd(year, 12, 25), "Christmas Day", "Boxing Day",
		  out + n);
	return n;
}

static int northern_ireland(int year, struct holiday out[HOLIDAY_RULES_MAX])
{
	int n = holiday_rules_england_wales(year, out);
	out[n++] =
		lone(date_from_ymd(year, 3, 17), "St Patrick\xe2\x80\x99s Day");
	out[n++] = lone(date_from_ymd(year, 7, 12),
			"Battle of the Boyne (Orangemen\xe2\x80\x99s Day)");
	sort_days(out, n);
	return n;
}

int holiday_rules_division(const char *division, int year,
			   struct holiday out[HOLIDAY_RULES_MAX])
{
	if (!strcmp(division, "england-and-wales"))
		return holiday_rules_england_wales(year, out);
	if (!strcmp(division, "scotland"))
		return scotland(year, out);
	if (!strcmp(division, "northern-ireland"))
		return northern_ireland(year, out);
	return 0;
}
