/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cell buffer the view draws into: characters and attributes, no
 * curses. Screens are tested by dumping it as text.
 */
#ifndef SKBSCOPE_CELLS_H
#define SKBSCOPE_CELLS_H

#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

/* Colour roles (low byte of attr); blit maps them to curses pairs. */
enum role {
	R_NORMAL = 0,
	R_STATUS,
	R_HEADER,
	R_SELECTED,
	R_DROP,
	R_GOOD,
	R_ERROR,
	R_DIM,
	R_CHANGED,
	R_BAR,
	R_TITLE,
	R_WARN,
	R_COUNT,
};

#define AT_BOLD 0x100
#define AT_REVERSE 0x200
#define AT_UNDERLINE 0x400

struct cell {
	wchar_t ch;
	uint16_t attr;
};

struct grid {
	int w, h;
	int utf8; /* box drawing with Unicode lines, else ASCII */
	struct cell *c;
};

int grid_init(struct grid *g, int w, int h, int utf8);
void grid_fini(struct grid *g);
void grid_clear(struct grid *g);
/* Write UTF-8 text at (x, y), at most maxw columns; returns columns
 * written. Characters outside the grid are clipped. */
int grid_put(struct grid *g, int x, int y, const char *s, uint16_t attr,
	     int maxw);
/* The columns grid_put would take for all of s: one per character. */
int grid_cols(const char *s);
/* printf-style grid_put. */
int grid_printf(struct grid *g, int x, int y, uint16_t attr, int maxw,
		const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void grid_fill(struct grid *g, int x, int y, int w, wchar_t ch, uint16_t attr);
/* Set the attribute of w cells, keeping their characters. */
void grid_attr(struct grid *g, int x, int y, int w, uint16_t attr);
/* A frame with an optional title in its top edge. */
void grid_box(struct grid *g, int x, int y, int w, int h, const char *title,
	      uint16_t attr);
/* The grid as UTF-8 text, one line per row, trailing spaces trimmed.
 * Returns a malloc'd string. */
char *grid_dump(const struct grid *g);

#endif
