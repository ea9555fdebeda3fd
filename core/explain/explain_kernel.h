/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Why a drop happened, asked of the live kernel in the packet's own network
 * namespace: one entry point picks a source by drop reason (sockets, routes,
 * reverse-path filter, queues), runs it inside the event's netns, and falls
 * back to the reason's plain sentence when no source applies or the kernel
 * cannot be asked.
 */
#ifndef SKBSCOPE_EXPLAIN_KERNEL_H
#define SKBSCOPE_EXPLAIN_KERNEL_H

#include <stddef.h>
#include <linux/types.h>
#include "bpf/events.h"
#include "core/explain.h"

struct explain_kernel;

/* A cache of recent answers and the netns finder. Not thread-safe: one per
 * thread that explains. 0 or -ENOMEM. */
int explain_kernel_new(struct explain_kernel **out);
void explain_kernel_free(struct explain_kernel *ek);

/*
 * Explain one drop. reason_name is the reason without its SKB_DROP_REASON_
 * prefix (reasons_name()); hdr/hdr_len are the event's captured header
 * bytes (from the MAC header when ev->flags has SKBS_EV_HDR_L2), used for
 * the addresses and ports when the event has no tuple; hdr may be NULL.
 * out is always filled. Returns 0 when the kernel's state explained it;
 * otherwise out holds the reason's sentence (EXPLAIN_REASON) and says why
 * nothing more is known, and the return is -EOPNOTSUPP (no source for this
 * reason or packet) or the source's -errno (-ENOENT: netns gone or 0,
 * -EPERM: not allowed to enter it, ...).
 */
int explain_kernel(struct explain_kernel *ek, const struct skbs_event *ev,
		   const char *reason_name, const __u8 *hdr, size_t hdr_len,
		   struct explain *out);

/* Questions put to the kernel, and answers served from the cache instead. */
void explain_kernel_stats(const struct explain_kernel *ek, __u64 *asked,
			  __u64 *cached);

/*
 * For the sources (core/explain/{sockdiag,route,rpfilter,queue}.c): the
 * drop as they see it. Each source has an `applies` test and an `explain`
 * that runs inside the packet's netns and returns 0 with out filled, or
 * -errno with msg set.
 */
#define EXPLAIN_NETNS_NAME 64

struct explain_pkt {
	__u32 netns;                         /* inode of the packet's netns */
	char netns_name[EXPLAIN_NETNS_NAME]; /* "b", or the inode */
	const char *reason;                  /* "NO_SOCKET" */
	int family;                 /* AF_INET, AF_INET6, or 0 when not known */
	__u8 proto;                 /* IPPROTO_*, 0 when not known */
	__u8 has_ports;             /* sport/dport are valid (TCP, UDP) */
	__u8 saddr[16];             /* be; IPv4 in the first four bytes */
	__u8 daddr[16];             /* be */
	__u16 sport;                /* host order */
	__u16 dport;                /* host order */
	__u32 ifindex;              /* the skb's device, 0 when none */
	char ifname[SKBS_IFNAMSIZ]; /* as the tracer saw it; may be "" */
	__u32 mark;                 /* skb->mark */
};

/* "10.213.0.2", "fd00::2". */
const char *explain_addr(int family, const __u8 *addr, char *buf, size_t len);
/* "10.213.0.2:7003", "[fd00::2]:7003". */
const char *explain_endpoint(int family, const __u8 *addr, __u16 port,
			     char *buf, size_t len);
/* "udp", "tcp", or "proto 47", written into buf. */
const char *explain_proto(__u8 proto, char *buf, size_t len);

#endif
