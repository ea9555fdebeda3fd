/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The filter as the kernel applies it: the config slots user space writes,
 * the match on the tuple, and pcap-filter expressions run by the classic-BPF
 * interpreter of cbpf.bpf.h. It defines maps (cfg_slots, cfg_active,
 * cbpf_map), so skbscope.bpf.c alone includes it.
 */
#ifndef SKBSCOPE_FILTER_BPF_H
#define SKBSCOPE_FILTER_BPF_H

#include "events.h"
#include "skb.bpf.h"
#include "cbpf.bpf.h"

/* Two filter slots and the index of the active one: user space writes the
 * idle slot, then flips the index, so a program never sees a half-written
 * filter. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct skbs_filter);
} cfg_slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} cfg_active SEC(".maps");

static __always_inline struct skbs_filter *active_filter(__u32 *slot)
{
	__u32 zero = 0, *idx;

	idx = bpf_map_lookup_elem(&cfg_active, &zero);
	if (!idx)
		return NULL;
	*slot = *idx & 1;
	return bpf_map_lookup_elem(&cfg_slots, slot);
}

/* Does the address match the filter's prefix? Both are big endian; the
 * filter address is already masked. Four 32-bit words rather than sixteen
 * bytes: fewer branches for the verifier to walk on every path that gets
 * here. Unrolled: the verifier on 5.10 does not take bounded loops
 * kindly. Both arrays sit at 4-byte offsets in their structs. */
static __always_inline int prefix_match(const __u8 *addr, const __u8 *want,
					__u8 plen)
{
	const __u32 *a = (const __u32 *)addr, *w = (const __u32 *)want;

#pragma unroll
	for (int i = 0; i < 4; i++) {
		int bits = (int)plen - 32 * i;
		__u32 m;

		if (bits <= 0)
			break;
		m = bits >= 32 ? 0xffffffffu :
				 bpf_htonl(0xffffffffu << (32 - bits));
		if ((a[i] & m) != w[i])
			return 0;
	}
	return 1;
}

static __always_inline int match_tuple(const struct skbs_filter *f,
				       const struct skbs_event *ev)
{
	__u32 need = SKBS_F_PROTO | SKBS_F_SADDR | SKBS_F_DADDR | SKBS_F_SPORT |
		     SKBS_F_DPORT;
	int v;

	if (!(f->flags & need))
		return 1;
	if (!(ev->flags & SKBS_EV_TUPLE))
		return 0;
	if ((f->flags & SKBS_F_PROTO) && ev->l4_proto != f->proto)
		return 0;
	v = ev->l3_proto == ETH_P_IPV6 ? 6 : 4;
	if (f->flags & SKBS_F_SADDR) {
		if (f->saddr_family != v ||
		    !prefix_match(ev->saddr, f->saddr, f->saddr_plen))
			return 0;
	}
	if (f->flags & SKBS_F_DADDR) {
		if (f->daddr_family != v ||
		    !prefix_match(ev->daddr, f->daddr, f->daddr_plen))
			return 0;
	}
	if ((f->flags & (SKBS_F_SPORT | SKBS_F_DPORT)) &&
	    ev->l4_proto != IPPROTO_TCP && ev->l4_proto != IPPROTO_UDP)
		return 0;
	if ((f->flags & SKBS_F_SPORT) && ev->sport != f->sport)
		return 0;
	if ((f->flags & SKBS_F_DPORT) && ev->dport != f->dport)
		return 0;
	return 1;
}

/*
 * pcap-filter expressions: libpcap's classic BPF, run by the interpreter
 * in cbpf.bpf.h (user space runs the same one, for the tests) over the
 * packet bytes (read with bpf_probe_read_kernel from the skb's linear
 * data), one instruction per step: bpf_loop where the kernel has it
 * (5.17+), a bounded loop where it does not.
 *
 * Verification cost decides the shape. The interpreter's state lives in a
 * per-CPU map, not on the stack, and one step is a global function: the
 * verifier checks a global function once, on its own, and knows nothing of
 * map contents, so it neither walks the program counter value by value nor
 * re-verifies the step for every iteration of the loop that drives it. On
 * the stack the same code took 0.6 s of verifier time per program copy.
 *
 * A program on this CPU that interrupts another one (a hard interrupt
 * receiving a packet while a softirq is inside the interpreter) would share
 * this state, as it shares scratch_map; that costs one verdict, never
 * safety.
 */
/* The packet's first bytes, copied once per run: a pcap program loads a
 * handful of header fields, and a helper call for each costs more than
 * the interpreter step around it. Loads past the copy read the skb. */
#define CBPF_BUF 128

struct cbpf_pkt {
	/* Kernel address that offset 0 of the program's packet maps to:
	 * ETH_HLEN before the first real byte when the Ethernet header is
	 * made up (see cbpf_go), so that loads past buf read the
	 * right bytes. */
	__u64 addr;
	__u32 buflen; /* bytes of the packet copied into buf */
	/* Room for a made-up Ethernet header before CBPF_BUF - 1 bytes
	 * (the verifier sees the copy's length only as a mask). */
	__u8 buf[CBPF_BUF + 16];
};

/* Which of the slot's programs runs. */
enum cbpf_prog {
	CBPF_PCAP_L2,
	CBPF_PCAP_L3,
	CBPF_TUN_L2,
	CBPF_TUN_L3,
};

struct cbpf_state {
	struct cbpf_vm vm;
	__u32 slot; /* cfg_slots index of the program */
	__u32 prog; /* enum cbpf_prog */
	struct cbpf_pkt pkt;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cbpf_state);
} cbpf_map SEC(".maps");

/* The interpreter's load hook (see cbpf.bpf.h); off and size are inside
 * the packet already. */
static __always_inline int cbpf_pkt_load(const struct cbpf_pkt *p, __u32 off,
					 __u32 size, __u32 *out)
{
	const unsigned char *pkt = (const unsigned char *)p->addr;
	__u8 b[4] = {};

	if (off < p->buflen && size <= p->buflen - off) {
		/* The masks change nothing (off + size <= buflen <=
		 * CBPF_BUF); they show the verifier the bounds. */
		__u32 o = off & (CBPF_BUF - 1);

		if (size == 4)
			*out = (__u32)p->buf[o] << 24 |
			       (__u32)p->buf[(o + 1) & (CBPF_BUF - 1)] << 16 |
			       (__u32)p->buf[(o + 2) & (CBPF_BUF - 1)] << 8 |
			       p->buf[(o + 3) & (CBPF_BUF - 1)];
		else if (size == 2)
			*out = (__u32)p->buf[o] << 8 |
			       p->buf[(o + 1) & (CBPF_BUF - 1)];
		else
			*out = p->buf[o];
		return 0;
	}
	if (size == 4) {
		if (bpf_probe_read_kernel(b, 4, pkt + off))
			return -1;
		*out = (__u32)b[0] << 24 | (__u32)b[1] << 16 |
		       (__u32)b[2] << 8 | b[3];
	} else if (size == 2) {
		if (bpf_probe_read_kernel(b, 2, pkt + off))
			return -1;
		*out = (__u32)b[0] << 8 | b[1];
	} else {
		if (bpf_probe_read_kernel(b, 1, pkt + off))
			return -1;
		*out = b[0];
	}
	return 0;
}

/* One instruction. Returns 1 when the program has finished (ret set).
 * Global, so that it is verified once per program load. */
__attribute__((noinline)) int cbpf_step(__u32 unused)
{
	struct skbs_filter *f;
	struct cbpf_state *r;
	__u32 zero = 0, slot;

	r = bpf_map_lookup_elem(&cbpf_map, &zero);
	if (!r)
		return 1;
	slot = r->slot & 1;
	f = bpf_map_lookup_elem(&cfg_slots, &slot);
	if (!f) {
		r->vm.ret = 0;
		return 1;
	}
	switch (r->prog) {
	case CBPF_PCAP_L2: return cbpf_exec(&r->vm, f->pcap_l2, &r->pkt);
	case CBPF_PCAP_L3: return cbpf_exec(&r->vm, f->pcap_l3, &r->pkt);
	case CBPF_TUN_L2: return cbpf_exec(&r->vm, f->tun_l2, &r->pkt);
	default: return cbpf_exec(&r->vm, f->tun_l3, &r->pkt);
	}
}

#ifdef SKBS_BPF_LOOP
/* Built into a second object for kernels with bpf_loop (5.17+): 5.10
 * refuses a program that merely references a callback, so the choice is
 * made by picking the object at run time (core/trace/skel.c), not by a
 * branch. */
static long cbpf_loop_cb(__u32 i, void *data)
{
	(void)data;
	/* The kernel wants a callback's return value provably 0 or 1. */
	return cbpf_step(i) ? 1 : 0;
}
#endif

/*
 * Run program prog of the filter over the bytes from head + start to
 * head + tail. A nonzero eth_proto puts a made-up Ethernet header (zero
 * addresses, that type) before them: an Ethernet program then runs on a
 * packet that has no link-layer header at this hook (ARP seen from its
 * network header, the inner IP packet of IPIP), and terms on the type
 * ("arp", "ip") match while "ether host" matches nothing. 1 when the
 * program accepts. prog_slot is enum cbpf_prog << 1 | the filter slot.
 * Global, verified once per program load on its own (its arguments are
 * scalars: head_addr a laundered skb->head): inlined, the bounded loop of
 * kernels without bpf_loop was walked in every state of its caller.
 */
__attribute__((noinline)) int cbpf_go(__u64 head_addr, __u32 start, __u32 tail,
				      __u32 prog_slot, __u32 eth_proto)
{
	const unsigned char *head = (const unsigned char *)head_addr;
	__u32 zero = 0, avail, n, prog = prog_slot >> 1, slot = prog_slot & 1;
	struct cbpf_state *r = bpf_map_lookup_elem(&cbpf_map, &zero);
	struct skbs_filter *f = bpf_map_lookup_elem(&cfg_slots, &slot);

	if (!r || !f || tail <= start)
		return 0;
	r->prog = prog;
	r->vm.n = prog == CBPF_PCAP_L2 ? f->pcap_len_l2 :
		  prog == CBPF_PCAP_L3 ? f->pcap_len_l3 :
		  prog == CBPF_TUN_L2  ? f->tun_len_l2 :
					 f->tun_len_l3;
	avail = tail - start;
	r->pkt.buflen = 0;
	if (eth_proto) {
		r->pkt.addr = (__u64)(head + start) - ETH_HLEN;
		r->vm.pktlen = avail + ETH_HLEN;
		__builtin_memset(r->pkt.buf, 0, 12);
		r->pkt.buf[12] = eth_proto >> 8;
		r->pkt.buf[13] = eth_proto & 0xff;
		n = avail > CBPF_BUF - ETH_HLEN ? CBPF_BUF - ETH_HLEN : avail;
		/* As in snap_headers: keep clang from handing the helper
		 * the unmasked register. */
		asm volatile("" : "+r"(n));
		n &= CBPF_BUF - 1;
		if (!bpf_probe_read_kernel(r->pkt.buf + ETH_HLEN, n,
					   head + start))
			r->pkt.buflen = n + ETH_HLEN;
	} else {
		r->pkt.addr = (__u64)(head + start);
		r->vm.pktlen = avail;
		if (avail >= CBPF_BUF) {
			if (!bpf_probe_read_kernel(r->pkt.buf, CBPF_BUF,
						   head + start))
				r->pkt.buflen = CBPF_BUF;
		} else {
			n = avail;
			asm volatile("" : "+r"(n));
			n &= CBPF_BUF - 1;
			if (n &&
			    !bpf_probe_read_kernel(r->pkt.buf, n, head + start))
				r->pkt.buflen = n;
		}
	}
	r->slot = slot;
	r->vm.A = r->vm.X = r->vm.pc = r->vm.ret = 0;
	__builtin_memset(r->vm.M, 0, sizeof(r->vm.M));
#ifdef SKBS_BPF_LOOP
	bpf_loop(SKBS_CBPF_MAX, cbpf_loop_cb, NULL, 0);
#else
	/* Classic BPF only jumps forward, so a program of n instructions
	 * ends within n steps. The step is a global function, so this loop
	 * costs the verifier a few instructions per iteration. */
	for (int i = 0; i < SKBS_CBPF_MAX; i++) {
		__u32 a = i;

		/* The argument is unused: without the barrier clang leaves
		 * R1 as it was, and the verifier wants a scalar there. */
		asm volatile("" : "+r"(a));
		if (cbpf_step(a))
			break;
	}
#endif
	return r->vm.ret != 0;
}

/*
 * Where the pcap expression runs: wherever the packet has the bytes it
 * names. The Ethernet program runs from the MAC header when there is a
 * whole one before the network header (or no network header yet): on
 * transmit from dev_queue_xmit on, on receive from eth_type_trans on,
 * 802.1Q tags in the bytes included. skb->mac_len does not say so: it is 0
 * on the whole transmit path and at netif_receive_skb, set only later in
 * receive. Else the IP program runs from the network header; a packet
 * there that is not IP (ARP, or any other type skb->protocol names) gets
 * the Ethernet program over a made-up Ethernet header of that type.
 * proto is skb->protocol, host order. -1 when there is no header to run
 * it from (no match).
 */
static __always_inline int pcap_start(const struct skb_off *o, __u32 proto,
				      __u32 *start, __u32 *prog, __u32 *eth)
{
	__u16 nh = o->nh, mh = o->mh;

	*prog = CBPF_PCAP_L2;
	*eth = 0;
	if (mh != NO_HEADER && mh + ETH_HLEN <= o->tail &&
	    (nh == NO_HEADER || nh >= mh + ETH_HLEN)) {
		*start = mh;
		return 0;
	}
	if (nh == NO_HEADER)
		return -1;
	*start = nh;
	if (!proto || proto == ETH_P_IP || proto == ETH_P_IPV6)
		*prog = CBPF_PCAP_L3;
	else
		*eth = proto & 0xffff;
	return 0;
}

#endif
