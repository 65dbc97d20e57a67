/*
 * Reports: the KPIs of sql/020_kpis.sql (docs/kpis.md) for a period and
 * its comparisons, the rows behind each figure, and the case and task
 * logs for exports.  A period still running is read as of today
 * (period_as_of()).
 *
 * Each reads as its reader (who) may: a service-area officer's are their
 * own area's, with only the cases they may open, and an officer with no
 * area gets none (task_visible and case_visible, sql/013_area_scope.sql).
 * area narrows a reader of every area's to one service area (0: all); it
 * is ignored for an officer.  JSON returned is the caller's to free().
 */
#ifndef REPORT_STORE_H
#define REPORT_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "ld_err.h"
#include "period.h"
#include "principal.h"

struct store;
struct report_rows;

/*
 * {period: {label, from, to, as_of, running}, catalogue, figures,
 * complaint_handling, previous, year_earlier, by_ombudsman, by_area}:
 * catalogue names, labels and orders every figure (kpi_figure); figures
 * maps each name to its value (money in pence, rates in per cent, NULL
 * for a rate of nothing); by_ombudsman and by_area hold every figure for
 * each.  area or ombudsman (NULL: all) narrow every figure.  answer
 * (NULL: none) makes the caller's answer of that JSON (malloc'd in and
 * out), remembered with it: a burst of readers builds it once.
 */
enum ld_err report_store_kpis(struct store *s, const struct principal *who,
			      const struct period *p, int32_t today,
			      int64_t area, const char *ombudsman,
			      enum ld_err (*answer)(char **json), char **json);

/* [{period, figures}] for each of n periods, oldest first, each as of
 * today if still running; area or ombudsman (NULL: all) narrow them as
 * they narrow report_store_kpis(). */
enum ld_err report_store_trend(struct store *s, const struct principal *who,
			       const struct period *periods, int n,
			       int32_t today, int64_t area,
			       const char *ombudsman, char **json);

/*
 * The rows behind a figure, [{case, task_id, detail, on_date,
 * amount_pence, days}]: exactly those the figure counts for this reader
 * (a rate's numerator's), one row each, each case one they may open.
 * LD_ENOTFOUND for a name not in the catalogue.
 */
enum ld_err report_store_kpi_rows(struct store *s, const struct principal *who,
				  const struct period *p, int32_t today,
				  const char *figure, int64_t area,
				  const char *ombudsman, char **json);

/* The catalogue alone: [{name, section, label, kind, numerator,
 * denominator}] in reading order. */
enum ld_err report_store_catalogue(struct store *s, char **json);

/*
 * The KPI facts kept case by case (sql/032_kpi_facts_kept.sql): the cases
 * queued since (by a change to anything the facts read) worked out again,
 * a batch a transaction, and the days whose "at the end" facts are kept
 * brought up to today.  Run after the working days (days_store_fill).
 * reader: just before figures are read: one round at most, waiting for
 * another filler no longer than the lock timeout, and nothing when more
 * than a round is queued or every case is due (the figures then read the
 * queue as it is: docs/kpis.md).  Otherwise the scheduler's (linkdesk
 * serve's rounds and holiday watch, linkdesk remind --once): never
 * waiting for another filler, round after round with no statement
 * timeout until the queue is empty.  *filled is the cases done.
 */
enum ld_err report_store_facts_fill(struct store *s, bool reader, int *filled);

/* Cases written with the triggers off (a bulk load) have no kept facts:
 * queue them once, at start. */
enum ld_err report_store_facts_sweep(struct store *s);

/*
 * Column types of an export: MONEY is whole pence shown as pounds, LABEL
 * a code shown by its label, PERCENT a percentage.
 */
enum report_type {
	REPORT_TEXT,
	REPORT_NUMBER,
	REPORT_DATE,
	REPORT_BOOL,
	REPORT_MONEY,
	REPORT_LABEL,
	REPORT_PERCENT
};

/*
 * The case log, one row per case the reader may open (narrowed by area to
 * the cases with a task of that area), with the resident's name only when
 * the reader may see it (principal_sees_residents()); the last column.
 * Free with report_rows_free().
 */
enum ld_err report_store_case_log(struct store *s, const struct principal *who,
				  int64_t area, int32_t today,
				  struct report_rows **out);

/* The task log, one row per task the reader may open, narrowed likewise. */
enum ld_err report_store_task_log(struct store *s, const struct principal *who,
				  int64_t area, int32_t today,
				  struct report_rows **out);

int report_rows_count(const struct report_rows *r);
int report_rows_columns(const struct report_rows *r);
const char *report_rows_name(const struct report_rows *r, int col);
enum report_type report_rows_type(const struct report_rows *r, int col);
/* A value as text, or NULL for none. */
const char *report_rows_value(const struct report_rows *r, int row, int col);
void report_rows_free(struct report_rows *r);

#endif
