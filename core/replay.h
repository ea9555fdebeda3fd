/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A recording as an event source for the explorer: events in batches,
 * their recorded stacks under small ids the store can keep, the recorded
 * counters, and a line that says where the replay stands.
 */
#ifndef SKBSCOPE_REPLAY_H
#define SKBSCOPE_REPLAY_H

#include <stddef.h>
#include <linux/types.h>
#include "bpf/events.h"

struct rec_reader;
struct replay;

/* Takes the reader (still the caller's to close, after replay_free). */
int replay_new(struct rec_reader *r, const char *path, struct replay **out);
void replay_free(struct replay *rp);
/* Up to max events to fn; the count, 0 once the file is done. An error in
 * the file ends the replay and is kept for replay_status. */
int replay_poll(void *rp, int max,
		int (*fn)(void *fctx, const struct skbs_event *ev,
			  const char *tail),
		void *fctx);
int replay_stack(void *rp, __s32 id, __u64 *ips, int max);
int replay_counters(void *rp, __u64 *c);
/* "replay of FILE: N events, complete" and the like; the pointer stays
 * valid and its text changes as the replay goes on. */
const char *replay_status(const struct replay *rp);
/* 0, or the -errno the file ended with. */
int replay_error(const struct replay *rp);

#endif
