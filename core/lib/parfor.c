// SPDX-License-Identifier: GPL-2.0
/*
 * parfor: workers claim items from one atomic counter, so a slow item (a
 * big program to verify) does not hold back the others' share.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <unistd.h>
#include "core/lib/clock.h"
#include "core/lib/parfor.h"

struct run {
	const struct parfor *p;
	size_t n;
	size_t next;   /* next item to claim */
	size_t done;   /* items finished or skipped */
	int stop;
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
	return NULL;
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
	int joined[PARFOR_MAX_THREADS] = { 0 };
	int nt = p->nthreads > 0 ? p->nthreads : parfor_cpus();
	int started = 0, alive;

	if (nt > PARFOR_MAX_THREADS)
		nt = PARFOR_MAX_THREADS;
	if ((size_t)nt > n)
		nt = n ? (int)n : 1;
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
			if (p->progress && mono_ns() - last >= 100000000LL) {
				p->progress(p->ctx, i + 1, n);
				last = mono_ns();
			}
		}
		started = 1;
	} else {
		alive = started;
		while (alive) {
			usleep(100000);
			for (int t = 0; t < started; t++) {
				if (!joined[t] &&
				    !pthread_tryjoin_np(th[t], NULL)) {
					joined[t] = 1;
					alive--;
				}
			}
			if (alive && p->progress)
				p->progress(p->ctx,
					    __atomic_load_n(&r.done,
							    __ATOMIC_RELAXED),
					    n);
		}
	}
	if (p->progress && n)
		p->progress(p->ctx, n, n);
	return started;
}
