/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --demo: something broken to look at. Two private network namespaces
 * joined by a veth pair, an iptables DROP rule in one of them, and a
 * little traffic, some of which the rule drops. Everything it creates is
 * removed by demo_stop().
 */
#ifndef SKBSCOPE_DEMO_H
#define SKBSCOPE_DEMO_H

#include <stddef.h>
#include "bpf/events.h"

struct demo;

/* Set up and start the traffic. On error everything made so far is
 * removed and err says what failed. */
int demo_start(struct demo **out, char *err, size_t errlen);
/* Stop the traffic and remove the namespaces (and with them the veth
 * pair and the rule). Safe on NULL. */
void demo_stop(struct demo *d);
struct cli;
/* The demo's own run: the filter that shows its traffic, and what the
 * explorer can show that is off by default (stacks, callers), on. */
void demo_options(const struct demo *d, struct cli *c);
/* A one-line description for the screen. */
const char *demo_note(const struct demo *d);

#endif
