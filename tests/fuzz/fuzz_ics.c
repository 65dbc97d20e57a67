/*
 * iCalendar output with whatever a task title holds, parsed back by
 * libical: the same events, the same text.
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
	free(title);
	return 0;
}
