#include "holiday_rules.h"

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

int holiday_rules_england_wales(int year, struct holiday out[HOLIDAY_RULES_MAX])
{
	int n = 0;
	int32_t easter = holiday_rules_easter(year);
	int32_t newyear = date_from_ymd(year, 1, 1);
	int nwd = date_weekday(newyear);

	/* A weekend New Year's Day moves to the Monday after. */
	out[n++] = (struct holiday){nwd == 6   ? newyear + 2
				    : nwd == 7 ? newyear + 1
					       : newyear,
				    "New Year\xe2\x80\x99s Day", nwd >= 6};
	out[n++] = (struct holiday){easter - 2, "Good Friday", false};
	out[n++] = (struct holiday){easter + 1, "Easter Monday", false};
	out[n++] = (struct holiday){first_monday(year, 5),
				    "Early May bank holiday", false};
	out[n++] = (struct holiday){last_monday(year, 5), "Spring bank holiday",
				    false};
	out[n++] = (struct holiday){last_monday(year, 8), "Summer bank holiday",
				    false};

	/*
	 * Christmas and Boxing Day: a day that falls on a weekend is replaced
	 * by the next weekday not already a holiday.  When Christmas is on a
	 * Sunday, Boxing Day keeps Monday 26th and Christmas takes Tuesday.
	 */
	int32_t xmas = date_from_ymd(year, 12, 25);
	switch (date_weekday(xmas)) {
	case 5: /* Friday: Boxing Day is Saturday, moves to Monday 28th */
		out[n++] = (struct holiday){xmas, "Christmas Day", false};
		out[n++] = (struct holiday){xmas + 3, "Boxing Day", true};
		break;
	case 6: /* Saturday: Monday 27th and Tuesday 28th */
		out[n++] = (struct holiday){xmas + 2, "Christmas Day", true};
		out[n++] = (struct holiday){xmas + 3, "Boxing Day", true};
		break;
	case 7: /* Sunday: Boxing Day Monday 26th, Christmas Tuesday 27th */
		out[n++] = (struct holiday){xmas + 1, "Boxing Day", false};
		out[n++] = (struct holiday){xmas + 2, "Christmas Day", true};
		break;
	default:
		out[n++] = (struct holiday){xmas, "Christmas Day", false};
		out[n++] = (struct holiday){xmas + 1, "Boxing Day", false};
		break;
	}
	return n;
}
