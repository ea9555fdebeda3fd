/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TCP and UDP sockets of the calling thread's netns, from NETLINK_SOCK_DIAG
 * (what `ss` reads), with their owners found in /proc/PID/fd; and the
 * NO_SOCKET explanation built on them: what listens near the port a packet
 * found closed.
 */
#ifndef SKBSCOPE_EXPLAIN_SOCKDIAG_H
#define SKBSCOPE_EXPLAIN_SOCKDIAG_H

#include <stddef.h>
#include <linux/types.h>
#include <linux/sock_diag.h>
#include "core/explain.h"
#include "core/explain/explain_kernel.h"

#define SOCKDIAG_COMM 16

struct sockdiag_sock {
	int family;     /* AF_INET or AF_INET6 */
	__u8 proto;     /* IPPROTO_TCP or IPPROTO_UDP */
	__u8 state;     /* TCP_* as inet_diag has it; UDP: TCP_CLOSE
			      * unconnected, TCP_ESTABLISHED connected */
	__u8 v6only;    /* AF_INET6 only: IPV6_V6ONLY set */
	__u8 has_mem;   /* mem[] came with the answer */
	__u8 laddr[16]; /* be; IPv4 in the first four bytes */
	__u8 raddr[16]; /* be */
	__u16 lport;    /* host order */
	__u16 rport;    /* host order */
	__u32 ifindex;  /* SO_BINDTODEVICE, 0 for any device */
	__u32 uid;
	__u32 inode;
	__u32 rqueue;               /* listeners: accept queue length */
	__u32 wqueue;               /* listeners: accept backlog limit */
	__u32 mem[SK_MEMINFO_VARS]; /* SK_MEMINFO_*: bytes, drops a count */
	int pid;                    /* from sockdiag_owners; 0 when unknown */
	char comm[SOCKDIAG_COMM];
};

/* The sockets of one family and protocol whose state bit (1 << TCP_*) is in
 * states, with their memory counters. *out is malloc'ed (free it); *n may
 * be 0. 0, or -errno with msg set. */
int sockdiag_list(int family, __u8 proto, __u32 states,
		  struct sockdiag_sock **out, size_t *n, char *msg,
		  size_t msg_len);

/* Fill pid and comm of each socket from the /proc/PID/fd links that name
 * its inode; bounded work, so some may stay unknown. Returns how many were
 * found. */
int sockdiag_owners(struct sockdiag_sock *s, size_t n);

/* Would s receive a packet of its protocol for addr:port (family's
 * address) arriving on ifindex? 2 for its exact address, 1 for a wildcard
 * (0.0.0.0, [::] dual-stack, or the v4-mapped form), 0 for no. */
int sockdiag_accepts(const struct sockdiag_sock *s, int family,
		     const __u8 *addr, __u16 port, __u32 ifindex);

/* "0.0.0.0:7002", "[::]:7002": the socket's local end. */
const char *sockdiag_local(const struct sockdiag_sock *s, char *buf,
			   size_t len);
/* "pid 812 (python3)", or "pid unknown (uid 0)". */
const char *sockdiag_owner_text(const struct sockdiag_sock *s, char *buf,
				size_t len);

/* The NO_SOCKET source (explain_kernel.c's table). */
int sockdiag_applies(const struct explain_pkt *p);
int sockdiag_explain(const struct explain_pkt *p, struct explain *out,
		     char *msg, size_t msg_len);

#endif
