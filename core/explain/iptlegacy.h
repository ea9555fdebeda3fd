/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An iptables-legacy drop, said from the kernel's record of which table
 * returned NF_DROP (struct skbs_ipt_drop, core/trace/ipt.c): the table and
 * chain, and plainly that the rule cannot be named.
 */
#ifndef SKBSCOPE_EXPLAIN_IPTLEGACY_H
#define SKBSCOPE_EXPLAIN_IPTLEGACY_H

#include <stddef.h>
#include <linux/types.h>
#include "bpf/events.h"
#include "core/explain.h"

/* The table's name in the raw start of its struct xt_table: 0, or -ENOENT
 * when none of the kernel's legacy table names is there. */
int iptlegacy_table(const __u8 *bytes, size_t n, char *out, size_t len);
/* "PREROUTING" .. "POSTROUTING" for enum nf_inet_hooks, NULL otherwise. */
const char *iptlegacy_chain(unsigned hook);
/* Fill out (kind EXPLAIN_NFT_LEGACY). */
void iptlegacy_explain(const struct skbs_ipt_drop *d, struct explain *out);

#endif
