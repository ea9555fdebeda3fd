/* SPDX-License-Identifier: GPL-2.0 */
/* Checks a raw ring buffer record before anything reads it as an event. */
#ifndef SKBSCOPE_EVENT_H
#define SKBSCOPE_EVENT_H

#include <stddef.h>
#include <linux/types.h>
#include "bpf/events.h"

/*
 * Validate a record of size bytes: its type, that the fixed part and the
 * declared tail fit. On success *ev points at data and *tail at the tail
 * bytes (ev->tail_len of them). Returns 0 or -EINVAL with a message.
 */
int event_decode(const void *data, size_t size, const struct skbs_event **ev,
		 const char **tail, char *err, size_t errlen);

/*
 * The tail after an event: hdr_len header bytes (--snaplen), then nmeta
 * u64 values (--output-skb-metadata, in the order given), then the dumps:
 * sections (SKBS_EV2_SECTIONS, bpf/events.h) or, in recordings made
 * before them, the --output-skb text alone. The event must have passed
 * event_decode.
 */
/* Value i of --output-skb-metadata; 0 past nmeta. */
__u64 event_meta(const struct skbs_event *ev, const char *tail, unsigned int i);
/* The --output-skb text and its length; NULL when there is none. */
const char *event_skb_text(const struct skbs_event *ev, const char *tail,
			   size_t *len);
/* The dumps in an event's tail (bpf/events.h: sections, or the skb text
 * alone in recordings made before them). A text is not NUL-terminated:
 * use its length. */
struct event_dumps {
	const char *skb, *shinfo;
	size_t skb_len, shinfo_len;
	int skb_cut, shinfo_cut;
	int has_cb;
	__u32 cb[SKBS_CB_BYTES / 4]; /* host order, as the kernel keeps it */
};
/* Fill d from an event event_decode accepted. 0, or -EINVAL when the
 * sections do not add up (event_decode refuses those). */
int event_dumps(const struct skbs_event *ev, const char *tail,
		struct event_dumps *d);

/* Address family of the event's tuple: 4, 6 or 0 for none. */
int event_family(const struct skbs_event *ev);

#endif
