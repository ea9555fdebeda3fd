// SPDX-License-Identifier: GPL-2.0
/* core/store: lifetimes, timelines, drops, counts, eviction. */
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
	e = ev_at(0x100, 1, 2, 15, SKBS_EV_DROP | SKBS_EV_FREE | SKBS_EV_REASON);
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
		e = ev_at(0x100 * g, g, 0, g, g == 1 || g == 4 ?
					      SKBS_EV_DROP : 0);
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
