/*
 * Deadlines and Ombudsman references, table by table: working days, weeks
 * and given dates over weekends and bank holidays, and each Ombudsman's
 * reference in its many spellings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "date.h"
#include "deadline.h"
#include "reference.h"
#include "workcal.h"

static int32_t D(const char *iso)
{
	int32_t d = 0;
	assert_int_equal(date_parse(iso, &d), 0);
	return d;
}

/* England and Wales, 2026 and 2027, as GOV.UK published them. */
static void calendar(struct workcal *cal)
{
	static const char *const days[] = {
		"2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04",
		"2026-05-25", "2026-08-31", "2026-12-25", "2026-12-28",
		"2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03",
		"2027-05-31", "2027-08-30", "2027-12-27", "2027-12-28"};
	workcal_init(cal);
	for (size_t i = 0; i < sizeof(days) / sizeof(days[0]); i++)
		workcal_add_holiday(cal, D(days[i]));
	workcal_set_range(cal, D("2026-01-01"), D("2027-12-31"));
}

static const struct {
	const char *set_on;
	enum due_kind kind;
	int n;
	const char *given;
	enum ld_err want;
	const char *due;
	bool non_working;
	const char *plan_by, *rule;
} deadlines[] = {
	/* 15 working days over Christmas's two bank holidays. */
	{"2026-12-14", DUE_WORKING_DAYS, 15, NULL, LD_OK, "2027-01-07", false,
	 "2027-01-07", "working_days:15"},
	/* Arriving on a Saturday: due as if on the Friday before. */
	{"2026-11-21", DUE_WORKING_DAYS, 1, NULL, LD_OK, "2026-11-23", false,
	 "2026-11-23", "working_days:1"},
	{"2026-11-23", DUE_WORKING_DAYS, 0, NULL, LD_OK, "2026-11-23", false,
	 "2026-11-23", "working_days:0"},
	/* Four weeks from a Friday is a Friday; from Boxing Day a bank
	 * holiday, planned to the working day before. */
	{"2026-11-20", DUE_WEEKS, 4, NULL, LD_OK, "2026-12-18", false,
	 "2026-12-18", "weeks:4"},
	{"2026-11-30", DUE_WEEKS, 4, NULL, LD_OK, "2026-12-28", true,
	 "2026-12-24", "weeks:4"},
	{"2026-11-23", DUE_GIVEN, 0, "2026-12-25", LD_OK, "2026-12-25", true,
	 "2026-12-24", "given"},
	{"2026-11-23", DUE_GIVEN, 0, "2026-11-22", LD_EINVAL, NULL, false, NULL,
	 NULL},
	{"2026-11-23", DUE_WORKING_DAYS, -1, NULL, LD_EINVAL, NULL, false, NULL,
	 NULL},
	{"2026-11-23", DUE_WEEKS, 521, NULL, LD_EINVAL, NULL, false, NULL,
	 NULL},
	/* Past the loaded holidays: an error, never a guess. */
	{"2027-12-20", DUE_WORKING_DAYS, 15, NULL, LD_ERANGE, NULL, false, NULL,
	 NULL},
};

static void test_deadlines(void **state)
{
	(void)state;
	struct workcal cal;
	calendar(&cal);
	for (size_t i = 0; i < sizeof(deadlines) / sizeof(deadlines[0]); i++) {
		struct due_rule r = {deadlines[i].kind, deadlines[i].n,
				     deadlines[i].given ? D(deadlines[i].given)
							: 0};
		struct deadline d;
		memset(&d, 0, sizeof(d));
		enum ld_err err =
			deadline_compute(&cal, D(deadlines[i].set_on), &r, &d);
		if (err != deadlines[i].want)
			fail_msg("row %zu: %d, want %d", i, err,
				 deadlines[i].want);
		if (err)
			continue;
		char due[DATE_STRLEN], plan[DATE_STRLEN];
		date_format(d.due, due);
		date_format(d.plan_by, plan);
		if (strcmp(due, deadlines[i].due) ||
		    d.non_working != deadlines[i].non_working ||
		    strcmp(plan, deadlines[i].plan_by) ||
		    strcmp(d.rule, deadlines[i].rule))
			fail_msg("row %zu: due %s%s plan %s rule %s, want %s "
				 "plan %s rule %s",
				 i, due, d.non_working ? " (not working)" : "",
				 plan, d.rule, deadlines[i].due,
				 deadlines[i].plan_by, deadlines[i].rule);
	}
	workcal_release(&cal);
}

/* The checkpoint and the nearly-overdue horizon, core's alone. */
static void test_checkpoint_and_horizon(void **state)
{
	(void)state;
	struct workcal cal;
	char out[DATE_STRLEN];
	calendar(&cal);
	/* Due Thursday 7 January 2027: three working days back over New
	 * Year's Day is Monday 4 January. */
	date_format(workcal_checkpoint(&cal, D("2027-01-07")), out);
	assert_string_equal(out, "2027-01-04");
	date_format(workcal_checkpoint(&cal, D("2026-12-30")), out);
	assert_string_equal(out, "2026-12-23");
	/* Nearly overdue: three working days from Wednesday 23 December. */
	date_format(workcal_nearly_due_by(&cal, D("2026-12-23"), 3), out);
	assert_string_equal(out, "2026-12-30");
	/* No calendar, or past it: calendar days. */
	date_format(workcal_nearly_due_by(NULL, D("2026-12-23"), 3), out);
	assert_string_equal(out, "2026-12-26");
	date_format(workcal_nearly_due_by(&cal, D("2027-12-30"), 3), out);
	assert_string_equal(out, "2028-01-02");
	workcal_release(&cal);
}

static const struct {
	const char *mask, *input;
	enum ld_err want;
	const char *out;
} references[] = {
	{"#########", "202612345", LD_OK, "202612345"},
	{"#########", " 202-612-345 ", LD_OK, "202612345"},
	{"#########", "20261234", LD_EINVAL, NULL},
	{"#########", "2026123456", LD_EINVAL, NULL},
	{"#########", "20261234x", LD_EINVAL, NULL},
	{"## ### ###", "24013880", LD_OK, "24 013 880"},
	{"## ### ###", "24-013-880", LD_OK, "24 013 880"},
	{"## ### ###", "24 013 880", LD_OK, "24 013 880"},
	{"## ### ###", "24/013/880", LD_EINVAL, NULL},
	{"## ### ###", "", LD_EINVAL, NULL},
	{NULL, "  PHSO-1 ", LD_OK, "PHSO-1"},
	{NULL, "   ", LD_EINVAL, NULL},
	{NULL, "a\tb", LD_EINVAL, NULL},
};

static void test_references(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(references) / sizeof(references[0]);
	     i++) {
		char out[REFERENCE_MAX] = "";
		enum ld_err err = reference_normalise(references[i].mask,
						      references[i].input, out);
		if (err != references[i].want)
			fail_msg("row %zu (\"%s\"): %d, want %d", i,
				 references[i].input, err, references[i].want);
		if (!err && strcmp(out, references[i].out))
			fail_msg("row %zu: \"%s\", want \"%s\"", i, out,
				 references[i].out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deadlines),
		cmocka_unit_test(test_checkpoint_and_horizon),
		cmocka_unit_test(test_references),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
