#include "workcal.h"

#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "xalloc.h"

/*
 * Day numbers are shifted so that t = 0 is a Monday before any supported
 * date; then the weekdays in [0, t] have a closed form.
 */
static int32_t monday_base(void)
{
	int32_t base = date_from_ymd(DATE_MIN_YEAR - 1, 1, 2);
	return base - (date_weekday(base) - 1);
}

/* Weekdays from the base Monday up to and including day. */
static int64_t weekdays_through(int32_t day)
{
	int64_t t = (int64_t)day - monday_base();
	int64_t rem = t % 7;
	return 5 * (t / 7) + (rem < 5 ? rem + 1 : 5);
}

/* Holidays on or before day. */
static int64_t holidays_through(const struct workcal *cal, int32_t day)
{
	size_t lo = 0, hi = cal->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cal->holidays[mid] <= day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (int64_t)lo;
}

static int64_t working_through(const struct workcal *cal, int32_t day)
{
	return weekdays_through(day) - holidays_through(cal, day);
}

void workcal_init(struct workcal *cal)
{
	memset(cal, 0, sizeof(*cal));
	cal->first = 1;
	cal->last = 0;
}

void workcal_release(struct workcal *cal)
{
	free(cal->holidays);
	workcal_init(cal);
}

void workcal_add_holiday(struct workcal *cal, int32_t day)
{
	if (date_weekday(day) > 5)
		return;
	size_t lo = 0, hi = cal->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cal->holidays[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < cal->n && cal->holidays[lo] == day)
		return;
	if (cal->n == cal->cap) {
		cal->cap = cal->cap ? cal->cap * 2 : 64;
		cal->holidays = xrealloc(cal->holidays,
					 cal->cap * sizeof(*cal->holidays));
	}
	memmove(cal->holidays + lo + 1, cal->holidays + lo,
		(cal->n - lo) * sizeof(*cal->holidays));
	cal->holidays[lo] = day;
	cal->n++;
}

void workcal_set_range(struct workcal *cal, int32_t first, int32_t last)
{
	cal->first = first;
	cal->last = last;
}

bool workcal_covers(const struct workcal *cal, int32_t day)
{
	return day >= cal->first && day <= cal->last;
}

bool workcal_is_working_day(const struct workcal *cal, int32_t day)
{
	if (!workcal_covers(cal, day) || date_weekday(day) > 5)
		return false;
	return holidays_through(cal, day) == holidays_through(cal, day - 1);
}

enum ld_err workcal_between(const struct workcal *cal, int32_t a, int32_t b,
			    int *out)
{
	if (!workcal_covers(cal, a) || !workcal_covers(cal, b))
		return LD_ERANGE;
	*out = (int)(working_through(cal, b) - working_through(cal, a));
	return LD_OK;
}

enum ld_err workcal_add(const struct workcal *cal, int32_t from, int n,
			int32_t *out)
{
	if (n < 0)
		return LD_EINVAL;
	if (!workcal_covers(cal, from))
		return LD_ERANGE;

	/*
	 * The answer is the smallest day d with working_through(d) equal to
	 * working_through(from) + n; working_through() only grows, so a binary
	 * search over days finds it without walking them one by one.
	 */
	int64_t target = working_through(cal, from) + n;
	int64_t lo = from, hi = cal->last;
	if (working_through(cal, (int32_t)hi) < target)
		return LD_ERANGE;
	while (lo < hi) {
		int64_t mid = lo + (hi - lo) / 2;
		if (working_through(cal, (int32_t)mid) < target)
			lo = mid + 1;
		else
			hi = mid;
	}
	*out = (int32_t)lo;
	return LD_OK;
}

enum ld_err workcal_on_or_before(const struct workcal *cal, int32_t day,
				 int32_t *out)
{
	for (int32_t d = day; workcal_covers(cal, d); d--) {
		if (workcal_is_working_day(cal, d)) {
			*out = d;
			return LD_OK;
		}
	}
	return LD_ERANGE;
}

int32_t workcal_checkpoint(const struct workcal *cal, int32_t due)
{
	int32_t d = due;
	for (int k = 0;
	     k < WORKCAL_CHECKPOINT_DAYS && workcal_covers(cal, d - 1);)
		k += workcal_is_working_day(cal, --d);
	return d;
}

int32_t workcal_nearly_due_by(const struct workcal *cal, int32_t today,
			      int days)
{
	int32_t horizon;
	if (!cal || workcal_add(cal, today, days, &horizon))
		horizon = today + days;
	return horizon;
}
