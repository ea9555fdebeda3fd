/* SPDX-License-Identifier: GPL-2.0 */
/* The explorer's loop: events from the session into the store, keys into
 * the model, frames out, at most ~15 per second. */
#ifndef SKBSCOPE_APP_H
#define SKBSCOPE_APP_H

#include <signal.h>
#include <stddef.h>
#include "bpf/events.h"

struct session;
struct ksyms;

struct tui_opts {
	int color;
	int mouse;
	const char *keymap;        /* NAME or PATH, NULL for the default */
	size_t max_packets;
	struct skbs_filter filter; /* in force at start */
	const struct ksyms *ksyms;
	const char *note;          /* a line for the filter bar (demo) */
	const char *netns_dir;
	/* Called with every event as it arrives (pcap-ng output), or NULL. */
	int (*tap)(void *ctx, const struct skbs_event *ev, const char *tail);
	void *tap_ctx;
};

struct tui_stats {
	unsigned long frames;      /* frames drawn */
	double seconds;            /* time the explorer ran */
	unsigned long long events; /* events stored */
};

/* Runs until quit or *stop. Returns 0, or -errno with err set (the
 * terminal is restored either way). */
int tui_run(struct session *s, const struct tui_opts *o,
	    volatile sig_atomic_t *stop, struct tui_stats *stats, char *err,
	    size_t errlen);
/* Check a keymap (name or path) without starting: 0 or -EINVAL + err. */
int tui_check_keymap(const char *keymap, char *err, size_t errlen);

#endif
