/* SPDX-License-Identifier: GPL-2.0 */
/* Draws the explorer's state into a cell buffer. Pure: same state, same
 * cells, which is what the golden-screen tests rely on. */
#ifndef SKBSCOPE_VIEW_H
#define SKBSCOPE_VIEW_H

struct ui;
struct grid;

/* Also records pane geometry in ui (for paging and clicks). */
void view_render(struct ui *ui, struct grid *g);

#endif
