/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hook table: every attach point gets a small integer id that the
 * programs put in each event, and this table turns it back into a name.
 */
#ifndef SKBSCOPE_HOOKS_H
#define SKBSCOPE_HOOKS_H

#include <stddef.h>
#include <linux/types.h>

enum hook_kind {
	HOOK_TRACEPOINT,
	HOOK_FUNCTION,
	/* A tc or XDP BPF program (--filter-trace-tc/-xdp): name is the
	 * program's function name, group "tc" or "xdp", skb_pos its
	 * program id; labelled "bpf:NAME#ID". */
	HOOK_BPFPROG,
	/* The kernel function of a BPF helper, reported while a traced
	 * tc/XDP program runs (--filter-track-bpf-helpers): name is the
	 * function's, labelled as it is. */
	HOOK_BPF_HELPER,
};

struct hook {
	char name[96];   /* "kfree_skb" */
	char group[32];  /* tracefs group ("skb"), "" when unknown */
	char module[56]; /* functions in modules: the module */
	enum hook_kind kind;
	int skb_pos; /* tracepoints: ctx index; functions: 1..5 */
	__u32 btf_id;
	int nargs;
	int ret_kind;  /* functions: enum ret_kind (core/retval.h) */
	int attached;  /* 1 attached, 0 not (yet), -errno failed */
	char why[128]; /* why it failed, when it did */
};

struct hooks;

int hooks_new(struct hooks **out);
void hooks_free(struct hooks *h);
/* Append; returns the new id or -ENOMEM. */
int hooks_add(struct hooks *h, const struct hook *hk);
size_t hooks_count(const struct hooks *h);
const struct hook *hooks_get(const struct hooks *h, __u32 id);
/*
 * Record how attaching hook id went: attached is 1 (attached), 0 (not
 * tried) or -errno (failed, why says more; NULL for nothing). Only the
 * tracing session (core/trace) writes this; everyone else reads it.
 * 0 or -ENOENT for an unknown id.
 */
int hooks_set_state(struct hooks *h, __u32 id, int attached, const char *why);
/* "skb:kfree_skb" for tracepoints with a known group, "bpf:NAME#ID" for
 * BPF programs, else the name. */
const char *hook_label(const struct hook *hk, char *buf, size_t len);

/* Id of the function hook named name, or -1 (binary search: function
 * hooks must have been added in name order). */
int hooks_find_func(const struct hooks *h, const char *name);

/* Fill in tracefs groups from the text of available_events ("group:name"
 * per line). Hooks not listed keep a bare name. */
void hooks_set_groups(struct hooks *h, const char *available_events);

#endif
