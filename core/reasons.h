/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Drop reason names by value. The tracer fills the table from the running
 * kernel's BTF (kbtf_load_reasons), a replay from the recording; outputs
 * only read it.
 */
#ifndef SKBSCOPE_REASONS_H
#define SKBSCOPE_REASONS_H

#include <stddef.h>
#include <linux/types.h>

struct reasons;

/* An empty table to fill with reasons_add. 0 or -ENOMEM. */
int reasons_new(struct reasons **out);
void reasons_free(struct reasons *r);
/* Add a reason in value order, after any with the same value (so the first
 * name given for a value is the one shown). name is the full enumerator
 * name and is not copied: it must outlive r, as the BTF's strings do.
 * 0, -EINVAL or -ENOMEM. */
int reasons_add(struct reasons *r, __u32 value, const char *name);
/* The name without its SKB_DROP_REASON_ prefix, or NULL if unknown. */
const char *reasons_name(const struct reasons *r, __u32 value);
/* Value of a reason by name (with or without prefix); -1 if unknown. */
long long reasons_value(const struct reasons *r, const char *name);
size_t reasons_count(const struct reasons *r);
/* The i-th reason in value order, with its full name: 0 or -ENOENT. */
int reasons_at(const struct reasons *r, size_t i, __u32 *value,
	       const char **name);

#endif
