/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal to nftrace.c, no interface of its own: the user's filter as the
 * trace rule's conditions, as nft text and as a libnftnl rule.
 */
#ifndef SKBSCOPE_EXPLAIN_NFT_MATCH_H
#define SKBSCOPE_EXPLAIN_NFT_MATCH_H

#include <stddef.h>
#include "bpf/events.h"

struct nftnl_rule;
struct nft_match;

/* The trace table's two base chains: an interface is the input one in
 * prerouting (iifname), the output one in output (oifname). */
enum nft_match_chain { NFT_MATCH_PRE, NFT_MATCH_OUT };

/* A match of every packet. 0 or -ENOMEM. */
int nft_match_new(struct nft_match **out);
void nft_match_free(struct nft_match *m);

/* Match what this filter matches (NULL: everything), or a superset of it:
 * nft_match_note() then says what was left out. */
void nft_match_set(struct nft_match *m, const struct skbs_filter *f);
/* The filter matches nothing: there is no trace rule at all. */
int nft_match_none(const struct nft_match *m);
/* What of the filter nft cannot say; "" when nothing. */
const char *nft_match_note(const struct nft_match *m);

/* The conditions in nft syntax, "" when they match everything. */
void nft_match_text(const struct nft_match *m, enum nft_match_chain chain,
		    char *buf, size_t len);
/* The trace rule for that chain: the conditions, then meta nftrace set 1.
 * The caller names its table, chain and family. NULL: out of memory. */
struct nftnl_rule *nft_match_rule(const struct nft_match *m,
				  enum nft_match_chain chain);

#endif
