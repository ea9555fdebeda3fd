// SPDX-License-Identifier: GPL-2.0
/*
 * The fentry backend: BPF trampolines, one retargeted copy of a template
 * per function (core/trace/attach.c). Its templates live in a second copy
 * of the object, loaded only when this backend is tried and sharing the
 * first one's maps, since an fentry program must name its target at load
 * time and a kernel without trampolines refuses it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "core/hooks.h"
#include "core/trace/attach.h"
#include "core/trace/btf.h"
#include "core/trace/skel.h"
#include "core/trace/session_internal.h"

static int fentry_precheck(struct session *s, char *why, size_t len)
{
	return discover_no_funcs(s, why, len);
}

/* Returns through fexit where bpf_get_func_ret (5.17+) reads the value:
 * one template, loaded against the first function it will serve. */
static int fexit_returns(const struct session *s)
{
	return s->o.returns && kbtf_enum_has(s->vmlinux, "bpf_func_id",
					     "BPF_FUNC_get_func_ret");
}

static int fexit_plan(struct session *s, struct attempt *a)
{
	struct bpf_program *t = s->fskel->progs.fx_ret;
	int ret;

	if (!fexit_returns(s))
		return 0;
	for (size_t i = s->ntp; i < hooks_count(s->hooks); i++) {
		const struct hook *hk = hooks_get(s->hooks, (__u32)i);

		if (hk->module[0] || !sess_wants_return(hk))
			continue;
		ret = bpf_program__set_autoload(t, true);
		if (!ret)
			ret = bpf_program__set_attach_target(t, 0, hk->name);
		if (ret)
			snprintf(a->why, sizeof(a->why),
				 "cannot target fx_ret at %s: %s", hk->name,
				 strerror(-ret));
		return ret;
	}
	return 0;
}

/* An fexit copy for each function attached: failures only cost their
 * returns. */
static void fexit_attach(struct session *s)
{
	struct bpf_program *t = s->fskel->progs.fx_ret;
	struct attach_req *r;
	size_t n = 0;

	if (!fexit_returns(s) || bpf_program__fd(t) < 0)
		return;
	r = calloc(hooks_count(s->hooks) - s->ntp + 1, sizeof(*r));
	if (!r)
		return;
	for (size_t i = s->ntp; i < hooks_count(s->hooks); i++) {
		const struct hook *hk = hooks_get(s->hooks, (__u32)i);

		if (hk->attached == 1 && !hk->module[0] &&
		    sess_wants_return(hk))
			r[n++] = (struct attach_req){ .tmpl = t,
						      .hook_id = (__u32)i,
						      .btf_id = hk->btf_id };
	}
	if (attach_copies_btf(s->links, r, n, 0, NULL, NULL) >= 0)
		for (size_t k = 0; k < n; k++) {
			if (r[k].ret)
				s->ret_failed++;
			else
				s->ret_attached++;
		}
	free(r);
}

/* Open the template object on the main object's maps and choose its
 * programs: each loaded against the first function it serves. */
static int open_templates(struct session *s, struct attempt *a)
{
	struct bpf_program *prog;
	struct bpf_map *m;
	int ret;

	s->fskel = skel_open(s->o.kernel_btf);
	if (!s->fskel) {
		ret = -errno;
		snprintf(a->why, sizeof(a->why),
			 "cannot open the fentry "
			 "BPF object: %s",
			 strerror(-ret));
		return ret;
	}
	ret = templates_resolve(&s->ftmpl, s->fskel->obj, a->why,
				sizeof(a->why));
	if (ret)
		return ret;
	bpf_object__for_each_map(m, s->fskel->obj)
	{
		struct bpf_map *mine = bpf_object__find_map_by_name(
			s->skel->obj, bpf_map__name(m));

		if (mine && bpf_map__fd(mine) >= 0) {
			ret = bpf_map__reuse_fd(m, bpf_map__fd(mine));
			if (ret) {
				snprintf(a->why, sizeof(a->why),
					 "cannot share "
					 "map %s: %s",
					 bpf_map__name(m), strerror(-ret));
				return ret;
			}
		}
	}
	bpf_object__for_each_program(prog, s->fskel->obj)
		bpf_program__set_autoload(prog, false);
	for (size_t i = s->ntp; i < hooks_count(s->hooks); i++) {
		const struct hook *hk = hooks_get(s->hooks, (__u32)i);
		struct bpf_program *t = template_prog(&s->ftmpl, hk, BK_FENTRY);

		if (hk->module[0] || !t || bpf_program__autoload(t))
			continue;
		ret = bpf_program__set_autoload(t, true);
		if (!ret)
			ret = bpf_program__set_attach_target(t, 0, hk->name);
		if (ret) {
			snprintf(a->why, sizeof(a->why),
				 "cannot target %s at "
				 "%s: %s",
				 bpf_program__name(t), hk->name,
				 strerror(-ret));
			return ret;
		}
	}
	for (size_t c = 0; c < TEMPLATE_COPIES; c++) {
		const char *fn = template_copy_fn(c);
		struct bpf_program *t = template_copy_prog(&s->ftmpl, c,
							   BK_FENTRY, 1);

		if (btf__find_by_name_kind(s->vmlinux, fn, BTF_KIND_FUNC) < 0 ||
		    bpf_program__autoload(t))
			continue;
		ret = bpf_program__set_autoload(t, true);
		if (!ret)
			ret = bpf_program__set_attach_target(t, 0, fn);
		if (ret) {
			snprintf(a->why, sizeof(a->why),
				 "cannot target %s at "
				 "%s: %s",
				 bpf_program__name(t), fn, strerror(-ret));
			return ret;
		}
	}
	ret = fexit_plan(s, a);
	if (ret)
		return ret;
	ret = skbscope_bpf__load(s->fskel);
	if (ret)
		snprintf(a->why, sizeof(a->why), "BPF trampolines refused (%s)",
			 strerror(-ret));
	return ret;
}

static int fentry_attach(struct session *s, struct attempt *a)
{
	size_t n = 0;
	struct attach_req *r;
	int ret = open_templates(s, a);

	if (ret)
		return ret;
	/* One copy per function. */
	r = calloc(hooks_count(s->hooks) - s->ntp + 1, sizeof(*r));
	if (!r) {
		snprintf(a->why, sizeof(a->why), "out of memory");
		return -ENOMEM;
	}
	for (size_t i = s->ntp; i < hooks_count(s->hooks); i++) {
		const struct hook *hk = hooks_get(s->hooks, (__u32)i);

		if (hk->module[0]) {
			sess_hook_failed(s, (__u32)i, -EOPNOTSUPP,
					 "fentry on "
					 "module functions needs --backend "
					 "kprobe");
			progress_add(a->prog, 1, 1);
			continue;
		}
		r[n++] = (struct attach_req){ .tmpl = template_prog(
						      &s->ftmpl, hk, BK_FENTRY),
					      .hook_id = (__u32)i,
					      .btf_id = hk->btf_id };
	}
	ret = sess_attach_copies(s, r, n, a, a->prog);
	free(r);
	if (!ret && a->ok)
		fexit_attach(s);
	if (!ret && !a->ok)
		snprintf(a->why, sizeof(a->why),
			 "no function could be "
			 "attached");
	return ret;
}

/* fexit sees the source and the copy at once: one copy each. */
static size_t fentry_follow(struct session *s)
{
	size_t n = 0;

	for (size_t c = 0; s->fskel && c < TEMPLATE_COPIES; c++) {
		const char *fn = template_copy_fn(c);
		struct bpf_program *t = template_copy_prog(&s->ftmpl, c,
							   BK_FENTRY, 1);
		__s32 id = btf__find_by_name_kind(s->vmlinux, fn,
						  BTF_KIND_FUNC);
		char why[128];

		if (id > 0 && bpf_program__fd(t) >= 0 &&
		    !attach_copy_btf(s->links, t, SKBS_HOOK_BY_IP, (__u32)id, 0,
				     why, sizeof(why)))
			n++;
	}
	return n;
}

static void close_copy(struct session *s, size_t i)
{
	attach_close(s->links, i);
}

/* The copies (the tracepoint fallback's too), then the templates. */
static void fentry_detach(struct session *s, struct progress *p)
{
	sess_detach_each(s, attach_count(s->links), close_copy, p);
	attach_set_clear(s->links);
	skbscope_bpf__destroy(s->fskel);
	s->fskel = NULL;
}

const struct backend_ops backend_fentry = {
	.name = "fentry",
	.funcs = 1,
	.precheck = fentry_precheck,
	.attach = fentry_attach,
	.follow = fentry_follow,
	.detach = fentry_detach,
};
