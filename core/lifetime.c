// SPDX-License-Identifier: GPL-2.0
/* skb address -> generation of its open lifetime, in the shared u64 map.
 * Lifetimes whose end is never seen (filtered out, lost) would pile up, so
 * the map is bounded: when MAX_OPEN are open it is cleared, and the next
 * events at those addresses open new generations. */
#include <errno.h>
#include <stdlib.h>
#include "core/lib/u64map.h"
#include "core/lifetime.h"

#define MAX_OPEN (1u << 17)

struct lifetimes {
	struct u64map *open; /* address -> generation */
	__u32 next_gen;
};

int lifetimes_new(struct lifetimes **out)
{
	struct lifetimes *l = calloc(1, sizeof(*l));

	if (!l)
		return -ENOMEM;
	/* Small at first: a flood has a few hundred skbs in flight; the
	 * map grows towards MAX_OPEN only when ends go missing. */
	if (u64map_new(MAX_OPEN, &l->open)) {
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
	u64map_free(l->open);
	free(l);
}

static __u32 new_gen(struct lifetimes *l)
{
	__u32 gen = l->next_gen++;

	if (!l->next_gen)
		l->next_gen = 1;
	return gen;
}

__u32 lifetimes_gen(struct lifetimes *l, __u64 skb, int ends)
{
	__u64 *v;
	int added;

	/* No skb, no lifetime. */
	if (!skb)
		return 0;
	if (ends) {
		__u64 gen;

		/* An end whose start we never saw is a lifetime of its own. */
		if (u64map_take(l->open, skb, &gen))
			return new_gen(l);
		return (__u32)gen;
	}
	v = u64map_slot(l->open, skb, &added);
	if (!v)
		return new_gen(l); /* out of memory: not remembered */
	if (!added)
		return (__u32)*v;
	if (u64map_count(l->open) >= MAX_OPEN) {
		u64map_clear(l->open);
		/* The memory is kept, so this insertion cannot fail. */
		v = u64map_slot(l->open, skb, NULL);
	}
	*v = new_gen(l);
	return (__u32)*v;
}

__u64 lifetimes_open(const struct lifetimes *l)
{
	return u64map_count(l->open);
}
