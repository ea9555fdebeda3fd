/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one hash map: u64 keys to u64 values (a number, an index, or a
 * pointer cast to u64), open addressing with linear probing. Any key is
 * allowed, 0 included. It grows by itself; callers that must stay bounded
 * check u64map_count and clear.
 */
#ifndef SKBSCOPE_LIB_U64MAP_H
#define SKBSCOPE_LIB_U64MAP_H

#include <stddef.h>
#include <linux/types.h>

struct u64map;

/* A map with room for about `hint` keys before it first grows. 0 or
 * -ENOMEM. */
int u64map_new(size_t hint, struct u64map **out);
void u64map_free(struct u64map *m);
/* The value of key, or NULL when it is absent. The pointer is valid until
 * the next insertion or deletion. */
__u64 *u64map_get(const struct u64map *m, __u64 key);
/* The value of key, inserted as 0 when absent (*added says which); NULL on
 * -ENOMEM. Valid until the next insertion or deletion. */
__u64 *u64map_slot(struct u64map *m, __u64 key, int *added);
/* Insert or replace. 0 or -ENOMEM. */
int u64map_put(struct u64map *m, __u64 key, __u64 value);
/* Remove key: 0, or -ENOENT when it was absent. */
int u64map_del(struct u64map *m, __u64 key);
/* Forget every key, keeping the memory. */
void u64map_clear(struct u64map *m);
size_t u64map_count(const struct u64map *m);
/* Bytes the map holds, for benchmarks. */
size_t u64map_bytes(const struct u64map *m);

#endif
