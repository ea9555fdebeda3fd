// SPDX-License-Identifier: GPL-2.0
/*
 * User-space ingest (issue 7, figure 3). Writes a recording of synthetic
 * but realistic events with core/record's writer, then reads it back
 * three ways, each timed on one core: rec_next alone (decode), through
 * core/replay (decode and stack interning) and through replay into
 * core/store, which is what `--replay` in the explorer does; and
 * core/lifetime over its skb addresses, which the live path runs for every
 * event first. Then the store's memory per event it holds. Prints a
 * table, then "BENCH name value unit" lines. Figures only: no timing
 * makes it fail.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/hooks.h"
#include "core/lib/clock.h"
#include "core/lib/vec.h"
#include "core/lifetime.h"
#include "core/reasons.h"
#include "core/record.h"
#include "core/replay.h"
#include "core/store.h"
#include "tests/bench/gen.h"
#include "tests/bench/measure.h"

#define GOAL_EVENTS_PER_S 3e6
#define GOAL_BYTES_PER_EVENT 160.0
/* The explorer drains at most this many events between frames. */
#define BATCH 20000

/* ------------------------------------------------------------------ */
/* Measuring. */

struct opts {
	unsigned long events;
	size_t max_packets;
	int snaplen;
	int stack_depth;
	int runs;
	const char *path;
	int keep;
	int reuse; /* read path as it is; write nothing */
};

/* ------------------------------------------------------------------ */
/* The recording. */

/*
 * A flood as the kernel would have it recorded: packets at 0.2..2.2 us
 * intervals over two CPUs, TCP as well as UDP, skb addresses reused from
 * a slab, and header bytes that differ between packets and change along
 * forwarded ones, so that the store's sharing of bytes is not flattered.
 */
static const struct gen_opts traffic = {
	.seed = 0x5cb5c09e,
	.ts = 1000000000000ULL,
	.step_ns = 200,
	.spread_ns = 2000,
	.mix = GEN_MIX_TCP,
	.vary_headers = 1,
	.slab = 4096,
	.cpus = 2,
	.tx_pid = 4242,
};

static int write_recording(const struct opts *o, unsigned long *packets)
{
	struct gen_opts go = traffic;
	struct rec_meta m = { 0 };
	struct rec_writer *w;
	struct hooks *hooks = NULL;
	struct reasons *reasons = NULL;
	struct skbs_event ev;
	struct gen *g = NULL;
	__u64 ips[SKBS_STACK_DEPTH];
	const char *tail;
	char err[512];
	int ret = -1, nstack;

	go.snaplen = o->snaplen;
	go.stack_depth = o->stack_depth;
	if (hooks_new(&hooks) || reasons_new(&reasons) ||
	    gen_tables(hooks, reasons) || gen_new(&go, &g))
		goto out;
	snprintf(m.host, sizeof(m.host), "bench");
	snprintf(m.kernel, sizeof(m.kernel), "6.18.0-bench");
	snprintf(m.backend, sizeof(m.backend), "tracepoint");
	if (rec_create(o->path, &m, &w, err, sizeof(err))) {
		fprintf(stderr, "bench-ingest: %s\n", err);
		goto out;
	}
	if (rec_write_hooks(w, hooks, hooks_count(hooks)) ||
	    rec_write_reasons(w, reasons)) {
		fprintf(stderr, "bench-ingest: %s: cannot write\n", o->path);
		rec_close(w, NULL);
		goto out;
	}
	for (unsigned long i = 0; i < o->events; i++) {
		nstack = gen_next(g, 0, &ev, &tail, ips);
		if (rec_write_event(w, &ev, tail, ips, nstack, NULL)) {
			fprintf(stderr, "bench-ingest: %s: cannot write\n",
				o->path);
			rec_close(w, NULL);
			goto out;
		}
	}
	*packets = gen_started(g);
	ret = rec_close(w, NULL);
	if (ret)
		fprintf(stderr, "bench-ingest: %s: %s\n", o->path,
			strerror(-ret));
out:
	gen_free(g);
	reasons_free(reasons);
	hooks_free(hooks);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Reading it back. */

struct run {
	__u64 wall, cpu;
	unsigned long events;
};

static int open_reader(const struct opts *o, struct rec_reader **r)
{
	char err[512];

	if (rec_open(o->path, r, err, sizeof(err))) {
		fprintf(stderr, "bench-ingest: %s\n", err);
		return -1;
	}
	return 0;
}

/* rec_next alone: read, check and decode, nothing kept. */
static int run_decode(const struct opts *o, struct run *res)
{
	const struct skbs_event *ev;
	const __u64 *stack;
	const char *tail;
	struct rec_reader *r;
	char err[512];
	__u64 w0, c0, sum = 0;
	int nstack, ret;

	if (open_reader(o, &r))
		return -1;
	res->events = 0;
	w0 = mono_ns();
	c0 = cpu_ns();
	while ((ret = rec_next(r, &ev, &tail, &stack, &nstack, err,
			       sizeof(err))) > 0) {
		sum += ev->ts + (unsigned char)(ev->hdr_len ? tail[0] : 0);
		res->events++;
	}
	res->cpu = cpu_ns() - c0;
	res->wall = mono_ns() - w0;
	rec_close_reader(r);
	if (ret) {
		fprintf(stderr, "bench-ingest: %s\n", err);
		return -1;
	}
	return sum ? 0 : -1;
}

static int count_only(void *ctx, const struct skbs_event *ev, const char *tail)
{
	unsigned long *n = ctx;

	(void)ev;
	(void)tail;
	++*n;
	return 0;
}

struct into_store {
	struct store *st;
	unsigned long n;
	int err;
};

/* What the explorer's on_event does with each replayed event. */
static int to_store(void *ctx, const struct skbs_event *ev, const char *tail)
{
	struct into_store *s = ctx;

	if (store_add(s->st, ev, tail))
		s->err = 1;
	return ++s->n % BATCH == 0;
}

/* Through core/replay, into a store when st is given. */
static int run_replay(const struct opts *o, struct store *st, struct run *res)
{
	struct rec_reader *r;
	struct replay *rp;
	struct into_store s = { .st = st };
	unsigned long n = 0;
	__u64 w0, c0;

	if (open_reader(o, &r))
		return -1;
	if (replay_new(r, o->path, &rp)) {
		rec_close_reader(r);
		return -1;
	}
	w0 = mono_ns();
	c0 = cpu_ns();
	if (st)
		while (replay_poll(rp, BATCH, to_store, &s) > 0)
			;
	else
		while (replay_poll(rp, BATCH, count_only, &n) > 0)
			;
	res->cpu = cpu_ns() - c0;
	res->wall = mono_ns() - w0;
	res->events = st ? s.n : n;
	if (replay_error(rp) || s.err) {
		fprintf(stderr, "bench-ingest: %s\n", replay_status(rp));
		replay_free(rp);
		rec_close_reader(r);
		return -1;
	}
	replay_free(rp);
	rec_close_reader(r);
	return 0;
}

/* lifetimes_gen over the recording's (address, ends) pairs, read first
 * and untimed: what the live path does to every event before the rest. */
static int run_lifetimes(const struct opts *o, struct run *res)
{
	const struct skbs_event *ev;
	const __u64 *stack;
	const char *tail;
	struct rec_reader *r;
	struct lifetimes *l = NULL;
	size_t n = 0, cap_skb = 0, cap_ends = 0;
	__u64 *skb = NULL, w0, c0, sum = 0;
	__u8 *ends = NULL;
	char err[512];
	int nstack, ret = -1;

	if (open_reader(o, &r))
		goto out;
	while ((ret = rec_next(r, &ev, &tail, &stack, &nstack, err,
			       sizeof(err))) > 0) {
		if (VEC_RESERVE(skb, cap_skb, n + 1) ||
		    VEC_RESERVE(ends, cap_ends, n + 1)) {
			ret = -1;
			break;
		}
		skb[n] = ev->skb;
		ends[n++] = !!(ev->flags & SKBS_EV_FREE);
	}
	rec_close_reader(r);
	if (ret || lifetimes_new(&l)) {
		ret = -1;
		goto out;
	}
	w0 = mono_ns();
	c0 = cpu_ns();
	for (size_t i = 0; i < n; i++)
		sum += lifetimes_gen(l, skb[i], ends[i]);
	res->cpu = cpu_ns() - c0;
	res->wall = mono_ns() - w0;
	res->events = n;
	ret = sum ? 0 : -1;
out:
	lifetimes_free(l);
	free(skb);
	free(ends);
	return ret;
}

static double per_s(const struct run *r)
{
	return r->cpu ? r->events / (r->cpu / 1e9) : 0;
}

/* The fastest of the runs: the machine is shared, and the others only
 * add what the neighbours took. */
static void keep_best(struct run *best, const struct run *r)
{
	if (!best->cpu || r->cpu < best->cpu)
		*best = *r;
}

static void row(const char *label, const struct run *r, const char *goal)
{
	printf("%-34s %10lu %10.1f %10.1f %12.0f %8.0f  %s\n", label, r->events,
	       r->wall / 1e6, r->cpu / 1e6, per_s(r),
	       r->events ? (double)r->cpu / r->events : 0, goal);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: bench-ingest [-e EVENTS] [-p PACKETS] [-s SNAPLEN] "
		"[-k DEPTH] [-n RUNS]\n"
		"                    [-f FILE] [-K] [-r FILE]\n"
		"  -e  events in the recording (2000000)\n"
		"  -p  lifetimes the store keeps, --max-packets (100000)\n"
		"  -s  header bytes per event (64, the explorer's default)\n"
		"  -k  kernel stack frames per event, 0: none (0)\n"
		"  -n  timed runs of each kind; the fastest is shown (3)\n"
		"  -f  the recording (a new file under /tmp)\n"
		"  -K  keep the recording\n"
		"  -r  read this recording (say, one kept with -K) instead; "
		"-e -s -k are\n"
		"      then ignored\n");
}

int main(int argc, char **argv)
{
	struct opts o = { .events = 2000000,
			  .max_packets = 100000,
			  .snaplen = 64,
			  .runs = 3 };
	struct run dec = { 0 }, rep = { 0 }, full = { 0 }, life = { 0 }, first,
		   r;
	char path[] = "/tmp/skbscope-ingest.XXXXXX";
	long long rss0, rss1, heap0, heap1, peak;
	unsigned long packets = 0, held = 0;
	size_t bytes, kept;
	struct store *st;
	struct stat sb;
	double bpe;
	int opt, fd, rc = 1;

	while ((opt = getopt(argc, argv, "e:p:s:k:n:f:Kr:h")) != -1) {
		switch (opt) {
		case 'e': o.events = strtoul(optarg, NULL, 0); break;
		case 'p': o.max_packets = strtoul(optarg, NULL, 0); break;
		case 's': o.snaplen = atoi(optarg); break;
		case 'k': o.stack_depth = atoi(optarg); break;
		case 'n': o.runs = atoi(optarg); break;
		case 'f': o.path = optarg; break;
		case 'K': o.keep = 1; break;
		case 'r':
			o.path = optarg;
			o.reuse = o.keep = 1;
			break;
		default: usage(); return opt == 'h' ? 0 : 2;
		}
	}
	if (!o.events || !o.max_packets || o.snaplen < 0 ||
	    o.snaplen > SKBS_SNAP_MAX || o.stack_depth < 0 ||
	    o.stack_depth > SKBS_STACK_DEPTH || o.runs < 1) {
		usage();
		return 2;
	}
	if (!o.path) {
		/* A name of our own; rec_create truncates it in place. */
		fd = mkstemp(path);
		if (fd < 0) {
			fprintf(stderr, "bench-ingest: %s: %s\n", path,
				strerror(errno));
			return 1;
		}
		close(fd);
		o.path = path;
	}
	if (!o.reuse && write_recording(&o, &packets))
		goto out;
	if (stat(o.path, &sb)) {
		fprintf(stderr, "bench-ingest: %s: %s\n", o.path,
			strerror(errno));
		goto out;
	}

	/* The first pass into a store is the one whose memory is measured:
	 * nothing was allocated and freed before it. */
	rss0 = rss_now();
	heap0 = heap_now();
	if (store_new(o.max_packets, &st))
		goto out;
	if (run_replay(&o, st, &r))
		goto out;
	first = r;
	keep_best(&full, &r);
	rss1 = rss_now();
	heap1 = heap_now();
	bytes = store_bytes(st);
	kept = store_count(st);
	for (size_t i = 0; i < kept; i++)
		held += store_packet(st, i)->nhops;
	if (o.reuse) {
		o.events = r.events;
		packets = store_count(st) + store_evicted(st);
	}
	if (store_events(st) != o.events ||
	    kept != (packets < o.max_packets ? packets : o.max_packets)) {
		fprintf(stderr,
			"bench-ingest: the store took %llu events "
			"and keeps %zu packets; expected %lu and %zu\n",
			(unsigned long long)store_events(st), kept, o.events,
			o.max_packets);
		store_free(st);
		goto out;
	}
	store_free(st);

	if (o.reuse)
		printf("User-space ingest: a recording of %lu events (%lu "
		       "packets), %.1f MB, %.0f B/event on disk;\nthe store "
		       "keeps %zu packets (--max-packets)\n\n",
		       o.events, packets, sb.st_size / 1048576.0,
		       (double)sb.st_size / o.events, o.max_packets);
	else
		printf("User-space ingest: a recording of %lu events (%lu "
		       "packets, snaplen %d, %d stack frames),\n%.1f MB, %.0f "
		       "B/event on disk; the store keeps %zu packets "
		       "(--max-packets)\n\n",
		       o.events, packets, o.snaplen, o.stack_depth,
		       sb.st_size / 1048576.0, (double)sb.st_size / o.events,
		       o.max_packets);
	fflush(stdout);

	for (int i = 0; i < o.runs; i++) {
		if (run_decode(&o, &r))
			goto out;
		keep_best(&dec, &r);
		if (run_replay(&o, NULL, &r))
			goto out;
		keep_best(&rep, &r);
		if (i == o.runs - 1)
			break; /* the first store pass counts as one */
		if (store_new(o.max_packets, &st))
			goto out;
		if (run_replay(&o, st, &r)) {
			store_free(st);
			goto out;
		}
		store_free(st);
		keep_best(&full, &r);
	}
	peak = peak_rss();
	/* After the peak: its copy of the addresses is no part of it. */
	for (int i = 0; i < o.runs; i++) {
		if (run_lifetimes(&o, &r))
			goto out;
		keep_best(&life, &r);
	}

	printf("%-34s %10s %10s %10s %12s %8s\n", "path", "events", "wall ms",
	       "cpu ms", "events/s", "ns/ev");
	row("rec_next (read, check, decode)", &dec, "");
	row("replay_poll (+ copy, stacks)", &rep, "");
	row("replay_poll + store_add", &full,
	    per_s(&full) >= GOAL_EVENTS_PER_S ? ">= goal" : "< goal");
	row("  its first run (fresh memory)", &first,
	    per_s(&first) >= GOAL_EVENTS_PER_S ? ">= goal" : "< goal");
	row("lifetimes_gen (live: skb identity)", &life, "");
	printf("(events/s from this thread's CPU time, fastest of %d runs; "
	       "goal >= %.0f M events/s;\nthe file is read from the page "
	       "cache)\n\n",
	       o.runs, GOAL_EVENTS_PER_S / 1e6);

	bpe = held ? (double)(rss1 - rss0) / held : 0;
	printf("Store memory: %zu packets kept, %lu events in them (%.2f per "
	       "packet)\n",
	       kept, held, kept ? (double)held / kept : 0);
	printf("  RSS growth          %10.1f MB  %7.1f B/event  %s\n",
	       (rss1 - rss0) / 1048576.0, bpe,
	       bpe <= GOAL_BYTES_PER_EVENT ? "<= goal" : "> goal");
	printf("  malloc'd            %10.1f MB  %7.1f B/event\n",
	       (heap1 - heap0) / 1048576.0,
	       held ? (double)(heap1 - heap0) / held : 0);
	printf("  store_bytes()       %10.1f MB  %7.1f B/event\n",
	       bytes / 1048576.0, held ? (double)bytes / held : 0);
	printf("  peak RSS            %10.1f MB  (whole process)\n",
	       peak / 1048576.0);
	printf("(goal <= %.0f B per stored event)\n\n", GOAL_BYTES_PER_EVENT);

	bench("BENCH ingest_decode_events_per_s %.0f events/s\n", per_s(&dec));
	bench("BENCH ingest_replay_nostore_events_per_s %.0f events/s\n",
	      per_s(&rep));
	bench("BENCH ingest_replay_events_per_s %.0f events/s\n", per_s(&full));
	bench("BENCH ingest_replay_first_events_per_s %.0f events/s\n",
	      per_s(&first));
	bench("BENCH ingest_replay_ns_per_event %.1f ns\n",
	      full.events ? (double)full.cpu / full.events : 0);
	bench("BENCH ingest_lifetimes_events_per_s %.0f events/s\n",
	      per_s(&life));
	bench("BENCH store_bytes_per_event %.1f B\n", bpe);
	bench("BENCH store_heap_bytes_per_event %.1f B\n",
	      held ? (double)(heap1 - heap0) / held : 0);
	bench("BENCH ingest_peak_rss_mb %.1f MB\n", peak / 1048576.0);
	bench_print();
	rc = 0;
out:
	if (!o.keep)
		unlink(o.path);
	return rc;
}
