/* The leadership pages: KPIs with comparisons, charts, drill-downs, and the
 * annual report. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "arena.h"
#include "date.h"
#include "handlers.h"
#include "page.h"
#include "period.h"
#include "report_store.h"
#include "view.h"

enum figure_kind { COUNT, POUNDS, PERCENT, DECIMAL };

struct figure_def {
	const char *key, *label, *drill, *drill_key;
	enum figure_kind kind;
};

/* The figures of docs/kpis.md, in the order leadership reads them. */
static const struct figure_def figure_defs[] = {
	{"cases_received", "Cases received", "cases_received", NULL, COUNT},
	{"cases_investigated", "Cases investigated (determined)",
	 "cases_investigated", NULL, COUNT},
	{"cases_closed", "Cases closed", "cases_closed", NULL, COUNT},
	{"evidence_requests", "Evidence requests", "evidence_requests", NULL,
	 COUNT},
	{"evidence_on_time", "answered on time (original date)",
	 "evidence_requests", "on_time", COUNT},
	{"evidence_on_time_revised", "answered on time (revised date)",
	 "evidence_requests", "on_time_revised", COUNT},
	{"evidence_days_average", "average working days to answer", NULL, NULL,
	 DECIMAL},
	{"evidence_days_p90", "90th percentile working days", NULL, NULL,
	 DECIMAL},
	{"first_chasers", "1st chasers", "first_chasers", NULL, COUNT},
	{"final_chasers", "Final chasers", "final_chasers", NULL, COUNT},
	{"sanctions", "Failure orders and witness summonses", "sanctions", NULL,
	 COUNT},
	{"determinations", "Determinations", "determinations", NULL, COUNT},
	{"upheld", "upheld (fault or maladministration)", "determinations",
	 "upheld", COUNT},
	{"upheld_rate", "Upheld rate", NULL, NULL, PERCENT},
	{"orders", "Orders", "orders", NULL, COUNT},
	{"recommendations", "Recommendations", "recommendations", NULL, COUNT},
	{"remedies_complied_on_time", "complied on time", NULL, NULL, COUNT},
	{"remedies_complied_late", "complied late", NULL, NULL, COUNT},
	{"remedies_overdue", "overdue now", NULL, NULL, COUNT},
	{"compensation_ordered_pence", "Compensation ordered", NULL, NULL,
	 POUNDS},
	{"compensation_paid_pence", "Compensation paid", NULL, NULL, POUNDS},
	{"open_tasks_at_end", "Tasks open at the period's end",
	 "open_tasks_at_end", NULL, COUNT},
	{"overdue_tasks_at_end", "overdue at the period's end",
	 "open_tasks_at_end", "overdue", COUNT},
};

static json_t *value_text(json_t *v, enum figure_kind kind)
{
	if (!json_is_number(v))
		return json_string("none");
	double d = json_number_value(v);
	switch (kind) {
	case POUNDS: return json_sprintf("£%.2f", d / 100.0);
	case PERCENT: return json_sprintf("%.1f%%", d);
	case DECIMAL: return json_sprintf("%.1f", d);
	default: return json_sprintf("%.0f", d);
	}
}

/* A figures_table section: one row a figure, one column a period. */
static json_t *figures_section(struct request *req, const char *caption,
			       json_t *sets[], const char *labels[], int n,
			       bool drill)
{
	json_t *columns = json_array(), *rows = json_array();
	for (int c = 0; c < n; c++)
		json_array_append_new(columns, json_string(labels[c]));
	for (size_t i = 0; i < sizeof(figure_defs) / sizeof(figure_defs[0]);
	     i++) {
		const struct figure_def *f = &figure_defs[i];
		json_t *values = json_array();
		for (int c = 0; c < n; c++) {
			json_t *cell = json_object();
			json_object_set_new(
				cell, "text",
				value_text(json_object_get(sets[c], f->key),
					   f->kind));
			if (drill && f->drill)
				json_object_set_new(
					cell, "href",
					json_sprintf(
						"/leadership/cases?period=%s"
						"&figure=%s%s%s",
						labels[c], f->drill,
						f->drill_key ? "&key=" : "",
						f->drill_key ? f->drill_key
							     : ""));
			json_array_append_new(values, cell);
		}
		json_array_append_new(rows,
				      json_pack("{s:s, s:o}", "label", f->label,
						"values", values));
	}
	(void)req;
	return json_pack("{s:s, s:s, s:o, s:o}", "caption", caption, "first",
			 "Figure", "columns", columns, "rows", rows);
}

static json_t *load(char *text)
{
	json_t *j = text ? json_loads(text, 0, NULL) : NULL;
	free(text);
	return j;
}

static void period_text(const struct period *p, char *out, size_t len)
{
	char a[DATE_LONG_LEN], b[DATE_LONG_LEN];
	date_format_long(p->from, a);
	date_format_long(p->to, b);
	snprintf(out, len, "%s to %s", a, b);
}

/* A bar chart of one figure over the quarters of a trend. */
static json_t *chart(json_t *trend, const char *title, const char *unit,
		     double (*value)(json_t *figures))
{
	double max = 0;
	size_t i;
	json_t *q, *bars = json_array();
	json_array_foreach(trend, i, q)
	{
		double v = value(json_object_get(q, "figures"));
		max = v > max ? v : max;
	}
	json_array_foreach(trend, i, q)
	{
		double v = value(json_object_get(q, "figures"));
		int h = max > 0 ? (int)lround(v / max * 100) : 0;
		int x = 8 + (int)i * 49;
		const char *label = json_string_value(
			json_object_get(json_object_get(q, "period"), "label"));
		json_array_append_new(
			bars,
			json_pack("{s:i, s:i, s:i, s:i, s:i, s:o, s:s, s:s}",
				  "x", x, "y", 130 - h, "h", h, "tx", x + 18,
				  "ly", 130 - h - 4, "text",
				  fabs(v - lround(v)) < 0.05
					  ? json_sprintf("%ld", lround(v))
					  : json_sprintf("%.1f", v),
				  "label", label, "short", label + 2));
	}
	return json_pack("{s:s, s:s, s:o}", "title", title, "unit", unit,
			 "bars", bars);
}

static double received(json_t *f)
{
	return json_number_value(json_object_get(f, "cases_received"));
}

static double on_time_share(json_t *f)
{
	double answered =
		json_number_value(json_object_get(f, "evidence_answered"));
	return answered > 0 ? 100.0 *
				      json_number_value(json_object_get(
					      f, "evidence_on_time")) /
				      answered
			    : 0;
}

static double upheld_rate(json_t *f)
{
	return json_number_value(json_object_get(f, "upheld_rate"));
}

static double overdue_at_end(json_t *f)
{
	return json_number_value(json_object_get(f, "overdue_tasks_at_end"));
}

/* by_area as a figures_table section. */
static json_t *area_section(json_t *by_area)
{
	json_t *columns =
		json_pack("[s, s, s, s]", "Cases received", "Evidence requests",
			  "Open tasks at end", "Overdue at end");
	json_t *rows = json_array(), *a;
	size_t i;
	json_array_foreach(by_area, i, a)
	{
		json_t *values = json_array();
		const char *keys[] = {"cases_received", "evidence_requests",
				      "open_tasks_at_end",
				      "overdue_tasks_at_end"};
		for (int k = 0; k < 4; k++)
			json_array_append_new(
				values,
				json_pack(
					"{s:o}", "text",
					value_text(json_object_get(a, keys[k]),
						   COUNT)));
		json_array_append_new(rows,
				      json_pack("{s:O, s:o}", "label",
						json_object_get(a, "name"),
						"values", values));
	}
	return json_pack("{s:s, s:s, s:o, s:o}", "caption", "By service area",
			 "first", "Service area", "columns", columns, "rows",
			 rows);
}

enum ld_err h_page_leadership(struct request *req)
{
	struct period p, trend[8];
	char *text = NULL, ptext[120];
	enum ld_err err = reports_period(req, &p);
	if (err)
		return err;
	int32_t today = app_today(req->app);
	int64_t area = reports_area(req);
	err = report_store_kpis(req->app->store, &req->who, &p, today, area,
				NULL, &text);
	json_t *k = err ? NULL : load(text);
	if (!k)
		return err ? err : LD_EINTERNAL;
	/* Eight quarters ending with the period (its last quarter). */
	struct period last;
	period_quarter_of(p.to, &last);
	trend[7] = last;
	for (int i = 6; i >= 0; i--)
		period_previous(&trend[i + 1], &trend[i]);
	err = report_store_trend(req->app->store, &req->who, trend, 8, today,
				 area, &text);
	json_t *tr = err ? NULL : load(text);
	if (!tr) {
		json_decref(k);
		return err ? err : LD_EINTERNAL;
	}
	json_t *sets[] = {
		json_object_get(k, "figures"),
		json_object_get(json_object_get(k, "previous"), "figures"),
		json_object_get(json_object_get(k, "year_earlier"), "figures")};
	const char *labels[] = {
		p.label,
		json_string_value(json_object_get(
			json_object_get(json_object_get(k, "previous"),
					"period"),
			"label")),
		json_string_value(json_object_get(
			json_object_get(json_object_get(k, "year_earlier"),
					"period"),
			"label"))};
	json_t *ctx = page_ctx(req, "Performance", "/leadership");
	struct period year;
	period_year_of(p.from, &year);
	period_text(&p, ptext, sizeof(ptext));
	json_object_set_new(ctx, "period",
			    json_pack("{s:s}", "label", p.label));
	json_object_set_new(ctx, "period_text", json_string(ptext));
	json_object_set_new(ctx, "year_label", json_string(year.label));
	json_object_set_new(
		ctx, "figures",
		figures_section(req, "The figures", sets, labels, 3, true));
	json_object_set_new(
		ctx, "charts",
		json_pack("[o, o, o, o]",
			  chart(tr, "Cases received", "Cases", received),
			  chart(tr, "Evidence answered on time", "Per cent",
				on_time_share),
			  chart(tr, "Upheld rate", "Per cent", upheld_rate),
			  chart(tr, "Tasks overdue at quarter end", "Tasks",
				overdue_at_end)));
	json_object_set_new(ctx, "by_area",
			    area_section(json_object_get(k, "by_area")));
	json_decref(k);
	json_decref(tr);
	return page_render(req, 200, "leadership", ctx);
}

enum ld_err h_page_kpi_cases(struct request *req)
{
	struct period p;
	json_t *cases;
	static const char *const dates[] = {"received_on", "next_due_on", NULL};
	enum ld_err err = kpi_cases_json(req, &cases, &p);
	if (err)
		return err;
	size_t i;
	json_t *c;
	json_array_foreach(cases, i, c)
	{
		view_dates(c, dates);
		json_object_set_new(c, "stage_label",
				    json_string(view_label(json_string_value(
					    json_object_get(c, "stage")))));
		json_object_set_new(c, "stage_tag", json_string(""));
	}
	const char *figure = request_query(req, "figure");
	const char *key = request_query(req, "key");
	json_t *ctx = page_ctx(req, "Cases behind a figure", "/leadership");
	json_object_set_new(ctx, "items", cases);
	json_object_set_new(ctx, "total",
			    json_integer((json_int_t)json_array_size(cases)));
	json_object_set_new(ctx, "title",
			    json_sprintf("Cases behind %s%s%s, %s", figure,
					 key ? ": " : "", key ? key : "",
					 p.label));
	json_object_set_new(ctx, "q", json_string(""));
	json_object_set_new(ctx, "back",
			    json_sprintf("/leadership?period=%s", p.label));
	json_object_set_new(ctx, "hide_search", json_true());
	return page_render(req, 200, "cases", ctx);
}

enum ld_err h_page_annual(struct request *req)
{
	struct period y, q[4];
	char *text = NULL, ptext[120], today[DATE_LONG_LEN];
	const char *year = request_query(req, "year");
	if (year ? period_parse(year, &y) || y.quarter
		 : (period_year_of(app_today(req->app), &y), false))
		return request_fail(req, LD_EINVAL, "year",
				    "year is a financial year like 2026-27");
	int32_t now = app_today(req->app);
	int64_t area = reports_area(req);
	enum ld_err err = report_store_kpis(req->app->store, &req->who, &y, now,
					    area, NULL, &text);
	json_t *k = err ? NULL : load(text);
	if (!k)
		return err ? err : LD_EINTERNAL;
	for (int i = 0; i < 4; i++) {
		char label[16];
		snprintf(label, sizeof(label), "%d-Q%d", y.year, i + 1);
		period_parse(label, &q[i]);
	}
	err = report_store_trend(req->app->store, &req->who, q, 4, now, area,
				 &text);
	json_t *tr = err ? NULL : load(text);
	if (!tr) {
		json_decref(k);
		return err ? err : LD_EINTERNAL;
	}
	json_t *f = json_object_get(k, "figures");
	json_t *prev =
		json_object_get(json_object_get(k, "previous"), "figures");
	json_t *sets[] = {f, prev};
	const char *labels[] = {
		y.label, json_string_value(json_object_get(
				 json_object_get(json_object_get(k, "previous"),
						 "period"),
				 "label"))};
	json_t *qsets[4];
	const char *qlabels[4];
	for (int i = 0; i < 4; i++) {
		qsets[i] = json_object_get(json_array_get(tr, (size_t)i),
					   "figures");
		qlabels[i] = q[i].label;
	}
	json_t *ctx = page_ctx(req, "Annual report", "/leadership");
	period_text(&y, ptext, sizeof(ptext));
	date_format_long(now, today);
	json_object_set_new(ctx, "period",
			    json_pack("{s:s}", "label", y.label));
	json_object_set_new(ctx, "period_text", json_string(ptext));
	json_object_set_new(ctx, "today_long", json_string(today));
	json_object_set_new(
		ctx, "headline",
		json_pack(
			"{s:[{s:o, s:s}, {s:o, s:s}, {s:o, s:s}, {s:o, s:s}]}",
			"items", "value",
			value_text(json_object_get(f, "cases_received"), COUNT),
			"label", "cases received", "value",
			value_text(json_object_get(f, "cases_investigated"),
				   COUNT),
			"label", "cases investigated", "value",
			value_text(json_object_get(f, "upheld_rate"), PERCENT),
			"label", "upheld", "value",
			value_text(json_object_get(
					   f, "compensation_ordered_pence"),
				   POUNDS),
			"label", "compensation ordered"));
	json_object_set_new(ctx, "figures",
			    figures_section(req,
					    "The year, against the year "
					    "before",
					    sets, labels, 2, false));
	json_object_set_new(
		ctx, "quarters",
		figures_section(req, "By quarter", qsets, qlabels, 4, false));
	json_object_set_new(ctx, "by_area",
			    area_section(json_object_get(k, "by_area")));
	json_decref(k);
	json_decref(tr);
	return page_render(req, 200, "annual", ctx);
}
