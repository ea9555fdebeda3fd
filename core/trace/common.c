// SPDX-License-Identifier: GPL-2.0
/*
 * What the parts of a session share (session_internal.h), as bpftool's
 * common.c: notes for the user, hooks marked attached or failed, kprobe
 * links kept until detach, BTF copies attached, and detaching in
 * parallel. Nothing here needs the skeleton, so the backends that use
 * only this stay linkable into the unit tests.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "core/hooks.h"
#include "core/lib/parfor.h"
#include "core/lib/vec.h"
#include "core/trace/attach.h"
#include "core/trace/funcs.h"
#include "core/trace/session_internal.h"

void sess_note(struct session *s, const char *fmt, ...)
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

void sess_hook_attached(struct session *s, __u32 id)
{
	hooks_set_state(s->hooks, id, 1, NULL);
}

void sess_hook_failed(struct session *s, __u32 id, int err, const char *why)
{
	const struct hook *hk = hooks_get(s->hooks, id);
	char label[160], msg[sizeof(hk->why)];

	snprintf(msg, sizeof(msg), "%s%s%s", strerror(-err),
		 why && why[0] ? ": " : "", why ? why : "");
	hooks_set_state(s->hooks, id, err, msg);
	s->failed++;
	if (hk->kind == HOOK_TRACEPOINT)
		sess_note(s, "hook %s left out: %s",
			  hook_label(hk, label, sizeof(label)), hk->why);
}

int sess_keep_link(struct session *s, struct bpf_link *l)
{
	if (VEC_RESERVE(s->plinks, s->capplinks, s->nplinks + 1))
		return -ENOMEM;
	s->plinks[s->nplinks++] = l;
	return 0;
}

static void copies_progress(void *ctx, size_t done, size_t n)
{
	(void)n;
	progress_report(ctx, done);
}

int sess_attach_copies(struct session *s, struct attach_req *r, size_t n,
		       struct attempt *a, struct progress *p)
{
	int ret = attach_copies_btf(s->links, r, n, 0,
				    p ? copies_progress : NULL, p);

	progress_add(p, n, 0);
	if (ret < 0) {
		snprintf(a->why, sizeof(a->why),
			 "cannot attach %zu copies: "
			 "%s",
			 n, strerror(-ret));
		return ret;
	}
	for (size_t k = 0; k < n; k++) {
		if (r[k].ret) {
			sess_hook_failed(s, r[k].hook_id, r[k].ret, r[k].why);
		} else {
			sess_hook_attached(s, r[k].hook_id);
			a->ok++;
		}
	}
	return 0;
}

struct detach_run {
	struct session *s;
	void (*fn)(struct session *s, size_t i);
	struct progress *p;
};

static int detach_one(void *ctx, size_t i, int w)
{
	struct detach_run *run = ctx;

	(void)w;
	run->fn(run->s, i);
	return 0;
}

static void detach_progress(void *ctx, size_t done, size_t n)
{
	(void)n;
	progress_report(((struct detach_run *)ctx)->p, done);
}

void sess_detach_each(struct session *s, size_t n,
		      void (*fn)(struct session *s, size_t i),
		      struct progress *p)
{
	struct detach_run run = { s, fn, p };
	/* Detaching thousands of kprobes takes a while (each waits for
	 * RCU, and the kernel batches concurrent waits): in parallel, and
	 * saying so. A few dozen are done before threads would start. */
	int many = (p ? p->total : n) >= 64;
	struct parfor pf = { .fn = detach_one,
			     .ctx = &run,
			     .progress = many && p ? detach_progress : NULL,
			     .nthreads = many ? PARFOR_MAX_THREADS : 1 };

	parfor_run(&pf, n);
	progress_add(p, n, 0);
}

int sess_wants_return(const struct hook *hk)
{
	/* A function with no skb pushed no frame to pair (nonskb.bpf.h). */
	return !funcs_essential(hk->name) &&
	       !(hk->kind == HOOK_FUNCTION && hk->skb_pos == 0);
}
