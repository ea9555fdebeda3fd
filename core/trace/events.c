// SPDX-License-Identifier: GPL-2.0
/*
 * The event path: records from the ring buffer are checked, completed
 * where the kernel could not (the hook from the ip on kernels without
 * attach cookies, the caller of a drop from the stack) and handed to the
 * front end; plus the counters and stacks it reads beside them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "core/event.h"
#include "core/hooks.h"
#include "core/ksyms.h"
#include "core/lib/u64map.h"
#include "core/lifetime.h"
#include "core/trace/skel.h"
#include "core/trace/session_internal.h"

/* More ips than this means something other than function entries: start
 * over rather than grow without end. */
#define IPCACHE_MAX 65536

/* The function hook whose function contains ip. */
static __u32 lookup_ip(const struct session *s, __u64 ip)
{
	const char *name = ksyms_lookup(s->ksyms, ip, NULL, NULL);
	int id = name ? hooks_find_func(s->hooks, name) : -1;

	return id < 0 ? SKBS_HOOK_BY_IP : (__u32)id;
}

/*
 * Kernels without attach cookies: the hook is the function the ip is in.
 * A kprobe's ip is its function's entry, so there are as many as hooks;
 * all of them stay cached. The direct-mapped cache of 4096 slots this
 * replaces missed a fifth of lookups with 2000 hooks, and a miss is two
 * binary searches.
 */
static __u32 hook_by_ip(struct session *s, __u64 ip)
{
	__u64 *v;
	__u32 id;

	/* Without memory nothing is cached: slower, not wrong. */
	if (!s->ipcache && u64map_new(1024, &s->ipcache))
		return lookup_ip(s, ip);
	v = u64map_get(s->ipcache, ip);
	if (v)
		return (__u32)*v;
	id = lookup_ip(s, ip);
	if (u64map_count(s->ipcache) >= IPCACHE_MAX)
		u64map_clear(s->ipcache);
	/* Failing to insert (no memory) only leaves it uncached. */
	(void)u64map_put(s->ipcache, ip, id);
	return id;
}

/*
 * The caller of a drop function, from its stack: the first frame that is
 * neither BPF (program, trampoline) nor the drop function itself.
 */
static __u64 location_from_stack(struct session *s, const struct skbs_event *ev)
{
	const struct hook *hk = hooks_get(s->hooks, ev->hook);
	__u64 ips[SKBS_STACK_DEPTH];
	int n;

	if (!s->ksyms && !s->ksyms_tried) {
		s->ksyms_tried = 1;
		ksyms_load("/proc/kallsyms", &s->ksyms);
	}
	if (!s->ksyms || !hk)
		return 0;
	n = session_stack(s, ev->stack_id, ips, SKBS_STACK_DEPTH);
	for (int i = 0; i < n; i++) {
		const char *mod, *name;

		name = ksyms_lookup(s->ksyms, ips[i], NULL, &mod);
		if (!name || (mod && !strcmp(mod, "bpf")) ||
		    !strncmp(name, "bpf_trampoline", 14) ||
		    !strcmp(name, hk->name))
			continue;
		return ips[i];
	}
	return 0;
}

/* A map operation on one of skbscope's own maps (--output-bpfmap). */
static int own_map(const struct session *s, __u32 id)
{
	for (size_t i = 0; i < s->nown_maps; i++)
		if (s->own_maps[i] == id)
			return 1;
	return 0;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct session *s = ctx;
	const struct skbs_event *raw;
	struct skbs_event ev;
	const char *tail;
	char err[128];

	/* Returns are counted apart (SKBS_C_RET): the events' arithmetic,
	 * matched == received + lost, stays exact. */
	if (size == sizeof(struct skbs_return) &&
	    ((const struct skbs_return *)data)->rec_type == SKBS_REC_RETURN) {
		s->returns++;
		if (s->ret_fn)
			s->ret_fn(s->ret_ctx, data);
		return 0;
	}
	s->received++;
	if (event_decode(data, size, &raw, &tail, err, sizeof(err))) {
		s->bad_records++;
		return 0;
	}
	ev = *raw;
	if (ev.hook == SKBS_HOOK_BY_IP && s->ksyms)
		ev.hook = hook_by_ip(s, ev.ip);
	if ((ev.flags & SKBS_EV_DROP) && !ev.location && ev.stack_id >= 0)
		ev.location = location_from_stack(s, &ev);
	/* An XDP hop's "skb" is its xdp_buff, reused for every frame: an
	 * XDP program's entry starts a lifetime (its helpers' hops join
	 * it). A BPF program's hop carries the program id. */
	if (s->bp_attached) {
		const struct hook *hk = hooks_get(s->hooks, ev.hook);

		if (hk && hk->kind == HOOK_BPFPROG) {
			ev.aux = (__u32)hk->skb_pos;
			if (ev.flags2 & SKBS_EV2_XDP)
				lifetimes_gen(s->life, ev.skb, 1);
		}
	}
	ev.gen = lifetimes_gen(s->life, ev.skb, ev.flags & SKBS_EV_FREE);
	/* skbscope's own netlink traffic (the drop explainer's questions
	 * and the kernel's trace messages, freed as skbscope reads them) is
	 * not what anyone is looking for. Counted, so the summary still adds
	 * up; after lifetimes_gen, so the lifetime still ends. */
	if ((ev.flags2 & SKBS_EV2_BPFMAP) && own_map(s, ev.aux)) {
		s->self_events++;
		return 0;
	}
	if (s->o.self_pid && ev.pid == s->o.self_pid) {
		s->self_events++;
		return 0;
	}
	/* libbpf only stops on a negative return. */
	if (s->fn && s->fn(s->fn_ctx, &ev, tail)) {
		s->stopped = 1;
		return -ECANCELED;
	}
	return 0;
}

int events_open(struct session *s)
{
	if (s->rb)
		return 0;
	s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.events), on_record,
				 s, NULL);
	return s->rb ? 0 : -errno;
}

void events_close(struct session *s)
{
	ring_buffer__free(s->rb);
	s->rb = NULL;
	u64map_free(s->ipcache);
	s->ipcache = NULL;
}

int session_poll(struct session *s, int timeout_ms, session_event_fn fn,
		 void *ctx)
{
	int ret = events_open(s);

	if (ret)
		return ret;
	s->fn = fn;
	s->fn_ctx = ctx;
	s->stopped = 0;
	ret = ring_buffer__poll(s->rb, timeout_ms);
	/* The programs wake us only when the ring fills up (see wakeup() in
	 * bpf/skbscope.bpf.c), so a wait that timed out may still have left
	 * records to read. */
	if (ret >= 0 && !s->stopped) {
		int more = ring_buffer__consume(s->rb);

		ret = more < 0 ? more : ret + more;
	}
	s->fn = NULL;
	if (ret == -ECANCELED && s->stopped)
		return 0;
	return ret;
}

long long session_drain(struct session *s, session_event_fn fn, void *ctx)
{
	__u64 before = s->received;
	int ret = events_open(s);

	if (ret)
		return ret;
	s->fn = fn;
	s->fn_ctx = ctx;
	for (;;) {
		s->stopped = 0;
		ret = ring_buffer__consume(s->rb);
		/* fn has had enough: the rest is still taken out and
		 * counted, so that nothing stays unaccounted for. */
		if (ret == -ECANCELED && s->stopped) {
			s->fn = NULL;
			continue;
		}
		break;
	}
	s->fn = NULL;
	if (ret < 0)
		return ret;
	return (long long)(s->received - before);
}

__u64 session_received(const struct session *s)
{
	return s->received;
}

__u64 session_bad_records(const struct session *s)
{
	return s->bad_records;
}

__u64 session_self_events(const struct session *s)
{
	return s->self_events;
}

int session_counters(struct session *s, __u64 out[SKBS_C_MAX])
{
	__u64 *vals = calloc(s->ncpus, sizeof(__u64));
	int fd = bpf_map__fd(s->skel->maps.counters);

	if (!vals)
		return -ENOMEM;
	for (__u32 k = 0; k < SKBS_C_MAX; k++) {
		out[k] = 0;
		if (bpf_map_lookup_elem(fd, &k, vals)) {
			int err = -errno;

			free(vals);
			return err;
		}
		for (int c = 0; c < s->ncpus; c++)
			out[k] += vals[c];
	}
	free(vals);
	return 0;
}

int session_stack(struct session *s, __s32 id, __u64 *ips, int max)
{
	__u64 buf[SKBS_STACK_DEPTH];
	__u32 key = (__u32)id;
	int n = 0;

	if (id < 0)
		return -ENOENT;
	if (bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.stacks), &key, buf))
		return -errno;
	while (n < SKBS_STACK_DEPTH && n < max && buf[n]) {
		ips[n] = buf[n];
		n++;
	}
	return n;
}
