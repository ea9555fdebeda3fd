// SPDX-License-Identifier: GPL-2.0
/*
 * The live source for the explorer: a tracing session's ring buffer, config
 * map and stack map, and the drop explainer, behind struct tui_source, so
 * that tui/ sees the same interface for a live trace as for a replay and
 * links nothing of core/trace.
 */
#include <string.h>
#include "app/app.h"
#include "core/explain.h"
#include "core/trace/session.h"
#include "tui/explorer.h"

static int live_poll(void *ctx, int max,
		     int (*fn)(void *fctx, const struct skbs_event *ev,
			       const char *tail),
		     void *fctx)
{
	struct app *a = ctx;

	(void)max; /* fn stops the drain once it has its batch */
	app_explain_poll(a);
	return session_poll(a->s, 0, fn, fctx);
}

/* A filter typed in the explorer goes to the kernel and to the trace
 * rules, so that what is explained is what is shown. */
static int live_set_filter(void *ctx, const struct skbs_filter *f)
{
	struct app *a = ctx;
	int ret = session_set_filter(a->s, f);

	if (!ret)
		app_explain_filter(a, f);
	return ret;
}

static int live_counters(void *ctx, __u64 *c)
{
	return session_counters(((struct app *)ctx)->s, c);
}

static int live_stack(void *ctx, __s32 id, __u64 *ips, int max)
{
	return session_stack(((struct app *)ctx)->s, id, ips, max);
}

static int live_explain(void *ctx, const struct skbs_event *ev,
			const char *tail, struct explain *out)
{
	const struct explain *e = app_explain_event(ctx, ev, tail);

	if (e)
		*out = *e;
	else
		memset(out, 0, sizeof(*out));
	return 0;
}

static void live_set_return_fn(void *ctx,
			       void (*fn)(void *fctx,
					  const struct skbs_return *r,
					  int kind),
			       void *fctx)
{
	struct app *a = ctx;

	a->on_return = fn;
	a->on_return_ctx = fctx;
}

static int live_set_muted(void *ctx, __u32 hook, int on)
{
	return session_mute(((struct app *)ctx)->s, hook, on);
}

static int live_cost(void *ctx, __u64 *run_ns, __u64 *missed)
{
	struct session_cost k;
	int ret = session_cost(((struct app *)ctx)->s, &k);

	*run_ns = k.run_ns;
	*missed = k.recursion_misses + k.kprobe_missed;
	return ret;
}

static int live_hook_cost(void *ctx, __u64 *ns, size_t n, int *estimated)
{
	return session_hook_cost(((struct app *)ctx)->s, ns, n, estimated);
}

static int live_count_runs(void *ctx, int on)
{
	return session_count_runs(((struct app *)ctx)->s, on);
}

static const char *live_explain_note(void *ctx)
{
	return app_explain_note(ctx);
}

void app_live_source(struct app *a, struct tui_source *src)
{
	const char *why = NULL;

	*src = (struct tui_source){
		.ctx = a,
		.hooks = session_hooks(a->s),
		.reasons = session_reasons(a->s),
		.backend = session_backend(a->s),
		.pcap_mode = session_pcap_mode(a->s),
		.attached = session_attached(a->s),
		.failed = session_failed(a->s),
		.poll = live_poll,
		.set_filter = live_set_filter,
		.counters = live_counters,
		.stack = live_stack,
		.explain = live_explain,
		.explain_note = live_explain_note,
		.cost = live_cost,
		.hook_cost = live_hook_cost,
		.count_runs = live_count_runs,
		.set_muted = live_set_muted,
		.set_return_fn = a->cli.returns || a->cli.trace_tc ||
						 a->cli.trace_xdp ?
					 live_set_return_fn :
					 NULL,
	};
	/* Short: the timeline's title says it after "flat: ". */
	if (!strcmp(session_backend(a->s), "tracepoint"))
		src->no_returns = "tracepoints have no returns";
	else if (!a->cli.returns)
		src->no_returns = "--output-return gives the call tree";
	else if (!session_returns_attached(a->s, NULL, &why))
		src->no_returns = why;
}
