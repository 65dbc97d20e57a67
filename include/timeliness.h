/*
 * Did the organisation handle the original complaint within its code's
 * timescales?  The four steps of the Complaint Handling Code (stage 1
 * acknowledgement and response, stage 2 acknowledgement and response), each
 * met or missed by so many working days.  The limits are data (a code
 * version or the organisation's own policy); the arithmetic is the
 * working-day calendar's.  Pure.
 */
#ifndef TIMELINESS_H
#define TIMELINESS_H

#include <stdbool.h>
#include <stdint.h>

#include "workcal.h"

struct code_limits {
	int s1_ack, s1_response, s1_extension;
	bool s1_from_ack; /* response counted from acknowledgement, else receipt
			   */
	int s2_ack, s2_response, s2_extension;
	bool s2_from_ack; /* from acknowledgement, else the escalation request
			   */
};

/* The complaint's dates; 0 where there is none yet. */
struct complaint_dates {
	int32_t received;
	int32_t s1_ack, s1_response;
	int s1_extension; /* working days agreed, 0 for none */
	int32_t escalated;
	int32_t s2_ack, s2_response;
	int s2_extension;
};

enum step_state {
	STEP_MET,
	STEP_MISSED,	  /* done, late */
	STEP_PENDING,	  /* not done, not yet due */
	STEP_OVERDUE,	  /* not done, past due */
	STEP_NOT_STARTED, /* stage 2 never requested */
};

struct step {
	const char *name; /* "stage1_acknowledgement", ... */
	const char *label;
	enum step_state state;
	int32_t due, done;
	int late_by;	     /* working days, when missed or overdue */
	bool extension_over; /* an extension beyond the code's limit */
};

#define TIMELINESS_STEPS 4

/*
 * Work out the four steps as of today.  LD_ERANGE when a date lies outside
 * the calendar.
 */
enum ld_err timeliness_steps(const struct workcal *cal,
			     const struct code_limits *limits,
			     const struct complaint_dates *d, int32_t today,
			     struct step out[TIMELINESS_STEPS]);

/* "met", "missed", "pending", "overdue", "not_started". */
const char *timeliness_state_name(enum step_state s);

#endif
