// SPDX-License-Identifier: GPL-2.0
/*
 * curses output and input. The view never sees curses; this file never
 * sees the model. Colours are by role, with a monochrome fallback that
 * keeps drops and selection visible through bold and reverse.
 */
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <langinfo.h>
#include <string.h>
#include <ncursesw/curses.h>
#include "tui/blit.h"
#include "tui/cells.h"
#include "tui/keymap.h"

static int active, colors;

int term_active(void)
{
	return active;
}

int term_open(const struct term_opts *o, int *utf8)
{
	setlocale(LC_ALL, "");
	*utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
	/* Not initscr(): on a TERM it does not know it exits the process,
	 * before a recording or pcap-ng file is closed. */
	if (!newterm(NULL, stdout, stdin))
		return -1;
	active = 1;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	if (o->mouse)
		mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED, NULL);
	colors = o->color && has_colors();
	if (colors) {
		start_color();
		use_default_colors();
		init_pair(R_STATUS, COLOR_BLACK, COLOR_CYAN);
		init_pair(R_HEADER, COLOR_CYAN, -1);
		init_pair(R_SELECTED, -1, -1);
		init_pair(R_DROP, COLOR_RED, -1);
		init_pair(R_GOOD, COLOR_GREEN, -1);
		init_pair(R_ERROR, COLOR_RED, -1);
		init_pair(R_DIM, -1, -1); /* A_DIM below: blue is unreadable
					   * on dark backgrounds */
		init_pair(R_CHANGED, COLOR_YELLOW, -1);
		init_pair(R_BAR, COLOR_GREEN, -1);
		init_pair(R_TITLE, COLOR_WHITE, -1);
		init_pair(R_WARN, COLOR_YELLOW, -1);
	}
	return 0;
}

void term_close(void)
{
	if (!active)
		return;
	active = 0;
	curs_set(1);
	endwin();
}

void term_size(int *w, int *h)
{
	getmaxyx(stdscr, *h, *w);
}

static attr_t to_attr(uint16_t a)
{
	attr_t r = 0;
	int role = a & 0xff;

	if (a & AT_BOLD)
		r |= A_BOLD;
	if (a & AT_REVERSE)
		r |= A_REVERSE;
	if (a & AT_UNDERLINE)
		r |= A_UNDERLINE;
	if (role == R_DIM)
		r |= A_DIM;
	if (!colors) {
		/* Without colour, roles that carry meaning use emphasis. */
		if (role == R_STATUS)
			r |= A_REVERSE;
		if (role == R_DROP || role == R_ERROR || role == R_CHANGED)
			r |= A_BOLD;
		if (role == R_ERROR)
			r |= A_UNDERLINE;
	}
	return r;
}

void term_blit(const struct grid *g, int full)
{
	int w, h;

	getmaxyx(stdscr, h, w);
	if (full)
		clearok(stdscr, TRUE);
	for (int y = 0; y < g->h && y < h; y++) {
		for (int x = 0; x < g->w && x < w; x++) {
			const struct cell *c = &g->c[y * g->w + x];
			wchar_t s[2] = { c->ch, 0 };
			cchar_t cc;

			/* The bottom-right cell would scroll some terminals. */
			if (y == h - 1 && x == w - 1)
				continue;
			/* setcchar takes the colour pair apart from the
			 * attributes; a pair inside attrs is overridden. */
			setcchar(&cc, s, to_attr(c->attr),
				 colors ? (short)(c->attr & 0xff) : 0, NULL);
			mvadd_wch(y, x, &cc);
		}
	}
	refresh();
}

int term_key(int timeout_ms, int *mx, int *my)
{
	wint_t ch;
	int r;

	timeout(timeout_ms);
	r = get_wch(&ch);
	if (r == ERR)
		return 0;
	if (r == KEY_CODE_YES) {
		switch (ch) {
		case KEY_UP: return K_UP;
		case KEY_DOWN: return K_DOWN;
		case KEY_LEFT: return K_LEFT;
		case KEY_RIGHT: return K_RIGHT;
		case KEY_PPAGE: return K_PGUP;
		case KEY_NPAGE: return K_PGDN;
		case KEY_HOME: return K_HOME;
		case KEY_END: return K_END;
		case KEY_ENTER: return K_ENTER;
		case KEY_BTAB: return K_BTAB;
		case KEY_BACKSPACE: return K_BACKSPACE;
		case KEY_DC: return K_DELETE;
		case KEY_RESIZE: return K_RESIZE;
		case KEY_MOUSE: {
			MEVENT me;

			if (getmouse(&me) != OK)
				return 0;
			*mx = me.x;
			*my = me.y;
			return K_MOUSE;
		}
		default:
			if (ch >= KEY_F(1) && ch <= KEY_F(12))
				return K_F1 + (int)(ch - KEY_F(1));
			return 0;
		}
	}
	switch (ch) {
	case '\r':
	case '\n': return K_ENTER;
	case '\t': return K_TAB;
	case 27: return K_ESC;
	case 127: return K_BACKSPACE;
	default: return (int)ch;
	}
}
