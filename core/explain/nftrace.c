// SPDX-License-Identifier: GPL-2.0
/*
 * Which nf_tables rule dropped a packet, from the kernel's packet trace.
 * In each watched network namespace a table "inet skbscope" whose base
 * chains run first (priority INT_MIN, hooks prerouting and output) sets
 * meta nftrace on the packets the user's filter matches; the kernel then
 * reports every rule those packets meet on NFNLGRP_NFTRACE. Drop verdicts
 * are kept in a small ring per namespace and a drop event is matched to
 * one of them (nft_corr.c); the rule's text is what `nft -a list`
 * prints for its handle, cached per chain and dropped from the cache when
 * the kernel says that chain changed.
 *
 * Sockets: per namespace, "own" created the table (NFT_TABLE_F_OWNER: the
 * kernel deletes the table when this socket closes, also on SIGKILL, and
 * lets no other socket change it), "tr" receives the traces and the
 * ruleset notifications, and a libnftables context lists chains. A socket
 * stays in the namespace it was created in, so they are created by a
 * short-lived thread that entered the namespace; the caller's thread never
 * changes namespace.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <nftables/libnftables.h>
#include "core/explain/nft_corr.h"
#include "core/explain/nft_match.h"
#include "core/explain/nft_table.h"
#include "core/explain/nftrace.h"
#include "core/lib/clock.h"
#include "core/lib/vec.h"

#define NT_NAME 256  /* NFT_NAME_MAXLEN: table and chain names */
#define NT_CHAINS 32 /* chain listings cached per namespace */
#define NT_MAX_NS 64
/* Larger than the largest nf_tables message (a set's elements, a bit over
 * 64 KiB), so that no ruleset notification is cut. */
#define NT_BUF (128 * 1024)
#define NT_RCVBUF (16 << 20)
#define NT_DRAIN 4096 /* messages read per call and namespace */
#define MS (1000 * 1000LL)
/* How long after a drop a missing trace is "not yet" rather than "none". */
#define NT_WAIT (250 * MS)
#define NT_ALIVE (2 * 1000 * MS)
#define NT_NOTE_EVERY (5 * 1000 * MS)

struct nt_rule {
	__u64 handle;
	char *text;
};

/* One chain as `nft -a -s list chain` printed it. */
struct nt_chain {
	int used;
	__u32 family;
	char table[NT_NAME], chain[NT_NAME];
	char hook[24]; /* "" for a regular chain */
	char policy[16];
	long long stamp; /* last use, for eviction */
	struct nt_rule *r;
	size_t n, cap;
};

struct nt_ns {
	__u32 ino;
	char name[128]; /* "a" (/run/netns/a), a mount path, "pid N" */
	int nsfd;       /* -1: our own namespace */
	struct mnl_socket *own, *tr;
	struct nft_ctx *nft;
	__u32 seq;
	struct nft_corr *kept; /* the drop verdicts traced */
	int failed;            /* the watch failed or ended: why says it */
	char why[256];
	long long since;   /* tracing began (CLOCK_MONOTONIC) */
	long long checked; /* last check that the namespace still exists */
	long long noted_loss;
	unsigned long lost; /* receive buffer overruns */
	int backlog;        /* the last read stopped with more queued */
	struct nt_chain chains[NT_CHAINS];
};

struct nftrace {
	struct nftrace_opts o;
	struct nft_match *m;
	struct nt_ns **ns;
	size_t nns, cap;
	__u32 self_ino;
	dev_t nsdev;
	char *buf;
};

static void errf(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void errf(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!err || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

static void note(struct nftrace *nt, __u32 ino, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void note(struct nftrace *nt, __u32 ino, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!nt->o.note)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	nt->o.note(nt->o.note_arg, ino, msg);
}

static const char *family_name(__u32 f)
{
	switch (f) {
	case NFPROTO_INET: return "inet";
	case NFPROTO_IPV4: return "ip";
	case NFPROTO_IPV6: return "ip6";
	case NFPROTO_ARP: return "arp";
	case NFPROTO_BRIDGE: return "bridge";
	case NFPROTO_NETDEV: return "netdev";
	}
	return "unknown";
}

/* ------------------------------------------------------------------ */
/* Finding and entering namespaces                                     */

/* "net:[4026532312]" is what the kernel calls a netns in mountinfo and
 * in /proc/PID/ns/net. */
static int nsname_is(const char *s, __u32 ino)
{
	char want[32];

	snprintf(want, sizeof(want), "net:[%u]", ino);
	return !strcmp(s, want);
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 |
				      (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = 0;
}

/* A bind mount of the namespace (ip netns add makes /run/netns/NAME). */
static int find_mount(__u32 ino, char *path, size_t len)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	int rc = -ENOENT;

	if (!f)
		return -errno;
	while (rc && fgets(line, sizeof(line), f)) {
		char *save, *tok, *root = NULL, *mnt = NULL;
		int i = 0;

		for (tok = strtok_r(line, " ", &save); tok && i < 5;
		     tok = strtok_r(NULL, " ", &save), i++) {
			if (i == 3)
				root = tok;
			else if (i == 4)
				mnt = tok;
		}
		if (root && mnt && nsname_is(root, ino)) {
			unescape(mnt);
			strlcpy(path, mnt, len);
			rc = 0;
		}
	}
	fclose(f);
	return rc;
}

/* A process in it. Our own threads never are, outside run_in_ns(). */
static int find_proc(__u32 ino, char *path, size_t len, long *pidp)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int rc = -ENOENT;

	if (!d)
		return -errno;
	while (rc && (de = readdir(d))) {
		char p[300], link[64];
		ssize_t n;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(p, sizeof(p), "/proc/%s/ns/net", de->d_name);
		n = readlink(p, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = 0;
		if (nsname_is(link, ino)) {
			strlcpy(path, p, len);
			*pidp = strtol(de->d_name, NULL, 10);
			rc = 0;
		}
	}
	closedir(d);
	return rc;
}

static int ns_open(struct nftrace *nt, struct nt_ns *ns, char *err,
		   size_t errlen)
{
	char path[PATH_MAX];
	struct stat st;
	long pid = 0;
	int fd, by_proc = 0;

	if (find_mount(ns->ino, path, sizeof(path))) {
		if (find_proc(ns->ino, path, sizeof(path), &pid)) {
			errf(err, errlen,
			     "netns %u: no /run/netns entry, mount or process "
			     "is in it",
			     ns->ino);
			return -ENOENT;
		}
		by_proc = 1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		errf(err, errlen, "netns %u: %s: %s", ns->ino, path,
		     strerror(errno));
		return -errno;
	}
	/* The path may have changed hands since it was found. */
	if (fstat(fd, &st) || st.st_ino != ns->ino || st.st_dev != nt->nsdev) {
		close(fd);
		errf(err, errlen, "netns %u: %s is another namespace now",
		     ns->ino, path);
		return -ESTALE;
	}
	ns->nsfd = fd;
	if (by_proc)
		snprintf(ns->name, sizeof(ns->name), "pid %ld", pid);
	else if (!strncmp(path, "/run/netns/", 11))
		strlcpy(ns->name, path + 11, sizeof(ns->name));
	else if (!strncmp(path, "/var/run/netns/", 15))
		strlcpy(ns->name, path + 15, sizeof(ns->name));
	else
		strlcpy(ns->name, path, sizeof(ns->name));
	return 0;
}

/* Our sockets keep a namespace alive after everyone else left it: it is
 * gone for the user when no mount and no process refers to it any more. */
static int ns_findable(__u32 ino)
{
	char path[PATH_MAX];
	long pid;

	return !find_mount(ino, path, sizeof(path)) ||
	       !find_proc(ino, path, sizeof(path), &pid);
}

struct ns_job {
	int fd;
	int (*fn)(void *);
	void *arg;
	int rc, setns_errno;
};

static void *ns_thread(void *p)
{
	struct ns_job *j = p;

	if (setns(j->fd, CLONE_NEWNET) < 0) {
		j->setns_errno = errno;
		return NULL;
	}
	j->rc = j->fn(j->arg);
	return NULL;
}

/* Run fn in the namespace, on a thread of its own that ends with it. */
static int run_in_ns(struct nt_ns *ns, int (*fn)(void *), void *arg, char *err,
		     size_t errlen)
{
	struct ns_job j = { ns->nsfd, fn, arg, 0, 0 };
	sigset_t all, old;
	pthread_t t;
	int rc;

	if (ns->nsfd < 0)
		return fn(arg);
	/* No signal of the caller's may land on the helper thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&t, NULL, ns_thread, &j);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		errf(err, errlen, "netns %u: cannot start a thread: %s",
		     ns->ino, strerror(rc));
		return -rc;
	}
	pthread_join(t, NULL);
	if (j.setns_errno) {
		errf(err, errlen, "entering netns %u (%s): %s%s", ns->ino,
		     ns->name, strerror(j.setns_errno),
		     j.setns_errno == EPERM ? " (needs CAP_SYS_ADMIN)" : "");
		return -j.setns_errno;
	}
	return j.rc;
}

static int have_cap(int cap)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return 1; /* let the kernel say */
	return !!(d[cap / 32].effective & (1u << (cap % 32)));
}

/* ------------------------------------------------------------------ */
/* Messages from the kernel                                            */

static void cache_drop(struct nt_chain *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->r[i].text);
	free(c->r);
	memset(c, 0, sizeof(*c));
}

/* Forget cached chains of a table (chain NULL: all of them). */
static void cache_forget(struct nt_ns *ns, __u32 family, const char *table,
			 const char *chain)
{
	for (int i = 0; i < NT_CHAINS; i++) {
		struct nt_chain *c = &ns->chains[i];

		if (c->used && c->family == family &&
		    !strcmp(c->table, table) &&
		    (!chain || !strcmp(c->chain, chain)))
			cache_drop(c);
	}
}

/* Nothing kept can be trusted to be current any more: kept drops must
 * prove it by the generation, listings are read again. */
static void lost_track(struct nt_ns *ns)
{
	nft_corr_untrust(ns->kept);
	for (int i = 0; i < NT_CHAINS; i++)
		if (ns->chains[i].used)
			cache_drop(&ns->chains[i]);
}

/* Deletions: the rule, chain or table named, kept drops of it marked
 * gone and its listings forgotten. One libnftnl cannot parse (an
 * expression newer than it, say) may be of any rule: lost_track(). */
static void on_delrule(struct nt_ns *ns, const struct nlmsghdr *nlh)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	const char *table, *chain;
	__u32 family;
	__u64 handle;

	if (!r || nftnl_rule_nlmsg_parse(nlh, r) < 0) {
		lost_track(ns);
		goto out;
	}
	table = nftnl_rule_get_str(r, NFTNL_RULE_TABLE);
	chain = nftnl_rule_get_str(r, NFTNL_RULE_CHAIN);
	family = nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY);
	handle = nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE);
	if (table && chain && handle && !nft_table_ours(family, table)) {
		nft_corr_gone(ns->kept, family, table, chain, handle);
		cache_forget(ns, family, table, chain);
	}
out:
	if (r)
		nftnl_rule_free(r);
}

static void on_delchain(struct nt_ns *ns, const struct nlmsghdr *nlh)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	const char *table, *chain;
	__u32 family;

	if (!c || nftnl_chain_nlmsg_parse(nlh, c) < 0) {
		lost_track(ns);
		goto out;
	}
	table = nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE);
	chain = nftnl_chain_get_str(c, NFTNL_CHAIN_NAME);
	family = nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY);
	if (table && chain) {
		nft_corr_gone(ns->kept, family, table, chain, 0);
		cache_forget(ns, family, table, chain);
	}
out:
	if (c)
		nftnl_chain_free(c);
}

/* Handles start again in a table made anew: the old numbers may then
 * name other rules, so everything of the table goes. */
static void on_deltable(struct nt_ns *ns, const struct nlmsghdr *nlh)
{
	struct nftnl_table *t = nftnl_table_alloc();
	const char *table;
	__u32 family;

	if (!t || nftnl_table_nlmsg_parse(nlh, t) < 0) {
		lost_track(ns);
		goto out;
	}
	table = nftnl_table_get_str(t, NFTNL_TABLE_NAME);
	family = nftnl_table_get_u32(t, NFTNL_TABLE_FAMILY);
	if (table) {
		nft_corr_gone(ns->kept, family, table, NULL, 0);
		cache_forget(ns, family, table, NULL);
	}
out:
	if (t)
		nftnl_table_free(t);
}

/* The receive buffer ran over: traces and notifications are lost, so
 * nothing kept can be trusted to be current any more. Ask for the
 * generation again (the answer comes in order with the rest). */
static void on_overflow(struct nftrace *nt, struct nt_ns *ns)
{
	char buf[64] = { 0 }; /* a GETGEN request */
	struct nlmsghdr *nlh;
	long long now = mono_ns();

	ns->lost++;
	lost_track(ns);
	nft_corr_lost(ns->kept);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETGEN, AF_UNSPEC, 0,
				    ns->seq++);
	mnl_socket_sendto(ns->tr, nlh, nlh->nlmsg_len);
	if (now - ns->noted_loss > NT_NOTE_EVERY) {
		ns->noted_loss = now;
		note(nt, ns->ino,
		     "nftrace: netns %u (%s): trace messages lost (%lu "
		     "overruns): too many packets traced, narrow the filter",
		     ns->ino, ns->name, ns->lost);
	}
}

static void on_msg(struct nt_ns *ns, const struct nlmsghdr *nlh)
{
	int type;

	if (nlh->nlmsg_type < NLMSG_MIN_TYPE ||
	    NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES)
		return;
	type = NFNL_MSG_TYPE(nlh->nlmsg_type);
	switch (type) {
	case NFT_MSG_TRACE: nft_corr_on_trace(ns->kept, nlh); break;
	case NFT_MSG_NEWGEN: nft_corr_on_gen(ns->kept, nlh); break;
	case NFT_MSG_DELRULE: on_delrule(ns, nlh); break;
	case NFT_MSG_DELCHAIN: on_delchain(ns, nlh); break;
	case NFT_MSG_DELTABLE: on_deltable(ns, nlh); break;
	}
}

/* Everything queued on the trace socket, without blocking. The kernel
 * queues ruleset notifications before the change's syscall returns, and a
 * trace before the packet is freed, so after this every change and every
 * drop verdict older than now has been seen. */
static int ns_drain(struct nftrace *nt, struct nt_ns *ns)
{
	int n = 0;

	if (!ns->tr)
		return 0;
	/* Bounded, so that a flood of traces cannot keep the caller here:
	 * what is left keeps the descriptor readable. */
	while (n < NT_DRAIN) {
		ssize_t len = recv(mnl_socket_get_fd(ns->tr), nt->buf, NT_BUF,
				   MSG_DONTWAIT);
		const struct nlmsghdr *nlh;
		int left;

		if (len < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				on_overflow(nt, ns);
				continue;
			}
			return -errno;
		}
		left = (int)len;
		for (nlh = (void *)nt->buf; mnl_nlmsg_ok(nlh, left);
		     nlh = mnl_nlmsg_next(nlh, &left)) {
			on_msg(ns, nlh);
			n++;
		}
	}
	ns->backlog = n >= NT_DRAIN;
	return n;
}

/* Wait (up to a second) until the kernel has answered a GETGEN sent now:
 * every message before it is then read, and the generation is current
 * (nft_corr_same_gen() says whether the answer had it). */
static int gen_sync(struct nftrace *nt, struct nt_ns *ns)
{
	char buf[64] = { 0 }; /* a GETGEN request */
	struct pollfd p = { mnl_socket_get_fd(ns->tr), POLLIN, 0 };
	__u32 seq = ns->seq++, portid = mnl_socket_get_portid(ns->tr);
	long long until = mono_ns() + 1000 * MS;
	struct nlmsghdr *nlh;

	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETGEN, AF_UNSPEC, 0, seq);
	if (mnl_socket_sendto(ns->tr, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	while (mono_ns() < until) {
		ssize_t len;
		int left, done = 0;

		if (poll(&p, 1, 100) <= 0)
			continue;
		len = recv(p.fd, nt->buf, NT_BUF, MSG_DONTWAIT);
		if (len < 0) {
			if (errno == ENOBUFS)
				on_overflow(nt, ns);
			continue;
		}
		left = (int)len;
		for (nlh = (void *)nt->buf; mnl_nlmsg_ok(nlh, left);
		     nlh = mnl_nlmsg_next(nlh, &left)) {
			on_msg(ns, nlh);
			if (nlh->nlmsg_seq == seq && nlh->nlmsg_pid == portid)
				done = 1;
		}
		if (done)
			return 0;
	}
	return -ETIMEDOUT;
}

/* ------------------------------------------------------------------ */
/* Watching a namespace                                                */

struct setup_job {
	struct nftrace *nt;
	struct nt_ns *ns;
	char err[256];
};

static int sock_open(struct mnl_socket **out, int flags, const char *what,
		     struct nt_ns *ns, char *err, size_t errlen)
{
	struct mnl_socket *s = mnl_socket_open2(NETLINK_NETFILTER,
						SOCK_CLOEXEC | flags);

	if (!s || mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;

		errf(err, errlen,
		     "netns %u: netfilter netlink socket (%s): %s%s", ns->ino,
		     what, strerror(e),
		     e == EPROTONOSUPPORT ? " (no nfnetlink in this kernel)" :
					    "");
		if (s)
			mnl_socket_close(s);
		return -e;
	}
	*out = s;
	return 0;
}

/*
 * libnftables 1.0 opens its socket without SOCK_CLOEXEC, so every program
 * the caller starts would inherit it and keep the namespace alive. The
 * socket takes the lowest free descriptor, which was fd just before: mark
 * it, if it is indeed a netfilter netlink socket (another thread may have
 * taken the number meanwhile).
 */
static void cloexec_if_nfnl(int fd)
{
	int dom = 0, proto = 0, fl;
	socklen_t l = sizeof(dom), m = sizeof(proto);

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &l) ||
	    getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &m) ||
	    dom != AF_NETLINK || proto != NETLINK_NETFILTER)
		return;
	fl = fcntl(fd, F_GETFD);
	if (fl >= 0)
		fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
}

static int ns_setup(void *arg)
{
	struct setup_job *j = arg;
	struct nt_ns *ns = j->ns;
	int one = 1, rc, size = NT_RCVBUF, lowest;
	unsigned groups[] = { NFNLGRP_NFTRACE, NFNLGRP_NFTABLES };

	rc = sock_open(&ns->tr, SOCK_NONBLOCK, "trace", ns, j->err,
		       sizeof(j->err));
	if (rc)
		return rc;
	/* Traces come in bursts; an overrun loses them (it is counted). */
	if (setsockopt(mnl_socket_get_fd(ns->tr), SOL_SOCKET, SO_RCVBUFFORCE,
		       &size, sizeof(size)))
		setsockopt(mnl_socket_get_fd(ns->tr), SOL_SOCKET, SO_RCVBUF,
			   &size, sizeof(size));
	for (int i = 0; i < 2; i++) {
		if (mnl_socket_setsockopt(ns->tr, NETLINK_ADD_MEMBERSHIP,
					  &groups[i], sizeof(groups[i])) < 0) {
			rc = -errno;
			errf(j->err, sizeof(j->err),
			     "netns %u: joining the nf_tables %s group: %s%s",
			     ns->ino, i ? "ruleset" : "trace", strerror(-rc),
			     rc == -EPERM ? " (needs CAP_NET_ADMIN)" : "");
			return rc;
		}
	}
	rc = sock_open(&ns->own, 0, "owner", ns, j->err, sizeof(j->err));
	if (rc)
		return rc;
	mnl_socket_setsockopt(ns->own, NETLINK_EXT_ACK, &one, sizeof(one));

	rc = nft_table_add(ns->own, &ns->seq, ns->ino, j->nt->m, j->err,
			   sizeof(j->err));
	if (rc)
		return rc;

	/* Listings, made here so that the context's socket (and its names
	 * for interface indexes) are this namespace's. */
	lowest = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (lowest >= 0)
		close(lowest);
	ns->nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (ns->nft && lowest >= 0)
		cloexec_if_nfnl(lowest);
	if (!ns->nft) {
		errf(j->err, sizeof(j->err),
		     "netns %u: libnftables: out of memory", ns->ino);
		return -ENOMEM;
	}
	nft_ctx_output_set_flags(ns->nft, NFT_CTX_OUTPUT_HANDLE |
						  NFT_CTX_OUTPUT_STATELESS);
	if (nft_ctx_buffer_output(ns->nft) || nft_ctx_buffer_error(ns->nft)) {
		errf(j->err, sizeof(j->err),
		     "netns %u: libnftables: cannot buffer its output",
		     ns->ino);
		return -ENOMEM;
	}
	return 0;
}

/* Closing "own" is what makes the kernel delete the table. */
static void ns_close(struct nt_ns *ns)
{
	if (ns->own)
		mnl_socket_close(ns->own);
	if (ns->tr)
		mnl_socket_close(ns->tr);
	if (ns->nft)
		nft_ctx_free(ns->nft);
	if (ns->nsfd >= 0)
		close(ns->nsfd);
	nft_corr_free(ns->kept);
	ns->own = ns->tr = NULL;
	ns->nft = NULL;
	ns->kept = NULL;
	ns->nsfd = -1;
	for (int i = 0; i < NT_CHAINS; i++)
		if (ns->chains[i].used)
			cache_drop(&ns->chains[i]);
}

static struct nt_ns *ns_get(struct nftrace *nt, __u32 ino)
{
	for (size_t i = 0; i < nt->nns; i++)
		if (nt->ns[i]->ino == ino)
			return nt->ns[i];
	return NULL;
}

static void ns_fail(struct nt_ns *ns, int rc, const char *why)
{
	ns_close(ns);
	ns->failed = rc ? rc : -EIO;
	strlcpy(ns->why, why, sizeof(ns->why));
}

int nftrace_watch(struct nftrace *nt, __u32 ino, char *err, size_t errlen)
{
	struct setup_job j = { nt, NULL, "" };
	struct nt_ns *ns = ns_get(nt, ino);
	char what[SKBS_PCAP_TEXT];
	int rc;

	if (!ino) {
		errf(err, errlen, "netns 0: not a namespace");
		return -EINVAL;
	}
	if (ns && !ns->failed)
		return 0;
	if (!ns) {
		if (nt->nns >= NT_MAX_NS) {
			errf(err, errlen,
			     "netns %u: already watching %d namespaces, the "
			     "most there may be",
			     ino, NT_MAX_NS);
			return -ENOSPC;
		}
		if (VEC_RESERVE(nt->ns, nt->cap, nt->nns + 1))
			return -ENOMEM;
		ns = calloc(1, sizeof(*ns));
		if (!ns)
			return -ENOMEM;
		nt->ns[nt->nns++] = ns;
	} else {
		/* Retry: forget the failure, keep the slot. */
		memset(ns, 0, sizeof(*ns));
	}
	ns->ino = ino;
	ns->nsfd = -1;
	strlcpy(ns->name, "this process's", sizeof(ns->name));
	j.ns = ns;
	rc = nft_corr_new(&ns->kept);
	if (!rc && ino != nt->self_ino)
		rc = ns_open(nt, ns, j.err, sizeof(j.err));
	if (!rc)
		rc = run_in_ns(ns, ns_setup, &j, j.err, sizeof(j.err));
	if (!rc) {
		rc = ns_drain(nt, ns); /* the generation our commit made */
		if (rc >= 0)
			rc = 0;
		else
			snprintf(j.err, sizeof(j.err), "netns %u: reading: %s",
				 ino, strerror(-rc));
	}
	if (rc) {
		if (!j.err[0])
			snprintf(j.err, sizeof(j.err), "netns %u: %s", ino,
				 strerror(-rc));
		ns_fail(ns, rc, j.err);
		errf(err, errlen, "%s", j.err);
		return rc;
	}
	ns->since = ns->checked = mono_ns();
	nft_match_text(nt->m, NFT_MATCH_PRE, what, sizeof(what));
	note(nt, ino,
	     "nftrace: added table inet %s in netns %u (%s) to name the "
	     "netfilter rules that drop packets, tracing %s; the kernel "
	     "deletes it when skbscope exits",
	     NFTRACE_TABLE, ino, ns->name,
	     nft_match_none(nt->m) ? "nothing (the filter matches nothing)" :
	     what[0]               ? what :
				     "every packet");
	return 0;
}

int nftrace_set_filter(struct nftrace *nt, const struct skbs_filter *f,
		       char *err, size_t errlen)
{
	char what[SKBS_PCAP_TEXT], e[256] = "";
	int first = 0;

	nft_match_set(nt->m, f);
	if (nft_match_note(nt->m)[0])
		note(nt, 0, "nftrace: %s", nft_match_note(nt->m));
	nft_match_text(nt->m, NFT_MATCH_PRE, what, sizeof(what));
	for (size_t i = 0; i < nt->nns; i++) {
		struct nt_ns *ns = nt->ns[i];
		const char *failed;
		int rc;

		if (ns->failed)
			continue;
		rc = nft_table_refilter(ns->own, &ns->seq, nt->m, &failed);
		if (rc && !failed)
			return rc; /* nothing sent: out of memory */
		if (rc) {
			if (!first) {
				first = rc;
				snprintf(e, sizeof(e),
					 "netns %u (%s): replacing the trace "
					 "rules failed at the %s: %s",
					 ns->ino, ns->name, failed,
					 strerror(-rc));
			}
			continue;
		}
		note(nt, ns->ino, "nftrace: netns %u (%s): now tracing %s",
		     ns->ino, ns->name,
		     nft_match_none(nt->m) ?
			     "nothing (the filter matches nothing)" :
		     what[0] ? what :
			       "every packet");
	}
	if (first)
		errf(err, errlen, "%s", e);
	return first;
}

int nftrace_fds(struct nftrace *nt, int *fds, int max)
{
	int n = 0;

	for (size_t i = 0; i < nt->nns; i++) {
		if (!nt->ns[i]->tr)
			continue;
		if (n < max)
			fds[n] = mnl_socket_get_fd(nt->ns[i]->tr);
		n++;
	}
	return n;
}

int nftrace_read(struct nftrace *nt)
{
	long long now = mono_ns();
	int total = 0;

	for (size_t i = 0; i < nt->nns; i++) {
		struct nt_ns *ns = nt->ns[i];
		int n;

		if (ns->failed)
			continue;
		n = ns_drain(nt, ns);
		if (n < 0)
			return n;
		total += n;
		if (ns->nsfd < 0 || now - ns->checked < NT_ALIVE)
			continue;
		ns->checked = now;
		if (!ns_findable(ns->ino)) {
			char why[256];

			snprintf(why, sizeof(why),
				 "netns %u (%s) is gone: stopped watching it, "
				 "and its trace table went with it",
				 ns->ino, ns->name);
			ns_fail(ns, -ENOENT, why);
			note(nt, ns->ino, "nftrace: %s", why);
		}
	}
	return total;
}

/* ------------------------------------------------------------------ */
/* Chain listings                                                      */

/* Names nft 1.0's parser takes bare: it has no quoting for them. */
static int plain_name(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
	      *s == '_' || *s == '.'))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("/_.-", *s)))
			return 0;
	return 1;
}

struct list_job {
	struct nft_ctx *nft;
	char cmd[2 * NT_NAME + 64];
	char *out, *errs;
	int rc;
};

static int list_fn(void *arg)
{
	struct list_job *j = arg;

	j->rc = nft_run_cmd_from_buffer(j->nft, j->cmd);
	j->out = strdup(nft_ctx_get_output_buffer(j->nft));
	j->errs = strdup(nft_ctx_get_error_buffer(j->nft));
	return j->out && j->errs ? 0 : -ENOMEM;
}

static char *trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n'))
		s[--n] = 0;
	return s;
}

/* "table ip filter {" or "table ip filter { # handle 1". */
static int opens(const char *line, const char *kw, const char *fam,
		 const char *name)
{
	size_t k = strlen(kw), f = fam ? strlen(fam) : 0, n = strlen(name);

	if (strncmp(line, kw, k) || line[k] != ' ')
		return 0;
	line += k + 1;
	if (fam) {
		if (strncmp(line, fam, f) || line[f] != ' ')
			return 0;
		line += f + 1;
	}
	return !strncmp(line, name, n) && !strncmp(line + n, " {", 2);
}

/* Find the chain in nft's text and keep its hook, policy and rules. */
static int parse_listing(char *text, struct nt_chain *c)
{
	const char *fam = family_name(c->family);
	int state = 0, found = 0; /* 0: outside, 1: in table, 2: in chain */
	char *save, *line;

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *l = trim(line), *h, *end;

		if (state == 0) {
			if (opens(l, "table", fam, c->table))
				state = 1;
		} else if (state == 1) {
			if (opens(l, "chain", NULL, c->chain)) {
				state = 2;
				found = 1;
			} else if (!strcmp(l, "}")) {
				state = 0;
			}
		} else if (!strcmp(l, "}")) {
			break;
		} else if (!strncmp(l, "type ", 5)) {
			h = strstr(l, " hook ");
			if (h && (end = strpbrk(h + 6, " ;"))) {
				*end = 0;
				strlcpy(c->hook, h + 6, sizeof(c->hook));
				*end = ' ';
			}
			h = strstr(l, "policy ");
			if (h && (end = strchr(h + 7, ';'))) {
				*end = 0;
				strlcpy(c->policy, h + 7, sizeof(c->policy));
			}
		} else if ((h = strstr(l, "# handle "))) {
			char *last = h, *text_end;

			while ((h = strstr(last + 1, "# handle ")))
				last = h;
			text_end = last;
			while (text_end > l && text_end[-1] == ' ')
				text_end--;
			*text_end = 0;
			if (VEC_RESERVE(c->r, c->cap, c->n + 1))
				return -ENOMEM;
			c->r[c->n].handle = strtoull(last + 9, NULL, 10);
			c->r[c->n].text = strdup(l);
			if (!c->r[c->n].text)
				return -ENOMEM;
			c->n++;
		}
	}
	return found ? 0 : -ENOENT;
}

static struct nt_chain *cache_find(struct nt_ns *ns, __u32 family,
				   const char *table, const char *chain)
{
	for (int i = 0; i < NT_CHAINS; i++) {
		struct nt_chain *c = &ns->chains[i];

		if (c->used && c->family == family &&
		    !strcmp(c->table, table) && !strcmp(c->chain, chain)) {
			c->stamp = mono_ns();
			return c;
		}
	}
	return NULL;
}

/* Read the chain as nft prints it into the cache. -ENOENT: no such chain
 * (or table) now. */
static int cache_load(struct nt_ns *ns, __u32 family, const char *table,
		      const char *chain, struct nt_chain **out, char *err,
		      size_t errlen)
{
	struct list_job *j = calloc(1, sizeof(*j));
	struct nt_chain *c, *lru = NULL;
	const char *fam = family_name(family);
	int rc;

	if (!j)
		return -ENOMEM;
	/* Once capabilities are gone libnftables would print "you must be
	 * root" on stderr itself: say it here instead. */
	if (!have_cap(CAP_NET_ADMIN)) {
		errf(err, errlen, "listing the ruleset needs CAP_NET_ADMIN");
		rc = -EPERM;
		goto out;
	}
	j->nft = ns->nft;
	if (plain_name(table) && plain_name(chain))
		snprintf(j->cmd, sizeof(j->cmd), "list chain %s %s %s", fam,
			 table, chain);
	else
		snprintf(j->cmd, sizeof(j->cmd), "list ruleset %s", fam);
	rc = run_in_ns(ns, list_fn, j, err, errlen);
	if (rc)
		goto out;
	if (j->rc) {
		char *nl = strchr(j->errs, '\n');

		if (nl)
			*nl = 0;
		rc = strstr(j->errs, "No such file or directory") ? -ENOENT :
								    -EIO;
		errf(err, errlen, "nft %s: %s", j->cmd,
		     j->errs[0] ? j->errs : "failed");
		goto out;
	}
	c = cache_find(ns, family, table, chain);
	for (int i = 0; !c && i < NT_CHAINS; i++) {
		struct nt_chain *x = &ns->chains[i];

		if (!x->used) {
			c = x;
			break;
		}
		if (!lru || x->stamp < lru->stamp)
			lru = x;
	}
	if (!c)
		c = lru;
	cache_drop(c);
	c->used = 1;
	c->family = family;
	strlcpy(c->table, table, sizeof(c->table));
	strlcpy(c->chain, chain, sizeof(c->chain));
	c->stamp = mono_ns();
	rc = parse_listing(j->out, c);
	if (rc) {
		cache_drop(c);
		if (rc == -ENOENT)
			errf(err, errlen, "no chain %s %s %s now", fam, table,
			     chain);
		goto out;
	}
	*out = c;
out:
	free(j->out);
	free(j->errs);
	free(j);
	return rc;
}

static const char *chain_rule(const struct nt_chain *c, __u64 handle)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->r[i].handle == handle)
			return c->r[i].text;
	return NULL;
}

/* The hook of the base chain the drop happened under, or "". */
static void hook_of(struct nt_ns *ns, const struct nft_corr_verdict *r,
		    char *hook, size_t len)
{
	struct nt_chain *c = cache_find(ns, r->family, r->table, r->chain);
	char err[64];

	hook[0] = 0;
	if (!c &&
	    cache_load(ns, r->family, r->table, r->chain, &c, err, sizeof(err)))
		c = NULL;
	if (c && c->hook[0]) {
		strlcpy(hook, c->hook, len);
		return;
	}
	if (!r->base[0] || !strcmp(r->base, r->chain))
		return;
	c = cache_find(ns, r->family, r->table, r->base);
	if (!c &&
	    cache_load(ns, r->family, r->table, r->base, &c, err, sizeof(err)))
		return;
	strlcpy(hook, c->hook, len);
}

enum { RULE_FOUND, RULE_GONE, RULE_UNSURE, RULE_ERR };

/*
 * The rule's text now is its text at the drop unless the rule changed in
 * between; a change is a DELRULE (a replace is one too, with the same
 * handle), DELCHAIN or DELTABLE notification, and those mark the kept
 * drop gone. Without notifications lost (then it is "uncertain") a rule
 * not marked gone is the one that dropped, whatever its handle is now
 * next to; with some lost, only an unchanged generation proves it.
 */
static int rule_lookup(struct nftrace *nt, struct nt_ns *ns,
		       const struct nft_corr_verdict *r, char *text,
		       size_t tlen, char *err, size_t errlen)
{
	struct nt_chain *c;
	const char *t;
	int rc;

	if (r->gone)
		return RULE_GONE;
	c = cache_find(ns, r->family, r->table, r->chain);
	if (!c || r->uncertain || !(t = chain_rule(c, r->handle))) {
		rc = cache_load(ns, r->family, r->table, r->chain, &c, err,
				errlen);
		if (rc == -ENOENT)
			return RULE_GONE;
		if (rc)
			return RULE_ERR;
		t = chain_rule(c, r->handle);
		if (!t)
			return RULE_GONE;
	}
	strlcpy(text, t, tlen);
	/* Deletions while we listed: they come in after the listing. */
	ns_drain(nt, ns);
	if (r->gone)
		return RULE_GONE;
	if (r->uncertain) {
		if (gen_sync(nt, ns) || !nft_corr_same_gen(ns->kept, r))
			return RULE_UNSURE;
	}
	return RULE_FOUND;
}

static int has_word(const char *text, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = text; (p = strstr(p, w)); p += n)
		if ((p == text || p[-1] == ' ' || p[-1] == '"') &&
		    (!p[n] || p[n] == ' ' || p[n] == '"'))
			return 1;
	return 0;
}

static void describe(struct nftrace *nt, struct nt_ns *ns,
		     const struct nft_corr_verdict *r, struct explain *out)
{
	const char *fam = family_name(r->family);
	char text[1024] = "", err[256] = "", hook[24];
	int st;

	if (r->policy) {
		explain_set(out, EXPLAIN_NFT_POLICY,
			    "dropped by the policy of %s %s %s (drop)", fam,
			    r->table, r->chain);
	} else {
		st = rule_lookup(nt, ns, r, text, sizeof(text), err,
				 sizeof(err));
		switch (st) {
		case RULE_FOUND:
			explain_set(out, EXPLAIN_NFT_RULE,
				    "%s by rule %llu of %s %s %s: %s",
				    has_word(text, "reject") ||
						    has_word(text, "REJECT") ?
					    "rejected" :
					    "dropped",
				    (unsigned long long)r->handle, fam,
				    r->table, r->chain, text);
			break;
		case RULE_GONE:
			explain_set(
				out, EXPLAIN_NFT_RULE,
				"dropped by rule %llu (since deleted) of %s %s %s",
				(unsigned long long)r->handle, fam, r->table,
				r->chain);
			break;
		case RULE_UNSURE:
			text[0] = 0;
			explain_set(out, EXPLAIN_NFT_RULE,
				    "dropped by rule %llu of %s %s %s (text "
				    "not shown: the ruleset changed while "
				    "trace messages were lost)",
				    (unsigned long long)r->handle, fam,
				    r->table, r->chain);
			break;
		default:
			explain_set(out, EXPLAIN_NFT_RULE,
				    "dropped by rule %llu of %s %s %s (its "
				    "text is not known: %s)",
				    (unsigned long long)r->handle, fam,
				    r->table, r->chain, err);
			break;
		}
	}
	hook_of(ns, r, hook, sizeof(hook));
	explain_add(out, "family", "%s", fam);
	explain_add(out, "table", "%s", r->table);
	explain_add(out, "chain", "%s", r->chain);
	if (hook[0])
		explain_add(out, "hook", "%s", hook);
	if (r->policy) {
		explain_add(out, "policy", "drop");
	} else {
		explain_add(out, "handle", "%llu",
			    (unsigned long long)r->handle);
		if (text[0])
			explain_add(out, "rule", "%s", text);
		if (r->gone)
			explain_add(out, "rule_state", "deleted");
	}
	explain_add(out, "verdict", "%s",
		    !r->policy && text[0] &&
				    (has_word(text, "reject") ||
				     has_word(text, "REJECT")) ?
			    "reject" :
			    "drop");
	if (r->base[0] && strcmp(r->base, r->chain))
		explain_add(out, "base_chain", "%s", r->base);
	explain_add(out, "netns", "%u", ns->ino);
	explain_add(out, "trace_id", "%08x", r->id);
}

int nftrace_explain(struct nftrace *nt, const struct skbs_event *d,
		    const __u8 *hdr, size_t hdr_len, struct explain *out)
{
	const struct nft_corr_verdict *r;
	char err[256];
	struct nt_ns *ns;
	long long ts;

	memset(out, 0, sizeof(*out));
	if (!d->netns) {
		explain_set(out, EXPLAIN_NONE,
			    "no netfilter trace: the drop's network namespace "
			    "is not known");
		return -ENOENT;
	}
	ns = ns_get(nt, d->netns);
	if (!ns) {
		if (nftrace_watch(nt, d->netns, err, sizeof(err))) {
			ns = ns_get(nt, d->netns);
			explain_set(out, EXPLAIN_UNAVAILABLE,
				    "the netfilter rule cannot be named: %s",
				    ns ? ns->why : err);
			explain_add(out, "netns", "%u", d->netns);
			return 0;
		}
		ns = ns_get(nt, d->netns);
		explain_set(out, EXPLAIN_PENDING,
			    "tracing netfilter in netns %u (%s) from now on: "
			    "the next drops name their rule",
			    ns->ino, ns->name);
		explain_add(out, "netns", "%u", ns->ino);
		return 0;
	}
	if (ns->failed) {
		explain_set(out, EXPLAIN_UNAVAILABLE,
			    "the netfilter rule cannot be named: %s", ns->why);
		explain_add(out, "netns", "%u", ns->ino);
		return 0;
	}
	if (ns_drain(nt, ns) < 0) {
		explain_set(
			out, EXPLAIN_NONE,
			"no netfilter trace: reading the trace socket failed");
		return -ENOENT;
	}
	ts = d->ts ? (long long)d->ts : mono_ns();
	if (ts < ns->since) {
		explain_set(out, EXPLAIN_PENDING,
			    "dropped before tracing in netns %u (%s) began: "
			    "the next drops name their rule",
			    ns->ino, ns->name);
		explain_add(out, "netns", "%u", ns->ino);
		return 0;
	}
	r = nft_corr_match(ns->kept, d, hdr, hdr_len, ts);
	if (!r) {
		if (mono_ns() - ts < NT_WAIT || ns->backlog)
			return -EAGAIN;
		explain_set(
			out, EXPLAIN_NONE,
			"no netfilter drop verdict traced for this packet%s",
			ns->lost ? " (trace messages were lost)" : "");
		return -ENOENT;
	}
	describe(nt, ns, r, out);
	return 0;
}

/* ------------------------------------------------------------------ */

int nftrace_new(const struct nftrace_opts *o, struct nftrace **out, char *err,
		size_t errlen)
{
	struct nftrace *nt = calloc(1, sizeof(*nt));
	struct stat st;

	*out = NULL;
	if (!nt || !(nt->buf = malloc(NT_BUF)) || nft_match_new(&nt->m)) {
		nftrace_free(nt);
		errf(err, errlen, "nftrace: out of memory");
		return -ENOMEM;
	}
	if (o)
		nt->o = *o;
	/* The calling thread's namespace: the one it needs no thread for. */
	if (stat("/proc/thread-self/ns/net", &st) &&
	    stat("/proc/self/ns/net", &st)) {
		int e = errno;

		errf(err, errlen, "nftrace: /proc/self/ns/net: %s",
		     strerror(e));
		nftrace_free(nt);
		return -e;
	}
	nt->self_ino = (__u32)st.st_ino;
	nt->nsdev = st.st_dev;
	*out = nt;
	return 0;
}

void nftrace_free(struct nftrace *nt)
{
	if (!nt)
		return;
	for (size_t i = 0; i < nt->nns; i++) {
		ns_close(nt->ns[i]);
		free(nt->ns[i]);
	}
	free(nt->ns);
	nft_match_free(nt->m);
	free(nt->buf);
	free(nt);
}
