/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kernel means by each drop reason, as one plain sentence, so that
 * no drop is shown with a bare enum name. Pure: a table keyed by the name
 * without its SKB_DROP_REASON_ prefix ("NO_SOCKET"), the form reasons_name()
 * returns.
 */
#ifndef SKBSCOPE_DROPREASON_TEXT_H
#define SKBSCOPE_DROPREASON_TEXT_H

#include <stddef.h>

/* The sentence for a reason name, or NULL when the table has none. The
 * match is exact; "SKB_DROP_REASON_NO_SOCKET" and "SKB_CONSUMED" are taken
 * as "NO_SOCKET" and "CONSUMED". */
const char *dropreason_text(const char *name);

/* Always a sentence: the table's, or else one built from the name in buf
 * ("The kernel gave drop reason FOO_BAR (foo bar), which skbscope does not
 * describe yet."), cut to fit len. NULL or "" names get a sentence too.
 * Returns the table's string or buf. */
const char *dropreason_sentence(const char *name, char *buf, size_t len);

/* The table itself, in name order, for tests: its size and the i-th name
 * (NULL past the end). */
size_t dropreason_count(void);
const char *dropreason_name_at(size_t i);

#endif
