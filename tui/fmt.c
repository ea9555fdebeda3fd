// SPDX-License-Identifier: GPL-2.0
/* Text the explorer's panes share (fmt.h). */
#include <stdio.h>
#include <string.h>
#include "core/ksyms.h"
#include "core/nsnames.h"
#include "core/output_line.h"
#include "core/reasons.h"
#include "core/store.h"
#include "tui/fmt.h"
#include "tui/model.h"

void fmt_delta(char *buf, size_t len, __u64 ns)
{
	if (ns < 1000)
		snprintf(buf, len, "+%lluns", (unsigned long long)ns);
	else if (ns < 1000000)
		snprintf(buf, len, "+%.1fus", ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, len, "+%.2fms", ns / 1e6);
	else
		snprintf(buf, len, "+%.3fs", ns / 1e9);
}

const char *fmt_count(__u64 n, char *buf, size_t len)
{
	if (n < 100000)
		snprintf(buf, len, "%llu", (unsigned long long)n);
	else if (n < 10000000)
		snprintf(buf, len, "%.1fk", n / 1e3);
	else if (n < 10000000000ULL)
		snprintf(buf, len, "%.1fM", n / 1e6);
	else
		snprintf(buf, len, "%.1fG", n / 1e9);
	return buf;
}

void fmt_tuple(const struct hop *h, char *buf, size_t len)
{
	struct skbs_event ev = { 0 };

	ev.flags = h->flags;
	ev.flags2 = h->flags2;
	ev.tcp_flags = h->tcp_flags;
	ev.l3_proto = h->l3_proto;
	ev.l4_proto = h->l4_proto;
	ev.sport = h->sport;
	ev.dport = h->dport;
	memcpy(ev.saddr, h->saddr, 16);
	memcpy(ev.daddr, h->daddr, 16);
	/* The explorer has room for the TCP flags: always shown. */
	line_tuple_flags(&ev, 1, buf, len);
}

/* The fields fmt_tuple shows, compared; an IPv4 address is 4 bytes. */
static int same_tuple(const struct hop *a, const struct hop *b)
{
	size_t alen = a->l3_proto == 0x86DD ? 16 : 4;

	return a->l3_proto == b->l3_proto && a->l4_proto == b->l4_proto &&
	       a->sport == b->sport && a->dport == b->dport &&
	       !memcmp(a->saddr, b->saddr, alen) &&
	       !memcmp(a->daddr, b->daddr, alen);
}

int fmt_tuple_rewritten(const struct packet *p, __u32 i)
{
	const struct hop *h = i < p->nhops ? &p->hops[i] : NULL;

	if (!h || !store_tuple_complete(h))
		return 0;
	while (i-- > 0)
		if (store_tuple_complete(&p->hops[i]))
			return !same_tuple(&p->hops[i], h);
	return 0;
}

int fmt_packet_rewritten(const struct packet *p)
{
	for (__u32 i = p->first_tuple + 1; i < p->nhops; i++)
		if (fmt_tuple_rewritten(p, i))
			return 1;
	return 0;
}

void fmt_iface(const struct ui *ui, const struct hop *h, char *buf, size_t len)
{
	const char *n = store_ifname(ui->store, h->netns, h->ifindex);

	if (!h->ifindex)
		snprintf(buf, len, "-");
	else if (n)
		snprintf(buf, len, "%s", n);
	else
		snprintf(buf, len, "if%u", h->ifindex);
}

void fmt_reason(const struct ui *ui, const struct packet *p,
		const struct hop *h, char *buf, size_t len)
{
	const char *r;
	__u32 v = p ? p->drop_reason : h->drop_reason;
	int known = p ? p->reason_known : !!(h->flags & SKBS_EV_REASON);

	if (!known) {
		snprintf(buf, len, "(no reason)");
		return;
	}
	r = reasons_name(ui->reasons, v);
	if (r)
		snprintf(buf, len, "%s", r);
	else
		snprintf(buf, len, "reason %u", v);
}

void fmt_location(const struct ui *ui, __u64 addr, char *buf, size_t len)
{
	if (!addr)
		snprintf(buf, len, "?");
	else if (ui->ksyms)
		ksyms_format(ui->ksyms, addr, buf, len);
	else
		snprintf(buf, len, "0x%llx", (unsigned long long)addr);
}

__u64 fmt_t0(const struct ui *ui)
{
	const struct packet *p = store_packet(ui->store, 0);

	/* Paused, the times stay as they were, evictions or not. */
	if (ui->paused && ui->pz.t0)
		return ui->pz.t0;
	return p ? p->first_ts : 0;
}

/* The head of the sentence: up to its first ": " or "; " (the rule text,
 * what listens nearby, ... follow it). */
static void brief_head(const struct explain *e, char *buf, size_t len)
{
	const char *colon = strstr(e->text, ": "),
		   *semi = strstr(e->text, "; ");
	const char *end = colon && (!semi || colon < semi) ? colon : semi;
	int n = end ? (int)(end - e->text) : (int)strlen(e->text);

	snprintf(buf, len, "%.*s", n, e->text);
}

/* "rule 4 of ip filter OUTPUT": what the fields name, so the brief stays
 * whatever words the explainer chose for its sentence. */
static void brief_nft_rule(const struct explain *e, char *buf, size_t len)
{
	const char *h = explain_get(e, "handle"), *f = explain_get(e, "family");
	const char *t = explain_get(e, "table"), *c = explain_get(e, "chain");

	if (h && f && t && c)
		snprintf(buf, len, "rule %s of %s %s %s", h, f, t, c);
	else
		brief_head(e, buf, len);
}

static void brief_nft_policy(const struct explain *e, char *buf, size_t len)
{
	const char *f = explain_get(e, "family"), *t = explain_get(e, "table");
	const char *c = explain_get(e, "chain");

	if (f && t && c)
		snprintf(buf, len, "policy of %s %s %s", f, t, c);
	else
		brief_head(e, buf, len);
}

static void brief_pending(const struct explain *e, char *buf, size_t len)
{
	(void)e;
	snprintf(buf, len, "watching for the next one");
}

static void brief_bpf_prog(const struct explain *e, char *buf, size_t len)
{
	const char *p = explain_get(e, "program"),
		   *id = explain_get(e, "prog_id");
	const char *v = explain_get(e, "verdict");

	if (p && id && v)
		snprintf(buf, len, "tc program %s#%s: %s", p, id, v);
	else
		brief_head(e, buf, len);
}

/* One entry per kind: how the detail names it, and its brief. */
static const struct {
	const char *label;
	void (*brief)(const struct explain *e, char *buf, size_t len);
} kinds[EXPLAIN_KIND_MAX] = {
	[EXPLAIN_NONE] = { "nothing known", brief_head },
	[EXPLAIN_REASON] = { "what the drop reason means", brief_head },
	[EXPLAIN_NFT_RULE] = { "netfilter rule", brief_nft_rule },
	[EXPLAIN_NFT_POLICY] = { "netfilter chain policy", brief_nft_policy },
	[EXPLAIN_NFT_LEGACY] = { "iptables-legacy chain", brief_head },
	[EXPLAIN_NO_SOCKET] = { "no socket", brief_head },
	[EXPLAIN_ROUTE] = { "route lookup", brief_head },
	[EXPLAIN_RPFILTER] = { "reverse-path filter", brief_head },
	[EXPLAIN_QUEUE] = { "full queue", brief_head },
	[EXPLAIN_PENDING] = { "pending: watching for the next one",
			      brief_pending },
	[EXPLAIN_UNAVAILABLE] = { "cannot be explained here", brief_head },
	[EXPLAIN_BPF_PROG] = { "tc BPF program", brief_bpf_prog },
};

const char *fmt_why_kind(const struct explain *e)
{
	return (unsigned)e->kind < EXPLAIN_KIND_MAX && kinds[e->kind].label ?
		       kinds[e->kind].label :
		       kinds[EXPLAIN_NONE].label;
}

const char *fmt_why_brief(const struct explain *e, char *buf, size_t len)
{
	unsigned k = (unsigned)e->kind < EXPLAIN_KIND_MAX ? e->kind :
							    EXPLAIN_NONE;

	/* A kind the table does not know yet gets its text's head. */
	if (kinds[k].brief)
		kinds[k].brief(e, buf, len);
	else
		brief_head(e, buf, len);
	return buf;
}

const char *fmt_netns(const struct ui *ui, __u32 netns, char *buf, size_t len)
{
	const char *n = ui->netns_names && ui->names ?
				nsnames_netns(ui->names, netns) :
				NULL;

	if (n)
		snprintf(buf, len, "%s", n);
	else
		snprintf(buf, len, "%u", netns);
	return buf;
}
