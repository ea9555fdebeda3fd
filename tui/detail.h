/* SPDX-License-Identifier: GPL-2.0 */
/* The detail overlay: the selected hop, why its packet was dropped, its
 * decoded headers and its stack. Pure, like the rest of the view. */
#ifndef SKBSCOPE_TUI_DETAIL_H
#define SKBSCOPE_TUI_DETAIL_H

struct ui;
struct grid;

/* Over the panes, when a packet is selected; nothing otherwise. */
void detail_draw(const struct ui *ui, struct grid *g);

#endif
