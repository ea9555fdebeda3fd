/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Network namespaces by inode, as the tracer reports them: find the one a
 * packet was in (a name under /var/run/netns, or a process's
 * /proc/PID/ns/net), enter it for the length of one function call, and come
 * back. Sockets the function creates stay bound to that netns, and
 * /proc/sys/net read inside shows its settings.
 */
#ifndef SKBSCOPE_EXPLAIN_NETNS_H
#define SKBSCOPE_EXPLAIN_NETNS_H

#include <stddef.h>
#include <linux/types.h>

struct netns_finder;

/* A finder that remembers where it last found each netns (a path, checked
 * again on every use). Not thread-safe. 0 or -ENOMEM. */
int netns_finder_new(struct netns_finder **out);
void netns_finder_free(struct netns_finder *nf);

/*
 * Run fn(arg) on the calling thread inside the netns whose inode is ino,
 * then return to the netns the thread was in; fn's return value goes to
 * *ret. When ino is the thread's own netns, fn runs without setns().
 * Returns 0 when fn ran. Otherwise fn did not run (or the thread could not
 * come back) and msg names the netns and the cause:
 *   -ENOENT  ino is 0, or no name or process leads to it any more
 *            ("cannot enter netns 4026532845: gone");
 *   -EPERM   setns() or /proc refused (CAP_SYS_ADMIN, ptrace access);
 *   other    -errno of open/setns.
 */
int netns_run(struct netns_finder *nf, __u32 ino, int (*fn)(void *arg),
	      void *arg, int *ret, char *msg, size_t msg_len);

/* A short name for the netns: its /var/run/netns name ("b") when it has
 * one, else the inode in decimal. Written into buf, which is returned. */
const char *netns_label(struct netns_finder *nf, __u32 ino, char *buf,
			size_t len);

/* Read the integer /proc/sys/NAME ("net/ipv4/conf/all/rp_filter"). It
 * lives here because /proc/sys/net answers for the netns of the thread
 * that opens it: call it from inside netns_run's fn. 0 or -errno. */
int netns_sysctl(const char *name, long *val);

#endif
