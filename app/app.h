/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The program around core/ and tui/: what a run holds (struct app), and the
 * pieces of main split by job: events.c hands each event to the printer,
 * the recorder and pcap-ng and ends the run with a drain and a summary;
 * outputs.c opens and closes the files the flags name; replay.c plays a
 * recording back. These print to stderr; core/ never does.
 */
#ifndef SKBSCOPE_APP_APP_H
#define SKBSCOPE_APP_APP_H

#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <linux/types.h>
#include "bpf/events.h"
#include "app/cli.h"

struct session;
struct line_out;
struct ksyms;
struct pcapng;
struct rec_writer;
struct rec_reader;
struct explain;
struct app_explainer;
struct outfile_rot;
struct nsnames;

struct app {
	struct cli cli;
	struct session *s;
	struct line_out *lo;
	struct ksyms *ksyms;
	int ksyms_tried;
	long long printed;
	int draining;    /* in the final app_drain() */
	int rec_pending; /* --record file created, recording not begun */
	int tui;
	FILE *out;
	int out_err;             /* first write error on out, errno */
	struct outfile_rot *rot; /* --output-file: out writes through it */
	unsigned rot_failed;     /* rotations that failed, said on stderr */
	struct nsnames *names;   /* netns and cgroup names, this box's */
	struct pcapng *pcap;
	int pcap_err; /* first write error, -errno */
	struct rec_writer *rec;
	long long attached_at; /* mono_ns() once attached, for the cost */
	/* The explorer's taker of returns (app/live.c), with its kind. */
	void (*on_return)(void *ctx, const struct skbs_return *r, int kind);
	void *on_return_ctx;
	int rec_err; /* first write error, -errno */
	/* mono_ns() of the last flush */
	long long rec_flushed;
	/* --replay: the reader, and the current event's recorded stack */
	struct rec_reader *replay;
	const __u64 *rstack;
	int rnstack;
	struct app_explainer *ex; /* explain.c */
};

/* Set by the signal handlers: the run should end. */
extern volatile sig_atomic_t app_stop;
/* Catch SIGINT, SIGTERM, SIGQUIT and SIGHUP (unless ignored, as under
 * nohup), ignore SIGPIPE. */
void app_catch_signals(void);

/* events.c */
const struct ksyms *app_ksyms(struct app *a);
/* Session callbacks: print (line or JSON) and tap, and recorder/pcap-ng
 * only (the explorer draws for itself). */
int app_print_event(void *ctx, const struct skbs_event *ev, const char *tail);
int app_tap_event(void *ctx, const struct skbs_event *ev, const char *tail);
/* A return record (--output-return): printed in line mode, recorded, and
 * handed to the explorer's source when one is set. */
void app_on_return(void *ctx, const struct skbs_return *r);
/* explain.c: a return record, kept when it is a tc program's drop. */
void app_explain_return(struct app *a, const struct skbs_return *r, int kind);
/* The exit summary's line on what BPF cost and what the kernel skipped. */
void app_cost_summary(struct app *a);
/* The same for a return whose kind is known (a replay's). */
void app_print_return(void *ctx, const struct skbs_return *r, int kind);
/* Detach, then empty the ring buffer into the outputs. */
void app_drain(struct app *a);
/* The exit summary on stderr: matched = received + lost. */
void app_summary(struct app *a);

/* outputs.c */
long long app_realtime_offset(void);
int app_open_outputs(struct app *a, long long rt_offset);
int app_close_outputs(struct app *a, int rc);
int app_start_record(struct app *a);
int app_write_ready(const char *path);
/* A record (an event and its lines) ends: --output-file may rotate now,
 * and a rotation that failed is said on stderr. */
void app_out_commit(struct app *a);

/* explain.c: why each drop happened. Start after the filter is set and
 * before privileges are dropped (nftrace needs CAP_NET_ADMIN, other
 * namespaces CAP_SYS_ADMIN); stop removes every trace table. */
int app_explain_start(struct app *a);
void app_explain_stop(struct app *a);
/* The filter changed: the trace rules follow it. */
void app_explain_filter(struct app *a, const struct skbs_filter *f);
/* Read what the trace sockets hold; call it often while tracing. */
void app_explain_poll(struct app *a);
/* Why drop event ev happened (NULL for other events, or nothing known);
 * the same event asked twice in a row is answered once. */
const struct explain *app_explain_event(struct app *a,
					const struct skbs_event *ev,
					const char *tail);
/* "nft trace in netns a, b", or "". */
const char *app_explain_note(struct app *a);

/* live.c: the explorer's source for a live session. */
struct tui_source;
void app_live_source(struct app *a, struct tui_source *src);

/* replay.c: --replay; returns the exit status. */
int app_replay_main(struct app *a);

#endif
