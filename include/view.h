/*
 * What the dashboard adds to the store's JSON before a template shows it:
 * dates as people read them ("Friday 19 December 2025"), working days left
 * or overdue, and labels and tag colours for statuses.
 */
#ifndef VIEW_H
#define VIEW_H

#include <jansson.h>
#include <stdint.h>

struct workcal;

/*
 * Decorate a task object: due_long, due_text ("due in 2 working days",
 * "3 working days overdue"), overdue, due_soon (due by soon, as
 * workcal_nearly_due_by() gives it), a revised date's long form,
 * status_label, status_tag (a govuk-tag modifier).
 */
void view_task(const struct workcal *cal, int32_t today, int32_t soon,
	       json_t *task);

/* view_task() on every task of an array. */
void view_tasks(const struct workcal *cal, int32_t today, int32_t soon,
		json_t *tasks);

/* Add key_long beside every "YYYY-MM-DD" string member key of obj. */
void view_dates(json_t *obj, const char *const *keys);

/* A label for a status or stage value ("in_progress" -> "In progress"). */
const char *view_label(const char *value);

/* A finding as people read it ("fault_causing_injustice" -> "Fault causing
 * injustice (upheld)"). */
const char *view_finding(const char *finding);

/*
 * The sentence a page shows after an action ("submit" -> "Your answer was
 * submitted for validation."; a kind of correspondence -> "1st chaser
 * recorded."), or "" for a value it does not know.
 */
const char *view_done(const char *done);

#endif
