/*
 * Forecasts of late answers and sanction risk (include/forecast.h).
 */
#include "forecast.h"

#include <stdlib.h>
#include <string.h>

#include "kinds.h"
#include "xalloc.h"

const struct forecast_kind forecast_kinds[] = {
	{"information request", "information requests"},
	{"corrective action", "corrective actions"},
	{"order", "orders"},
	{"recommendation", "recommendations"},
	{"chaser response", "chaser responses"},
};
const size_t forecast_kinds_count =
	sizeof(forecast_kinds) / sizeof(forecast_kinds[0]);

int forecast_kind(const char *name)
{
	int i = kind_index(task_kinds, sizeof(task_kinds[0]), name);
	return i >= 0 && (size_t)i < forecast_kinds_count ? i : -1;
}

/*
 * The Ombudsmen's rules.  The Housing Ombudsman issues a complaint handling
 * failure order to a landlord that ignores a final chaser, and to one that
 * asked for an extension and then gave no update by the agreed date; the
 * LGSCO may summon a witness when an enquiry stays unanswered after its
 * chasers (DOMAIN.md, "The two Ombudsmen"; section 5 of the guidance).
 */
const struct sanction_rule forecast_sanction_rules[] = {
	{"hos_final_chaser", "HOS", SANCTION_FINAL_CHASER_UNANSWERED, 5,
	 "A final chaser has been received and the request is still "
	 "unanswered: the Housing Ombudsman may issue a complaint handling "
	 "failure order."},
	{"hos_extension_no_update", "HOS", SANCTION_EXTENSION_NO_UPDATE, 3,
	 "An extension was agreed and no update has been sent since: the "
	 "Housing Ombudsman issues a complaint handling failure order when "
	 "there is no update by the agreed date."},
	{"lgsco_final_chaser", "LGSCO", SANCTION_FINAL_CHASER_UNANSWERED, 5,
	 "A final chaser has been received and the enquiry is still "
	 "unanswered: the LGSCO may issue a witness summons."},
	{"lgsco_past_due_after_chaser", "LGSCO", SANCTION_PAST_DUE_AFTER_CHASER,
	 0,
	 "The enquiry is past its response date after a chaser: the LGSCO "
	 "may issue a witness summons."},
};
const size_t forecast_sanction_rules_count =
	sizeof(forecast_sanction_rules) / sizeof(forecast_sanction_rules[0]);

struct forecast_group {
	int64_t area;
	int kind;
	struct survival sv;
	int nrecent;
	int recent[FORECAST_RECENT]; /* past due by, the oldest answer first */
	/* Outcomes known as of the model's day: for the naive baseline. */
	int outcomes, late;
};

struct obs {
	int days;
	bool answered;
};

static int obs_cmp(const void *a, const void *b)
{
	const struct obs *x = a, *y = b;
	if (x->days != y->days)
		return x->days < y->days ? -1 : 1;
	/* Answers before censorings at the same time, as Kaplan-Meier has. */
	return (int)y->answered - (int)x->answered;
}

void forecast_survival_build(struct survival *sv, const int *days,
			     const bool *answered, size_t n)
{
	struct obs *o = xcalloc(n ? n : 1, sizeof(*o));
	size_t m = n;
	memset(sv, 0, sizeof(*sv));
	for (size_t i = 0; i < n; i++) {
		o[i].days = days[i];
		o[i].answered = answered[i];
		sv->answered += answered[i];
	}
	sv->tasks = (int)m;
	qsort(o, m, sizeof(*o), obs_cmp);
	sv->t = xcalloc(m ? m : 1, sizeof(*sv->t));
	sv->s = xcalloc(m ? m : 1, sizeof(*sv->s));
	sv->times = xcalloc(m ? m : 1, sizeof(*sv->times));
	for (size_t i = 0; i < m; i++)
		sv->times[i] = o[i].days;
	double s = 1.0;
	size_t at_risk = m;
	for (size_t i = 0; i < m;) {
		size_t j = i, d = 0;
		while (j < m && o[j].days == o[i].days)
			d += o[j++].answered;
		if (d) {
			s *= 1.0 - (double)d / (double)at_risk;
			sv->t[sv->n] = o[i].days;
			sv->s[sv->n] = s;
			sv->n++;
		}
		at_risk -= j - i;
		i = j;
	}
	free(o);
}

void forecast_survival_release(struct survival *sv)
{
	free(sv->t);
	free(sv->s);
	free(sv->times);
	memset(sv, 0, sizeof(*sv));
}

double forecast_survival_at(const struct survival *sv, int t)
{
	size_t lo = 0, hi = sv->n;
	/* The last answer time at or before t. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (sv->t[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? sv->s[lo - 1] : 1.0;
}

int forecast_survival_beyond(const struct survival *sv, int t)
{
	size_t lo = 0, hi = (size_t)sv->tasks;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (sv->times[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return sv->tasks - (int)lo;
}

enum ld_err forecast_ord(const struct workcal *cal, int32_t day, int32_t *out)
{
	int n = 0;
	enum ld_err err = workcal_between(cal, cal->first, day, &n);
	*out = n;
	return err;
}

/* A task as the model sees it on its day. */
struct rec {
	int64_t area;
	int kind;
	int days; /* past due by, at the answer or censored */
	bool answered;
	int32_t answered_on;
	bool outcome, late; /* outcome known as of the day, and late */
};

static int rec_area_cmp(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;
	if (x->area != y->area)
		return x->area < y->area ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return (x->answered_on > y->answered_on) -
	       (x->answered_on < y->answered_on);
}

static int rec_kind_cmp(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return (x->answered_on > y->answered_on) -
	       (x->answered_on < y->answered_on);
}

/* One group's curve, recent answers and outcomes from recs[0..n). */
static void group_fill(struct forecast_group *g, const struct rec *r, size_t n)
{
	int *days = xcalloc(n ? n : 1, sizeof(*days));
	bool *ans = xcalloc(n ? n : 1, sizeof(*ans));
	for (size_t i = 0; i < n; i++) {
		days[i] = r[i].days;
		ans[i] = r[i].answered;
		g->outcomes += r[i].outcome;
		g->late += r[i].outcome && r[i].late;
	}
	forecast_survival_build(&g->sv, days, ans, n);
	/* Sorted by answer date, unanswered (0) first: the last are newest. */
	int answered = 0, j = 0;
	for (size_t i = 0; i < n; i++)
		answered += r[i].answered;
	g->nrecent = answered < FORECAST_RECENT ? answered : FORECAST_RECENT;
	int skip = answered - g->nrecent;
	for (size_t i = 0; i < n; i++) {
		if (!r[i].answered)
			continue;
		if (skip > 0)
			skip--;
		else
			g->recent[j++] = r[i].days;
	}
	free(days);
	free(ans);
}

/* forecast_model_build() with r, room for n records, as its scratch: a
 * backtest builds a model a day over the same tasks and reuses one. */
static enum ld_err model_build(struct forecast_model *m,
			       const struct workcal *cal,
			       const struct forecast_task *tasks, size_t n,
			       int32_t asof, int window_days, struct rec *r)
{
	int32_t ord_prev;
	memset(m, 0, sizeof(*m));
	m->asof = asof;
	m->kinds = xcalloc(forecast_kinds_count, sizeof(*m->kinds));
	for (size_t k = 0; k < forecast_kinds_count; k++)
		m->kinds[k].kind = (int)k;
	if (forecast_ord(cal, asof - 1, &ord_prev))
		return LD_ERANGE;
	size_t nr = 0;
	for (size_t i = 0; i < n; i++) {
		const struct forecast_task *t = &tasks[i];
		int32_t os, od, oa;
		if (t->kind < 0 || (size_t)t->kind >= forecast_kinds_count ||
		    t->set_on >= asof ||
		    (window_days > 0 && t->set_on < asof - window_days) ||
		    forecast_ord(cal, t->set_on, &os) ||
		    forecast_ord(cal, t->due_on, &od))
			continue;
		struct rec *x = &r[nr];
		x->area = t->area;
		x->kind = t->kind;
		x->answered = t->answered_on && t->answered_on < asof;
		/* Working days past its own due date (negative: to spare). */
		if (x->answered) {
			if (forecast_ord(cal, t->answered_on, &oa))
				continue;
			x->days = (oa > os ? oa : os) - od;
			x->answered_on = t->answered_on;
			x->outcome = true;
			x->late = x->days > 0;
		} else {
			x->days = ord_prev - od;
			/* r is reused: nothing of another task's */
			x->answered_on = 0;
			x->outcome = x->late = x->days >= 0;
		}
		nr++;
	}
	qsort(r, nr, sizeof(*r), rec_area_cmp);
	m->groups = xcalloc(nr ? nr : 1, sizeof(*m->groups));
	for (size_t i = 0; i < nr;) {
		size_t j = i;
		while (j < nr && r[j].area == r[i].area &&
		       r[j].kind == r[i].kind)
			j++;
		struct forecast_group *g = &m->groups[m->n++];
		g->area = r[i].area;
		g->kind = r[i].kind;
		group_fill(g, r + i, j - i);
		i = j;
	}
	qsort(r, nr, sizeof(*r), rec_kind_cmp);
	for (size_t i = 0; i < nr;) {
		size_t j = i;
		while (j < nr && r[j].kind == r[i].kind)
			j++;
		group_fill(&m->kinds[r[i].kind], r + i, j - i);
		i = j;
	}
	return LD_OK;
}

enum ld_err forecast_model_build(struct forecast_model *m,
				 const struct workcal *cal,
				 const struct forecast_task *tasks, size_t n,
				 int32_t asof, int window_days)
{
	struct rec *r = xcalloc(n ? n : 1, sizeof(*r));
	enum ld_err err = model_build(m, cal, tasks, n, asof, window_days, r);
	free(r);
	return err;
}

void forecast_model_release(struct forecast_model *m)
{
	for (size_t i = 0; i < m->n; i++)
		forecast_survival_release(&m->groups[i].sv);
	for (size_t k = 0; m->kinds && k < forecast_kinds_count; k++)
		forecast_survival_release(&m->kinds[k].sv);
	free(m->groups);
	free(m->kinds);
	memset(m, 0, sizeof(*m));
}

static const struct forecast_group *group_find(const struct forecast_model *m,
					       int64_t area, int kind)
{
	size_t lo = 0, hi = m->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct forecast_group *g = &m->groups[mid];
		if (g->area == area && g->kind == kind)
			return g;
		if (g->area < area || (g->area == area && g->kind < kind))
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The group a task's forecast rests on: its area's, or the kind's. */
static const struct forecast_group *group_for(const struct forecast_model *m,
					      int64_t area, int kind,
					      int *area_tasks, bool *fallback)
{
	const struct forecast_group *g = group_find(m, area, kind);
	*area_tasks = g ? g->sv.tasks : 0;
	*fallback = *area_tasks < FORECAST_MIN_TASKS;
	return *fallback ? &m->kinds[kind] : g;
}

/*
 * The group for a task already past due by `late` (negative: days to
 * spare): as group_for(), and the kind's too when none of the area's tasks
 * was still open that late, beyond which its curve knows nothing.
 */
static const struct forecast_group *group_at(const struct forecast_model *m,
					     int64_t area, int kind, int late,
					     struct forecast *out)
{
	const struct forecast_group *g =
		group_for(m, area, kind, &out->area_tasks, &out->fallback);
	if (!out->fallback && forecast_survival_beyond(&g->sv, late) == 0) {
		out->fallback = out->longest = true;
		g = &m->kinds[kind];
	}
	return g;
}

enum ld_err forecast_task(const struct forecast_model *m,
			  const struct workcal *cal,
			  const struct forecast_task *t, int32_t today,
			  struct forecast *out)
{
	int32_t os, od, ot, oprev;
	memset(out, 0, sizeof(*out));
	if (t->kind < 0 || (size_t)t->kind >= forecast_kinds_count)
		return LD_EINVAL;
	if (forecast_ord(cal, t->set_on, &os) ||
	    forecast_ord(cal, t->due_on, &od) ||
	    forecast_ord(cal, today, &ot) ||
	    forecast_ord(cal, today - 1, &oprev))
		return LD_ERANGE;
	out->elapsed = ot - os > 0 ? ot - os : 0;
	out->due_days = od - os;
	/* Unanswered by yesterday, if set before today: T - due > c. */
	int c = (t->set_on < today ? oprev : os - 1) - od;
	const struct forecast_group *g = group_at(m, t->area, t->kind, c, out);
	out->history = g->sv.tasks;
	out->recent = g->nrecent;
	for (int i = 0; i < g->nrecent; i++)
		out->recent_in_time += g->recent[i] <= 0;
	if (c >= 0) {
		out->overdue = out->known = true;
		out->p_late = 1.0;
		return LD_OK;
	}
	if (!g->sv.tasks)
		return LD_OK;
	out->known = true;
	double den = forecast_survival_at(&g->sv, c);
	/* Slower already than every task the organisation has on record:
	 * nothing says it will now be quick. */
	out->p_late = den <= 0.0 || forecast_survival_beyond(&g->sv, c) == 0
			      ? 1.0
			      : forecast_survival_at(&g->sv, 0) / den;
	if (out->p_late > 1.0)
		out->p_late = 1.0;
	if (out->p_late < 0.0)
		out->p_late = 0.0;
	return LD_OK;
}

int forecast_percent(double p)
{
	int v = (int)(p * 100.0 + 0.5);
	return v < 0 ? 0 : v > 100 ? 100 : v;
}

static const char *days_word(int n)
{
	return n == 1 ? "working day" : "working days";
}

enum ld_err forecast_reason(const struct forecast *f, const char *area_name,
			    int kind, struct buf *out)
{
	if (kind < 0 || (size_t)kind >= forecast_kinds_count)
		return LD_EINVAL;
	const struct forecast_kind *k = &forecast_kinds[kind];
	enum ld_err err = LD_OK;
	if (f->fallback && f->history == 0)
		err = buf_printf(out, "There is no history of %s yet",
				 k->plural);
	else if (f->longest)
		err = buf_printf(
			out,
			"None of %s's %d %s on record was unanswered as long "
			"as this one, so the organisation's history is used: "
			"%d of the last %d were answered by their due dates",
			area_name, f->area_tasks, k->plural, f->recent_in_time,
			f->recent);
	else if (f->fallback)
		err = buf_printf(
			out,
			"%s has too little history of %s (%d), so the "
			"organisation's is used: %d of the last %d were "
			"answered by their due dates",
			area_name, k->plural, f->area_tasks, f->recent_in_time,
			f->recent);
	else if (f->recent == 0)
		err = buf_printf(out, "%s has answered none of its %d %s yet",
				 area_name, f->history, k->plural);
	else
		err = buf_printf(out,
				 "%s has answered %d of its last %d %s by "
				 "their due dates",
				 area_name, f->recent_in_time, f->recent,
				 f->recent == 1 ? k->singular : k->plural);
	if (!err && f->overdue)
		err = buf_printf(out,
				 "; this one has been open %d %s and is past "
				 "its due date.",
				 f->elapsed, days_word(f->elapsed));
	else if (!err)
		err = buf_printf(
			out, "; this one has been open %d of its %d %s.",
			f->elapsed, f->due_days, days_word(f->due_days));
	return err;
}

/* The naive baseline for a task: its group's share of late outcomes. */
static bool baseline(const struct forecast_model *m, int64_t area, int kind,
		     double *p)
{
	int area_tasks;
	bool fallback;
	const struct forecast_group *g =
		group_for(m, area, kind, &area_tasks, &fallback);
	if (!g->outcomes)
		return false;
	*p = (double)g->late / (double)g->outcomes;
	return true;
}

enum ld_err forecast_backtest(const struct workcal *cal,
			      const struct forecast_task *tasks, size_t n,
			      int32_t from, int32_t to, int32_t end,
			      int window_days, struct forecast_score *out)
{
	int32_t oend;
	double sum = 0, base = 0;
	memset(out, 0, sizeof(*out));
	if (from > to || to >= end)
		return LD_EINVAL;
	if (forecast_ord(cal, end - 1, &oend))
		return LD_ERANGE;
	/* Each task's final outcome, where the data knows it. */
	signed char *late = xcalloc(n ? n : 1, 1);
	for (size_t i = 0; i < n; i++) {
		int32_t os, od, oa;
		late[i] = -1;
		if (forecast_ord(cal, tasks[i].set_on, &os) ||
		    forecast_ord(cal, tasks[i].due_on, &od))
			continue;
		if (tasks[i].answered_on) {
			if (!forecast_ord(cal, tasks[i].answered_on, &oa))
				late[i] = oa - os > od - os;
		} else if (oend - os >= od - os) {
			late[i] = 1;
		}
	}
	enum ld_err err = LD_OK;
	struct rec *r = xcalloc(n ? n : 1, sizeof(*r));
	for (int32_t day = from; day <= to && !err; day++) {
		if (!workcal_is_working_day(cal, day))
			continue;
		struct forecast_model m;
		if ((err = model_build(&m, cal, tasks, n, day, window_days,
				       r))) {
			forecast_model_release(&m);
			break;
		}
		for (size_t i = 0; i < n; i++) {
			const struct forecast_task *t = &tasks[i];
			struct forecast f;
			double b;
			if (late[i] < 0 || t->set_on >= day ||
			    (t->answered_on && t->answered_on < day) ||
			    forecast_task(&m, cal, t, day, &f) || !f.known ||
			    f.overdue || !baseline(&m, t->area, t->kind, &b))
				continue;
			double y = late[i];
			sum += (f.p_late - y) * (f.p_late - y);
			base += (b - y) * (b - y);
			int d = (int)(f.p_late * FORECAST_DECILES);
			d = d >= FORECAST_DECILES ? FORECAST_DECILES - 1 : d;
			out->deciles[d].n++;
			out->deciles[d].predicted += f.p_late;
			out->deciles[d].observed += y;
			out->predictions++;
		}
		forecast_model_release(&m);
	}
	free(r);
	free(late);
	if (out->predictions) {
		out->brier = sum / (double)out->predictions;
		out->baseline_brier = base / (double)out->predictions;
	}
	for (int d = 0; d < FORECAST_DECILES; d++)
		if (out->deciles[d].n) {
			out->deciles[d].predicted /= (double)out->deciles[d].n;
			out->deciles[d].observed /= (double)out->deciles[d].n;
		}
	return err;
}

/* The nth working day after from, or about that in calendar days. */
static int32_t add_days(const struct workcal *cal, int32_t from, int n)
{
	int32_t out;
	return workcal_add(cal, from, n, &out) ? from + n * 7 / 5 : out;
}

size_t forecast_sanctions(const struct workcal *cal,
			  const struct sanction_facts *f, int32_t today,
			  struct sanction_flag *out, size_t max)
{
	size_t k = 0;
	for (size_t i = 0; i < forecast_sanction_rules_count && k < max; i++) {
		const struct sanction_rule *r = &forecast_sanction_rules[i];
		struct sanction_flag flag = {r, 0, 0};
		int left;
		if (!f->ombudsman || strcmp(r->ombudsman, f->ombudsman) ||
		    f->open_requests <= 0)
			continue;
		switch (r->condition) {
		case SANCTION_FINAL_CHASER_UNANSWERED:
			if (!f->final_chaser_on)
				continue;
			flag.since = f->final_chaser_on;
			flag.act_by =
				f->final_chaser_due
					? f->final_chaser_due
					: add_days(cal, f->final_chaser_on,
						   r->days);
			break;
		case SANCTION_EXTENSION_NO_UPDATE:
			if (!f->extension_on || !f->extension_due ||
			    f->update_on > f->extension_on)
				continue;
			if (workcal_between(cal, today, f->extension_due,
					    &left))
				left = (f->extension_due - today) * 5 / 7;
			if (left > r->days)
				continue;
			flag.since = f->extension_on;
			flag.act_by = f->extension_due;
			break;
		case SANCTION_PAST_DUE_AFTER_CHASER:
			if (!f->chaser_on || !f->open_due ||
			    f->open_due >= today)
				continue;
			flag.since = f->chaser_on;
			flag.act_by = add_days(cal, today, r->days);
			break;
		default: continue;
		}
		out[k++] = flag;
	}
	return k;
}
