// SPDX-License-Identifier: GPL-2.0
/* Mirrors cbpf_step() in bpf/skbscope.bpf.c; a change to one is a change
 * to both (tests/unit/test_pcap.c compares them with libpcap). */
#include "core/cbpf.h"

static int load(const __u8 *pkt, __u32 len, __u32 off, __u32 size, __u32 *v)
{
	if (off > len || size > len - off)
		return -1;
	if (size == 4)
		*v = (__u32)pkt[off] << 24 | (__u32)pkt[off + 1] << 16 |
		     (__u32)pkt[off + 2] << 8 | pkt[off + 3];
	else if (size == 2)
		*v = (__u32)pkt[off] << 8 | pkt[off + 1];
	else
		*v = pkt[off];
	return 0;
}

__u32 cbpf_run(const struct skbs_cbpf_insn *prog, __u32 n, const __u8 *pkt,
	       __u32 len)
{
	__u32 A = 0, X = 0, M[16] = { 0 }, pc = 0, v = 0, src, size;

	/* As in the kernel: one step per instruction, at most the maximum
	 * program length of steps. */
	for (int step = 0; step < SKBS_CBPF_MAX; step++) {
		struct skbs_cbpf_insn in;

		if (pc >= n || pc >= SKBS_CBPF_MAX)
			return 0;
		in = prog[pc++];
		switch (CB_CLASS(in.code)) {
		case CB_LD:
		case CB_LDX:
			size = CB_SIZE(in.code) == CB_W ? 4 :
			       CB_SIZE(in.code) == CB_H ? 2 : 1;
			switch (CB_MODE(in.code)) {
			case CB_IMM: v = in.k; break;
			case CB_LEN: v = len; break;
			case CB_MEM: v = M[in.k & 15]; break;
			case CB_ABS:
				if (load(pkt, len, in.k, size, &v))
					return 0;
				break;
			case CB_IND:
				/* X + k past 2^32 is past the end, as in
				 * libpcap; wrapped, it would read the start. */
				if (X + in.k < X ||
				    load(pkt, len, X + in.k, size, &v))
					return 0;
				break;
			case CB_MSH:
				if (load(pkt, len, in.k, 1, &v))
					return 0;
				v = (v & 0xf) << 2;
				break;
			default:
				return 0;
			}
			if (CB_CLASS(in.code) == CB_LD)
				A = v;
			else
				X = v;
			break;
		case CB_ST:
			M[in.k & 15] = A;
			break;
		case CB_STX:
			M[in.k & 15] = X;
			break;
		case CB_ALU:
			src = CB_SRC(in.code) == CB_X ? X : in.k;
			switch (CB_OP(in.code)) {
			case CB_ADD: A += src; break;
			case CB_SUB: A -= src; break;
			case CB_MUL: A *= src; break;
			case CB_DIV:
				if (!src)
					return 0;
				A /= src;
				break;
			case CB_MOD:
				if (!src)
					return 0;
				A %= src;
				break;
			case CB_OR: A |= src; break;
			case CB_AND: A &= src; break;
			case CB_XOR: A ^= src; break;
			case CB_LSH: A = src < 32 ? A << src : 0; break;
			case CB_RSH: A = src < 32 ? A >> src : 0; break;
			case CB_NEG: A = -A; break;
			default: return 0;
			}
			break;
		case CB_JMP: {
			int cond;

			src = CB_SRC(in.code) == CB_X ? X : in.k;
			switch (CB_OP(in.code)) {
			case CB_JA: pc += in.k; continue;
			case CB_JEQ: cond = A == src; break;
			case CB_JGT: cond = A > src; break;
			case CB_JGE: cond = A >= src; break;
			case CB_JSET: cond = (A & src) != 0; break;
			default: return 0;
			}
			pc += cond ? in.jt : in.jf;
			break;
		}
		case CB_RET:
			return CB_RVAL(in.code) == CB_A ? A : in.k;
		case CB_MISC:
			if (CB_MISCOP(in.code) == CB_TAX)
				X = A;
			else
				A = X;
			break;
		}
	}
	return 0;
}
