/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A packet's hops as a call tree (--output-return): which traced call
 * each hop happened inside, from the hops' entry times and the time each
 * call took, and which subtrees are folded. Pure, for the view and the
 * model alike.
 */
#ifndef SKBSCOPE_TUI_TREE_H
#define SKBSCOPE_TUI_TREE_H

#include <stddef.h>
#include <linux/types.h>
#include "core/store.h"

/* Deepest nesting shown; deeper calls are drawn at this depth. */
#define TREE_DEPTH_MAX 24
/* Folded calls remembered for the selected packet. */
#define TREE_FOLDS 32

struct tree_folds {
	__u32 gen;            /* the packet they belong to */
	__u64 ts[TREE_FOLDS]; /* entry times of the folded calls */
	int n;
};

/* depth[i] for each of p's hops: 0 for calls no traced call of this
 * packet contains, on the same CPU. Returns 1 when the packet has any
 * return (a tree), 0 when it is flat. */
int tree_depths(const struct packet *p, __u8 *depth);
/* Is hop i inside a folded call (so not shown)? */
int tree_hidden(const struct packet *p, const __u8 *depth,
		const struct tree_folds *f, __u32 i);
/* Does hop i contain others (it can be folded)? */
int tree_has_kids(const struct packet *p, const __u8 *depth, __u32 i);
int tree_is_folded(const struct tree_folds *f, const struct packet *p, __u32 i);
/* Fold hop i if it is not, unfold it if it is. 0, or -ENOSPC. */
int tree_toggle(struct tree_folds *f, const struct packet *p, __u32 i);
/* Time spent in hop i's call itself, outside the traced calls in it. */
__u64 tree_self(const struct packet *p, const __u8 *depth, __u32 i);
/* The hop whose call spent most time in itself (the root always takes
 * longest, which says nothing), or -1 when none has a return. */
long tree_slowest(const struct packet *p, const __u8 *depth);

#endif
