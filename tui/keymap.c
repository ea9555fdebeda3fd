// SPDX-License-Identifier: GPL-2.0
/* One parser for the built-in bindings and every keymap file. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/outfile.h"
#include "core/textfile.h"
#include "tui/keymap.h"

/* From build/keymaps_data.c, generated from the files in keymaps/. */
extern const char keymap_text_default[];
extern const char keymap_text_vim[];
extern const char keymap_text_emacs[];

static const struct {
	const char *name;
	const char *help;
} actions[ACT_COUNT] = {
	[ACT_NONE] = { "none", "" },
	[ACT_QUIT] = { "quit", "quit" },
	[ACT_HELP] = { "help", "this help" },
	[ACT_SEARCH] = { "search", "search function or address" },
	[ACT_SEARCH_NEXT] = { "search-next", "next search match" },
	[ACT_FILTER] = { "filter", "edit the kernel filter" },
	[ACT_CLEAR_FILTER] = { "clear-filter", "clear the filter" },
	[ACT_SORT] = { "sort", "sort the focused pane" },
	[ACT_PAUSE] = { "pause", "pause / resume display" },
	[ACT_DETAIL] = { "detail", "detail of the selected hop" },
	[ACT_CLOSE] = { "close", "close help/detail/prompt" },
	[ACT_NEXT_PANE] = { "next-pane", "next pane" },
	[ACT_PREV_PANE] = { "prev-pane", "previous pane" },
	[ACT_UP] = { "up", "move up" },
	[ACT_DOWN] = { "down", "move down" },
	[ACT_PAGE_UP] = { "page-up", "page up" },
	[ACT_PAGE_DOWN] = { "page-down", "page down" },
	[ACT_HALF_UP] = { "half-page-up", "half a page up" },
	[ACT_HALF_DOWN] = { "half-page-down", "half a page down" },
	[ACT_TOP] = { "top", "first row" },
	[ACT_BOTTOM] = { "bottom", "last row" },
	[ACT_DROPS] = { "drops", "drops only / all packets" },
	[ACT_FOLLOW] = { "follow", "follow the newest packet" },
	[ACT_NEXT_HOP] = { "next-hop", "step to the next hop" },
	[ACT_PREV_HOP] = { "prev-hop", "step to the previous hop" },
	[ACT_FUNCS_SCOPE] = { "funcs-scope", "counts: all/selected pkt" },
	[ACT_STACK] = { "stack", "show the hop's stack" },
	[ACT_REDRAW] = { "redraw", "redraw the screen" },
	[ACT_EXPORT] = { "export", "export this timeline" },
	[ACT_EXPORT_ALL] = { "export-all", "export the packets shown" },
	[ACT_FOLD] = { "fold", "fold or unfold a call" },
	[ACT_MUTE] = { "mute", "mute/unmute a function" },
};

const char *action_name(enum action a)
{
	return a < ACT_COUNT ? actions[a].name : "?";
}

const char *action_help(enum action a)
{
	return a < ACT_COUNT ? actions[a].help : "";
}

static enum action action_parse(const char *name)
{
	for (int a = 1; a < ACT_COUNT; a++)
		if (!strcmp(actions[a].name, name))
			return (enum action)a;
	return ACT_NONE;
}

static const struct {
	const char *name;
	int key;
} named[] = {
	{ "Enter", K_ENTER },
	{ "Tab", K_TAB },
	{ "BTab", K_BTAB },
	{ "Esc", K_ESC },
	{ "Backspace", K_BACKSPACE },
	{ "Delete", K_DELETE },
	{ "Up", K_UP },
	{ "Down", K_DOWN },
	{ "Left", K_LEFT },
	{ "Right", K_RIGHT },
	{ "PgUp", K_PGUP },
	{ "PgDn", K_PGDN },
	{ "Home", K_HOME },
	{ "End", K_END },
	{ "Space", ' ' },
};

int key_parse(const char *name)
{
	size_t l = strlen(name);

	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (!strcmp(named[i].name, name))
			return named[i].key;
	if (l == 1 && isgraph((unsigned char)name[0]))
		return (unsigned char)name[0];
	if (l == 3 && name[0] == 'C' && name[1] == '-' &&
	    isalpha((unsigned char)name[2]))
		return tolower((unsigned char)name[2]) - 'a' + 1;
	if ((l == 2 || l == 3) && name[0] == 'F' &&
	    isdigit((unsigned char)name[1])) {
		int n = atoi(name + 1);

		if (n >= 1 && n <= 12 &&
		    (l == 2 || isdigit((unsigned char)name[2])))
			return K_F1 + n - 1;
	}
	return 0;
}

const char *keyname_of(int key, char *buf, size_t len)
{
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (named[i].key == key) {
			snprintf(buf, len, "%s", named[i].name);
			return buf;
		}
	if (key >= 1 && key <= 26)
		snprintf(buf, len, "C-%c", 'a' + key - 1);
	else if (key >= K_F1 && key <= K_F12)
		snprintf(buf, len, "F%d", key - K_F1 + 1);
	else if (key > ' ' && key < 0x7f)
		snprintf(buf, len, "%c", key);
	else
		snprintf(buf, len, "<%d>", key);
	return buf;
}

/* 0, or -ENOSPC when a new binding does not fit. */
static int km_set(struct keymap *km, const int *keys, int n, enum action a)
{
	for (int i = 0; i < km->n; i++) {
		struct binding *b = &km->b[i];

		if (b->nkeys == n && b->keys[0] == keys[0] &&
		    (n == 1 || b->keys[1] == keys[1])) {
			if (a == ACT_NONE)
				km->b[i] = km->b[--km->n];
			else
				b->act = a;
			return 0;
		}
	}
	if (a == ACT_NONE)
		return 0;
	if (km->n == KEYMAP_MAX)
		return -ENOSPC;
	km->b[km->n].keys[0] = keys[0];
	km->b[km->n].keys[1] = n > 1 ? keys[1] : 0;
	km->b[km->n].nkeys = n;
	km->b[km->n].act = a;
	km->n++;
	return 0;
}

/* "gg" is a sequence of two printable keys; everything else one key. */
static int parse_keys(const char *tok, int *keys)
{
	keys[0] = key_parse(tok);
	if (keys[0])
		return 1;
	if (strlen(tok) == 2 && isgraph((unsigned char)tok[0]) &&
	    isgraph((unsigned char)tok[1])) {
		keys[0] = (unsigned char)tok[0];
		keys[1] = (unsigned char)tok[1];
		return 2;
	}
	return 0;
}

int keymap_parse(struct keymap *km, const char *text, const char *file,
		 char *err, size_t errlen)
{
	struct keymap tmp = *km;
	const char *line = text;
	int lineno = 0;

	while (line && *line) {
		const char *end = strchr(line, '\n');
		char buf[256], *tok[4], *save = NULL;
		int ntok = 0, keys[2], nk;
		size_t l = end ? (size_t)(end - line) : strlen(line);

		lineno++;
		if (l >= sizeof(buf)) {
			snprintf(err, errlen, "%s:%d: line too long", file,
				 lineno);
			return -EINVAL;
		}
		memcpy(buf, line, l);
		buf[l] = '\0';
		line = end ? end + 1 : NULL;
		for (size_t i = 0; i < l; i++) {
			unsigned char c = (unsigned char)buf[i];

			if (c == '#' &&
			    (i == 0 || isspace((unsigned char)buf[i - 1]))) {
				buf[i] = '\0';
				break;
			}
			if (c < 0x20 && c != '\t') {
				snprintf(err, errlen,
					 "%s:%d: binary junk "
					 "(byte 0x%02x)",
					 file, lineno, c);
				return -EINVAL;
			}
		}
		for (char *t = strtok_r(buf, " \t\r", &save); t && ntok < 4;
		     t = strtok_r(NULL, " \t\r", &save))
			tok[ntok++] = t;
		if (!ntok)
			continue;
		if (!strcmp(tok[0], "bind") && ntok == 3) {
			enum action a = action_parse(tok[2]);

			nk = parse_keys(tok[1], keys);
			if (!nk) {
				snprintf(err, errlen,
					 "%s:%d: unknown key "
					 "'%s'",
					 file, lineno, tok[1]);
				return -EINVAL;
			}
			if (a == ACT_NONE) {
				snprintf(err, errlen,
					 "%s:%d: unknown action "
					 "'%s'",
					 file, lineno, tok[2]);
				return -EINVAL;
			}
			if (km_set(&tmp, keys, nk, a)) {
				snprintf(err, errlen,
					 "%s:%d: too many "
					 "bindings (at most %d)",
					 file, lineno, KEYMAP_MAX);
				return -EINVAL;
			}
		} else if (!strcmp(tok[0], "unbind") && ntok == 2) {
			nk = parse_keys(tok[1], keys);
			if (!nk) {
				snprintf(err, errlen,
					 "%s:%d: unknown key "
					 "'%s'",
					 file, lineno, tok[1]);
				return -EINVAL;
			}
			km_set(&tmp, keys, nk, ACT_NONE);
		} else {
			snprintf(err, errlen,
				 "%s:%d: expected 'bind KEY "
				 "ACTION' or 'unbind KEY', got '%s'",
				 file, lineno, tok[0]);
			return -EINVAL;
		}
	}
	*km = tmp;
	return 0;
}

static const char *keymap_builtin(const char *name)
{
	if (!strcmp(name, "default"))
		return keymap_text_default;
	if (!strcmp(name, "vim"))
		return keymap_text_vim;
	if (!strcmp(name, "emacs"))
		return keymap_text_emacs;
	return NULL;
}

int keymap_parse_file(struct keymap *km, const char *path, char *err,
		      size_t errlen)
{
	char *text, shown[OUTFILE_SHOWN];
	size_t n;
	int ret = textfile_read(path, 65536, 0, &text, &n);

	outfile_shown(path, shown, sizeof(shown));
	if (!ret && memchr(text, '\0', n)) {
		free(text);
		ret = -EILSEQ;
	}
	if (ret) {
		snprintf(err, errlen, "%s: %s", shown,
			 ret == -EILSEQ ? "binary file, not a keymap" :
			 ret == -EFBIG  ? "too large for a keymap" :
					  strerror(-ret));
		return ret;
	}
	ret = keymap_parse(km, text, shown, err, errlen);
	free(text);
	return ret;
}

int keymap_load(struct keymap *km, const char *what, char *err, size_t errlen)
{
	const char *text;
	int ret;

	memset(km, 0, sizeof(*km));
	ret = keymap_parse(km, keymap_text_default, "keymaps/default.keys", err,
			   errlen);
	if (ret || !what)
		return ret;
	text = keymap_builtin(what);
	if (text)
		return keymap_parse(km, text, what, err, errlen);
	return keymap_parse_file(km, what, err, errlen);
}

enum action keymap_lookup(struct keymap *km, int key)
{
	int first = km->pending;

	km->pending = 0;
	if (first) {
		for (int i = 0; i < km->n; i++)
			if (km->b[i].nkeys == 2 && km->b[i].keys[0] == first &&
			    km->b[i].keys[1] == key)
				return km->b[i].act;
		/* Not a sequence after all: the key stands alone. */
	}
	for (int i = 0; i < km->n; i++)
		if (km->b[i].nkeys == 1 && km->b[i].keys[0] == key)
			return km->b[i].act;
	for (int i = 0; i < km->n; i++)
		if (km->b[i].nkeys == 2 && km->b[i].keys[0] == key) {
			km->pending = key;
			return ACT_NONE;
		}
	return ACT_NONE;
}

int keymap_keys_for(const struct keymap *km, enum action a, char *buf,
		    size_t len)
{
	size_t n = 0;
	char k[16], k2[16];

	if (len)
		buf[0] = '\0';
	for (int i = 0; i < km->n; i++) {
		if (km->b[i].act != a)
			continue;
		keyname_of(km->b[i].keys[0], k, sizeof(k));
		if (km->b[i].nkeys == 2)
			strlcat(k, keyname_of(km->b[i].keys[1], k2, sizeof(k2)),
				sizeof(k));
		n += (size_t)snprintf(buf + (n < len ? n : len),
				      n < len ? len - n : 0, "%s%s",
				      n ? " " : "", k);
	}
	return (int)n;
}
