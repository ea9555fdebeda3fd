// SPDX-License-Identifier: GPL-2.0
/*
 * The netlink explainers, left out of skbscope-static. Debian 12 ships no
 * static libmnl or libnftables (libmnl-dev and libnftables-dev carry only
 * the .so), so the static binary links core/explain/ without the files
 * that talk netlink (the Makefile's STATIC_NETLINK_SRCS) and with these in
 * their place: no source applies, nftrace never starts, and every drop is
 * explained by its reason's sentence, as with --no-explain. Stderr says
 * so once, through nftrace_new's message.
 */
#include <errno.h>
#include <stdio.h>
#include "core/explain.h"
#include "core/explain/explain_kernel.h"
#include "core/explain/nftrace.h"
#include "core/explain/queue.h"
#include "core/explain/route.h"
#include "core/explain/sockdiag.h"

#define NO_NETLINK                                                          \
	"this static build has no netlink explainers (no static libmnl or " \
	"libnftables); drops get their reason's meaning"

int nftrace_new(const struct nftrace_opts *o, struct nftrace **out, char *err,
		size_t errlen)
{
	(void)o;
	*out = NULL;
	snprintf(err, errlen, "%s", NO_NETLINK);
	return -EOPNOTSUPP;
}

void nftrace_free(struct nftrace *nt)
{
	(void)nt;
}

int nftrace_set_filter(struct nftrace *nt, const struct skbs_filter *f,
		       char *err, size_t errlen)
{
	(void)nt;
	(void)f;
	snprintf(err, errlen, "%s", NO_NETLINK);
	return -EOPNOTSUPP;
}

int nftrace_fds(struct nftrace *nt, int *fds, int max)
{
	(void)nt;
	(void)fds;
	(void)max;
	return 0;
}

int nftrace_read(struct nftrace *nt)
{
	(void)nt;
	return 0;
}

int nftrace_explain(struct nftrace *nt, const struct skbs_event *drop,
		    const __u8 *hdr, size_t hdr_len, struct explain *out)
{
	(void)nt;
	(void)drop;
	(void)hdr;
	(void)hdr_len;
	(void)out;
	return -ENOENT;
}

/* explain_kernel.c's table of sources: none of them applies. */
int sockdiag_applies(const struct explain_pkt *p)
{
	(void)p;
	return 0;
}

int route_applies(const struct explain_pkt *p)
{
	(void)p;
	return 0;
}

int queue_socket_applies(const struct explain_pkt *p)
{
	(void)p;
	return 0;
}

int queue_qdisc_applies(const struct explain_pkt *p)
{
	(void)p;
	return 0;
}

static int off(struct explain *out, char *msg, size_t msg_len)
{
	(void)out;
	snprintf(msg, msg_len, "%s", NO_NETLINK);
	return -EOPNOTSUPP;
}

int sockdiag_explain(const struct explain_pkt *p, struct explain *out,
		     char *msg, size_t msg_len)
{
	(void)p;
	return off(out, msg, msg_len);
}

int route_explain(const struct explain_pkt *p, struct explain *out, char *msg,
		  size_t msg_len)
{
	(void)p;
	return off(out, msg, msg_len);
}

int queue_socket_explain(const struct explain_pkt *p, struct explain *out,
			 char *msg, size_t msg_len)
{
	(void)p;
	return off(out, msg, msg_len);
}

int queue_qdisc_explain(const struct explain_pkt *p, struct explain *out,
			char *msg, size_t msg_len)
{
	(void)p;
	return off(out, msg, msg_len);
}

/* rpfilter.c (kept: it reads sysctls) asks rtnetlink for the route back. */
int route_get(const struct route_query *q, struct route_answer *a, char *msg,
	      size_t msg_len)
{
	(void)q;
	(void)a;
	snprintf(msg, msg_len, "%s", NO_NETLINK);
	return -EOPNOTSUPP;
}

const char *route_describe(int family, const struct route_answer *a, char *buf,
			   size_t len)
{
	(void)family;
	(void)a;
	snprintf(buf, len, "?");
	return buf;
}
