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

#include "buf.h"

struct ics_event {
	const char *uid; /* from ics_uid() */
	int32_t date;	 /* the all-day event's day */
	int64_t stamp;	 /* DTSTAMP, Unix seconds (UTC) */
	int sequence;
	const char *summary;
	const char *description;
	const char *url; /* NULL for none */
	bool alarm;	 /* a display alarm at 09:00 the day before (a
			    negative trigger: Outlook keeps no other kind) */
	bool cancelled;	 /* STATUS:CANCELLED */
};

/* Someone an invite names: a display name (NULL or "": none), an address. */
struct ics_party {
	const char *name;
	const char *address; /* without "mailto:" */
};

/*
 * A UID (and the right-hand side of Message-IDs) for local, such as
 * "task-42" or "task-42-due": "local@INSTALLATION.linkdesk".  installation
 * is the installation's identifier (the setting installation_id, made once
 * by migration 019), never a host name: a UID must not change when the
 * server's address does, or every subscribed calendar duplicates its
 * events.  Feeds and invites use the same function.
 */
enum ld_err ics_uid(struct buf *out, const char *local,
		    const char *installation);

/*
 * A VCALENDAR of events; method is NULL for a feed, or "REQUEST" or
 * "CANCEL" for an invite from organizer to attendee (mailto addresses, used
 * only with a method).  name titles a feed (X-WR-CALNAME).  Returns a
 * malloc'd string with CRLF line ends and folded lines; free() it.
 */
char *ics_calendar(const char *method, const char *name, const char *organizer,
		   const char *attendee, const struct ics_event *events,
		   size_t n);

/*
 * An iMIP invite ("REQUEST" or "CANCEL") of one event from organizer to
 * attendee: ORGANIZER;CN=...:mailto:..., and
 * ATTENDEE;CN=...;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE
 * (Linkdesk reads no replies: the date is the Ombudsman's, not a
 * meeting's).  Returns a malloc'd string as ics_calendar() does.
 */
char *ics_invite(const char *method, const struct ics_party *organizer,
		 const struct ics_party *attendee, const struct ics_event *e);

#endif
