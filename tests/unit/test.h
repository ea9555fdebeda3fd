/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small unit test runner. Each test file registers its cases with TEST();
 * the runner (main.c) runs them all, or those whose name contains argv[1],
 * and ends with the line "N passed, N failed".
 */
#ifndef SKBSCOPE_TEST_H
#define SKBSCOPE_TEST_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

struct test_case {
	const char *name;
	void (*fn)(void);
	struct test_case *next;
};

void test_register(struct test_case *tc);
void test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Path of a fixture file under tests/fixtures/. */
const char *test_fixture(const char *name);

#define TEST(name)                                                      \
	static void name(void);                                         \
	static struct test_case name##_case = { #name, name, NULL };    \
	__attribute__((constructor)) static void name##_reg(void)       \
	{                                                               \
		test_register(&name##_case);                            \
	}                                                               \
	static void name(void)

#define CHECK(cond)                                                     \
	do {                                                            \
		if (!(cond)) {                                          \
			test_fail(__FILE__, __LINE__, "%s", #cond);     \
			return;                                         \
		}                                                       \
	} while (0)

#define CHECK_INT(a, b)                                                 \
	do {                                                            \
		long long _a = (long long)(a), _b = (long long)(b);     \
		if (_a != _b) {                                         \
			test_fail(__FILE__, __LINE__,                   \
				  "%s == %lld, expected %lld", #a, _a,  \
				  _b);                                  \
			return;                                         \
		}                                                       \
	} while (0)

#define CHECK_STR(a, b)                                                 \
	do {                                                            \
		const char *_a = (a), *_b = (b);                        \
		if (!_a || !_b || strcmp(_a, _b)) {                     \
			test_fail(__FILE__, __LINE__,                   \
				  "%s == \"%s\", expected \"%s\"", #a,  \
				  _a ? _a : "(null)",                   \
				  _b ? _b : "(null)");                  \
			return;                                         \
		}                                                       \
	} while (0)

/* The substring b occurs in a. */
#define CHECK_HAS(a, b)                                                 \
	do {                                                            \
		const char *_a = (a), *_b = (b);                        \
		if (!_a || !strstr(_a, _b)) {                           \
			test_fail(__FILE__, __LINE__,                   \
				  "%s == \"%s\", should contain \"%s\"", \
				  #a, _a ? _a : "(null)", _b);          \
			return;                                         \
		}                                                       \
	} while (0)

#endif
