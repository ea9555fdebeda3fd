// SPDX-License-Identifier: GPL-2.0
/* The growable-array helper (vec.h). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include "core/lib/vec.h"

#define VEC_MIN 16

int vec_grow(void **v, size_t *cap, size_t need, size_t size)
{
	size_t ncap = *cap ? *cap : VEC_MIN;
	void *nv;

	if (need <= *cap)
		return 0;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return -ENOMEM;
		ncap *= 2;
	}
	if (size && ncap > SIZE_MAX / size)
		return -ENOMEM;
	nv = realloc(*v, ncap * size);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	*cap = ncap;
	return 0;
}
