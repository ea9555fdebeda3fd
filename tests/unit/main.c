// SPDX-License-Identifier: GPL-2.0
/*
 * The unit test runner (see test.h): TEST() cases become cmocka tests, one
 * group per test file. Each test runs in a child of its own, so that an
 * abort(), a sanitizer's exit or a corrupted heap ends that test only:
 * cmocka itself catches SIGSEGV but not SIGABRT, nor a process that exits.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "test.h"

/* A child's exit status for "skipped"; anything but 0 and 1 is an error. */
#define EXIT_SKIP 77

static struct test_case *cases, **tail = &cases;

/*
 * What the running test reported: in memory shared with the child, so
 * that the parent can hand the first failure's file:line to cmocka.
 */
struct outcome {
	int failed;
	int skipped;
	int line;
	char file[256];
};

static struct outcome *now;
static int in_child;
static int skipped_total;

/* The signals cmocka catches; a child gets back the handlers from before. */
static const int crash_signals[] = { SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGSYS };
static struct sigaction
	crash_orig[sizeof(crash_signals) / sizeof(crash_signals[0])];

void test_register(struct test_case *tc)
{
	*tail = tc;
	tail = &tc->next;
}

static void note(const char *file, int line)
{
	if (now->failed || now->skipped)
		return;
	snprintf(now->file, sizeof(now->file), "%s", file);
	now->line = line;
}

static void vreport(const char *file, int line, const char *fmt, va_list ap)
{
	char msg[8192];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	print_error("%s:%d: %s\n", file, line, msg);
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(file, line, fmt, ap);
	va_end(ap);
	note(file, line);
	now->failed = 1;
}

static __attribute__((noreturn)) void stop(void)
{
	if (in_child) {
		fflush(NULL);
		exit(now->skipped ? EXIT_SKIP : 1);
	}
	if (now->skipped) {
		skipped_total++;
		_skip(now->file, now->line);
	}
	_fail(now->file, now->line);
	abort(); /* _fail returns only outside a test */
}

void test_fail_stop(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(file, line, fmt, ap);
	va_end(ap);
	note(file, line);
	now->failed = 1;
	stop();
}

void test_skip(const char *file, int line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* A test that failed a check and then skips has failed. */
	if (now->failed)
		stop();
	print_message("    skipped: %s\n", msg);
	note(file, line);
	now->skipped = 1;
	stop();
}

const char *test_fixture(const char *name)
{
	static char path[4096];
	const char *dir = getenv("SKBSCOPE_FIXTURES");

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "tests/fixtures",
		 name);
	return path;
}

static void run_here(const struct test_case *tc)
{
	tc->fn();
	if (now->failed)
		stop();
}

static void run_forked(const struct test_case *tc)
{
	int st;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		print_error("fork: %s\n", strerror(errno));
		_fail(tc->file, tc->line);
	}
	if (pid == 0) {
		in_child = 1;
		for (size_t i = 0;
		     i < sizeof(crash_signals) / sizeof(crash_signals[0]); i++)
			sigaction(crash_signals[i], &crash_orig[i], NULL);
		tc->fn();
		fflush(NULL);
		exit(now->failed ? 1 : 0);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			print_error("waitpid: %s\n", strerror(errno));
			_fail(tc->file, tc->line);
		}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0 && !now->failed)
		return;
	if (WIFEXITED(st) && WEXITSTATUS(st) == EXIT_SKIP && now->skipped) {
		skipped_total++;
		_skip(now->file, now->line);
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 1 && now->failed)
		_fail(now->file, now->line);
	if (WIFSIGNALED(st))
		print_error("%s: killed by signal %d (%s)\n", tc->name,
			    WTERMSIG(st), strsignal(WTERMSIG(st)));
	else
		print_error("%s: exited with status %d\n", tc->name,
			    WEXITSTATUS(st));
	if (now->failed)
		_fail(now->file, now->line);
	_fail(tc->file, tc->line);
}

static int forking;

static void run_one(void **state)
{
	const struct test_case *tc = *state;

	memset(now, 0, sizeof(*now));
	if (forking)
		run_forked(tc);
	else
		run_here(tc);
}

static const char *group_of(const char *file, char *buf, size_t len)
{
	const char *base = strrchr(file, '/');
	size_t n;

	base = base ? base + 1 : file;
	n = strcspn(base, ".");
	snprintf(buf, len, "%.*s", (int)n, base);
	return buf;
}

int main(int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : NULL;
	const char *nofork = getenv("SKBSCOPE_TEST_NOFORK");
	const char *output = getenv("CMOCKA_MESSAGE_OUTPUT");
	int plain = !output || !strcasecmp(output, "stdout");
	struct CMUnitTest *group;
	int ran = 0, failed = 0, ncases = 0;

	/* The error lines (stderr) stay beside their test's name. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	forking = !nofork || !strcmp(nofork, "0");
	now = mmap(NULL, sizeof(*now), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (now == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	for (size_t i = 0; i < sizeof(crash_signals) / sizeof(crash_signals[0]);
	     i++)
		sigaction(crash_signals[i], NULL, &crash_orig[i]);
	for (struct test_case *tc = cases; tc; tc = tc->next)
		ncases++;
	group = calloc(ncases ? ncases : 1, sizeof(*group));
	if (!group) {
		perror("calloc");
		return 1;
	}
	/* Each file's constructors run together: its cases are adjacent. */
	for (struct test_case *first = cases, *tc; first; first = tc) {
		char name[128];
		size_t n = 0;

		for (tc = first; tc && !strcmp(tc->file, first->file);
		     tc = tc->next) {
			if (filter && !strstr(tc->name, filter))
				continue;
			group[n] = (struct CMUnitTest){
				.name = tc->name,
				.test_func = run_one,
				.initial_state = tc,
			};
			n++;
		}
		if (!n)
			continue;
		ran += n;
		/* cmocka's own lines do not name the group. */
		if (plain)
			printf("--- %s\n", first->file);
		failed += _cmocka_run_group_tests(group_of(first->file, name,
							   sizeof(name)),
						  group, n, NULL, NULL);
	}
	free(group);
	if (skipped_total)
		printf("%d passed, %d failed, %d skipped\n",
		       ran - failed - skipped_total, failed, skipped_total);
	else
		printf("%d passed, %d failed\n", ran - failed, failed);
	return failed ? 1 : 0;
}
