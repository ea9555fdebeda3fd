/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The explorer's state: what is selected, which pane has focus, the filter
 * bar being edited. Plain C; actions change it and return what the app
 * must do next (redraw, apply a filter, quit). Never draws, never talks to
 * the kernel.
 */
#ifndef SKBSCOPE_MODEL_H
#define SKBSCOPE_MODEL_H

#include <stddef.h>
#include <linux/types.h>
#include "bpf/events.h"
#include "tui/keymap.h"
#include "tui/layout.h"
#include "tui/tree.h"

struct store;
struct lineedit;
struct hooks;
struct reasons;
struct ksyms;
struct packet;

enum pane { PANE_PACKETS, PANE_TIMELINE, PANE_FUNCS, PANE_COUNT };
enum sortkey { SORT_TIME, SORT_EVENTS, SORT_STATE, SORT_COUNT };
enum editing { EDIT_NONE, EDIT_FILTER, EDIT_SEARCH, EDIT_EXPORT };

enum ui_flags {
	UI_REDRAW = 1 << 0,
	UI_QUIT = 1 << 1,
	UI_APPLY = 1 << 2, /* write ui->pending into the config map */
	UI_FULL_REDRAW = 1 << 3,
	UI_EXPORT = 1 << 4, /* write ui->export_path: see ui_export_list */
	UI_MUTE = 1 << 5,   /* mute or unmute ui->mute_hook (ui_set_muted) */
};

/* What the app measures each tick, for the status line. */
struct ui_status {
	const char *backend;
	size_t attached, failed;
	double events_per_s;
	__u64 received; /* events taken from the ring buffer */
	__u64 lost;     /* events the kernel could not hand over */
	int lost_growing;
	const char *note;      /* e.g. "demo: 2 namespaces, DROP on 7001" */
	const char *pcap_mode; /* "bpf_loop" or "bounded loop" */
	int replay;            /* events come from a recording */
	/* Why the timeline is flat (no returns), or NULL. */
	const char *no_returns;
	/* What BPF costs: share of one CPU (%), when measured. */
	int cost_on;
	double bpf_cpu;
	/* Program runs and kprobe hits the kernel skipped: lost too. */
	__u64 missed;
	int missed_growing;
	/* What explaining drops has touched ("nft trace in netns a, b"),
	 * copied from the source before each frame; "" for nothing. */
	char explain_note[128];
};

/* Room for a pcap-filter expression (SKBS_PCAP_TEXT) and terms before it. */
#define EDIT_MAX 1280

struct sort_ent;
struct u64map;

/*
 * What the display showed when it was paused, so that it keeps showing
 * that while the events go on into the store: each packet's hops then
 * (by generation; a packet not in it is new since), the functions' hit
 * counts, the time the panes counted from, and the events stored.
 */
struct ui_pause {
	struct u64map *hops; /* NULL: not held (short of memory) */
	__u64 *hits;
	size_t nhits;
	__u64 t0;
	__u64 events;
};

/* A row of the functions pane: a hook and its hits. */
struct fn_row {
	__u32 hook;
	__u64 n;
	__u64 t;  /* ns inside its calls (returns), 0 without */
	double c; /* BPF ns per second its programs ran, 0 unknown */
};

/* How the function pane is sorted (the sort key cycles them). */
enum funcs_sort { FSORT_HITS, FSORT_NAME, FSORT_TIME, FSORT_COST, FSORT_COUNT };

struct ui {
	const struct store *store;
	const struct hooks *hooks;
	const struct reasons *reasons;
	const struct ksyms *ksyms;
	int (*stack)(void *ctx, __s32 id, __u64 *ips, int max);
	void *stack_ctx;
	const char *netns_dir;
	/* Netns and cgroup names (may be NULL); netns_names: show netns by
	 * name (--output-netns-names). */
	struct nsnames *names;
	int netns_names;
	struct keymap km;
	struct ui_status st;
	int color;

	char active[EDIT_MAX];      /* the filter in force, as text */
	struct skbs_filter pending; /* to apply, with UI_APPLY */
	struct skbs_filter current; /* in force */

	enum pane focus;
	int drops_only;
	enum sortkey sort;
	int follow;
	int paused;
	struct ui_pause pz; /* while paused */
	__u32 sel_gen;
	long list_top;
	int sel_hop, hop_top;
	struct tree_folds folds; /* folded calls of the selected packet */
	int sel_func, func_top;
	int funcs_selected;
	enum funcs_sort funcs_sort;
	/* BPF ns per second, per hook id (the explorer's loop fills it from
	 * the source each second); NULL: not known, and no cost sort. */
	const double *hook_bpf;
	size_t nhook_bpf;
	int bpf_estimated; /* some are runs x mean (kprobe families) */
	int show_help, show_detail, show_stack;

	enum editing editing;
	struct lineedit *edit; /* the prompt's line, and filter history */
	int edit_valid;
	int edit_bad;
	int edit_cut;      /* text was dropped: the line is at its limit */
	int pasting;       /* between K_PASTE_START and K_PASTE_END */
	size_t paste_lost; /* characters pasted with no prompt open */
	char edit_err[200];
	char search[128];
	char export_path[1024];
	int export_all; /* every packet shown, not the selected */

	char msg[256];
	int msg_err;

	/* Where the panes are in the frame being drawn (ui_layout), for
	 * paging and mouse clicks. */
	struct layout lay;

	/* The packet list in display order (generations). */
	__u32 *order;
	size_t norder, caporder;
	struct sort_ent *sortbuf; /* (key, generation) pairs for sorting */
	size_t capsort;
	/* The functions pane's rows, counted and sorted by ui_layout. */
	struct fn_row *fn;
	size_t nfn, capfn;
	/* Functions muted live, by hook id (SKBS_MUTE_MAX of them, or NULL
	 * until the first), and the one UI_MUTE asks about. */
	__u8 *muted;
	size_t nmuted;
	__u32 mute_hook;
};

/* After UI_MUTE: what the kernel said (0: done, or -errno, said inline). */
void ui_set_muted(struct ui *ui, __u32 hook, int err);
/* Is hook muted? */
int ui_is_muted(const struct ui *ui, __u32 hook);

/* 0, -ENOMEM, or the built-in keymap's error. */
int ui_init(struct ui *ui, const struct store *st, const struct hooks *h,
	    const struct reasons *r);
void ui_fini(struct ui *ui);
/* Rebuild the display order from the store (call before drawing). */
void ui_refresh(struct ui *ui);
/*
 * Ready the next frame at w x h for view_render, which only reads: the
 * panes' geometry, the selection and scrolling clamped into view, the
 * functions pane's rows. Call after ui_refresh, before each frame; a
 * screen too small for panes keeps the last geometry.
 */
void ui_layout(struct ui *ui, int w, int h);
/* A key press: keymap action, or text for the filter/search prompt. */
int ui_key(struct ui *ui, int key);
/* A click at screen cell (x, y). */
int ui_click(struct ui *ui, int x, int y);
/* The app applied (err == 0) or failed to apply ui->pending. */
void ui_applied(struct ui *ui, int err);
/* The packets an export covers, into out (at most max); their count. */
size_t ui_export_list(const struct ui *ui, const struct packet **out,
		      size_t max);
/* The outcome of an export: hops written (>= 0), or -errno and why. */
void ui_exported(struct ui *ui, long hops, const char *why);

/*
 * The packets as the display shows them: live, or while paused as they
 * were at the pause (NULL for one that is new since). The packet may be
 * copied into buf; either way it is valid until the next store_add.
 */
/* The selected packet, or NULL. */
const struct packet *ui_selected(const struct ui *ui, struct packet *buf);
/* The packet on row row of the list, or NULL. */
const struct packet *ui_row(const struct ui *ui, long row, struct packet *buf);
/* The store's packet p as the display shows it, or NULL. */
const struct packet *ui_shown(const struct ui *ui, const struct packet *p,
			      struct packet *buf);
/* Hook name for display. */
const char *ui_hook_name(const struct ui *ui, __u32 hook, char *buf,
			 size_t len);

#endif
