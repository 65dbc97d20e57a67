/*
 * Internals of the store, shared by the files of server/store/ only: this is
 * the one header that includes libpq.
 */
#ifndef STORE_DB_H
#define STORE_DB_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "ld_err.h"
#include "store.h"

/*
 * Each connection keeps up to this many statements prepared (parsed once,
 * planned by PostgreSQL's plan cache); past it, statements run unprepared.
 */
#define DB_PREPARED_MAX 512

/* A pooled connection, lent to one unit of work at a time. */
struct db {
	PGconn *pg;
	bool reused;	/* was connected before this unit of work began */
	int statements; /* statements that succeeded in this unit of work */
	bool lost;	/* the connection failed: drop it on release */
	bool retryable; /* lost before anything ran: safe to run again */
	char constraint[64]; /* of the last integrity violation */
	/* Statements prepared on this connection, by a hash of their text. */
	uint64_t prepared[DB_PREPARED_MAX];
	int nprepared;
};

/*
 * Borrow a pooled connection for work that spans several calls (an upload,
 * a streamed download); give it back with db_release(), which drops it if
 * it failed or was left inside a transaction.
 */
enum ld_err db_acquire(struct store *s, struct db **out);
void db_release(struct store *s, struct db *db);

/*
 * Run fn on a pooled connection.  When a connection that sat in the pool
 * turns out to be dead before any statement succeeds (the database was
 * restarted), the unit is run once more on a fresh connection.
 */
enum ld_err db_run(struct store *s, enum ld_err (*fn)(struct db *, void *),
		   void *ctx);

/*
 * Execute one parameterised statement (text parameters, text results).  On
 * success *res holds the result (PQclear it; may pass NULL to discard).  A
 * unique violation is LD_ECONFLICT, a foreign-key or check violation
 * LD_EVALIDATION (db->constraint names it), a lost connection
 * LD_EUNAVAILABLE, a statement or lock timeout LD_ETIMEOUT (the caller rolls
 * back), anything else LD_EDB with libpq's text logged.
 */
enum ld_err db_exec(struct db *db, const char *name, const char *sql,
		    int nparams, const char *const *params, PGresult **res);

/*
 * Inside a transaction: sql through a cursor, each batch of at most
 * DB_FETCH_ROWS rows handed to fn as it comes (fn's result, LD_OK to go
 * on), so a long answer is never held whole: the forecast's history was
 * 35 MB of PGresult at full size, kept by malloc long after.  Errors as
 * db_exec(); after a statement's error the transaction can only be rolled
 * back, after fn's it may go on (the cursor is closed either way, or dies
 * with the transaction).  The rest of the transaction plans cursors for
 * every row (cursor_tuple_fraction = 1), and the statement timeout is each
 * batch's, not the whole read's.
 */
#define DB_FETCH_ROWS 10000
enum ld_err db_exec_batches(struct db *db, const char *name, const char *sql,
			    int nparams, const char *const *params,
			    enum ld_err (*fn)(const PGresult *res, void *arg),
			    void *arg);

enum ld_err db_begin(struct db *db);

/*
 * Begin a transaction acting for a user: the audit trigger records actor_id
 * on every row the transaction changes.
 */
enum ld_err db_begin_as(struct db *db, int64_t actor_id);

/*
 * Run a statement whose one row and column is JSON text; *json is a malloc'd
 * copy.  LD_ENOTFOUND when there is no row or the value is NULL.
 */
enum ld_err db_json(struct db *db, const char *name, const char *sql,
		    int nparams, const char *const *params, char **json);

/* db_json() on a pooled connection, outside any transaction. */
enum ld_err db_run_json(struct store *s, const char *name, const char *sql,
			int nparams, const char *const *params, char **json);

/* Decimal text of a number, for a statement parameter. */
struct db_num {
	char s[24];
};
const char *db_num(struct db_num *n, int64_t v);

/* "YYYY-MM-DD" of a day number, or NULL for 0 (no date). */
struct db_date {
	char s[11];
};
const char *db_date(struct db_date *d, int32_t day);

/* A date column as a day number (0 when NULL). */
int32_t db_day(const PGresult *res, int row, int col);

/* Hex text "\x..." of bytes, for a bytea parameter. */
struct db_hex {
	char s[2 + 2 * 64 + 1];
};
const char *db_hex(struct db_hex *h, const unsigned char *bytes, size_t len);
enum ld_err db_commit(struct db *db);
/* Roll back, ignoring errors: for the exit path of a failed unit. */
void db_rollback(struct db *db);

/* A fresh connection outside the pool (migrations); NULL with why set. */
PGconn *db_connect(const char *conninfo, char *why, size_t whylen);

/* A whole-number column of a result (0, logged, if it is not one). */
long db_long(const PGresult *res, int row, int col);

/*
 * The text "{1,2,3}" of n ids into b, for an "= ANY($n::bigint[])"
 * parameter; returns b's text.
 */
const char *db_id_array(struct buf *b, const int64_t *ids, int n);

/* Rows changed by an INSERT, UPDATE or DELETE; 0 for anything else. */
long db_affected(PGresult *res);

/* The SQLSTATE of a failed result, or "" */
const char *db_sqlstate(const PGresult *res);

/*
 * db_run_json() for an expensive read (the KPIs), answered from memory when
 * the same key was computed in the same database snapshot: nothing has
 * been committed since, so the answer is the same.
 */
enum ld_err db_run_json_memo(struct store *s, const char *key, const char *name,
			     const char *sql, int nparams,
			     const char *const *params, char **json);

/*
 * A query's WHERE clause built from the filters actually given, so that
 * each combination is its own prepared statement with a plan that uses the
 * indexes (rather than one statement of "$1 IS NULL OR ..." for all).
 */
#define FILTER_MAX_PARAMS 16
struct filter {
	struct buf sql; /* " AND clause" for each filter added */
	const char *params[FILTER_MAX_PARAMS];
	int n;
};

void filter_init(struct filter *f);
void filter_release(struct filter *f);

/* Add a parameter; returns its number ($n) for the caller's SQL. */
int filter_param(struct filter *f, const char *value);

/*
 * Add " AND clause", where clause names the value as "$%d" (once); with a
 * NULL value nothing is added.  filter_add_if() adds a clause without a
 * parameter when cond holds.
 */
void filter_add(struct filter *f, const char *clause, const char *value)
	__attribute__((format(printf, 2, 0)));
void filter_add_if(struct filter *f, bool cond, const char *clause);

/*
 * One page of a filtered list as {items, total, page, per_page}: rows is
 * "columns FROM table alias" whose columns include id and the sort keys,
 * filtered by f; order sorts them (for the page) and, written against "p.",
 * the items; each item is the doc column of view for that id.  Releases f.
 */
struct page_query {
	const char *rows, *order, *items_order, *view;
	int page, per_page;
};
enum ld_err filter_page(struct db *db, const char *name, struct filter *f,
			const struct page_query *q, char **json);

#endif
