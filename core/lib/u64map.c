// SPDX-License-Identifier: GPL-2.0
/*
 * u64map: keys and values in parallel arrays with a byte of state each, a
 * power-of-two table at most 3/4 full, and deletion by shifting the probe
 * run back (no tombstones, so lookups never slow down with churn).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "core/lib/u64map.h"

#define MIN_SLOTS 16

struct u64map {
	__u64 *keys;
	__u64 *vals;
	__u8 *used;
	size_t mask;  /* slots - 1 */
	size_t count;
};

/* A 64-bit finaliser (murmur3's): skb addresses differ mostly in bits
 * that a plain mask would keep poorly. */
static size_t hash(__u64 k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return (size_t)k;
}

static int alloc_table(struct u64map *m, size_t slots)
{
	m->keys = malloc(slots * sizeof(*m->keys));
	m->vals = malloc(slots * sizeof(*m->vals));
	m->used = calloc(slots, 1);
	if (!m->keys || !m->vals || !m->used) {
		free(m->keys);
		free(m->vals);
		free(m->used);
		return -ENOMEM;
	}
	m->mask = slots - 1;
	return 0;
}

int u64map_new(size_t hint, struct u64map **out)
{
	struct u64map *m = calloc(1, sizeof(*m));
	size_t slots = MIN_SLOTS;

	if (!m)
		return -ENOMEM;
	while (slots / 4 * 3 < hint && slots < ((size_t)1 << 40))
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
	free(m->keys);
	free(m->vals);
	free(m->used);
	free(m);
}

/* The slot holding key, or the empty slot where it would go. */
static size_t find(const struct u64map *m, __u64 key)
{
	size_t i = hash(key) & m->mask;

	while (m->used[i] && m->keys[i] != key)
		i = (i + 1) & m->mask;
	return i;
}

__u64 *u64map_get(const struct u64map *m, __u64 key)
{
	size_t i = find(m, key);

	return m->used[i] ? &m->vals[i] : NULL;
}

static int grow(struct u64map *m)
{
	struct u64map old = *m;
	size_t slots = (m->mask + 1) * 2;

	if (alloc_table(m, slots)) {
		*m = old;
		return -ENOMEM;
	}
	for (size_t i = 0; i <= old.mask; i++) {
		size_t j;

		if (!old.used[i])
			continue;
		j = find(m, old.keys[i]);
		m->used[j] = 1;
		m->keys[j] = old.keys[i];
		m->vals[j] = old.vals[i];
	}
	free(old.keys);
	free(old.vals);
	free(old.used);
	return 0;
}

__u64 *u64map_slot(struct u64map *m, __u64 key, int *added)
{
	size_t i = find(m, key);

	if (m->used[i]) {
		if (added)
			*added = 0;
		return &m->vals[i];
	}
	if ((m->count + 1) > (m->mask + 1) / 4 * 3) {
		if (grow(m))
			return NULL;
		i = find(m, key);
	}
	m->used[i] = 1;
	m->keys[i] = key;
	m->vals[i] = 0;
	m->count++;
	if (added)
		*added = 1;
	return &m->vals[i];
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
	size_t i = find(m, key), j = i;

	if (!m->used[i])
		return -ENOENT;
	/* Shift later members of the probe run back into the hole when
	 * their home slot is at or before it (cyclically). */
	for (;;) {
		size_t home;

		j = (j + 1) & m->mask;
		if (!m->used[j])
			break;
		home = hash(m->keys[j]) & m->mask;
		if (((j - home) & m->mask) >= ((j - i) & m->mask)) {
			m->keys[i] = m->keys[j];
			m->vals[i] = m->vals[j];
			i = j;
		}
	}
	m->used[i] = 0;
	m->count--;
	return 0;
}

void u64map_clear(struct u64map *m)
{
	memset(m->used, 0, m->mask + 1);
	m->count = 0;
}

size_t u64map_count(const struct u64map *m)
{
	return m->count;
}

size_t u64map_bytes(const struct u64map *m)
{
	return sizeof(*m) + (m->mask + 1) * (2 * sizeof(__u64) + 1);
}
