// SPDX-License-Identifier: GPL-2.0
/* Record validation: the ring buffer, and later files, are input. */
#include <errno.h>
#include <stdio.h>
#include "core/event.h"

_Static_assert(sizeof(struct skbs_event) == 184,
	       "struct skbs_event changed size: both sides must agree");
_Static_assert(sizeof(struct skbs_filter) ==
		       88 + 2 * 8 * SKBS_CBPF_MAX + SKBS_PCAP_TEXT + 8 +
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
	if (e->tail_len > SKBS_TAIL_MAX || sizeof(*e) + e->tail_len > size) {
		snprintf(err, errlen,
			 "record tail of %u bytes does not fit "
			 "in %zu",
			 e->tail_len, size);
		return -EINVAL;
	}
	*ev = e;
	*tail = (const char *)data + sizeof(*e);
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
