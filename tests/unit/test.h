/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The unit tests run on cmocka (main.c). Each test file registers its cases
 * with TEST(); main.c puts every file's cases into one cmocka group, runs
 * them all, or those whose name contains argv[1], each in a child process
 * of its own (SKBSCOPE_TEST_NOFORK=1 runs them in-process, for a debugger),
 * and ends with the line "N passed, N failed[, N skipped]".
 *
 * This header does not include <cmocka.h>: its function-like macros (fail,
 * skip, mock, check_expected, ...) would then apply to every header the
 * tests include.
 */
#ifndef SKBSCOPE_TEST_H
#define SKBSCOPE_TEST_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

struct test_case {
	const char *name;
	const char *file; /* the TEST()'s file: one group per file */
	int line;
	void (*fn)(void);
	struct test_case *next;
};

void test_register(struct test_case *tc);
/* A failed check that lets the test go on; the test fails when it ends. */
void test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A failed check that ends the test (through cmocka's _fail). */
void test_fail_stop(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));
/* Ends the test as skipped; the reason is printed on one line. */
void test_skip(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));
/* Path of a fixture file under tests/fixtures/. */
const char *test_fixture(const char *name);

#define SKIP(...) test_skip(__FILE__, __LINE__, __VA_ARGS__)

#define TEST(name)                                                         \
	static void name(void);                                            \
	static struct test_case name##_case = { #name, __FILE__, __LINE__, \
						name, NULL };              \
	__attribute__((constructor)) static void name##_reg(void)          \
	{                                                                  \
		test_register(&name##_case);                               \
	}                                                                  \
	static void name(void)

#define CHECK(cond)                                                      \
	do {                                                             \
		if (!(cond))                                             \
			test_fail_stop(__FILE__, __LINE__, "%s", #cond); \
	} while (0)

#define CHECK_INT(a, b)                                                     \
	do {                                                                \
		long long _a = (long long)(a), _b = (long long)(b);         \
		if (_a != _b)                                               \
			test_fail_stop(__FILE__, __LINE__,                  \
				       "%s == %lld, expected %lld", #a, _a, \
				       _b);                                 \
	} while (0)

#define CHECK_STR(a, b)                                                     \
	do {                                                                \
		const char *_a = (a), *_b = (b);                            \
		if (!_a || !_b || strcmp(_a, _b))                           \
			test_fail_stop(__FILE__, __LINE__,                  \
				       "%s == \"%s\", expected \"%s\"", #a, \
				       _a ? _a : "(null)",                  \
				       _b ? _b : "(null)");                 \
	} while (0)

/* The substring b occurs in a. */
#define CHECK_HAS(a, b)                                                       \
	do {                                                                  \
		const char *_a = (a), *_b = (b);                              \
		if (!_a || !strstr(_a, _b))                                   \
			test_fail_stop(__FILE__, __LINE__,                    \
				       "%s == \"%s\", should contain \"%s\"", \
				       #a, _a ? _a : "(null)", _b);           \
	} while (0)

#endif
