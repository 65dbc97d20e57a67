/*
 * iCalendar (RFC 5545) built with libical: the all-day events of task
 * deadlines for subscription feeds, and the iMIP (RFC 6047) REQUEST and
 * CANCEL invites sent with notices.  All-day events use VALUE=DATE, so no
 * time zone is involved.  Events carry a case reference, a task title and a
 * link; never resident details.
 */
#ifndef ICS_H
#define ICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ics_event {
	const char *uid;
	int32_t date;  /* the all-day event's day */
	int64_t stamp; /* DTSTAMP, Unix seconds (UTC) */
	int sequence;
	const char *summary;
	const char *description;
	const char *url; /* NULL for none */
	bool alarm;	 /* a display alarm at 09:00 on the day */
	bool cancelled;	 /* STATUS:CANCELLED */
};

/*
 * A VCALENDAR of events; method is NULL for a feed, or "REQUEST" or
 * "CANCEL" for an invite from organizer to attendee (mailto addresses, used
 * only with a method).  name titles a feed (X-WR-CALNAME).  Returns a
 * malloc'd string with CRLF line ends and folded lines; free() it.
 */
char *ics_calendar(const char *method, const char *name, const char *organizer,
		   const char *attendee, const struct ics_event *events,
		   size_t n);

#endif
