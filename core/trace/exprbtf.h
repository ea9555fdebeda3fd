/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's BTF as the type source of core/skbexpr.h: struct, member
 * and type lookups for --filter-skb-expr, --filter-xdp-expr and
 * --output-skb-metadata.
 */
#ifndef SKBSCOPE_EXPRBTF_H
#define SKBSCOPE_EXPRBTF_H

#include <stddef.h>

struct btf;
struct skbexpr_types;

/* A type source over btf, which the caller keeps alive. */
void kbtf_expr_types(const struct btf *btf, struct skbexpr_types *out);

/*
 * A type source that loads the kernel's BTF on first use: path (from
 * --kernel-btf), or /sys/kernel/btf/vmlinux when NULL. A failed load is
 * reported by every lookup, naming the file. One per program.
 */
const struct skbexpr_types *kbtf_expr_lazy(const char *path);

#endif
