#include "workpool.h"

#include <pthread.h>
#include <stdlib.h>

#include "log.h"
#include "xalloc.h"

struct job {
	void (*fn)(void *);
	void (*cancel)(void *);
	void *arg;
};

struct workpool {
	const char *name;
	pthread_mutex_t lock;
	pthread_cond_t more;
	struct job *ring; /* queue slots, used as a ring */
	int cap, head, count;
	bool stopping;
	pthread_t *threads;
	int nthreads;
	bool joined;
};

static void *worker(void *arg)
{
	struct workpool *p = arg;
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->count && !p->stopping)
			pthread_cond_wait(&p->more, &p->lock);
		if (!p->count)
			break; /* stopping, and nothing left to run */
		struct job j = p->ring[p->head];
		p->head = (p->head + 1) % p->cap;
		p->count--;
		/* A job still waiting when the pool closes is cancelled. */
		bool cancelled = p->stopping;
		pthread_mutex_unlock(&p->lock);
		(cancelled ? j.cancel : j.fn)(j.arg);
		pthread_mutex_lock(&p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

struct workpool *workpool_new(const char *name, int threads, int queue)
{
	struct workpool *p = xcalloc(1, sizeof(*p));
	p->name = name;
	p->cap = queue;
	p->ring = xcalloc((size_t)queue, sizeof(*p->ring));
	p->threads = xcalloc((size_t)threads, sizeof(*p->threads));
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->more, NULL);
	for (int i = 0; i < threads; i++) {
		if (pthread_create(&p->threads[i], NULL, worker, p)) {
			log_error("cannot start a %s thread", name);
			break;
		}
		p->nthreads++;
	}
	if (!p->nthreads) {
		workpool_free(p);
		return NULL;
	}
	return p;
}

bool workpool_submit(struct workpool *p, void (*fn)(void *),
		     void (*cancel)(void *), void *arg)
{
	bool queued = false;
	pthread_mutex_lock(&p->lock);
	if (p->count < p->cap && !p->stopping) {
		p->ring[(p->head + p->count) % p->cap] =
			(struct job){fn, cancel, arg};
		p->count++;
		queued = true;
		pthread_cond_signal(&p->more);
	}
	pthread_mutex_unlock(&p->lock);
	return queued;
}

void workpool_close(struct workpool *p)
{
	pthread_mutex_lock(&p->lock);
	p->stopping = true;
	pthread_cond_broadcast(&p->more);
	bool joined = p->joined;
	p->joined = true;
	pthread_mutex_unlock(&p->lock);
	if (joined)
		return;
	for (int i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
}

void workpool_free(struct workpool *p)
{
	if (!p)
		return;
	workpool_close(p);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->more);
	free(p->threads);
	free(p->ring);
	free(p);
}
