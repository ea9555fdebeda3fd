// SPDX-License-Identifier: GPL-2.0
/* Explorer state and the actions on it. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/filter.h"
#include "core/hooks.h"
#include "core/ksyms.h"
#include "core/lib/u64map.h"
#include "core/lib/vec.h"
#include "core/store.h"
#include "tui/fmt.h"
#include "tui/lineedit.h"
#include "tui/model.h"
#include "tui/tree.h"

/* Filters remembered for Up and Down in the filter bar. */
#define HIST_MAX 32

int ui_init(struct ui *ui, const struct store *st, const struct hooks *h,
	    const struct reasons *r)
{
	char err[256];
	int ret;

	memset(ui, 0, sizeof(*ui));
	ui->store = st;
	ui->hooks = h;
	ui->reasons = r;
	ui->follow = 1;
	ui->netns_dir = "/var/run/netns";
	ui->color = 1;
	filter_init(&ui->current);
	ret = lineedit_new(EDIT_MAX, HIST_MAX, &ui->edit);
	return ret ? ret : keymap_load(&ui->km, NULL, err, sizeof(err));
}

static void unpause(struct ui *ui);

void ui_fini(struct ui *ui)
{
	unpause(ui);
	lineedit_free(ui->edit);
	ui->edit = NULL;
	free(ui->order);
	ui->order = NULL;
	free(ui->sortbuf);
	ui->sortbuf = NULL;
	free(ui->fn);
	ui->fn = NULL;
	free(ui->muted);
	ui->muted = NULL;
}

const char *ui_hook_name(const struct ui *ui, __u32 hook, char *buf, size_t len)
{
	const struct hook *hk = hooks_get(ui->hooks, hook);

	if (!hk)
		snprintf(buf, len, "hook#%u", hook);
	else
		hook_label(hk, buf, len);
	return buf;
}

static int state_rank(const struct packet *p)
{
	return p->state == PKT_DROPPED ? 0 : p->state == PKT_IN_FLIGHT ? 1 : 2;
}

/* Sorting compares keys taken in one pass over the packets: looking each
 * packet up by generation inside the comparison cost 100-180 ms a frame
 * with 100k packets (tests/bench/render.c). */
struct sort_ent {
	__u32 key;
	__u32 gen;
};

static int cmp_ent(const void *a, const void *b)
{
	const struct sort_ent *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->gen < y->gen ? -1 : x->gen > y->gen;
}

/* Smaller keys first: most events first, then drops, in flight, done. */
static __u32 sort_key(const struct ui *ui, const struct packet *p)
{
	if (ui->sort == SORT_EVENTS)
		return UINT32_MAX - p->nhops;
	return (__u32)state_rank(p);
}

/*
 * Order ui->order by (key, generation). The packets arrive in generation
 * order and keys span a small range (three states, or hop counts), so a
 * stable counting sort does it in two passes; qsort is the fallback.
 */
static void sort_order(struct ui *ui, size_t n)
{
	__u32 lo = UINT32_MAX, hi = 0;
	size_t *pos;

	for (size_t i = 0; i < n; i++) {
		if (ui->sortbuf[i].key < lo)
			lo = ui->sortbuf[i].key;
		if (ui->sortbuf[i].key > hi)
			hi = ui->sortbuf[i].key;
	}
	pos = hi - lo < (1u << 16) ? calloc(hi - lo + 2, sizeof(*pos)) : NULL;
	if (!pos) {
		qsort(ui->sortbuf, n, sizeof(*ui->sortbuf), cmp_ent);
		for (size_t i = 0; i < n; i++)
			ui->order[i] = ui->sortbuf[i].gen;
		return;
	}
	for (size_t i = 0; i < n; i++)
		pos[ui->sortbuf[i].key - lo + 1]++;
	for (__u32 k = 1; k <= hi - lo + 1; k++)
		pos[k] += pos[k - 1];
	for (size_t i = 0; i < n; i++)
		ui->order[pos[ui->sortbuf[i].key - lo]++] = ui->sortbuf[i].gen;
	free(pos);
}

const struct packet *ui_shown(const struct ui *ui, const struct packet *p,
			      struct packet *buf)
{
	const __u64 *n;

	if (!p || !ui->paused || !ui->pz.hops)
		return p;
	n = u64map_get(ui->pz.hops, p->gen);
	if (!n)
		return NULL;
	if (*n >= p->nhops)
		return p;
	store_packet_upto(p, (__u32)*n, buf);
	return buf;
}

void ui_refresh(struct ui *ui)
{
	size_t total = ui->drops_only ? store_drop_count(ui->store) :
					store_count(ui->store);
	struct packet buf;
	size_t n = 0;

	/* Short of memory, the last frame's order stays. */
	if (VEC_RESERVE(ui->order, ui->caporder, total) ||
	    VEC_RESERVE(ui->sortbuf, ui->capsort, total))
		return;
	for (size_t i = 0; i < total; i++) {
		const struct packet *p =
			ui_shown(ui,
				 ui->drops_only ? store_drop(ui->store, i) :
						  store_packet(ui->store, i),
				 &buf);

		/* Paused: not what came since, nor what dropped since. */
		if (!p || (ui->drops_only && p->state != PKT_DROPPED))
			continue;
		ui->order[n] = p->gen;
		if (ui->sort != SORT_TIME) {
			ui->sortbuf[n].key = sort_key(ui, p);
			ui->sortbuf[n].gen = p->gen;
		}
		n++;
	}
	ui->norder = n;
	/* Time order is the store's own; other orders cost a sort, done
	 * only when asked for. */
	if (ui->sort != SORT_TIME && n)
		sort_order(ui, n);
	if (ui->follow && n && !ui->paused)
		ui->sel_gen = ui->sort == SORT_TIME ? ui->order[n - 1] :
						      ui->order[0];
	if (ui->sel_gen && !ui_selected(ui, &buf))
		ui->sel_gen = n ? ui->order[0] : 0;
	if (!ui->sel_gen && n)
		ui->sel_gen = ui->order[0];
}

const struct packet *ui_selected(const struct ui *ui, struct packet *buf)
{
	long i = ui->sel_gen ? store_find(ui->store, ui->sel_gen) : -1;

	return i < 0 ? NULL :
		       ui_shown(ui, store_packet(ui->store, (size_t)i), buf);
}

const struct packet *ui_row(const struct ui *ui, long row, struct packet *buf)
{
	long i;

	if (row < 0 || row >= (long)ui->norder)
		return NULL;
	i = store_find(ui->store, ui->order[row]);
	return i < 0 ? NULL :
		       ui_shown(ui, store_packet(ui->store, (size_t)i), buf);
}

/*
 * Hold what the display shows (struct ui_pause). Short of memory the
 * display still pauses, and rows may grow meanwhile: better than not
 * pausing at all.
 */
static void pause_display(struct ui *ui)
{
	size_t n = store_count(ui->store), nh = hooks_count(ui->hooks);

	ui->pz.t0 = fmt_t0(ui); /* before: paused, it is pz.t0 */
	ui->paused = 1;
	ui->pz.events = store_events(ui->store);
	if (!u64map_new(n, &ui->pz.hops)) {
		for (size_t i = 0; i < n; i++) {
			const struct packet *p = store_packet(ui->store, i);

			if (u64map_put(ui->pz.hops, p->gen, p->nhops)) {
				u64map_free(ui->pz.hops);
				ui->pz.hops = NULL;
				break;
			}
		}
	}
	ui->pz.hits = calloc(nh ? nh : 1, sizeof(*ui->pz.hits));
	ui->pz.nhits = ui->pz.hits ? nh : 0;
	for (size_t i = 0; i < ui->pz.nhits; i++)
		ui->pz.hits[i] = store_hook_hits(ui->store, (__u32)i);
	if (!ui->pz.hops || !ui->pz.hits) {
		strlcpy(ui->msg,
			"paused, but short of memory: rows may still change",
			sizeof(ui->msg));
		ui->msg_err = 1;
	}
}

static void unpause(struct ui *ui)
{
	ui->paused = 0;
	u64map_free(ui->pz.hops);
	free(ui->pz.hits);
	memset(&ui->pz, 0, sizeof(ui->pz));
}

static long sel_row(const struct ui *ui)
{
	for (size_t i = 0; i < ui->norder; i++)
		if (ui->order[i] == ui->sel_gen)
			return (long)i;
	return -1;
}

static void select_row(struct ui *ui, long row)
{
	if (!ui->norder)
		return;
	if (row < 0)
		row = 0;
	if (row >= (long)ui->norder)
		row = (long)ui->norder - 1;
	if (ui->order[row] != ui->sel_gen) {
		ui->sel_gen = ui->order[row];
		ui->sel_hop = 0;
		ui->hop_top = 0;
	}
}

/* Step the selected hop by delta over the hops a folded call hides. */
static void step_hop(struct ui *ui, const struct packet *p, long delta)
{
	__u8 depth[p->nhops ? p->nhops : 1];
	int dir = delta < 0 ? -1 : 1;
	long left = delta < 0 ? -delta : delta;
	int at = ui->sel_hop;

	tree_depths(p, depth);
	while (left-- > 0) {
		int next = at + dir;

		while (next >= 0 && next < (int)p->nhops &&
		       tree_hidden(p, depth, &ui->folds, (__u32)next))
			next += dir;
		if (next < 0 || next >= (int)p->nhops)
			break;
		at = next;
	}
	ui->sel_hop = at;
}

static int funcs_count_rows(const struct ui *ui)
{
	return (int)hooks_count(ui->hooks);
}

static void move(struct ui *ui, long delta)
{
	struct packet buf;
	const struct packet *p = ui_selected(ui, &buf);

	switch (ui->focus) {
	case PANE_PACKETS:
		ui->follow = 0;
		select_row(ui, sel_row(ui) + delta);
		break;
	case PANE_TIMELINE:
		if (!p || !p->nhops)
			break;
		step_hop(ui, p, delta);
		break;
	case PANE_FUNCS:
		ui->sel_func += (int)delta;
		if (ui->sel_func >= funcs_count_rows(ui))
			ui->sel_func = funcs_count_rows(ui) - 1;
		if (ui->sel_func < 0)
			ui->sel_func = 0;
		break;
	default: break;
	}
}

static int page(const struct ui *ui)
{
	int r = ui->focus == PANE_PACKETS  ? ui->lay.packets.list_rows :
		ui->focus == PANE_TIMELINE ? ui->lay.timeline.list_rows :
					     ui->lay.funcs.list_rows;

	return r > 1 ? r - 1 : 1;
}

/* Does the hop or packet mention the search text (function name or skb
 * address)? */
static int packet_matches(const struct ui *ui, const struct packet *p, int *hop)
{
	char name[160], addr[32];

	snprintf(addr, sizeof(addr), "0x%llx", (unsigned long long)p->skb);
	if (strstr(addr, ui->search) ||
	    strstr(addr + 2, ui->search[0] == '0' && ui->search[1] == 'x' ?
				     ui->search + 2 :
				     ui->search)) {
		*hop = 0;
		return 1;
	}
	for (__u32 i = 0; i < p->nhops; i++) {
		ui_hook_name(ui, p->hops[i].hook, name, sizeof(name));
		if (strstr(name, ui->search)) {
			*hop = (int)i;
			return 1;
		}
	}
	return 0;
}

static int search_from(struct ui *ui, long start)
{
	for (size_t k = 0; k < ui->norder; k++) {
		size_t row = ((size_t)start + k) % ui->norder;
		struct packet buf;
		const struct packet *p = ui_row(ui, (long)row, &buf);
		int hop;

		if (p && packet_matches(ui, p, &hop)) {
			ui->follow = 0;
			ui->sel_gen = ui->order[row];
			ui->sel_hop = hop;
			snprintf(ui->msg, sizeof(ui->msg), "found '%s'",
				 ui->search);
			ui->msg_err = 0;
			return UI_REDRAW;
		}
	}
	snprintf(ui->msg, sizeof(ui->msg), "'%s' not found", ui->search);
	ui->msg_err = 1;
	return UI_REDRAW;
}

static void validate(struct ui *ui)
{
	struct skbs_filter f = ui->current;

	ui->edit_err[0] = '\0';
	ui->edit_bad = -1;
	if (ui->editing != EDIT_FILTER) {
		ui->edit_valid = 1;
		return;
	}
	ui->edit_valid = !filter_parse(lineedit_text(ui->edit), ui->netns_dir,
				       &f, ui->edit_err, sizeof(ui->edit_err),
				       &ui->edit_bad);
}

static void start_edit(struct ui *ui, enum editing e)
{
	ui->editing = e;
	ui->edit_cut = 0;
	if (e == EDIT_FILTER)
		lineedit_start(ui->edit, ui->active);
	else if (e == EDIT_EXPORT)
		lineedit_start(ui->edit,
			       ui->export_path[0] ? ui->export_path :
			       ui->export_all     ? "skbscope-packets.txt" :
						    "skbscope-timeline.txt");
	else
		lineedit_start(ui->edit, "");
	validate(ui);
}

static int ui_action(struct ui *ui, enum action a)
{
	struct packet buf;
	const struct packet *p = ui_selected(ui, &buf);

	ui->msg[0] = a == ACT_NONE ? ui->msg[0] : '\0';
	switch (a) {
	case ACT_QUIT: return UI_QUIT;
	case ACT_HELP: ui->show_help = !ui->show_help; break;
	case ACT_CLOSE:
		if (ui->show_help)
			ui->show_help = 0;
		else if (ui->show_stack)
			ui->show_stack = 0;
		else
			ui->show_detail = 0;
		break;
	case ACT_SEARCH: start_edit(ui, EDIT_SEARCH); break;
	case ACT_SEARCH_NEXT:
		if (!ui->search[0])
			return UI_REDRAW;
		return search_from(ui, sel_row(ui) + 1);
	case ACT_FILTER: start_edit(ui, EDIT_FILTER); break;
	case ACT_EXPORT:
	case ACT_EXPORT_ALL:
		ui->export_all = a == ACT_EXPORT_ALL;
		if (!ui->export_all && !p) {
			strlcpy(ui->msg, "export: no packet selected",
				sizeof(ui->msg));
			ui->msg_err = 1;
			return UI_REDRAW;
		}
		start_edit(ui, EDIT_EXPORT);
		break;
	case ACT_CLEAR_FILTER:
		filter_init(&ui->pending);
		ui->pending.output = ui->current.output;
		ui->pending.snaplen = ui->current.snaplen;
		ui->pending.flags = ui->current.flags &
				    (SKBS_F_TRACK | SKBS_F_STACKID);
		return UI_APPLY | UI_REDRAW;
	case ACT_SORT:
		/* The pane with focus decides what is sorted. */
		if (ui->focus == PANE_FUNCS) {
			ui->funcs_sort = (ui->funcs_sort + 1) % FSORT_COUNT;
			/* By cost only where the source measures it. */
			if (ui->funcs_sort == FSORT_COST && !ui->hook_bpf)
				ui->funcs_sort = FSORT_HITS;
		} else
			ui->sort = (ui->sort + 1) % SORT_COUNT;
		break;
	case ACT_PAUSE:
		if (ui->paused)
			unpause(ui);
		else
			pause_display(ui);
		break;
	case ACT_DETAIL:
		if (ui->focus == PANE_PACKETS)
			ui->focus = PANE_TIMELINE;
		ui->show_detail = p != NULL;
		break;
	case ACT_NEXT_PANE: ui->focus = (ui->focus + 1) % PANE_COUNT; break;
	case ACT_PREV_PANE:
		ui->focus = (ui->focus + PANE_COUNT - 1) % PANE_COUNT;
		break;
	case ACT_UP: move(ui, -1); break;
	case ACT_DOWN: move(ui, 1); break;
	case ACT_PAGE_UP: move(ui, -page(ui)); break;
	case ACT_PAGE_DOWN: move(ui, page(ui)); break;
	case ACT_HALF_UP: move(ui, -(page(ui) + 1) / 2); break;
	case ACT_HALF_DOWN: move(ui, (page(ui) + 1) / 2); break;
	case ACT_TOP: move(ui, -(1L << 30)); break;
	case ACT_BOTTOM: move(ui, 1L << 30); break;
	case ACT_DROPS:
		ui->drops_only = !ui->drops_only;
		ui_refresh(ui);
		break;
	case ACT_FOLLOW: ui->follow = !ui->follow; break;
	case ACT_NEXT_HOP:
	case ACT_PREV_HOP:
		if (!p)
			break;
		ui->focus = PANE_TIMELINE;
		ui->follow = 0;
		if (p->nhops)
			step_hop(ui, p, a == ACT_NEXT_HOP ? 1 : -1);
		break;
	case ACT_FOLD:
		if (!p || ui->sel_hop < 0 || ui->sel_hop >= (int)p->nhops)
			break;
		{
			__u8 depth[p->nhops];

			tree_depths(p, depth);
			if (!tree_has_kids(p, depth, (__u32)ui->sel_hop) &&
			    !tree_is_folded(&ui->folds, p,
					    (__u32)ui->sel_hop)) {
				strlcpy(ui->msg,
					p->hops[ui->sel_hop].has_ret ?
						"fold: no traced call inside "
						"this one" :
						"fold: this hop has no "
						"return (start with "
						"--output-return on a "
						"function-probe backend)",
					sizeof(ui->msg));
				ui->msg_err = 1;
				return UI_REDRAW;
			}
			if (tree_toggle(&ui->folds, p, (__u32)ui->sel_hop)) {
				strlcpy(ui->msg, "fold: too many folded calls",
					sizeof(ui->msg));
				ui->msg_err = 1;
				return UI_REDRAW;
			}
		}
		break;
	case ACT_FUNCS_SCOPE: ui->funcs_selected = !ui->funcs_selected; break;
	case ACT_MUTE:
		if (ui->focus != PANE_FUNCS || ui->sel_func >= (int)ui->nfn) {
			strlcpy(ui->msg,
				"mute: select a function in the function pane "
				"(Tab)",
				sizeof(ui->msg));
			ui->msg_err = 1;
			return UI_REDRAW;
		}
		ui->mute_hook = ui->fn[ui->sel_func].hook;
		return UI_MUTE | UI_REDRAW;
	case ACT_STACK: ui->show_stack = !ui->show_stack; break;
	case ACT_REDRAW: return UI_FULL_REDRAW | UI_REDRAW;
	default: return 0;
	}
	return UI_REDRAW;
}

/* An editing key; a character that no longer fits is dropped, and the
 * bar says the line was cut (view: edit_cut). */
static void text_key(struct ui *ui, int key)
{
	int text = key >= 0x20 && key < 0x7f;

	if (text && lineedit_full(ui->edit)) {
		ui->edit_cut = 1;
		return;
	}
	lineedit_key(ui->edit, key);
	if (!lineedit_full(ui->edit))
		ui->edit_cut = 0;
}

static int edit_key(struct ui *ui, int key)
{
	const char *text = lineedit_text(ui->edit);

	switch (key) {
	case K_ESC:
	case 7: /* C-g */ ui->editing = EDIT_NONE; return UI_REDRAW;
	case K_ENTER:
		if (ui->editing == EDIT_SEARCH) {
			strlcpy(ui->search, text, sizeof(ui->search));
			ui->editing = EDIT_NONE;
			if (!ui->search[0])
				return UI_REDRAW;
			return search_from(ui,
					   sel_row(ui) < 0 ? 0 : sel_row(ui));
		}
		if (ui->editing == EDIT_EXPORT) {
			if (!text[0])
				return UI_REDRAW; /* a name is needed */
			strlcpy(ui->export_path, text, sizeof(ui->export_path));
			ui->editing = EDIT_NONE;
			return UI_EXPORT | UI_REDRAW;
		}
		validate(ui);
		if (!ui->edit_valid)
			return UI_REDRAW; /* never applied; keep editing */
		ui->pending = ui->current;
		filter_parse(text, ui->netns_dir, &ui->pending, NULL, 0, NULL);
		ui->editing = EDIT_NONE;
		return UI_APPLY | UI_REDRAW;
	case K_UP:
	case K_DOWN:
		/* Only filters are remembered. */
		if (ui->editing == EDIT_FILTER)
			lineedit_recall(ui->edit, key == K_UP ? -1 : 1);
		break;
	default: text_key(ui, key); break;
	}
	validate(ui);
	return UI_REDRAW;
}

/*
 * A bracketed paste is text for the prompt, however long and whatever
 * it holds: no binding fires inside it, and a newline or tab is a space
 * (a filter is one line; Enter must not apply the first half of one).
 * With no prompt open it goes nowhere. It is checked once, at its end.
 */
static int paste_key(struct ui *ui, int key)
{
	if (!ui->editing) {
		ui->paste_lost++;
		return 0;
	}
	if (key == K_ENTER || key == K_TAB)
		key = ' ';
	if (key >= 0x20 && key < 0x7f)
		text_key(ui, key);
	return UI_REDRAW;
}

static int paste_end(struct ui *ui)
{
	ui->pasting = 0;
	if (ui->editing) {
		validate(ui);
	} else if (ui->paste_lost) {
		snprintf(ui->msg, sizeof(ui->msg),
			 "paste of %zu characters ignored: \\ opens the "
			 "filter bar, / the search",
			 ui->paste_lost);
		ui->msg_err = 1;
	}
	return UI_REDRAW;
}

int ui_key(struct ui *ui, int key)
{
	if (key == K_RESIZE)
		return UI_FULL_REDRAW | UI_REDRAW;
	if (key == K_PASTE_START) {
		ui->pasting = 1;
		ui->paste_lost = 0;
		return 0;
	}
	/* A lone Esc inside a paste is the user's way out of one whose
	 * end the terminal never sent. */
	if (key == K_PASTE_END || (ui->pasting && key == K_ESC))
		return paste_end(ui);
	if (ui->pasting)
		return paste_key(ui, key);
	if (ui->editing)
		return edit_key(ui, key);
	return ui_action(ui, keymap_lookup(&ui->km, key));
}

void ui_applied(struct ui *ui, int err)
{
	char text[EDIT_MAX];

	if (err == -EROFS) {
		snprintf(ui->msg, sizeof(ui->msg),
			 "filter NOT applied: this "
			 "is a replay, and filters run in the kernel while "
			 "tracing");
		ui->msg_err = 1;
		return;
	}
	if (err) {
		snprintf(ui->msg, sizeof(ui->msg),
			 "filter NOT applied: %s; "
			 "the previous one stays",
			 strerror(-err));
		ui->msg_err = 1;
		return;
	}
	ui->current = ui->pending;
	filter_format(&ui->current, text, sizeof(text));
	snprintf(ui->active, sizeof(ui->active), "%s", text);
	lineedit_remember(ui->edit, text);
	strlcpy(ui->msg, "filter applied in the kernel: ", sizeof(ui->msg));
	strlcat(ui->msg, text[0] ? text : "(none: everything)",
		sizeof(ui->msg));
	ui->msg_err = 0;
}

size_t ui_export_list(const struct ui *ui, const struct packet **out,
		      size_t max)
{
	size_t n = 0;

	/* The packets shown, with all that is stored of them: paused, the
	 * hops that came since too (an export is data, not a screen). */
	if (!ui->export_all) {
		long k = ui->sel_gen ? store_find(ui->store, ui->sel_gen) : -1;

		if (k >= 0 && max)
			out[n++] = store_packet(ui->store, (size_t)k);
		return n;
	}
	for (size_t i = 0; i < ui->norder && n < max; i++) {
		long k = store_find(ui->store, ui->order[i]);

		if (k >= 0)
			out[n++] = store_packet(ui->store, (size_t)k);
	}
	return n;
}

void ui_exported(struct ui *ui, long hops, const char *why)
{
	if (hops < 0) {
		snprintf(ui->msg, sizeof(ui->msg), "%s", why);
		ui->msg_err = 1;
		return;
	}
	snprintf(ui->msg, sizeof(ui->msg), "exported %ld hops to %.200s", hops,
		 ui->export_path);
	ui->msg_err = 0;
}

/* Is (x, y) on a row of the pane's list? x < 0: any column. */
static int in_list(const struct pane_box *b, int x, int y)
{
	return y >= b->list_y && y < b->list_y + b->list_rows &&
	       (x < 0 || (x >= b->x && x < b->x + b->w));
}

int ui_click(struct ui *ui, int x, int y)
{
	const struct pane_box *pk = &ui->lay.packets;

	if (ui->show_help || ui->show_detail) {
		ui->show_help = ui->show_detail = 0;
		return UI_REDRAW;
	}
	if (in_list(&ui->lay.packets, -1, y)) {
		ui->focus = PANE_PACKETS;
		ui->follow = 0;
		if (ui->list_top + (y - pk->list_y) < (long)ui->norder)
			select_row(ui, ui->list_top + (y - pk->list_y));
	} else if (in_list(&ui->lay.timeline, x, y)) {
		ui->focus = PANE_TIMELINE;
		ui->sel_hop = ui->hop_top + (y - ui->lay.timeline.list_y);
		move(ui, 0);
	} else if (in_list(&ui->lay.funcs, x, y)) {
		ui->focus = PANE_FUNCS;
		ui->sel_func = ui->func_top + (y - ui->lay.funcs.list_y);
		move(ui, 0);
	}
	return UI_REDRAW;
}

/* Keep the selected packet's row in the list, and the list full. */
static void packets_in_view(struct ui *ui)
{
	long rows = ui->lay.packets.list_rows, sel = sel_row(ui);

	if (sel >= 0 && sel < ui->list_top)
		ui->list_top = sel;
	if (sel >= 0 && sel >= ui->list_top + rows)
		ui->list_top = sel - rows + 1;
	if (ui->list_top > (long)ui->norder - rows)
		ui->list_top = (long)ui->norder - rows > 0 ?
				       (long)ui->norder - rows :
				       0;
}

/* Keep the selected hop on the timeline. */
static void hop_in_view(struct ui *ui)
{
	struct packet buf;
	const struct packet *p = ui_selected(ui, &buf);
	int rows = ui->lay.timeline.list_rows;

	if (!p)
		return;
	if (ui->sel_hop >= (int)p->nhops)
		ui->sel_hop = (int)p->nhops - 1;
	if (ui->sel_hop < ui->hop_top)
		ui->hop_top = ui->sel_hop;
	if (ui->sel_hop >= ui->hop_top + rows)
		ui->hop_top = ui->sel_hop - rows + 1;
}

static int cmp_fn_name(const void *a, const void *b, void *ctx)
{
	const struct fn_row *x = a, *y = b;
	char nx[160], ny[160];

	ui_hook_name(ctx, x->hook, nx, sizeof(nx));
	ui_hook_name(ctx, y->hook, ny, sizeof(ny));
	return strcmp(nx, ny);
}

/* Most hits first; equal counts by hook id. */
static int cmp_fn(const void *a, const void *b)
{
	const struct fn_row *x = a, *y = b;

	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return x->hook < y->hook ? -1 : x->hook > y->hook;
}

/* Most time inside first; hits break ties (functions without returns). */
static int cmp_fn_time(const void *a, const void *b)
{
	const struct fn_row *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? 1 : -1;
	return cmp_fn(a, b);
}

/* Most BPF time first; hits break ties. */
static int cmp_fn_cost(const void *a, const void *b)
{
	const struct fn_row *x = a, *y = b;

	if (x->c != y->c)
		return x->c < y->c ? 1 : -1;
	return cmp_fn(a, b);
}

/* The functions pane's rows: hooks with hits, in all packets or in the
 * selected one, by hits, name, time or cost; and the selection kept among
 * them. For all packets, a function whose hits the filter rejects (none
 * kept) is a row too while it costs BPF time: it may be the costliest. */
static void count_funcs(struct ui *ui)
{
	struct packet buf;
	const struct packet *p = ui_selected(ui, &buf);
	size_t nh = hooks_count(ui->hooks), n = 0;
	int vis = ui->lay.funcs.list_rows;

	ui->nfn = 0;
	if (VEC_RESERVE(ui->fn, ui->capfn, nh ? nh : 1))
		return;
	for (size_t i = 0; i < nh; i++) {
		__u64 c = 0, t = 0;
		double cost = 0;

		if (ui->funcs_selected) {
			for (__u32 k = 0; p && k < p->nhops; k++)
				if (p->hops[k].hook == i) {
					c++;
					t += p->hops[k].has_ret ?
						     p->hops[k].dur :
						     0;
				}
		} else if (ui->paused && ui->pz.hits) {
			c = i < ui->pz.nhits ? ui->pz.hits[i] : 0;
		} else {
			c = store_hook_hits(ui->store, (__u32)i);
		}
		if (!ui->funcs_selected)
			t = store_hook_time(ui->store, (__u32)i);
		if (!ui->funcs_selected && ui->hook_bpf && i < ui->nhook_bpf)
			cost = ui->hook_bpf[i];
		if (c || cost > 0) {
			ui->fn[n].hook = (__u32)i;
			ui->fn[n].t = t;
			ui->fn[n].c = cost;
			ui->fn[n++].n = c;
		}
	}
	ui->nfn = n;
	if (ui->funcs_sort == FSORT_NAME)
		qsort_r(ui->fn, n, sizeof(*ui->fn), cmp_fn_name, ui);
	else
		qsort(ui->fn, n, sizeof(*ui->fn),
		      ui->funcs_sort == FSORT_TIME ? cmp_fn_time :
		      ui->funcs_sort == FSORT_COST ? cmp_fn_cost :
						     cmp_fn);
	if (ui->sel_func >= (int)n)
		ui->sel_func = n ? (int)n - 1 : 0;
	if (ui->sel_func < ui->func_top)
		ui->func_top = ui->sel_func;
	if (ui->sel_func >= ui->func_top + vis)
		ui->func_top = ui->sel_func - vis + 1;
}

void ui_layout(struct ui *ui, int w, int h)
{
	struct layout l;

	layout_panes(w, h, &l);
	if (!l.fits)
		return;
	ui->lay = l;
	packets_in_view(ui);
	hop_in_view(ui);
	if (l.funcs.h)
		count_funcs(ui);
}

int ui_is_muted(const struct ui *ui, __u32 hook)
{
	return ui->muted && hook < SKBS_MUTE_MAX && ui->muted[hook];
}

void ui_set_muted(struct ui *ui, __u32 hook, int err)
{
	char name[160];
	int on = !ui_is_muted(ui, hook);

	ui_hook_name(ui, hook, name, sizeof(name));
	if (!err && !ui->muted && !(ui->muted = calloc(SKBS_MUTE_MAX, 1)))
		err = -ENOMEM;
	if (err) {
		snprintf(ui->msg, sizeof(ui->msg), "mute %s: %s", name,
			 err == -EOPNOTSUPP ?
				 "kprobes without attach cookies (before "
				 "5.15) cannot tell functions apart" :
			 err == -EINVAL ?
				 "skbscope needs the drop and free hooks" :
			 err == -EROFS ? "a replay has nothing to mute" :
					 strerror(-err));
		ui->msg_err = 1;
		return;
	}
	ui->muted[hook] = (__u8)on;
	ui->nmuted += on ? 1 : (size_t)-1;
	snprintf(ui->msg, sizeof(ui->msg),
		 on ? "muted %s: its hits are rejected in the kernel (m again "
		      "unmutes)" :
		      "unmuted %s",
		 name);
	ui->msg_err = 0;
}
