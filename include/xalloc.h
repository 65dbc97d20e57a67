/*
 * Allocation that never returns NULL.  Out of memory is treated as fatal, as
 * Redis's zmalloc and PostgreSQL's palloc do: the process logs one line and
 * aborts.  Every caller can therefore use the result without a check.
 */
#ifndef XALLOC_H
#define XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
