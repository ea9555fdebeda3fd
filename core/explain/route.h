/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Route lookups in the calling thread's netns, as `ip route get [fibmatch]`
 * does them (RTM_GETROUTE), and the route explanation for IP_OUTNOROUTES,
 * IP_INNOROUTES, IP_INADDRERRORS and BLACKHOLE: which route decided it.
 */
#ifndef SKBSCOPE_EXPLAIN_ROUTE_H
#define SKBSCOPE_EXPLAIN_ROUTE_H

#include <stddef.h>
#include <net/if.h>
#include <libmnl/libmnl.h>
#include <linux/types.h>
#include "core/explain.h"
#include "core/explain/explain_kernel.h"

/* One lookup: an output lookup unless iif is set (then src is needed too,
 * as for a received packet). NULL src, 0 mark and 0 ports leave them out. */
struct route_query {
	int family;      /* AF_INET or AF_INET6 */
	const __u8 *dst; /* be */
	const __u8 *src; /* be, or NULL */
	__u32 iif;       /* input lookup on this device, or 0 */
	__u32 mark;
	__u8 proto;         /* IPPROTO_*, for rules that match on it */
	__u16 sport, dport; /* host order, for rules that match on them */
};

/* The FIB entry that matched, or the lookup's error. */
struct route_answer {
	int err;      /* 0, or the kernel's -errno for the lookup */
	__u8 type;    /* RTN_* */
	__u8 dst_len; /* prefix length */
	__u8 dst[16]; /* prefix, be */
	__u8 gw[16];  /* be, when has_gw */
	__u8 has_gw;
	__u32 table; /* RT_TABLE_MAIN, ... */
	__u32 oif;   /* first nexthop's device, 0 when none */
	char dev[IF_NAMESIZE];
};

/* Ask the kernel. Returns 0 when it answered (a->err says whether a route
 * matched), or -errno with msg set when netlink itself failed. */
int route_get(const struct route_query *q, struct route_answer *a, char *msg,
	      size_t msg_len);

/* "blackhole 10.213.5.0/24 (table main)", "unicast default via 10.0.0.1
 * dev eth0 (table main)". */
const char *route_describe(int family, const struct route_answer *a, char *buf,
			   size_t len);

/* The route source (explain_kernel.c's table). */
int route_applies(const struct explain_pkt *p);
int route_explain(const struct explain_pkt *p, struct explain *out, char *msg,
		  size_t msg_len);

#endif
