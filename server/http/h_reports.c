/*
 * Reports: KPIs for a period, the cases behind each figure, and exports of
 * the case log, the task log and any drill-down as CSV or XLSX.  Exports
 * follow the user's access: a service officer's hold only their area, and
 * none holds resident details unless the role allows.
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
#include "period.h"
#include "report_store.h"
#include "workflow.h"

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

static const char *ombudsman_param(struct request *req)
{
	const char *o = request_query(req, "ombudsman");
	return o && *o && strlen(o) <= 16 ? o : NULL;
}

enum ld_err h_kpis(struct request *req)
{
	struct period p;
	char *json = NULL;
	enum ld_err err = reports_period(req, &p);
	if (!err)
		err = report_store_kpis(req->app->store, &req->who, &p,
					app_today(req->app), reports_area(req),
					ombudsman_param(req), &json);
	return reply_result(req, err, json, NULL, 200);
}

/* Figures that have a drill-down, and their keys. */
static bool known_figure(const char *f)
{
	static const char *const figures[] = {"cases_received",
					      "cases_investigated",
					      "cases_closed",
					      "evidence_requests",
					      "first_chasers",
					      "final_chasers",
					      "sanctions",
					      "determinations",
					      "findings",
					      "orders",
					      "recommendations",
					      "open_tasks_at_end",
					      NULL};
	return workflow_lookup(figures, f) >= 0;
}

/* The cases behind a figure, as JSON or rows of an export. */
static enum ld_err kpi_cases(struct request *req, json_t **out,
			     struct period *p)
{
	const char *figure = request_query(req, "figure");
	const char *key = request_query(req, "key");
	char *json = NULL;
	enum ld_err err = reports_period(req, p);
	if (err)
		return err;
	if (!figure || !known_figure(figure))
		return request_fail(req, LD_EINVAL, "figure",
				    "figure must be one of the KPIs, like "
				    "cases_received");
	if (key && strlen(key) > 40)
		return request_fail(req, LD_EINVAL, "key", "key is too long");
	err = report_store_kpi_cases(
		req->app->store, &req->who, p, app_today(req->app), figure, key,
		reports_area(req), ombudsman_param(req), &json);
	if (err)
		return err;
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
			const char *v = t->cell(t->src, r, c);
			if (v && t->types[c] == REPORT_BOOL)
				v = v[0] == 't' ? "yes" : "no";
			err = csv_field(&out, v ? v : "", c == 0);
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

enum ld_err export_xlsx(struct request *req, const struct table *t,
			const char *filename, const char *sheet)
{
	char dir[] = "/tmp/linkdesk-export-XXXXXX";
	if (!mkdtemp(dir))
		return LD_EIO;
	char *path = arena_printf(req->arena, "%s/export.xlsx", dir);
	lxw_workbook_options options = {.constant_memory = LXW_TRUE,
					.tmpdir = dir};
	lxw_workbook *wb = workbook_new_opt(path, &options);
	lxw_worksheet *ws = wb ? workbook_add_worksheet(wb, sheet) : NULL;
	enum ld_err err = ws ? LD_OK : LD_EIO;
	if (!err) {
		lxw_format *bold = workbook_add_format(wb);
		lxw_format *date = workbook_add_format(wb);
		format_set_bold(bold);
		format_set_num_format(date, "d mmmm yyyy");
		worksheet_freeze_panes(ws, 1, 0);
		for (int c = 0; c < t->ncols; c++) {
			worksheet_write_string(ws, 0, (lxw_col_t)c, t->names[c],
					       bold);
			worksheet_set_column(
				ws, (lxw_col_t)c, (lxw_col_t)c,
				t->types[c] == REPORT_TEXT ? 28 : 16, NULL);
		}
		for (int r = 0; r < t->nrows; r++) {
			for (int c = 0; c < t->ncols; c++) {
				const char *v = t->cell(t->src, r, c);
				lxw_row_t row = (lxw_row_t)r + 1;
				lxw_col_t col = (lxw_col_t)c;
				int32_t day;
				if (!v)
					continue;
				if (t->types[c] == REPORT_DATE &&
				    !date_parse(v, &day)) {
					int y, m, d;
					date_to_ymd(day, &y, &m, &d);
					lxw_datetime dt = {y, m, d, 0, 0, 0};
					worksheet_write_datetime(ws, row, col,
								 &dt, date);
				} else if (t->types[c] == REPORT_NUMBER) {
					worksheet_write_number(ws, row, col,
							       strtod(v, NULL),
							       NULL);
				} else if (t->types[c] == REPORT_BOOL) {
					worksheet_write_boolean(ws, row, col,
								v[0] == 't',
								NULL);
				} else {
					worksheet_write_string(ws, row, col, v,
							       NULL);
				}
			}
		}
		if (t->nrows)
			worksheet_autofilter(ws, 0, 0, (lxw_row_t)t->nrows,
					     (lxw_col_t)(t->ncols - 1));
	}
	if (wb && workbook_close(wb) != LXW_NO_ERROR)
		err = LD_EIO;
	int fd = err ? -1 : open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	unlink(path);
	rmdir(dir);
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

static const char *rows_cell(void *src, int row, int col)
{
	return report_rows_value(src, row, col);
}

/* GET /api/v1/exports/{name}: case-log.csv, case-log.xlsx, task-log... */
enum ld_err h_export(struct request *req)
{
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

static const char *json_cell(void *src, int row, int col)
{
	static const char *const keys[] = {
		"ombudsman",	"reference", "complaint_reference",
		"service_area", "stage",     "received_on",
		"closed_on"};
	json_t *o = json_array_get(src, (size_t)row);
	json_t *v = json_object_get(o, keys[col]);
	if (json_is_object(v))
		v = json_object_get(v, "name");
	return json_string_value(v);
}

/* GET /api/v1/exports/kpi-cases.csv?period=..&figure=..: a drill-down. */
enum ld_err h_export_kpi(struct request *req)
{
	static const char *names[] = {
		"ombudsman", "reference",   "complaint", "service_area",
		"stage",     "received_on", "closed_on"};
	static enum report_type types[] = {
		REPORT_TEXT, REPORT_TEXT, REPORT_TEXT, REPORT_TEXT,
		REPORT_TEXT, REPORT_DATE, REPORT_DATE};
	const char *name = req->params[0];
	struct period p;
	json_t *cases;
	enum ld_err err = kpi_cases(req, &cases, &p);
	if (err)
		return err;
	struct table t = {
		7, (int)json_array_size(cases), names, types, json_cell, cases};
	const char *file = arena_printf(req->arena, "kpi-%s-%s", p.label,
					request_query(req, "figure"));
	err = !strcmp(name, "kpi-cases.xlsx")
		      ? export_xlsx(req, &t, file, "Cases")
	      : !strcmp(name, "kpi-cases.csv")
		      ? export_csv(req, &t, file)
		      : request_fail(req, LD_ENOTFOUND, NULL, "no such export");
	json_decref(cases);
	return err;
}
