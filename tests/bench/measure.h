/* SPDX-License-Identifier: GPL-2.0 */
/* CPU time, memory and the "BENCH name value unit" lines, for the
 * benchmark programs in tests/bench/ (intervals: core/lib/clock.h). */
#ifndef SKBSCOPE_BENCH_MEASURE_H
#define SKBSCOPE_BENCH_MEASURE_H

#include <linux/types.h>

/* CPU time of this thread, ns: the figure "on one core" means. */
__u64 cpu_ns(void);
/* Resident set now (/proc/self/statm), bytes, or -1. */
long long rss_now(void);
/* Peak resident set of the process, bytes, or -1. */
long long peak_rss(void);
/* Bytes malloc has handed out and not had back. */
long long heap_now(void);
/* Keep one BENCH line (with its newline) for bench_print(), so that they
 * come together after the tables. */
__attribute__((format(printf, 1, 2))) void bench(const char *fmt, ...);
void bench_print(void);

#endif
