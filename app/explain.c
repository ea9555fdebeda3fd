// SPDX-License-Identifier: GPL-2.0
/*
 * Why each drop happened, for every front end: netfilter drops through
 * nftrace (the rule, or the chain's policy), the other reasons through the
 * kernel-state sources of core/explain/explain_kernel.c, and the reason's
 * plain sentence when nothing more can be asked. A replay gives back what
 * was recorded. --no-explain keeps the sentence and touches nothing.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/app.h"
#include "core/bpfverdict.h"
#include "core/dropreason_text.h"
#include "core/explain.h"
#include "core/explain/explain_kernel.h"
#include "core/explain/iptlegacy.h"
#include "core/explain/netns.h"
#include "core/explain/nftrace.h"
#include "core/ksyms.h"
#include "core/lib/clock.h"
#include "core/reasons.h"
#include "core/record.h"
#include "core/trace/session.h"

/* Namespaces named in the status note before it says "+N". */
#define NOTE_NETNS 4
/* How long a netfilter drop may wait for its trace: the kernel queues the
 * trace before it frees the skb, so it is almost always there already. */
#define TRACE_WAIT_MS 5
#define TRACE_TRIES 4
/* A namespace whose wait came up empty (a packet the trace rule does not
 * mark, a table still being set up) is not waited for again for this
 * long: a flood of such drops must not stall the event loop 20 ms each. */
#define TRACE_QUIET_NS 1000000000LL
#define QUIET_SLOTS 16

struct app_explainer {
	struct nftrace *nt;
	struct explain_kernel *ek;
	struct netns_finder *nf;
	char nt_why[256];  /* why nftrace is not running, "" when it is */
	__u32 watched[64]; /* namespaces with a trace table */
	size_t nwatched;
	char note[160]; /* for the explorer's status line */
	int quiet;      /* the explorer owns the terminal */
	/* The last event explained: sinks ask for the same event in turn. */
	__u64 last_skb, last_ts;
	__u32 last_hook;
	int have_last;
	struct explain last;
	struct {
		__u32 netns;
		long long at; /* mono_ns() of the empty wait */
	} quiet_ns[QUIET_SLOTS];
	unsigned quiet_next;
	struct bpf_verdicts bv; /* drops by tc programs (--filter-trace-tc) */
};

static void update_note(struct app_explainer *x)
{
	char label[64], more[32];

	x->note[0] = '\0';
	if (!x->nwatched)
		return;
	/* strlcat cuts a long list at the note's size, never past it. */
	strlcpy(x->note, "nft trace in netns", sizeof(x->note));
	for (size_t i = 0; i < x->nwatched && i < NOTE_NETNS; i++) {
		strlcat(x->note, i ? ", " : " ", sizeof(x->note));
		strlcat(x->note,
			netns_label(x->nf, x->watched[i], label, sizeof(label)),
			sizeof(x->note));
	}
	if (x->nwatched > NOTE_NETNS) {
		snprintf(more, sizeof(more), " +%zu", x->nwatched - NOTE_NETNS);
		strlcat(x->note, more, sizeof(x->note));
	}
}

/* nftrace says what it does to the system: a table added where, and what
 * it cannot do. It goes on stderr (the explorer shows the namespaces on
 * its status line instead, and they are repeated at exit). */
static void on_note(void *arg, __u32 netns, const char *msg)
{
	struct app_explainer *x = arg;
	int known = 0;

	if (strstr(msg, "added table") && netns) {
		for (size_t i = 0; i < x->nwatched; i++)
			known |= x->watched[i] == netns;
		if (!known &&
		    x->nwatched < sizeof(x->watched) / sizeof(x->watched[0]))
			x->watched[x->nwatched++] = netns;
		update_note(x);
	}
	if (!x->quiet)
		fprintf(stderr, "skbscope: %s\n", msg);
}

int app_explain_start(struct app *a)
{
	struct app_explainer *x = calloc(1, sizeof(*x));
	struct nftrace_opts o = { .note = on_note };
	char err[256];
	int ret;

	if (!x)
		return -ENOMEM;
	a->ex = x;
	x->quiet = a->tui;
	if (a->cli.no_explain || a->replay)
		return 0;
	if (netns_finder_new(&x->nf) || explain_kernel_new(&x->ek))
		return -ENOMEM;
	o.note_arg = x;
	ret = nftrace_new(&o, &x->nt, err, sizeof(err));
	if (!ret)
		ret = nftrace_set_filter(x->nt, &a->cli.filter, err,
					 sizeof(err));
	if (ret) {
		snprintf(x->nt_why, sizeof(x->nt_why), "%s", err);
		fprintf(stderr,
			"skbscope: netfilter drops will not name their rule: "
			"%s\n",
			err);
		nftrace_free(x->nt);
		x->nt = NULL;
		return 0;
	}
	/* No namespace is watched before its first netfilter drop, not even
	 * one named by --filter-netns: a trace table marks every packet the
	 * filter matches there, and the kernel sends a message for each rule
	 * each of them meets: that cut the packet rate to 0.62x of the same
	 * run without it in `make bench` (traffic.sh, "explaining"). So a
	 * box with no netfilter drops pays nothing. */
	return 0;
}

void app_explain_stop(struct app *a)
{
	struct app_explainer *x = a->ex;

	if (!x)
		return;
	if (x->nwatched && x->note[0])
		fprintf(stderr, "skbscope: removed its nft trace tables (%s)\n",
			x->note + strlen("nft trace in "));
	nftrace_free(x->nt);
	explain_kernel_free(x->ek);
	netns_finder_free(x->nf);
	free(x);
	a->ex = NULL;
}

void app_explain_filter(struct app *a, const struct skbs_filter *f)
{
	struct app_explainer *x = a->ex;
	char err[256];

	if (x && x->nt && nftrace_set_filter(x->nt, f, err, sizeof(err)) &&
	    !x->quiet)
		fprintf(stderr, "skbscope: %s\n", err);
}

void app_explain_poll(struct app *a)
{
	if (a->ex && a->ex->nt)
		nftrace_read(a->ex->nt);
}

const char *app_explain_note(struct app *a)
{
	return a->ex ? a->ex->note : "";
}

/* Netfilter's drops: the reason says so, or (kernels without reasons) the
 * skb was freed from netfilter's hook walk. */
static int is_netfilter(struct app *a, const struct skbs_event *ev,
			const char *reason)
{
	const char *fn;

	if (reason)
		return !strcmp(reason, "NETFILTER_DROP");
	if (!ev->location || !app_ksyms(a))
		return 0;
	fn = ksyms_lookup(app_ksyms(a), ev->location, NULL, NULL);
	return fn &&
	       (!strcmp(fn, "nf_hook_slow") || !strcmp(fn, "nft_do_chain"));
}

/* Wait a moment for the trace sockets: see TRACE_WAIT_MS. */
static void wait_traces(struct nftrace *nt)
{
	struct pollfd p[16];
	int fds[16], n = nftrace_fds(nt, fds, 16);

	for (int i = 0; i < n && i < 16; i++)
		p[i] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
	if (n > 0)
		poll(p, (nfds_t)(n < 16 ? n : 16), TRACE_WAIT_MS);
}

static int recently_quiet(struct app_explainer *x, __u32 netns, long long now)
{
	for (unsigned i = 0; i < QUIET_SLOTS; i++)
		if (x->quiet_ns[i].netns == netns &&
		    now - x->quiet_ns[i].at < TRACE_QUIET_NS)
			return 1;
	return 0;
}

static void mark_quiet(struct app_explainer *x, __u32 netns, long long now)
{
	unsigned i;

	for (i = 0; i < QUIET_SLOTS; i++)
		if (x->quiet_ns[i].netns == netns)
			break;
	if (i == QUIET_SLOTS)
		i = x->quiet_next++ % QUIET_SLOTS;
	x->quiet_ns[i].netns = netns;
	x->quiet_ns[i].at = now;
}

/* The trace of a netfilter drop: asked again after short waits, unless
 * this namespace's last wait found nothing (see TRACE_QUIET_NS). */
static int explain_trace(struct app_explainer *x, const struct skbs_event *ev,
			 const __u8 *hdr, struct explain *out)
{
	int ret = nftrace_explain(x->nt, ev, hdr, ev->hdr_len, out);
	long long now;

	if (ret != -EAGAIN)
		return ret;
	now = mono_ns();
	if (recently_quiet(x, ev->netns, now))
		return ret;
	for (int t = 1; t < TRACE_TRIES && ret == -EAGAIN; t++) {
		wait_traces(x->nt);
		ret = nftrace_explain(x->nt, ev, hdr, ev->hdr_len, out);
	}
	if (ret == -EAGAIN)
		mark_quiet(x, ev->netns, mono_ns());
	return ret;
}

static void explain_live(struct app *a, const struct skbs_event *ev,
			 const char *tail, const char *reason,
			 struct explain *out)
{
	struct app_explainer *x = a->ex;
	const __u8 *hdr = ev->hdr_len ? (const __u8 *)tail : NULL;
	struct skbs_ipt_drop ipt;
	char buf[EXPLAIN_TEXT];
	int ret = -ENOENT;

	if (is_netfilter(a, ev, reason)) {
		/* An iptables-legacy table that returned NF_DROP for this
		 * very skb is certain, and nftrace never sees those. */
		if (a->s && !session_ipt_drop(a->s, ev->skb, ev->ts, &ipt)) {
			iptlegacy_explain(&ipt, out);
			return;
		}
		if (!x->nt) {
			explain_set(out, EXPLAIN_UNAVAILABLE,
				    "%s The rule is not known: %s",
				    dropreason_sentence(reason, buf,
							sizeof(buf)),
				    x->nt_why);
			return;
		}
		ret = explain_trace(x, ev, hdr, out);
		if (!ret)
			return;
	}
	explain_kernel(x->ek, ev, reason, hdr, ev->hdr_len, out);
}

const struct explain *app_explain_event(struct app *a,
					const struct skbs_event *ev,
					const char *tail)
{
	struct app_explainer *x = a->ex;
	const char *reason;
	char buf[EXPLAIN_TEXT];

	if (!x || !(ev->flags & SKBS_EV_DROP))
		return NULL;
	if (x->have_last && x->last_skb == ev->skb && x->last_ts == ev->ts &&
	    x->last_hook == ev->hook)
		return x->last.kind ? &x->last : NULL;
	x->have_last = 1;
	x->last_skb = ev->skb;
	x->last_ts = ev->ts;
	x->last_hook = ev->hook;
	memset(&x->last, 0, sizeof(x->last));
	if (a->replay) {
		const struct explain *e = rec_explain(a->replay);

		if (e)
			x->last = *e;
		return e ? &x->last : NULL;
	}
	reason = (ev->flags & SKBS_EV_REASON) ?
			 reasons_name(session_reasons(a->s), ev->drop_reason) :
			 NULL;
	/* A tc program that returned TC_ACT_SHOT for this skb decided it,
	 * whatever the reason says (TC_INGRESS, or NOT_SPECIFIED before
	 * 6.3); asking costs nothing, so --no-explain asks too. */
	if (a->s && !bpfv_explain(&x->bv, session_hooks(a->s), ev->skb, ev->ts,
				  &x->last))
		return &x->last;
	if (x->ek)
		explain_live(a, ev, tail, reason, &x->last);
	else
		explain_set(&x->last, EXPLAIN_REASON, "%s",
			    dropreason_sentence(reason, buf, sizeof(buf)));
	return &x->last;
}

void app_explain_return(struct app *a, const struct skbs_return *r, int kind)
{
	if (a->ex && a->s)
		bpfv_note(&a->ex->bv, session_hooks(a->s), r, kind);
}
