#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

void buf_init(struct buf *b, size_t max)
{
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void buf_release(struct buf *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

static enum ld_err grow(struct buf *b, size_t extra)
{
	size_t need;

	if (extra > b->max - b->len)
		return LD_ETOOLARGE;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return LD_OK;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	b->ptr = xrealloc(b->ptr, cap);
	b->cap = cap;
	return LD_OK;
}

enum ld_err buf_add(struct buf *b, const void *mem, size_t len)
{
	enum ld_err err = grow(b, len);
	if (err)
		return err;
	if (len)
		memcpy(b->ptr + b->len, mem, len);
	b->len += len;
	b->ptr[b->len] = '\0';
	return LD_OK;
}

enum ld_err buf_addstr(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

enum ld_err buf_addch(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
}

enum ld_err buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list copy;
	char small[256];
	int n;

	va_copy(copy, ap);
	n = vsnprintf(small, sizeof(small), fmt, copy);
	va_end(copy);
	if (n < 0)
		return LD_EINTERNAL;
	if ((size_t)n < sizeof(small))
		return buf_add(b, small, (size_t)n);

	enum ld_err err = grow(b, (size_t)n);
	if (err)
		return err;
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return LD_OK;
}

enum ld_err buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	enum ld_err err = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return err;
}

const char *buf_str(const struct buf *b)
{
	return b->ptr ? b->ptr : "";
}

char *buf_detach(struct buf *b)
{
	char *p = b->ptr ? b->ptr : xstrdup("");
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}
