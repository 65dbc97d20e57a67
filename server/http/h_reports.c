/*
 * Reports: KPIs for a period, the rows behind each figure, and exports of
 * the figures themselves, the case log, the task log and any drill-down
 * as CSV or XLSX, with the column names and values people use: dates as
 * dates, money as pounds.  Exports follow the user's access: a service
 * officer's hold only their area, and none holds resident details unless
 * the role allows.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "app.h"
#include "arena.h"
#include "csv.h"
#include "export.h"
#include "date.h"
#include "handlers.h"
#include "jobs.h"
#include "money.h"
#include "period.h"
#include "report_store.h"
#include "view.h"

#define EXPORT_MAX (256 * 1024 * 1024)

/*
 * The area a reader of every area chose (?service_area_id=), 0 for all.
 * Who may read what is the store's to say (report_store.h): a service-area
 * officer's reports are their own area's, or nothing, whatever this says.
 */
int64_t reports_area(struct request *req)
{
	const char *a = request_query(req, "service_area_id");
	char *end;
	long long v = a ? strtoll(a, &end, 10) : 0;
	return a && !*end && v > 0 ? v : 0;
}

enum ld_err reports_period(struct request *req, struct period *p)
{
	const char *s = request_query(req, "period");
	if (!s) {
		period_quarter_of(app_today(req->app), p);
		return LD_OK;
	}
	if (period_parse(s, p))
		return request_fail(req, LD_EINVAL, "period",
				    "period is a financial quarter like "
				    "2026-Q3 or a year like 2026-27");
	return LD_OK;
}

/* A string member, or "" */
static const char *jstr_or(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

const char *reports_ombudsman(struct request *req)
{
	const char *o = request_query(req, "ombudsman");
	size_t n = o ? strlen(o) : 0;
	if (!n || n > 16)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!((o[i] >= 'A' && o[i] <= 'Z') ||
		      (o[i] >= '0' && o[i] <= '9')))
			return NULL;
	return o;
}

/*
 * Beside each money figure in pence (compensation_ordered_pence), the
 * same in pounds (compensation_ordered: "£350.00").
 */
static void money_text(json_t *catalogue, json_t *figures)
{
	size_t i;
	json_t *f;
	json_array_foreach(catalogue, i, f)
	{
		const char *name =
			json_string_value(json_object_get(f, "name"));
		const char *kind =
			json_string_value(json_object_get(f, "kind"));
		json_t *v = json_object_get(figures, name);
		size_t n = name ? strlen(name) : 0;
		if (!kind || strcmp(kind, "money") || !json_is_integer(v) ||
		    n < 6 || strcmp(name + n - 6, "_pence"))
			continue;
		char text[MONEY_STRLEN], key[80];
		money_format((long long)json_integer_value(v), text);
		snprintf(key, sizeof(key), "%.*s", (int)(n - 6), name);
		json_object_set_new(figures, key, json_string(text));
	}
}

/* The API's answer of the figures: their money as text too.  Remembered
 * with them (report_store_kpis), so a burst of readers parses and
 * writes the 400 KB of an organisation's quarter once. */
static enum ld_err kpis_answer(char **json)
{
	json_t *k = json_loads(*json, 0, NULL);
	free(*json);
	*json = NULL;
	if (!k)
		return LD_EINTERNAL;
	json_t *cat = json_object_get(k, "catalogue"), *o;
	size_t i;
	money_text(cat, json_object_get(k, "figures"));
	money_text(cat,
		   json_object_get(json_object_get(k, "previous"), "figures"));
	money_text(cat, json_object_get(json_object_get(k, "year_earlier"),
					"figures"));
	json_array_foreach(json_object_get(k, "by_ombudsman"), i, o)
		money_text(cat, json_object_get(o, "figures"));
	json_array_foreach(json_object_get(k, "by_area"), i, o)
		money_text(cat, json_object_get(o, "figures"));
	*json = json_dumps(k, JSON_COMPACT);
	json_decref(k);
	return *json ? LD_OK : LD_EINTERNAL;
}

/* The figures of the request's period, area and Ombudsman
 * (report_store_kpis, its answer made by answer), the period in *p. */
static enum ld_err request_figures(struct request *req, struct period *p,
				   enum ld_err (*answer)(char **json),
				   char **text)
{
	jobs_days(req->app, true, NULL); /* the days taken, by core */
	enum ld_err err = reports_period(req, p);
	return err ? err
		   : report_store_kpis(req->app->store, &req->who, p,
				       app_today(req->app), reports_area(req),
				       reports_ombudsman(req), answer, text);
}

enum ld_err h_kpis(struct request *req)
{
	struct period p;
	char *text = NULL;
	enum ld_err err = request_figures(req, &p, kpis_answer, &text);
	return reply_result(req, err, text, NULL, 200);
}

/* The rows behind a figure, as JSON or rows of an export. */
static enum ld_err kpi_cases(struct request *req, json_t **out,
			     struct period *p)
{
	jobs_days(req->app, true, NULL); /* the days taken, by core */
	const char *figure = request_query(req, "figure");
	char *json = NULL;
	enum ld_err err = reports_period(req, p);
	if (err)
		return err;
	bool ok = figure && *figure && strlen(figure) <= 64;
	for (const char *c = figure; ok && *c; c++)
		ok = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
		     *c == '_';
	if (ok) {
		err = report_store_kpi_rows(req->app->store, &req->who, p,
					    app_today(req->app), figure,
					    reports_area(req),
					    reports_ombudsman(req), &json);
		if (err == LD_ENOTFOUND)
			ok = false;
		else if (err)
			return err;
	}
	if (!ok)
		return request_fail(req, LD_EINVAL, "figure",
				    "figure must be one of the KPIs, like "
				    "cases_received");
	*out = json_loads(json, 0, NULL);
	free(json);
	return *out ? LD_OK : LD_EINTERNAL;
}

enum ld_err kpi_cases_json(struct request *req, json_t **out, struct period *p)
{
	return kpi_cases(req, out, p);
}

enum ld_err h_kpi_cases(struct request *req)
{
	struct period p;
	json_t *cases;
	enum ld_err err = kpi_cases(req, &cases, &p);
	if (err)
		return err;
	reply_json(req, 200, cases);
	return LD_OK;
}

/*
 * A code as people read it: the dashboard's label, or the code with its
 * underscores as spaces and a capital ("orders_satisfied": "Orders
 * satisfied").
 */
static const char *code_label(struct request *req, const char *code)
{
	const char *l = view_label(code);
	if (strcmp(l, code))
		return l;
	char *s = arena_strdup(req->arena, code);
	for (char *c = s; *c; c++)
		if (*c == '_')
			*c = ' ';
	if (*s >= 'a' && *s <= 'z')
		*s = (char)(*s - 'a' + 'A');
	return s;
}

/* A cell of a column of type ty as CSV text (arena-owned or v itself). */
static const char *csv_text(struct request *req, enum report_type ty,
			    const char *v)
{
	if (!v)
		return "";
	switch (ty) {
	case REPORT_BOOL: return v[0] == 't' ? "yes" : "no";
	case REPORT_LABEL: return code_label(req, v);
	case REPORT_MONEY: {
		char *text = arena_alloc(req->arena, MONEY_STRLEN);
		money_format(strtoll(v, NULL, 10), text);
		return text;
	}
	case REPORT_PERCENT: return arena_printf(req->arena, "%s%%", v);
	default: return v;
	}
}

enum ld_err export_csv(struct request *req, const struct table *t,
		       const char *filename)
{
	struct buf out;
	enum ld_err err = LD_OK;
	buf_init(&out, EXPORT_MAX);
	/* A byte-order mark so spreadsheet programs read UTF-8 as UTF-8. */
	err = buf_addstr(&out, "\xef\xbb\xbf");
	for (int c = 0; c < t->ncols && !err; c++)
		err = csv_field(&out, t->names[c], c == 0);
	if (!err)
		err = csv_end(&out);
	for (int r = 0; r < t->nrows && !err; r++) {
		for (int c = 0; c < t->ncols && !err; c++) {
			err = csv_field(&out,
					csv_text(req, t->types[c],
						 t->cell(t->src, r, c)),
					c == 0);
		}
		if (!err)
			err = csv_end(&out);
	}
	if (err) {
		buf_release(&out);
		return request_fail(req, err, NULL, "the export is too large");
	}
	req->len = out.len;
	req->data = buf_detach(&out);
	req->status = 200;
	req->content_type = "text/csv; charset=utf-8";
	reply_header(req, "Content-Disposition",
		     arena_printf(req->arena, "attachment; filename=\"%s.csv\"",
				  filename));
	return LD_OK;
}

/* A workbook being written in a folder of its own, then sent. */
struct xlsx {
	char dir[32];
	char *path;
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *bold, *date, *money, *percent;
};

static enum ld_err xlsx_begin(struct request *req, struct xlsx *x,
			      const char *sheet)
{
	memset(x, 0, sizeof(*x));
	snprintf(x->dir, sizeof(x->dir), "/tmp/linkdesk-export-XXXXXX");
	if (!mkdtemp(x->dir))
		return LD_EIO;
	x->path = arena_printf(req->arena, "%s/export.xlsx", x->dir);
	lxw_workbook_options options = {.constant_memory = LXW_TRUE,
					.tmpdir = x->dir};
	x->wb = workbook_new_opt(x->path, &options);
	x->ws = x->wb ? workbook_add_worksheet(x->wb, sheet) : NULL;
	if (!x->ws)
		return LD_EIO;
	x->bold = workbook_add_format(x->wb);
	x->date = workbook_add_format(x->wb);
	x->money = workbook_add_format(x->wb);
	x->percent = workbook_add_format(x->wb);
	format_set_bold(x->bold);
	format_set_num_format(x->date, "d mmmm yyyy");
	format_set_num_format(x->money, "\"£\"#,##0.00");
	format_set_num_format(x->percent, "0.0%");
	worksheet_freeze_panes(x->ws, 1, 0);
	return LD_OK;
}

/* One cell of type ty; NULL writes nothing. */
static void xlsx_cell(struct request *req, struct xlsx *x, lxw_row_t row,
		      lxw_col_t col, enum report_type ty, const char *v)
{
	int32_t day;
	if (!v)
		return;
	if (ty == REPORT_DATE && !date_parse(v, &day)) {
		int y, m, d;
		date_to_ymd(day, &y, &m, &d);
		lxw_datetime dt = {y, m, d, 0, 0, 0};
		worksheet_write_datetime(x->ws, row, col, &dt, x->date);
	} else if (ty == REPORT_NUMBER) {
		worksheet_write_number(x->ws, row, col, strtod(v, NULL), NULL);
	} else if (ty == REPORT_MONEY) {
		worksheet_write_number(x->ws, row, col, strtod(v, NULL) / 100.0,
				       x->money);
	} else if (ty == REPORT_PERCENT) {
		worksheet_write_number(x->ws, row, col, strtod(v, NULL) / 100.0,
				       x->percent);
	} else if (ty == REPORT_BOOL) {
		worksheet_write_boolean(x->ws, row, col, v[0] == 't', NULL);
	} else if (ty == REPORT_LABEL) {
		worksheet_write_string(x->ws, row, col, code_label(req, v),
				       NULL);
	} else {
		worksheet_write_string(x->ws, row, col, v, NULL);
	}
}

/* Close the workbook and send it (err: what went wrong before). */
static enum ld_err xlsx_finish(struct request *req, struct xlsx *x,
			       enum ld_err err, const char *filename)
{
	if (x->wb && workbook_close(x->wb) != LXW_NO_ERROR)
		err = LD_EIO;
	int fd = err || !x->path ? -1 : open(x->path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (x->path)
		unlink(x->path);
	rmdir(x->dir);
	if (err)
		return err;
	if (fd < 0 || fstat(fd, &st)) {
		if (fd >= 0)
			close(fd);
		return LD_EIO;
	}
	struct MHD_Response *resp =
		MHD_create_response_from_fd((size_t)st.st_size, fd);
	if (!resp) {
		close(fd);
		return LD_EINTERNAL;
	}
	reply_response(req, 200,
		       "application/vnd.openxmlformats-officedocument."
		       "spreadsheetml.sheet",
		       resp);
	reply_header(req, "Content-Disposition",
		     arena_printf(req->arena,
				  "attachment; filename=\"%s.xlsx\"",
				  filename));
	return LD_OK;
}

enum ld_err export_xlsx(struct request *req, const struct table *t,
			const char *filename, const char *sheet)
{
	struct xlsx x;
	enum ld_err err = xlsx_begin(req, &x, sheet);
	if (!err) {
		for (int c = 0; c < t->ncols; c++) {
			worksheet_write_string(x.ws, 0, (lxw_col_t)c,
					       t->names[c], x.bold);
			worksheet_set_column(
				x.ws, (lxw_col_t)c, (lxw_col_t)c,
				t->types[c] == REPORT_TEXT ? 28 : 16, NULL);
		}
		for (int r = 0; r < t->nrows; r++)
			for (int c = 0; c < t->ncols; c++)
				xlsx_cell(req, &x, (lxw_row_t)r + 1,
					  (lxw_col_t)c, t->types[c],
					  t->cell(t->src, r, c));
		if (t->nrows)
			worksheet_autofilter(x.ws, 0, 0, (lxw_row_t)t->nrows,
					     (lxw_col_t)(t->ncols - 1));
	}
	return xlsx_finish(req, &x, err, filename);
}

static const char *rows_cell(void *src, int row, int col)
{
	return report_rows_value(src, row, col);
}

/* GET /api/v1/exports/{name}: case-log.csv, case-log.xlsx, task-log... */
enum ld_err h_export(struct request *req)
{
	jobs_days(req->app, true, NULL); /* the days taken, by core */
	const char *name = req->params[0];
	bool xlsx =
		strlen(name) > 5 && !strcmp(name + strlen(name) - 5, ".xlsx");
	bool csv = strlen(name) > 4 && !strcmp(name + strlen(name) - 4, ".csv");
	bool cases = !strncmp(name, "case-log.", 9);
	bool tasks = !strncmp(name, "task-log.", 9);
	struct report_rows *rows = NULL;
	int64_t area = reports_area(req);
	enum ld_err err;

	if ((!cases && !tasks) || (!xlsx && !csv))
		return request_fail(req, LD_ENOTFOUND, NULL,
				    "exports are case-log and task-log, as "
				    ".csv or .xlsx");
	err = cases ? report_store_case_log(req->app->store, &req->who, area,
					    app_today(req->app), &rows)
		    : report_store_task_log(req->app->store, &req->who, area,
					    app_today(req->app), &rows);
	if (err)
		return err;
	struct table t = {
		report_rows_columns(rows),
		report_rows_count(rows),
		arena_calloc(req->arena, 64, sizeof(char *)),
		arena_calloc(req->arena, 64, sizeof(enum report_type)),
		rows_cell,
		rows};
	for (int c = 0; c < t.ncols && c < 64; c++) {
		t.names[c] =
			arena_strdup(req->arena, report_rows_name(rows, c));
		t.types[c] = report_rows_type(rows, c);
	}
	/* The resident's column only where the role may see it. */
	if (cases && !principal_sees_residents(&req->who))
		t.ncols--;
	const char *file = cases ? "ombudsman-case-log" : "ombudsman-task-log";
	err = xlsx ? export_xlsx(req, &t, file, cases ? "Cases" : "Tasks")
		   : export_csv(req, &t, file);
	report_rows_free(rows);
	return err;
}

/* A drill-down's rows as an export's cells. */
struct rows_src {
	struct request *req;
	json_t *rows;
};

static const char *json_cell(void *src, int row, int col)
{
	static const char *const keys[] = {
		"ombudsman",	"reference", "complaint_reference",
		"service_area", "stage",     "received_on",
		"closed_on"};
	struct rows_src *r = src;
	json_t *o = json_array_get(r->rows, (size_t)row);
	json_t *v = col < 7 ? json_object_get(o, keys[col]) : NULL;
	if (col >= 7) {
		static const char *const facts[] = {"detail", "on_date",
						    "amount_pence", "days"};
		v = json_object_get(json_object_get(o, "fact"), facts[col - 7]);
	}
	if (json_is_object(v))
		v = json_object_get(v, "name");
	if (json_is_integer(v))
		return arena_printf(r->req->arena, "%lld",
				    (long long)json_integer_value(v));
	return json_string_value(v);
}

/* The type a figure of the catalogue has in an export. */
static enum report_type figure_type(const char *kind)
{
	return !strcmp(kind, "money")  ? REPORT_MONEY
	       : !strcmp(kind, "rate") ? REPORT_PERCENT
				       : REPORT_NUMBER;
}

/* A figure's value as text for a cell, NULL for none. */
static const char *figure_value(struct request *req, json_t *figures,
				const char *name)
{
	json_t *v = json_object_get(figures, name);
	if (json_is_integer(v))
		return arena_printf(req->arena, "%lld",
				    (long long)json_integer_value(v));
	if (json_is_number(v))
		return arena_printf(req->arena, "%.1f", json_number_value(v));
	return NULL;
}

/*
 * GET /api/v1/exports/kpi/kpis.csv (or .xlsx)?period=..: the figures
 * themselves, one row a figure, a column each for the period (so far,
 * while it runs), the period before and the same period a year earlier.
 */
static enum ld_err export_figures(struct request *req, bool xlsx)
{
	struct period p;
	char *text = NULL;
	enum ld_err err = request_figures(req, &p, NULL, &text);
	if (err)
		return err;
	json_t *k = json_loads(text, 0, NULL);
	free(text);
	if (!k)
		return LD_EINTERNAL;
	json_t *cat = json_object_get(k, "catalogue");
	json_t *sets[3] = {
		json_object_get(k, "figures"),
		json_object_get(json_object_get(k, "previous"), "figures"),
		json_object_get(json_object_get(k, "year_earlier"), "figures")};
	const char *names[5] = {
		"Section", "Figure",
		arena_printf(req->arena, "%s%s", p.label,
			     period_running(&p, app_today(req->app))
				     ? " (so far)"
				     : ""),
		arena_strdup(
			req->arena,
			json_string_value(json_object_get(
				json_object_get(json_object_get(k, "previous"),
						"period"),
				"label"))),
		arena_strdup(req->arena,
			     json_string_value(json_object_get(
				     json_object_get(
					     json_object_get(k, "year_earlier"),
					     "period"),
				     "label")))};
	const char *file = arena_printf(req->arena, "kpis-%s", p.label);
	size_t n = json_array_size(cat);
	if (!xlsx) {
		struct buf out;
		buf_init(&out, EXPORT_MAX);
		err = buf_addstr(&out, "\xef\xbb\xbf");
		for (int c = 0; c < 5 && !err; c++)
			err = csv_field(&out, names[c], c == 0);
		if (!err)
			err = csv_end(&out);
		for (size_t i = 0; i < n && !err; i++) {
			json_t *f = json_array_get(cat, i);
			const char *name = jstr_or(f, "name");
			enum report_type ty = figure_type(jstr_or(f, "kind"));
			err = csv_field(&out, jstr_or(f, "section"), true);
			if (!err)
				err = csv_field(&out, jstr_or(f, "label"),
						false);
			for (int c = 0; c < 3 && !err; c++)
				err = csv_field(
					&out,
					csv_text(req, ty,
						 figure_value(req, sets[c],
							      name)),
					false);
			if (!err)
				err = csv_end(&out);
		}
		json_decref(k);
		if (err) {
			buf_release(&out);
			return request_fail(req, err, NULL,
					    "the export is too large");
		}
		req->len = out.len;
		req->data = buf_detach(&out);
		req->status = 200;
		req->content_type = "text/csv; charset=utf-8";
		reply_header(req, "Content-Disposition",
			     arena_printf(req->arena,
					  "attachment; filename=\"%s.csv\"",
					  file));
		return LD_OK;
	}
	struct xlsx x;
	err = xlsx_begin(req, &x, "Figures");
	if (!err) {
		for (int c = 0; c < 5; c++) {
			worksheet_write_string(x.ws, 0, (lxw_col_t)c, names[c],
					       x.bold);
			worksheet_set_column(x.ws, (lxw_col_t)c, (lxw_col_t)c,
					     c == 1   ? 60
					     : c == 0 ? 28
						      : 16,
					     NULL);
		}
		for (size_t i = 0; i < n; i++) {
			json_t *f = json_array_get(cat, i);
			const char *name = jstr_or(f, "name");
			enum report_type ty = figure_type(jstr_or(f, "kind"));
			lxw_row_t row = (lxw_row_t)i + 1;
			xlsx_cell(req, &x, row, 0, REPORT_TEXT,
				  jstr_or(f, "section"));
			xlsx_cell(req, &x, row, 1, REPORT_TEXT,
				  jstr_or(f, "label"));
			for (int c = 0; c < 3; c++)
				xlsx_cell(req, &x, row, (lxw_col_t)(c + 2), ty,
					  figure_value(req, sets[c], name));
		}
	}
	json_decref(k);
	return xlsx_finish(req, &x, err, file);
}

/*
 * GET /api/v1/exports/kpi/kpi-cases.csv?period=..&figure=..: a drill-down;
 * kpis.csv: the figures.
 */
enum ld_err h_export_kpi(struct request *req)
{
	static const char *names[] = {"Ombudsman",
				      "Ombudsman reference",
				      "Complaint reference",
				      "Service area",
				      "Stage",
				      "Received",
				      "Closed",
				      "What",
				      "Date",
				      "Amount",
				      "Working days"};
	static enum report_type types[] = {
		REPORT_TEXT,  REPORT_TEXT,  REPORT_TEXT,  REPORT_TEXT,
		REPORT_LABEL, REPORT_DATE,  REPORT_DATE,  REPORT_TEXT,
		REPORT_DATE,  REPORT_MONEY, REPORT_NUMBER};
	const char *name = req->params[0];
	if (!strcmp(name, "kpis.csv") || !strcmp(name, "kpis.xlsx"))
		return export_figures(req, !strcmp(name, "kpis.xlsx"));
	if (strcmp(name, "kpi-cases.xlsx") && strcmp(name, "kpi-cases.csv"))
		return request_fail(req, LD_ENOTFOUND, NULL, "no such export");
	struct period p;
	json_t *cases;
	enum ld_err err = kpi_cases(req, &cases, &p);
	if (err)
		return err;
	struct rows_src src = {req, cases};
	struct table t = {
		11, (int)json_array_size(cases), names, types, json_cell, &src};
	const char *file = arena_printf(req->arena, "kpi-%s-%s", p.label,
					request_query(req, "figure"));
	err = !strcmp(name, "kpi-cases.xlsx")
		      ? export_xlsx(req, &t, file, "Cases")
		      : export_csv(req, &t, file);
	json_decref(cases);
	return err;
}
