// SPDX-License-Identifier: GPL-2.0
/* The unit test runner: see test.h. */
#include <stdarg.h>
#include <stdlib.h>
#include "test.h"

static struct test_case *cases, **tail = &cases;
static int failed_now;

void test_register(struct test_case *tc)
{
	*tail = tc;
	tail = &tc->next;
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	failed_now = 1;
	fprintf(stderr, "    %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *test_fixture(const char *name)
{
	static char path[4096];
	const char *dir = getenv("SKBSCOPE_FIXTURES");

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "tests/fixtures",
		 name);
	return path;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;

	for (struct test_case *tc = cases; tc; tc = tc->next) {
		if (argc > 1 && !strstr(tc->name, argv[1]))
			continue;
		failed_now = 0;
		tc->fn();
		printf("%s %s\n", failed_now ? "FAIL" : "ok  ", tc->name);
		if (failed_now)
			failed++;
		else
			passed++;
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
