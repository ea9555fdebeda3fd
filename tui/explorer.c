// SPDX-License-Identifier: GPL-2.0
/*
 * The explorer's loop. The ring buffer is drained in bounded batches so a
 * flood cannot starve the keyboard. A key is answered with a frame right
 * away; what events change is drawn at most every 66 ms, and less often
 * when frames are big, so the terminal (an ssh link) gets a bounded
 * stream of bytes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/explain.h"
#include "core/export.h"
#include "core/filter.h"
#include "core/hooks.h"
#include "core/lib/clock.h"
#include "core/store.h"
#include "tui/explorer.h"
#include "tui/blit.h"
#include "tui/cells.h"
#include "tui/keymap.h"
#include "tui/model.h"
#include "tui/view.h"

/*
 * Frames that only events asked for wait out a quiet spell after the last
 * frame, in proportion to what it wrote: TERM_BYTES_PER_S on average, and
 * between 66 ms (15 frames/s) and 250 ms (4 frames/s, still live). A small
 * terminal keeps 15 frames/s; a big one whose packet list turns over
 * every frame (following a flood) gets fewer, bigger ones.
 */
#define FRAME_MIN_NS (66 * 1000 * 1000LL)
#define FRAME_MAX_NS (250 * 1000 * 1000LL)
#define TERM_BYTES_PER_S 15000
#define BATCH 20000

struct explorer {
	struct ui ui;
	struct store *store;
	const struct tui_source *src;
	long batch;
	long long realtime_offset_ns;
	int (*tap)(void *ctx, const struct skbs_event *ev, const char *tail);
	void *tap_ctx;
	/* BPF time per hook: the last cumulative figures and the rates
	 * the functions pane shows; counting: runs per hook are counted. */
	__u64 *cost_prev, *cost_cur;
	double *cost_rate;
	size_t ncost;
	int cost_primed, counting;
};

/* Once a second: each hook's BPF ns per second since the last tick. */
static void tick_hook_cost(struct explorer *a, double el)
{
	const struct tui_source *src = a->src;
	int est = 0;

	if (!src->hook_cost || !a->ncost)
		return;
	if (src->hook_cost(src->ctx, a->cost_cur, a->ncost, &est)) {
		a->ui.hook_bpf = NULL;
		return;
	}
	for (size_t i = 0; i < a->ncost; i++) {
		/* An estimate (runs x a mean that moves) can step back. */
		__u64 d = a->cost_cur[i] > a->cost_prev[i] ?
				  a->cost_cur[i] - a->cost_prev[i] :
				  0;

		a->cost_rate[i] = a->cost_primed ? (double)d / el : 0;
		a->cost_prev[i] = a->cost_cur[i];
	}
	a->cost_primed = 1;
	a->ui.hook_bpf = a->cost_rate;
	a->ui.nhook_bpf = a->ncost;
	a->ui.bpf_estimated = est;
}

/* The cost sort is offered from the start where the source measures:
 * rates of 0 until the first second has passed. */
static void init_hook_cost(struct explorer *a)
{
	const struct tui_source *src = a->src;
	int est = 0;

	a->ncost = src->hooks ? hooks_count(src->hooks) : 0;
	if (!src->hook_cost || !a->ncost)
		goto none;
	a->cost_prev = calloc(a->ncost, sizeof(*a->cost_prev));
	a->cost_cur = calloc(a->ncost, sizeof(*a->cost_cur));
	a->cost_rate = calloc(a->ncost, sizeof(*a->cost_rate));
	if (!a->cost_prev || !a->cost_cur || !a->cost_rate ||
	    src->hook_cost(src->ctx, a->cost_cur, a->ncost, &est))
		goto none;
	a->ui.hook_bpf = a->cost_rate;
	a->ui.nhook_bpf = a->ncost;
	return;
none:
	a->ncost = 0;
}

/* Runs per hook cost the kprobe families a little on every hit: counted
 * only while the functions are sorted by cost. */
static void sync_counting(struct explorer *a)
{
	int want = a->ui.funcs_sort == FSORT_COST;

	if (!a->src->count_runs || want == a->counting)
		return;
	if (!a->src->count_runs(a->src->ctx, want))
		a->counting = want;
}

/*
 * Why a drop happened is asked once, as it arrives: the source may start
 * tracing on the first drop it sees (EXPLAIN_PENDING), and the store
 * keeps the answer for the view. An answer that comes with an error is
 * kept when it still says something (explain_kernel's fallback is the
 * reason's sentence, with -EOPNOTSUPP).
 */
/* A return joins its entry hop; one whose entry was evicted or never
 * stored is dropped: it has nothing to belong to. */
static void on_return(void *ctx, const struct skbs_return *r, int kind)
{
	struct explorer *a = ctx;

	store_add_return(a->store, r, kind);
}

int tui_take_event(struct store *st, const struct tui_source *src,
		   const struct skbs_event *ev, const char *tail)
{
	struct explain e;
	int ret = store_add(st, ev, tail);

	if (ret || !src->explain || !(ev->flags & SKBS_EV_DROP))
		return ret;
	memset(&e, 0, sizeof(e));
	src->explain(src->ctx, ev, tail, &e);
	if (e.kind > EXPLAIN_NONE && e.kind < EXPLAIN_KIND_MAX)
		return store_set_explain(st, ev->gen, &e);
	return 0;
}

static int on_event(void *ctx, const struct skbs_event *ev, const char *tail)
{
	struct explorer *a = ctx;

	if (a->tap)
		a->tap(a->tap_ctx, ev, tail);
	/* Paused or not: a pause holds the display (ui_shown), not the
	 * capture. */
	tui_take_event(a->store, a->src, ev, tail);
	return ++a->batch >= BATCH;
}

/* The source's note, or "" (it may rewrite its string at any time). */
static void copy_note(struct explorer *a)
{
	const char *n = a->src->explain_note ?
				a->src->explain_note(a->src->ctx) :
				NULL;

	snprintf(a->ui.st.explain_note, sizeof(a->ui.st.explain_note), "%s",
		 n ? n : "");
}

static int stack_cb(void *ctx, __s32 id, __u64 *ips, int max)
{
	const struct tui_source *src = ctx;

	return src->stack ? src->stack(src->ctx, id, ips, max) : -ENOENT;
}

/* Export is file I/O, so it happens here, not in the model. */
static void do_export(struct explorer *a, const struct tui_source *src)
{
	struct export_ctx c = {
		.hooks = src->hooks,
		.reasons = src->reasons,
		.ksyms = a->ui.ksyms,
		.stack = stack_cb,
		.stack_ctx = (void *)src,
		.realtime_offset_ns = a->realtime_offset_ns,
		.meta_names = a->ui.current.meta_text,
	};
	size_t max = a->ui.export_all ? store_count(a->store) : 1;
	const struct packet **pk = calloc(max ? max : 1, sizeof(*pk));
	char err[512] = "";
	long hops;
	size_t n;

	if (!pk) {
		ui_exported(&a->ui, -ENOMEM, "export: out of memory");
		return;
	}
	n = ui_export_list(&a->ui, pk, max);
	hops = export_packets(a->ui.export_path, pk, n, &c, err, sizeof(err));
	ui_exported(&a->ui, hops, err);
	free(pk);
}

/* The user's own bindings, when there are any, over the chosen keymap. */
static int user_keys(struct keymap *km, char *err, size_t errlen)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char path[4096];

	if (xdg && *xdg)
		snprintf(path, sizeof(path), "%s/skbscope/keys", xdg);
	else if (home)
		snprintf(path, sizeof(path), "%s/.config/skbscope/keys", home);
	else
		return 0;
	if (access(path, F_OK))
		return 0;
	return keymap_parse_file(km, path, err, errlen);
}

int tui_check_keymap(const char *keymap, char *err, size_t errlen)
{
	struct keymap km;

	return keymap_load(&km, keymap, err, errlen);
}

int tui_run_source(const struct tui_source *src, const struct tui_opts *o,
		   volatile sig_atomic_t *stop, struct tui_stats *stats,
		   char *err, size_t errlen)
{
	long long started = mono_ns();
	struct term_opts to = { .color = o->color, .mouse = o->mouse };
	struct explorer a = { .src = src,
			      .tap = o->tap,
			      .tap_ctx = o->tap_ctx,
			      .realtime_offset_ns = o->realtime_offset_ns };
	struct grid g = { 0 };
	long long last_draw = 0, gap = 0, last_tick = mono_ns();
	__u64 last_events = 0, lost_seen = 0, c[SKBS_C_MAX], last_run_ns = 0;
	int utf8 = 0, w, h, dirty = 1, full = 1, ret = 0;
	char kerr[256] = "";

	if (store_new(o->max_packets, &a.store))
		return -ENOMEM;
	ret = ui_init(&a.ui, a.store, src->hooks, src->reasons);
	if (!ret)
		ret = keymap_load(&a.ui.km, o->keymap, kerr, sizeof(kerr));
	if (ret) {
		snprintf(err, errlen, "keymap: %s", kerr);
		goto out;
	}
	if (user_keys(&a.ui.km, kerr, sizeof(kerr))) {
		/* The bindings in force stay; the error is shown inline. */
		snprintf(a.ui.msg, sizeof(a.ui.msg), "%s (ignored)", kerr);
		a.ui.msg_err = 1;
	}
	a.ui.ksyms = o->ksyms;
	a.ui.stack = stack_cb;
	a.ui.stack_ctx = (void *)src;
	a.ui.color = o->color;
	if (o->netns_dir)
		a.ui.netns_dir = o->netns_dir;
	a.ui.names = o->names;
	a.ui.netns_names = o->netns_names;
	a.ui.current = o->filter;
	filter_format(&o->filter, a.ui.active, sizeof(a.ui.active));
	init_hook_cost(&a);
	a.ui.st.backend = src->backend;
	a.ui.st.attached = src->attached;
	a.ui.st.failed = src->failed;
	a.ui.st.note = o->note;
	a.ui.st.pcap_mode = src->pcap_mode;
	a.ui.st.replay = !src->set_filter;
	a.ui.st.no_returns = src->no_returns;
	if (src->set_return_fn)
		src->set_return_fn(src->ctx, on_return, &a);

	if (term_open(&to, &utf8)) {
		snprintf(err, errlen, "cannot start the terminal UI (TERM=%s)",
			 getenv("TERM") ? getenv("TERM") : "unset");
		ret = -ENOTTY;
		goto out;
	}
	term_size(&w, &h);
	if (grid_init(&g, w, h, utf8)) {
		ret = -ENOMEM;
		goto out;
	}
	while (!*stop) {
		long long t;
		int key, mx = 0, my = 0, fl = 0;

		a.batch = 0;
		ret = src->poll(src->ctx, BATCH, on_event, &a);
		if (ret < 0 && ret != -EINTR) {
			snprintf(err, errlen, "reading events: %s",
				 strerror(-ret));
			break;
		}
		ret = 0;
		if (a.batch)
			dirty = 1;
		/* Wait for a key only when the ring buffer had little. */
		key = term_key(a.batch >= BATCH ? 0 : 15, &mx, &my);
		while (key) {
			if (key == K_MOUSE)
				fl |= ui_click(&a.ui, mx, my);
			else
				fl |= ui_key(&a.ui, key);
			if (key == K_RESIZE) {
				term_size(&w, &h);
				grid_fini(&g);
				if (grid_init(&g, w, h, utf8)) {
					ret = -ENOMEM;
					goto out;
				}
			}
			key = term_key(0, &mx, &my);
		}
		if (fl & UI_APPLY) {
			/* Straight into the config map: no reload. */
			ui_applied(&a.ui,
				   src->set_filter ?
					   src->set_filter(src->ctx,
							   &a.ui.pending) :
					   -EROFS);
		}
		if (fl & UI_EXPORT)
			do_export(&a, src);
		if (fl & UI_MUTE) {
			__u32 hk = a.ui.mute_hook;

			ui_set_muted(&a.ui, hk,
				     src->set_muted ?
					     src->set_muted(src->ctx, hk,
							    !ui_is_muted(&a.ui,
									 hk)) :
					     -EROFS);
		}
		if (fl & UI_QUIT)
			break;
		sync_counting(&a);
		if (fl & UI_FULL_REDRAW)
			full = 1;
		t = mono_ns();
		if (t - last_tick >= 1000000000LL) {
			double el = (t - last_tick) / 1e9;

			a.ui.st.events_per_s =
				(store_events(a.store) - last_events) / el;
			last_events = store_events(a.store);
			a.ui.st.received = store_events(a.store);
			if (!src->counters(src->ctx, c)) {
				a.ui.st.lost = c[SKBS_C_LOST];
				a.ui.st.lost_growing = c[SKBS_C_LOST] >
						       lost_seen;
				lost_seen = c[SKBS_C_LOST];
			}
			if (src->cost) {
				__u64 ns = 0, missed = 0;
				int on = !src->cost(src->ctx, &ns, &missed);

				a.ui.st.cost_on = on && last_run_ns;
				if (on && last_run_ns)
					a.ui.st.bpf_cpu =
						100.0 *
						(double)(ns - last_run_ns) /
						1e9 / el;
				if (on)
					last_run_ns = ns ? ns : 1;
				a.ui.st.missed_growing = missed >
							 a.ui.st.missed;
				a.ui.st.missed = missed;
			}
			tick_hook_cost(&a, el);
			last_tick = t;
			dirty = 1;
		}
		if ((fl & UI_REDRAW) || (dirty && t - last_draw >= gap)) {
			long bytes;

			copy_note(&a);
			ui_refresh(&a.ui);
			ui_layout(&a.ui, g.w, g.h);
			view_render(&a.ui, &g);
			bytes = term_blit(&g, full);
			gap = bytes * 1000000000LL / TERM_BYTES_PER_S;
			if (gap < FRAME_MIN_NS)
				gap = FRAME_MIN_NS;
			if (gap > FRAME_MAX_NS)
				gap = FRAME_MAX_NS;
			stats->frames++;
			full = 0;
			dirty = 0;
			last_draw = t;
		}
	}
out:
	stats->seconds = (mono_ns() - started) / 1e9;
	stats->events = store_events(a.store);
	term_close();
	grid_fini(&g);
	if (a.counting)
		src->count_runs(src->ctx, 0);
	free(a.cost_prev);
	free(a.cost_cur);
	free(a.cost_rate);
	ui_fini(&a.ui);
	store_free(a.store);
	return ret;
}
