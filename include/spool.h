/*
 * Spool files: anonymous temporary files (unlinked at once, gone when
 * closed) that hold an upload or a download while it crosses the network,
 * so that no database connection waits on a client.
 */
#ifndef SPOOL_H
#define SPOOL_H

/* A new empty spool file in dir, open for reading and writing; -1 on error. */
int spool_open(const char *dir);

#endif
