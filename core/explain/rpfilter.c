// SPDX-License-Identifier: GPL-2.0
/*
 * Reverse-path filtering (IPv4 only; IPv6 has no rp_filter sysctl). The
 * kernel's check (fib_validate_source) looks up the route to the packet's
 * source as if sending to it; strict mode (1) wants that route to leave by
 * the device the packet came in on, loose mode (2) wants any route at all.
 * The mode in force is the larger of conf/all and conf/DEV.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/rtnetlink.h>
#include "core/explain/netns.h"
#include "core/explain/route.h"
#include "core/explain/rpfilter.h"

int rpfilter_applies(const struct explain_pkt *p)
{
	return p->family == AF_INET && p->ifindex;
}

static const char *mode_name(long v)
{
	return v == 1 ? "strict" : v == 2 ? "loose" : v == 0 ? "off" : "?";
}

/* conf/all and conf/DEV of one ipv4 setting: both, and their max (the
 * kernel's IN_DEV_MAXCONF). */
static int conf_max(const char *dev, const char *name, long *all, long *own)
{
	char path[128];
	int err;

	snprintf(path, sizeof(path), "net/ipv4/conf/all/%s", name);
	err = netns_sysctl(path, all);
	if (err)
		return err;
	snprintf(path, sizeof(path), "net/ipv4/conf/%s/%s", dev, name);
	return netns_sysctl(path, own);
}

int rpfilter_explain(const struct explain_pkt *p, struct explain *out,
		     char *msg, size_t msg_len)
{
	char dev[IF_NAMESIZE], src[INET6_ADDRSTRLEN], desc[160];
	long all, own, eff, vm_all = 0, vm_own = 0;
	struct route_answer r;
	struct route_query q = { .family = AF_INET, .dst = p->saddr };
	int err;

	if (!if_indextoname(p->ifindex, dev)) {
		snprintf(msg, msg_len, "device %u (%s) is gone from netns %s",
			 p->ifindex, p->ifname[0] ? p->ifname : "?",
			 p->netns_name);
		return -ENODEV;
	}
	err = conf_max(dev, "rp_filter", &all, &own);
	if (err) {
		snprintf(msg, msg_len, "cannot read rp_filter of %s: %s", dev,
			 strerror(-err));
		return err;
	}
	eff = all > own ? all : own;
	/* The mark takes part in the lookup only with src_valid_mark. */
	if (!conf_max(dev, "src_valid_mark", &vm_all, &vm_own) &&
	    (vm_all || vm_own))
		q.mark = p->mark;
	explain_addr(AF_INET, p->saddr, src, sizeof(src));
	err = route_get(&q, &r, msg, msg_len);
	if (err)
		return err;
	if (!r.err)
		route_describe(AF_INET, &r, desc, sizeof(desc));

	if (eff == 0)
		explain_set(out, EXPLAIN_RPFILTER,
			    "rp_filter is off on %s now (all=%ld, %s=%ld): "
			    "the setting that dropped the packet has changed",
			    dev, all, dev, own);
	else if (!r.err && r.type == RTN_LOCAL)
		explain_set(out, EXPLAIN_RPFILTER,
			    "rp_filter=%ld (%s) on %s: the source %s is an "
			    "address of this host (%s)",
			    eff, mode_name(eff), dev, src, desc);
	else if (r.err || r.type != RTN_UNICAST)
		explain_set(out, EXPLAIN_RPFILTER,
			    "rp_filter=%ld (%s) on %s: there is no route back "
			    "to %s (%s)",
			    eff, mode_name(eff), dev, src,
			    r.err ? strerror(-r.err) : desc);
	else if (eff == 1 && r.oif != p->ifindex)
		explain_set(out, EXPLAIN_RPFILTER,
			    "rp_filter=%ld (strict) on %s: the route back to "
			    "%s leaves by %s, not %s",
			    eff, dev, src, r.oif ? r.dev : "no device", dev);
	else
		explain_set(out, EXPLAIN_RPFILTER,
			    "rp_filter=%ld (%s) on %s: the route back to %s "
			    "(%s) passes the check now: the routes may have "
			    "changed since",
			    eff, mode_name(eff), dev, src, desc);

	explain_add(out, "netns", "%s", p->netns_name);
	explain_add(out, "dev", "%s", dev);
	explain_add(out, "rp_filter", "%ld", eff);
	explain_add(out, "rp_filter_all", "%ld", all);
	explain_add(out, "rp_filter_dev", "%ld", own);
	explain_add(out, "src", "%s", src);
	if (r.err)
		explain_add(out, "route_back", "none (%s)", strerror(-r.err));
	else
		explain_add(out, "route_back", "%s", desc);
	if (!r.err && r.oif)
		explain_add(out, "back_dev", "%s", r.dev);
	return 0;
}
