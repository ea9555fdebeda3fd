/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one hash map: u64 keys to u64 values (a number, an index, or a
 * pointer cast to u64), open addressing with linear probing. Any key is
 * allowed, 0 included. It grows by itself; callers that must stay bounded
 * check u64map_count and clear.
 */
#ifndef SKBSCOPE_LIB_U64MAP_H
#define SKBSCOPE_LIB_U64MAP_H

#include <errno.h>
#include <stddef.h>
#include <linux/types.h>

/*
 * The layout is here only so that lookups can be inline (core/lifetime
 * runs one per event); use the functions, never the fields. Keys and
 * values share one array, so a lookup reads one cache line; key 0 marks
 * an empty slot, and the key 0 itself lives beside the table.
 */
struct u64map_ent {
	__u64 key;
	__u64 val;
};

struct u64map {
	struct u64map_ent *ent;
	size_t mask;  /* slots - 1; slots is a power of two */
	int shift;    /* 64 - log2(slots) */
	int has_zero; /* key 0 is present, with zero_val */
	__u64 zero_val;
	size_t count; /* keys, key 0 included */
};

/* A map with room for about `hint` keys before it first grows. 0 or
 * -ENOMEM. */
int u64map_new(size_t hint, struct u64map **out);
void u64map_free(struct u64map *m);
/* Insert or replace. 0 or -ENOMEM. */
int u64map_put(struct u64map *m, __u64 key, __u64 value);
/* Remove key: 0, or -ENOENT when it was absent. */
int u64map_del(struct u64map *m, __u64 key);
/* Forget every key, keeping the memory. */
void u64map_clear(struct u64map *m);
/* Bytes the map holds, for benchmarks. */
size_t u64map_bytes(const struct u64map *m);

/* For u64map_slot only: insert key (not 0, absent) at its empty slot i,
 * or wherever it goes once the table has grown. */
__u64 *u64map_insert_at(struct u64map *m, __u64 key, size_t i, int *added);
/* For u64map_slot only: key 0. */
__u64 *u64map_zero_slot(struct u64map *m, int *added);
/* For u64map_take only: empty slot i, moving back the probe run after
 * it; and take key 0. */
void u64map_remove_at(struct u64map *m, size_t i);
int u64map_take_zero(struct u64map *m, __u64 *value);

/* Fibonacci hashing: one multiply, and the top bits, which every bit of
 * the key reaches; skb addresses differ mostly in their middle bits. */
static inline size_t u64map_home(const struct u64map *m, __u64 key)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> m->shift);
}

/* The value of key, or NULL when it is absent. The pointer is valid until
 * the next insertion or deletion. */
static inline __u64 *u64map_get(const struct u64map *m, __u64 key)
{
	size_t i;

	if (!key)
		return m->has_zero ? (__u64 *)&m->zero_val : NULL;
	for (i = u64map_home(m, key);; i = (i + 1) & m->mask) {
		struct u64map_ent *e = &m->ent[i];

		if (e->key == key)
			return &e->val;
		if (!e->key)
			return NULL;
	}
}

/* The value of key, inserted as 0 when absent (*added says which); NULL on
 * -ENOMEM. Valid until the next insertion or deletion. */
static inline __u64 *u64map_slot(struct u64map *m, __u64 key, int *added)
{
	size_t i;

	if (!key)
		return u64map_zero_slot(m, added);
	for (i = u64map_home(m, key);; i = (i + 1) & m->mask) {
		struct u64map_ent *e = &m->ent[i];

		if (e->key == key) {
			if (added)
				*added = 0;
			return &e->val;
		}
		if (!e->key)
			return u64map_insert_at(m, key, i, added);
	}
}

/* Remove key and say what its value was (left alone when absent): 0, or
 * -ENOENT. One probe where get-then-del takes two. */
static inline int u64map_take(struct u64map *m, __u64 key, __u64 *value)
{
	size_t i;

	if (!key)
		return u64map_take_zero(m, value);
	for (i = u64map_home(m, key);; i = (i + 1) & m->mask) {
		struct u64map_ent *e = &m->ent[i];

		if (e->key == key) {
			if (value)
				*value = e->val;
			break;
		}
		if (!e->key)
			return -ENOENT;
	}
	/* Most runs end here: nothing after the hole to move back. */
	if (!m->ent[(i + 1) & m->mask].key) {
		m->ent[i].key = 0;
		m->count--;
	} else {
		u64map_remove_at(m, i);
	}
	return 0;
}

static inline size_t u64map_count(const struct u64map *m)
{
	return m->count;
}

#endif
