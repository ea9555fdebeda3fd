/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The attach backends as a table, walked from the best to the last
 * resort the way bpftool walks its cmds[]: each entry says whether this
 * kernel can run it, what it needs loaded, how to attach and how to undo.
 * A new backend is a new entry (and a column in template.c).
 */
#ifndef SKBSCOPE_TRACE_BACKEND_H
#define SKBSCOPE_TRACE_BACKEND_H

#include <stddef.h>

struct session;
struct progress;

/* In order of preference: auto tries them in this order. */
enum backend { BK_KMULTI, BK_KPROBE, BK_FENTRY, BK_TP, BK_N };

/* One try at attaching a backend. */
struct attempt {
	size_t ok;             /* hooks attached so far */
	char why[256];         /* why nothing was attached, when nothing was */
	struct progress *prog; /* attach progress, counted in functions */
};

struct backend_ops {
	const char *name; /* as --backend spells it */
	int funcs;        /* probes functions: needs the function list */
	/* Whether this kernel can run it, from what is known before
	 * anything is loaded: 0, or -errno with the reason in why. NULL: no
	 * reason to think not. */
	int (*precheck)(struct session *s, char *why, size_t len);
	/* Choose its programs in the main object before the object is
	 * loaded: 0 or -errno with a message in err. NULL: it loads no
	 * programs of its own there. When the main object fails to load,
	 * the backends with a plan are ruled out and it is loaded again
	 * without them, as long as some backend without one is left. */
	int (*plan)(struct session *s, char *err, size_t errlen);
	/* Attach every hook it serves: 0 with a->ok set (a->why saying why
	 * when it is 0), or -errno with a->why saying what failed. */
	int (*attach)(struct session *s, struct attempt *a);
	/* Under --filter-track-skb a copy of a followed skb is followed
	 * too: attach the copy followers, returning how many copy
	 * functions are covered. Not fatal. NULL: copies are not followed. */
	size_t (*follow)(struct session *s);
	/* Detach what attach and follow made; p (may be NULL) is told of
	 * each hook detached. */
	void (*detach)(struct session *s, struct progress *p);
};

/* All of them, indexed by enum backend (session.c). */
extern const struct backend_ops *const backends[BK_N];

extern const struct backend_ops backend_kmulti;
extern const struct backend_ops backend_kprobe;
extern const struct backend_ops backend_fentry;
extern const struct backend_ops backend_tp;

/*
 * Tracepoints serve a probe backend too: when no drop-reason function
 * can be probed, the reasons come from the kfree_skb tracepoint. tp_plan
 * chooses the tracepoint programs for whatever backends remain (the main
 * object always has them); tp_attach attaches every selected tracepoint
 * (all) or only that fallback (!all).
 */
int tp_plan(struct session *s, char *err, size_t errlen);
int tp_attach(struct session *s, struct attempt *a, int all);

#endif
