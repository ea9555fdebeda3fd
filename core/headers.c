// SPDX-License-Identifier: GPL-2.0
/* Header decoding for the detail view. Every read is checked against the
 * captured length: a short capture says "truncated" instead of guessing. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "core/headers.h"

#define ADD(...)                                                      \
	do {                                                          \
		if (nl < max)                                         \
			snprintf(lines[nl++], HDR_LINE, __VA_ARGS__); \
	} while (0)

static unsigned be16(const __u8 *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static unsigned long be32(const __u8 *p)
{
	return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 |
	       (unsigned long)p[2] << 8 | p[3];
}

static int l4(const __u8 *b, size_t n, unsigned proto, char (*lines)[HDR_LINE],
	      int nl, int max)
{
	if (proto == 6) {
		static const char *const names[] = {
			"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"
		};
		char fl[64] = "";

		if (n < 20) {
			ADD("TCP   (truncated: %zu of 20 bytes)", n);
			return nl;
		}
		for (int i = 0; i < 8; i++)
			if (b[13] & (1 << i)) {
				if (fl[0])
					strcat(fl, ",");
				strcat(fl, names[i]);
			}
		ADD("TCP   %u -> %u  flags %s", be16(b), be16(b + 2),
		    fl[0] ? fl : "none");
		ADD("      seq %lu  ack %lu  window %u", be32(b + 4),
		    be32(b + 8), be16(b + 14));
	} else if (proto == 17) {
		if (n < 8) {
			ADD("UDP   (truncated: %zu of 8 bytes)", n);
			return nl;
		}
		ADD("UDP   %u -> %u  length %u", be16(b), be16(b + 2),
		    be16(b + 4));
	} else if (proto == 1 || proto == 58) {
		if (n < 2) {
			ADD("ICMP  (truncated)");
			return nl;
		}
		ADD("%s type %u code %u", proto == 1 ? "ICMP " : "ICMPv6", b[0],
		    b[1]);
	}
	return nl;
}

int headers_tcp_flags(__u8 flags, char *buf, size_t len)
{
	/* tcpdump's table order; bit i of the flags byte is letters[i]. */
	static const char letters[] = "FSRP.UEW";
	char s[9];
	int k = 0;

	for (int i = 0; i < 8; i++)
		if (flags & (1 << i))
			s[k++] = letters[i];
	s[k] = '\0';
	return snprintf(buf, len, "%s", s);
}

static const struct {
	__u16 type;
	const char *name;
} ethertypes[] = {
	{ 0x0004, "llc" },        { 0x0800, "ip" },       { 0x0806, "arp" },
	{ 0x8035, "rarp" },       { 0x8100, "vlan" },     { 0x8137, "ipx" },
	{ 0x86dd, "ip6" },        { 0x8847, "mpls" },     { 0x8848, "mpls-mc" },
	{ 0x8863, "pppoe-disc" }, { 0x8864, "pppoe" },    { 0x888e, "eapol" },
	{ 0x88a8, "qinq" },       { 0x88cc, "lldp" },     { 0x88e5, "macsec" },
	{ 0x88f7, "ptp" },        { 0x6558, "teb" },      { 0x0019, "can" },
	{ 0x88b5, "exp1" },       { 0x9000, "loopback" },
};

const char *headers_ethertype(__u16 type)
{
	for (size_t i = 0; i < sizeof(ethertypes) / sizeof(ethertypes[0]); i++)
		if (ethertypes[i].type == type)
			return ethertypes[i].name;
	return NULL;
}

static void mac_text(const __u8 *m, char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
		 m[3], m[4], m[5]);
}

/* ARP for IPv4 over Ethernet, as tcpdump words it. */
static int arp_lines(const __u8 *b, size_t n, char (*lines)[HDR_LINE], int nl,
		     int max)
{
	char sip[INET_ADDRSTRLEN], tip[INET_ADDRSTRLEN], sm[18], tm[18];
	unsigned op;

	if (n < 8) {
		ADD("ARP   (truncated: %zu of 8 bytes)", n);
		return nl;
	}
	op = be16(b + 6);
	if (be16(b) != 1 || be16(b + 2) != 0x800 || b[4] != 6 || b[5] != 4) {
		ADD("ARP   hardware %u protocol 0x%04x op %u", be16(b),
		    be16(b + 2), op);
		return nl;
	}
	if (n < 28) {
		ADD("ARP   op %u (truncated: %zu of 28 bytes)", op, n);
		return nl;
	}
	inet_ntop(AF_INET, b + 14, sip, sizeof(sip));
	inet_ntop(AF_INET, b + 24, tip, sizeof(tip));
	mac_text(b + 8, sm, sizeof(sm));
	mac_text(b + 18, tm, sizeof(tm));
	if (op == 1)
		ADD("ARP   who-has %s tell %s", tip, sip);
	else if (op == 2)
		ADD("ARP   reply %s is-at %s", sip, sm);
	else
		ADD("ARP   op %u %s -> %s", op, sip, tip);
	ADD("      sender %s %s  target %s %s", sm, sip, tm, tip);
	return nl;
}

/* Offset of the L3 header in b and its ethertype (0: unknown). */
static size_t l3_at(const __u8 *b, size_t n, int l2, unsigned *type)
{
	if (!l2) {
		*type = n && (b[0] >> 4) == 6 ? 0x86dd :
			n && (b[0] >> 4) == 4 ? 0x800 :
						0;
		return 0;
	}
	if (n < 14) {
		*type = 0;
		return 0;
	}
	*type = be16(b + 12);
	if ((*type == 0x8100 || *type == 0x88a8) && n >= 18) {
		*type = be16(b + 16);
		return 18;
	}
	return 14;
}

int headers_tuple(const __u8 *b, size_t n, int l2, struct skbs_event *ev,
		  size_t *l4)
{
	unsigned type;
	size_t at = l3_at(b, n, l2, &type), ihl;
	const __u8 *p = b + at;
	size_t m = n - at;

	*l4 = 0;
	ev->flags &= (__u8)~SKBS_EV_TUPLE;
	ev->flags2 &= (__u16) ~(SKBS_EV2_TCP_FLAGS | SKBS_EV2_ARP);
	ev->l3_proto = (__u16)type;
	ev->l4_proto = 0;
	ev->sport = ev->dport = 0;
	ev->tcp_flags = 0;
	memset(ev->saddr, 0, 16);
	memset(ev->daddr, 0, 16);
	if (at > n)
		return -1;
	if (type == 0x806) {
		if (m < 28 || be16(p) != 1 || be16(p + 2) != 0x800 ||
		    p[4] != 6 || p[5] != 4)
			return -1;
		memcpy(ev->saddr, p + 14, 4);
		memcpy(ev->saddr + 4, p + 8, 6);
		memcpy(ev->daddr, p + 24, 4);
		memcpy(ev->daddr + 4, p + 18, 6);
		ev->sport = (__u16)be16(p + 6);
		ev->flags |= SKBS_EV_TUPLE;
		ev->flags2 |= SKBS_EV2_ARP;
		return 0;
	}
	if (type == 0x800) {
		if (m < 20 || (p[0] >> 4) != 4)
			return -1;
		ihl = (p[0] & 0xf) * 4u;
		memcpy(ev->saddr, p + 12, 4);
		memcpy(ev->daddr, p + 16, 4);
		ev->l4_proto = p[9];
		ev->flags |= SKBS_EV_TUPLE;
		if (ihl < 20 || (be16(p + 6) & 0x1fff))
			return 0;
		*l4 = at + ihl;
	} else if (type == 0x86dd) {
		if (m < 40 || (p[0] >> 4) != 6)
			return -1;
		memcpy(ev->saddr, p + 8, 16);
		memcpy(ev->daddr, p + 24, 16);
		ev->l4_proto = p[6];
		ev->flags |= SKBS_EV_TUPLE;
		*l4 = at + 40;
	} else {
		return -1;
	}
	p = b + *l4;
	m = *l4 <= n ? n - *l4 : 0;
	if ((ev->l4_proto == 6 || ev->l4_proto == 17) && m >= 4) {
		ev->sport = (__u16)be16(p);
		ev->dport = (__u16)be16(p + 2);
		if (ev->l4_proto == 6 && m >= 14) {
			ev->tcp_flags = p[13];
			ev->flags2 |= SKBS_EV2_TCP_FLAGS;
		}
	} else if ((ev->l4_proto == 1 || ev->l4_proto == 58) && m >= 2) {
		ev->sport = p[0];
		ev->dport = p[1];
	}
	return 0;
}

/* An inner packet's type: Ethernet (1), IP (0), none (-1). */
static int inner_type(unsigned type)
{
	if (type == 0x6558)
		return 1;
	return type == 0x800 || type == 0x86dd ? 0 : -1;
}

/* Where the inner packet starts in b (0: no tunnel), as
 * bpf/tunnel.bpf.h finds it; fills t's kind and id when t is given. */
static size_t tunnel_at(const __u8 *b, size_t n, int l2, struct hdr_tunnel *t)
{
	struct hdr_tunnel tmp;
	struct skbs_event ev = { 0 };
	size_t l4, in = 0;
	int ty = -1;

	if (!t)
		t = &tmp;
	memset(t, 0, sizeof(*t));
	if (headers_tuple(b, n, l2, &ev, &l4) || !l4 ||
	    (ev.flags2 & SKBS_EV2_ARP))
		return 0;
	if (ev.l4_proto == 4 || ev.l4_proto == 41) {
		t->kind = ev.l4_proto == 4 ? "ipip" : "sit";
		ty = 0;
		in = l4;
	} else if (ev.l4_proto == 17 && ev.dport == 4789 && n >= l4 + 16) {
		t->kind = "vxlan";
		t->has_id = 1;
		t->id = (__u32)(be32(b + l4 + 12) >> 8);
		ty = 1;
		in = l4 + 16;
	} else if (ev.l4_proto == 17 && ev.dport == 6081 && n >= l4 + 16 &&
		   !(b[l4 + 8] >> 6)) {
		t->kind = "geneve";
		t->has_id = 1;
		t->id = (__u32)(be32(b + l4 + 12) >> 8);
		ty = inner_type(be16(b + l4 + 10));
		in = l4 + 16 + (b[l4 + 8] & 0x3f) * 4u;
	} else if (ev.l4_proto == 47 && n >= l4 + 4) {
		unsigned fl = be16(b + l4);
		size_t len = 4, key = 4 + (fl & 0x8000 ? 4 : 0);

		if (fl & 0x4007)
			return 0;
		len += (fl & 0x8000 ? 4 : 0) + (fl & 0x2000 ? 4 : 0) +
		       (fl & 0x1000 ? 4 : 0);
		t->kind = "gre";
		if ((fl & 0x2000) && n >= l4 + key + 4) {
			t->has_id = 1;
			t->id = (__u32)be32(b + l4 + key);
		}
		ty = inner_type(be16(b + l4 + 2));
		in = l4 + len;
	}
	if (ty < 0 || !in)
		return 0;
	t->outer = ev;
	t->inner_l2 = ty;
	return in;
}

int headers_tunnel(const __u8 *b, size_t n, int l2, struct hdr_tunnel *t)
{
	size_t in = tunnel_at(b, n, l2, t), l4;

	if (!in)
		return 0;
	t->inner_ok = in < n && !headers_tuple(b + in, n - in, t->inner_l2,
					       &t->inner, &l4);
	return 1;
}

static int decode(const __u8 *b, size_t n, int l2, char (*lines)[HDR_LINE],
		  int max, int depth);

int headers_decode(const __u8 *b, size_t n, int l2, char (*lines)[HDR_LINE],
		   int max)
{
	return decode(b, n, l2, lines, max, 0);
}

/* The inner packet of a tunnel, after the outer headers' lines. */
static int tunnel_lines(const __u8 *b, size_t n, int l2,
			char (*lines)[HDR_LINE], int nl, int max, int depth)
{
	struct hdr_tunnel t;
	size_t in;

	if (depth || !headers_tunnel(b, n, l2, &t))
		return nl;
	in = tunnel_at(b, n, l2, NULL);
	if (t.has_id)
		ADD("%-6s%s %u; the inner packet:", t.kind,
		    !strcmp(t.kind, "gre") ? "key" : "vni", t.id);
	else
		ADD("%-6sthe inner packet:", t.kind);
	if (in && in <= n)
		nl += decode(b + in, n - in, t.inner_l2, lines + nl, max - nl,
			     depth + 1);
	return nl;
}

static int decode(const __u8 *b, size_t n, int l2, char (*lines)[HDR_LINE],
		  int max, int depth)
{
	const __u8 *start = b;
	size_t total = n;
	int l2_in = l2;
	unsigned type = 0;
	int nl = 0;

	if (l2) {
		size_t off = 14;

		if (n < 14) {
			ADD("Ether (truncated: %zu of 14 bytes)", n);
			return nl;
		}
		type = be16(b + 12);
		ADD("Ether %02x:%02x:%02x:%02x:%02x:%02x -> "
		    "%02x:%02x:%02x:%02x:%02x:%02x  type 0x%04x",
		    b[6], b[7], b[8], b[9], b[10], b[11], b[0], b[1], b[2],
		    b[3], b[4], b[5], type);
		if (type == 0x8100 && n >= 18) {
			ADD("VLAN  id %u  type 0x%04x", be16(b + 14) & 0xfff,
			    be16(b + 16));
			type = be16(b + 16);
			off = 18;
		}
		b += off;
		n -= off;
	} else if (n) {
		type = (b[0] >> 4) == 6 ? 0x86dd : (b[0] >> 4) == 4 ? 0x800 : 0;
	}
	if (type == 0x800) {
		char s[INET_ADDRSTRLEN], d[INET_ADDRSTRLEN];
		unsigned ihl;

		if (n < 20) {
			ADD("IPv4  (truncated: %zu of 20 bytes)", n);
			return nl;
		}
		ihl = (b[0] & 0xf) * 4u;
		inet_ntop(AF_INET, b + 12, s, sizeof(s));
		inet_ntop(AF_INET, b + 16, d, sizeof(d));
		ADD("IPv4  %s -> %s  proto %u  ttl %u", s, d, b[9], b[8]);
		ADD("      len %u  id %u  tos 0x%02x%s%s", be16(b + 2),
		    be16(b + 4), b[1], b[6] & 0x40 ? "  DF" : "",
		    (be16(b + 6) & 0x3fff) ? "  fragment" : "");
		if (ihl >= 20 && n > ihl && !(be16(b + 6) & 0x1fff)) {
			nl = l4(b + ihl, n - ihl, b[9], lines, nl, max);
			nl = tunnel_lines(start, total, l2_in, lines, nl, max,
					  depth);
		}
	} else if (type == 0x86dd) {
		char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];

		if (n < 40) {
			ADD("IPv6  (truncated: %zu of 40 bytes)", n);
			return nl;
		}
		inet_ntop(AF_INET6, b + 8, s, sizeof(s));
		inet_ntop(AF_INET6, b + 24, d, sizeof(d));
		ADD("IPv6  %s -> %s", s, d);
		ADD("      next %u  hop limit %u  payload %u", b[6], b[7],
		    be16(b + 4));
		nl = l4(b + 40, n - 40, b[6], lines, nl, max);
		nl = tunnel_lines(start, total, l2_in, lines, nl, max, depth);
	} else if (type == 0x806) {
		nl = arp_lines(b, n, lines, nl, max);
	} else if (n) {
		const char *name = headers_ethertype((__u16)type);

		ADD("type 0x%04x%s%s: not decoded", type, name ? " " : "",
		    name ? name : "");
	}
	return nl;
}

int headers_hexdump(const __u8 *b, size_t n, char (*lines)[HDR_LINE], int max)
{
	int nl = 0;

	for (size_t off = 0; off < n && nl < max; off += 16) {
		char hex[64] = "", asc[20] = "";
		size_t k;

		for (k = 0; k < 16 && off + k < n; k++) {
			sprintf(hex + k * 3, "%02x ", b[off + k]);
			asc[k] = isprint(b[off + k]) ? (char)b[off + k] : '.';
		}
		asc[k] = '\0';
		snprintf(lines[nl++], HDR_LINE, "%04zx  %-48s |%s|", off, hex,
			 asc);
	}
	return nl;
}
