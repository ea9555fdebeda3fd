/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Expressions on kernel structs, as the probe programs run them:
 * --filter-skb-expr on every skb hit, --filter-xdp-expr on XDP hops, and
 * the fields of --output-skb-metadata. The interpreter is exprvm.bpf.h
 * (user space runs the same steps, core/skbexpr.c); this header drives it
 * from the config map. Include it after filter.bpf.h (cfg_slots).
 *
 * For callers (e.g. the XDP hops of --filter-trace-xdp):
 *
 *   static __noinline int run_expr(struct skbs_filter *f, __u32 slot,
 *                                  int which, const void *base);
 *
 * f and slot are what active_filter() gave; which is EXPR_SKB (run
 * f->skb_expr, base a struct sk_buff *) or EXPR_XDP (f->xdp_expr, base a
 * struct xdp_buff *). Returns 1 when the expression holds, 0 when not; a
 * program with no expression (n == 0) holds. The caller checks the flag
 * (SKBS_F_SKB_EXPR, SKBS_F_XDP_EXPR) first, so a filter without one costs
 * one test. Loads are bpf_probe_read_kernel from base, so any backend's
 * pointer will do; a field that cannot be read is 0.
 *
 * Verification cost decides the shape, as for the classic-BPF interpreter
 * (see filter.bpf.h): the state lives in a per-CPU map and one step is a
 * global function, verified once per program load; bpf_loop drives it
 * where the kernel has it (5.17+), a bounded loop elsewhere.
 */
#ifndef SKBSCOPE_EXPR_BPF_H
#define SKBSCOPE_EXPR_BPF_H

#include "events.h"
#include "exprvm.bpf.h"

enum { EXPR_SKB = 0, EXPR_XDP = 1 };

/* Loads need no state: the includer's struct expr_mem is empty. */
struct expr_mem {
	int unused;
};

struct expr_state {
	struct expr_vm vm;
	__u32 slot;  /* cfg_slots index of the program */
	__u32 which; /* EXPR_SKB or EXPR_XDP */
	__u64 verdict;
	__u64 meta[SKBS_META_MAX]; /* expr_meta_step's output */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct expr_state);
} expr_map SEC(".maps");

/* Little endian: the low bytes of the zeroed *out take the value. One
 * constant size per call, which is what the helper wants verified. */
static __always_inline int expr_mem_load(struct expr_mem *m, __u64 addr,
					 __u32 size, __u64 *out)
{
	const void *p = (const void *)addr;

	(void)m;
	*out = 0;
	switch (size) {
	case 1: return bpf_probe_read_kernel(out, 1, p) ? -1 : 0;
	case 2: return bpf_probe_read_kernel(out, 2, p) ? -1 : 0;
	case 4: return bpf_probe_read_kernel(out, 4, p) ? -1 : 0;
	case 8: return bpf_probe_read_kernel(out, 8, p) ? -1 : 0;
	}
	return -1;
}

/* One instruction. Returns 1 when finished (verdict set). Global, so that
 * it is verified once per program load. */
__attribute__((noinline)) int expr_step(__u32 unused)
{
	struct skbs_filter *f;
	struct expr_state *r;
	__u32 zero = 0, slot;

	r = bpf_map_lookup_elem(&expr_map, &zero);
	if (!r)
		return 1;
	slot = r->slot & 1;
	f = bpf_map_lookup_elem(&cfg_slots, &slot);
	if (!f) {
		r->verdict = 0;
		return 1;
	}
	return expr_exec(&r->vm, r->which ? &f->xdp_expr : &f->skb_expr, NULL,
			 &r->verdict);
}

/* --output-skb-metadata: every field of the slot into r->meta. Global,
 * for the same reason: four paths of up to four loads each, inline in
 * every program copy, would be walked by the verifier in each. */
__attribute__((noinline)) int expr_meta_step(__u32 unused)
{
	struct skbs_filter *f;
	struct expr_state *r;
	__u32 zero = 0, slot;

	r = bpf_map_lookup_elem(&expr_map, &zero);
	if (!r)
		return 0;
	slot = r->slot & 1;
	f = bpf_map_lookup_elem(&cfg_slots, &slot);
	if (!f)
		return 0;
#pragma unroll
	for (int i = 0; i < SKBS_META_MAX; i++)
		r->meta[i] = i < f->nmeta ? expr_field(NULL, &f->meta[i],
						       r->vm.base) :
					    0;
	return f->nmeta < SKBS_META_MAX ? f->nmeta : SKBS_META_MAX;
}

#ifdef SKBS_BPF_LOOP
/* See cbpf_loop_cb in filter.bpf.h: only the bpf_loop object has it. */
static long expr_loop_cb(__u32 i, void *data)
{
	(void)data;
	return expr_step(i) ? 1 : 0;
}
#endif

static __noinline int run_expr(struct skbs_filter *f, __u32 slot, int which,
			       const void *base)
{
	struct expr_state *r;
	__u32 zero = 0;

	if (!f)
		return 0;
	r = bpf_map_lookup_elem(&expr_map, &zero);
	if (!r)
		return 0;
	r->slot = slot;
	r->which = which == EXPR_XDP;
	r->vm.base = (__u64)base;
	r->vm.pc = r->vm.sp = 0;
	r->verdict = 0;
	if (!(which == EXPR_XDP ? f->xdp_expr.n : f->skb_expr.n))
		return 1;
#ifdef SKBS_BPF_LOOP
	bpf_loop(SKBS_EXPR_INSNS + 1, expr_loop_cb, NULL, 0);
#else
	/* No jumps: a program of n steps ends within n + 1 calls. */
	for (int i = 0; i <= SKBS_EXPR_INSNS; i++)
		if (expr_step(i))
			break;
#endif
	return r->verdict != 0;
}

/* The metadata fields of base into out (SKBS_META_MAX u64s); the count. */
static __noinline int read_expr_meta(__u32 slot, const void *base, __u64 *out)
{
	struct expr_state *r;
	__u32 zero = 0;
	int n;

	r = bpf_map_lookup_elem(&expr_map, &zero);
	if (!r)
		return 0;
	r->slot = slot;
	r->vm.base = (__u64)base;
	n = expr_meta_step(0);
#pragma unroll
	for (int i = 0; i < SKBS_META_MAX; i++)
		out[i] = r->meta[i];
	return n;
}

#endif
