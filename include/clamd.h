/*
 * A virus scan by ClamAV's clamd over its socket with INSTREAM: the file is
 * sent in chunks and clamd answers once it has it all.
 */
#ifndef CLAMD_H
#define CLAMD_H

#include <stdbool.h>
#include <stddef.h>

#include "ld_err.h"

struct clamd_stream;

/*
 * Connect to clamd at addr: a UNIX socket path ("/run/clamav/clamd.ctl") or
 * "host:port".  LD_EUNAVAILABLE when it cannot be reached; LD_EIO when it
 * fails after that.
 */
enum ld_err clamd_open(const char *addr, struct clamd_stream **out);

/* Send the next bytes of the file. */
enum ld_err clamd_write(struct clamd_stream *s, const void *data, size_t len);

/*
 * End the stream and read the verdict: *infected, with the signature's
 * name, or clean.  LD_EIO when clamd fails or answers with an error (the
 * file's own, such as its size limit).
 */
enum ld_err clamd_finish(struct clamd_stream *s, bool *infected,
			 char *signature, size_t siglen);

/* Close and free; NULL is a no-op. */
void clamd_close(struct clamd_stream *s);

/*
 * Scan a whole local file (from offset 0): the stream above in one call.
 * Slow work: never on an HTTP thread.
 */
enum ld_err clamd_scan_fd(const char *addr, int fd, bool *infected,
			  char *signature, size_t siglen);

#endif
