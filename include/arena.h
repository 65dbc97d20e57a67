/*
 * A per-request memory arena, after PostgreSQL's memory contexts: everything
 * allocated while answering one request is freed at once by arena_free().
 * Objects from other libraries (a PGresult, a json_t) are handed to the arena
 * with arena_defer() and released with it, in reverse order.
 */
#ifndef ARENA_H
#define ARENA_H

#include <stddef.h>

struct arena;

struct arena *arena_new(void);

/* Free every allocation and run every deferred release; NULL is a no-op. */
void arena_free(struct arena *a);

/* Memory aligned for any type, valid until arena_free(); never NULL. */
void *arena_alloc(struct arena *a, size_t size);
void *arena_calloc(struct arena *a, size_t nmemb, size_t size);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Call release(p) when the arena is freed. */
void arena_defer(struct arena *a, void (*release)(void *), void *p);

#endif
