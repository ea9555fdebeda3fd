/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal to nftrace.c, no interface of its own: the drop verdicts traced
 * in one namespace, and the match of a drop event to one of them.
 */
#ifndef SKBSCOPE_EXPLAIN_NFT_CORR_H
#define SKBSCOPE_EXPLAIN_NFT_CORR_H

#include <stddef.h>
#include <linux/types.h>
#include <linux/netfilter/nf_tables.h>
#include "bpf/events.h"

struct nlmsghdr;
struct nft_corr;

/*
 * A kept drop verdict: a rule's (handle != 0) or a base chain's policy.
 * The caller only reads it. Later messages may set gone and uncertain, and
 * its slot is reused once enough newer drops were traced.
 */
struct nft_corr_verdict {
	__u32 id;     /* NFTA_TRACE_ID */
	__u32 gen;    /* ruleset generation when read */
	__u32 family; /* the table's NFPROTO_* */
	__u64 handle;
	__u8 policy;
	__u8 gen_known;
	__u8 gone;      /* the rule, its chain or table deleted since */
	__u8 uncertain; /* notifications were lost since */
	char table[NFT_NAME_MAXLEN], chain[NFT_NAME_MAXLEN];
	char base[NFT_NAME_MAXLEN]; /* the base chain it was reached from */
};

/* Nothing kept yet, the generation not known. 0 or -ENOMEM. */
int nft_corr_new(struct nft_corr **out);
void nft_corr_free(struct nft_corr *kept);

/* An NFT_MSG_TRACE message: a drop verdict outside the trace table is
 * kept, stamped with the generation. */
void nft_corr_on_trace(struct nft_corr *kept, const struct nlmsghdr *nlh);
/* An NFT_MSG_NEWGEN message: the ruleset generation now. */
void nft_corr_on_gen(struct nft_corr *kept, const struct nlmsghdr *nlh);

/* Mark kept drops whose rule is gone (handle 0: any rule of the chain;
 * chain NULL: of the table). */
void nft_corr_gone(struct nft_corr *kept, __u32 family, const char *table,
		   const char *chain, __u64 handle);
/* Ruleset notifications may have been lost: every kept drop uncertain. */
void nft_corr_untrust(struct nft_corr *kept);
/* Trace messages were lost too: also what each trace id did so far, and
 * the generation, are forgotten. */
void nft_corr_lost(struct nft_corr *kept);
/* The ruleset is known to be the one v was read under. */
int nft_corr_same_gen(const struct nft_corr *kept,
		      const struct nft_corr_verdict *v);

/* The kept verdict that dropped this packet (hdr: the event's captured
 * header bytes, may be NULL; ts: the drop's CLOCK_MONOTONIC time), now
 * given to this event; NULL when none matches. */
const struct nft_corr_verdict *nft_corr_match(struct nft_corr *kept,
					      const struct skbs_event *d,
					      const __u8 *hdr, size_t hdr_len,
					      long long ts);

#endif
