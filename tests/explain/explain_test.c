// SPDX-License-Identifier: GPL-2.0
/*
 * The explain driver: a drop event synthesized from flags goes through
 * explain_kernel() and the explanation comes out as key=value lines, for
 * tests/integration/explain.sh to hold against the kernel's own tools (ss,
 * ip route get, sysctl). Nothing here traces: it asks about the state the
 * test has set up.
 *
 *   explain-test --netns b|INODE --reason NO_SOCKET --proto udp
 *                --src 10.213.0.1 --dst 10.213.0.2 --sport 5000
 *                --dport 7003 [--ifindex N] [--mark N] [--repeat N]
 *                [--hdr HEX]   (header bytes from the IP header, no tuple)
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <linux/if_ether.h>
#include "core/explain.h"
#include "core/explain/explain_kernel.h"

static void usage(void)
{
	fprintf(stderr, "usage: explain-test --netns NAME|INODE --reason NAME "
			"[--proto udp|tcp|N] [--src A] [--dst A] [--sport N] "
			"[--dport N] [--ifindex N] [--ifname S] [--mark N] "
			"[--repeat N] [--hdr HEX]\n");
	exit(2);
}

static unsigned long num(const char *s, const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || !*s || *end) {
		fprintf(stderr, "explain-test: bad %s: %s\n", what, s);
		exit(2);
	}
	return v;
}

/* A name under /var/run/netns, or an inode number as given. */
static __u32 netns_arg(const char *s)
{
	char path[512];
	struct stat st;

	if (strspn(s, "0123456789") == strlen(s))
		return num(s, "netns");
	snprintf(path, sizeof(path), "/var/run/netns/%s", s);
	if (stat(path, &st)) {
		fprintf(stderr, "explain-test: %s: %s\n", path,
			strerror(errno));
		exit(1);
	}
	return st.st_ino;
}

/* Sets ev's family from the first address given. */
static void addr_arg(struct skbs_event *ev, __u8 *to, const char *s)
{
	int v6 = strchr(s, ':') != NULL;

	if (inet_pton(v6 ? AF_INET6 : AF_INET, s, to) != 1) {
		fprintf(stderr, "explain-test: bad address: %s\n", s);
		exit(2);
	}
	ev->l3_proto = v6 ? ETH_P_IPV6 : ETH_P_IP;
	ev->flags |= SKBS_EV_TUPLE;
}

static __u8 proto_arg(const char *s)
{
	if (!strcmp(s, "udp"))
		return IPPROTO_UDP;
	if (!strcmp(s, "tcp"))
		return IPPROTO_TCP;
	if (!strcmp(s, "icmp"))
		return IPPROTO_ICMP;
	return num(s, "proto");
}

static size_t hex_arg(const char *s, __u8 *to, size_t max)
{
	size_t n = 0;

	while (s[0] && s[1] && n < max) {
		unsigned v;

		if (sscanf(s, "%2x", &v) != 1)
			break;
		to[n++] = v;
		s += 2;
	}
	return n;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "netns", required_argument, NULL, 'n' },
		{ "reason", required_argument, NULL, 'r' },
		{ "proto", required_argument, NULL, 'p' },
		{ "src", required_argument, NULL, 's' },
		{ "dst", required_argument, NULL, 'd' },
		{ "sport", required_argument, NULL, 'S' },
		{ "dport", required_argument, NULL, 'D' },
		{ "ifindex", required_argument, NULL, 'i' },
		{ "ifname", required_argument, NULL, 'I' },
		{ "mark", required_argument, NULL, 'm' },
		{ "repeat", required_argument, NULL, 'R' },
		{ "hdr", required_argument, NULL, 'H' },
		{}
	};
	struct skbs_event ev = { .rec_type = SKBS_REC_EVENT,
				 .flags = SKBS_EV_DROP | SKBS_EV_FREE };
	const char *reason = NULL;
	unsigned long repeat = 1;
	struct explain_kernel *ek;
	__u8 hdr[SKBS_SNAP_MAX];
	size_t hdr_len = 0;
	__u64 asked, cached;
	struct explain e;
	int c, ret = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n': ev.netns = netns_arg(optarg); break;
		case 'r':
			reason = optarg;
			ev.flags |= SKBS_EV_REASON;
			break;
		case 'p': ev.l4_proto = proto_arg(optarg); break;
		case 's': addr_arg(&ev, ev.saddr, optarg); break;
		case 'd': addr_arg(&ev, ev.daddr, optarg); break;
		case 'S': ev.sport = num(optarg, "sport"); break;
		case 'D': ev.dport = num(optarg, "dport"); break;
		case 'i': ev.ifindex = num(optarg, "ifindex"); break;
		case 'I':
			snprintf(ev.ifname, sizeof(ev.ifname), "%s", optarg);
			break;
		case 'm': ev.mark = num(optarg, "mark"); break;
		case 'R': repeat = num(optarg, "repeat"); break;
		case 'H': hdr_len = hex_arg(optarg, hdr, sizeof(hdr)); break;
		default: usage();
		}
	}
	if (optind != argc || !repeat)
		usage();
	if (explain_kernel_new(&ek)) {
		fprintf(stderr, "explain-test: out of memory\n");
		return 1;
	}
	for (unsigned long i = 0; i < repeat; i++)
		ret = explain_kernel(ek, &ev, reason, hdr_len ? hdr : NULL,
				     hdr_len, &e);
	explain_kernel_stats(ek, &asked, &cached);
	printf("kind=%s\n", explain_kind_name(e.kind));
	printf("text=%s\n", e.text);
	for (unsigned i = 0; i < e.nfields; i++)
		printf("f.%s=%s\n", e.f[i].key, e.f[i].val);
	printf("ret=%d\n", ret);
	printf("asked=%llu cached=%llu\n", (unsigned long long)asked,
	       (unsigned long long)cached);
	explain_kernel_free(ek);
	return 0;
}
