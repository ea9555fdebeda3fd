/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tc and XDP programs as hops (--filter-trace-tc, --filter-trace-xdp): an
 * fentry/fexit pair on each BPF program of those types attached on the
 * box. User space loads these templates against the first program of
 * each type and one copy per program after that (core/trace/bpfprog.c),
 * with the hook id patched in as for every other copy.
 *
 * A tracing program attached to another BPF program sees that program's
 * context as the kernel type behind it: the verifier turns a tc
 * program's struct __sk_buff * into the struct sk_buff * it is, and an
 * XDP program's struct xdp_md * into its struct xdp_buff *. So the tc
 * entry is an ordinary skb hop; the XDP one reads the packet from
 * data..data_end.
 *
 * The verdict is the program's return value: the entry pushes a frame
 * (ret.bpf.h) whether or not --output-return is on, and the fexit pops
 * it into a struct skbs_return, so a verdict is reported for every
 * entry that was.
 *
 * Included by skbscope.bpf.c after ret.bpf.h.
 */
#ifndef SKBSCOPE_BPFPROG_BPF_H
#define SKBSCOPE_BPFPROG_BPF_H

/*
 * --filter-track-bpf-helpers: while a traced program runs for a reported
 * packet, its entry event waits here, and an fentry on each helper's
 * kernel function (bpf_skb_store_bytes, bpf_redirect, ...) reports a hop
 * of that packet from it. Per CPU: a program runs to its end on one CPU.
 * Helpers the verifier inlines or calls past their helper function (map
 * lookups, for one) are not seen.
 */
struct bp_cur {
	struct skbs_event ev;
	__u32 on;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bp_cur);
} bp_cur SEC(".maps");

/* At a program's entry: ev is its reported event, or NULL. */
static __always_inline void bp_cur_set(const struct skbs_filter *f,
				       const struct skbs_event *ev)
{
	__u32 zero = 0;
	struct bp_cur *c;

	if (f && !(f->flags & (SKBS_F_BPF_HELPERS | SKBS_F_BPFMAP)))
		return;
	c = bpf_map_lookup_elem(&bp_cur, &zero);
	if (!c)
		return;
	c->on = 0;
	if (!ev)
		return;
	c->ev = *ev;
	c->on = 1;
}

/* A tc program's entry: the skb's hop, with the frame its verdict pops. */
static __always_inline int bp_skb_enter(__u64 *ctx, struct sk_buff *skb)
{
	struct hit h = { .ctx = ctx };
	struct skb_off off;
	__u32 tail;

	if (!skb)
		return 0;
	/* As in handle_skb: the pointer loads first. */
	h.dev = skb->dev;
	off.head = skb->head;
	if (!filter_skb(&h, &off, skb, 0, STUB_BTF)) {
		bp_cur_set(h.f, NULL);
		ret_push(hook_id(), (__u64)skb, 0);
		return 0;
	}
	tail = fill_event(&h, &off, ctx, skb, 0, 0, 0, STUB_BTF);
	ret_push(hook_id(), (__u64)skb, h.sc->ev.ts);
	/* Last, after skbscope's own map work (the frame's push). */
	bp_cur_set(h.f, &h.sc->ev);
	emit_event(h.sc, tail);
	return 0;
}

/*
 * The XDP metadata of a hop (--output-xdp-metadata shows it): the
 * receive queue's index in the upper half of the event's location (an
 * XDP hop is never a drop, whose field it is), the frame size (5.8+; 0
 * before) in the lower. The data length is the event's len, the
 * receive device its ifindex and ifname.
 */
static __always_inline __u64 xdp_meta(struct xdp_buff *x)
{
	__u64 q = 0, fs = 0;

	if (x->rxq)
		q = x->rxq->queue_index;
	if (bpf_core_field_exists(x->frame_sz))
		fs = BPF_CORE_READ(x, frame_sz);
	return q << 32 | (fs & 0xffffffff);
}

/*
 * An XDP program's entry. There is no skb yet (or, for generic XDP, the
 * program may not see it), so the event's skb is the xdp_buff's address
 * and SKBS_EV2_XDP says so; user space gives every XDP hop a lifetime of
 * its own. The filter runs on what an XDP frame has: no mark (0), the
 * receive device's netns and name, the tuple and the pcap expression on
 * the Ethernet frame at data.
 */
static __always_inline int bp_xdp_enter(__u64 *ctx, struct xdp_buff *x)
{
	struct net_device *dev = NULL;
	struct skbs_filter *f;
	struct skbs_event *ev;
	struct scratch *sc;
	struct skb_off off;
	__u32 zero = 0, slot = 0, tail = 0, l4;
	__u64 data, end, ts = 0;
	__u16 proto = 0;

	if (!x)
		return 0;
	data = (__u64)x->data;
	end = (__u64)x->data_end;
	if (x->rxq)
		dev = x->rxq->dev;
	f = active_filter(&slot);
	sc = bpf_map_lookup_elem(&scratch_map, &zero);
	if (!f || !sc)
		goto out;
	count_hit();
	if (f->flags & SKBS_F_NONE)
		goto out;
	if ((f->flags & SKBS_F_MUTED) && is_muted(ctx, STUB_BTF))
		goto out;
	ev = &sc->ev;
	ev->mark = 0;
	ev->netns = skb_netns(NULL, dev, STUB_BTF);
	if ((f->flags & SKBS_F_MARK) && (0 & f->mark_mask) != f->mark)
		goto out;
	if ((f->flags & SKBS_F_NETNS) && ev->netns != f->netns)
		goto out;
	read_dev(ev, dev, STUB_BTF);
	if (f->flags & SKBS_F_IFNAME) {
		__u64 *a = (__u64 *)ev->ifname, *b = (__u64 *)f->ifname;

		if (a[0] != b[0] || a[1] != b[1])
			goto out;
	}
	/* The frame starts with its Ethernet header. */
	off.head = (const unsigned char *)data;
	off.mh = 0;
	off.nh = ETH_HLEN;
	off.tail = end > data ? (__u32)(end - data) : 0;
	bpf_probe_read_kernel(&proto, sizeof(proto), (void *)data + 12);
	ev->flags = 0;
	ev->l3_proto = bpf_ntohs(proto);
	ev->len = off.tail;
	ev->l4_proto = 0;
	ev->sport = ev->dport = 0;
	__builtin_memset(ev->saddr, 0, sizeof(ev->saddr));
	__builtin_memset(ev->daddr, 0, sizeof(ev->daddr));
	ev->flags2 = 0;
	ev->tcp_flags = 0;
	l4 = read_tuple(&off, ev, STUB_BTF);
	if (!match_tuple(f, ev))
		goto out;
	/* The pcap and tunnel expressions on the frame, as on an skb. */
	if ((f->flags & (SKBS_F_PCAP | SKBS_F_TUN_L2 | SKBS_F_TUN_L3)) &&
	    !run_exprs(&off, f, l4 << 1 | (slot & 1),
		       (__u32)ev->l3_proto << 8 | ev->l4_proto, ev->dport))
		goto out;
	/* --filter-xdp-expr, on the xdp_buff. */
	if (!run_expr(f, slot, EXPR_XDP, x))
		goto out;

	read_comm(ev, STUB_BTF);
	count(SKBS_C_MATCHED);
	ev->rec_type = SKBS_REC_EVENT;
	ev->hook = hook_id();
	ev->ip = 0;
	ev->caller = 0;
	ev->cgroup = 0;
	ev->flags2 |= SKBS_EV2_XDP;
	ev->nmeta = 0;
	ev->aux = 0;
	ev->skb = (__u64)x;
	ts = bpf_ktime_get_ns();
	ev->ts = ts;
	ev->location = xdp_meta(x);
	ev->drop_reason = 0;
	ev->cpu = bpf_get_smp_processor_id();
	ev->pid = bpf_get_current_pid_tgid() >> 32;
	ev->hdr_len = 0;
	ev->gen = 0;
	ev->stack_id = -1;
	if (f->output & SKBS_O_STACK) {
		ev->stack_id = bpf_get_stackid(ctx, &stacks, 0);
		if (ev->stack_id < 0)
			count(SKBS_C_STACK_ERR);
	}
	if (f->snaplen)
		tail = snap_headers(&off, f->snaplen, sc->tail, ev);
	ret_push(hook_id(), (__u64)x, ts);
	bp_cur_set(f, ev);
	emit_event(sc, tail);
	return 0;
out:
	bp_cur_set(f, NULL);
	ret_push(hook_id(), (__u64)x, 0);
	return 0;
}

/* The templates. The section's target is a stand-in: user space names
 * the real one, a program, before loading (bpf_program__set_attach_target
 * with the program's fd). */
SEC("fentry/kfree_skbmem")
int bp_tc(__u64 *ctx)
{
	return bp_skb_enter(ctx, (struct sk_buff *)ctx[0]);
}

SEC("fentry/kfree_skbmem")
int bp_xdp(__u64 *ctx)
{
	return bp_xdp_enter(ctx, (struct xdp_buff *)ctx[0]);
}

/* Both program types return an int: ctx[1], after their one argument. */
SEC("fexit/kfree_skbmem")
int bp_ret(__u64 *ctx)
{
	bp_cur_set(NULL, NULL);
	return ret_pop(hook_id(), (__s64)(__s32)ctx[1]);
}

/* A hop of the program being reported, at this copy's hook: its event
 * as the program's entry made it, now, without the header bytes. */
static __always_inline void bp_hop(struct scratch *sc, const struct bp_cur *c)
{
	sc->ev = c->ev;
	sc->ev.hook = hook_id();
	sc->ev.ts = bpf_ktime_get_ns();
	sc->ev.cpu = bpf_get_smp_processor_id();
	sc->ev.hdr_len = 0;
	sc->ev.stack_id = -1;
	sc->ev.flags &= ~(SKBS_EV_HDR_L2 | SKBS_EV_SKB_TEXT);
}

/* A helper's kernel function, called while a reported program runs: a
 * hop of the program's packet, its event copied but for hook and time
 * (and no header bytes). Retargeted per helper, like the fentry copies. */
SEC("fentry/kfree_skbmem")
int bp_helper(__u64 *ctx)
{
	__u32 zero = 0;
	struct bp_cur *c = bpf_map_lookup_elem(&bp_cur, &zero);
	struct scratch *sc = bpf_map_lookup_elem(&scratch_map, &zero);

	if (!c || !sc || !c->on)
		return 0;
	bp_hop(sc, c);
	count(SKBS_C_MATCHED);
	emit_event(sc, 0);
	return 0;
}

/*
 * --output-bpfmap: the map's own update, delete and lookup functions
 * (htab_map_update_elem, __htab_map_lookup_elem, ...), which a JITed
 * program calls in place of the helpers, while a reported program runs:
 * a hop with the map's id and the key's and value's first bytes.
 * Array lookups are inlined into the program and are not seen. The
 * programs skbscope itself runs meanwhile (a function probe inside a
 * helper) use maps too: user space leaves out those of its own maps.
 */
static __always_inline int bp_map_op(__u64 *ctx, int has_value)
{
	__u32 zero = 0, ks, vs = 0, n, at;
	struct bp_cur *c = bpf_map_lookup_elem(&bp_cur, &zero);
	struct scratch *sc = bpf_map_lookup_elem(&scratch_map, &zero);
	struct bpf_map *map = (struct bpf_map *)ctx[0];

	if (!c || !sc || !c->on || !map)
		return 0;
	bp_hop(sc, c);
	sc->ev.flags2 |= SKBS_EV2_BPFMAP;
	sc->ev.aux = BPF_CORE_READ(map, id);
	ks = BPF_CORE_READ(map, key_size);
	if (has_value)
		vs = BPF_CORE_READ(map, value_size);
	sc->ev.location = (__u64)ks << 32 | vs;
	n = ks < SKBS_MAP_BYTES ? ks : SKBS_MAP_BYTES;
	asm volatile("" : "+r"(n));
	n &= 2 * SKBS_MAP_BYTES - 1;
	if (n && bpf_probe_read_kernel(sc->tail, n, (void *)ctx[1]))
		n = 0;
	at = n;
	n = vs < SKBS_MAP_BYTES ? vs : SKBS_MAP_BYTES;
	asm volatile("" : "+r"(n));
	n &= 2 * SKBS_MAP_BYTES - 1;
	at &= 2 * SKBS_MAP_BYTES - 1;
	if (n && bpf_probe_read_kernel(sc->tail + at, n, (void *)ctx[2]))
		n = 0;
	count(SKBS_C_MATCHED);
	emit_event(sc, at + n);
	return 0;
}

/* (map, key): deletes and lookups; (map, key, value, flags): updates. */
SEC("fentry/kfree_skbmem")
int bp_map2(__u64 *ctx)
{
	return bp_map_op(ctx, 0);
}

SEC("fentry/kfree_skbmem")
int bp_map3(__u64 *ctx)
{
	return bp_map_op(ctx, 1);
}

#endif
