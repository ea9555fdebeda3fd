// SPDX-License-Identifier: GPL-2.0
/*
 * The table of drop reason names: value -> name, kept in value order.
 * Filled from the kernel's BTF (core/trace/btf.c) or from a recording, and
 * read by every output; it knows nothing of where the names came from.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "core/lib/vec.h"
#include "core/reasons.h"

#define REASON_PREFIX "SKB_DROP_REASON_"

struct reason {
	__u32 value;
	const char *name; /* points into the BTF string section */
};

struct reasons {
	struct reason *v;
	size_t n;
	size_t cap;
};

void reasons_free(struct reasons *r)
{
	if (!r)
		return;
	free(r->v);
	free(r);
}

static const char *strip(const char *name)
{
	if (!strncmp(name, REASON_PREFIX, strlen(REASON_PREFIX)))
		return name + strlen(REASON_PREFIX);
	if (!strncmp(name, "SKB_", 4))
		return name + 4;
	return name;
}

const char *reasons_name(const struct reasons *r, __u32 value)
{
	size_t lo = 0, hi = r ? r->n : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->v[mid].value < value)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (r && lo < r->n && r->v[lo].value == value)
		return strip(r->v[lo].name);
	return NULL;
}

long long reasons_value(const struct reasons *r, const char *name)
{
	for (size_t i = 0; r && i < r->n; i++)
		if (!strcmp(r->v[i].name, name) ||
		    !strcmp(strip(r->v[i].name), name))
			return r->v[i].value;
	return -1;
}

size_t reasons_count(const struct reasons *r)
{
	return r ? r->n : 0;
}

int reasons_new(struct reasons **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

int reasons_add(struct reasons *r, __u32 value, const char *name)
{
	size_t lo = 0, hi = r->n;

	if (!name)
		return -EINVAL;
	if (VEC_RESERVE(r->v, r->cap, r->n + 1))
		return -ENOMEM;
	/* After any equal values, as reasons_load's stable sort leaves
	 * them: the first name given for a value is the one shown. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->v[mid].value <= value)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(&r->v[lo + 1], &r->v[lo], (r->n - lo) * sizeof(*r->v));
	r->v[lo].value = value;
	r->v[lo].name = name;
	r->n++;
	return 0;
}

int reasons_at(const struct reasons *r, size_t i, __u32 *value,
	       const char **name)
{
	if (!r || i >= r->n)
		return -ENOENT;
	*value = r->v[i].value;
	*name = r->v[i].name;
	return 0;
}
