/*
 * GOV.UK bank-holiday feeds: never a crash, every event a real date, and
 * the import plan of any feed consistent.
 */
#include <stdint.h>

#include "date.h"
#include "holiday_feed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct holiday_feed feed;
	char why[256];
	if (holiday_feed_parse((const char *)data, size, &feed, why,
			       sizeof(why)) == LD_OK) {
		for (size_t i = 0; i < feed.n; i++) {
			int y, m, d;
			date_to_ymd(feed.events[i].day, &y, &m, &d);
			if (!date_valid_ymd(y, m, d))
				__builtin_trap();
		}
		/* Against nothing held, every day is added, none removed. */
		struct holiday_plan plan;
		holiday_plan_make(&feed, NULL, 0, &plan);
		if (plan.added != (int)feed.n || plan.removed || plan.changed)
			__builtin_trap();
		holiday_plan_release(&plan);
		holiday_feed_release(&feed);
	}
	return 0;
}
