// SPDX-License-Identifier: GPL-2.0
/*
 * nftrace.h's API: the namespaces asked for, their trace sockets read and
 * each message handed to the part it is for, and drop events explained.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <libmnl/libmnl.h>
#include "core/explain/nft_corr.h"
#include "core/explain/nft_match.h"
#include "core/explain/nft_ns.h"
#include "core/explain/nft_rules.h"
#include "core/explain/nftrace.h"
#include "core/lib/clock.h"
#include "core/lib/vec.h"

/*
 * How the parts fit. In each watched namespace (nft_ns.c) a table "inet
 * skbscope" whose base chains run first (priority INT_MIN, hooks
 * prerouting and output; nft_table.c) sets meta nftrace on the packets the
 * user's filter matches (nft_match.c); the kernel then reports every rule
 * those packets meet on NFNLGRP_NFTRACE. Drop verdicts are kept in a small
 * ring per namespace and a drop event is matched to one of them
 * (nft_corr.c); the rule's text is what `nft -a list` prints for its
 * handle, cached per chain and dropped from the cache when the kernel says
 * that chain changed (nft_rules.c).
 */

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

/* A namespace asked for: watched, or why not. */
struct nt_watch {
	__u32 ino;
	int failed; /* the watch failed or ended: why says it */
	char why[256];
	struct nft_ns *ns; /* NULL when failed */
	struct nft_rules *rules;
	struct nft_corr *kept;
	long long since;   /* tracing began (CLOCK_MONOTONIC) */
	long long checked; /* last check that the namespace still exists */
	long long noted_loss;
	unsigned long lost; /* receive buffer overruns */
	int backlog;        /* the last read stopped with more queued */
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
	nft_rules_free(w->rules);
	nft_corr_free(w->kept);
	w->ns = NULL;
	w->rules = NULL;
	w->kept = NULL;
}

static void watch_fail(struct nt_watch *w, int rc, const char *why)
{
	watch_close(w);
	w->failed = rc ? rc : -EIO;
	strlcpy(w->why, why, sizeof(w->why));
}

/* Deletions reach the kept drops of what was deleted. */
static void on_gone(void *kept, __u32 family, const char *table,
		    const char *chain, __u64 handle)
{
	nft_corr_gone(kept, family, table, chain, handle);
}

/* The receive buffer ran over: traces and notifications are lost, so
 * nothing kept can be trusted to be current any more. Ask for the
 * generation again (the answer comes in order with the rest). */
static void on_overflow(struct nftrace *nt, struct nt_watch *w)
{
	long long now = mono_ns();
	__u32 seq;

	w->lost++;
	nft_corr_lost(w->kept);
	nft_rules_clear(w->rules);
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
	case NFT_MSG_DELRULE:
	case NFT_MSG_DELCHAIN:
	case NFT_MSG_DELTABLE:
		/* One not understood may have been of any rule: nothing
		 * kept can be trusted to be current any more. */
		if (nft_rules_on_del(w->rules, nlh, on_gone, w->kept) < 0)
			nft_corr_untrust(w->kept);
		break;
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
	rc = nft_rules_new(&w->rules);
	if (!rc)
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
	     nftrace_table(), ino, nft_ns_name(w->ns),
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
	int rc;

	if (r->gone)
		return RULE_GONE;
	/* Listed anew when notifications were lost: the cached listing may
	 * miss a change nobody told us of. */
	rc = nft_rules_text(w->rules, w->ns, r->family, r->table, r->chain,
			    r->handle, r->uncertain, text, tlen, err, errlen);
	if (rc == -ENOENT)
		return RULE_GONE;
	if (rc)
		return RULE_ERR;
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
	const char *fam = nft_rules_family(r->family);
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
	nft_rules_hook(w->rules, w->ns, r->family, r->table, r->chain, r->base,
		       hook, sizeof(hook));
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
