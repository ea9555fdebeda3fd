// SPDX-License-Identifier: GPL-2.0
/*
 * The probe programs. Every backend's entry stub finds the skb and calls one
 * generic body, handle_skb(), which reads the active filter slot, filters in
 * the kernel (filter.bpf.h, over what skb.bpf.h reads) and emits one struct
 * skbs_event to the ring buffer.
 *
 * Programs here are templates: user space loads each once, then loads one
 * copy per attach point with the hook id patched in (core/trace/attach.c).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>
#include "events.h"
#include "skb.bpf.h"
#include "filter.bpf.h"
#include "expr.bpf.h"
#include "tunnel.bpf.h"
#include "ipt.bpf.h"
#include "cgroup.bpf.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries,
	       1 << 22); /* resized by user space (--ringbuf-size) */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SKBS_C_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 4096);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, SKBS_STACK_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

/* skbs being followed under --filter-track-skb: once an skb matched, its
 * later events are reported whatever NAT or decapsulation do to it. LRU,
 * so skbs whose free we never see cannot fill it up. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u8);
} tracked SEC(".maps");

#include "dump.bpf.h"

/* The tail's length is the map value's (set by user space from the same
 * SKBS_TAIL_ROOM), not this. */
struct scratch {
	struct skbs_event ev;
	char tail[SKBS_TAIL_ROOM(SKBS_DUMP_DEFAULT, 0, 0)];
};

/* The event is built here rather than in a ring buffer reservation because
 * its size (the optional tail) is only known at the end. No BTF value
 * type: its size is set at load time (core/trace/load.c). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(struct scratch));
} scratch_map SEC(".maps");

#define STR_(x) #x
#define STR(x) STR_(x)

/* The hook id of this copy of the program. The 64-bit immediate is a marker
 * that user space rewrites in each copy's instructions before loading it;
 * the asm keeps the compiler from folding or moving it. */
static __always_inline __u32 hook_id(void)
{
	__u64 id;

	asm volatile("%0 = " STR(SKBS_HOOK_MAGIC_NUM) " ll" : "=r"(id));
	return (__u32)id;
}

/* A kprobe's hook: its attach cookie holds hook id + 1 (5.15+); without
 * one, user space names the hook from the ip. */
static __always_inline __u32 kp_hook(void *ctx)
{
	__u64 c = 0;

	if (bpf_core_enum_value_exists(enum bpf_func_id,
				       BPF_FUNC_get_attach_cookie))
		c = bpf_get_attach_cookie(ctx);
	return c ? (__u32)(c - 1) : SKBS_HOOK_BY_IP;
}

static __always_inline void count(__u32 which)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &which);

	if (c)
		__sync_fetch_and_add(c, 1);
}

/* Hook hits, the one counter every hit touches: a plain add, since the
 * value is this CPU's own. A program nested on the same CPU (an interrupt
 * during another hook) can lose one increment of this informational total;
 * the counts that loss accounting rests on stay atomic. */
static __always_inline void count_hit(void)
{
	__u32 which = SKBS_C_SEEN;
	__u64 *c = bpf_map_lookup_elem(&counters, &which);

	if (c)
		*c += 1;
}

/*
 * Whether to wake the reader. By default the ring buffer wakes it whenever
 * it has caught up, which under a steady stream is nearly every event; each
 * wakeup raises irq work, an interrupt to this CPU, which in a virtual
 * machine is an exit to the hypervisor costing microseconds. User space
 * polls with a short timeout (50 ms) anyway, so wake it only around the
 * moment the ring passes an eighth full, when a burst could otherwise
 * overrun it before the timeout: the records that start in the window
 * after that mark (wider than the largest record, so one lands in it).
 * The decision does not look at the record's length, on purpose: the
 * verifier must know that length exactly, and branching on it multiplied
 * the states of every program.
 */
#define WAKE_WINDOW (2 * (sizeof(struct skbs_event) + TAIL_CAP))

static __always_inline __u64 wakeup(void)
{
	__u64 avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	__u64 mark = bpf_ringbuf_query(&events, BPF_RB_RING_SIZE) / 8;

	return avail >= mark && avail < mark + WAKE_WINDOW ?
		       BPF_RB_FORCE_WAKEUP :
		       BPF_RB_NO_WAKEUP;
}

/* The current task's name. The helper copies it byte by byte; where the
 * kernel hands out the task as a typed pointer (5.11+), two loads do. */
static __always_inline void read_comm(struct skbs_event *ev,
				      enum stub_kind kind)
{
	if (kind != STUB_KPROBE &&
	    bpf_core_enum_value_exists(enum bpf_func_id,
				       BPF_FUNC_get_current_task_btf)) {
		struct task_struct *t = bpf_get_current_task_btf();
		const __u64 *c = (const __u64 *)t->comm;
		__u64 *to = (__u64 *)ev->comm;

		to[0] = c[0];
		to[1] = c[1];
		return;
	}
	bpf_get_current_comm(ev->comm, sizeof(ev->comm));
}

/* What the three steps of a hit share. */
struct hit {
	struct skbs_filter *f;
	struct scratch *sc;     /* the event being built */
	struct net_device *dev; /* skb->dev; kprobes read it in read_meta() */
	int follow;             /* a tracked skb: reported whatever it is */
	int meta;               /* mark, device and netns are read */
	__u32 slot;             /* f's index in cfg_slots */
	void *ctx;              /* the stub's */
	__u64 cgroup;           /* read by --filter-cgroup's test, or 0 */
	__u64 stack;            /* its stack's base, or 0 (stackid.bpf.h) */
};

#include "stackid.bpf.h"

/* The mark, the device and the netns: read by the filter when it tests
 * them, else only for a kept hit. On kprobes each is a probe read, and a
 * rejected hit (most of them) that reads nothing it does not test costs
 * less: the 6.12 guest's port filter ran 1547 ns a rejected hit before. */
static __always_inline void read_meta(struct hit *h, struct sk_buff *skb,
				      enum stub_kind kind)
{
	struct skbs_event *ev = &h->sc->ev;
	struct sock *sk = NULL;

	if (h->meta)
		return;
	h->meta = 1;
	ev->mark = RD(kind, skb, mark);
	if (kind == STUB_KPROBE)
		h->dev = RD(kind, skb, dev);
	/* The socket is the rarer way to the namespace (no device yet):
	 * through the helper on BTF stubs, one pointer load fewer for the
	 * verifier to look up; on kprobes as RD() reads there. */
	if (!h->dev)
		sk = kind == STUB_KPROBE ? RD(kind, skb, sk) :
					   BPF_CORE_READ(skb, sk);
	ev->netns = skb_netns(sk, h->dev, kind);
}

/*
 * Step one: does the active filter keep this hit? Reads into the event
 * what the filter tests (mark, netns, device name, tuple), cheapest tests
 * first. An skb followed under --filter-track-skb is kept whatever it is
 * now. Returns 0 to drop the hit.
 */
/* Functions muted from the explorer (m in the function pane): a hook id
 * with a non-zero byte is rejected before anything is read. An array
 * lookup, inlined by the verifier: cheaper than any filter. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SKBS_MUTE_MAX);
	__type(key, __u32);
	__type(value, __u8);
} muted SEC(".maps");

/* Runs per hook on the kprobe families while SKBS_F_HOOK_RUNS is set.
 * One program serves every function there, so the kernel's run-time
 * statistics are per program: these counts split them per function.
 * Global data, which user space reads through the skeleton's mapping with
 * no syscall per hook. Tracepoint and fentry copies are one per hook and
 * have their own statistics. */
__u64 hook_runs[SKBS_MUTE_MAX];

static __always_inline void count_hook_run(void *ctx)
{
	__u32 id = kp_hook(ctx);

	if (id < SKBS_MUTE_MAX)
		__sync_fetch_and_add(&hook_runs[id], 1);
}

static __always_inline int is_muted(void *ctx, enum stub_kind kind)
{
	__u32 id = kind == STUB_KPROBE ? kp_hook(ctx) : hook_id();
	__u8 *m = bpf_map_lookup_elem(&muted, &id);

	return m && *m;
}

/* NFNLGRP_NFTRACE, from <linux/netfilter/nfnetlink.h>. */
#define NFNLGRP_NFTRACE_ 9

/* Is skb a netlink message to the nftrace group? NETLINK_CB(skb) is the
 * netlink_skb_parms in skb->cb. */
static __always_inline int nftrace_msg(struct sk_buff *skb)
{
	__u32 group = 0;

	bpf_probe_read_kernel(
		&group, sizeof(group),
		(void *)skb->cb + bpf_core_field_offset(
					  struct netlink_skb_parms, dst_group));
	return group == NFNLGRP_NFTRACE_;
}

static __always_inline int filter_skb(struct hit *h, struct skb_off *off,
				      struct sk_buff *skb, __u8 ev_flags,
				      enum stub_kind kind)
{
	struct skbs_filter *f;
	struct skbs_event *ev;
	__u32 zero = 0, slot = 0;
	__u64 key = (__u64)skb;
	__u16 proto;
	__u32 l4;

	f = active_filter(&slot);
	h->sc = bpf_map_lookup_elem(&scratch_map, &zero);
	if (!f || !h->sc)
		return 0;
	h->f = f;
	h->slot = slot;
	count_hit();
	if (kind == STUB_KPROBE && (f->flags & SKBS_F_HOOK_RUNS))
		count_hook_run(h->ctx);
	if (f->flags & SKBS_F_NONE)
		return 0;
	/* Muted: rejected (its frame is still pushed by the caller, so its
	 * return pairs with nothing). Drops and frees are never muted. */
	if ((f->flags & SKBS_F_MUTED) && !ev_flags && is_muted(h->ctx, kind))
		return 0;
	ev = &h->sc->ev;
	if ((f->flags & SKBS_F_TRACK) && bpf_map_lookup_elem(&tracked, &key))
		h->follow = 1;
	if (!h->follow && (f->flags & SKBS_F_STACKID))
		stackid_check(h, skb, kind);

	/* Cheapest tests first: most hits are rejected, by mark or netns. */
	if (f->flags & (SKBS_F_MARK | SKBS_F_NETNS | SKBS_F_IFNAME))
		read_meta(h, skb, kind);
	if (!h->follow && (f->flags & SKBS_F_MARK) &&
	    (ev->mark & f->mark_mask) != f->mark)
		return 0;
	if (!h->follow && (f->flags & SKBS_F_NETNS) && ev->netns != f->netns)
		return 0;
	if (!h->follow && (f->flags & SKBS_F_CGROUP)) {
		h->cgroup = skb_cgroup(skb);
		if (h->cgroup != f->cgroup)
			return 0;
	}
	if (!h->follow && (f->flags & SKBS_F_IFNAME)) {
		__u64 *a = (__u64 *)ev->ifname, *b = (__u64 *)f->ifname;

		read_dev(ev, h->dev, kind);
		if (a[0] != b[0] || a[1] != b[1])
			return 0;
	}

	/* What the tuple, the pcap filter and the event need from the skb:
	 * on BTF stubs plain loads (scalars: cheap to verify too). */
	skb_offsets(skb, kind, off, &proto);
	ev->flags = ev_flags;
	ev->l3_proto = bpf_ntohs(proto);
	/* The drop explainer's own trace messages: netlink skbs (no
	 * protocol) for the nftrace group, which the kernel makes for
	 * every traced packet in its context. Nobody traces them. */
	if (!ev->l3_proto && (f->flags & SKBS_F_NO_NFTRACE) && nftrace_msg(skb))
		return 0;
	ev->l4_proto = 0;
	ev->flags2 = 0;
	ev->tcp_flags = 0;
	ev->sport = ev->dport = 0;
	__builtin_memset(ev->saddr, 0, sizeof(ev->saddr));
	__builtin_memset(ev->daddr, 0, sizeof(ev->daddr));
	l4 = read_tuple(off, ev, kind);
	if (!h->follow && !match_tuple(f, ev))
		return 0;
	if (!h->follow && !run_expr(f, slot, EXPR_SKB, skb))
		return 0;
	if (!h->follow &&
	    (f->flags & (SKBS_F_PCAP | SKBS_F_TUN_L2 | SKBS_F_TUN_L3)) &&
	    !run_exprs(off, f, l4 << 1 | (slot & 1),
		       (__u32)bpf_ntohs(proto) << 8 | ev->l4_proto, ev->dport))
		return 0;
	return 1;
}

/*
 * Step two: the rest of the event, only now that it is kept: the device
 * and task, whether it is followed (the tracked set learns a kept skb and
 * forgets a freed one here), the hook, where and when, and what the output
 * flags ask for (a stack, the header bytes, the skb as text). Returns the
 * tail's length.
 */
static __always_inline __u32 fill_event(struct hit *h,
					const struct skb_off *off, void *ctx,
					struct sk_buff *skb, __u64 location,
					__u32 reason, __u8 ev_flags,
					enum stub_kind kind)
{
	const struct skbs_filter *f = h->f;
	struct scratch *sc = h->sc;
	struct skbs_event *ev = &sc->ev;
	__u32 tail = 0;
	__u64 ptid;

	read_meta(h, skb, kind);
	/* Only now: no filter tests it, and on kprobes it is a probe read
	 * of its own, a third of what a rejected hit read before. */
	ev->len = RD(kind, skb, len);
	/* The filter read the device already when it tested the name. */
	if (h->follow || !(f->flags & SKBS_F_IFNAME))
		read_dev(ev, h->dev, kind);
	read_comm(ev, kind);

	if (f->flags & SKBS_F_TRACK) {
		__u8 one = 1;
		__u64 key = (__u64)skb;

		if (ev_flags & SKBS_EV_FREE)
			bpf_map_delete_elem(&tracked, &key);
		else if (!h->follow)
			bpf_map_update_elem(&tracked, &key, &one, BPF_ANY);
		if (h->follow)
			ev->flags |= SKBS_EV_TRACKED;
	}
	if (f->flags & SKBS_F_STACKID)
		stackid_remember(h, skb, kind, ev_flags);
	count(SKBS_C_MATCHED);
	ev->rec_type = SKBS_REC_EVENT;
	ev->ip = 0;
	ev->caller = 0;
	ev->cgroup = h->cgroup ? h->cgroup : skb_cgroup(skb);
	/* The rest of flags2 and tcp_flags: set by filter_skb, with the
	 * tuple. */
	if (ev->cgroup)
		ev->flags2 |= SKBS_EV2_CGROUP;
	ev->nmeta = 0;
	ev->aux = 0;
	if (kind != STUB_KPROBE) {
		ev->hook = hook_id();
	} else {
		struct pt_regs *regs = ctx;

		ev->hook = kp_hook(ctx);
		if (bpf_core_enum_value_exists(enum bpf_func_id,
					       BPF_FUNC_get_func_ip))
			ev->ip = bpf_get_func_ip(ctx);
		else
			ev->ip = PT_REGS_IP(regs);
		/* At function entry the return address is on top of the
		 * stack: it is the caller, and for a drop, the location. */
		if ((f->output & SKBS_O_CALLER) || (ev_flags & SKBS_EV_DROP))
			bpf_probe_read_kernel(&ev->caller, sizeof(ev->caller),
					      (void *)PT_REGS_SP(regs));
		if (ev_flags & SKBS_EV_DROP)
			location = ev->caller;
	}
	ev->skb = (__u64)skb;
	ev->ts = bpf_ktime_get_ns();
	if (ev_flags & SKBS_EV_DROP)
		ipt_claim(ev->skb, ev->ts);
	ev->location = location;
	ev->drop_reason = reason;
	ev->cpu = bpf_get_smp_processor_id();
	ptid = bpf_get_current_pid_tgid();
	ev->pid = ptid >> 32;
	ev->hdr_len = 0;
	ev->gen = 0;
	ev->stack_id = -1;
	/* fentry drops have no return address at hand: a stack lets user
	 * space find the caller (see core/trace/session.c). */
	if ((f->output & SKBS_O_STACK) ||
	    (kind != STUB_KPROBE && (ev_flags & SKBS_EV_DROP) && !location)) {
		ev->stack_id = bpf_get_stackid(ctx, &stacks, 0);
		if (ev->stack_id < 0)
			count(SKBS_C_STACK_ERR);
	}
	if (f->snaplen)
		tail = snap_headers(off, f->snaplen, sc->tail, ev);
	{
		/* --output-skb-metadata: the values right after the header
		 * bytes (core/event.h says how the tail is laid out). No
		 * branch here on whether they are asked for: the rest of the
		 * program would be verified twice, once per tail length
		 * range. expr_meta_read says 0 when they are not. */
		__u32 at = tail & (SKBS_SNAP_MAX * 2 - 1), n, zero = 0;
		struct expr_state *x;

		x = bpf_map_lookup_elem(&expr_map, &zero);
		if (x) {
			x->vm.base = (__u64)skb;
			n = (__u32)expr_meta_read(h->slot) &
			    (SKBS_META_MAX * 2 - 1);
			__builtin_memcpy(sc->tail + at, x->meta,
					 sizeof(x->meta));
		} else {
			n = 0;
		}
		ev->nmeta = n;
		tail = at + 8 * n;
	}
	/* The dumps go after the header bytes and the values. */
	if (f->output & (SKBS_O_SKB | SKBS_O_SHINFO | SKBS_O_CB))
		tail = put_dumps(sc->tail, tail, f, skb, ev);
	return tail;
}

/* Step three: the event and its tail into the ring buffer, or one more
 * lost event when the buffer is full. */
static __always_inline void emit_event(struct scratch *sc, __u32 tail)
{
	/* Already so; the verifier must see the bound of the value. */
	if (tail > TAIL_CAP)
		tail = TAIL_CAP;
	sc->ev.tail_len = tail;
	if (bpf_ringbuf_output(&events, sc, sizeof(sc->ev) + tail, wakeup()))
		count(SKBS_C_LOST);
}

#include "ret.bpf.h"
#include "bpfprog.bpf.h"

/* The generic body, shared by every hook: filter, fill, emit. ctx is what
 * the stub got (needed for the stack); location and reason come from the
 * drop hooks. */
static __always_inline int handle_skb(void *ctx, struct sk_buff *skb,
				      __u64 location, __u32 reason,
				      __u8 ev_flags, enum stub_kind kind)
{
	struct hit h = { .ctx = ctx };
	struct skb_off off;
	__u32 tail;

	if (!skb)
		return 0;
	/* On BTF stubs, the skb's pointer fields first, before any branch.
	 * From the trusted skb a tp_btf or fentry program gets, loading a
	 * pointer makes the verifier look up a type by name in all of
	 * vmlinux's BTF, a linear search, once for every path that reaches
	 * the load: with the loads further down, loading the programs took
	 * 0.5 s more. Kprobes read them only when needed. */
	if (kind != STUB_KPROBE) {
		h.dev = skb->dev;
		off.head = skb->head;
	}
	if (!filter_skb(&h, &off, skb, ev_flags, kind)) {
		if (kind != STUB_BTF && !ev_flags)
			ret_enter(ctx, (__u64)skb, 0, kind);
		return 0;
	}
	tail = fill_event(&h, &off, ctx, skb, location, reason, ev_flags, kind);
	if (kind != STUB_BTF && !ev_flags)
		ret_enter(ctx, (__u64)skb, h.sc->ev.ts, kind);
	emit_event(h.sc, tail);
	return 0;
}

/*
 * tp_btf stubs. ctx[] holds the tracepoint's arguments after the hidden
 * first one; a generic stub per skb position lets one template serve every
 * tracepoint whose skb sits there. The verifier checks ctx reads against the
 * target's argument count, so each stub reads only up to its position.
 */
SEC("tp_btf/netif_receive_skb")
int tp_pos0(__u64 *ctx)
{
	return handle_skb(ctx, (struct sk_buff *)ctx[0], 0, 0, 0, STUB_BTF);
}

SEC("tp_btf/tcp_send_reset")
int tp_pos1(__u64 *ctx)
{
	return handle_skb(ctx, (struct sk_buff *)ctx[1], 0, 0, 0, STUB_BTF);
}

SEC("tp_btf/tcp_send_reset")
int tp_pos2(__u64 *ctx)
{
	return handle_skb(ctx, (struct sk_buff *)ctx[2], 0, 0, 0, STUB_BTF);
}

SEC("tp_btf/tcp_send_reset")
int tp_pos3(__u64 *ctx)
{
	return handle_skb(ctx, (struct sk_buff *)ctx[3], 0, 0, 0, STUB_BTF);
}

SEC("tp_btf/tcp_send_reset")
int tp_pos4(__u64 *ctx)
{
	return handle_skb(ctx, (struct sk_buff *)ctx[4], 0, 0, 0, STUB_BTF);
}

/* skb:kfree_skb before 5.17: (skb, location), no reason. */
SEC("tp_btf/kfree_skb")
int tp_kfree_skb(__u64 *ctx)
{
	return handle_skb(ctx, (struct sk_buff *)ctx[0], ctx[1], 0,
			  SKBS_EV_DROP | SKBS_EV_FREE, STUB_BTF);
}

/* skb:kfree_skb from 5.17: (skb, location, reason[, rx_sk]). */
SEC("tp_btf/kfree_skb")
int tp_kfree_skb_reason(__u64 *ctx)
{
	return handle_skb(ctx, (struct sk_buff *)ctx[0], ctx[1], (__u32)ctx[2],
			  SKBS_EV_DROP | SKBS_EV_FREE | SKBS_EV_REASON,
			  STUB_BTF);
}

/* skb:consume_skb: the skb is freed normally; (skb[, location]). */
SEC("tp_btf/consume_skb")
int tp_consume_skb(__u64 *ctx)
{
	return handle_skb(ctx, (struct sk_buff *)ctx[0], 0, 0, SKBS_EV_FREE,
			  STUB_BTF);
}

/*
 * Function probes. One stub per skb argument position (1..5) for each of
 * kprobe, kprobe.multi and fentry, plus the drop and free functions whose
 * other arguments matter:
 *   kfree_skb_reason(skb, reason)          5.17 .. 6.10
 *   sk_skb_reason_drop(sk, skb, reason)    6.11 ..
 *   kfree_skbmem(skb)                      the end of every lifetime
 */
#define KPROBE_STUBS(sec, pfx)                                                 \
	SEC(sec) int pfx##_pos1(struct pt_regs *ctx)                           \
	{                                                                      \
		return handle_skb(ctx, (void *)PT_REGS_PARM1(ctx), 0, 0, 0,    \
				  STUB_KPROBE);                                \
	}                                                                      \
	SEC(sec) int pfx##_pos2(struct pt_regs *ctx)                           \
	{                                                                      \
		return handle_skb(ctx, (void *)PT_REGS_PARM2(ctx), 0, 0, 0,    \
				  STUB_KPROBE);                                \
	}                                                                      \
	SEC(sec) int pfx##_pos3(struct pt_regs *ctx)                           \
	{                                                                      \
		return handle_skb(ctx, (void *)PT_REGS_PARM3(ctx), 0, 0, 0,    \
				  STUB_KPROBE);                                \
	}                                                                      \
	SEC(sec) int pfx##_pos4(struct pt_regs *ctx)                           \
	{                                                                      \
		return handle_skb(ctx, (void *)PT_REGS_PARM4(ctx), 0, 0, 0,    \
				  STUB_KPROBE);                                \
	}                                                                      \
	SEC(sec) int pfx##_pos5(struct pt_regs *ctx)                           \
	{                                                                      \
		return handle_skb(ctx, (void *)PT_REGS_PARM5(ctx), 0, 0, 0,    \
				  STUB_KPROBE);                                \
	}                                                                      \
	SEC(sec) int pfx##_kfree_skb_reason(struct pt_regs *ctx)               \
	{                                                                      \
		return handle_skb(ctx, (void *)PT_REGS_PARM1(ctx), 0,          \
				  (__u32)PT_REGS_PARM2(ctx),                   \
				  SKBS_EV_DROP | SKBS_EV_REASON, STUB_KPROBE); \
	}                                                                      \
	SEC(sec) int pfx##_sk_skb_reason_drop(struct pt_regs *ctx)             \
	{                                                                      \
		return handle_skb(ctx, (void *)PT_REGS_PARM2(ctx), 0,          \
				  (__u32)PT_REGS_PARM3(ctx),                   \
				  SKBS_EV_DROP | SKBS_EV_REASON, STUB_KPROBE); \
	}                                                                      \
	SEC(sec) int pfx##_kfree_skbmem(struct pt_regs *ctx)                   \
	{                                                                      \
		return handle_skb(ctx, (void *)PT_REGS_PARM1(ctx), 0, 0,       \
				  SKBS_EV_FREE, STUB_KPROBE);                  \
	}

KPROBE_STUBS("kprobe", kp)
KPROBE_STUBS("kprobe.multi", km)
#include "nonskb.bpf.h"

/* A program that does nothing, for tests/bench/vm-cost.sh: attached in
 * place of the templates (SKBSCOPE_BENCH_EMPTY=1), it measures what the
 * kernel's own probe entry costs apart from skbscope's program. */
SEC("kprobe.multi")
int km_empty(struct pt_regs *ctx)
{
	return 0;
}

/* Their returns (ret.bpf.h): one program serves every function. */
SEC("kretprobe")
int kp_ret(struct pt_regs *ctx)
{
	return ret_exit(ctx);
}

SEC("kretprobe.multi")
int km_ret(struct pt_regs *ctx)
{
	return ret_exit(ctx);
}

/* fexit: retargeted per function like the fentry copies, hook id patched
 * in; bpf_get_func_ret (5.17+) reads the value whatever the arity. */
SEC("fexit/kfree_skbmem")
int fx_ret(__u64 *ctx)
{
	__u64 v = 0;

	if (!returns_on)
		return 0;
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_func_ret))
		bpf_get_func_ret(ctx, &v);
	return ret_pop(hook_id(), (__s64)v);
}

/* fentry copies are retargeted per function like the tp_btf ones; the
 * section names give libbpf a target for loading the template. */
#define FENTRY_STUB(name, target, expr_skb, loc, rsn, fl)                \
	SEC("fentry/" target) int name(__u64 *ctx)                       \
	{                                                                \
		return handle_skb(ctx, (void *)(expr_skb), loc, rsn, fl, \
				  STUB_FENTRY);                          \
	}

FENTRY_STUB(fe_pos1, "kfree_skbmem", ctx[0], 0, 0, 0)
FENTRY_STUB(fe_pos2, "kfree_skbmem", ctx[1], 0, 0, 0)
FENTRY_STUB(fe_pos3, "kfree_skbmem", ctx[2], 0, 0, 0)
FENTRY_STUB(fe_pos4, "kfree_skbmem", ctx[3], 0, 0, 0)
FENTRY_STUB(fe_pos5, "kfree_skbmem", ctx[4], 0, 0, 0)
FENTRY_STUB(fe_kfree_skb_reason, "kfree_skb_reason", ctx[0], 0, (__u32)ctx[1],
	    SKBS_EV_DROP | SKBS_EV_REASON)
FENTRY_STUB(fe_sk_skb_reason_drop, "sk_skb_reason_drop", ctx[1], 0,
	    (__u32)ctx[2], SKBS_EV_DROP | SKBS_EV_REASON)
FENTRY_STUB(fe_kfree_skbmem, "kfree_skbmem", ctx[0], 0, 0, SKBS_EV_FREE)

/*
 * Clones and copies under --filter-track-skb: a copy of a followed skb is
 * followed too. The new skb is the return value, so kprobes stash the
 * source at entry (keyed by task and CPU) for the return probe; fexit sees
 * both at once.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u64);
} clone_src SEC(".maps");

static __always_inline int tracking(void)
{
	__u32 slot;
	struct skbs_filter *f = active_filter(&slot);

	return f && (f->flags & SKBS_F_TRACK);
}

static __always_inline __u64 clone_key(void)
{
	return bpf_get_current_pid_tgid() ^
	       ((__u64)bpf_get_smp_processor_id() << 56);
}

static __always_inline void follow_copy(__u64 src, __u64 copy)
{
	__u8 one = 1;

	if (copy && bpf_map_lookup_elem(&tracked, &src))
		bpf_map_update_elem(&tracked, &copy, &one, BPF_ANY);
}

static __always_inline int clone_enter(__u64 skb)
{
	__u64 key;

	if (!tracking() || !bpf_map_lookup_elem(&tracked, &skb))
		return 0;
	key = clone_key();
	bpf_map_update_elem(&clone_src, &key, &skb, BPF_ANY);
	return 0;
}

static __always_inline int clone_exit(__u64 copy)
{
	__u64 key = clone_key(), *src;

	src = bpf_map_lookup_elem(&clone_src, &key);
	if (!src)
		return 0;
	follow_copy(*src, copy);
	bpf_map_delete_elem(&clone_src, &key);
	return 0;
}

SEC("kprobe")
int kp_clone_enter(struct pt_regs *ctx)
{
	return clone_enter(PT_REGS_PARM1(ctx));
}

SEC("kretprobe")
int kp_clone_exit(struct pt_regs *ctx)
{
	return clone_exit(PT_REGS_RC(ctx));
}

SEC("kprobe.multi")
int km_clone_enter(struct pt_regs *ctx)
{
	return clone_enter(PT_REGS_PARM1(ctx));
}

SEC("kretprobe.multi")
int km_clone_exit(struct pt_regs *ctx)
{
	return clone_exit(PT_REGS_RC(ctx));
}

/* fexit: the return value follows the arguments in ctx. skb_clone and
 * skb_copy take two arguments; __pskb_copy_fclone and skb_copy_expand
 * four. */
SEC("fexit/skb_clone")
int fx_copy2(__u64 *ctx)
{
	if (tracking())
		follow_copy(ctx[0], ctx[2]);
	return 0;
}

SEC("fexit/skb_copy_expand")
int fx_copy4(__u64 *ctx)
{
	if (tracking())
		follow_copy(ctx[0], ctx[4]);
	return 0;
}

/* The iptables-legacy pair (ipt.bpf.h). */
SEC("kprobe")
int kp_ipt_enter(struct pt_regs *ctx)
{
	__u32 zero = 0, d;
	struct ipt_stack *st = bpf_map_lookup_elem(&ipt_stack, &zero);
	__u64 a0 = PT_REGS_PARM1(ctx), a1 = PT_REGS_PARM2(ctx),
	      a2 = PT_REGS_PARM3(ctx);

	asm volatile("" : "+r"(a0), "+r"(a1), "+r"(a2));
	if (!st)
		return 0;
	d = st->depth;
	/* A return probe that was missed (kretprobe maxactive) leaves the
	 * stack one too deep: start again rather than stay full. */
	if (d >= IPT_DEPTH)
		d = 0;
	st->depth = d + 1;
	/* The mask (IPT_DEPTH is a power of two) is what the verifier
	 * keeps as the index's bound. */
	d &= IPT_DEPTH - 1;
	st->f[d].skb = kp_pick(a0, a1, a2, ipt_pos_skb);
	st->f[d].state = kp_pick(a0, a1, a2, ipt_pos_state);
	st->f[d].table = kp_pick(a0, a1, a2, ipt_pos_table);
	return 0;
}

SEC("kretprobe")
int kp_ipt_exit(struct pt_regs *ctx)
{
	__u32 zero = 0, d;
	struct ipt_stack *st = bpf_map_lookup_elem(&ipt_stack, &zero);
	struct skbs_ipt_drop *r;
	struct nf_hook_state *state;
	struct ipt_frame f;

	if (!st)
		return 0;
	d = st->depth;
	if (!d || d > IPT_DEPTH) {
		st->depth = 0;
		return 0;
	}
	st->depth = --d;
	f = st->f[d & (IPT_DEPTH - 1)];
	/* NF_DROP is 0; REJECT returns it too. */
	if ((__u32)PT_REGS_RC(ctx) != 0)
		return 0;
	r = bpf_map_lookup_elem(&ipt_scratch, &zero);
	if (!r)
		return 0;
	state = (struct nf_hook_state *)f.state;
	r->ts = bpf_ktime_get_ns();
	/* hook was an unsigned int before 5.15 and is a u8 since: the
	 * bitfield reader takes the kernel's size from BTF. */
	r->hook = (__u8)BPF_CORE_READ_BITFIELD_PROBED(state, hook);
	r->pf = (__u8)BPF_CORE_READ_BITFIELD_PROBED(state, pf);
	if (bpf_probe_read_kernel(r->table, sizeof(r->table), (void *)f.table))
		return 0;
	bpf_map_update_elem(&ipt_drops, &f.skb, r, BPF_ANY);
	return 0;
}
