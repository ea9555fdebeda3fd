// SPDX-License-Identifier: GPL-2.0
/*
 * User-space ingest (issue 7, figure 3). Writes a recording of synthetic
 * but realistic events with core/record's writer, then reads it back
 * three ways, each timed on one core: rec_next alone (decode), through
 * core/replay (decode and stack interning) and through replay into
 * core/store, which is what `--replay` in the explorer does; and
 * core/lifetime over its skb addresses, which the live path runs for every
 * event first. Then the store's memory per event it holds. Prints a table, then "BENCH name
 * value unit" lines. Figures only: no timing makes it fail.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "core/reasons.h"
#include "core/trace/btf.h"
#include "core/hooks.h"
#include "core/lib/vec.h"
#include "core/lifetime.h"
#include "core/record.h"
#include "core/replay.h"
#include "core/store.h"
#include "tests/bench/measure.h"

#define GOAL_EVENTS_PER_S 3e6
#define GOAL_BYTES_PER_EVENT 160.0
/* The explorer drains at most this many events between frames. */
#define BATCH 20000

/* ------------------------------------------------------------------ */
/* Hooks and reasons, as a tracepoint + function session has them. */

enum {
	H_GRO, H_RCV, H_IP_RCV, H_NF, H_LOCAL, H_UDP_RCV, H_TCP_RCV,
	H_FORWARD, H_OUTPUT, H_FINISH, H_QUEUE, H_XMIT, H_KFREE, H_CONSUME,
	H_NHOOKS,
};

static const struct {
	enum hook_kind kind;
	const char *group, *name;
} hook_defs[H_NHOOKS] = {
	{ HOOK_TRACEPOINT, "net", "napi_gro_receive_entry" },
	{ HOOK_TRACEPOINT, "net", "netif_receive_skb" },
	{ HOOK_FUNCTION, "", "ip_rcv" },
	{ HOOK_FUNCTION, "", "nf_hook_slow" },
	{ HOOK_FUNCTION, "", "ip_local_deliver" },
	{ HOOK_FUNCTION, "", "udp_rcv" },
	{ HOOK_FUNCTION, "", "tcp_v4_rcv" },
	{ HOOK_FUNCTION, "", "ip_forward" },
	{ HOOK_FUNCTION, "", "ip_output" },
	{ HOOK_FUNCTION, "", "ip_finish_output2" },
	{ HOOK_TRACEPOINT, "net", "net_dev_queue" },
	{ HOOK_TRACEPOINT, "net", "net_dev_start_xmit" },
	{ HOOK_TRACEPOINT, "skb", "kfree_skb" },
	{ HOOK_TRACEPOINT, "skb", "consume_skb" },
};

static const struct {
	__u32 value;
	const char *name;
} reason_defs[] = {
	{ 2, "SKB_DROP_REASON_NOT_SPECIFIED" },
	{ 3, "SKB_DROP_REASON_NO_SOCKET" },
	{ 8, "SKB_DROP_REASON_NETFILTER_DROP" },
	{ 16, "SKB_DROP_REASON_SOCKET_RCVBUFF" },
	{ 27, "SKB_DROP_REASON_QDISC_DROP" },
};

static const int path_rx_udp[] = { H_GRO, H_RCV, H_IP_RCV, H_NF, H_LOCAL,
				   H_UDP_RCV };
static const int path_rx_tcp[] = { H_GRO, H_RCV, H_IP_RCV, H_NF, H_LOCAL,
				   H_TCP_RCV };
static const int path_tx[] = { H_OUTPUT, H_NF, H_FINISH, H_QUEUE, H_XMIT };
static const int path_fwd[] = { H_RCV, H_IP_RCV, H_NF, H_FORWARD, H_OUTPUT,
				H_FINISH, H_QUEUE, H_XMIT };

#define NS_HOST 4026531840u
#define NS_POD 4026532290u

/* ------------------------------------------------------------------ */
/* Synthetic traffic: a few packets in flight at once, hops interleaved,
 * each walking a prefix of its path and then freed or dropped. */

enum kind { K_RX_UDP, K_RX_TCP, K_TX, K_FWD };
enum fate { F_CONSUMED, F_DROPPED, F_INFLIGHT };

#define NSLOT 8
#define HDR_ROOM (14 + SKBS_SNAP_MAX)

struct synth {
	int active;
	enum kind kind;
	enum fate fate;
	int reason_known;
	__u32 gen, reason, len, mark, nhops, hop, npath;
	const int *path;
	__u64 skb, location;
	__u8 saddr[4], daddr[4], daddr_nat[4];
	__u16 sport, dport;
	__u8 hdr[HDR_ROOM];
};

struct gen {
	__u64 rng, ts;
	__u32 next_gen;
	unsigned long started;
	int snaplen, stack_depth;
	struct synth slot[NSLOT];
	__u8 scratch[HDR_ROOM];
};

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
static void build_hdr(struct synth *p, int tcp)
{
	static const __u8 mac[12] = { 0x02, 0, 0, 0, 0, 0x01,
				      0x02, 0, 0, 0, 0, 0x02 };
	__u8 *h = p->hdr, *ip = h + 14, *l4 = ip + 20;
	int l4len = tcp ? 20 : 8;

	memcpy(h, mac, sizeof(mac));
	put16(h + 12, 0x0800);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, p->len);
	put16(ip + 4, (unsigned)(p->gen & 0xffff));
	ip[6] = 0x40;
	ip[8] = 64;
	ip[9] = tcp ? 6 : 17;
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
		h[i] = (__u8)('a' + (i + p->gen) % 26);
}

static void start_packet(struct gen *g, struct synth *p)
{
	static const __u16 ports[] = { 53, 123, 443, 7001, 8080, 4789 };
	unsigned r = (unsigned)(rnd(g) % 100), plen, want;

	memset(p, 0, sizeof(*p));
	p->active = 1;
	/* Generations in first-seen order, as core/lifetime hands out. */
	p->gen = ++g->next_gen;
	g->started++;
	p->kind = r < 35 ? K_RX_UDP : r < 60 ? K_RX_TCP : r < 85 ? K_TX :
								    K_FWD;
	switch (p->kind) {
	case K_RX_UDP:
		p->path = path_rx_udp;
		plen = 6;
		break;
	case K_RX_TCP:
		p->path = path_rx_tcp;
		plen = 6;
		break;
	case K_TX:
		p->path = path_tx;
		plen = 5;
		break;
	default:
		p->path = path_fwd;
		plen = 8;
		break;
	}
	r = (unsigned)(rnd(g) % 100);
	p->fate = r < 10 ? F_DROPPED : r < 12 ? F_INFLIGHT : F_CONSUMED;
	/* 4..8 hops: a prefix of the path, then kfree_skb/consume_skb. */
	want = 4 + (unsigned)(rnd(g) % 5);
	p->npath = p->fate == F_INFLIGHT ? want : want - 1;
	if (p->npath > plen)
		p->npath = plen;
	p->nhops = p->npath + (p->fate == F_INFLIGHT ? 0 : 1);
	if (p->fate == F_DROPPED) {
		size_t n = sizeof(reason_defs) / sizeof(reason_defs[0]);

		p->reason_known = rnd(g) % 100 < 85;
		p->reason = reason_defs[rnd(g) % n].value;
		p->location = 0xffffffff81c00000ULL + (rnd(g) % 64) * 0x40;
	}
	/* Addresses are reused, as the slab reuses them. */
	p->skb = 0xffff888100000000ULL + (rnd(g) % 4096) * 0x100;
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
	p->dport = ports[rnd(g) % (sizeof(ports) / sizeof(ports[0]))];
	p->len = 60 + (__u32)(rnd(g) % 1400);
	p->mark = rnd(g) % 4 ? 0 : 0x10;
	build_hdr(p, p->kind == K_RX_TCP);
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
	int n = g->stack_depth;

	for (int i = 0; i < n; i++)
		ips[i] = 0xffffffff81000000ULL +
			 (__u64)(hook * 97 + p->kind * 31 + i) * 0x1a40;
	return n;
}

/* The next event into ev, its tail into *tail, stack into ips. */
static int gen_next(struct gen *g, struct skbs_event *ev, const char **tail,
		    __u64 *ips)
{
	int idx = (int)(rnd(g) % NSLOT);
	struct synth *p = &g->slot[idx];
	int hook, l2, egress, nstack = 0;
	unsigned max;

	if (!p->active)
		start_packet(g, p);
	g->ts += 200 + rnd(g) % 2000;
	hook = p->hop < p->npath ? p->path[p->hop] :
	       p->fate == F_DROPPED ? H_KFREE : H_CONSUME;
	l2 = hook == H_GRO || hook == H_RCV || hook == H_QUEUE ||
	     hook == H_XMIT;
	egress = p->hop > 0 && (hook == H_OUTPUT || hook == H_FINISH ||
				hook == H_QUEUE || hook == H_XMIT);

	memset(ev, 0, sizeof(*ev));
	ev->rec_type = SKBS_REC_EVENT;
	ev->hook = (__u32)hook;
	ev->skb = p->skb;
	ev->gen = p->gen;
	ev->ts = g->ts;
	ev->cpu = (__u32)idx % 2;
	ev->pid = p->kind == K_TX ? 4242 : 0;
	ev->stack_id = -1;
	ev->l3_proto = 0x0800;
	ev->l4_proto = p->kind == K_RX_TCP ? 6 : 17;
	ev->flags = SKBS_EV_TUPLE;
	ev->sport = p->sport;
	ev->dport = p->dport;
	ev->mark = p->mark;
	memcpy(ev->saddr, p->saddr, 4);
	/* forwarded packets are DNATed at nf_hook_slow */
	memcpy(ev->daddr, p->kind == K_FWD && p->hop >= 2 ? p->daddr_nat :
							    p->daddr, 4);
	ev->len = p->len + (l2 ? 14 : 0);
	ev->mtu = ev->ifindex ? 1500 : 0;
	snprintf(ev->comm, sizeof(ev->comm), "%s",
		 p->kind == K_TX ? "dnsperf" : "ksoftirqd/0");
	if (p->kind == K_FWD && egress)
		set_dev(ev, NS_POD, 3, "veth-pod");
	else if (p->kind == K_TX && (hook == H_FINISH || l2))
		set_dev(ev, NS_HOST, 5, "veth-host");
	else if (l2 || hook == H_IP_RCV)
		set_dev(ev, NS_HOST, 2, "eth0");
	else
		ev->netns = p->kind == K_FWD && p->hop >= 3 ? NS_POD : NS_HOST;
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
	if (g->snaplen > 0) {
		max = l2 ? p->len + 14 : p->len;
		ev->hdr_len = (__u16)((unsigned)g->snaplen < max ?
				      (unsigned)g->snaplen : max);
		ev->tail_len = ev->hdr_len;
		*tail = (const char *)(l2 ? p->hdr : p->hdr + 14);
		/* The bytes change where the kernel changes them: DNAT at
		 * nf_hook_slow, the TTL at ip_forward. */
		if (p->kind == K_FWD && p->hop >= 2) {
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
	if (g->stack_depth) {
		nstack = fill_stack(g, p, hook, ips);
		ev->stack_id = 1; /* the recording carries the ips */
	}
	if (++p->hop == p->nhops)
		p->active = 0;
	return nstack;
}

/* ------------------------------------------------------------------ */
/* Measuring. */

struct opts {
	unsigned long events;
	size_t max_packets;
	int snaplen;
	int stack_depth;
	int runs;
	const char *path;
	int keep;
	int reuse;           /* read path as it is; write nothing */
};

/* ------------------------------------------------------------------ */
/* The recording. */

static int write_recording(const struct opts *o, unsigned long *packets)
{
	struct rec_meta m = { 0 };
	struct rec_writer *w;
	struct hooks *hooks;
	struct reasons *reasons;
	struct skbs_event ev;
	struct gen *g = calloc(1, sizeof(*g));
	__u64 ips[SKBS_STACK_DEPTH];
	const char *tail;
	char err[512];
	int ret = -1, nstack;

	if (!g || hooks_new(&hooks) || reasons_new(&reasons)) {
		free(g);
		return -1;
	}
	for (int i = 0; i < H_NHOOKS; i++) {
		struct hook hk = { 0 };

		hk.kind = hook_defs[i].kind;
		snprintf(hk.group, sizeof(hk.group), "%s", hook_defs[i].group);
		snprintf(hk.name, sizeof(hk.name), "%s", hook_defs[i].name);
		hk.attached = 1;
		hooks_add(hooks, &hk);
	}
	for (size_t i = 0; i < sizeof(reason_defs) / sizeof(reason_defs[0]);
	     i++)
		reasons_add(reasons, reason_defs[i].value, reason_defs[i].name);
	snprintf(m.host, sizeof(m.host), "bench");
	snprintf(m.kernel, sizeof(m.kernel), "6.18.0-bench");
	snprintf(m.backend, sizeof(m.backend), "tracepoint");
	if (rec_create(o->path, &m, &w, err, sizeof(err))) {
		fprintf(stderr, "bench-ingest: %s\n", err);
		goto out;
	}
	if (rec_write_hooks(w, hooks, H_NHOOKS) ||
	    rec_write_reasons(w, reasons)) {
		fprintf(stderr, "bench-ingest: %s: cannot write\n", o->path);
		rec_close(w, NULL);
		goto out;
	}
	g->rng = 0x5cb5c09e;
	g->ts = 1000000000000ULL;
	g->snaplen = o->snaplen;
	g->stack_depth = o->stack_depth;
	for (unsigned long i = 0; i < o->events; i++) {
		nstack = gen_next(g, &ev, &tail, ips);
		if (rec_write_event(w, &ev, tail, ips, nstack, NULL)) {
			fprintf(stderr, "bench-ingest: %s: cannot write\n",
				o->path);
			rec_close(w, NULL);
			goto out;
		}
	}
	*packets = g->started;
	ret = rec_close(w, NULL);
	if (ret)
		fprintf(stderr, "bench-ingest: %s: %s\n", o->path,
			strerror(-ret));
out:
	reasons_free(reasons);
	hooks_free(hooks);
	free(g);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Reading it back. */

struct run {
	__u64 wall, cpu;
	unsigned long events;
};

static int open_reader(const struct opts *o, struct rec_reader **r)
{
	char err[512];

	if (rec_open(o->path, r, err, sizeof(err))) {
		fprintf(stderr, "bench-ingest: %s\n", err);
		return -1;
	}
	return 0;
}

/* rec_next alone: read, check and decode, nothing kept. */
static int run_decode(const struct opts *o, struct run *res)
{
	const struct skbs_event *ev;
	const __u64 *stack;
	const char *tail;
	struct rec_reader *r;
	char err[512];
	__u64 w0, c0, sum = 0;
	int nstack, ret;

	if (open_reader(o, &r))
		return -1;
	res->events = 0;
	w0 = now_ns();
	c0 = cpu_ns();
	while ((ret = rec_next(r, &ev, &tail, &stack, &nstack, err,
			       sizeof(err))) > 0) {
		sum += ev->ts + (unsigned char)(ev->hdr_len ? tail[0] : 0);
		res->events++;
	}
	res->cpu = cpu_ns() - c0;
	res->wall = now_ns() - w0;
	rec_close_reader(r);
	if (ret) {
		fprintf(stderr, "bench-ingest: %s\n", err);
		return -1;
	}
	return sum ? 0 : -1;
}

static int count_only(void *ctx, const struct skbs_event *ev,
		      const char *tail)
{
	unsigned long *n = ctx;

	(void)ev;
	(void)tail;
	++*n;
	return 0;
}

struct into_store {
	struct store *st;
	unsigned long n;
	int err;
};

/* What the explorer's on_event does with each replayed event. */
static int to_store(void *ctx, const struct skbs_event *ev, const char *tail)
{
	struct into_store *s = ctx;

	if (store_add(s->st, ev, tail))
		s->err = 1;
	return ++s->n % BATCH == 0;
}

/* Through core/replay, into a store when st is given. */
static int run_replay(const struct opts *o, struct store *st,
		      struct run *res)
{
	struct rec_reader *r;
	struct replay *rp;
	struct into_store s = { .st = st };
	unsigned long n = 0;
	__u64 w0, c0;

	if (open_reader(o, &r))
		return -1;
	if (replay_new(r, o->path, &rp)) {
		rec_close_reader(r);
		return -1;
	}
	w0 = now_ns();
	c0 = cpu_ns();
	if (st)
		while (replay_poll(rp, BATCH, to_store, &s) > 0)
			;
	else
		while (replay_poll(rp, BATCH, count_only, &n) > 0)
			;
	res->cpu = cpu_ns() - c0;
	res->wall = now_ns() - w0;
	res->events = st ? s.n : n;
	if (replay_error(rp) || s.err) {
		fprintf(stderr, "bench-ingest: %s\n", replay_status(rp));
		replay_free(rp);
		rec_close_reader(r);
		return -1;
	}
	replay_free(rp);
	rec_close_reader(r);
	return 0;
}

/* lifetimes_gen over the recording's (address, ends) pairs, read first
 * and untimed: what the live path does to every event before the rest. */
static int run_lifetimes(const struct opts *o, struct run *res)
{
	const struct skbs_event *ev;
	const __u64 *stack;
	const char *tail;
	struct rec_reader *r;
	struct lifetimes *l = NULL;
	size_t n = 0, cap_skb = 0, cap_ends = 0;
	__u64 *skb = NULL, w0, c0, sum = 0;
	__u8 *ends = NULL;
	char err[512];
	int nstack, ret = -1;

	if (open_reader(o, &r))
		goto out;
	while ((ret = rec_next(r, &ev, &tail, &stack, &nstack, err,
			       sizeof(err))) > 0) {
		if (VEC_RESERVE(skb, cap_skb, n + 1) ||
		    VEC_RESERVE(ends, cap_ends, n + 1)) {
			ret = -1;
			break;
		}
		skb[n] = ev->skb;
		ends[n++] = !!(ev->flags & SKBS_EV_FREE);
	}
	rec_close_reader(r);
	if (ret || lifetimes_new(&l)) {
		ret = -1;
		goto out;
	}
	w0 = now_ns();
	c0 = cpu_ns();
	for (size_t i = 0; i < n; i++)
		sum += lifetimes_gen(l, skb[i], ends[i]);
	res->cpu = cpu_ns() - c0;
	res->wall = now_ns() - w0;
	res->events = n;
	ret = sum ? 0 : -1;
out:
	lifetimes_free(l);
	free(skb);
	free(ends);
	return ret;
}

static double per_s(const struct run *r)
{
	return r->cpu ? r->events / (r->cpu / 1e9) : 0;
}

/* The fastest of the runs: the machine is shared, and the others only
 * add what the neighbours took. */
static void keep_best(struct run *best, const struct run *r)
{
	if (!best->cpu || r->cpu < best->cpu)
		*best = *r;
}

static void row(const char *label, const struct run *r, const char *goal)
{
	printf("%-34s %10lu %10.1f %10.1f %12.0f %8.0f  %s\n", label,
	       r->events, r->wall / 1e6, r->cpu / 1e6, per_s(r),
	       r->events ? (double)r->cpu / r->events : 0, goal);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: bench-ingest [-e EVENTS] [-p PACKETS] [-s SNAPLEN] "
		"[-k DEPTH] [-n RUNS]\n"
		"                    [-f FILE] [-K] [-r FILE]\n"
		"  -e  events in the recording (2000000)\n"
		"  -p  lifetimes the store keeps, --max-packets (100000)\n"
		"  -s  header bytes per event (64, the explorer's default)\n"
		"  -k  kernel stack frames per event, 0: none (0)\n"
		"  -n  timed runs of each kind; the fastest is shown (3)\n"
		"  -f  the recording (a new file under /tmp)\n"
		"  -K  keep the recording\n"
		"  -r  read this recording (say, one kept with -K) instead; "
		"-e -s -k are\n"
		"      then ignored\n");
}

int main(int argc, char **argv)
{
	struct opts o = { .events = 2000000, .max_packets = 100000,
			  .snaplen = 64, .runs = 3 };
	struct run dec = { 0 }, rep = { 0 }, full = { 0 }, life = { 0 }, first,
		   r;
	char path[] = "/tmp/skbscope-ingest.XXXXXX";
	long long rss0, rss1, heap0, heap1, peak;
	unsigned long packets = 0, held = 0;
	size_t bytes, kept;
	struct store *st;
	struct stat sb;
	double bpe;
	int opt, fd, rc = 1;

	while ((opt = getopt(argc, argv, "e:p:s:k:n:f:Kr:h")) != -1) {
		switch (opt) {
		case 'e':
			o.events = strtoul(optarg, NULL, 0);
			break;
		case 'p':
			o.max_packets = strtoul(optarg, NULL, 0);
			break;
		case 's':
			o.snaplen = atoi(optarg);
			break;
		case 'k':
			o.stack_depth = atoi(optarg);
			break;
		case 'n':
			o.runs = atoi(optarg);
			break;
		case 'f':
			o.path = optarg;
			break;
		case 'K':
			o.keep = 1;
			break;
		case 'r':
			o.path = optarg;
			o.reuse = o.keep = 1;
			break;
		default:
			usage();
			return opt == 'h' ? 0 : 2;
		}
	}
	if (!o.events || !o.max_packets || o.snaplen < 0 ||
	    o.snaplen > SKBS_SNAP_MAX || o.stack_depth < 0 ||
	    o.stack_depth > SKBS_STACK_DEPTH || o.runs < 1) {
		usage();
		return 2;
	}
	if (!o.path) {
		/* A name of our own; rec_create truncates it in place. */
		fd = mkstemp(path);
		if (fd < 0) {
			fprintf(stderr, "bench-ingest: %s: %s\n", path,
				strerror(errno));
			return 1;
		}
		close(fd);
		o.path = path;
	}
	if (!o.reuse && write_recording(&o, &packets))
		goto out;
	if (stat(o.path, &sb)) {
		fprintf(stderr, "bench-ingest: %s: %s\n", o.path,
			strerror(errno));
		goto out;
	}

	/* The first pass into a store is the one whose memory is measured:
	 * nothing was allocated and freed before it. */
	rss0 = rss_now();
	heap0 = heap_now();
	if (store_new(o.max_packets, &st))
		goto out;
	if (run_replay(&o, st, &r))
		goto out;
	first = r;
	keep_best(&full, &r);
	rss1 = rss_now();
	heap1 = heap_now();
	bytes = store_bytes(st);
	kept = store_count(st);
	for (size_t i = 0; i < kept; i++)
		held += store_packet(st, i)->nhops;
	if (o.reuse) {
		o.events = r.events;
		packets = store_count(st) + store_evicted(st);
	}
	if (store_events(st) != o.events ||
	    kept != (packets < o.max_packets ? packets : o.max_packets)) {
		fprintf(stderr, "bench-ingest: the store took %llu events "
			"and keeps %zu packets; expected %lu and %zu\n",
			(unsigned long long)store_events(st), kept, o.events,
			o.max_packets);
		store_free(st);
		goto out;
	}
	store_free(st);

	if (o.reuse)
		printf("User-space ingest: a recording of %lu events (%lu "
		       "packets), %.1f MB, %.0f B/event on disk;\nthe store "
		       "keeps %zu packets (--max-packets)\n\n", o.events,
		       packets, sb.st_size / 1048576.0,
		       (double)sb.st_size / o.events, o.max_packets);
	else
		printf("User-space ingest: a recording of %lu events (%lu "
		       "packets, snaplen %d, %d stack frames),\n%.1f MB, %.0f "
		       "B/event on disk; the store keeps %zu packets "
		       "(--max-packets)\n\n", o.events, packets, o.snaplen,
		       o.stack_depth, sb.st_size / 1048576.0,
		       (double)sb.st_size / o.events, o.max_packets);
	fflush(stdout);

	for (int i = 0; i < o.runs; i++) {
		if (run_decode(&o, &r))
			goto out;
		keep_best(&dec, &r);
		if (run_replay(&o, NULL, &r))
			goto out;
		keep_best(&rep, &r);
		if (i == o.runs - 1)
			break; /* the first store pass counts as one */
		if (store_new(o.max_packets, &st))
			goto out;
		if (run_replay(&o, st, &r)) {
			store_free(st);
			goto out;
		}
		store_free(st);
		keep_best(&full, &r);
	}
	peak = peak_rss();
	/* After the peak: its copy of the addresses is no part of it. */
	for (int i = 0; i < o.runs; i++) {
		if (run_lifetimes(&o, &r))
			goto out;
		keep_best(&life, &r);
	}

	printf("%-34s %10s %10s %10s %12s %8s\n", "path", "events",
	       "wall ms", "cpu ms", "events/s", "ns/ev");
	row("rec_next (read, check, decode)", &dec, "");
	row("replay_poll (+ copy, stacks)", &rep, "");
	row("replay_poll + store_add", &full,
	    per_s(&full) >= GOAL_EVENTS_PER_S ? ">= goal" : "< goal");
	row("  its first run (fresh memory)", &first,
	    per_s(&first) >= GOAL_EVENTS_PER_S ? ">= goal" : "< goal");
	row("lifetimes_gen (live: skb identity)", &life, "");
	printf("(events/s from this thread's CPU time, fastest of %d runs; "
	       "goal >= %.0f M events/s;\nthe file is read from the page "
	       "cache)\n\n", o.runs, GOAL_EVENTS_PER_S / 1e6);

	bpe = held ? (double)(rss1 - rss0) / held : 0;
	printf("Store memory: %zu packets kept, %lu events in them (%.2f per "
	       "packet)\n", kept, held, kept ? (double)held / kept : 0);
	printf("  RSS growth          %10.1f MB  %7.1f B/event  %s\n",
	       (rss1 - rss0) / 1048576.0, bpe,
	       bpe <= GOAL_BYTES_PER_EVENT ? "<= goal" : "> goal");
	printf("  malloc'd            %10.1f MB  %7.1f B/event\n",
	       (heap1 - heap0) / 1048576.0,
	       held ? (double)(heap1 - heap0) / held : 0);
	printf("  store_bytes()       %10.1f MB  %7.1f B/event\n",
	       bytes / 1048576.0, held ? (double)bytes / held : 0);
	printf("  peak RSS            %10.1f MB  (whole process)\n",
	       peak / 1048576.0);
	printf("(goal <= %.0f B per stored event)\n\n", GOAL_BYTES_PER_EVENT);

	bench("BENCH ingest_decode_events_per_s %.0f events/s\n", per_s(&dec));
	bench("BENCH ingest_replay_nostore_events_per_s %.0f events/s\n",
	      per_s(&rep));
	bench("BENCH ingest_replay_events_per_s %.0f events/s\n",
	      per_s(&full));
	bench("BENCH ingest_replay_first_events_per_s %.0f events/s\n",
	      per_s(&first));
	bench("BENCH ingest_replay_ns_per_event %.1f ns\n",
	      full.events ? (double)full.cpu / full.events : 0);
	bench("BENCH ingest_lifetimes_events_per_s %.0f events/s\n",
	      per_s(&life));
	bench("BENCH store_bytes_per_event %.1f B\n", bpe);
	bench("BENCH store_heap_bytes_per_event %.1f B\n",
	      held ? (double)(heap1 - heap0) / held : 0);
	bench("BENCH ingest_peak_rss_mb %.1f MB\n", peak / 1048576.0);
	bench_print();
	rc = 0;
out:
	if (!o.keep)
		unlink(o.path);
	return rc;
}
