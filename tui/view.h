/* SPDX-License-Identifier: GPL-2.0 */
/* Draws the explorer's state into a cell buffer. Pure: same state, same
 * cells, which is what the golden-screen tests rely on; it only reads the
 * model, which ui_layout has readied for this frame. */
#ifndef SKBSCOPE_VIEW_H
#define SKBSCOPE_VIEW_H

struct ui;
struct grid;

void view_render(const struct ui *ui, struct grid *g);

#endif
