// SPDX-License-Identifier: GPL-2.0
/*
 * Owns the BPF objects for the life of a trace: discover hooks, rule out
 * the backends this kernel cannot run, load, then try the rest from the
 * best (kprobe-multi, kprobe, fentry, tracepoint) until one attaches.
 * Everything is released in session_close(); nothing is pinned, so any
 * exit leaves nothing attached.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "core/trace/skel.h"
#include "core/hooks.h"
#include "core/ksyms.h"
#include "core/lifetime.h"
#include "core/reasons.h"
#include "core/trace/attach.h"
#include "core/trace/btf.h"
#include "core/trace/cfgmap.h"
#include "core/trace/funcs.h"
#include "core/trace/session_internal.h"

const struct backend_ops *const backends[BK_N] = {
	[BK_KMULTI] = &backend_kmulti,
	[BK_KPROBE] = &backend_kprobe,
	[BK_FENTRY] = &backend_fentry,
	[BK_TP] = &backend_tp,
};

void sess_rule_out(struct session *s, enum backend b, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	if (!(s->cand & (1u << b)))
		return;
	s->cand &= ~(1u << b);
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (s->why[0])
		strlcat(s->why, "; ", sizeof(s->why));
	strlcat(s->why, backends[b]->name, sizeof(s->why));
	strlcat(s->why, ": ", sizeof(s->why));
	strlcat(s->why, buf, sizeof(s->why));
}

/* Every backend lets go of what it holds (those that never attached
 * hold nothing). */
static void detach_all(struct session *s, struct progress *p)
{
	for (int b = 0; b < BK_N; b++)
		backends[b]->detach(s, p);
}

/* ---- open --------------------------------------------------------- */

static int parse_backend(const char *name, unsigned *cand)
{
	if (!name || !strcmp(name, "auto")) {
		*cand = (1u << BK_N) - 1;
		return 0;
	}
	for (int b = 0; b < BK_N; b++) {
		if (!strcmp(name, backends[b]->name)) {
			*cand = 1u << b;
			return 0;
		}
	}
	return -EINVAL;
}

/* Tracepoints, and the functions when a candidate probes them. */
static int discover(struct session *s, char *err, size_t errlen)
{
	unsigned fb = 0;
	int ret = discover_tracepoints(s, err, errlen);

	for (int b = 0; b < BK_N; b++)
		if (backends[b]->funcs)
			fb |= 1u << b;
	if (ret || !(s->cand & fb))
		return ret;
	ret = discover_functions(s, err, errlen);
	if (!ret)
		return 0;
	if (!(s->cand & ~fb))
		return ret;
	/* auto: tracepoints still work. */
	for (int b = 0; b < BK_N; b++)
		if (fb & (1u << b))
			sess_rule_out(s, (enum backend)b, "%s", err);
	err[0] = '\0';
	return 0;
}

/* Rule out what this kernel cannot do, before loading anything. */
static void precheck(struct session *s)
{
	char why[256];

	for (int b = 0; b < BK_N; b++) {
		if (!(s->cand & (1u << b)) || !backends[b]->precheck)
			continue;
		why[0] = '\0';
		if (backends[b]->precheck(s, why, sizeof(why)))
			sess_rule_out(s, (enum backend)b, "%s", why);
	}
}

int session_open(const struct session_opts *o, struct session **out, char *err,
		 size_t errlen)
{
	struct session *s;
	int ret;

	if (errlen)
		err[0] = '\0';
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	s->o = *o;
	s->ncpus = libbpf_num_possible_cpus();
	if (s->ncpus < 0) {
		ret = s->ncpus;
		snprintf(err, errlen, "cannot count the possible CPUs: %s",
			 strerror(-ret));
		goto fail;
	}
	if (parse_backend(o->backend, &s->cand)) {
		snprintf(err, errlen, "unknown backend '%s'", o->backend);
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
	s->vmlinux = kbtf_load_kernel(o->kernel_btf, err, errlen);
	if (!s->vmlinux) {
		ret = -errno;
		goto fail;
	}
	ret = kbtf_load_reasons(s->vmlinux, &s->reasons);
	if (!ret)
		ret = hooks_new(&s->hooks);
	if (!ret)
		ret = attach_set_new(&s->links);
	if (!ret)
		ret = lifetimes_new(&s->life);
	if (ret) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	/* --filter-non-skb-funcs: only the kprobe families have a program
	 * for a function with no skb (bpf/nonskb.bpf.h). */
	if (o->non_skb)
		for (int b = BK_FENTRY; b <= BK_TP; b++)
			sess_rule_out(
				s, (enum backend)b,
				"--filter-non-skb-funcs needs kprobe-multi "
				"or kprobe");
	ret = discover(s, err, errlen);
	if (ret)
		goto fail;
	precheck(s);
	if (o->list_only) {
		*out = s;
		return 0;
	}
	if (!s->cand) {
		snprintf(err, errlen, "backend %s is not available: %s",
			 o->backend ? o->backend : "auto", s->why);
		ret = -EOPNOTSUPP;
		goto fail;
	}
	ret = load_main(s, err, errlen);
	if (ret)
		goto fail;
	if (!s->cookies && (s->cand & (1u << BK_KPROBE))) {
		/* Without attach cookies, kprobe events are named from their
		 * ip; a failure only costs names, so it is not fatal. */
		if (ksyms_load("/proc/kallsyms", &s->ksyms))
			sess_note(s, "cannot read /proc/kallsyms: kprobe "
				     "events will show addresses");
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

/* ---- attach ------------------------------------------------------- */

/* Undo a backend that did not work out, before trying the next. */
static void undo(struct session *s)
{
	detach_all(s, NULL);
	for (size_t i = 0; i < hooks_count(s->hooks); i++)
		hooks_set_state(s->hooks, (__u32)i, 0, NULL);
	s->failed = 0;
	s->ret_attached = s->ret_failed = 0;
}

int session_attach(struct session *s, char *err, size_t errlen)
{
	if (errlen)
		err[0] = '\0';
	for (int b = 0; b < BK_N; b++) {
		const struct backend_ops *bk = backends[b];
		struct progress p = {
			.o = &s->o,
			.what = "attaching",
			.total = bk->funcs ? hooks_count(s->hooks) - s->ntp : 0,
		};
		struct attempt a = { .prog = &p };
		int ret;

		if (!(s->cand & (1u << b)))
			continue;
		if (s->o.debug)
			sess_note(s, "debug: trying the %s backend (%zu hooks)",
				  bk->name, hooks_count(s->hooks));
		ret = bk->attach(s, &a);
		if (s->o.debug)
			sess_note(
				s,
				"debug: %s backend: %s, %zu hooks attached%s%s",
				bk->name, ret ? strerror(-ret) : "done",
				session_attached(s), a.why[0] ? ": " : "",
				a.why);
		/* A probe backend takes drop reasons from a tracepoint when
		 * no reason function can be probed. */
		if (!ret && a.ok && bk != &backend_tp)
			ret = tp_attach(s, &a, 0);
		if (!ret && a.ok) {
			s->active = bk;
			ipt_attach(s);
			ret = bpfprog_attach(s, err, errlen);
			if (ret)
				return ret;
			/* Not fatal: the cost is then not shown. */
			(void)stats_start(s);
			if (bk->follow && !bk->follow(s))
				sess_note(s,
					  "clones cannot be followed under "
					  "--filter-track-skb on this kernel");
			/* Map the ring buffer now, while we hold every
			 * privilege (see caps_drop). */
			ret = events_open(s);
			if (ret) {
				snprintf(err, errlen,
					 "cannot map the ring "
					 "buffer: %s",
					 strerror(-ret));
				return ret;
			}
			return 0;
		}
		if (!a.why[0])
			snprintf(a.why, sizeof(a.why), "%s",
				 ret ? strerror(-ret) : "nothing attached");
		undo(s);
		sess_rule_out(s, (enum backend)b, "%s", a.why);
	}
	snprintf(err, errlen, "no backend could attach: %s", s->why);
	return -ENOENT;
}

void session_stop(struct session *s)
{
	struct progress p = { .what = "detaching" };

	if (!s || s->detached)
		return;
	session_cost(s, &s->last_cost);
	s->detached = 1;
	p.o = &s->o;
	p.total = s->nplinks + attach_count(s->links);
	ipt_detach(s);
	bpfprog_detach(s);
	detach_all(s, &p);
	stats_stop(s);
}

void session_close(struct session *s)
{
	if (!s)
		return;
	session_stop(s);
	events_close(s);
	free(s->plinks);
	attach_set_free(s->links);
	cfgmap_free(s->cfg);
	skbscope_bpf__destroy(s->fskel);
	skbscope_bpf__destroy(s->skel);
	hooks_free(s->hooks);
	funcs_free(s->funcs);
	reasons_free(s->reasons);
	ksyms_free(s->ksyms);
	lifetimes_free(s->life);
	btf__free(s->vmlinux);
	if (s->have_re)
		regfree(&s->re);
	free(s);
}

/* ---- state -------------------------------------------------------- */

int session_set_filter(struct session *s, const struct skbs_filter *f)
{
	struct skbs_filter k = *f;

	if (s->o.skip_nftrace)
		k.flags |= SKBS_F_NO_NFTRACE;
	if (s->nmuted)
		k.flags |= SKBS_F_MUTED;
	if (s->count_runs)
		k.flags |= SKBS_F_HOOK_RUNS;
	if (s->bp_helpers)
		k.flags |= SKBS_F_BPF_HELPERS;
	if (s->bp_mapfns)
		k.flags |= SKBS_F_BPFMAP;
	s->filter = *f;
	s->have_filter = 1;
	return cfgmap_write(s->cfg, &k);
}

const struct hooks *session_hooks(const struct session *s)
{
	return s->hooks;
}

const struct reasons *session_reasons(const struct session *s)
{
	return s->reasons;
}

const char *session_backend(const struct session *s)
{
	return s->active ? s->active->name : "";
}

const char *session_pcap_mode(const struct session *s)
{
	(void)s;
	return skel_pcap_mode();
}

const char *session_backend_why(const struct session *s)
{
	return s->why;
}

size_t session_attached(const struct session *s)
{
	size_t n = 0;

	for (size_t i = 0; i < hooks_count(s->hooks); i++)
		n += hooks_get(s->hooks, (__u32)i)->attached == 1;
	return n;
}

size_t session_failed(const struct session *s)
{
	return s->failed;
}

const struct funcs *session_funcs(const struct session *s)
{
	return s->funcs;
}

void session_set_return_fn(struct session *s, session_return_fn fn, void *ctx)
{
	s->ret_fn = fn;
	s->ret_ctx = ctx;
}

size_t session_returns_attached(const struct session *s, size_t *failed,
				const char **why)
{
	const char *w = NULL;

	if (failed)
		*failed = s->ret_failed;
	if (!s->o.returns)
		w = "not asked for (--output-return)";
	else if (s->active && !s->active->funcs)
		w = "the tracepoint backend has no returns: tracepoints mark "
		    "points, not calls";
	else if (s->active == &backend_fentry &&
		 !kbtf_enum_has(s->vmlinux, "bpf_func_id",
				"BPF_FUNC_get_func_ret"))
		w = "returns on the fentry backend need bpf_get_func_ret "
		    "(kernel 5.17 or later)";
	else if (s->active == &backend_kprobe && !s->cookies)
		w = "returns on the kprobe backend need attach cookies "
		    "(kernel 5.15 or later)";
	else if (!s->ret_attached)
		w = "no return probe could be attached";
	if (why)
		*why = w;
	return s->ret_attached;
}

size_t session_bpfprogs(const struct session *s, size_t *helpers)
{
	if (helpers)
		*helpers = s->bp_helpers;
	return s->bp_attached;
}

__u64 session_returns(const struct session *s)
{
	return s->returns;
}
