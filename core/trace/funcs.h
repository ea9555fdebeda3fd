/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Function discovery: every kernel function with a struct sk_buff * among
 * its first five parameters (from vmlinux and, when asked, module BTF),
 * kept only when it can be traced.
 */
#ifndef SKBSCOPE_FUNCS_H
#define SKBSCOPE_FUNCS_H

#include <stddef.h>
#include <linux/types.h>

struct btf;

struct skb_func {
	char name[96];
	char module[56]; /* "" for vmlinux */
	int skb_pos;     /* 1..5; 0: no skb (--filter-non-skb-funcs) */
	__u32 btf_id;    /* FUNC id in its BTF (vmlinux or module) */
	int nargs;
	int ret_kind; /* enum ret_kind (core/retval.h) */
};

struct funcs_opts {
	/* available_filter_functions text, or NULL when unreadable. */
	const char *avail;
	/* kallsyms-format text, used when avail is NULL. */
	const char *kallsyms;
	const char *regex;        /* POSIX ERE on names; NULL: all */
	const char *exclude;      /* ERE of names to leave out; NULL: none */
	const char *const *kmods; /* module names to scan too */
	size_t nkmods;
	int all_kmods; /* scan every module with BTF */
	/* --filter-non-skb-funcs: also the functions regex names that take
	 * no skb among their first five parameters (skb_pos 0). Needs a
	 * regex: without one, every function of the kernel. */
	int non_skb;
	const char *btf_dir; /* NULL: /sys/kernel/btf */
};

struct funcs;

/*
 * Scan. Returns 0 or -errno with a message in err. A module without BTF
 * is noted in the result (funcs_notes), not an error.
 */
int funcs_discover(const struct btf *vmlinux, const struct funcs_opts *o,
		   struct funcs **out, char *err, size_t errlen);
void funcs_free(struct funcs *fs);
/* The functions skbscope needs whatever the user leaves out or mutes: the
 * drop reason and the end of every lifetime. */
int funcs_essential(const char *name);
size_t funcs_count(const struct funcs *fs);
const struct skb_func *funcs_get(const struct funcs *fs, size_t i);
/* Where traceability came from: "available_filter_functions" or
 * "kallsyms". */
const char *funcs_source(const struct funcs *fs);
/* Newline-separated notes (modules skipped and why), "" if none. */
const char *funcs_notes(const struct funcs *fs);

#endif
