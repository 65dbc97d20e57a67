/*
 * Forecasts of late answers and sanction risk, fed from the database to
 * core/forecast.c.  The organisation's task history is read in one pass
 * and the survival curves built once per database snapshot (a model up to
 * FORECAST_FRESH_SECONDS old is reused while writes keep changing the
 * snapshot); every open task is then forecast in O(log n).  Working days
 * are core's: SQL hands over dates only.
 *
 * Every reader here applies the one area rule: a service-area officer
 * sees forecasts and flags of their own area's tasks and cases only
 * (principal_area_scope(), and SQL's task_visible() / case_visible()).
 *
 * JSON returned through char **json is malloc'd: free() it.
 */
#ifndef FORECAST_STORE_H
#define FORECAST_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ld_err.h"
#include "principal.h"

struct store;
struct workcal;

/* Tasks set within this many days before today make the history. */
#define FORECAST_HISTORY_DAYS 730
/* A model this young is reused although the snapshot has moved on. */
#define FORECAST_FRESH_SECONDS 10

/* Which open tasks a list holds. */
struct forecast_filter {
	int min_percent; /* likely to be late: forecast at least this */
	int32_t due_from, due_to; /* due in this range (0: any) */
	int64_t area_id;	  /* 0: every area the reader may see */
	int offset;		  /* after skipping this many (a page's) */
	int limit;		  /* the first this many, by due date */
};

/*
 * Into name (at least FORECAST_MODEL_NAME_LEN bytes): which model the
 * forecasts of today would come from now (it may be up to
 * FORECAST_FRESH_SECONDS and a build older than the data), so that what
 * is kept with forecasts in it is kept only as long as their model.
 */
#define FORECAST_MODEL_NAME_LEN 32
enum ld_err forecast_store_model_name(struct store *s,
				      const struct workcal *cal, int32_t today,
				      char *name);

/*
 * Open tasks the reader may see that pass f, ordered by due date, as
 * {"total": N, "tasks": [task document + "forecast": {...}]}, at most
 * f->limit of them after the first f->offset (total counts them all).  Each
 * "forecast" is {percent, likely_late, reason, fallback, overdue,
 * elapsed_working_days, due_working_days}.  The Monday digest calls this with
 * min_percent from the LINKDESK_LATE_RISK_PERCENT setting and the recipient's
 * principal.
 */
enum ld_err forecast_store_tasks(struct store *s, const struct workcal *cal,
				 const struct principal *p, int32_t today,
				 const struct forecast_filter *f, char **json);

/*
 * The forecasts of the given tasks, by id: {"<id>": {...}} for each one
 * open and forecast (others are left out).  For decorating lists and the
 * task page with their risk.  Visibility is the caller's: pass ids of
 * tasks the reader has already been shown.
 */
enum ld_err forecast_store_of(struct store *s, const struct workcal *cal,
			      int32_t today, int threshold_percent,
			      const int64_t *ids, size_t n, char **json);

/*
 * Sanction-risk flags of open cases the reader may see (case_id 0: all;
 * else that case's) as [{case_id, reference, ombudsman, rule, words,
 * since, act_by}], the soonest act_by first.
 */
enum ld_err forecast_store_sanctions(struct store *s, const struct workcal *cal,
				     const struct principal *p, int32_t today,
				     int64_t case_id, char **json);

/*
 * Of those flags (case_id 0), at most max after the first offset, as
 * {total, flags: [...]}: for a page that shows the soonest to act on and
 * says how many there are.
 */
enum ld_err forecast_store_sanctions_page(struct store *s,
					  const struct workcal *cal,
					  const struct principal *p,
					  int32_t today, size_t offset,
					  size_t max, char **json);

/*
 * For leadership: of the tasks due from..to that the reader may see,
 * {late_so_far (due before today and late), due_to_come (open, due today
 * to to), expected_to_come (their summed forecast), expected_late (the
 * two together)}.
 */
enum ld_err forecast_store_expected(struct store *s, const struct workcal *cal,
				    const struct principal *p, int32_t today,
				    int32_t from, int32_t to, char **json);

/*
 * The backtest over the working days from..to on the whole history, each
 * day forecast from what was known that day, scored against what had
 * happened by today: {predictions, brier, baseline_brier, deciles: [{n,
 * predicted, observed}]}.  Slow: run it off the HTTP threads.
 */
enum ld_err forecast_store_backtest(struct store *s, const struct workcal *cal,
				    int32_t from, int32_t to, int32_t today,
				    char **json);

#endif
