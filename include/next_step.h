/*
 * "What happens next" on a case: the next step of the guidance's workflow
 * (section 5), who owns it and by when, from what the case holds now.  Pure:
 * the page reads the case, hands its facts here and shows the answer.
 */
#ifndef NEXT_STEP_H
#define NEXT_STEP_H

#include <stddef.h>
#include <stdint.h>

#include "workflow.h"

/* One of the case's tasks as the next step needs it. */
struct next_step_task {
	enum task_status status;
	int32_t due; /* its effective due date (days since 1970), 0: none */
	bool paused;
};

struct next_step_facts {
	struct case_close_facts close; /* as workflow_case_close() reads */
	bool determined;	       /* the determination is registered */
	const struct next_step_task *tasks;
	size_t ntasks;
};

/* Who owns a step: one of ours (a role) or the Ombudsman. */
enum next_step_owner {
	OWNER_NONE,
	OWNER_LINK_OFFICER,
	OWNER_SERVICE_AREA,
	OWNER_VALIDATORS,
	OWNER_OMBUDSMAN,
};

enum next_step_kind {
	NEXT_NONE,		 /* closed: nothing more */
	NEXT_SEND,		 /* signed-off evidence to send */
	NEXT_SIGN_OFF,		 /* answers awaiting the validators */
	NEXT_ANSWER,		 /* the service area owes an answer */
	NEXT_COMPLETE,		 /* sent: mark the task done */
	NEXT_REQUEST,		 /* notified, nothing asked of anyone yet */
	NEXT_AWAIT_DECISION,	 /* the Ombudsman decides */
	NEXT_AWAIT_CONFIRMATION, /* the Ombudsman confirms the orders */
	NEXT_CLOSE,		 /* everything is done: close the case */
};

struct next_step {
	enum next_step_kind kind;
	enum next_step_owner owner;
	int32_t by;   /* the earliest due date of the tasks it is about, 0 */
	size_t count; /* how many tasks it is about */
	const char *what;	 /* a sentence for the reader */
	const char *owner_words; /* "The link officer", ... */
};

/* The next step for a case with these facts. */
void next_step(const struct next_step_facts *f, struct next_step *out);

#endif
