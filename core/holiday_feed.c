#include "holiday_feed.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "xalloc.h"

#define TEXT_MAX 200

const char *const holiday_feed_divisions[HOLIDAY_DIVISIONS] = {
	"england-and-wales", "scotland", "northern-ireland"};

const char *holiday_feed_division(const char *name)
{
	for (int i = 0; i < HOLIDAY_DIVISIONS; i++)
		if (!strcmp(name, holiday_feed_divisions[i]))
			return holiday_feed_divisions[i];
	return NULL;
}

void holiday_feed_release(struct holiday_feed *feed)
{
	for (size_t i = 0; i < feed->n; i++) {
		free(feed->events[i].title);
		free(feed->events[i].notes);
	}
	free(feed->events);
	feed->events = NULL;
	feed->n = 0;
}

static enum ld_err parse_event(json_t *ev, const char *division,
			       struct holiday_feed_event *out, char *why,
			       size_t whylen)
{
	const char *date = json_string_value(json_object_get(ev, "date"));
	const char *title = json_string_value(json_object_get(ev, "title"));
	json_t *notes = json_object_get(ev, "notes");

	if (!json_is_object(ev) || !date || date_parse(date, &out->day)) {
		snprintf(why, whylen, "%s: an event has no valid \"date\"",
			 division);
		return LD_EINVAL;
	}
	if (!title || !*title || strlen(title) > TEXT_MAX) {
		snprintf(why, whylen,
			 "%s: the event of %s has no valid \"title\"", division,
			 date);
		return LD_EINVAL;
	}
	if (notes && (!json_is_string(notes) ||
		      strlen(json_string_value(notes)) > TEXT_MAX)) {
		snprintf(why, whylen,
			 "%s: the event of %s has invalid \"notes\"", division,
			 date);
		return LD_EINVAL;
	}
	out->division = division;
	out->title = xstrdup(title);
	out->notes = xstrdup(notes ? json_string_value(notes) : "");
	return LD_OK;
}

enum ld_err holiday_feed_parse(const char *text, size_t len,
			       struct holiday_feed *out, char *why,
			       size_t whylen)
{
	json_error_t jerr;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	enum ld_err err = LD_OK;
	const char *key;
	json_t *value;
	size_t cap = 0;

	out->events = NULL;
	out->n = 0;
	if (!root) {
		snprintf(why, whylen, "not valid JSON: %s at line %d",
			 jerr.text, jerr.line);
		return LD_EINVAL;
	}
	if (!json_is_object(root) || json_object_size(root) == 0) {
		snprintf(why, whylen, "expected an object keyed by division");
		err = LD_EINVAL;
		goto out;
	}
	json_object_foreach(root, key, value)
	{
		const char *division = holiday_feed_division(key);
		json_t *events = json_object_get(value, "events");
		size_t i;
		json_t *ev;

		if (!division) {
			snprintf(why, whylen, "unknown division \"%.40s\"",
				 key);
			err = LD_EINVAL;
			goto out;
		}
		if (!json_is_array(events)) {
			snprintf(why, whylen, "%s: no \"events\" array", key);
			err = LD_EINVAL;
			goto out;
		}
		json_array_foreach(events, i, ev)
		{
			if (out->n == cap) {
				cap = cap ? cap * 2 : 128;
				out->events =
					xrealloc(out->events,
						 cap * sizeof(*out->events));
			}
			err = parse_event(ev, division, &out->events[out->n],
					  why, whylen);
			if (err)
				goto out;
			out->n++;
		}
	}
out:
	json_decref(root);
	if (err)
		holiday_feed_release(out);
	return err;
}
