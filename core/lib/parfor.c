// SPDX-License-Identifier: GPL-2.0
/*
 * parfor: workers claim items from one atomic counter, so a slow item (a
 * big program to verify) does not hold back the others' share. The last
 * worker to finish wakes the caller: a fixed polling interval would add
 * up to that interval to every run, and a run of a few dozen loads is
 * shorter than one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>
#include "core/lib/clock.h"
#include "core/lib/parfor.h"

#define REPORT_NS 100000000LL

struct run {
	const struct parfor *p;
	size_t n;
	size_t next; /* next item to claim */
	size_t done; /* items finished or skipped */
	int stop;
	pthread_mutex_t lock;
	pthread_cond_t cond; /* signalled as each worker returns */
	int finished;        /* workers returned, under lock */
};

struct worker {
	struct run *r;
	int w;
};

static void *work(void *arg)
{
	struct worker *wk = arg;
	struct run *r = wk->r;

	for (;;) {
		size_t i = __atomic_fetch_add(&r->next, 1, __ATOMIC_RELAXED);

		if (i >= r->n)
			break;
		if (!__atomic_load_n(&r->stop, __ATOMIC_RELAXED) &&
		    r->p->fn(r->p->ctx, i, wk->w))
			__atomic_store_n(&r->stop, 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(&r->done, 1, __ATOMIC_RELAXED);
	}
	pthread_mutex_lock(&r->lock);
	r->finished++;
	pthread_cond_signal(&r->cond);
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

/* Until every started worker has returned, reporting progress about
 * every REPORT_NS; then join them. */
static void wait_workers(struct run *r, pthread_t *th, int started)
{
	const struct parfor *p = r->p;
	struct timespec at;

	pthread_mutex_lock(&r->lock);
	while (r->finished < started) {
		clock_gettime(CLOCK_MONOTONIC, &at);
		at.tv_nsec += REPORT_NS;
		if (at.tv_nsec >= 1000000000L) {
			at.tv_sec++;
			at.tv_nsec -= 1000000000L;
		}
		while (r->finished < started &&
		       pthread_cond_timedwait(&r->cond, &r->lock, &at) !=
			       ETIMEDOUT)
			;
		if (r->finished < started && p->progress) {
			pthread_mutex_unlock(&r->lock);
			p->progress(p->ctx,
				    __atomic_load_n(&r->done, __ATOMIC_RELAXED),
				    r->n);
			pthread_mutex_lock(&r->lock);
		}
	}
	pthread_mutex_unlock(&r->lock);
	for (int t = 0; t < started; t++)
		pthread_join(th[t], NULL);
}

int parfor_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (int)n : 1;
}

int parfor_run(const struct parfor *p, size_t n)
{
	struct run r = { .p = p, .n = n };
	struct worker wk[PARFOR_MAX_THREADS];
	pthread_t th[PARFOR_MAX_THREADS];
	pthread_condattr_t ca;
	int nt = p->nthreads > 0 ? p->nthreads : parfor_cpus();
	int started = 0;

	if (nt > PARFOR_MAX_THREADS)
		nt = PARFOR_MAX_THREADS;
	if ((size_t)nt > n)
		nt = n ? (int)n : 1;
	pthread_mutex_init(&r.lock, NULL);
	/* The wait for workers runs on the monotonic clock, like mono_ns. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&r.cond, &ca);
	pthread_condattr_destroy(&ca);
	/* One item per thread is not worth a thread. */
	for (int t = 0; nt > 1 && t < nt; t++) {
		wk[t] = (struct worker){ &r, t };
		if (pthread_create(&th[t], NULL, work, &wk[t]))
			break;
		started++;
	}
	if (!started) {
		long long last = mono_ns();

		/* Here: report as we go, at the same pace as threads do. */
		for (size_t i = 0; i < n; i++) {
			if (!r.stop && p->fn(p->ctx, i, 0))
				r.stop = 1;
			if (p->progress && mono_ns() - last >= REPORT_NS) {
				p->progress(p->ctx, i + 1, n);
				last = mono_ns();
			}
		}
		started = 1;
	} else {
		wait_workers(&r, th, started);
	}
	pthread_cond_destroy(&r.cond);
	pthread_mutex_destroy(&r.lock);
	if (p->progress && n)
		p->progress(p->ctx, n, n);
	return started;
}
