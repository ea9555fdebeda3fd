/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal to nftrace.c, no interface of its own: the trace table "inet
 * skbscope", added and refiltered in batches on the socket that owns it.
 */
#ifndef SKBSCOPE_EXPLAIN_NFT_TABLE_H
#define SKBSCOPE_EXPLAIN_NFT_TABLE_H

#include <stddef.h>
#include <linux/types.h>

struct mnl_socket;
struct nft_match;

/* Is this the trace table? Its own trace events and deletions are not the
 * user's ruleset. */
int nft_table_ours(__u32 family, const char *table);

/*
 * Add the table with the owner flag, its two base chains (prerouting and
 * output, before everything else) and the trace rules of m, in one batch
 * on own, the socket that then owns the table. seq numbers the messages.
 * A table of that name there already is never taken over. When the kernel
 * did not make own the owner, the table is deleted again. 0, or -errno
 * and err says why (naming netns ino) or is left as it was.
 */
int nft_table_add(struct mnl_socket *own, __u32 *seq, __u32 ino,
		  const struct nft_match *m, char *err, size_t errlen);

/* Replace the trace rules by m's, in one transaction. 0, or -errno and
 * failed names the message that failed; failed is NULL when nothing was
 * sent (out of memory). */
int nft_table_refilter(struct mnl_socket *own, __u32 *seq,
		       const struct nft_match *m, const char **failed);

#endif
