// SPDX-License-Identifier: GPL-2.0
/* Open-addressing table of skb address -> generation of its open lifetime.
 * Lifetimes whose end is never seen (filtered out, lost) would pile up, so
 * the table is bounded: when full it is cleared, and the next events at
 * those addresses open new generations. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "core/lifetime.h"

#define SLOTS (1u << 18)
#define MAX_OPEN (SLOTS / 2)

struct slot {
	__u64 skb;   /* 0: empty, 1: deleted */
	__u32 gen;
};

struct lifetimes {
	struct slot *v;
	__u64 open, used;
	__u32 next_gen;
};

int lifetimes_new(struct lifetimes **out)
{
	struct lifetimes *l = calloc(1, sizeof(*l));

	if (!l)
		return -ENOMEM;
	l->v = calloc(SLOTS, sizeof(*l->v));
	if (!l->v) {
		free(l);
		return -ENOMEM;
	}
	l->next_gen = 1;
	*out = l;
	return 0;
}

void lifetimes_free(struct lifetimes *l)
{
	if (!l)
		return;
	free(l->v);
	free(l);
}

static __u32 hash(__u64 skb)
{
	skb ^= skb >> 33;
	skb *= 0xff51afd7ed558ccdULL;
	skb ^= skb >> 33;
	return (__u32)skb & (SLOTS - 1);
}

__u32 lifetimes_gen(struct lifetimes *l, __u64 skb, int ends)
{
	__u32 i = hash(skb), tomb = SLOTS, gen;

	if (skb <= 1)
		return 0;
	for (__u32 n = 0; n < SLOTS; n++, i = (i + 1) & (SLOTS - 1)) {
		struct slot *s = &l->v[i];

		if (s->skb == skb) {
			gen = s->gen;
			if (ends) {
				s->skb = 1;
				l->open--;
			}
			return gen;
		}
		if (s->skb == 1 && tomb == SLOTS)
			tomb = i;
		if (s->skb == 0)
			break;
	}
	gen = l->next_gen++;
	if (!l->next_gen)
		l->next_gen = 1;
	if (ends)
		return gen;
	if (l->used >= MAX_OPEN) {
		memset(l->v, 0, SLOTS * sizeof(*l->v));
		l->used = l->open = 0;
		tomb = SLOTS;
		i = hash(skb);
	}
	if (tomb != SLOTS)
		i = tomb;
	else
		l->used++;
	l->v[i].skb = skb;
	l->v[i].gen = gen;
	l->open++;
	return gen;
}

__u64 lifetimes_open(const struct lifetimes *l)
{
	return l->open;
}
