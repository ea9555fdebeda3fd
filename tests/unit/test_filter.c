// SPDX-License-Identifier: GPL-2.0
/* core/filter: flag values and filter text. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include "core/filter.h"
#include "test.h"

TEST(filter_addresses)
{
	struct skbs_filter f;
	char err[256];
	__u8 want[16];

	filter_init(&f);
	CHECK_INT(filter_set_addr(&f, 1, "10.1.2.3/8", err, sizeof(err)), 0);
	inet_pton(AF_INET, "10.0.0.0", want);
	CHECK(!memcmp(f.daddr, want, 4));
	CHECK_INT(f.daddr_plen, 8);
	CHECK_INT(f.daddr_family, 4);
	CHECK(f.flags & SKBS_F_DADDR);
	/* An IPv6 source with an IPv4 destination can never match. */
	CHECK_INT(filter_set_addr(&f, 0, "fd00:1:2::7/48", err, sizeof(err)),
		  -EINVAL);
	CHECK_HAS(err, "no packet has both");
	CHECK(!(f.flags & SKBS_F_SADDR));
	filter_init(&f);
	CHECK_INT(filter_set_addr(&f, 0, "fd00:1:2::7/48", err, sizeof(err)),
		  0);
	inet_pton(AF_INET6, "fd00:1:2::", want);
	CHECK(!memcmp(f.saddr, want, 16));
	CHECK_INT(f.saddr_family, 6);
	CHECK_INT(filter_set_addr(&f, 0, "0.0.0.0/0", err, sizeof(err)), 0);
	CHECK_INT(filter_set_addr(&f, 0, "::/0", err, sizeof(err)), 0);
	CHECK_INT(filter_set_addr(&f, 0, "::ffff:1.2.3.4", err, sizeof(err)),
		  0);
	CHECK_INT(f.saddr_plen, 128);
	CHECK_INT(filter_set_addr(&f, 0, "1.2.3.4/33", err, sizeof(err)),
		  -EINVAL);
	CHECK_HAS(err, "'1.2.3.4/33'");
	CHECK_INT(filter_set_addr(&f, 0, "", err, sizeof(err)), -EINVAL);
	CHECK_INT(filter_set_addr(&f, 0, "1.2.3", err, sizeof(err)), -EINVAL);
	CHECK_INT(filter_set_addr(&f, 0, " 1.2.3.4", err, sizeof(err)),
		  -EINVAL);
	CHECK_INT(filter_set_addr(&f, 0, "1.2.3.4/", err, sizeof(err)),
		  -EINVAL);
	CHECK_INT(filter_set_addr(&f, 0, "1.2.3.4/-1", err, sizeof(err)),
		  -EINVAL);
	CHECK_INT(filter_set_addr(&f, 1, "::1/129", err, sizeof(err)), -EINVAL);
	CHECK_HAS(err, "--filter-dst-ip");
}

TEST(filter_ports_protos_marks)
{
	struct skbs_filter f;
	char err[256];

	filter_init(&f);
	CHECK_INT(filter_set_port(&f, 1, "65535", err, sizeof(err)), 0);
	CHECK_INT(f.dport, 65535);
	CHECK_INT(filter_set_port(&f, 0, "0", err, sizeof(err)), -EINVAL);
	CHECK_INT(filter_set_port(&f, 0, "-1", err, sizeof(err)), -EINVAL);
	CHECK_INT(filter_set_port(&f, 0, "65536", err, sizeof(err)), -EINVAL);
	CHECK_INT(filter_set_port(&f, 0, "80x", err, sizeof(err)), -EINVAL);
	CHECK_HAS(err, "'80x'");
	CHECK_INT(filter_set_proto(&f, "udp", err, sizeof(err)), 0);
	CHECK_INT(f.proto, 17);
	CHECK_INT(filter_set_proto(&f, "icmp6", err, sizeof(err)), 0);
	CHECK_INT(f.proto, 58);
	CHECK_INT(filter_set_proto(&f, "47", err, sizeof(err)), 0);
	CHECK_INT(f.proto, 47);
	CHECK_INT(filter_set_proto(&f, "256", err, sizeof(err)), -EINVAL);
	CHECK_INT(filter_set_proto(&f, "tcpp", err, sizeof(err)), -EINVAL);
	CHECK_INT(filter_set_mark(&f, "0x10/0xff", err, sizeof(err)), 0);
	CHECK_INT(f.mark, 0x10);
	CHECK_INT(f.mark_mask, 0xff);
	CHECK_INT(filter_set_mark(&f, "0x1ff/0xf0", err, sizeof(err)), 0);
	CHECK_INT(f.mark, 0xf0);
	CHECK_INT(filter_set_mark(&f, "7", err, sizeof(err)), 0);
	CHECK_INT(f.mark_mask, 0xffffffff);
	CHECK_INT(filter_set_mark(&f, "1/2/3", err, sizeof(err)), -EINVAL);
	CHECK_INT(filter_set_mark(&f, "0x", err, sizeof(err)), -EINVAL);
	CHECK_INT(filter_set_mark(&f, "4294967296", err, sizeof(err)), -EINVAL);
	CHECK_INT(filter_set_ifname(&f, "veth0", err, sizeof(err)), 0);
	CHECK_STR(f.ifname, "veth0");
	CHECK_INT(filter_set_ifname(&f, "0123456789abcdef", err, sizeof(err)),
		  -EINVAL);
	CHECK_INT(filter_set_ifname(&f, "", err, sizeof(err)), -EINVAL);
}

TEST(filter_netns_forms)
{
	char dir[] = "/tmp/skbs-netns-XXXXXX", path[128], err[256];
	struct skbs_filter f;
	struct stat st;
	int fd;

	CHECK(mkdtemp(dir));
	/* A name in the netns directory stands for a namespace: ours. */
	snprintf(path, sizeof(path), "%s/blue", dir);
	CHECK_INT(symlink("/proc/self/ns/net", path), 0);
	CHECK_INT(stat(path, &st), 0);
	/* ... and a plain file there (a namespace gone) is refused. */
	snprintf(path, sizeof(path), "%s/stale", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	CHECK(fd >= 0);
	close(fd);
	filter_init(&f);
	CHECK_INT(filter_set_netns(&f, "stale", dir, err, sizeof(err)),
		  -EINVAL);
	CHECK_HAS(err, "'stale' is not a network namespace");
	unlink(path);
	snprintf(path, sizeof(path), "%s/blue", dir);
	filter_init(&f);
	CHECK_INT(filter_set_netns(&f, "blue", dir, err, sizeof(err)), 0);
	CHECK_INT(f.netns, (__u32)st.st_ino);
	CHECK_INT(filter_set_netns(&f, path, dir, err, sizeof(err)), 0);
	CHECK_INT(f.netns, (__u32)st.st_ino);
	CHECK_INT(filter_set_netns(&f, "4026531840", dir, err, sizeof(err)), 0);
	CHECK_INT(f.netns, 4026531840U);
	CHECK_INT(filter_set_netns(&f, "red", dir, err, sizeof(err)), -EINVAL);
	CHECK_HAS(err, "no such network namespace 'red'");
	CHECK_INT(filter_set_netns(&f, "", dir, err, sizeof(err)), -EINVAL);
	unlink(path);
	rmdir(dir);
}

TEST(filter_text_parse_and_format)
{
	struct skbs_filter f;
	char err[256], buf[256];
	int off;

	filter_init(&f);
	f.output = SKBS_O_STACK;
	CHECK_INT(filter_parse("dst 10.0.0.2 and dport 80 and proto tcp",
			       "/nonexistent", &f, err, sizeof(err), &off),
		  0);
	CHECK_INT(f.flags, SKBS_F_DADDR | SKBS_F_DPORT | SKBS_F_PROTO);
	CHECK_INT(f.output, SKBS_O_STACK); /* kept */
	filter_format(&f, buf, sizeof(buf));
	CHECK_STR(buf, "dst 10.0.0.2 and dport 80 and proto tcp");

	CHECK_INT(filter_parse("  src fd00::/64 && mark 0x1/0xf  ", "/x", &f,
			       err, sizeof(err), &off),
		  0);
	filter_format(&f, buf, sizeof(buf));
	CHECK_STR(buf, "src fd00::/64 and mark 0x1/0xf");

	/* errors leave f as it was and point at the bad token */
	CHECK_INT(filter_parse("dst 10.0.0.2 and dsst 1.2.3.4", "/x", &f, err,
			       sizeof(err), &off),
		  -EINVAL);
	CHECK_HAS(err, "unknown keyword 'dsst'");
	CHECK_INT(off, 17);
	filter_format(&f, buf, sizeof(buf));
	CHECK_STR(buf, "src fd00::/64 and mark 0x1/0xf");
	CHECK_INT(filter_parse("dport 99999", "/x", &f, err, sizeof(err), &off),
		  -EINVAL);
	CHECK_HAS(err, "dport: invalid port '99999'");
	CHECK_INT(off, 6);
	CHECK_INT(filter_parse("dport 80 dport 81", "/x", &f, err, sizeof(err),
			       &off),
		  -EINVAL);
	CHECK_HAS(err, "expected 'and'");
	CHECK_INT(filter_parse("dport 80 and dport 81", "/x", &f, err,
			       sizeof(err), &off),
		  -EINVAL);
	CHECK_HAS(err, "twice");
	CHECK_INT(filter_parse("dport", "/x", &f, err, sizeof(err), &off),
		  -EINVAL);
	CHECK_HAS(err, "missing value");
	CHECK_INT(filter_parse("dport 80 and", "/x", &f, err, sizeof(err),
			       &off),
		  -EINVAL);
	CHECK_INT(filter_parse("", "/x", &f, err, sizeof(err), &off), 0);
	CHECK_INT(f.flags, 0);
	/* capture settings and tracking survive a new filter text */
	f.snaplen = 64;
	f.flags = SKBS_F_TRACK;
	CHECK_INT(filter_parse("", "/x", &f, err, sizeof(err), &off), 0);
	CHECK_INT(f.flags, SKBS_F_TRACK);
	CHECK_INT(f.snaplen, 64);
	CHECK_INT(filter_parse("dport 1", "/x", &f, err, sizeof(err), &off), 0);
	CHECK_INT(f.flags, SKBS_F_TRACK | SKBS_F_DPORT);
	CHECK_INT(f.snaplen, 64);
	filter_format(&f, buf, sizeof(buf));
	CHECK_STR(buf, "dport 1");
	/* ... and so does tracking by stack */
	f.flags = SKBS_F_TRACK | SKBS_F_STACKID | SKBS_F_DPORT;
	CHECK_INT(filter_parse("mark 3", "/x", &f, err, sizeof(err), &off), 0);
	CHECK_INT(f.flags, SKBS_F_TRACK | SKBS_F_STACKID | SKBS_F_MARK);
}
