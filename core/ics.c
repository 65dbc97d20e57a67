#include "ics.h"

#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "xalloc.h"

/* The alarm: 15 hours before an all-day event's midnight, 09:00 the day
 * before. */
#define ALARM_BEFORE_SECONDS (15 * 3600)

static struct icaltimetype day_value(int32_t day)
{
	struct icaltimetype t = icaltime_null_date();
	int y, m, d;
	date_to_ymd(day, &y, &m, &d);
	t.year = y;
	t.month = m;
	t.day = d;
	t.is_date = 1;
	return t;
}

enum ld_err ics_uid(struct buf *out, const char *local,
		    const char *installation)
{
	return buf_printf(out, "%s@%s.linkdesk", local, installation);
}

/*
 * A CN parameter value: RFC 5545 allows no DQUOTE or control character in
 * one, so they become an apostrophe and a space.  A backslash becomes a
 * slash (libical's parser reads \" as a quote inside the value, so a
 * name ending in one swallowed the rest of the line), and a caret a
 * hyphen (RFC 6868 parsers read ^n as a line break).  free() it.
 */
static char *param_text(const char *name)
{
	char *s = xstrdup(name);
	for (char *p = s; *p; p++) {
		if (*p == '"')
			*p = '\'';
		else if (*p == '\\')
			*p = '/';
		else if (*p == '^')
			*p = '-';
		else if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	}
	return s;
}

static icalproperty *with_cn(icalproperty *p, const struct ics_party *who)
{
	if (who->name && who->name[0]) {
		char *cn = param_text(who->name);
		icalproperty_add_parameter(p, icalparameter_new_cn(cn));
		free(cn);
	}
	return p;
}

static char *mailto(const char *address)
{
	size_t n = strlen(address) + 8;
	char *s = xmalloc(n);
	snprintf(s, n, "mailto:%s", address);
	return s;
}

static icalcomponent *event(const struct ics_event *e,
			    const struct ics_party *organizer,
			    const struct ics_party *attendee)
{
	icalcomponent *ev = icalcomponent_new_vevent();
	icalcomponent_add_property(ev, icalproperty_new_uid(e->uid));
	icalcomponent_add_property(
		ev,
		icalproperty_new_dtstamp(icaltime_from_timet_with_zone(
			(time_t)e->stamp, 0, icaltimezone_get_utc_timezone())));
	icalcomponent_add_property(
		ev, icalproperty_new_dtstart(day_value(e->date)));
	icalcomponent_add_property(
		ev, icalproperty_new_dtend(day_value(e->date + 1)));
	icalcomponent_add_property(ev, icalproperty_new_sequence(e->sequence));
	icalcomponent_add_property(ev, icalproperty_new_summary(e->summary));
	icalcomponent_add_property(
		ev, icalproperty_new_description(e->description));
	icalcomponent_add_property(
		ev, icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT));
	if (e->url)
		icalcomponent_add_property(ev, icalproperty_new_url(e->url));
	if (e->cancelled)
		icalcomponent_add_property(
			ev, icalproperty_new_status(ICAL_STATUS_CANCELLED));
	if (organizer) {
		char *to = mailto(organizer->address);
		icalcomponent_add_property(
			ev, with_cn(icalproperty_new_organizer(to), organizer));
		free(to);
	}
	if (attendee) {
		char *to = mailto(attendee->address);
		icalproperty *p =
			with_cn(icalproperty_new_attendee(to), attendee);
		free(to);
		icalproperty_add_parameter(
			p, icalparameter_new_role(ICAL_ROLE_REQPARTICIPANT));
		icalproperty_add_parameter(
			p,
			icalparameter_new_partstat(ICAL_PARTSTAT_NEEDSACTION));
		icalproperty_add_parameter(
			p, icalparameter_new_rsvp(ICAL_RSVP_FALSE));
		icalcomponent_add_property(ev, p);
	}
	if (e->alarm && !e->cancelled) {
		icalcomponent *alarm = icalcomponent_new_valarm();
		struct icaltriggertype trigger;
		memset(&trigger, 0, sizeof(trigger));
		trigger.time = icaltime_null_time();
		trigger.duration =
			icaldurationtype_from_int(-ALARM_BEFORE_SECONDS);
		icalcomponent_add_property(
			alarm, icalproperty_new_action(ICAL_ACTION_DISPLAY));
		icalcomponent_add_property(alarm,
					   icalproperty_new_trigger(trigger));
		icalcomponent_add_property(
			alarm, icalproperty_new_description(e->summary));
		icalcomponent_add_component(ev, alarm);
	}
	return ev;
}

static icalcomponent *calendar(const char *method, const char *name)
{
	icalcomponent *cal = icalcomponent_new_vcalendar();
	icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
	icalcomponent_add_property(
		cal,
		icalproperty_new_prodid("-//Linkdesk//Ombudsman tasks//EN"));
	icalcomponent_add_property(cal, icalproperty_new_calscale("GREGORIAN"));
	if (method)
		icalcomponent_add_property(
			cal,
			icalproperty_new_method(strcmp(method, "CANCEL")
							? ICAL_METHOD_REQUEST
							: ICAL_METHOD_CANCEL));
	if (name) {
		icalproperty *p = icalproperty_new_x(name);
		icalproperty_set_x_name(p, "X-WR-CALNAME");
		icalcomponent_add_property(cal, p);
	}
	return cal;
}

static char *finish(icalcomponent *cal)
{
	char *text = icalcomponent_as_ical_string_r(cal);
	icalcomponent_free(cal);
	if (!text)
		abort(); /* libical fails only when out of memory */
	return text;
}

/* "mailto:x" or "x" as a party without a name. */
static struct ics_party bare(const char *address)
{
	if (address && !strncmp(address, "mailto:", 7))
		address += 7;
	return (struct ics_party){NULL, address};
}

char *ics_calendar(const char *method, const char *name, const char *organizer,
		   const char *attendee, const struct ics_event *events,
		   size_t n)
{
	icalcomponent *cal = calendar(method, name);
	struct ics_party org = bare(organizer), att = bare(attendee);
	for (size_t i = 0; i < n; i++)
		icalcomponent_add_component(
			cal,
			event(&events[i], method && organizer ? &org : NULL,
			      method && attendee ? &att : NULL));
	return finish(cal);
}

char *ics_invite(const char *method, const struct ics_party *organizer,
		 const struct ics_party *attendee, const struct ics_event *e)
{
	icalcomponent *cal = calendar(method, NULL);
	icalcomponent_add_component(cal, event(e, organizer, attendee));
	return finish(cal);
}
