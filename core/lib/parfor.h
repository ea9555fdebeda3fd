/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one parallel-for: run a function over [0, n) on a few threads and
 * report progress from the calling thread while they work. Attaching,
 * loading or detaching thousands of BPF programs is one slow syscall each,
 * and the kernel verifies and batches RCU waits of concurrent ones, so
 * this is where skbscope's start and exit time goes.
 */
#ifndef SKBSCOPE_LIB_PARFOR_H
#define SKBSCOPE_LIB_PARFOR_H

#include <stddef.h>

#define PARFOR_MAX_THREADS 16

struct parfor {
	/* Item i on worker w (0 <= w < the threads started). A non-zero
	 * return stops the loop: items not yet begun are skipped (and
	 * counted done, so progress still ends at n). */
	int (*fn)(void *ctx, size_t i, int w);
	void *ctx;
	/* Called on the calling thread about every 100 ms, and once at the
	 * end with done == n; may be NULL. */
	void (*progress)(void *ctx, size_t done, size_t n);
	int nthreads; /* <= 0: one per online CPU; capped at the max */
};

/*
 * Run p over n items. When no thread can be started, everything runs on
 * the calling thread as worker 0. Returns how many threads ran.
 */
int parfor_run(const struct parfor *p, size_t n);

/* Online CPUs, at least 1. */
int parfor_cpus(void);

#endif
