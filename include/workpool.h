/*
 * A small pool of threads for slow work that must not run on an HTTP
 * thread (password hashing, scanning and storing an upload, spooling a
 * download).  The queue is bounded: a job the pool cannot take is refused
 * at once, so a burst turns into quick 503s rather than a growing wait.
 */
#ifndef WORKPOOL_H
#define WORKPOOL_H

#include <stdbool.h>

struct workpool;

/* Start threads workers with room for queue waiting jobs. */
struct workpool *workpool_new(const char *name, int threads, int queue);

/*
 * Queue fn(arg); false when the queue is full (nothing is queued and fn
 * will not run).
 */
bool workpool_submit(struct workpool *p, void (*fn)(void *), void *arg);

/* Run every job already queued, then stop the threads and free the pool. */
void workpool_free(struct workpool *p);

#endif
