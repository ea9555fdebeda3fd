/* SPDX-License-Identifier: GPL-2.0 */
/* The one clock for intervals: CLOCK_MONOTONIC in nanoseconds. */
#ifndef SKBSCOPE_LIB_CLOCK_H
#define SKBSCOPE_LIB_CLOCK_H

#include <time.h>

static inline long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

#endif
