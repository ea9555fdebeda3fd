// SPDX-License-Identifier: GPL-2.0
/* tui/tree: depths from entry times and call durations, folds, the time
 * a call spends in itself, and a flat packet staying flat. */
#include <string.h>
#include "tui/tree.h"
#include "test.h"

/* ip_local_out [0, 100) > nf_hook_slow [10, 40) > kfree_skb (30, leaf);
 * then dev_queue_xmit [50, 90) still inside ip_local_out; then a hop on
 * another CPU at 60, which no call of this CPU contains. */
static struct hop hops[] = {
	{ .ts = 0, .cpu = 0, .has_ret = 1, .dur = 100 },
	{ .ts = 10, .cpu = 0, .has_ret = 1, .dur = 30 },
	{ .ts = 30, .cpu = 0 },
	{ .ts = 50, .cpu = 0, .has_ret = 1, .dur = 40 },
	{ .ts = 60, .cpu = 1 },
};

TEST(tree_depths_folds_and_self_time)
{
	struct packet p = { .gen = 7, .hops = hops, .nhops = 5 };
	struct tree_folds f = { 0 };
	__u8 d[5];

	CHECK_INT(tree_depths(&p, d), 1);
	CHECK_INT(d[0], 0);
	CHECK_INT(d[1], 1);
	CHECK_INT(d[2], 2);
	CHECK_INT(d[3], 1);
	CHECK_INT(d[4], 0);
	CHECK(tree_has_kids(&p, d, 0));
	CHECK(tree_has_kids(&p, d, 1));
	CHECK(!tree_has_kids(&p, d, 2));
	/* 100 minus its two children's 30 and 40. */
	CHECK_INT(tree_self(&p, d, 0), 30);
	CHECK_INT(tree_self(&p, d, 1), 30);
	CHECK_INT(tree_self(&p, d, 3), 40);
	CHECK_INT(tree_slowest(&p, d), 3); /* most in itself, not longest */
	/* Folding nf_hook_slow hides kfree_skb only. */
	CHECK_INT(tree_toggle(&f, &p, 1), 0);
	CHECK(tree_is_folded(&f, &p, 1));
	CHECK(!tree_hidden(&p, d, &f, 1));
	CHECK(tree_hidden(&p, d, &f, 2));
	CHECK(!tree_hidden(&p, d, &f, 3));
	/* Folding the root hides all of its CPU's hops, not the other's. */
	CHECK_INT(tree_toggle(&f, &p, 0), 0);
	CHECK(tree_hidden(&p, d, &f, 3));
	CHECK(!tree_hidden(&p, d, &f, 4));
	/* Unfold; a fold set of another packet is not this one's. */
	CHECK_INT(tree_toggle(&f, &p, 0), 0);
	CHECK(!tree_hidden(&p, d, &f, 3));
	p.gen = 8;
	CHECK(!tree_hidden(&p, d, &f, 2));
}

TEST(tree_flat_without_returns)
{
	struct hop flat[3] = { { .ts = 0 }, { .ts = 5 }, { .ts = 9 } };
	struct packet p = { .gen = 1, .hops = flat, .nhops = 3 };
	__u8 d[3];

	CHECK_INT(tree_depths(&p, d), 0);
	CHECK_INT(d[0] + d[1] + d[2], 0);
	CHECK_INT(tree_slowest(&p, d), -1);
}
