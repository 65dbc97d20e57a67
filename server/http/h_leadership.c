/* The leadership pages: KPIs with comparisons, charts, drill-downs, and the
 * annual report. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_store.h"
#include "app.h"
#include "arena.h"
#include "date.h"
#include "money.h"
#include "handlers.h"
#include "jobs.h"
#include "page.h"
#include "period.h"
#include "report_store.h"
#include "view.h"

/*
 * The figures are named, labelled and ordered by the catalogue the store
 * returns (kpi_figure, sql/020_kpis.sql): nothing here knows a figure but
 * the few the headline and the charts pick.
 */

/* A figure's value as people read it, from its set of figures. */
static json_t *figure_text(json_t *def, json_t *set)
{
	const char *kind = json_string_value(json_object_get(def, "kind"));
	const char *name = json_string_value(json_object_get(def, "name"));
	json_t *v = json_object_get(set, name);
	if (kind && !strcmp(kind, "rate")) {
		/* "1 of 4, 25.0%": the count beside the share. */
		json_int_t num = json_integer_value(json_object_get(
			set,
			json_string_value(json_object_get(def, "numerator"))));
		json_int_t den = json_integer_value(
			json_object_get(set, json_string_value(json_object_get(
						     def, "denominator"))));
		if (!den)
			return json_string("none");
		return json_sprintf("%lld of %lld, %.1f%%", (long long)num,
				    (long long)den, json_number_value(v));
	}
	if (!json_is_number(v))
		return json_string("none");
	if (kind && !strcmp(kind, "money")) {
		char text[MONEY_STRLEN];
		money_format((long long)json_integer_value(v), text);
		return json_string(text);
	}
	if (kind && !strcmp(kind, "mean"))
		return json_sprintf("%.1f", json_number_value(v));
	return json_sprintf("%lld", (long long)json_integer_value(v));
}

/* The catalogue entry of a figure by name, or NULL. */
static json_t *figure_def(json_t *cat, const char *name)
{
	size_t i;
	json_t *f;
	json_array_foreach(cat, i, f)
	{
		if (!strcmp(json_string_value(json_object_get(f, "name")),
			    name))
			return f;
	}
	return NULL;
}

/*
 * The rate an Ombudsman counting by basis is judged by, as the catalogue
 * says (kpi_catalogue's rate_basis); with basis NULL, the catalogue's
 * first such rate.  NULL when none is.
 */
static json_t *rate_figure(json_t *cat, const char *basis)
{
	size_t i;
	json_t *f;
	json_array_foreach(cat, i, f)
	{
		const char *b =
			json_string_value(json_object_get(f, "rate_basis"));
		if (b && (!basis || !strcmp(b, basis)))
			return f;
	}
	return NULL;
}

/*
 * Where a figure's number leads: the rows behind it (a rate's
 * numerator's), for the period and narrowing of its column (a query
 * string tail like "&ombudsman=HOS", or "").
 */
static json_t *figure_href(json_t *def, const char *period, const char *narrow)
{
	const char *kind = json_string_value(json_object_get(def, "kind"));
	const char *name = json_string_value(json_object_get(
		def, !strcmp(kind, "rate") ? "numerator" : "name"));
	return json_sprintf("/leadership/cases?period=%s&figure=%s%s", period,
			    name, narrow);
}

/*
 * A figures_table section: one row a figure, under its section's heading;
 * one column a set of figures, each with its period and narrowing for
 * the links.
 */
static json_t *figures_section(const char *caption, json_t *cat, json_t *sets[],
			       const char *labels[], const char *periods[],
			       const char *narrow[], int n)
{
	json_t *columns = json_array(), *rows = json_array(), *def;
	const char *section = "";
	size_t i;
	for (int c = 0; c < n; c++)
		json_array_append_new(columns, json_string(labels[c]));
	json_array_foreach(cat, i, def)
	{
		const char *sec =
			json_string_value(json_object_get(def, "section"));
		if (sec && strcmp(sec, section)) {
			section = sec;
			json_array_append_new(rows,
					      json_pack("{s:s, s:i}", "section",
							sec, "span", n + 1));
		}
		json_t *values = json_array();
		for (int c = 0; c < n; c++)
			json_array_append_new(
				values,
				json_pack("{s:o, s:o}", "text",
					  figure_text(def, sets[c]), "href",
					  figure_href(def, periods[c],
						      narrow[c])));
		json_array_append_new(rows,
				      json_pack("{s:O, s:o}", "label",
						json_object_get(def, "label"),
						"values", values));
	}
	return json_pack("{s:s, s:s, s:o, s:o}", "caption", caption, "first",
			 "Figure", "columns", columns, "rows", rows);
}

/* Each Ombudsman's figures side by side, each linking to its own rows. */
static json_t *ombudsman_section(struct request *req, json_t *k,
				 const char *period)
{
	json_t *by = json_object_get(k, "by_ombudsman"), *o;
	size_t n = json_array_size(by), i;
	json_t **sets = arena_calloc(req->arena, n + 1, sizeof(json_t *));
	const char **labels = arena_calloc(req->arena, n + 1, sizeof(char *));
	const char **periods = arena_calloc(req->arena, n + 1, sizeof(char *));
	const char **narrow = arena_calloc(req->arena, n + 1, sizeof(char *));
	json_array_foreach(by, i, o)
	{
		sets[i] = json_object_get(o, "figures");
		labels[i] = arena_strdup(
			req->arena,
			json_string_value(json_object_get(o, "name")));
		periods[i] = period;
		narrow[i] = arena_printf(
			req->arena, "&ombudsman=%s",
			json_string_value(json_object_get(o, "ombudsman")));
	}
	return figures_section("Each Ombudsman's own measures",
			       json_object_get(k, "catalogue"), sets, labels,
			       periods, narrow, (int)n);
}

/* A bar chart of one figure over the quarters of a trend. */
/* A bar chart of one figure (by its name) over the trend's periods. */
static json_t *chart(json_t *trend, const char *title, const char *unit,
		     const char *figure)
{
	double max = 0;
	size_t i;
	json_t *q, *bars = json_array();
	json_array_foreach(trend, i, q)
	{
		double v = json_number_value(
			json_object_get(json_object_get(q, "figures"), figure));
		max = v > max ? v : max;
	}
	json_array_foreach(trend, i, q)
	{
		double v = json_number_value(
			json_object_get(json_object_get(q, "figures"), figure));
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

/*
 * The service areas as rows, a few headline figures as columns, each
 * number leading to its rows; the area's name to every figure for it.
 */
static json_t *area_section(struct request *req, json_t *k, const char *period)
{
	static const char *const keys[] = {
		"cases_received", "evidence_on_time_rate",
		"orders_on_time_rate", "open_tasks_at_end",
		"overdue_tasks_at_end"};
	json_t *cat = json_object_get(k, "catalogue");
	json_t *columns = json_array(), *rows = json_array(), *a;
	const char *omb = reports_ombudsman(req);
	const char *also =
		omb ? arena_printf(req->arena, "&ombudsman=%s", omb) : "";
	size_t i;
	for (size_t c = 0; c < sizeof(keys) / sizeof(keys[0]); c++)
		json_array_append(
			columns,
			json_object_get(figure_def(cat, keys[c]), "label"));
	json_array_foreach(json_object_get(k, "by_area"), i, a)
	{
		json_t *values = json_array();
		json_int_t id = json_integer_value(json_object_get(a, "id"));
		const char *narrow =
			arena_printf(req->arena, "%s&service_area_id=%lld",
				     also, (long long)id);
		for (size_t c = 0; c < sizeof(keys) / sizeof(keys[0]); c++) {
			json_t *def = figure_def(cat, keys[c]);
			json_array_append_new(
				values,
				json_pack(
					"{s:o, s:o}", "text",
					figure_text(def, json_object_get(
								 a, "figures")),
					"href",
					figure_href(def, period, narrow)));
		}
		json_array_append_new(
			rows,
			json_pack("{s:O, s:o, s:o}", "label",
				  json_object_get(a, "name"), "label_href",
				  json_sprintf("/leadership?period=%s%s",
					       period, narrow),
				  "values", values));
	}
	return json_pack("{s:s, s:s, s:o, s:o}", "caption", "By service area",
			 "first", "Service area", "columns", columns, "rows",
			 rows);
}

/* The label of a set's period, from the KPIs' JSON. */
static const char *set_label(json_t *k, const char *set)
{
	return json_string_value(json_object_get(
		json_object_get(json_object_get(k, set), "period"), "label"));
}

/*
 * The reader's narrowing (?ombudsman=, ?service_area_id=) as a query
 * string to append ("" for none), by the API's own rules for both.
 */
static const char *narrowing(struct request *req)
{
	const char *omb = reports_ombudsman(req);
	int64_t area = reports_area(req);
	return arena_printf(
		req->arena, "%s%s%s", omb ? "&ombudsman=" : "", omb ? omb : "",
		area > 0 ? arena_printf(req->arena, "&service_area_id=%lld",
					(long long)area)
			 : "");
}

/*
 * The filter's choices: every Ombudsman and, for a reader of every area,
 * every service area, the chosen ones selected.
 */
static void filter_choices(struct request *req, json_t *ctx)
{
	const char *omb = reports_ombudsman(req);
	int64_t area = reports_area(req);
	char *text = NULL;
	json_t *list = request_own(req,
				   admin_store_ombudsmen(req->app->store, &text)
					   ? NULL
					   : page_parsed(text)),
	       *o, *choices = json_array();
	size_t i;
	json_array_foreach(list, i, o)
	{
		const char *code =
			json_string_value(json_object_get(o, "code"));
		json_array_append_new(
			choices,
			json_pack("{s:s, s:O, s:b}", "value", code, "text",
				  json_object_get(o, "name"), "selected",
				  omb && code && !strcmp(code, omb)));
	}
	json_object_set_new(ctx, "ombudsmen", choices);
	json_object_set_new(ctx, "narrowing", json_string(narrowing(req)));
	/* The logs are of every case: only an area narrows them. */
	if (area > 0)
		json_object_set_new(
			ctx, "area_query",
			json_sprintf("?service_area_id=%lld", (long long)area));
	if (!principal_sees_all_areas(&req->who))
		return;
	text = NULL;
	list = request_own(req, admin_store_areas(req->app->store, &text)
					? NULL
					: page_parsed(text));
	choices = json_array();
	json_array_foreach(list, i, o)
	{
		json_int_t id = json_integer_value(json_object_get(o, "id"));
		json_array_append_new(
			choices, json_pack("{s:I, s:O, s:b}", "value", id,
					   "text", json_object_get(o, "name"),
					   "selected", id == area));
	}
	json_object_set_new(ctx, "has_areas",
			    json_boolean(json_array_size(choices)));
	json_object_set_new(ctx, "areas", choices);
}

enum ld_err h_page_leadership(struct request *req)
{
	jobs_days(req->app, true, NULL); /* the days taken, by core */
	struct period p, trend[8];
	char *text = NULL, ptext[PERIOD_TEXT_LEN];
	enum ld_err err = reports_period(req, &p);
	if (err)
		return err;
	int32_t today = app_today(req->app);
	int64_t area = reports_area(req);
	const char *omb = reports_ombudsman(req);
	err = report_store_kpis(req->app->store, &req->who, &p, today, area,
				omb, NULL, &text);
	json_t *k = err ? NULL : request_own(req, page_parsed(text));
	if (!k)
		return err ? err : LD_EINTERNAL;
	/* Eight quarters ending with the period (its last quarter). */
	struct period last;
	period_quarter_of(p.to, &last);
	trend[7] = last;
	for (int i = 6; i >= 0; i--)
		period_previous(&trend[i + 1], &trend[i]);
	err = report_store_trend(req->app->store, &req->who, trend, 8, today,
				 area, omb, &text);
	json_t *tr = err ? NULL : request_own(req, page_parsed(text));
	if (!tr)
		return err ? err : LD_EINTERNAL;
	json_t *sets[] = {
		json_object_get(k, "figures"),
		json_object_get(json_object_get(k, "previous"), "figures"),
		json_object_get(json_object_get(k, "year_earlier"), "figures")};
	const char *labels[] = {
		period_running(&p, today)
			? arena_printf(req->arena, "%s so far", p.label)
			: p.label,
		set_label(k, "previous"), set_label(k, "year_earlier")};
	const char *periods[] = {p.label, labels[1], labels[2]};
	const char *narrow = narrowing(req);
	const char *narrows[] = {narrow, narrow, narrow};
	json_t *ctx = page_ctx(req, "Performance", "/leadership");
	struct period year;
	period_year_of(p.from, &year);
	period_text(&p, today, ptext);
	json_object_set_new(ctx, "period",
			    json_pack("{s:s}", "label", p.label));
	json_object_set_new(ctx, "period_text", json_string(ptext));
	json_object_set_new(ctx, "year_label", json_string(year.label));
	json_object_set_new(ctx, "figures",
			    figures_section("The figures",
					    json_object_get(k, "catalogue"),
					    sets, labels, periods, narrows, 3));
	if (!omb)
		json_object_set_new(ctx, "by_ombudsman",
				    ombudsman_section(req, k, p.label));
	filter_choices(req, ctx);
	/* The charts are of the same narrowing; the rate is the one the
	 * chosen Ombudsman counts (by decisions or by findings), the
	 * catalogue's first (the Housing Ombudsman's) when none is chosen. */
	const char *basis =
		omb ? json_string_value(json_object_get(
			      json_array_get(json_object_get(k, "by_ombudsman"),
					     0),
			      "rate_basis"))
		    : NULL;
	/* An Ombudsman chosen that counts no rate (none of its cases yet):
	 * no rate chart, not the first. */
	json_t *rate =
		omb && !basis
			? NULL
			: rate_figure(json_object_get(k, "catalogue"), basis);
	json_t *charts = json_pack(
		"[o, o]",
		chart(tr, "Cases received", "Cases", "cases_received"),
		chart(tr, "Evidence on time", "Per cent",
		      "evidence_on_time_rate"));
	/* No chart rather than another Ombudsman's rate. */
	if (rate)
		json_array_append_new(
			charts,
			chart(tr,
			      json_string_value(json_object_get(rate, "label")),
			      "Per cent",
			      json_string_value(
				      json_object_get(rate, "name"))));
	json_array_append_new(charts,
			      chart(tr, "Tasks overdue at the quarter's end",
				    "Tasks", "overdue_tasks_at_end"));
	json_object_set_new(ctx, "charts", charts);
	if (area <= 0)
		json_object_set_new(ctx, "by_area",
				    area_section(req, k, p.label));
	forecast_page_leadership(req, ctx, p.from, p.to);
	return page_render(req, 200, "leadership", ctx);
}

/*
 * The rows behind a figure: one a row of the figure (a request, a
 * finding, an order), each naming its case.
 */
enum ld_err h_page_kpi_cases(struct request *req)
{
	struct period p;
	json_t *cases;
	char *text = NULL;
	enum ld_err err = kpi_cases_json(req, &cases, &p);
	if (err)
		return err;
	request_own(req, cases);
	err = report_store_catalogue(req->app->store, &text);
	json_t *cat = err ? NULL : request_own(req, page_parsed(text));
	if (!cat)
		return err ? err : LD_EINTERNAL;
	const char *figure = request_query(req, "figure");
	json_t *def = figure_def(cat, figure);
	const char *label =
		def ? json_string_value(json_object_get(def, "label")) : figure;
	json_t *rows = json_array(), *c;
	size_t i;
	json_array_foreach(cases, i, c)
	{
		json_t *fact = json_object_get(c, "fact");
		json_t *amount = json_object_get(fact, "amount_pence");
		char money[MONEY_STRLEN] = "";
		char day[DATE_LONG_LEN] = "";
		int32_t d;
		const char *on =
			json_string_value(json_object_get(fact, "on_date"));
		if (json_is_integer(amount))
			money_format((long long)json_integer_value(amount),
				     money);
		if (on && !date_parse(on, &d))
			date_format_long(d, day);
		const char *detail =
			json_string_value(json_object_get(fact, "detail"));
		json_array_append_new(
			rows,
			json_pack(
				"{s:O, s:o, s:[{s:O}, {s:O}, {s:O}, {s:s}, "
				"{s:s}, {s:s}]}",
				"label", json_object_get(c, "reference"),
				"label_href",
				json_sprintf("/cases/%lld",
					     (long long)json_integer_value(
						     json_object_get(c, "id"))),
				"values", "text",
				json_object_get(c, "ombudsman"), "text",
				json_object_get(
					json_object_get(c, "service_area"),
					"name"),
				"text",
				json_object_get(c, "complaint_reference"),
				"text", detail ? detail : "", "text", day,
				"text", money));
	}
	json_t *table = json_pack(
		"{s:s, s:s, s:[s, s, s, s, s, s], s:o}", "caption",
		json_array_size(cases) == 1 ? "1 row" : "Rows", "first", "Case",
		"columns", "Ombudsman", "Service area", "Complaint", "What",
		"Date", "Amount", "rows", rows);
	if (json_array_size(cases) != 1)
		json_object_set_new(
			table, "caption",
			json_sprintf("%zu rows", json_array_size(cases)));
	json_t *ctx = page_ctx(req, "Cases behind a figure", "/leadership");
	json_object_set_new(ctx, "drill", table);
	json_object_set_new(
		ctx, "title",
		json_sprintf("Cases behind %s, %s", label, p.label));
	json_object_set_new(ctx, "period",
			    json_pack("{s:s}", "label", p.label));
	json_object_set_new(ctx, "narrowing", json_string(narrowing(req)));
	/* The same rows as a spreadsheet: the same period and narrowing. */
	json_object_set_new(
		ctx, "export",
		json_sprintf("/api/v1/exports/kpi/kpi-cases.xlsx?period=%s&"
			     "figure=%s%s",
			     p.label, figure, narrowing(req)));
	return page_render(req, 200, "leadership", ctx);
}

enum ld_err h_page_annual(struct request *req)
{
	jobs_days(req->app, true, NULL); /* the days taken, by core */
	struct period y, years[5];
	char *text = NULL, ptext[PERIOD_TEXT_LEN], today[DATE_LONG_LEN];
	const char *year = request_query(req, "year");
	if (year ? period_parse(year, &y) || y.quarter
		 : (period_year_of(app_today(req->app), &y), false))
		return request_fail(req, LD_EINVAL, "year",
				    "year is a financial year like 2026-27");
	int32_t now = app_today(req->app);
	int64_t area = reports_area(req);
	enum ld_err err = report_store_kpis(req->app->store, &req->who, &y, now,
					    area, NULL, NULL, &text);
	json_t *k = err ? NULL : request_own(req, page_parsed(text));
	if (!k)
		return err ? err : LD_EINTERNAL;
	years[4] = y;
	for (int i = 3; i >= 0; i--)
		period_previous(&years[i + 1], &years[i]);
	/* The last two years' figures are the KPIs' own (the year and the
	 * previous one): only the three before are read again. */
	err = report_store_trend(req->app->store, &req->who, years, 3, now,
				 area, NULL, &text);
	json_t *tr = err ? NULL : request_own(req, page_parsed(text));
	json_t *open = NULL;
	if (!err) {
		err = report_store_kpi_rows(req->app->store, &req->who, &y, now,
					    "remedies_open", area, NULL, &text);
		open = err ? NULL : request_own(req, page_parsed(text));
	}
	if (!tr || !open)
		return err ? err : LD_EINTERNAL;
	json_t *cat = json_object_get(k, "catalogue");
	json_t *f = json_object_get(k, "figures");
	const char *narrow =
		area > 0 ? arena_printf(req->arena, "&service_area_id=%lld",
					(long long)area)
			 : "";
	json_t *sets[] = {
		f, json_object_get(json_object_get(k, "previous"), "figures")};
	const char *labels[] = {
		period_running(&y, now)
			? arena_printf(req->arena, "%s so far", y.label)
			: y.label,
		set_label(k, "previous")};
	const char *periods[] = {y.label, labels[1]};
	const char *narrows[] = {narrow, narrow, narrow, narrow, narrow};
	json_t *ysets[5];
	const char *ylabels[5], *yperiods[5];
	for (int i = 0; i < 5; i++) {
		ysets[i] =
			i == 4 ? f
			: i == 3
				? sets[1]
				: json_object_get(json_array_get(tr, (size_t)i),
						  "figures");
		ylabels[i] = yperiods[i] =
			arena_strdup(req->arena, years[i].label);
	}
	json_t *headline = json_array();
	static const char *const heads[] = {
		"cases_received", "cases_investigated", "evidence_on_time_rate",
		"orders_on_time_rate", "compensation_ordered_pence"};
	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		json_t *def = figure_def(cat, heads[i]);
		json_array_append_new(
			headline,
			json_pack("{s:o, s:O, s:o}", "value",
				  figure_text(def, f), "label",
				  json_object_get(def, "label"), "href",
				  figure_href(def, y.label, narrow)));
	}
	/* The orders and recommendations still open, each with its case. */
	json_t *rows = json_array(), *c;
	size_t i;
	json_array_foreach(open, i, c)
	{
		json_t *fact = json_object_get(c, "fact");
		char day[DATE_LONG_LEN] = "";
		int32_t d;
		const char *on =
			json_string_value(json_object_get(fact, "on_date"));
		if (on && !date_parse(on, &d))
			date_format_long(d, day);
		json_array_append_new(
			rows,
			json_pack(
				"{s:O, s:o, s:[{s:O}, {s:O}, {s:s}]}", "label",
				json_object_get(c, "reference"), "label_href",
				json_sprintf("/cases/%lld",
					     (long long)json_integer_value(
						     json_object_get(c, "id"))),
				"values", "text",
				json_object_get(c, "ombudsman"), "text",
				json_object_get(fact, "detail"), "text", day));
	}
	json_t *ctx = page_ctx(req, "Annual report", "/leadership");
	period_text(&y, now, ptext);
	date_format_long(now, today);
	json_object_set_new(ctx, "period",
			    json_pack("{s:s}", "label", y.label));
	json_object_set_new(ctx, "period_text", json_string(ptext));
	json_object_set_new(ctx, "today_long", json_string(today));
	json_object_set_new(ctx, "headline",
			    json_pack("{s:o}", "items", headline));
	json_object_set_new(ctx, "figures",
			    figures_section("The year, against the year before",
					    cat, sets, labels, periods, narrows,
					    2));
	json_object_set_new(ctx, "years",
			    figures_section("Five years", cat, ysets, ylabels,
					    yperiods, narrows, 5));
	json_object_set_new(ctx, "by_ombudsman",
			    ombudsman_section(req, k, y.label));
	json_object_set_new(
		ctx, "open_remedies",
		json_pack("{s:o, s:s, s:[s, s, s], s:o}", "caption",
			  json_sprintf("Orders and recommendations still "
				       "open: %zu",
				       json_array_size(open)),
			  "first", "Case", "columns", "Ombudsman", "What",
			  "Due", "rows", rows));
	if (area <= 0)
		json_object_set_new(ctx, "by_area",
				    area_section(req, k, y.label));
	return page_render(req, 200, "annual", ctx);
}
