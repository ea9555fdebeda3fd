/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --filter-non-skb-funcs: kprobes on functions that take no skb. Such a
 * hit is reported as a hop of the tracked skb whose stack it runs on
 * (stackid.bpf.h): the route lookup, the neighbour, the socket work done
 * for a packet the filter follows. The skb's fields are read as they are
 * now, through probe reads (the skb may have moved on). No return is
 * pushed: the function's return pairs with no skb (user space attaches
 * no return probe to these).
 *
 * Included by skbscope.bpf.c after handle_skb.
 */
#ifndef SKBSCOPE_NONSKB_BPF_H
#define SKBSCOPE_NONSKB_BPF_H

static __always_inline int handle_nonskb(struct pt_regs *ctx)
{
	struct hit h = { .ctx = ctx, .follow = 1 };
	struct skb_off off;
	struct sk_buff *skb;
	__u32 tail;

	h.stack = stack_base(ctx, STUB_KPROBE);
	skb = (struct sk_buff *)stack_owner(h.stack);
	if (!skb)
		return 0;
	if (!filter_skb(&h, &off, skb, 0, STUB_KPROBE))
		return 0;
	tail = fill_event(&h, &off, ctx, skb, 0, 0, 0, STUB_KPROBE);
	emit_event(h.sc, tail);
	return 0;
}

SEC("kprobe.multi")
int km_nonskb(struct pt_regs *ctx)
{
	return handle_nonskb(ctx);
}

SEC("kprobe")
int kp_nonskb(struct pt_regs *ctx)
{
	return handle_nonskb(ctx);
}

#endif
