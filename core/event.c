// SPDX-License-Identifier: GPL-2.0
/* Record validation: the ring buffer, and later files, are input. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "core/event.h"

_Static_assert(sizeof(struct skbs_event) == 184,
	       "struct skbs_event changed size: both sides must agree");
_Static_assert(sizeof(struct skbs_expr) ==
		       8 + 16 * SKBS_EXPR_INSNS + 24 * SKBS_EXPR_FIELDS,
	       "struct skbs_expr changed size");
_Static_assert(sizeof(struct skbs_filter) ==
		       88 + 2 * 8 * SKBS_CBPF_MAX + SKBS_PCAP_TEXT +
			       2 * sizeof(struct skbs_expr) + 8 +
			       SKBS_META_MAX * sizeof(struct skbs_field) +
			       3 * SKBS_EXPR_TEXT + 8 + 8 +
			       2 * 8 * SKBS_CBPF_MAX + 2 * SKBS_PCAP_TEXT,
	       "struct skbs_filter changed size: both sides must agree");

int event_decode(const void *data, size_t size, const struct skbs_event **ev,
		 const char **tail, char *err, size_t errlen)
{
	const struct skbs_event *e = data;

	if (size < sizeof(*e)) {
		snprintf(err, errlen,
			 "record of %zu bytes is shorter than "
			 "an event (%zu)",
			 size, sizeof(*e));
		return -EINVAL;
	}
	if (e->rec_type != SKBS_REC_EVENT) {
		snprintf(err, errlen, "unknown record type %u", e->rec_type);
		return -EINVAL;
	}
	if (e->hdr_len > SKBS_SNAP_MAX || e->hdr_len > e->tail_len) {
		snprintf(err, errlen, "header bytes (%u) exceed the tail (%u)",
			 e->hdr_len, e->tail_len);
		return -EINVAL;
	}
	if (e->nmeta > SKBS_META_MAX ||
	    e->hdr_len + 8u * e->nmeta > e->tail_len) {
		snprintf(err, errlen,
			 "%u metadata values after %u header bytes exceed "
			 "the tail (%u)",
			 e->nmeta, e->hdr_len, e->tail_len);
		return -EINVAL;
	}
	if (e->tail_len > SKBS_TAIL_LIMIT || sizeof(*e) + e->tail_len > size) {
		snprintf(err, errlen,
			 "record tail of %u bytes does not fit "
			 "in %zu",
			 e->tail_len, size);
		return -EINVAL;
	}
	if (e->flags2 & SKBS_EV2_SECTIONS) {
		struct event_dumps d;
		int at = event_dumps(e, (const char *)data + sizeof(*e), &d);

		if (at) {
			snprintf(err, errlen,
				 "tail sections do not add up to its %u bytes",
				 e->tail_len);
			return -EINVAL;
		}
	}
	*ev = e;
	*tail = (const char *)data + sizeof(*e);
	return 0;
}

__u64 event_meta(const struct skbs_event *ev, const char *tail, unsigned int i)
{
	__u64 v;

	if (i >= ev->nmeta || !tail)
		return 0;
	memcpy(&v, tail + ev->hdr_len + 8 * i, sizeof(v));
	return v;
}

const char *event_skb_text(const struct skbs_event *ev, const char *tail,
			   size_t *len)
{
	struct event_dumps d;

	if (!tail || event_dumps(ev, tail, &d) || !d.skb) {
		*len = 0;
		return NULL;
	}
	*len = d.skb_len;
	return d.skb;
}

int event_dumps(const struct skbs_event *ev, const char *tail,
		struct event_dumps *d)
{
	/* After the header bytes and the metadata values. */
	size_t base = (size_t)ev->hdr_len + 8u * ev->nmeta;
	size_t at = (base + 3) & ~(size_t)3;

	memset(d, 0, sizeof(*d));
	if (!(ev->flags2 & SKBS_EV2_SECTIONS)) {
		/* Before sections: the rest of the tail is the skb text. */
		if ((ev->flags & SKBS_EV_SKB_TEXT) && ev->tail_len > base) {
			d->skb = tail + base;
			d->skb_len = ev->tail_len - base;
			d->skb_cut = !!(ev->flags2 & SKBS_EV2_SKB_CUT);
		}
		return 0;
	}
	/* Sections to the end, each whole, each kind once. */
	while (at < ev->tail_len) {
		struct skbs_tail_sec s;
		const char *body;

		if (at + sizeof(s) > ev->tail_len)
			return -EINVAL;
		memcpy(&s, tail + at, sizeof(s));
		body = tail + at + sizeof(s);
		if (at + sizeof(s) + s.len > ev->tail_len ||
		    (s.flags & ~SKBS_SEC_CUT))
			return -EINVAL;
		switch (s.kind) {
		case SKBS_SEC_SKB:
			if (d->skb)
				return -EINVAL;
			d->skb = body;
			d->skb_len = s.len;
			d->skb_cut = !!(s.flags & SKBS_SEC_CUT);
			break;
		case SKBS_SEC_SHINFO:
			if (d->shinfo)
				return -EINVAL;
			d->shinfo = body;
			d->shinfo_len = s.len;
			d->shinfo_cut = !!(s.flags & SKBS_SEC_CUT);
			break;
		case SKBS_SEC_CB:
			if (d->has_cb || s.len != SKBS_CB_BYTES || s.flags)
				return -EINVAL;
			memcpy(d->cb, body, SKBS_CB_BYTES);
			d->has_cb = 1;
			break;
		default: return -EINVAL;
		}
		at = (at + sizeof(s) + s.len + 3) & ~(size_t)3;
	}
	return 0;
}

int event_family(const struct skbs_event *ev)
{
	if (!(ev->flags & SKBS_EV_TUPLE))
		return 0;
	if (ev->l3_proto == 0x86DD)
		return 6;
	if (ev->l3_proto == 0x0800)
		return 4;
	return 0;
}
