// SPDX-License-Identifier: GPL-2.0
/*
 * Sockets from NETLINK_SOCK_DIAG (inet_diag_req_v2 dumps, as `ss -ltun`
 * does) and their owners from /proc/PID/fd; the NO_SOCKET source. The
 * netlink socket is opened by each call, inside whatever netns the caller
 * has entered, because a netlink socket answers for the netns it was made
 * in.
 */
#define _GNU_SOURCE /* qsort_r */
#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include "core/lib/u64map.h"
#include "core/lib/vec.h"
#include "core/explain/nlask.h"
#include "core/explain/sockdiag.h"

/* Bounded work for the owner search: /proc/PID/fd links read in all. A
 * host with a million open files keeps some owners unknown rather than
 * stall the explorer. */
#define SOCKDIAG_FD_BUDGET 262144
/* How many nearby bound ports a NO_SOCKET explanation names. */
#define SOCKDIAG_NEAREST 3
/* A dump answer can be larger than a page; 32 KiB is what ss uses. */
#define SOCKDIAG_BUF 32768

struct dump_ctx {
	struct sockdiag_sock *v;
	size_t n, cap;
	__u8 proto;
	int err;
};

static int attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (mnl_attr_type_valid(a, INET_DIAG_MAX) > 0)
		tb[type] = a;
	return MNL_CB_OK;
}

static int sock_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[INET_DIAG_MAX + 1] = {};
	struct dump_ctx *c = data;
	const struct inet_diag_msg *m;
	struct sockdiag_sock *s;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*m)))
		return MNL_CB_OK;
	m = mnl_nlmsg_get_payload(nlh);
	if (VEC_RESERVE(c->v, c->cap, c->n + 1)) {
		c->err = -ENOMEM;
		return MNL_CB_ERROR;
	}
	s = &c->v[c->n++];
	memset(s, 0, sizeof(*s));
	s->family = m->idiag_family;
	s->proto = c->proto;
	s->state = m->idiag_state;
	memcpy(s->laddr, m->id.idiag_src, 16);
	memcpy(s->raddr, m->id.idiag_dst, 16);
	s->lport = ntohs(m->id.idiag_sport);
	s->rport = ntohs(m->id.idiag_dport);
	s->ifindex = m->id.idiag_if;
	s->uid = m->idiag_uid;
	s->inode = m->idiag_inode;
	s->rqueue = m->idiag_rqueue;
	s->wqueue = m->idiag_wqueue;
	mnl_attr_parse(nlh, sizeof(*m), attr_cb, tb);
	if (tb[INET_DIAG_SKMEMINFO]) {
		size_t len = mnl_attr_get_payload_len(tb[INET_DIAG_SKMEMINFO]);

		/* Older kernels send fewer counters, newer ones more. */
		if (len > sizeof(s->mem))
			len = sizeof(s->mem);
		memcpy(s->mem, mnl_attr_get_payload(tb[INET_DIAG_SKMEMINFO]),
		       len);
		s->has_mem = 1;
	}
	if (tb[INET_DIAG_SKV6ONLY])
		s->v6only = mnl_attr_get_u8(tb[INET_DIAG_SKV6ONLY]);
	return MNL_CB_OK;
}

int sockdiag_list(int family, __u8 proto, __u32 states,
		  struct sockdiag_sock **out, size_t *n, char *msg,
		  size_t msg_len)
{
	struct dump_ctx c = { .proto = proto };
	struct inet_diag_req_v2 *req;
	struct nlmsghdr *nlh;
	char *buf;
	int ret, kerr;

	*out = NULL;
	*n = 0;
	buf = malloc(SOCKDIAG_BUF);
	if (!buf)
		return -ENOMEM;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = time(NULL);
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = family;
	req->sdiag_protocol = proto;
	req->idiag_states = states;
	req->idiag_ext = 1 << (INET_DIAG_SKMEMINFO - 1);
	ret = nl_ask(NETLINK_SOCK_DIAG, "sock_diag", nlh, buf, SOCKDIAG_BUF,
		     sock_cb, &c, &kerr, msg, msg_len);
	if (!ret && (c.err || kerr)) {
		ret = c.err ? c.err : kerr;
		snprintf(msg, msg_len, "sock_diag dump (%s): %s",
			 proto == IPPROTO_TCP ? "tcp" : "udp", strerror(-ret));
	}
	if (ret) {
		free(c.v);
	} else {
		*out = c.v;
		*n = c.n;
	}
	free(buf);
	return ret;
}

/* inode of "socket:[12345]", or 0. */
static __u32 socket_inode(const char *link)
{
	unsigned long v;
	char *end;

	if (strncmp(link, "socket:[", 8))
		return 0;
	v = strtoul(link + 8, &end, 10);
	return *end == ']' ? (__u32)v : 0;
}

static void read_comm(int pid, char *comm, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	snprintf(comm, len, "?");
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(comm, len, f))
		comm[strcspn(comm, "\n")] = '\0';
	fclose(f);
}

/* Look through one process's fds; returns the number of links read. */
static unsigned scan_pid(int pid, struct u64map *want, struct sockdiag_sock *s,
			 size_t *left, unsigned budget)
{
	char dir[64], link[64];
	unsigned used = 0;
	struct dirent *d;
	DIR *dp;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	dp = opendir(dir);
	if (!dp)
		return 0;
	while (*left && used < budget && (d = readdir(dp))) {
		ssize_t len;
		__u64 *idx;
		__u32 ino;

		if (d->d_name[0] == '.')
			continue;
		used++;
		len = readlinkat(dirfd(dp), d->d_name, link, sizeof(link) - 1);
		if (len <= 0)
			continue;
		link[len] = '\0';
		ino = socket_inode(link);
		idx = ino ? u64map_get(want, ino) : NULL;
		if (!idx)
			continue;
		s[*idx].pid = pid;
		read_comm(pid, s[*idx].comm, sizeof(s[*idx].comm));
		u64map_del(want, ino);
		(*left)--;
	}
	closedir(dp);
	return used;
}

int sockdiag_owners(struct sockdiag_sock *s, size_t n)
{
	unsigned budget = SOCKDIAG_FD_BUDGET;
	struct u64map *want;
	struct dirent *d;
	size_t left = 0;
	int found = 0;
	DIR *dp;

	if (!n || u64map_new(n, &want))
		return 0;
	for (size_t i = 0; i < n; i++) {
		s[i].pid = 0;
		snprintf(s[i].comm, sizeof(s[i].comm), "?");
		if (s[i].inode && !u64map_get(want, s[i].inode) &&
		    !u64map_put(want, s[i].inode, i))
			left++;
	}
	dp = opendir("/proc");
	while (dp && left && budget && (d = readdir(dp))) {
		int pid = atoi(d->d_name);

		if (pid > 0)
			budget -= scan_pid(pid, want, s, &left, budget);
	}
	if (dp)
		closedir(dp);
	u64map_free(want);
	/* Copies of one socket share an inode: give them all the owner. */
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n && !s[i].pid; j++)
			if (j != i && s[j].pid && s[j].inode == s[i].inode) {
				s[i].pid = s[j].pid;
				memcpy(s[i].comm, s[j].comm, sizeof(s[i].comm));
			}
	for (size_t i = 0; i < n; i++)
		found += s[i].pid != 0;
	return found;
}

static int is_zero(const __u8 *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i])
			return 0;
	return 1;
}

static int is_v4mapped(const __u8 *a, const __u8 *v4)
{
	static const __u8 pfx[12] = { [10] = 0xff, [11] = 0xff };

	return !memcmp(a, pfx, 12) && !memcmp(a + 12, v4, 4);
}

int sockdiag_accepts(const struct sockdiag_sock *s, int family,
		     const __u8 *addr, __u16 port, __u32 ifindex)
{
	if (s->lport != port)
		return 0;
	if (s->ifindex && ifindex && s->ifindex != ifindex)
		return 0;
	if (family == AF_INET && s->family == AF_INET) {
		if (!memcmp(s->laddr, addr, 4))
			return 2;
		return is_zero(s->laddr, 4);
	}
	if (family == AF_INET && s->family == AF_INET6) {
		if (is_v4mapped(s->laddr, addr))
			return 2;
		return is_zero(s->laddr, 16) && !s->v6only;
	}
	if (family == AF_INET6 && s->family == AF_INET6) {
		if (!memcmp(s->laddr, addr, 16))
			return 2;
		return is_zero(s->laddr, 16);
	}
	return 0;
}

const char *sockdiag_local(const struct sockdiag_sock *s, char *buf, size_t len)
{
	return explain_endpoint(s->family, s->laddr, s->lport, buf, len);
}

const char *sockdiag_owner_text(const struct sockdiag_sock *s, char *buf,
				size_t len)
{
	if (s->pid)
		snprintf(buf, len, "pid %d (%s)", s->pid, s->comm);
	else
		snprintf(buf, len, "pid unknown (uid %u)", s->uid);
	return buf;
}

/* UDP sockets are bound in state CLOSE ("UNCONN" in ss) and connected in
 * ESTABLISHED; TCP ones receive new connections only when LISTENing. */
static __u32 bound_states(__u8 proto)
{
	if (proto == IPPROTO_UDP)
		return (1u << TCP_CLOSE) | (1u << TCP_ESTABLISHED);
	return 1u << TCP_LISTEN;
}

int sockdiag_applies(const struct explain_pkt *p)
{
	return p->family && p->has_ports &&
	       (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP);
}

/* Listening (or, for UDP, unconnected) sockets that could take new
 * packets: the ones worth naming. Connected UDP sockets only take their
 * peer's. */
static int is_open_port(const struct sockdiag_sock *s)
{
	return s->proto == IPPROTO_UDP ? s->state == TCP_CLOSE :
					 s->state == TCP_LISTEN;
}

static int distance(const struct sockdiag_sock *s, __u16 port)
{
	return s->lport > port ? s->lport - port : port - s->lport;
}

/* Order: nearest port first, then lower port, then IPv4 first. */
static int by_distance(const void *a, const void *b, void *port)
{
	const struct sockdiag_sock *x = a, *y = b;
	__u16 p = *(__u16 *)port;

	if (distance(x, p) != distance(y, p))
		return distance(x, p) - distance(y, p);
	if (x->lport != y->lport)
		return x->lport - y->lport;
	return x->family - y->family;
}

/* Both families' sockets of proto: an IPv4 packet can reach a dual-stack
 * IPv6 socket too. */
static int list_both(const struct explain_pkt *p, struct sockdiag_sock **v,
		     size_t *n, char *msg, size_t msg_len)
{
	struct sockdiag_sock *v6 = NULL;
	size_t n6 = 0, cap;
	int err;

	err = sockdiag_list(p->family, p->proto, bound_states(p->proto), v, n,
			    msg, msg_len);
	if (err || p->family != AF_INET)
		return err;
	/* No IPv6 in the netns (disabled, or a kernel without it) is not an
	 * error: there are just no such sockets. */
	if (sockdiag_list(AF_INET6, p->proto, bound_states(p->proto), &v6, &n6,
			  msg, msg_len)) {
		msg[0] = '\0';
		return 0;
	}
	if (!n6) {
		free(v6);
		return 0;
	}
	/* sockdiag_list's array is exactly *n long as far as we know. */
	cap = *n;
	if (vec_reserve((void **)v, &cap, *n + n6, sizeof(**v))) {
		free(v6);
		return 0;
	}
	memcpy(*v + *n, v6, n6 * sizeof(*v6));
	*n += n6;
	free(v6);
	return 0;
}

int sockdiag_explain(const struct explain_pkt *p, struct explain *out,
		     char *msg, size_t msg_len)
{
	struct sockdiag_sock *v = NULL, near[SOCKDIAG_NEAREST];
	char proto[16], want[64], ep[64], own[64], list[EXPLAIN_VAL];
	size_t n = 0, npick = 0, nopen = 0, off = 0;
	struct sockdiag_sock *hit = NULL;
	__u16 port = p->dport;
	int err, best = 0;

	err = list_both(p, &v, &n, msg, msg_len);
	if (err)
		return err;
	explain_proto(p->proto, proto, sizeof(proto));
	explain_endpoint(p->family, p->daddr, p->dport, want, sizeof(want));
	for (size_t i = 0; i < n; i++) {
		int a;

		if (!is_open_port(&v[i]))
			continue;
		a = sockdiag_accepts(&v[i], p->family, p->daddr, p->dport,
				     p->ifindex);
		if (a > best) {
			best = a;
			hit = &v[i];
		}
		/* Compact the open ports to the front for sorting. */
		v[nopen++] = v[i];
		if (hit == &v[i])
			hit = &v[nopen - 1];
	}
	if (hit) {
		struct sockdiag_sock one = *hit;

		sockdiag_owners(&one, 1);
		explain_set(out, EXPLAIN_NO_SOCKET,
			    "%s %s in netns %s is %s now by %s: it was not "
			    "when the packet came%s",
			    proto, sockdiag_local(&one, ep, sizeof(ep)),
			    p->netns_name,
			    p->proto == IPPROTO_TCP ? "listened on" : "bound",
			    sockdiag_owner_text(&one, own, sizeof(own)),
			    p->proto == IPPROTO_TCP ?
				    ", or the packet was for a connection "
				    "that is gone" :
				    "");
		explain_add(out, "listener", "%s %s", ep, own);
		goto fields;
	}
	qsort_r(v, nopen, sizeof(*v), by_distance, &port);
	/* The nearest few distinct ports (reuseport groups and dual
	 * binds count once). */
	for (size_t i = 0; i < nopen && npick < SOCKDIAG_NEAREST; i++) {
		int dup = 0;

		for (size_t j = 0; j < npick; j++)
			dup |= near[j].lport == v[i].lport &&
			       near[j].family == v[i].family &&
			       !memcmp(near[j].laddr, v[i].laddr, 16);
		if (!dup)
			near[npick++] = v[i];
	}
	sockdiag_owners(near, npick);
	list[0] = '\0';
	for (size_t i = 0; i < npick && off < sizeof(list); i++) {
		char dev[IF_NAMESIZE + 16] = "", name[IF_NAMESIZE];

		/* SO_BINDTODEVICE: we are inside the netns, so the index
		 * resolves to its own device's name. */
		if (near[i].ifindex)
			snprintf(dev, sizeof(dev), " (on %s only)",
				 if_indextoname(near[i].ifindex, name) ?
					 name :
					 "another device");
		off += snprintf(list + off, sizeof(list) - off,
				"%s%s %s%s %s %s", i ? "; " : "", proto,
				sockdiag_local(&near[i], ep, sizeof(ep)), dev,
				i                       ? "by" :
				p->proto == IPPROTO_TCP ? "is listened on by" :
							  "is bound by",
				sockdiag_owner_text(&near[i], own,
						    sizeof(own)));
	}
	if (npick)
		explain_set(out, EXPLAIN_NO_SOCKET,
			    "nothing listens on %s %s in netns %s; %s", proto,
			    want, p->netns_name, list);
	else
		explain_set(out, EXPLAIN_NO_SOCKET,
			    "nothing listens on %s %s in netns %s; no %s port "
			    "is %s there at all",
			    proto, want, p->netns_name, proto,
			    p->proto == IPPROTO_TCP ? "listened on" : "bound");
	if (npick)
		explain_add(out, "nearest", "%s", list);
fields:
	explain_add(out, "netns", "%s", p->netns_name);
	explain_add(out, "proto", "%s", proto);
	explain_add(out, "addr", "%s", want);
	explain_add(out, "open_ports", "%zu", nopen);
	free(v);
	return 0;
}
