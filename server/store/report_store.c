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

static enum ld_err keep_day_fn(struct db *db, void *arg)
{
	struct db_date d;
	const char *params[] = {db_date(&d, *(const int32_t *)arg)};
	return db_exec(db, "kpi_keep_day", "SELECT kpi_keep_day($1::date)", 1,
		       params, NULL);
}

/* A period still running is read as of today: the facts at the end of
 * today kept first (once a day), as those of each quarter's end are. */
static enum ld_err keep_today(struct store *s, const struct period *p,
			      int32_t today)
{
	return period_running(p, today) ? db_run(s, keep_day_fn, &today)
					: LD_OK;
}

struct kpis_ctx {
	struct store *s;
	const char *const *params;
	enum ld_err (*answer)(char **json);
};

static enum ld_err kpis_compute(void *arg, char **json)
{
	struct kpis_ctx *c = arg;
	enum ld_err err = db_run_json(
		c->s, "kpis",
		/* The period's figures, by Ombudsman and by area, from one
		 * reading of its facts (kpi_groups). */
		"WITH g AS (SELECT * FROM kpi_groups($1, $2, $3, $4, $5, true,"
		" $13)),"
		/* A year's previous period is also the year before it: its
		 * figures are read once. */
		" pv AS (SELECT kpi_figures($6, $7, $3, $4, $5, $13) AS f)"
		" SELECT json_build_object("
		" 'period', json_build_object('label', $10::text, 'from',"
		" $1::date, 'to', $14::date, 'as_of', $2::date,"
		" 'running', $15::boolean),"
		" 'catalogue', kpi_catalogue(),"
		" 'figures', (SELECT figures FROM g WHERE g_set = 3),"
		/* The Complaint Handling Code's shares keep their own
		 * definitions (sql/010), over the whole period. */
		" 'complaint_handling', code_figures($1, $14, $4),"
		" 'previous', json_build_object('period', json_build_object("
		"  'label', $11::text, 'from', $6::date, 'to', $7::date),"
		"  'figures', (SELECT f FROM pv)),"
		" 'year_earlier', json_build_object('period',"
		"  json_build_object('label', $12::text, 'from', $8::date,"
		"  'to', $9::date),"
		"  'figures', CASE WHEN $8::date = $6::date AND $9::date ="
		"  $7::date THEN (SELECT f FROM pv)"
		"  ELSE kpi_figures($8, $9, $3, $4, $5, $13) END),"
		/* An Ombudsman with no facts in the period still has its
		 * (zero) figures. */
		" 'by_ombudsman', (SELECT json_agg(json_build_object("
		"  'ombudsman', o.code, 'name', o.name,"
		"  'sanction_name', o.sanction_name, 'rate_basis', "
		"o.rate_basis,"
		"  'figures', coalesce(g.figures,"
		"  kpi_values('[]'))) ORDER BY o.id)"
		"  FROM ombudsman o LEFT JOIN g ON g.g_set = 1"
		"  AND g.g_ombudsman = o.code"
		"  WHERE $5::text IS NULL OR o.code = $5),"
		" 'by_area', (SELECT coalesce(json_agg(json_build_object("
		"  'id', a.id, 'name', a.name, 'figures', g.figures)"
		"  ORDER BY a.name), '[]')"
		"  FROM g JOIN service_area a ON a.id = g.g_area"
		"  WHERE g.g_set = 2))",
		15, c->params, json);
	return err || !c->answer ? err : c->answer(json);
}

enum ld_err report_store_kpis(struct store *s, const struct principal *who,
			      const struct period *p, int32_t today,
			      int64_t area, const char *ombudsman,
			      enum ld_err (*answer)(char **json), char **json)
{
	enum ld_err err = keep_today(s, p, today);
	if (err)
		return err;
	struct period prev, earlier;
	struct db_date f, t, pf, pt, ef, et, d, full;
	struct report_scope rs;
	report_scope(&rs, who, area);
	period_previous(p, &prev);
	period_year_earlier(p, &earlier);
	const char *params[] = {db_date(&f, p->from),
				db_date(&t, period_as_of(p, today)),
				db_date(&d, today),
				rs.area,
				ombudsman,
				db_date(&pf, prev.from),
				db_date(&pt, period_as_of(&prev, today)),
				db_date(&ef, earlier.from),
				db_date(&et, period_as_of(&earlier, today)),
				p->label,
				prev.label,
				earlier.label,
				rs.scope,
				db_date(&full, p->to),
				period_running(p, today) ? "true" : "false"};
	/* Remembered as the answer made of them: each answer its own. */
	char key[240];
	snprintf(key, sizeof(key), "kpis %s %s %s %s %s %s %p", params[0],
		 params[1], params[2], params[3] ? params[3] : "-",
		 ombudsman ? ombudsman : "-", rs.scope ? rs.scope : "-",
		 (void *)(uintptr_t)answer);
	struct kpis_ctx c = {s, params, answer};
	return store_remember(s, key, kpis_compute, &c, json);
}

enum ld_err report_store_trend(struct store *s, const struct principal *who,
			       const struct period *periods, int n,
			       int32_t today, int64_t area,
			       const char *ombudsman, char **json)
{
	for (int i = 0; i < n; i++) {
		enum ld_err err = keep_today(s, &periods[i], today);
		if (err)
			return err;
	}
	json_t *arr = json_array();
	char date[DATE_STRLEN], to[DATE_STRLEN];
	for (int i = 0; i < n; i++) {
		date_format(periods[i].from, date);
		date_format(period_as_of(&periods[i], today), to);
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "label",
						     periods[i].label, "from",
						     date, "to", to));
	}
	char *list = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	struct db_date d;
	struct report_scope rs;
	report_scope(&rs, who, area);
	const char *params[] = {list, db_date(&d, today), rs.area, rs.scope,
				ombudsman};
	char key[1024];
	int len = snprintf(key, sizeof(key), "trend %s %s %s %s %s", list,
			   params[1], rs.area ? rs.area : "-",
			   rs.scope ? rs.scope : "-",
			   ombudsman ? ombudsman : "-");
	static const char sql[] =
		"SELECT json_agg(json_build_object('period', json_build_object("
		" 'label', p.label, 'from', p.\"from\", 'to', p.\"to\"),"
		" 'figures', kpi_figures(p.\"from\", p.\"to\", $2, $3, $5, "
		"$4))"
		" ORDER BY p.\"from\")"
		" FROM json_to_recordset($1::json) AS p(label text, \"from\" "
		"date,"
		" \"to\" date)";
	/* Remembered like the KPIs, unless the key would not hold them. */
	enum ld_err err =
		len < (int)sizeof(key)
			? db_run_json_memo(s, key, "trend", sql, 5, params,
					   json)
			: db_run_json(s, "trend", sql, 5, params, json);
	free(list);
	return err;
}

enum ld_err report_store_kpi_rows(struct store *s, const struct principal *who,
				  const struct period *p, int32_t today,
				  const char *figure, int64_t area,
				  const char *ombudsman, char **json)
{
	struct db_date f, t, d;
	struct report_scope rs;
	report_scope(&rs, who, area);
	const char *params[] = {db_date(&f, p->from),
				db_date(&t, period_as_of(p, today)),
				db_date(&d, today),
				figure,
				rs.area,
				ombudsman,
				rs.scope};
	return db_run_json(s, "kpi_rows",
			   "SELECT kpi_rows($1, $2, $3, $4, $5, $6, $7)", 7,
			   params, json);
}

enum ld_err report_store_catalogue(struct store *s, char **json)
{
	return db_run_json(s, "kpi_catalogue", "SELECT kpi_catalogue()", 0,
			   NULL, json);
}

/* Cases a round of kpi_fill takes: about 3 ms each at full size, so a
 * reader's round (a queue no longer than this) stays seconds inside the
 * statement timeout even on a busy machine. */
#define FACTS_BATCH 1000

struct facts_ctx {
	bool reader;
	int done; /* cases taken from the queue by this round; -1: again */
	bool due; /* anything to do */
};

/* Anything queued, or today's facts at the end not yet kept?  One read,
 * no transaction: the usual answer is no. */
static enum ld_err facts_due(struct db *db, void *arg)
{
	struct facts_ctx *c = arg;
	PGresult *res = NULL;
	enum ld_err err = db_exec(
		db, "kpi_fill_due",
		"SELECT EXISTS (SELECT 1 FROM kpi_case_due) OR NOT EXISTS"
		" (SELECT 1 FROM kpi_end_day WHERE on_date = current_date + 1)",
		0, NULL, &res);
	c->due = !err && PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	return err;
}

/* One round, its own transaction; the scheduler's with no statement
 * timeout (keeping every case takes minutes at full size). */
static enum ld_err facts_round(struct db *db, void *arg)
{
	struct facts_ctx *c = arg;
	PGresult *res = NULL;
	char batch[16];
	const char *params[] = {batch, c->reader ? "t" : "f"};
	snprintf(batch, sizeof(batch), "%d", FACTS_BATCH);
	c->done = 0;
	enum ld_err err = db_begin(db);
	if (!err && !c->reader)
		err = db_exec(db, "kpi_fill_untimed",
			      "SET LOCAL statement_timeout = 0", 0, NULL, NULL);
	if (!err)
		err = db_exec(db, "kpi_fill",
			      "SELECT kpi_fill($1::int, $2::boolean)", 2,
			      params, &res);
	if (!err)
		c->done = (int)db_long(res, 0, 0);
	PQclear(res);
	if (!err)
		err = db_commit(db);
	if (err) {
		db_rollback(db);
		c->done = 0;
	}
	return err;
}

enum ld_err report_store_facts_fill(struct store *s, bool reader, int *filled)
{
	struct facts_ctx c = {reader, 0, false};
	*filled = 0;
	enum ld_err err = db_run(s, facts_due, &c);
	if (err || !c.due)
		return err;
	do {
		err = db_run(s, facts_round, &c);
		if (c.done > 0)
			*filled += c.done;
	} while (!err && !reader && (c.done == FACTS_BATCH || c.done < 0));
	return err;
}

static enum ld_err facts_sweep(struct db *db, void *arg)
{
	(void)arg;
	return db_exec(
		db, "kpi_sweep",
		"INSERT INTO kpi_case_due SELECT c.id FROM ombudsman_case c"
		" WHERE NOT EXISTS (SELECT 1 FROM kpi_dated d"
		" WHERE d.case_id = c.id) ON CONFLICT DO NOTHING",
		0, NULL, NULL);
}

enum ld_err report_store_facts_sweep(struct store *s)
{
	return db_run(s, facts_sweep, NULL);
}

struct report_rows {
	PGresult *res;
	/* The store's own types for the columns, when it gives them. */
	const enum report_type *types;
	int ntypes;
};

struct rows_ctx {
	const char *name, *sql;
	int n;
	const char *const *params;
	PGresult *res;
	const enum report_type *types;
	int ntypes;
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
	(*out)->types = c->types;
	(*out)->ntypes = c->ntypes;
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
	/* case_log()'s columns (sql/020_kpis.sql), in its order. */
	static const enum report_type types[] = {
		REPORT_TEXT,  REPORT_TEXT,  REPORT_TEXT,   REPORT_TEXT,
		REPORT_TEXT,  REPORT_LABEL, REPORT_LABEL,  REPORT_DATE,
		REPORT_DATE,  REPORT_TEXT,  REPORT_NUMBER, REPORT_NUMBER,
		REPORT_DATE,  REPORT_DATE,  REPORT_BOOL,   REPORT_NUMBER,
		REPORT_MONEY, REPORT_TEXT};
	struct rows_ctx c = {"case_log",
			     "SELECT * FROM case_log($1, $2, $3, $4)",
			     4,
			     params,
			     NULL,
			     types,
			     (int)(sizeof(types) / sizeof(types[0]))};
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
	static const enum report_type types[] = {
		REPORT_TEXT, REPORT_TEXT, REPORT_LABEL, REPORT_TEXT,
		REPORT_TEXT, REPORT_TEXT, REPORT_LABEL, REPORT_LABEL,
		REPORT_DATE, REPORT_DATE, REPORT_DATE,	REPORT_DATE,
		REPORT_DATE, REPORT_BOOL};
	struct rows_ctx c = {
		"task_log",
		"SELECT o.name AS \"Ombudsman\","
		" c.reference AS \"Ombudsman reference\", t.kind AS \"Kind\","
		" t.title AS \"Task\", a.name AS \"Service area\","
		" u.name AS \"Assigned to\", t.status AS \"Status\","
		" t.priority AS \"Priority\", t.set_on AS \"Set\","
		" t.due_on AS \"Due\", t.revised_due_on AS \"Revised due\","
		" t.sent_on AS \"Evidence sent\","
		" t.completed_on AS \"Completed\","
		" task_overdue(t, $2::date) AS \"Overdue\""
		" FROM task t JOIN ombudsman_case c ON c.id = t.case_id"
		" JOIN ombudsman o ON o.id = c.ombudsman_id"
		" JOIN service_area a ON a.id = t.service_area_id"
		" LEFT JOIN app_user u ON u.id = t.assignee_id"
		" WHERE task_visible($1, t.service_area_id)"
		" AND task_visible($3, t.service_area_id)"
		" ORDER BY t.set_on, t.id",
		3,
		params,
		NULL,
		types,
		(int)(sizeof(types) / sizeof(types[0]))};
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
	if (r->types && col < r->ntypes && r->ntypes == PQnfields(r->res))
		return r->types[col];
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
