/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The instruction edits that turn a loaded template into a copy for one
 * more attach point (core/trace/attach.c): pure functions of an
 * instruction array, so the unit tests can feed them hand-built programs.
 */
#ifndef SKBSCOPE_TRACE_PATCH_H
#define SKBSCOPE_TRACE_PATCH_H

#include <stddef.h>
#include <linux/bpf.h>

/* Subprograms a template may have (the main program counts). */
#define PATCH_MAX_FUNCS 64

/*
 * Rewrite every "rX = SKBS_HOOK_MAGIC ll" (a two-slot ld_imm64 with no
 * pseudo source) into "rX = hook_id ll". Other instructions, and
 * ld_imm64 pairs with another value or a pseudo source (map fds,
 * functions), are left as they are; a first half in the last slot (a
 * truncated program) is never read past. Returns the pairs rewritten.
 */
int patch_hook_id(struct bpf_insn *insn, size_t cnt, __u32 hook_id);

/*
 * Point nfunc func_info records (rec_size bytes each, struct
 * bpf_func_info first) at the subprograms of insn: the kernel reports
 * insn_off as it was after verification, while a new load wants offsets
 * into the instructions passed. The starts are offset 0 and the targets
 * of every bpf-to-bpf call and callback reference, in ascending order,
 * as the kernel keeps its records. 0; -E2BIG over PATCH_MAX_FUNCS starts;
 * -EINVAL when a target lies outside insn or the starts found are not
 * nfunc (func_info is then left as it was).
 */
int patch_func_info(const struct bpf_insn *insn, size_t cnt, void *func_info,
		    __u32 nfunc, __u32 rec_size);

/*
 * Turn every call to a kernel function (a kfunc: BPF_PSEUDO_KFUNC_CALL)
 * into "r0 = r1", which is what the verifier makes of bpf_rdonly_cast()
 * anyway. For kernels without that kfunc, whose verifier (before 6.3)
 * refuses a program that has any call to a missing kfunc, even one that
 * the program's read-only data leaves dead. Returns the calls rewritten.
 */
int patch_kfunc_calls(struct bpf_insn *insn, size_t cnt);

#endif
