/*
 * iCalendar output with whatever a task title holds, parsed back by
 * libical: the same events, the same text; and invites whose organizer
 * and attendee names hold it too.
 */
#include <libical/ical.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "ics.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same_trimmed(const char *a, const char *b)
{
	a += strspn(a, " \t");
	b += strspn(b, " \t");
	size_t la = strlen(a), lb = strlen(b);
	while (la && (a[la - 1] == ' ' || a[la - 1] == '\t'))
		la--;
	while (lb && (b[lb - 1] == ' ' || b[lb - 1] == '\t'))
		lb--;
	return la == lb && memcmp(a, b, la) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *title = malloc(size + 1);
	size_t n = 0;
	/*
	 * Titles reach here through input_string(), which refuses control
	 * characters other than tab, CR and LF; keep to ASCII of that kind.
	 */
	for (size_t i = 0; i < size; i++)
		if (data[i] < 0x80 &&
		    ((data[i] >= 0x20 && data[i] != 0x7f) || data[i] == '\t' ||
		     data[i] == '\r' || data[i] == '\n'))
			title[n++] = (char)data[i];
	title[n] = '\0';
	struct ics_event ev = {"task-1@example",
			       date_from_ymd(2026, 12, 14),
			       1700000000,
			       3,
			       title,
			       title,
			       NULL,
			       true,
			       false};
	char *text = ics_calendar(NULL, title, NULL, NULL, &ev, 1);
	icalcomponent *cal = icalparser_parse_string(text);
	if (!cal)
		abort();
	icalcomponent *e =
		icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	if (!e)
		abort();
	const char *back = icalcomponent_get_summary(e);
	/*
	 * Lines end CRLF and long ones are folded, yet the text survives.
	 * libical's parser drops blanks at either end of a value, which the
	 * file itself keeps, so compare without them.
	 */
	if (strchr(title, '\r') == NULL && strchr(title, '\n') == NULL &&
	    !same_trimmed(back ? back : "", title))
		abort();
	icalcomponent_free(cal);
	free(text);

	/*
	 * The title as the people an invite names: whatever their names
	 * hold, ATTENDEE keeps its address and its parameters.
	 */
	struct ics_party org = {title, "link.officers@council.example"};
	struct ics_party att = {title, "dan.price@council.example"};
	text = ics_invite("REQUEST", &org, &att, &ev);
	cal = icalparser_parse_string(text);
	if (!cal)
		abort();
	e = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	icalproperty *a =
		e ? icalcomponent_get_first_property(e, ICAL_ATTENDEE_PROPERTY)
		  : NULL;
	icalproperty *o =
		e ? icalcomponent_get_first_property(e, ICAL_ORGANIZER_PROPERTY)
		  : NULL;
	if (!a || !o ||
	    strcmp(icalproperty_get_attendee(a),
		   "mailto:dan.price@council.example") ||
	    strcmp(icalproperty_get_organizer(o),
		   "mailto:link.officers@council.example") ||
	    !icalproperty_get_first_parameter(a, ICAL_PARTSTAT_PARAMETER) ||
	    !icalproperty_get_first_parameter(a, ICAL_RSVP_PARAMETER) ||
	    !icalproperty_get_first_parameter(a, ICAL_ROLE_PARAMETER))
		abort();
	/* Before the event, however the title runs. */
	if (!strstr(text, "TRIGGER:-PT15H\r\n"))
		abort();
	icalcomponent_free(cal);
	free(text);
	free(title);
	return 0;
}
