// SPDX-License-Identifier: GPL-2.0
/* core/store: lifetimes, timelines, drops, counts, eviction. */
#include "core/explain.h"
#include "core/store.h"
#include "test.h"

static struct skbs_event ev_at(__u64 skb, __u32 gen, __u32 hook, __u64 ts,
			       __u8 flags)
{
	struct skbs_event ev = { 0 };

	ev.rec_type = SKBS_REC_EVENT;
	ev.skb = skb;
	ev.gen = gen;
	ev.hook = hook;
	ev.ts = ts;
	ev.flags = flags;
	ev.ifindex = 3;
	ev.netns = 77;
	memcpy(ev.ifname, "veth0", 6);
	return ev;
}

TEST(store_lifetimes_and_states)
{
	struct store *st;
	struct skbs_event e;
	const struct packet *p;

	CHECK_INT(store_new(100, &st), 0);
	e = ev_at(0x100, 1, 0, 10, SKBS_EV_TUPLE);
	CHECK_INT(store_add(st, &e, NULL), 0);
	e = ev_at(0x200, 2, 1, 11, 0);
	CHECK_INT(store_add(st, &e, NULL), 0);
	e = ev_at(0x100, 1, 2, 15,
		  SKBS_EV_DROP | SKBS_EV_FREE | SKBS_EV_REASON);
	e.drop_reason = 12;
	e.location = 0xabc;
	CHECK_INT(store_add(st, &e, NULL), 0);
	e = ev_at(0x200, 2, 3, 16, SKBS_EV_FREE);
	CHECK_INT(store_add(st, &e, NULL), 0);
	e = ev_at(0x100, 3, 0, 20, 0); /* address reused: a new lifetime */
	CHECK_INT(store_add(st, &e, NULL), 0);

	CHECK_INT(store_count(st), 3);
	p = store_packet(st, 0);
	CHECK_INT(p->gen, 1);
	CHECK_INT(p->nhops, 2);
	CHECK_INT(p->state, PKT_DROPPED);
	CHECK_INT(p->drop_reason, 12);
	CHECK_INT(p->location, 0xabc);
	CHECK_INT(p->first_tuple, 0);
	CHECK_INT(p->last_hook, 2);
	CHECK_INT(store_packet(st, 1)->state, PKT_CONSUMED);
	CHECK_INT(store_packet(st, 2)->state, PKT_IN_FLIGHT);
	CHECK_INT(store_packet(st, 2)->first_tuple, (__u32)-1);
	CHECK_INT(store_drop_count(st), 1);
	CHECK(store_drop(st, 0) == store_packet(st, 0));
	CHECK_INT(store_find(st, 2), 1);
	CHECK_INT(store_find(st, 9), -1);
	CHECK_INT(store_hook_hits(st, 0), 2);
	CHECK_INT(store_hook_hits(st, 3), 1);
	CHECK_INT(store_events(st), 5);
	CHECK_STR(store_ifname(st, 77, 3), "veth0");
	CHECK(store_ifname(st, 78, 3) == NULL);
	store_free(st);
}

TEST(store_evicts_oldest_and_its_drop)
{
	struct store *st;
	struct skbs_event e;

	CHECK_INT(store_new(3, &st), 0);
	for (__u32 g = 1; g <= 5; g++) {
		e = ev_at(0x100 * g, g, 0, g,
			  g == 1 || g == 4 ? SKBS_EV_DROP : 0);
		CHECK_INT(store_add(st, &e, NULL), 0);
	}
	CHECK_INT(store_count(st), 3);
	CHECK_INT(store_packet(st, 0)->gen, 3);
	CHECK_INT(store_evicted(st), 2);
	CHECK_INT(store_drop_count(st), 1);
	CHECK_INT(store_drop(st, 0)->gen, 4);
	/* a late event of an evicted lifetime is counted, not stored */
	e = ev_at(0x100, 1, 5, 9, 0);
	CHECK_INT(store_add(st, &e, NULL), 0);
	CHECK_INT(store_count(st), 3);
	CHECK_INT(store_hook_hits(st, 5), 1);
	store_free(st);
}

/* One hop with n header bytes from b: hdr_len and the tail. */
static int add_hdr(struct store *st, __u32 gen, __u8 flags, const __u8 *b,
		   __u16 n)
{
	struct skbs_event e = ev_at(0x100, gen, 0, 1, flags);

	e.hdr_len = n;
	e.tail_len = n;
	return store_add(st, &e, (const char *)b);
}

/* Header bytes are shared between hops, laid over each other where they
 * match; every hop must still read back exactly what it captured, through
 * growth, shifts and the cut to size at the lifetime's end. */
TEST(store_hop_headers_read_back)
{
	__u8 frame[14 + 128], other[64], want[40][64];
	__u16 wlen[40];
	const struct packet *p;
	struct store *st;
	__u32 n = 0;

	for (size_t i = 0; i < sizeof(frame); i++)
		frame[i] = (__u8)(i * 7 + 3);
	for (size_t i = 0; i < sizeof(other); i++)
		other[i] = (__u8)(i * 13 + 1);
	CHECK_INT(store_new(10, &st), 0);
#define HOP(b, len, fl)                                         \
	do {                                                    \
		memcpy(want[n], (b), (len));                    \
		wlen[n++] = (len);                              \
		CHECK_INT(add_hdr(st, 1, (fl), (b), (len)), 0); \
	} while (0)
	HOP(frame + 14, 20, 0);         /* network header */
	HOP(frame, 64, SKBS_EV_HDR_L2); /* MAC header: before, growing */
	HOP(frame + 14, 64, 0);         /* the same as before */
	HOP(frame + 14, 64, 0);
	HOP(frame, 64, SKBS_EV_HDR_L2); /* from the MAC header: before */
	HOP(frame + 14, 40, 0);         /* shorter */
	HOP(other, 64, 0);              /* rewritten: new bytes */
	HOP(frame + 14 + 14, 64, 0);    /* after the first */
	HOP(other, 20, 0);
	for (int i = 0; i < 20; i++) /* growth of the hop array */
		HOP(i % 2 ? other : frame + 14, (__u16)(10 + i), 0);
	CHECK_INT(add_hdr(st, 1, 0, frame, 0), 0); /* none */
	wlen[n++] = 0;
	HOP(frame + 14, 64, SKBS_EV_FREE); /* the end: cut to size */
#undef HOP
	p = store_packet(st, 0);
	CHECK_INT(p->nhops, n);
	for (__u32 i = 0; i < n; i++) {
		CHECK_INT(p->hops[i].hdr_len, wlen[i]);
		CHECK(!wlen[i] == !p->hops[i].hdr);
		CHECK(!wlen[i] || !memcmp(p->hops[i].hdr, want[i], wlen[i]));
	}
	/* The repeats cost nothing: far less than a copy per hop. */
	CHECK(store_bytes(st) < sizeof(*p) + n * sizeof(struct hop) + 400);
	/* A lifetime cut to one hop at its end still takes a late one. */
	CHECK_INT(add_hdr(st, 2, SKBS_EV_FREE, frame, 30), 0);
	CHECK_INT(add_hdr(st, 2, 0, other, 30), 0);
	CHECK_INT(add_hdr(st, 2, 0, frame, 30), 0);
	p = store_packet(st, 1);
	CHECK_INT(p->nhops, 3);
	CHECK(!memcmp(p->hops[0].hdr, frame, 30));
	CHECK(!memcmp(p->hops[1].hdr, other, 30));
	CHECK(!memcmp(p->hops[2].hdr, frame, 30));
	store_free(st);
}

TEST(store_keeps_the_newest_explanations)
{
	struct store *st;
	struct explain e = { 0 };
	struct skbs_event ev;
	const struct packet *p;

	CHECK_INT(store_new(5000, &st), 0);
	for (__u32 g = 1; g <= 1500; g++) {
		ev = ev_at(0x1000 + g, g, 0, g, SKBS_EV_DROP | SKBS_EV_FREE);
		CHECK_INT(store_add(st, &ev, NULL), 0);
		explain_set(&e, EXPLAIN_REASON, "drop %u", g);
		CHECK_INT(store_set_explain(st, g, &e), 0);
	}
	/* Replacing keeps one slot per generation. */
	explain_set(&e, EXPLAIN_NFT_RULE, "rule of 1500");
	CHECK_INT(store_set_explain(st, 1500, &e), 0);
	p = store_packet(st, (size_t)store_find(st, 1500));
	CHECK_STR(store_explain(st, p)->text, "rule of 1500");
	CHECK_INT(store_explain(st, p)->kind, EXPLAIN_NFT_RULE);
	p = store_packet(st, (size_t)store_find(st, 1499));
	CHECK_STR(store_explain(st, p)->text, "drop 1499");
	/* The oldest went to make room for the newest 1024. */
	p = store_packet(st, (size_t)store_find(st, 476));
	CHECK(store_explain(st, p) == NULL);
	p = store_packet(st, (size_t)store_find(st, 477));
	CHECK_STR(store_explain(st, p)->text, "drop 477");
	store_free(st);
}
