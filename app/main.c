// SPDX-License-Identifier: GPL-2.0
/*
 * skbscope: trace where packets go in the kernel and where they die.
 * This file wires the flags to a tracing session and a front end (the
 * explorer or lines); the rest of app/ handles events and files, and the
 * work is in core/ and tui/.
 */
#include <errno.h>
#include <linux/capability.h>
#include <bpf/libbpf.h>

#include <stdlib.h>

#include <unistd.h>
#include <sys/resource.h>
#include "app/app.h"
#include "core/trace/caps.h"
#include "core/trace/funcs.h"
#include "core/hooks.h"
#include "core/lib/clock.h"
#include "app/demo.h"
#include "core/ksyms.h"
#include "core/nsnames.h"

#include "core/trace/session.h"
#include "tui/explorer.h"

/* Header bytes the explorer decodes and shows, and a recording keeps when
 * --snaplen is not given: Ethernet, IPv4/IPv6 and the start of TCP/UDP. */
#define SNAPLEN_DEFAULT 64

/* SKBSCOPE_VERSION: git describe, or the tarball's VERSION (Makefile). */
#include "version.h"

volatile sig_atomic_t app_stop;
static const char *note_line;

static void on_signal(int sig)
{
	app_stop = sig;
}

/* libbpf talks on stderr about every failed attempt, including the ones
 * the backend fallback expects; keep it for --debug (as pwru) or
 * SKBSCOPE_DEBUG=1, each line marked as libbpf's. */
static int libbpf_debug = -1;

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	(void)level;
	if (libbpf_debug < 0)
		libbpf_debug = getenv("SKBSCOPE_DEBUG") != NULL;
	if (!libbpf_debug)
		return 0;
	fputs("libbpf: ", stderr);
	return vfprintf(stderr, fmt, ap);
}

static void note_cb(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "skbscope: %s\n", msg);
}

/*
 * Attach and detach progress on stderr once it takes long enough to
 * wonder: a count and a rate, redrawn in place on a terminal, a line every
 * two seconds otherwise (logs should not fill with carriage returns).
 */
static void progress_cb(void *ctx, const char *what, size_t done, size_t total)
{
	static long long start, last;
	static const char *last_what;
	static size_t last_done;
	static int tty = -1;
	long long now = mono_ns();
	double el, since;

	(void)ctx;
	if (tty < 0)
		tty = isatty(STDERR_FILENO);
	if (what != last_what || done < last_done) {
		last_what = what;
		start = last = now;
	}
	last_done = done;
	el = (now - start) / 1e9;
	since = (now - last) / 1e9;
	if (el < 0.5 || (done < total && since < (tty ? 0.1 : 2.0)))
		return;
	last = now;
	fprintf(stderr, "%sskbscope: %s %zu/%zu (%.0f/s)%s", tty ? "\r" : "",
		what, done, total, done / el,
		!tty || done == total ? "\n" : "");
}

/* Each kprobe is a perf event fd and each fentry copy a program and a
 * link: thousands of descriptors. */
static void raise_nofile(void)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r))
		return;
	if (r.rlim_max != RLIM_INFINITY && r.rlim_max < 65536) {
		struct rlimit want = { 65536, 65536 };

		if (!setrlimit(RLIMIT_NOFILE, &want))
			return;
	}
	r.rlim_cur = r.rlim_max;
	setrlimit(RLIMIT_NOFILE, &r);
}

/*
 * Least privilege: once the programs are attached, the ring buffer mapped
 * and the outputs open, little of root's power is needed. Filters go into
 * the config map and counters and stacks come out of maps through fds we
 * hold, events come through the mapping, and detaching is closing fds.
 * Kept:
 *   CAP_BPF        kernels before 6.5 with unprivileged BPF disabled (the
 *                  default) refuse every bpf() call without it, even on an
 *                  fd we hold; CAP_SYS_ADMIN where the kernel predates
 *                  CAP_BPF (5.8);
 *   CAP_SYSLOG     /proc/kallsyms shows addresses only to it, and symbols
 *                  are read on first need (a drop, a stack);
 *   CAP_NET_ADMIN, CAP_SYS_ADMIN  with --demo: deleting its namespaces
 *                  at exit; unless --no-explain: adding a trace table in
 *                  the namespace of a netfilter drop and changing its
 *                  rules with the filter (CAP_NET_ADMIN), and entering the
 *                  namespace of a drop to ask about its sockets, routes
 *                  and ruleset (CAP_SYS_ADMIN), and naming the process
 *                  behind a socket from /proc/PID/fd, which the kernel
 *                  shows only to a reader with all of that process's
 *                  capabilities (CAP_SYS_PTRACE).
 * A failure to drop is reported, not fatal: tracing still works.
 */
static void drop_privilege(int demo, int explain)
{
	int keep[5] = { CAP_SYSLOG, CAP_BPF }, n = 2, ret;

	if (demo || explain || !caps_known(CAP_BPF))
		keep[n++] = CAP_SYS_ADMIN;
	if (demo || explain)
		keep[n++] = CAP_NET_ADMIN;
	if (explain)
		keep[n++] = CAP_SYS_PTRACE;
	ret = caps_drop(keep, n);
	if (ret)
		fprintf(stderr,
			"skbscope: warning: cannot drop capabilities "
			"after attaching: %s\n",
			strerror(-ret));
}

static void list_hooks(struct session *s)
{
	const struct hooks *h = session_hooks(s);
	char label[128];

	printf("%-48s %s\n", "HOOK", "SKB-ARG");
	for (size_t i = 0; i < hooks_count(h); i++) {
		const struct hook *hk = hooks_get(h, i);

		printf("%-48s %d\n", hook_label(hk, label, sizeof(label)),
		       hk->skb_pos + 1);
	}
}

static void list_funcs(struct session *s)
{
	const struct funcs *fs = session_funcs(s);

	if (!fs) {
		fprintf(stderr, "skbscope: no function list (the tracepoint "
				"backend probes no functions)\n");
		return;
	}
	printf("%-64s %s\n", "FUNCTION", "SKB-ARG");
	for (size_t i = 0; i < funcs_count(fs); i++) {
		const struct skb_func *k = funcs_get(fs, i);
		char name[160];

		snprintf(name, sizeof(name), "%s%s%s%s", k->name,
			 k->module[0] ? " [" : "", k->module,
			 k->module[0] ? "]" : "");
		printf("%-64s %d\n", name, k->skb_pos);
	}
	fprintf(stderr, "skbscope: %zu functions (traceable per %s)\n",
		funcs_count(fs), funcs_source(fs));
}

static void show_failed(struct session *s)
{
	const struct hooks *h = session_hooks(s);
	char label[160];

	for (size_t i = 0; i < hooks_count(h); i++) {
		const struct hook *hk = hooks_get(h, i);

		if (hk->attached < 0)
			fprintf(stderr, "skbscope: not attached: %s: %s\n",
				hook_label(hk, label, sizeof(label)), hk->why);
	}
}

/* SIGINT, SIGTERM, SIGHUP (an ssh drop) and SIGQUIT end the run cleanly:
 * detach, flush, close. SIGQUIT too, since its default (a core dump) would
 * leave the explorer's terminal on the alternate screen with no cursor and
 * a recording without its end. SA_RESTART: a write to a terminal that
 * a signal interrupts resumes, where it would otherwise fail with EINTR,
 * lose the rest of stdio's buffer and end the run with a write error; the
 * waits that must return on a signal (epoll_wait for the ring buffer,
 * poll for the keyboard) are never restarted, SA_RESTART or not. */
void app_catch_signals(void)
{
	struct sigaction sa = { 0 }, old;

	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	/* Under nohup a hangup is meant to be ignored: keep it that way. */
	if (sigaction(SIGHUP, NULL, &old) || old.sa_handler != SIG_IGN)
		sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int main(int argc, char **argv)
{
	struct app a = { .out = stdout };
	struct demo *demo = NULL;
	struct session_opts so = { 0 };
	struct line_opts lopt = { 0 };
	char err[512], line[512], missing[64];
	__u64 lost_seen = 0, c[SKBS_C_MAX];
	long long last_check = 0;
	int ret, rc = 0;

	if (cli_parse(argc, argv, &a.cli, err, sizeof(err))) {
		fprintf(stderr, "skbscope: %s\n", err);
		fprintf(stderr, "Try 'skbscope --help'.\n");
		return 2;
	}
	if (a.cli.help) {
		fputs(cli_usage(), stdout);
		return 0;
	}
	if (a.cli.version) {
		printf("skbscope %s\n", SKBSCOPE_VERSION);
		return 0;
	}
	if (a.cli.keymap && tui_check_keymap(a.cli.keymap, err, sizeof(err))) {
		fprintf(stderr, "skbscope: --keymap: %s\n", err);
		return 2;
	}
	/* A replay needs no privilege at all. */
	if (a.cli.replay)
		return app_replay_main(&a);
	ret = caps_check(NULL, missing, sizeof(missing));
	if (ret == -EPERM) {
		fprintf(stderr,
			"skbscope: not enough privilege to trace: "
			"missing %s (run as root, or grant CAP_BPF and "
			"CAP_PERFMON)\n",
			missing);
		return 1;
	}

	/* Before the outputs are created: a signal from here on ends the run
	 * through app_close_outputs, so a pcap-ng file is never left empty. */
	app_catch_signals();
	if (app_open_outputs(&a, app_realtime_offset()))
		return 2;

	if (a.cli.debug)
		libbpf_debug = 1;
	libbpf_set_print(libbpf_print);
	raise_nofile();

	if (a.cli.demo) {
		ret = demo_start(&demo, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "skbscope: %s\n", err);
			return 1;
		}
		demo_options(demo, &a.cli);
		note_line = demo_note(demo);
		fprintf(stderr, "skbscope: %s\n", note_line);
	}
	so.backend = a.cli.backend;
	so.debug = a.cli.debug;
	so.dump_room = a.cli.dump_room;
	so.shinfo = a.cli.shinfo;
	so.cb = a.cli.skb_cb;
	so.func_regex = a.cli.func_regex;
	so.exclude_regex = a.cli.exclude_regex;
	so.kmods = a.cli.kmods;
	so.nkmods = a.cli.nkmods;
	so.all_kmods = a.cli.all_kmods;
	so.list_only = a.cli.list_hooks || a.cli.list_funcs;
	if (a.cli.list_funcs && !strcmp(a.cli.backend, "auto"))
		so.backend = "kprobe";
	so.ringbuf_bytes = a.cli.ringbuf_bytes;
	/* The explainer's netlink traffic is skbscope's own: not shown. */
	if (!a.cli.no_explain) {
		so.self_pid = (__u32)getpid();
		so.watch_ipt = 1;
		so.skip_nftrace = 1;
	}
	so.returns = a.cli.returns;
	so.kernel_btf = a.cli.kernel_btf;
	so.trace_tc = a.cli.trace_tc;
	so.trace_xdp = a.cli.trace_xdp;
	so.bpf_helpers = a.cli.bpf_helpers;
	so.bpfmap = a.cli.bpfmap;
	so.kprobe_batch = a.cli.kprobe_batch;
	so.non_skb = a.cli.non_skb;
	so.note = note_cb;
	so.progress = progress_cb;
	ret = session_open(&so, &a.s, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "skbscope: %s\n", err);
		rc = 1;
		goto done;
	}
	if (a.cli.list_hooks || a.cli.list_funcs) {
		if (a.cli.list_hooks)
			list_hooks(a.s);
		else
			list_funcs(a.s);
		goto done;
	}
	if (a.cli.stack)
		a.cli.filter.output |= SKBS_O_STACK;
	if (a.cli.skb)
		a.cli.filter.output |= SKBS_O_SKB;
	if (a.cli.caller)
		a.cli.filter.output |= SKBS_O_CALLER;
	if (a.cli.shinfo)
		a.cli.filter.output |= SKBS_O_SHINFO;
	if (a.cli.skb_cb)
		a.cli.filter.output |= SKBS_O_CB;
	if (a.cli.track_skb)
		a.cli.filter.flags |= SKBS_F_TRACK;
	if (a.cli.track_stackid || a.cli.non_skb)
		a.cli.filter.flags |= SKBS_F_TRACK | SKBS_F_STACKID;
	/* Tunnels and TCP flags: user space decodes the tunnel from the
	 * header bytes, so --output-tunnel captures all it can. */
	if (a.cli.tcp_flags)
		a.cli.filter.output |= SKBS_O_TCP_FLAGS;
	if (a.cli.tunnel) {
		a.cli.filter.output |= SKBS_O_TUNNEL;
		if (a.cli.snaplen < 0)
			a.cli.snaplen = SKBS_SNAP_MAX;
	}
	/* Asking for JSON or a file means asking for lines, not screens. */
	a.tui = !a.cli.no_tui && !a.cli.json && !a.cli.output_file &&
		isatty(STDOUT_FILENO) && isatty(STDIN_FILENO);
	/* The explorer's detail pane shows header bytes, and pcap-ng is
	 * made of them; a recording keeps the explorer's share, so that a
	 * replay can show them or export them later (--output-pcap); lines
	 * don't need them. */
	a.cli.filter.snaplen = a.cli.snaplen >= 0    ? a.cli.snaplen :
			       a.cli.output_pcap     ? SKBS_SNAP_MAX :
			       a.tui || a.cli.record ? SNAPLEN_DEFAULT :
						       0;
	ret = session_set_filter(a.s, &a.cli.filter);
	if (!ret)
		ret = session_attach(a.s, err, sizeof(err));
	if (ret) {
		if (!err[0])
			snprintf(err, sizeof(err), "cannot set the filter: %s",
				 strerror(-ret));
		fprintf(stderr, "skbscope: %s\n", err);
		rc = 1;
		goto done;
	}
	a.attached_at = mono_ns();
	fprintf(stderr,
		"skbscope: %zu hooks attached on the %s backend "
		"(%zu failed%s)\n",
		session_attached(a.s), session_backend(a.s),
		session_failed(a.s),
		session_failed(a.s) && !a.cli.show_failed ?
			"; --show-failed lists them" :
			"");
	if (session_backend_why(a.s)[0])
		fprintf(stderr, "skbscope: not using %s\n",
			session_backend_why(a.s));
	if (a.cli.returns) {
		size_t rfail = 0, rn;
		const char *why;

		rn = session_returns_attached(a.s, &rfail, &why);
		if (rn)
			fprintf(stderr,
				"skbscope: %zu return probes attached (%zu "
				"failed)\n",
				rn, rfail);
		else
			fprintf(stderr, "skbscope: no returns: %s\n",
				why ? why : "none attached");
		session_set_return_fn(a.s, app_on_return, &a);
	}
	/* The verdicts of tc/XDP programs are return records. */
	if (a.cli.trace_tc || a.cli.trace_xdp) {
		size_t nh = 0, np = session_bpfprogs(a.s, &nh);

		if (a.cli.bpf_helpers)
			fprintf(stderr,
				"skbscope: %zu tc/XDP programs traced, with "
				"%zu helper functions\n",
				np, nh);
		else
			fprintf(stderr,
				"skbscope: %zu tc/XDP programs traced\n", np);
		session_set_return_fn(a.s, app_on_return, &a);
	}
	if (a.cli.filter.flags & SKBS_F_PCAP)
		fprintf(stderr,
			"skbscope: pcap-filter '%s': %u/%u "
			"instructions (Ethernet/IP), run in the kernel by %s\n",
			a.cli.filter.pcap_text, a.cli.filter.pcap_len_l2,
			a.cli.filter.pcap_len_l3, session_pcap_mode(a.s));
	if (a.cli.filter.flags & (SKBS_F_TUN_L2 | SKBS_F_TUN_L3)) {
		const struct skbs_filter *tf = &a.cli.filter;

		fprintf(stderr, "skbscope: tunnel pcap-filter");
		if (tf->flags & SKBS_F_TUN_L2)
			fprintf(stderr, " l2 '%s'", tf->tun_text_l2);
		if (tf->flags & SKBS_F_TUN_L3)
			fprintf(stderr, " l3 '%s'", tf->tun_text_l3);
		fprintf(stderr, ": on the inner packet of VXLAN, Geneve, GRE, "
				"IPIP and SIT; other packets pass it\n");
	}
	if (a.cli.show_failed)
		show_failed(a.s);
	/* The backend and the hook table are known from here on. */
	if (a.cli.record && app_start_record(&a)) {
		rc = 2;
		goto out;
	}

	lopt.caller = a.cli.caller;
	lopt.tcp_flags = a.cli.tcp_flags;
	lopt.tunnel = a.cli.tunnel;
	lopt.xdp_meta = a.cli.xdp_meta;
	lopt.meta = a.cli.meta;
	lopt.tuple = a.cli.tuple;
	lopt.ts = a.cli.ts;
	lopt.realtime_offset_ns = app_realtime_offset();
	lopt.meta_names = a.cli.skb_meta;
	lopt.netns_names = a.cli.netns_names;
	lopt.cgroup = a.cli.cgroup;
	if (line_out_new(&lopt, session_hooks(a.s), session_reasons(a.s),
			 &a.lo) ||
	    nsnames_new(a.cli.netns_dir, "/proc", nsnames_cgroup_root(),
			a.cli.netns_names_max, &a.names)) {
		fprintf(stderr, "skbscope: out of memory\n");
		rc = 1;
		goto done;
	}
	line_out_set_names(a.lo, a.names);
	if (app_explain_start(&a)) {
		fprintf(stderr, "skbscope: out of memory\n");
		rc = 1;
		goto out;
	}
	drop_privilege(demo != NULL, !a.cli.no_explain);
	if (a.cli.ready_file) {
		ret = app_write_ready(a.cli.ready_file);
		if (ret) {
			fprintf(stderr, "skbscope: --ready-file %s: %s\n",
				a.cli.ready_file, strerror(-ret));
			rc = 1;
			goto out;
		}
	}
	if (a.tui) {
		struct tui_opts to = { 0 };
		struct tui_stats ts = { 0 };
		struct tui_source src;

		to.color = !a.cli.no_color && !getenv("NO_COLOR");
		to.mouse = !a.cli.no_mouse;
		to.keymap = a.cli.keymap;
		to.max_packets = a.cli.max_packets;
		to.filter = a.cli.filter;
		to.ksyms = app_ksyms(&a);
		to.note = note_line;
		to.realtime_offset_ns = app_realtime_offset();
		to.names = a.names;
		to.netns_names = a.cli.netns_names;
		if (a.pcap || a.rec) {
			to.tap = app_tap_event;
			to.tap_ctx = &a;
		}
		app_live_source(&a, &src);
		ret = tui_run_source(&src, &to, &app_stop, &ts, err,
				     sizeof(err));
		if (ret) {
			fprintf(stderr, "skbscope: %s\n", err);
			rc = 1;
		}
		fprintf(stderr,
			"skbscope: explorer: %llu events, %lu frames "
			"in %.1f s\n",
			ts.events, ts.frames, ts.seconds);
		goto out;
	}
	if (!a.cli.json) {
		line_header(a.lo, line, sizeof(line));
		fprintf(a.out, "%s\n", line);
	}
	fflush(a.out);

	while (!app_stop) {
		app_explain_poll(&a);
		ret = session_poll(a.s, 50, app_print_event, &a);
		if (ret < 0 && ret != -EINTR) {
			fprintf(stderr, "skbscope: reading events: %s\n",
				strerror(-ret));
			rc = 1;
			break;
		}
		if (fflush(a.out) == EOF) {
			if (!a.out_err)
				a.out_err = errno;
			if (errno == EPIPE)
				break;
		}
		app_out_commit(&a); /* what came is written out each second */
		if (a.cli.limit_lines && a.printed >= a.cli.limit_lines)
			break;
		/* A loss is never silent: say so as soon as it grows. */
		if (mono_ns() - last_check >= 1000000000LL) {
			last_check = mono_ns();
			if (!session_counters(a.s, c) &&
			    c[SKBS_C_LOST] > lost_seen) {
				fprintf(stderr,
					"skbscope: %llu events lost so "
					"far (ring buffer full; raise "
					"--ringbuf-size or narrow the "
					"filter)\n",
					(unsigned long long)c[SKBS_C_LOST]);
				lost_seen = c[SKBS_C_LOST];
			}
		}
	}
out:
	app_drain(&a);
	app_summary(&a);
	app_explain_stop(&a);
done:
	rc = app_close_outputs(&a, rc);
	line_out_free(a.lo);
	nsnames_free(a.names);
	session_close(a.s);
	ksyms_free(a.ksyms);
	/* After the programs are gone: the demo's traffic stops with them. */
	demo_stop(demo);
	return rc;
}
