/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Keys, actions and the keymap parser. The built-in bindings are the text
 * of keymaps/default.keys, read by the same parser as user files.
 */
#ifndef SKBSCOPE_KEYMAP_H
#define SKBSCOPE_KEYMAP_H

#include <stddef.h>

/* Key codes: printable characters are themselves, Ctrl-A..Ctrl-Z are
 * 1..26, the rest are these. */
enum key {
	K_NONE = 0,
	K_ENTER = 0x10000,
	K_TAB,
	K_BTAB,
	K_ESC,
	K_BACKSPACE,
	K_DELETE,
	K_UP,
	K_DOWN,
	K_LEFT,
	K_RIGHT,
	K_PGUP,
	K_PGDN,
	K_HOME,
	K_END,
	K_F1,
	K_F12 = K_F1 + 11,
	K_RESIZE,
	K_MOUSE,
	/* A bracketed paste: the keys between these are text, never
	 * bindings. Not bindable. */
	K_PASTE_START,
	K_PASTE_END,
};

enum action {
	ACT_NONE = 0,
	ACT_QUIT,
	ACT_HELP,
	ACT_SEARCH,
	ACT_SEARCH_NEXT,
	ACT_FILTER,
	ACT_CLEAR_FILTER,
	ACT_SORT,
	ACT_PAUSE,
	ACT_DETAIL,
	ACT_CLOSE,
	ACT_NEXT_PANE,
	ACT_PREV_PANE,
	ACT_UP,
	ACT_DOWN,
	ACT_PAGE_UP,
	ACT_PAGE_DOWN,
	ACT_HALF_UP,
	ACT_HALF_DOWN,
	ACT_TOP,
	ACT_BOTTOM,
	ACT_DROPS,
	ACT_FOLLOW,
	ACT_NEXT_HOP,
	ACT_PREV_HOP,
	ACT_FUNCS_SCOPE,
	ACT_STACK,
	ACT_REDRAW,
	ACT_EXPORT,
	ACT_EXPORT_ALL,
	ACT_FOLD,
	ACT_MUTE,
	ACT_COUNT,
};

/* The action's name in keymap files, and its line in the help overlay. */
const char *action_name(enum action a);
const char *action_help(enum action a);

#define KEYMAP_MAX 128

struct keymap {
	struct binding {
		int keys[2]; /* a key, or a two-key sequence ("gg") */
		int nkeys;
		enum action act;
	} b[KEYMAP_MAX];
	int n;
	int pending; /* first key of a sequence, or 0 */
};

/*
 * Read keymap text ("bind KEY ACTION", "unbind KEY", "# comment" lines)
 * on top of km. All or nothing: on error km is unchanged, and err says
 * "FILE:LINE: <what> '<token>'". Returns 0 or -EINVAL.
 */
int keymap_parse(struct keymap *km, const char *text, const char *file,
		 char *err, size_t errlen);
/* keymap_parse on the contents of a file (refusing binary junk). */
int keymap_parse_file(struct keymap *km, const char *path, char *err,
		      size_t errlen);
/* Load km from the built-in default, then NAME (default, vim, emacs) or a
 * file path, when given. */
int keymap_load(struct keymap *km, const char *name_or_path, char *err,
		size_t errlen);
/* The action for key, handling two-key sequences (ACT_NONE while one is
 * pending or when unbound). */
enum action keymap_lookup(struct keymap *km, int key);
/* Keys bound to a, for the help overlay ("q F10"). */
int keymap_keys_for(const struct keymap *km, enum action a, char *buf,
		    size_t len);
/* Name of a key ("Enter", "C-d", "F1", "g"). */
const char *keyname_of(int key, char *buf, size_t len);
/* Parse a key name; 0 when unknown. */
int key_parse(const char *name);

#endif
