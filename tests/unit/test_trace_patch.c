// SPDX-License-Identifier: GPL-2.0
/* core/trace/patch: the edits that make a template copy, on programs
 * built here instruction by instruction. */
#include <stdlib.h>
#include <linux/bpf.h>
#include "core/trace/patch.h"
#include "bpf/events.h"
#include "test.h"

#define LD_IMM64 (BPF_LD | BPF_IMM | BPF_DW)
#define MAGIC_LO ((__s32)(__u32)SKBS_HOOK_MAGIC)
#define MAGIC_HI ((__s32)(__u32)(SKBS_HOOK_MAGIC >> 32))

/* "dst = (src pseudo) hi:lo ll", both halves. */
static void ld64(struct bpf_insn *p, int dst, int src, __s32 lo, __s32 hi)
{
	p[0] = (struct bpf_insn){
		.code = LD_IMM64, .dst_reg = dst, .src_reg = src, .imm = lo
	};
	p[1] = (struct bpf_insn){ .imm = hi };
}

static struct bpf_insn mov(int dst, __s32 imm)
{
	return (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K,
				  .dst_reg = dst,
				  .imm = imm };
}

static struct bpf_insn call_rel(__s32 off)
{
	return (struct bpf_insn){ .code = BPF_JMP | BPF_CALL,
				  .src_reg = BPF_PSEUDO_CALL,
				  .imm = off };
}

static struct bpf_insn exit_insn(void)
{
	return (struct bpf_insn){ .code = BPF_JMP | BPF_EXIT };
}

TEST(trace_patch_hook_rewrites_every_marker_pair)
{
	struct bpf_insn p[12], before[12];

	ld64(&p[0], 1, 0, MAGIC_LO, MAGIC_HI); /* marker */
	p[2] = mov(2, MAGIC_LO);               /* not an ld_imm64 */
	ld64(&p[3], 3, 0, MAGIC_LO, 7);        /* other upper half */
	ld64(&p[5], 4, BPF_PSEUDO_MAP_FD, MAGIC_LO, MAGIC_HI); /* a map */
	ld64(&p[7], 5, 0, MAGIC_LO, MAGIC_HI); /* marker again */
	/* A pair whose second half holds the marker's lower half: the
	 * second half must not be read as the start of a pair. */
	ld64(&p[9], 6, 0, 1, MAGIC_LO);
	p[11] = exit_insn();
	memcpy(before, p, sizeof(p));

	CHECK_INT(patch_hook_id(p, 12, 42), 2);
	CHECK_INT(p[0].imm, 42);
	CHECK_INT(p[1].imm, 0);
	CHECK_INT(p[0].dst_reg, 1);
	CHECK_INT(p[7].imm, 42);
	CHECK_INT(p[8].imm, 0);
	CHECK_INT(p[7].dst_reg, 5);
	/* Everything else is as it was. */
	CHECK(!memcmp(&p[2], &before[2], 5 * sizeof(p[0])));
	CHECK(!memcmp(&p[9], &before[9], 3 * sizeof(p[0])));
	/* The copy now carries no marker: a second pass finds none. */
	CHECK_INT(patch_hook_id(p, 12, 43), 0);
	CHECK_INT(p[0].imm, 42);
}

TEST(trace_patch_hook_truncated_program)
{
	struct bpf_insn p[4], before[4];

	/* A first half in the last slot: its second half is missing, so it
	 * is not a marker and nothing past the end is read or written. */
	p[0] = mov(0, 0);
	p[1] = mov(1, 0);
	ld64(&p[2], 1, 0, MAGIC_LO, MAGIC_HI);
	memcpy(before, p, sizeof(p));
	CHECK_INT(patch_hook_id(p, 3, 9), 0);
	CHECK(!memcmp(p, before, sizeof(p)));
	/* The same pair, whole, is rewritten. */
	CHECK_INT(patch_hook_id(p, 4, 9), 1);
	CHECK_INT(p[2].imm, 9);
	CHECK_INT(p[3].imm, 0);
	/* Empty and one-slot programs. */
	CHECK_INT(patch_hook_id(p, 0, 9), 0);
	CHECK_INT(patch_hook_id(p, 1, 9), 0);
	/* SKBS_HOOK_BY_IP is a hook id like any other to the patcher. */
	ld64(&p[0], 1, 0, MAGIC_LO, MAGIC_HI);
	CHECK_INT(patch_hook_id(p, 2, SKBS_HOOK_BY_IP), 1);
	CHECK_INT((__u32)p[0].imm, SKBS_HOOK_BY_IP);
}

/*
 *  0: call +3        -> subprogram at 4
 *  1: r1 = func +5   -> callback at 7 (ld_imm64, slots 1-2)
 *  3: exit
 *  4: call +2        -> 7 again (counted once)
 *  5: r0 = 0
 *  6: exit
 *  7: r0 = 1
 *  8: exit
 */
static size_t three_funcs(struct bpf_insn *p)
{
	p[0] = call_rel(3);
	ld64(&p[1], 1, BPF_PSEUDO_FUNC, 5, 0);
	p[3] = exit_insn();
	p[4] = call_rel(2);
	p[5] = mov(0, 0);
	p[6] = exit_insn();
	p[7] = mov(0, 1);
	p[8] = exit_insn();
	return 9;
}

TEST(trace_patch_func_info_offsets)
{
	struct bpf_insn p[9];
	size_t n = three_funcs(p);
	/* Records as the kernel returns them: offsets after verification
	 * (here nonsense), type ids to keep. */
	struct bpf_func_info fi[3] = {
		{ 100, 11 },
		{ 200, 12 },
		{ 300, 13 },
	};
	/* A bigger record size: the offsets are found by rec_size. */
	struct {
		struct bpf_func_info f;
		__u32 extra;
	} wide[3] = {
		{ { 1, 21 }, 0xaa },
		{ { 2, 22 }, 0xbb },
		{ { 3, 23 }, 0xcc },
	};

	CHECK_INT(patch_func_info(p, n, fi, 3, sizeof(fi[0])), 0);
	CHECK_INT(fi[0].insn_off, 0);
	CHECK_INT(fi[1].insn_off, 4);
	CHECK_INT(fi[2].insn_off, 7);
	CHECK_INT(fi[0].type_id, 11);
	CHECK_INT(fi[2].type_id, 13);
	CHECK_INT(patch_func_info(p, n, wide, 3, sizeof(wide[0])), 0);
	CHECK_INT(wide[1].f.insn_off, 4);
	CHECK_INT(wide[2].f.insn_off, 7);
	CHECK_INT(wide[2].f.type_id, 23);
	CHECK_INT(wide[2].extra, 0xcc);
}

TEST(trace_patch_func_info_refuses_mismatches)
{
	struct bpf_insn p[9];
	size_t n = three_funcs(p);
	struct bpf_func_info fi[3] = { { 100, 1 }, { 200, 2 }, { 300, 3 } };
	struct bpf_insn *big;

	/* The kernel reported another number of functions. */
	CHECK_INT(patch_func_info(p, n, fi, 2, sizeof(fi[0])), -EINVAL);
	CHECK_INT(fi[0].insn_off, 100);
	CHECK_INT(fi[1].insn_off, 200);
	/* A call past the end of a truncated program. */
	CHECK_INT(patch_func_info(p, 6, fi, 3, sizeof(fi[0])), -EINVAL);
	CHECK_INT(fi[1].insn_off, 200);
	/* No calls at all: one function at 0. */
	p[0] = mov(0, 0);
	p[1] = exit_insn();
	CHECK_INT(patch_func_info(p, 2, fi, 1, sizeof(fi[0])), 0);
	CHECK_INT(fi[0].insn_off, 0);
	/* More subprograms than a template may have: PATCH_MAX_FUNCS calls
	 * to as many functions, plus the main program. */
	big = calloc(2 * PATCH_MAX_FUNCS, sizeof(*big));
	CHECK(big);
	for (int i = 0; i < PATCH_MAX_FUNCS; i++) {
		big[i] = call_rel(PATCH_MAX_FUNCS - 1); /* to MAX + i */
		big[PATCH_MAX_FUNCS + i] = exit_insn();
	}
	CHECK_INT(patch_func_info(big, 2 * PATCH_MAX_FUNCS, fi, 3,
				  sizeof(fi[0])),
		  -E2BIG);
	free(big);
}

TEST(trace_patch_kfunc_calls_become_moves)
{
	const struct bpf_insn kfunc = { .code = BPF_JMP | BPF_CALL,
					.src_reg = BPF_PSEUDO_KFUNC_CALL,
					.imm = 1234 };
	struct bpf_insn p[7], before[7];

	p[0] = kfunc;
	p[1] = (struct bpf_insn){ .code = BPF_JMP | BPF_CALL, .imm = 113 };
	p[2] = call_rel(3); /* a subprogram */
	/* An ld_imm64 whose second half looks like a kfunc call: it is no
	 * instruction and must stay as it is. */
	ld64(&p[3], 1, 0, 7, 0);
	p[4] = kfunc;
	p[5] = kfunc;
	p[5].off = 2; /* a module's kfunc */
	p[6] = exit_insn();
	memcpy(before, p, sizeof(p));
	CHECK_INT(patch_kfunc_calls(p, 7), 2);
	for (int i = 0; i < 7; i += 5) {
		CHECK_INT(p[i].code, BPF_ALU64 | BPF_MOV | BPF_X);
		CHECK_INT(p[i].dst_reg, 0);
		CHECK_INT(p[i].src_reg, 1);
		CHECK_INT(p[i].imm, 0);
		CHECK_INT(p[i].off, 0);
	}
	CHECK(!memcmp(&p[1], &before[1], 4 * sizeof(p[0])));
	CHECK(!memcmp(&p[6], &before[6], sizeof(p[0])));
	/* Nothing to do; a lone first half at the end is not read past. */
	CHECK_INT(patch_kfunc_calls(p, 1), 0);
	ld64(&p[0], 1, 0, 7, 0);
	CHECK_INT(patch_kfunc_calls(p, 1), 0);
}
