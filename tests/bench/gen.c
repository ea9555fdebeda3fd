// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmarks' traffic (gen.h). Packets live in a few slots; each
 * event picks a slot at random, starts a packet there when it is free and
 * emits that packet's next hop, so the hops of packets in flight
 * interleave as they do on a busy host.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/hooks.h"
#include "core/reasons.h"
#include "tests/bench/gen.h"

/* ------------------------------------------------------------------ */
/* Hooks and drop reasons, as a tracepoint + function session has them. */

enum {
	H_GRO,
	H_RCV,
	H_IP_RCV,
	H_NF,
	H_LOCAL,
	H_UDP_RCV,
	H_UDP_QUEUE,
	H_FORWARD,
	H_OUTPUT,
	H_FINISH,
	H_QUEUE,
	H_XMIT,
	H_KFREE,
	H_CONSUME,
	H_IDLE, /* 12 attached, never hit */
	H_TCP_RCV = H_IDLE + 12,
	H_NHOOKS,
};

static const struct {
	enum hook_kind kind;
	const char *group, *name;
} hook_defs[H_NHOOKS] = {
	[H_GRO] = { HOOK_TRACEPOINT, "net", "napi_gro_receive_entry" },
	[H_RCV] = { HOOK_TRACEPOINT, "net", "netif_receive_skb" },
	[H_IP_RCV] = { HOOK_FUNCTION, "", "ip_rcv" },
	[H_NF] = { HOOK_FUNCTION, "", "nf_hook_slow" },
	[H_LOCAL] = { HOOK_FUNCTION, "", "ip_local_deliver" },
	[H_UDP_RCV] = { HOOK_FUNCTION, "", "udp_rcv" },
	[H_UDP_QUEUE] = { HOOK_FUNCTION, "", "udp_queue_rcv_skb" },
	[H_FORWARD] = { HOOK_FUNCTION, "", "ip_forward" },
	[H_OUTPUT] = { HOOK_FUNCTION, "", "ip_output" },
	[H_FINISH] = { HOOK_FUNCTION, "", "ip_finish_output2" },
	[H_QUEUE] = { HOOK_TRACEPOINT, "net", "net_dev_queue" },
	[H_XMIT] = { HOOK_TRACEPOINT, "net", "net_dev_start_xmit" },
	[H_KFREE] = { HOOK_TRACEPOINT, "skb", "kfree_skb" },
	[H_CONSUME] = { HOOK_TRACEPOINT, "skb", "consume_skb" },
	[H_IDLE] = { HOOK_TRACEPOINT, "net", "netif_rx" },
	{ HOOK_TRACEPOINT, "net", "netif_rx_entry" },
	{ HOOK_TRACEPOINT, "net", "netif_receive_skb_entry" },
	{ HOOK_TRACEPOINT, "net", "napi_gro_frags_entry" },
	{ HOOK_TRACEPOINT, "net", "net_dev_xmit" },
	{ HOOK_TRACEPOINT, "qdisc", "qdisc_dequeue" },
	{ HOOK_TRACEPOINT, "skb", "skb_copy_datagram_iovec" },
	{ HOOK_TRACEPOINT, "udp", "udp_fail_queue_rcv_skb" },
	{ HOOK_TRACEPOINT, "tcp", "tcp_send_reset" },
	{ HOOK_TRACEPOINT, "tcp", "tcp_retransmit_skb" },
	{ HOOK_TRACEPOINT, "tcp", "tcp_probe" },
	{ HOOK_TRACEPOINT, "xdp", "xdp_bulk_tx" },
	/* Hit by GEN_MIX_TCP only; last, so that the other ids, and the
	 * events of GEN_MIX_UDP, are what they were before it came. */
	[H_TCP_RCV] = { HOOK_FUNCTION, "", "tcp_v4_rcv" },
};

static const struct {
	__u32 value;
	const char *name;
} reason_defs[] = {
	{ 2, "SKB_DROP_REASON_NOT_SPECIFIED" },
	{ 3, "SKB_DROP_REASON_NO_SOCKET" },
	{ 4, "SKB_DROP_REASON_PKT_TOO_SMALL" },
	{ 8, "SKB_DROP_REASON_NETFILTER_DROP" },
	{ 11, "SKB_DROP_REASON_IP_INHDR" },
	{ 16, "SKB_DROP_REASON_SOCKET_RCVBUFF" },
	{ 27, "SKB_DROP_REASON_QDISC_DROP" },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

int gen_tables(struct hooks *hooks, struct reasons *reasons)
{
	int ret;

	for (size_t i = 0; i < N(hook_defs); i++) {
		struct hook hk = { 0 };

		hk.kind = hook_defs[i].kind;
		snprintf(hk.group, sizeof(hk.group), "%s", hook_defs[i].group);
		snprintf(hk.name, sizeof(hk.name), "%s", hook_defs[i].name);
		hk.attached = 1;
		ret = hooks_add(hooks, &hk);
		if (ret < 0)
			return ret;
		if (ret != (int)i)
			return -EINVAL; /* the table was not empty */
	}
	for (size_t i = 0; i < N(reason_defs); i++) {
		ret = reasons_add(reasons, reason_defs[i].value,
				  reason_defs[i].name);
		if (ret)
			return ret;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* The paths packets take, and the mixes of them. */

static const int path_rx_udp[] = { H_GRO, H_RCV,   H_IP_RCV,
				   H_NF,  H_LOCAL, H_UDP_RCV };
static const int path_rx_udp_queue[] = { H_GRO,   H_RCV,     H_IP_RCV,   H_NF,
					 H_LOCAL, H_UDP_RCV, H_UDP_QUEUE };
static const int path_rx_tcp[] = { H_GRO, H_RCV,   H_IP_RCV,
				   H_NF,  H_LOCAL, H_TCP_RCV };
static const int path_tx[] = { H_OUTPUT, H_NF, H_FINISH, H_QUEUE, H_XMIT };
static const int path_fwd[] = { H_RCV,    H_IP_RCV, H_NF,    H_FORWARD,
				H_OUTPUT, H_FINISH, H_QUEUE, H_XMIT };

enum role { R_RX, R_TX, R_FWD };

struct kind {
	unsigned below; /* picked when a roll of 0..99 is below */
	enum role role;
	__u8 l4; /* IPPROTO_UDP or IPPROTO_TCP */
	const int *path;
	unsigned npath;
};

#define PATH(p) (p), N(p)

static const struct kind mix_udp[] = {
	{ 60, R_RX, 17, PATH(path_rx_udp_queue) },
	{ 85, R_TX, 17, PATH(path_tx) },
	{ 100, R_FWD, 17, PATH(path_fwd) },
};

static const struct kind mix_tcp[] = {
	{ 35, R_RX, 17, PATH(path_rx_udp) },
	{ 60, R_RX, 6, PATH(path_rx_tcp) },
	{ 85, R_TX, 17, PATH(path_tx) },
	{ 100, R_FWD, 17, PATH(path_fwd) },
};

#define NS_HOST 4026531840u
#define NS_POD 4026532290u

/* ------------------------------------------------------------------ */
/* Packets. */

enum fate { F_CONSUMED, F_DROPPED, F_INFLIGHT };

#define NSLOT 8
#define HDR_ROOM (14 + SKBS_SNAP_MAX)

struct synth {
	int active;
	const struct kind *kind;
	unsigned kind_id; /* its index in the mix */
	enum fate fate;
	int reason_known;
	__u32 gen, reason, len, mark, nhops, hop, npath;
	__u64 skb, location;
	__u8 saddr[4], daddr[4], daddr_nat[4];
	__u16 sport, dport;
	__u8 hdr[HDR_ROOM];
};

struct gen {
	struct gen_opts o;
	const struct kind *mix;
	size_t nmix;
	__u64 rng, ts;
	__u32 next_gen;
	unsigned long started;
	struct synth slot[NSLOT];
	__u8 scratch[HDR_ROOM];
};

int gen_new(const struct gen_opts *o, struct gen **out)
{
	struct gen *g;

	if (!o->seed)
		return -EINVAL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->o = *o;
	if (!g->o.cpus)
		g->o.cpus = 1;
	g->mix = o->mix == GEN_MIX_TCP ? mix_tcp : mix_udp;
	g->nmix = o->mix == GEN_MIX_TCP ? N(mix_tcp) : N(mix_udp);
	g->rng = o->seed;
	g->ts = o->ts;
	*out = g;
	return 0;
}

void gen_free(struct gen *g)
{
	free(g);
}

unsigned long gen_started(const struct gen *g)
{
	return g->started;
}

void gen_set_packets(struct gen *g, unsigned long packets)
{
	g->o.packets = packets;
}

static __u64 rnd(struct gen *g)
{
	g->rng ^= g->rng << 13;
	g->rng ^= g->rng >> 7;
	g->rng ^= g->rng << 17;
	return g->rng;
}

static void put16(__u8 *p, unsigned v)
{
	p[0] = (__u8)(v >> 8);
	p[1] = (__u8)v;
}

/* Ethernet + IPv4 + UDP or TCP + payload, network order. */
static void build_hdr(const struct gen *g, struct synth *p)
{
	static const __u8 mac[12] = { 0x02, 0, 0, 0, 0, 0x01,
				      0x02, 0, 0, 0, 0, 0x02 };
	__u8 *h = p->hdr, *ip = h + 14, *l4 = ip + 20;
	int tcp = p->kind->l4 == 6, l4len = tcp ? 20 : 8;
	__u32 vary = g->o.vary_headers ? p->gen : 0;

	memcpy(h, mac, sizeof(mac));
	put16(h + 12, 0x0800);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, p->len);
	put16(ip + 4, (unsigned)(p->gen & 0xffff));
	ip[6] = 0x40;
	ip[8] = 64;
	ip[9] = p->kind->l4;
	memcpy(ip + 12, p->saddr, 4);
	memcpy(ip + 16, p->daddr, 4);
	memset(l4, 0, (size_t)l4len);
	put16(l4, p->sport);
	put16(l4 + 2, p->dport);
	if (tcp) {
		put16(l4 + 4, p->gen >> 16);
		put16(l4 + 6, p->gen);
		l4[12] = 0x50;
		l4[13] = 0x18;
	} else {
		put16(l4 + 4, p->len - 20);
	}
	for (int i = 14 + 20 + l4len; i < HDR_ROOM; i++)
		h[i] = (__u8)('a' + (i + vary) % 26);
}

static void start_packet(struct gen *g, struct synth *p)
{
	static const __u16 ports[] = { 53, 123, 443, 7001, 8080, 4789 };
	unsigned r = (unsigned)(rnd(g) % 100), want;

	memset(p, 0, sizeof(*p));
	p->active = 1;
	/* Generations in first-seen order, as core/lifetime hands out. */
	p->gen = ++g->next_gen;
	g->started++;
	while (p->kind_id + 1 < g->nmix && r >= g->mix[p->kind_id].below)
		p->kind_id++;
	p->kind = &g->mix[p->kind_id];
	r = (unsigned)(rnd(g) % 100);
	p->fate = r < 10 ? F_DROPPED : r < 12 ? F_INFLIGHT : F_CONSUMED;
	/* 4..8 hops: a prefix of the path, then kfree_skb/consume_skb. */
	want = 4 + (unsigned)(rnd(g) % 5);
	p->npath = p->fate == F_INFLIGHT ? want : want - 1;
	if (p->npath > p->kind->npath)
		p->npath = p->kind->npath;
	p->nhops = p->npath + (p->fate == F_INFLIGHT ? 0 : 1);
	if (p->fate == F_DROPPED) {
		p->reason_known = rnd(g) % 100 < 85;
		p->reason = reason_defs[rnd(g) % N(reason_defs)].value;
		p->location = 0xffffffff81c00000ULL + (rnd(g) % 64) * 0x40;
	}
	if (g->o.slab)
		p->skb = 0xffff888100000000ULL + (rnd(g) % g->o.slab) * 0x100;
	else
		p->skb = 0xffff888100000000ULL +
			 ((g->started * 2654435761UL) & 0xfffff) * 0x100;
	p->saddr[0] = 10;
	p->saddr[1] = (__u8)(rnd(g) % 4);
	p->saddr[2] = (__u8)rnd(g);
	p->saddr[3] = (__u8)(1 + rnd(g) % 254);
	p->daddr[0] = 10;
	p->daddr[1] = 200;
	p->daddr[2] = 0;
	p->daddr[3] = (__u8)(1 + rnd(g) % 8);
	memcpy(p->daddr_nat, p->daddr, 4);
	p->daddr_nat[1] = 244; /* DNAT to a pod */
	p->sport = (__u16)(1024 + rnd(g) % 60000);
	p->dport = ports[rnd(g) % N(ports)];
	p->len = 60 + (__u32)(rnd(g) % 1400);
	p->mark = rnd(g) % 4 ? 0 : 0x10;
	build_hdr(g, p);
}

static void set_dev(struct skbs_event *ev, __u32 netns, __u32 ifindex,
		    const char *name)
{
	ev->netns = netns;
	ev->ifindex = ifindex;
	snprintf(ev->ifname, sizeof(ev->ifname), "%s", name);
}

/* A kernel stack for this hop: the same few call paths over and over, as
 * a flood has them. */
static int fill_stack(const struct gen *g, const struct synth *p, int hook,
		      __u64 *ips)
{
	int n = g->o.stack_depth;

	for (int i = 0; i < n; i++)
		ips[i] = 0xffffffff81000000ULL +
			 (__u64)(hook * 97 + (int)p->kind_id * 31 + i) * 0x1a40;
	return n;
}

/* The next hop of packet p (of slot idx) into ev, *tail and ips. */
static int fill_hop(struct gen *g, struct synth *p, int idx,
		    struct skbs_event *ev, const char **tail, __u64 *ips)
{
	enum role role = p->kind->role;
	int hook = p->hop < p->npath    ? p->kind->path[p->hop] :
		   p->fate == F_DROPPED ? H_KFREE :
					  H_CONSUME;
	int l2 = hook == H_GRO || hook == H_RCV || hook == H_QUEUE ||
		 hook == H_XMIT;
	int egress = p->hop > 0 && (hook == H_OUTPUT || hook == H_FINISH ||
				    hook == H_QUEUE || hook == H_XMIT);
	int nstack = 0;
	unsigned max;

	memset(ev, 0, sizeof(*ev));
	ev->rec_type = SKBS_REC_EVENT;
	ev->hook = (__u32)hook;
	ev->skb = p->skb;
	ev->gen = p->gen;
	ev->ts = g->ts;
	ev->cpu = (__u32)idx % g->o.cpus;
	ev->pid = role == R_TX ? g->o.tx_pid : 0;
	ev->stack_id = -1;
	ev->l3_proto = 0x0800;
	ev->l4_proto = p->kind->l4;
	ev->flags = SKBS_EV_TUPLE;
	ev->sport = p->sport;
	ev->dport = p->dport;
	ev->mark = p->mark;
	memcpy(ev->saddr, p->saddr, 4);
	/* forwarded packets are DNATed at nf_hook_slow */
	memcpy(ev->daddr,
	       role == R_FWD && p->hop >= 2 ? p->daddr_nat : p->daddr, 4);
	ev->len = p->len + (l2 ? 14 : 0);
	snprintf(ev->comm, sizeof(ev->comm), "%s",
		 role == R_TX ? "dnsperf" : "ksoftirqd/0");
	if (role == R_FWD && egress)
		set_dev(ev, NS_POD, 3, "veth-pod");
	else if (role == R_TX && (hook == H_FINISH || l2))
		set_dev(ev, NS_HOST, 5, "veth-host");
	else if (l2 || hook == H_IP_RCV)
		set_dev(ev, NS_HOST, 2, "eth0");
	else
		ev->netns = role == R_FWD && p->hop >= 3 ? NS_POD : NS_HOST;
	if (hook_defs[hook].kind == HOOK_FUNCTION) {
		ev->ip = 0xffffffff81a00000ULL + (__u64)hook * 0x1000;
		ev->caller = ev->ip + 0x80000 + 0x24;
	}
	if (p->hop == p->npath) {
		ev->flags |= SKBS_EV_FREE;
		if (p->fate == F_DROPPED) {
			ev->flags |= SKBS_EV_DROP;
			ev->location = p->location;
			if (p->reason_known) {
				ev->flags |= SKBS_EV_REASON;
				ev->drop_reason = p->reason;
			}
		}
	}
	*tail = NULL;
	if (g->o.snaplen > 0) {
		max = l2 ? p->len + 14 : p->len;
		if (max > (unsigned)g->o.snaplen)
			max = (unsigned)g->o.snaplen;
		ev->hdr_len = (__u16)max;
		ev->tail_len = ev->hdr_len;
		*tail = (const char *)(l2 ? p->hdr : p->hdr + 14);
		/* The bytes change where the kernel changes them: DNAT at
		 * nf_hook_slow, the TTL at ip_forward. */
		if (g->o.vary_headers && role == R_FWD && p->hop >= 2) {
			memcpy(g->scratch, p->hdr, HDR_ROOM);
			memcpy(g->scratch + 14 + 16, p->daddr_nat, 4);
			if (p->hop >= 4)
				g->scratch[14 + 8]--;
			*tail = (const char *)(l2 ? g->scratch :
						    g->scratch + 14);
		}
		if (l2)
			ev->flags |= SKBS_EV_HDR_L2;
	}
	if (g->o.stack_depth) {
		nstack = fill_stack(g, p, hook, ips);
		ev->stack_id = 1; /* the recording carries the ips */
	}
	if (++p->hop == p->nhops)
		p->active = 0;
	return nstack;
}

int gen_next(struct gen *g, __u64 ts, struct skbs_event *ev, const char **tail,
	     __u64 *ips)
{
	int idx = (int)(rnd(g) % NSLOT);
	struct synth *p = &g->slot[idx];

	if (!p->active && g->o.packets && g->started >= g->o.packets) {
		/* No more packets start: those in flight finish. */
		p = NULL;
		for (int i = 0; i < NSLOT && !p; i++) {
			if (g->slot[i].active) {
				idx = i;
				p = &g->slot[i];
			}
		}
		if (!p)
			return -1;
	}
	if (!p->active)
		start_packet(g, p);
	if (ts)
		g->ts = ts > g->ts ? ts : g->ts + 1;
	else
		g->ts += g->o.step_ns +
			 (g->o.spread_ns ? rnd(g) % g->o.spread_ns : 0);
	return fill_hop(g, p, idx, ev, tail, ips);
}
