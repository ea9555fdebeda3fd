/* SPDX-License-Identifier: GPL-2.0 */
/* The only code that talks to curses: puts a cell buffer on the terminal
 * and turns curses input into our key codes. */
#ifndef SKBSCOPE_BLIT_H
#define SKBSCOPE_BLIT_H

struct grid;

struct term_opts {
	int color; /* 0: monochrome */
	int mouse;
};

/* Start curses, with bracketed paste on; returns 0 or -1 when the
 * terminal cannot be used. Sets *utf8 when the locale allows Unicode box
 * drawing. */
int term_open(const struct term_opts *o, int *utf8);
/* Restore the terminal. Safe to call twice. */
void term_close(void);
void term_size(int *w, int *h);
/* Draw g, sending curses only the cells that changed since the last
 * frame; full forces a complete repaint. Returns an estimate of the bytes
 * the frame writes to the terminal, for pacing. */
long term_blit(const struct grid *g, int full);
/* Next key (K_* / chars) within timeout_ms, 0 on timeout. For mouse
 * clicks returns K_MOUSE with the cell in *mx, *my; a paste comes as
 * K_PASTE_START, its characters, K_PASTE_END. */
int term_key(int timeout_ms, int *mx, int *my);

#endif
