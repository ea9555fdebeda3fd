/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --filter-track-skb-by-stackid: follow a packet onto the skbs built for
 * it. As in pwru, a "stack id" names the kernel stack a hit runs on (a
 * task's, or a CPU's interrupt stack), not the call chain: a tracked skb's
 * kept hit makes its stack the skb's, and a hit of an untracked skb on a
 * stack that is a tracked skb's is kept, its skb tracked from then on (the
 * ICMP error built while its datagram is dropped, a bridge's or a
 * tunnel's new skb, skb_copy paths). The tracked skb's free gives the
 * stack up. --filter-non-skb-funcs reports a function with no skb on such
 * a stack as a hop of the skb (nonskb.bpf.h).
 *
 * pwru walks the frame pointers to the outermost frame; kernels built
 * with the ORC unwinder (Debian's, this host's) keep no frame pointers. So
 * a stack is named here by where the stack pointer is: within the task's
 * stack, that stack's base; else an interrupt stack (hard and soft
 * interrupts, on x86-64), named by its CPU. Cost: a task read and a hash
 * lookup per hit of an untracked skb, two updates per kept hit; nothing
 * without the flag (SKBS_F_STACKID).
 *
 * Included by skbscope.bpf.c after struct hit and the tracked map.
 */
#ifndef SKBSCOPE_STACKID_BPF_H
#define SKBSCOPE_STACKID_BPF_H

/* THREAD_SIZE: x86-64's interrupt stacks are as big as a task's, so the
 * kernel's struct irq_stack says it (32 KiB with KASAN); 16 KiB, the size
 * on x86-64 and arm64 without KASAN, elsewhere. */
struct irq_stack___skbs {
	char stack[16384];
} __attribute__((preserve_access_index));

static __always_inline __u64 thread_size(void)
{
	if (bpf_core_type_exists(struct irq_stack___skbs))
		return bpf_core_type_size(struct irq_stack___skbs);
	return 16384;
}

/* Stack -> the tracked skb last kept on it, and back. LRU: stacks and
 * skbs whose end is never seen age out. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u64);
} stack_skb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u64);
} skb_stack SEC(".maps");

/* The stack this program runs on, by name: the task stack's base, or
 * the CPU's number + 1 for an interrupt stack (never an address).
 * kprobes: the probed function's stack pointer. BTF stubs: the program's
 * own frame pointer (r10), on the same stack; the verifier lets no
 * arithmetic on it, so its value is read back as a number. */
static __always_inline __u64 stack_base(void *ctx, enum stub_kind kind)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	__u64 sp = 0, base;

	if (kind == STUB_KPROBE) {
		sp = PT_REGS_SP((struct pt_regs *)ctx);
	} else {
		volatile __u64 fp;
		__u64 r;

		asm volatile("%[r] = r10" : [r] "=r"(r));
		fp = r;
		bpf_probe_read_kernel(&sp, sizeof(sp), (void *)&fp);
	}
	base = (__u64)BPF_CORE_READ(t, stack);
	if (base && sp - base < thread_size())
		return base;
	return (__u64)bpf_get_smp_processor_id() + 1;
}

/* The tracked skb whose stack this is, or 0. */
static __always_inline __u64 stack_owner(__u64 base)
{
	__u64 *skb = bpf_map_lookup_elem(&stack_skb, &base);

	return skb ? *skb : 0;
}

/* Before the filter tests: an untracked skb on a tracked skb's stack is
 * followed, and tracked, whatever the filter says of it. */
static __always_inline void stackid_check(struct hit *h, struct sk_buff *skb,
					  enum stub_kind kind)
{
	__u64 key = (__u64)skb;
	__u8 one = 1;

	h->stack = stack_base(h->ctx, kind);
	if (!stack_owner(h->stack))
		return;
	h->follow = 1;
	bpf_map_update_elem(&tracked, &key, &one, BPF_ANY);
}

/* A kept hit: its stack becomes its skb's (the one it had before, if
 * another, is given up); a free gives the skb's stack up. */
static __always_inline void stackid_remember(struct hit *h, struct sk_buff *skb,
					     enum stub_kind kind, __u8 ev_flags)
{
	__u64 key = (__u64)skb, *old;

	if (!h->stack)
		h->stack = stack_base(h->ctx, kind);
	old = bpf_map_lookup_elem(&skb_stack, &key);
	if (old && (*old != h->stack || (ev_flags & SKBS_EV_FREE))) {
		__u64 was = *old;

		if (stack_owner(was) == key)
			bpf_map_delete_elem(&stack_skb, &was);
	}
	if (ev_flags & SKBS_EV_FREE) {
		if (stack_owner(h->stack) == key)
			bpf_map_delete_elem(&stack_skb, &h->stack);
		bpf_map_delete_elem(&skb_stack, &key);
		return;
	}
	bpf_map_update_elem(&stack_skb, &h->stack, &key, BPF_ANY);
	bpf_map_update_elem(&skb_stack, &key, &h->stack, BPF_ANY);
}

#endif
