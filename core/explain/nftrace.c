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
 * the kernel says that chain changed. Each namespace's sockets, made
 * inside it, are nft_ns.c's.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <nftables/libnftables.h>
#include "core/explain/nft_corr.h"
#include "core/explain/nft_match.h"
#include "core/explain/nft_ns.h"
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

/* A namespace asked for: watched, or why not. */
struct nt_watch {
	__u32 ino;
	int failed; /* the watch failed or ended: why says it */
	char why[256];
	struct nft_ns *ns;     /* NULL when failed */
	struct nft_corr *kept; /* the drop verdicts traced */
	long long since;       /* tracing began (CLOCK_MONOTONIC) */
	long long checked;     /* last check that the namespace still exists */
	long long noted_loss;
	unsigned long lost; /* receive buffer overruns */
	int backlog;        /* the last read stopped with more queued */
	struct nt_chain chains[NT_CHAINS];
};

struct nftrace {
	struct nftrace_opts o;
	struct nft_match *m;
	struct nt_watch **w;
	size_t nw, cap;
	struct nft_ns_home home;
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
static void cache_forget(struct nt_watch *w, __u32 family, const char *table,
			 const char *chain)
{
	for (int i = 0; i < NT_CHAINS; i++) {
		struct nt_chain *c = &w->chains[i];

		if (c->used && c->family == family &&
		    !strcmp(c->table, table) &&
		    (!chain || !strcmp(c->chain, chain)))
			cache_drop(c);
	}
}

/* Nothing kept can be trusted to be current any more: kept drops must
 * prove it by the generation, listings are read again. */
static void lost_track(struct nt_watch *w)
{
	nft_corr_untrust(w->kept);
	for (int i = 0; i < NT_CHAINS; i++)
		if (w->chains[i].used)
			cache_drop(&w->chains[i]);
}

static struct nt_watch *watch_get(struct nftrace *nt, __u32 ino)
{
	for (size_t i = 0; i < nt->nw; i++)
		if (nt->w[i]->ino == ino)
			return nt->w[i];
	return NULL;
}

/* Closing the namespace's sockets is what makes the kernel delete its
 * trace table. */
static void watch_close(struct nt_watch *w)
{
	nft_ns_close(w->ns);
	nft_corr_free(w->kept);
	w->ns = NULL;
	w->kept = NULL;
	for (int i = 0; i < NT_CHAINS; i++)
		if (w->chains[i].used)
			cache_drop(&w->chains[i]);
}

static void watch_fail(struct nt_watch *w, int rc, const char *why)
{
	watch_close(w);
	w->failed = rc ? rc : -EIO;
	strlcpy(w->why, why, sizeof(w->why));
}

/* Deletions: the rule, chain or table named, kept drops of it marked
 * gone and its listings forgotten. One libnftnl cannot parse (an
 * expression newer than it, say) may be of any rule: lost_track(). */
static void on_delrule(struct nt_watch *w, const struct nlmsghdr *nlh)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	const char *table, *chain;
	__u32 family;
	__u64 handle;

	if (!r || nftnl_rule_nlmsg_parse(nlh, r) < 0) {
		lost_track(w);
		goto out;
	}
	table = nftnl_rule_get_str(r, NFTNL_RULE_TABLE);
	chain = nftnl_rule_get_str(r, NFTNL_RULE_CHAIN);
	family = nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY);
	handle = nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE);
	if (table && chain && handle && !nft_table_ours(family, table)) {
		nft_corr_gone(w->kept, family, table, chain, handle);
		cache_forget(w, family, table, chain);
	}
out:
	if (r)
		nftnl_rule_free(r);
}

static void on_delchain(struct nt_watch *w, const struct nlmsghdr *nlh)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	const char *table, *chain;
	__u32 family;

	if (!c || nftnl_chain_nlmsg_parse(nlh, c) < 0) {
		lost_track(w);
		goto out;
	}
	table = nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE);
	chain = nftnl_chain_get_str(c, NFTNL_CHAIN_NAME);
	family = nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY);
	if (table && chain) {
		nft_corr_gone(w->kept, family, table, chain, 0);
		cache_forget(w, family, table, chain);
	}
out:
	if (c)
		nftnl_chain_free(c);
}

/* Handles start again in a table made anew: the old numbers may then
 * name other rules, so everything of the table goes. */
static void on_deltable(struct nt_watch *w, const struct nlmsghdr *nlh)
{
	struct nftnl_table *t = nftnl_table_alloc();
	const char *table;
	__u32 family;

	if (!t || nftnl_table_nlmsg_parse(nlh, t) < 0) {
		lost_track(w);
		goto out;
	}
	table = nftnl_table_get_str(t, NFTNL_TABLE_NAME);
	family = nftnl_table_get_u32(t, NFTNL_TABLE_FAMILY);
	if (table) {
		nft_corr_gone(w->kept, family, table, NULL, 0);
		cache_forget(w, family, table, NULL);
	}
out:
	if (t)
		nftnl_table_free(t);
}

/* The receive buffer ran over: traces and notifications are lost, so
 * nothing kept can be trusted to be current any more. Ask for the
 * generation again (the answer comes in order with the rest). */
static void on_overflow(struct nftrace *nt, struct nt_watch *w)
{
	long long now = mono_ns();
	__u32 seq;

	w->lost++;
	lost_track(w);
	nft_corr_lost(w->kept);
	nft_ns_getgen(w->ns, &seq);
	if (now - w->noted_loss > NT_NOTE_EVERY) {
		w->noted_loss = now;
		note(nt, w->ino,
		     "nftrace: netns %u (%s): trace messages lost (%lu "
		     "overruns): too many packets traced, narrow the filter",
		     w->ino, nft_ns_name(w->ns), w->lost);
	}
}

static void on_msg(struct nt_watch *w, const struct nlmsghdr *nlh)
{
	int type;

	if (nlh->nlmsg_type < NLMSG_MIN_TYPE ||
	    NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES)
		return;
	type = NFNL_MSG_TYPE(nlh->nlmsg_type);
	switch (type) {
	case NFT_MSG_TRACE: nft_corr_on_trace(w->kept, nlh); break;
	case NFT_MSG_NEWGEN: nft_corr_on_gen(w->kept, nlh); break;
	case NFT_MSG_DELRULE: on_delrule(w, nlh); break;
	case NFT_MSG_DELCHAIN: on_delchain(w, nlh); break;
	case NFT_MSG_DELTABLE: on_deltable(w, nlh); break;
	}
}

/* Everything queued on the trace socket, without blocking. The kernel
 * queues ruleset notifications before the change's syscall returns, and a
 * trace before the packet is freed, so after this every change and every
 * drop verdict older than now has been seen. */
static int ns_drain(struct nftrace *nt, struct nt_watch *w)
{
	int n = 0;

	if (!w->ns)
		return 0;
	/* Bounded, so that a flood of traces cannot keep the caller here:
	 * what is left keeps the descriptor readable. */
	while (n < NT_DRAIN) {
		ssize_t len = recv(nft_ns_fd(w->ns), nt->buf, NT_BUF,
				   MSG_DONTWAIT);
		const struct nlmsghdr *nlh;
		int left;

		if (len < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				on_overflow(nt, w);
				continue;
			}
			return -errno;
		}
		left = (int)len;
		for (nlh = (void *)nt->buf; mnl_nlmsg_ok(nlh, left);
		     nlh = mnl_nlmsg_next(nlh, &left)) {
			on_msg(w, nlh);
			n++;
		}
	}
	w->backlog = n >= NT_DRAIN;
	return n;
}

/* Wait (up to a second) until the kernel has answered a GETGEN sent now:
 * every message before it is then read, and the generation is current
 * (nft_corr_same_gen() says whether the answer had it). */
static int gen_sync(struct nftrace *nt, struct nt_watch *w)
{
	struct pollfd p = { nft_ns_fd(w->ns), POLLIN, 0 };
	__u32 seq, portid = nft_ns_portid(w->ns);
	long long until = mono_ns() + 1000 * MS;
	const struct nlmsghdr *nlh;
	int rc = nft_ns_getgen(w->ns, &seq);

	if (rc)
		return rc;
	while (mono_ns() < until) {
		ssize_t len;
		int left, done = 0;

		if (poll(&p, 1, 100) <= 0)
			continue;
		len = recv(p.fd, nt->buf, NT_BUF, MSG_DONTWAIT);
		if (len < 0) {
			if (errno == ENOBUFS)
				on_overflow(nt, w);
			continue;
		}
		left = (int)len;
		for (nlh = (void *)nt->buf; mnl_nlmsg_ok(nlh, left);
		     nlh = mnl_nlmsg_next(nlh, &left)) {
			on_msg(w, nlh);
			if (nlh->nlmsg_seq == seq && nlh->nlmsg_pid == portid)
				done = 1;
		}
		if (done)
			return 0;
	}
	return -ETIMEDOUT;
}

int nftrace_watch(struct nftrace *nt, __u32 ino, char *err, size_t errlen)
{
	struct nt_watch *w = watch_get(nt, ino);
	char what[SKBS_PCAP_TEXT], e[256] = "";
	int rc;

	if (!ino) {
		errf(err, errlen, "netns 0: not a namespace");
		return -EINVAL;
	}
	if (w && !w->failed)
		return 0;
	if (!w) {
		if (nt->nw >= NT_MAX_NS) {
			errf(err, errlen,
			     "netns %u: already watching %d namespaces, the "
			     "most there may be",
			     ino, NT_MAX_NS);
			return -ENOSPC;
		}
		if (VEC_RESERVE(nt->w, nt->cap, nt->nw + 1))
			return -ENOMEM;
		w = calloc(1, sizeof(*w));
		if (!w)
			return -ENOMEM;
		nt->w[nt->nw++] = w;
	} else {
		/* Retry: forget the failure, keep the slot. */
		memset(w, 0, sizeof(*w));
	}
	w->ino = ino;
	rc = nft_corr_new(&w->kept);
	if (!rc)
		rc = nft_ns_open(&nt->home, ino, nt->m, &w->ns, e, sizeof(e));
	if (!rc) {
		rc = ns_drain(nt, w); /* the generation our commit made */
		if (rc >= 0)
			rc = 0;
		else
			snprintf(e, sizeof(e), "netns %u: reading: %s", ino,
				 strerror(-rc));
	}
	if (rc) {
		if (!e[0])
			snprintf(e, sizeof(e), "netns %u: %s", ino,
				 strerror(-rc));
		watch_fail(w, rc, e);
		errf(err, errlen, "%s", e);
		return rc;
	}
	w->since = w->checked = mono_ns();
	nft_match_text(nt->m, NFT_MATCH_PRE, what, sizeof(what));
	note(nt, ino,
	     "nftrace: added table inet %s in netns %u (%s) to name the "
	     "netfilter rules that drop packets, tracing %s; the kernel "
	     "deletes it when skbscope exits",
	     NFTRACE_TABLE, ino, nft_ns_name(w->ns),
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
	for (size_t i = 0; i < nt->nw; i++) {
		struct nt_watch *w = nt->w[i];
		const char *failed;
		int rc;

		if (w->failed)
			continue;
		rc = nft_ns_refilter(w->ns, nt->m, &failed);
		if (rc && !failed)
			return rc; /* nothing sent: out of memory */
		if (rc) {
			if (!first) {
				first = rc;
				snprintf(e, sizeof(e),
					 "netns %u (%s): replacing the trace "
					 "rules failed at the %s: %s",
					 w->ino, nft_ns_name(w->ns), failed,
					 strerror(-rc));
			}
			continue;
		}
		note(nt, w->ino, "nftrace: netns %u (%s): now tracing %s",
		     w->ino, nft_ns_name(w->ns),
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

	for (size_t i = 0; i < nt->nw; i++) {
		if (!nt->w[i]->ns)
			continue;
		if (n < max)
			fds[n] = nft_ns_fd(nt->w[i]->ns);
		n++;
	}
	return n;
}

int nftrace_read(struct nftrace *nt)
{
	long long now = mono_ns();
	int total = 0;

	for (size_t i = 0; i < nt->nw; i++) {
		struct nt_watch *w = nt->w[i];
		int n;

		if (w->failed)
			continue;
		n = ns_drain(nt, w);
		if (n < 0)
			return n;
		total += n;
		if (now - w->checked < NT_ALIVE)
			continue;
		w->checked = now;
		if (nft_ns_gone(w->ns)) {
			char why[256];

			snprintf(why, sizeof(why),
				 "netns %u (%s) is gone: stopped watching it, "
				 "and its trace table went with it",
				 w->ino, nft_ns_name(w->ns));
			watch_fail(w, -ENOENT, why);
			note(nt, w->ino, "nftrace: %s", why);
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

static struct nt_chain *cache_find(struct nt_watch *w, __u32 family,
				   const char *table, const char *chain)
{
	for (int i = 0; i < NT_CHAINS; i++) {
		struct nt_chain *c = &w->chains[i];

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
static int cache_load(struct nt_watch *w, __u32 family, const char *table,
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
	j->nft = nft_ns_nft(w->ns);
	if (plain_name(table) && plain_name(chain))
		snprintf(j->cmd, sizeof(j->cmd), "list chain %s %s %s", fam,
			 table, chain);
	else
		snprintf(j->cmd, sizeof(j->cmd), "list ruleset %s", fam);
	rc = nft_ns_run(w->ns, list_fn, j, err, errlen);
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
	c = cache_find(w, family, table, chain);
	for (int i = 0; !c && i < NT_CHAINS; i++) {
		struct nt_chain *x = &w->chains[i];

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
static void hook_of(struct nt_watch *w, const struct nft_corr_verdict *r,
		    char *hook, size_t len)
{
	struct nt_chain *c = cache_find(w, r->family, r->table, r->chain);
	char err[64];

	hook[0] = 0;
	if (!c &&
	    cache_load(w, r->family, r->table, r->chain, &c, err, sizeof(err)))
		c = NULL;
	if (c && c->hook[0]) {
		strlcpy(hook, c->hook, len);
		return;
	}
	if (!r->base[0] || !strcmp(r->base, r->chain))
		return;
	c = cache_find(w, r->family, r->table, r->base);
	if (!c &&
	    cache_load(w, r->family, r->table, r->base, &c, err, sizeof(err)))
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
static int rule_lookup(struct nftrace *nt, struct nt_watch *w,
		       const struct nft_corr_verdict *r, char *text,
		       size_t tlen, char *err, size_t errlen)
{
	struct nt_chain *c;
	const char *t;
	int rc;

	if (r->gone)
		return RULE_GONE;
	c = cache_find(w, r->family, r->table, r->chain);
	if (!c || r->uncertain || !(t = chain_rule(c, r->handle))) {
		rc = cache_load(w, r->family, r->table, r->chain, &c, err,
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
	ns_drain(nt, w);
	if (r->gone)
		return RULE_GONE;
	if (r->uncertain) {
		if (gen_sync(nt, w) || !nft_corr_same_gen(w->kept, r))
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

static void describe(struct nftrace *nt, struct nt_watch *w,
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
		st = rule_lookup(nt, w, r, text, sizeof(text), err,
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
	hook_of(w, r, hook, sizeof(hook));
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
	explain_add(out, "netns", "%u", w->ino);
	explain_add(out, "trace_id", "%08x", r->id);
}

int nftrace_explain(struct nftrace *nt, const struct skbs_event *d,
		    const __u8 *hdr, size_t hdr_len, struct explain *out)
{
	const struct nft_corr_verdict *r;
	char err[256];
	struct nt_watch *w;
	long long ts;

	memset(out, 0, sizeof(*out));
	if (!d->netns) {
		explain_set(out, EXPLAIN_NONE,
			    "no netfilter trace: the drop's network namespace "
			    "is not known");
		return -ENOENT;
	}
	w = watch_get(nt, d->netns);
	if (!w) {
		if (nftrace_watch(nt, d->netns, err, sizeof(err))) {
			w = watch_get(nt, d->netns);
			explain_set(out, EXPLAIN_UNAVAILABLE,
				    "the netfilter rule cannot be named: %s",
				    w ? w->why : err);
			explain_add(out, "netns", "%u", d->netns);
			return 0;
		}
		w = watch_get(nt, d->netns);
		explain_set(out, EXPLAIN_PENDING,
			    "tracing netfilter in netns %u (%s) from now on: "
			    "the next drops name their rule",
			    w->ino, nft_ns_name(w->ns));
		explain_add(out, "netns", "%u", w->ino);
		return 0;
	}
	if (w->failed) {
		explain_set(out, EXPLAIN_UNAVAILABLE,
			    "the netfilter rule cannot be named: %s", w->why);
		explain_add(out, "netns", "%u", w->ino);
		return 0;
	}
	if (ns_drain(nt, w) < 0) {
		explain_set(
			out, EXPLAIN_NONE,
			"no netfilter trace: reading the trace socket failed");
		return -ENOENT;
	}
	ts = d->ts ? (long long)d->ts : mono_ns();
	if (ts < w->since) {
		explain_set(out, EXPLAIN_PENDING,
			    "dropped before tracing in netns %u (%s) began: "
			    "the next drops name their rule",
			    w->ino, nft_ns_name(w->ns));
		explain_add(out, "netns", "%u", w->ino);
		return 0;
	}
	r = nft_corr_match(w->kept, d, hdr, hdr_len, ts);
	if (!r) {
		if (mono_ns() - ts < NT_WAIT || w->backlog)
			return -EAGAIN;
		explain_set(
			out, EXPLAIN_NONE,
			"no netfilter drop verdict traced for this packet%s",
			w->lost ? " (trace messages were lost)" : "");
		return -ENOENT;
	}
	describe(nt, w, r, out);
	return 0;
}

/* ------------------------------------------------------------------ */

int nftrace_new(const struct nftrace_opts *o, struct nftrace **out, char *err,
		size_t errlen)
{
	struct nftrace *nt = calloc(1, sizeof(*nt));
	int rc;

	*out = NULL;
	if (!nt || !(nt->buf = malloc(NT_BUF)) || nft_match_new(&nt->m)) {
		nftrace_free(nt);
		errf(err, errlen, "nftrace: out of memory");
		return -ENOMEM;
	}
	if (o)
		nt->o = *o;
	rc = nft_ns_home(&nt->home);
	if (rc) {
		errf(err, errlen, "nftrace: /proc/self/ns/net: %s",
		     strerror(-rc));
		nftrace_free(nt);
		return rc;
	}
	*out = nt;
	return 0;
}

void nftrace_free(struct nftrace *nt)
{
	if (!nt)
		return;
	for (size_t i = 0; i < nt->nw; i++) {
		watch_close(nt->w[i]);
		free(nt->w[i]);
	}
	free(nt->w);
	nft_match_free(nt->m);
	free(nt->buf);
	free(nt);
}
