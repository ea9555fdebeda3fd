// SPDX-License-Identifier: GPL-2.0
/*
 * The live source for the explorer: a tracing session's ring buffer, config
 * map and stack map behind struct tui_source, so that tui/ sees the same
 * interface for a live trace as for a replay and links nothing of core/trace.
 */
#include "app/app.h"
#include "core/trace/session.h"
#include "tui/explorer.h"

static int live_poll(void *ctx, int max,
		     int (*fn)(void *fctx, const struct skbs_event *ev,
			       const char *tail),
		     void *fctx)
{
	(void)max; /* fn stops the drain once it has its batch */
	return session_poll(ctx, 0, fn, fctx);
}

static int live_set_filter(void *ctx, const struct skbs_filter *f)
{
	return session_set_filter(ctx, f);
}

static int live_counters(void *ctx, __u64 *c)
{
	return session_counters(ctx, c);
}

static int live_stack(void *ctx, __s32 id, __u64 *ips, int max)
{
	return session_stack(ctx, id, ips, max);
}

void app_live_source(struct session *s, struct tui_source *src)
{
	*src = (struct tui_source){
		.ctx = s,
		.hooks = session_hooks(s),
		.reasons = session_reasons(s),
		.backend = session_backend(s),
		.pcap_mode = session_pcap_mode(s),
		.attached = session_attached(s),
		.failed = session_failed(s),
		.poll = live_poll,
		.set_filter = live_set_filter,
		.counters = live_counters,
		.stack = live_stack,
	};
}
