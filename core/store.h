/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The event store behind the explorer: skb lifetimes (address, generation)
 * with their timelines, per-function hit counts, and a drop index, bounded
 * by a maximum number of lifetimes (the oldest are evicted first).
 */
#ifndef SKBSCOPE_STORE_H
#define SKBSCOPE_STORE_H

#include <stddef.h>
#include <linux/types.h>
#include "bpf/events.h"

/* One hop of a timeline, kept compact (the ring buffer event is larger). */
struct hop {
	__u64 ts;
	__u64 location; /* drop location, or 0 */
	__u64 caller;
	__u32 hook;
	__u32 netns;
	__u32 mark;
	__u32 ifindex;
	__u32 len;
	__u32 drop_reason;
	__s32 stack_id;
	__u16 cpu;
	__u16 l3_proto;
	__u16 sport, dport;
	__u8 l4_proto;
	__u8 flags; /* enum skbs_event_flags */
	__u8 saddr[16], daddr[16];
	__u16 hdr_len; /* captured header bytes (--snaplen) */
	/* --output-skb-metadata values: nmeta u64s right after the header
	 * bytes at hdr (unaligned: memcpy them out, or store_hop_meta). */
	__u8 nmeta;
	__u16 flags2;   /* enum skbs_event_flags2 */
	__u8 tcp_flags; /* when flags2 has SKBS_EV2_TCP_FLAGS */
	/* The function's return (--output-return): has_ret says whether
	 * ret, ret_kind (enum ret_kind) and dur (ns in the call) are set. */
	__u8 has_ret;
	__u8 ret_kind;
	__u64 dur;
	__s64 ret;
	/* They start at L2 when SKBS_EV_HDR_L2. Owned by the store and
	 * shared between hops that captured the same bytes; valid until the
	 * next store_add or store_free. */
	__u8 *hdr;
	__u64 cgroup; /* the event's cgroup id (SKBS_EV2_CGROUP), or 0 */
};

/* Metadata value i of a hop (0 past nmeta). */
__u64 store_hop_meta(const struct hop *h, unsigned int i);

enum pkt_state {
	PKT_IN_FLIGHT,
	PKT_CONSUMED,
	PKT_DROPPED,
};

/* A lifetime as callers see it; the store keeps its own bookkeeping
 * beside it. The byte-wide fields keep the store's slot at 80 bytes. */
struct packet {
	__u64 skb;
	__u64 first_ts, last_ts;
	__u64 location;
	struct hop *hops;
	__u32 gen;
	__u32 drop_reason; /* when state is PKT_DROPPED */
	__u32 last_hook;
	__u32 nhops;
	/* The hop that names the packet: its first with a complete tuple
	 * (store_tuple_complete), else its first with any, or (__u32)-1. */
	__u32 first_tuple;
	__u8 state; /* enum pkt_state */
	__u8 reason_known;
};

/*
 * Were the headers hop h read from complete: an IP header and, for TCP and
 * UDP, both ports? On kprobe kernels an skb is first seen in functions
 * such as udp_send_skb, before the UDP header is written, so its first
 * tuple reads :0->:0.
 */
int store_tuple_complete(const struct hop *h);

struct store;

int store_new(size_t max_packets, struct store **out);
void store_free(struct store *st);
/* Add one event and its tail; its gen must be set (core/lifetime).
 * 0 or -ENOMEM. */
int store_add(struct store *st, const struct skbs_event *ev, const char *tail);

/* Lifetimes in first-seen order: 0 is the oldest kept. */
size_t store_count(const struct store *st);
const struct packet *store_packet(const struct store *st, size_t i);
/* Index of the lifetime with generation gen, or -1. */
long store_find(const struct store *st, __u32 gen);
/* p as it was after its first n hops (p itself from n = p->nhops on),
 * into out; out->hops are p's, valid as long as they are. */
void store_packet_upto(const struct packet *p, __u32 n, struct packet *out);
/* Dropped lifetimes, in the order they were dropped. */
size_t store_drop_count(const struct store *st);
const struct packet *store_drop(const struct store *st, size_t i);

struct explain;
/* Keep (a copy of) why lifetime gen was dropped, replacing what was kept
 * for it. Only the newest drops' are kept. 0 or -ENOMEM. */
int store_set_explain(struct store *st, __u32 gen, const struct explain *e);
/* Why p was dropped, or NULL when nothing is kept for it. */
const struct explain *store_explain(const struct store *st,
				    const struct packet *p);

/* Join a return record to its entry hop (same skb, hop ts == ts_entry),
 * in the newest lifetimes of that skb. 0, or -ENOENT when the entry is
 * not (or no longer) kept. */
int store_add_return(struct store *st, const struct skbs_return *r, int kind);
/* Returns joined so far, and the time inside each hook's calls (ns). */
__u64 store_returns(const struct store *st);
__u64 store_hook_time(const struct store *st, __u32 hook);

/* Hit counts per hook id, over everything stored since start. */
__u64 store_hook_hits(const struct store *st, __u32 hook);

__u64 store_events(const struct store *st);  /* events added, all time */
__u64 store_evicted(const struct store *st); /* lifetimes evicted */
size_t store_max(const struct store *st);
/* Interface name of (netns, ifindex) as events reported it, or NULL. */
const char *store_ifname(const struct store *st, __u32 netns, __u32 ifindex);
/* Bytes the store holds (lifetimes and hops), for benchmarks. */
size_t store_bytes(const struct store *st);

#endif
