// SPDX-License-Identifier: GPL-2.0
/*
 * Route lookups over rtnetlink and the route explanation. A lookup asks for
 * the FIB entry itself (RTM_F_FIB_MATCH) so the answer names the prefix and
 * table that decided, not a cached clone. The kernel answers a lookup that
 * hits a blackhole, unreachable or prohibit route with only an errno, so
 * those are named by a dump of every table afterwards.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include "core/explain/netns.h"
#include "core/explain/nlask.h"
#include "core/explain/route.h"

/* Route dumps of a full table come in many messages; 32 KiB, like ip. */
#define ROUTE_BUF 32768

static int alen(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

static int attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_type_valid(a, RTA_MAX) > 0)
		tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

/* An RTM_NEWROUTE message as an answer. */
static void parse_route(const struct nlmsghdr *nlh, struct route_answer *a)
{
	const struct nlattr *tb[RTA_MAX + 1] = {};
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	size_t n = alen(rtm->rtm_family);

	memset(a, 0, sizeof(*a));
	a->type = rtm->rtm_type;
	a->dst_len = rtm->rtm_dst_len;
	a->table = rtm->rtm_table;
	mnl_attr_parse(nlh, sizeof(*rtm), attr_cb, tb);
	if (tb[RTA_DST] && mnl_attr_get_payload_len(tb[RTA_DST]) >= n)
		memcpy(a->dst, mnl_attr_get_payload(tb[RTA_DST]), n);
	if (tb[RTA_GATEWAY] && mnl_attr_get_payload_len(tb[RTA_GATEWAY]) >= n) {
		memcpy(a->gw, mnl_attr_get_payload(tb[RTA_GATEWAY]), n);
		a->has_gw = 1;
	}
	if (tb[RTA_TABLE])
		a->table = mnl_attr_get_u32(tb[RTA_TABLE]);
	if (tb[RTA_OIF])
		a->oif = mnl_attr_get_u32(tb[RTA_OIF]);
	/* Multipath: the first nexthop stands for the route. */
	if (!a->oif && tb[RTA_MULTIPATH] &&
	    mnl_attr_get_payload_len(tb[RTA_MULTIPATH]) >=
		    sizeof(struct rtnexthop)) {
		const struct rtnexthop *nh =
			mnl_attr_get_payload(tb[RTA_MULTIPATH]);

		a->oif = nh->rtnh_ifindex;
	}
	if (a->oif && !if_indextoname(a->oif, a->dev))
		snprintf(a->dev, sizeof(a->dev), "if%u", a->oif);
}

struct get_ctx {
	struct route_answer *a;
	int got;
};

static int get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct get_ctx *c = data;

	if (nlh->nlmsg_type != RTM_NEWROUTE ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(struct rtmsg)))
		return MNL_CB_OK;
	parse_route(nlh, c->a);
	c->got = 1;
	return MNL_CB_STOP;
}

int route_get(const struct route_query *q, struct route_answer *a, char *msg,
	      size_t msg_len)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct get_ctx c = { .a = a };
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	int n = alen(q->family), kerr, err;

	memset(a, 0, sizeof(*a));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = time(NULL);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = q->family;
	rtm->rtm_dst_len = n * 8;
	rtm->rtm_src_len = q->src ? n * 8 : 0;
	/* The matching FIB entry (prefix, type) and its table id. */
	rtm->rtm_flags = RTM_F_FIB_MATCH | RTM_F_LOOKUP_TABLE;
	mnl_attr_put(nlh, RTA_DST, n, q->dst);
	if (q->src)
		mnl_attr_put(nlh, RTA_SRC, n, q->src);
	if (q->iif)
		mnl_attr_put_u32(nlh, RTA_IIF, q->iif);
	if (q->mark)
		mnl_attr_put_u32(nlh, RTA_MARK, q->mark);
	/* Policy rules may match on protocol and ports (ip rule ipproto,
	 * sport, dport; 4.17+). Older kernels ignore the attributes. */
	if (q->proto) {
		mnl_attr_put_u8(nlh, RTA_IP_PROTO, q->proto);
		if (q->sport)
			mnl_attr_put_u16(nlh, RTA_SPORT, htons(q->sport));
		if (q->dport)
			mnl_attr_put_u16(nlh, RTA_DPORT, htons(q->dport));
	}
	err = nl_ask(NETLINK_ROUTE, "rtnetlink", nlh, buf, sizeof(buf), get_cb,
		     &c, &kerr, msg, msg_len);
	if (err)
		return err;
	if (kerr)
		a->err = kerr;
	else if (!c.got)
		a->err = -ENODATA;
	return 0;
}

/* The longest prefix holding the address, among routes of the wanted
 * types, over every table: what names an error answer. */
struct find_ctx {
	int family;
	const __u8 *addr;
	__u32 types; /* 1 << RTN_* */
	struct route_answer best;
	int found;
};

static int prefix_holds(const __u8 *pfx, unsigned plen, const __u8 *addr)
{
	unsigned bytes = plen / 8, bits = plen % 8;

	if (memcmp(pfx, addr, bytes))
		return 0;
	if (!bits)
		return 1;
	return !((pfx[bytes] ^ addr[bytes]) & (0xff00 >> bits));
}

static int find_cb(const struct nlmsghdr *nlh, void *data)
{
	struct find_ctx *c = data;
	const struct rtmsg *rtm;
	struct route_answer a;

	if (nlh->nlmsg_type != RTM_NEWROUTE ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*rtm)))
		return MNL_CB_OK;
	rtm = mnl_nlmsg_get_payload(nlh);
	if (rtm->rtm_family != c->family || rtm->rtm_type >= 32 ||
	    !(c->types & (1u << rtm->rtm_type)) ||
	    (rtm->rtm_flags & RTM_F_CLONED))
		return MNL_CB_OK;
	parse_route(nlh, &a);
	if (a.dst_len > alen(c->family) * 8 ||
	    !prefix_holds(a.dst, a.dst_len, c->addr))
		return MNL_CB_OK;
	if (!c->found || a.dst_len > c->best.dst_len) {
		c->best = a;
		c->found = 1;
	}
	return MNL_CB_OK;
}

static int route_find(int family, const __u8 *addr, __u32 types,
		      struct route_answer *a, char *msg, size_t msg_len)
{
	struct find_ctx c = { .family = family, .addr = addr, .types = types };
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	int kerr, err;
	char *buf = malloc(ROUTE_BUF);

	if (!buf)
		return -ENOMEM;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = time(NULL);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	/* No table given and no strict checking: every table. */
	rtm->rtm_family = family;
	err = nl_ask(NETLINK_ROUTE, "rtnetlink", nlh, buf, ROUTE_BUF, find_cb,
		     &c, &kerr, msg, msg_len);
	free(buf);
	if (err)
		return err;
	if (kerr) {
		snprintf(msg, msg_len, "route dump: %s", strerror(-kerr));
		return kerr;
	}
	if (!c.found)
		return -ENOENT;
	*a = c.best;
	return 0;
}

static const char *const type_names[] = {
	[RTN_UNSPEC] = "none",
	[RTN_UNICAST] = "unicast",
	[RTN_LOCAL] = "local",
	[RTN_BROADCAST] = "broadcast",
	[RTN_ANYCAST] = "anycast",
	[RTN_MULTICAST] = "multicast",
	[RTN_BLACKHOLE] = "blackhole",
	[RTN_UNREACHABLE] = "unreachable",
	[RTN_PROHIBIT] = "prohibit",
	[RTN_THROW] = "throw",
	[RTN_NAT] = "nat",
	[RTN_XRESOLVE] = "xresolve",
};

static const char *type_name(__u8 t)
{
	return t < sizeof(type_names) / sizeof(type_names[0]) && type_names[t] ?
		       type_names[t] :
		       "type?";
}

static const char *table_name(__u32 t, char *buf, size_t len)
{
	switch (t) {
	case RT_TABLE_MAIN: return "main";
	case RT_TABLE_LOCAL: return "local";
	case RT_TABLE_DEFAULT: return "default";
	}
	snprintf(buf, len, "%u", t);
	return buf;
}

const char *route_describe(int family, const struct route_answer *a, char *buf,
			   size_t len)
{
	char pfx[INET6_ADDRSTRLEN + 8], gw[INET6_ADDRSTRLEN], tb[16];
	size_t off;

	if (!a->dst_len)
		snprintf(pfx, sizeof(pfx), "default");
	else if (a->dst_len == alen(family) * 8)
		explain_addr(family, a->dst, pfx, sizeof(pfx));
	else
		snprintf(pfx, sizeof(pfx), "%s/%u",
			 explain_addr(family, a->dst, gw, sizeof(gw)),
			 a->dst_len);
	off = snprintf(buf, len, "%s %s", type_name(a->type), pfx);
	if (a->has_gw && off < len)
		off += snprintf(buf + off, len - off, " via %s",
				explain_addr(family, a->gw, gw, sizeof(gw)));
	if (a->oif && off < len)
		off += snprintf(buf + off, len - off, " dev %s", a->dev);
	if (off < len)
		snprintf(buf + off, len - off, " (table %s)",
			 table_name(a->table, tb, sizeof(tb)));
	return buf;
}

/* What an error answer says about the route that matched, as the route
 * types that give it (net/ipv4/fib_semantics.c fib_props, IPv6's
 * ip6_route_info_create). ENETUNREACH is also "no route at all". */
static __u32 types_of(int err)
{
	switch (err) {
	case -EINVAL: return 1u << RTN_BLACKHOLE;
	case -EHOSTUNREACH: return 1u << RTN_UNREACHABLE;
	case -EACCES: return 1u << RTN_PROHIBIT;
	case -ENETUNREACH:
		return 1u << RTN_UNREACHABLE; /* IPv6 unreachable routes */
	}
	return 0;
}

/* What becomes of packets the route type takes. */
static const char *fate(__u8 type)
{
	switch (type) {
	case RTN_BLACKHOLE: return "packets to it are discarded";
	case RTN_UNREACHABLE: return "packets to it get host unreachable";
	case RTN_PROHIBIT:
		return "packets to it are administratively prohibited";
	case RTN_THROW: return "lookup in this table ends here";
	}
	return NULL;
}

static const char *in_reasons[] = {
	"IP_INNOROUTES",
	"IP_INADDRERRORS",
	"BLACKHOLE",
	NULL,
};

static int is_input(const struct explain_pkt *p)
{
	static const __u8 zero[16];

	if (!p->ifindex || !memcmp(p->saddr, zero, 16))
		return 0;
	for (int i = 0; in_reasons[i]; i++)
		if (p->reason && !strcmp(p->reason, in_reasons[i]))
			return 1;
	return 0;
}

int route_applies(const struct explain_pkt *p)
{
	return p->family == AF_INET || p->family == AF_INET6;
}

int route_explain(const struct explain_pkt *p, struct explain *out, char *msg,
		  size_t msg_len)
{
	char dst[INET6_ADDRSTRLEN], src[INET6_ADDRSTRLEN], dev[IF_NAMESIZE];
	char what[128], desc[160], sysctl[96];
	struct route_query q = {
		.family = p->family,
		.dst = p->daddr,
		.mark = p->mark,
		.proto = p->has_ports ? p->proto : 0,
		.sport = p->has_ports ? p->sport : 0,
		.dport = p->has_ports ? p->dport : 0,
	};
	struct route_answer a, r;
	int input = is_input(p), have = 0, fw_off = 0, lerr, err;
	long fw;

	explain_addr(p->family, p->daddr, dst, sizeof(dst));
	explain_addr(p->family, p->saddr, src, sizeof(src));
	if (!p->ifindex || !if_indextoname(p->ifindex, dev))
		snprintf(dev, sizeof(dev), "%s",
			 p->ifname[0] ? p->ifname : "?");
	if (input) {
		q.src = p->saddr;
		q.iif = p->ifindex;
		snprintf(what, sizeof(what), "%s from %s in on %s", dst, src,
			 dev);
	} else {
		snprintf(what, sizeof(what), "%s", dst);
	}
	err = route_get(&q, &a, msg, msg_len);
	if (err)
		return err;
	if (!a.err) {
		route_describe(p->family, &a, desc, sizeof(desc));
		explain_set(out, EXPLAIN_ROUTE,
			    "route lookup for %s in netns %s: %s; it succeeds "
			    "now, so the routes may have changed since",
			    what, p->netns_name, desc);
		r = a;
		have = 1;
		goto fields;
	}
	/* A received packet for another host is refused with EHOSTUNREACH
	 * whatever the route, when forwarding is off on its device. */
	if (input && a.err == -EHOSTUNREACH) {
		snprintf(sysctl, sizeof(sysctl), "net/%s/conf/%s/forwarding",
			 p->family == AF_INET6 ? "ipv6" : "ipv4", dev);
		fw_off = !netns_sysctl(sysctl, &fw) && fw == 0;
	}
	/* Name the route: an output lookup of the destination alone finds
	 * what a plain route to it is (and its errno the kind of route that
	 * refuses it), and a dump names the error routes the kernel answers
	 * only with an errno. */
	lerr = a.err;
	if (input) {
		struct route_query o = { .family = p->family,
					 .dst = p->daddr,
					 .mark = p->mark };

		if (!route_get(&o, &r, msg, msg_len)) {
			if (!r.err)
				have = 1;
			else
				lerr = r.err;
		}
	}
	if (!have) {
		__u32 types = types_of(lerr);

		have = types && !route_find(p->family, p->daddr, types, &r, msg,
					    msg_len);
	}
	msg[0] = '\0';
	if (have) {
		const char *f = fate(r.type);

		route_describe(p->family, &r, desc, sizeof(desc));
		explain_set(out, EXPLAIN_ROUTE,
			    "route lookup for %s in netns %s: %s%s%s%s", what,
			    p->netns_name, desc, f && !fw_off ? ": " : "",
			    f && !fw_off ? f : "",
			    fw_off ? "; forwarding is off on " : "");
	} else {
		explain_set(out, EXPLAIN_ROUTE,
			    "route lookup for %s in netns %s: no route "
			    "matches (%s)%s",
			    what, p->netns_name, strerror(-lerr),
			    fw_off ? "; forwarding is off on " : "");
	}
	if (fw_off) {
		size_t l = strlen(out->text);

		snprintf(out->text + l, sizeof(out->text) - l,
			 "%s, so it routes no packets for other hosts", dev);
	}
fields:
	explain_add(out, "netns", "%s", p->netns_name);
	explain_add(out, "lookup", "%s", input ? "input" : "output");
	explain_add(out, "dst", "%s", dst);
	if (input) {
		explain_add(out, "src", "%s", src);
		explain_add(out, "iif", "%s", dev);
	}
	if (a.err)
		explain_add(out, "error", "%s", strerror(-a.err));
	if (have) {
		char tb[16];

		explain_add(out, "route", "%s", desc);
		explain_add(out, "type", "%s", type_name(r.type));
		explain_add(out, "table", "%s",
			    table_name(r.table, tb, sizeof(tb)));
		if (r.oif)
			explain_add(out, "dev", "%s", r.dev);
	}
	if (fw_off)
		explain_add(out, "forwarding", "0");
	return 0;
}
