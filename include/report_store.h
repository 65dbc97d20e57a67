/*
 * Reports: the KPIs of sql/009_reports.sql for a period and its
 * comparisons, the cases behind each figure, and the case log for exports.
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
 * {period, figures, previous, year_earlier, by_ombudsman, by_area}; area
 * or ombudsman (NULL: all) narrow every figure.
 */
enum ld_err report_store_kpis(struct store *s, const struct principal *who,
			      const struct period *p, int32_t today,
			      int64_t area, const char *ombudsman, char **json);

/* [{period, figures}] for each of n periods, oldest first. */
enum ld_err report_store_trend(struct store *s, const struct principal *who,
			       const struct period *periods, int n,
			       int32_t today, int64_t area, char **json);

/*
 * The cases behind a figure (key: NULL for all of it): exactly those the
 * figure counts for this reader, each one they may open.
 */
enum ld_err report_store_kpi_cases(struct store *s, const struct principal *who,
				   const struct period *p, int32_t today,
				   const char *figure, const char *key,
				   int64_t area, const char *ombudsman,
				   char **json);

enum report_type { REPORT_TEXT, REPORT_NUMBER, REPORT_DATE, REPORT_BOOL };

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
