/*
 * A growable byte buffer with a size cap, after curl's dynbuf.  Every string
 * the program builds goes through one of these; the cap is the caller's
 * promise of how large the result may reasonably grow.
 *
 * The contents are always NUL-terminated, so buf_str() can be handed to any
 * C string function.  Memory is owned by the buffer until buf_release() or
 * buf_detach().
 */
#ifndef BUF_H
#define BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "ld_err.h"

struct buf {
	char *ptr;
	size_t len;
	size_t cap;
	size_t max; /* the largest len allowed */
};

/* Prepare an empty buffer that may hold at most max bytes. */
void buf_init(struct buf *b, size_t max);

/* Free the contents; the buffer may be used again after buf_init(). */
void buf_release(struct buf *b);

/* Empty the buffer, keeping its memory. */
void buf_reset(struct buf *b);

/* Append bytes; LD_ETOOLARGE (and nothing appended) past the cap. */
enum ld_err buf_add(struct buf *b, const void *mem, size_t len);
enum ld_err buf_addstr(struct buf *b, const char *s);
enum ld_err buf_addch(struct buf *b, char c);
enum ld_err buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
enum ld_err buf_vprintf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* The contents as a C string; "" for an empty buffer.  Owned by b. */
const char *buf_str(const struct buf *b);

/* Hand the contents to the caller (free() them); the buffer is left empty. */
char *buf_detach(struct buf *b);

#endif
