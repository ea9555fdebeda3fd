// SPDX-License-Identifier: GPL-2.0
/*
 * A watched network namespace: finding it by inode, entering it on a
 * short-lived thread, and the sockets created in there.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <nftables/libnftables.h>
#include "core/explain/nft_ns.h"
#include "core/explain/nft_table.h"

#define NT_RCVBUF (16 << 20)

/*
 * "own" created the trace table and owns it (nft_table.c), "tr" receives
 * the traces and the ruleset notifications, and the libnftables context
 * lists chains. A socket stays in the namespace it was created in, so they
 * are created by a short-lived thread that entered the namespace; the
 * caller's thread never changes namespace.
 */
struct nft_ns {
	__u32 ino;
	char name[128]; /* "a" (/run/netns/a), a mount path, "pid N" */
	int nsfd;       /* -1: our own namespace */
	struct mnl_socket *own, *tr;
	struct nft_ctx *nft;
	__u32 seq; /* of the next request, on either socket */
};

int nft_ns_home(struct nft_ns_home *home)
{
	struct stat st;

	/* The calling thread's namespace: the one it needs no thread for. */
	if (stat("/proc/thread-self/ns/net", &st) &&
	    stat("/proc/self/ns/net", &st))
		return -errno;
	home->ino = (__u32)st.st_ino;
	home->dev = st.st_dev;
	return 0;
}

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

/* A process in it. Our own threads never are, outside nft_ns_run(). */
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

static int ns_open(const struct nft_ns_home *home, struct nft_ns *ns, char *err,
		   size_t errlen)
{
	char path[PATH_MAX];
	struct stat st;
	long pid = 0;
	int fd, by_proc = 0;

	if (find_mount(ns->ino, path, sizeof(path))) {
		if (find_proc(ns->ino, path, sizeof(path), &pid)) {
			snprintf(
				err, errlen,
				"netns %u: no /run/netns entry, mount or process "
				"is in it",
				ns->ino);
			return -ENOENT;
		}
		by_proc = 1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "netns %u: %s: %s", ns->ino, path,
			 strerror(errno));
		return -errno;
	}
	/* The path may have changed hands since it was found. */
	if (fstat(fd, &st) || st.st_ino != ns->ino || st.st_dev != home->dev) {
		close(fd);
		snprintf(err, errlen, "netns %u: %s is another namespace now",
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

int nft_ns_run(struct nft_ns *ns, int (*fn)(void *), void *arg, char *err,
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
		snprintf(err, errlen, "netns %u: cannot start a thread: %s",
			 ns->ino, strerror(rc));
		return -rc;
	}
	pthread_join(t, NULL);
	if (j.setns_errno) {
		snprintf(err, errlen, "entering netns %u (%s): %s%s", ns->ino,
			 ns->name, strerror(j.setns_errno),
			 j.setns_errno == EPERM ? " (needs CAP_SYS_ADMIN)" :
						  "");
		return -j.setns_errno;
	}
	return j.rc;
}

struct setup_job {
	struct nft_ns *ns;
	const struct nft_match *m;
	char *err;
	size_t errlen;
};

static int sock_open(struct mnl_socket **out, int flags, const char *what,
		     struct nft_ns *ns, char *err, size_t errlen)
{
	struct mnl_socket *s = mnl_socket_open2(NETLINK_NETFILTER,
						SOCK_CLOEXEC | flags);

	if (!s || mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;

		snprintf(err, errlen,
			 "netns %u: netfilter netlink socket (%s): %s%s",
			 ns->ino, what, strerror(e),
			 e == EPROTONOSUPPORT ?
				 " (no nfnetlink in this kernel)" :
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
	struct nft_ns *ns = j->ns;
	int one = 1, rc, size = NT_RCVBUF, lowest;
	unsigned groups[] = { NFNLGRP_NFTRACE, NFNLGRP_NFTABLES };

	rc = sock_open(&ns->tr, SOCK_NONBLOCK, "trace", ns, j->err, j->errlen);
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
			snprintf(
				j->err, j->errlen,
				"netns %u: joining the nf_tables %s group: %s%s",
				ns->ino, i ? "ruleset" : "trace", strerror(-rc),
				rc == -EPERM ? " (needs CAP_NET_ADMIN)" : "");
			return rc;
		}
	}
	rc = sock_open(&ns->own, 0, "owner", ns, j->err, j->errlen);
	if (rc)
		return rc;
	mnl_socket_setsockopt(ns->own, NETLINK_EXT_ACK, &one, sizeof(one));

	rc = nft_table_add(ns->own, &ns->seq, ns->ino, j->m, j->err, j->errlen);
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
		snprintf(j->err, j->errlen,
			 "netns %u: libnftables: out of memory", ns->ino);
		return -ENOMEM;
	}
	nft_ctx_output_set_flags(ns->nft, NFT_CTX_OUTPUT_HANDLE |
						  NFT_CTX_OUTPUT_STATELESS);
	if (nft_ctx_buffer_output(ns->nft) || nft_ctx_buffer_error(ns->nft)) {
		snprintf(j->err, j->errlen,
			 "netns %u: libnftables: cannot buffer its output",
			 ns->ino);
		return -ENOMEM;
	}
	return 0;
}

/* Closing "own" is what makes the kernel delete the table. */
void nft_ns_close(struct nft_ns *ns)
{
	if (!ns)
		return;
	if (ns->own)
		mnl_socket_close(ns->own);
	if (ns->tr)
		mnl_socket_close(ns->tr);
	if (ns->nft)
		nft_ctx_free(ns->nft);
	if (ns->nsfd >= 0)
		close(ns->nsfd);
	free(ns);
}

int nft_ns_open(const struct nft_ns_home *home, __u32 ino,
		const struct nft_match *m, struct nft_ns **out, char *err,
		size_t errlen)
{
	struct nft_ns *ns = calloc(1, sizeof(*ns));
	struct setup_job j = { ns, m, err, errlen };
	int rc = 0;

	*out = NULL;
	if (!ns)
		return -ENOMEM;
	ns->ino = ino;
	ns->nsfd = -1;
	strlcpy(ns->name, "this process's", sizeof(ns->name));
	if (ino != home->ino)
		rc = ns_open(home, ns, err, errlen);
	if (!rc)
		rc = nft_ns_run(ns, ns_setup, &j, err, errlen);
	if (rc) {
		nft_ns_close(ns);
		return rc;
	}
	*out = ns;
	return 0;
}

const char *nft_ns_name(const struct nft_ns *ns)
{
	return ns->name;
}

int nft_ns_gone(const struct nft_ns *ns)
{
	return ns->nsfd >= 0 && !ns_findable(ns->ino);
}

int nft_ns_refilter(struct nft_ns *ns, const struct nft_match *m,
		    const char **failed)
{
	return nft_table_refilter(ns->own, &ns->seq, m, failed);
}

int nft_ns_fd(const struct nft_ns *ns)
{
	return mnl_socket_get_fd(ns->tr);
}

__u32 nft_ns_portid(const struct nft_ns *ns)
{
	return mnl_socket_get_portid(ns->tr);
}

int nft_ns_getgen(struct nft_ns *ns, __u32 *seq)
{
	char buf[64] = { 0 }; /* a GETGEN request */
	struct nlmsghdr *nlh;

	*seq = ns->seq++;
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETGEN, AF_UNSPEC, 0, *seq);
	if (mnl_socket_sendto(ns->tr, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	return 0;
}

struct nft_ctx *nft_ns_nft(struct nft_ns *ns)
{
	return ns->nft;
}
