/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Writes the filter into the programs' config map so that no program ever
 * reads a half-written one: two slots and an active index.
 */
#ifndef SKBSCOPE_CFGMAP_H
#define SKBSCOPE_CFGMAP_H

#include <linux/types.h>
#include "bpf/events.h"

struct cfgmap;

int cfgmap_open(int slots_fd, int active_fd, struct cfgmap **out);
void cfgmap_free(struct cfgmap *c);
/* Write f into the idle slot, then make it the active one. 0 or -errno. */
int cfgmap_write(struct cfgmap *c, const struct skbs_filter *f);

#endif
