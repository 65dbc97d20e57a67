#include "report_store.h"

#include <jansson.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_store_int.h"
#include "date.h"
#include "xalloc.h"

/*
 * Whose figures: the reader's area scope (area_scope(): a service-area
 * officer's own area, or none), and the area the figures are narrowed to,
 * which is that same area for an officer and the one chosen (0: all) for a
 * reader of every area.  An officer's "no area" can never widen to "all".
 */
struct report_scope {
	struct db_num s, a;
	const char *scope, *area;
};

static void report_scope(struct report_scope *r, const struct principal *who,
			 int64_t chosen)
{
	r->scope = area_scope(who, &r->s);
	r->area = r->scope     ? r->scope
		  : chosen > 0 ? db_num(&r->a, chosen)
			       : NULL;
}

enum ld_err report_store_kpis(struct store *s, const struct principal *who,
			      const struct period *p, int32_t today,
			      int64_t area, const char *ombudsman, char **json)
{
	struct period prev, earlier;
	struct db_date f, t, pf, pt, ef, et, d;
	struct report_scope rs;
	report_scope(&rs, who, area);
	period_previous(p, &prev);
	period_year_earlier(p, &earlier);
	const char *params[] = {db_date(&f, p->from),
				db_date(&t, p->to),
				db_date(&d, today),
				rs.area,
				ombudsman,
				db_date(&pf, prev.from),
				db_date(&pt, prev.to),
				db_date(&ef, earlier.from),
				db_date(&et, earlier.to),
				p->label,
				prev.label,
				earlier.label,
				rs.scope};
	char key[200];
	snprintf(key, sizeof(key), "kpis %s %s %s %s %s %s", params[0],
		 params[1], params[2], params[3] ? params[3] : "-",
		 ombudsman ? ombudsman : "-", rs.scope ? rs.scope : "-");
	return db_run_json_memo(
		s, key, "kpis",
		/* The period's figures, by Ombudsman and by area, from one
		 * reading of its facts (kpi_groups). */
		"WITH g AS (SELECT * FROM kpi_groups($1, $2, $3, $4, $5, true,"
		" $13))"
		" SELECT json_build_object("
		" 'period', json_build_object('label', $10::text, 'from',"
		" $1::date, 'to', $2::date),"
		" 'figures', (SELECT figures FROM g WHERE g_set = 3),"
		" 'complaint_handling', code_figures($1, $2, $4),"
		" 'previous', json_build_object('period', json_build_object("
		"  'label', $11::text, 'from', $6::date, 'to', $7::date),"
		"  'figures', kpi_figures($6, $7, $3, $4, $5, $13)),"
		" 'year_earlier', json_build_object('period',"
		"  json_build_object('label', $12::text, 'from', $8::date,"
		"  'to', $9::date),"
		"  'figures', kpi_figures($8, $9, $3, $4, $5, $13)),"
		/* An Ombudsman with no facts in the period still has its
		 * (zero) figures. */
		" 'by_ombudsman', (SELECT json_agg(json_build_object("
		"  'ombudsman', o.code, 'figures', coalesce(g.figures,"
		"  kpi_figures($1, $2, $3, $4, o.code, $13))) ORDER BY o.id)"
		"  FROM ombudsman o LEFT JOIN g ON g.g_set = 1"
		"  AND g.g_ombudsman = o.code"
		"  WHERE $5::text IS NULL OR o.code = $5),"
		" 'by_area', (SELECT coalesce(json_agg(json_build_object("
		"  'id', a.id, 'name', a.name,"
		"  'cases_received', (g.figures->>'cases_received')::int,"
		"  'evidence_requests', (g.figures->>'evidence_requests')::int,"
		"  'open_tasks_at_end', (g.figures->>'open_tasks_at_end')::int,"
		"  'overdue_tasks_at_end',"
		"  (g.figures->>'overdue_tasks_at_end')::int) ORDER BY a.name),"
		"  '[]') FROM g JOIN service_area a ON a.id = g.g_area"
		"  WHERE g.g_set = 2))",
		13, params, json);
}

enum ld_err report_store_trend(struct store *s, const struct principal *who,
			       const struct period *periods, int n,
			       int32_t today, int64_t area, char **json)
{
	json_t *arr = json_array();
	char date[DATE_STRLEN], to[DATE_STRLEN];
	for (int i = 0; i < n; i++) {
		date_format(periods[i].from, date);
		date_format(periods[i].to, to);
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "label",
						     periods[i].label, "from",
						     date, "to", to));
	}
	char *list = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	struct db_date d;
	struct report_scope rs;
	report_scope(&rs, who, area);
	const char *params[] = {list, db_date(&d, today), rs.area, rs.scope};
	enum ld_err err = db_run_json(
		s, "trend",
		"SELECT json_agg(json_build_object('period', json_build_object("
		" 'label', p.label, 'from', p.\"from\", 'to', p.\"to\"),"
		" 'figures', kpi_figures(p.\"from\", p.\"to\", $2, $3, NULL, "
		"$4))"
		" ORDER BY p.\"from\")"
		" FROM json_to_recordset($1::json) AS p(label text, \"from\" "
		"date,"
		" \"to\" date)",
		4, params, json);
	free(list);
	return err;
}

enum ld_err report_store_kpi_cases(struct store *s, const struct principal *who,
				   const struct period *p, int32_t today,
				   const char *figure, const char *key,
				   int64_t area, const char *ombudsman,
				   char **json)
{
	struct db_date f, t, d;
	struct report_scope rs;
	report_scope(&rs, who, area);
	const char *params[] = {db_date(&f, p->from),
				db_date(&t, p->to),
				db_date(&d, today),
				figure,
				key,
				rs.area,
				ombudsman,
				rs.scope};
	return db_run_json(s, "kpi_cases",
			   "SELECT kpi_cases($1, $2, $3, $4, $5, $6, $7, $8)",
			   8, params, json);
}

struct report_rows {
	PGresult *res;
};

struct rows_ctx {
	const char *name, *sql;
	int n;
	const char *const *params;
	PGresult *res;
};

static enum ld_err rows(struct db *db, void *arg)
{
	struct rows_ctx *c = arg;
	return db_exec(db, c->name, c->sql, c->n, c->params, &c->res);
}

static enum ld_err run_rows(struct store *s, struct rows_ctx *c,
			    struct report_rows **out)
{
	enum ld_err err = db_run(s, rows, c);
	if (err)
		return err;
	*out = xmalloc(sizeof(**out));
	(*out)->res = c->res;
	return LD_OK;
}

enum ld_err report_store_case_log(struct store *s, const struct principal *who,
				  int64_t area, int32_t today,
				  struct report_rows **out)
{
	struct db_date d;
	struct report_scope rs;
	report_scope(&rs, who, area);
	const char *params[] = {rs.scope, rs.area, residents_param(who),
				db_date(&d, today)};
	struct rows_ctx c = {"case_log",
			     "SELECT * FROM case_log($1, $2, $3, $4)", 4,
			     params, NULL};
	return run_rows(s, &c, out);
}

enum ld_err report_store_task_log(struct store *s, const struct principal *who,
				  int64_t area, int32_t today,
				  struct report_rows **out)
{
	struct db_date d;
	struct report_scope rs;
	report_scope(&rs, who, area);
	const char *params[] = {rs.scope, db_date(&d, today), rs.area};
	struct rows_ctx c = {
		"task_log",
		"SELECT o.code AS ombudsman, c.reference, t.kind, t.title,"
		" a.name AS service_area, u.name AS assignee, t.status,"
		" t.priority, t.set_on, t.due_on, t.revised_due_on, t.sent_on,"
		" t.completed_on, task_overdue(t, $2::date) AS overdue"
		" FROM task t JOIN ombudsman_case c ON c.id = t.case_id"
		" JOIN ombudsman o ON o.id = c.ombudsman_id"
		" JOIN service_area a ON a.id = t.service_area_id"
		" LEFT JOIN app_user u ON u.id = t.assignee_id"
		" WHERE task_visible($1, t.service_area_id)"
		" AND task_visible($3, t.service_area_id)"
		" ORDER BY t.set_on, t.id",
		3, params, NULL};
	return run_rows(s, &c, out);
}

int report_rows_count(const struct report_rows *r)
{
	return PQntuples(r->res);
}

int report_rows_columns(const struct report_rows *r)
{
	return PQnfields(r->res);
}

const char *report_rows_name(const struct report_rows *r, int col)
{
	return PQfname(r->res, col);
}

enum report_type report_rows_type(const struct report_rows *r, int col)
{
	/* Type OIDs of PostgreSQL's catalogue, stable across versions. */
	switch (PQftype(r->res, col)) {
	case 20: /* int8 */
	case 21: /* int2 */
	case 23: /* int4 */
	case 1700: return REPORT_NUMBER;
	case 1082: return REPORT_DATE;
	case 16: return REPORT_BOOL;
	default: return REPORT_TEXT;
	}
}

const char *report_rows_value(const struct report_rows *r, int row, int col)
{
	return PQgetisnull(r->res, row, col) ? NULL
					     : PQgetvalue(r->res, row, col);
}

void report_rows_free(struct report_rows *r)
{
	if (!r)
		return;
	PQclear(r->res);
	free(r);
}
