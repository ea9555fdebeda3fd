/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The session object as the files of core/trace see it (session.h is
 * what everyone else sees): session.c owns its life and the loop over
 * backends, discover.c fills the hook table, load.c loads the main
 * object, backend_*.c attach (with what they share in common.c), and
 * events.c reads the ring buffer.
 */
#ifndef SKBSCOPE_TRACE_SESSION_INTERNAL_H
#define SKBSCOPE_TRACE_SESSION_INTERNAL_H

#include <regex.h>
#include <stddef.h>
#include <linux/types.h>
#include "core/trace/backend.h"
#include "core/trace/ipt.h"
#include "core/trace/session.h"
#include "core/trace/template.h"

struct attach_req;
struct bpfprog;
struct bpf_link;
struct skbscope_bpf;
struct u64map;

struct session {
	struct session_opts o;
	struct skbscope_bpf *skel;  /* tracepoints, kprobe, kprobe.multi */
	struct skbscope_bpf *fskel; /* fentry templates, on skel's maps */
	struct templates tmpl;      /* skel's programs by template row */
	struct templates ftmpl;     /* fskel's */
	struct btf *vmlinux;
	struct reasons *reasons;
	struct hooks *hooks;
	size_t ntp; /* hooks [0, ntp) are tracepoints */
	struct funcs *funcs;
	struct attach_set *links; /* tp_btf and fentry copies */
	struct bpf_link **plinks; /* kprobe / kprobe.multi links */
	size_t nplinks, capplinks;
	struct ksyms *ksyms; /* ip -> hook without attach cookies */
	int ksyms_tried;
	struct u64map *ipcache; /* ip -> hook id, made on first use */
	struct lifetimes *life;
	struct cfgmap *cfg;
	struct ring_buffer *rb;
	regex_t re;
	int have_re;
	int ncpus;
	unsigned cand; /* candidate backends, a bit per enum */
	int cookies;   /* kernel has bpf_get_attach_cookie */
	int reason_fn; /* a drop-reason function is probed */
	size_t failed;
	__u64 bad_records;
	__u64 received;    /* records taken from the ring buffer */
	__u64 self_events; /* of those, opts.self_pid's: not handed on */
	int detached;
	session_event_fn fn;
	void *fn_ctx;
	int stopped;
	const struct backend_ops *active; /* the backend that attached */
	struct ipt_watch ipt;             /* iptables-legacy verdicts */
	size_t ret_attached, ret_failed;  /* return probes (opts.returns) */
	__u64 returns;                    /* return records handed on */
	session_return_fn ret_fn;
	void *ret_ctx;
	int stats_fd; /* BPF_ENABLE_STATS while > 0 */
	size_t nmuted;
	int count_runs;     /* SKBS_F_HOOK_RUNS: runs per hook (kprobes) */
	struct bpfprog *bp; /* --filter-trace-tc/-xdp (bpfprog.c) */
	size_t bp_attached; /* tc/XDP programs traced */
	size_t bp_helpers;  /* their helpers probed */
	size_t bp_mapfns;   /* map functions probed (--output-bpfmap) */
	__u32 own_maps[64]; /* skbscope's map ids: their ops are its own */
	size_t nown_maps;
	struct skbs_filter filter; /* the last set, rewritten on a mute */
	int have_filter;
	/* The cost as it was when session_stop detached everything (the
	 * copies' fds go with it). */
	struct session_cost last_cost;
	char why[768]; /* "backend: reason; ..." */
};

/* How far one long job (attaching or detaching a backend) has got. The
 * count goes to the front end's progress callback, on the thread that
 * drives the job. */
struct progress {
	const struct session_opts *o;
	const char *what; /* "attaching", "detaching" */
	size_t done, total;
};

/* Report done + more of p->total. */
static inline void progress_report(const struct progress *p, size_t more)
{
	if (p && p->o->progress && p->total)
		p->o->progress(p->o->ctx, p->what, p->done + more, p->total);
}

/* n more done, reported when report is set. */
static inline void progress_add(struct progress *p, size_t n, int report)
{
	if (!p)
		return;
	p->done += n;
	if (report)
		progress_report(p, 0);
}

/* common.c */
/* A one-line note for the user (a hook left out, a fallback). */
void sess_note(struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A function whose return is probed (--output-return): not the drop and
 * free functions, whose stubs are the end of the skb. */
struct hook;
int sess_wants_return(const struct hook *hk);
/* session.c: record why backend b is out of the running (s->why). */
void sess_rule_out(struct session *s, enum backend b, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Hook id attached, or failed with err (-errno) and why (may be NULL). */
void sess_hook_attached(struct session *s, __u32 id);
void sess_hook_failed(struct session *s, __u32 id, int err, const char *why);
/* Keep a kprobe link until detach. 0 or -ENOMEM. */
int sess_keep_link(struct session *s, struct bpf_link *l);
/* Load and attach the copies in r (attach_copies_btf) on every CPU, then
 * mark each request's hook attached (counted in a->ok) or failed. p may
 * be NULL. 0, or -errno when nothing could be tried. */
int sess_attach_copies(struct session *s, struct attach_req *r, size_t n,
		       struct attempt *a, struct progress *p);
/* Run fn over [0, n) on threads, as detaching wants: one thread for
 * a few, many for thousands; p (may be NULL) counts them. */
void sess_detach_each(struct session *s, size_t n,
		      void (*fn)(struct session *s, size_t i),
		      struct progress *p);

/* discover.c: the hook table, tracepoints first, then the functions
 * that can be traced (for the backends that probe them). 0 or -errno
 * with a message in err. */
int discover_tracepoints(struct session *s, char *err, size_t errlen);
int discover_functions(struct session *s, char *err, size_t errlen);
/* -ENOENT with the reason in why when no function was found to probe. */
int discover_no_funcs(const struct session *s, char *why, size_t len);

/* load.c: open and load the main object for the candidate backends.
 * 0 or -errno with a message in err. */
int load_main(struct session *s, char *err, size_t errlen);

/* stats.c: run-time statistics on (0 or -errno) and off. */
int stats_start(struct session *s);
void stats_stop(struct session *s);

/* bpfprog.c: trace the tc/XDP programs (opts trace_tc, trace_xdp),
 * after a backend attached: 0, or -errno with a message in err (a
 * kernel without BPF trampolines). And let go of them. */
int bpfprog_attach(struct session *s, char *err, size_t errlen);
void bpfprog_detach(struct session *s);
/* Their copies, for the cost (NULL when none). */
struct attach_set *bpfprog_links(const struct session *s);

/* events.c: map the ring buffer (done once, before privileges go), and
 * free it. */
int events_open(struct session *s);
void events_close(struct session *s);

#endif
