/* SPDX-License-Identifier: GPL-2.0 */
/* The explorer's loop: events from the session into the store, keys into
 * the model, frames out, at most ~15 per second. */
#ifndef SKBSCOPE_EXPLORER_H
#define SKBSCOPE_EXPLORER_H

#include <signal.h>
#include <stddef.h>
#include "bpf/events.h"

struct ksyms;
struct hooks;
struct reasons;
struct explain;
struct store;

/*
 * Where the explorer's events come from: a live session, or a recording.
 * The explorer asks nothing else of it.
 */
struct tui_source {
	void *ctx;
	const struct hooks *hooks;
	const struct reasons *reasons;
	const char *backend;
	const char *pcap_mode;
	size_t attached, failed;
	/* Hand the events waiting (at most max) to fn. Count, or -errno. */
	int (*poll)(void *ctx, int max,
		    int (*fn)(void *fctx, const struct skbs_event *ev,
			      const char *tail),
		    void *fctx);
	/* Mute (on) or unmute a function live: 0 or -errno (see
	 * session_mute). NULL when there is nothing to mute (replay). */
	int (*set_muted)(void *ctx, __u32 hook, int on);
	/* Write a filter into the kernel; NULL when there is none (replay). */
	int (*set_filter)(void *ctx, const struct skbs_filter *f);
	int (*counters)(void *ctx, __u64 *c); /* SKBS_C_MAX */
	int (*stack)(void *ctx, __s32 id, __u64 *ips, int max);
	/* Why a drop event happened: fills out (kind EXPLAIN_NONE when
	 * nothing is known) and returns 0, or -errno. Asked once per drop
	 * event, as it arrives (out zeroed first); out is kept whenever its
	 * kind is not EXPLAIN_NONE, an error or not. NULL: no explanations. */
	int (*explain)(void *ctx, const struct skbs_event *ev, const char *tail,
		       struct explain *out);
	/* What explaining has touched, for the status line ("nft trace in
	 * netns a, b"), or NULL/"" for nothing. */
	const char *(*explain_note)(void *ctx);
	/* Where the source hands return records (--output-return) during
	 * poll, after their entry events. NULL: the source has none. */
	void (*set_return_fn)(void *ctx,
			      void (*fn)(void *fctx,
					 const struct skbs_return *r, int kind),
			      void *fctx);
	/* Why there are no returns (for the timeline's note), or NULL. */
	const char *no_returns;
	/* BPF run time so far (ns) and the runs and hits the kernel
	 * skipped (recursion, missed kprobes): 0, or -EOPNOTSUPP when run
	 * time is not measured (missed still set). NULL: not known. */
	int (*cost)(void *ctx, __u64 *run_ns, __u64 *missed);
	/* BPF run time so far per hook id below n (ns, see
	 * session_hook_cost; *estimated: some are runs x mean), 0 or
	 * -errno; and counting runs per hook on or off, which the kprobe
	 * families need for those figures and pay for, so the explorer asks
	 * only while its functions are sorted by cost. NULL: not known. */
	int (*hook_cost)(void *ctx, __u64 *ns, size_t n, int *estimated);
	int (*count_runs)(void *ctx, int on);
};

struct tui_opts {
	int color;
	int mouse;
	const char *keymap; /* NAME or PATH, NULL for the default */
	size_t max_packets;
	struct skbs_filter filter; /* in force at start */
	const struct ksyms *ksyms;
	const char *note; /* a line for the filter bar (demo) */
	const char *netns_dir;
	struct nsnames *names; /* netns and cgroup names, or NULL */
	int netns_names;       /* --output-netns-names */
	/* Called with every event as it arrives (pcap-ng output), or NULL. */
	int (*tap)(void *ctx, const struct skbs_event *ev, const char *tail);
	void *tap_ctx;
	long long realtime_offset_ns; /* for exported pcap-ng timestamps */
};

struct tui_stats {
	unsigned long frames;      /* frames drawn */
	double seconds;            /* time the explorer ran */
	unsigned long long events; /* events stored */
};

/* Runs until quit or *stop, on events from src (app/live.c makes one of
 * a live session; a replay makes its own). Returns 0, or -errno with err
 * set (the terminal is restored either way). */
int tui_run_source(const struct tui_source *src, const struct tui_opts *o,
		   volatile sig_atomic_t *stop, struct tui_stats *stats,
		   char *err, size_t errlen);
/* What the explorer does with each event src hands it, paused or not:
 * into st, and for a drop, why it happened (src->explain) kept in st too.
 * 0 or -ENOMEM. */
int tui_take_event(struct store *st, const struct tui_source *src,
		   const struct skbs_event *ev, const char *tail);
/* Check a keymap (name or path) without starting: 0 or -EINVAL + err. */
int tui_check_keymap(const char *keymap, char *err, size_t errlen);

#endif
