// SPDX-License-Identifier: GPL-2.0
/*
 * The explorer's cost (issue 7, figure 5). With a full store of synthetic
 * packets (100,000 by default, the --max-packets default), times one frame,
 * ui_refresh + ui_layout + view_render into the cell buffer, at 80x24 and
 * 200x60: in
 * time order, by events, by state, drops only, and with events arriving
 * between frames. Then the store's memory, and, through a pty, the bytes
 * the real explorer loop writes to the terminal per second while events
 * arrive at a steady rate, the longest wait between its frames, and how
 * soon a key is answered meanwhile. Prints tables, then "BENCH name value
 * unit" lines. Figures only: no timing makes it fail.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include "core/hooks.h"
#include "core/lib/clock.h"
#include "core/reasons.h"
#include "core/store.h"
#include "tests/bench/gen.h"
#include "tests/bench/measure.h"
#include "tui/explorer.h"
#include "tui/cells.h"
#include "tui/model.h"
#include "tui/view.h"

#define GOAL_FRAME_US 2000.0
#define GOAL_TERM_KBS 20.0
/* The explorer draws at most every 66 ms. */
#define FRAMES_PER_S 15

/*
 * What the explorer shows: packets about 100 us apart on their own clock
 * (or at the times the pty part asks for) over four CPUs, UDP received
 * into a socket, sent and forwarded, each at its own skb address.
 */
static const struct gen_opts traffic = {
	.step_ns = 50000,
	.spread_ns = 100000,
	.mix = GEN_MIX_UDP,
	.cpus = 4,
};

/* ------------------------------------------------------------------ */
/* Measuring. */

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct common {
	struct hooks *hooks;
	struct reasons *reasons;
	int snaplen;
};

static int setup_common(struct common *c, int snaplen)
{
	c->snaplen = snaplen;
	if (hooks_new(&c->hooks) || reasons_new(&c->reasons) ||
	    gen_tables(c->hooks, c->reasons))
		return -1;
	return 0;
}

/* The traffic from seed, starting after ts; packets 0: no end. */
static int traffic_new(const struct common *c, __u64 seed,
		       unsigned long packets, __u64 ts, struct gen **g)
{
	struct gen_opts go = traffic;

	go.seed = seed;
	go.packets = packets;
	go.ts = ts;
	go.snaplen = c->snaplen;
	return gen_new(&go, g);
}

/* What the app sets before its first frame. */
static void setup_ui(struct ui *ui, const struct common *c)
{
	ui->color = 1;
	ui->st.backend = "tracepoint";
	ui->st.attached = hooks_count(c->hooks);
	ui->st.events_per_s = 10000;
}

/* ------------------------------------------------------------------ */
/* Part 1: frames into the cell buffer. */

struct scenario {
	const char *id;   /* in BENCH names, "" for the default view */
	const char *name; /* for -v */
	const char *label;
	enum sortkey sort;
	int drops_only;
	int live; /* events arrive between frames */
};

/* The live view last: it adds packets and evicts. */
static const struct scenario scenarios[] = {
	{ "", "time", "time order, follow", SORT_TIME, 0, 0 },
	{ "by_events_", "events", "sorted by events", SORT_EVENTS, 0, 0 },
	{ "by_state_", "state", "sorted by state", SORT_STATE, 0, 0 },
	{ "drops_", "drops", "drops only", SORT_TIME, 1, 0 },
	{ "live_", "live", "time order, 10k ev/s", SORT_TIME, 0, 1 },
};

static const struct {
	int w, h;
} sizes[] = { { 80, 24 }, { 200, 60 } };

struct opts {
	unsigned long packets;
	int frames;
	double budget_s; /* per scenario and size */
	int snaplen;
	double pty_s; /* 0: no terminal measurement */
	double rate;
	int dump;
	const char *view; /* only this scenario, or NULL */
	const char *save; /* the terminal output, all of it, or NULL */
};

static int feed(struct store *st, struct gen *g, long n)
{
	struct skbs_event ev;
	const char *tail;

	for (long i = 0; i < n; i++) {
		if (gen_next(g, 0, &ev, &tail, NULL) < 0)
			return 0;
		if (store_add(st, &ev, tail))
			return -1;
	}
	return 0;
}

static int run_frames(const struct opts *o, const struct common *c,
		      struct store *st, struct gen *g,
		      const struct scenario *sc, int w, int h)
{
	int max = o->frames > 0 ? o->frames : 1;
	__u64 *t = calloc((size_t)max, sizeof(*t));
	__u64 refresh = 0, render = 0, spent = 0, sum = 0;
	long per_frame = (long)(o->rate / FRAMES_PER_S);
	struct ui ui;
	struct grid gr;
	int n = 0, ret = -1;
	char *dump;

	if (!t)
		return -1;
	if (ui_init(&ui, st, c->hooks, c->reasons) || grid_init(&gr, w, h, 1)) {
		free(t);
		return -1;
	}
	setup_ui(&ui, c);
	ui.sort = sc->sort;
	ui.drops_only = sc->drops_only;
	/* A first frame, checked: the view must show the store. */
	ui_refresh(&ui);
	ui_layout(&ui, w, h);
	view_render(&ui, &gr);
	dump = grid_dump(&gr);
	if (!dump || !strstr(dump, "Packets") || !strstr(dump, "Timeline") ||
	    !ui.norder) {
		fprintf(stderr,
			"bench-render: %dx%d %s: the frame shows no "
			"packets:\n%s\n",
			w, h, sc->label, dump ? dump : "");
		goto out;
	}
	if (o->dump)
		printf("--- %s, %dx%d\n%s", sc->label, w, h, dump);
	/* Untimed: caches and the CPU's clock settle. */
	for (int i = 0; i < 3; i++) {
		ui_refresh(&ui);
		ui_layout(&ui, w, h);
		view_render(&ui, &gr);
	}
	while (n < max && (n < 10 || spent < o->budget_s * 1e9)) {
		__u64 a, b, e;

		if (sc->live && feed(st, g, per_frame))
			goto out;
		a = mono_ns();
		ui_refresh(&ui);
		b = mono_ns();
		/* Timed with the view: its clamping and the functions' sort
		 * were the view's before they moved to the model. */
		ui_layout(&ui, w, h);
		view_render(&ui, &gr);
		e = mono_ns();
		refresh += b - a;
		render += e - b;
		t[n++] = e - a;
		spent += e - a;
	}
	for (int i = 0; i < n; i++)
		sum += t[i];
	qsort(t, (size_t)n, sizeof(*t), cmp_u64);
	{
		double mean = sum / 1e3 / n;
		int k = (n * 99 + 99) / 100 - 1;
		double p99 = t[k < 0 ? 0 : k] / 1e3;

		printf("%-22s %7dx%-3d %6d %10.1f %10.1f %10.1f %10.1f  %s\n",
		       sc->label, w, h, n, mean, p99, refresh / 1e3 / n,
		       render / 1e3 / n,
		       mean <= GOAL_FRAME_US ? "<= goal" : "> goal");
		bench("BENCH render_%s%dx%d_us %.1f us\n", sc->id, w, h, mean);
		bench("BENCH render_%s%dx%d_p99_us %.1f us\n", sc->id, w, h,
		      p99);
	}
	ret = 0;
out:
	free(dump);
	grid_fini(&gr);
	ui_fini(&ui);
	free(t);
	return ret;
}

static int part_frames(const struct opts *o, const struct common *c)
{
	long long rss0, rss1, heap0, heap1, peak;
	size_t held;
	struct store *st;
	struct gen *g;
	__u64 t0, t1, events;

	if (traffic_new(c, 0x5cb5c09f, o->packets, 1000000000000ULL, &g))
		return -1;
	rss0 = rss_now();
	heap0 = heap_now();
	if (store_new(o->packets, &st))
		return -1;
	t0 = mono_ns();
	if (feed(st, g, -1UL >> 1))
		return -1;
	t1 = mono_ns();
	gen_set_packets(g, 0); /* the live view keeps adding */
	rss1 = rss_now();
	heap1 = heap_now();
	peak = peak_rss();
	held = store_bytes(st);
	events = store_events(st);
	if (store_count(st) != o->packets) {
		fprintf(stderr,
			"bench-render: store holds %zu packets, not "
			"%lu\n",
			store_count(st), o->packets);
		return -1;
	}

	printf("Explorer frame cost: ui_refresh + ui_layout + view_render "
	       "into the cell buffer (goal <= %.0f us)\n",
	       GOAL_FRAME_US);
	printf("store: %zu packets, %llu events (%.2f per packet), %zu drops,"
	       " snaplen %d; filled in %.0f ms (%.0f ns/event)\n\n",
	       store_count(st), (unsigned long long)events,
	       (double)events / store_count(st), store_drop_count(st),
	       o->snaplen, (t1 - t0) / 1e6, (double)(t1 - t0) / events);
	printf("%-22s %11s %6s %10s %10s %10s %10s\n", "view", "size", "frames",
	       "mean us", "p99 us", "refresh us", "render us");
	for (size_t s = 0; s < sizeof(scenarios) / sizeof(scenarios[0]); s++) {
		if (o->view && strcmp(o->view, scenarios[s].name))
			continue;
		for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++)
			if (run_frames(o, c, st, g, &scenarios[s], sizes[z].w,
				       sizes[z].h))
				return -1;
	}
	printf("(p99 from at most %d frames, or %.1f s, per row; live: %ld "
	       "events added between frames, not timed)\n\n",
	       o->frames, o->budget_s, (long)(o->rate / FRAMES_PER_S));

	printf("Store memory, %llu events in %lu packets\n",
	       (unsigned long long)events, o->packets);
	printf("  RSS growth          %10.1f MB  %7.1f B/event  %7.1f "
	       "B/packet\n",
	       (rss1 - rss0) / 1048576.0, (double)(rss1 - rss0) / events,
	       (double)(rss1 - rss0) / o->packets);
	printf("  malloc'd            %10.1f MB  %7.1f B/event\n",
	       (heap1 - heap0) / 1048576.0, (double)(heap1 - heap0) / events);
	printf("  store_bytes()       %10.1f MB  %7.1f B/event\n",
	       held / 1048576.0, (double)held / events);
	printf("  peak RSS            %10.1f MB  (whole process, filled)\n\n",
	       peak / 1048576.0);
	bench("BENCH store_bytes_per_event %.1f B\n",
	      (double)(rss1 - rss0) / events);
	bench("BENCH store_heap_bytes_per_event %.1f B\n",
	      (double)(heap1 - heap0) / events);
	bench("BENCH store_peak_rss_mb %.1f MB\n", peak / 1048576.0);
	store_free(st);
	gen_free(g);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Part 2: bytes to a terminal, the real loop (tui_run_source) on a pty. */

struct paced {
	struct gen *g;
	double rate;
	long prefill, delivered;
	__u64 t_paced; /* when the paced phase began */
	long paced;    /* events delivered since */
	int ready_fd;
};

static int paced_poll(void *ctx, int max,
		      int (*fn)(void *fctx, const struct skbs_event *ev,
				const char *tail),
		      void *fctx)
{
	struct paced *s = ctx;
	struct skbs_event ev;
	const char *tail;
	int n = 0;

	if (s->delivered < s->prefill) {
		while (n < max && s->delivered < s->prefill) {
			gen_next(s->g, 0, &ev, &tail, NULL);
			s->delivered++;
			n++;
			if (fn(fctx, &ev, tail))
				break;
		}
		if (s->delivered >= s->prefill) {
			s->t_paced = mono_ns();
			if (write(s->ready_fd, "p", 1) != 1)
				return -EIO;
		}
		return n;
	}
	{
		__u64 now = mono_ns();
		long due = (long)((now - s->t_paced) / 1e9 * s->rate) -
			   s->paced;

		while (n < max && n < due) {
			/* Each at its nominal time, not the batch's. */
			__u64 ts = s->t_paced +
				   (__u64)(s->paced * 1e9 / s->rate);

			gen_next(s->g, ts, &ev, &tail, NULL);
			s->paced++;
			n++;
			if (fn(fctx, &ev, tail))
				break;
		}
	}
	return n;
}

static int paced_filter(void *ctx, const struct skbs_filter *f)
{
	(void)ctx;
	(void)f;
	return 0;
}

static int paced_counters(void *ctx, __u64 *c)
{
	(void)ctx;
	memset(c, 0, SKBS_C_MAX * sizeof(*c));
	return 0;
}

struct child_report {
	int ret;
	unsigned long frames;
	double seconds;
	long paced;
	double paced_s;
	char err[200];
};

static volatile sig_atomic_t child_stop;

static void on_term(int sig)
{
	(void)sig;
	child_stop = 1;
}

__attribute__((noreturn)) static void child(const struct opts *o,
					    const struct common *c, int fd,
					    int ready_fd, int report_fd)
{
	struct tui_source src = { 0 };
	struct tui_opts to = { 0 };
	struct tui_stats stats = { 0 };
	struct child_report rep = { 0 };
	struct paced *s = calloc(1, sizeof(*s));
	__u64 start;

	if (!s || setsid() < 0 || ioctl(fd, TIOCSCTTY, 0))
		_exit(2);
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	signal(SIGTERM, on_term);
	setenv("TERM", "xterm-256color", 1);
	setenv("LC_ALL", "C.UTF-8", 1);
	setenv("XDG_CONFIG_HOME", "/nonexistent", 1); /* no user keys */
	unsetenv("LINES");
	unsetenv("COLUMNS");

	/* A full store first (under 6 events per packet), then paced. */
	s->prefill = (long)o->packets * 7;
	/*
	 * The prefill's own clock steps 100 us per event on average; it
	 * starts that long (and a second more) in the past so that it ends
	 * before the paced events, whose times are then their own: were it
	 * ahead, every paced event would be stamped 1 ns after the previous
	 * one and the time columns would hardly change between frames.
	 */
	start = (__u64)mono_ns() - (__u64)s->prefill * 100000 - 1000000000ULL;
	if (traffic_new(c, 0x7001, 0, start, &s->g))
		_exit(2);
	s->rate = o->rate;
	s->ready_fd = ready_fd;
	src.ctx = s;
	src.hooks = c->hooks;
	src.reasons = c->reasons;
	src.backend = "tracepoint";
	src.attached = hooks_count(c->hooks);
	src.poll = paced_poll;
	src.set_filter = paced_filter;
	src.counters = paced_counters;
	to.color = 1;
	to.max_packets = o->packets;
	rep.ret = tui_run_source(&src, &to, &child_stop, &stats, rep.err,
				 sizeof(rep.err));
	rep.frames = stats.frames;
	rep.seconds = stats.seconds;
	rep.paced = s->paced;
	rep.paced_s = s->t_paced ? (mono_ns() - s->t_paced) / 1e9 : 0;
	if (write(report_fd, &rep, sizeof(rep)) != sizeof(rep))
		_exit(3);
	_exit(0);
}

/* Read what the explorer wrote until deadline, into save if set; returns
 * the bytes read, -1 once the pty hangs up. first: when the first came. */
static long drain(int master, FILE *save, __u64 deadline, __u64 *first)
{
	char buf[65536];
	long got = 0;

	for (;;) {
		struct pollfd pf = { master, POLLIN, 0 };
		__u64 now = mono_ns();
		ssize_t r;

		if (now >= deadline)
			return got;
		poll(&pf, 1, (int)((deadline - now) / 1000000) + 1);
		if (pf.revents & (POLLHUP | POLLERR) && !(pf.revents & POLLIN))
			return -1;
		while ((r = read(master, buf, sizeof(buf))) > 0) {
			if (save)
				fwrite(buf, 1, (size_t)r, save);
			if (!got && first)
				*first = mono_ns();
			got += r;
		}
	}
}

#define KEYS 15

/*
 * Keys during the flood: from writing one to the first byte of the frame
 * that answers it, ms. 's' switches the function counts between all
 * packets and the selected one, so every press changes the screen. The
 * presses come at uneven times, so they land anywhere between two
 * frames; one that a frame of events happens to answer first reads a
 * little short, hence the median. Returns 0, or -1.
 */
static int key_latency(int master, FILE *save, double *med, double *max)
{
	double t[KEYS];
	__u64 rng = 0x6b6579;

	for (int k = 0; k < KEYS; k++) {
		__u64 sent, first = 0;

		rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
		/* 150..450 ms of listening: pending frames out of the way */
		if (drain(master, save,
			  mono_ns() + 150000000ULL + (rng >> 33) % 300000000ULL,
			  NULL) < 0)
			return -1;
		sent = mono_ns();
		if (write(master, "s", 1) != 1)
			return -1;
		if (drain(master, save, sent + 1000000000ULL, &first) <= 0 ||
		    !first)
			return -1;
		t[k] = (first - sent) / 1e6;
	}
	qsort(t, KEYS, sizeof(t[0]), cmp_double);
	*med = t[KEYS / 2];
	*max = t[KEYS - 1];
	return 0;
}

/* Bytes the explorer wrote at w x h, over o->pty_s seconds after it
 * settled; 0, or -1 when it could not be measured (reported). */
static int pty_run(const struct opts *o, const struct common *c, int w, int h)
{
	struct winsize ws = { .ws_row = (unsigned short)h,
			      .ws_col = (unsigned short)w };
	int master, slave, ready[2], report[2], status, counting = 0;
	__u64 t_ready = 0, t_start = 0, t_end = 0, t_last = 0, deadline;
	unsigned long long bytes = 0;
	unsigned long bursts = 0;
	double key_med = -1, key_max = -1, gap_max = 0;
	struct child_report rep = { 0 };
	char buf[65536], *slave_name, path[4096];
	FILE *save = NULL;
	pid_t pid;

	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) || unlockpt(master) ||
	    !(slave_name = ptsname(master))) {
		printf("  %dx%d: no pty (%s), skipped\n", w, h,
		       strerror(errno));
		return -1;
	}
	/* Kept open here too, so the master never reads as hung up. */
	slave = open(slave_name, O_RDWR | O_NOCTTY);
	if (slave < 0 || ioctl(slave, TIOCSWINSZ, &ws) || pipe(ready)) {
		printf("  %dx%d: cannot set up the pty, skipped\n", w, h);
		if (slave >= 0)
			close(slave);
		close(master);
		return -1;
	}
	if (pipe(report)) {
		close(ready[0]);
		close(ready[1]);
		ready[0] = -1;
	}
	fflush(stdout);
	pid = ready[0] < 0 ? -1 : fork();
	if (pid < 0) {
		printf("  %dx%d: cannot start the explorer, skipped\n", w, h);
		if (ready[0] >= 0) {
			close(ready[0]);
			close(ready[1]);
			close(report[0]);
			close(report[1]);
		}
		close(master);
		close(slave);
		return -1;
	}
	if (!pid) {
		close(master);
		close(ready[0]);
		close(report[0]);
		child(o, c, slave, ready[1], report[1]);
	}
	close(ready[1]);
	close(report[1]);
	fcntl(master, F_SETFL, O_NONBLOCK);
	if (o->save) {
		snprintf(path, sizeof(path), "%s.%dx%d", o->save, w, h);
		save = fopen(path, "w");
	}
	deadline = mono_ns() + 120000000000ULL;
	for (;;) {
		struct pollfd pf[2] = { { master, POLLIN, 0 },
					{ ready[0], POLLIN, 0 } };
		__u64 now;

		poll(pf, t_ready ? 1 : 2, 10);
		now = mono_ns();
		if (!t_ready && (pf[1].revents & (POLLIN | POLLHUP))) {
			char ch;

			if (read(ready[0], &ch, 1) != 1)
				break; /* the child ended early */
			t_ready = now;
			/* a second to settle after the prefill */
			t_start = now + 1000000000ULL;
			t_end = t_start + (__u64)(o->pty_s * 1e9);
		}
		if (pf[0].revents & POLLIN) {
			ssize_t r;

			while ((r = read(master, buf, sizeof(buf))) > 0) {
				if (save)
					fwrite(buf, 1, (size_t)r, save);
				if (!counting)
					continue;
				/* A write after a quiet spell: a new frame. */
				if (!t_last || now - t_last > 20000000ULL) {
					if (t_last &&
					    (now - t_last) / 1e6 > gap_max)
						gap_max = (now - t_last) / 1e6;
					bursts++;
				}
				t_last = now;
				bytes += (unsigned long long)r;
			}
		} else if (pf[0].revents & (POLLHUP | POLLERR)) {
			break;
		}
		counting = t_ready && now >= t_start && now < t_end;
		if ((t_ready && now >= t_end) || now > deadline)
			break;
	}
	if (t_ready && (__u64)mono_ns() >= t_end &&
	    key_latency(master, save, &key_med, &key_max))
		key_med = key_max = -1;
	/* Quit with the quit key, as a user would. */
	if (write(master, "q", 1) != 1)
		kill(pid, SIGTERM);
	deadline = mono_ns() + 5000000000ULL;
	while (waitpid(pid, &status, WNOHANG) == 0) {
		struct pollfd pf = { master, POLLIN, 0 };
		ssize_t r;

		if ((__u64)mono_ns() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		poll(&pf, 1, 20);
		while ((r = read(master, buf, sizeof(buf))) > 0)
			if (save)
				fwrite(buf, 1, (size_t)r, save);
	}
	if (save)
		fclose(save);
	close(master);
	close(slave);
	close(ready[0]);
	if (read(report[0], &rep, sizeof(rep)) != sizeof(rep))
		rep.ret = -EIO;
	close(report[0]);
	if (!t_ready || rep.ret) {
		printf("  %dx%d: the explorer did not run (%s), skipped\n", w,
		       h, rep.err[0] ? rep.err : "no report");
		return -1;
	}
	{
		double kbs = bytes / o->pty_s / 1000;
		double evs = rep.paced_s ? rep.paced / rep.paced_s : 0;

		printf("%7dx%-3d %10.0f %10.1f %8.1f %9.0f %8.1f %9.1f %7.0f "
		       "%5.1f/%-5.1f  %s\n",
		       w, h, evs, kbs, bursts / o->pty_s,
		       bursts ? (double)bytes / bursts : 0,
		       rep.seconds ? rep.frames / rep.seconds : 0,
		       evs ? bytes / o->pty_s / evs : 0, gap_max, key_med,
		       key_max, kbs <= GOAL_TERM_KBS ? "<= goal" : "> goal");
		bench("BENCH term_kb_per_s_%dx%d %.1f KB/s\n", w, h, kbs);
		bench("BENCH term_bytes_per_frame_%dx%d %.0f B\n", w, h,
		      bursts ? (double)bytes / bursts : 0);
		bench("BENCH term_max_gap_%dx%d_ms %.0f ms\n", w, h, gap_max);
		if (key_med >= 0)
			bench("BENCH term_key_%dx%d_ms %.1f ms\n", w, h,
			      key_med);
	}
	return 0;
}

static void part_pty(const struct opts *o, const struct common *c)
{
	printf("Bytes to the terminal: the explorer loop on a pty "
	       "(xterm-256color, UTF-8, colour),\n%lu packets in the store, "
	       "then %.0f events/s for %.1f s after 1 s to settle "
	       "(goal <= %.0f KB/s, 1 KB = 1000 B)\n\n",
	       o->packets, o->rate, o->pty_s, GOAL_TERM_KBS);
	printf("%11s %10s %10s %8s %9s %8s %9s %7s %11s\n", "size", "events/s",
	       "KB/s", "frames/s", "B/frame", "fps(all)", "B/event", "gap ms",
	       "key ms");
	for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++)
		pty_run(o, c, sizes[z].w, sizes[z].h);
	printf("(frames/s: writes after a 20 ms quiet spell; fps(all): "
	       "frames the loop drew over its whole run;\n gap ms: the "
	       "longest quiet spell while measuring; key ms: from a key to "
	       "its frame\n during the flood, median/worst of %d, "
	       "-1: not measured)\n\n",
	       KEYS);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: bench-render [-p PACKETS] [-n FRAMES] [-b SECONDS] "
		"[-s SNAPLEN]\n"
		"         [-t PTY_SECONDS] [-r EVENTS_PER_S] [-v VIEW] [-d] "
		"[-w FILE]\n"
		"  -p  packets in the store (100000)\n"
		"  -n  frames timed per view and size (200)\n"
		"  -b  at most this long per view and size, s (2)\n"
		"  -s  header bytes stored per event (64, the explorer's)\n"
		"  -t  seconds of terminal output measured, 0 skips (5)\n"
		"  -r  events per second while measuring (10000)\n"
		"  -v  only this view: time, events, state, drops or live\n"
		"  -d  print each first frame\n"
		"  -w  save the terminal output to FILE.WxH\n");
}

int main(int argc, char **argv)
{
	struct opts o = { .packets = 100000,
			  .frames = 200,
			  .budget_s = 2,
			  .snaplen = 64,
			  .pty_s = 5,
			  .rate = 10000 };
	struct common c;
	int opt;

	while ((opt = getopt(argc, argv, "p:n:b:s:t:r:v:w:dh")) != -1) {
		switch (opt) {
		case 'p': o.packets = strtoul(optarg, NULL, 0); break;
		case 'n': o.frames = atoi(optarg); break;
		case 'b': o.budget_s = atof(optarg); break;
		case 's': o.snaplen = atoi(optarg); break;
		case 't': o.pty_s = atof(optarg); break;
		case 'r': o.rate = atof(optarg); break;
		case 'v': o.view = optarg; break;
		case 'w': o.save = optarg; break;
		case 'd': o.dump = 1; break;
		default: usage(); return opt == 'h' ? 0 : 2;
		}
	}
	if (!o.packets || o.frames < 1 || o.snaplen < 0 ||
	    o.snaplen > SKBS_SNAP_MAX || o.rate < 0) {
		usage();
		return 2;
	}
	if (setup_common(&c, o.snaplen)) {
		fprintf(stderr, "bench-render: setup failed\n");
		return 1;
	}
	if (part_frames(&o, &c)) {
		fprintf(stderr, "bench-render: setup failed\n");
		return 1;
	}
	if (o.pty_s > 0)
		part_pty(&o, &c);
	bench_print();
	reasons_free(c.reasons);
	hooks_free(c.hooks);
	return 0;
}
