// SPDX-License-Identifier: GPL-2.0
/*
 * The probe programs. Every backend's entry stub finds the skb and calls one
 * generic body, handle_skb(), which reads the active filter slot, filters in
 * the kernel and emits one struct skbs_event to the ring buffer.
 *
 * Programs here are templates: user space loads each once, then loads one
 * copy per attach point with the hook id patched in (see core/attach.c).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>
#include "events.h"
#include "cbpf.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define ETH_HLEN 14
#define NO_HEADER 0xffff

#ifndef IPPROTO_ICMPV6
#define IPPROTO_ICMPV6 58
#endif

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22); /* resized by user space (--ringbuf-size) */
} events SEC(".maps");

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

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SKBS_C_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 4096);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, SKBS_STACK_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

/* skbs being followed under --filter-track-skb: once an skb matched, its
 * later events are reported whatever NAT or decapsulation do to it. LRU,
 * so skbs whose free we never see cannot fill it up. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u8);
} tracked SEC(".maps");

struct scratch {
	struct skbs_event ev;
	char tail[SKBS_TAIL_MAX];
};

/* The event is built here rather than in a ring buffer reservation because
 * its size (the optional tail) is only known at the end. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_map SEC(".maps");

#define STR_(x) #x
#define STR(x) STR_(x)

/* The hook id of this copy of the program. The 64-bit immediate is a marker
 * that user space rewrites in each copy's instructions before loading it;
 * the asm keeps the compiler from folding or moving it. */
static __always_inline __u32 hook_id(void)
{
	__u64 id;

	asm volatile("%0 = " STR(SKBS_HOOK_MAGIC_NUM) " ll" : "=r"(id));
	return (__u32)id;
}

enum stub_kind {
	STUB_BTF,    /* tp_btf or fentry copy: hook id patched in */
	STUB_KPROBE, /* kprobe or kprobe.multi: ctx is struct pt_regs */
};

/*
 * Reading a field of a kernel object. tp_btf and fentry hand the program
 * typed (BTF) pointers, which the verifier lets it load from directly: one
 * instruction, relocated by CO-RE like BPF_CORE_READ. A kprobe's argument is
 * a bare number, so there each read is a bpf_probe_read_kernel call, which
 * costs some 15-20 ns; a hit reads a dozen fields, so this is most of the
 * cost of a rejected event on tracepoints. kind is a constant wherever
 * handle_skb is inlined, so only one branch is ever compiled in.
 */
#define RD(kind, ptr, field)                                                  \
	((kind) == STUB_BTF ? (ptr)->field : BPF_CORE_READ(ptr, field))

static __always_inline void count(__u32 which)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &which);

	if (c)
		__sync_fetch_and_add(c, 1);
}

/* Hook hits, the one counter every hit touches: a plain add, since the
 * value is this CPU's own. A program nested on the same CPU (an interrupt
 * during another hook) can lose one increment of this informational total;
 * the counts that loss accounting rests on stay atomic. */
static __always_inline void count_hit(void)
{
	__u32 which = SKBS_C_SEEN;
	__u64 *c = bpf_map_lookup_elem(&counters, &which);

	if (c)
		*c += 1;
}

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

/* Ports (TCP, UDP) or type and code (ICMP) from the first L4 bytes. */
static __always_inline void set_l4(struct skbs_event *ev, const __u8 *b)
{
	if (ev->l4_proto == IPPROTO_TCP || ev->l4_proto == IPPROTO_UDP) {
		ev->sport = (__u16)b[0] << 8 | b[1];
		ev->dport = (__u16)b[2] << 8 | b[3];
	} else if (ev->l4_proto == IPPROTO_ICMP ||
		   ev->l4_proto == IPPROTO_ICMPV6) {
		ev->sport = b[0];
		ev->dport = b[1];
	}
}

static __always_inline void read_l4(struct skbs_event *ev, const void *l4)
{
	__u8 b[4];

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

/* The header offsets. On BTF stubs o->head was loaded at the top of
 * handle_skb already (see there); kprobes read it here, when needed. */
static __always_inline void skb_offsets(struct sk_buff *skb,
					enum stub_kind kind, struct skb_off *o)
{
	if (kind != STUB_BTF)
		o->head = BPF_CORE_READ(skb, head);
	o->tail = RD(kind, skb, tail);
	o->nh = RD(kind, skb, network_header);
	o->mh = RD(kind, skb, mac_header);
}

/* An IPv6 header and the first four L4 bytes; an IPv4 header without
 * options and its L4 bytes fit in the first 24. */
union l3_buf {
	__u8 b[44];
	struct l3_hdr4 v4;
	struct l3_hdr6 v6;
};

/* Fill the L3/L4 tuple. The network header offset is not always set where a
 * hook fires (early receive, before ip_rcv), so fall back to the end of the
 * Ethernet header when it is unset or when what it points at is not the IP
 * version skb->protocol promises. */
static __always_inline void read_tuple(const struct skb_off *o,
				       struct skbs_event *ev)
{
	__u16 nh = o->nh, mh = o->mh;
	const unsigned char *l3;
	union l3_buf h;
	__u8 ver;

	if (nh == NO_HEADER || nh == 0 || (mh != NO_HEADER && nh == mh)) {
		if (mh == NO_HEADER)
			return;
		nh = mh + ETH_HLEN;
	}
	/* The header and the first L4 bytes in one helper call: each call
	 * costs more than the bytes it copies. 44 bytes past the network
	 * header stay inside the skb's head buffer, which ends with
	 * struct skb_shared_info. One read size, and no other branch here,
	 * keeps the verifier's states few. */
	l3 = o->head + nh;
	if (bpf_probe_read_kernel(&h, sizeof(h), l3))
		return;
	ver = h.b[0] >> 4;
	if (ver != 4 && ver != 6) {
		if (mh == NO_HEADER)
			return;
		l3 = o->head + mh + ETH_HLEN;
		if (bpf_probe_read_kernel(&h, sizeof(h), l3))
			return;
		ver = h.b[0] >> 4;
	}
	if (ev->l3_proto == 0)
		ev->l3_proto = ver == 4 ? ETH_P_IP : ver == 6 ? ETH_P_IPV6 : 0;

	if (ev->l3_proto == ETH_P_IP && ver == 4) {
		__u32 ihl = h.v4.vihl & 0xf;

		__builtin_memcpy(ev->saddr, &h.v4.saddr, 4);
		__builtin_memcpy(ev->daddr, &h.v4.daddr, 4);
		ev->l4_proto = h.v4.protocol;
		ev->flags |= SKBS_EV_TUPLE;
		/* Only the first fragment carries the L4 header. */
		if (bpf_ntohs(h.v4.frag_off) & 0x1fff)
			return;
		if (ihl == 5)
			set_l4(ev, h.b + 20);
		else
			read_l4(ev, l3 + ihl * 4);
	} else if (ev->l3_proto == ETH_P_IPV6 && ver == 6) {
		__builtin_memcpy(ev->saddr, h.v6.saddr, 16);
		__builtin_memcpy(ev->daddr, h.v6.daddr, 16);
		ev->l4_proto = h.v6.nexthdr;
		ev->flags |= SKBS_EV_TUPLE;
		/* Extension headers are not walked: the tuple then shows the
		 * next header number and no ports. */
		set_l4(ev, h.b + 40);
	}
}

static __always_inline int match_tuple(const struct skbs_filter *f,
				       const struct skbs_event *ev)
{
	__u32 need = SKBS_F_PROTO | SKBS_F_SADDR | SKBS_F_DADDR |
		     SKBS_F_SPORT | SKBS_F_DPORT;
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

static __always_inline __u32 skb_netns(struct sock *sk,
				       struct net_device *dev,
				       enum stub_kind kind)
{
	if (dev)
		return kind == STUB_BTF ? dev->nd_net.net->ns.inum :
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
		if (kind == STUB_BTF) {
			const __u64 *n = (const __u64 *)dev->name;
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
 * else the network header) into the tail, for the detail view and pcap.
 * Returns the number copied. */
static __always_inline __u32 snap_headers(const struct skb_off *o,
					  __u16 snaplen, struct scratch *sc,
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
	if (!n || bpf_probe_read_kernel(sc->tail, n, head + start))
		return 0;
	ev->hdr_len = n;
	return n;
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
	__u64 addr;    /* kernel address of the first byte */
	__u32 buflen;  /* bytes of the packet copied into buf */
	__u8 buf[CBPF_BUF];
};

struct cbpf_state {
	struct cbpf_vm vm;
	__u32 slot;    /* cfg_slots index of the program */
	__u32 l2;      /* 1: run pcap_l2, 0: pcap_l3 */
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
	return cbpf_exec(&r->vm, r->l2 ? f->pcap_l2 : f->pcap_l3, &r->pkt);
}

#ifdef SKBS_BPF_LOOP
/* Built into a second object for kernels with bpf_loop (5.17+): 5.10
 * refuses a program that merely references a callback, so the choice is
 * made by picking the object at run time (core/skel.c), not by a branch. */
static long cbpf_loop_cb(__u32 i, void *data)
{
	(void)data;
	/* The kernel wants a callback's return value provably 0 or 1. */
	return cbpf_step(i) ? 1 : 0;
}
#endif

/* Does the packet match the pcap expression? The Ethernet program runs
 * when the skb has a 14-byte MAC header, the IP one otherwise. */
static __noinline int run_pcap(const struct skb_off *o, __u16 mac_len,
			       struct skbs_filter *f, __u32 slot)
{
	const unsigned char *head = o->head;
	__u16 nh = o->nh, mh = o->mh;
	__u32 tail = o->tail, start, zero = 0;
	struct cbpf_state *r = bpf_map_lookup_elem(&cbpf_map, &zero);

	if (!r)
		return 0;
	if (mh != NO_HEADER && mac_len == ETH_HLEN &&
	    (nh == NO_HEADER || mh < nh)) {
		start = mh;
		r->l2 = 1;
		r->vm.n = f->pcap_len_l2;
	} else if (nh != NO_HEADER) {
		start = nh;
		r->l2 = 0;
		r->vm.n = f->pcap_len_l3;
	} else {
		return 0;
	}
	if (tail <= start)
		return 0;
	r->pkt.addr = (__u64)(head + start);
	r->vm.pktlen = tail - start;
	r->pkt.buflen = 0;
	if (r->vm.pktlen >= CBPF_BUF) {
		if (!bpf_probe_read_kernel(r->pkt.buf, CBPF_BUF, head + start))
			r->pkt.buflen = CBPF_BUF;
	} else {
		__u32 n = r->vm.pktlen;

		/* As in snap_headers: keep clang from handing the helper
		 * the unmasked register. */
		asm volatile("" : "+r"(n));
		n &= CBPF_BUF - 1;
		if (n && !bpf_probe_read_kernel(r->pkt.buf, n, head + start))
			r->pkt.buflen = n;
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
	for (int i = 0; i < SKBS_CBPF_MAX; i++)
		if (cbpf_step(i))
			break;
#endif
	return r->vm.ret != 0;
}

/*
 * Whether to wake the reader. By default the ring buffer wakes it whenever
 * it has caught up, which under a steady stream is nearly every event; each
 * wakeup raises irq work, an interrupt to this CPU, which in a virtual
 * machine is an exit to the hypervisor costing microseconds. User space
 * polls with a short timeout (50 ms) anyway, so wake it only around the
 * moment the ring passes an eighth full, when a burst could otherwise
 * overrun it before the timeout: the records that start in the window
 * after that mark (wider than the largest record, so one lands in it).
 * The decision does not look at the record's length, on purpose: the
 * verifier must know that length exactly, and branching on it multiplied
 * the states of every program.
 */
#define WAKE_WINDOW (2 * (sizeof(struct skbs_event) + SKBS_TAIL_MAX))

static __always_inline __u64 wakeup(void)
{
	__u64 avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	__u64 mark = bpf_ringbuf_query(&events, BPF_RB_RING_SIZE) / 8;

	return avail >= mark && avail < mark + WAKE_WINDOW ?
	       BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

/* The current task's name. The helper copies it byte by byte; where the
 * kernel hands out the task as a typed pointer (5.11+), two loads do. */
static __always_inline void read_comm(struct skbs_event *ev,
				      enum stub_kind kind)
{
	if (kind == STUB_BTF &&
	    bpf_core_enum_value_exists(enum bpf_func_id,
				       BPF_FUNC_get_current_task_btf)) {
		struct task_struct *t = bpf_get_current_task_btf();
		const __u64 *c = (const __u64 *)t->comm;
		__u64 *to = (__u64 *)ev->comm;

		to[0] = c[0];
		to[1] = c[1];
		return;
	}
	bpf_get_current_comm(ev->comm, sizeof(ev->comm));
}

/* The generic body, shared by every hook. ctx is what the stub got (needed
 * for the stack); location and reason come from the drop hooks. */
static __always_inline int handle_skb(void *ctx, struct sk_buff *skb,
				      __u64 location, __u32 reason,
				      __u8 ev_flags, enum stub_kind kind)
{
	struct skbs_filter *f;
	struct scratch *sc;
	struct skbs_event *ev;
	struct net_device *dev = NULL;
	struct sock *sk = NULL;
	__u32 zero = 0, tail = 0, slot = 0;
	__u64 ptid, key = (__u64)skb;
	struct skb_off off;
	__u16 mac_len;
	int follow = 0;

	if (!skb)
		return 0;
	/* On BTF stubs, the skb's pointer fields first, before any branch.
	 * From the trusted skb a tp_btf or fentry program gets, loading a
	 * pointer makes the verifier look up a type by name in all of
	 * vmlinux's BTF, a linear search, once for every path that reaches
	 * the load: with the loads further down, loading the programs took
	 * 0.5 s more. Kprobes read them only when needed. */
	if (kind == STUB_BTF) {
		dev = skb->dev;
		off.head = skb->head;
	}
	f = active_filter(&slot);
	sc = bpf_map_lookup_elem(&scratch_map, &zero);
	if (!f || !sc)
		return 0;
	count_hit();
	if (f->flags & SKBS_F_NONE)
		return 0;
	ev = &sc->ev;
	if ((f->flags & SKBS_F_TRACK) && bpf_map_lookup_elem(&tracked, &key))
		follow = 1;

	/* Cheapest tests first: most hits are rejected, by mark or netns. */
	ev->mark = RD(kind, skb, mark);
	if (!follow && (f->flags & SKBS_F_MARK) &&
	    (ev->mark & f->mark_mask) != f->mark)
		return 0;
	if (kind != STUB_BTF)
		dev = BPF_CORE_READ(skb, dev);
	/* The socket is the rarer way to the namespace (no device yet):
	 * through the helper on every stub, one pointer load fewer for the
	 * verifier to look up. */
	if (!dev)
		sk = BPF_CORE_READ(skb, sk);
	ev->netns = skb_netns(sk, dev, kind);
	if (!follow && (f->flags & SKBS_F_NETNS) && ev->netns != f->netns)
		return 0;
	if (!follow && (f->flags & SKBS_F_IFNAME)) {
		__u64 *a = (__u64 *)ev->ifname, *b = (__u64 *)f->ifname;

		read_dev(ev, dev, kind);
		if (a[0] != b[0] || a[1] != b[1])
			return 0;
	}

	/* What the tuple, the pcap filter and the event need from the skb:
	 * on BTF stubs plain loads (scalars: cheap to verify too). */
	skb_offsets(skb, kind, &off);
	ev->flags = ev_flags;
	ev->l3_proto = bpf_ntohs(RD(kind, skb, protocol));
	ev->len = RD(kind, skb, len);
	mac_len = f->flags & SKBS_F_PCAP ? RD(kind, skb, mac_len) : 0;
	ev->l4_proto = 0;
	ev->sport = ev->dport = 0;
	__builtin_memset(ev->saddr, 0, sizeof(ev->saddr));
	__builtin_memset(ev->daddr, 0, sizeof(ev->daddr));
	read_tuple(&off, ev);
	if (!follow && !match_tuple(f, ev))
		return 0;
	if (!follow && (f->flags & SKBS_F_PCAP) &&
	    !run_pcap(&off, mac_len, f, slot))
		return 0;
	/* Only now, for an event that is kept. */
	if (follow || !(f->flags & SKBS_F_IFNAME))
		read_dev(ev, dev, kind);
	read_comm(ev, kind);

	if (f->flags & SKBS_F_TRACK) {
		__u8 one = 1;

		if (ev_flags & SKBS_EV_FREE)
			bpf_map_delete_elem(&tracked, &key);
		else if (!follow)
			bpf_map_update_elem(&tracked, &key, &one, BPF_ANY);
		if (follow)
			ev->flags |= SKBS_EV_TRACKED;
	}
	count(SKBS_C_MATCHED);
	ev->rec_type = SKBS_REC_EVENT;
	ev->ip = 0;
	ev->caller = 0;
	if (kind == STUB_BTF) {
		ev->hook = hook_id();
	} else {
		struct pt_regs *regs = ctx;

		/* Attach cookies (5.15+) carry hook id + 1; without them
		 * user space names the hook from the ip. */
		ev->hook = SKBS_HOOK_BY_IP;
		if (bpf_core_enum_value_exists(enum bpf_func_id,
					       BPF_FUNC_get_attach_cookie)) {
			__u64 c = bpf_get_attach_cookie(ctx);

			if (c)
				ev->hook = (__u32)(c - 1);
		}
		if (bpf_core_enum_value_exists(enum bpf_func_id,
					       BPF_FUNC_get_func_ip))
			ev->ip = bpf_get_func_ip(ctx);
		else
			ev->ip = PT_REGS_IP(regs);
		/* At function entry the return address is on top of the
		 * stack: it is the caller, and for a drop, the location. */
		if ((f->output & SKBS_O_CALLER) || (ev_flags & SKBS_EV_DROP))
			bpf_probe_read_kernel(&ev->caller, sizeof(ev->caller),
					      (void *)PT_REGS_SP(regs));
		if (ev_flags & SKBS_EV_DROP)
			location = ev->caller;
	}
	ev->skb = (__u64)skb;
	ev->ts = bpf_ktime_get_ns();
	ev->location = location;
	ev->drop_reason = reason;
	ev->cpu = bpf_get_smp_processor_id();
	ptid = bpf_get_current_pid_tgid();
	ev->pid = ptid >> 32;
	ev->hdr_len = 0;
	ev->gen = 0;
	ev->stack_id = -1;
	/* fentry drops have no return address at hand: a stack lets user
	 * space find the caller (see core/session.c). */
	if ((f->output & SKBS_O_STACK) ||
	    (kind == STUB_BTF && (ev_flags & SKBS_EV_DROP) && !location)) {
		ev->stack_id = bpf_get_stackid(ctx, &stacks, 0);
		if (ev->stack_id < 0)
			count(SKBS_C_STACK_ERR);
	}
	if (f->snaplen)
		tail = snap_headers(&off, f->snaplen, sc, ev);
	if (f->output & SKBS_O_SKB) {
		struct btf_ptr p = {
			.ptr = skb,
			.type_id = bpf_core_type_id_kernel(struct sk_buff),
		};
		/* After the header bytes; the bound keeps the verifier sure
		 * the write stays inside the scratch buffer. */
		__u32 off = tail & (SKBS_SNAP_MAX * 2 - 1);
		long n = bpf_snprintf_btf(sc->tail + off,
					  SKBS_TAIL_MAX - SKBS_SNAP_MAX * 2, &p,
					  sizeof(p), 0);

		if (n > 0) {
			/* n counts what would have been written; keep what
			 * fits, without the terminating NUL. */
			if (n >= SKBS_TAIL_MAX - SKBS_SNAP_MAX * 2)
				n = SKBS_TAIL_MAX - SKBS_SNAP_MAX * 2 - 1;
			tail = off + n;
			ev->flags |= SKBS_EV_SKB_TEXT;
		}
	}
	tail &= SKBS_TAIL_MAX - 1;
	ev->tail_len = tail;
	if (bpf_ringbuf_output(&events, sc, sizeof(*ev) + tail,
			       wakeup()))
		count(SKBS_C_LOST);
	return 0;
}

/*
 * tp_btf stubs. ctx[] holds the tracepoint's arguments after the hidden
 * first one; a generic stub per skb position lets one template serve every
 * tracepoint whose skb sits there. The verifier checks ctx reads against the
 * target's argument count, so each stub reads only up to its position.
 */
SEC("tp_btf/netif_receive_skb")
int tp_pos0(__u64 *ctx)
{
	return handle_skb(ctx, (struct sk_buff *)ctx[0], 0, 0, 0, STUB_BTF);
}

SEC("tp_btf/tcp_send_reset")
int tp_pos1(__u64 *ctx)
{
	return handle_skb(ctx, (struct sk_buff *)ctx[1], 0, 0, 0, STUB_BTF);
}

SEC("tp_btf/tcp_send_reset")
int tp_pos2(__u64 *ctx)
{
	return handle_skb(ctx, (struct sk_buff *)ctx[2], 0, 0, 0, STUB_BTF);
}

SEC("tp_btf/tcp_send_reset")
int tp_pos3(__u64 *ctx)
{
	return handle_skb(ctx, (struct sk_buff *)ctx[3], 0, 0, 0, STUB_BTF);
}

SEC("tp_btf/tcp_send_reset")
int tp_pos4(__u64 *ctx)
{
	return handle_skb(ctx, (struct sk_buff *)ctx[4], 0, 0, 0, STUB_BTF);
}

/* skb:kfree_skb before 5.17: (skb, location), no reason. */
SEC("tp_btf/kfree_skb")
int tp_kfree_skb(__u64 *ctx)
{
	return handle_skb(ctx, (struct sk_buff *)ctx[0], ctx[1], 0,
			  SKBS_EV_DROP | SKBS_EV_FREE, STUB_BTF);
}

/* skb:kfree_skb from 5.17: (skb, location, reason[, rx_sk]). */
SEC("tp_btf/kfree_skb")
int tp_kfree_skb_reason(__u64 *ctx)
{
	return handle_skb(ctx, (struct sk_buff *)ctx[0], ctx[1], (__u32)ctx[2],
			  SKBS_EV_DROP | SKBS_EV_FREE | SKBS_EV_REASON,
			  STUB_BTF);
}

/* skb:consume_skb: the skb is freed normally; (skb[, location]). */
SEC("tp_btf/consume_skb")
int tp_consume_skb(__u64 *ctx)
{
	return handle_skb(ctx, (struct sk_buff *)ctx[0], 0, 0, SKBS_EV_FREE,
			  STUB_BTF);
}

/*
 * Function probes. One stub per skb argument position (1..5) for each of
 * kprobe, kprobe.multi and fentry, plus the drop and free functions whose
 * other arguments matter:
 *   kfree_skb_reason(skb, reason)          5.17 .. 6.10
 *   sk_skb_reason_drop(sk, skb, reason)    6.11 ..
 *   kfree_skbmem(skb)                      the end of every lifetime
 */
#define KPROBE_STUBS(sec, pfx)                                               \
	SEC(sec) int pfx##_pos1(struct pt_regs *ctx)                          \
	{                                                                     \
		return handle_skb(ctx, (void *)PT_REGS_PARM1(ctx), 0, 0, 0,   \
				  STUB_KPROBE);                               \
	}                                                                     \
	SEC(sec) int pfx##_pos2(struct pt_regs *ctx)                          \
	{                                                                     \
		return handle_skb(ctx, (void *)PT_REGS_PARM2(ctx), 0, 0, 0,   \
				  STUB_KPROBE);                               \
	}                                                                     \
	SEC(sec) int pfx##_pos3(struct pt_regs *ctx)                          \
	{                                                                     \
		return handle_skb(ctx, (void *)PT_REGS_PARM3(ctx), 0, 0, 0,   \
				  STUB_KPROBE);                               \
	}                                                                     \
	SEC(sec) int pfx##_pos4(struct pt_regs *ctx)                          \
	{                                                                     \
		return handle_skb(ctx, (void *)PT_REGS_PARM4(ctx), 0, 0, 0,   \
				  STUB_KPROBE);                               \
	}                                                                     \
	SEC(sec) int pfx##_pos5(struct pt_regs *ctx)                          \
	{                                                                     \
		return handle_skb(ctx, (void *)PT_REGS_PARM5(ctx), 0, 0, 0,   \
				  STUB_KPROBE);                               \
	}                                                                     \
	SEC(sec) int pfx##_kfree_skb_reason(struct pt_regs *ctx)              \
	{                                                                     \
		return handle_skb(ctx, (void *)PT_REGS_PARM1(ctx), 0,         \
				  (__u32)PT_REGS_PARM2(ctx),                  \
				  SKBS_EV_DROP | SKBS_EV_REASON, STUB_KPROBE);\
	}                                                                     \
	SEC(sec) int pfx##_sk_skb_reason_drop(struct pt_regs *ctx)            \
	{                                                                     \
		return handle_skb(ctx, (void *)PT_REGS_PARM2(ctx), 0,         \
				  (__u32)PT_REGS_PARM3(ctx),                  \
				  SKBS_EV_DROP | SKBS_EV_REASON, STUB_KPROBE);\
	}                                                                     \
	SEC(sec) int pfx##_kfree_skbmem(struct pt_regs *ctx)                  \
	{                                                                     \
		return handle_skb(ctx, (void *)PT_REGS_PARM1(ctx), 0, 0,      \
				  SKBS_EV_FREE, STUB_KPROBE);                 \
	}

KPROBE_STUBS("kprobe", kp)
KPROBE_STUBS("kprobe.multi", km)

/* fentry copies are retargeted per function like the tp_btf ones; the
 * section names give libbpf a target for loading the template. */
#define FENTRY_STUB(name, target, expr_skb, loc, rsn, fl)                    \
	SEC("fentry/" target) int name(__u64 *ctx)                            \
	{                                                                     \
		return handle_skb(ctx, (void *)(expr_skb), loc, rsn, fl,      \
				  STUB_BTF);                                  \
	}

FENTRY_STUB(fe_pos1, "kfree_skbmem", ctx[0], 0, 0, 0)
FENTRY_STUB(fe_pos2, "kfree_skbmem", ctx[1], 0, 0, 0)
FENTRY_STUB(fe_pos3, "kfree_skbmem", ctx[2], 0, 0, 0)
FENTRY_STUB(fe_pos4, "kfree_skbmem", ctx[3], 0, 0, 0)
FENTRY_STUB(fe_pos5, "kfree_skbmem", ctx[4], 0, 0, 0)
FENTRY_STUB(fe_kfree_skb_reason, "kfree_skb_reason", ctx[0], 0,
	    (__u32)ctx[1], SKBS_EV_DROP | SKBS_EV_REASON)
FENTRY_STUB(fe_sk_skb_reason_drop, "sk_skb_reason_drop", ctx[1], 0,
	    (__u32)ctx[2], SKBS_EV_DROP | SKBS_EV_REASON)
FENTRY_STUB(fe_kfree_skbmem, "kfree_skbmem", ctx[0], 0, 0, SKBS_EV_FREE)

/*
 * Clones and copies under --filter-track-skb: a copy of a followed skb is
 * followed too. The new skb is the return value, so kprobes stash the
 * source at entry (keyed by task and CPU) for the return probe; fexit sees
 * both at once.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u64);
} clone_src SEC(".maps");

static __always_inline int tracking(void)
{
	__u32 slot;
	struct skbs_filter *f = active_filter(&slot);

	return f && (f->flags & SKBS_F_TRACK);
}

static __always_inline __u64 clone_key(void)
{
	return bpf_get_current_pid_tgid() ^
	       ((__u64)bpf_get_smp_processor_id() << 56);
}

static __always_inline void follow_copy(__u64 src, __u64 copy)
{
	__u8 one = 1;

	if (copy && bpf_map_lookup_elem(&tracked, &src))
		bpf_map_update_elem(&tracked, &copy, &one, BPF_ANY);
}

static __always_inline int clone_enter(__u64 skb)
{
	__u64 key;

	if (!tracking() || !bpf_map_lookup_elem(&tracked, &skb))
		return 0;
	key = clone_key();
	bpf_map_update_elem(&clone_src, &key, &skb, BPF_ANY);
	return 0;
}

static __always_inline int clone_exit(__u64 copy)
{
	__u64 key = clone_key(), *src;

	src = bpf_map_lookup_elem(&clone_src, &key);
	if (!src)
		return 0;
	follow_copy(*src, copy);
	bpf_map_delete_elem(&clone_src, &key);
	return 0;
}

SEC("kprobe")
int kp_clone_enter(struct pt_regs *ctx)
{
	return clone_enter(PT_REGS_PARM1(ctx));
}

SEC("kretprobe")
int kp_clone_exit(struct pt_regs *ctx)
{
	return clone_exit(PT_REGS_RC(ctx));
}

SEC("kprobe.multi")
int km_clone_enter(struct pt_regs *ctx)
{
	return clone_enter(PT_REGS_PARM1(ctx));
}

SEC("kretprobe.multi")
int km_clone_exit(struct pt_regs *ctx)
{
	return clone_exit(PT_REGS_RC(ctx));
}

/* fexit: the return value follows the arguments in ctx. skb_clone and
 * skb_copy take two arguments; __pskb_copy_fclone and skb_copy_expand
 * four. */
SEC("fexit/skb_clone")
int fx_copy2(__u64 *ctx)
{
	if (tracking())
		follow_copy(ctx[0], ctx[2]);
	return 0;
}

SEC("fexit/skb_copy_expand")
int fx_copy4(__u64 *ctx)
{
	if (tracking())
		follow_copy(ctx[0], ctx[4]);
	return 0;
}
