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

/* An inner packet's type: Ethernet (1), IP (0), or none we run (-1). */
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
static __always_inline __u32 tunnel_inner(const struct skb_off *o,
					  const struct skbs_event *ev, __u32 l4,
					  __u32 *l2)
{
	__u32 flags, len;
	__u8 b[4];
	int t;

	if (!l4)
		return 0;
	if (ev->l4_proto == TUN_IPPROTO_IPIP ||
	    ev->l4_proto == TUN_IPPROTO_IPV6) {
		*l2 = 0;
		return l4;
	}
	if (ev->l4_proto == IPPROTO_UDP && ev->dport == TUN_VXLAN_PORT) {
		*l2 = 1;
		return l4 + 16;
	}
	if (ev->l4_proto == IPPROTO_UDP && ev->dport == TUN_GENEVE_PORT) {
		if (bpf_probe_read_kernel(b, sizeof(b), o->head + l4 + 8))
			return 0;
		t = tun_type((__u16)b[2] << 8 | b[3]);
		if (t < 0 || (b[0] >> 6))
			return 0; /* not version 0 */
		*l2 = t;
		return l4 + 16 + (b[0] & 0x3f) * 4;
	}
	if (ev->l4_proto != TUN_IPPROTO_GRE ||
	    bpf_probe_read_kernel(b, sizeof(b), o->head + l4))
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

/* Do the tunnel programs accept the packet? As in pwru, a packet that is
 * no tunnel (or one not parsed here) is not filtered by them: the outer
 * expression decides for it. An l2 expression on an IP inner packet runs
 * over a made-up Ethernet header; an l3 one on an Ethernet inner packet
 * from after its Ethernet header. */
static __always_inline int run_tunnel(const struct skb_off *o,
				      const struct skbs_event *ev, __u32 l4,
				      __u32 flags, __u32 slot)
{
	__u32 l2 = 0, in = tunnel_inner(o, ev, l4, &l2), proto = 0;
	__u8 v = 0;

	if (!in)
		return 1;
	if (flags & SKBS_F_TUN_L2) {
		if (!l2) {
			if (bpf_probe_read_kernel(&v, 1, o->head + in))
				return 0;
			proto = (v >> 4) == 6 ? ETH_P_IPV6 : ETH_P_IP;
		}
		if (!cbpf_run_at(o->head, in, o->tail, CBPF_TUN_L2 << 1 | slot,
				 proto))
			return 0;
	}
	if ((flags & SKBS_F_TUN_L3) &&
	    !cbpf_run_at(o->head, l2 ? in + ETH_HLEN : in, o->tail,
			 CBPF_TUN_L3 << 1 | slot, 0))
		return 0;
	return 1;
}

#endif
