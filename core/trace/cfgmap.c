// SPDX-License-Identifier: GPL-2.0
/*
 * Two-slot config updates. An array map update is a plain memcpy that a
 * running program can observe half done, so the new filter goes into the
 * slot no program reads, and one 4-byte index store switches to it. The
 * slot that just went idle may still be read by a program that looked up
 * the index before the switch; such a run lasts microseconds, so a write
 * waits out a grace period after the previous switch before reusing it.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <bpf/bpf.h>
#include "core/lib/clock.h"
#include "core/trace/cfgmap.h"

#define GRACE_NS (20 * 1000 * 1000LL)

struct cfgmap {
	int slots_fd, active_fd;
	__u32 active;
	long long last_flip_ns; /* mono_ns() of the last switch, 0: none */
};

int cfgmap_open(int slots_fd, int active_fd, struct cfgmap **out)
{
	struct cfgmap *c = calloc(1, sizeof(*c));
	__u32 zero = 0;

	if (!c)
		return -ENOMEM;
	c->slots_fd = slots_fd;
	c->active_fd = active_fd;
	if (bpf_map_lookup_elem(active_fd, &zero, &c->active)) {
		int err = -errno;

		free(c);
		return err;
	}
	c->active &= 1;
	*out = c;
	return 0;
}

void cfgmap_free(struct cfgmap *c)
{
	free(c);
}

int cfgmap_write(struct cfgmap *c, const struct skbs_filter *f)
{
	__u32 idle = c->active ^ 1, zero = 0;
	long long since = mono_ns() - c->last_flip_ns;

	if (c->last_flip_ns && since < GRACE_NS) {
		struct timespec ts = { 0, (long)(GRACE_NS - since) };

		nanosleep(&ts, NULL);
	}
	if (bpf_map_update_elem(c->slots_fd, &idle, f, BPF_ANY))
		return -errno;
	if (bpf_map_update_elem(c->active_fd, &zero, &idle, BPF_ANY))
		return -errno;
	c->active = idle;
	c->last_flip_ns = mono_ns();
	return 0;
}
