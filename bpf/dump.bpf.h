/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The dumps in an event's tail (--output-skb, --output-skb-shared-info,
 * --output-skb-cb), as sections after the header bytes (bpf/events.h,
 * SKBS_TAIL_ROOM). Their rooms are .rodata set at load time, which the
 * verifier reads as the constants they are: each section's offset is
 * checked against a bound made of them, and the scratch value is sized by
 * the same sum, so every write is provably inside it. A dump not asked
 * for has room 0 and its code is dead to the verifier.
 */
#ifndef SKBSCOPE_DUMP_BPF_H
#define SKBSCOPE_DUMP_BPF_H

/* --set-percpu-buf: bytes for each text, its NUL included. */
const volatile __u32 dump_room = SKBS_DUMP_DEFAULT;
/* dump_room with --output-skb-shared-info, else 0. */
const volatile __u32 shinfo_room = 0;
/* 1 with --output-skb-cb. */
const volatile __u32 cb_on = 0;

#define TAIL_CAP SKBS_TAIL_ROOM(dump_room, shinfo_room, cb_on)

static __always_inline __u32 sec_align(__u32 at)
{
	return (at + 3) & ~3U;
}

/* One text section at at (at most max_at): ptr as type_id, into room
 * bytes. Returns where the next one goes. */
static __always_inline __u32 put_text(char *tail, __u32 at, __u32 max_at,
				      __u8 kind, void *ptr, __u32 type_id,
				      __u32 room, struct skbs_event *ev)
{
	struct btf_ptr p = { .ptr = ptr, .type_id = type_id };
	struct skbs_tail_sec *s;
	long n;

	if (at > max_at)
		return at;
	n = bpf_snprintf_btf(tail + at + sizeof(*s), room, &p, sizeof(p), 0);
	if (n <= 0)
		return at;
	s = (struct skbs_tail_sec *)(tail + at);
	s->kind = kind;
	s->flags = 0;
	/* n counts what would have been written: keep what fits, without
	 * the NUL, and say when that was not all. */
	if (n >= room) {
		n = room - 1;
		s->flags = SKBS_SEC_CUT;
		if (kind == SKBS_SEC_SKB)
			ev->flags2 |= SKBS_EV2_SKB_CUT;
	}
	s->len = (__u16)n;
	ev->flags2 |= SKBS_EV2_SECTIONS;
	if (kind == SKBS_SEC_SKB)
		ev->flags |= SKBS_EV_SKB_TEXT;
	return at + sizeof(*s) + (__u32)n;
}

/* The dumps the output flags ask for, after the header bytes (tail of
 * them). Returns the tail's new length. */
static __always_inline __u32 put_dumps(char *tail, __u32 hdr,
				       const struct skbs_filter *f,
				       struct sk_buff *skb,
				       struct skbs_event *ev)
{
	__u32 at = sec_align(hdr & (SKBS_SNAP_MAX * 2 - 1)), start = at;

	if (f->output & SKBS_O_SKB)
		at = put_text(tail, at, 2 * SKBS_SNAP_MAX, SKBS_SEC_SKB, skb,
			      bpf_core_type_id_kernel(struct sk_buff),
			      dump_room, ev);
	if (shinfo_room && (f->output & SKBS_O_SHINFO)) {
		/* skb_end_pointer(): head + end, an offset on 64-bit. */
		void *sh = BPF_CORE_READ(skb, head) + BPF_CORE_READ(skb, end);

		at = put_text(tail, sec_align(at),
			      2 * SKBS_SNAP_MAX + 4 + dump_room + 3,
			      SKBS_SEC_SHINFO, sh,
			      bpf_core_type_id_kernel(struct skb_shared_info),
			      shinfo_room, ev);
	}
	if (cb_on && (f->output & SKBS_O_CB)) {
		struct skbs_tail_sec *s;

		at = sec_align(at);
		if (at >
		    2 * SKBS_SNAP_MAX + 4 + dump_room + 3 + 4 + shinfo_room + 3)
			return at == start ? hdr : at;
		s = (struct skbs_tail_sec *)(tail + at);
		/* __sk_buff->cb is struct qdisc_skb_cb's data. */
		if (!bpf_probe_read_kernel(
			    tail + at + sizeof(*s), SKBS_CB_BYTES,
			    (void *)skb +
				    bpf_core_field_offset(struct sk_buff, cb) +
				    bpf_core_field_offset(struct qdisc_skb_cb,
							  data))) {
			s->kind = SKBS_SEC_CB;
			s->flags = 0;
			s->len = SKBS_CB_BYTES;
			ev->flags2 |= SKBS_EV2_SECTIONS;
			at += sizeof(*s) + SKBS_CB_BYTES;
		}
	}
	return at == start ? hdr : at;
}

#endif
