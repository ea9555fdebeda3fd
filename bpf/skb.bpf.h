/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading the skb and what hangs off it (device, namespace, headers) for
 * every backend: plain loads where the stub has a typed BTF pointer (tp_btf,
 * fentry), bpf_probe_read_kernel where it has a bare address (kprobes).
 * For skbscope.bpf.c, after vmlinux.h and the libbpf headers.
 */
#ifndef SKBSCOPE_SKB_BPF_H
#define SKBSCOPE_SKB_BPF_H

#include "events.h"

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define ETH_HLEN 14
#define NO_HEADER 0xffff

#ifndef IPPROTO_ICMPV6
#define IPPROTO_ICMPV6 58
#endif

enum stub_kind {
	STUB_BTF,    /* tp_btf or fentry copy: hook id patched in */
	STUB_KPROBE, /* kprobe or kprobe.multi: ctx is struct pt_regs */
	/* An fentry copy at a function's entry: a STUB_BTF whose call has
	 * a return to pair (ret.bpf.h). */
	STUB_FENTRY,
};

/*
 * Reading a field of a kernel object. tp_btf and fentry hand the program
 * typed (BTF) pointers, which the verifier lets it load from directly: one
 * instruction, relocated by CO-RE like BPF_CORE_READ. A kprobe's argument is
 * a bare number. There, from 6.2, bpf_rdonly_cast() makes it a read-only,
 * untrusted pointer to a kernel type: the verifier turns the call into a
 * move, and each load through it into one instruction that yields 0 where
 * the address faults, as the probe read helper would. Without it each read
 * is a bpf_probe_read_kernel call, into copy_from_kernel_nofault() with
 * page faults disabled around a copy loop: many times a load, and on a
 * rejected kprobe hit its two calls were most of the cost (README, figure
 * 6). have_cast is set by user space when the kernel has the kfunc; where
 * it does not, user space turns the (then dead) calls into that same move,
 * since kernels before 6.3 refuse a program with any call to a missing
 * kfunc (core/trace/patch.h). Not on BTF stubs: their copies are made from
 * the kernel's own translation, in which the cast is a move already.
 */
extern void *bpf_rdonly_cast(const void *obj__ign,
			     __u32 btf_id__k) __ksym __weak;
const volatile __u8 have_cast = 0;

#define CAST(type, p) \
	((type *)bpf_rdonly_cast((p), bpf_core_type_id_kernel(type)))

/* A field of a kernel object on any stub: kind is a constant wherever
 * handle_skb is inlined, and have_cast one at load time, so only one of
 * the three ways is left in each program. */
#define RD(kind, ptr, field)                                          \
	((kind) != STUB_KPROBE ? (ptr)->field :                       \
	 have_cast             ? CAST(typeof(*(ptr)), (ptr))->field : \
				 BPF_CORE_READ(ptr, field))

/* Raw bytes through bpf_rdonly_cast: a kernel type whose first 64 bytes
 * are one char array, so that a load of any width at any offset below 64
 * lies inside one member, which is all the verifier asks of it. */
#define RAW_BYTES struct new_utsname

/* n bytes (a multiple of 8, at most 64) from the kernel address p into
 * to, 8-byte aligned, by typed loads. */
static __always_inline void cast_copy(void *to, const void *p, __u32 n)
{
	const __u64 *from = (const __u64 *)CAST(RAW_BYTES, p);
	__u64 *w = to;

#pragma unroll
	for (__u32 i = 0; i < 8; i++)
		if (i * 8 < n)
			w[i] = from[i];
}

struct l3_hdr4 {
	__u8 vihl;
	__u8 tos;
	__u16 tot_len;
	__u16 id;
	__u16 frag_off;
	__u8 ttl;
	__u8 protocol;
	__u16 check;
	__u32 saddr;
	__u32 daddr;
};

struct l3_hdr6 {
	__u32 vtcfl;
	__u16 payload_len;
	__u8 nexthdr;
	__u8 hop_limit;
	__u8 saddr[16];
	__u8 daddr[16];
};

#define ETH_P_ARP 0x0806
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8
#define VLAN_HLEN 4

/* Bytes of L4 header read: up to the TCP flags (offset 13). */
#define L4_READ 14

/* Ports (TCP, UDP) or type and code (ICMP) from the first L4 bytes; for
 * TCP the flags too (b has L4_READ bytes), which cost nothing more. */
static __always_inline void set_l4(struct skbs_event *ev, const __u8 *b)
{
	if (ev->l4_proto == IPPROTO_TCP || ev->l4_proto == IPPROTO_UDP) {
		ev->sport = (__u16)b[0] << 8 | b[1];
		ev->dport = (__u16)b[2] << 8 | b[3];
		if (ev->l4_proto == IPPROTO_TCP) {
			ev->tcp_flags = b[13];
			ev->flags2 |= SKBS_EV2_TCP_FLAGS;
		}
	} else if (ev->l4_proto == IPPROTO_ICMP ||
		   ev->l4_proto == IPPROTO_ICMPV6) {
		ev->sport = b[0];
		ev->dport = b[1];
	}
}

static __always_inline void read_l4(struct skbs_event *ev, const void *l4)
{
	__u8 b[L4_READ];

	if (!bpf_probe_read_kernel(b, sizeof(b), l4))
		set_l4(ev, b);
}

/* Where the headers are: read once per hit, used by the tuple, the pcap
 * interpreter and the header snapshot. Offsets are from head. */
struct skb_off {
	const unsigned char *head;
	__u32 tail;
	__u16 nh;
	__u16 mh;
};

/* Room for struct sk_buff from protocol to the end of head: the header
 * offsets, tail and end between them (and kcov_handle where configured). */
#define SKB_SPAN 48

/*
 * Kprobes: protocol, the header offsets, tail and head lie together in
 * struct sk_buff on every kernel this runs on (protocol ... mac_header,
 * then tail, end, head), so one probe read of the span does what five did:
 * on a function-probe kernel most hits are rejected right after this, and
 * each helper call is most of what they cost. The offsets come from BTF;
 * a kernel whose span is larger takes the field-by-field reads (the
 * verifier drops whichever path the constants rule out). 0, or -1 when
 * the read failed.
 */
static __always_inline int kp_skb_fields(struct sk_buff *skb, struct skb_off *o,
					 __u16 *protocol)
{
	/* From an 8-byte boundary into an 8-aligned buffer: the verifier
	 * refuses a misaligned load of head from the stack. */
	__u32 base = bpf_core_field_offset(struct sk_buff, protocol) & ~7u;
	__u32 pr = bpf_core_field_offset(struct sk_buff, protocol) - base;
	__u32 nh = bpf_core_field_offset(struct sk_buff, network_header) - base;
	__u32 mh = bpf_core_field_offset(struct sk_buff, mac_header) - base;
	__u32 tl = bpf_core_field_offset(struct sk_buff, tail) - base;
	__u32 hd = bpf_core_field_offset(struct sk_buff, head) - base;
	__u64 buf[SKB_SPAN / 8];
	__u8 *b = (__u8 *)buf;

	if (have_cast) {
		struct sk_buff *s = CAST(struct sk_buff, skb);

		o->head = s->head;
		o->tail = s->tail;
		o->nh = s->network_header;
		o->mh = s->mac_header;
		*protocol = s->protocol;
		return 0;
	}

	/* Opaque to clang, which would otherwise fold buf's alignment into
	 * the offsets as pointer arithmetic the verifier refuses. */
	asm volatile("" : "+r"(pr), "+r"(nh), "+r"(mh), "+r"(tl), "+r"(hd));
	if (pr + 2 > SKB_SPAN || nh + 2 > SKB_SPAN || mh + 2 > SKB_SPAN ||
	    tl + 4 > SKB_SPAN || hd + 8 > SKB_SPAN) {
		o->head = BPF_CORE_READ(skb, head);
		o->tail = BPF_CORE_READ(skb, tail);
		o->nh = BPF_CORE_READ(skb, network_header);
		o->mh = BPF_CORE_READ(skb, mac_header);
		*protocol = BPF_CORE_READ(skb, protocol);
		return 0;
	}
	if (bpf_probe_read_kernel(buf, sizeof(buf), (void *)skb + base))
		return -1;
	*protocol = *(__u16 *)(b + pr);
	o->nh = *(__u16 *)(b + nh);
	o->mh = *(__u16 *)(b + mh);
	o->tail = *(__u32 *)(b + tl);
	o->head = *(const unsigned char **)(b + hd);
	return 0;
}

/* The header offsets and skb->protocol (network order). On BTF stubs
 * o->head was loaded at the top of handle_skb already (see there). */
static __always_inline void skb_offsets(struct sk_buff *skb,
					enum stub_kind kind, struct skb_off *o,
					__u16 *protocol)
{
	if (kind == STUB_KPROBE) {
		if (kp_skb_fields(skb, o, protocol)) {
			o->head = NULL;
			o->nh = o->mh = NO_HEADER;
			o->tail = 0;
			*protocol = 0;
		}
		return;
	}
	o->tail = skb->tail;
	o->nh = skb->network_header;
	o->mh = skb->mac_header;
	*protocol = skb->protocol;
}

/* An IPv6 header and the L4 bytes up to TCP's flags (an IPv4 header
 * without options and its L4 bytes fit in the first 34); an Ethernet ARP
 * header fits in the first 28. */
union l3_buf {
	__u8 b[40 + L4_READ + 2];
	__u64 w[(40 + L4_READ + 2) / 8]; /* 8-aligned for cast_copy() */
	struct l3_hdr4 v4;
	struct l3_hdr6 v6;
};

/* The bytes of h from l3: typed loads on kprobes that have them, else one
 * probe read. 0, or -1 when the read failed. */
static __always_inline int read_l3(union l3_buf *h, const unsigned char *l3,
				   enum stub_kind kind)
{
	if (kind == STUB_KPROBE && have_cast) {
		cast_copy(h, l3, sizeof(*h));
		return 0;
	}
	return bpf_probe_read_kernel(h, sizeof(*h), l3) ? -1 : 0;
}

/* ARP for IPv4 over Ethernet, the only kind with addresses to show:
 * sender and target IPv4 addresses, each followed by its MAC address, in
 * saddr and daddr; the opcode in sport. */
static __always_inline void set_arp(struct skbs_event *ev, const __u8 *b)
{
	if (b[0] != 0 || b[1] != 1 || b[2] != 0x08 || b[3] != 0 || b[4] != 6 ||
	    b[5] != 4)
		return;
	__builtin_memcpy(ev->saddr, b + 14, 4);
	__builtin_memcpy(ev->saddr + 4, b + 8, 6);
	__builtin_memcpy(ev->daddr, b + 24, 4);
	__builtin_memcpy(ev->daddr + 4, b + 18, 6);
	ev->sport = (__u16)b[6] << 8 | b[7];
	ev->flags |= SKBS_EV_TUPLE;
	ev->flags2 |= SKBS_EV2_ARP;
}

/* Fill the L3/L4 tuple. The network header offset is not always set where a
 * hook fires (early receive, before ip_rcv), so fall back to the end of the
 * Ethernet header (and of an 802.1Q tag in the bytes) when it is unset or
 * when what it points at is not the IP version skb->protocol promises.
 * Returns the offset from head of the L4 header of an IP packet that has
 * one (the tunnel parser starts there), else 0. */
static __always_inline __u32 read_tuple(const struct skb_off *o,
					struct skbs_event *ev,
					enum stub_kind kind)
{
	__u16 nh = o->nh, mh = o->mh;
	const unsigned char *l3;
	__u32 ihl, at, l2len = ETH_HLEN;
	union l3_buf h;
	__u8 ver;

	/* A tag in the bytes (transmit after the tag is put in, receive
	 * before it is taken out): the protocol behind it decides. */
	if (ev->l3_proto == ETH_P_8021Q || ev->l3_proto == ETH_P_8021AD) {
		ev->l3_proto = 0;
		ev->flags2 |= SKBS_EV2_VLAN;
		l2len += VLAN_HLEN;
	}
	if (nh == NO_HEADER || nh == 0 || (mh != NO_HEADER && nh == mh)) {
		if (mh == NO_HEADER)
			return 0;
		nh = mh + l2len;
	}
	at = nh;
	/* The header and the first L4 bytes in one helper call: each call
	 * costs more than the bytes it copies. These bytes past the network
	 * header stay inside the skb's head buffer, which ends with
	 * struct skb_shared_info. One read size, and no other branch here,
	 * keeps the verifier's states few. */
	l3 = o->head + nh;
	if (read_l3(&h, l3, kind))
		return 0;
	ver = h.b[0] >> 4;
	if (ev->l3_proto == ETH_P_ARP) {
		set_arp(ev, h.b);
		return 0;
	}
	if (ver != 4 && ver != 6) {
		if (mh == NO_HEADER)
			return 0;
		at = mh + l2len;
		l3 = o->head + at;
		if (read_l3(&h, l3, kind))
			return 0;
		ver = h.b[0] >> 4;
	}
	if (ev->l3_proto == 0)
		ev->l3_proto = ver == 4 ? ETH_P_IP : ver == 6 ? ETH_P_IPV6 : 0;

	if (ev->l3_proto == ETH_P_IP && ver == 4) {
		ihl = (h.v4.vihl & 0xf) * 4;
		__builtin_memcpy(ev->saddr, &h.v4.saddr, 4);
		__builtin_memcpy(ev->daddr, &h.v4.daddr, 4);
		ev->l4_proto = h.v4.protocol;
		ev->flags |= SKBS_EV_TUPLE;
		/* Only the first fragment carries the L4 header. */
		if ((bpf_ntohs(h.v4.frag_off) & 0x1fff) || ihl < 20)
			return 0;
		if (ihl == 20)
			set_l4(ev, h.b + 20);
		else
			read_l4(ev, l3 + ihl);
		return at + ihl;
	} else if (ev->l3_proto == ETH_P_IPV6 && ver == 6) {
		__builtin_memcpy(ev->saddr, h.v6.saddr, 16);
		__builtin_memcpy(ev->daddr, h.v6.daddr, 16);
		ev->l4_proto = h.v6.nexthdr;
		ev->flags |= SKBS_EV_TUPLE;
		/* Extension headers are not walked: the tuple then shows the
		 * next header number and no ports. */
		set_l4(ev, h.b + 40);
		return at + 40;
	}
	return 0;
}

static __always_inline __u32 skb_netns(struct sock *sk, struct net_device *dev,
				       enum stub_kind kind)
{
	/* On kprobes with typed loads dev came through RD(), a typed
	 * pointer already. */
	if (dev)
		return kind != STUB_KPROBE || have_cast ?
			       dev->nd_net.net->ns.inum :
			       BPF_CORE_READ(dev, nd_net.net, ns.inum);
	if (sk)
		return BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	return 0;
}

/* The device's name, index and MTU, for the event and the ifname filter. */
static __always_inline void read_dev(struct skbs_event *ev,
				     struct net_device *dev,
				     enum stub_kind kind)
{
	if (dev) {
		if (kind != STUB_KPROBE || have_cast) {
			const struct net_device *d =
				kind != STUB_KPROBE ?
					dev :
					CAST(struct net_device, dev);
			const __u64 *n = (const __u64 *)d->name;
			__u64 *to = (__u64 *)ev->ifname;

			to[0] = n[0];
			to[1] = n[1];
		} else {
			bpf_probe_read_kernel(ev->ifname, sizeof(ev->ifname),
					      &dev->name);
		}
		ev->ifindex = RD(kind, dev, ifindex);
		ev->mtu = RD(kind, dev, mtu);
	} else {
		__builtin_memset(ev->ifname, 0, sizeof(ev->ifname));
		ev->ifindex = 0;
		ev->mtu = 0;
	}
}

/* Copy the first header bytes (from the MAC header when there is one,
 * else the network header) to the event's tail, for the detail view and
 * pcap. Returns the number copied. */
static __always_inline __u32 snap_headers(const struct skb_off *o,
					  __u16 snaplen, char *to,
					  struct skbs_event *ev)
{
	const unsigned char *head = o->head;
	__u16 nh = o->nh, mh = o->mh;
	__u32 tail = o->tail;
	__u32 start, n;

	if (mh != NO_HEADER && (nh == NO_HEADER || mh < nh)) {
		start = mh;
		ev->flags |= SKBS_EV_HDR_L2;
	} else if (nh != NO_HEADER) {
		start = nh;
	} else {
		return 0;
	}
	/* skb->tail is an offset from head on 64-bit kernels. */
	if (tail <= start)
		return 0;
	n = tail - start;
	if (n > snaplen)
		n = snaplen;
	if (n > SKBS_SNAP_MAX)
		n = SKBS_SNAP_MAX;
	/* Without the barrier clang passes the unclamped register to the
	 * helper and the verifier rejects the size. */
	asm volatile("" : "+r"(n));
	n &= SKBS_SNAP_MAX * 2 - 1;
	if (!n || bpf_probe_read_kernel(to, n, head + start))
		return 0;
	ev->hdr_len = n;
	return n;
}

#endif
