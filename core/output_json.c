// SPDX-License-Identifier: GPL-2.0
/* JSON lines for events. Every string from the kernel (comm, ifname) is
 * escaped: a process can name itself anything. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include "core/event.h"
#include "core/explain.h"
#include "core/headers.h"
#include "core/output_json.h"
#include "core/retval.h"

/* Length of a valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t want, i;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0 && s[0] >= 0xc2)
		want = 2;
	else if ((s[0] & 0xf0) == 0xe0)
		want = 3;
	else if ((s[0] & 0xf8) == 0xf0 && s[0] <= 0xf4)
		want = 4;
	else
		return 0;
	if (want > n)
		return 0;
	for (i = 1; i < want; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return want;
}

int json_string(const char *s, size_t n, char *buf, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t o = 0, i = 0;

	/* c is evaluated once, whether or not it fits: callers pass
	 * u[i++]. */
#define OUT(c)                       \
	do {                         \
		char _c = (char)(c); \
		if (o + 1 < len)     \
			buf[o] = _c; \
		o++;                 \
	} while (0)
	OUT('"');
	while (i < n && u[i]) {
		size_t k = utf8_len(u + i, n - i);
		char esc[8];

		if (u[i] == '"' || u[i] == '\\') {
			OUT('\\');
			OUT(u[i]);
			i++;
		} else if (u[i] < 0x20 || u[i] == 0x7f || !k) {
			snprintf(esc, sizeof(esc), "\\u%04x", u[i]);
			for (int j = 0; esc[j]; j++)
				OUT(esc[j]);
			i++;
		} else {
			while (k--)
				OUT(u[i++]);
		}
	}
	OUT('"');
#undef OUT
	if (len)
		buf[o < len ? o : len - 1] = '\0';
	return (int)o;
}

int json_meta(const struct line_out *lo, const struct skbs_event *ev,
	      const char *tail, char *buf, size_t len)
{
	char name[SKBS_EXPR_TEXT], js[6 * SKBS_EXPR_TEXT + 4];
	size_t n = 0;

	if (len)
		buf[0] = '\0';
	for (unsigned int i = 0; i < ev->nmeta; i++) {
		line_meta_name(lo, i, name, sizeof(name));
		json_string(name, strlen(name), js, sizeof(js));
		n += (size_t)snprintf(
			buf + (n < len ? n : len), n < len ? len - n : 0,
			"%s%s:%llu", i ? "," : "\"meta\":{", js,
			(unsigned long long)event_meta(ev, tail, i));
	}
	if (ev->nmeta)
		n += (size_t)snprintf(buf + (n < len ? n : len),
				      n < len ? len - n : 0, "}");
	return (int)n;
}

/* A tuple's fields as JSON members (no braces): addresses, ports, the
 * protocol, and "tcp_flags" when asked for and known. */
static int tuple_members(const struct skbs_event *ev, int tcp_flags, char *buf,
			 size_t len)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], pn[8], fl[12];
	int fam = event_family(ev), n;

	if (!fam)
		return snprintf(buf, len, "%s", "");
	inet_ntop(fam == 4 ? AF_INET : AF_INET6, ev->saddr, a, sizeof(a));
	inet_ntop(fam == 4 ? AF_INET : AF_INET6, ev->daddr, b, sizeof(b));
	n = snprintf(buf, len,
		     "\"saddr\":\"%s\",\"daddr\":\"%s\",\"sport\":%u,"
		     "\"dport\":%u,\"proto\":\"%s\"",
		     a, b, ev->sport, ev->dport,
		     line_proto_name(ev->l4_proto, pn, sizeof(pn)));
	if (tcp_flags && ev->l4_proto == 6 &&
	    (ev->flags2 & SKBS_EV2_TCP_FLAGS) && n > 0 && (size_t)n < len) {
		headers_tcp_flags(ev->tcp_flags, fl, sizeof(fl));
		n += snprintf(buf + n, len - (size_t)n, ",\"tcp_flags\":\"%s\"",
			      fl);
	}
	return n;
}

/* ARP (what the programs put in the tuple fields) and other ethertypes. */
static int arp_members(const struct skbs_event *ev, char *buf, size_t len)
{
	char s[INET_ADDRSTRLEN], d[INET_ADDRSTRLEN], desc[96];
	const __u8 *sm = ev->saddr + 4, *tm = ev->daddr + 4;

	inet_ntop(AF_INET, ev->saddr, s, sizeof(s));
	inet_ntop(AF_INET, ev->daddr, d, sizeof(d));
	line_tuple(ev, desc, sizeof(desc));
	return snprintf(buf, len,
			",\"arp\":{\"op\":%u,\"sender_ip\":\"%s\","
			"\"sender_mac\":\"%02x:%02x:%02x:%02x:%02x:%02x\","
			"\"target_ip\":\"%s\","
			"\"target_mac\":\"%02x:%02x:%02x:%02x:%02x:%02x\","
			"\"desc\":\"%s\"}",
			ev->sport, s, sm[0], sm[1], sm[2], sm[3], sm[4], sm[5],
			d, tm[0], tm[1], tm[2], tm[3], tm[4], tm[5], desc);
}

/* --output-tunnel: the tunnel in the header bytes, outer and inner. */
static int tunnel_member(const struct skbs_event *ev, const char *tail,
			 int tcp_flags, char *buf, size_t len)
{
	char o[256], in[256], id[32] = "";
	struct hdr_tunnel t;

	if (!tail || !ev->hdr_len ||
	    !headers_tunnel((const __u8 *)tail, ev->hdr_len,
			    !!(ev->flags & SKBS_EV_HDR_L2), &t))
		return snprintf(buf, len, "%s", "");
	if (t.has_id)
		snprintf(id, sizeof(id), ",\"%s\":%u",
			 !strcmp(t.kind, "gre") ? "key" : "vni", t.id);
	tuple_members(&t.outer, 0, o, sizeof(o));
	in[0] = '\0';
	if (t.inner_ok)
		tuple_members(&t.inner, tcp_flags, in, sizeof(in));
	return snprintf(buf, len,
			",\"tunnel\":{\"kind\":\"%s\"%s,\"outer\":{%s},"
			"\"inner\":%s%s%s}",
			t.kind, id, o, t.inner_ok ? "{" : "",
			t.inner_ok ? in : "null", t.inner_ok ? "}" : "");
}

int json_format(const struct line_out *lo, const struct skbs_event *ev,
		const char *const *stack, int nstack, const struct explain *why,
		char *buf, size_t len)
{
	return json_format_tail(lo, ev, NULL, stack, nstack, why, buf, len);
}

int json_format_tail(const struct line_out *lo, const struct skbs_event *ev,
		     const char *tail, const char *const *stack, int nstack,
		     const struct explain *why, char *buf, size_t len)
{
	const struct line_opts *opt = line_out_opts(lo);
	/* Room for a whole explanation escaped at worst (\u00XX a byte). */
	char s1[6 * EXPLAIN_TEXT + 4], s2[256], tmp[192];
	size_t n = 0;
	int fam = event_family(ev);
	struct event_dumps d;
	const char *reason;
	struct xdp_meta xm;

#define PUT(...)                                                       \
	do {                                                           \
		int _r = snprintf(buf + (n < len ? n : len),           \
				  n < len ? len - n : 0, __VA_ARGS__); \
		if (_r > 0)                                            \
			n += (size_t)_r;                               \
	} while (0)
	json_string(ev->comm, sizeof(ev->comm), s1, sizeof(s1));
	PUT("{\"skb\":\"0x%llx\",\"gen\":%u,\"cpu\":%u,\"pid\":%u,"
	    "\"comm\":%s,",
	    (unsigned long long)ev->skb, ev->gen, ev->cpu, ev->pid, s1);
	snprintf(tmp, sizeof(tmp), "%.16s:%u", ev->comm, ev->pid);
	json_string(tmp, sizeof(tmp), s1, sizeof(s1));
	line_func(lo, ev, tmp, sizeof(tmp));
	json_string(tmp, sizeof(tmp), s2, sizeof(s2));
	PUT("\"process\":%s,\"func\":%s,", s1, s2);
	if (ev->caller) {
		line_sym(lo, ev->caller, tmp, sizeof(tmp));
		json_string(tmp, sizeof(tmp), s1, sizeof(s1));
		PUT("\"caller\":%s,", s1);
	}
	json_string(ev->ifname, sizeof(ev->ifname), s1, sizeof(s1));
	/* With --timestamp absolute, "time" is the date and time as pwru's
	 * JSON has it; otherwise the kernel's ns. */
	if (line_ts_mode(lo) == TS_ABSOLUTE) {
		line_abs_time(lo, ev, tmp, sizeof(tmp));
		PUT("\"time\":\"%s\",", tmp);
	} else {
		PUT("\"time\":%llu,", (unsigned long long)ev->ts);
	}
	if (line_netns_name(lo, ev)) {
		const char *nm = line_netns_name(lo, ev);

		json_string(nm, strlen(nm), s2, sizeof(s2));
		PUT("\"netns_name\":%s,", s2);
	}
	if (ev->flags2 & SKBS_EV2_CGROUP) {
		const char *nm = line_cgroup_name(lo, ev);

		PUT("\"cgroup\":%llu,", (unsigned long long)ev->cgroup);
		if (nm) {
			json_string(nm, strlen(nm), s2, sizeof(s2));
			PUT("\"cgroup_name\":%s,", s2);
		}
	}
	PUT("\"netns\":%u,\"mark\":\"0x%x\",\"ifindex\":%u,"
	    "\"iface\":%s,\"proto\":\"0x%04x\",\"mtu\":%u,\"len\":%u",
	    ev->netns, ev->mark, ev->ifindex, s1, ev->l3_proto, ev->mtu,
	    ev->len);
	if (fam) {
		tuple_members(ev, opt->tcp_flags, s2, sizeof(s2));
		PUT(",\"tuple\":{%s}", s2);
	} else if ((ev->flags & SKBS_EV_TUPLE) && ev->l3_proto == 0x0806) {
		arp_members(ev, s2, sizeof(s2));
		PUT("%s", s2);
	} else if (ev->l3_proto && headers_ethertype(ev->l3_proto)) {
		PUT(",\"ethertype\":\"%s\"", headers_ethertype(ev->l3_proto));
	}
	if (opt->tunnel) {
		char tun[600];

		tunnel_member(ev, tail, opt->tcp_flags, tun, sizeof(tun));
		PUT("%s", tun);
	}
	if (!line_xdp_meta(ev, &xm))
		PUT(",\"xdp\":{\"data_len\":%u,\"rxq_ifindex\":%u,"
		    "\"rxq_queue\":%u,\"frame_sz\":%u}",
		    xm.data_len, xm.rxq_ifindex, xm.rxq_queue, xm.frame_sz);
	if (ev->flags & SKBS_EV_DROP) {
		reason = line_reason(lo, ev);
		PUT(",\"drop\":{");
		if (reason)
			PUT("\"reason\":\"%s\",\"reason_code\":%u,", reason,
			    ev->drop_reason);
		else if (ev->flags & SKBS_EV_REASON)
			PUT("\"reason_code\":%u,", ev->drop_reason);
		if (ev->location) {
			line_sym(lo, ev->location, tmp, sizeof(tmp));
			json_string(tmp, sizeof(tmp), s1, sizeof(s1));
			PUT("\"location\":%s", s1);
		} else {
			PUT("\"location\":null");
		}
		PUT("}");
	}
	if (why && why->kind != EXPLAIN_NONE) {
		json_string(why->text, strnlen(why->text, sizeof(why->text)),
			    s1, sizeof(s1));
		PUT(",\"explain\":{\"kind\":\"%s\",\"text\":%s",
		    explain_kind_name(why->kind), s1);
		for (unsigned i = 0; i < why->nfields && i < EXPLAIN_FIELDS;
		     i++) {
			const struct explain_field *f = &why->f[i];

			json_string(f->key, strnlen(f->key, sizeof(f->key)), s2,
				    sizeof(s2));
			json_string(f->val, strnlen(f->val, sizeof(f->val)), s1,
				    sizeof(s1));
			PUT(",%s:%s", s2, s1);
		}
		PUT("}");
	}
	if (nstack >= 0) {
		PUT(",\"stack\":[");
		for (int i = 0; i < nstack; i++) {
			json_string(stack[i], strlen(stack[i]), s1, sizeof(s1));
			PUT("%s%s", i ? "," : "", s1);
		}
		PUT("]");
	}
	if (tail && !event_dumps(ev, tail, &d)) {
		/* Straight into buf: a text is up to 32000 bytes, six times
		 * that escaped, too much for a buffer of its own. */
		if (d.skb) {
			PUT(",\"skb_dump\":");
			n += (size_t)json_string(d.skb, d.skb_len,
						 n < len ? buf + n : NULL,
						 n < len ? len - n : 0);
			PUT(",\"skb_dump_cut\":%s",
			    d.skb_cut ? "true" : "false");
		}
		if (d.shinfo) {
			PUT(",\"skb_shared_info\":");
			n += (size_t)json_string(d.shinfo, d.shinfo_len,
						 n < len ? buf + n : NULL,
						 n < len ? len - n : 0);
			PUT(",\"skb_shared_info_cut\":%s",
			    d.shinfo_cut ? "true" : "false");
		}
		if (d.has_cb)
			PUT(",\"cb\":[%u,%u,%u,%u,%u]", d.cb[0], d.cb[1],
			    d.cb[2], d.cb[3], d.cb[4]);
	}
	PUT("}");
#undef PUT
	return (int)n;
}

int json_return(const struct line_out *lo, const struct skbs_return *r,
		int kind, char *buf, size_t len)
{
	const struct skbs_event ev = { .hook = r->hook };
	char fn[192], s1[256], val[64], s2[160];

	line_func(lo, &ev, fn, sizeof(fn));
	json_string(fn, sizeof(fn), s1, sizeof(s1));
	retval_format((enum ret_kind)kind, r->ret, val, sizeof(val));
	json_string(val, sizeof(val), s2, sizeof(s2));
	return snprintf(buf, len,
			"{\"type\":\"return\",\"skb\":\"0x%llx\",\"cpu\":%u,"
			"\"func\":%s,\"depth\":%u,\"ret\":%lld,\"retval\":%s,"
			"\"kind\":\"%s\",\"time\":%llu,\"time_entry\":%llu,"
			"\"duration_ns\":%llu}",
			(unsigned long long)r->skb, r->cpu, s1, r->depth,
			(long long)r->ret, s2,
			retval_kind_name((enum ret_kind)kind) ?
				retval_kind_name((enum ret_kind)kind) :
				"unknown",
			(unsigned long long)r->ts_exit,
			(unsigned long long)r->ts_entry,
			(unsigned long long)(r->ts_exit - r->ts_entry));
}
