// SPDX-License-Identifier: GPL-2.0
/*
 * The drop verdicts of one namespace's traces: trace messages parsed, the
 * drops among them kept in a small ring, and a drop event matched to one
 * of them (see match_drop()).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/gen.h>
#include <libnftnl/trace.h>
#include "core/explain/nft_corr.h"
#include "core/explain/nft_table.h"
#include "core/lib/clock.h"

#define NT_JNAME 64 /* chain names kept for jumps (longer: lost) */
#define NT_RECS 128 /* drop verdicts kept per namespace */
#define NT_IDS 64   /* trace ids followed per namespace */
#define NT_JUMPS 4  /* jumps remembered per trace id */
#define NT_NH 40    /* NFT_TRACETYPE_NETWORK_HSIZE */
#define NT_TH 20    /* NFT_TRACETYPE_TRANSPORT_HSIZE */
#define MS (1000 * 1000LL)
/* A trace is read after the kernel sent it, and it sends it before it
 * frees the skb, so its read time is at most a little before the drop's
 * (another CPU may read it in between); it may be read much later. */
#define NT_BEFORE (200 * MS)
#define NT_AFTER (10 * 1000 * MS)

/* The header bytes of one packet as the trace carries them. */
struct nt_hdr {
	__u8 nh[NT_NH], th[NT_TH];
	__u8 nh_len, th_len;
};

/* A kept drop verdict, with what the match needs. */
struct nt_rec {
	struct nft_corr_verdict v;
	long long ts; /* CLOCK_MONOTONIC when read */
	__u8 used;
	struct nt_hdr h;
	__u64 claim_skb, claim_ts; /* the drop event it was given to */
};

/* What one trace id (one skb in one namespace) did so far in the current
 * base chain: the first event of each base chain carries the headers, the
 * later ones do not; jumps tell the base chain of a regular chain. */
struct nt_idslot {
	__u32 id;
	int used, nj;
	struct nt_hdr h;
	struct {
		char from[NT_JNAME], to[NT_JNAME];
	} j[NT_JUMPS];
};

struct nft_corr {
	__u32 gen; /* the ruleset generation now */
	int gen_known;
	unsigned rhead;
	struct nt_rec rec[NT_RECS];
	struct nt_idslot ids[NT_IDS];
};

int nft_corr_new(struct nft_corr **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void nft_corr_free(struct nft_corr *kept)
{
	free(kept);
}

/* A policy drop stays true after its chain changes, so only rule drops
 * are marked. */
void nft_corr_gone(struct nft_corr *kept, __u32 family, const char *table,
		   const char *chain, __u64 handle)
{
	for (int i = 0; i < NT_RECS; i++) {
		struct nft_corr_verdict *v = &kept->rec[i].v;

		if (kept->rec[i].used && !v->policy && v->family == family &&
		    !strcmp(v->table, table) &&
		    (!chain || !strcmp(v->chain, chain)) &&
		    (!handle || v->handle == handle))
			v->gone = 1;
	}
}

void nft_corr_untrust(struct nft_corr *kept)
{
	for (int i = 0; i < NT_RECS; i++)
		kept->rec[i].v.uncertain = 1;
}

void nft_corr_lost(struct nft_corr *kept)
{
	nft_corr_untrust(kept);
	memset(kept->ids, 0, sizeof(kept->ids));
	kept->gen_known = 0;
}

int nft_corr_same_gen(const struct nft_corr *kept,
		      const struct nft_corr_verdict *v)
{
	return kept->gen_known && v->gen_known && v->gen == kept->gen;
}

void nft_corr_on_gen(struct nft_corr *kept, const struct nlmsghdr *nlh)
{
	struct nftnl_gen *g = nftnl_gen_alloc();

	if (g && nftnl_gen_nlmsg_parse(nlh, g) >= 0 &&
	    nftnl_gen_is_set(g, NFTNL_GEN_ID)) {
		kept->gen = nftnl_gen_get_u32(g, NFTNL_GEN_ID);
		kept->gen_known = 1;
	}
	if (g)
		nftnl_gen_free(g);
}

static void copy_hdr(const struct nftnl_trace *t, struct nt_hdr *h)
{
	const void *p;
	__u32 len;

	memset(h, 0, sizeof(*h));
	p = nftnl_trace_get_data(t, NFTNL_TRACE_NETWORK_HEADER, &len);
	if (p) {
		h->nh_len = len < NT_NH ? len : NT_NH;
		memcpy(h->nh, p, h->nh_len);
	}
	p = nftnl_trace_get_data(t, NFTNL_TRACE_TRANSPORT_HEADER, &len);
	if (p) {
		h->th_len = len < NT_TH ? len : NT_TH;
		memcpy(h->th, p, h->th_len);
	}
}

/* The base chain a regular chain was reached from, by the jumps seen. */
static void base_of(const struct nt_idslot *s, const char *chain, char *base,
		    size_t len)
{
	strlcpy(base, chain, len);
	for (int step = 0; step < NT_JUMPS; step++) {
		int i;

		for (i = s->nj - 1; i >= 0; i--)
			if (!strcmp(s->j[i].to, base))
				break;
		if (i < 0)
			return;
		strlcpy(base, s->j[i].from, len);
	}
}

void nft_corr_on_trace(struct nft_corr *kept, const struct nlmsghdr *nlh)
{
	struct nftnl_trace *t = nftnl_trace_alloc();
	const char *table, *chain;
	struct nt_idslot *s;
	__u32 type, id, family, v = 0;
	struct nt_rec *r;
	int drop = 0;

	if (!t)
		return;
	if (nftnl_trace_nlmsg_parse(nlh, t) < 0)
		goto out;
	table = nftnl_trace_get_str(t, NFTNL_TRACE_TABLE);
	chain = nftnl_trace_get_str(t, NFTNL_TRACE_CHAIN);
	if (!table || !chain)
		goto out;
	type = nftnl_trace_get_u32(t, NFTNL_TRACE_TYPE);
	id = nftnl_trace_get_u32(t, NFTNL_TRACE_ID);
	family = nftnl_trace_get_u32(t, NFTNL_TRACE_FAMILY);

	/* The kernel dumps the packet with the first event of each base
	 * chain it runs (one nft_do_chain call): that starts a new slot. */
	s = &kept->ids[id % NT_IDS];
	if (nftnl_trace_is_set(t, NFTNL_TRACE_NETWORK_HEADER)) {
		memset(s, 0, sizeof(*s));
		s->used = 1;
		s->id = id;
		copy_hdr(t, &s->h);
	} else if (!s->used || s->id != id) {
		memset(s, 0, sizeof(*s));
		s->used = 1;
		s->id = id;
	}
	if (nft_table_ours(family, table))
		goto out;

	if (type == NFT_TRACETYPE_RULE &&
	    nftnl_trace_is_set(t, NFTNL_TRACE_VERDICT)) {
		v = nftnl_trace_get_u32(t, NFTNL_TRACE_VERDICT);
		if ((v == (__u32)NFT_JUMP || v == (__u32)NFT_GOTO) &&
		    nftnl_trace_is_set(t, NFTNL_TRACE_JUMP_TARGET) &&
		    s->nj < NT_JUMPS) {
			const char *to =
				nftnl_trace_get_str(t, NFTNL_TRACE_JUMP_TARGET);

			if (strlen(chain) < NT_JNAME && strlen(to) < NT_JNAME) {
				strlcpy(s->j[s->nj].from, chain, NT_JNAME);
				strlcpy(s->j[s->nj].to, to, NT_JNAME);
				s->nj++;
			}
		}
		drop = (v & NF_VERDICT_MASK) == NF_DROP;
	} else if (type == NFT_TRACETYPE_POLICY &&
		   nftnl_trace_is_set(t, NFTNL_TRACE_POLICY)) {
		drop = nftnl_trace_get_u32(t, NFTNL_TRACE_POLICY) == NF_DROP;
	}
	if (!drop)
		goto out;

	r = &kept->rec[kept->rhead++ % NT_RECS];
	memset(r, 0, sizeof(*r));
	r->used = 1;
	r->ts = mono_ns();
	r->v.id = id;
	r->v.gen = kept->gen;
	r->v.gen_known = kept->gen_known;
	r->v.family = family;
	r->v.policy = type == NFT_TRACETYPE_POLICY;
	if (!r->v.policy)
		r->v.handle = nftnl_trace_get_u64(t, NFTNL_TRACE_RULE_HANDLE);
	r->h = s->h;
	strlcpy(r->v.table, table, sizeof(r->v.table));
	strlcpy(r->v.chain, chain, sizeof(r->v.chain));
	base_of(s, chain, r->v.base, sizeof(r->v.base));
out:
	nftnl_trace_free(t);
}

/* What one packet's headers say, as far as they are known. */
struct nt_key {
	__u8 ver; /* 4 or 6; 0: nothing known */
	__u8 have_proto, have_ports, have_id, frag;
	__u8 proto;
	__u16 sport, dport; /* ICMP: type and code, as skbscope's events */
	__u32 id;           /* IPv4 id, IPv6 flow label */
	__u16 len;          /* IPv4 total length, IPv6 payload length */
	__u8 saddr[16], daddr[16];
};

static int ports_proto(__u8 p)
{
	return p == IPPROTO_TCP || p == IPPROTO_UDP || p == IPPROTO_ICMP ||
	       p == IPPROTO_ICMPV6;
}

/* The L3 header; returns the L4 offset or -1. */
static int key_l3(struct nt_key *k, const __u8 *b, size_t n)
{
	if (n >= 20 && b[0] >> 4 == 4) {
		int ihl = (b[0] & 0xf) * 4;

		k->ver = 4;
		k->len = b[2] << 8 | b[3];
		k->id = b[4] << 8 | b[5];
		k->frag = ((b[6] << 8 | b[7]) & 0x1fff) != 0;
		k->proto = b[9];
		k->have_proto = k->have_id = 1;
		memset(k->saddr, 0, 16);
		memset(k->daddr, 0, 16);
		memcpy(k->saddr, b + 12, 4);
		memcpy(k->daddr, b + 16, 4);
		return ihl >= 20 ? ihl : -1;
	}
	if (n >= 40 && b[0] >> 4 == 6) {
		k->ver = 6;
		k->id = (b[1] & 0xf) << 16 | b[2] << 8 | b[3];
		k->len = b[4] << 8 | b[5];
		k->proto = b[6];
		/* An extension header first: the BPF side does not walk them
		 * either, so both sides still carry the same number. */
		k->have_proto = k->have_id = 1;
		memcpy(k->saddr, b + 8, 16);
		memcpy(k->daddr, b + 24, 16);
		return 40;
	}
	return -1;
}

static void key_l4(struct nt_key *k, const __u8 *b, size_t n)
{
	if (k->frag || !k->have_proto || !ports_proto(k->proto))
		return;
	if ((k->proto == IPPROTO_TCP || k->proto == IPPROTO_UDP) && n >= 4) {
		k->sport = b[0] << 8 | b[1];
		k->dport = b[2] << 8 | b[3];
		k->have_ports = 1;
	} else if ((k->proto == IPPROTO_ICMP || k->proto == IPPROTO_ICMPV6) &&
		   n >= 2) {
		k->sport = b[0];
		k->dport = b[1];
		k->have_ports = 1;
	}
}

static void key_from_rec(const struct nt_rec *r, struct nt_key *k)
{
	memset(k, 0, sizeof(*k));
	if (key_l3(k, r->h.nh, r->h.nh_len) >= 0)
		key_l4(k, r->h.th, r->h.th_len);
}

static void key_from_drop(const struct skbs_event *d, const __u8 *hdr,
			  size_t hdr_len, struct nt_key *k)
{
	struct nt_key h = { 0 };
	size_t off = 0;
	int l4;

	memset(k, 0, sizeof(*k));
	if (hdr && hdr_len && (d->flags & SKBS_EV_HDR_L2)) {
		/* Ethernet, perhaps one VLAN tag. */
		__u16 et = hdr_len >= 14 ? hdr[12] << 8 | hdr[13] : 0;

		off = 14;
		if ((et == 0x8100 || et == 0x88a8) && hdr_len >= 18) {
			et = hdr[16] << 8 | hdr[17];
			off = 18;
		}
		if (et != 0x0800 && et != 0x86dd)
			hdr_len = 0;
	}
	if (hdr && hdr_len > off) {
		l4 = key_l3(&h, hdr + off, hdr_len - off);
		if (l4 >= 0 && off + l4 < hdr_len)
			key_l4(&h, hdr + off + l4, hdr_len - off - l4);
	}
	if (d->flags & SKBS_EV_TUPLE) {
		k->ver = d->l3_proto == 0x86dd ? 6 : 4;
		memcpy(k->saddr, d->saddr, k->ver == 6 ? 16 : 4);
		memcpy(k->daddr, d->daddr, k->ver == 6 ? 16 : 4);
		k->proto = d->l4_proto;
		k->have_proto = 1;
		/* The BPF side leaves ports 0 on later fragments. */
		if (ports_proto(d->l4_proto) && !(h.ver && h.frag)) {
			k->sport = d->sport;
			k->dport = d->dport;
			k->have_ports = 1;
		}
		if (h.ver == k->ver) {
			k->have_id = h.have_id;
			k->id = h.id;
			k->len = h.len;
			k->frag = h.frag;
		}
	} else {
		*k = h;
	}
}

/* -1: not the same packet; else how many fields agreed (weighted). */
static int key_cmp(const struct nt_key *a, const struct nt_key *b)
{
	int score = 0, alen;

	if (!a->ver || !b->ver)
		return -1;
	if (a->ver != b->ver)
		return -1;
	alen = a->ver == 6 ? 16 : 4;
	if (memcmp(a->saddr, b->saddr, alen) ||
	    memcmp(a->daddr, b->daddr, alen))
		return -1;
	score += 2;
	if (a->have_proto && b->have_proto) {
		if (a->proto != b->proto)
			return -1;
		score++;
	}
	if (a->have_ports && b->have_ports && !a->frag && !b->frag) {
		if (a->sport != b->sport || a->dport != b->dport)
			return -1;
		score += 2;
	}
	if (a->have_id && b->have_id) {
		if (a->id != b->id || a->len != b->len)
			return -1;
		score += 4;
	}
	return score;
}

/*
 * How a drop event finds its trace. Both come from the same namespace:
 * the event names its netns, and each kept verdict was read from that
 * namespace's own trace socket. Only verdicts that dropped are kept: a
 * rule's DROP (reject is a DROP after the reply) or a base chain's DROP
 * policy, with the packet's headers from the first event of its trace id
 * in that chain (the kernel sends them once per base chain).
 *
 * A kept verdict matches when
 *  - it has headers, and their IP version and addresses equal the
 *    event's; the L4 protocol, the ports (TCP, UDP; ICMP type and code)
 *    and, when the event carries header bytes, the IPv4 id and total
 *    length (IPv6: flow label and payload length) equal it too wherever
 *    both sides know them: any difference rules it out;
 *  - it was read no earlier than NT_BEFORE before the drop's timestamp:
 *    the kernel sends the trace just before it frees the packet, so it
 *    cannot have been read much earlier; and no later than NT_AFTER
 *    after it (reading may lag, a retransmission much later must not
 *    match).
 * Of those, the one agreeing in the most fields wins; then one not given
 * to another drop event yet; then the one read closest in time to the
 * drop, the oldest on a tie (a batch read at once has one time, and its
 * oldest is the earliest drop). NFTA_TRACE_ID cannot link the two: older
 * kernels sent the low 32 bits of the skb's address, newer ones a keyed
 * hash (on 6.18 it is not the address: checked against kfree_skb's
 * skbaddr), and skbscope's events carry the address only.
 */
static struct nt_rec *match_drop(struct nft_corr *kept,
				 const struct skbs_event *d,
				 const struct nt_key *k, long long ts)
{
	struct nt_rec *best = NULL;
	int best_score = -1, best_claimed = 0;
	long long best_dt = 0;

	for (unsigned i = 0; i < NT_RECS; i++) {
		struct nt_rec *r = &kept->rec[(kept->rhead + i) % NT_RECS];
		struct nt_key rk;
		long long dt;
		int score, claimed;

		if (!r->used || r->ts < ts - NT_BEFORE || r->ts > ts + NT_AFTER)
			continue;
		key_from_rec(r, &rk);
		score = key_cmp(k, &rk);
		if (score < 0)
			continue;
		claimed = (r->claim_skb || r->claim_ts) &&
			  (r->claim_skb != d->skb || r->claim_ts != d->ts);
		dt = r->ts > ts ? r->ts - ts : ts - r->ts;
		if (best && (score < best_score ||
			     (score == best_score &&
			      (claimed > best_claimed ||
			       (claimed == best_claimed && dt >= best_dt)))))
			continue;
		best = r;
		best_score = score;
		best_claimed = claimed;
		best_dt = dt;
	}
	return best;
}

const struct nft_corr_verdict *nft_corr_match(struct nft_corr *kept,
					      const struct skbs_event *d,
					      const __u8 *hdr, size_t hdr_len,
					      long long ts)
{
	struct nt_rec *r;
	struct nt_key k;

	key_from_drop(d, hdr, hdr_len, &k);
	r = match_drop(kept, d, &k, ts);
	if (!r)
		return NULL;
	r->claim_skb = d->skb;
	r->claim_ts = d->ts;
	return &r->v;
}
