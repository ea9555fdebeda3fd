// SPDX-License-Identifier: GPL-2.0
/*
 * The panes between the status and filter lines at the top and the key
 * hints at the bottom: from 110 columns the timeline and the functions
 * sit side by side under the packets, narrower they stack, and the
 * functions go when there are too few rows for them.
 */
#include <string.h>
#include "tui/layout.h"

#define MAX(a, b) ((a) > (b) ? (a) : (b))

static void box(struct pane_box *b, int x, int y, int w, int h)
{
	b->x = x;
	b->y = y;
	b->w = w;
	b->h = h;
	b->list_y = y + 2;
	b->list_rows = MAX(h - 3, 0);
}

void layout_panes(int w, int h, struct layout *out)
{
	int body = h - 3, y = 2;

	memset(out, 0, sizeof(*out));
	if (w < LAYOUT_MIN_W || h < LAYOUT_MIN_H)
		return;
	out->fits = 1;
	if (w >= 110) {
		int ph = MAX(body * 45 / 100, 6);
		int tw = w * 62 / 100;

		box(&out->packets, 0, y, w, ph);
		box(&out->timeline, 0, y + ph, tw, body - ph);
		box(&out->funcs, tw, y + ph, w - tw, body - ph);
	} else {
		int ph = MAX(body * 38 / 100, 5);
		int fh = body >= 20 ? 6 : body >= 16 ? 5 : 0;

		box(&out->packets, 0, y, w, ph);
		box(&out->timeline, 0, y + ph, w, body - ph - fh);
		if (fh)
			box(&out->funcs, 0, y + body - fh, w, fh);
	}
}
