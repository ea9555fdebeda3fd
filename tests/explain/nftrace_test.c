// SPDX-License-Identifier: GPL-2.0
/*
 * A driver for core/explain/nftrace.c without BPF: it sends the packets
 * itself, from inside a namespace, and makes up the drop event skbscope's
 * BPF side would report for them (tuple, netns, time; with `sendraw` also
 * the header bytes). tests/integration/explain_nft.sh runs it.
 *
 * The command line is a list of steps, run in order:
 *   filter [src=A[/N]] [dst=A[/N]] [sport=P] [dport=P] [proto=udp|tcp|N]
 *          [mark=M[/MASK]] [ifname=IF] [pcap=TEXT] [none]
 *                                 set the filter (before or after watch)
 *   matchtext [same as filter]    print the nft match it becomes, only
 *   watch NS                      start tracing in /run/netns/NS (NS may
 *                                 also be a netns inode number, or "self":
 *                                 the driver's own namespace)
 *   send NS DST PORT [SPORT]      one UDP datagram from NS (DST IPv4 or
 *                                 IPv6)
 *   sendraw NS DST PORT ID        the same with IPv4 id ID, from a raw
 *                                 socket; its event carries the header
 *   explain NS [N]                explain the drop, in NS, of the Nth
 *                                 packet sent (default: the last one)
 *   explainraw NS N               the same with the packet's header bytes
 *   read MS                       poll and read trace messages for MS ms
 *   touch PATH | wait PATH | sleep MS
 * Output lines: "NOTE <netns> <msg>", "WATCH <rc> <msg>",
 * "EXPLAIN <rc> <kind>", "TEXT <text>", "FIELD <key> <value>",
 * "FILTER <rc> <msg>", "MATCH <rc> <text>", "MATCHNOTE <note>". Exit status: 0,
 * or 2 for a bad command line.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/explain/nftrace.h"
#include "core/lib/clock.h"

#define MAX_SENT 64

struct sent {
	struct skbs_event ev;
	__u8 hdr[64];
	size_t hdr_len;
};

static struct sent sent[MAX_SENT];
static int nsent;

static void on_note(void *arg, __u32 netns, const char *msg)
{
	(void)arg;
	printf("NOTE %u %s\n", netns, msg);
	fflush(stdout);
}

static __u32 ns_inode(const char *name)
{
	char path[512], *end;
	struct stat st;
	unsigned long ino = strtoul(name, &end, 10);

	if (*name && !*end)
		return (__u32)ino; /* an inode number already */
	if (!strcmp(name, "self"))
		snprintf(path, sizeof(path), "/proc/self/ns/net");
	else
		snprintf(path, sizeof(path), "/run/netns/%s", name);
	if (stat(path, &st))
		return 0;
	return (__u32)st.st_ino;
}

struct sock_job {
	const char *ns;
	int family, type, proto;
	int fd, err;
};

static void *sock_thread(void *p)
{
	struct sock_job *j = p;
	char path[512];
	int nsfd;

	if (!strcmp(j->ns, "self"))
		goto open;
	snprintf(path, sizeof(path), "/run/netns/%s", j->ns);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0 || setns(nsfd, CLONE_NEWNET)) {
		j->err = errno;
		if (nsfd >= 0)
			close(nsfd);
		return NULL;
	}
	close(nsfd);
open:
	j->fd = socket(j->family, j->type | SOCK_CLOEXEC, j->proto);
	if (j->fd < 0)
		j->err = errno;
	return NULL;
}

/* A socket in namespace ns (it stays there; this thread does not move). */
static int ns_socket(const char *ns, int family, int type, int proto)
{
	struct sock_job j = { ns, family, type, proto, -1, 0 };
	pthread_t t;

	if (pthread_create(&t, NULL, sock_thread, &j))
		return -1;
	pthread_join(t, NULL);
	if (j.fd < 0)
		fprintf(stderr, "socket in %s: %s\n", ns, strerror(j.err));
	return j.fd;
}

static struct sent *new_sent(const char *ns, const struct sockaddr *src,
			     const struct sockaddr *dst)
{
	struct sent *s;

	if (nsent >= MAX_SENT)
		return NULL;
	s = &sent[nsent++];
	memset(s, 0, sizeof(*s));
	s->ev.rec_type = SKBS_REC_EVENT;
	s->ev.skb = 0xffff888000000000ULL + (__u64)nsent * 0x100;
	s->ev.flags = SKBS_EV_DROP | SKBS_EV_FREE | SKBS_EV_TUPLE |
		      SKBS_EV_REASON;
	s->ev.drop_reason = 12; /* SKB_DROP_REASON_NETFILTER_DROP */
	s->ev.netns = ns_inode(ns);
	s->ev.l4_proto = IPPROTO_UDP;
	if (src->sa_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)src;
		const struct sockaddr_in6 *b = (const void *)dst;

		s->ev.l3_proto = 0x86dd;
		memcpy(s->ev.saddr, &a->sin6_addr, 16);
		memcpy(s->ev.daddr, &b->sin6_addr, 16);
		s->ev.sport = ntohs(a->sin6_port);
		s->ev.dport = ntohs(b->sin6_port);
	} else {
		const struct sockaddr_in *a = (const void *)src;
		const struct sockaddr_in *b = (const void *)dst;

		s->ev.l3_proto = 0x0800;
		memcpy(s->ev.saddr, &a->sin_addr, 4);
		memcpy(s->ev.daddr, &b->sin_addr, 4);
		s->ev.sport = ntohs(a->sin_port);
		s->ev.dport = ntohs(b->sin_port);
	}
	return s;
}

/* IPv4 or IPv6, by the address. */
static int do_send(const char *ns, const char *dst, int port, int sport)
{
	struct sockaddr_storage d = { 0 }, l = { 0 }, b = { 0 };
	struct sockaddr_in6 *d6 = (void *)&d, *b6 = (void *)&b;
	struct sockaddr_in *d4 = (void *)&d, *b4 = (void *)&b;
	int v6 = !!strchr(dst, ':'), fd, one = 1;
	socklen_t dl = v6 ? sizeof(*d6) : sizeof(*d4), ll = sizeof(l);
	struct sent *s;

	fd = ns_socket(ns, v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return -1;
	if (v6) {
		d6->sin6_family = b6->sin6_family = AF_INET6;
		d6->sin6_port = htons(port);
		b6->sin6_port = htons(sport);
		inet_pton(AF_INET6, dst, &d6->sin6_addr);
	} else {
		d4->sin_family = b4->sin_family = AF_INET;
		d4->sin_port = htons(port);
		b4->sin_port = htons(sport);
		inet_pton(AF_INET, dst, &d4->sin_addr);
	}
	if (sport) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		bind(fd, (void *)&b, dl);
	}
	/* connect: the source address and port are known before sending. */
	if (connect(fd, (void *)&d, dl) || getsockname(fd, (void *)&l, &ll)) {
		fprintf(stderr, "send %s -> %s:%d: %s\n", ns, dst, port,
			strerror(errno));
		close(fd);
		return -1;
	}
	s = new_sent(ns, (void *)&l, (void *)&d);
	if (send(fd, "skbscope-test", 13, 0) < 0 && errno != EPERM)
		fprintf(stderr, "send: %s\n", strerror(errno));
	if (s)
		s->ev.ts = (__u64)mono_ns();
	close(fd);
	return 0;
}

static __u16 csum(const __u8 *b, size_t n)
{
	__u32 sum = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		sum += b[i] << 8 | b[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/* An IPv4/UDP datagram built here, so that its IP id is known. */
static int do_sendraw(const char *ns, const char *dst, int port, int id)
{
	struct sockaddr_in d = { .sin_family = AF_INET }, l = { 0 };
	socklen_t ll = sizeof(l);
	int fd = ns_socket(ns, AF_INET, SOCK_RAW, IPPROTO_RAW), ufd;
	__u8 pkt[28 + 13];
	struct sent *s;

	if (fd < 0)
		return -1;
	d.sin_port = htons(port);
	inet_pton(AF_INET, dst, &d.sin_addr);
	/* The source address the kernel would pick, from a UDP socket. */
	ufd = ns_socket(ns, AF_INET, SOCK_DGRAM, 0);
	if (ufd < 0 || connect(ufd, (void *)&d, sizeof(d)) ||
	    getsockname(ufd, (void *)&l, &ll)) {
		fprintf(stderr, "sendraw: no route to %s\n", dst);
		close(fd);
		if (ufd >= 0)
			close(ufd);
		return -1;
	}
	close(ufd);
	l.sin_port = htons(40000 + (id % 1000));
	memset(pkt, 0, sizeof(pkt));
	pkt[0] = 0x45;
	pkt[2] = sizeof(pkt) >> 8;
	pkt[3] = sizeof(pkt) & 0xff;
	pkt[4] = id >> 8;
	pkt[5] = id & 0xff;
	pkt[8] = 64;
	pkt[9] = IPPROTO_UDP;
	memcpy(pkt + 12, &l.sin_addr, 4);
	memcpy(pkt + 16, &d.sin_addr, 4);
	{
		__u16 c = csum(pkt, 20);

		pkt[10] = c >> 8;
		pkt[11] = c & 0xff;
	}
	memcpy(pkt + 20, &l.sin_port, 2);
	memcpy(pkt + 22, &d.sin_port, 2);
	pkt[24] = (8 + 13) >> 8;
	pkt[25] = (8 + 13) & 0xff;
	memcpy(pkt + 28, "skbscope-test", 13);
	s = new_sent(ns, (void *)&l, (void *)&d);
	if (sendto(fd, pkt, sizeof(pkt), 0, (void *)&d, sizeof(d)) < 0 &&
	    errno != EPERM)
		fprintf(stderr, "sendraw: %s\n", strerror(errno));
	if (s) {
		s->ev.ts = (__u64)mono_ns();
		memcpy(s->hdr, pkt, 28);
		s->hdr_len = 28;
		s->ev.hdr_len = 28;
	}
	close(fd);
	return 0;
}

static void read_for(struct nftrace *nt, int ms)
{
	long long until = mono_ns() + ms * 1000000LL;

	do {
		struct pollfd p[64];
		int fds[64], n = nftrace_fds(nt, fds, 64);

		if (n > 64)
			n = 64;
		for (int i = 0; i < n; i++)
			p[i] = (struct pollfd){ fds[i], POLLIN, 0 };
		poll(p, n, 20);
		nftrace_read(nt);
	} while (mono_ns() < until);
}

static void do_explain(struct nftrace *nt, const char *ns, int n, int raw)
{
	long long until = mono_ns() + 2000 * 1000000LL;
	struct skbs_event ev;
	struct explain ex;
	struct sent *s;
	int rc;

	if (n < 1 || n > nsent) {
		printf("EXPLAIN -1 no-such-packet\n");
		return;
	}
	s = &sent[n - 1];
	ev = s->ev;
	/* The drop's namespace: OUTPUT drops are the sender's, INPUT drops
	 * the receiver's. */
	ev.netns = ns_inode(ns);
	if (!ev.netns)
		ev.netns = s->ev.netns;
	if (!raw)
		ev.hdr_len = 0;
	for (;;) {
		rc = nftrace_explain(nt, &ev, raw ? s->hdr : NULL,
				     raw ? s->hdr_len : 0, &ex);
		if (rc != -EAGAIN || mono_ns() > until)
			break;
		read_for(nt, 50);
	}
	printf("EXPLAIN %d %s\n", rc, explain_kind_name(ex.kind));
	if (ex.text[0])
		printf("TEXT %s\n", ex.text);
	for (unsigned i = 0; i < ex.nfields; i++)
		printf("FIELD %s %s\n", ex.f[i].key, ex.f[i].val);
}

static int parse_addr(const char *v, __u8 *addr, __u8 *fam, __u8 *plen)
{
	char a[64], *slash;

	snprintf(a, sizeof(a), "%s", v);
	slash = strchr(a, '/');
	if (slash)
		*slash++ = 0;
	if (inet_pton(AF_INET, a, addr) == 1) {
		*fam = 4;
		*plen = slash ? atoi(slash) : 32;
	} else if (inet_pton(AF_INET6, a, addr) == 1) {
		*fam = 6;
		*plen = slash ? atoi(slash) : 128;
	} else {
		return -1;
	}
	return 0;
}

/* filter k=v ...: returns how many arguments it used. */
static int do_filter(struct nftrace *nt, int argc, char **argv, int text_only)
{
	static struct skbs_filter f;
	char err[512] = "";
	int i, rc;

	memset(&f, 0, sizeof(f));
	for (i = 0; i < argc; i++) {
		char *k = argv[i], *v = strchr(k, '=');

		if (!strcmp(k, "none")) {
			f.flags |= SKBS_F_NONE;
			continue;
		}
		if (!v)
			break;
		v++;
		if (!strncmp(k, "src=", 4)) {
			if (parse_addr(v, f.saddr, &f.saddr_family,
				       &f.saddr_plen))
				return -1;
			f.flags |= SKBS_F_SADDR;
		} else if (!strncmp(k, "dst=", 4)) {
			if (parse_addr(v, f.daddr, &f.daddr_family,
				       &f.daddr_plen))
				return -1;
			f.flags |= SKBS_F_DADDR;
		} else if (!strncmp(k, "sport=", 6)) {
			f.sport = atoi(v);
			f.flags |= SKBS_F_SPORT;
		} else if (!strncmp(k, "dport=", 6)) {
			f.dport = atoi(v);
			f.flags |= SKBS_F_DPORT;
		} else if (!strncmp(k, "proto=", 6)) {
			f.proto = !strcmp(v, "udp")  ? IPPROTO_UDP :
				  !strcmp(v, "tcp")  ? IPPROTO_TCP :
				  !strcmp(v, "icmp") ? IPPROTO_ICMP :
						       atoi(v);
			f.flags |= SKBS_F_PROTO;
		} else if (!strncmp(k, "mark=", 5)) {
			char *m = strchr(v, '/');

			f.mark = strtoul(v, NULL, 0);
			f.mark_mask = m ? strtoul(m + 1, NULL, 0) : 0xffffffffu;
			f.flags |= SKBS_F_MARK;
		} else if (!strncmp(k, "ifname=", 7)) {
			memcpy(f.ifname, v, strnlen(v, sizeof(f.ifname)));
			f.flags |= SKBS_F_IFNAME;
		} else if (!strncmp(k, "pcap=", 5)) {
			snprintf(f.pcap_text, sizeof(f.pcap_text), "%s", v);
			f.flags |= SKBS_F_PCAP;
		} else {
			break;
		}
	}
	if (text_only) {
		char text[1024], why[1024];

		rc = nftrace_match_text(&f, text, sizeof(text), why,
					sizeof(why));
		printf("MATCH %d %s\n", rc, text);
		if (why[0])
			printf("MATCHNOTE %s\n", why);
		return i;
	}
	rc = nftrace_set_filter(nt, &f, err, sizeof(err));
	printf("FILTER %d %s\n", rc, err);
	return i;
}

static int usage(const char *why)
{
	fprintf(stderr, "nftrace-test: %s (see tests/explain/nftrace_test.c)\n",
		why);
	return 2;
}

int main(int argc, char **argv)
{
	struct nftrace_opts o = { on_note, NULL };
	struct nftrace *nt;
	char err[512];
	int i, rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	rc = nftrace_new(&o, &nt, err, sizeof(err));
	if (rc) {
		printf("NEW %d %s\n", rc, err);
		return 1;
	}
	for (i = 1; i < argc; i++) {
		const char *cmd = argv[i];
		int left = argc - i - 1;

		if (!strcmp(cmd, "filter") || !strcmp(cmd, "matchtext")) {
			int used = do_filter(nt, left, argv + i + 1,
					     cmd[0] == 'm');

			if (used < 0)
				return usage("bad filter");
			i += used;
		} else if (!strcmp(cmd, "watch") && left >= 1) {
			__u32 ino = ns_inode(argv[++i]);

			err[0] = 0;
			rc = nftrace_watch(nt, ino, err, sizeof(err));
			printf("WATCH %d %s\n", rc, err);
		} else if (!strcmp(cmd, "send") && left >= 3) {
			int sport = left >= 4 && atoi(argv[i + 4]) > 0 ?
					    atoi(argv[i + 4]) :
					    0;

			do_send(argv[i + 1], argv[i + 2], atoi(argv[i + 3]),
				sport);
			i += sport ? 4 : 3;
		} else if (!strcmp(cmd, "sendraw") && left >= 4) {
			do_sendraw(argv[i + 1], argv[i + 2], atoi(argv[i + 3]),
				   atoi(argv[i + 4]));
			i += 4;
		} else if ((!strcmp(cmd, "explain") ||
			    !strcmp(cmd, "explainraw")) &&
			   left >= 1) {
			int n = nsent, raw = !strcmp(cmd, "explainraw");

			if (left >= 2 && atoi(argv[i + 2]) > 0) {
				n = atoi(argv[i + 2]);
				do_explain(nt, argv[i + 1], n, raw);
				i += 2;
			} else {
				do_explain(nt, argv[i + 1], n, raw);
				i += 1;
			}
		} else if (!strcmp(cmd, "read") && left >= 1) {
			read_for(nt, atoi(argv[++i]));
		} else if (!strcmp(cmd, "sleep") && left >= 1) {
			usleep(atoi(argv[++i]) * 1000);
		} else if (!strcmp(cmd, "touch") && left >= 1) {
			int fd = open(argv[++i], O_WRONLY | O_CREAT | O_CLOEXEC,
				      0644);

			if (fd >= 0)
				close(fd);
		} else if (!strcmp(cmd, "wait") && left >= 1) {
			const char *p = argv[++i];

			/* Keep reading meanwhile, as a front end would. */
			for (int t = 0; t < 300 && access(p, F_OK); t++)
				read_for(nt, 100);
		} else {
			nftrace_free(nt);
			return usage(cmd);
		}
	}
	nftrace_free(nt);
	return 0;
}
