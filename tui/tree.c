// SPDX-License-Identifier: GPL-2.0
/*
 * The call tree from times alone: a hop is inside a call when it started
 * after the call's entry and before its return, on the same CPU (a call
 * runs on one CPU from entry to return; a packet queued to another CPU's
 * backlog starts a new root there). Hops without a return (tracepoints,
 * the drop and free functions) are leaves.
 */
#include <errno.h>
#include <string.h>
#include "tui/tree.h"

int tree_depths(const struct packet *p, __u8 *depth)
{
	/* Open calls: their end time and CPU. */
	struct {
		__u64 end;
		__u16 cpu;
	} open[TREE_DEPTH_MAX];
	int n = 0, tree = 0;

	for (__u32 i = 0; i < p->nhops; i++) {
		const struct hop *h = &p->hops[i];

		while (n &&
		       (open[n - 1].end <= h->ts || open[n - 1].cpu != h->cpu))
			n--;
		depth[i] = (__u8)n;
		if (h->has_ret) {
			tree = 1;
			if (n < TREE_DEPTH_MAX) {
				open[n].end = h->ts + h->dur;
				open[n].cpu = h->cpu;
				n++;
			}
		}
	}
	return tree;
}

int tree_has_kids(const struct packet *p, const __u8 *depth, __u32 i)
{
	return i + 1 < p->nhops && depth[i + 1] > depth[i];
}

int tree_is_folded(const struct tree_folds *f, const struct packet *p, __u32 i)
{
	if (f->gen != p->gen)
		return 0;
	for (int k = 0; k < f->n; k++)
		if (f->ts[k] == p->hops[i].ts)
			return 1;
	return 0;
}

int tree_hidden(const struct packet *p, const __u8 *depth,
		const struct tree_folds *f, __u32 i)
{
	__u8 d = depth[i];

	if (f->gen != p->gen || !f->n)
		return 0;
	/* Walk up: the nearest hop before i at each shallower depth is an
	 * ancestor; i is hidden when one of them is folded. */
	for (__u32 j = i; j-- > 0 && d > 0;) {
		if (depth[j] >= d)
			continue;
		d = depth[j];
		if (tree_is_folded(f, p, j))
			return 1;
	}
	return 0;
}

int tree_toggle(struct tree_folds *f, const struct packet *p, __u32 i)
{
	if (f->gen != p->gen) {
		f->gen = p->gen;
		f->n = 0;
	}
	for (int k = 0; k < f->n; k++)
		if (f->ts[k] == p->hops[i].ts) {
			f->ts[k] = f->ts[--f->n];
			return 0;
		}
	if (f->n == TREE_FOLDS)
		return -ENOSPC;
	f->ts[f->n++] = p->hops[i].ts;
	return 0;
}

__u64 tree_self(const struct packet *p, const __u8 *depth, __u32 i)
{
	__u64 inside = 0;

	/* Its direct children are the next hops one level deeper, up to
	 * the first that is not deeper at all. */
	for (__u32 j = i + 1; j < p->nhops && depth[j] > depth[i]; j++)
		if (depth[j] == depth[i] + 1 && p->hops[j].has_ret)
			inside += p->hops[j].dur;
	return p->hops[i].dur > inside ? p->hops[i].dur - inside : 0;
}

long tree_slowest(const struct packet *p, const __u8 *depth)
{
	__u64 most = 0;
	long best = -1;

	for (__u32 i = 0; i < p->nhops; i++) {
		__u64 t;

		if (!p->hops[i].has_ret)
			continue;
		t = tree_self(p, depth, i);
		if (best < 0 || t > most) {
			best = (long)i;
			most = t;
		}
	}
	return best;
}
