/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nftrace names the nf_tables rule, or the base chain's policy, that
 * dropped a packet, from the kernel's own packet trace (meta nftrace). In
 * each network namespace it watches it owns a table "inet skbscope" that
 * the kernel deletes when skbscope's socket closes, however skbscope ends.
 * Not thread-safe: call it from one thread (it starts short-lived threads
 * of its own to enter namespaces).
 */
#ifndef SKBSCOPE_EXPLAIN_NFTRACE_H
#define SKBSCOPE_EXPLAIN_NFTRACE_H

#include <stddef.h>
#include <linux/types.h>
#include "bpf/events.h"
#include "core/explain.h"

/* The trace table, family inet, in every watched namespace:
 * "skbscope_PID". An owned table belongs to one netlink socket, so two
 * skbscopes on one box need a table each; the pid also tells an operator
 * whose it is. */
#define NFTRACE_TABLE_PREFIX "skbscope_"
const char *nftrace_table(void);

struct nftrace;

struct nftrace_opts {
	/* Told what nftrace does to the system (a trace table added, where,
	 * and what it matches; a namespace that is gone) and what it cannot
	 * do (a filter part nft cannot say). One line, no newline. May be
	 * NULL. netns is the namespace's inode, 0 when it is about all. */
	void (*note)(void *arg, __u32 netns, const char *msg);
	void *note_arg;
};

/* Nothing is added to the kernel yet; err says why on failure. */
int nftrace_new(const struct nftrace_opts *o, struct nftrace **out, char *err,
		size_t errlen);
/* Closes every socket: the kernel then deletes the trace tables. */
void nftrace_free(struct nftrace *nt);

/* Trace what this filter matches (NULL: everything). Replaces the trace
 * rules in every watched namespace, one atomic batch per namespace; the
 * namespaces watched later get the same rules. */
int nftrace_set_filter(struct nftrace *nt, const struct skbs_filter *f,
		       char *err, size_t errlen);

/* Add the trace table in the namespace with this inode (found through
 * /run/netns and /proc/PID/ns/net). 0 when it is watched (already or
 * now); -EPERM, -ENOENT (no such namespace), -EOPNOTSUPP (kernel too old
 * for the owner flag), ... with a message otherwise. A failure is
 * remembered: nftrace_explain then says it without trying again, and
 * calling nftrace_watch again retries. */
int nftrace_watch(struct nftrace *nt, __u32 netns_ino, char *err,
		  size_t errlen);

/* The descriptors to poll for input; returns how many there are (only the
 * first max are stored). They change when namespaces are watched. */
int nftrace_fds(struct nftrace *nt, int *fds, int max);
/* Read what the kernel has sent, without blocking, and notice watched
 * namespaces that are gone. Returns the messages read or -errno. */
int nftrace_read(struct nftrace *nt);

/*
 * Explain a drop event (hdr: its captured header bytes, may be NULL). Ask
 * for netfilter drops only (reason NETFILTER_DROP, or no reason known):
 * the first drop seen in a namespace starts watching it, and is answered
 * EXPLAIN_PENDING (or EXPLAIN_UNAVAILABLE with the reason). Reads pending
 * messages first. Returns 0 with out filled (EXPLAIN_NFT_RULE,
 * EXPLAIN_NFT_POLICY, EXPLAIN_PENDING or EXPLAIN_UNAVAILABLE); -EAGAIN
 * when no trace has matched yet but one still may (ask again a little
 * later); -ENOENT when none matched (out->text may say why).
 */
int nftrace_explain(struct nftrace *nt, const struct skbs_event *drop,
		    const __u8 *hdr, size_t hdr_len, struct explain *out);

/*
 * The nft match expression a filter becomes, in nft syntax (the interface
 * as in prerouting: iifname), e.g. "ip daddr 10.0.0.2 meta l4proto udp th
 * dport 7001" (`nft list` merges the last two into "udp dport 7001");
 * empty when it matches everything. note (may be NULL) says what of the
 * filter nft cannot say. Returns 0, or 1 when the filter matches nothing
 * (no trace rule at all).
 */
int nftrace_match_text(const struct skbs_filter *f, char *buf, size_t len,
		       char *note, size_t notelen);

#endif
