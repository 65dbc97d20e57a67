#include "ics.h"

#include <libical/ical.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "xalloc.h"

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

static icalcomponent *event(const struct ics_event *e, const char *organizer,
			    const char *attendee)
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
	if (organizer)
		icalcomponent_add_property(
			ev, icalproperty_new_organizer(organizer));
	if (attendee)
		icalcomponent_add_property(ev,
					   icalproperty_new_attendee(attendee));
	if (e->alarm && !e->cancelled) {
		icalcomponent *alarm = icalcomponent_new_valarm();
		struct icaltriggertype trigger;
		memset(&trigger, 0, sizeof(trigger));
		trigger.time = icaltime_null_time();
		trigger.duration = icaldurationtype_from_int(9 * 3600);
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

char *ics_calendar(const char *method, const char *name, const char *organizer,
		   const char *attendee, const struct ics_event *events,
		   size_t n)
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
	for (size_t i = 0; i < n; i++)
		icalcomponent_add_component(
			cal, event(&events[i], method ? organizer : NULL,
				   method ? attendee : NULL));
	char *text = icalcomponent_as_ical_string_r(cal);
	icalcomponent_free(cal);
	if (!text)
		abort(); /* libical fails only when out of memory */
	return text;
}
