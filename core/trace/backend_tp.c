// SPDX-License-Identifier: GPL-2.0
/*
 * The tracepoint backend: BTF-typed tracepoints (tp_btf), one retargeted
 * copy of a template per tracepoint (core/trace/attach.c). It needs no
 * kprobes and no trampolines, so it is the last resort that works almost
 * everywhere; it also gives probe backends their drop reasons when no
 * reason function can be probed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "core/hooks.h"
#include "core/trace/attach.h"
#include "core/trace/session_internal.h"

/* Is tracepoint hk attached: by the backend itself (all), or as the
 * drop-reason fallback of a probe backend? */
static int tp_selected(const struct session *s, const struct hook *hk, int all)
{
	char label[160];

	if (hk->kind != HOOK_TRACEPOINT)
		return 0;
	if (!all)
		return !s->reason_fn && !strcmp(hk->name, "kfree_skb");
	if (!s->have_re)
		return 1;
	if (!regexec(&s->re, hk->name, 0, NULL, 0))
		return 1;
	return !regexec(&s->re, hook_label(hk, label, sizeof(label)), 0, NULL,
			0);
}

int tp_plan(struct session *s, char *err, size_t errlen)
{
	int all = !!(s->cand & (1u << BK_TP));

	/* Each template is loaded against the first hook it serves; the
	 * copies made at attach time retarget it. */
	for (size_t i = 0; i < s->ntp; i++) {
		const struct hook *hk = hooks_get(s->hooks, (__u32)i);
		struct bpf_program *t;
		int ret;

		if (!tp_selected(s, hk, all) ||
		    !(t = template_prog(&s->tmpl, hk, BK_TP)) ||
		    bpf_program__autoload(t))
			continue;
		ret = bpf_program__set_autoload(t, true);
		if (!ret)
			ret = bpf_program__set_attach_target(t, 0, hk->name);
		if (ret) {
			snprintf(err, errlen,
				 "cannot target %s at "
				 "tracepoint %s: %s",
				 bpf_program__name(t), hk->name,
				 strerror(-ret));
			return ret;
		}
	}
	return 0;
}

int tp_attach(struct session *s, struct attempt *a, int all)
{
	struct attach_req *r = calloc(s->ntp ? s->ntp : 1, sizeof(*r));
	size_t n = 0;
	int ret;

	if (!r) {
		snprintf(a->why, sizeof(a->why), "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < s->ntp; i++) {
		const struct hook *hk = hooks_get(s->hooks, (__u32)i);
		struct bpf_program *t;

		if (!tp_selected(s, hk, all))
			continue;
		t = template_prog(&s->tmpl, hk, BK_TP);
		if (!t || bpf_program__fd(t) < 0) {
			sess_hook_failed(s, (__u32)i, -EOPNOTSUPP, "");
			continue;
		}
		r[n++] = (struct attach_req){ .tmpl = t,
					      .hook_id = (__u32)i,
					      .btf_id = hk->btf_id };
	}
	/* No progress: tracepoints are few, and the count is in
	 * functions. */
	ret = sess_attach_copies(s, r, n, a, NULL);
	free(r);
	return ret;
}

static int tp_backend_attach(struct session *s, struct attempt *a)
{
	return tp_attach(s, a, 1);
}

static void close_copy(struct session *s, size_t i)
{
	attach_close(s->links, i);
}

/* Also undoes the drop-reason fallback of a probe backend. */
static void tp_detach(struct session *s, struct progress *p)
{
	sess_detach_each(s, attach_count(s->links), close_copy, p);
	attach_set_clear(s->links);
}

const struct backend_ops backend_tp = {
	.name = "tracepoint",
	.attach = tp_backend_attach,
	.detach = tp_detach,
};
