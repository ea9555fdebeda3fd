/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal to nftrace.c, no interface of its own: a watched namespace found
 * by inode, and what is made inside it: the trace table's owner socket, the
 * trace socket and a libnftables context.
 */
#ifndef SKBSCOPE_EXPLAIN_NFT_NS_H
#define SKBSCOPE_EXPLAIN_NFT_NS_H

#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>

struct nft_ctx;
struct nft_match;
struct nft_ns;

/* The calling thread's namespace: the one entered without a thread, and
 * the device every namespace inode is on. */
struct nft_ns_home {
	__u32 ino;
	dev_t dev;
};

/* 0 or -errno (no /proc/self/ns/net). */
int nft_ns_home(struct nft_ns_home *home);

/*
 * Find the namespace with this inode (through /run/netns and
 * /proc/PID/ns/net), open its sockets from a thread that entered it, and
 * add the trace table with m's rules. 0, or -errno and err says why (or is
 * left as it was: then only the number does). Nothing is left behind on
 * failure.
 */
int nft_ns_open(const struct nft_ns_home *home, __u32 ino,
		const struct nft_match *m, struct nft_ns **out, char *err,
		size_t errlen);
/* Closing the owner socket is what makes the kernel delete the table. */
void nft_ns_close(struct nft_ns *ns);

/* "a" (/run/netns/a), a mount path, "pid N" or "this process's". */
const char *nft_ns_name(const struct nft_ns *ns);
/* Nothing but our sockets refers to it any more (never the home one). */
int nft_ns_gone(const struct nft_ns *ns);

/* Replace the trace rules by m's (nft_table_refilter). */
int nft_ns_refilter(struct nft_ns *ns, const struct nft_match *m,
		    const char **failed);

/* The trace socket: its descriptor (non-blocking), its port id. */
int nft_ns_fd(const struct nft_ns *ns);
__u32 nft_ns_portid(const struct nft_ns *ns);
/* Ask for the ruleset generation on the trace socket; the answer comes
 * in order with the traces, numbered *seq. 0 or -errno. */
int nft_ns_getgen(struct nft_ns *ns, __u32 *seq);

/* The libnftables context, to be used only inside nft_ns_run(). */
struct nft_ctx *nft_ns_nft(struct nft_ns *ns);
/* Run fn in the namespace, on a thread of its own that ends with it (in the
 * home namespace: on the caller's); the caller's thread never changes
 * namespace. fn's return value, or -errno and err says why. */
int nft_ns_run(struct nft_ns *ns, int (*fn)(void *), void *arg, char *err,
	       size_t errlen);

#endif
