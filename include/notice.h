/*
 * The texts of the notices the workflow sends: chasers, sanction notices,
 * determinations, task assignments.  They name the Ombudsman, the case and
 * complaint references, the service area and a link, and never a resident.
 */
#ifndef NOTICE_H
#define NOTICE_H

#include "buf.h"

enum notice_event {
	NOTICE_FIRST_CHASER,
	NOTICE_FINAL_CHASER,
	NOTICE_SANCTION,
	NOTICE_DETERMINATION,
	NOTICE_TASK_ASSIGNED,
	NOTICE_EVENT_COUNT
};

/* As stored in notice_recipient.event and outbox.kind. */
extern const char *const notice_event_names[];

struct notice_facts {
	const char *ombudsman; /* "HOS" */
	const char *sanction;  /* "complaint handling failure order" */
	const char *case_ref;  /* the Ombudsman's reference */
	const char *complaint_ref;
	const char *service_area;
	const char *link;	/* to the case or task in the dashboard */
	const char *task_title; /* assignments */
	const char *due_date;	/* "YYYY-MM-DD" or NULL; written as the pages
				   write dates */
};

/* Fill subject and body (plain text). */
enum ld_err notice_build(enum notice_event event, const struct notice_facts *f,
			 struct buf *subject, struct buf *body);

#endif
