#include "db.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "date.h"
#include "log.h"
#include "xalloc.h"

/* A remembered answer, valid for the snapshot it was computed in. */
struct memo {
	char *key;
	char *version;
	char *json;
	unsigned long used; /* when last read, for replacing the oldest */
};

/* A key@version being computed, and once done how it went, until the
 * callers that waited for it have read that. */
struct claim {
	char *key;
	bool done;
	enum ld_err err;
	int waiters;
};

#define MEMO_SLOTS     64
#define MEMO_MAX_BYTES (16u << 20) /* all entries together */

struct store {
	char *conninfo;
	/* Set on each new connection; 0: the server's own (none). */
	long statement_timeout, lock_timeout; /* ms */
	pthread_mutex_t lock;
	pthread_cond_t freed;
	struct db *slots;
	bool *busy;
	int size;
	struct memo memo[MEMO_SLOTS]; /* under lock */
	unsigned long memo_clock;
	size_t memo_bytes;
	/* Keys being computed now, so that one computes and the rest wait. */
	struct claim computing[MEMO_SLOTS];
	pthread_cond_t computed;
};

struct store *store_new(const char *conninfo, int pool_size)
{
	struct store *s = xcalloc(1, sizeof(*s));
	s->conninfo = xstrdup(conninfo);
	s->size = pool_size;
	s->slots = xcalloc((size_t)pool_size, sizeof(*s->slots));
	s->busy = xcalloc((size_t)pool_size, sizeof(*s->busy));
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->freed, NULL);
	pthread_cond_init(&s->computed, NULL);
	return s;
}

void store_set_timeouts(struct store *s, long statement_ms, long lock_ms)
{
	s->statement_timeout = statement_ms;
	s->lock_timeout = lock_ms;
}

/*
 * The store's timeouts on a new connection, for the whole session.  Set by
 * statement rather than in the startup options, which a connection string
 * that names its own options would replace.
 */
static bool set_timeouts(struct store *s, PGconn *pg, char *why, size_t whylen)
{
	char st[24], lk[24];
	if (!s->statement_timeout && !s->lock_timeout)
		return true;
	snprintf(st, sizeof(st), "%ld", s->statement_timeout);
	snprintf(lk, sizeof(lk), "%ld", s->lock_timeout);
	const char *params[] = {st, lk};
	PGresult *res = PQexecParams(
		pg,
		"SELECT set_config('statement_timeout', $1, false),"
		" set_config('lock_timeout', $2, false)",
		2, NULL, params, NULL, NULL, 0);
	bool ok = PQresultStatus(res) == PGRES_TUPLES_OK;
	if (!ok) {
		const char *msg = PQerrorMessage(pg);
		snprintf(why, whylen, "cannot set timeouts: %.*s",
			 (int)strcspn(msg, "\n"), msg);
	}
	PQclear(res);
	return ok;
}

void store_free(struct store *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->size; i++)
		if (s->slots[i].pg)
			PQfinish(s->slots[i].pg);
	for (int i = 0; i < MEMO_SLOTS; i++) {
		free(s->memo[i].key);
		free(s->memo[i].version);
		free(s->memo[i].json);
		free(s->computing[i].key);
	}
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->freed);
	pthread_cond_destroy(&s->computed);
	free(s->slots);
	free(s->busy);
	free(s->conninfo);
	free(s);
}

PGconn *db_connect(const char *conninfo, char *why, size_t whylen)
{
	/*
	 * Our defaults come first: with expand_dbname the caller's connection
	 * string is expanded in place and overrides them.
	 */
	const char *keys[] = {"connect_timeout", "application_name", "options",
			      "dbname", NULL};
	/*
	 * No JIT: its compile time (hundreds of milliseconds) is spent on
	 * queries the planner overestimates, and our queries are short.
	 */
	const char *vals[] = {"5", "linkdesk",
			      "-c client_min_messages=warning -c jit=off",
			      conninfo, NULL};
	PGconn *pg = PQconnectdbParams(keys, vals, 1);

	if (PQstatus(pg) != CONNECTION_OK) {
		const char *msg = PQerrorMessage(pg);
		size_t len = strcspn(msg, "\n");
		snprintf(why, whylen, "%.*s", (int)len, msg);
		PQfinish(pg);
		return NULL;
	}
	return pg;
}

enum ld_err db_acquire(struct store *s, struct db **out)
{
	struct timespec deadline;
	int slot = -1;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += STORE_ACQUIRE_TIMEOUT_SECONDS;
	pthread_mutex_lock(&s->lock);
	for (;;) {
		/* Prefer a slot that is already connected. */
		for (int i = 0; i < s->size; i++) {
			if (s->busy[i])
				continue;
			if (slot < 0 || (s->slots[i].pg && !s->slots[slot].pg))
				slot = i;
		}
		if (slot >= 0)
			break;
		if (pthread_cond_timedwait(&s->freed, &s->lock, &deadline)) {
			pthread_mutex_unlock(&s->lock);
			log_warn("database pool exhausted: every connection "
				 "busy for %d seconds",
				 STORE_ACQUIRE_TIMEOUT_SECONDS);
			return LD_EUNAVAILABLE;
		}
	}
	s->busy[slot] = true;
	pthread_mutex_unlock(&s->lock);

	struct db *db = &s->slots[slot];
	db->reused = db->pg != NULL;
	db->statements = 0;
	db->lost = false;
	db->retryable = false;
	if (!db->pg) {
		char why[256];
		db->nprepared = 0;
		db->pg = db_connect(s->conninfo, why, sizeof(why));
		if (db->pg && !set_timeouts(s, db->pg, why, sizeof(why))) {
			PQfinish(db->pg);
			db->pg = NULL;
		}
		if (!db->pg) {
			log_warn("database unavailable: %s", why);
			pthread_mutex_lock(&s->lock);
			s->busy[slot] = false;
			pthread_cond_signal(&s->freed);
			pthread_mutex_unlock(&s->lock);
			return LD_EUNAVAILABLE;
		}
	}
	*out = db;
	return LD_OK;
}

void db_release(struct store *s, struct db *db)
{
	if (db->lost || PQstatus(db->pg) != CONNECTION_OK ||
	    PQtransactionStatus(db->pg) != PQTRANS_IDLE) {
		PQfinish(db->pg);
		db->pg = NULL;
	}
	pthread_mutex_lock(&s->lock);
	s->busy[db - s->slots] = false;
	pthread_cond_signal(&s->freed);
	pthread_mutex_unlock(&s->lock);
}

enum ld_err db_run(struct store *s, enum ld_err (*fn)(struct db *, void *),
		   void *ctx)
{
	for (int attempt = 0;; attempt++) {
		struct db *db;
		enum ld_err err = db_acquire(s, &db);
		if (err)
			return err;
		err = fn(db, ctx);
		bool again =
			err == LD_EUNAVAILABLE && db->retryable && attempt == 0;
		db_release(s, db);
		if (!again)
			return err;
	}
}

const char *db_sqlstate(const PGresult *res)
{
	const char *state =
		res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	return state ? state : "";
}

static bool connection_failure(struct db *db, const char *state)
{
	/* Class 08 is connection exceptions; 57P0x is the server going away. */
	return PQstatus(db->pg) != CONNECTION_OK || !strncmp(state, "08", 2) ||
	       !strcmp(state, "57P01") || !strcmp(state, "57P02") ||
	       !strcmp(state, "57P03");
}

/* FNV-1a: a statement's name on the connection is a hash of its text. */
static uint64_t text_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3u;
	return h;
}

/*
 * Run sql as a prepared statement, preparing it on first use on this
 * connection: parsing is done once, and PostgreSQL's plan cache can keep a
 * generic plan.  The SQL texts are the program's own, so their number is
 * bounded; past DB_PREPARED_MAX they run unprepared.
 */
static PGresult *exec_prepared(struct db *db, const char *sql, int nparams,
			       const char *const *params)
{
	uint64_t h = text_hash(sql);
	char name[24];
	int i;

	snprintf(name, sizeof(name), "ld%016llx", (unsigned long long)h);
	for (i = 0; i < db->nprepared && db->prepared[i] != h; i++)
		;
	if (i == db->nprepared) {
		if (db->nprepared == DB_PREPARED_MAX)
			return PQexecParams(db->pg, sql, nparams, NULL, params,
					    NULL, NULL, 0);
		PGresult *res = PQprepare(db->pg, name, sql, nparams, NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			return res;
		PQclear(res);
		db->prepared[db->nprepared++] = h;
	}
	return PQexecPrepared(db->pg, name, nparams, params, NULL, NULL, 0);
}

enum ld_err db_exec(struct db *db, const char *name, const char *sql,
		    int nparams, const char *const *params, PGresult **out)
{
	PGresult *res = exec_prepared(db, sql, nparams, params);
	ExecStatusType st = PQresultStatus(res);

	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
		db->statements++;
		if (out)
			*out = res;
		else
			PQclear(res);
		return LD_OK;
	}

	const char *state = db_sqlstate(res);
	enum ld_err err = LD_EDB;
	if (connection_failure(db, state)) {
		db->lost = true;
		db->retryable = db->reused && db->statements == 0;
		err = LD_EUNAVAILABLE;
		log_warn("database connection lost in %s: %s", name,
			 PQerrorMessage(db->pg));
	} else if (!strcmp(state, "23505") || !strcmp(state, "23503") ||
		   !strcmp(state, "23514") || !strcmp(state, "23502")) {
		const char *c =
			PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
		snprintf(db->constraint, sizeof(db->constraint), "%s",
			 c ? c : "");
		err = !strcmp(state, "23505") ? LD_ECONFLICT : LD_EVALIDATION;
	} else if (!strcmp(state, "22021")) {
		/* Text that is not UTF-8 (a query string's %c3, say). */
		err = LD_EINVAL;
	} else if (!strcmp(state, "40001") || !strcmp(state, "40P01")) {
		err = LD_ECONFLICT;
	} else if (!strcmp(state, "57014") || !strcmp(state, "55P03")) {
		/* statement_timeout or lock_timeout: the statement failed,
		 * so its transaction can only be rolled back. */
		err = LD_ETIMEOUT;
		log_warn("database statement gave up in %s: %s %.*s", name,
			 state, (int)strcspn(PQresultErrorMessage(res), "\n"),
			 PQresultErrorMessage(res));
	} else if (!strncmp(state, "53", 2)) {
		/* Insufficient resources: disk full, out of memory, too many
		 * connections.  The transaction is undone; say so. */
		err = LD_EUNAVAILABLE;
		log_error("database out of resources in %s: %s %.*s", name,
			  state, (int)strcspn(PQresultErrorMessage(res), "\n"),
			  PQresultErrorMessage(res));
	} else {
		/* A prepared plan the schema moved under ("cached plan must
		 * not change result type"): start afresh on a new connection.
		 */
		if (!strcmp(state, "0A000"))
			db->lost = true;
		const char *msg = PQresultErrorMessage(res);
		log_error("database error in %s: %s %.*s", name, state,
			  (int)strcspn(msg, "\n"), msg);
	}
	PQclear(res);
	return err;
}

#define DB_STR_(x) #x
#define DB_STR(x)  DB_STR_(x)

enum ld_err db_exec_batches(struct db *db, const char *name, const char *sql,
			    int nparams, const char *const *params,
			    enum ld_err (*fn)(const PGresult *res, void *arg),
			    void *arg)
{
	struct buf declare;
	buf_init(&declare, strlen(sql) + 64);
	buf_printf(&declare, "DECLARE ld_batches NO SCROLL CURSOR FOR %s", sql);
	/* Every row is read: planned for all of them, not the first tenth
	 * (a cursor's default read the history by a scan of every task
	 * rather than by its two indexes, 0.3 s more at full size). */
	enum ld_err err = db_exec(
		db, name, "SET LOCAL cursor_tuple_fraction = 1", 0, NULL, NULL);
	if (!err)
		err = db_exec(db, name, buf_str(&declare), nparams, params,
			      NULL);
	buf_release(&declare);
	enum ld_err refused = LD_OK;
	while (!err && !refused) {
		PGresult *res = NULL;
		if ((err = db_exec(db, name,
				   "FETCH " DB_STR(DB_FETCH_ROWS) " FROM "
								  "ld_batches",
				   0, NULL, &res)))
			break;
		int n = PQntuples(res);
		refused = n ? fn(res, arg) : LD_OK;
		PQclear(res);
		if (n < DB_FETCH_ROWS)
			break;
	}
	/* Closed after fn's refusal too: the transaction may go on. */
	if (!err)
		err = db_exec(db, name, "CLOSE ld_batches", 0, NULL, NULL);
	return refused ? refused : err;
}

enum ld_err db_begin(struct db *db)
{
	return db_exec(db, "begin", "BEGIN", 0, NULL, NULL);
}

enum ld_err db_commit(struct db *db)
{
	return db_exec(db, "commit", "COMMIT", 0, NULL, NULL);
}

void db_rollback(struct db *db)
{
	if (db->pg && PQtransactionStatus(db->pg) != PQTRANS_IDLE)
		PQclear(PQexec(db->pg, "ROLLBACK"));
}

static enum ld_err ping(struct db *db, void *ctx)
{
	(void)ctx;
	return db_exec(db, "ping", "SELECT 1", 0, NULL, NULL);
}

enum ld_err store_ping(struct store *s)
{
	return db_run(s, ping, NULL);
}

static enum ld_err schema_version(struct db *db, void *ctx)
{
	PGresult *res;
	enum ld_err err =
		db_exec(db, "schema_version",
			"SELECT to_regclass('schema_migration') IS NOT NULL", 0,
			NULL, &res);
	if (err)
		return err;
	bool exists = PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	if (!exists)
		return LD_ENOTFOUND;
	err = db_exec(db, "schema_version",
		      "SELECT coalesce(max(version), 0) FROM schema_migration",
		      0, NULL, &res);
	if (err)
		return err;
	*(int *)ctx = (int)db_long(res, 0, 0);
	PQclear(res);
	return LD_OK;
}

enum ld_err store_schema_version(struct store *s, int *version)
{
	return db_run(s, schema_version, version);
}

long db_long(const PGresult *res, int row, int col)
{
	const char *v = PQgetvalue(res, row, col);
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || end == v || *end) {
		log_error(
			"database returned \"%s\" where a number was expected",
			v);
		return 0;
	}
	return n;
}

long db_affected(PGresult *res)
{
	const char *v = PQcmdTuples(res);
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	return errno || end == v || *end ? 0 : n;
}

enum ld_err db_begin_as(struct db *db, int64_t actor_id)
{
	struct db_num n;
	const char *params[] = {db_num(&n, actor_id)};
	enum ld_err err = db_begin(db);
	if (err)
		return err;
	return db_exec(db, "actor",
		       "SELECT set_config('linkdesk.actor', $1, true)", 1,
		       params, NULL);
}

enum ld_err db_json(struct db *db, const char *name, const char *sql,
		    int nparams, const char *const *params, char **json)
{
	PGresult *res;
	enum ld_err err = db_exec(db, name, sql, nparams, params, &res);
	if (err)
		return err;
	if (PQntuples(res) == 0 || PQgetisnull(res, 0, 0)) {
		PQclear(res);
		return LD_ENOTFOUND;
	}
	*json = xstrdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return LD_OK;
}

const char *db_num(struct db_num *n, int64_t v)
{
	snprintf(n->s, sizeof(n->s), "%lld", (long long)v);
	return n->s;
}

const char *db_hex(struct db_hex *h, const unsigned char *bytes, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	size_t o = 0;
	if (len > 64)
		len = 64;
	h->s[o++] = '\\';
	h->s[o++] = 'x';
	for (size_t i = 0; i < len; i++) {
		h->s[o++] = digits[bytes[i] >> 4];
		h->s[o++] = digits[bytes[i] & 15];
	}
	h->s[o] = '\0';
	return h->s;
}

struct json_ctx {
	const char *name;
	const char *sql;
	int n;
	const char *const *params;
	char **json;
};

static enum ld_err json_query(struct db *db, void *arg)
{
	struct json_ctx *c = arg;
	return db_json(db, c->name, c->sql, c->n, c->params, c->json);
}

enum ld_err db_run_json(struct store *s, const char *name, const char *sql,
			int nparams, const char *const *params, char **json)
{
	struct json_ctx c = {name, sql, nparams, params, json};
	return db_run(s, json_query, &c);
}

const char *db_date(struct db_date *d, int32_t day)
{
	if (!day)
		return NULL;
	date_format(day, d->s);
	return d->s;
}

int32_t db_day(const PGresult *res, int row, int col)
{
	int32_t day;
	if (PQgetisnull(res, row, col) ||
	    date_parse(PQgetvalue(res, row, col), &day))
		return 0;
	return day;
}

void filter_init(struct filter *f)
{
	buf_init(&f->sql, 4096);
	f->n = 0;
}

void filter_release(struct filter *f)
{
	buf_release(&f->sql);
}

int filter_param(struct filter *f, const char *value)
{
	/* The callers add a fixed, small set of filters. */
	if (f->n == FILTER_MAX_PARAMS)
		abort();
	f->params[f->n++] = value;
	return f->n;
}

void filter_add(struct filter *f, const char *clause, const char *value)
{
	if (!value)
		return;
	buf_addstr(&f->sql, " AND ");
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	buf_printf(&f->sql, clause, filter_param(f, value));
#pragma GCC diagnostic pop
}

void filter_add_if(struct filter *f, bool cond, const char *clause)
{
	if (cond) {
		buf_addstr(&f->sql, " AND ");
		buf_addstr(&f->sql, clause);
	}
}

enum ld_err filter_page(struct db *db, const char *name, struct filter *f,
			const struct page_query *q, char **json)
{
	struct db_num limit, offset;
	struct buf sql;
	int lim = filter_param(f, db_num(&limit, q->per_page));
	int off = filter_param(
		f, db_num(&offset, (int64_t)(q->page - 1) * q->per_page));

	/* The filter inlined twice: the page read in index order, the total
	 * counted from the index. */
	buf_init(&sql, 8192);
	buf_printf(&sql,
		   "WITH f AS NOT MATERIALIZED (SELECT %s WHERE true%s),"
		   " p AS (SELECT * FROM f ORDER BY %s LIMIT $%d OFFSET $%d)"
		   " SELECT json_build_object('items', (SELECT"
		   " coalesce(json_agg(d.doc ORDER BY %s), '[]')"
		   " FROM p JOIN %s d ON d.id = p.id),"
		   " 'total', (SELECT count(*) FROM f),"
		   " 'page', $%d::int / $%d::int + 1, 'per_page', $%d::int)",
		   q->rows, buf_str(&f->sql), q->order, lim, off,
		   q->items_order, q->view, off, lim, lim);
	enum ld_err err =
		db_json(db, name, buf_str(&sql), f->n, f->params, json);
	buf_release(&sql);
	filter_release(f);
	return err;
}

static enum ld_err snapshot_query(struct db *db, void *arg)
{
	char **version = arg;
	PGresult *res;
	/*
	 * The set of committed transactions is the data's version: the same
	 * snapshot (xmin:xmax:in-progress) sees the same data.  Sessions are
	 * touched at most once a minute, so reads alone leave it alone.
	 */
	enum ld_err err =
		db_exec(db, "data_version",
			"SELECT pg_current_snapshot()::text", 0, NULL, &res);
	if (err)
		return err;
	*version = xstrdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return LD_OK;
}

enum ld_err store_snapshot(struct store *s, char **version)
{
	*version = NULL;
	return db_run(s, snapshot_query, version);
}

static void memo_drop(struct store *s, struct memo *m)
{
	if (m->json)
		s->memo_bytes -= strlen(m->json);
	free(m->key);
	free(m->version);
	free(m->json);
	memset(m, 0, sizeof(*m));
}

char *store_memo_get(struct store *s, const char *key, const char *version)
{
	char *text = NULL;
	pthread_mutex_lock(&s->lock);
	for (int i = 0; i < MEMO_SLOTS; i++) {
		struct memo *m = &s->memo[i];
		if (m->key && !strcmp(m->key, key) &&
		    !strcmp(m->version, version)) {
			m->used = ++s->memo_clock;
			text = xstrdup(m->json);
			break;
		}
	}
	pthread_mutex_unlock(&s->lock);
	return text;
}

void store_memo_put(struct store *s, const char *key, const char *version,
		    const char *text)
{
	size_t len = strlen(text);
	if (len > MEMO_MAX_BYTES / 2)
		return;
	pthread_mutex_lock(&s->lock);
	/* One entry a key; then room, the least recently used first. */
	struct memo *slot = NULL;
	for (int i = 0; i < MEMO_SLOTS; i++)
		if (s->memo[i].key && !strcmp(s->memo[i].key, key))
			memo_drop(s, &s->memo[i]);
	for (;;) {
		struct memo *oldest = NULL;
		slot = NULL;
		for (int i = 0; i < MEMO_SLOTS; i++) {
			struct memo *m = &s->memo[i];
			if (!m->key && !slot)
				slot = m;
			if (m->key && (!oldest || m->used < oldest->used))
				oldest = m;
		}
		if (slot && s->memo_bytes + len <= MEMO_MAX_BYTES)
			break;
		memo_drop(s, oldest);
	}
	slot->key = xstrdup(key);
	slot->version = xstrdup(version);
	slot->json = xstrdup(text);
	slot->used = ++s->memo_clock;
	s->memo_bytes += len;
	pthread_mutex_unlock(&s->lock);
}

enum claimed { CLAIMED, UNCLAIMED, WAITED };

/*
 * Claim key@version for computing (*slot), or wait while another thread
 * computes it (a burst of the same request computes once) and say how
 * that went (*err).  UNCLAIMED: every claim slot busy, compute without.
 */
static enum claimed memo_claim(struct store *s, const char *claim, int *slot,
			       enum ld_err *err)
{
	pthread_mutex_lock(&s->lock);
	int free_slot = -1;
	for (int i = 0; i < MEMO_SLOTS; i++) {
		struct claim *c = &s->computing[i];
		if (!c->key) {
			free_slot = free_slot < 0 ? i : free_slot;
			continue;
		}
		if (c->done || strcmp(c->key, claim))
			continue;
		c->waiters++;
		while (!c->done)
			pthread_cond_wait(&s->computed, &s->lock);
		*err = c->err;
		if (--c->waiters == 0) {
			free(c->key);
			memset(c, 0, sizeof(*c));
		}
		pthread_mutex_unlock(&s->lock);
		return WAITED;
	}
	if (free_slot >= 0)
		s->computing[free_slot].key = xstrdup(claim);
	*slot = free_slot;
	pthread_mutex_unlock(&s->lock);
	return free_slot >= 0 ? CLAIMED : UNCLAIMED;
}

static void memo_release_claim(struct store *s, int slot, enum ld_err err)
{
	pthread_mutex_lock(&s->lock);
	struct claim *c = &s->computing[slot];
	c->done = true;
	c->err = err;
	if (!c->waiters) {
		free(c->key);
		memset(c, 0, sizeof(*c));
	}
	pthread_cond_broadcast(&s->computed);
	pthread_mutex_unlock(&s->lock);
}

enum ld_err store_remember(struct store *s, const char *key,
			   enum ld_err (*compute)(void *ctx, char **text),
			   void *ctx, char **text)
{
	char *version;
	enum ld_err err = store_snapshot(s, &version);
	if (err)
		return err;
	size_t klen = strlen(key), vlen = strlen(version);
	char *claim = xmalloc(klen + vlen + 2);
	memcpy(claim, key, klen);
	claim[klen] = '@';
	memcpy(claim + klen + 1, version, vlen + 1);
	enum claimed how;
	int slot = -1;
	for (;;) {
		if ((*text = store_memo_get(s, key, version)))
			goto done;
		how = memo_claim(s, claim, &slot, &err);
		if (how != WAITED)
			break;
		/* Another thread computed it: its failure is this one's too;
		 * otherwise it is there, unless it was too big to keep, and
		 * then the waiters claim it again, one computing at a time
		 * (all at once, a burst of 64 built a 4 MB feed 64 times
		 * over, in 784 MB). */
		if (err)
			goto done;
	}
	/*
	 * Computed after the version was read: if anything committed in
	 * between, later readers' snapshots differ and they compute afresh.
	 */
	err = compute(ctx, text);
	if (!err)
		store_memo_put(s, key, version, *text);
	if (how == CLAIMED)
		memo_release_claim(s, slot, err);
done:
	free(claim);
	free(version);
	return err;
}

struct json_memo_ctx {
	struct store *s;
	const char *name, *sql;
	int n;
	const char *const *params;
};

static enum ld_err json_memo_compute(void *arg, char **json)
{
	struct json_memo_ctx *c = arg;
	return db_run_json(c->s, c->name, c->sql, c->n, c->params, json);
}

enum ld_err db_run_json_memo(struct store *s, const char *key, const char *name,
			     const char *sql, int nparams,
			     const char *const *params, char **json)
{
	struct json_memo_ctx c = {s, name, sql, nparams, params};
	return store_remember(s, key, json_memo_compute, &c, json);
}

const char *db_id_array(struct buf *b, const int64_t *ids, int n)
{
	buf_addch(b, '{');
	for (int i = 0; i < n; i++)
		buf_printf(b, "%s%lld", i ? "," : "", (long long)ids[i]);
	buf_addch(b, '}');
	return buf_str(b);
}
