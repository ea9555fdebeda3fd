// SPDX-License-Identifier: GPL-2.0
/*
 * Instruction edits for template copies (patch.h). Kept apart from the
 * loading in attach.c so that they can be tested without a kernel.
 */
#include <errno.h>
#include <stdlib.h>
#include "core/trace/patch.h"
#include "bpf/events.h"

#define LD_IMM64 (BPF_LD | BPF_IMM | BPF_DW)

int patch_hook_id(struct bpf_insn *insn, size_t cnt, __u32 hook_id)
{
	const __u32 lo = (__u32)SKBS_HOOK_MAGIC;
	const __u32 hi = (__u32)(SKBS_HOOK_MAGIC >> 32);
	int found = 0;

	for (size_t i = 0; i + 1 < cnt; i++) {
		if (insn[i].code != LD_IMM64)
			continue;
		if (insn[i].src_reg == 0 && (__u32)insn[i].imm == lo &&
		    (__u32)insn[i + 1].imm == hi) {
			insn[i].imm = (__s32)hook_id;
			insn[i + 1].imm = 0;
			found++;
		}
		i++; /* the second half is not an instruction of its own */
	}
	return found;
}

int patch_kfunc_calls(struct bpf_insn *insn, size_t cnt)
{
	int found = 0;

	for (size_t i = 0; i < cnt; i++) {
		if (insn[i].code == LD_IMM64) {
			i++; /* its second half is no instruction */
			continue;
		}
		if (insn[i].code != (BPF_JMP | BPF_CALL) ||
		    insn[i].src_reg != BPF_PSEUDO_KFUNC_CALL)
			continue;
		insn[i] = (struct bpf_insn){
			.code = BPF_ALU64 | BPF_MOV | BPF_X,
			.dst_reg = BPF_REG_0,
			.src_reg = BPF_REG_1,
		};
		found++;
	}
	return found;
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

int patch_func_info(const struct bpf_insn *insn, size_t cnt, void *func_info,
		    __u32 nfunc, __u32 rec_size)
{
	__u32 starts[PATCH_MAX_FUNCS], n = 1;

	starts[0] = 0;
	for (size_t i = 0; i < cnt; i++) {
		int is_call = insn[i].code == (BPF_JMP | BPF_CALL) &&
			      insn[i].src_reg == BPF_PSEUDO_CALL;
		int is_func = insn[i].code == LD_IMM64 &&
			      insn[i].src_reg == BPF_PSEUDO_FUNC;
		long t = (long)i + insn[i].imm + 1;
		__u32 k;

		if (!is_call && !is_func)
			continue;
		if (t < 0 || (size_t)t >= cnt)
			return -EINVAL;
		for (k = 0; k < n && starts[k] != (__u32)t; k++)
			;
		if (k == n) {
			if (n == PATCH_MAX_FUNCS)
				return -E2BIG;
			starts[n++] = (__u32)t;
		}
	}
	qsort(starts, n, sizeof(starts[0]), cmp_u32);
	if (n != nfunc)
		return -EINVAL;
	for (__u32 k = 0; k < n; k++)
		((struct bpf_func_info *)((char *)func_info +
					  (size_t)k * rec_size))
			->insn_off = starts[k];
	return 0;
}
