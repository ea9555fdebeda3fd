// SPDX-License-Identifier: GPL-2.0
/*
 * The kprobe family: kprobe-multi (one link per program, from a list of
 * symbols, 5.18+) and plain kprobes (a perf event per function). Both
 * run the same pt_regs programs, loaded once in the main object; the hook
 * of an event comes from its attach cookie, or from its ip where the
 * kernel has no cookies.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "core/hooks.h"
#include "core/lib/parfor.h"
#include "core/trace/btf.h"
#include "core/trace/session_internal.h"
#include "core/trace/skel.h"

static int kmulti_precheck(struct session *s, char *why, size_t len)
{
	int ret = discover_no_funcs(s, why, len);

	if (ret)
		return ret;
	if (!kbtf_enum_has(s->vmlinux, "bpf_attach_type",
			   "BPF_TRACE_KPROBE_MULTI")) {
		snprintf(why, len, "needs kernel 5.18 or later");
		return -EOPNOTSUPP;
	}
	if (btf__find_by_name_kind(s->vmlinux, "fprobe", BTF_KIND_STRUCT) < 0) {
		snprintf(why, len, "kernel built without CONFIG_FPROBE");
		return -EOPNOTSUPP;
	}
	return 0;
}

static int kprobe_precheck(struct session *s, char *why, size_t len)
{
	int ret = discover_no_funcs(s, why, len);

	if (ret)
		return ret;
	if (access("/sys/bus/event_source/devices/kprobe/type", R_OK)) {
		snprintf(why, len,
			 "kprobes are not built into this kernel "
			 "(no kprobe PMU)");
		return -EOPNOTSUPP;
	}
	return 0;
}

/* Returns pair with their entries by the attach cookie (ret.bpf.h): on
 * plain kprobes they need cookies (5.15+), kprobe-multi always has them. */
static int returns_possible(const struct session *s, enum backend b)
{
	return b == BK_KMULTI || s->cookies;
}

static struct bpf_program *ret_prog(const struct session *s, enum backend b)
{
	return b == BK_KMULTI ? s->skel->progs.km_ret : s->skel->progs.kp_ret;
}

static int plan_returns(struct session *s, enum backend b)
{
	if (!returns_possible(s, b))
		return 0;
	return bpf_program__set_autoload(ret_prog(s, b), true);
}

/* SKBSCOPE_BENCH_EMPTY=1: kprobe-multi attaches an empty program in place
 * of the templates (the benchmark's measure of the kernel's own cost). */
static int bench_empty(void)
{
	const char *e = getenv("SKBSCOPE_BENCH_EMPTY");

	return e && !strcmp(e, "1");
}

/* Both families load every function template and the copy followers
 * in the main object. */
static int plan_family(struct session *s, enum backend b, char *err,
		       size_t errlen)
{
	int ret = 0;

	for (size_t i = s->ntp; !ret && i < hooks_count(s->hooks); i++) {
		struct bpf_program *p = template_prog(
			&s->tmpl, hooks_get(s->hooks, (__u32)i), b);

		if (p)
			ret = bpf_program__set_autoload(p, true);
	}
	for (size_t c = 0; !ret && c < TEMPLATE_COPIES; c++)
		for (int e = 0; !ret && e < 2; e++) {
			struct bpf_program *p = template_copy_prog(&s->tmpl, c,
								   b, e);

			if (p)
				ret = bpf_program__set_autoload(p, true);
		}
	if (!ret && s->o.returns)
		ret = plan_returns(s, b);
	if (!ret && b == BK_KMULTI && bench_empty())
		ret = bpf_program__set_autoload(s->skel->progs.km_empty, true);
	if (ret)
		snprintf(err, errlen, "cannot choose the kprobe programs: %s",
			 strerror(-ret));
	return ret;
}

static int kmulti_plan(struct session *s, char *err, size_t errlen)
{
	return plan_family(s, BK_KMULTI, err, errlen);
}

static int kprobe_plan(struct session *s, char *err, size_t errlen)
{
	/* Without attach cookies an event is named from its ip (see
	 * events.c), which needs kallsyms. */
	s->cookies = kbtf_enum_has(s->vmlinux, "bpf_func_id",
				   "BPF_FUNC_get_attach_cookie");
	return plan_family(s, BK_KPROBE, err, errlen);
}

/*
 * kprobe-multi: one link per template, from explicit symbol lists (a
 * glob would pick symbols that cannot be traced). When a list fails, one
 * bad symbol is enough, so it is halved until the bad ones are found.
 */
static int kmulti_attach_list(struct session *s, struct attempt *a,
			      struct bpf_program *p, __u32 *ids, size_t n,
			      int *last)
{
	LIBBPF_OPTS(bpf_kprobe_multi_opts, opts);
	const char **syms = calloc(n, sizeof(*syms));
	__u64 *cookies = calloc(n, sizeof(*cookies));
	struct bpf_link *l;
	int ret = 0;

	if (!syms || !cookies) {
		free(syms);
		free(cookies);
		snprintf(a->why, sizeof(a->why), "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		syms[i] = hooks_get(s->hooks, ids[i])->name;
		cookies[i] = (__u64)ids[i] + 1;
	}
	opts.syms = syms;
	opts.cookies = cookies;
	opts.cnt = n;
	l = bpf_program__attach_kprobe_multi_opts(p, NULL, &opts);
	ret = l ? 0 : -errno; /* before free() has a chance at errno */
	if (l && s->o.returns) {
		struct bpf_link *r;
		size_t m = 0;

		/* The same list less the drop and free functions. */
		for (size_t i = 0; i < n; i++)
			if (sess_wants_return(hooks_get(s->hooks, ids[i]))) {
				syms[m] = syms[i];
				cookies[m++] = cookies[i];
			}
		opts.cnt = m;
		opts.retprobe = true;
		r = m ? bpf_program__attach_kprobe_multi_opts(
				ret_prog(s, BK_KMULTI), NULL, &opts) :
			NULL;
		if (r && sess_keep_link(s, r))
			bpf_link__destroy(r);
		else if (!r && m)
			s->ret_failed += m;
		else
			s->ret_attached += m;
	}
	free(syms);
	free(cookies);
	if (l) {
		for (size_t i = 0; i < n; i++) {
			sess_hook_attached(s, ids[i]);
			progress_add(a->prog, 1, 1);
		}
		a->ok += n;
		ret = sess_keep_link(s, l);
		if (ret) {
			bpf_link__destroy(l);
			snprintf(a->why, sizeof(a->why), "out of memory");
		}
		return ret;
	}
	*last = ret;
	if (n == 1) {
		sess_hook_failed(s, ids[0], *last, NULL);
		progress_add(a->prog, 1, 1);
		return 0;
	}
	/* A whole list refused for a reason no symbol explains: give up
	 * rather than bisect thousands of times. */
	if (*last == -EOPNOTSUPP || *last == -ENOSYS || *last == -EPERM)
		return *last;
	ret = kmulti_attach_list(s, a, p, ids, n / 2, last);
	if (!ret)
		ret = kmulti_attach_list(s, a, p, ids + n / 2, n - n / 2, last);
	return ret;
}

static int kmulti_attach(struct session *s, struct attempt *a)
{
	size_t n = hooks_count(s->hooks) - s->ntp;
	__u32 *ids = calloc(n ? n : 1, sizeof(*ids));
	struct bpf_program **progs = calloc(n ? n : 1, sizeof(*progs));
	int last = 0, ret = 0;

	if (!ids || !progs) {
		free(ids);
		free(progs);
		snprintf(a->why, sizeof(a->why), "out of memory");
		return -ENOMEM;
	}
	for (size_t k = 0; k < n; k++)
		progs[k] = template_prog(
			&s->tmpl, hooks_get(s->hooks, (__u32)(s->ntp + k)),
			BK_KMULTI);
	/* One list per program: the hooks it serves. */
	for (int r = 0; !ret && r < TEMPLATE_ROWS; r++) {
		struct bpf_program *prog = s->tmpl.fn[r][BK_KMULTI];
		size_t m = 0;

		if (!prog || bpf_program__fd(prog) < 0)
			continue;
		for (size_t k = 0; k < n; k++)
			if (progs[k] == prog)
				ids[m++] = (__u32)(s->ntp + k);
		/* --filter-kprobe-batch: links of at most that many
		 * functions; 0, one link for the whole list. */
		for (size_t at = 0,
			    b = s->o.kprobe_batch ? s->o.kprobe_batch : m;
		     !ret && at < m; at += b)
			ret = kmulti_attach_list(
				s, a,
				bench_empty() ? s->skel->progs.km_empty : prog,
				ids + at, m - at < b ? m - at : b, &last);
	}
	free(ids);
	free(progs);
	if (!a->why[0] && (ret || !a->ok))
		snprintf(a->why, sizeof(a->why), "attach failed: %s",
			 strerror(-(ret  ? ret :
				    last ? last :
					   ENOENT)));
	return ret;
}

/* Plain kprobes: one perf event per function, attached by a few threads
 * in parallel since each attach is a slow syscall. */
struct kp_run {
	struct session *s;
	struct progress *prog;
	struct bpf_link **links;  /* per function, NULL when not attached */
	struct bpf_link **rlinks; /* their return probes (--output-return) */
	int *errs;                /* per function, -errno when it failed */
	size_t ok;                /* atomic */
};

static int kp_one(void *ctx, size_t k, int w)
{
	struct kp_run *run = ctx;
	struct session *s = run->s;
	__u32 id = (__u32)(s->ntp + k);
	const struct hook *hk = hooks_get(s->hooks, id);
	LIBBPF_OPTS(bpf_kprobe_opts, opts);
	struct bpf_program *p = template_prog(&s->tmpl, hk, BK_KPROBE);
	struct bpf_link *l = NULL;

	(void)w;
	if (s->cookies)
		opts.bpf_cookie = (__u64)id + 1;
	errno = ENOENT;
	if (p)
		l = bpf_program__attach_kprobe_opts(p, hk->name, &opts);
	if (l) {
		run->links[k] = l;
		__atomic_add_fetch(&run->ok, 1, __ATOMIC_RELAXED);
		if (s->o.returns && s->cookies && sess_wants_return(hk)) {
			opts.retprobe = true;
			run->rlinks[k] = bpf_program__attach_kprobe_opts(
				ret_prog(s, BK_KPROBE), hk->name, &opts);
		}
		return 0;
	}
	run->errs[k] = -errno;
	/* A kernel that refuses the first hundred refuses all. */
	return k >= 100 && !__atomic_load_n(&run->ok, __ATOMIC_RELAXED);
}

static void kp_progress(void *ctx, size_t done, size_t n)
{
	(void)n;
	progress_report(((struct kp_run *)ctx)->prog, done);
}

static int kprobe_attach(struct session *s, struct attempt *a)
{
	size_t n = hooks_count(s->hooks) - s->ntp;
	struct kp_run run = { .s = s, .prog = a->prog };
	int nt = parfor_cpus();
	struct parfor pf = { .fn = kp_one,
			     .ctx = &run,
			     .progress = kp_progress,
			     .nthreads = nt > 4 ? 4 : nt };
	int ret = 0, first_err = 0;

	run.links = calloc(n ? n : 1, sizeof(*run.links));
	run.rlinks = calloc(n ? n : 1, sizeof(*run.rlinks));
	run.errs = calloc(n ? n : 1, sizeof(*run.errs));
	if (!run.links || !run.rlinks || !run.errs) {
		free(run.links);
		free(run.rlinks);
		free(run.errs);
		snprintf(a->why, sizeof(a->why), "out of memory");
		return -ENOMEM;
	}
	parfor_run(&pf, n);
	progress_add(a->prog, n, 0);
	for (size_t k = 0; k < n; k++) {
		__u32 id = (__u32)(s->ntp + k);

		if (run.rlinks[k]) {
			s->ret_attached++;
			if (!ret)
				ret = sess_keep_link(s, run.rlinks[k]);
			else
				bpf_link__destroy(run.rlinks[k]);
		} else if (run.links[k] && s->o.returns && s->cookies &&
			   sess_wants_return(hooks_get(s->hooks, id))) {
			s->ret_failed++;
		}
		if (run.links[k]) {
			sess_hook_attached(s, id);
			a->ok++;
			if (!ret)
				ret = sess_keep_link(s, run.links[k]);
			else
				bpf_link__destroy(run.links[k]);
		} else if (run.errs[k]) {
			sess_hook_failed(s, id, run.errs[k], NULL);
			if (!first_err)
				first_err = run.errs[k];
		}
	}
	free(run.links);
	free(run.rlinks);
	free(run.errs);
	if (ret)
		snprintf(a->why, sizeof(a->why), "out of memory");
	else if (!a->ok)
		snprintf(a->why, sizeof(a->why), "attach failed: %s",
			 strerror(first_err ? -first_err : ENOENT));
	return ret;
}

/* A kprobe pair per copy function: the source at entry, the copy at
 * return (bpf/skbscope.bpf.c stashes one for the other). */
static size_t follow_family(struct session *s, enum backend b)
{
	size_t n = 0;

	for (size_t c = 0; c < TEMPLATE_COPIES; c++) {
		const char *fn = template_copy_fn(c);
		struct bpf_program *pin, *pout;
		struct bpf_link *in = NULL, *out = NULL;

		pin = template_copy_prog(&s->tmpl, c, b, 0);
		pout = template_copy_prog(&s->tmpl, c, b, 1);

		if (b == BK_KPROBE) {
			in = bpf_program__attach_kprobe(pin, false, fn);
			out = in ? bpf_program__attach_kprobe(pout, true, fn) :
				   NULL;
		} else {
			LIBBPF_OPTS(bpf_kprobe_multi_opts, o);

			o.syms = &fn;
			o.cnt = 1;
			in = bpf_program__attach_kprobe_multi_opts(pin, NULL,
								   &o);
			o.retprobe = true;
			out = in ? bpf_program__attach_kprobe_multi_opts(
					   pout, NULL, &o) :
				   NULL;
		}
		if (in && out && !sess_keep_link(s, in)) {
			if (!sess_keep_link(s, out)) {
				n++;
				continue;
			}
			/* in is kept and detached with the rest; a lone
			 * entry probe only stashes what nobody reads. */
			bpf_link__destroy(out);
			continue;
		}
		bpf_link__destroy(in);
		bpf_link__destroy(out);
	}
	return n;
}

static size_t kmulti_follow(struct session *s)
{
	return follow_family(s, BK_KMULTI);
}

static size_t kprobe_follow(struct session *s)
{
	return follow_family(s, BK_KPROBE);
}

static void destroy_link(struct session *s, size_t i)
{
	bpf_link__destroy(s->plinks[i]);
}

static void detach_family(struct session *s, struct progress *p)
{
	sess_detach_each(s, s->nplinks, destroy_link, p);
	s->nplinks = 0;
}

const struct backend_ops backend_kmulti = {
	.name = "kprobe-multi",
	.funcs = 1,
	.precheck = kmulti_precheck,
	.plan = kmulti_plan,
	.attach = kmulti_attach,
	.follow = kmulti_follow,
	.detach = detach_family,
};

const struct backend_ops backend_kprobe = {
	.name = "kprobe",
	.funcs = 1,
	.precheck = kprobe_precheck,
	.plan = kprobe_plan,
	.attach = kprobe_attach,
	.follow = kprobe_follow,
	.detach = detach_family,
};
