// SPDX-License-Identifier: GPL-2.0
/* The user-space driver of the classic-BPF interpreter in bpf/cbpf.bpf.h,
 * the one the probe programs run: the same steps over a packet in a
 * buffer, so that the tests and the fuzzer check them against libpcap. */
#include <stddef.h>
#include <linux/filter.h>
#include "core/cbpf.h"
#include "bpf/cbpf.bpf.h"

/* The CB_* values in bpf/events.h are the kernel's own encoding: the BPF
 * side cannot include the uapi header next to vmlinux.h, so check here. */
_Static_assert(CB_CLASS(0xff) == BPF_CLASS(0xff), "CB_CLASS");
_Static_assert(CB_LD == BPF_LD && CB_LDX == BPF_LDX && CB_ST == BPF_ST &&
		       CB_STX == BPF_STX && CB_ALU == BPF_ALU &&
		       CB_JMP == BPF_JMP && CB_RET == BPF_RET &&
		       CB_MISC == BPF_MISC,
	       "CB_ classes");
_Static_assert(CB_SIZE(0xff) == BPF_SIZE(0xff) && CB_W == BPF_W &&
		       CB_H == BPF_H && CB_B == BPF_B,
	       "CB_ sizes");
_Static_assert(CB_MODE(0xff) == BPF_MODE(0xff) && CB_IMM == BPF_IMM &&
		       CB_ABS == BPF_ABS && CB_IND == BPF_IND &&
		       CB_MEM == BPF_MEM && CB_LEN == BPF_LEN &&
		       CB_MSH == BPF_MSH,
	       "CB_ modes");
_Static_assert(CB_OP(0xff) == BPF_OP(0xff) && CB_ADD == BPF_ADD &&
		       CB_SUB == BPF_SUB && CB_MUL == BPF_MUL &&
		       CB_DIV == BPF_DIV && CB_OR == BPF_OR &&
		       CB_AND == BPF_AND && CB_LSH == BPF_LSH &&
		       CB_RSH == BPF_RSH && CB_NEG == BPF_NEG &&
		       CB_MOD == BPF_MOD && CB_XOR == BPF_XOR,
	       "CB_ ALU ops");
_Static_assert(CB_JA == BPF_JA && CB_JEQ == BPF_JEQ && CB_JGT == BPF_JGT &&
		       CB_JGE == BPF_JGE && CB_JSET == BPF_JSET,
	       "CB_ jumps");
_Static_assert(CB_SRC(0xff) == BPF_SRC(0xff) && CB_K == BPF_K && CB_X == BPF_X,
	       "CB_ sources");
_Static_assert(CB_RVAL(0xff) == BPF_RVAL(0xff) && CB_A == BPF_A,
	       "CB_ return values");
_Static_assert(CB_MISCOP(0xff) == BPF_MISCOP(0xff) && CB_TAX == BPF_TAX &&
		       CB_TXA == BPF_TXA,
	       "CB_ misc ops");
_Static_assert(sizeof(struct skbs_cbpf_insn) == sizeof(struct sock_filter) &&
		       offsetof(struct skbs_cbpf_insn, jt) ==
			       offsetof(struct sock_filter, jt) &&
		       offsetof(struct skbs_cbpf_insn, k) ==
			       offsetof(struct sock_filter, k),
	       "struct sock_filter");
_Static_assert(sizeof(((struct cbpf_vm *)0)->M) / sizeof(__u32) == BPF_MEMWORDS,
	       "scratch memory");

struct cbpf_pkt {
	const __u8 *data;
};

/* The whole packet is in memory: a load inside pktlen always succeeds. */
static __always_inline int cbpf_pkt_load(const struct cbpf_pkt *pkt, __u32 off,
					 __u32 size, __u32 *out)
{
	const __u8 *b = pkt->data + off;

	if (size == 4)
		*out = (__u32)b[0] << 24 | (__u32)b[1] << 16 |
		       (__u32)b[2] << 8 | b[3];
	else if (size == 2)
		*out = (__u32)b[0] << 8 | b[1];
	else
		*out = b[0];
	return 0;
}

__u32 cbpf_run(const struct skbs_cbpf_insn *prog, __u32 n, const __u8 *pkt,
	       __u32 len)
{
	struct cbpf_vm vm = { .n = n, .pktlen = len };
	struct cbpf_pkt p = { .data = pkt };

	/* As the kernel drives it: at most the maximum program length of
	 * steps, and a program that has not returned by then rejects. */
	for (int step = 0; step < SKBS_CBPF_MAX; step++)
		if (cbpf_exec(&vm, prog, &p))
			break;
	return vm.ret;
}
