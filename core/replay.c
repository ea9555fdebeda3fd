// SPDX-License-Identifier: GPL-2.0
/* Stacks are interned: a replay of a flood repeats the same few paths, and
 * the store keeps one small id per hop, as it does for the kernel's map. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/lib/u64map.h"
#include "core/lib/vec.h"
#include "core/record.h"
#include "core/replay.h"

struct stack {
	int n;
	int next; /* older stack of the same hash, -1 ends */
	__u64 ips[SKBS_STACK_DEPTH];
};

struct replay {
	struct rec_reader *r;
	char path[256];
	struct stack *stacks;
	int nstacks;
	size_t cap;
	struct u64map *ids; /* hash of a stack -> its newest id */
	unsigned long long events;
	int done, err;
	char status[640];
	/* The event handed on, with the stack id rewritten. */
	struct skbs_event ev;
};

int replay_new(struct rec_reader *r, const char *path, struct replay **out)
{
	struct replay *rp = calloc(1, sizeof(*rp));

	if (!rp || u64map_new(64, &rp->ids)) {
		free(rp);
		return -ENOMEM;
	}
	rp->r = r;
	snprintf(rp->path, sizeof(rp->path), "%s", path);
	snprintf(rp->status, sizeof(rp->status), "replay of %s", path);
	*out = rp;
	return 0;
}

void replay_free(struct replay *rp)
{
	if (!rp)
		return;
	u64map_free(rp->ids);
	free(rp->stacks);
	free(rp);
}

/* Id of this stack, added when new; -1 when memory runs out. Stacks are
 * keyed by a 64-bit hash of their addresses; the rare stacks that share
 * one are chained. */
static int intern(struct replay *rp, const __u64 *ips, int n)
{
	__u64 h = 1469598103934665603ULL, *newest;
	int added, i;

	for (i = 0; i < n; i++)
		h = (h ^ ips[i]) * 1099511628211ULL;
	newest = u64map_slot(rp->ids, h, &added);
	if (!newest)
		return -1;
	for (i = added ? -1 : (int)*newest; i >= 0; i = rp->stacks[i].next)
		if (rp->stacks[i].n == n &&
		    !memcmp(rp->stacks[i].ips, ips, n * sizeof(*ips)))
			return i;
	if (VEC_RESERVE(rp->stacks, rp->cap, (size_t)rp->nstacks + 1)) {
		if (added)
			u64map_del(rp->ids, h);
		return -1;
	}
	i = rp->nstacks++;
	rp->stacks[i].n = n;
	memcpy(rp->stacks[i].ips, ips, n * sizeof(*ips));
	rp->stacks[i].next = added ? -1 : (int)*newest;
	*newest = (__u64)i;
	return i;
}

int replay_poll(void *ctx, int max,
		int (*fn)(void *fctx, const struct skbs_event *ev,
			  const char *tail),
		void *fctx)
{
	struct replay *rp = ctx;
	const struct skbs_event *ev;
	const __u64 *stack;
	const char *tail;
	char err[512];
	int n = 0, ret, nstack;

	while (!rp->done && n < max) {
		ret = rec_next(rp->r, &ev, &tail, &stack, &nstack, err,
			       sizeof(err));
		if (ret <= 0) {
			rp->done = 1;
			rp->err = ret;
			if (ret)
				snprintf(rp->status, sizeof(rp->status),
					 "replay stopped after %llu events: "
					 "%s",
					 rp->events, err);
			else
				snprintf(rp->status, sizeof(rp->status),
					 "replay of %s: %llu events, complete",
					 rp->path, rp->events);
			break;
		}
		rp->ev = *ev;
		if (nstack > 0)
			rp->ev.stack_id = intern(rp, stack, nstack);
		else if (ev->stack_id >= 0)
			rp->ev.stack_id = -ENOENT;
		rp->events++;
		n++;
		if (fn(fctx, &rp->ev, tail))
			break;
	}
	if (!rp->done)
		snprintf(rp->status, sizeof(rp->status),
			 "replay of %s: %llu events so far", rp->path,
			 rp->events);
	return n;
}

int replay_stack(void *ctx, __s32 id, __u64 *ips, int max)
{
	struct replay *rp = ctx;
	int n;

	if (id < 0 || id >= rp->nstacks)
		return -ENOENT;
	n = rp->stacks[id].n < max ? rp->stacks[id].n : max;
	memcpy(ips, rp->stacks[id].ips, (size_t)n * sizeof(*ips));
	return n;
}

int replay_counters(void *ctx, __u64 *c)
{
	struct replay *rp = ctx;
	const __u64 *end = rec_end_counters(rp->r);

	if (end)
		memcpy(c, end, SKBS_C_MAX * sizeof(*c));
	else
		memset(c, 0, SKBS_C_MAX * sizeof(*c));
	return 0;
}

const char *replay_status(const struct replay *rp)
{
	return rp->status;
}

int replay_error(const struct replay *rp)
{
	return rp->err;
}
