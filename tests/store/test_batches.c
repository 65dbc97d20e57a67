/*
 * A long answer read in batches through a cursor (db_exec_batches): every
 * row once and in order, whatever the count against the batch's size, and
 * a batch's refusal stops the read.  The forecast's history is read so,
 * where it was one PGresult of 200,000 rows at full size.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <libpq-fe.h>

#include "db.h"
#include "store.h"

static struct store *s;

struct read {
	long n;		 /* rows to ask for */
	long rows, next; /* rows seen, the value the next must hold */
	int batches;	 /* fn's calls */
	int stop_after;	 /* 0, or refuse the batch after this many */
	bool out_of_order;
	bool refused; /* fn refused a batch, the transaction went on */
};

static enum ld_err batch(const PGresult *res, void *arg)
{
	struct read *r = arg;
	if (r->stop_after && r->batches == r->stop_after)
		return LD_EINVAL;
	r->batches++;
	for (int i = 0; i < PQntuples(res); i++) {
		if (atol(PQgetvalue(res, i, 0)) != r->next)
			r->out_of_order = true;
		r->next++;
		r->rows++;
	}
	return LD_OK;
}

static enum ld_err read_one(struct db *db, struct read *r)
{
	char n[24];
	snprintf(n, sizeof(n), "%ld", r->n);
	const char *params[] = {n};
	return db_exec_batches(db, "test_batches",
			       "SELECT g FROM generate_series(1, $1::int) g"
			       " ORDER BY g",
			       1, params, batch, r);
}

/* The reads of reads[] one after the other in one transaction, each
 * going on after the one before was refused: the first error. */
struct reads {
	struct read *r;
	int n;
};

static enum ld_err reads_unit(struct db *db, void *arg)
{
	struct reads *rs = arg;
	enum ld_err first = db_begin(db);
	for (int i = 0; !first && i < rs->n; i++) {
		enum ld_err err = read_one(db, &rs->r[i]);
		if (err && err != LD_EINVAL)
			first = err; /* a statement's: the transaction is lost
				      */
		else if (err && !first)
			rs->r[i].refused = true;
	}
	if (!first)
		return db_commit(db);
	db_rollback(db);
	return first;
}

static enum ld_err read_unit(struct db *db, void *arg)
{
	struct reads rs = {arg, 1};
	enum ld_err err = reads_unit(db, &rs);
	if (!err && rs.r[0].refused)
		err = LD_EINVAL;
	return err;
}

static struct read read_rows(long n, int stop_after, enum ld_err *err)
{
	struct read r = {.n = n, .next = 1, .stop_after = stop_after};
	*err = db_run(s, read_unit, &r);
	return r;
}

static void test_every_row_once_in_order(void **state)
{
	(void)state;
	static const struct {
		long n;
		int batches;
	} cases[] = {
		{0, 0},
		{1, 1},
		{DB_FETCH_ROWS - 1, 1},
		{DB_FETCH_ROWS, 1},
		{DB_FETCH_ROWS + 1, 2},
		{2 * DB_FETCH_ROWS, 2},
		{2 * DB_FETCH_ROWS + DB_FETCH_ROWS / 2, 3},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum ld_err err;
		struct read r = read_rows(cases[i].n, 0, &err);
		assert_int_equal(err, LD_OK);
		assert_int_equal(r.rows, cases[i].n);
		assert_int_equal(r.batches, cases[i].batches);
		assert_false(r.out_of_order);
	}
}

/* Reads one after another in one transaction, the second after the
 * first's refused batch: each finds its cursor's name free. */
static void test_reads_in_one_transaction(void **state)
{
	(void)state;
	struct read r[3] = {
		{.n = DB_FETCH_ROWS + 7, .next = 1},
		{.n = 3 * DB_FETCH_ROWS, .next = 1, .stop_after = 1},
		{.n = 5, .next = 1},
	};
	struct reads rs = {r, 3};
	assert_int_equal(db_run(s, reads_unit, &rs), LD_OK);
	assert_int_equal(r[0].rows, DB_FETCH_ROWS + 7);
	assert_false(r[0].refused);
	assert_true(r[1].refused);
	assert_int_equal(r[1].rows, DB_FETCH_ROWS);
	assert_false(r[2].refused);
	assert_int_equal(r[2].rows, 5);
	assert_false(r[2].out_of_order);
}

static void test_refused_batch_stops(void **state)
{
	(void)state;
	enum ld_err err;
	struct read r = read_rows(3 * DB_FETCH_ROWS, 1, &err);
	assert_int_equal(err, LD_EINVAL);
	assert_int_equal(r.batches, 1);
	assert_int_equal(r.rows, DB_FETCH_ROWS);
	/* The refused transaction undone, the connection serves again. */
	r = read_rows(DB_FETCH_ROWS + 5, 0, &err);
	assert_int_equal(err, LD_OK);
	assert_int_equal(r.rows, DB_FETCH_ROWS + 5);
}

static int setup(void **state)
{
	(void)state;
	s = store_new(getenv("LINKDESK_DATABASE_URL"), 1);
	return s ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	store_free(s);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_row_once_in_order),
		cmocka_unit_test(test_reads_in_one_transaction),
		cmocka_unit_test(test_refused_batch_stops),
	};
	return cmocka_run_group_tests_name("batches", tests, setup, teardown);
}
