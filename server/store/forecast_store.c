/*
 * Forecasts fed from the database (include/forecast_store.h).  One model
 * is kept for the store: built from one read of the task history, the
 * service areas' names and the open cases' sanction facts, then shared
 * read-only by every thread that holds a reference.
 */
#include "forecast_store.h"

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "case_store_int.h"
#include "date.h"
#include "forecast.h"
#include "log.h"
#include "xalloc.h"

/* An open task and its forecast. */
struct open_task {
	int64_t id, area;
	int kind;
	int32_t due_on;
	bool paused;
	bool ok; /* forecast worked out */
	struct forecast f;
};

struct due_row {
	int64_t area;
	int32_t due_on;
	uint8_t percent; /* forecast_percent() */
	bool ok, paused;
};

struct case_flag {
	int64_t case_id;
	char *reference, *ombudsman;
	struct sanction_flag flag;
};

struct model {
	int refs; /* under cache_lock */
	const struct store *store;
	char *version;
	int32_t today;
	size_t cal_n;
	int32_t cal_first, cal_last;
	time_t built;	     /* or last found to be of the current snapshot */
	unsigned long build; /* the server's how manyth, from 1 */
	struct forecast_task *tasks;
	size_t ntasks;
	struct open_task *open; /* by id */
	size_t nopen;
	size_t *by_due; /* indices of open, by due date then id */
	/* What a list filters on, in by_due's order, packed: every list
	 * reads every open task to count its total (100,000 at full size),
	 * and this keeps that one pass over 16 bytes a task in order. */
	struct due_row *rows;
	/* Of the rows forecast, how many at each percent, and of those not
	 * paused: a list over every area counts its total from these and
	 * stops reading rows once it has its first few. */
	long all_ok, unpaused_at[101];
	int64_t *area_ids;
	char **area_names; /* by id */
	size_t nareas;
	/* The sanction flags, read when first asked for (under flags_lock):
	 * the forecasts do not wait for them. */
	pthread_mutex_t flags_lock;
	bool flags_read;
	struct case_flag *flags; /* the soonest act_by first */
	size_t nflags;
	char *flags_text; /* every flag as JSON, once asked for */
	struct forecast_model fm;
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t build_lock = PTHREAD_MUTEX_INITIALIZER;
static struct model *current;
static atomic_ulong builds; /* models built, for their names */

static void model_free(struct model *m)
{
	if (!m)
		return;
	forecast_model_release(&m->fm);
	for (size_t i = 0; i < m->nareas; i++)
		free(m->area_names[i]);
	for (size_t i = 0; i < m->nflags; i++) {
		free(m->flags[i].reference);
		free(m->flags[i].ombudsman);
	}
	free(m->flags);
	free(m->flags_text);
	pthread_mutex_destroy(&m->flags_lock);
	free(m->area_ids);
	free(m->area_names);
	free(m->by_due);
	free(m->rows);
	free(m->open);
	free(m->tasks);
	free(m->version);
	free(m);
}

static void model_put(struct model *m)
{
	bool last;
	pthread_mutex_lock(&cache_lock);
	last = --m->refs == 0;
	pthread_mutex_unlock(&cache_lock);
	if (last)
		model_free(m);
}

static bool same_model(const struct model *m, const struct store *s,
		       const struct workcal *cal, int32_t today)
{
	return m && m->store == s && m->today == today && m->cal_n == cal->n &&
	       m->cal_first == cal->first && m->cal_last == cal->last;
}

static const struct open_task *open_find(const struct model *m, int64_t id)
{
	size_t lo = 0, hi = m->nopen;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->open[mid].id == id)
			return &m->open[mid];
		if (m->open[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static const char *area_name(const struct model *m, int64_t id)
{
	size_t lo = 0, hi = m->nareas;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->area_ids[mid] == id)
			return m->area_names[mid];
		if (m->area_ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return "This service area";
}

static int open_id_cmp(const void *a, const void *b)
{
	const struct open_task *x = a, *y = b;
	return (x->id > y->id) - (x->id < y->id);
}

static int by_due_cmp(const void *a, const void *b, void *arg)
{
	const struct model *m = arg;
	const struct open_task *x = &m->open[*(const size_t *)a];
	const struct open_task *y = &m->open[*(const size_t *)b];
	if (x->due_on != y->due_on)
		return x->due_on < y->due_on ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

static int flag_cmp(const void *a, const void *b)
{
	const struct case_flag *x = a, *y = b;
	if (x->flag.act_by != y->flag.act_by)
		return x->flag.act_by < y->flag.act_by ? -1 : 1;
	return (x->case_id > y->case_id) - (x->case_id < y->case_id);
}

/*
 * Dates travel as day numbers (days since 1970-01-01, 0 for none): SQL
 * subtracts, core counts the working days.
 */
static const char history_sql[] =
	"SELECT t.id, t.service_area_id, t.kind,"
	" t.set_on - date '1970-01-01',"
	" coalesce(t.revised_due_on, t.due_on) - date '1970-01-01',"
	" CASE WHEN t.status IN ('open', 'in_progress', 'submitted',"
	"  'validated') THEN 0"
	"  ELSE coalesce(least(t.sent_on, t.completed_on) - date '1970-01-01',"
	"  0) END,"
	" t.status IN ('open', 'in_progress', 'submitted', 'validated'),"
	" t.paused_on IS NOT NULL"
	" FROM task t WHERE t.status <> 'cancelled'"
	" AND (t.set_on >= $1::date OR t.status NOT IN ('done', 'sent'))";

/*
 * What the sanction rules read of each open case with an open request:
 * its chasers and extensions, through their own index of each case's
 * (sql/023), and only for a case with an extension the latest thing sent
 * (the one rule that asks whether an update followed it).
 */
static const char facts_sql[] =
	"WITH r AS (SELECT t.case_id, count(*) AS n,"
	"  min(coalesce(t.revised_due_on, t.due_on)) AS due FROM task t"
	"  WHERE t.kind IN ('information_request', 'chaser_response')"
	"  AND t.status IN ('open', 'in_progress', 'submitted', 'validated')"
	"  GROUP BY 1)"
	" SELECT c.id, c.reference, o.code,"
	" coalesce(m.final_on - date '1970-01-01', 0),"
	" coalesce(m.final_due - date '1970-01-01', 0),"
	" coalesce(m.chaser_on - date '1970-01-01', 0),"
	" coalesce(m.ext_on - date '1970-01-01', 0),"
	" coalesce(m.ext_due - date '1970-01-01', 0),"
	" coalesce(CASE WHEN m.ext_on IS NOT NULL THEN greatest("
	"  (SELECT max(x.dated_on) FROM correspondence x"
	"   WHERE x.case_id = c.id AND x.direction = 'out'),"
	"  (SELECT max(t.sent_on) FROM task t WHERE t.case_id = c.id)) END"
	"  - date '1970-01-01', 0),"
	" r.n, coalesce(r.due - date '1970-01-01', 0) FROM r"
	" JOIN ombudsman_case c ON c.id = r.case_id"
	" JOIN ombudsman o ON o.id = c.ombudsman_id,"
	" LATERAL (SELECT"
	"  max(m.dated_on) FILTER (WHERE m.kind = 'final_chaser') AS final_on,"
	"  (array_agg(m.response_due_on ORDER BY m.dated_on DESC, m.id DESC)"
	"   FILTER (WHERE m.kind = 'final_chaser'))[1] AS final_due,"
	"  max(m.dated_on) FILTER (WHERE m.kind IN ('first_chaser',"
	"   'final_chaser')) AS chaser_on,"
	"  max(m.dated_on) FILTER (WHERE m.kind = 'extension_agreed') AS "
	"ext_on,"
	"  (array_agg(m.response_due_on ORDER BY m.dated_on DESC, m.id DESC)"
	"   FILTER (WHERE m.kind = 'extension_agreed'))[1] AS ext_due"
	"  FROM correspondence m WHERE m.case_id = r.case_id"
	"  AND m.kind IN ('first_chaser', 'final_chaser', 'extension_agreed'))"
	" m"
	" WHERE c.stage <> 'closed' AND (m.chaser_on IS NOT NULL"
	" OR m.ext_on IS NOT NULL)";

/* One row of history_sql as core's task; false for a kind core lacks. */
static bool history_row(const PGresult *res, int r, struct forecast_task *t)
{
	int kind = forecast_kind(PQgetvalue(res, r, 2));
	if (kind < 0)
		return false;
	*t = (struct forecast_task){db_long(res, r, 0),
				    db_long(res, r, 1),
				    kind,
				    (int32_t)db_long(res, r, 3),
				    (int32_t)db_long(res, r, 4),
				    (int32_t)db_long(res, r, 5)};
	return true;
}

struct build_ctx {
	const struct workcal *cal;
	int32_t today;
	struct model *m;
};

/* What a read of history_sql gathers, batch by batch: every task core
 * knows the kind of, and when open is wanted, the open ones among them
 * in the same order. */
struct history {
	bool with_open;
	struct forecast_task *tasks;
	size_t ntasks, cap;
	struct open_task *open;
	size_t nopen;
};

static enum ld_err history_batch(const PGresult *res, void *arg)
{
	struct history *h = arg;
	size_t n = (size_t)PQntuples(res);
	if (h->ntasks + n > h->cap) {
		h->cap = 2 * h->cap + n;
		h->tasks = xrealloc(h->tasks, h->cap * sizeof(*h->tasks));
		if (h->with_open)
			h->open = xrealloc(h->open, h->cap * sizeof(*h->open));
	}
	for (int r = 0; r < (int)n; r++) {
		struct forecast_task *t = &h->tasks[h->ntasks];
		if (!history_row(res, r, t))
			continue;
		h->ntasks++;
		if (!h->with_open || strcmp(PQgetvalue(res, r, 6), "t"))
			continue;
		struct open_task *o = &h->open[h->nopen++];
		memset(o, 0, sizeof(*o));
		o->id = t->id;
		o->area = t->area;
		o->kind = t->kind;
		o->due_on = t->due_on;
		o->paused = !strcmp(PQgetvalue(res, r, 7), "t");
	}
	return LD_OK;
}

/* Inside a transaction: the history since since, read in batches. */
static enum ld_err read_history(struct db *db, int32_t since, struct history *h)
{
	struct db_date d;
	const char *params[] = {db_date(&d, since)};
	return db_exec_batches(db, "forecast_history", history_sql, 1, params,
			       history_batch, h);
}

static enum ld_err read_areas(struct db *db, struct model *m)
{
	PGresult *res = NULL;
	enum ld_err err = db_exec(
		db, "forecast_areas",
		"SELECT id, name FROM service_area ORDER BY id", 0, NULL, &res);
	if (err)
		return err;
	m->nareas = (size_t)PQntuples(res);
	m->area_ids = xcalloc(m->nareas ? m->nareas : 1, sizeof(*m->area_ids));
	m->area_names =
		xcalloc(m->nareas ? m->nareas : 1, sizeof(*m->area_names));
	for (size_t i = 0; i < m->nareas; i++) {
		m->area_ids[i] = db_long(res, (int)i, 0);
		m->area_names[i] = xstrdup(PQgetvalue(res, (int)i, 1));
	}
	PQclear(res);
	return LD_OK;
}

static enum ld_err read_flags(struct db *db, struct build_ctx *c)
{
	struct model *m = c->m;
	PGresult *res = NULL;
	enum ld_err err =
		db_exec(db, "forecast_facts", facts_sql, 0, NULL, &res);
	if (err)
		return err;
	size_t n = (size_t)PQntuples(res);
	size_t cap = n * forecast_sanction_rules_count;
	m->flags = xcalloc(cap ? cap : 1, sizeof(*m->flags));
	for (int r = 0; r < (int)n; r++) {
		struct sanction_facts f = {PQgetvalue(res, r, 2),
					   (int32_t)db_long(res, r, 3),
					   (int32_t)db_long(res, r, 4),
					   (int32_t)db_long(res, r, 5),
					   (int32_t)db_long(res, r, 6),
					   (int32_t)db_long(res, r, 7),
					   (int32_t)db_long(res, r, 8),
					   (int)db_long(res, r, 9),
					   (int32_t)db_long(res, r, 10)};
		struct sanction_flag out[8];
		size_t k = forecast_sanctions(c->cal, &f, c->today, out, 8);
		for (size_t i = 0; i < k; i++) {
			struct case_flag *x = &m->flags[m->nflags++];
			x->case_id = db_long(res, r, 0);
			x->reference = xstrdup(PQgetvalue(res, r, 1));
			x->ombudsman = xstrdup(PQgetvalue(res, r, 2));
			x->flag = out[i];
		}
	}
	PQclear(res);
	qsort(m->flags, m->nflags, sizeof(*m->flags), flag_cmp);
	return LD_OK;
}

/* One snapshot for a unit's reads: the history's batches and the areas. */
static enum ld_err begin_snapshot(struct db *db)
{
	return db_exec(db, "forecast_begin",
		       "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0,
		       NULL, NULL);
}

static enum ld_err build_unit(struct db *db, void *arg)
{
	struct build_ctx *c = arg;
	struct model *m = c->m;
	enum ld_err err = begin_snapshot(db);
	if (err)
		return err;
	struct history h = {.with_open = true};
	err = read_history(db, c->today - FORECAST_HISTORY_DAYS, &h);
	m->tasks = h.tasks;
	m->ntasks = h.ntasks;
	m->open = h.open;
	m->nopen = h.nopen;
	if (!err)
		err = read_areas(db, m);
	return finish(db, err);
}

static enum ld_err flags_unit(struct db *db, void *arg)
{
	return read_flags(db, arg);
}

/* The model's sanction flags, read once, by whichever caller is first. */
static enum ld_err model_flags(struct store *s, const struct workcal *cal,
			       struct model *m)
{
	enum ld_err err = LD_OK;
	pthread_mutex_lock(&m->flags_lock);
	if (!m->flags_read) {
		struct build_ctx c = {cal, m->today, m};
		err = db_run(s, flags_unit, &c);
		if (err) {
			for (size_t i = 0; i < m->nflags; i++) {
				free(m->flags[i].reference);
				free(m->flags[i].ombudsman);
			}
			free(m->flags);
			m->flags = NULL;
			m->nflags = 0;
		}
		m->flags_read = !err;
	}
	pthread_mutex_unlock(&m->flags_lock);
	return err;
}

static enum ld_err model_build(struct store *s, const struct workcal *cal,
			       int32_t today, const char *version,
			       struct model **out)
{
	struct model *m = xcalloc(1, sizeof(*m));
	struct build_ctx c = {cal, today, m};
	pthread_mutex_init(&m->flags_lock, NULL);
	m->store = s;
	m->version = xstrdup(version);
	m->today = today;
	m->cal_n = cal->n;
	m->cal_first = cal->first;
	m->cal_last = cal->last;
	m->built = time(NULL);
	m->build = atomic_fetch_add(&builds, 1) + 1;
	enum ld_err err = db_run(s, build_unit, &c);
	if (!err)
		err = forecast_model_build(&m->fm, cal, m->tasks, m->ntasks,
					   today, FORECAST_HISTORY_DAYS);
	if (err) {
		model_free(m);
		return err;
	}
	/* Forecast each open task: its set date is the one read. */
	size_t k = 0;
	for (size_t i = 0; i < m->ntasks && k < m->nopen; i++) {
		if (m->tasks[i].id != m->open[k].id)
			continue;
		struct open_task *o = &m->open[k++];
		o->ok = !forecast_task(&m->fm, cal, &m->tasks[i], today,
				       &o->f) &&
			o->f.known;
	}
	if (m->nopen) /* none read: no array */
		qsort(m->open, m->nopen, sizeof(*m->open), open_id_cmp);
	m->by_due = xcalloc(m->nopen ? m->nopen : 1, sizeof(*m->by_due));
	for (size_t i = 0; i < m->nopen; i++)
		m->by_due[i] = i;
	qsort_r(m->by_due, m->nopen, sizeof(*m->by_due), by_due_cmp, m);
	m->rows = xcalloc(m->nopen ? m->nopen : 1, sizeof(*m->rows));
	for (size_t i = 0; i < m->nopen; i++) {
		const struct open_task *o = &m->open[m->by_due[i]];
		m->rows[i] = (struct due_row){
			o->area, o->due_on,
			(uint8_t)(o->ok ? forecast_percent(o->f.p_late) : 0),
			o->ok, o->paused};
		m->all_ok += o->ok;
		if (o->ok && !o->paused)
			m->unpaused_at[m->rows[i].percent]++;
	}
	*out = m;
	return LD_OK;
}

/* A model's name: which build of the server's it is. */
static void model_name(const struct model *m, char *name)
{
	snprintf(name, FORECAST_MODEL_NAME_LEN, "model %lu", m->build);
}

/* The model for today's snapshot, built once; model_put() it. */
static enum ld_err model_get(struct store *s, const struct workcal *cal,
			     int32_t today, struct model **out)
{
	char *version = NULL;
	enum ld_err err = LD_OK;
	*out = NULL;
	pthread_mutex_lock(&cache_lock);
	if (same_model(current, s, cal, today) &&
	    time(NULL) - current->built < FORECAST_FRESH_SECONDS) {
		*out = current;
		current->refs++;
	}
	pthread_mutex_unlock(&cache_lock);
	if (*out)
		return LD_OK;
	if ((err = store_snapshot(s, &version)))
		return err;
	/* One thread builds.  While it does, the others keep the model of
	 * today they have (it may be FORECAST_FRESH_SECONDS and a build
	 * old) rather than all wait: the home page does not stall for the
	 * length of a build at every change.  Without one, they wait and
	 * share what it built. */
	bool building = pthread_mutex_trylock(&build_lock) != 0;
	pthread_mutex_lock(&cache_lock);
	if (building && same_model(current, s, cal, today)) {
		*out = current;
		current->refs++;
	}
	pthread_mutex_unlock(&cache_lock);
	if (*out) {
		free(version);
		return LD_OK;
	}
	if (building)
		pthread_mutex_lock(&build_lock);
	pthread_mutex_lock(&cache_lock);
	if (same_model(current, s, cal, today) &&
	    (!strcmp(current->version, version) ||
	     time(NULL) - current->built < FORECAST_FRESH_SECONDS)) {
		/* Still the data it was built from: as good as new, and
		 * not asked again for FORECAST_FRESH_SECONDS. */
		if (!strcmp(current->version, version))
			current->built = time(NULL);
		*out = current;
		current->refs++;
	}
	pthread_mutex_unlock(&cache_lock);
	if (!*out) {
		struct model *m = NULL, *old = NULL;
		err = model_build(s, cal, today, version, &m);
		if (!err) {
			pthread_mutex_lock(&cache_lock);
			old = current;
			current = m;
			m->refs = 2; /* the cache's and the caller's */
			pthread_mutex_unlock(&cache_lock);
			if (old)
				model_put(old);
			*out = m;
		}
	}
	pthread_mutex_unlock(&build_lock);
	free(version);
	return err;
}

static json_t *forecast_json(const struct model *m, const struct open_task *o,
			     int threshold)
{
	struct buf reason;
	buf_init(&reason, 1024);
	if (forecast_reason(&o->f, area_name(m, o->area), o->kind, &reason))
		buf_reset(&reason);
	int pc = forecast_percent(o->f.p_late);
	json_t *j =
		json_pack("{s:i, s:b, s:s, s:b, s:b, s:i, s:i}", "percent", pc,
			  "likely_late", pc >= threshold && !o->paused,
			  "reason", buf_str(&reason), "fallback", o->f.fallback,
			  "overdue", o->f.overdue, "elapsed_working_days",
			  o->f.elapsed, "due_working_days", o->f.due_days);
	buf_release(&reason);
	return j;
}

static char *dumps(json_t *j)
{
	char *text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (!text)
		abort(); /* out of memory, as xalloc treats it */
	return text;
}

/* The list whole, as it is sent: no parsing and printing again. */
static const char docs_sql[] =
	"SELECT json_build_object('total', $3::bigint, 'tasks',"
	" coalesce(json_agg((d.doc::jsonb || jsonb_build_object("
	"'forecast', f.value))::json ORDER BY d.due, d.id), '[]'))"
	" FROM jsonb_each($1::jsonb) f"
	" JOIN task_doc d ON d.id = f.key::bigint"
	" JOIN task t ON t.id = d.id"
	" WHERE t.status NOT IN ('done', 'cancelled', 'sent')"
	" AND task_visible($2, d.service_area_id)";

enum ld_err forecast_store_tasks(struct store *s, const struct workcal *cal,
				 const struct principal *p, int32_t today,
				 const struct forecast_filter *f, char **json)
{
	struct model *m;
	struct db_num scope_num;
	int64_t scope = principal_area_scope(p);
	enum ld_err err = model_get(s, cal, today, &m);
	if (err)
		return err;
	json_t *chosen = json_object();
	long total = 0, counted = -1;
	if (scope == AREA_SCOPE_ALL && !f->area_id && !f->due_from &&
	    !f->due_to) {
		counted = f->min_percent > 0 ? 0 : m->all_ok;
		for (int pc = f->min_percent; f->min_percent > 0 && pc <= 100;
		     pc++)
			counted += m->unpaused_at[pc];
	}
	long shown_end = (long)f->offset + f->limit;
	for (size_t i = 0; i < m->nopen; i++) {
		const struct due_row *o = &m->rows[i];
		if (counted >= 0 && total >= shown_end)
			break;
		if (!o->ok || (scope != AREA_SCOPE_ALL && o->area != scope) ||
		    (f->area_id && o->area != f->area_id) ||
		    (f->due_from && o->due_on < f->due_from) ||
		    (f->due_to && o->due_on > f->due_to) ||
		    (f->min_percent > 0 &&
		     (o->paused || o->percent < f->min_percent)))
			continue;
		if (total >= f->offset && total < shown_end) {
			const struct open_task *t = &m->open[m->by_due[i]];
			char key[24];
			snprintf(key, sizeof(key), "%lld", (long long)t->id);
			json_object_set_new(
				chosen, key,
				forecast_json(m, t,
					      f->min_percent > 0
						      ? f->min_percent
						      : 50));
		}
		total++;
	}
	if (counted >= 0)
		total = counted;
	/*
	 * The list is the model's and the filter's, and its documents the
	 * snapshot's: remembered for both (the home page asks for the same
	 * list on every load), so that a page reads no task documents again
	 * until something is committed or the model is rebuilt.
	 */
	char key[256], name[FORECAST_MODEL_NAME_LEN];
	model_name(m, name);
	snprintf(key, sizeof(key), "forecast_docs %s %d %d %d %lld %d %d %lld",
		 name, f->min_percent, f->due_from, f->due_to,
		 (long long)f->area_id, f->offset, f->limit, (long long)scope);
	model_put(m);
	char *forecasts = dumps(chosen);
	struct db_num total_num;
	const char *params[] = {forecasts, area_scope(p, &scope_num),
				db_num(&total_num, total)};
	err = db_run_json_memo(s, key, "forecast_docs", docs_sql, 3, params,
			       json);
	free(forecasts);
	return err;
}

enum ld_err forecast_store_model_name(struct store *s,
				      const struct workcal *cal, int32_t today,
				      char *name)
{
	struct model *m;
	enum ld_err err = model_get(s, cal, today, &m);
	if (err)
		return err;
	model_name(m, name);
	model_put(m);
	return LD_OK;
}

enum ld_err forecast_store_of(struct store *s, const struct workcal *cal,
			      int32_t today, int threshold_percent,
			      const int64_t *ids, size_t n, char **json)
{
	struct model *m;
	enum ld_err err = model_get(s, cal, today, &m);
	if (err)
		return err;
	json_t *out = json_object();
	for (size_t i = 0; i < n; i++) {
		const struct open_task *o = open_find(m, ids[i]);
		char key[24];
		if (!o || !o->ok)
			continue;
		snprintf(key, sizeof(key), "%lld", (long long)o->id);
		json_object_set_new(out, key,
				    forecast_json(m, o, threshold_percent));
	}
	model_put(m);
	*json = dumps(out);
	return LD_OK;
}

struct visible_ctx {
	const char *ids, *scope;
	PGresult **res;
};

static enum ld_err visible_unit(struct db *db, void *arg)
{
	struct visible_ctx *c = arg;
	const char *params[] = {c->ids, c->scope};
	return db_exec(db, "forecast_cases_visible",
		       "SELECT id FROM unnest($1::bigint[]) id"
		       " WHERE case_visible($2, id)",
		       2, params, c->res);
}

/* The flags of case_id (0: all) the reader may see: max of them after
 * the first offset into *json, how many there are into *total. */
static enum ld_err sanctions(struct store *s, const struct workcal *cal,
			     const struct principal *p, int32_t today,
			     int64_t case_id, size_t offset, size_t max,
			     size_t *total, char **json)
{
	struct model *m;
	struct db_num scope_num;
	const char *scope = area_scope(p, &scope_num);
	enum ld_err err = model_get(s, cal, today, &m);
	if (err)
		return err;
	if ((err = model_flags(s, cal, m))) {
		model_put(m);
		return err;
	}
	/* Every flag, for a reader of every area: the same text until the
	 * model changes (the home page asks on every visit). */
	bool whole = !case_id && !scope && !offset && max == SIZE_MAX;
	*total = 0;
	if (whole) {
		pthread_mutex_lock(&m->flags_lock);
		char *text = m->flags_text ? xstrdup(m->flags_text) : NULL;
		pthread_mutex_unlock(&m->flags_lock);
		if (text) {
			*total = m->nflags;
			model_put(m);
			*json = text;
			return LD_OK;
		}
	}
	json_t *out = json_array();
	struct buf ids;
	buf_init(&ids, 1u << 24);
	for (size_t i = 0; i < m->nflags && !err; i++) {
		const struct case_flag *x = &m->flags[i];
		char since[DATE_STRLEN], act[DATE_STRLEN];
		if (case_id && x->case_id != case_id)
			continue;
		/* Visibility is decided after, for a service-area officer. */
		if (!scope && (++*total <= offset || *total - offset > max))
			continue;
		date_format(x->flag.since, since);
		date_format(x->flag.act_by, act);
		json_array_append_new(
			out, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}",
				       "case_id", (json_int_t)x->case_id,
				       "reference", x->reference, "ombudsman",
				       x->ombudsman, "rule", x->flag.rule->code,
				       "words", x->flag.rule->words, "since",
				       since, "act_by", act));
		err = buf_printf(&ids, "%s%lld", buf_str(&ids)[0] ? "," : "{",
				 (long long)x->case_id);
	}
	if (whole && !err) {
		char *text = json_dumps(out, JSON_COMPACT);
		if (!text)
			abort(); /* out of memory, as xalloc treats it */
		pthread_mutex_lock(&m->flags_lock);
		if (!m->flags_text) {
			m->flags_text = text;
			text = NULL;
		}
		pthread_mutex_unlock(&m->flags_lock);
		free(text);
	}
	model_put(m);
	/* A service-area officer sees the flags of cases they may open. */
	if (!err && scope && json_array_size(out)) {
		PGresult *res = NULL;
		if (!(err = buf_addch(&ids, '}'))) {
			struct visible_ctx c = {buf_str(&ids), scope, &res};
			err = db_run(s, visible_unit, &c);
		}
		if (!err) {
			json_t *kept = json_array();
			size_t i;
			json_t *v;
			json_array_foreach(out, i, v)
			{
				long long id = json_integer_value(
					json_object_get(v, "case_id"));
				for (int r = 0; r < PQntuples(res); r++)
					if (db_long(res, r, 0) == id) {
						json_array_append(kept, v);
						break;
					}
			}
			json_decref(out);
			out = kept;
		}
		PQclear(res);
	}
	/* The page is a slice of the visible flags, each taken once. */
	if (scope) {
		size_t n = json_array_size(out);
		json_t *page = json_array();
		*total = n;
		for (size_t k = offset; k < n && k - offset < max; k++)
			json_array_append(page, json_array_get(out, k));
		json_decref(out);
		out = page;
	}
	buf_release(&ids);
	if (err) {
		json_decref(out);
		return err;
	}
	*json = dumps(out);
	return LD_OK;
}

enum ld_err forecast_store_sanctions(struct store *s, const struct workcal *cal,
				     const struct principal *p, int32_t today,
				     int64_t case_id, char **json)
{
	size_t total;
	return sanctions(s, cal, p, today, case_id, 0, SIZE_MAX, &total, json);
}

enum ld_err forecast_store_sanctions_page(struct store *s,
					  const struct workcal *cal,
					  const struct principal *p,
					  int32_t today, size_t offset,
					  size_t max, char **json)
{
	size_t total;
	char *flags = NULL;
	enum ld_err err =
		sanctions(s, cal, p, today, 0, offset, max, &total, &flags);
	if (err)
		return err;
	json_t *list = json_loads(flags, 0, NULL);
	free(flags);
	if (!list)
		return LD_EINTERNAL;
	*json = dumps(json_pack("{s:I, s:o}", "total", (json_int_t)total,
				"flags", list));
	return LD_OK;
}

enum ld_err forecast_store_expected(struct store *s, const struct workcal *cal,
				    const struct principal *p, int32_t today,
				    int32_t from, int32_t to, char **json)
{
	struct model *m;
	int64_t scope = principal_area_scope(p);
	enum ld_err err = model_get(s, cal, today, &m);
	if (err)
		return err;
	long so_far = 0, to_come = 0;
	double expected = 0;
	for (size_t i = 0; i < m->ntasks; i++) {
		const struct forecast_task *t = &m->tasks[i];
		if (t->due_on < from || t->due_on > to ||
		    (scope != AREA_SCOPE_ALL && t->area != scope))
			continue;
		if (t->answered_on) {
			so_far += t->answered_on > t->due_on;
			continue;
		}
		const struct open_task *o = open_find(m, t->id);
		if (!o)
			continue;
		if (t->due_on < today) {
			so_far++;
		} else {
			to_come++;
			expected += o->ok ? o->f.p_late : 0;
		}
	}
	model_put(m);
	*json = dumps(json_pack("{s:i, s:i, s:f, s:f}", "late_so_far",
				(int)so_far, "due_to_come", (int)to_come,
				"expected_to_come", expected, "expected_late",
				(double)so_far + expected));
	return LD_OK;
}

struct backtest_ctx {
	int32_t since;
	struct forecast_task *tasks;
	size_t n;
};

static enum ld_err backtest_unit(struct db *db, void *arg)
{
	struct backtest_ctx *c = arg;
	struct history h = {0};
	enum ld_err err = begin_snapshot(db);
	if (!err)
		err = read_history(db, c->since, &h);
	c->tasks = h.tasks;
	c->n = h.ntasks;
	return finish(db, err);
}

enum ld_err forecast_store_backtest(struct store *s, const struct workcal *cal,
				    int32_t from, int32_t to, int32_t today,
				    char **json)
{
	struct backtest_ctx c = {from - FORECAST_HISTORY_DAYS, NULL, 0};
	struct forecast_score sc;
	enum ld_err err = db_run(s, backtest_unit, &c);
	if (!err)
		err = forecast_backtest(cal, c.tasks, c.n, from, to, today,
					FORECAST_HISTORY_DAYS, &sc);
	free(c.tasks);
	if (err)
		return err;
	json_t *deciles = json_array();
	for (int d = 0; d < FORECAST_DECILES; d++)
		json_array_append_new(
			deciles, json_pack("{s:f, s:f, s:I, s:f, s:f}", "from",
					   d / 10.0, "to", (d + 1) / 10.0, "n",
					   (json_int_t)sc.deciles[d].n,
					   "predicted", sc.deciles[d].predicted,
					   "observed", sc.deciles[d].observed));
	*json = dumps(json_pack("{s:I, s:f, s:f, s:o}", "predictions",
				(json_int_t)sc.predictions, "brier", sc.brier,
				"baseline_brier", sc.baseline_brier, "deciles",
				deciles));
	return LD_OK;
}
