/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel text addresses to "function+0xoff", from a kallsyms-format file
 * whose path the caller gives (tests use fixtures).
 */
#ifndef SKBSCOPE_KSYMS_H
#define SKBSCOPE_KSYMS_H

#include <stddef.h>
#include <linux/types.h>

struct ksyms;

/* 0 or -errno; a file whose addresses are all zero (read without
 * privilege) gives -EPERM. */
int ksyms_load(const char *path, struct ksyms **out);
void ksyms_free(struct ksyms *ks);
/* The text symbol containing addr, or NULL. *module is NULL for vmlinux. */
/* The first of n stack frames that is the kernel's own: the frames of a
 * BPF program (module "bpf") and of the tracepoint glue that ran it
 * (bpf_trace_run*, __bpf_trace_*) come first and say nothing of the
 * packet. 0 without symbols. */
int ksyms_first_kernel_frame(const struct ksyms *ks, const __u64 *ips, int n);
const char *ksyms_lookup(const struct ksyms *ks, __u64 addr, __u64 *off,
			 const char **module);
/* "name+0xoff", "name+0xoff [mod]" or "0x<addr>"; snprintf's return. */
int ksyms_format(const struct ksyms *ks, __u64 addr, char *buf, size_t len);
/* Address of a text symbol by exact name, 0 if absent. */
__u64 ksyms_addr(const struct ksyms *ks, const char *name);
size_t ksyms_count(const struct ksyms *ks);

/* An empty table to fill with ksyms_add: recordings carry the symbols their
 * events need, and replay builds the table from them. 0 or -ENOMEM. */
int ksyms_new_empty(struct ksyms **out);
/*
 * Add the text symbol starting at addr (module NULL or "" for vmlinux); the
 * strings are copied. Only for tables from ksyms_new_empty (-EINVAL for
 * loaded ones, and for addr 0). -EEXIST when a symbol already starts at
 * addr, -ENOMEM. Each addition costs O(n): meant for thousands, not for a
 * whole kallsyms.
 */
int ksyms_add(struct ksyms *ks, __u64 addr, const char *name,
	      const char *module);

#endif
