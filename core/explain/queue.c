// SPDX-License-Identifier: GPL-2.0
/*
 * Socket and qdisc queues. A socket's numbers come from sock_diag's
 * INET_DIAG_SKMEMINFO (the skmem:(r..,rb..,d..) of `ss -m`); a qdisc's from
 * RTM_GETQDISC (TCA_KIND, TCA_OPTIONS and TCA_STATS2, as `tc -s qdisc`
 * shows them). Both are counters since the socket or qdisc was made, not
 * for this one packet.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/gen_stats.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include "core/explain/nlask.h"
#include "core/explain/queue.h"
#include "core/explain/route.h"
#include "core/explain/sockdiag.h"

#define QDISC_BUF 32768
#define QDISC_KIND 16

/* Reasons about a listener's accept queue rather than a receive buffer. */
static int is_listen_reason(const char *r)
{
	return r && !strcmp(r, "TCP_LISTEN_OVERFLOW");
}

int queue_socket_applies(const struct explain_pkt *p)
{
	return p->family && p->has_ports &&
	       (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP);
}

static __u32 socket_states(const struct explain_pkt *p)
{
	if (p->proto == IPPROTO_UDP)
		return (1u << TCP_CLOSE) | (1u << TCP_ESTABLISHED);
	if (is_listen_reason(p->reason))
		return 1u << TCP_LISTEN;
	/* Full sockets only: TIME_WAIT and SYN_RECV minisocks have no
	 * buffers to be full. */
	return ~((1u << TCP_TIME_WAIT) | (1u << TCP_SYN_RECV) |
		 (1u << TCP_CLOSE));
}

static int same_addr(int family, const __u8 *sock, int sfamily,
		     const __u8 *addr)
{
	static const __u8 mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (family == sfamily)
		return !memcmp(sock, addr, family == AF_INET6 ? 16 : 4);
	return family == AF_INET && sfamily == AF_INET6 &&
	       !memcmp(sock, mapped, 12) && !memcmp(sock + 12, addr, 4);
}

/* How well s is the socket the packet was for: 3 for its connection
 * (both ends), 2 or 1 for a socket bound to its address or a wildcard
 * (sockdiag_accepts), 0 for none. */
static int score(const struct sockdiag_sock *s, const struct explain_pkt *p)
{
	int a;

	if (s->lport != p->dport)
		return 0;
	if (s->rport) {
		/* Connected: only the peer's packets come here. */
		return s->rport == p->sport &&
				       same_addr(p->family, s->raddr, s->family,
						 p->saddr) &&
				       same_addr(p->family, s->laddr, s->family,
						 p->daddr) ?
			       3 :
			       0;
	}
	a = sockdiag_accepts(s, p->family, p->daddr, p->dport, p->ifindex);
	return a;
}

int queue_socket_explain(const struct explain_pkt *p, struct explain *out,
			 char *msg, size_t msg_len)
{
	struct sockdiag_sock *v = NULL, *v6 = NULL, best = {};
	char proto[16], ep[64], own[64], want[64];
	size_t n = 0, n6 = 0;
	int err, top = 0;
	const __u32 *m;

	err = sockdiag_list(p->family, p->proto, socket_states(p), &v, &n, msg,
			    msg_len);
	if (err)
		return err;
	/* A dual-stack IPv6 socket takes IPv4 packets too; no IPv6 in the
	 * netns is no error. */
	if (p->family == AF_INET &&
	    sockdiag_list(AF_INET6, p->proto, socket_states(p), &v6, &n6, msg,
			  msg_len))
		msg[0] = '\0';
	for (size_t i = 0; i < n + n6; i++) {
		struct sockdiag_sock *s = i < n ? &v[i] : &v6[i - n];
		int sc = score(s, p);

		/* Among equals (SO_REUSEPORT), the one that dropped the
		 * most is the likeliest. */
		if (sc > top ||
		    (sc && sc == top &&
		     s->mem[SK_MEMINFO_DROPS] > best.mem[SK_MEMINFO_DROPS])) {
			top = sc;
			best = *s;
		}
	}
	free(v);
	free(v6);
	explain_proto(p->proto, proto, sizeof(proto));
	if (!top) {
		snprintf(msg, msg_len,
			 "no %s socket for %s in netns %s any more", proto,
			 explain_endpoint(p->family, p->daddr, p->dport, want,
					  sizeof(want)),
			 p->netns_name);
		return -ENOENT;
	}
	sockdiag_owners(&best, 1);
	sockdiag_local(&best, ep, sizeof(ep));
	sockdiag_owner_text(&best, own, sizeof(own));
	m = best.mem;
	if (is_listen_reason(p->reason))
		explain_set(out, EXPLAIN_QUEUE,
			    "%s %s in netns %s, %s: accept queue %u of a "
			    "backlog of %u; the application does not accept() "
			    "fast enough",
			    proto, ep, p->netns_name, own, best.rqueue,
			    best.wqueue);
	else if (!best.has_mem)
		explain_set(out, EXPLAIN_QUEUE,
			    "%s %s in netns %s, %s: the kernel gave no memory "
			    "counters for it",
			    proto, ep, p->netns_name, own);
	else if (p->reason && !strcmp(p->reason, "SOCKET_BACKLOG"))
		explain_set(out, EXPLAIN_QUEUE,
			    "%s %s in netns %s, %s: backlog %u bytes, receive "
			    "buffer %u bytes (SO_RCVBUF) with %u in use now, "
			    "%u drops so far",
			    proto, ep, p->netns_name, own,
			    m[SK_MEMINFO_BACKLOG], m[SK_MEMINFO_RCVBUF],
			    m[SK_MEMINFO_RMEM_ALLOC], m[SK_MEMINFO_DROPS]);
	else
		explain_set(out, EXPLAIN_QUEUE,
			    "%s %s in netns %s, %s: receive buffer %u bytes "
			    "(SO_RCVBUF), %u in use now, %u drops so far",
			    proto, ep, p->netns_name, own, m[SK_MEMINFO_RCVBUF],
			    m[SK_MEMINFO_RMEM_ALLOC], m[SK_MEMINFO_DROPS]);
	explain_add(out, "netns", "%s", p->netns_name);
	explain_add(out, "socket", "%s %s", proto, ep);
	explain_add(out, "owner", "%s", own);
	if (is_listen_reason(p->reason)) {
		explain_add(out, "accept_queue", "%u", best.rqueue);
		explain_add(out, "backlog_limit", "%u", best.wqueue);
	} else if (best.has_mem) {
		explain_add(out, "rcvbuf", "%u", m[SK_MEMINFO_RCVBUF]);
		explain_add(out, "rmem_alloc", "%u", m[SK_MEMINFO_RMEM_ALLOC]);
		explain_add(out, "backlog", "%u", m[SK_MEMINFO_BACKLOG]);
		explain_add(out, "drops", "%u", m[SK_MEMINFO_DROPS]);
	}
	return 0;
}

int queue_qdisc_applies(const struct explain_pkt *p)
{
	return p->ifindex != 0;
}

struct qdisc {
	char kind[QDISC_KIND];
	__u32 handle, parent;
	long long limit;  /* -1 when not known */
	const char *unit; /* "packets" or "bytes" */
	struct gnet_stats_queue q;
};

struct qdisc_ctx {
	__u32 ifindex;
	struct qdisc best;
	int found;
};

static int tca_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_type_valid(a, TCA_MAX) > 0)
		tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

static int stats_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_type_valid(a, TCA_STATS_MAX) > 0)
		tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

/* One attribute of a nest, by type. */
struct opt_find {
	unsigned type;
	const struct nlattr *a;
};

static int opt_cb(const struct nlattr *a, void *data)
{
	struct opt_find *f = data;

	if (mnl_attr_get_type(a) == f->type)
		f->a = a;
	return MNL_CB_OK;
}

static const struct nlattr *nested(const struct nlattr *opts, unsigned type,
				   size_t min_len)
{
	struct opt_find f = { .type = type };

	mnl_attr_parse_nested(opts, opt_cb, &f);
	return f.a && mnl_attr_get_payload_len(f.a) >= min_len ? f.a : NULL;
}

static long long nested_u32(const struct nlattr *opts, unsigned type)
{
	const struct nlattr *a = nested(opts, type, 4);

	return a ? (long long)mnl_attr_get_u32(a) : -1;
}

/* The qdisc's limit, for the kinds that have one simply stated. */
static void qdisc_limit(struct qdisc *d, const struct nlattr *opts)
{
	d->limit = -1;
	d->unit = "packets";
	if (!opts)
		return;
	if (!strcmp(d->kind, "pfifo") || !strcmp(d->kind, "bfifo") ||
	    !strcmp(d->kind, "pfifo_head_drop")) {
		if (mnl_attr_get_payload_len(opts) >=
		    sizeof(struct tc_fifo_qopt)) {
			const struct tc_fifo_qopt *o =
				mnl_attr_get_payload(opts);

			d->limit = o->limit;
		}
		if (!strcmp(d->kind, "bfifo"))
			d->unit = "bytes";
	} else if (!strcmp(d->kind, "fq_codel")) {
		d->limit = nested_u32(opts, TCA_FQ_CODEL_LIMIT);
	} else if (!strcmp(d->kind, "fq")) {
		d->limit = nested_u32(opts, TCA_FQ_PLIMIT);
	} else if (!strcmp(d->kind, "codel")) {
		d->limit = nested_u32(opts, TCA_CODEL_LIMIT);
	} else if (!strcmp(d->kind, "tbf")) {
		const struct nlattr *a = nested(opts, TCA_TBF_PARMS,
						sizeof(struct tc_tbf_qopt));

		if (a)
			d->limit = ((const struct tc_tbf_qopt *)
					    mnl_attr_get_payload(a))
					   ->limit;
		d->unit = "bytes";
	}
}

/* Container qdiscs (mq and friends) sum their children's counters: a
 * child, where the packets really queue, says more. */
static int is_container(const char *kind)
{
	return !strcmp(kind, "mq") || !strcmp(kind, "mqprio") ||
	       !strcmp(kind, "multiq");
}

/* The qdisc that most likely dropped: the one with the most drops; a
 * classful parent (htb) counts its child's drops as its own too, so among
 * equals the one with a limit to name (the leaf) wins, then the root. */
static int better(const struct qdisc *a, const struct qdisc *b)
{
	if (is_container(a->kind) != is_container(b->kind))
		return !is_container(a->kind);
	if (a->q.drops != b->q.drops)
		return a->q.drops > b->q.drops;
	if ((a->limit >= 0) != (b->limit >= 0))
		return a->limit >= 0;
	return a->parent == TC_H_ROOT && b->parent != TC_H_ROOT;
}

static int qdisc_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[TCA_MAX + 1] = {};
	const struct nlattr *st[TCA_STATS_MAX + 1] = {};
	struct qdisc_ctx *c = data;
	const struct tcmsg *t;
	struct qdisc d = {};

	if (nlh->nlmsg_type != RTM_NEWQDISC ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*t)))
		return MNL_CB_OK;
	t = mnl_nlmsg_get_payload(nlh);
	if ((__u32)t->tcm_ifindex != c->ifindex)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*t), tca_cb, tb);
	if (!tb[TCA_KIND])
		return MNL_CB_OK;
	snprintf(d.kind, sizeof(d.kind), "%s", mnl_attr_get_str(tb[TCA_KIND]));
	d.handle = t->tcm_handle;
	d.parent = t->tcm_parent;
	qdisc_limit(&d, tb[TCA_OPTIONS]);
	if (tb[TCA_STATS2]) {
		mnl_attr_parse_nested(tb[TCA_STATS2], stats_cb, st);
		if (st[TCA_STATS_QUEUE] &&
		    mnl_attr_get_payload_len(st[TCA_STATS_QUEUE]) >=
			    sizeof(d.q))
			memcpy(&d.q, mnl_attr_get_payload(st[TCA_STATS_QUEUE]),
			       sizeof(d.q));
	} else if (tb[TCA_STATS] && mnl_attr_get_payload_len(tb[TCA_STATS]) >=
					    sizeof(struct tc_stats)) {
		const struct tc_stats *s = mnl_attr_get_payload(tb[TCA_STATS]);

		d.q.drops = s->drops;
		d.q.qlen = s->qlen;
		d.q.backlog = s->backlog;
		d.q.overlimits = s->overlimits;
	}
	if (!c->found || better(&d, &c->best)) {
		c->best = d;
		c->found = 1;
	}
	return MNL_CB_OK;
}

/* pfifo_fast and its like hold up to the device's txqueuelen packets. */
static long long txqueuelen(const char *dev)
{
	struct ifreq ifr = {};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	long long v = -1;

	if (fd < 0)
		return -1;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	if (!ioctl(fd, SIOCGIFTXQLEN, &ifr))
		v = ifr.ifr_qlen;
	close(fd);
	return v;
}

static const char *handle_text(__u32 h, char *buf, size_t len)
{
	if (h == TC_H_ROOT)
		snprintf(buf, len, "root");
	else if (TC_H_MIN(h))
		snprintf(buf, len, "%x:%x", TC_H_MAJ(h) >> 16, TC_H_MIN(h));
	else
		snprintf(buf, len, "%x:", TC_H_MAJ(h) >> 16);
	return buf;
}

int queue_qdisc_explain(const struct explain_pkt *p, struct explain *out,
			char *msg, size_t msg_len)
{
	struct qdisc_ctx c = { .ifindex = p->ifindex };
	char dev[IF_NAMESIZE], h[24], par[24], lim[48];
	struct nlmsghdr *nlh;
	struct tcmsg *t;
	struct qdisc *d = &c.best;
	int kerr, err;
	char *buf;

	if (!if_indextoname(p->ifindex, dev)) {
		snprintf(msg, msg_len, "device %u (%s) is gone from netns %s",
			 p->ifindex, p->ifname[0] ? p->ifname : "?",
			 p->netns_name);
		return -ENODEV;
	}
	buf = malloc(QDISC_BUF);
	if (!buf)
		return -ENOMEM;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETQDISC;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = time(NULL);
	t = mnl_nlmsg_put_extra_header(nlh, sizeof(*t));
	t->tcm_family = AF_UNSPEC;
	/* Without strict checking the kernel dumps every device's qdiscs
	 * whatever tcm_ifindex says; qdisc_cb keeps this device's. */
	t->tcm_ifindex = p->ifindex;
	err = nl_ask(NETLINK_ROUTE, "rtnetlink", nlh, buf, QDISC_BUF, qdisc_cb,
		     &c, &kerr, msg, msg_len);
	free(buf);
	if (!err && kerr) {
		snprintf(msg, msg_len, "qdisc dump: %s", strerror(-kerr));
		err = kerr;
	}
	if (err)
		return err;
	if (!c.found) {
		snprintf(msg, msg_len, "%s in netns %s has no qdisc now", dev,
			 p->netns_name);
		return -ENOENT;
	}
	if (d->limit < 0 &&
	    (!strcmp(d->kind, "pfifo_fast") || !strcmp(d->kind, "prio")))
		d->limit = txqueuelen(dev);
	if (d->limit >= 0)
		snprintf(lim, sizeof(lim), "limit %lld %s", d->limit, d->unit);
	else
		snprintf(lim, sizeof(lim), "limit not known");
	handle_text(d->handle, h, sizeof(h));
	handle_text(d->parent, par, sizeof(par));
	if (!strcmp(d->kind, "noqueue"))
		explain_set(out, EXPLAIN_QUEUE,
			    "qdisc noqueue on %s in netns %s: no queue now, "
			    "packets go straight to the device, so the qdisc "
			    "that dropped is gone",
			    dev, p->netns_name);
	else
		explain_set(
			out, EXPLAIN_QUEUE,
			"qdisc %s %s (parent %s) on %s in netns %s: %s, %u dropped "
			"so far, %u queued now",
			d->kind, h, par, dev, p->netns_name, lim, d->q.drops,
			d->q.qlen);
	explain_add(out, "netns", "%s", p->netns_name);
	explain_add(out, "dev", "%s", dev);
	explain_add(out, "qdisc", "%s", d->kind);
	explain_add(out, "handle", "%s", h);
	explain_add(out, "parent", "%s", par);
	if (d->limit >= 0)
		explain_add(out, "limit", "%lld", d->limit);
	explain_add(out, "drops", "%u", d->q.drops);
	explain_add(out, "qlen", "%u", d->q.qlen);
	explain_add(out, "backlog", "%u", d->q.backlog);
	explain_add(out, "overlimits", "%u", d->q.overlimits);
	return 0;
}
