/* SPDX-License-Identifier: GPL-2.0 */
/* Captured header bytes as text: decoded L2/L3/L4 fields and a hex dump.
 * Pure, so it is tested on packets built in the test. */
#ifndef SKBSCOPE_HEADERS_H
#define SKBSCOPE_HEADERS_H

#include <stddef.h>
#include <linux/types.h>
#include "bpf/events.h"

#define HDR_LINE 128

/* Decode n bytes (from the Ethernet header when l2, else from the IP
 * header) into at most max lines; returns the number of lines. */
int headers_decode(const __u8 *b, size_t n, int l2, char (*lines)[HDR_LINE],
		   int max);
/* tcpdump's letters for TCP flags, in its order: F S R P . U E W
 * ("S.", "R.", "" for none). Returns the length. */
int headers_tcp_flags(__u8 flags, char *buf, size_t len);
/* The name of an ethertype ("arp", "lldp", "vlan"), or NULL. */
const char *headers_ethertype(__u16 type);

/* The tuple of the packet in b (from the Ethernet header when l2, else
 * from the IP header) into ev's tuple fields (l3_proto, l4_proto, flags
 * SKBS_EV_TUPLE, addresses, ports, TCP flags), as the probe programs
 * read it. *l4 is the L4 header's offset in b (0: none). Returns 0 when
 * a tuple was found, -1 when the bytes end first or it is not IP/ARP. */
int headers_tuple(const __u8 *b, size_t n, int l2, struct skbs_event *ev,
		  size_t *l4);

/* A tunnel found in captured bytes: VXLAN, Geneve, GRE, IPIP or SIT. */
struct hdr_tunnel {
	const char *kind; /* "vxlan", "geneve", "gre", "ipip", "sit" */
	int has_id;       /* VNI (VXLAN, Geneve) or GRE key */
	__u32 id;
	struct skbs_event outer; /* the outer tuple */
	struct skbs_event inner; /* the inner tuple, if inner_ok */
	int inner_ok;            /* the bytes reach the inner L3/L4 */
	int inner_l2;            /* the inner packet starts with Ethernet */
};
/* Find a tunnel in b as the probe programs' parser does (bpf/tunnel.bpf.h).
 * Returns 1 and fills t, or 0 when b holds none. */
int headers_tunnel(const __u8 *b, size_t n, int l2, struct hdr_tunnel *t);

/* 16 bytes a line: "0000  45 00 ... |E..)....|". Returns lines. */
int headers_hexdump(const __u8 *b, size_t n, char (*lines)[HDR_LINE], int max);

#endif
