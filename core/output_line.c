// SPDX-License-Identifier: GPL-2.0
/* Formats events as pwru-style text lines. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/reasons.h"
#include "core/event.h"
#include "core/headers.h"
#include "core/hooks.h"
#include "core/ksyms.h"
#include "core/lib/u64map.h"
#include "core/nsnames.h"
#include "core/output_line.h"
#include "core/retval.h"

/* Longest cgroup path shown on a line. */
#define PATH_MAX_SHOWN 256
/* Skbs whose previous timestamp is remembered, at most. */
#define PREV_MAX (1 << 20)

struct line_out {
	struct line_opts o;
	const struct hooks *hooks;
	const struct reasons *reasons;
	const struct ksyms *ksyms;
	struct nsnames *names;
	/* For TS_RELATIVE: skb address -> its previous event's timestamp,
	 * forgotten when the skb's lifetime ends. */
	struct u64map *prev;
};

void line_meta_name(const struct line_out *lo, unsigned int i, char *buf,
		    size_t len)
{
	const char *p = lo->o.meta_names ? lo->o.meta_names : "";

	for (unsigned int k = 0; k < i && *p; k++) {
		p += strcspn(p, ",");
		if (*p)
			p++;
	}
	p += strspn(p, " \t");
	if (!*p || *p == ',') {
		snprintf(buf, len, "meta%u", i);
		return;
	}
	snprintf(buf, len, "%.*s", (int)strcspn(p, ", \t"), p);
}

int line_meta(const struct line_out *lo, const struct skbs_event *ev,
	      const char *tail, char *buf, size_t len)
{
	size_t n = 0;
	char name[SKBS_EXPR_TEXT];

	if (len)
		buf[0] = '\0';
	for (unsigned int i = 0; i < ev->nmeta; i++) {
		line_meta_name(lo, i, name, sizeof(name));
		n += (size_t)snprintf(
			buf + (n < len ? n : len), n < len ? len - n : 0,
			"%s%s=0x%llx", i ? " " : "", name,
			(unsigned long long)event_meta(ev, tail, i));
	}
	return (int)n;
}

int line_out_new(const struct line_opts *o, const struct hooks *hooks,
		 const struct reasons *reasons, struct line_out **out)
{
	struct line_out *lo = calloc(1, sizeof(*lo));

	if (!lo || u64map_new(0, &lo->prev)) {
		free(lo);
		return -ENOMEM;
	}
	lo->o = *o;
	lo->hooks = hooks;
	lo->reasons = reasons;
	*out = lo;
	return 0;
}

void line_out_free(struct line_out *lo)
{
	if (!lo)
		return;
	u64map_free(lo->prev);
	free(lo);
}

const struct line_opts *line_out_opts(const struct line_out *lo)
{
	return &lo->o;
}

void line_out_set_ksyms(struct line_out *lo, const struct ksyms *ks)
{
	lo->ksyms = ks;
}

void line_out_set_names(struct line_out *lo, struct nsnames *n)
{
	lo->names = n;
}

const char *line_netns(const struct line_out *lo, const struct skbs_event *ev,
		       char *buf, size_t len)
{
	const char *name = line_netns_name(lo, ev);

	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "%u", ev->netns);
	return buf;
}

const char *line_cgroup(const struct line_out *lo, const struct skbs_event *ev,
			char *buf, size_t len)
{
	const char *name;

	if (!(ev->flags2 & SKBS_EV2_CGROUP) || !ev->cgroup)
		return NULL;
	name = line_cgroup_name(lo, ev);
	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "%llu", (unsigned long long)ev->cgroup);
	return buf;
}

/* Returns ns since the skb's previous event (0 for its first) and records
 * this one; forgets the skb when its lifetime ends. */
static __u64 relative_ts(struct line_out *lo, const struct skbs_event *ev)
{
	__u64 *prev, d, ts;
	int added;

	if (ev->flags & SKBS_EV_FREE) {
		if (u64map_take(lo->prev, ev->skb, &ts))
			return 0;
		return ev->ts >= ts ? ev->ts - ts : 0;
	}
	prev = u64map_slot(lo->prev, ev->skb, &added);
	if (!prev)
		return 0; /* out of memory: as if it were the first */
	if (added) {
		/* Lifetimes whose end we never saw would pile up forever. */
		if (u64map_count(lo->prev) > PREV_MAX) {
			u64map_clear(lo->prev);
			prev = u64map_slot(lo->prev, ev->skb, NULL);
		}
		*prev = ev->ts;
		return 0;
	}
	d = ev->ts >= *prev ? ev->ts - *prev : 0;
	*prev = ev->ts;
	return d;
}

const char *line_proto_name(__u8 proto, char *buf, size_t len)
{
	switch (proto) {
	case 1: return "icmp";
	case 6: return "tcp";
	case 17: return "udp";
	case 58: return "icmp6";
	case 132: return "sctp";
	default: snprintf(buf, len, "%u", proto); return buf;
	}
}

/* ARP as tcpdump words it; the programs put the sender's address and
 * MAC in saddr, the target's in daddr and the opcode in sport. */
static int arp_tuple(const struct skbs_event *ev, char *buf, size_t len)
{
	char s[INET_ADDRSTRLEN], d[INET_ADDRSTRLEN];
	const __u8 *m = ev->saddr + 4;

	inet_ntop(AF_INET, ev->saddr, s, sizeof(s));
	inet_ntop(AF_INET, ev->daddr, d, sizeof(d));
	if (ev->sport == 1)
		return snprintf(buf, len, "arp who-has %s tell %s", d, s);
	if (ev->sport == 2)
		return snprintf(buf, len,
				"arp reply %s is-at "
				"%02x:%02x:%02x:%02x:%02x:%02x",
				s, m[0], m[1], m[2], m[3], m[4], m[5]);
	return snprintf(buf, len, "arp op %u %s->%s", ev->sport, s, d);
}

int line_tuple_flags(const struct skbs_event *ev, int tcp_flags, char *buf,
		     size_t len)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN], pn[8], fl[12] = "";
	int fam = event_family(ev);
	const char *p;

	if ((ev->flags & SKBS_EV_TUPLE) && ev->l3_proto == 0x0806)
		return arp_tuple(ev, buf, len);
	if (!fam) {
		const char *name = headers_ethertype(ev->l3_proto);

		/* IP without a tuple (no header yet at this hook) stays
		 * "", as does no protocol at all (netlink, ...). */
		if (!ev->l3_proto || ev->l3_proto == 0x0800 ||
		    ev->l3_proto == 0x86DD)
			return snprintf(buf, len, "%s", "");
		if (name)
			return snprintf(buf, len, "%s(0x%04x)", name,
					ev->l3_proto);
		return snprintf(buf, len, "ethertype 0x%04x", ev->l3_proto);
	}
	inet_ntop(fam == 4 ? AF_INET : AF_INET6, ev->saddr, s, sizeof(s));
	inet_ntop(fam == 4 ? AF_INET : AF_INET6, ev->daddr, d, sizeof(d));
	p = line_proto_name(ev->l4_proto, pn, sizeof(pn));
	if (tcp_flags && ev->l4_proto == 6 &&
	    (ev->flags2 & SKBS_EV2_TCP_FLAGS)) {
		fl[0] = '[';
		headers_tcp_flags(ev->tcp_flags, fl + 1, sizeof(fl) - 2);
		strcat(fl, "]");
	}
	if (ev->l4_proto == 6 || ev->l4_proto == 17) {
		if (fam == 6)
			return snprintf(buf, len, "[%s]:%u->[%s]:%u(%s)%s", s,
					ev->sport, d, ev->dport, p, fl);
		return snprintf(buf, len, "%s:%u->%s:%u(%s)%s", s, ev->sport, d,
				ev->dport, p, fl);
	}
	if (ev->l4_proto == 1 || ev->l4_proto == 58)
		return snprintf(buf, len, "%s->%s(%s %u/%u)", s, d, p,
				ev->sport, ev->dport);
	return snprintf(buf, len, "%s->%s(%s)", s, d, p);
}

int line_tuple(const struct skbs_event *ev, char *buf, size_t len)
{
	return line_tuple_flags(ev, 0, buf, len);
}

int line_tunnel(const struct skbs_event *ev, const __u8 *hdr, int tcp_flags,
		char *buf, size_t len)
{
	struct hdr_tunnel t;
	char in[128], id[24] = "";

	if (!hdr || !ev->hdr_len ||
	    !headers_tunnel(hdr, ev->hdr_len, !!(ev->flags & SKBS_EV_HDR_L2),
			    &t))
		return snprintf(buf, len, "%s", "");
	if (t.has_id)
		snprintf(id, sizeof(id), " %s %u",
			 !strcmp(t.kind, "gre") ? "key" : "vni", t.id);
	if (t.inner_ok)
		line_tuple_flags(&t.inner, tcp_flags, in, sizeof(in));
	else
		snprintf(in, sizeof(in), "(not captured: --snaplen)");
	return snprintf(buf, len, "%s%s inner %s", t.kind, id,
			in[0] ? in : "-");
}

static int line_drop(const struct line_out *lo, const struct skbs_event *ev,
		     char *buf, size_t len)
{
	char loc[160] = "";
	const char *r = NULL;

	if (!(ev->flags & SKBS_EV_DROP))
		return snprintf(buf, len, "%s", "");
	if (ev->location) {
		if (lo->ksyms)
			ksyms_format(lo->ksyms, ev->location, loc, sizeof(loc));
		else
			snprintf(loc, sizeof(loc), "0x%llx",
				 (unsigned long long)ev->location);
	}
	if (!(ev->flags & SKBS_EV_REASON))
		return snprintf(buf, len, " %s", loc);
	r = reasons_name(lo->reasons, ev->drop_reason);
	if (r)
		return snprintf(buf, len, "(%s) %s", r, loc);
	return snprintf(buf, len, "(%u) %s", ev->drop_reason, loc);
}

int line_abs_time(const struct line_out *lo, const struct skbs_event *ev,
		  char *buf, size_t len)
{
	time_t secs;
	struct tm tm;
	long long wall;

	/* Both come from the event source (a recording is any file): wrap,
	 * as the clocks would, rather than overflow. */
	wall = (long long)(ev->ts +
			   (unsigned long long)lo->o.realtime_offset_ns);
	if (wall < 0)
		wall = 0;
	secs = (time_t)(wall / 1000000000LL);
	if (!localtime_r(&secs, &tm))
		return snprintf(buf, len, "%lld", wall);
	/* pwru's layout (Go's "2006-01-02T15:04:05.000"), local time. */
	return snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03lld",
			tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			tm.tm_hour, tm.tm_min, tm.tm_sec,
			(wall % 1000000000LL) / 1000000);
}

static int fmt_ts(struct line_out *lo, const struct skbs_event *ev, char *buf,
		  size_t len)
{
	switch (lo->o.ts) {
	case TS_CURRENT:
		return snprintf(buf, len, "%-16llu ",
				(unsigned long long)ev->ts);
	case TS_RELATIVE:
		return snprintf(buf, len, "%-12llu ",
				(unsigned long long)relative_ts(lo, ev));
	case TS_ABSOLUTE: {
		int n = line_abs_time(lo, ev, buf, len);

		return n + snprintf(buf + ((size_t)n < len ? (size_t)n : len),
				    (size_t)n < len ? len - (size_t)n : 0, " ");
	}
	default: return snprintf(buf, len, "%s", "");
	}
}

int line_func(const struct line_out *lo, const struct skbs_event *ev, char *buf,
	      size_t len)
{
	const struct hook *hk = hooks_get(lo->hooks, ev->hook);

	if (hk && hk->kind == HOOK_FUNCTION && hk->module[0])
		return snprintf(buf, len, "%s [%s]", hk->name, hk->module);
	if (hk)
		return (int)strlen(hook_label(hk, buf, len));
	return snprintf(buf, len, "hook#%u", ev->hook);
}

int line_sym(const struct line_out *lo, __u64 addr, char *buf, size_t len)
{
	if (lo->ksyms)
		return ksyms_format(lo->ksyms, addr, buf, len);
	return snprintf(buf, len, "0x%llx", (unsigned long long)addr);
}

int line_stack(const struct line_out *lo, const __u64 *ips, int n,
	       char (*syms)[LINE_SYM_MAX], int max)
{
	int first = ksyms_first_kernel_frame(lo->ksyms, ips, n), k = 0;

	for (int i = first; i < n && k < max; i++)
		line_sym(lo, ips[i], syms[k++], sizeof(syms[0]));
	return k;
}

int line_comment(const struct line_out *lo, const struct skbs_event *ev,
		 char *buf, size_t len)
{
	char fn[192], drop[200];

	line_func(lo, ev, fn, sizeof(fn));
	line_drop(lo, ev, drop, sizeof(drop));
	return snprintf(buf, len, "%s skb=0x%llx gen=%u%s%s", fn,
			(unsigned long long)ev->skb, ev->gen,
			(ev->flags & SKBS_EV_DROP) ? " dropped" : "", drop);
}

const char *line_reason(const struct line_out *lo, const struct skbs_event *ev)
{
	if (!(ev->flags & SKBS_EV_DROP) || !(ev->flags & SKBS_EV_REASON))
		return NULL;
	return reasons_name(lo->reasons, ev->drop_reason);
}

enum ts_mode line_ts_mode(const struct line_out *lo)
{
	return lo->o.ts;
}

const char *line_netns_name(const struct line_out *lo,
			    const struct skbs_event *ev)
{
	return lo->o.netns_names && lo->names ?
		       nsnames_netns(lo->names, ev->netns) :
		       NULL;
}

const char *line_cgroup_name(const struct line_out *lo,
			     const struct skbs_event *ev)
{
	if (!(ev->flags2 & SKBS_EV2_CGROUP) || !ev->cgroup || !lo->names)
		return NULL;
	return nsnames_cgroup(lo->names, ev->cgroup);
}

int line_header(const struct line_out *lo, char *buf, size_t len)
{
	const char *ts = lo->o.ts == TS_CURRENT  ? "TIME             " :
			 lo->o.ts == TS_RELATIVE ? "TIME(ns)     " :
			 lo->o.ts == TS_ABSOLUTE ? "TIME                    " :
						   "";

	return snprintf(buf, len, "%s%-18s %-3s %-16s %s%s%s", ts, "SKB", "CPU",
			"PROCESS",
			lo->o.meta ? "NETNS      MARK/x     IFACE            "
				     "PROTO  MTU   LEN   " :
				     "",
			lo->o.tuple ? "TUPLE " : "", "FUNC");
}

int line_xdp_meta(const struct skbs_event *ev, struct xdp_meta *m)
{
	if (!(ev->flags2 & SKBS_EV2_XDP))
		return -ENOENT;
	m->data_len = ev->len;
	m->rxq_ifindex = ev->ifindex;
	m->rxq_queue = (__u32)(ev->location >> 32);
	m->frame_sz = (__u32)ev->location;
	return 0;
}

static size_t put_hex(char *buf, size_t len, size_t n, const unsigned char *b,
		      __u32 cnt, __u32 size)
{
	for (__u32 i = 0; i < cnt && n + 3 < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%02x", b[i]);
	if (size > cnt && n + 4 < len)
		n += (size_t)snprintf(buf + n, len - n, "...");
	return n;
}

int line_bpfmap(const struct skbs_event *ev, const char *tail, const char *name,
		int json, char *buf, size_t len)
{
	__u32 ks = (__u32)(ev->location >> 32), vs = (__u32)ev->location;
	__u32 kn = ks < SKBS_MAP_BYTES ? ks : SKBS_MAP_BYTES;
	__u32 vn = vs < SKBS_MAP_BYTES ? vs : SKBS_MAP_BYTES;
	const unsigned char *t = (const unsigned char *)tail;
	size_t n;

	if (!(ev->flags2 & SKBS_EV2_BPFMAP) || !len)
		return 0;
	buf[0] = '\0';
	/* What the tail holds, whatever the sizes claim. */
	if (!t || ev->hdr_len || kn > ev->tail_len)
		kn = vn = 0;
	else if (kn + vn > ev->tail_len)
		vn = ev->tail_len - kn;
	if (json)
		n = (size_t)snprintf(buf, len,
				     "\"bpfmap\":{\"id\":%u,\"key_size\":%u,"
				     "\"value_size\":%u,\"key\":\"",
				     ev->aux, ks, vs);
	else
		n = (size_t)snprintf(buf, len, "map %u%s%s%s key[%u] ", ev->aux,
				     name && name[0] ? " (" : "",
				     name ? name : "",
				     name && name[0] ? ")" : "", ks);
	if (n >= len)
		return (int)strlen(buf);
	n = put_hex(buf, len, n, t, kn, ks);
	if (json && n < len)
		n += (size_t)snprintf(buf + n, len - n, "\",\"value\":\"");
	else if (vs && n < len)
		n += (size_t)snprintf(buf + n, len - n, " value[%u] ", vs);
	if (n < len)
		n = put_hex(buf, len, n, t ? t + kn : NULL, vn, vs);
	if (json && n < len)
		n += (size_t)snprintf(buf + n, len - n, "\"}");
	return (int)strlen(buf);
}

int line_format(struct line_out *lo, const struct skbs_event *ev, char *buf,
		size_t len)
{
	return line_format_tail(lo, ev, NULL, buf, len);
}

int line_format_tail(struct line_out *lo, const struct skbs_event *ev,
		     const char *tail, char *buf, size_t len)
{
	char proc[40], iface[40], tuple[128], drop[200], label[192];
	struct xdp_meta xm;
	size_t n = 0;

#define PUT(...)                                                  \
	do {                                                      \
		int _r = snprintf(buf + n, n < len ? len - n : 0, \
				  __VA_ARGS__);                   \
		if (_r > 0)                                       \
			n += (size_t)_r;                          \
	} while (0)

	if (lo->o.ts != TS_NONE) {
		char ts[64];

		fmt_ts(lo, ev, ts, sizeof(ts));
		PUT("%s", ts);
	}
	snprintf(proc, sizeof(proc), "%.16s:%u", ev->comm, ev->pid);
	PUT("0x%016llx %-3u %-16s ", (unsigned long long)ev->skb, ev->cpu,
	    proc);
	if (lo->o.meta) {
		char ns[80];

		if (ev->ifindex)
			snprintf(iface, sizeof(iface), "%u(%.16s)", ev->ifindex,
				 ev->ifname);
		else
			snprintf(iface, sizeof(iface), "0");
		PUT("%-10s 0x%-8x %-16s 0x%04x %-5u %-5u ",
		    line_netns(lo, ev, ns, sizeof(ns)), ev->mark, iface,
		    ev->l3_proto, ev->mtu, ev->len);
	}
	if (lo->o.tuple) {
		line_tuple_flags(ev, lo->o.tcp_flags, tuple, sizeof(tuple));
		PUT("%s ", tuple[0] ? tuple : "-");
	}
	line_func(lo, ev, label, sizeof(label));
	line_drop(lo, ev, drop, sizeof(drop));
	PUT("%s%s", label, drop);
	if (lo->o.caller && ev->caller) {
		char sym[160];

		line_sym(lo, ev->caller, sym, sizeof(sym));
		PUT(" caller=%s", sym);
	}
	if (lo->o.cgroup) {
		char cg[PATH_MAX_SHOWN];

		if (line_cgroup(lo, ev, cg, sizeof(cg)))
			PUT(" cgroup=%s", cg);
	}
	if (lo->o.tunnel) {
		char tun[192];

		if (line_tunnel(ev, (const __u8 *)tail, lo->o.tcp_flags, tun,
				sizeof(tun)) > 0)
			PUT(" tunnel %s", tun);
	}
	if (lo->o.xdp_meta && !line_xdp_meta(ev, &xm))
		PUT(" xdp: data_len=%u rxq_ifindex=%u rxq_queue=%u "
		    "frame_sz=%u",
		    xm.data_len, xm.rxq_ifindex, xm.rxq_queue, xm.frame_sz);
#undef PUT
	return (int)n;
}

int line_return(const struct line_out *lo, const struct skbs_return *r,
		int kind, char *buf, size_t len)
{
	const struct skbs_event ev = { .hook = r->hook };
	char fn[192], val[64], dur[32];

	line_func(lo, &ev, fn, sizeof(fn));
	retval_format((enum ret_kind)kind, r->ret, val, sizeof(val));
	retval_duration(r->ts_exit - r->ts_entry, dur, sizeof(dur));
	return snprintf(buf, len, "0x%016llx %-3u %*s<- %s%s%s (%s)",
			(unsigned long long)r->skb, r->cpu,
			(int)(r->depth < 16 ? 2 * r->depth : 32), "", fn,
			val[0] ? " = " : "", val, dur);
}
