/*
 * Reports: the KPIs of sql/009_reports.sql for a period and its
 * comparisons, the cases behind each figure, and the case log for exports.
 */
#ifndef REPORT_STORE_H
#define REPORT_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "ld_err.h"
#include "period.h"

struct store;
struct report_rows;

/*
 * {period, figures, previous, year_earlier, by_ombudsman, by_area}; area
 * (0: all) or ombudsman (NULL: all) narrow every figure.
 */
enum ld_err report_store_kpis(struct store *s, const struct period *p,
			      int32_t today, int64_t area,
			      const char *ombudsman, char **json);

/* [{period, figures}] for each of n periods, oldest first. */
enum ld_err report_store_trend(struct store *s, const struct period *periods,
			       int n, int32_t today, int64_t area, char **json);

/* The cases behind a figure (key: NULL for all of it). */
enum ld_err report_store_kpi_cases(struct store *s, const struct period *p,
				   int32_t today, const char *figure,
				   const char *key, int64_t area,
				   const char *ombudsman, char **json);

enum report_type { REPORT_TEXT, REPORT_NUMBER, REPORT_DATE, REPORT_BOOL };

/*
 * The case log, one row per case: confined to an area's cases for a service
 * officer (area > 0), with the resident's name only when residents is set.
 */
enum ld_err report_store_case_log(struct store *s, int64_t area, bool residents,
				  int32_t today, struct report_rows **out);

/* The task log, one row per task, confined likewise. */
enum ld_err report_store_task_log(struct store *s, int64_t area, int32_t today,
				  struct report_rows **out);

int report_rows_count(const struct report_rows *r);
int report_rows_columns(const struct report_rows *r);
const char *report_rows_name(const struct report_rows *r, int col);
enum report_type report_rows_type(const struct report_rows *r, int col);
/* A value as text, or NULL for none. */
const char *report_rows_value(const struct report_rows *r, int row, int col);
void report_rows_free(struct report_rows *r);

#endif
