/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the running kernel's BTF says about skbs: which tracepoints carry a
 * struct sk_buff * (and at which argument), and the names of the drop
 * reasons. Pure functions of a struct btf, so tests can build their own.
 * The prefix is kbtf_ (kernel BTF): libbpf owns btf_ and btf__.
 */
#ifndef SKBSCOPE_BTF_H
#define SKBSCOPE_BTF_H

#include <stddef.h>
#include <linux/types.h>

struct btf;

struct kbtf_tp {
	char name[64]; /* tracepoint name, e.g. "kfree_skb" */
	__u32 btf_id;  /* id of the btf_trace_<name> typedef */
	int skb_pos;   /* ctx index of the skb (0 = first real arg) */
	int nargs;     /* real arguments, without the hidden data ptr */
};

/*
 * Every tracepoint whose btf_trace_<name> prototype has a struct sk_buff *
 * among its first SKBS_MAX_SKB_POS real arguments. *out is malloc'd and
 * sorted by name. Returns 0 or -errno.
 */
int kbtf_skb_tracepoints(const struct btf *btf, struct kbtf_tp **out,
			 size_t *count);

/*
 * Index of the first struct sk_buff * among the first max params of the
 * function prototype proto_id, skipping the first `skip` params; -1 when
 * there is none.
 */
int kbtf_skb_param(const struct btf *btf, __u32 proto_id, int skip, int max);

/* Does enum ename have an enumerator named value? Kernel features show
 * up this way (BPF_TRACE_KPROBE_MULTI in enum bpf_attach_type). */
int kbtf_enum_has(const struct btf *btf, const char *ename, const char *value);

/* What the return value of FUNC func_id means (core/retval.h's enum
 * ret_kind), from its prototype's return type and name. */
int kbtf_ret_kind(const struct btf *btf, __u32 func_id, const char *name);

struct reasons;

/* Drop reason names from enum skb_drop_reason and the subsystem enums
 * (*_drop_reason) into a new table (core/reasons.h). A kernel without them
 * gives an empty table, not an error. 0 or -ENOMEM. */
int kbtf_load_reasons(const struct btf *btf, struct reasons **out);

/*
 * The kernel's BTF: from path (--kernel-btf, a file for kernels without
 * /sys/kernel/btf/vmlinux), or the running kernel's when path is NULL.
 * NULL with errno set and a message naming the file on failure.
 */
struct btf *kbtf_load_kernel(const char *path, char *err, size_t errlen);

#endif
