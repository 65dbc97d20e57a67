#include "deadline.h"

#include <stdio.h>

#define DUE_N_MAX 520

enum ld_err deadline_compute(const struct workcal *cal, int32_t set_on,
			     const struct due_rule *rule, struct deadline *out)
{
	enum ld_err err;

	if (rule->kind != DUE_GIVEN && (rule->n < 0 || rule->n > DUE_N_MAX))
		return LD_EINVAL;
	switch (rule->kind) {
	case DUE_WORKING_DAYS:
		err = workcal_add(cal, set_on, rule->n, &out->due);
		if (err)
			return err;
		snprintf(out->rule, sizeof(out->rule), "working_days:%d",
			 rule->n);
		break;
	case DUE_WEEKS:
		out->due = set_on + 7 * rule->n;
		snprintf(out->rule, sizeof(out->rule), "weeks:%d", rule->n);
		break;
	case DUE_GIVEN:
		if (rule->given < set_on)
			return LD_EINVAL;
		out->due = rule->given;
		snprintf(out->rule, sizeof(out->rule), "given");
		break;
	default: return LD_EINVAL;
	}
	if (!workcal_covers(cal, out->due))
		return LD_ERANGE;
	out->non_working = !workcal_is_working_day(cal, out->due);
	out->plan_by = out->due;
	if (out->non_working)
		return workcal_on_or_before(cal, out->due, &out->plan_by);
	return LD_OK;
}
