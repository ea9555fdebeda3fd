/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iptables-legacy's verdicts (see struct skbs_ipt_drop in events.h): what
 * the kprobe pair on ipt_do_table() keeps, and how a drop event claims it.
 * The pair itself is at the end of skbscope.bpf.c.
 */
#ifndef SKBSCOPE_IPT_BPF_H
#define SKBSCOPE_IPT_BPF_H

/*
 * The argument order of ipt_do_table() changed in 5.16 (the table moved
 * first, as the hook's priv), so user space sets where each one is. Netfilter hooks can
 * nest on one CPU (a softirq between the kprobe and the table's
 * local_bh_disable, or a packet sent from inside a hook), and kretprobes
 * return in the reverse order of their entries on a CPU, so the entries
 * are a small per-CPU stack.
 */
const volatile __u32 ipt_pos_skb = 0;
const volatile __u32 ipt_pos_state = 1;
const volatile __u32 ipt_pos_table = 2;

#define IPT_DEPTH 4

struct ipt_frame {
	__u64 skb, state, table;
};

struct ipt_stack {
	__u32 depth;
	__u32 pad;
	struct ipt_frame f[IPT_DEPTH];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ipt_stack);
} ipt_stack SEC(".maps");

/* Read by user space at the drop event, which follows within microseconds
 * (nf_hook_slow frees the skb as soon as the hook says NF_DROP). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct skbs_ipt_drop);
} ipt_drops SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct skbs_ipt_drop);
} ipt_scratch SEC(".maps");

/* Picks among values already read: left to itself, clang turns a switch
 * over PT_REGS_PARMn into a computed ctx offset, which the verifier
 * refuses ("dereference of modified ctx ptr"). */
static __always_inline __u64 kp_pick(__u64 a0, __u64 a1, __u64 a2, __u32 i)
{
	return i == 0 ? a0 : i == 1 ? a1 : a2;
}

/* ipt_drops entries are keyed by skb address alone, and a freed address
 * comes back with the next packet: so the drop event claims its entry at
 * once, in the kernel, under the key user space can ask for exactly (the
 * event's skb and time). */
struct ipt_key {
	__u64 skb, ts;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct ipt_key);
	__type(value, struct skbs_ipt_drop);
} ipt_events SEC(".maps");

/* Set by user space when the pair is attached (core/trace/ipt.c): the
 * drop path pays nothing otherwise. */
const volatile __u32 ipt_on = 0;

static __always_inline void ipt_claim(__u64 skb, __u64 ts)
{
	struct skbs_ipt_drop *r;
	struct ipt_key k = { .skb = skb, .ts = ts };

	if (!ipt_on)
		return;
	r = bpf_map_lookup_elem(&ipt_drops, &skb);
	if (!r)
		return;
	bpf_map_update_elem(&ipt_events, &k, r, BPF_ANY);
	bpf_map_delete_elem(&ipt_drops, &skb);
}

#endif
