// SPDX-License-Identifier: GPL-2.0
/*
 * The line editor. Lines are short (a filter, a path), so every edit
 * moves the bytes after the cursor, and the history is a fixed array
 * whose oldest line is shifted out.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tui/keymap.h"
#include "tui/lineedit.h"

#define CTRL(c) ((c) - 'a' + 1)

struct lineedit {
	size_t max; /* bytes in text and in each history line */
	char *text;
	int cur;
	char *hist; /* nhist lines of max bytes, oldest first */
	int nhist, maxhist;
	int pos; /* the line recalled; nhist: none */
};

static char *hist_line(const struct lineedit *le, int i)
{
	return le->hist + (size_t)i * le->max;
}

int lineedit_new(size_t max, int nhist, struct lineedit **out)
{
	struct lineedit *le = calloc(1, sizeof(*le));

	if (!le || !max || nhist < 0 || !(le->text = calloc(1, max)) ||
	    !(le->hist = calloc(nhist ? (size_t)nhist : 1, max))) {
		lineedit_free(le);
		return -ENOMEM;
	}
	le->max = max;
	le->maxhist = nhist;
	*out = le;
	return 0;
}

void lineedit_free(struct lineedit *le)
{
	if (!le)
		return;
	free(le->text);
	free(le->hist);
	free(le);
}

static void set_text(struct lineedit *le, const char *text)
{
	snprintf(le->text, le->max, "%s", text);
	le->cur = (int)strlen(le->text);
}

void lineedit_start(struct lineedit *le, const char *text)
{
	set_text(le, text);
	le->pos = le->nhist;
}

int lineedit_key(struct lineedit *le, int key)
{
	size_t l = strlen(le->text), cur = (size_t)le->cur;

	switch (key) {
	case K_BACKSPACE:
	case CTRL('h'):
		if (cur > 0) {
			memmove(le->text + cur - 1, le->text + cur,
				l - cur + 1);
			le->cur--;
		}
		return 1;
	case K_DELETE:
		if (cur < l)
			memmove(le->text + cur, le->text + cur + 1, l - cur);
		return 1;
	case K_LEFT:
		if (cur > 0)
			le->cur--;
		return 1;
	case K_RIGHT:
		if (cur < l)
			le->cur++;
		return 1;
	case K_HOME:
	case CTRL('a'): le->cur = 0; return 1;
	case K_END:
	case CTRL('e'): le->cur = (int)l; return 1;
	case CTRL('u'):
		le->text[0] = '\0';
		le->cur = 0;
		return 1;
	default:
		if (key < 0x20 || key >= 0x7f)
			return 0;
		if (l + 1 < le->max) {
			memmove(le->text + cur + 1, le->text + cur,
				l - cur + 1);
			le->text[le->cur++] = (char)key;
		}
		return 1;
	}
}

void lineedit_recall(struct lineedit *le, int dir)
{
	if (!le->nhist)
		return;
	le->pos += dir < 0 ? -1 : 1;
	if (le->pos < 0)
		le->pos = 0;
	if (le->pos >= le->nhist) {
		le->pos = le->nhist;
		set_text(le, "");
	} else {
		set_text(le, hist_line(le, le->pos));
	}
}

void lineedit_remember(struct lineedit *le, const char *text)
{
	if (!text[0] || !le->maxhist ||
	    (le->nhist && !strcmp(hist_line(le, le->nhist - 1), text)))
		return;
	if (le->nhist == le->maxhist) {
		memmove(hist_line(le, 0), hist_line(le, 1),
			le->max * (size_t)(le->maxhist - 1));
		le->nhist--;
	}
	snprintf(hist_line(le, le->nhist++), le->max, "%s", text);
}

const char *lineedit_text(const struct lineedit *le)
{
	return le->text;
}

size_t lineedit_limit(const struct lineedit *le)
{
	return le->max - 1;
}

int lineedit_full(const struct lineedit *le)
{
	return strlen(le->text) >= le->max - 1;
}

int lineedit_cursor(const struct lineedit *le)
{
	return le->cur;
}
