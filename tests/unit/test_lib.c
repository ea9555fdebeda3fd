// SPDX-License-Identifier: GPL-2.0
/* core/lib: the growable array, the u64 map (against a brute-force model)
 * and the parallel-for. */
#include <stdlib.h>
#include "core/lib/clock.h"
#include "core/lib/parfor.h"
#include "core/lib/u64map.h"
#include "core/lib/vec.h"
#include "test.h"

TEST(lib_vec_grows_and_keeps_contents)
{
	int *v = NULL;
	size_t cap = 0;

	for (int i = 0; i < 1000; i++) {
		CHECK_INT(VEC_RESERVE(v, cap, (size_t)i + 1), 0);
		CHECK(cap >= (size_t)i + 1);
		v[i] = i * 3;
	}
	for (int i = 0; i < 1000; i++)
		CHECK_INT(v[i], i * 3);
	/* An impossible size fails and leaves the array as it was. */
	CHECK_INT(vec_reserve((void **)&v, &cap, (size_t)-1 / 2, 8), -ENOMEM);
	CHECK_INT(v[999], 2997);
	free(v);
}

/* Random inserts, replacements, deletions and takes, keys clustered (as
 * skb addresses are) and including 0, checked against a plain array. */
TEST(lib_u64map_matches_a_model)
{
	enum { KEYS = 512 };
	__u64 model[KEYS];
	int present[KEYS] = { 0 };
	struct u64map *m;
	unsigned seed = 7;
	size_t count = 0;

	CHECK_INT(u64map_new(0, &m), 0);
	for (int step = 0; step < 200000; step++) {
		int k = rand_r(&seed) % KEYS;
		__u64 key = (__u64)k * 256, *v, old = 12345;

		switch (rand_r(&seed) % 4) {
		case 0:
			CHECK_INT(u64map_put(m, key, (__u64)step), 0);
			count += !present[k];
			present[k] = 1;
			model[k] = (__u64)step;
			break;
		case 1:
			CHECK_INT(u64map_del(m, key), present[k] ? 0 : -ENOENT);
			count -= present[k];
			present[k] = 0;
			break;
		case 2:
			CHECK_INT(u64map_take(m, key, &old),
				  present[k] ? 0 : -ENOENT);
			CHECK_INT(old, present[k] ? model[k] : 12345);
			count -= present[k];
			present[k] = 0;
			break;
		default:
			v = u64map_get(m, key);
			CHECK_INT(v != NULL, present[k]);
			if (v)
				CHECK_INT(*v, model[k]);
		}
		CHECK_INT(u64map_count(m), count);
	}
	for (int k = 0; k < KEYS; k++) {
		__u64 *v = u64map_get(m, (__u64)k * 256);

		CHECK_INT(v != NULL, present[k]);
		if (v)
			CHECK_INT(*v, model[k]);
	}
	u64map_clear(m);
	CHECK_INT(u64map_count(m), 0);
	CHECK(u64map_get(m, 0) == NULL);
	u64map_free(m);
}

struct pf_ctx {
	int hits[1000];
	int stop_at;
	size_t last_done;
	int progress_calls;
};

static int pf_fn(void *ctx, size_t i, int w)
{
	struct pf_ctx *c = ctx;

	(void)w;
	__atomic_add_fetch(&c->hits[i], 1, __ATOMIC_RELAXED);
	return c->stop_at >= 0 && (int)i == c->stop_at;
}

static void pf_progress(void *ctx, size_t done, size_t n)
{
	struct pf_ctx *c = ctx;

	(void)n;
	c->last_done = done;
	c->progress_calls++;
}

TEST(lib_parfor_runs_each_item_once)
{
	static struct pf_ctx c;
	struct parfor p = {
		.fn = pf_fn, .ctx = &c, .progress = pf_progress, .nthreads = 4
	};

	c.stop_at = -1;
	CHECK(parfor_run(&p, 1000) >= 1);
	for (int i = 0; i < 1000; i++)
		CHECK_INT(c.hits[i], 1);
	CHECK_INT(c.last_done, 1000);
	CHECK(c.progress_calls >= 1);
}

TEST(lib_parfor_stops_when_asked)
{
	static struct pf_ctx c;
	struct parfor p = { .fn = pf_fn, .ctx = &c, .nthreads = 1 };
	int ran = 0;

	c.stop_at = 10;
	CHECK_INT(parfor_run(&p, 1000), 1);
	for (int i = 0; i < 1000; i++)
		ran += c.hits[i];
	/* One thread: exactly the items up to the one that said stop. */
	CHECK_INT(ran, 11);
}

/* A short run on threads returns when its work is done, not at the next
 * progress report: attaching a few dozen hooks is quicker than one. */
TEST(lib_parfor_short_run_returns_promptly)
{
	static struct pf_ctx c;
	struct parfor p = {
		.fn = pf_fn, .ctx = &c, .progress = pf_progress, .nthreads = 2
	};
	long long best = -1;

	c.stop_at = -1;
	/* The best of a few, so a busy machine does not fail it. */
	for (int k = 0; k < 5; k++) {
		long long t0 = mono_ns(), t;

		CHECK_INT(parfor_run(&p, 4), 2);
		t = mono_ns() - t0;
		if (best < 0 || t < best)
			best = t;
	}
	CHECK(best < 50000000LL);
	CHECK_INT(c.last_done, 4);
}
