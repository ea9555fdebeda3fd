/* SPDX-License-Identifier: GPL-2.0 */
/*
 * skb identity: an address is reused after free, so a lifetime is (address,
 * generation). The generation is a number unique to each lifetime seen:
 * the first event at an address opens one, an event that ends it (kfree_skb,
 * consume_skb, kfree_skbmem) closes it.
 */
#ifndef SKBSCOPE_LIFETIME_H
#define SKBSCOPE_LIFETIME_H

#include <linux/types.h>

struct lifetimes;

int lifetimes_new(struct lifetimes **out);
void lifetimes_free(struct lifetimes *l);
/* The generation of this event's lifetime; ends it when `ends`. */
__u32 lifetimes_gen(struct lifetimes *l, __u64 skb, int ends);
/* Lifetimes open now. */
__u64 lifetimes_open(const struct lifetimes *l);

#endif
