// SPDX-License-Identifier: GPL-2.0
/* Cell buffer primitives. Text is decoded as UTF-8 by hand, so output
 * does not depend on the process locale. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tui/cells.h"

int grid_init(struct grid *g, int w, int h, int utf8)
{
	if (w < 1)
		w = 1;
	if (h < 1)
		h = 1;
	g->c = calloc((size_t)w * h, sizeof(*g->c));
	if (!g->c)
		return -ENOMEM;
	g->w = w;
	g->h = h;
	g->utf8 = utf8;
	grid_clear(g);
	return 0;
}

void grid_fini(struct grid *g)
{
	free(g->c);
	g->c = NULL;
}

void grid_clear(struct grid *g)
{
	for (int i = 0; i < g->w * g->h; i++) {
		g->c[i].ch = L' ';
		g->c[i].attr = R_NORMAL;
	}
}

static void set(struct grid *g, int x, int y, wchar_t ch, uint16_t attr)
{
	if (x < 0 || y < 0 || x >= g->w || y >= g->h)
		return;
	g->c[y * g->w + x].ch = ch;
	g->c[y * g->w + x].attr = attr;
}

/* Decode one UTF-8 sequence; invalid bytes come out as '?'. */
static wchar_t next_char(const unsigned char **p)
{
	const unsigned char *s = *p;
	wchar_t c;
	int n;

	if (s[0] < 0x80) {
		*p = s + 1;
		return s[0];
	}
	if ((s[0] & 0xe0) == 0xc0) {
		c = s[0] & 0x1f;
		n = 1;
	} else if ((s[0] & 0xf0) == 0xe0) {
		c = s[0] & 0x0f;
		n = 2;
	} else if ((s[0] & 0xf8) == 0xf0) {
		c = s[0] & 0x07;
		n = 3;
	} else {
		*p = s + 1;
		return L'?';
	}
	for (int i = 1; i <= n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*p = s + i;
			return L'?';
		}
		c = (c << 6) | (s[i] & 0x3f);
	}
	*p = s + n + 1;
	return c;
}

int grid_put(struct grid *g, int x, int y, const char *s, uint16_t attr,
	     int maxw)
{
	const unsigned char *p = (const unsigned char *)s;
	int n = 0;

	if (maxw < 0)
		maxw = g->w - x;
	while (*p && n < maxw) {
		wchar_t c = next_char(&p);

		/* Control characters would move the terminal's cursor. */
		if (c < 0x20 || c == 0x7f)
			c = L'?';
		set(g, x + n, y, c, attr);
		n++;
	}
	return n;
}

int grid_cols(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int n = 0;

	/* Read as grid_put reads, bad bytes and all. */
	while (*p) {
		next_char(&p);
		n++;
	}
	return n;
}

int grid_printf(struct grid *g, int x, int y, uint16_t attr, int maxw,
		const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return grid_put(g, x, y, buf, attr, maxw);
}

void grid_fill(struct grid *g, int x, int y, int w, wchar_t ch, uint16_t attr)
{
	for (int i = 0; i < w; i++)
		set(g, x + i, y, ch, attr);
}

void grid_attr(struct grid *g, int x, int y, int w, uint16_t attr)
{
	for (int i = 0; i < w; i++)
		if (x + i >= 0 && x + i < g->w && y >= 0 && y < g->h)
			g->c[y * g->w + x + i].attr = attr;
}

static void grid_hline(struct grid *g, int x, int y, int w, uint16_t attr)
{
	grid_fill(g, x, y, w, g->utf8 ? 0x2500 : L'-', attr);
}

static void grid_vline(struct grid *g, int x, int y, int h, uint16_t attr)
{
	for (int i = 0; i < h; i++)
		set(g, x, y + i, g->utf8 ? 0x2502 : L'|', attr);
}

void grid_box(struct grid *g, int x, int y, int w, int h, const char *title,
	      uint16_t attr)
{
	if (w < 2 || h < 2)
		return;
	grid_hline(g, x + 1, y, w - 2, attr);
	grid_hline(g, x + 1, y + h - 1, w - 2, attr);
	grid_vline(g, x, y + 1, h - 2, attr);
	grid_vline(g, x + w - 1, y + 1, h - 2, attr);
	set(g, x, y, g->utf8 ? 0x250c : L'+', attr);
	set(g, x + w - 1, y, g->utf8 ? 0x2510 : L'+', attr);
	set(g, x, y + h - 1, g->utf8 ? 0x2514 : L'+', attr);
	set(g, x + w - 1, y + h - 1, g->utf8 ? 0x2518 : L'+', attr);
	if (title && w > 6)
		grid_printf(g, x + 2, y, attr | AT_BOLD, w - 4, " %s ", title);
}

static size_t put_utf8(char *out, wchar_t c)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xe0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		out[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	out[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

char *grid_dump(const struct grid *g)
{
	char *out = malloc((size_t)g->h * (g->w * 4 + 1) + 1), *p = out;

	if (!out)
		return NULL;
	for (int y = 0; y < g->h; y++) {
		char *line = p;
		char *last = p;

		for (int x = 0; x < g->w; x++) {
			p += put_utf8(p, g->c[y * g->w + x].ch);
			if (g->c[y * g->w + x].ch != L' ')
				last = p;
		}
		p = last > line ? last : line;
		*p++ = '\n';
	}
	*p = '\0';
	return out;
}
