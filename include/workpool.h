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
 * Queue fn(arg); false when the queue is full or the pool is closed
 * (nothing is queued and neither function will run).  cancel(arg) runs
 * instead of fn for a job still waiting when the pool is closed.
 */
bool workpool_submit(struct workpool *p, void (*fn)(void *),
		     void (*cancel)(void *), void *arg);

/*
 * Refuse new jobs, cancel those still waiting, let those running end, and
 * stop the threads.  The pool stays valid (submitting is refused) until
 * workpool_free().
 */
void workpool_close(struct workpool *p);

/* Close if still open, then free the pool; NULL is a no-op. */
void workpool_free(struct workpool *p);

#endif
