/*
 * The next step of a case, in the order the guidance takes them: evidence
 * already signed off goes to the Ombudsman first, then answers waiting for
 * the validators, then answers the service areas still owe; with no task
 * in hand the case waits on the Ombudsman (its decision, its confirmation
 * that orders are met) or may close.  Who may close is workflow.c's rule.
 */
#include "next_step.h"

#include <string.h>

static const struct {
	enum next_step_owner owner;
	const char *what;
} steps[] = {
	[NEXT_NONE] = {OWNER_NONE, "Nothing: the case is closed."},
	[NEXT_SEND] = {OWNER_LINK_OFFICER,
		       "Send the signed-off evidence to the Ombudsman."},
	[NEXT_SIGN_OFF] = {OWNER_VALIDATORS,
			   "Sign off the answer before it goes to the "
			   "Ombudsman."},
	[NEXT_ANSWER] = {OWNER_SERVICE_AREA,
			 "Gather what the Ombudsman asked for and submit the "
			 "answer for validation."},
	[NEXT_COMPLETE] = {OWNER_LINK_OFFICER,
			   "Mark the task done once the Ombudsman has what "
			   "it asked for."},
	[NEXT_REQUEST] = {OWNER_LINK_OFFICER,
			  "Record the Ombudsman's information or evidence "
			  "request and ask the service area for it."},
	[NEXT_AWAIT_DECISION] = {OWNER_OMBUDSMAN,
				 "Wait for the Ombudsman's decision, then "
				 "record it."},
	[NEXT_AWAIT_CONFIRMATION] = {OWNER_OMBUDSMAN,
				     "Wait for the Ombudsman to confirm that "
				     "every order is met, then record it."},
	[NEXT_CLOSE] = {OWNER_LINK_OFFICER,
			"Close the case: everything the Ombudsman asked for "
			"is done."},
};

static const char *const owners[] = {
	[OWNER_NONE] = "No one",
	[OWNER_LINK_OFFICER] = "The link officer",
	[OWNER_SERVICE_AREA] = "The service area",
	[OWNER_VALIDATORS] = "The validators",
	[OWNER_OMBUDSMAN] = "The Ombudsman",
};

/* The tasks in status s (not paused, for the work still owed). */
static void about(const struct next_step_facts *f, bool (*in)(enum task_status),
		  struct next_step *out)
{
	out->count = 0;
	out->by = 0;
	for (size_t i = 0; i < f->ntasks; i++) {
		const struct next_step_task *t = &f->tasks[i];
		if (!in(t->status))
			continue;
		out->count++;
		if (t->due && !t->paused && (!out->by || t->due < out->by))
			out->by = t->due;
	}
}

static bool validated(enum task_status s)
{
	return s == TASK_VALIDATED;
}

static bool submitted(enum task_status s)
{
	return s == TASK_SUBMITTED;
}

static bool sent(enum task_status s)
{
	return s == TASK_SENT;
}

static void set(struct next_step *out, enum next_step_kind k)
{
	out->kind = k;
	out->owner = steps[k].owner;
	out->what = steps[k].what;
	out->owner_words = owners[out->owner];
}

void next_step(const struct next_step_facts *f, struct next_step *out)
{
	static bool (*const queue[])(enum task_status) = {
		validated, submitted, workflow_task_awaits_assignee, sent};
	static const enum next_step_kind kinds[] = {NEXT_SEND, NEXT_SIGN_OFF,
						    NEXT_ANSWER, NEXT_COMPLETE};
	const char *field, *why;

	memset(out, 0, sizeof(*out));
	if (f->close.stage == STAGE_CLOSED) {
		set(out, NEXT_NONE);
		return;
	}
	for (size_t q = 0; q < sizeof(queue) / sizeof(queue[0]); q++) {
		about(f, queue[q], out);
		if (!out->count)
			continue;
		/* An order's evidence sent: the Ombudsman's confirmation
		 * completes its task (workflow_task_confirmable). */
		if (kinds[q] == NEXT_COMPLETE &&
		    f->close.orders_unconfirmed > 0) {
			set(out, NEXT_AWAIT_CONFIRMATION);
			out->by = 0;
		} else
			set(out, kinds[q]);
		return;
	}
	if (!workflow_case_close(&f->close, NULL, &field, &why) &&
	    (f->determined || f->close.stage >= STAGE_DETERMINED)) {
		set(out, NEXT_CLOSE);
		return;
	}
	if (f->determined || f->close.stage >= STAGE_DETERMINED)
		set(out, f->close.orders_unconfirmed ? NEXT_AWAIT_CONFIRMATION
						     : NEXT_CLOSE);
	else if (f->ntasks == 0 && f->close.stage == STAGE_NOTIFIED)
		set(out, NEXT_REQUEST);
	else
		set(out, NEXT_AWAIT_DECISION);
}
