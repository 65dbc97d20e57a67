/*
 * Spool files: anonymous temporary files (unlinked at once, gone when
 * closed) that hold an upload or a download while it crosses the network,
 * so that no database connection waits on a client.
 */
#ifndef SPOOL_H
#define SPOOL_H

#include "ld_err.h"

/* A new empty spool file in dir, open for reading and writing; -1 on error. */
int spool_open(const char *dir);

/*
 * The error for a spool that could not be made or written, from errno: a
 * full disk (ENOSPC, EDQUOT) is an outage (503, try again later), anything
 * else LD_EIO.
 */
enum ld_err spool_failed(void);

/*
 * Remove bundle folders in dir that a server killed while making a bundle
 * left behind (any over an hour old: no bundle takes that long, and another
 * server's bundle in progress is younger).
 */
void spool_sweep(const char *dir);

#endif
