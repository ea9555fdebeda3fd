/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --filter-tunnel-pcap-l2/-l3: a pcap expression on the inner packet of a
 * tunnel. The outer headers are parsed here, from the outer L4 header the
 * tuple read found, to the inner header; the classic-BPF interpreter of
 * filter.bpf.h then runs the tunnel program from there. For skbscope.bpf.c,
 * after filter.bpf.h. core/tunnel.c decodes the same headers in user space
 * (--output-tunnel), from the captured bytes.
 */
#ifndef SKBSCOPE_TUNNEL_BPF_H
#define SKBSCOPE_TUNNEL_BPF_H

#include "events.h"
#include "skb.bpf.h"
#include "filter.bpf.h"

#define TUN_VXLAN_PORT 4789
#define TUN_GENEVE_PORT 6081
#define TUN_IPPROTO_IPIP 4
#define TUN_IPPROTO_IPV6 41
#define TUN_IPPROTO_GRE 47
#define TUN_ETH_P_TEB 0x6558 /* transparent Ethernet bridging */

static __always_inline int tun_type(__u16 type)
{
	if (type == TUN_ETH_P_TEB)
		return 1;
	return type == ETH_P_IP || type == ETH_P_IPV6 ? 0 : -1;
}

/*
 * Where the inner packet starts: VXLAN (UDP 4789: 8 bytes after UDP, an
 * Ethernet frame), Geneve (UDP 6081: 8 bytes plus its options, the type
 * it names), GRE version 0 (4 bytes plus checksum, key and sequence
 * number when present: 0x6558 an Ethernet frame, else IP) and IPIP / SIT
 * (IP straight after the outer header). l4 is the outer L4 header's
 * offset from head, from read_tuple. Returns the inner header's offset
 * from head with *l2 set when it is an Ethernet header, or 0.
 */
static __always_inline __u32 tunnel_inner(const unsigned char *head, __u32 l4,
					  __u32 proto, __u32 dport, __u32 *l2)
{
	__u32 flags, len;
	__u8 b[4];
	int t;

	if (proto == TUN_IPPROTO_IPIP || proto == TUN_IPPROTO_IPV6) {
		*l2 = 0;
		return l4;
	}
	if (proto == IPPROTO_UDP && dport == TUN_VXLAN_PORT) {
		*l2 = 1;
		return l4 + 16;
	}
	if (proto == IPPROTO_UDP && dport == TUN_GENEVE_PORT) {
		if (bpf_probe_read_kernel(b, sizeof(b), head + l4 + 8))
			return 0;
		t = tun_type((__u16)b[2] << 8 | b[3]);
		if (t < 0 || (b[0] >> 6))
			return 0; /* not version 0 */
		*l2 = t;
		return l4 + 16 + (b[0] & 0x3f) * 4;
	}
	if (proto != TUN_IPPROTO_GRE ||
	    bpf_probe_read_kernel(b, sizeof(b), head + l4))
		return 0;
	flags = (__u32)b[0] << 8 | b[1];
	t = tun_type((__u16)b[2] << 8 | b[3]);
	/* Version 0 without source routing; PPTP's version 1 carries PPP. */
	if (t < 0 || (flags & 0x4007))
		return 0;
	len = 4 + (flags & 0x8000 ? 4 : 0) + (flags & 0x2000 ? 4 : 0) +
	      (flags & 0x1000 ? 4 : 0);
	*l2 = t;
	return l4 + len;
}

/* tunnel_inner as a global function, verified once on its own: its
 * branches (one per kind, one per optional GRE field) would otherwise be
 * walked in every state of run_exprs. Returns the inner header's offset
 * << 1 | 1 when it is Ethernet, or 0. head_addr is skb->head. */
__attribute__((noinline)) __u32 tunnel_locate(__u64 head_addr, __u32 l4,
					      __u32 proto_port)
{
	__u32 l2 = 0, in;

	if (!l4)
		return 0;
	in = tunnel_inner((const unsigned char *)head_addr, l4,
			  proto_port >> 16, proto_port & 0xffff, &l2);
	return in ? in << 1 | (l2 & 1) : 0;
}

/*
 * The filter's expressions on the packet: the pcap one (pcap_start) and
 * the tunnel ones (--filter-tunnel-pcap-l2/-l3). As in pwru, a packet that
 * is no tunnel (or one not parsed here) is not filtered by the tunnel
 * programs: the outer expression decides for it. An l2 expression on an
 * IP inner packet runs over a made-up Ethernet header; an l3 one on an
 * Ethernet inner packet from after its Ethernet header. l4_slot is the
 * outer L4 header's offset (0: none) << 1 | the filter slot; protos is
 * skb->protocol (host order) << 8 | the L4 protocol; dport the outer
 * destination port (at most five arguments to a BPF function). The three
 * programs go through one loop, so that the interpreter's driver is
 * inlined once (see cbpf_go): static functions are verified in their
 * caller's states, and each site of it multiplied them.
 */
static __noinline int run_exprs(const struct skb_off *o, struct skbs_filter *f,
				__u32 l4_slot, __u32 protos, __u32 dport)
{
	__u32 loc = 0, in = 0, l2 = 0, eth_in = 0, slot = l4_slot & 1;
	__u32 l4 = l4_slot >> 1, proto = protos >> 8;
	__u8 v = 0;

	/* skb->head laundered into a scalar: global functions take
	 * scalars only. */
	__u64 head = 0;

	bpf_probe_read_kernel(&head, sizeof(head), &o->head);
	if (f->flags & (SKBS_F_TUN_L2 | SKBS_F_TUN_L3)) {
		loc = tunnel_locate(head, l4, (protos & 0xff) << 16 | dport);
		in = loc >> 1;
		l2 = loc & 1;
		if (in && !l2) {
			if (bpf_probe_read_kernel(&v, 1, o->head + in))
				return 0;
			eth_in = (v >> 4) == 6 ? ETH_P_IPV6 : ETH_P_IP;
		}
	}
	for (int k = 0; k < 3; k++) {
		__u32 start, prog, eth = 0;

		if (k == 0) {
			if (!(f->flags & SKBS_F_PCAP))
				continue;
			if (pcap_start(o, proto, &start, &prog, &eth))
				return 0;
		} else {
			if (!in || !(f->flags &
				     (k == 1 ? SKBS_F_TUN_L2 : SKBS_F_TUN_L3)))
				continue;
			prog = k == 1 ? CBPF_TUN_L2 : CBPF_TUN_L3;
			start = k == 2 && l2 ? in + ETH_HLEN : in;
			eth = k == 1 ? eth_in : 0;
		}
		if (!cbpf_go(head, start, o->tail, prog << 1 | slot, eth))
			return 0;
	}
	return 1;
}

#endif
