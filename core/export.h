/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The explorer's export: a packet's timeline, or every packet on screen,
 * written as text lines, JSON lines or pcap-ng, chosen by the file name.
 * Hops are rebuilt into events, so the same printers as line mode run.
 */
#ifndef SKBSCOPE_EXPORT_H
#define SKBSCOPE_EXPORT_H

#include <stddef.h>
#include <linux/types.h>
#include "core/store.h"

struct hooks;
struct reasons;
struct ksyms;

enum export_fmt {
	EXPORT_TEXT,
	EXPORT_JSON,   /* *.json, *.jsonl */
	EXPORT_PCAPNG, /* *.pcapng, *.pcap */
};

struct export_ctx {
	const struct hooks *hooks;
	const struct reasons *reasons;
	const struct ksyms *ksyms;
	/* The hop's stack by id, or NULL: no stacks. */
	int (*stack)(void *ctx, __s32 id, __u64 *ips, int max);
	void *stack_ctx;
	long long realtime_offset_ns;
	/* Names of the hops' --output-skb-metadata values, or NULL. */
	const char *meta_names;
};

/* Write the packets' hops to path (created with mode 0600, never through a
 * symlink). Returns the number of hops written, or -errno with a message
 * naming the file. */
long export_packets(const char *path, const struct packet *const *pkts,
		    size_t n, const struct export_ctx *c, char *err,
		    size_t errlen);

#endif
