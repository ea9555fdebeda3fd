// SPDX-License-Identifier: GPL-2.0
/* Packets that are not plain IP, tunnels and TCP flags, on packets built
 * here: header decoding (core/headers), the tuple text (line mode, JSON),
 * the interpreter run from an inner header, and the filter bar's tunnel
 * terms. */
#include <string.h>
#include "core/cbpf.h"
#include "core/filter.h"
#include "core/headers.h"
#include "core/hooks.h"
#include "core/output_json.h"
#include "core/output_line.h"
#include "core/pcapexpr.h"
#include "core/store.h"
#include "tui/fmt.h"
#include "test.h"

/* A packet under construction. */
struct pkt {
	__u8 b[256];
	size_t n;
};

static void put(struct pkt *p, const void *d, size_t n)
{
	memcpy(p->b + p->n, d, n);
	p->n += n;
}

static void put16(struct pkt *p, unsigned v)
{
	__u8 b[2] = { (__u8)(v >> 8), (__u8)v };

	put(p, b, 2);
}

static void put32(struct pkt *p, unsigned long v)
{
	put16(p, (unsigned)(v >> 16));
	put16(p, (unsigned)(v & 0xffff));
}

static void eth(struct pkt *p, unsigned type)
{
	static const __u8 macs[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };

	put(p, macs, 12);
	put16(p, type);
}

/* An IPv4 header (no options) for len bytes of payload. */
static void ip4(struct pkt *p, unsigned proto, const char *s, const char *d,
		size_t len)
{
	unsigned a, b, c, e;

	put16(p, 0x4500);
	put16(p, (unsigned)(20 + len));
	put32(p, 0);
	put16(p, 0x4000 | proto);
	put16(p, 0);
	sscanf(s, "%u.%u.%u.%u", &a, &b, &c, &e);
	put32(p, (unsigned long)a << 24 | b << 16 | c << 8 | e);
	sscanf(d, "%u.%u.%u.%u", &a, &b, &c, &e);
	put32(p, (unsigned long)a << 24 | b << 16 | c << 8 | e);
}

static void udp(struct pkt *p, unsigned sport, unsigned dport, size_t len)
{
	put16(p, sport);
	put16(p, dport);
	put16(p, (unsigned)(8 + len));
	put16(p, 0);
}

/* The inner packet every tunnel carries: UDP 5555 -> dport. */
static void inner_udp(struct pkt *p, int l2, unsigned dport)
{
	if (l2)
		eth(p, 0x0800);
	ip4(p, 17, "10.99.0.1", "10.99.0.2", 8 + 4);
	udp(p, 5555, dport, 4);
	put(p, "skbs", 4);
}

static struct pkt vxlan(unsigned dport)
{
	struct pkt p = { .n = 0 };

	eth(&p, 0x0800);
	ip4(&p, 17, "192.0.2.1", "192.0.2.2", 8 + 8 + 14 + 32);
	udp(&p, 40000, 4789, 8 + 14 + 32);
	put32(&p, 0x08000000);
	put32(&p, 42 << 8);
	inner_udp(&p, 1, dport);
	return p;
}

TEST(packets_tcp_flag_letters)
{
	static const struct {
		__u8 f;
		const char *s;
	} t[] = {
		{ 0x02, "S" },  { 0x12, "S." }, { 0x10, "." },
		{ 0x14, "R." }, { 0x18, "P." }, { 0x11, "F." },
		{ 0x04, "R" },  { 0x00, "" },   { 0xff, "FSRP.UEW" },
	};
	char buf[16];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		headers_tcp_flags(t[i].f, buf, sizeof(buf));
		CHECK_STR(buf, t[i].s);
	}
}

static struct pkt arp(unsigned op)
{
	static const __u8 sha[6] = { 2, 0, 0, 0, 0, 1 }, tha[6] = { 0 };
	struct pkt p = { .n = 0 };

	eth(&p, 0x0806);
	put16(&p, 1);
	put16(&p, 0x0800);
	put16(&p, 0x0604);
	put16(&p, op);
	put(&p, sha, 6);
	put32(&p, 0x0a000002); /* 10.0.0.2 */
	put(&p, tha, 6);
	put32(&p, 0x0a000001); /* 10.0.0.1 */
	return p;
}

TEST(packets_arp_as_tcpdump_says)
{
	struct pkt p = arp(1);
	struct skbs_event ev = { 0 };
	char l[8][HDR_LINE], buf[128];
	size_t l4;
	int n;

	CHECK_INT(headers_tuple(p.b, p.n, 1, &ev, &l4), 0);
	CHECK(ev.flags & SKBS_EV_TUPLE);
	CHECK(ev.flags2 & SKBS_EV2_ARP);
	CHECK_INT(ev.l3_proto, 0x0806);
	CHECK_INT(ev.sport, 1);
	line_tuple(&ev, buf, sizeof(buf));
	CHECK_STR(buf, "arp who-has 10.0.0.1 tell 10.0.0.2");
	n = headers_decode(p.b, p.n, 1, l, 8);
	CHECK_INT(n, 3);
	CHECK_STR(l[1], "ARP   who-has 10.0.0.1 tell 10.0.0.2");
	CHECK_HAS(l[2], "sender 02:00:00:00:00:01 10.0.0.2");
	p = arp(2);
	CHECK_INT(headers_tuple(p.b, p.n, 1, &ev, &l4), 0);
	line_tuple(&ev, buf, sizeof(buf));
	CHECK_STR(buf, "arp reply 10.0.0.2 is-at 02:00:00:00:00:01");
	/* The bytes end early: said, not guessed. */
	n = headers_decode(p.b, p.n - 4, 1, l, 8);
	CHECK_HAS(l[1], "truncated");
	CHECK(headers_tuple(p.b, p.n - 4, 1, &ev, &l4) < 0);
}

TEST(packets_other_ethertypes_named)
{
	struct skbs_event ev = { 0 };
	char buf[64];

	ev.l3_proto = 0x88cc;
	line_tuple(&ev, buf, sizeof(buf));
	CHECK_STR(buf, "lldp(0x88cc)");
	ev.l3_proto = 0x1234;
	line_tuple(&ev, buf, sizeof(buf));
	CHECK_STR(buf, "ethertype 0x1234");
	/* IP with no tuple at this hook, and no protocol: nothing. */
	ev.l3_proto = 0x0800;
	line_tuple(&ev, buf, sizeof(buf));
	CHECK_STR(buf, "");
	ev.l3_proto = 0;
	line_tuple(&ev, buf, sizeof(buf));
	CHECK_STR(buf, "");
}

TEST(packets_vlan_tuple)
{
	struct pkt p = { .n = 0 };
	struct skbs_event ev = { 0 };
	char buf[128];
	size_t l4;

	eth(&p, 0x8100);
	put16(&p, 5);
	put16(&p, 0x0800);
	inner_udp(&p, 0, 7401);
	CHECK_INT(headers_tuple(p.b, p.n, 1, &ev, &l4), 0);
	CHECK_INT(l4, 14 + 4 + 20);
	line_tuple(&ev, buf, sizeof(buf));
	CHECK_STR(buf, "10.99.0.1:5555->10.99.0.2:7401(udp)");
}

TEST(packets_tcp_flags_in_tuple)
{
	struct pkt p = { .n = 0 };
	struct skbs_event ev = { 0 };
	char buf[128];
	size_t l4;

	ip4(&p, 6, "10.0.0.1", "10.0.0.2", 20);
	put16(&p, 40000);
	put16(&p, 80);
	put32(&p, 1);
	put32(&p, 0);
	put16(&p, 0x5012); /* data offset 5, SYN+ACK */
	put16(&p, 1000);
	put32(&p, 0);
	CHECK_INT(headers_tuple(p.b, p.n, 0, &ev, &l4), 0);
	CHECK(ev.flags2 & SKBS_EV2_TCP_FLAGS);
	CHECK_INT(ev.tcp_flags, 0x12);
	line_tuple_flags(&ev, 1, buf, sizeof(buf));
	CHECK_STR(buf, "10.0.0.1:40000->10.0.0.2:80(tcp)[S.]");
	line_tuple_flags(&ev, 0, buf, sizeof(buf));
	CHECK_STR(buf, "10.0.0.1:40000->10.0.0.2:80(tcp)");
}

TEST(packets_vxlan_outer_and_inner)
{
	struct pkt p = vxlan(7101);
	struct hdr_tunnel t;
	struct skbs_event ev = { .flags = SKBS_EV_HDR_L2 };
	char l[16][HDR_LINE], buf[192];
	int n;

	CHECK_INT(headers_tunnel(p.b, p.n, 1, &t), 1);
	CHECK_STR(t.kind, "vxlan");
	CHECK_INT(t.id, 42);
	CHECK_INT(t.inner_l2, 1);
	CHECK_INT(t.inner_ok, 1);
	CHECK_INT(t.outer.dport, 4789);
	CHECK_INT(t.inner.dport, 7101);
	ev.hdr_len = (__u16)p.n;
	line_tunnel(&ev, p.b, 0, buf, sizeof(buf));
	CHECK_STR(buf,
		  "vxlan vni 42 inner 10.99.0.1:5555->10.99.0.2:7101(udp)");
	/* Cut before the inner L3 header: the tunnel, not the tuple. */
	ev.hdr_len = 14 + 20 + 8 + 8 + 14 + 10;
	line_tunnel(&ev, p.b, 0, buf, sizeof(buf));
	CHECK_STR(buf, "vxlan vni 42 inner (not captured: --snaplen)");
	n = headers_decode(p.b, p.n, 1, l, 16);
	CHECK(n >= 8);
	CHECK_STR(l[4], "vxlan vni 42; the inner packet:");
	CHECK_HAS(l[6], "IPv4  10.99.0.1 -> 10.99.0.2");
	/* Not a tunnel: UDP to another port. */
	p.b[14 + 20 + 3] = 0x90;
	CHECK_INT(headers_tunnel(p.b, p.n, 1, &t), 0);
}

TEST(packets_geneve_gre_ipip)
{
	struct pkt p = { .n = 0 };
	struct hdr_tunnel t;

	/* Geneve with a 4-byte option, an Ethernet frame inside. */
	eth(&p, 0x0800);
	ip4(&p, 17, "192.0.2.1", "192.0.2.2", 8 + 12 + 46);
	udp(&p, 40000, 6081, 12 + 46);
	put32(&p, 0x01006558);
	put32(&p, 77 << 8);
	put32(&p, 0x01010100);
	inner_udp(&p, 1, 7201);
	CHECK_INT(headers_tunnel(p.b, p.n, 1, &t), 1);
	CHECK_STR(t.kind, "geneve");
	CHECK_INT(t.id, 77);
	CHECK_INT(t.inner.dport, 7201);
	/* GRE with a key, IPv4 inside; seen from the IP header. */
	p.n = 0;
	ip4(&p, 47, "192.0.2.1", "192.0.2.2", 8 + 32);
	put32(&p, 0x20000800);
	put32(&p, 99);
	inner_udp(&p, 0, 7202);
	CHECK_INT(headers_tunnel(p.b, p.n, 0, &t), 1);
	CHECK_STR(t.kind, "gre");
	CHECK_INT(t.has_id, 1);
	CHECK_INT(t.id, 99);
	CHECK_INT(t.inner_l2, 0);
	CHECK_INT(t.inner.dport, 7202);
	/* GRE version 1 (PPTP) is not a tunnel we read. */
	p.b[21] = 1;
	CHECK_INT(headers_tunnel(p.b, p.n, 0, &t), 0);
	/* GRE transparent Ethernet bridging. */
	p.n = 0;
	ip4(&p, 47, "192.0.2.1", "192.0.2.2", 4 + 46);
	put32(&p, 0x00006558);
	inner_udp(&p, 1, 7203);
	CHECK_INT(headers_tunnel(p.b, p.n, 0, &t), 1);
	CHECK_INT(t.has_id, 0);
	CHECK_INT(t.inner_l2, 1);
	CHECK_INT(t.inner.dport, 7203);
	/* IPIP. */
	p.n = 0;
	ip4(&p, 4, "192.0.2.1", "192.0.2.2", 32);
	inner_udp(&p, 0, 7204);
	CHECK_INT(headers_tunnel(p.b, p.n, 0, &t), 1);
	CHECK_STR(t.kind, "ipip");
	CHECK_INT(t.inner.dport, 7204);
}

/* The interpreter from an inner header, as bpf/tunnel.bpf.h runs it,
 * against libpcap's own verdict on the same bytes. */
TEST(packets_interpreter_from_inner_header)
{
	struct skbs_cbpf_insn l2[SKBS_CBPF_MAX], l3[SKBS_CBPF_MAX];
	const char *expr = "udp and dst port 7101";
	char err[256];
	int n2 = pcapexpr_compile_one(expr, 1, l2, SKBS_CBPF_MAX, err,
				      sizeof(err)),
	    n3 = pcapexpr_compile_one(expr, 0, l3, SKBS_CBPF_MAX, err,
				      sizeof(err));
	const size_t in = 14 + 20 + 8 + 8;

	CHECK(n2 > 0 && n3 > 0);
	for (unsigned port = 7101; port <= 7102; port++) {
		struct pkt p = vxlan(port);
		int want = port == 7101;

		CHECK_INT(pcapexpr_reference(expr, 1, p.b + in, p.n - in),
			  want);
		CHECK_INT(!!cbpf_run(l2, (__u32)n2, p.b + in,
				     (__u32)(p.n - in)),
			  want);
		CHECK_INT(!!cbpf_run(l3, (__u32)n3, p.b + in + 14,
				     (__u32)(p.n - in - 14)),
			  want);
		/* The outer packet itself is UDP to 4789: no match. */
		CHECK_INT(cbpf_run(l2, (__u32)n2, p.b, (__u32)p.n), 0);
	}
}

/* A packet seen from its network header that is not IP runs the Ethernet
 * program over a made-up Ethernet header of its type (bpf/filter.bpf.h
 * cbpf_run_at): terms on the type match, addresses do not. */
TEST(packets_made_up_ethernet_header)
{
	struct skbs_cbpf_insn prog[SKBS_CBPF_MAX];
	struct pkt p = arp(1), q = { .n = 0 };
	static const __u8 zero[12];
	char err[256];
	int n;

	put(&q, zero, 12);
	put16(&q, 0x0806);
	put(&q, p.b + 14, p.n - 14);
	n = pcapexpr_compile_one("arp", 1, prog, SKBS_CBPF_MAX, err,
				 sizeof(err));
	CHECK(n > 0);
	CHECK(cbpf_run(prog, (__u32)n, q.b, (__u32)q.n) != 0);
	n = pcapexpr_compile_one("arp[6:2] = 1 and arp host 10.0.0.1", 1, prog,
				 SKBS_CBPF_MAX, err, sizeof(err));
	CHECK(n > 0);
	CHECK(cbpf_run(prog, (__u32)n, q.b, (__u32)q.n) != 0);
	n = pcapexpr_compile_one("arp and ether src 02:00:00:00:00:01", 1, prog,
				 SKBS_CBPF_MAX, err, sizeof(err));
	CHECK(n > 0);
	CHECK_INT(cbpf_run(prog, (__u32)n, q.b, (__u32)q.n), 0);
	CHECK(cbpf_run(prog, (__u32)n, p.b, (__u32)p.n) != 0);
}

TEST(packets_filter_bar_tunnel_terms)
{
	struct skbs_filter f;
	char err[256], buf[2400];
	int off;

	filter_init(&f);
	CHECK_INT(filter_parse("udp port 4789 ; tunnel-l3 udp and dst port "
			       "7101",
			       "/x", &f, err, sizeof(err), &off),
		  0);
	CHECK_INT(f.flags, SKBS_F_PCAP | SKBS_F_TUN_L3);
	CHECK_STR(f.pcap_text, "udp port 4789");
	CHECK_STR(f.tun_text_l3, "udp and dst port 7101");
	filter_format(&f, buf, sizeof(buf));
	CHECK_STR(buf, "pcap udp port 4789 ; tunnel-l3 udp and dst port 7101");
	CHECK_INT(filter_parse(buf, "/x", &f, err, sizeof(err), &off), 0);
	CHECK_INT(f.flags, SKBS_F_PCAP | SKBS_F_TUN_L3);
	/* "tunnel" is l3; both kinds, after one of our terms. */
	CHECK_INT(filter_parse("dport 4789 and tunnel-l2 ip ; tunnel tcp", "/x",
			       &f, err, sizeof(err), &off),
		  0);
	CHECK_INT(f.flags, SKBS_F_DPORT | SKBS_F_TUN_L2 | SKBS_F_TUN_L3);
	CHECK_STR(f.tun_text_l2, "ip");
	CHECK_STR(f.tun_text_l3, "tcp");
	filter_format(&f, buf, sizeof(buf));
	CHECK_STR(buf, "dport 4789 and tunnel-l2 ip ; tunnel-l3 tcp");
	CHECK(f.tun_len_l2 > 0 && f.tun_len_l3 > 0);
	/* Errors: named, f kept. */
	CHECK_INT(filter_parse("tunnel-l3 udp and", "/x", &f, err, sizeof(err),
			       &off),
		  -EINVAL);
	CHECK_HAS(err, "tunnel-l3: syntax error");
	CHECK_INT(filter_parse("tunnel-l3", "/x", &f, err, sizeof(err), &off),
		  -EINVAL);
	CHECK_HAS(err, "missing expression");
	CHECK_INT(filter_parse("tunnel-l3 udp ; tunnel-l3 tcp", "/x", &f, err,
			       sizeof(err), &off),
		  -EINVAL);
	CHECK_HAS(err, "'tunnel-l3' given twice");
	CHECK_INT(f.flags, SKBS_F_DPORT | SKBS_F_TUN_L2 | SKBS_F_TUN_L3);
	/* Cleared by a filter without them. */
	CHECK_INT(filter_parse("udp", "/x", &f, err, sizeof(err), &off), 0);
	CHECK_INT(f.flags, SKBS_F_PCAP);
}

TEST(packets_json_arp_tunnel_flags)
{
	struct pkt p = vxlan(7101), a = arp(1);
	struct skbs_event ev = { 0 };
	struct line_opts o = { .tunnel = 1, .tcp_flags = 1 };
	struct line_out *lo;
	struct hooks *h;
	char buf[4096];
	size_t l4;

	CHECK_INT(hooks_new(&h), 0);
	CHECK_INT(line_out_new(&o, h, NULL, &lo), 0);
	CHECK_INT(headers_tuple(p.b, p.n, 1, &ev, &l4), 0);
	ev.flags |= SKBS_EV_HDR_L2;
	ev.hdr_len = (__u16)p.n;
	json_format_tail(lo, &ev, (const char *)p.b, NULL, -1, NULL, buf,
			 sizeof(buf));
	CHECK_HAS(buf, "\"tunnel\":{\"kind\":\"vxlan\",\"vni\":42,\"outer\":{"
		       "\"saddr\":\"192.0.2.1\",\"daddr\":\"192.0.2.2\","
		       "\"sport\":40000,\"dport\":4789,\"proto\":\"udp\"},"
		       "\"inner\":{\"saddr\":\"10.99.0.1\"");
	line_format_tail(lo, &ev, (const char *)p.b, buf, sizeof(buf));
	CHECK_HAS(buf, " tunnel vxlan vni 42 inner 10.99.0.1:5555->");
	/* Without the bytes: no tunnel member. */
	json_format(lo, &ev, NULL, -1, NULL, buf, sizeof(buf));
	CHECK(!strstr(buf, "tunnel"));
	memset(&ev, 0, sizeof(ev));
	CHECK_INT(headers_tuple(a.b, a.n, 1, &ev, &l4), 0);
	json_format(lo, &ev, NULL, -1, NULL, buf, sizeof(buf));
	CHECK_HAS(buf, "\"arp\":{\"op\":1,\"sender_ip\":\"10.0.0.2\","
		       "\"sender_mac\":\"02:00:00:00:00:01\","
		       "\"target_ip\":\"10.0.0.1\"");
	CHECK_HAS(buf, "\"desc\":\"arp who-has 10.0.0.1 tell 10.0.0.2\"");
	CHECK(!strstr(buf, "\"tuple\""));
	line_out_free(lo);
	hooks_free(h);
}

/* The explorer's tuple column and detail pane take the hop's copy of the
 * event: ARP described, TCP flags always shown. */
TEST(packets_explorer_tuple)
{
	struct pkt a = arp(2);
	struct skbs_event ev = { 0 };
	struct hop h = { 0 };
	char buf[128];
	size_t l4;

	CHECK_INT(headers_tuple(a.b, a.n, 1, &ev, &l4), 0);
	h.flags = ev.flags;
	h.flags2 = ev.flags2;
	h.l3_proto = ev.l3_proto;
	h.sport = ev.sport;
	memcpy(h.saddr, ev.saddr, 16);
	memcpy(h.daddr, ev.daddr, 16);
	fmt_tuple(&h, buf, sizeof(buf));
	CHECK_STR(buf, "arp reply 10.0.0.2 is-at 02:00:00:00:00:01");
	memset(&h, 0, sizeof(h));
	h.flags = SKBS_EV_TUPLE;
	h.flags2 = SKBS_EV2_TCP_FLAGS;
	h.tcp_flags = 0x14;
	h.l3_proto = 0x0800;
	h.l4_proto = 6;
	h.sport = 80;
	h.dport = 40000;
	h.saddr[0] = 10, h.saddr[3] = 2;
	h.daddr[0] = 10, h.daddr[3] = 1;
	fmt_tuple(&h, buf, sizeof(buf));
	CHECK_STR(buf, "10.0.0.2:80->10.0.0.1:40000(tcp)[R.]");
}
