/*
 * Answers remembered per snapshot (store_remember): a burst of callers of
 * one key computes it once, and an answer too big to remember (a feed of
 * a 9,000-task area, 4 MB, when the limit was 4 MB) is computed by one
 * caller at a time, not by every waiter at once: a burst of 64 built it
 * 64 times over in parallel, 784 MB of the server's memory.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "store.h"

#define CALLERS 4

static struct store *s;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int running, most, computed;
static size_t answer_len;
static const char *key;
static enum ld_err outcome; /* what compute answers */

static int setup(void **state)
{
	(void)state;
	s = store_new(getenv("LINKDESK_DATABASE_URL"), CALLERS);
	return s ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	store_free(s);
	return 0;
}

/* An answer of answer_len bytes, taking 200 ms. */
static enum ld_err compute(void *ctx, char **text)
{
	(void)ctx;
	pthread_mutex_lock(&lock);
	computed++;
	if (++running > most)
		most = running;
	pthread_mutex_unlock(&lock);
	usleep(200 * 1000);
	*text = malloc(answer_len + 1);
	memset(*text, 'x', answer_len);
	(*text)[answer_len] = '\0';
	pthread_mutex_lock(&lock);
	running--;
	pthread_mutex_unlock(&lock);
	if (outcome) {
		free(*text);
		*text = NULL;
	}
	return outcome;
}

static void *caller(void *arg)
{
	char *text = NULL;
	enum ld_err *err = arg;
	*err = store_remember(s, key, compute, NULL, &text);
	if (*err == outcome && outcome)
		return NULL;
	if (!*err && strlen(text) != answer_len)
		*err = LD_EINTERNAL;
	free(text);
	return NULL;
}

/* CALLERS at once for key k; nothing commits meanwhile. */
static void burst(const char *k, size_t len)
{
	pthread_t t[CALLERS];
	enum ld_err err[CALLERS];
	running = most = computed = 0;
	answer_len = len;
	key = k;
	for (int i = 0; i < CALLERS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, caller, &err[i]),
				 0);
	for (int i = 0; i < CALLERS; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(err[i], outcome);
	}
}

static void test_a_burst_computes_once(void **state)
{
	(void)state;
	burst("memo test small", 1000);
	assert_int_equal(computed, 1);
	assert_int_equal(most, 1);
}

/* 5 MB (the feed was 4.2 MB): remembered now (an entry may be 8 MB). */
static void test_a_big_answer_is_remembered(void **state)
{
	(void)state;
	burst("memo test 5 MB", 5u << 20);
	assert_int_equal(computed, 1);
}

/* 9 MB, too big to remember: computed by each caller, one at a time. */
static void test_too_big_to_remember_one_at_a_time(void **state)
{
	(void)state;
	burst("memo test 9 MB", 9u << 20);
	assert_int_equal(computed, CALLERS);
	assert_int_equal(most, 1);
}

/* A computation that fails fails for those that waited for it: once. */
static void test_a_failure_is_the_waiters_too(void **state)
{
	(void)state;
	outcome = LD_EUNAVAILABLE;
	burst("memo test failing", 1000);
	outcome = LD_OK;
	assert_int_equal(computed, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_burst_computes_once),
		cmocka_unit_test(test_a_big_answer_is_remembered),
		cmocka_unit_test(test_too_big_to_remember_one_at_a_time),
		cmocka_unit_test(test_a_failure_is_the_waiters_too),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
