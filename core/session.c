// SPDX-License-Identifier: GPL-2.0
/*
 * Owns the BPF object for the life of a trace: open and size the maps, pick
 * a template per hook, load, attach copies, then hand events to the front
 * end. Everything is released in session_close(); nothing is pinned, so an
 * exit of any kind leaves nothing attached.
 */
#include <errno.h>
#include <stdarg.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include "skbscope.skel.h"
#include "core/attach.h"
#include "core/btf.h"
#include "core/cfgmap.h"
#include "core/event.h"
#include "core/hooks.h"
#include "core/session.h"
#include "core/tracefs.h"

struct session {
	struct session_opts o;
	struct skbscope_bpf *skel;
	struct btf *vmlinux;
	struct reasons *reasons;
	struct hooks *hooks;
	struct attach_set *links;
	struct cfgmap *cfg;
	struct ring_buffer *rb;
	regex_t re;
	int have_re;
	int ncpus;
	size_t failed;
	__u64 bad_records;
	/* Set for the duration of a poll. */
	session_event_fn fn;
	void *fn_ctx;
	int stopped;
	char backend[32];
};

static void note(struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void note(struct session *s, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (!s->o.note)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	s->o.note(s->o.ctx, buf);
}

/* The template program that serves a tracepoint. */
static struct bpf_program *tp_template(struct skbscope_bpf *skel,
				       const struct btf_tp *tp)
{
	struct bpf_program *pos[SKBS_MAX_SKB_POS] = {
		skel->progs.tp_pos0, skel->progs.tp_pos1, skel->progs.tp_pos2,
		skel->progs.tp_pos3, skel->progs.tp_pos4,
	};

	if (!strcmp(tp->name, "kfree_skb") && tp->skb_pos == 0)
		return tp->nargs >= 3 ? skel->progs.tp_kfree_skb_reason :
					skel->progs.tp_kfree_skb;
	if (!strcmp(tp->name, "consume_skb") && tp->skb_pos == 0)
		return skel->progs.tp_consume_skb;
	if (tp->skb_pos < 0 || tp->skb_pos >= SKBS_MAX_SKB_POS)
		return NULL;
	return pos[tp->skb_pos];
}

static int selected(struct session *s, const struct hook *hk)
{
	char label[128];

	if (!s->have_re)
		return 1;
	if (!regexec(&s->re, hk->name, 0, NULL, 0))
		return 1;
	return !regexec(&s->re, hook_label(hk, label, sizeof(label)), 0,
			NULL, 0);
}

/* Discover the skb tracepoints and give every selected one a template. */
static int plan_tracepoints(struct session *s, char *err, size_t errlen)
{
	struct btf_tp *tps = NULL;
	size_t n = 0, used = 0;
	char *events = NULL;
	int ret;

	ret = btf_skb_tracepoints(s->vmlinux, &tps, &n);
	if (ret) {
		snprintf(err, errlen, "cannot scan kernel BTF for "
			 "tracepoints: %s", strerror(-ret));
		return ret;
	}
	for (size_t i = 0; i < n; i++) {
		struct hook hk = { 0 };

		snprintf(hk.name, sizeof(hk.name), "%s", tps[i].name);
		hk.kind = HOOK_TRACEPOINT;
		hk.skb_pos = tps[i].skb_pos;
		hk.btf_id = tps[i].btf_id;
		hk.nargs = tps[i].nargs;
		ret = hooks_add(s->hooks, &hk);
		if (ret < 0)
			goto out;
	}
	if (tracefs_available_events(&events)) {
		note(s, "tracefs is not readable: tracepoints are shown "
			"without their group");
	} else {
		hooks_set_groups(s->hooks, events);
		free(events);
	}

	/* Load each template once against the first hook it serves; the
	 * copies made at attach time retarget it. */
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, s->skel->obj)
		bpf_program__set_autoload(prog, false);
	for (size_t i = 0; i < hooks_count(s->hooks); i++) {
		struct hook *hk = hooks_get(s->hooks, i);
		struct btf_tp tp = { .skb_pos = hk->skb_pos,
				     .nargs = hk->nargs };
		struct bpf_program *t;

		if (!selected(s, hk))
			continue;
		strcpy(tp.name, hk->name);
		t = tp_template(s->skel, &tp);
		if (!t)
			continue;
		used++;
		if (bpf_program__autoload(t))
			continue;
		bpf_program__set_autoload(t, true);
		ret = bpf_program__set_attach_target(t, 0, hk->name);
		if (ret)
			goto out;
	}
	if (!used) {
		snprintf(err, errlen, "no skb tracepoint %s",
			 s->have_re ? "matches --filter-func" :
				      "found in kernel BTF");
		ret = -ENOENT;
	}
out:
	free(tps);
	return ret;
}

int session_open(const struct session_opts *o, struct session **out,
		 char *err, size_t errlen)
{
	struct session *s = calloc(1, sizeof(*s));
	int ret;

	if (!s)
		return -ENOMEM;
	s->o = *o;
	s->ncpus = libbpf_num_possible_cpus();
	if (!o->backend || !strcmp(o->backend, "auto") ||
	    !strcmp(o->backend, "tracepoint")) {
		snprintf(s->backend, sizeof(s->backend), "tracepoint");
	} else {
		snprintf(err, errlen, "backend '%s' is not available",
			 o->backend);
		ret = -EINVAL;
		goto fail;
	}
	if (o->func_regex) {
		ret = regcomp(&s->re, o->func_regex, REG_EXTENDED | REG_NOSUB);
		if (ret) {
			char m[128];

			regerror(ret, &s->re, m, sizeof(m));
			snprintf(err, errlen, "--filter-func '%s': %s",
				 o->func_regex, m);
			ret = -EINVAL;
			goto fail;
		}
		s->have_re = 1;
	}
	s->vmlinux = btf__load_vmlinux_btf();
	if (!s->vmlinux) {
		ret = -errno;
		snprintf(err, errlen, "cannot read kernel BTF "
			 "(/sys/kernel/btf/vmlinux): %s", strerror(-ret));
		goto fail;
	}
	ret = reasons_load(s->vmlinux, &s->reasons);
	if (!ret)
		ret = hooks_new(&s->hooks);
	if (!ret)
		ret = attach_set_new(&s->links);
	if (ret) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}

	s->skel = skbscope_bpf__open();
	if (!s->skel) {
		ret = -errno;
		snprintf(err, errlen, "cannot open BPF object: %s",
			 strerror(-ret));
		goto fail;
	}
	if (o->ringbuf_bytes) {
		ret = bpf_map__set_max_entries(s->skel->maps.events,
					       (__u32)o->ringbuf_bytes);
		if (ret) {
			snprintf(err, errlen, "cannot size the ring buffer "
				 "to %llu bytes", (unsigned long long)
				 o->ringbuf_bytes);
			goto fail;
		}
	}
	ret = plan_tracepoints(s, err, errlen);
	if (ret)
		goto fail;
	ret = skbscope_bpf__load(s->skel);
	if (ret) {
		snprintf(err, errlen, "cannot load BPF programs: %s "
			 "(run with SKBSCOPE_DEBUG=1 for the verifier log)",
			 strerror(-ret));
		goto fail;
	}
	ret = cfgmap_open(bpf_map__fd(s->skel->maps.cfg_slots),
			  bpf_map__fd(s->skel->maps.cfg_active), &s->cfg);
	if (ret) {
		snprintf(err, errlen, "cannot read the config map: %s",
			 strerror(-ret));
		goto fail;
	}
	*out = s;
	return 0;
fail:
	session_close(s);
	return ret;
}

int session_attach(struct session *s, char *err, size_t errlen)
{
	size_t total = 0, done = 0;
	char why[256], label[128];

	for (size_t i = 0; i < hooks_count(s->hooks); i++)
		total += selected(s, hooks_get(s->hooks, i));
	for (size_t i = 0; i < hooks_count(s->hooks); i++) {
		struct hook *hk = hooks_get(s->hooks, i);
		struct btf_tp tp = { .skb_pos = hk->skb_pos,
				     .nargs = hk->nargs };
		struct bpf_program *t;
		int ret;

		if (!selected(s, hk))
			continue;
		strcpy(tp.name, hk->name);
		t = tp_template(s->skel, &tp);
		ret = t ? attach_copy_btf(s->links, t, (__u32)i, hk->btf_id, 0,
					  why, sizeof(why)) :
			  -EOPNOTSUPP;
		if (ret) {
			hk->attached = ret;
			/* strlcat, not snprintf: the verifier's line may be
			 * long and is cut, not an error. */
			strlcpy(hk->why, strerror(-ret), sizeof(hk->why));
			if (why[0]) {
				strlcat(hk->why, ": ", sizeof(hk->why));
				strlcat(hk->why, why, sizeof(hk->why));
			}
			s->failed++;
			note(s, "hook %s left out: %s",
			     hook_label(hk, label, sizeof(label)), hk->why);
		} else {
			hk->attached = 1;
		}
		done++;
		if (s->o.progress)
			s->o.progress(s->o.ctx, done, total);
	}
	if (!attach_count(s->links)) {
		snprintf(err, errlen, "no hook could be attached (%zu tried)",
			 total);
		return -ENOENT;
	}
	return 0;
}

void session_close(struct session *s)
{
	if (!s)
		return;
	ring_buffer__free(s->rb);
	attach_set_free(s->links);
	cfgmap_free(s->cfg);
	skbscope_bpf__destroy(s->skel);
	hooks_free(s->hooks);
	reasons_free(s->reasons);
	btf__free(s->vmlinux);
	if (s->have_re)
		regfree(&s->re);
	free(s);
}

int session_set_filter(struct session *s, const struct skbs_filter *f)
{
	return cfgmap_write(s->cfg, f);
}

int session_get_filter(struct session *s, struct skbs_filter *f)
{
	return cfgmap_read(s->cfg, f);
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct session *s = ctx;
	const struct skbs_event *ev;
	const char *tail;
	char err[128];

	if (event_decode(data, size, &ev, &tail, err, sizeof(err))) {
		s->bad_records++;
		return 0;
	}
	/* libbpf only stops on a negative return. */
	if (s->fn && s->fn(s->fn_ctx, ev, tail)) {
		s->stopped = 1;
		return -ECANCELED;
	}
	return 0;
}

int session_poll(struct session *s, int timeout_ms, session_event_fn fn,
		 void *ctx)
{
	int ret;

	if (!s->rb) {
		s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.events),
					 on_record, s, NULL);
		if (!s->rb)
			return -errno;
	}
	s->fn = fn;
	s->fn_ctx = ctx;
	s->stopped = 0;
	ret = ring_buffer__poll(s->rb, timeout_ms);
	s->fn = NULL;
	if (ret == -ECANCELED && s->stopped)
		return 0;
	return ret;
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

__u64 session_bad_records(const struct session *s)
{
	return s->bad_records;
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

const struct hooks *session_hooks(const struct session *s)
{
	return s->hooks;
}

const struct reasons *session_reasons(const struct session *s)
{
	return s->reasons;
}

const struct btf *session_btf(const struct session *s)
{
	return s->vmlinux;
}

const char *session_backend(const struct session *s)
{
	return s->backend;
}

size_t session_attached(const struct session *s)
{
	return attach_count(s->links);
}

size_t session_failed(const struct session *s)
{
	return s->failed;
}

int session_prog_fd(const struct session *s, size_t i)
{
	return attach_prog_fd(s->links, i);
}
