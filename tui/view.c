// SPDX-License-Identifier: GPL-2.0
/*
 * The explorer's screen: status line, filter bar, packets, the selected
 * packet's timeline, function hit counts, key hints; help and detail
 * (detail.c) as overlays. Layout adapts from 80x24 up: side by side panes
 * from 110 columns.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/explain.h"
#include "core/ksyms.h"
#include "core/nsnames.h"
#include "core/retval.h"
#include "core/store.h"
#include "tui/cells.h"
#include "tui/detail.h"
#include "tui/fmt.h"
#include "tui/layout.h"
#include "tui/lineedit.h"
#include "tui/model.h"
#include "tui/tree.h"
#include "tui/view.h"

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

static uint16_t frame_attr(const struct ui *ui, enum pane p)
{
	return ui->focus == p ? (R_TITLE | AT_BOLD) : R_DIM;
}

/* Room left on a line, from x to end, for the explanation note. */
struct spare {
	int x, end;
};

/* The status line; *sp is the room between the counts and the label. */
static void draw_status(const struct ui *ui, struct grid *g, struct spare *sp)
{
	const struct ui_status *s = &ui->st;
	char buf[512], num[16];
	int x;

	grid_fill(g, 0, 0, g->w, L' ', R_STATUS);
	x = grid_printf(g, 0, 0, R_STATUS, g->w, " skbscope ");
	if (s->replay)
		x += grid_printf(g, x, 0, R_STATUS, g->w - x,
				 " replay (%s backend) ",
				 s->backend ? s->backend : "?");
	else
		x += grid_printf(g, x, 0, R_STATUS, g->w - x, " %s: %zu hooks ",
				 s->backend ? s->backend : "?",
				 s->attached - MIN(ui->nmuted, s->attached));
	if (ui->nmuted)
		x += grid_printf(g, x, 0, R_WARN, g->w - x, "(%zu muted) ",
				 ui->nmuted);
	if (s->failed)
		x += grid_printf(g, x, 0, R_STATUS, g->w - x, "(%zu failed) ",
				 s->failed);
	x += grid_printf(g, x, 0, R_STATUS, g->w - x, "| %.0f ev/s | ",
			 s->events_per_s);
	/* Received and lost side by side: every event the filter matched
	 * is one or the other. */
	x += grid_printf(g, x, 0, R_STATUS, g->w - x, "recv %s ",
			 fmt_count(s->received, buf, sizeof(buf)));
	x += grid_printf(g, x, 0,
			 s->lost_growing ? (R_ERROR | AT_BOLD) : R_STATUS,
			 g->w - x, "lost %s",
			 fmt_count(s->lost, buf, sizeof(buf)));
	/* Runs the kernel skipped are lost events too, said beside them. */
	if (s->missed)
		x += grid_printf(g, x, 0,
				 s->missed_growing ? (R_ERROR | AT_BOLD) :
						     R_WARN,
				 g->w - x, " missed %s",
				 fmt_count(s->missed, buf, sizeof(buf)));
	if (s->cost_on)
		x += grid_printf(g, x, 0, R_STATUS, g->w - x,
				 " | bpf %.2f%% cpu", s->bpf_cpu);
	x += grid_printf(g, x, 0, R_STATUS, g->w - x, " | skbs %zu",
			 store_count(ui->store));
	if (store_evicted(ui->store))
		x += grid_printf(g, x, 0, R_WARN, g->w - x,
				 " (max %zu, %llu evicted)",
				 store_max(ui->store),
				 (unsigned long long)store_evicted(ui->store));
	/* Paused, the events go on into the store: say how many came, in
	 * words where they fit. */
	fmt_count(store_events(ui->store) - ui->pz.events, num, sizeof(num));
	if (ui->paused)
		snprintf(buf, sizeof(buf), " PAUSED, %s events since ", num);
	else
		snprintf(buf, sizeof(buf), " %s%s ",
			 s->replay ? "REPLAY" : "LIVE",
			 ui->follow ? " follow" : "");
	if (ui->paused && x >= g->w - (int)strlen(buf))
		snprintf(buf, sizeof(buf), " PAUSED +%s ", num);
	sp->x = x;
	sp->end = x;
	if (x < g->w - (int)strlen(buf)) {
		sp->end = g->w - (int)strlen(buf);
		grid_put(g, sp->end, 0, buf,
			 ui->paused ? (R_WARN | AT_BOLD | AT_REVERSE) :
				      (R_GOOD | AT_BOLD),
			 -1);
	}
}

/* The filter bar; *sp is the room after what it shows (none while a
 * prompt is open). */
static void draw_filter_bar(const struct ui *ui, struct grid *g,
			    struct spare *sp)
{
	int y = 1, x;

	sp->x = sp->end = g->w;

	grid_fill(g, 0, y, g->w, L' ', R_NORMAL);
	if (ui->editing) {
		const char *text = lineedit_text(ui->edit);
		const char *label = ui->editing == EDIT_FILTER ?
					    "Filter> " :
				    ui->editing == EDIT_EXPORT ?
					    (ui->export_all ?
						     "Export all to> " :
						     "Export timeline to> ") :
					    "Search> ";
		int room, off = 0, cw = 0, len = (int)strlen(text);
		int cur = lineedit_cursor(ui->edit);
		char cut[64] = "";

		x = grid_put(g, 0, y, label, R_HEADER | AT_BOLD, -1);
		/* What was dropped for the limit is said at the bar's end,
		 * where a long line cannot push it off the screen. */
		if (ui->edit_cut) {
			snprintf(cut, sizeof(cut), " cut to %zu characters ",
				 lineedit_limit(ui->edit));
			if (g->w - x - 1 - (int)strlen(cut) < 20)
				snprintf(cut, sizeof(cut), " cut to %zu ",
					 lineedit_limit(ui->edit));
			cw = (int)strlen(cut);
			grid_put(g, g->w - cw, y, cut, R_WARN | AT_BOLD, -1);
		}
		room = MAX(g->w - x - 1 - cw, 1);
		/* A line longer than the bar scrolls to keep the cursor in
		 * view; '<' says there is more before. */
		if (cur >= room)
			off = cur - room + 1;
		grid_put(g, x, y, text + off, R_NORMAL, room);
		if (off)
			grid_put(g, x, y, "<", R_DIM, 1);
		if (ui->editing == EDIT_FILTER && !ui->edit_valid &&
		    ui->edit_bad >= 0) {
			/* Underline the first bad token. */
			int b = ui->edit_bad, e = b;

			while (text[e] && text[e] != ' ')
				e++;
			b = MAX(b - off, 0);
			e = MIN(e - off, room);
			if (b < room && e >= b)
				grid_attr(g, x + b, y, MAX(e - b, 1),
					  R_ERROR | AT_UNDERLINE | AT_BOLD);
		}
		grid_attr(g, x + cur - off, y, 1, R_NORMAL | AT_REVERSE);
		/* The hint or the verdict after the text, where it fits. */
		x += MIN(len - off, room);
		room = g->w - cw;
		if (ui->editing == EDIT_EXPORT) {
			int ex = x + 2;

			if (ex < room)
				grid_put(g, ex, y,
					 "(.json, .pcapng, else text;"
					 " Enter writes, Esc cancels)",
					 R_DIM, room - ex);
		}
		if (ui->editing == EDIT_FILTER) {
			int ex = x + 2;
			char msg[256];

			if (ui->edit_valid)
				snprintf(msg, sizeof(msg), "%s",
					 "valid: Enter "
					 "applies it in the kernel");
			else
				snprintf(msg, sizeof(msg), "invalid: %s",
					 ui->edit_err);
			if (ex < room)
				grid_put(g, ex, y, msg,
					 ui->edit_valid ? R_GOOD : R_ERROR,
					 room - ex);
		}
		return;
	}
	x = grid_put(g, 0, y, "Filter: ", R_HEADER, -1);
	x += grid_put(g, x, y, ui->active[0] ? ui->active : "none", R_NORMAL,
		      g->w - x);
	sp->x = x;
	if (ui->msg[0] && x + 3 < g->w) {
		sp->x += 3 +
			 grid_put(g, x + 3, y, ui->msg,
				  ui->msg_err ? (R_ERROR | AT_BOLD) : R_GOOD,
				  g->w - x - 3);
	} else if ((ui->current.flags & SKBS_F_PCAP) && x + 3 < g->w) {
		/* Say how the expression runs: in the kernel, changed by a
		 * map write (pwru compiles it in at load time). */
		char how[96];

		snprintf(how, sizeof(how),
			 "pcap: in-kernel cBPF, %u/%u "
			 "insns, %s",
			 ui->current.pcap_len_l2, ui->current.pcap_len_l3,
			 ui->st.pcap_mode ? ui->st.pcap_mode : "?");
		sp->x += 3 + grid_put(g, x + 3, y, how, R_DIM, g->w - x - 3);
	} else if (ui->st.note && x + 3 < g->w) {
		sp->x += 3 + grid_put(g, x + 3, y, ui->st.note, R_DIM,
				      g->w - x - 3);
	}
}

/* Below this many columns a cut note says too little to show. */
#define NOTE_MIN 12

/*
 * What explaining touched, where there is room: whole on the status line
 * after the counts, else right-aligned on the filter bar while no prompt
 * is open, else cut on the status line. The counts and the label are
 * never moved for it.
 */
static void draw_explain_note(const struct ui *ui, struct grid *g,
			      const struct spare *st, const struct spare *bar)
{
	const char *note = ui->st.explain_note;
	int n = grid_cols(note), room = st->end - st->x - 3;

	if (!n)
		return;
	if (n <= room ||
	    (bar->end - bar->x - 3 < MIN(n, NOTE_MIN) && room >= NOTE_MIN)) {
		grid_put(g, st->x, 0, " | ", R_STATUS, -1);
		grid_put(g, st->x + 3, 0, note, R_STATUS, room);
	} else if (bar->end - bar->x - 3 >= MIN(n, NOTE_MIN)) {
		int nx = MAX(bar->x + 3, bar->end - n);

		grid_put(g, nx, 1, note, R_DIM, bar->end - nx);
	}
}

static const char *state_name(const struct packet *p)
{
	return p->state == PKT_DROPPED  ? "DROPPED" :
	       p->state == PKT_CONSUMED ? "consumed" :
					  "in flight";
}

/* What marks a row whose tuple a later hop rewrote (the timeline shows
 * where). */
#define NAT_MARK " NAT"

/*
 * The hop that names the packet in the list (store.h: its first with a
 * complete tuple), with its tuple in tuple, and NAT_MARK after it when a
 * later hop rewrote it; *mark is where the mark starts, in columns, or
 * -1.
 */
static const struct hop *list_hop(const struct packet *p, char *tuple,
				  size_t len, int *mark)
{
	const struct hop *th = p->first_tuple < p->nhops ?
				       &p->hops[p->first_tuple] :
				       &p->hops[0];

	snprintf(tuple, len, "-");
	*mark = -1;
	if (p->first_tuple < p->nhops)
		fmt_tuple(th, tuple, len);
	if (fmt_packet_rewritten(p)) {
		*mark = grid_cols(tuple);
		strlcat(tuple, NAT_MARK, len);
	}
	return th;
}

/* The mark at column x + mark of row y, when it was drawn (cols wide). */
static void list_mark(struct grid *g, int x, int y, int mark, int cols,
		      uint16_t a)
{
	int n = (int)strlen(NAT_MARK);

	if (mark >= 0 && mark < cols)
		grid_attr(g, x + mark, y, MIN(n, cols - mark),
			  R_CHANGED | AT_BOLD | (a & AT_REVERSE));
}

static void list_where(const struct ui *ui, const struct hop *th, char *buf,
		       size_t len)
{
	char ns[64];

	if (th->ifindex)
		fmt_iface(ui, th, buf, len);
	else
		snprintf(buf, len, "ns %s",
			 fmt_netns(ui, th->netns, ns, sizeof(ns)));
}

static uint16_t row_attr(const struct ui *ui, const struct packet *p)
{
	uint16_t a = p->state == PKT_DROPPED ? (R_DROP | AT_BOLD) : R_NORMAL;

	return p->gen == ui->sel_gen ? (a & ~0xff) | R_SELECTED | AT_REVERSE :
				       a;
}

/* Function names are shown whole up to this many columns; longer ones
 * (rare: __netif_receive_skb_one_core is 28) are cut. */
#define FUNC_COLS_MAX 40

static int clampi(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static int digits(__u64 n)
{
	int d = 1;

	while (n >= 10) {
		n /= 10;
		d++;
	}
	return d;
}

/* A packet's row as text, before the columns are sized. */
struct row_text {
	char tuple[128], where[40], last[128], state[80];
	int mark; /* where NAT_MARK starts in tuple, or -1 */
	const struct hop *th;
};

static void row_text(const struct ui *ui, const struct packet *p,
		     struct row_text *t)
{
	t->th = list_hop(p, t->tuple, sizeof(t->tuple), &t->mark);
	list_where(ui, t->th, t->where, sizeof(t->where));
	ui_hook_name(ui, p->last_hook, t->last, sizeof(t->last));
	if (p->state == PKT_DROPPED) {
		char rs[64];

		fmt_reason(ui, p, NULL, rs, sizeof(rs));
		snprintf(t->state, sizeof(t->state), "DROPPED %s", rs);
	} else {
		snprintf(t->state, sizeof(t->state), "%s", state_name(p));
	}
}

/* Narrow rows leave the state at least this many columns ("DROPPED
 * NO_SOCKET"). */
#define STATE_MIN 17

/*
 * One row per lifetime. From 120 columns: time, tuple, iface or netns,
 * events, last function, state; narrower terminals keep time, tuple,
 * events and state (the timeline shows the rest). Each column is as wide
 * as what the rows on screen put in it: the tuple whole where it fits,
 * then the last function (cut first when the line is full), and the state
 * gets the rest. '>' marks the selected row, so the selection shows
 * without colour too.
 */
static void packet_rows(const struct ui *ui, struct grid *g,
			const struct pane_box *b)
{
	int y = b->y, inner = b->w - 2, rows = b->list_rows;
	int wide = inner >= 118, tw = 5, ww = 11, ew = 2, lw = 4, sw = 5, over;
	__u64 base = fmt_t0(ui);
	struct row_text t;
	struct packet buf;

	for (int r = 0; r < rows; r++) {
		const struct packet *p = ui_row(ui, ui->list_top + r, &buf);

		if (!p)
			continue;
		row_text(ui, p, &t);
		tw = MAX(tw, grid_cols(t.tuple));
		ww = MAX(ww, grid_cols(t.where));
		ew = MAX(ew, digits(p->nhops));
		lw = MAX(lw, grid_cols(t.last));
		sw = MAX(sw, grid_cols(t.state));
	}
	lw = MIN(lw, FUNC_COLS_MAX);
	if (wide) {
		/* Too wide for the line: the last function gives way down
		 * to 12 columns, then the tuple down to 20. */
		over = 10 + 1 + tw + 1 + ww + 1 + ew + 1 + lw + 1 + sw - inner;
		if (over > 0)
			lw -= MIN(over, MAX(lw - 12, 0));
		over = 10 + 1 + tw + 1 + ww + 1 + ew + 1 + lw + 1 + sw - inner;
		if (over > 0)
			tw -= MIN(over, MAX(tw - 20, 0));
		grid_printf(g, 1, y + 1, R_HEADER, inner,
			    " %9s %-*s %-*s %*s %-*s %s", "TIME(s)", tw,
			    "TUPLE", ww, "IFACE/NETNS", ew, "EV", lw, "LAST",
			    "STATE");
	} else {
		tw = clampi(tw, 5, inner - 10 - 1 - ew - 1 - STATE_MIN);
		grid_printf(g, 1, y + 1, R_HEADER, inner, " %9s %-*s %*s %s",
			    "TIME(s)", tw, "TUPLE", ew, "EV", "STATE");
	}
	for (int r = 0; r < rows && ui->list_top + r < (long)ui->norder; r++) {
		const struct packet *p = ui_row(ui, ui->list_top + r, &buf);
		uint16_t a;
		int sel;

		if (!p)
			continue;
		sel = p->gen == ui->sel_gen;
		row_text(ui, p, &t);
		a = row_attr(ui, p);
		grid_fill(g, 1, y + 2 + r, inner, L' ', a);
		if (wide)
			grid_printf(g, 1, y + 2 + r, a, inner,
				    "%c%9.6f %-*.*s %-*.*s %*u %-*.*s %s",
				    sel ? '>' : ' ', (p->first_ts - base) / 1e9,
				    tw, tw, t.tuple, ww, ww, t.where, ew,
				    p->nhops, lw, lw, t.last, t.state);
		else
			grid_printf(g, 1, y + 2 + r, a, inner,
				    "%c%9.6f %-*.*s %*u %s", sel ? '>' : ' ',
				    (p->first_ts - base) / 1e9, tw, tw, t.tuple,
				    ew, p->nhops, t.state);
		list_mark(g, 12, y + 2 + r, t.mark, tw, a);
	}
}

/* Reason names longer than this are cut in the drops list. */
#define REASON_COLS 20
/* Below 118 columns the tuple leaves the why at least this many (a brief
 * such as "rule 12 of inet filter OUTPUT" fits). */
#define WHY_COLS 32

/*
 * The why of a drop in cols columns: its sentence when it fits, else its
 * brief. Below 118 columns (narrow) the reason has no column of its own,
 * so a drop without an explanation, or whose explanation is only the
 * reason's meaning, shows the reason's name here.
 */
static void drop_why(const struct ui *ui, const struct packet *p, int cols,
		     int narrow, char *buf, size_t len)
{
	const struct explain *e = store_explain(ui->store, p);

	if (narrow && (!e || e->kind == EXPLAIN_REASON))
		fmt_reason(ui, p, NULL, buf, len);
	else if (!e)
		snprintf(buf, len, "%s", "");
	else if (grid_cols(e->text) <= cols)
		snprintf(buf, len, "%s", e->text);
	else
		fmt_why_brief(e, buf, len);
}

/*
 * Drops only: each drop with why it happened. The tuple (and from 120
 * columns the reason) take what the rows on screen need, the tuple at
 * most what the packet list gives it (below 120, what leaves the why
 * WHY_COLS), and the why takes the rest. Below 120 the time, the events
 * and the reason's column make way for the why: the order is the drops'
 * own, and the why says more than the reason (which it shows when there
 * is nothing more).
 */
static void drop_rows(const struct ui *ui, struct grid *g,
		      const struct pane_box *b)
{
	int y = b->y, inner = b->w - 2, rows = b->list_rows;
	int wide = inner >= 118, tw = 5, rw = 6, pre, cols;
	__u64 base = fmt_t0(ui);
	struct packet buf;

	for (int r = 0; r < rows; r++) {
		const struct packet *p = ui_row(ui, ui->list_top + r, &buf);
		char tuple[128], rs[64];
		int mark;

		if (!p)
			continue;
		list_hop(p, tuple, sizeof(tuple), &mark);
		fmt_reason(ui, p, NULL, rs, sizeof(rs));
		tw = MAX(tw, grid_cols(tuple));
		rw = MAX(rw, grid_cols(rs));
	}
	tw = MIN(tw, wide ? inner - 74 : MAX(inner - 3 - WHY_COLS, 5));
	rw = MIN(rw, REASON_COLS);
	/* Columns before the why: the marker, then each with its space. */
	pre = wide ? 1 + 10 + tw + 1 + 15 + rw + 1 : 2 + tw + 1;
	cols = MAX(inner - pre, 0);
	if (wide)
		grid_printf(g, 1, y + 1, R_HEADER, inner,
			    " %9s %-*s %-14s %-*s %s", "TIME(s)", tw, "TUPLE",
			    "IFACE/NETNS", rw, "REASON", "WHY");
	else
		grid_printf(g, 1, y + 1, R_HEADER, inner, "  %-*s %s", tw,
			    "TUPLE", "WHY");
	for (int r = 0; r < rows && ui->list_top + r < (long)ui->norder; r++) {
		const struct packet *p = ui_row(ui, ui->list_top + r, &buf);
		char tuple[128], where[40], rs[64], why[EXPLAIN_TEXT];
		const struct hop *th;
		uint16_t a;
		int sel, mark;

		if (!p)
			continue;
		sel = p->gen == ui->sel_gen;
		th = list_hop(p, tuple, sizeof(tuple), &mark);
		drop_why(ui, p, cols, !wide, why, sizeof(why));
		a = row_attr(ui, p);
		grid_fill(g, 1, y + 2 + r, inner, L' ', a);
		if (wide) {
			list_where(ui, th, where, sizeof(where));
			fmt_reason(ui, p, NULL, rs, sizeof(rs));
			grid_printf(g, 1, y + 2 + r, a, inner,
				    "%c%9.6f %-*.*s %-14.14s %-*.*s ",
				    sel ? '>' : ' ', (p->first_ts - base) / 1e9,
				    tw, tw, tuple, where, rw, rw, rs);
			list_mark(g, 12, y + 2 + r, mark, tw, a);
		} else {
			grid_printf(g, 1, y + 2 + r, a, inner, "%c %-*.*s ",
				    sel ? '>' : ' ', tw, tw, tuple);
			list_mark(g, 3, y + 2 + r, mark, tw, a);
		}
		grid_put(g, 1 + pre, y + 2 + r, why, a, cols);
	}
}

static void draw_packets(const struct ui *ui, struct grid *g,
			 const struct pane_box *b)
{
	char title[96];

	snprintf(title, sizeof(title), "Packets%s, by %s",
		 ui->drops_only ? " (drops only)" : "",
		 ui->sort == SORT_TIME   ? "time" :
		 ui->sort == SORT_EVENTS ? "events" :
					   "state");
	grid_box(g, b->x, b->y, b->w, b->h, title,
		 frame_attr(ui, PANE_PACKETS));
	if (ui->drops_only)
		drop_rows(ui, g, b);
	else
		packet_rows(ui, g, b);
	if (!ui->norder)
		grid_put(g, 3, b->y + 2,
			 ui->drops_only ?
				 "no drop yet" :
				 "waiting for packets that match the filter...",
			 R_DIM, b->w - 4);
}

/*
 * What the timeline says of a drop: the reason and, in brief, why (from
 * the packet's explanation). With room for cols columns, where: always
 * without a why, and after one only when it fits, since the why says more
 * and the detail has the place.
 */
static void drop_text(const struct ui *ui, const struct packet *p,
		      const struct hop *hp, int cols, char *buf, size_t len)
{
	const struct explain *e = store_explain(ui->store, p);
	char loc[160], why[EXPLAIN_TEXT];
	size_t n;

	fmt_reason(ui, NULL, hp, buf, len);
	if (e) {
		n = strlen(buf);
		snprintf(buf + n, len - n, "  %s",
			 fmt_why_brief(e, why, sizeof(why)));
	}
	if (!cols)
		return;
	fmt_location(ui, hp->location, loc, sizeof(loc));
	n = strlen(buf);
	if (!e)
		snprintf(buf + n, len - n, " at %s", loc);
	else if (grid_cols(buf) + 5 + grid_cols(loc) <= cols)
		snprintf(buf + n, len - n, "  at %s", loc);
}

/* The timeline's columns, as wide as the hops on screen need. */
struct tl_cols {
	int nw, fw, iw, mw; /* hop number, function, iface, mark (hex) */
	int cw;             /* the call's time and value; 0 when flat */
	int meta;           /* IFACE NETNS LEN MARK shown */
	int wide;           /* room for the tuple column */
};

/* Indentation shown for a depth: past 12 levels the names would be all
 * the column holds. */
#define TREE_INDENT_MAX 12

/* The function cell of a tree: indentation, the fold mark of a call with
 * calls inside, the name. */
static void tree_name(const struct ui *ui, const struct packet *p,
		      const __u8 *depth, int tree, __u32 i, int utf8, char *buf,
		      size_t len)
{
	char name[160];
	int d = MIN(depth[i], TREE_INDENT_MAX);
	const char *mark = "";

	ui_hook_name(ui, p->hops[i].hook, name, sizeof(name));
	if (!tree) {
		snprintf(buf, len, "%s", name);
		return;
	}
	if (tree_has_kids(p, depth, i) || tree_is_folded(&ui->folds, p, i))
		mark = tree_is_folded(&ui->folds, p, i) ?
			       (utf8 ? "\u25b8 " : "+ ") :
			       (utf8 ? "\u25be " : "- ");
	else
		mark = "  ";
	snprintf(buf, len, "%*s%s%s", 2 * d, "", mark, name);
}

/* "41.2us = -EPERM" for a hop with a return, "" without. */
static void call_text(const struct hop *hp, int slowest, char *buf, size_t len)
{
	char val[64], dur[32];

	buf[0] = '\0';
	if (!hp->has_ret)
		return;
	retval_format((enum ret_kind)hp->ret_kind, hp->ret, val, sizeof(val));
	retval_duration(hp->dur, dur, sizeof(dur));
	snprintf(buf, len, "%s%s%s%s", dur, val[0] ? " = " : "", val,
		 slowest ? " slowest" : "");
}

/*
 * The function column as wide as the longest name shown (FUNC_COLS_MAX at
 * most, and less only when the line is full), the interface and mark as
 * wide as theirs; what is left goes to the tuple when the widest one
 * shown fits whole (or, as before, from 100 columns, cut).
 */
static void timeline_cols(const struct ui *ui, const struct packet *p,
			  const __u8 *depth, int tree, long slowest, int utf8,
			  int inner, int rows, struct tl_cols *c)
{
	int tw = 0, fixed, room, end = MIN((int)p->nhops, ui->hop_top + rows);

	c->nw = MAX(2, digits((__u64)end));
	c->fw = 8;
	c->iw = 5;
	c->mw = 4;
	c->cw = tree ? 4 : 0;
	for (int i = ui->hop_top; i < end; i++) {
		const struct hop *hp = &p->hops[i];
		char name[200], ifn[24], tup[128], call[128];

		tree_name(ui, p, depth, tree, (__u32)i, utf8, name,
			  sizeof(name));
		if (tree) {
			call_text(hp, i == slowest, call, sizeof(call));
			c->cw = MAX(c->cw, grid_cols(call));
		}
		fmt_iface(ui, hp, ifn, sizeof(ifn));
		fmt_tuple(hp, tup, sizeof(tup));
		c->fw = MAX(c->fw, grid_cols(name));
		c->iw = MAX(c->iw, grid_cols(ifn));
		c->mw = MAX(c->mw, snprintf(NULL, 0, "%x", hp->mark));
		tw = MAX(tw, grid_cols(tup));
	}
	c->fw = MIN(c->fw, FUNC_COLS_MAX);
	c->iw = MIN(c->iw, SKBS_IFNAMSIZ - 1);
	c->cw = MIN(c->cw, 32);
	c->meta = 1;
	/* #, then DELTA 9, CPU 3, NETNS 10, LEN 5 and "0x" MARK, each after
	 * a space. */
	fixed = 1 + c->nw + 1 + 10 + 4 + 1 + c->iw + 11 + 6 + 3 + c->mw +
		(c->cw ? c->cw + 1 : 0);
	/* A tree needs its names and calls more than the per-hop metadata
	 * (the detail has it): that goes first when they do not fit. */
	if (c->cw && fixed + c->fw > inner) {
		c->meta = 0;
		fixed -= 1 + c->iw + 11 + 6 + 3 + c->mw;
	}
	if (fixed + c->fw > inner)
		c->fw = MAX(12, inner - fixed);
	if (fixed + c->fw > inner && c->cw)
		c->cw = MAX(8, inner - (fixed - c->cw) - c->fw);
	room = inner - fixed - c->fw - 1;
	c->wide = c->meta && (room >= tw || (inner >= 100 && room >= 20));
}

/* Fields that changed since the previous hop are highlighted. */
static void draw_timeline(const struct ui *ui, struct grid *g,
			  const struct pane_box *b)
{
	struct packet buf;
	const struct packet *p = ui_selected(ui, &buf);
	int x = b->x, y = b->y, w = b->w;
	int inner = w - 2, rows = b->list_rows, fx, wide, cgw = 0;
	struct tl_cols c = { 2, 8, 5, 4, 0, 0 };
	__u8 depth[p && p->nhops ? p->nhops : 1];
	int tree = p ? tree_depths(p, depth) : 0;
	long slowest = tree ? tree_slowest(p, depth) : -1;
	char title[256];
	int r = 0;

	if (p)
		snprintf(title, sizeof(title),
			 "Timeline: skb 0x%llx gen %u, "
			 "%u hops%s%s",
			 (unsigned long long)p->skb, p->gen, p->nhops,
			 tree              ? ", call tree" :
			 ui->st.no_returns ? ", flat: " :
					     "",
			 tree || !ui->st.no_returns ? "" : ui->st.no_returns);
	else
		snprintf(title, sizeof(title), "Timeline");
	grid_box(g, x, y, w, b->h, title, frame_attr(ui, PANE_TIMELINE));
	if (p)
		timeline_cols(ui, p, depth, tree, slowest, g->utf8, inner, rows,
			      &c);
	wide = c.wide;
	/* A CGROUP column before the tuple on a wide screen, once the
	 * packet carries cgroups (recordings from before them do not). */
	for (__u32 k = 0; p && wide && inner >= 140 && k < p->nhops && !cgw;
	     k++)
		cgw = p->hops[k].cgroup ? 16 : 0;
	/* Where the function column starts: the drop and rewrite lines
	 * are indented to it. */
	fx = x + 1 + 1 + c.nw + 1;
	if (c.meta)
		grid_printf(g, x + 1, y + 1, R_HEADER, inner,
			    "%*s %-*s%s%-*s %9s %3s %-*s %10s %5s %-*s%s%s",
			    1 + c.nw, "#", c.fw, "FUNCTION", c.cw ? " " : "",
			    c.cw, c.cw ? "CALL" : "", "DELTA", "CPU", c.iw,
			    "IFACE", "NETNS", "LEN", c.mw + 2, "MARK",
			    cgw ? " CGROUP          " : "",
			    wide ? " TUPLE" : "");
	else
		grid_printf(g, x + 1, y + 1, R_HEADER, inner,
			    "%*s %-*s %-*s %9s %3s", 1 + c.nw, "#", c.fw,
			    "FUNCTION", c.cw, "CALL", "DELTA", "CPU");
	if (!p) {
		grid_put(g, x + 2, y + 2, "select a packet", R_DIM, inner - 1);
		return;
	}
	for (int i = ui->hop_top; i < (int)p->nhops && r < rows; i++, r++) {
		const struct hop *hp = &p->hops[i];
		const struct hop *pv = i ? &p->hops[i - 1] : NULL;
		char name[200], d[24], ifn[24], tup[128], call[128], ns[64];
		int yy = y + 2 + r, cx = x + 1;
		uint16_t a = (hp->flags & SKBS_EV_DROP) ? (R_DROP | AT_BOLD) :
							  R_NORMAL;
		uint16_t ch = R_CHANGED | AT_BOLD;
		int tchg;

		if (tree && tree_hidden(p, depth, &ui->folds, (__u32)i)) {
			r--; /* inside a folded call: no row */
			continue;
		}
		if (i == ui->sel_hop)
			a = (a & ~0xff) | R_SELECTED |
			    (ui->focus == PANE_TIMELINE ? AT_REVERSE : 0);
		tree_name(ui, p, depth, tree, (__u32)i, g->utf8, name,
			  sizeof(name));
		if (pv)
			fmt_delta(d, sizeof(d), hp->ts - pv->ts);
		else
			snprintf(d, sizeof(d), "0");
		fmt_iface(ui, hp, ifn, sizeof(ifn));
		fmt_tuple(hp, tup, sizeof(tup));
		tchg = fmt_tuple_rewritten(p, (__u32)i);
		grid_fill(g, cx, yy, inner, L' ', a);
		cx += grid_printf(g, cx, yy, a, inner, "%c%*d ",
				  i == ui->sel_hop ? '>' : ' ', c.nw, i + 1);
		/* Padded by columns, not bytes: the fold marks are UTF-8. */
		grid_printf(g, cx, yy, a, MIN(c.fw, x + w - 1 - cx), "%s",
			    name);
		cx = MIN(cx + c.fw + 1, x + w - 1);
		if (c.cw) {
			/* A failed return in the drop colour; the slowest
			 * call of the packet marked. */
			uint16_t ca = a;

			call_text(hp, i == slowest, call, sizeof(call));
			if (hp->has_ret &&
			    retval_failed((enum ret_kind)hp->ret_kind, hp->ret))
				ca = (a & ~0xff) | R_DROP | AT_BOLD;
			else if (i == slowest)
				ca = (a & ~0xff) | R_CHANGED | AT_BOLD;
			grid_printf(g, cx, yy, ca, MIN(c.cw, x + w - 1 - cx),
				    "%s", call);
			cx = MIN(cx + c.cw + 1, x + w - 1);
		}
		cx += grid_printf(g, cx, yy, a, x + w - 1 - cx, "%9s %3u ", d,
				  hp->cpu);
		if (!c.meta)
			goto after_meta;
		cx += grid_printf(g, cx, yy,
				  pv && (pv->ifindex != hp->ifindex ||
					 pv->netns != hp->netns) ?
					  ch :
					  a,
				  MIN(c.iw, x + w - 1 - cx), "%-*.*s", c.iw,
				  c.iw, ifn);
		cx += grid_printf(g, cx, yy,
				  pv && pv->netns != hp->netns ? ch : a,
				  MIN(11, x + w - 1 - cx), " %10.10s",
				  fmt_netns(ui, hp->netns, ns, sizeof(ns)));
		cx += grid_printf(g, cx, yy, pv && pv->len != hp->len ? ch : a,
				  MIN(6, x + w - 1 - cx), " %5u", hp->len);
		cx += grid_printf(g, cx, yy,
				  pv && pv->mark != hp->mark ? ch : a,
				  MIN(3 + c.mw, x + w - 1 - cx), " 0x%-*x",
				  c.mw, hp->mark);
		if (cgw) {
			const char *cg = hp->cgroup && ui->names ?
						 nsnames_cgroup(ui->names,
								hp->cgroup) :
						 NULL;
			char id[24];

			if (!cg && hp->cgroup) {
				snprintf(id, sizeof(id), "%llu",
					 (unsigned long long)hp->cgroup);
				cg = id;
			}
			cx += grid_printf(g, cx, yy,
					  pv && pv->cgroup != hp->cgroup ? ch :
									   a,
					  MIN(cgw + 1, x + w - 1 - cx),
					  " %-16.16s", cg ? cg : "-");
		}
		if (wide)
			cx += grid_printf(g, cx, yy, tchg ? ch : a,
					  x + w - 1 - cx, " %s", tup);
after_meta:
		if (hp->flags & SKBS_EV_DROP) {
			char line[EXPLAIN_TEXT + 256];
			int room = x + w - 1 - fx - (int)strlen("dropped: ");

			/* Below the hop, or after it (without the place)
			 * when it is the last row there is room for. */
			if (r + 1 < rows) {
				drop_text(ui, p, hp, room, line, sizeof(line));
				grid_printf(g, fx, y + 2 + ++r,
					    R_DROP | AT_BOLD, x + w - 1 - fx,
					    "dropped: %s", line);
			} else {
				drop_text(ui, p, hp, 0, line, sizeof(line));
				grid_printf(g, cx, yy, R_DROP | AT_BOLD,
					    x + w - 1 - cx, " %s", line);
			}
		} else if (tchg && !wide && r + 1 < rows) {
			r++;
			grid_printf(g, fx, y + 2 + r, ch, x + w - 1 - fx,
				    "tuple now %s", tup);
		}
		if (i == ui->sel_hop && ui->show_stack && ui->stack &&
		    hp->stack_id >= 0) {
			__u64 ips[SKBS_STACK_DEPTH];
			int n = ui->stack(ui->stack_ctx, hp->stack_id, ips,
					  SKBS_STACK_DEPTH);

			for (int k = ksyms_first_kernel_frame(ui->ksyms, ips,
							      n);
			     k < n && r + 1 < rows; k++) {
				char sym[160];

				fmt_location(ui, ips[k], sym, sizeof(sym));
				r++;
				grid_printf(g, fx + 2, y + 2 + r, R_DIM,
					    x + w - 3 - fx, "%s", sym);
			}
		}
	}
}

/* The names as wide as the longest shown (FUNC_COLS_MAX at most, and
 * less when the pane is narrow), the counts as their largest, and the
 * bars the rest. */
static void draw_funcs(const struct ui *ui, struct grid *g,
		       const struct pane_box *b)
{
	int x = b->x, y = b->y, w = b->w;
	int inner = w - 2, vis = b->list_rows, n = (int)ui->nfn, barw;
	int nw = 8, hw = 4, tw = 0, cw = 0;
	__u64 max = 1, tmax = 0;
	double cmax = 0;
	char title[120], name[160];

	snprintf(title, sizeof(title), "Functions: %s, by %s%s",
		 ui->funcs_selected ? "selected packet" : "all packets",
		 ui->funcs_sort == FSORT_NAME ? "name" :
		 ui->funcs_sort == FSORT_TIME ? "time" :
		 ui->funcs_sort == FSORT_COST ? "BPF cost" :
						"hits",
		 ui->funcs_sort == FSORT_COST && ui->bpf_estimated ? " (est.)" :
								     "");
	grid_box(g, x, y, w, b->h, title, frame_attr(ui, PANE_FUNCS));
	for (int i = 0; i < n; i++)
		if (ui->fn[i].n > max)
			max = ui->fn[i].n;
	for (int r = 0; r < vis && ui->func_top + r < n; r++) {
		ui_hook_name(ui, ui->fn[ui->func_top + r].hook, name,
			     sizeof(name));
		nw = MAX(nw, grid_cols(name));
	}
	hw = MAX(hw, digits(max));
	/* The time inside each function, once returns give one, and what
	 * its programs cost, once measured; sorted by either, the bars show
	 * it instead of the hits. */
	for (int i = 0; i < n; i++) {
		tw = ui->fn[i].t ? 8 : tw;
		tmax = MAX(tmax, ui->fn[i].t);
		cw = ui->fn[i].c > 0 ? 6 : cw;
		cmax = ui->fn[i].c > cmax ? ui->fn[i].c : cmax;
	}
	/* A bar of 4 at least: the names give way first. */
	nw = clampi(nw, 8,
		    MIN(FUNC_COLS_MAX,
			inner - hw - 2 - 5 - (tw + 1) - (cw ? cw + 1 : 0)));
	barw = MAX(inner - nw - 1 - hw - 2 - (tw ? tw + 1 : 0) -
			   (cw ? cw + 1 : 0),
		   4);
	grid_printf(g, x + 1, y + 1, R_HEADER, inner, "%-*s %*s%s%*s%s%*s", nw,
		    "FUNCTION", hw, "HITS", tw ? " " : "", tw, tw ? "TIME" : "",
		    cw ? " " : "", cw, cw ? "BPF" : "");
	for (int r = 0; r < vis && ui->func_top + r < n; r++) {
		const struct fn_row *fr = &ui->fn[ui->func_top + r];
		int by_time = ui->funcs_sort == FSORT_TIME && tmax;
		int by_cost = ui->funcs_sort == FSORT_COST && cmax > 0;
		int len =
			by_cost ?
				(int)(fr->c * barw / cmax + 0.999) :
			by_time ?
				(int)((fr->t * (__u64)barw + tmax - 1) / tmax) :
				(int)((fr->n * (__u64)barw + max - 1) / max);
		char tt[32] = "", cc[16] = "";
		int yy = y + 2 + r, cx;
		uint16_t a = R_NORMAL;

		if (ui->func_top + r == ui->sel_func && ui->focus == PANE_FUNCS)
			a = R_SELECTED | AT_REVERSE;
		ui_hook_name(ui, fr->hook, name, sizeof(name));
		/* A muted function is dim, and says so where its bar was. */
		if (ui_is_muted(ui, fr->hook) && a == R_NORMAL)
			a = R_DIM;
		grid_fill(g, x + 1, yy, inner, L' ', a);
		if (tw && fr->t)
			retval_duration(fr->t, tt, sizeof(tt));
		/* Share of one CPU, as the status line's "bpf N% cpu". */
		if (cw && fr->c > 0) {
			double pct = fr->c / 1e7;

			if (pct < 0.1)
				snprintf(cc, sizeof(cc), "<0.1%%");
			else
				snprintf(cc, sizeof(cc), "%.1f%%", pct);
		}
		cx = x + 1 +
		     grid_printf(g, x + 1, yy, a, inner, "%-*.*s %*llu ", nw,
				 nw, name, hw, (unsigned long long)fr->n);
		if (tw)
			cx += grid_printf(g, cx, yy, a, tw + 1, "%*s ", tw, tt);
		if (cw)
			cx += grid_printf(g, cx, yy, a, cw + 1, "%*s ", cw, cc);
		if (ui_is_muted(ui, fr->hook))
			grid_printf(g, cx, yy, a, x + w - 1 - cx, "muted");
		else
			grid_fill(g, cx, yy, MIN(len, x + w - 1 - cx),
				  g->utf8 ? 0x2588 : L'#', R_BAR);
	}
}

static void draw_footer(const struct ui *ui, struct grid *g)
{
	static const enum action hints[] = {
		ACT_HELP,   ACT_SEARCH, ACT_FILTER,    ACT_SORT, ACT_PAUSE,
		ACT_DETAIL, ACT_DROPS,  ACT_NEXT_PANE, ACT_QUIT,
	};
	static const char *const labels[] = {
		"Help",   "Search", "Filter", "Sort", "Pause",
		"Detail", "Drops",  "Pane",   "Quit",
	};
	int x = 0, y = g->h - 1;

	grid_fill(g, 0, y, g->w, L' ', R_NORMAL);
	for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]); i++) {
		char keys[64], *sp;

		keymap_keys_for(&ui->km, hints[i], keys, sizeof(keys));
		sp = strchr(keys, ' ');
		if (sp)
			*sp = '\0';
		if (x + (int)strlen(keys) + (int)strlen(labels[i]) + 1 >= g->w)
			break;
		x += grid_put(g, x, y, keys, R_BAR | AT_BOLD | AT_REVERSE, -1);
		x += grid_put(g, x, y, labels[i], R_NORMAL, -1);
		x += grid_put(g, x, y, " ", R_NORMAL, -1);
	}
}

/* Every action with its keys; in two columns when one does not fit. */
static void draw_help(const struct ui *ui, struct grid *g)
{
	int n = ACT_COUNT - 1, cols, per, colw;
	int w = MIN(g->w - 2, 120), h, x, y;

	cols = n + 2 <= g->h - 2 ? 1 : 2;
	per = (n + cols - 1) / cols;
	h = MIN(per + 2, g->h - 2);
	x = (g->w - w) / 2;
	y = MAX((g->h - h) / 2, 1);
	colw = (w - 2) / cols;
	for (int r = 0; r < h; r++)
		grid_fill(g, x, y + r, w, L' ', R_NORMAL);
	grid_box(g, x, y, w, h, "Help: keys (Esc closes)", R_TITLE);
	for (int a = 1; a < ACT_COUNT; a++) {
		int i = a - 1, cx = x + 1 + (i / per) * colw,
		    cy = y + 1 + i % per;
		char keys[64];

		if (cy >= y + h - 1)
			continue;
		keymap_keys_for(&ui->km, (enum action)a, keys, sizeof(keys));
		grid_printf(g, cx + 1, cy, R_HEADER | AT_BOLD, 9, "%-9s", keys);
		grid_printf(g, cx + 11, cy, R_NORMAL, colw - 12, "%s",
			    action_help((enum action)a));
	}
}

void view_render(const struct ui *ui, struct grid *g)
{
	struct spare st, bar;
	struct layout l;

	grid_clear(g);
	draw_status(ui, g, &st);
	draw_filter_bar(ui, g, &bar);
	draw_explain_note(ui, g, &st, &bar);
	layout_panes(g->w, g->h, &l);
	if (!l.fits) {
		grid_printf(g, 0, 2, R_ERROR, g->w,
			    "terminal too small (need %dx%d)", LAYOUT_MIN_W,
			    LAYOUT_MIN_H);
		draw_footer(ui, g);
		return;
	}
	draw_packets(ui, g, &l.packets);
	draw_timeline(ui, g, &l.timeline);
	if (l.funcs.h)
		draw_funcs(ui, g, &l.funcs);
	draw_footer(ui, g);
	if (ui->show_detail)
		detail_draw(ui, g);
	if (ui->show_help)
		draw_help(ui, g);
}
