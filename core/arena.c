#include "arena.h"

#include <stdarg.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define ARENA_BLOCK 8192

struct arena_block {
	struct arena_block *next;
	size_t used;
	size_t size;
	alignas(max_align_t) unsigned char data[];
};

struct arena_defer {
	struct arena_defer *next;
	void (*release)(void *);
	void *p;
};

struct arena {
	struct arena_block *blocks;
	struct arena_defer *defers;
};

struct arena *arena_new(void)
{
	return xcalloc(1, sizeof(struct arena));
}

void arena_free(struct arena *a)
{
	if (!a)
		return;
	for (struct arena_defer *d = a->defers; d;) {
		struct arena_defer *next = d->next;
		d->release(d->p);
		d = next;
	}
	for (struct arena_block *b = a->blocks; b;) {
		struct arena_block *next = b->next;
		free(b);
		b = next;
	}
	free(a);
}

void *arena_alloc(struct arena *a, size_t size)
{
	const size_t align = alignof(max_align_t);
	size_t rounded = (size + align - 1) & ~(align - 1);
	struct arena_block *b = a->blocks;

	if (rounded < size)
		abort(); /* size_t overflow: a programmer error */
	if (!b || b->size - b->used < rounded) {
		size_t want = rounded > ARENA_BLOCK ? rounded : ARENA_BLOCK;
		b = xmalloc(sizeof(*b) + want);
		b->size = want;
		b->used = 0;
		/*
		 * A large block goes behind the current one so the space left
		 * in the current block is still used by later small requests.
		 */
		if (a->blocks && rounded > ARENA_BLOCK) {
			b->next = a->blocks->next;
			a->blocks->next = b;
		} else {
			b->next = a->blocks;
			a->blocks = b;
		}
	}
	void *p = b->data + b->used;
	b->used += rounded;
	return p;
}

void *arena_calloc(struct arena *a, size_t nmemb, size_t size)
{
	if (size && nmemb > SIZE_MAX / size)
		abort();
	void *p = arena_alloc(a, nmemb * size);
	memset(p, 0, nmemb * size);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = arena_alloc(a, len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap, copy;
	va_start(ap, fmt);
	va_copy(copy, ap);
	int n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		abort();
	char *p = arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void arena_defer(struct arena *a, void (*release)(void *), void *p)
{
	struct arena_defer *d = arena_alloc(a, sizeof(*d));
	d->release = release;
	d->p = p;
	d->next = a->defers;
	a->defers = d;
}
