/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --output-json: one JSON object per event, with the field names a pwru
 * user knows (skb, cpu, process, func, caller, time, netns, mark, iface,
 * proto, mtu, len, tuple, stack) plus the drop's reason and location.
 */
#ifndef SKBSCOPE_OUTPUT_JSON_H
#define SKBSCOPE_OUTPUT_JSON_H

#include <stddef.h>
#include <linux/types.h>
#include "bpf/events.h"
#include "core/output_line.h"

/* Copy s into buf as a JSON string with its quotes: control characters,
 * quotes and backslashes escaped, bytes that are not UTF-8 as \u00XX.
 * Returns the length it needed. */
int json_string(const char *s, size_t n, char *buf, size_t len);

struct explain;

/*
 * One event as one line of JSON (no newline). Names come from lo (hooks,
 * reasons, symbols); stack holds nstack symbolized frames, innermost
 * first, or nstack < 0 for no "stack" field; why (may be NULL) is a drop's
 * explanation, the "explain" object: kind, text and its fields. Returns
 * the length needed.
 */
int json_format(const struct line_out *lo, const struct skbs_event *ev,
		const char *const *stack, int nstack, const struct explain *why,
		char *buf, size_t len);
/* The event's --output-skb-metadata values as one JSON member,
 * "meta":{"skb->mark":64,...} (numbers are the u64 values), or "" when it
 * has none. Returns the length needed. */
int json_meta(const struct line_out *lo, const struct skbs_event *ev,
	      const char *tail, char *buf, size_t len);
/* json_format, with the event's tail (may be NULL) at hand: its header
 * bytes (--output-tunnel's "tunnel"), and its --output-skb text,
 * "skb_dump" with "skb_dump_cut" saying whether it was cut short
 * (--set-percpu-buf). */
int json_format_tail(const struct line_out *lo, const struct skbs_event *ev,
		     const char *tail, const char *const *stack, int nstack,
		     const struct explain *why, char *buf, size_t len);
/* One return record (--output-return) as a JSON object: "type":"return",
 * skb, cpu, func, depth, the raw "ret" and its decoded "retval", the
 * time at return and "duration_ns". Returns the length needed. */
int json_return(const struct line_out *lo, const struct skbs_return *r,
		int kind, char *buf, size_t len);

#endif
