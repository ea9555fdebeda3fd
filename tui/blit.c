// SPDX-License-Identifier: GPL-2.0
/*
 * curses output and input. The view never sees curses; this file never
 * sees the model. Colours are by role, with a monochrome fallback that
 * keeps drops and selection visible through bold and reverse.
 */
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <stdio.h>
#include <langinfo.h>
#include <stdlib.h>
#include <string.h>
#include <ncursesw/curses.h>
#include "tui/blit.h"
#include "tui/cells.h"
#include "tui/keymap.h"
#include "tui/terminfo.h"

static int active, colors;

/*
 * Bracketed paste (xterm's mode 2004): the terminal wraps what is pasted
 * in ESC[200~ ... ESC[201~. Without it curses hands a paste over key by
 * key, and a terminal that had the mode on anyway (left so by another
 * program) made its ESC[200~ an Esc that closed the filter bar and the
 * text a run of key bindings. The two markers get key codes of their own
 * past curses' KEY_MAX.
 */
#define PASTE_ON "\033[?2004h"
#define PASTE_OFF "\033[?2004l"
#define KEY_PASTE_START (KEY_MAX + 1)
#define KEY_PASTE_END (KEY_MAX + 2)

/*
 * What the terminal shows, as far as we drew it. A frame hands curses
 * only the cells that differ from it: curses diffs again before it writes,
 * but would first have to take in every cell of every frame, and this way
 * we also know what a frame costs on the wire.
 */
static struct cell *shown;
static int shown_w, shown_h;

static void shown_free(void)
{
	free(shown);
	shown = NULL;
	shown_w = shown_h = 0;
}

int term_open(const struct term_opts *o, int *utf8)
{
	char tdir[256];
	SCREEN *scr;

	setlocale(LC_ALL, "");
	*utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
	/* A box without terminfo (the static binary in a rescue shell)
	 * gets the compiled-in entry for $TERM, removed again at once:
	 * curses keeps the description in memory. */
	if (terminfo_fallback(tdir, sizeof(tdir)) < 0)
		tdir[0] = '\0';
	/* Not initscr(): on a TERM it does not know it exits the process,
	 * before a recording or pcap-ng file is closed. */
	scr = newterm(NULL, stdout, stdin);
	terminfo_release(tdir);
	if (!scr)
		return -1;
	active = 1;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	/* The cursor is hidden: leave it where the last change left it
	 * rather than move it back after every frame. */
	leaveok(stdscr, TRUE);
	set_escdelay(25);
	define_key("\033[200~", KEY_PASTE_START);
	define_key("\033[201~", KEY_PASTE_END);
	/* putp writes through stdio, curses with write(2): flushed now,
	 * or the terminal would only see it when the program ends. */
	putp(PASTE_ON);
	fflush(stdout);
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
	shown_free();
	putp(PASTE_OFF);
	fflush(stdout);
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

/*
 * Roughly the bytes curses writes for the changes in row y, for pacing
 * only. A jump to the next changed cell is a cursor move ("\e[RR;CCH"),
 * unless the gap is short enough to write the old cells again; a new
 * attribute is an SGR ("\e(B\e[0;1m\e[31m"); a run of blanks is one
 * erase ("\e[86X"); characters are their UTF-8 length. *pen is the
 * attribute in force, carried from row to row.
 */
#define MOVE_BYTES 8
#define SGR_BYTES 10
#define ERASE_BYTES 5

static int utf8_len(wchar_t c)
{
	return c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
}

static int changed(const struct grid *g, int full, size_t i)
{
	return full || shown[i].ch != g->c[i].ch ||
	       shown[i].attr != g->c[i].attr;
}

static long row_bytes(const struct grid *g, int full, int y, int w, int *pen)
{
	size_t row = (size_t)y * g->w;
	int last = -1, x = 0;
	long bytes = 0;

	while (x < w) {
		const struct cell *c = &g->c[row + x];
		int end = x + 1;

		if (!changed(g, full, row + x)) {
			x++;
			continue;
		}
		if (last < 0 || x - last > MOVE_BYTES)
			bytes += MOVE_BYTES;
		else
			bytes += x - last;
		if (*pen != c->attr)
			bytes += SGR_BYTES;
		*pen = c->attr;
		if (c->ch == L' ') {
			while (end < w && changed(g, full, row + end) &&
			       g->c[row + end].ch == L' ' &&
			       g->c[row + end].attr == c->attr)
				end++;
		}
		if (end - x > ERASE_BYTES) {
			/* The erase leaves the cursor where it was. */
			bytes += ERASE_BYTES;
			last = x;
		} else {
			for (int i = x; i < end; i++)
				bytes += utf8_len(g->c[row + i].ch);
			last = end;
		}
		x = end;
	}
	return bytes;
}

long term_blit(const struct grid *g, int full)
{
	size_t n = (size_t)g->w * g->h;
	int w, h, pen = R_NORMAL; /* curses ends a frame in plain text */
	long bytes = 0;

	getmaxyx(stdscr, h, w);
	if (full)
		clearok(stdscr, TRUE);
	if (full || !shown || shown_w != g->w || shown_h != g->h) {
		shown_free();
		/* Without a copy every frame is drawn whole: slower, not
		 * wrong. */
		shown = malloc(n * sizeof(*shown));
		if (shown) {
			shown_w = g->w;
			shown_h = g->h;
		}
		full = 1;
	}
	for (int y = 0; y < g->h && y < h; y++) {
		int cols = g->w < w ? g->w : w;

		/* The bottom-right cell would scroll some terminals. */
		if (y == h - 1 && cols == w)
			cols--;
		bytes += row_bytes(g, full, y, cols, &pen);
		for (int x = 0; x < cols; x++) {
			size_t i = (size_t)y * g->w + x;
			const struct cell *c = &g->c[i];
			wchar_t s[2] = { c->ch, 0 };
			cchar_t cc;

			if (!changed(g, full, i))
				continue;
			/* setcchar takes the colour pair apart from the
			 * attributes; a pair inside attrs is overridden. */
			setcchar(&cc, s, to_attr(c->attr),
				 colors ? (short)(c->attr & 0xff) : 0, NULL);
			mvadd_wch(y, x, &cc);
		}
	}
	if (shown)
		memcpy(shown, g->c, n * sizeof(*shown));
	refresh();
	return bytes;
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
		case KEY_PASTE_START: return K_PASTE_START;
		case KEY_PASTE_END: return K_PASTE_END;
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
