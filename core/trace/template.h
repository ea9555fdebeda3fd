/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which BPF program serves a hook on each backend. One table, read from
 * the top: a row matches a hook by kind, name (or any name) and skb
 * position, and names the program for each backend. The copy followers
 * (--filter-track-skb) have a table of their own.
 */
#ifndef SKBSCOPE_TRACE_TEMPLATE_H
#define SKBSCOPE_TRACE_TEMPLATE_H

#include <stddef.h>
#include "core/trace/backend.h"

struct bpf_object;
struct bpf_program;
struct hook;

#define TEMPLATE_ROWS 17
#define TEMPLATE_COPIES 4

/* The table's programs in one object (the main one, or fentry's). */
struct templates {
	struct bpf_program *fn[TEMPLATE_ROWS][BK_N];
	struct bpf_program *copy[TEMPLATE_COPIES][BK_N][2];
};

/* The name of the program serving hk on backend b; NULL when none does. */
const char *template_name(const struct hook *hk, enum backend b);

/* Look every program of the tables up in obj: 0, or -ENOENT with the
 * missing one named in err (an object built from other sources). */
int templates_resolve(struct templates *t, struct bpf_object *obj, char *err,
		      size_t errlen);
/* The program serving hk on b in t's object, or NULL. */
struct bpf_program *template_prog(const struct templates *t,
				  const struct hook *hk, enum backend b);

/* The functions that return a copy of their skb argument, i in
 * [0, TEMPLATE_COPIES). */
const char *template_copy_fn(size_t i);
/* The program following copy function i on b, at its entry (ret 0) or
 * return (ret 1); NULL when b needs none there. */
const char *template_copy_name(size_t i, enum backend b, int ret);
struct bpf_program *template_copy_prog(const struct templates *t, size_t i,
				       enum backend b, int ret);

#endif
