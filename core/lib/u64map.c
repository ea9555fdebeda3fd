// SPDX-License-Identifier: GPL-2.0
/*
 * u64map: a power-of-two table of {key, value} at most 3/4 full, and
 * deletion by shifting the probe run back (no tombstones, so lookups never
 * slow down with churn). The hit paths are inline in the header; here are
 * the insertions that may grow the table, deletion and the rest.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "core/lib/u64map.h"

#define MIN_SLOTS 16
#define MAX_SLOTS ((size_t)1 << 40)

static int alloc_table(struct u64map *m, size_t slots)
{
	int bits = 0;

	m->ent = calloc(slots, sizeof(*m->ent));
	if (!m->ent)
		return -ENOMEM;
	while (((size_t)1 << bits) < slots)
		bits++;
	m->mask = slots - 1;
	m->shift = 64 - bits;
	return 0;
}

int u64map_new(size_t hint, struct u64map **out)
{
	struct u64map *m = calloc(1, sizeof(*m));
	size_t slots = MIN_SLOTS;

	if (!m)
		return -ENOMEM;
	while (slots / 4 * 3 < hint && slots < MAX_SLOTS)
		slots *= 2;
	if (alloc_table(m, slots)) {
		free(m);
		return -ENOMEM;
	}
	*out = m;
	return 0;
}

void u64map_free(struct u64map *m)
{
	if (!m)
		return;
	free(m->ent);
	free(m);
}

/* The slot holding key (not 0), or the empty slot where it would go. */
static size_t find(const struct u64map *m, __u64 key)
{
	size_t i = u64map_home(m, key);

	while (m->ent[i].key && m->ent[i].key != key)
		i = (i + 1) & m->mask;
	return i;
}

static int grow(struct u64map *m)
{
	struct u64map old = *m;
	size_t slots = (m->mask + 1) * 2;

	if (slots > MAX_SLOTS || alloc_table(m, slots)) {
		*m = old;
		return -ENOMEM;
	}
	for (size_t i = 0; i <= old.mask; i++)
		if (old.ent[i].key)
			m->ent[find(m, old.ent[i].key)] = old.ent[i];
	free(old.ent);
	return 0;
}

__u64 *u64map_insert_at(struct u64map *m, __u64 key, size_t i, int *added)
{
	if (m->count + 1 > (m->mask + 1) / 4 * 3) {
		if (grow(m))
			return NULL;
		i = find(m, key);
	}
	m->ent[i].key = key;
	m->ent[i].val = 0;
	m->count++;
	if (added)
		*added = 1;
	return &m->ent[i].val;
}

__u64 *u64map_zero_slot(struct u64map *m, int *added)
{
	if (added)
		*added = !m->has_zero;
	if (!m->has_zero) {
		m->has_zero = 1;
		m->zero_val = 0;
		m->count++;
	}
	return &m->zero_val;
}

int u64map_put(struct u64map *m, __u64 key, __u64 value)
{
	__u64 *v = u64map_slot(m, key, NULL);

	if (!v)
		return -ENOMEM;
	*v = value;
	return 0;
}

int u64map_del(struct u64map *m, __u64 key)
{
	return u64map_take(m, key, NULL);
}

int u64map_take_zero(struct u64map *m, __u64 *value)
{
	if (!m->has_zero)
		return -ENOENT;
	if (value)
		*value = m->zero_val;
	m->has_zero = 0;
	m->count--;
	return 0;
}

void u64map_remove_at(struct u64map *m, size_t i)
{
	size_t j = i;

	/* Shift later members of the probe run back into the hole when
	 * their home slot is at or before it (cyclically). */
	for (;;) {
		size_t home;

		j = (j + 1) & m->mask;
		if (!m->ent[j].key)
			break;
		home = u64map_home(m, m->ent[j].key);
		if (((j - home) & m->mask) >= ((j - i) & m->mask)) {
			m->ent[i] = m->ent[j];
			i = j;
		}
	}
	m->ent[i].key = 0;
	m->count--;
}

void u64map_clear(struct u64map *m)
{
	memset(m->ent, 0, (m->mask + 1) * sizeof(*m->ent));
	m->has_zero = 0;
	m->count = 0;
}

size_t u64map_bytes(const struct u64map *m)
{
	return sizeof(*m) + (m->mask + 1) * sizeof(*m->ent);
}
