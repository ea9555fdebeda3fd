// SPDX-License-Identifier: GPL-2.0
/*
 * The trace table of one namespace (table, base chains, trace rules), added
 * and refiltered in acknowledged batches on the socket that owns it.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include "core/explain/nft_match.h"
#include "core/explain/nft_table.h"
#include "core/explain/nftrace.h"

#define NT_BATCH 8     /* messages in one batch */
#define NT_MSGBUF 8192 /* requests and their answers */
#define NT_BATCH_BUF 16384
#define NT_ACK_MS 2000

/* By enum nft_match_chain. */
static const char *const chain_names[] = { "pre", "out" };

const char *nftrace_table(void)
{
	static char name[32];

	if (!name[0])
		snprintf(name, sizeof(name), NFTRACE_TABLE_PREFIX "%d",
			 (int)getpid());
	return name;
}

/* Any skbscope's: another one's mark rules are no more the verdict than
 * ours. */
int nft_table_ours(__u32 family, const char *table)
{
	return family == NFPROTO_INET && !strncmp(table, NFTRACE_TABLE_PREFIX,
						  strlen(NFTRACE_TABLE_PREFIX));
}

struct nt_batch {
	char buf[NT_BATCH_BUF];
	struct mnl_nlmsg_batch *b;
	__u32 *seq;
	__u32 begin, first;
	int n;
	const char *what[NT_BATCH];
};

/* bt->b is NULL when out of memory: batch_add() then refuses. The
 * buffer is zeroed: netlink alignment padding goes to the kernel too. */
static void batch_init(struct nt_batch *bt, __u32 *seq)
{
	memset(bt->buf, 0, sizeof(bt->buf));
	bt->b = mnl_nlmsg_batch_start(bt->buf, sizeof(bt->buf));
	bt->n = 0;
	if (!bt->b)
		return;
	bt->seq = seq;
	bt->begin = (*seq)++;
	nftnl_batch_begin(mnl_nlmsg_batch_current(bt->b), bt->begin);
	mnl_nlmsg_batch_next(bt->b);
	bt->first = *seq;
}

static void batch_free(struct nt_batch *bt)
{
	if (bt && bt->b)
		mnl_nlmsg_batch_stop(bt->b);
	free(bt);
}

static struct nlmsghdr *batch_add(struct nt_batch *bt, __u16 type, __u16 flags,
				  const char *what)
{
	struct nlmsghdr *nlh;

	if (!bt->b || bt->n >= NT_BATCH)
		return NULL;
	nlh = nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(bt->b), type,
				    NFPROTO_INET, flags | NLM_F_ACK,
				    (*bt->seq)++);
	bt->what[bt->n++] = what;
	return nlh;
}

/* Send the batch and wait for an answer to each message: the kernel
 * answers every message of a batch, even after one failed (then it
 * commits nothing), or once, for the batch, when it refuses all of it. */
static int batch_run(struct mnl_socket *s, struct nt_batch *bt,
		     const char **failed)
{
	char rbuf[NT_MSGBUF];
	__u32 end = (*bt->seq)++;
	struct pollfd p = { mnl_socket_get_fd(s), POLLIN, 0 };
	int acks = 0, rc = 0;

	*failed = "batch";
	nftnl_batch_end(mnl_nlmsg_batch_current(bt->b), end);
	mnl_nlmsg_batch_next(bt->b);
	if (mnl_socket_sendto(s, mnl_nlmsg_batch_head(bt->b),
			      mnl_nlmsg_batch_size(bt->b)) < 0)
		return -errno;
	while (acks < bt->n) {
		const struct nlmsghdr *nlh;
		ssize_t len;
		int r = poll(&p, 1, NT_ACK_MS);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -ETIMEDOUT;
		len = mnl_socket_recvfrom(s, rbuf, sizeof(rbuf));
		if (len < 0)
			return -errno;
		for (nlh = (void *)rbuf; mnl_nlmsg_ok(nlh, (int)len);
		     nlh = mnl_nlmsg_next(nlh, (int *)&len)) {
			const struct nlmsgerr *e;
			__u32 q = nlh->nlmsg_seq;

			if (nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			e = mnl_nlmsg_get_payload(nlh);
			if (q == bt->begin || q == end) {
				if (e->error)
					return e->error;
				continue;
			}
			if (q < bt->first || q >= bt->first + bt->n)
				continue;
			acks++;
			if (e->error && !rc) {
				rc = e->error;
				*failed = bt->what[q - bt->first];
			}
		}
	}
	return rc;
}

/* m's trace rule, in chain c of the trace table. */
static struct nftnl_rule *trace_rule(const struct nft_match *m, int c)
{
	struct nftnl_rule *r = nft_match_rule(m, c);

	if (r) {
		nftnl_rule_set_str(r, NFTNL_RULE_TABLE, nftrace_table());
		nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain_names[c]);
		nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	}
	return r;
}

/* The two trace rules (none when the filter matches nothing). */
static int batch_rules(struct nt_batch *bt, const struct nft_match *m)
{
	for (int c = NFT_MATCH_PRE; c <= NFT_MATCH_OUT && !nft_match_none(m);
	     c++) {
		struct nftnl_rule *r = trace_rule(m, c);
		struct nlmsghdr *nlh;

		if (!r)
			return -ENOMEM;
		nlh = batch_add(bt, NFT_MSG_NEWRULE,
				NLM_F_CREATE | NLM_F_APPEND, "trace rule");
		if (nlh) {
			nftnl_rule_nlmsg_build_payload(nlh, r);
			mnl_nlmsg_batch_next(bt->b);
		}
		nftnl_rule_free(r);
		if (!nlh)
			return -ENOMEM;
	}
	return 0;
}

/* The table, its two base chains and rules, in one batch. The owner flag
 * (NFT_TABLE_F_OWNER) makes the kernel delete the table when the socket
 * that created it closes, also on SIGKILL, and lets no other socket change
 * it; NLM_F_EXCL, so that a table left by someone else is never taken
 * over. */
static int batch_table(struct nt_batch *bt, const struct nft_match *m)
{
	static const __u32 hooks[] = { NF_INET_PRE_ROUTING, NF_INET_LOCAL_OUT };
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;

	if (!t)
		return -ENOMEM;
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, nftrace_table());
	nftnl_table_set_u32(t, NFTNL_TABLE_FLAGS, NFT_TABLE_F_OWNER);
	nlh = batch_add(bt, NFT_MSG_NEWTABLE, NLM_F_CREATE | NLM_F_EXCL,
			"table");
	if (nlh) {
		nftnl_table_nlmsg_build_payload(nlh, t);
		mnl_nlmsg_batch_next(bt->b);
	}
	nftnl_table_free(t);
	if (!nlh)
		return -ENOMEM;

	for (int c = NFT_MATCH_PRE; c <= NFT_MATCH_OUT; c++) {
		struct nftnl_chain *ch = nftnl_chain_alloc();

		if (!ch)
			return -ENOMEM;
		nftnl_chain_set_str(ch, NFTNL_CHAIN_TABLE, nftrace_table());
		nftnl_chain_set_str(ch, NFTNL_CHAIN_NAME, chain_names[c]);
		nftnl_chain_set_str(ch, NFTNL_CHAIN_TYPE, "filter");
		nftnl_chain_set_u32(ch, NFTNL_CHAIN_HOOKNUM, hooks[c]);
		/* Before everything, iptables-nft's raw (-300) and conntrack
		 * defrag (-400) included. */
		nftnl_chain_set_s32(ch, NFTNL_CHAIN_PRIO, INT_MIN);
		nftnl_chain_set_u32(ch, NFTNL_CHAIN_POLICY, NF_ACCEPT);
		nlh = batch_add(bt, NFT_MSG_NEWCHAIN, NLM_F_CREATE, "chain");
		if (nlh) {
			nftnl_chain_nlmsg_build_payload(nlh, ch);
			mnl_nlmsg_batch_next(bt->b);
		}
		nftnl_chain_free(ch);
		if (!nlh)
			return -ENOMEM;
	}
	return batch_rules(bt, m);
}

/* Flush both chains and add the new rules: one transaction, so no packet
 * sees the chains half changed. */
static int batch_refilter(struct nt_batch *bt, const struct nft_match *m)
{
	for (int c = NFT_MATCH_PRE; c <= NFT_MATCH_OUT; c++) {
		struct nftnl_rule *r = nftnl_rule_alloc();
		struct nlmsghdr *nlh;

		if (!r)
			return -ENOMEM;
		nftnl_rule_set_str(r, NFTNL_RULE_TABLE, nftrace_table());
		nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain_names[c]);
		nlh = batch_add(bt, NFT_MSG_DELRULE, 0, "flush");
		if (nlh) {
			nftnl_rule_nlmsg_build_payload(nlh, r);
			mnl_nlmsg_batch_next(bt->b);
		}
		nftnl_rule_free(r);
		if (!nlh)
			return -ENOMEM;
	}
	return batch_rules(bt, m);
}

/* Is the table ours, with the owner flag? A kernel that took the flag
 * without honouring it would leave the table behind: refuse then. */
static int check_owner(struct mnl_socket *own, __u32 *next_seq, __u32 ino,
		       char *err, size_t errlen)
{
	char buf[NT_MSGBUF];
	struct pollfd p = { mnl_socket_get_fd(own), POLLIN, 0 };
	__u32 seq = (*next_seq)++, portid = mnl_socket_get_portid(own);
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;
	__u32 flags = 0, owner = 0;
	int rc = -ETIMEDOUT, got = 0;

	if (!t)
		return -ENOMEM;
	memset(buf, 0, sizeof(buf));
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, nftrace_table());
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETTABLE, NFPROTO_INET,
				    NLM_F_ACK, seq);
	nftnl_table_nlmsg_build_payload(nlh, t);
	if (mnl_socket_sendto(own, nlh, nlh->nlmsg_len) < 0) {
		rc = -errno;
		goto out;
	}
	while (poll(&p, 1, NT_ACK_MS) > 0) {
		ssize_t len = mnl_socket_recvfrom(own, buf, sizeof(buf));
		int left = (int)len, done = 0;

		if (len < 0) {
			rc = -errno;
			break;
		}
		for (nlh = (void *)buf; mnl_nlmsg_ok(nlh, left);
		     nlh = mnl_nlmsg_next(nlh, &left)) {
			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e =
					mnl_nlmsg_get_payload(nlh);

				rc = e->error;
				done = 1;
			} else if (NFNL_MSG_TYPE(nlh->nlmsg_type) ==
					   NFT_MSG_NEWTABLE &&
				   nftnl_table_nlmsg_parse(nlh, t) >= 0) {
				flags = nftnl_table_get_u32(t,
							    NFTNL_TABLE_FLAGS);
				owner = nftnl_table_get_u32(t,
							    NFTNL_TABLE_OWNER);
				got = 1;
			}
		}
		if (done)
			break;
	}
	if (!rc && got && !((flags & NFT_TABLE_F_OWNER) && owner == portid))
		rc = -EOPNOTSUPP;
	if (rc)
		snprintf(
			err, errlen,
			"netns %u: the kernel did not make skbscope the owner of "
			"its trace table (%s): not tracing, rather than leave a "
			"table behind",
			ino, strerror(-rc));
out:
	nftnl_table_free(t);
	return rc;
}

/* Only for a table the kernel did not make ours: ours go with "own". */
static void drop_table(struct mnl_socket *own, __u32 *seq)
{
	struct nt_batch *bt = malloc(sizeof(*bt));
	struct nftnl_table *t = nftnl_table_alloc();
	const char *failed = "batch";
	struct nlmsghdr *nlh;

	if (bt && t) {
		batch_init(bt, seq);
		nftnl_table_set_str(t, NFTNL_TABLE_NAME, nftrace_table());
		nlh = batch_add(bt, NFT_MSG_DELTABLE, 0, "table");
		if (nlh) {
			nftnl_table_nlmsg_build_payload(nlh, t);
			mnl_nlmsg_batch_next(bt->b);
			batch_run(own, bt, &failed);
		}
	}
	if (t)
		nftnl_table_free(t);
	batch_free(bt);
}

int nft_table_add(struct mnl_socket *own, __u32 *seq, __u32 ino,
		  const struct nft_match *m, char *err, size_t errlen)
{
	struct nt_batch *bt;
	const char *failed = "batch";
	int rc;

	bt = malloc(sizeof(*bt));
	if (!bt)
		return -ENOMEM;
	batch_init(bt, seq);
	rc = batch_table(bt, m);
	if (!rc)
		rc = batch_run(own, bt, &failed);
	batch_free(bt);
	/* An owned table answers EPERM to any other socket, before EEXIST;
	 * we may change tables (the trace group took CAP_NET_ADMIN too). */
	if ((rc == -EEXIST || rc == -EPERM) && !strcmp(failed, "table")) {
		snprintf(
			err, errlen,
			"netns %u: a table inet %s is there already (left by a "
			"process of the same pid?): not touching it",
			ino, nftrace_table());
		rc = -EEXIST;
	} else if ((rc == -EOPNOTSUPP || rc == -EINVAL) &&
		   !strcmp(failed, "table")) {
		snprintf(
			err, errlen,
			"netns %u: the kernel refused a table with the owner flag "
			"(%s; Linux 5.12+ needed): not tracing, rather than leave "
			"a table behind",
			ino, strerror(-rc));
	} else if (rc == -EPERM) {
		snprintf(
			err, errlen,
			"netns %u: nf_tables refused the trace table: %s (needs "
			"CAP_NET_ADMIN)",
			ino, strerror(-rc));
	} else if (rc) {
		snprintf(
			err, errlen,
			"netns %u: adding the trace table failed at the %s: %s%s",
			ino, failed, strerror(-rc),
			rc == -ENOENT || rc == -EAFNOSUPPORT ?
				" (no nf_tables inet family?)" :
				"");
	}
	if (rc)
		return rc;
	rc = check_owner(own, seq, ino, err, errlen);
	if (rc)
		drop_table(own, seq);
	return rc;
}

int nft_table_refilter(struct mnl_socket *own, __u32 *seq,
		       const struct nft_match *m, const char **failed)
{
	struct nt_batch *bt = malloc(sizeof(*bt));
	int rc;

	*failed = NULL;
	if (!bt)
		return -ENOMEM;
	*failed = "batch";
	batch_init(bt, seq);
	rc = batch_refilter(bt, m);
	if (!rc)
		rc = batch_run(own, bt, failed);
	batch_free(bt);
	return rc;
}
