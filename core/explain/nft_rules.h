/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal to nftrace.c, no interface of its own: one namespace's chains as
 * nft lists them, cached per chain and invalidated by deletion messages.
 */
#ifndef SKBSCOPE_EXPLAIN_NFT_RULES_H
#define SKBSCOPE_EXPLAIN_NFT_RULES_H

#include <stddef.h>
#include <linux/types.h>

struct nlmsghdr;
struct nft_ns;
struct nft_rules;

/* An empty cache. 0 or -ENOMEM. */
int nft_rules_new(struct nft_rules **out);
void nft_rules_free(struct nft_rules *rs);
/* Forget every listing: they are read again when next needed. */
void nft_rules_clear(struct nft_rules *rs);

/* The family as nft names it ("inet", "ip", ...; "unknown"). */
const char *nft_rules_family(__u32 family);

/*
 * The text of rule handle of that chain, as nft prints it, from the cache
 * or (when not cached, or reload) listed in ns now. 0 with text filled;
 * -ENOENT when there is no such rule, chain or table now; another -errno
 * when it could not be listed, and err says why.
 */
int nft_rules_text(struct nft_rules *rs, struct nft_ns *ns, __u32 family,
		   const char *table, const char *chain, __u64 handle,
		   int reload, char *text, size_t len, char *err,
		   size_t errlen);

/* The hook of the base chain a drop in chain happened under: the chain's
 * own, or else that of base (the base chain it was reached from, may be
 * ""). "" when not known. */
void nft_rules_hook(struct nft_rules *rs, struct nft_ns *ns, __u32 family,
		    const char *table, const char *chain, const char *base,
		    char *hook, size_t len);

/* Told what a deletion took: a rule (handle != 0), every rule of a chain
 * (handle 0) or of a table (chain NULL). A deleted rule of the trace table
 * itself is ignored. */
typedef void nft_rules_gone_fn(void *arg, __u32 family, const char *table,
			       const char *chain, __u64 handle);

/*
 * A DELRULE, DELCHAIN or DELTABLE notification (other messages are
 * ignored): the listings of what it deleted are forgotten, and gone(arg,
 * ...) told. 0; -1 when the message could not be parsed: then it may have
 * been of any rule, so every listing is forgotten and gone is not called.
 */
int nft_rules_on_del(struct nft_rules *rs, const struct nlmsghdr *nlh,
		     nft_rules_gone_fn *gone, void *arg);

#endif
