/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Returns of traced functions (kprobe and kprobe.multi backends): each
 * entry pushes a frame on its task's stack, each return pops it, and a
 * frame whose entry was reported gives a struct skbs_return. A kretprobe
 * knows neither the skb nor the entry's time, so the stack is what pairs
 * them: entries and returns on one task are strictly nested, and the
 * frames of rejected entries are pushed too, or a rejected inner call of
 * the same function would close a reported outer one.
 *
 * Included by skbscope.bpf.c after its maps and count()/wakeup().
 */
#ifndef SKBSCOPE_RET_BPF_H
#define SKBSCOPE_RET_BPF_H

/* Set by user space when it attached return probes. */
const volatile __u32 returns_on = 0;

#define RET_DEPTH 16
/* A missed return (kretprobe maxactive) leaves a frame behind: a return
 * looks this far down for its own before it gives up. */
#define RET_RESYNC 4

struct ret_frame {
	__u64 skb, ts; /* ts: the entry event's, 0 when not reported */
	__u32 hook, pad;
};

struct ret_stack {
	__u32 depth, pad;
	struct ret_frame f[RET_DEPTH];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);
	__type(value, struct ret_stack);
} ret_stacks SEC(".maps");

/* Never written: the zeroed value a new task's stack starts from (too
 * big for the BPF stack). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ret_stack);
} ret_zero SEC(".maps");

/* The task, or for the idle tasks (pid 0 on every CPU, where softirqs
 * run) the CPU. */
static __always_inline __u64 ret_key(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	return tid ? tid : (1ULL << 63) | bpf_get_smp_processor_id();
}

static __always_inline struct ret_stack *ret_stack_get(int create)
{
	__u64 key = ret_key();
	struct ret_stack *st = bpf_map_lookup_elem(&ret_stacks, &key);
	__u32 zero = 0;
	void *z;

	if (st || !create)
		return st;
	z = bpf_map_lookup_elem(&ret_zero, &zero);
	if (!z)
		return NULL;
	bpf_map_update_elem(&ret_stacks, &key, z, BPF_NOEXIST);
	return bpf_map_lookup_elem(&ret_stacks, &key);
}

/* At a function's entry (not the drop and free functions: their return
 * probes are not attached). ts is the reported event's, 0 if rejected.
 * The hook: kprobes carry it in the cookie, fentry copies patched in. */
/* Push the frame of hook's call on skb; ts is the reported entry's. */
static __always_inline void ret_push(__u32 hook, __u64 skb, __u64 ts)
{
	struct ret_stack *st;
	__u32 d;

	st = ret_stack_get(1);
	if (!st)
		return;
	d = st->depth;
	/* Deeper than kept: counted, so the pops stay aligned. A runaway
	 * count (missed returns) starts over. */
	if (d >= 4 * RET_DEPTH)
		d = 0;
	st->depth = d + 1;
	if (d >= RET_DEPTH)
		return;
	d &= RET_DEPTH - 1;
	st->f[d].skb = skb;
	st->f[d].ts = ts;
	st->f[d].hook = hook;
}

static __always_inline void ret_enter(void *ctx, __u64 skb, __u64 ts,
				      enum stub_kind kind)
{
	if (returns_on)
		ret_push(kind == STUB_KPROBE ? kp_hook(ctx) : hook_id(), skb,
			 ts);
}

/* The return of hook with value v: pop its frame, report it. */
static __always_inline int ret_pop(__u32 hook, __s64 v)
{
	struct skbs_return r = { .rec_type = SKBS_REC_RETURN };
	struct ret_stack *st;
	__u32 d, found = RET_DEPTH;

	st = ret_stack_get(0);
	if (!st || !st->depth)
		return 0;
	d = st->depth;
	if (d > RET_DEPTH) {
		st->depth = d - 1;
		return 0;
	}
	for (__u32 i = 0; i < RET_RESYNC; i++) {
		__u32 at = d - 1 - i;

		if (i >= d)
			break;
		at &= RET_DEPTH - 1;
		if (st->f[at].hook == hook) {
			found = at;
			break;
		}
	}
	/* No frame of this function near the top: its entry was not seen
	 * (attached meanwhile, or skipped): leave the stack alone. */
	if (found >= RET_DEPTH)
		return 0;
	st->depth = found;
	if (!st->f[found].ts)
		return 0;
	r.hook = hook;
	r.skb = st->f[found].skb;
	r.ts_entry = st->f[found].ts;
	r.ts_exit = bpf_ktime_get_ns();
	r.ret = v;
	r.cpu = bpf_get_smp_processor_id();
	r.depth = found;
	if (bpf_ringbuf_output(&events, &r, sizeof(r), wakeup()))
		count(SKBS_C_RET_LOST);
	else
		count(SKBS_C_RET);
	return 0;
}

static __always_inline int ret_exit(struct pt_regs *ctx)
{
	if (!returns_on)
		return 0;
	return ret_pop(kp_hook(ctx), (__s64)PT_REGS_RC(ctx));
}

#endif
