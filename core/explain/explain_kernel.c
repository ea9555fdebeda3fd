// SPDX-License-Identifier: GPL-2.0
/*
 * The explain sources for drop reasons, in one table, and the entry point
 * that picks one by reason, runs it in the packet's netns and caches the
 * answer. A source is an entry { reasons, key, applies, explain }: a new
 * kind of explanation is a new entry and a new file, not another case in a
 * switch.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include "core/dropreason_text.h"
#include "core/lib/clock.h"
#include "core/explain/explain_kernel.h"
#include "core/explain/netns.h"
#include "core/explain/queue.h"
#include "core/explain/route.h"
#include "core/explain/rpfilter.h"
#include "core/explain/sockdiag.h"

/*
 * The cache: a flood of identical drops (a UDP flood at a closed port, a
 * full socket) must cost one round of netlink questions, not thousands,
 * and the explorer must not stall on it. Answers are kept per (netns,
 * source, the packet fields the source's answer depends on) for a second:
 * long enough to absorb a burst, short enough that a changed route or a
 * new listener shows on the next drop after it. Failures are kept too, so
 * a netns that is gone is looked for once a second, not once a packet.
 */
#define EK_CACHE 64
#define EK_TTL_NS 1000000000LL
#define EK_REASON 48

/* Which packet fields an answer depends on, beyond netns, source, reason,
 * family and protocol. */
enum ek_key_bits {
	K_DST = 1 << 0,
	K_DPORT = 1 << 1,
	K_SRC = 1 << 2,
	K_SPORT = 1 << 3,
	K_IIF = 1 << 4,
	K_MARK = 1 << 5,
	/* K_SRC and K_SPORT for TCP only: a UDP socket's buffer is shared
	 * by all its senders, a TCP connection's is its own. */
	K_PEER_TCP = 1 << 6,
};

struct source {
	const char *name;
	const char *const *reasons; /* NULL-terminated */
	unsigned key;               /* enum ek_key_bits */
	int (*applies)(const struct explain_pkt *p);
	int (*explain)(const struct explain_pkt *p, struct explain *out,
		       char *msg, size_t msg_len);
};

static const char *const no_socket_reasons[] = { "NO_SOCKET", NULL };
/* IP_INNOROUTES and IP_INADDRERRORS come from ip_error() on input, after a
 * failed lookup; IP_OUTNOROUTES from the output path; BLACKHOLE (net-next)
 * from a blackhole route on either. */
static const char *const route_reasons[] = {
	"IP_OUTNOROUTES", "IP_INNOROUTES", "IP_INADDRERRORS", "BLACKHOLE", NULL,
};
static const char *const rpfilter_reasons[] = { "IP_RPFILTER", NULL };
/* The socket's own buffer decided these; PROTO_MEM is the protocol's
 * global limit and is left to its sentence. */
static const char *const socket_queue_reasons[] = {
	"SOCKET_RCVBUFF", "SOCKET_BACKLOG",      "TCP_LISTEN_OVERFLOW",
	"TCP_ZEROWINDOW", "TCP_OFO_QUEUE_PRUNE", NULL,
};
static const char *const qdisc_reasons[] = {
	"QDISC_DROP",    "QDISC_OVERLIMIT",   "QDISC_CONGESTED",
	"CAKE_FLOOD",    "FQ_BAND_LIMIT",     "FQ_HORIZON_LIMIT",
	"FQ_FLOW_LIMIT", "DUALPI2_STEP_DROP", NULL,
};

static const struct source sources[] = {
	{ "no-socket", no_socket_reasons, K_DST | K_DPORT | K_IIF,
	  sockdiag_applies, sockdiag_explain },
	{ "route", route_reasons, K_DST | K_SRC | K_IIF | K_MARK, route_applies,
	  route_explain },
	{ "rp-filter", rpfilter_reasons, K_SRC | K_IIF | K_MARK,
	  rpfilter_applies, rpfilter_explain },
	{ "socket-queue", socket_queue_reasons,
	  K_DST | K_DPORT | K_IIF | K_PEER_TCP, queue_socket_applies,
	  queue_socket_explain },
	{ "qdisc", qdisc_reasons, K_IIF, queue_qdisc_applies,
	  queue_qdisc_explain },
};

#define NSOURCES (sizeof(sources) / sizeof(sources[0]))

/* Compared with memcmp: always built from a zeroed struct. */
struct ek_key {
	__u32 netns;
	__u32 source;
	char reason[EK_REASON];
	int family;
	__u8 proto;
	__u8 saddr[16], daddr[16];
	__u16 sport, dport;
	__u32 ifindex;
	__u32 mark;
};

struct ek_entry {
	struct ek_key key;
	long long at; /* mono_ns() of the answer, 0 for unused */
	int ret;
	struct explain answer;
};

struct explain_kernel {
	struct netns_finder *nf;
	struct ek_entry cache[EK_CACHE];
	__u64 asked, cached;
};

int explain_kernel_new(struct explain_kernel **out)
{
	struct explain_kernel *ek = calloc(1, sizeof(*ek));

	if (!ek)
		return -ENOMEM;
	if (netns_finder_new(&ek->nf)) {
		free(ek);
		return -ENOMEM;
	}
	*out = ek;
	return 0;
}

void explain_kernel_free(struct explain_kernel *ek)
{
	if (!ek)
		return;
	netns_finder_free(ek->nf);
	free(ek);
}

void explain_kernel_stats(const struct explain_kernel *ek, __u64 *asked,
			  __u64 *cached)
{
	*asked = ek->asked;
	*cached = ek->cached;
}

const char *explain_addr(int family, const __u8 *addr, char *buf, size_t len)
{
	if (!inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, addr, buf, len))
		snprintf(buf, len, "?");
	return buf;
}

const char *explain_endpoint(int family, const __u8 *addr, __u16 port,
			     char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	explain_addr(family, addr, a, sizeof(a));
	snprintf(buf, len, family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, port);
	return buf;
}

const char *explain_proto(__u8 proto, char *buf, size_t len)
{
	static const char *const names[] = {
		[IPPROTO_TCP] = "tcp",
		[IPPROTO_UDP] = "udp",
		[IPPROTO_ICMP] = "icmp",
		[IPPROTO_ICMPV6] = "icmpv6",
	};

	if (proto < sizeof(names) / sizeof(names[0]) && names[proto])
		snprintf(buf, len, "%s", names[proto]);
	else
		snprintf(buf, len, "proto %u", proto);
	return buf;
}

/* Addresses and ports from the captured headers, for events whose tuple
 * the tracer could not read. Only what the sources need: IPv4 (first
 * fragment), IPv6 without extension headers, TCP and UDP ports. */
static void tuple_from_headers(struct explain_pkt *p, const __u8 *h, size_t n,
			       int l2)
{
	size_t off = 0, l4;
	__u16 type;

	if (l2) {
		if (n < 14)
			return;
		type = h[12] << 8 | h[13];
		off = 14;
		/* One 802.1Q tag. */
		if (type == ETH_P_8021Q && n >= 18) {
			type = h[16] << 8 | h[17];
			off = 18;
		}
		if (type != ETH_P_IP && type != ETH_P_IPV6)
			return;
	}
	h += off;
	n -= off;
	if (n >= 20 && h[0] >> 4 == 4) {
		p->family = AF_INET;
		p->proto = h[9];
		memcpy(p->saddr, h + 12, 4);
		memcpy(p->daddr, h + 16, 4);
		l4 = (h[0] & 0xf) * 4;
		if ((h[6] << 8 | h[7]) & 0x1fff)
			return;
	} else if (n >= 40 && h[0] >> 4 == 6) {
		p->family = AF_INET6;
		p->proto = h[6];
		memcpy(p->saddr, h + 8, 16);
		memcpy(p->daddr, h + 24, 16);
		l4 = 40;
	} else {
		return;
	}
	if ((p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP) &&
	    n >= l4 + 4) {
		p->sport = h[l4] << 8 | h[l4 + 1];
		p->dport = h[l4 + 2] << 8 | h[l4 + 3];
		p->has_ports = 1;
	}
}

static void pkt_from_event(struct explain_pkt *p, const struct skbs_event *ev,
			   const char *reason, const __u8 *hdr, size_t hdr_len)
{
	memset(p, 0, sizeof(*p));
	p->netns = ev->netns;
	p->reason = reason;
	p->ifindex = ev->ifindex;
	p->mark = ev->mark;
	memcpy(p->ifname, ev->ifname, sizeof(p->ifname));
	p->ifname[sizeof(p->ifname) - 1] = '\0';
	if (ev->flags & SKBS_EV_TUPLE) {
		if (ev->l3_proto == ETH_P_IP)
			p->family = AF_INET;
		else if (ev->l3_proto == ETH_P_IPV6)
			p->family = AF_INET6;
		p->proto = ev->l4_proto;
		memcpy(p->saddr, ev->saddr, 16);
		memcpy(p->daddr, ev->daddr, 16);
		p->sport = ev->sport;
		p->dport = ev->dport;
		p->has_ports = p->proto == IPPROTO_TCP ||
			       p->proto == IPPROTO_UDP;
	}
	if (!p->family && hdr && hdr_len)
		tuple_from_headers(p, hdr, hdr_len,
				   !!(ev->flags & SKBS_EV_HDR_L2));
}

static int lists(const char *const *names, const char *name)
{
	for (; *names; names++)
		if (!strcmp(*names, name))
			return 1;
	return 0;
}

static void make_key(struct ek_key *k, const struct explain_pkt *p,
		     unsigned src)
{
	unsigned bits = sources[src].key;
	int peer = (bits & K_PEER_TCP) && p->proto == IPPROTO_TCP;

	memset(k, 0, sizeof(*k));
	k->netns = p->netns;
	k->source = src;
	snprintf(k->reason, sizeof(k->reason), "%s", p->reason);
	k->family = p->family;
	k->proto = p->proto;
	if (bits & K_DST)
		memcpy(k->daddr, p->daddr, 16);
	if (bits & K_DPORT)
		k->dport = p->dport;
	if ((bits & K_SRC) || peer)
		memcpy(k->saddr, p->saddr, 16);
	if ((bits & K_SPORT) || peer)
		k->sport = p->sport;
	if (bits & K_IIF)
		k->ifindex = p->ifindex;
	if (bits & K_MARK)
		k->mark = p->mark;
}

/* A fresh answer for k, or NULL; the slot to fill otherwise (an expired
 * one with the same key, else the oldest) goes to *slot. */
static struct ek_entry *cache_find(struct explain_kernel *ek,
				   const struct ek_key *k, long long now,
				   struct ek_entry **slot)
{
	struct ek_entry *oldest = &ek->cache[0];

	for (unsigned i = 0; i < EK_CACHE; i++) {
		struct ek_entry *e = &ek->cache[i];

		if (e->at && !memcmp(&e->key, k, sizeof(*k))) {
			if (now - e->at < EK_TTL_NS)
				return e;
			*slot = e;
			return NULL;
		}
		if (e->at < oldest->at)
			oldest = e;
	}
	*slot = oldest;
	return NULL;
}

struct run_ctx {
	struct netns_finder *nf;
	const struct source *src;
	struct explain_pkt *p;
	struct explain *out;
	char msg[EXPLAIN_VAL];
};

/* Runs inside the packet's netns. The label is looked up here, where
 * netns_run has just found (and remembered) the netns, so a netns that is
 * gone costs one search, not two. */
static int run_source(void *arg)
{
	struct run_ctx *c = arg;

	netns_label(c->nf, c->p->netns, c->p->netns_name,
		    sizeof(c->p->netns_name));
	return c->src->explain(c->p, c->out, c->msg, sizeof(c->msg));
}

/* The reason's sentence, and why nothing more is known. */
static void fallback(struct explain *out, const char *reason, const char *why)
{
	char buf[EXPLAIN_TEXT];
	const char *s = dropreason_sentence(reason, buf, sizeof(buf));

	memset(out, 0, sizeof(*out));
	if (why && *why)
		explain_set(out, EXPLAIN_REASON, "%s [%s]", s, why);
	else
		explain_set(out, EXPLAIN_REASON, "%s", s);
	if (reason && *reason)
		explain_add(out, "reason", "%s", reason);
	if (why && *why)
		explain_add(out, "unexplained", "%s", why);
}

int explain_kernel(struct explain_kernel *ek, const struct skbs_event *ev,
		   const char *reason_name, const __u8 *hdr, size_t hdr_len,
		   struct explain *out)
{
	const char *reason = reason_name ? reason_name : "";
	struct run_ctx c = { .out = out };
	struct ek_entry *hit, *slot = NULL;
	struct explain_pkt p;
	const struct source *src = NULL;
	int listed = 0, ret, err;
	struct ek_key key;
	long long now;

	pkt_from_event(&p, ev, reason, hdr, hdr_len);
	for (unsigned i = 0; i < NSOURCES && !src; i++) {
		if (!lists(sources[i].reasons, reason))
			continue;
		listed = 1;
		if (sources[i].applies(&p))
			src = &sources[i];
	}
	if (!src) {
		fallback(out, reason,
			 listed ? "the packet's addresses, ports or device "
				  "were not captured, so the kernel was not "
				  "asked" :
				  NULL);
		return -EOPNOTSUPP;
	}
	if (!p.netns) {
		fallback(out, reason, "the packet's netns is not known");
		return -ENOENT;
	}

	make_key(&key, &p, src - sources);
	now = mono_ns();
	hit = cache_find(ek, &key, now, &slot);
	if (hit) {
		ek->cached++;
		*out = hit->answer;
		return hit->ret;
	}

	ek->asked++;
	c.nf = ek->nf;
	c.src = src;
	c.p = &p;
	memset(out, 0, sizeof(*out));
	err = netns_run(ek->nf, p.netns, run_source, &c, &ret, c.msg,
			sizeof(c.msg));
	if (!err)
		err = ret;
	if (err) {
		if (!c.msg[0])
			snprintf(c.msg, sizeof(c.msg), "%s: %s", src->name,
				 strerror(-err));
		fallback(out, reason, c.msg);
	}
	slot->key = key;
	slot->at = now;
	slot->ret = err;
	slot->answer = *out;
	return err;
}
