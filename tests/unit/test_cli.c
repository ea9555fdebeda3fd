// SPDX-License-Identifier: GPL-2.0
/* core/cli: flags into struct cli; bad values named in the message. */
#include <arpa/inet.h>
#include <unistd.h>
#include "app/cli.h"
#include "test.h"

#define ARGV(...) ((char *[]){ "skbscope", __VA_ARGS__, NULL })
#define ARGC(...) \
	((int)(sizeof((char *[]){ "skbscope", __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(c, err, ...) \
	cli_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), c, err, sizeof(err))

TEST(cli_defaults)
{
	struct cli c;
	char err[256];
	char *argv[] = { "skbscope", NULL };

	CHECK_INT(cli_parse(1, argv, &c, err, sizeof(err)), 0);
	CHECK_STR(c.backend, "auto");
	CHECK_INT(c.meta, 1);
	CHECK_INT(c.tuple, 1);
	CHECK_INT(c.stack, 0);
	CHECK_INT(c.ts, TS_NONE);
	CHECK_INT(c.ringbuf_bytes, 4 << 20);
	CHECK_INT(c.filter.flags, 0);
}

TEST(cli_classic_pwru_flags)
{
	struct cli c;
	char err[256];
	__u8 want[4];

	CHECK_INT(PARSE(&c, err, "--filter-dst-ip", "10.0.0.2",
			"--filter-dst-port", "80", "--filter-proto", "tcp",
			"--filter-mark", "0x10/0xff", "--output-stack",
			"--output-meta=false", "--output-relative-timestamp",
			"--output-limit-lines", "12", "--ringbuf-size", "8M",
			"--backend", "tracepoint", "--filter-func",
			"kfree|consume"),
		  0);
	CHECK(c.filter.flags & SKBS_F_DADDR);
	inet_pton(AF_INET, "10.0.0.2", want);
	CHECK(!memcmp(c.filter.daddr, want, 4));
	CHECK_INT(c.filter.dport, 80);
	CHECK_INT(c.filter.proto, 6);
	CHECK_INT(c.filter.mark, 0x10);
	CHECK_INT(c.filter.mark_mask, 0xff);
	CHECK_INT(c.stack, 1);
	CHECK_INT(c.meta, 0);
	CHECK_INT(c.ts, TS_RELATIVE);
	CHECK_INT(c.limit_lines, 12);
	CHECK_INT(c.ringbuf_bytes, 8 << 20);
	CHECK_STR(c.backend, "tracepoint");
	CHECK_STR(c.func_regex, "kfree|consume");
}

TEST(cli_timestamp_modes)
{
	struct cli c;
	char err[256];

	CHECK_INT(PARSE(&c, err, "--timestamp", "absolute"), 0);
	CHECK_INT(c.ts, TS_ABSOLUTE);
	CHECK_INT(PARSE(&c, err, "--timestamp", "current"), 0);
	CHECK_INT(c.ts, TS_CURRENT);
	CHECK_INT(PARSE(&c, err, "--timestamp", "later"), -EINVAL);
	CHECK_HAS(err, "--timestamp");
	CHECK_HAS(err, "'later'");
}

TEST(cli_bad_values_named)
{
	struct cli c;
	char err[256];

	CHECK_INT(PARSE(&c, err, "--ringbuf-size", "3000"), -EINVAL);
	CHECK_HAS(err, "--ringbuf-size");
	CHECK_HAS(err, "'3000'");
	CHECK_INT(PARSE(&c, err, "--ringbuf-size", "-4096"), -EINVAL);
	CHECK_INT(PARSE(&c, err, "--ringbuf-size", "99999999999999999999"),
		  -EINVAL);
	CHECK_INT(PARSE(&c, err, "--output-limit-lines", "1k"), -EINVAL);
	CHECK_HAS(err, "'1k'");
	CHECK_INT(PARSE(&c, err, "--output-limit-lines", ""), -EINVAL);
	CHECK_INT(PARSE(&c, err, "--backend", "ebpf"), -EINVAL);
	CHECK_HAS(err, "'ebpf'");
	CHECK_INT(PARSE(&c, err, "--filter-dst-port"), -EINVAL);
	CHECK_HAS(err, "--filter-dst-port");
	CHECK_HAS(err, "missing value");
	CHECK_INT(PARSE(&c, err, "--bogus"), -EINVAL);
	CHECK_HAS(err, "'--bogus'");
	CHECK_INT(PARSE(&c, err, "tcp", "and"), -EINVAL);
	CHECK_HAS(err, "'tcp and'");
	CHECK_HAS(err, "syntax error");
	/* words after the flags are one pcap-filter expression */
	CHECK_INT(PARSE(&c, err, "--filter-dst-port", "7001", "udp", "and",
			"dst", "host", "10.0.0.2"),
		  0);
	CHECK_INT(c.filter.flags, SKBS_F_DPORT | SKBS_F_PCAP);
	CHECK_STR(c.filter.pcap_text, "udp and dst host 10.0.0.2");
	CHECK_INT(PARSE(&c, err, "--output-stack=perhaps"), -EINVAL);
	CHECK_HAS(err, "'perhaps'");
	CHECK_INT(PARSE(&c, err, "--filter-src-ip", "1.2.3.4/40"), -EINVAL);
	CHECK_HAS(err, "1.2.3.4/40");
}

/* Issue #16's expressions, metadata and --kernel-btf, against the host's
 * BTF (the flags compile once all are read, so order does not matter). */
TEST(cli_skb_expressions)
{
	struct cli c;
	char err[512];

	if (access("/sys/kernel/btf/vmlinux", R_OK))
		SKIP("no /sys/kernel/btf/vmlinux on this machine");
	CHECK_INT(PARSE(&c, err, "--filter-skb-expr",
			"skb->mark == 0x40 && skb->dev->ifindex == 3"),
		  0);
	CHECK(c.filter.flags & SKBS_F_SKB_EXPR);
	CHECK_STR(c.filter.skb_expr_text,
		  "skb->mark == 0x40 && skb->dev->ifindex == 3");
	CHECK_INT(PARSE(&c, err, "--filter-xdp-expr",
			"xdp->rxq->dev->ifindex == 2"),
		  0);
	CHECK(c.filter.flags & SKBS_F_XDP_EXPR);
	CHECK_INT(PARSE(&c, err, "--output-skb-metadata", "skb->mark,skb->len"),
		  0);
	CHECK_INT(c.filter.nmeta, 2);
	CHECK(c.filter.output & SKBS_O_META);
	CHECK_STR(c.filter.meta_text, "skb->mark,skb->len");
	CHECK_INT(PARSE(&c, err, "--filter-skb-expr", "skb->nosuch == 1"),
		  -EINVAL);
	CHECK_STR(err, "--filter-skb-expr 'skb->nosuch == 1': skb->nosuch: "
		       "struct sk_buff has no member nosuch");
	CHECK_INT(PARSE(&c, err, "--filter-skb-expr", "skb->len->x == 1"),
		  -EINVAL);
	CHECK_HAS(err, "skb->len: not a pointer");
	CHECK_INT(PARSE(&c, err, "--filter-skb-expr", "skb->cb == 1"), -EINVAL);
	CHECK_HAS(err, "skb->cb: not an integer or a pointer (char[48])");
	CHECK_INT(PARSE(&c, err, "--filter-skb-expr", " "), -EINVAL);
	CHECK_HAS(err, "--filter-skb-expr: empty value");
	CHECK_INT(PARSE(&c, err, "--filter-skb-expr", "skb->len > 1",
			"--filter-skb-expr", "skb->len > 2"),
		  -EINVAL);
	CHECK_HAS(err, "given twice");
	CHECK_INT(PARSE(&c, err, "--filter-xdp-expr", "skb->len > 1"), -EINVAL);
	CHECK_HAS(err, "expected a field of xdp");
	CHECK_INT(PARSE(&c, err, "--output-skb-metadata", "skb->a,skb->len"),
		  -EINVAL);
	CHECK_HAS(err, "skb->a: struct sk_buff has no member a");
	CHECK_INT(PARSE(&c, err, "--output-skb-metadata",
			"skb->len,skb->len,skb->len,skb->len,skb->len"),
		  -EINVAL);
	CHECK_HAS(err, "at most 4 fields");
	/* --kernel-btf after the expression still decides where it looks. */
	CHECK_INT(PARSE(&c, err, "--filter-skb-expr", "skb->len > 1",
			"--kernel-btf", "/etc/passwd"),
		  -EINVAL);
	CHECK_HAS(err, "--kernel-btf /etc/passwd: cannot read BTF");
	CHECK_INT(PARSE(&c, err, "--kernel-btf", "/nonexistent/vmlinux"),
		  -EINVAL);
	CHECK_STR(err, "--kernel-btf '/nonexistent/vmlinux': No such file or "
		       "directory");
	CHECK_INT(PARSE(&c, err, "--kernel-btf", "/tmp"), -EINVAL);
	CHECK_HAS(err, "not a regular file");
	CHECK_INT(PARSE(&c, err, "--kernel-btf", "/sys/kernel/btf/vmlinux",
			"--filter-skb-expr", "skb->len > 1"),
		  0);
	CHECK_STR(c.kernel_btf, "/sys/kernel/btf/vmlinux");
}

TEST(cli_tunnels_and_tcp_flags)
{
	struct cli c;
	char err[256];

	CHECK_INT(PARSE(&c, err, "--filter-tunnel-pcap-l2", "ip and udp",
			"--filter-tunnel-pcap-l3", "udp dst port 7101",
			"--output-tcp-flags", "--output-tunnel",
			"udp port 4789"),
		  0);
	CHECK_INT(c.filter.flags, SKBS_F_PCAP | SKBS_F_TUN_L2 | SKBS_F_TUN_L3);
	CHECK_STR(c.filter.tun_text_l2, "ip and udp");
	CHECK_STR(c.filter.tun_text_l3, "udp dst port 7101");
	CHECK(c.filter.tun_len_l2 > 1 && c.filter.tun_len_l3 > 1);
	CHECK_INT(c.tcp_flags, 1);
	CHECK_INT(c.tunnel, 1);
	CHECK_INT(PARSE(&c, err, "--output-tcp-flags=false"), 0);
	CHECK_INT(c.tcp_flags, 0);
	CHECK_INT(PARSE(&c, err, "--filter-tunnel-pcap-l3", "udp and"),
		  -EINVAL);
	CHECK_HAS(err, "--filter-tunnel-pcap-l3: pcap-filter 'udp and'");
	CHECK_HAS(err, "syntax error");
	CHECK_INT(PARSE(&c, err, "--filter-tunnel-pcap-l2", " "), -EINVAL);
	CHECK_HAS(err, "--filter-tunnel-pcap-l2: empty expression");
	/* Ethernet terms have no meaning from the inner IP header. */
	CHECK_INT(PARSE(&c, err, "--filter-tunnel-pcap-l3", "arp"), -EINVAL);
	CHECK_HAS(err, "--filter-tunnel-pcap-l3");
	CHECK_INT(PARSE(&c, err, "--output-tunnel=sometimes"), -EINVAL);
	CHECK_HAS(err, "--output-tunnel: invalid value 'sometimes'");
}

/* --filter-track-skb-by-stackid, --filter-non-skb-funcs (issue #16): on,
 * off, bad values named, and the non-skb functions need a regex. */
TEST(cli_stack_tracking)
{
	struct cli c;
	char err[256];

	CHECK_INT(PARSE(&c, err, "--filter-track-skb-by-stackid"), 0);
	CHECK_INT(c.track_stackid, 1);
	CHECK_INT(c.non_skb, 0);
	CHECK_INT(PARSE(&c, err, "--filter-track-skb-by-stackid=false"), 0);
	CHECK_INT(c.track_stackid, 0);
	CHECK_INT(PARSE(&c, err, "--filter-non-skb-funcs", "--filter-func",
			"^ipv4_mtu$"),
		  0);
	CHECK_INT(c.non_skb, 1);
	CHECK_STR(c.func_regex, "^ipv4_mtu$");
	/* the order of the two does not matter */
	CHECK_INT(PARSE(&c, err, "--filter-func", "ip_route",
			"--filter-non-skb-funcs=true"),
		  0);
	CHECK_INT(c.non_skb, 1);
	CHECK_INT(PARSE(&c, err, "--filter-non-skb-funcs=false"), 0);
	CHECK_INT(c.non_skb, 0);
	CHECK_INT(PARSE(&c, err, "--filter-non-skb-funcs"), -EINVAL);
	CHECK_HAS(err, "--filter-non-skb-funcs");
	CHECK_HAS(err, "--filter-func");
	CHECK_INT(PARSE(&c, err, "--filter-track-skb-by-stackid=2"), -EINVAL);
	CHECK_HAS(err, "--filter-track-skb-by-stackid");
	CHECK_HAS(err, "'2'");
	CHECK_INT(PARSE(&c, err, "--filter-non-skb-funcs=on", "--filter-func",
			"x"),
		  -EINVAL);
	CHECK_HAS(err, "'on'");
}
