#include "holiday_feed.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "holiday_rules.h"
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

static enum ld_err parse_event(json_t *ev, size_t i, const char *division,
			       struct holiday_feed_event *out, char *why,
			       size_t whylen)
{
	const char *date = json_string_value(json_object_get(ev, "date"));
	const char *title = json_string_value(json_object_get(ev, "title"));
	json_t *notes = json_object_get(ev, "notes");

	if (!json_is_object(ev)) {
		snprintf(why, whylen, "%s: event %zu is not an object",
			 division, i + 1);
		return LD_EINVAL;
	}
	if (!date) {
		snprintf(why, whylen,
			 "%s: event %zu has no \"date\" (YYYY-MM-DD)", division,
			 i + 1);
		return LD_EINVAL;
	}
	if (date_parse(date, &out->day)) {
		snprintf(why, whylen, "%s: %.40s is not a date (YYYY-MM-DD)",
			 division, date);
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

static int by_day(const void *a, const void *b)
{
	const struct holiday_feed_event *x = a, *y = b;
	int c = strcmp(x->division, y->division);
	return c ? c : (x->day > y->day) - (x->day < y->day);
}

/* A day listed twice in a division: which title would it keep? */
static enum ld_err check_twice(const struct holiday_feed *feed, char *why,
			       size_t whylen)
{
	enum ld_err err = LD_OK;
	if (feed->n < 2)
		return LD_OK;
	struct holiday_feed_event *e = xcalloc(feed->n, sizeof(*e));
	memcpy(e, feed->events, feed->n * sizeof(*e));
	qsort(e, feed->n, sizeof(*e), by_day);
	for (size_t i = 1; i < feed->n && !err; i++)
		if (!by_day(&e[i - 1], &e[i])) {
			char d[DATE_STRLEN];
			date_format(e[i].day, d);
			snprintf(why, whylen, "%s: %s is listed twice",
				 e[i].division, d);
			err = LD_EINVAL;
		}
	free(e);
	return err;
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
	size_t blank = 0;
	while (blank < len && strchr(" \t\r\n", text[blank]) && text[blank])
		blank++;
	if (blank == len) {
		json_decref(root);
		snprintf(why, whylen, "the file is empty");
		return LD_EINVAL;
	}
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
			err = parse_event(ev, i, division, &out->events[out->n],
					  why, whylen);
			if (err)
				goto out;
			out->n++;
		}
	}
	err = check_twice(out, why, whylen);
out:
	json_decref(root);
	if (err)
		holiday_feed_release(out);
	return err;
}

void holiday_plan_release(struct holiday_plan *plan)
{
	for (size_t i = 0; i < plan->n; i++) {
		free(plan->changes[i].title);
		free(plan->changes[i].notes);
		free(plan->changes[i].old_title);
	}
	free(plan->changes);
	memset(plan, 0, sizeof(*plan));
}

static int year_of(int32_t day)
{
	int y, m, d;
	date_to_ymd(day, &y, &m, &d);
	return y;
}

/* Does the feed hold this division's year? */
static bool feed_holds(const struct holiday_feed *feed, const char *division,
		       int year)
{
	for (size_t i = 0; i < feed->n; i++)
		if (!strcmp(feed->events[i].division, division) &&
		    year_of(feed->events[i].day) == year)
			return true;
	return false;
}

static struct holiday_change *change(struct holiday_plan *plan, size_t *cap,
				     enum holiday_change_kind kind,
				     const char *division, int32_t day,
				     const char *title, const char *notes)
{
	if (plan->n == *cap) {
		*cap = *cap ? *cap * 2 : 32;
		plan->changes =
			xrealloc(plan->changes, *cap * sizeof(*plan->changes));
	}
	struct holiday_change *c = &plan->changes[plan->n++];
	*c = (struct holiday_change){kind,	     division,	     day,
				     xstrdup(title), xstrdup(notes), NULL,
				     false};
	return c;
}

static int change_order(const void *a, const void *b)
{
	const struct holiday_change *x = a, *y = b;
	int c = strcmp(x->division, y->division);
	return c ? c : (x->day > y->day) - (x->day < y->day);
}

/* Append ", text" to the refusal, or "; and more" once it is full. */
static void refuse(struct holiday_plan *plan, const char *text)
{
	size_t len = strlen(plan->refusal);
	if (len + strlen(text) + 3 >= sizeof(plan->refusal) - 12) {
		if (!strstr(plan->refusal, "; and more"))
			snprintf(plan->refusal + len,
				 sizeof(plan->refusal) - len, "; and more");
		return;
	}
	snprintf(plan->refusal + len, sizeof(plan->refusal) - len, "%s%s",
		 len ? "; " : "", text);
}

void holiday_plan_make(const struct holiday_feed *feed,
		       const struct holiday_held *held, size_t n,
		       struct holiday_plan *plan)
{
	size_t cap = 0;
	memset(plan, 0, sizeof(*plan));

	for (size_t i = 0; i < feed->n; i++) {
		const struct holiday_feed_event *e = &feed->events[i];
		const struct holiday_held *h = NULL;
		for (size_t k = 0; k < n && !h; k++)
			if (held[k].day == e->day &&
			    !strcmp(held[k].division, e->division))
				h = &held[k];
		if (!h) {
			change(plan, &cap, HOLIDAY_ADDED, e->division, e->day,
			       e->title, e->notes);
			plan->added++;
		} else if (h->provisional || strcmp(h->title, e->title) ||
			   strcmp(h->notes, e->notes)) {
			change(plan, &cap, HOLIDAY_CHANGED, e->division, e->day,
			       e->title, e->notes)
				->old_title = xstrdup(h->title);
			plan->changed++;
		}
	}
	for (size_t k = 0; k < n; k++) {
		const struct holiday_held *h = &held[k];
		bool kept = false;
		if (!feed_holds(feed, h->division, year_of(h->day)))
			continue;
		for (size_t i = 0; i < feed->n && !kept; i++)
			kept = feed->events[i].day == h->day &&
			       !strcmp(feed->events[i].division, h->division);
		if (kept)
			continue;
		change(plan, &cap, HOLIDAY_REMOVED,
		       holiday_feed_division(h->division), h->day, h->title,
		       h->notes)
			->published = !h->provisional;
		plan->removed++;
	}
	if (plan->n)
		qsort(plan->changes, plan->n, sizeof(*plan->changes),
		      change_order);

	/* Each (division, year) the feed holds, in division order. */
	for (int dv = 0; dv < HOLIDAY_DIVISIONS; dv++) {
		const char *division = holiday_feed_divisions[dv];
		for (int year = DATE_MIN_YEAR; year <= DATE_MAX_YEAR; year++) {
			int days = 0, lost = 0;
			char first[DATE_STRLEN] = "", text[200];
			for (size_t i = 0; i < feed->n; i++)
				days += feed->events[i].division == division &&
					year_of(feed->events[i].day) == year;
			if (!days)
				continue;
			plan->years++;
			for (size_t i = 0; i < plan->n; i++) {
				const struct holiday_change *c =
					&plan->changes[i];
				if (c->kind != HOLIDAY_REMOVED ||
				    !c->published || c->division != division ||
				    year_of(c->day) != year)
					continue;
				if (!lost++)
					date_format(c->day, first);
			}
			if (lost) {
				snprintf(text, sizeof(text),
					 "%s %d: %d published day%s would go"
					 " (%s%s)",
					 division, year, lost,
					 lost == 1 ? "" : "s", first,
					 lost > 1 ? " and more" : "");
				refuse(plan, text);
			}
			struct holiday rules[HOLIDAY_RULES_MAX];
			int standard =
				holiday_rules_division(division, year, rules);
			if (days < standard) {
				snprintf(text, sizeof(text),
					 "%s %d: the file has %d day%s, fewer "
					 "than the %d of the standard rules",
					 division, year, days,
					 days == 1 ? "" : "s", standard);
				refuse(plan, text);
			}
		}
	}
}

void holiday_change_text(const struct holiday_change *c, char *out, size_t len)
{
	char d[DATE_STRLEN];
	date_format(c->day, d);
	if (c->kind == HOLIDAY_CHANGED)
		snprintf(out, len, "~ %s %s %s (was %s)", c->division, d,
			 c->title, c->old_title);
	else
		snprintf(out, len, "%s %s %s %s%s",
			 c->kind == HOLIDAY_ADDED ? "+" : "-", c->division, d,
			 c->title,
			 c->kind == HOLIDAY_REMOVED && !c->published
				 ? " (provisional)"
				 : "");
}
