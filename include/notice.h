/*
 * The notices the workflow sends: chasers, sanction notices,
 * determinations, task assignments.  The outbox row carries the event and
 * its facts (the Ombudsman, the case and complaint references, the service
 * area, the task), and web/templates/mail_notice* say it in words when it
 * is sent: never a resident.
 */
#ifndef NOTICE_H
#define NOTICE_H

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

#endif
