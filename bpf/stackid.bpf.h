/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --filter-track-skb-by-stackid: follow a packet across a new skb. The
 * kernel stack id (bpf_get_stackid, in the stacks map) of every kept hit
 * is remembered with the skb seen there; a hit of an skb the filter would
 * reject is kept, and its skb tracked from then on, when its stack id is
 * one remembered: the same call chain carried a tracked skb before (a
 * bridge or a tunnel that builds a new skb, skb_copy paths, the next
 * datagram of a flow). Costs a stack walk per hit of an untracked skb, and
 * per kept hit; nothing without the flag (SKBS_F_STACKID).
 *
 * Included by skbscope.bpf.c after struct hit and the tracked map.
 */
#ifndef SKBSCOPE_STACKID_BPF_H
#define SKBSCOPE_STACKID_BPF_H

/* Stack id -> the skb last kept there. LRU: stacks seen once age out. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u64);
} stackid_skb SEC(".maps");

static __always_inline int take_stackid(struct hit *h)
{
	long id;

	if (h->sid_ok)
		return 1;
	id = bpf_get_stackid(h->ctx, &stacks, 0);
	if (id < 0)
		return 0;
	h->sid = (__u32)id;
	h->sid_ok = 1;
	return 1;
}

/* Before the filter tests: an untracked skb on a remembered stack is
 * followed (and tracked) whatever the filter says of it. */
static __always_inline void stackid_check(struct hit *h, struct sk_buff *skb)
{
	__u64 key = (__u64)skb;
	__u8 one = 1;

	if (!take_stackid(h) || !bpf_map_lookup_elem(&stackid_skb, &h->sid))
		return;
	h->follow = 1;
	bpf_map_update_elem(&tracked, &key, &one, BPF_ANY);
}

/* A kept hit: its stack is remembered with its skb. A free is not: the
 * skb is gone, and what frees it is no path of the packet. */
static __always_inline void stackid_remember(struct hit *h,
					     struct sk_buff *skb, __u8 ev_flags)
{
	__u64 val = (__u64)skb;

	if ((ev_flags & SKBS_EV_FREE) || !take_stackid(h))
		return;
	bpf_map_update_elem(&stackid_skb, &h->sid, &val, BPF_ANY);
}

#endif
