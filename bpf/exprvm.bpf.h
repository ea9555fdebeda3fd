/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The interpreter of struct skbs_expr (bpf/events.h), written once:
 * compiled into the probe programs (bpf/expr.bpf.h runs it one step per
 * call) and into core/skbexpr.c, so that the unit tests run the very steps
 * the kernel runs, over a fake memory map instead of kernel memory.
 */
#ifndef SKBSCOPE_EXPRVM_BPF_H
#define SKBSCOPE_EXPRVM_BPF_H

#ifndef __bpf__
#include <linux/types.h>
#ifndef __always_inline
#define __always_inline __inline __attribute__((__always_inline__))
#endif
#endif
#include "events.h"

struct expr_vm {
	__u64 base; /* address of the struct the paths start from */
	__u32 pc;
	__u32 sp; /* values on the stack */
	__u64 stack[SKBS_EXPR_STACK];
};

/*
 * The load hook, defined by each includer before its first call to
 * expr_exec(): size (1, 2, 4 or 8) bytes at addr into *out, zero-extended,
 * little endian. Nonzero when they cannot be read (a NULL pointer on the
 * way, say): the field then reads as 0.
 */
struct expr_mem;
static __always_inline int expr_mem_load(struct expr_mem *m, __u64 addr,
					 __u32 size, __u64 *out);

/* The FIELD instruction's load of field idx (< e->nfields) of e, also the
 * includer's: user space calls expr_field() below, the kernel a global
 * function around it, so that its paths are verified once per program
 * load rather than inside every instruction's. */
static __always_inline __u64 expr_mem_field(struct expr_mem *m,
					    const struct skbs_expr *e,
					    __u32 idx, __u64 base);

/* One field: hops - 1 pointer loads, then the value. A pointer that cannot
 * be read, or a NULL one, ends the path with 0. */
static __always_inline __u64 expr_field(struct expr_mem *m,
					const struct skbs_field *fl, __u64 base)
{
	__u64 p = base, v = 0;
	__u32 hops = fl->hops, size = fl->size;

	if (!hops || hops > SKBS_EXPR_HOPS)
		return 0;
#ifdef __bpf__
#pragma unroll
#endif
	for (int i = 0; i < SKBS_EXPR_HOPS - 1; i++) {
		if ((__u32)i + 1 >= hops)
			break;
		if (!p || expr_mem_load(m, p + fl->off[i], 8, &p))
			return 0;
	}
	if (!p ||
	    expr_mem_load(m, p + fl->off[(hops - 1) & (SKBS_EXPR_HOPS - 1)],
			  size, &v))
		return 0;
	if (fl->bit_width && fl->bit_width < 64)
		v = (v >> (fl->bit_shift & 63)) &
		    ((1ULL << (fl->bit_width & 63)) - 1);
	if (fl->flags & SKBS_FLD_SIGNED) {
		__u32 bits = fl->bit_width ? fl->bit_width : size * 8;

		if (bits && bits < 64) {
			__u64 sb = 1ULL << ((bits - 1) & 63);

			v = (v ^ sb) - sb;
		}
	}
	return v;
}

/*
 * One instruction of e. Returns 1 when the program has finished (*verdict
 * set: 1 when the value left on top is nonzero; a malformed program
 * keeps nothing), 0 to go on. At most SKBS_EXPR_INSNS steps finish any
 * program: there are no jumps. The masks change nothing after the bound
 * checks; they show the verifier the bounds.
 */
static __always_inline int expr_exec(struct expr_vm *vm,
				     const struct skbs_expr *e,
				     struct expr_mem *m, __u64 *verdict)
{
	const struct skbs_expr_insn *in;
	__u32 pc = vm->pc, sp = vm->sp, n = e->n;
	__u64 a, b, r;

	if (pc >= n || pc >= SKBS_EXPR_INSNS) {
		*verdict = sp == 1 && vm->stack[0] != 0;
		return 1;
	}
	in = &e->insn[pc & (SKBS_EXPR_INSNS - 1)];
	vm->pc = pc + 1;
	if (in->op == SKBS_XOP_PUSH || in->op == SKBS_XOP_FIELD) {
		if (sp >= SKBS_EXPR_STACK)
			goto bad;
		if (in->op == SKBS_XOP_PUSH)
			r = in->imm;
		else if (in->arg < e->nfields && in->arg < SKBS_EXPR_FIELDS)
			r = expr_mem_field(m, e, in->arg, vm->base);
		else
			goto bad;
		vm->stack[sp & (SKBS_EXPR_STACK - 1)] = r;
		vm->sp = sp + 1;
		return 0;
	}
	if (in->op >= SKBS_XOP_NOT && in->op <= SKBS_XOP_BNOT) {
		if (!sp || sp > SKBS_EXPR_STACK)
			goto bad;
		a = vm->stack[(sp - 1) & (SKBS_EXPR_STACK - 1)];
		r = in->op == SKBS_XOP_NOT ? !a :
		    in->op == SKBS_XOP_NEG ? -a :
					     ~a;
		vm->stack[(sp - 1) & (SKBS_EXPR_STACK - 1)] = r;
		return 0;
	}
	if (sp < 2 || sp > SKBS_EXPR_STACK)
		goto bad;
	a = vm->stack[(sp - 2) & (SKBS_EXPR_STACK - 1)];
	b = vm->stack[(sp - 1) & (SKBS_EXPR_STACK - 1)];
	switch (in->op) {
	case SKBS_XOP_EQ: r = a == b; break;
	case SKBS_XOP_NE: r = a != b; break;
	case SKBS_XOP_LT: r = a < b; break;
	case SKBS_XOP_LE: r = a <= b; break;
	case SKBS_XOP_GT: r = a > b; break;
	case SKBS_XOP_GE: r = a >= b; break;
	case SKBS_XOP_SLT: r = (__s64)a < (__s64)b; break;
	case SKBS_XOP_SLE: r = (__s64)a <= (__s64)b; break;
	case SKBS_XOP_SGT: r = (__s64)a > (__s64)b; break;
	case SKBS_XOP_SGE: r = (__s64)a >= (__s64)b; break;
	case SKBS_XOP_BAND: r = a & b; break;
	case SKBS_XOP_LAND: r = a && b; break;
	case SKBS_XOP_LOR: r = a || b; break;
	default: goto bad;
	}
	vm->stack[(sp - 2) & (SKBS_EXPR_STACK - 1)] = r;
	vm->sp = sp - 1;
	return 0;
bad:
	*verdict = 0;
	return 1;
}

#endif
