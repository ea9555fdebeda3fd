/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where the explorer's panes go on a w x h screen. One pure function, so
 * that the model (clicks, paging, keeping the selection in view) and the
 * view (drawing) agree on every row without the view writing anything.
 */
#ifndef SKBSCOPE_LAYOUT_H
#define SKBSCOPE_LAYOUT_H

/* Smaller screens get a message instead of panes. */
#define LAYOUT_MIN_W 40
#define LAYOUT_MIN_H 12

/* A pane: its box, and the rows of its list inside (below the title line
 * and the column header, above the bottom line). All 0 when not shown. */
struct pane_box {
	int x, y, w, h;
	int list_y, list_rows;
};

struct layout {
	int fits; /* 0: below the minimum, and no panes */
	struct pane_box packets, timeline, funcs;
};

void layout_panes(int w, int h, struct layout *out);

#endif
