// SPDX-License-Identifier: GPL-2.0
/*
 * What the tracer costs the box, and what it missed: run-time statistics
 * of every program it loaded (BPF_ENABLE_STATS, on only while the session
 * holds its fd, since the kernel then times every BPF program on the box),
 * the runs the kernel skipped for recursion protection, and the kprobe
 * hits it missed (link info, 6.7+); and the off switch per function that
 * the explorer mutes with.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "core/hooks.h"
#include "core/trace/attach.h"
#include "core/trace/session_internal.h"
#include "core/trace/skel.h"

/*
 * The kernel's struct bpf_link_info as 6.7 extended it with "missed":
 * these machines' uapi headers (6.1) predate it. Only the parts read;
 * the kernel copies at most the size given and zeroes what it lacks.
 */
struct link_info_67 {
	__u32 type;
	__u32 id;
	__u32 prog_id;
	__u32 pad;
	union {
		struct {
			__u64 addrs;
			__u32 count;
			__u32 flags;
			__u64 missed;
		} kprobe_multi;
		struct {
			__u32 type; /* enum bpf_perf_event_type */
			__u32 pad;
			__u64 func_name;
			__u32 name_len;
			__u32 offset;
			__u64 addr;
			__u64 missed;
		} perf_event;
		__u8 room[64];
	};
};

/* BPF_LINK_TYPE_KPROBE_MULTI, BPF_LINK_TYPE_PERF_EVENT and
 * BPF_PERF_EVENT_KPROBE/KRETPROBE, from the uapi. */
#define LINK_KPROBE_MULTI 8
#define LINK_PERF_EVENT 7
#define PERF_EVENT_KPROBE 3
#define PERF_EVENT_KRETPROBE 4

int stats_start(struct session *s)
{
	int fd;

	if (s->stats_fd > 0)
		return 0;
	fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (fd < 0) {
		s->stats_fd = -1;
		return -errno;
	}
	s->stats_fd = fd;
	return 0;
}

void stats_stop(struct session *s)
{
	if (s->stats_fd > 0)
		close(s->stats_fd);
	s->stats_fd = -1;
}

/* Program fd's info, run-time statistics included: 0, or -1 when fd is
 * closed or the kernel says nothing. */
static int prog_info(int fd, struct bpf_prog_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return fd < 0 || bpf_obj_get_info_by_fd(fd, info, &len) ? -1 : 0;
}

/* Adds program fd's figures to c; returns its recursion misses. */
static __u64 add_prog(int fd, struct session_cost *c)
{
	struct bpf_prog_info info;

	if (prog_info(fd, &info))
		return 0;
	c->run_ns += info.run_time_ns;
	c->runs += info.run_cnt;
	c->recursion_misses += info.recursion_misses;
	c->progs++;
	return info.recursion_misses;
}

/* Keep hook among the few that missed most (a copy's fexit adds to its
 * fentry's). */
static void note_missed(struct session_cost *c, __u32 hook, __u64 n)
{
	const size_t max = sizeof(c->top_missed) / sizeof(c->top_missed[0]);
	size_t i;

	if (!n || hook == SKBS_HOOK_BY_IP)
		return;
	for (i = 0; i < c->ntop_missed && c->top_missed[i].hook != hook; i++)
		;
	if (i == c->ntop_missed) {
		if (c->ntop_missed < max)
			c->ntop_missed++;
		else if (c->top_missed[max - 1].misses >= n)
			return;
		i = c->ntop_missed - 1;
		c->top_missed[i].hook = hook;
		c->top_missed[i].misses = 0;
	}
	c->top_missed[i].misses += n;
	/* Bubble it up to its place. */
	for (; i > 0 && c->top_missed[i].misses > c->top_missed[i - 1].misses;
	     i--) {
		__typeof__(c->top_missed[0]) t = c->top_missed[i];

		c->top_missed[i] = c->top_missed[i - 1];
		c->top_missed[i - 1] = t;
	}
}

static void add_link(int fd, struct session_cost *c)
{
	struct link_info_67 li;
	__u32 len = sizeof(li);

	if (fd < 0)
		return;
	memset(&li, 0, sizeof(li));
	if (bpf_obj_get_info_by_fd(fd, &li, &len))
		return;
	if (li.type == LINK_KPROBE_MULTI)
		c->kprobe_missed += li.kprobe_multi.missed;
	else if (li.type == LINK_PERF_EVENT &&
		 (li.perf_event.type == PERF_EVENT_KPROBE ||
		  li.perf_event.type == PERF_EVENT_KRETPROBE))
		c->kprobe_missed += li.perf_event.missed;
}

static void add_object(const struct bpf_object *obj, struct session_cost *c)
{
	struct bpf_program *p;

	if (!obj)
		return;
	bpf_object__for_each_program(p, obj) add_prog(bpf_program__fd(p), c);
}

int session_cost(const struct session *s, struct session_cost *c)
{
	if (s->detached) {
		*c = s->last_cost;
		return c->enabled ? 0 : -EOPNOTSUPP;
	}
	memset(c, 0, sizeof(*c));
	c->enabled = s->stats_fd > 0;
	add_object(s->skel ? s->skel->obj : NULL, c);
	add_object(s->fskel ? s->fskel->obj : NULL, c);
	for (size_t i = 0; i < attach_count(s->links); i++) {
		note_missed(c, attach_hook(s->links, i),
			    add_prog(attach_prog_fd(s->links, i), c));
		add_link(attach_link_fd(s->links, i), c);
	}
	for (size_t i = 0; i < s->nplinks; i++)
		add_link(bpf_link__fd(s->plinks[i]), c);
	/* The tc/XDP programs' fentry/fexit and their helpers' probes. */
	for (size_t i = 0; i < attach_count(bpfprog_links(s)); i++) {
		add_prog(attach_prog_fd(bpfprog_links(s), i), c);
		add_link(attach_link_fd(bpfprog_links(s), i), c);
	}
	return c->enabled ? 0 : -EOPNOTSUPP;
}

/* Mean ns per run of the kprobe entry programs (not the returns', not
 * the iptables watch's), over the session: what a counted run costs. */
static double kprobe_mean_ns(const struct session *s)
{
	struct bpf_program *p;
	__u64 ns = 0, runs = 0;

	if (!s->skel)
		return 0;
	bpf_object__for_each_program(p, s->skel->obj)
	{
		const char *name = bpf_program__name(p);
		struct bpf_prog_info info;

		if (bpf_program__type(p) != BPF_PROG_TYPE_KPROBE ||
		    strstr(name, "_ret") || strstr(name, "ipt") ||
		    strstr(name, "empty") ||
		    prog_info(bpf_program__fd(p), &info))
			continue;
		ns += info.run_time_ns;
		runs += info.run_cnt;
	}
	return runs ? (double)ns / (double)runs : 0;
}

int session_hook_cost(const struct session *s, __u64 *ns, size_t n,
		      int *estimated)
{
	*estimated = 0;
	memset(ns, 0, n * sizeof(*ns));
	if (s->detached || s->stats_fd <= 0)
		return -EOPNOTSUPP;
	for (size_t i = 0; i < attach_count(s->links); i++) {
		__u32 id = attach_hook(s->links, i);
		struct bpf_prog_info info;

		if (id < n && !prog_info(attach_prog_fd(s->links, i), &info))
			ns[id] += info.run_time_ns;
	}
	if (s->count_runs && s->skel && s->skel->bss) {
		double mean = kprobe_mean_ns(s);
		const volatile __u64 *runs = s->skel->bss->hook_runs;

		/* Kprobe links: those hooks' figures are estimates, even
		 * before their first run is counted. */
		*estimated = s->nplinks > 0;
		for (size_t id = 0; id < n && id < SKBS_MUTE_MAX; id++)
			if (runs[id])
				ns[id] += (__u64)((double)runs[id] * mean);
	}
	return 0;
}

int session_count_runs(struct session *s, int on)
{
	struct skbs_filter f = s->filter;

	on = !!on;
	if (s->count_runs == on)
		return 0;
	s->count_runs = on;
	return s->have_filter ? session_set_filter(s, &f) : 0;
}

int session_mute(struct session *s, __u32 id, int on)
{
	const struct hook *hk = hooks_get(s->hooks, id);
	__u8 v = !!on, was = 0;
	int fd, ret;

	if (!hk || id >= SKBS_MUTE_MAX || !sess_wants_return(hk) ||
	    (hk->kind == HOOK_TRACEPOINT && (!strcmp(hk->name, "kfree_skb") ||
					     !strcmp(hk->name, "consume_skb"))))
		return -EINVAL;
	if (s->active == &backend_kprobe && !s->cookies)
		return -EOPNOTSUPP;
	fd = bpf_map__fd(s->skel->maps.muted);
	bpf_map_lookup_elem(fd, &id, &was);
	ret = bpf_map_update_elem(fd, &id, &v, BPF_ANY) ? -errno : 0;
	if (!ret && was != v)
		s->nmuted += v ? 1 : (size_t)-1;
	/* The filter says whether to look at all. */
	if (!ret && s->have_filter) {
		struct skbs_filter f = s->filter;

		ret = session_set_filter(s, &f);
	}
	return ret;
}

size_t session_muted(const struct session *s)
{
	return s->nmuted;
}
