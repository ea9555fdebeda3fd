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
 *   static __always_inline int run_expr(struct skbs_filter *f, __u32 slot,
 *                                       int which, const void *base);
 *
 * f and slot are what active_filter() gave; which is EXPR_SKB (run
 * f->skb_expr, base a struct sk_buff *) or EXPR_XDP (f->xdp_expr, base a
 * struct xdp_buff *). Returns 1 when the expression holds, 0 when not; a
 * slot with no expression (n == 0) holds, so the flags (SKBS_F_SKB_EXPR,
 * SKBS_F_XDP_EXPR) need no test first. handle_skb tests none: the branch
 * made the verifier walk the rest of every program twice (1,000 more
 * instructions a copy), and the call it saves costs a hit tens of ns.
 * Loads are bpf_probe_read_kernel from base, so any backend's pointer
 * will do; a field that cannot be read is 0.
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

enum { EXPR_SKB = 0, EXPR_XDP = 1, EXPR_META = 2 };

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

/* Field idx of which (EXPR_SKB, EXPR_XDP: the expression's; EXPR_META:
 * --output-skb-metadata's) read from r->vm.base. Global: every field path
 * is walked by the verifier here, once per program load. */
__attribute__((noinline)) __u64 expr_field_load(__u32 which, __u32 idx)
{
	const struct skbs_field *fl;
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
	if (which == EXPR_META)
		fl = &f->meta[idx & (SKBS_META_MAX - 1)];
	else if (which == EXPR_XDP)
		fl = &f->xdp_expr.fields[idx & (SKBS_EXPR_FIELDS - 1)];
	else
		fl = &f->skb_expr.fields[idx & (SKBS_EXPR_FIELDS - 1)];
	return expr_field(NULL, fl, r->vm.base);
}

static __always_inline __u64 expr_mem_field(struct expr_mem *m,
					    const struct skbs_expr *e,
					    __u32 idx, __u64 base)
{
	struct expr_state *r;
	__u32 zero = 0;

	(void)m;
	(void)e;
	(void)base;
	r = bpf_map_lookup_elem(&expr_map, &zero);
	return r ? expr_field_load(r->which, idx) : 0;
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

/* --output-skb-metadata: field i of the slot into r->meta[i]; 1 when
 * there is one. Global, and one field a call, so that the verifier walks
 * one field path once per program load. */
__attribute__((noinline)) int expr_meta_step(__u32 i)
{
	struct skbs_filter *f;
	struct expr_state *r;
	__u32 zero = 0, slot;

	r = bpf_map_lookup_elem(&expr_map, &zero);
	if (!r || i >= SKBS_META_MAX)
		return 0;
	slot = r->slot & 1;
	f = bpf_map_lookup_elem(&cfg_slots, &slot);
	if (!f || i >= f->nmeta)
		return 0;
	/* clang knows i < SKBS_META_MAX and would drop a plain mask; the
	 * verifier, which does not, needs it. */
	asm volatile("%0 &= 3" : "+r"(i));
	r->meta[i] = expr_field_load(EXPR_META, i);
	return 1;
}

#ifdef SKBS_BPF_LOOP
/* See cbpf_loop_cb in filter.bpf.h: only the bpf_loop object has it. */
static long expr_loop_cb(__u32 i, void *data)
{
	(void)data;
	return expr_step(i) ? 1 : 0;
}
#endif

/* The whole run, global: verified once per program load whatever calls
 * it, so a caller pays one call and one branch on the verdict. The base
 * is in r->vm.base already: a global function takes no pointer
 * arguments but the context. */
__attribute__((noinline)) int expr_run(__u32 slot, __u32 which)
{
	struct skbs_filter *f;
	struct expr_state *r;
	__u32 zero = 0;

	r = bpf_map_lookup_elem(&expr_map, &zero);
	slot &= 1;
	f = bpf_map_lookup_elem(&cfg_slots, &slot);
	if (!r || !f)
		return 0;
	if (!(which ? f->xdp_expr.n : f->skb_expr.n))
		return 1;
	r->slot = slot;
	r->which = which != 0;
	r->vm.pc = r->vm.sp = 0;
	r->verdict = 0;
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

static __always_inline int run_expr(struct skbs_filter *f, __u32 slot,
				    int which, const void *base)
{
	struct expr_state *r;
	__u32 zero = 0;

	(void)f;
	r = bpf_map_lookup_elem(&expr_map, &zero);
	if (!r)
		return 0;
	r->vm.base = (__u64)base;
	return expr_run(slot, which == EXPR_XDP);
}

/* --output-skb-metadata: the fields of r->vm.base into r->meta, when the
 * slot asks for them; how many. Global, for the same reason as expr_run. */
__attribute__((noinline)) int expr_meta_read(__u32 slot)
{
	struct skbs_filter *f;
	struct expr_state *r;
	__u32 zero = 0;
	int n = 0;

	r = bpf_map_lookup_elem(&expr_map, &zero);
	slot &= 1;
	f = bpf_map_lookup_elem(&cfg_slots, &slot);
	if (!r || !f || !(f->output & SKBS_O_META))
		return 0;
	r->slot = slot;
	for (int i = 0; i < SKBS_META_MAX; i++) {
		if (!expr_meta_step(i))
			break;
		n++;
	}
	return n;
}

#endif
