#include "period.h"

#include <stdio.h>
#include <string.h>

#include "date.h"

static void make(int year, int quarter, struct period *out)
{
	out->year = year;
	out->quarter = quarter;
	if (!quarter) {
		out->from = date_from_ymd(year, 4, 1);
		out->to = date_from_ymd(year + 1, 3, 31);
		snprintf(out->label, sizeof(out->label), "%d-%02d", year,
			 (year + 1) % 100);
		return;
	}
	/* Q1 April-June ... Q4 January-March of the next calendar year. */
	int month = 4 + 3 * (quarter - 1);
	int y = year;
	if (month > 12) {
		month -= 12;
		y++;
	}
	out->from = date_from_ymd(y, month, 1);
	out->to = date_from_ymd(y, month + 2, date_days_in_month(y, month + 2));
	snprintf(out->label, sizeof(out->label), "%d-Q%d", year, quarter);
}

enum ld_err period_parse(const char *s, struct period *out)
{
	int year, q, next;
	char tail;
	if (!s || strlen(s) != 7 || s[4] != '-')
		return LD_EINVAL;
	for (int i = 0; i < 4; i++)
		if (s[i] < '0' || s[i] > '9')
			return LD_EINVAL;
	if (sscanf(s, "%4d-Q%1d%c", &year, &q, &tail) == 2 && s[5] == 'Q' &&
	    q >= 1 && q <= 4) {
		if (year < DATE_MIN_YEAR || year >= DATE_MAX_YEAR)
			return LD_EINVAL;
		make(year, q, out);
		return LD_OK;
	}
	if (s[5] < '0' || s[5] > '9' || s[6] < '0' || s[6] > '9' ||
	    sscanf(s, "%4d-%2d%c", &year, &next, &tail) != 2)
		return LD_EINVAL;
	if (year < DATE_MIN_YEAR || year >= DATE_MAX_YEAR ||
	    next != (year + 1) % 100)
		return LD_EINVAL;
	make(year, 0, out);
	return LD_OK;
}

void period_quarter_of(int32_t day, struct period *out)
{
	int y, m, d;
	date_to_ymd(day, &y, &m, &d);
	int fy = m >= 4 ? y : y - 1;
	int q = m >= 4 ? (m - 4) / 3 + 1 : 4;
	make(fy, q, out);
}

void period_year_of(int32_t day, struct period *out)
{
	int y, m, d;
	date_to_ymd(day, &y, &m, &d);
	make(m >= 4 ? y : y - 1, 0, out);
}

void period_previous(const struct period *p, struct period *out)
{
	if (!p->quarter)
		make(p->year - 1, 0, out);
	else if (p->quarter == 1)
		make(p->year - 1, 4, out);
	else
		make(p->year, p->quarter - 1, out);
}

void period_year_earlier(const struct period *p, struct period *out)
{
	make(p->year - 1, p->quarter, out);
}

bool period_running(const struct period *p, int32_t today)
{
	return p->from <= today && today <= p->to;
}

int32_t period_as_of(const struct period *p, int32_t today)
{
	if (today < p->from)
		return p->from - 1;
	return today < p->to ? today : p->to;
}

void period_text(const struct period *p, int32_t today,
		 char out[PERIOD_TEXT_LEN])
{
	static const char *const months[] = {"January", "February", "March",
					     "April",	"May",	    "June",
					     "July",	"August",   "September",
					     "October", "November", "December"};
	int32_t to = period_as_of(p, today);
	int fy, fm, fd, ty, tm, td;
	if (to < p->from)
		to = p->from;
	date_to_ymd(p->from, &fy, &fm, &fd);
	date_to_ymd(to, &ty, &tm, &td);
	char year[8] = "";
	if (fy != ty)
		snprintf(year, sizeof(year), " %d", fy);
	snprintf(out, PERIOD_TEXT_LEN, "%d %s%s to %d %s %d%s", fd,
		 months[fm - 1], year, td, months[tm - 1], ty,
		 period_running(p, today) ? ", so far" : "");
}
