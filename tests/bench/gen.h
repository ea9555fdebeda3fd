/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Synthetic traffic for the benchmarks: a few packets in flight at once,
 * their hops interleaved, each walking a prefix of its path (receive,
 * send or forward) and then freed or dropped, over the hooks and drop
 * reasons of a tracepoint + function session. bench-ingest and
 * bench-render both draw their events from here; the options are where
 * they differ, and each keeps the events its published figures came from.
 */
#ifndef SKBSCOPE_BENCH_GEN_H
#define SKBSCOPE_BENCH_GEN_H

#include <linux/types.h>
#include "bpf/events.h"

struct hooks;
struct reasons;

enum gen_mix {
	/* UDP received into a socket queue 60%, sent 25%, forwarded 15% */
	GEN_MIX_UDP,
	/* UDP received 35%, TCP received 25%, sent 25%, forwarded 15%; the
	 * receive paths end at the protocol's handler */
	GEN_MIX_TCP,
};

struct gen_opts {
	__u64 seed; /* the xorshift state to start from, not 0 */
	__u64 ts;   /* the clock before the first event, ns */
	/* On its own clock, events are step + [0, spread) ns apart. */
	unsigned step_ns, spread_ns;
	unsigned long packets; /* end once this many have ended; 0: never */
	enum gen_mix mix;
	int snaplen;     /* header bytes per event, 0: none */
	int stack_depth; /* kernel stack frames per event, 0: none */
	/*
	 * Header bytes as varied as real ones, so that the store's sharing
	 * of bytes between hops and packets does not flatter its memory
	 * figure: a payload per packet, and forwarded packets' bytes
	 * rewritten where DNAT (nf_hook_slow) and ip_forward's TTL change
	 * them. 0: every payload alike, and the bytes never change.
	 */
	int vary_headers;
	/* Each packet's skb address drawn at random from this many, as the
	 * slab reuses them; 0: each packet its own (2^20 before any is
	 * used again). */
	unsigned slab;
	unsigned cpus; /* events on CPUs [0, cpus), at least 1 */
	__u32 tx_pid;  /* the pid of sent packets' events */
};

struct gen;

/* 0, -EINVAL (seed 0) or -ENOMEM. */
int gen_new(const struct gen_opts *o, struct gen **out);
void gen_free(struct gen *g);

/* The hooks, in their event ids' order (some attached and never hit),
 * and the drop reasons the events refer to. 0, or -errno. */
int gen_tables(struct hooks *hooks, struct reasons *reasons);

/*
 * The next event into ev, its header bytes into *tail (NULL when none,
 * valid until the next call) and its stack into ips (SKBS_STACK_DEPTH of
 * room; NULL will do without stacks). ts 0: on the generator's own clock;
 * else at ts, or 1 ns after the previous event if ts is not later.
 * Returns the frames in ips, or -1 once `packets` have all ended.
 */
int gen_next(struct gen *g, __u64 ts, struct skbs_event *ev, const char **tail,
	     __u64 *ips);

/* Packets started so far. */
unsigned long gen_started(const struct gen *g);
/* End once this many have ended, counting from the first; 0: never. */
void gen_set_packets(struct gen *g, unsigned long packets);

#endif
