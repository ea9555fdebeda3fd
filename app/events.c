// SPDX-License-Identifier: GPL-2.0
/*
 * Where each event goes: the line or JSON printer, the recording and the
 * pcap-ng file; and how a run ends, with the ring buffer drained and a
 * summary whose counts add up.
 */
#include <errno.h>

#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "core/event.h"
#include "core/explain.h"
#include "core/hooks.h"
#include "core/ksyms.h"
#include "core/nsnames.h"
#include "core/lib/clock.h"
#include "core/output_json.h"
#include "core/output_pcap.h"
#include "core/record.h"
#include "core/trace/session.h"

/* kallsyms is read on first need: most runs print no location. */
const struct ksyms *app_ksyms(struct app *a)
{
	int ret;

	if (a->replay)
		return rec_ksyms(a->replay);
	if (!a->ksyms_tried) {
		a->ksyms_tried = 1;
		ret = ksyms_load("/proc/kallsyms", &a->ksyms);
		if (ret)
			fprintf(stderr,
				"skbscope: cannot read kernel symbols "
				"from /proc/kallsyms (%s): addresses are shown "
				"raw\n",
				strerror(-ret));
		else
			line_out_set_ksyms(a->lo, a->ksyms);
	}
	return a->ksyms;
}

/* The event's kernel stack: recorded (replay) or from the kernel's map,
 * read once per event for every output that wants it. Returns the depth,
 * 0 when none was asked for, or -errno when it was asked for but is gone. */
static int event_ips(struct app *a, const struct skbs_event *ev, __u64 *buf,
		     const __u64 **ips)
{
	int n;

	*ips = buf;
	if (a->replay) {
		*ips = a->rstack;
		n = a->rnstack;
		if (!n && ev->stack_id < -1)
			n = ev->stack_id;
	} else {
		n = session_stack(a->s, ev->stack_id, buf, SKBS_STACK_DEPTH);
	}
	if (n < 0)
		return ev->stack_id == -1 ? 0 :
		       ev->stack_id < 0   ? ev->stack_id :
					    n;
	return n;
}

static void pcap_event(struct app *a, const struct skbs_event *ev,
		       const char *tail)
{
	char comment[512];
	int ret;

	if (!a->pcap || a->pcap_err)
		return;
	if (ev->flags & SKBS_EV_DROP)
		app_ksyms(a);
	line_comment(a->lo, ev, comment, sizeof(comment));
	ret = pcapng_write(a->pcap, ev, (const unsigned char *)tail, comment);
	if (ret)
		a->pcap_err = ret;
}

/* --record: the event, its stack and the symbols it needs. Flushed about
 * once a second, so a recording killed hard loses at most that. */
static void rec_event(struct app *a, const struct skbs_event *ev,
		      const char *tail, const __u64 *ips, int n,
		      const struct explain *why)
{
	int ret;

	if (!a->rec || a->rec_err)
		return;
	if (n < 0)
		n = 0;
	if (ev->location || ev->caller || ev->ip || n)
		app_ksyms(a);
	if (ev->hook != SKBS_HOOK_BY_IP) {
		ret = rec_write_hooks(a->rec, session_hooks(a->s),
				      (size_t)ev->hook + 1);
		if (ret)
			a->rec_err = ret;
	}
	/* A replay elsewhere names the event's cgroup from this. */
	if ((ev->flags2 & SKBS_EV2_CGROUP) && a->names) {
		const char *cg = nsnames_cgroup(a->names, ev->cgroup);

		ret = cg ? rec_write_cgroup(a->rec, ev->cgroup, cg) : 0;
		if (ret && ret != -EINVAL)
			a->rec_err = ret;
	}
	/* Just before its event: the reader pairs them so. */
	if (why && why->kind != EXPLAIN_NONE) {
		ret = rec_write_explain(a->rec, ev, why);
		if (ret && ret != -EINVAL)
			a->rec_err = ret;
	}
	ret = rec_write_event(a->rec, ev, tail, ips, n, a->ksyms);
	if (ret && ret != -EINVAL)
		a->rec_err = ret;
	/* About once a second, as core/record asks of its callers. */
	if (mono_ns() - a->rec_flushed >= 1000000000LL) {
		a->rec_flushed = mono_ns();
		ret = rec_flush(a->rec);
		if (ret)
			a->rec_err = ret;
	}
}

/* Explorer mode: every event also goes to the pcap-ng file and the
 * recording. */
int app_tap_event(void *ctx, const struct skbs_event *ev, const char *tail)
{
	struct app *a = ctx;
	__u64 buf[SKBS_STACK_DEPTH];
	const __u64 *ips = buf;
	int n = 0;

	pcap_event(a, ev, tail);
	if (a->rec)
		n = event_ips(a, ev, buf, &ips);
	rec_event(a, ev, tail, ips, n,
		  a->rec ? app_explain_event(a, ev, tail) : NULL);
	return 0;
}

/* --output-bpfmap: a map's name by id, asked of the kernel once (a
 * replay has no kernel to ask: ""). */
static const char *map_name(struct app *a, __u32 id)
{
	static struct {
		__u32 id;
		char name[16];
	} cache[32];
	static unsigned next;
	unsigned i;

	for (i = 0; i < 32; i++)
		if (cache[i].id == id)
			return cache[i].name;
	if (!a->s)
		return "";
	i = next++ % 32;
	cache[i].id = id;
	if (session_map_name(id, cache[i].name, sizeof(cache[i].name)))
		cache[i].name[0] = '\0';
	return cache[i].name;
}

/* One JSON object, with the --output-skb-metadata member and the map
 * operation's (--output-bpfmap) spliced in before its closing brace. */
static void put_json(struct app *a, const char *obj,
		     const struct skbs_event *ev, const char *tail)
{
	char meta[1024] = "", m[512] = "";
	size_t l = strlen(obj);

	if (ev->nmeta)
		json_meta(a->lo, ev, tail, meta, sizeof(meta));
	if (a->cli.bpfmap &&
	    !line_bpfmap(ev, tail, map_name(a, ev->aux), 1, m, sizeof(m)))
		m[0] = '\0';
	if ((!meta[0] && !m[0]) || !l || obj[l - 1] != '}') {
		fprintf(a->out, "%s\n", obj);
		return;
	}
	fprintf(a->out, "%.*s%s%s%s%s}\n", (int)l - 1, obj, meta[0] ? "," : "",
		meta, m[0] ? "," : "", m);
}

/* The dumps after an event's lines: skb, then shared info, then cb, as
 * pwru prints them; a cut dump says so, with what lifts the limit. */
static void print_dumps(struct app *a, const struct skbs_event *ev,
			const char *tail)
{
	struct event_dumps d;

	if (event_dumps(ev, tail, &d))
		return;
	if (d.skb)
		fprintf(a->out, "%.*s\n", (int)d.skb_len, d.skb);
	if (d.skb_cut)
		fprintf(a->out,
			"    (skb dump cut after %zu bytes: --set-percpu-buf N "
			"raises the limit)\n",
			d.skb_len);
	if (d.shinfo)
		fprintf(a->out, "%.*s\n", (int)d.shinfo_len, d.shinfo);
	if (d.shinfo_cut)
		fprintf(a->out,
			"    (skb_shared_info dump cut after %zu bytes: "
			"--set-percpu-buf N raises the limit)\n",
			d.shinfo_len);
	if (d.has_cb)
		fprintf(a->out,
			"    __sk_buff->cb[] = [0x%08x,0x%08x,0x%08x,0x%08x,"
			"0x%08x]\n",
			d.cb[0], d.cb[1], d.cb[2], d.cb[3], d.cb[4]);
}

int app_print_event(void *ctx, const struct skbs_event *ev, const char *tail)
{
	struct app *a = ctx;
	char line[1024];
	char syms[SKBS_STACK_DEPTH][LINE_SYM_MAX];
	__u64 buf[SKBS_STACK_DEPTH];
	const __u64 *ips = buf;
	const struct explain *why;
	int depth = 0, n = 0;

	if ((ev->flags & SKBS_EV_DROP) || ev->stack_id >= 0 || ev->caller)
		app_ksyms(a);
	why = app_explain_event(a, ev, tail);
	pcap_event(a, ev, tail);
	if (a->cli.stack || a->rec)
		depth = event_ips(a, ev, buf, &ips);
	rec_event(a, ev, tail, ips, depth, why);
	/* n: symbols to show; -1 with --output-json means no "stack". */
	if (a->cli.stack && depth > 0)
		n = line_stack(a->lo, ips, depth, syms, SKBS_STACK_DEPTH);
	else if (!a->cli.stack)
		n = -1;
	if (a->cli.json) {
		const char *frames[SKBS_STACK_DEPTH];
		char *js;
		int len;

		for (int i = 0; i < n; i++)
			frames[i] = syms[i];
		len = json_format_tail(a->lo, ev, tail, frames, n, why, line,
				       sizeof(line));
		if (len < (int)sizeof(line)) {
			put_json(a, line, ev, tail);
		} else if ((js = malloc((size_t)len + 1))) {
			json_format_tail(a->lo, ev, tail, frames, n, why, js,
					 (size_t)len + 1);
			put_json(a, js, ev, tail);
			free(js);
		}
		goto counted;
	}
	line_format_tail(a->lo, ev, tail, line, sizeof(line));
	if (ev->nmeta) {
		char meta[512];

		line_meta(a->lo, ev, tail, meta, sizeof(meta));
		fprintf(a->out, "%s %s\n", line, meta);
	} else {
		fprintf(a->out, "%s\n", line);
	}
	/* The drop's explanation: one indented line under it. */
	if (why && why->kind != EXPLAIN_NONE)
		fprintf(a->out, "    why: %s\n", why->text);
	if (a->cli.bpfmap &&
	    line_bpfmap(ev, tail, map_name(a, ev->aux), 0, line, sizeof(line)))
		fprintf(a->out, "    %s\n", line);
	if (a->cli.stack && depth < 0)
		fprintf(a->out, "    (stack lost: %s)\n", strerror(-depth));
	for (int i = 0; i < n; i++)
		fprintf(a->out, "    %s\n", syms[i]);
	print_dumps(a, ev, tail);
counted:
	/* errno is the failed write's: the calls since only filled the
	 * buffer. */
	if (!a->out_err && ferror(a->out))
		a->out_err = errno ? errno : EIO;
	app_out_commit(a);
	a->printed++;
	if (a->cli.limit_lines && a->printed >= a->cli.limit_lines)
		return 1;
	/* libbpf drains the ring buffer until it is empty, which under a
	 * flood faster than we print (a terminal, --output-skb) may be never:
	 * end the app_drain so the loop sees the signal. The final app_drain, with
	 * the programs detached, is bounded by the ring and runs to the end. */
	return app_stop && !a->draining ? 1 : 0;
}

void app_print_return(void *ctx, const struct skbs_return *r, int kind)
{
	struct app *a = ctx;
	char line[512];

	if (a->tui) {
		if (a->on_return)
			a->on_return(a->on_return_ctx, r, kind);
		return;
	}
	if (ferror(a->out) ||
	    (a->cli.limit_lines && a->printed >= a->cli.limit_lines))
		return;
	if (a->cli.json)
		json_return(a->lo, r, kind, line, sizeof(line));
	else
		line_return(a->lo, r, kind, line, sizeof(line));
	fprintf(a->out, "%s\n", line);
	app_out_commit(a);
}

void app_on_return(void *ctx, const struct skbs_return *r)
{
	struct app *a = ctx;
	const struct hook *hk = hooks_get(session_hooks(a->s), r->hook);
	int kind = hk ? hk->ret_kind : 0;

	app_explain_return(a, r, kind);
	if (a->rec) {
		int ret = rec_write_return(a->rec, r, kind);

		if (ret && ret != -EINVAL)
			a->rec_err = ret;
	}
	app_print_return(a, r, kind);
}

/*
 * Stop producing, then empty the ring buffer: what was still in it at the
 * end is printed, recorded or at least counted, never dropped unseen.
 * After this the counters add up exactly (see session_received).
 */
void app_drain(struct app *a)
{
	session_event_fn fn = NULL;
	long long n;

	if (a->tui)
		fn = a->pcap || a->rec ? app_tap_event : NULL;
	else if (!ferror(a->out) &&
		 !(a->cli.limit_lines && a->printed >= a->cli.limit_lines))
		fn = app_print_event;
	session_stop(a->s);
	a->draining = 1;
	n = session_drain(a->s, fn, a);
	if (n < 0)
		fprintf(stderr, "skbscope: reading the last events: %s\n",
			strerror((int)-n));
	fflush(a->out);
}

/* The exit app_summary: every event the filter matched is either received or
 * counted lost, and the two are shown side by side. */
void app_summary(struct app *a)
{
	__u64 c[SKBS_C_MAX] = { 0 }, got = session_received(a->s);
	__u64 bad = session_bad_records(a->s);
	int ret = session_counters(a->s, c);

	if (!a->tui)
		fprintf(stderr, "skbscope: %lld events printed; ", a->printed);
	else
		fprintf(stderr, "skbscope: ");
	if (ret) {
		fprintf(stderr,
			"%llu received; the kernel's counters cannot be "
			"read (%s); %zu hooks on the %s backend\n",
			(unsigned long long)got, strerror(-ret),
			session_attached(a->s), session_backend(a->s));
		return;
	}
	fprintf(stderr,
		"%llu matched the filter: %llu received, %llu lost "
		"(ring buffer full)",
		(unsigned long long)c[SKBS_C_MATCHED], (unsigned long long)got,
		(unsigned long long)c[SKBS_C_LOST]);
	if (bad)
		fprintf(stderr, ", %llu malformed", (unsigned long long)bad);
	if (session_self_events(a->s))
		fprintf(stderr,
			" (%llu of them skbscope's own netlink messages, "
			"not shown)",
			(unsigned long long)session_self_events(a->s));
	if (c[SKBS_C_MATCHED] != got + c[SKBS_C_LOST])
		fprintf(stderr, ", %lld unaccounted for",
			(long long)(c[SKBS_C_MATCHED] - got - c[SKBS_C_LOST]));
	/* Returns add up on their own: written = received (lost apart). */
	if (a->cli.returns)
		fprintf(stderr, "; %llu returns: %llu received, %llu lost%s",
			(unsigned long long)(c[SKBS_C_RET] +
					     c[SKBS_C_RET_LOST]),
			(unsigned long long)session_returns(a->s),
			(unsigned long long)c[SKBS_C_RET_LOST],
			c[SKBS_C_RET] == session_returns(a->s) ?
				"" :
				" (some unaccounted for)");
	fprintf(stderr,
		"; %llu hook hits in all; %zu hooks on the %s "
		"backend\n",
		(unsigned long long)c[SKBS_C_SEEN], session_attached(a->s),
		session_backend(a->s));
	app_cost_summary(a);
}

/* What the programs cost the box and what the kernel skipped: the
 * losses that are not the ring buffer's. */
void app_cost_summary(struct app *a)
{
	struct session_cost k;
	double secs = a->attached_at ? (mono_ns() - a->attached_at) / 1e9 : 0;
	int on = !session_cost(a->s, &k);

	fprintf(stderr, "skbscope: BPF: ");
	if (on && k.runs && secs > 0)
		fprintf(stderr,
			"%llu runs, %.0f ns each, %.3f%% of one CPU "
			"over %.1f s; ",
			(unsigned long long)k.runs, (double)k.run_ns / k.runs,
			100.0 * (double)k.run_ns / 1e9 / secs, secs);
	else if (on)
		fprintf(stderr, "no runs; ");
	else
		fprintf(stderr,
			"run time not measured (BPF_ENABLE_STATS refused); ");
	fprintf(stderr,
		"%llu runs skipped by the kernel's recursion protection, "
		"%llu kprobe hits missed\n",
		(unsigned long long)k.recursion_misses,
		(unsigned long long)k.kprobe_missed);
	/* Which probes lost runs: the ones to exclude or mute. */
	for (size_t i = 0; i < k.ntop_missed; i++) {
		const struct hook *h = hooks_get(session_hooks(a->s),
						 k.top_missed[i].hook);

		fprintf(stderr, "%s%s %llu%s",
			i ? ", " : "skbscope: skipped most: ",
			h ? h->name : "?",
			(unsigned long long)k.top_missed[i].misses,
			i + 1 == k.ntop_missed ? "\n" : "");
	}
}
