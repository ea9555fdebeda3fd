/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The classic-BPF interpreter that runs pcap-filter programs, written once:
 * compiled into the probe programs (bpf/filter.bpf.h runs it one step per
 * call) and into core/cbpf.c, so that the unit tests and the fuzzer compare
 * libpcap with the very steps the kernel runs.
 */
#ifndef SKBSCOPE_CBPF_BPF_H
#define SKBSCOPE_CBPF_BPF_H

/* The BPF build has its types from vmlinux.h and __always_inline from
 * bpf_helpers.h, both included before this header; plain gcc needs them
 * from the system headers. */
#ifndef __bpf__
#include <linux/types.h>
#ifndef __always_inline
#define __always_inline __inline __attribute__((__always_inline__))
#endif
#endif
#include "events.h"

/* The interpreter's registers; the packet itself is the includer's. */
struct cbpf_vm {
	__u32 n;      /* instructions in the program */
	__u32 pktlen; /* bytes of packet the program may read */
	__u32 A, X, pc;
	__u32 ret; /* the verdict once finished: 0 rejects */
	__u32 M[16];
};

/*
 * The load hook, defined by each includer before its first call to
 * cbpf_exec(): the kernel reads the packet from its per-CPU copy of the
 * first bytes or with bpf_probe_read_kernel, user space from a buffer.
 * Writes the big-endian value of the size (1, 2 or 4) bytes at off, which
 * cbpf_exec() has checked lie inside vm->pktlen; nonzero when they cannot
 * be read, which rejects the packet.
 */
struct cbpf_pkt;
static __always_inline int cbpf_pkt_load(const struct cbpf_pkt *pkt, __u32 off,
					 __u32 size, __u32 *out);

/* Big-endian load of 1, 2 or 4 bytes at off; -1 past the end, where
 * classic BPF rejects the packet. */
static __always_inline int cbpf_load(const struct cbpf_vm *vm,
				     const struct cbpf_pkt *pkt, __u32 off,
				     __u32 size, __u32 *out)
{
	if (off > vm->pktlen || size > vm->pktlen - off)
		return -1;
	return cbpf_pkt_load(pkt, off, size, out);
}

/*
 * One instruction: the one at vm->pc of prog. Returns 1 when the program
 * has finished (vm->ret set), 0 to go on. At most SKBS_CBPF_MAX steps
 * finish any program: classic BPF only jumps forward. The index mask
 * changes nothing after the bound check; it shows the verifier the bound.
 */
static __always_inline int cbpf_exec(struct cbpf_vm *vm,
				     const struct skbs_cbpf_insn *prog,
				     const struct cbpf_pkt *pkt)
{
	struct skbs_cbpf_insn in;
	__u32 pc = vm->pc, size, v = 0, src, cond;

	if (pc >= vm->n || pc >= SKBS_CBPF_MAX)
		goto reject;
	in = prog[pc & (SKBS_CBPF_MAX - 1)];
	vm->pc = pc + 1;
	switch (CB_CLASS(in.code)) {
	case CB_LD:
	case CB_LDX:
		size = CB_SIZE(in.code) == CB_W ? 4 :
		       CB_SIZE(in.code) == CB_H ? 2 :
						  1;
		switch (CB_MODE(in.code)) {
		case CB_IMM: v = in.k; break;
		case CB_LEN: v = vm->pktlen; break;
		case CB_MEM: v = vm->M[in.k & 15]; break;
		case CB_ABS:
			if (cbpf_load(vm, pkt, in.k, size, &v))
				goto reject;
			break;
		case CB_IND:
			/* X + k past 2^32 is past the end, as in libpcap;
			 * wrapped, it would read the start. */
			if (vm->X + in.k < vm->X ||
			    cbpf_load(vm, pkt, vm->X + in.k, size, &v))
				goto reject;
			break;
		case CB_MSH:
			if (cbpf_load(vm, pkt, in.k, 1, &v))
				goto reject;
			v = (v & 0xf) << 2;
			break;
		default: goto reject;
		}
		if (CB_CLASS(in.code) == CB_LD)
			vm->A = v;
		else
			vm->X = v;
		return 0;
	case CB_ST: vm->M[in.k & 15] = vm->A; return 0;
	case CB_STX: vm->M[in.k & 15] = vm->X; return 0;
	case CB_ALU:
		src = CB_SRC(in.code) == CB_X ? vm->X : in.k;
		switch (CB_OP(in.code)) {
		case CB_ADD: vm->A += src; break;
		case CB_SUB: vm->A -= src; break;
		case CB_MUL: vm->A *= src; break;
		case CB_DIV:
			if (!src)
				goto reject;
			vm->A /= src;
			break;
		case CB_MOD:
			if (!src)
				goto reject;
			vm->A %= src;
			break;
		case CB_OR: vm->A |= src; break;
		case CB_AND: vm->A &= src; break;
		case CB_XOR: vm->A ^= src; break;
		case CB_LSH: vm->A = src < 32 ? vm->A << src : 0; break;
		case CB_RSH: vm->A = src < 32 ? vm->A >> src : 0; break;
		case CB_NEG: vm->A = -vm->A; break;
		default: goto reject;
		}
		return 0;
	case CB_JMP:
		src = CB_SRC(in.code) == CB_X ? vm->X : in.k;
		switch (CB_OP(in.code)) {
		case CB_JA: vm->pc += in.k; return 0;
		case CB_JEQ: cond = vm->A == src; break;
		case CB_JGT: cond = vm->A > src; break;
		case CB_JGE: cond = vm->A >= src; break;
		case CB_JSET: cond = (vm->A & src) != 0; break;
		default: goto reject;
		}
		vm->pc += cond ? in.jt : in.jf;
		return 0;
	case CB_RET:
		vm->ret = CB_RVAL(in.code) == CB_A ? vm->A : in.k;
		return 1;
	case CB_MISC:
		if (CB_MISCOP(in.code) == CB_TAX)
			vm->X = vm->A;
		else
			vm->A = vm->X;
		return 0;
	}
reject:
	vm->ret = 0;
	return 1;
}

#endif
