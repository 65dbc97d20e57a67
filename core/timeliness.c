#include "timeliness.h"

const char *timeliness_state_name(enum step_state s)
{
	switch (s) {
	case STEP_MET: return "met";
	case STEP_MISSED: return "missed";
	case STEP_PENDING: return "pending";
	case STEP_OVERDUE: return "overdue";
	case STEP_NOT_STARTED: return "not_started";
	}
	return "pending";
}

/* Judge one step with deadline due, done on done (0: not yet). */
static enum ld_err judge(const struct workcal *cal, struct step *s, int32_t due,
			 int32_t done, int32_t today)
{
	int late;
	enum ld_err err;
	s->due = due;
	s->done = done;
	s->late_by = 0;
	if (done) {
		if ((err = workcal_between(cal, due, done, &late)))
			return err;
		s->state = late > 0 ? STEP_MISSED : STEP_MET;
		s->late_by = late > 0 ? late : 0;
		return LD_OK;
	}
	if ((err = workcal_between(cal, due, today, &late)))
		return err;
	s->state = late > 0 ? STEP_OVERDUE : STEP_PENDING;
	s->late_by = late > 0 ? late : 0;
	return LD_OK;
}

static int capped(int agreed, int limit, bool *over)
{
	*over = agreed > limit;
	return agreed > limit ? limit : agreed;
}

enum ld_err timeliness_steps(const struct workcal *cal,
			     const struct code_limits *lim,
			     const struct complaint_dates *d, int32_t today,
			     struct step out[TIMELINESS_STEPS])
{
	static const char *const names[] = {
		"stage1_acknowledgement", "stage1_response",
		"stage2_acknowledgement", "stage2_response"};
	static const char *const labels[] = {
		"Stage 1 acknowledged", "Stage 1 response",
		"Stage 2 acknowledged", "Stage 2 response"};
	int32_t due, base;
	enum ld_err err;

	for (int i = 0; i < TIMELINESS_STEPS; i++) {
		out[i].name = names[i];
		out[i].label = labels[i];
		out[i].extension_over = false;
		out[i].state = STEP_NOT_STARTED;
		out[i].due = out[i].done = 0;
		out[i].late_by = 0;
	}
	/* Stage 1: acknowledged within N working days of receipt. */
	if ((err = workcal_add(cal, d->received, lim->s1_ack, &due)) ||
	    (err = judge(cal, &out[0], due, d->s1_ack, today)))
		return err;
	/*
	 * The response: from acknowledgement (2024 Code) or receipt (2020
	 * Code); with no acknowledgement yet, from its deadline.  An extension
	 * counts only as far as the code allows.
	 */
	base = !lim->s1_from_ack ? d->received : d->s1_ack ? d->s1_ack : due;
	int ext = capped(d->s1_extension, lim->s1_extension,
			 &out[1].extension_over);
	if ((err = workcal_add(cal, base, lim->s1_response + ext, &due)) ||
	    (err = judge(cal, &out[1], due, d->s1_response, today)))
		return err;
	if (!d->escalated)
		return LD_OK;
	/* Stage 2, from the escalation request. */
	if ((err = workcal_add(cal, d->escalated, lim->s2_ack, &due)) ||
	    (err = judge(cal, &out[2], due, d->s2_ack, today)))
		return err;
	base = !lim->s2_from_ack ? d->escalated : d->s2_ack ? d->s2_ack : due;
	ext = capped(d->s2_extension, lim->s2_extension,
		     &out[3].extension_over);
	if ((err = workcal_add(cal, base, lim->s2_response + ext, &due)) ||
	    (err = judge(cal, &out[3], due, d->s2_response, today)))
		return err;
	return LD_OK;
}
