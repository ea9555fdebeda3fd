// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include "tests/bench/measure.h"

__u64 cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

long long rss_now(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long long pages, res;
	int ok;

	if (!f)
		return -1;
	ok = fscanf(f, "%lld %lld", &pages, &res) == 2;
	fclose(f);
	return ok ? res * sysconf(_SC_PAGESIZE) : -1;
}

long long peak_rss(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return -1;
	return (long long)ru.ru_maxrss * 1024;
}

long long heap_now(void)
{
	struct mallinfo2 mi = mallinfo2();

	return (long long)(mi.uordblks + mi.hblkhd);
}

static char bench_lines[8192];

void bench(const char *fmt, ...)
{
	size_t l = strlen(bench_lines);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(bench_lines + l, sizeof(bench_lines) - l, fmt, ap);
	va_end(ap);
}

void bench_print(void)
{
	fputs(bench_lines, stdout);
}
