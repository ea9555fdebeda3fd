// SPDX-License-Identifier: GPL-2.0
/*
 * skbscope: trace where packets go in the kernel and where they die.
 * This file wires the flags to a tracing session and a front end (line mode
 * for now); the work is in core/.
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include "core/caps.h"
#include "core/cli.h"
#include "core/funcs.h"
#include "core/hooks.h"
#include "core/demo.h"
#include "core/ksyms.h"
#include "core/outfile.h"
#include "core/output_json.h"
#include "core/output_line.h"
#include "core/output_pcap.h"
#include "core/record.h"
#include "core/replay.h"
#include "core/session.h"
#include "tui/app.h"

#define SKBSCOPE_VERSION "0.1.0"

static volatile sig_atomic_t stop_signal;
static const char *note_line;

static void on_signal(int sig)
{
	stop_signal = sig;
}

struct app {
	struct cli cli;
	struct session *s;
	struct line_out *lo;
	struct ksyms *ksyms;
	int ksyms_tried;
	long long printed;
	int draining;          /* in the final drain() */
	int rec_pending;       /* --record file created, recording not begun */
	int tui;
	FILE *out;
	int out_err;               /* first write error on out, errno */
	struct pcapng *pcap;
	int pcap_err;              /* first write error, -errno */
	struct rec_writer *rec;
	int rec_err;               /* first write error, -errno */
	time_t rec_flushed;
	/* --replay: the reader, and the current event's recorded stack */
	struct rec_reader *replay;
	const __u64 *rstack;
	int rnstack;
};

/* libbpf talks on stderr about every failed attempt, including the ones
 * the backend fallback expects; keep it for SKBSCOPE_DEBUG=1. */
static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	static int debug = -1;

	(void)level;
	if (debug < 0)
		debug = getenv("SKBSCOPE_DEBUG") != NULL;
	return debug ? vfprintf(stderr, fmt, ap) : 0;
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
static void progress_cb(void *ctx, const char *what, size_t done,
			size_t total)
{
	static struct timespec start, last;
	static const char *last_what;
	static size_t last_done;
	static int tty = -1;
	struct timespec now;
	double el, since;

	(void)ctx;
	if (tty < 0)
		tty = isatty(STDERR_FILENO);
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (what != last_what || done < last_done) {
		last_what = what;
		start = last = now;
	}
	last_done = done;
	el = (now.tv_sec - start.tv_sec) + (now.tv_nsec - start.tv_nsec) / 1e9;
	since = (now.tv_sec - last.tv_sec) +
		(now.tv_nsec - last.tv_nsec) / 1e9;
	if (el < 0.5 || (done < total && since < (tty ? 0.1 : 2.0)))
		return;
	last = now;
	fprintf(stderr, "%sskbscope: %s %zu/%zu (%.0f/s)%s",
		tty ? "\r" : "", what, done, total, done / el,
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

/* kallsyms is read on first need: most runs print no location. */
static const struct ksyms *app_ksyms(struct app *a)
{
	int ret;

	if (a->replay)
		return rec_ksyms(a->replay);
	if (!a->ksyms_tried) {
		a->ksyms_tried = 1;
		ret = ksyms_load("/proc/kallsyms", &a->ksyms);
		if (ret)
			fprintf(stderr, "skbscope: cannot read kernel symbols "
				"from /proc/kallsyms (%s): addresses are shown "
				"raw\n", strerror(-ret));
		else
			line_out_set_ksyms(a->lo, a->ksyms);
	}
	return a->ksyms;
}

/* The event's kernel stack: recorded (replay) or from the kernel's map,
 * read once per event for every output that wants it. Returns the depth,
 * 0 when none was asked for, or -errno when it was asked for but is gone. */
static int event_ips(struct app *a, const struct skbs_event *ev,
		     __u64 *buf, const __u64 **ips)
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
		       ev->stack_id < 0 ? ev->stack_id : n;
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
	ret = pcapng_write(a->pcap, ev, (const unsigned char *)tail,
			   comment);
	if (ret)
		a->pcap_err = ret;
}

/* --record: the event, its stack and the symbols it needs. Flushed about
 * once a second, so a recording killed hard loses at most that. */
static void rec_event(struct app *a, const struct skbs_event *ev,
		      const char *tail, const __u64 *ips, int n)
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
	ret = rec_write_event(a->rec, ev, tail, ips, n, a->ksyms);
	if (ret && ret != -EINVAL)
		a->rec_err = ret;
	if (time(NULL) != a->rec_flushed) {
		a->rec_flushed = time(NULL);
		ret = rec_flush(a->rec);
		if (ret)
			a->rec_err = ret;
	}
}

/* Explorer mode: every event also goes to the pcap-ng file and the
 * recording. */
static int tap_event(void *ctx, const struct skbs_event *ev,
		     const char *tail)
{
	struct app *a = ctx;
	__u64 buf[SKBS_STACK_DEPTH];
	const __u64 *ips = buf;
	int n = 0;

	pcap_event(a, ev, tail);
	if (a->rec)
		n = event_ips(a, ev, buf, &ips);
	rec_event(a, ev, tail, ips, n);
	return 0;
}

static int print_event(void *ctx, const struct skbs_event *ev,
		       const char *tail)
{
	struct app *a = ctx;
	char line[1024];
	char syms[SKBS_STACK_DEPTH][LINE_SYM_MAX];
	__u64 buf[SKBS_STACK_DEPTH];
	const __u64 *ips = buf;
	int depth = 0, n = 0;

	if ((ev->flags & SKBS_EV_DROP) || ev->stack_id >= 0 || ev->caller)
		app_ksyms(a);
	pcap_event(a, ev, tail);
	if (a->cli.stack || a->rec)
		depth = event_ips(a, ev, buf, &ips);
	rec_event(a, ev, tail, ips, depth);
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
		len = json_format(a->lo, ev, frames, n, line, sizeof(line));
		if (len < (int)sizeof(line)) {
			fprintf(a->out, "%s\n", line);
		} else if ((js = malloc((size_t)len + 1))) {
			json_format(a->lo, ev, frames, n, js, (size_t)len + 1);
			fprintf(a->out, "%s\n", js);
			free(js);
		}
		goto counted;
	}
	line_format(a->lo, ev, line, sizeof(line));
	fprintf(a->out, "%s\n", line);
	if (a->cli.stack && depth < 0)
		fprintf(a->out, "    (stack lost: %s)\n", strerror(-depth));
	for (int i = 0; i < n; i++)
		fprintf(a->out, "    %s\n", syms[i]);
	if ((ev->flags & SKBS_EV_SKB_TEXT) && ev->tail_len > ev->hdr_len)
		fprintf(a->out, "%.*s\n", (int)(ev->tail_len - ev->hdr_len),
			tail + ev->hdr_len);
counted:
	/* errno is the failed write's: the calls since only filled the
	 * buffer. */
	if (!a->out_err && ferror(a->out))
		a->out_err = errno ? errno : EIO;
	a->printed++;
	if (a->cli.limit_lines && a->printed >= a->cli.limit_lines)
		return 1;
	/* libbpf drains the ring buffer until it is empty, which under a
	 * flood faster than we print (a terminal, --output-skb) may be never:
	 * end the drain so the loop sees the signal. The final drain, with
	 * the programs detached, is bounded by the ring and runs to the end. */
	return stop_signal && !a->draining ? 1 : 0;
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
 *   CAP_NET_ADMIN, CAP_SYS_ADMIN  with --demo only: deleting its
 *                  namespaces at exit.
 * A failure to drop is reported, not fatal: tracing still works.
 */
static void drop_privilege(int demo)
{
	int keep[4] = { CAP_SYSLOG, CAP_BPF }, n = 2, ret;

	if (demo || !caps_known(CAP_BPF))
		keep[n++] = CAP_SYS_ADMIN;
	if (demo)
		keep[n++] = CAP_NET_ADMIN;
	ret = caps_drop(keep, n);
	if (ret)
		fprintf(stderr, "skbscope: warning: cannot drop capabilities "
			"after attaching: %s\n", strerror(-ret));
}

static int write_ready(const char *path)
{
	char buf[32];
	int fd, n;

	fd = outfile_open(path, NULL, 0);
	if (fd < 0)
		return fd;
	n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (write(fd, buf, n) != n) {
		int err = -errno;

		close(fd);
		return err;
	}
	return close(fd) ? -errno : 0;
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
		const struct kfunc *k = funcs_get(fs, i);
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

/*
 * Stop producing, then empty the ring buffer: what was still in it at the
 * end is printed, recorded or at least counted, never dropped unseen.
 * After this the counters add up exactly (see session_received).
 */
static void drain(struct app *a)
{
	session_event_fn fn = NULL;
	long long n;

	if (a->tui)
		fn = a->pcap || a->rec ? tap_event : NULL;
	else if (!ferror(a->out) &&
		 !(a->cli.limit_lines && a->printed >= a->cli.limit_lines))
		fn = print_event;
	session_stop(a->s);
	a->draining = 1;
	n = session_drain(a->s, fn, a);
	if (n < 0)
		fprintf(stderr, "skbscope: reading the last events: %s\n",
			strerror((int)-n));
	fflush(a->out);
}

/* The exit summary: every event the filter matched is either received or
 * counted lost, and the two are shown side by side. */
static void summary(struct app *a)
{
	__u64 c[SKBS_C_MAX] = { 0 }, got = session_received(a->s);
	__u64 bad = session_bad_records(a->s);
	int ret = session_counters(a->s, c);

	if (!a->tui)
		fprintf(stderr, "skbscope: %lld events printed; ", a->printed);
	else
		fprintf(stderr, "skbscope: ");
	if (ret) {
		fprintf(stderr, "%llu received; the kernel's counters cannot be "
			"read (%s); %zu hooks on the %s backend\n",
			(unsigned long long)got, strerror(-ret),
			session_attached(a->s), session_backend(a->s));
		return;
	}
	fprintf(stderr, "%llu matched the filter: %llu received, %llu lost "
		"(ring buffer full)", (unsigned long long)c[SKBS_C_MATCHED],
		(unsigned long long)got, (unsigned long long)c[SKBS_C_LOST]);
	if (bad)
		fprintf(stderr, ", %llu malformed", (unsigned long long)bad);
	if (c[SKBS_C_MATCHED] != got + c[SKBS_C_LOST])
		fprintf(stderr, ", %lld unaccounted for",
			(long long)(c[SKBS_C_MATCHED] - got - c[SKBS_C_LOST]));
	fprintf(stderr, "; %llu hook hits in all; %zu hooks on the %s "
		"backend\n", (unsigned long long)c[SKBS_C_SEEN],
		session_attached(a->s), session_backend(a->s));
}

static long long realtime_offset(void)
{
	struct timespec r, m;

	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_MONOTONIC, &m);
	return (r.tv_sec - m.tv_sec) * 1000000000LL + (r.tv_nsec - m.tv_nsec);
}

/* Flush and close what --output-file and --output-pcap opened; a write
 * that failed is an error, not a quiet short file. */
static int close_outputs(struct app *a, int rc)
{
	/* Created up front, but the run ended before recording began: an
	 * empty file is not a recording. */
	if (a->rec_pending && !a->rec)
		unlink(a->cli.record);
	a->rec_pending = 0;
	if (a->rec) {
		__u64 c[SKBS_C_MAX] = { 0 };
		int ret;

		if (a->s)
			session_counters(a->s, c);
		ret = rec_close(a->rec, c);
		a->rec = NULL;
		if (!ret)
			ret = a->rec_err;
		if (ret) {
			fprintf(stderr, "skbscope: --record %s: write failed: "
				"%s; the recording is incomplete\n",
				a->cli.record, strerror(-ret));
			rc = 1;
		} else {
			fprintf(stderr, "skbscope: recorded to %s (replay it "
				"with --replay)\n", a->cli.record);
		}
	}
	if (a->pcap) {
		unsigned long long w = pcapng_written(a->pcap);
		unsigned long long sk = pcapng_skipped(a->pcap);
		int ret = pcapng_close(a->pcap);

		a->pcap = NULL;
		if (!ret)
			ret = a->pcap_err;
		if (ret) {
			fprintf(stderr, "skbscope: --output-pcap %s: write "
				"failed: %s\n", a->cli.output_pcap,
				strerror(-ret));
			rc = 1;
		} else {
			fprintf(stderr, "skbscope: %llu packets written to %s"
				"%s", w, a->cli.output_pcap, sk ? "" : "\n");
			if (sk)
				fprintf(stderr, " (%llu events had no header "
					"bytes)\n", sk);
		}
	}
	if (fflush(a->out) == EOF && !a->out_err)
		a->out_err = errno;
	if (a->out != stdout) {
		if (a->out_err || ferror(a->out)) {
			fprintf(stderr, "skbscope: --output-file %s: write "
				"failed: %s\n", a->cli.output_file,
				strerror(a->out_err ? a->out_err : EIO));
			rc = 1;
		}
		fclose(a->out);
		a->out = stdout;
	} else if (a->out_err && a->out_err != EPIPE) {
		/* > /dev/full, a full disk: not a quiet short output. A
		 * reader that went away (| head) is not an error. */
		fprintf(stderr, "skbscope: writing to standard output: %s\n",
			strerror(a->out_err));
		rc = 1;
	}
	return rc;
}

/* SIGINT, SIGTERM, SIGHUP (an ssh drop) and SIGQUIT end the run cleanly:
 * detach, flush, close. SIGQUIT too, since its default (a core dump) would
 * leave the explorer's terminal on the alternate screen with no cursor and
 * a recording without its end. No SA_RESTART: the ring buffer wait must
 * return. */
static void catch_signals(void)
{
	struct sigaction sa = { 0 }, old;

	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	/* Under nohup a hangup is meant to be ignored: keep it that way. */
	if (sigaction(SIGHUP, NULL, &old) || old.sa_handler != SIG_IGN)
		sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* --output-file and --output-pcap, opened before anything else happens so
 * that a bad path fails at once. 0 or -1 (said on stderr). */
static int open_outputs(struct app *a, long long rt_offset)
{
	char err[512];
	int ret;

	if (a->cli.output_file) {
		ret = outfile_fopen(a->cli.output_file, &a->out, err,
				    sizeof(err));
		if (ret) {
			fprintf(stderr, "skbscope: --output-file: %s\n", err);
			return -1;
		}
	}
	/* The recording's header needs the backend, known only after
	 * attaching; creating the file now makes a bad path fail before
	 * anything is attached. */
	if (a->cli.record) {
		ret = outfile_open(a->cli.record, err, sizeof(err));
		if (ret < 0) {
			fprintf(stderr, "skbscope: --record: %s\n", err);
			return -1;
		}
		close(ret);
		a->rec_pending = 1;
	}
	if (a->cli.output_pcap) {
		ret = pcapng_open(a->cli.output_pcap, rt_offset, &a->pcap, err,
				  sizeof(err));
		if (ret) {
			fprintf(stderr, "skbscope: --output-pcap: %s\n", err);
			if (a->out != stdout)
				fclose(a->out);
			a->out = stdout;
			return -1;
		}
	}
	return 0;
}

/* --record: the file and what replay needs before the first event. */
static int start_record(struct app *a)
{
	struct rec_meta m = { 0 };
	struct utsname u;
	struct timespec now;
	char err[512];
	int ret;

	if (!uname(&u)) {
		snprintf(m.host, sizeof(m.host), "%s", u.nodename);
		snprintf(m.kernel, sizeof(m.kernel), "%s", u.release);
	}
	snprintf(m.backend, sizeof(m.backend), "%s", session_backend(a->s));
	clock_gettime(CLOCK_REALTIME, &now);
	m.start_realtime_ns = now.tv_sec * 1000000000LL + now.tv_nsec;
	m.realtime_offset_ns = realtime_offset();
	ret = rec_create(a->cli.record, &m, &a->rec, err, sizeof(err));
	if (!ret) {
		ret = rec_write_reasons(a->rec, session_reasons(a->s));
		if (ret)
			snprintf(err, sizeof(err), "%s: %s", a->cli.record,
				 strerror(-ret));
	}
	if (ret) {
		fprintf(stderr, "skbscope: --record: %s\n", err);
		if (a->rec)
			rec_close(a->rec, NULL);
		a->rec = NULL;
		return -1;
	}
	return 0;
}

/* --replay on a terminal: the explorer, fed from the file. */
static int replay_tui(struct app *a, const struct rec_meta *m)
{
	struct tui_opts to = { 0 };
	struct tui_stats ts = { 0 };
	struct tui_source src = { 0 };
	struct replay *rp;
	char err[512];
	int ret;

	if (replay_new(a->replay, a->cli.replay, &rp)) {
		fprintf(stderr, "skbscope: out of memory\n");
		return 1;
	}
	src.ctx = rp;
	src.hooks = rec_hooks(a->replay);
	src.reasons = rec_reasons(a->replay);
	src.backend = m->backend[0] ? m->backend : "replay";
	src.pcap_mode = "bpf_loop or bounded loop";
	src.poll = replay_poll;
	src.counters = replay_counters;
	src.stack = replay_stack;
	to.color = !a->cli.no_color && !getenv("NO_COLOR");
	to.mouse = !a->cli.no_mouse;
	to.keymap = a->cli.keymap;
	to.max_packets = a->cli.max_packets;
	to.filter = a->cli.filter;
	to.ksyms = rec_ksyms(a->replay);
	to.note = replay_status(rp);
	to.realtime_offset_ns = m->realtime_offset_ns;
	if (a->pcap) {
		to.tap = tap_event;
		to.tap_ctx = a;
	}
	ret = tui_run_source(&src, &to, &stop_signal, &ts, err, sizeof(err));
	if (ret)
		fprintf(stderr, "skbscope: %s\n", err);
	fprintf(stderr, "skbscope: %s\n", replay_status(rp));
	ret = ret ? 1 : replay_error(rp) ? 2 : 0;
	replay_free(rp);
	return ret;
}

/* --replay: a recording through the same printers as a live run, with
 * the names and symbols it carries; no root, no BPF. */
static int replay_main(struct app *a)
{
	struct line_opts lopt = { 0 };
	const struct rec_meta *m;
	const struct skbs_event *ev;
	const char *tail;
	char err[512], line[512], when[64];
	struct tm tm;
	time_t t;
	int ret, rc = 0;

	if ((a->cli.filter.flags & ~SKBS_F_TRACK) || a->cli.func_regex) {
		fprintf(stderr, "skbscope: --replay: filters run in the kernel "
			"while tracing; a replay shows what was recorded\n");
		return 2;
	}
	ret = rec_open(a->cli.replay, &a->replay, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "skbscope: --replay: %s\n", err);
		return 2;
	}
	m = rec_meta(a->replay);
	catch_signals();
	if (open_outputs(a, m->realtime_offset_ns)) {
		rec_close_reader(a->replay);
		return 2;
	}
	t = (time_t)(m->start_realtime_ns / 1000000000LL);
	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(stderr, "skbscope: replaying %s: recorded on %s (kernel %s, "
		"%s backend) at %s\n", a->cli.replay, m->host, m->kernel,
		m->backend, when);
	lopt.caller = a->cli.caller;
	lopt.meta = a->cli.meta;
	lopt.tuple = a->cli.tuple;
	lopt.ts = a->cli.ts;
	lopt.realtime_offset_ns = m->realtime_offset_ns;
	if (line_out_new(&lopt, rec_hooks(a->replay), rec_reasons(a->replay),
			 &a->lo)) {
		fprintf(stderr, "skbscope: out of memory\n");
		rc = 1;
		goto out;
	}
	line_out_set_ksyms(a->lo, rec_ksyms(a->replay));
	a->ksyms_tried = 1;
	if (!a->cli.no_tui && !a->cli.json && !a->cli.output_file &&
	    isatty(STDOUT_FILENO) && isatty(STDIN_FILENO)) {
		rc = replay_tui(a, m);
		goto out;
	}
	if (!a->cli.json) {
		line_header(a->lo, line, sizeof(line));
		fprintf(a->out, "%s\n", line);
	}
	while (!stop_signal) {
		ret = rec_next(a->replay, &ev, &tail, &a->rstack, &a->rnstack,
			       err, sizeof(err));
		if (ret <= 0)
			break;
		if (print_event(a, ev, tail))
			break;
	}
	if (ret < 0) {
		fflush(a->out);
		fprintf(stderr, "skbscope: --replay: %s\n", err);
		rc = 2;
	} else if (!ret && rec_end_counters(a->replay)) {
		const __u64 *c = rec_end_counters(a->replay);

		fprintf(stderr, "skbscope: %lld events replayed; when "
			"recorded: %llu matched the filter, %llu lost (ring "
			"buffer full), %llu hook hits in all\n", a->printed,
			(unsigned long long)c[SKBS_C_MATCHED],
			(unsigned long long)c[SKBS_C_LOST],
			(unsigned long long)c[SKBS_C_SEEN]);
	} else {
		fprintf(stderr, "skbscope: %lld events replayed\n",
			a->printed);
	}
out:
	rc = close_outputs(a, rc);
	line_out_free(a->lo);
	rec_close_reader(a->replay);
	return rc;
}

int main(int argc, char **argv)
{
	struct app a = { .out = stdout };
	struct demo *demo = NULL;
	struct session_opts so = { 0 };
	struct line_opts lopt = { 0 };
	char err[512], line[512], missing[64];
	__u64 lost_seen = 0, c[SKBS_C_MAX];
	time_t last_check = 0;
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
		return replay_main(&a);
	ret = caps_check(NULL, missing, sizeof(missing));
	if (ret == -EPERM) {
		fprintf(stderr, "skbscope: not enough privilege to trace: "
			"missing %s (run as root, or grant CAP_BPF and "
			"CAP_PERFMON)\n", missing);
		return 1;
	}

	/* Before the outputs are created: a signal from here on ends the run
	 * through close_outputs, so a pcap-ng file is never left empty. */
	catch_signals();
	if (open_outputs(&a, realtime_offset()))
		return 2;

	libbpf_set_print(libbpf_print);
	raise_nofile();

	if (a.cli.demo) {
		ret = demo_start(&demo, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "skbscope: %s\n", err);
			return 1;
		}
		demo_filter(demo, &a.cli.filter);
		note_line = demo_note(demo);
		fprintf(stderr, "skbscope: %s\n", note_line);
	}
	so.backend = a.cli.backend;
	so.func_regex = a.cli.func_regex;
	so.kmods = a.cli.kmods;
	so.nkmods = a.cli.nkmods;
	so.all_kmods = a.cli.all_kmods;
	so.list_only = a.cli.list_hooks || a.cli.list_funcs;
	if (a.cli.list_funcs && !strcmp(a.cli.backend, "auto"))
		so.backend = "kprobe";
	so.ringbuf_bytes = a.cli.ringbuf_bytes;
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
	if (a.cli.track_skb)
		a.cli.filter.flags |= SKBS_F_TRACK;
	/* Asking for JSON or a file means asking for lines, not screens. */
	a.tui = !a.cli.no_tui && !a.cli.json && !a.cli.output_file &&
		isatty(STDOUT_FILENO) && isatty(STDIN_FILENO);
	/* The explorer's detail pane shows header bytes, and pcap-ng is
	 * made of them; lines don't need them. */
	a.cli.filter.snaplen = a.cli.snaplen >= 0 ? a.cli.snaplen :
			       a.cli.output_pcap ? SKBS_SNAP_MAX :
			       a.tui ? 64 : 0;
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
	fprintf(stderr, "skbscope: %zu hooks attached on the %s backend "
		"(%zu failed%s)\n", session_attached(a.s),
		session_backend(a.s), session_failed(a.s),
		session_failed(a.s) && !a.cli.show_failed ?
			"; --show-failed lists them" : "");
	if (session_backend_why(a.s)[0])
		fprintf(stderr, "skbscope: not using %s\n",
			session_backend_why(a.s));
	if (a.cli.filter.flags & SKBS_F_PCAP)
		fprintf(stderr, "skbscope: pcap-filter '%s': %u/%u "
			"instructions (Ethernet/IP), run in the kernel by %s\n",
			a.cli.filter.pcap_text, a.cli.filter.pcap_len_l2,
			a.cli.filter.pcap_len_l3, session_pcap_mode(a.s));
	if (a.cli.show_failed)
		show_failed(a.s);
	/* The backend and the hook table are known from here on. */
	if (a.cli.record && start_record(&a)) {
		rc = 2;
		goto out;
	}

	lopt.caller = a.cli.caller;
	lopt.meta = a.cli.meta;
	lopt.tuple = a.cli.tuple;
	lopt.ts = a.cli.ts;
	lopt.realtime_offset_ns = realtime_offset();
	if (line_out_new(&lopt, session_hooks(a.s), session_reasons(a.s),
			 &a.lo)) {
		fprintf(stderr, "skbscope: out of memory\n");
		rc = 1;
		goto done;
	}
	drop_privilege(demo != NULL);
	if (a.cli.ready_file) {
		ret = write_ready(a.cli.ready_file);
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

		to.color = !a.cli.no_color && !getenv("NO_COLOR");
		to.mouse = !a.cli.no_mouse;
		to.keymap = a.cli.keymap;
		to.max_packets = a.cli.max_packets;
		to.filter = a.cli.filter;
		to.ksyms = app_ksyms(&a);
		to.note = note_line;
		to.realtime_offset_ns = realtime_offset();
		if (a.pcap || a.rec) {
			to.tap = tap_event;
			to.tap_ctx = &a;
		}
		ret = tui_run(a.s, &to, &stop_signal, &ts, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "skbscope: %s\n", err);
			rc = 1;
		}
		fprintf(stderr, "skbscope: explorer: %llu events, %lu frames "
			"in %.1f s\n", ts.events, ts.frames, ts.seconds);
		goto out;
	}
	if (!a.cli.json) {
		line_header(a.lo, line, sizeof(line));
		fprintf(a.out, "%s\n", line);
	}
	fflush(a.out);

	while (!stop_signal) {
		ret = session_poll(a.s, 50, print_event, &a);
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
		if (a.cli.limit_lines && a.printed >= a.cli.limit_lines)
			break;
		/* A loss is never silent: say so as soon as it grows. */
		if (time(NULL) != last_check) {
			last_check = time(NULL);
			if (!session_counters(a.s, c) &&
			    c[SKBS_C_LOST] > lost_seen) {
				fprintf(stderr, "skbscope: %llu events lost so "
					"far (ring buffer full; raise "
					"--ringbuf-size or narrow the "
					"filter)\n",
					(unsigned long long)c[SKBS_C_LOST]);
				lost_seen = c[SKBS_C_LOST];
			}
		}
	}
out:
	drain(&a);
	summary(&a);
done:
	rc = close_outputs(&a, rc);
	line_out_free(a.lo);
	session_close(a.s);
	ksyms_free(a.ksyms);
	/* After the programs are gone: the demo's traffic stops with them. */
	demo_stop(demo);
	return rc;
}
