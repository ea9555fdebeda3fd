/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Drops by tc BPF programs (--filter-trace-tc): a program's TC_ACT_SHOT
 * comes back as its return record just before the kernel frees the skb
 * (kfree_skb with reason TC_INGRESS, TC_EGRESS or NOT_SPECIFIED), so the
 * last verdicts are kept per skb and the drop that follows is explained
 * by the program that decided it. Pure: fed by the front end, tested
 * without a kernel.
 */
#ifndef SKBSCOPE_BPFVERDICT_H
#define SKBSCOPE_BPFVERDICT_H

#include <linux/types.h>
#include "bpf/events.h"

struct explain;
struct hooks;

/* Verdicts kept: more than can be between a verdict and its free. */
#define BPFV_SLOTS 64
/* A verdict older than this does not explain a drop (ns). */
#define BPFV_MAX_AGE 1000000000ULL

struct bpfv_entry {
	__u64 skb, ts; /* ts: the program's return */
	__u32 hook;
	__s32 ret;
};

struct bpf_verdicts {
	struct bpfv_entry e[BPFV_SLOTS];
	unsigned next;
};

/* A return record of hook (any kind): kept when it is a BPF program's
 * drop verdict. */
void bpfv_note(struct bpf_verdicts *v, const struct hooks *h,
	       const struct skbs_return *r, int kind);
/* The drop of skb at ts: 0 with out set (EXPLAIN_BPF_PROG) when a tc
 * program dropped it; -ENOENT otherwise. The verdict is used once. */
int bpfv_explain(struct bpf_verdicts *v, const struct hooks *h, __u64 skb,
		 __u64 ts, struct explain *out);

#endif
