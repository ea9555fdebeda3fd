/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One netlink question and its answers, for the explainers that ask the
 * kernel's state (rtnetlink for routes and qdiscs, sock_diag for sockets):
 * a socket of the calling thread's netns, one request, a callback over
 * every answer until the kernel says it is done.
 */
#ifndef SKBSCOPE_EXPLAIN_NLASK_H
#define SKBSCOPE_EXPLAIN_NLASK_H

#include <stddef.h>
#include <libmnl/libmnl.h>

/*
 * Send nlh (built in buf, size bytes) on a new socket of netlink bus (e.g.
 * NETLINK_ROUTE) and run cb over the answers. Returns 0 when the kernel
 * answered (*kerr is then an NLMSG_ERROR's -errno, or 0), or -errno with
 * msg set ("WHAT: ...", "WHAT request: ...", "WHAT answer: ...") when the
 * socket failed.
 */
int nl_ask(int bus, const char *what, struct nlmsghdr *nlh, char *buf,
	   size_t size, mnl_cb_t cb, void *data, int *kerr, char *msg,
	   size_t msg_len);

#endif
