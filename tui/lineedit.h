/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The prompt's line editor: one line of text and a cursor that editing
 * keys change, and the lines entered before, recalled with Up and Down.
 * What a line means (a filter, a search, a file name) is the model's.
 */
#ifndef SKBSCOPE_LINEEDIT_H
#define SKBSCOPE_LINEEDIT_H

#include <stddef.h>

struct lineedit;

/* Lines of at most max - 1 bytes, and a history of up to nhist of them.
 * 0 or -ENOMEM. */
int lineedit_new(size_t max, int nhist, struct lineedit **out);
void lineedit_free(struct lineedit *le);

/* Edit text afresh: the cursor at its end, the history recalled from the
 * newest line on. */
void lineedit_start(struct lineedit *le, const char *text);
/*
 * An editing key: Left, Right, Home or C-a, End or C-e, Backspace or C-h,
 * Delete, C-u (clear), or a printable ASCII character to insert (dropped
 * when the line is full). 1 when key is one of these, 0 when it is not and
 * the caller's (Enter, Esc, Up, Down...).
 */
int lineedit_key(struct lineedit *le, int key);
/* One line older (dir < 0) or newer from the history, the cursor at its
 * end; newer than the newest is an empty line. Nothing when the history
 * is empty. */
void lineedit_recall(struct lineedit *le, int dir);
/* Keep text as the newest line of the history, unless it is empty or the
 * newest already; the oldest goes when the history is full. */
void lineedit_remember(struct lineedit *le, const char *text);

const char *lineedit_text(const struct lineedit *le);
/* The most bytes a line holds (max - 1), and whether it holds that many
 * (a character typed now would be dropped). */
size_t lineedit_limit(const struct lineedit *le);
int lineedit_full(const struct lineedit *le);
/* The cursor, as a byte offset into the text. */
int lineedit_cursor(const struct lineedit *le);

#endif
