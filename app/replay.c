// SPDX-License-Identifier: GPL-2.0
/*
 * --replay: a recording played back through the same printers, or through
 * the explorer, with no BPF and no privilege.
 */

#include <stdlib.h>
#include <string.h>

#include <unistd.h>
#include "app/app.h"
#include "core/explain.h"
#include "core/nsnames.h"

#include "core/record.h"
#include "core/replay.h"
#include "tui/explorer.h"

/* The recorded explanation of the event replay_poll is handing over. */
struct replay_src {
	struct replay *rp;
	struct app *a;
};

static int rsrc_poll(void *ctx, int max,
		     int (*fn)(void *fctx, const struct skbs_event *ev,
			       const char *tail),
		     void *fctx)
{
	return replay_poll(((struct replay_src *)ctx)->rp, max, fn, fctx);
}

static int rsrc_stack(void *ctx, __s32 id, __u64 *ips, int max)
{
	return replay_stack(((struct replay_src *)ctx)->rp, id, ips, max);
}

static int rsrc_counters(void *ctx, __u64 *c)
{
	return replay_counters(((struct replay_src *)ctx)->rp, c);
}

static int rsrc_explain(void *ctx, const struct skbs_event *ev,
			const char *tail, struct explain *out)
{
	const struct explain *e =
		app_explain_event(((struct replay_src *)ctx)->a, ev, tail);

	if (e)
		*out = *e;
	else
		memset(out, 0, sizeof(*out));
	return 0;
}

static void rsrc_set_return_fn(void *ctx,
			       void (*fn)(void *fctx,
					  const struct skbs_return *r,
					  int kind),
			       void *fctx)
{
	rec_set_return_fn(((struct replay_src *)ctx)->a->replay, fn, fctx);
}

/* --replay on a terminal: the explorer, fed from the file. */
/* A recorded cgroup name, for the events after it. */
static void replay_cgroup(void *ctx, __u64 id, const char *name)
{
	struct app *a = ctx;

	nsnames_put_cgroup(a->names, id, name);
}

static int replay_tui(struct app *a, const struct rec_meta *m)
{
	struct tui_opts to = { 0 };
	struct tui_stats ts = { 0 };
	struct tui_source src = { 0 };
	struct replay_src rs;
	struct replay *rp;
	char err[512];
	int ret;

	if (replay_new(a->replay, a->cli.replay, &rp)) {
		fprintf(stderr, "skbscope: out of memory\n");
		return 1;
	}
	rs = (struct replay_src){ rp, a };
	src.ctx = &rs;
	src.hooks = rec_hooks(a->replay);
	src.reasons = rec_reasons(a->replay);
	src.backend = m->backend[0] ? m->backend : "replay";
	src.pcap_mode = "bpf_loop or bounded loop";
	src.poll = rsrc_poll;
	src.counters = rsrc_counters;
	src.stack = rsrc_stack;
	src.explain = rsrc_explain;
	src.set_return_fn = rsrc_set_return_fn;
	to.color = !a->cli.no_color && !getenv("NO_COLOR");
	to.mouse = !a->cli.no_mouse;
	to.keymap = a->cli.keymap;
	to.max_packets = a->cli.max_packets;
	to.filter = a->cli.filter;
	/* What the recorded metadata values are: the detail pane names
	 * them. */
	snprintf(to.filter.meta_text, sizeof(to.filter.meta_text), "%s",
		 m->meta_names);
	to.ksyms = rec_ksyms(a->replay);
	to.note = replay_status(rp);
	to.realtime_offset_ns = m->realtime_offset_ns;
	to.names = a->names; /* the recorded cgroup names */
	if (a->pcap) {
		to.tap = app_tap_event;
		to.tap_ctx = a;
	}
	ret = tui_run_source(&src, &to, &app_stop, &ts, err, sizeof(err));
	if (ret)
		fprintf(stderr, "skbscope: %s\n", err);
	fprintf(stderr, "skbscope: %s\n", replay_status(rp));
	ret = ret ? 1 : replay_error(rp) ? 2 : 0;
	replay_free(rp);
	return ret;
}

/* --replay: a recording through the same printers as a live run, with
 * the names and symbols it carries; no root, no BPF. */
int app_replay_main(struct app *a)
{
	struct line_opts lopt = { 0 };
	const struct rec_meta *m;
	const struct skbs_event *ev;
	const char *tail;
	char err[512], line[512], when[64];
	struct tm tm;
	time_t t;
	int ret, rc = 0;

	if ((a->cli.filter.flags & ~(SKBS_F_TRACK | SKBS_F_STACKID)) ||
	    a->cli.func_regex || a->cli.exclude_regex) {
		fprintf(stderr,
			"skbscope: --replay: filters run in the kernel "
			"while tracing; a replay shows what was recorded\n");
		return 2;
	}
	ret = rec_open(a->cli.replay, &a->replay, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "skbscope: --replay: %s\n", err);
		return 2;
	}
	m = rec_meta(a->replay);
	app_catch_signals();
	if (app_open_outputs(a, m->realtime_offset_ns)) {
		rec_close_reader(a->replay);
		return 2;
	}
	t = (time_t)(m->start_realtime_ns / 1000000000LL);
	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(stderr,
		"skbscope: replaying %s: recorded on %s (kernel %s, "
		"%s backend) at %s\n",
		a->cli.replay, m->host, m->kernel, m->backend, when);
	lopt.caller = a->cli.caller;
	lopt.tcp_flags = a->cli.tcp_flags;
	lopt.tunnel = a->cli.tunnel;
	lopt.meta = a->cli.meta;
	lopt.tuple = a->cli.tuple;
	lopt.ts = a->cli.ts;
	lopt.realtime_offset_ns = m->realtime_offset_ns;
	lopt.meta_names = m->meta_names;
	lopt.cgroup = a->cli.cgroup;
	lopt.netns_names = a->cli.netns_names;
	if (line_out_new(&lopt, rec_hooks(a->replay), rec_reasons(a->replay),
			 &a->lo)) {
		fprintf(stderr, "skbscope: out of memory\n");
		rc = 1;
		goto out;
	}
	line_out_set_ksyms(a->lo, rec_ksyms(a->replay));
	/* Names from the recording only: this box's namespaces and cgroups
	 * are not the recorded ones, so none is looked up here. */
	if (!nsnames_new(NULL, NULL, NULL, a->cli.netns_names_max, &a->names)) {
		line_out_set_names(a->lo, a->names);
		rec_set_cgroup_fn(a->replay, replay_cgroup, a);
	}
	a->ksyms_tried = 1;
	/* A recording made with --output-return shows them again. */
	rec_set_return_fn(a->replay, app_print_return, a);
	/* Explanations come from the file: nothing is asked of this kernel. */
	if (app_explain_start(a)) {
		fprintf(stderr, "skbscope: out of memory\n");
		rc = 1;
		goto out;
	}
	if (!a->cli.no_tui && !a->cli.json && !a->cli.output_file &&
	    isatty(STDOUT_FILENO) && isatty(STDIN_FILENO)) {
		rc = replay_tui(a, m);
		goto out;
	}
	if (!a->cli.json) {
		line_header(a->lo, line, sizeof(line));
		fprintf(a->out, "%s\n", line);
	}
	while (!app_stop) {
		ret = rec_next(a->replay, &ev, &tail, &a->rstack, &a->rnstack,
			       err, sizeof(err));
		if (ret <= 0)
			break;
		if (app_print_event(a, ev, tail))
			break;
	}
	if (ret < 0) {
		fflush(a->out);
		fprintf(stderr, "skbscope: --replay: %s\n", err);
		rc = 2;
	} else if (!ret && rec_end_counters(a->replay)) {
		const __u64 *c = rec_end_counters(a->replay);

		fprintf(stderr,
			"skbscope: %lld events replayed; when "
			"recorded: %llu matched the filter, %llu lost (ring "
			"buffer full), %llu hook hits in all\n",
			a->printed, (unsigned long long)c[SKBS_C_MATCHED],
			(unsigned long long)c[SKBS_C_LOST],
			(unsigned long long)c[SKBS_C_SEEN]);
	} else {
		fprintf(stderr, "skbscope: %lld events replayed\n", a->printed);
	}
out:
	rc = app_close_outputs(a, rc);
	app_explain_stop(a);
	line_out_free(a->lo);
	nsnames_free(a->names);
	a->names = NULL;
	rec_close_reader(a->replay);
	return rc;
}
