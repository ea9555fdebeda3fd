// SPDX-License-Identifier: GPL-2.0
/*
 * Generations are handed out in first-seen order, so lifetimes live in a
 * ring kept sorted by generation: appending is O(1), finding one is a
 * binary search, and evicting the oldest is dropping the front. The drop
 * index is a second ring of generations, trimmed the same way.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "core/store.h"

#define NO_TUPLE ((__u32)-1)

struct ifname {
	__u32 netns, ifindex;
	char name[SKBS_IFNAMSIZ];
};

struct ring {
	void **v;
	size_t head, n, cap;
};

struct store {
	size_t max;
	struct ring pkts;      /* struct packet *, by gen */
	struct ring drops;     /* struct packet *, by gen */
	__u64 *hits;
	size_t nhits;
	__u64 events, evicted;
	struct ifname *ifs;
	size_t nifs, capifs;
	size_t bytes;
};

static int ring_push(struct ring *r, void *p)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 1024;
		void **nv = malloc(cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		for (size_t i = 0; i < r->n; i++)
			nv[i] = r->v[(r->head + i) % r->cap];
		free(r->v);
		r->v = nv;
		r->head = 0;
		r->cap = cap;
	}
	r->v[(r->head + r->n) % r->cap] = p;
	r->n++;
	return 0;
}

static void *ring_get(const struct ring *r, size_t i)
{
	return i < r->n ? r->v[(r->head + i) % r->cap] : NULL;
}

static void *ring_pop_front(struct ring *r)
{
	void *p;

	if (!r->n)
		return NULL;
	p = r->v[r->head];
	r->head = (r->head + 1) % r->cap;
	r->n--;
	return p;
}

static long ring_find(const struct ring *r, __u32 gen)
{
	size_t lo = 0, hi = r->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct packet *p = ring_get(r, mid);

		if (p->gen == gen)
			return (long)mid;
		if (p->gen < gen)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

int store_new(size_t max_packets, struct store **out)
{
	struct store *st = calloc(1, sizeof(*st));

	if (!st)
		return -ENOMEM;
	st->max = max_packets ? max_packets : 1;
	*out = st;
	return 0;
}

static void free_packet(struct store *st, struct packet *p)
{
	for (__u32 i = 0; i < p->nhops; i++) {
		st->bytes -= p->hops[i].hdr_len;
		free(p->hops[i].hdr);
	}
	st->bytes -= sizeof(*p) + p->cap * sizeof(struct hop);
	free(p->hops);
	free(p);
}

void store_clear(struct store *st)
{
	struct packet *p;

	while ((p = ring_pop_front(&st->pkts)))
		free_packet(st, p);
	st->drops.n = 0;
	st->drops.head = 0;
}

void store_free(struct store *st)
{
	if (!st)
		return;
	store_clear(st);
	free(st->pkts.v);
	free(st->drops.v);
	free(st->hits);
	free(st->ifs);
	free(st);
}

static void evict_oldest(struct store *st)
{
	struct packet *p = ring_pop_front(&st->pkts);

	if (!p)
		return;
	if (p->state == PKT_DROPPED) {
		/* Drops are kept in drop order; the oldest lifetime's drop is
		 * almost always at the front. */
		for (size_t i = 0; i < st->drops.n; i++) {
			if (ring_get(&st->drops, i) != p)
				continue;
			for (size_t j = i; j > 0; j--)
				st->drops.v[(st->drops.head + j) %
					    st->drops.cap] =
					ring_get(&st->drops, j - 1);
			ring_pop_front(&st->drops);
			break;
		}
	}
	free_packet(st, p);
	st->evicted++;
}

static void note_ifname(struct store *st, const struct skbs_event *ev)
{
	struct ifname *n;

	if (!ev->ifindex || !ev->ifname[0])
		return;
	for (size_t i = 0; i < st->nifs; i++) {
		n = &st->ifs[i];
		if (n->netns == ev->netns && n->ifindex == ev->ifindex) {
			memcpy(n->name, ev->ifname, sizeof(n->name));
			return;
		}
	}
	/* A handful of devices per netns: a small array is plenty, and it
	 * must not grow without bound under churn. */
	if (st->nifs == st->capifs) {
		size_t cap = st->capifs ? st->capifs * 2 : 16;
		struct ifname *nv;

		if (cap > 4096) {
			st->nifs = 0;
			cap = st->capifs;
		}
		nv = reallocarray(st->ifs, cap, sizeof(*nv));
		if (!nv)
			return;
		st->ifs = nv;
		st->capifs = cap;
	}
	n = &st->ifs[st->nifs++];
	n->netns = ev->netns;
	n->ifindex = ev->ifindex;
	memcpy(n->name, ev->ifname, sizeof(n->name));
}

const char *store_ifname(const struct store *st, __u32 netns, __u32 ifindex)
{
	for (size_t i = 0; i < st->nifs; i++)
		if (st->ifs[i].netns == netns && st->ifs[i].ifindex == ifindex)
			return st->ifs[i].name;
	return NULL;
}

static int count_hit(struct store *st, __u32 hook)
{
	if (hook >= st->nhits) {
		size_t n = hook + 64;
		__u64 *nv;

		if (hook == SKBS_HOOK_BY_IP)
			return 0;
		nv = reallocarray(st->hits, n, sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		memset(nv + st->nhits, 0, (n - st->nhits) * sizeof(*nv));
		st->hits = nv;
		st->nhits = n;
	}
	st->hits[hook]++;
	return 0;
}

static struct packet *lifetime(struct store *st, const struct skbs_event *ev)
{
	struct packet *p = NULL;
	long i;

	/* Almost always the newest or a recent lifetime. */
	if (st->pkts.n) {
		p = ring_get(&st->pkts, st->pkts.n - 1);
		if (p->gen == ev->gen)
			return p;
		if (p->gen > ev->gen) {
			i = ring_find(&st->pkts, ev->gen);
			return i < 0 ? NULL : ring_get(&st->pkts, (size_t)i);
		}
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->skb = ev->skb;
	p->gen = ev->gen;
	p->first_ts = ev->ts;
	p->first_tuple = NO_TUPLE;
	if (ring_push(&st->pkts, p)) {
		free(p);
		return NULL;
	}
	st->bytes += sizeof(*p);
	while (st->pkts.n > st->max)
		evict_oldest(st);
	return p;
}

int store_add(struct store *st, const struct skbs_event *ev,
	      const char *tail)
{
	struct packet *p;
	struct hop *h;

	st->events++;
	note_ifname(st, ev);
	if (count_hit(st, ev->hook))
		return -ENOMEM;
	p = lifetime(st, ev);
	if (!p)
		return 0; /* an event of an evicted lifetime */
	if (p->nhops == p->cap) {
		__u32 cap = p->cap ? p->cap * 2 : 8;
		struct hop *nv = reallocarray(p->hops, cap, sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		st->bytes += (cap - p->cap) * sizeof(*nv);
		p->hops = nv;
		p->cap = cap;
	}
	h = &p->hops[p->nhops];
	h->ts = ev->ts;
	h->location = ev->location;
	h->caller = ev->caller;
	h->hook = ev->hook;
	h->netns = ev->netns;
	h->mark = ev->mark;
	h->ifindex = ev->ifindex;
	h->len = ev->len;
	h->drop_reason = ev->drop_reason;
	h->stack_id = ev->stack_id;
	h->cpu = (__u16)ev->cpu;
	h->l3_proto = ev->l3_proto;
	h->sport = ev->sport;
	h->dport = ev->dport;
	h->l4_proto = ev->l4_proto;
	h->flags = ev->flags;
	memcpy(h->saddr, ev->saddr, 16);
	memcpy(h->daddr, ev->daddr, 16);
	h->hdr = NULL;
	h->hdr_len = 0;
	if (ev->hdr_len && tail) {
		h->hdr = malloc(ev->hdr_len);
		if (h->hdr) {
			memcpy(h->hdr, tail, ev->hdr_len);
			h->hdr_len = ev->hdr_len;
			st->bytes += ev->hdr_len;
		}
	}
	if (p->first_tuple == NO_TUPLE && (ev->flags & SKBS_EV_TUPLE))
		p->first_tuple = p->nhops;
	p->nhops++;
	p->last_ts = ev->ts;
	p->last_hook = ev->hook;
	if ((ev->flags & SKBS_EV_DROP) && p->state != PKT_DROPPED) {
		p->state = PKT_DROPPED;
		p->drop_reason = ev->drop_reason;
		p->reason_known = !!(ev->flags & SKBS_EV_REASON);
		p->location = ev->location;
		if (ring_push(&st->drops, p))
			return -ENOMEM;
	} else if ((ev->flags & SKBS_EV_FREE) && p->state == PKT_IN_FLIGHT) {
		p->state = PKT_CONSUMED;
	}
	return 0;
}

size_t store_count(const struct store *st)
{
	return st->pkts.n;
}

const struct packet *store_packet(const struct store *st, size_t i)
{
	return ring_get(&st->pkts, i);
}

long store_find(const struct store *st, __u32 gen)
{
	return ring_find(&st->pkts, gen);
}

size_t store_drop_count(const struct store *st)
{
	return st->drops.n;
}

const struct packet *store_drop(const struct store *st, size_t i)
{
	return ring_get(&st->drops, i);
}

__u64 store_hook_hits(const struct store *st, __u32 hook)
{
	return hook < st->nhits ? st->hits[hook] : 0;
}

size_t store_hook_slots(const struct store *st)
{
	return st->nhits;
}

__u64 store_events(const struct store *st)
{
	return st->events;
}

__u64 store_evicted(const struct store *st)
{
	return st->evicted;
}

size_t store_max(const struct store *st)
{
	return st->max;
}

size_t store_bytes(const struct store *st)
{
	return st->bytes;
}
