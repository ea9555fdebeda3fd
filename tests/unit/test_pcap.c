// SPDX-License-Identifier: GPL-2.0
/* The interpreter the kernel runs (bpf/cbpf.bpf.h, through cbpf_run)
 * gives libpcap's own verdicts, on packets built here, for the programs
 * skbscope sends to the kernel; and filter text carries pcap-filter
 * expressions. */
#include <arpa/inet.h>
#include <stdint.h>
#include "core/cbpf.h"
#include "core/filter.h"
#include "core/pcapexpr.h"
#include "test.h"

struct pkt {
	__u8 b[128];
	size_t len; /* from the Ethernet header */
	size_t l3;  /* offset of the IP header */
};

static void put16(__u8 *p, unsigned v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* Ethernet + IPv4 + UDP/TCP/ICMP, or Ethernet + IPv6 + UDP/TCP. */
static void build(struct pkt *p, int v6, int proto, const char *src,
		  const char *dst, unsigned sport, unsigned dport)
{
	__u8 *ip, *l4;
	size_t iphl = v6 ? 40 : 20, l4len = proto == 6 ? 20 : 8;

	memset(p, 0, sizeof(*p));
	memcpy(p->b, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
	put16(p->b + 12, v6 ? 0x86dd : 0x0800);
	p->l3 = 14;
	ip = p->b + 14;
	l4 = ip + iphl;
	if (v6) {
		ip[0] = 0x60;
		put16(ip + 4, (unsigned)l4len);
		ip[6] = (__u8)proto;
		ip[7] = 64;
		inet_pton(AF_INET6, src, ip + 8);
		inet_pton(AF_INET6, dst, ip + 24);
	} else {
		ip[0] = 0x45;
		put16(ip + 2, (unsigned)(iphl + l4len));
		ip[8] = 64;
		ip[9] = (__u8)proto;
		inet_pton(AF_INET, src, ip + 12);
		inet_pton(AF_INET, dst, ip + 16);
	}
	if (proto == 1) {
		l4[0] = 8; /* echo request */
	} else {
		put16(l4, sport);
		put16(l4 + 2, dport);
		if (proto == 6)
			l4[12] = 5 << 4, l4[13] = 0x02; /* SYN */
	}
	p->len = 14 + iphl + l4len;
}

/* Same verdict as libpcap, from the Ethernet header and from the IP
 * header. Returns the Ethernet verdict. */
static int agree(const char *expr, const struct pkt *p, int *ok)
{
	struct skbs_cbpf_insn prog[SKBS_CBPF_MAX];
	char err[256];
	int n, mine, ref, l2v = -1;

	*ok = 1;
	for (int l2 = 1; l2 >= 0; l2--) {
		const __u8 *start = l2 ? p->b : p->b + p->l3;
		size_t len = l2 ? p->len : p->len - p->l3;

		n = pcapexpr_compile_one(expr, l2, prog, SKBS_CBPF_MAX, err,
					 sizeof(err));
		if (n == -EINVAL && !l2)
			continue; /* Ethernet-only: pcapexpr_set rejects all */
		if (n <= 0) {
			fprintf(stderr, "    compile '%s': %s\n", expr, err);
			*ok = 0;
			return -1;
		}
		mine = cbpf_run(prog, (__u32)n, start, (__u32)len) != 0;
		ref = pcapexpr_reference(expr, l2, start, len);
		if (mine != ref) {
			fprintf(stderr, "    '%s' (%s): twin %d, libpcap %d\n",
				expr, l2 ? "ethernet" : "raw ip", mine, ref);
			*ok = 0;
		}
		if (l2)
			l2v = mine;
	}
	return l2v;
}

TEST(pcap_twin_matches_libpcap)
{
	static const char *const exprs[] = {
		"udp and dst port 7001",
		"tcp",
		"udp",
		"icmp",
		"ip6",
		"ip6 and udp dst port 7003",
		"host 10.0.0.1",
		"src net 10.0.0.0/8 and not dst host 10.0.0.9",
		"tcp[tcpflags] & tcp-syn != 0",
		"portrange 7000-7002",
		"ip[8] = 64",
		"len > 40",
		"udp[2:2] = 7001 or tcp port 80",
		"ip and (udp or icmp)",
		"ether src 02:00:00:00:00:01",
		"ip6 and tcp and dst port 443",
		"greater 60",
		"not udp",
	};
	struct pkt pk[6];
	int ok, all = 1, matched = 0;

	build(&pk[0], 0, 17, "10.0.0.1", "10.0.0.2", 40000, 7001);
	build(&pk[1], 0, 17, "10.0.0.1", "10.0.0.2", 40000, 7002);
	build(&pk[2], 0, 6, "10.0.0.9", "10.0.0.1", 1234, 80);
	build(&pk[3], 0, 1, "192.168.0.1", "10.0.0.2", 0, 0);
	build(&pk[4], 1, 17, "fd00::1", "fd00::2", 5000, 7003);
	build(&pk[5], 1, 6, "fd00::1", "fd00::2", 5000, 443);
	for (size_t e = 0; e < sizeof(exprs) / sizeof(exprs[0]); e++)
		for (size_t i = 0; i < 6; i++) {
			matched += agree(exprs[e], &pk[i], &ok) == 1;
			all &= ok;
		}
	CHECK(all);
	/* Not a vacuous agreement: some packets matched, some did not. */
	CHECK(matched > 10 && matched < 18 * 6 - 10);
	/* The headline case, spelled out. */
	CHECK_INT(agree("udp and dst port 7001", &pk[0], &ok), 1);
	CHECK_INT(agree("udp and dst port 7001", &pk[1], &ok), 0);
	CHECK_INT(agree("tcp", &pk[0], &ok), 0);
	CHECK_INT(agree("ip6 and udp dst port 7003", &pk[4], &ok), 1);
}

TEST(pcap_twin_truncated_packets_reject)
{
	struct pkt p;
	int ok;

	build(&p, 0, 17, "10.0.0.1", "10.0.0.2", 40000, 7001);
	/* Cut inside the UDP header: libpcap rejects, and so must we. */
	p.len = 14 + 20 + 2;
	CHECK_INT(agree("udp and dst port 7001", &p, &ok), 0);
	CHECK(ok);
}

/* Found by tests/fuzz/fuzz_cbpf.c: an indexed load whose X + k wraps past
 * 2^32 must reject, as libpcap does, not read from the packet's start. */
TEST(pcap_twin_indexed_load_does_not_wrap)
{
	struct pkt p;
	int ok;

	/* X = the source address, 0xfffffff2; X + 14 wraps to 0, where the
	 * destination MAC's first byte (2) would make "!= 0" true. */
	build(&p, 0, 17, "255.255.255.242", "10.0.0.2", 40000, 7001);
	CHECK_INT(agree("ip[ip[12:4]] != 0", &p, &ok), 0);
	CHECK(ok);
}

TEST(pcap_compile_errors)
{
	struct skbs_cbpf_insn prog[SKBS_CBPF_MAX];
	struct skbs_filter f;
	char err[256];

	CHECK_INT(pcapexpr_compile_one("udp and", 1, prog, SKBS_CBPF_MAX, err,
				       sizeof(err)),
		  -EINVAL);
	CHECK_HAS(err, "syntax error");
	/* Longer than the interpreter runs: refused, not truncated. */
	CHECK_INT(pcapexpr_compile_one("udp and dst port 7001", 1, prog, 4, err,
				       sizeof(err)),
		  -E2BIG);
	CHECK_HAS(err, "at most 4");
	filter_init(&f);
	CHECK_INT(pcapexpr_set(&f, "udp", err, sizeof(err)), 0);
	CHECK(f.flags & SKBS_F_PCAP);
	/* A refused expression leaves the one in force. */
	CHECK(pcapexpr_set(&f, "port 99999999", err, sizeof(err)) < 0);
	CHECK_STR(f.pcap_text, "udp");
	/* Ethernet-only: runs from the MAC header, rejects from the IP one */
	CHECK_INT(pcapexpr_set(&f, "ether src 02:00:00:00:00:01", err,
			       sizeof(err)),
		  0);
	CHECK(f.pcap_len_l2 > 1);
	CHECK_INT(f.pcap_len_l3, 1);
	CHECK_INT(cbpf_run(f.pcap_l3, f.pcap_len_l3, (const __u8 *)"E", 1), 0);
	CHECK_INT(pcapexpr_set(&f, "", err, sizeof(err)), 0);
	CHECK_INT(f.flags & SKBS_F_PCAP, 0);
}

TEST(pcap_in_filter_text)
{
	struct skbs_filter f;
	char err[256], buf[1200];
	int off;

	filter_init(&f);
	/* tcpdump syntax from the start */
	CHECK_INT(filter_parse("udp and dst port 7001", "/x", &f, err,
			       sizeof(err), &off),
		  0);
	CHECK_INT(f.flags, SKBS_F_PCAP);
	filter_format(&f, buf, sizeof(buf));
	CHECK_STR(buf, "pcap udp and dst port 7001");
	/* our terms first, then an expression: ANDed */
	CHECK_INT(filter_parse("dport 7001 and tcp[13] & 2 != 0", "/x", &f, err,
			       sizeof(err), &off),
		  0);
	CHECK_INT(f.flags, SKBS_F_DPORT | SKBS_F_PCAP);
	filter_format(&f, buf, sizeof(buf));
	CHECK_STR(buf, "dport 7001 and pcap tcp[13] & 2 != 0");
	/* what filter_format prints parses back to the same filter */
	CHECK_INT(filter_parse(buf, "/x", &f, err, sizeof(err), &off), 0);
	CHECK_INT(f.flags, SKBS_F_DPORT | SKBS_F_PCAP);
	CHECK_STR(f.pcap_text, "tcp[13] & 2 != 0");
	/* "dst port 80" is tcpdump's, even though "dst" is ours */
	CHECK_INT(filter_parse("dst port 80", "/x", &f, err, sizeof(err), &off),
		  0);
	CHECK_INT(f.flags, SKBS_F_PCAP);
	/* a bad expression names libpcap's complaint, and f is kept */
	CHECK_INT(filter_parse("proto udp and frobnicate 3", "/x", &f, err,
			       sizeof(err), &off),
		  -EINVAL);
	CHECK_HAS(err, "unknown keyword 'frobnicate'");
	CHECK_HAS(err, "syntax error");
	CHECK_INT(off, 14);
	CHECK_INT(f.flags, SKBS_F_PCAP);
	CHECK_INT(filter_parse("pcap", "/x", &f, err, sizeof(err), &off),
		  -EINVAL);
	CHECK_HAS(err, "missing expression");
	CHECK_INT(filter_parse("pcap udp and", "/x", &f, err, sizeof(err),
			       &off),
		  -EINVAL);
	CHECK_INT(off, 5);
	/* clearing the text clears the expression */
	CHECK_INT(filter_parse("", "/x", &f, err, sizeof(err), &off), 0);
	CHECK_INT(f.flags, 0);
}
