/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The iptables-legacy verdict watcher of a session (core/trace/ipt.c):
 * planned before the main object loads, attached once a backend has.
 */
#ifndef SKBSCOPE_TRACE_IPT_H
#define SKBSCOPE_TRACE_IPT_H

#include <stddef.h>

struct bpf_link;
struct session;

#define IPT_FNS 2

struct ipt_watch {
	int present[IPT_FNS]; /* ipt_do_table, ip6t_do_table exist */
	int planned;
	int refused; /* its programs did not load: the rest went without */
	struct bpf_link *links[2 * IPT_FNS];
	size_t nlinks;
	char why[160]; /* why it does not run; "" when it does */
};

/* Switch the programs on when this kernel can run them (before load). */
void ipt_plan(struct session *s);
/* Attach them; a failure is kept in the why, never fatal. */
void ipt_attach(struct session *s);
void ipt_detach(struct session *s);

#endif
