/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one growable-array helper: callers keep a plain pointer, a count and a
 * capacity, and ask for room before they append. Doubling from a small
 * minimum keeps appends amortised O(1) without a container type.
 */
#ifndef SKBSCOPE_LIB_VEC_H
#define SKBSCOPE_LIB_VEC_H

#include <stddef.h>

/* The slow half of vec_reserve: reallocate. */
int vec_grow(void **v, size_t *cap, size_t need, size_t size);

/*
 * Make room for at least `need` elements of `size` bytes in *v, whose
 * capacity is *cap (both 0/NULL at first). On -ENOMEM, *v and *cap are left
 * as they were, so the caller's array is intact. Returns 0 or -ENOMEM.
 * Inline, because callers such as the pcap-ng writer ask before every
 * append and there is almost always room.
 */
static inline int vec_reserve(void **v, size_t *cap, size_t need, size_t size)
{
	return need <= *cap ? 0 : vec_grow(v, cap, need, size);
}

/* vec_reserve for a typed pointer: VEC_RESERVE(arr, cap, n + 1). */
#define VEC_RESERVE(v, cap, need) \
	vec_reserve((void **)&(v), &(cap), (need), sizeof(*(v)))

#endif
