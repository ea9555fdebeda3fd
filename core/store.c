// SPDX-License-Identifier: GPL-2.0
/*
 * Generations are handed out in first-seen order, so lifetimes live in a
 * ring kept sorted by generation: appending is O(1), finding one is a
 * binary search, and evicting the oldest is dropping the front. The drop
 * index is a second ring of generations, trimmed the same way.
 *
 * Memory is most of what the explorer costs in a flood, so a lifetime is
 * one slab slot plus one block: its hops, then the header bytes they
 * captured. Successive hops of an skb mostly capture the same bytes, or
 * the same bytes from the MAC header instead of the network header, so a
 * hop's bytes are laid over those already held where they match and only
 * the rest is added. When the lifetime ends, the block is cut to size.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include "core/explain.h"
#include "core/lib/u64map.h"
#include "core/lib/vec.h"
#include "core/store.h"

#define NO_TUPLE ((__u32)-1)
/* Lifetimes per slab chunk. */
#define SLAB_CHUNK 1024
/* Room for hops in a new block: most lifetimes have 4..8 hops. */
#define HOPS_FIRST 8
/* Where a hop's header bytes may overlap the previous hop's: the same
 * offset, or an Ethernet header later or earlier (MAC vs network header). */
#define ETH_HLEN 14
/* Interface names kept before the list starts over (note_ifname). */
#define IFNAMES_MAX 4096
/* Explanations kept: the newest drops' (an explanation is 2.7 KB, and a
 * flood of drops would otherwise hold one per lifetime). */
#define EXPLAIN_KEEP 1024

struct ifname {
	__u32 netns, ifindex;
	char name[SKBS_IFNAMSIZ];
};

/*
 * A lifetime as the store keeps it: the view callers read, and the room
 * in its block, which is the store's business alone.
 */
struct entry {
	struct packet p;
	__u32 cap;        /* room for hops */
	__u32 hlen, hcap; /* header bytes held, and room for them */
};

/* A lifetime's slot is most of what a flood costs. */
_Static_assert(sizeof(struct entry) <= 80, "struct entry grew");

/* cap is 0 or a power of two. */
struct ring {
	void **v;
	size_t head, n, cap;
};

/* Free lifetimes chain through their slot. */
union slot {
	struct entry e;
	union slot *next;
};

struct store {
	size_t max;
	struct ring pkts;  /* struct entry *, by gen */
	struct ring drops; /* struct entry *, in drop order */
	/* Per hook id: hits, and ns inside its calls (returns); all nhits
	 * (their room) zeroed. */
	struct hook_count {
		__u64 hits, time;
	} * hits;
	size_t nhits;
	__u64 returns;
	__u64 events, evicted;
	struct ifname *ifs;
	size_t nifs, capifs, lastif;
	size_t bytes;
	union slot *free_slots;
	union slot **chunks;
	size_t nchunks, capchunks;
	/* Explanations of drops by generation: a ring of EXPLAIN_KEEP
	 * slots, taken in turn, and gen -> slot. */
	struct {
		__u32 gen;
		struct explain e;
	} * why;
	size_t why_next;
	struct u64map *why_by_gen;
};

/* Not VEC_RESERVE: growing a ring unwraps it into the new array, and the
 * index mask needs a power of two, which vec_reserve does not promise. */
static int ring_push(struct ring *r, void *p)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 1024;
		void **nv = malloc(cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		for (size_t i = 0; i < r->n; i++)
			nv[i] = r->v[(r->head + i) & (r->cap - 1)];
		free(r->v);
		r->v = nv;
		r->head = 0;
		r->cap = cap;
	}
	r->v[(r->head + r->n) & (r->cap - 1)] = p;
	r->n++;
	return 0;
}

static void *ring_get(const struct ring *r, size_t i)
{
	return i < r->n ? r->v[(r->head + i) & (r->cap - 1)] : NULL;
}

static void *ring_pop_front(struct ring *r)
{
	void *p;

	if (!r->n)
		return NULL;
	p = r->v[r->head];
	r->head = (r->head + 1) & (r->cap - 1);
	r->n--;
	return p;
}

static long ring_find(const struct ring *r, __u32 gen)
{
	size_t lo = 0, hi = r->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct entry *e = ring_get(r, mid);

		if (e->p.gen == gen)
			return (long)mid;
		if (e->p.gen < gen)
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

static struct entry *entry_new(struct store *st)
{
	union slot *s = st->free_slots;

	if (!s) {
		union slot *c;

		if (VEC_RESERVE(st->chunks, st->capchunks, st->nchunks + 1))
			return NULL;
		c = malloc(SLAB_CHUNK * sizeof(*c));
		if (!c)
			return NULL;
		st->chunks[st->nchunks++] = c;
		for (size_t i = 0; i < SLAB_CHUNK; i++)
			c[i].next = i + 1 < SLAB_CHUNK ? &c[i + 1] : NULL;
		s = c;
	}
	st->free_slots = s->next;
	memset(&s->e, 0, sizeof(s->e));
	st->bytes += sizeof(s->e);
	return &s->e;
}

static size_t block_size(__u32 cap, __u32 hcap)
{
	return (size_t)cap * sizeof(struct hop) + hcap;
}

static void free_entry(struct store *st, struct entry *e)
{
	union slot *s = (union slot *)e;

	st->bytes -= sizeof(*e) + block_size(e->cap, e->hcap);
	free(e->p.hops);
	s->next = st->free_slots;
	st->free_slots = s;
}

void store_free(struct store *st)
{
	struct entry *e;

	if (!st)
		return;
	while ((e = ring_pop_front(&st->pkts)))
		free_entry(st, e);
	for (size_t i = 0; i < st->nchunks; i++)
		free(st->chunks[i]);
	free(st->chunks);
	free(st->pkts.v);
	free(st->drops.v);
	free(st->hits);
	free(st->ifs);
	free(st->why);
	u64map_free(st->why_by_gen);
	free(st);
}

int store_set_explain(struct store *st, __u32 gen, const struct explain *e)
{
	__u64 *slot;
	size_t i;
	int added;

	if (!st->why) {
		st->why = calloc(EXPLAIN_KEEP, sizeof(*st->why));
		if (!st->why || u64map_new(EXPLAIN_KEEP, &st->why_by_gen)) {
			free(st->why);
			st->why = NULL;
			return -ENOMEM;
		}
	}
	slot = u64map_slot(st->why_by_gen, gen, &added);
	if (!slot)
		return -ENOMEM;
	if (added) {
		i = st->why_next;
		st->why_next = (i + 1) % EXPLAIN_KEEP;
		/* The slot's last owner, if any, loses its explanation. */
		if (st->why[i].gen && st->why[i].gen != gen) {
			u64map_del(st->why_by_gen, st->why[i].gen);
			slot = u64map_get(st->why_by_gen, gen);
		}
		*slot = i;
	}
	i = (size_t)*slot;
	st->why[i].gen = gen;
	st->why[i].e = *e;
	return 0;
}

const struct explain *store_explain(const struct store *st,
				    const struct packet *p)
{
	const __u64 *slot;

	if (!st->why || !p)
		return NULL;
	slot = u64map_get(st->why_by_gen, p->gen);
	return slot ? &st->why[*slot].e : NULL;
}

static void evict_oldest(struct store *st)
{
	struct entry *e = ring_pop_front(&st->pkts);

	if (!e)
		return;
	if (e->p.state == PKT_DROPPED) {
		/* Drops are kept in drop order; the oldest lifetime's drop is
		 * almost always at the front. */
		for (size_t i = 0; i < st->drops.n; i++) {
			if (ring_get(&st->drops, i) != e)
				continue;
			for (size_t j = i; j > 0; j--)
				st->drops.v[(st->drops.head + j) &
					    (st->drops.cap - 1)] =
					ring_get(&st->drops, j - 1);
			ring_pop_front(&st->drops);
			break;
		}
	}
	free_entry(st, e);
	st->evicted++;
}

static void note_ifname(struct store *st, const struct skbs_event *ev)
{
	struct ifname *n;

	if (!ev->ifindex || !ev->ifname[0])
		return;
	/* Runs of events on one device are the rule. */
	if (st->lastif < st->nifs) {
		n = &st->ifs[st->lastif];
		if (n->netns == ev->netns && n->ifindex == ev->ifindex) {
			memcpy(n->name, ev->ifname, sizeof(n->name));
			return;
		}
	}
	for (size_t i = 0; i < st->nifs; i++) {
		n = &st->ifs[i];
		if (n->netns == ev->netns && n->ifindex == ev->ifindex) {
			memcpy(n->name, ev->ifname, sizeof(n->name));
			st->lastif = i;
			return;
		}
	}
	/* A handful of devices per netns: a small array is plenty, and it
	 * must not grow without bound under churn. */
	if (st->nifs == IFNAMES_MAX)
		st->nifs = 0;
	if (VEC_RESERVE(st->ifs, st->capifs, st->nifs + 1))
		return;
	st->lastif = st->nifs;
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
		size_t had = st->nhits;

		if (hook == SKBS_HOOK_BY_IP)
			return 0;
		if (VEC_RESERVE(st->hits, st->nhits, (size_t)hook + 1))
			return -ENOMEM;
		memset(st->hits + had, 0,
		       (st->nhits - had) * sizeof(*st->hits));
	}
	st->hits[hook].hits++;
	return 0;
}

int store_tuple_complete(const struct hop *h)
{
	if (!(h->flags & SKBS_EV_TUPLE))
		return 0;
	if (h->l4_proto == IPPROTO_TCP || h->l4_proto == IPPROTO_UDP)
		return h->sport && h->dport;
	return 1;
}

static struct entry *lifetime(struct store *st, const struct skbs_event *ev)
{
	struct entry *e = NULL;
	long i;

	/* Almost always the newest or one of the few in flight with it. */
	if (st->pkts.n) {
		e = ring_get(&st->pkts, st->pkts.n - 1);
		if (e->p.gen == ev->gen)
			return e;
		if (e->p.gen > ev->gen) {
			for (size_t k = 2; k <= 16 && k <= st->pkts.n; k++) {
				e = ring_get(&st->pkts, st->pkts.n - k);
				if (e->p.gen == ev->gen)
					return e;
				if (e->p.gen < ev->gen)
					return NULL;
			}
			i = ring_find(&st->pkts, ev->gen);
			return i < 0 ? NULL : ring_get(&st->pkts, (size_t)i);
		}
	}
	e = entry_new(st);
	if (!e)
		return NULL;
	e->p.skb = ev->skb;
	e->p.gen = ev->gen;
	e->p.first_ts = ev->ts;
	e->p.first_tuple = NO_TUPLE;
	if (ring_push(&st->pkts, e)) {
		free_entry(st, e);
		return NULL;
	}
	while (st->pkts.n > st->max)
		evict_oldest(st);
	return e;
}

static __u8 *hdr_bytes(const struct entry *e)
{
	return (__u8 *)(e->p.hops + e->cap);
}

/*
 * Give e a block with room for cap hops and hcap header bytes, with the
 * bytes held moved shift bytes on, and the hops' pointers moved with them.
 */
static int relayout(struct store *st, struct entry *e, __u32 cap, __u32 hcap,
		    __u32 shift)
{
	struct packet *p = &e->p;
	__u8 *ob = p->hops ? hdr_bytes(e) : NULL, *nb;
	struct hop *nh;

	if (cap == e->cap && hcap == e->hcap) {
		memmove(ob + shift, ob, e->hlen);
		for (__u32 i = 0; i < p->nhops; i++)
			if (p->hops[i].hdr)
				p->hops[i].hdr += shift;
		return 0;
	}
	nh = malloc(block_size(cap, hcap));
	if (!nh)
		return -ENOMEM;
	nb = (__u8 *)(nh + cap);
	if (p->nhops)
		memcpy(nh, p->hops, p->nhops * sizeof(*nh));
	if (e->hlen)
		memcpy(nb + shift, ob, e->hlen);
	for (__u32 i = 0; i < p->nhops; i++)
		if (nh[i].hdr)
			nh[i].hdr = nb + shift + (nh[i].hdr - ob);
	free(p->hops);
	st->bytes += block_size(cap, hcap);
	st->bytes -= block_size(e->cap, e->hcap);
	p->hops = nh;
	e->cap = cap;
	e->hcap = hcap;
	return 0;
}

/* Extra bytes needed to lay n bytes t at offset o (negative: before the
 * start) of the h bytes held at b, or -1 when they do not overlap there or
 * differ where they do. */
static long overlay_cost(const __u8 *b, long h, long o, const __u8 *t, long n)
{
	long lo = o > 0 ? o : 0, hi = o + n < h ? o + n : h;

	if (hi <= lo || memcmp(b + lo, t + (lo - o), (size_t)(hi - lo)))
		return -1;
	return (o < 0 ? -o : 0) + (o + n > h ? o + n - h : 0);
}

/* Room for one more hop, with n header bytes t (none when !n); sets
 * *hdr to where they are. 0 or -ENOMEM. */
static int make_room(struct store *st, struct entry *e, const __u8 *t, __u32 n,
		     __u8 **hdr)
{
	const struct packet *p = &e->p;
	long o = e->hlen, best = n, h = e->hlen;
	__u32 cap = e->cap, hcap = e->hcap, shift, need;

	/* Where the last few hops' bytes are, as they are, or an Ethernet
	 * header later or earlier; usually the first try matches whole. */
	for (__u32 i = p->nhops; n && i > 0 && i + 4 > p->nhops && best; i--) {
		const __u8 *b = hdr_bytes(e);
		long base, c;

		if (!p->hops[i - 1].hdr)
			continue;
		base = p->hops[i - 1].hdr - b;
		for (int k = 0; k < 3 && best; k++) {
			long at = base + (k == 1 ? ETH_HLEN :
					  k == 2 ? -ETH_HLEN :
						   0);

			c = overlay_cost(b, h, at, t, n);
			if (c >= 0 && c < best) {
				best = c;
				o = at;
			}
		}
	}
	shift = o < 0 ? (__u32)-o : 0;
	need = e->hlen + (__u32)best;
	if (p->nhops == cap)
		cap = cap ? cap + cap / 2 + 1 : HOPS_FIRST;
	if (need > hcap)
		hcap = need + need / 2 > 2 * hcap ? need + need / 2 : 2 * hcap;
	if ((cap != e->cap || hcap != e->hcap || shift) &&
	    relayout(st, e, cap, hcap, shift))
		return -ENOMEM;
	*hdr = NULL;
	if (n) {
		*hdr = hdr_bytes(e) + o + shift;
		memcpy(*hdr, t, n);
		e->hlen = need;
	}
	return 0;
}

/*
 * Count the hop written at p->hops[p->nhops] into what p says of itself:
 * the tuple that names it, its last hop, its state. 1 when this hop
 * dropped it. One function for store_add and store_packet_upto, so a
 * packet seen as it was is what it was.
 */
static int add_hop(struct packet *p)
{
	const struct hop *h = &p->hops[p->nhops];

	/* A complete tuple names the packet from then on; until one comes,
	 * whatever tuple there is. */
	if ((h->flags & SKBS_EV_TUPLE) &&
	    (p->first_tuple == NO_TUPLE ||
	     (!store_tuple_complete(&p->hops[p->first_tuple]) &&
	      store_tuple_complete(h))))
		p->first_tuple = p->nhops;
	p->nhops++;
	p->last_ts = h->ts;
	p->last_hook = h->hook;
	if ((h->flags & SKBS_EV_DROP) && p->state != PKT_DROPPED) {
		p->state = PKT_DROPPED;
		p->drop_reason = h->drop_reason;
		p->reason_known = !!(h->flags & SKBS_EV_REASON);
		p->location = h->location;
		return 1;
	}
	if ((h->flags & SKBS_EV_FREE) && p->state == PKT_IN_FLIGHT)
		p->state = PKT_CONSUMED;
	return 0;
}

void store_packet_upto(const struct packet *p, __u32 n, struct packet *out)
{
	*out = *p;
	if (n >= p->nhops)
		return;
	out->nhops = 0;
	out->first_tuple = NO_TUPLE;
	out->last_ts = p->first_ts;
	out->last_hook = 0;
	out->state = PKT_IN_FLIGHT;
	out->drop_reason = 0;
	out->reason_known = 0;
	out->location = 0;
	while (out->nhops < n)
		add_hop(out);
}

__u64 store_hop_meta(const struct hop *h, unsigned int i)
{
	__u64 v;

	if (i >= h->nmeta || !h->hdr)
		return 0;
	memcpy(&v, h->hdr + h->hdr_len + 8 * i, sizeof(v));
	return v;
}

int store_add(struct store *st, const struct skbs_event *ev, const char *tail)
{
	__u16 hdr_len = tail ? ev->hdr_len : 0;
	/* The metadata values follow the header bytes in the tail: kept
	 * with them. */
	__u32 keep = tail ? hdr_len + 8u * ev->nmeta : 0;
	struct packet *p;
	struct entry *e;
	struct hop *h;
	__u8 *hdr;

	st->events++;
	note_ifname(st, ev);
	if (count_hit(st, ev->hook))
		return -ENOMEM;
	e = lifetime(st, ev);
	if (!e)
		return 0; /* an event of an evicted lifetime */
	p = &e->p;
	if (make_room(st, e, (const __u8 *)tail, keep, &hdr)) {
		/* Keep the hop without its bytes, as before, if that fits. */
		hdr_len = 0;
		keep = 0;
		if (p->nhops == e->cap && make_room(st, e, NULL, 0, &hdr))
			return -ENOMEM;
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
	h->flags2 = ev->flags2;
	h->tcp_flags = ev->tcp_flags;
	memcpy(h->saddr, ev->saddr, 16);
	memcpy(h->daddr, ev->daddr, 16);
	h->hdr = keep ? hdr : NULL;
	h->hdr_len = hdr_len;
	h->nmeta = keep ? ev->nmeta : 0;
	h->cgroup = (ev->flags2 & SKBS_EV2_CGROUP) ? ev->cgroup : 0;
	h->has_ret = 0; /* until its return, if any, joins it */
	h->ret_kind = 0;
	h->dur = 0;
	h->ret = 0;
	if (add_hop(p) && ring_push(&st->drops, e))
		return -ENOMEM;
	/* The lifetime is over: nothing more will be added, so give back
	 * the room (a late event would simply grow it again). */
	if ((ev->flags & SKBS_EV_FREE) &&
	    (e->cap != p->nhops || e->hcap != e->hlen))
		relayout(st, e, p->nhops, e->hlen, 0);
	return 0;
}

size_t store_count(const struct store *st)
{
	return st->pkts.n;
}

/* The view inside an entry of r, or NULL past its end. */
static const struct packet *view_at(const struct ring *r, size_t i)
{
	const struct entry *e = ring_get(r, i);

	return e ? &e->p : NULL;
}

const struct packet *store_packet(const struct store *st, size_t i)
{
	return view_at(&st->pkts, i);
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
	return view_at(&st->drops, i);
}

__u64 store_hook_hits(const struct store *st, __u32 hook)
{
	return hook < st->nhits ? st->hits[hook].hits : 0;
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

/* How far back a return looks for its entry: returns follow their entries
 * within the same poll, so the entry's lifetime is among the newest. */
#define RETURN_LOOKBACK 512

static struct hop *find_hop(struct packet *p, __u64 ts)
{
	/* Hops are in arrival order, which is time order per CPU: search
	 * from the end, where a return's entry most often is. */
	for (__u32 i = p->nhops; i-- > 0;)
		if (p->hops[i].ts == ts)
			return &p->hops[i];
	return NULL;
}

int store_add_return(struct store *st, const struct skbs_return *r, int kind)
{
	size_t n = st->pkts.n;

	for (size_t k = 0; k < n && k < RETURN_LOOKBACK; k++) {
		struct entry *e = ring_get(&st->pkts, n - 1 - k);
		struct hop *h;

		if (!e || e->p.skb != r->skb || e->p.first_ts > r->ts_entry ||
		    e->p.last_ts < r->ts_entry)
			continue;
		h = find_hop(&e->p, r->ts_entry);
		if (!h || h->hook != r->hook)
			continue;
		h->has_ret = 1;
		h->ret_kind = (__u8)kind;
		h->ret = r->ret;
		h->dur = r->ts_exit - r->ts_entry;
		if (h->hook < st->nhits)
			st->hits[h->hook].time += h->dur;
		st->returns++;
		return 0;
	}
	return -ENOENT;
}

__u64 store_returns(const struct store *st)
{
	return st->returns;
}

__u64 store_hook_time(const struct store *st, __u32 hook)
{
	return hook < st->nhits ? st->hits[hook].time : 0;
}
