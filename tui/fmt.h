/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Text the explorer's panes and overlays share: a hop's tuple and
 * interface, a drop's reason and place, counts and deltas, and how an
 * explanation is worded in brief (the timeline, the drops list) and named
 * (the detail's "Why" heading). Pure: reads the model, writes buffers.
 */
#ifndef SKBSCOPE_TUI_FMT_H
#define SKBSCOPE_TUI_FMT_H

#include <stddef.h>
#include <linux/types.h>
#include "core/explain.h"

struct ui;
struct hop;
struct packet;

/* "+12.3us", "+4.56ms", "+1.234s" */
void fmt_delta(char *buf, size_t len, __u64 ns);
/* A count in at most 6 columns: 12345, 123.4k, 12.3M; returns buf. */
const char *fmt_count(__u64 n, char *buf, size_t len);
/* "10.0.0.1:5000->10.0.0.2:80(tcp)", or "-" without a tuple. */
void fmt_tuple(const struct hop *h, char *buf, size_t len);
/*
 * Did hop i of p rewrite the tuple (NAT, a tunnel's end): is its tuple
 * complete and other than the last complete one before it? Ports written
 * into a tuple that had none yet (store_tuple_complete) are no rewrite.
 */
int fmt_tuple_rewritten(const struct packet *p, __u32 i);
/* Did any hop of p after the one that names it rewrite the tuple? */
int fmt_packet_rewritten(const struct packet *p);
/* The hop's device by name, "if3" when its name is not known, "-". */
void fmt_iface(const struct ui *ui, const struct hop *h, char *buf, size_t len);
/* The drop reason of p (or of hop h when p is NULL): "NETFILTER_DROP",
 * "reason 77" when its name is not known, "(no reason)". */
void fmt_reason(const struct ui *ui, const struct packet *p,
		const struct hop *h, char *buf, size_t len);
/* "nft_do_chain+0x4a8 [nf_tables]", "0x..." without symbols, "?". */
void fmt_location(const struct ui *ui, __u64 addr, char *buf, size_t len);
/* The time the panes count from: the oldest packet kept. */
__u64 fmt_t0(const struct ui *ui);

/* What kind of answer e is, for the "Why" heading: "netfilter rule",
 * "pending: watching for the next one". */
const char *fmt_why_kind(const struct explain *e);
/* e in a few words, for a column or after a reason: "rule 4 of ip filter
 * OUTPUT", "watching for the next one", else the head of its text (up to
 * its first ": " or "; "). Returns buf. */
const char *fmt_why_brief(const struct explain *e, char *buf, size_t len);

/* A netns as the panes show it: its name with --output-netns-names when
 * known, else the inode. Returns buf. */
const char *fmt_netns(const struct ui *ui, __u32 netns, char *buf, size_t len);

#endif
