/*
 * The store: the one way in to PostgreSQL.  Only server/store/ includes
 * libpq; everything else calls these functions.  A store owns a bounded
 * pool of connections shared by every thread.
 *
 * Functions return LD_EUNAVAILABLE when the database cannot be reached (the
 * HTTP layer answers 503), LD_ETIMEOUT when a statement ran out of its
 * statement_timeout or lock_timeout (503 too; nothing of the change is kept)
 * and LD_EDB for an unexpected database error, whose text is logged and
 * never sent to a client.
 *
 * Who owns what comes back, for every store header (as git's strbuf.h
 * says it once for all its calls): a `char **json` or other `char **`
 * out-parameter is set only on LD_OK, to a NUL-terminated string the
 * store allocated and the caller releases with free(); on an error it is
 * not touched (callers start it at NULL and free it either way).  A
 * `struct why *` is the caller's, filled on a refusal (LD_EVALIDATION,
 * LD_ECONFLICT, LD_EPRECONDITION) with the field and a sentence for the
 * reader.  Structs filled in (`struct ..._out`, lists) say in their own
 * header how they are released.  Strings passed in are only read, and
 * only during the call.
 */
#ifndef STORE_H
#define STORE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ld_err.h"

/*
 * The longest a unit of work waits for a pooled connection when every one
 * is busy; then LD_EUNAVAILABLE.  Leases that must cover a unit of work
 * (the outbox's) count it.
 */
#define STORE_ACQUIRE_TIMEOUT_SECONDS 10

struct store;
struct workcal;
struct holiday_feed;
struct holiday_plan;

/* A schema migration embedded in the binary from sql/NNN_name.sql. */
struct migration {
	int version;
	const char *name;
	const char *sql;
};

/* The migrations of this build, in order (generated at build time). */
extern const struct migration migrations[];
extern const size_t migrations_count;

/*
 * sql/functions/: the read models' functions (and what else is defined by
 * CREATE OR REPLACE), the one place each is written.  Applied after the
 * migrations, in file order, each file in a transaction of its own
 * whenever its text differs from what the database last took.  A
 * migration may therefore use only what migrations define.
 */
extern const struct migration repeatables[];
extern const size_t repeatables_count;

/*
 * Create a store with at most pool_size connections.  Connections are made
 * lazily, so this succeeds while the database is down.  Free with
 * store_free().
 */
struct store *store_new(const char *conninfo, int pool_size);

/*
 * Give every connection the store makes from now on a statement_timeout
 * and a lock_timeout (milliseconds; 0 for none).  A statement that runs
 * out of either fails with LD_ETIMEOUT and its transaction is rolled back.
 * Call before the store's first use: connections already made keep theirs.
 */
void store_set_timeouts(struct store *s, long statement_ms, long lock_ms);
void store_free(struct store *s);

/* A round trip to the database: LD_OK or LD_EUNAVAILABLE. */
enum ld_err store_ping(struct store *s);

/*
 * The highest migration applied; LD_ENOTFOUND when the database has never
 * been migrated.
 */
enum ld_err store_schema_version(struct store *s, int *version);

/*
 * Apply every migration not yet recorded, each in its own transaction, in
 * order, under an advisory lock so two processes cannot race.  *applied is
 * set to how many were applied now.  On failure why holds a one-line reason
 * and the failed migration has left nothing behind.
 *
 * s connects as the role that owns the schema.  Then, in one more
 * transaction, the runtime role (the user of runtime_conninfo, the
 * server's connection) is given again exactly the rights the server needs,
 * so tables added since are covered: SELECT, INSERT, UPDATE and DELETE on
 * the tables, but only SELECT and INSERT on audit_log and SELECT on
 * schema_migration; USAGE and SELECT on the sequences; EXECUTE on the
 * functions; and the large objects the owner holds (from a restore) become
 * the runtime role's, which reads and unlinks them.  Being no owner, the
 * runtime role cannot ALTER, DROP, TRUNCATE or disable a trigger.  When
 * both name the same role, that is said in why's stead in the log and no
 * rights change.
 */
enum ld_err migrate_store_apply(struct store *s, const struct migration *m,
				size_t n, const char *runtime_conninfo,
				int *applied, char *why, size_t whylen);

/*
 * The installation's bank-holiday division is one setting, in the database
 * (setting.holiday_division), read by C and SQL alike; `linkdesk migrate`
 * writes LINKDESK_HOLIDAY_DIVISION there when it is set.  As SQL: the
 * division's name.
 */
#define HOLIDAY_DIVISION_SQL                                                   \
	"coalesce((SELECT value FROM setting WHERE name = "                    \
	"'holiday_division'),"                                                 \
	" 'england-and-wales')"

/*
 * The working days core's calendar counts for figures SQL reads in bulk:
 * each sent task's (task_days, for the KPIs) and each complaint's stages'
 * (complaint_days, for the Complaint Handling Code), over the rows queued
 * (changed since, or every row once the holidays changed), in batches of
 * their own transactions; *filled counts the rows taken.  Call before
 * reading figures.
 */
enum ld_err days_store_fill(struct store *s, const struct workcal *cal,
			    int *filled);

/*
 * Queue every sent task and every complaint without its days (rows written
 * with the triggers off, as the benchmark's generator does): once, as the
 * server starts.
 */
enum ld_err days_store_sweep(struct store *s);

/* Make division (one of holiday_feed_divisions) the installation's. */
enum ld_err holiday_store_set_division(struct store *s, const char *division);

/*
 * Load the holidays of a division (NULL or "": the installation's) into
 * cal, with the covered range being every whole year that has holidays
 * loaded.
 */
enum ld_err holiday_store_load(struct store *s, const char *division,
			       struct workcal *cal);

/*
 * Make every division and year present in feed hold exactly the feed's
 * holidays, writing only the days that differ (holiday_plan_make() says
 * which), in one transaction that also NOTIFYs running servers (see
 * holiday_store_watch).  Unless force, an import the plan refuses (a year
 * losing published days, or left short of its standard days) changes
 * nothing and returns LD_EVALIDATION.  *plan says what changed, or would
 * have; release it with holiday_plan_release().
 */
enum ld_err holiday_store_import(struct store *s,
				 const struct holiday_feed *feed, bool force,
				 struct holiday_plan *plan);

/*
 * Hear holiday imports by any process: on a connection of its own (never
 * one of the pool's) LISTEN for them and call changed(ctx) for each, and
 * once after every (re)connection, since one may have come while nobody
 * listened.  Reconnects every five seconds while the database is away.
 * Returns within a quarter of a second of *stop being set.
 */
void holiday_store_watch(const char *conninfo, atomic_bool *stop,
			 void (*changed)(void *), void *ctx);

/*
 * Add provisional England and Wales holidays, from the standard rules, for
 * each year from..to that has none yet.  *added counts years filled.
 */
enum ld_err holiday_store_generate(struct store *s, int from, int to,
				   int *added);

struct holiday_row {
	int32_t day;
	char title[128];
	char notes[128];
	bool provisional;
};

/*
 * Call fn for each holiday of a division (NULL or "": the installation's)
 * in a year (0: all), by date.
 */
enum ld_err holiday_store_list(struct store *s, const char *division, int year,
			       void (*fn)(const struct holiday_row *, void *),
			       void *ctx);

/*
 * Run the demo organisation's SQL in one transaction if the database holds
 * no organisation yet (no organisation_name setting), its dates relative to
 * today; *loaded says whether it ran.
 */
enum ld_err store_seed_demo(struct store *s, const char *sql, int32_t today,
			    bool *loaded);

/*
 * Answers remembered per database snapshot.  store_snapshot() names the
 * committed state now (free() it); an answer put under a key and that
 * version is got back only while nothing has committed since, so it is
 * the answer computing afresh would give.  Entries are few and bounded in
 * bytes (16 MB in all, 8 MB each); the least recently used go first.
 */
enum ld_err store_snapshot(struct store *s, char **version);
char *store_memo_get(struct store *s, const char *key, const char *version);
void store_memo_put(struct store *s, const char *key, const char *version,
		    const char *text);

/*
 * The text remembered under key for the current snapshot, or compute(ctx)'s
 * (malloc'd) and remember it; a burst of callers computes once, and an
 * answer too big to remember one caller at a time.  free() *text.
 */
enum ld_err store_remember(struct store *s, const char *key,
			   enum ld_err (*compute)(void *ctx, char **text),
			   void *ctx, char **text);

#endif
