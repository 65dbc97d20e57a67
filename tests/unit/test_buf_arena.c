/* The growable buffer's cap and the arena's lifetime rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "buf.h"

static void test_buf_cap(void **state)
{
	struct buf b;
	(void)state;
	buf_init(&b, 10);
	assert_string_equal(buf_str(&b), "");
	assert_int_equal(buf_addstr(&b, "hello"), LD_OK);
	assert_int_equal(buf_printf(&b, "%d", 1234), LD_OK);
	assert_string_equal(buf_str(&b), "hello1234");
	assert_int_equal(buf_addstr(&b, "ab"), LD_ETOOLARGE);
	assert_string_equal(buf_str(&b), "hello1234"); /* nothing appended */
	assert_int_equal(buf_addch(&b, '!'), LD_OK);
	assert_int_equal(b.len, 10);
	assert_int_equal(buf_printf(&b, "%s", "x"), LD_ETOOLARGE);
	buf_release(&b);

	buf_init(&b, 1 << 20);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(buf_printf(&b, "%0300d", i), LD_OK);
	assert_int_equal(b.len, 300000);
	assert_int_equal(strlen(buf_str(&b)), 300000);
	buf_release(&b);
}

static int released;

static void count_release(void *p)
{
	(void)p;
	released++;
}

static void test_arena(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	char *s = arena_strdup(a, "link officer");
	char *big = arena_alloc(a, 100000); /* larger than a block */
	memset(big, 'x', 100000);
	char *t = arena_printf(a, "%s/%d", s, 42);
	uint64_t *aligned = arena_alloc(a, sizeof(uint64_t));
	*aligned = 7;
	assert_string_equal(t, "link officer/42");
	assert_int_equal((uintptr_t)aligned % _Alignof(uint64_t), 0);
	assert_string_equal(arena_strndup(a, "abcdef", 3), "abc");
	released = 0;
	arena_defer(a, count_release, NULL);
	arena_defer(a, count_release, NULL);
	arena_free(a);
	assert_int_equal(released, 2);
	arena_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_cap),
		cmocka_unit_test(test_arena),
	};
	return cmocka_run_group_tests_name("buf_arena", tests, NULL, NULL);
}
