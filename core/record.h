/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Recordings (--record / --replay): a file that holds everything a trace
 * needs to be shown again elsewhere, with no root, BPF, kallsyms or BTF.
 * Written by core/record_write.c, read by core/record_read.c; the layout
 * both follow is core/record_format.h.
 */
#ifndef SKBSCOPE_RECORD_H
#define SKBSCOPE_RECORD_H

#include <stddef.h>
#include <linux/types.h>
#include "bpf/events.h"

struct hooks;
struct reasons;
struct ksyms;
struct explain;

struct rec_meta {
	char host[65];
	char kernel[129];             /* uname -r */
	char backend[32];             /* how events were collected */
	long long start_realtime_ns;  /* CLOCK_REALTIME when tracing began */
	long long realtime_offset_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC */
	/* --output-skb-metadata as given ("skb->mark,skb->len"): names the
	 * events' nmeta values; "" when none. */
	char meta_names[SKBS_EXPR_TEXT];
};

struct rec_writer;

/*
 * Create (or truncate) path, mode 0600, never through a symlink, and write
 * the header and META. 0 or -errno with a message naming the file.
 */
int rec_create(const char *path, const struct rec_meta *m,
	       struct rec_writer **out, char *err, size_t errlen);
/* Write the hooks with ids below upto (capped at the table's size) that
 * are not written yet. Callers write them as events first need them: a
 * tracepoint run has thousands of unattached function hooks in its table,
 * and a recording should not carry them. 0 or -errno. */
int rec_write_hooks(struct rec_writer *w, const struct hooks *h, size_t upto);
/* Write the drop reason names; once (-EALREADY after). 0 or -errno. */
int rec_write_reasons(struct rec_writer *w, const struct reasons *r);
/*
 * Write one event with its tail and its kernel stack (nstack ips, 0 when
 * none). With ks, the symbols its addresses fall in are written first, each
 * once per file. -EINVAL (nothing written) for an event the reader would
 * refuse: bad tail, stack deeper than SKBS_STACK_DEPTH, or a hook id not
 * written yet (SKBS_HOOK_BY_IP is fine). Other -errno: the file is broken.
 */
int rec_write_event(struct rec_writer *w, const struct skbs_event *ev,
		    const char *tail, const __u64 *stack, int nstack,
		    const struct ksyms *ks);
/* Write why the drop event ev happened; call it just before
 * rec_write_event(ev), whose explanation it then is on replay. 0, -EINVAL
 * (a kind the reader would not know), or -errno: the file is broken. */
int rec_write_explain(struct rec_writer *w, const struct skbs_event *ev,
		      const struct explain *e);
/* A return record with its function's enum ret_kind. 0, -EINVAL (a hook
 * not written yet) or the writer's error. */
/* The name of cgroup id (--output-cgroup's), once per id: 0 or -errno;
 * -EINVAL for id 0 or a name of 256 bytes or more. */
int rec_write_cgroup(struct rec_writer *w, __u64 id, const char *name);
int rec_write_return(struct rec_writer *w, const struct skbs_return *r,
		     int kind);
/* Write out what is buffered. Callers flush about once a second and when a
 * signal asks them to stop; not async-signal-safe. 0 or -errno. */
int rec_flush(struct rec_writer *w);
/*
 * Write END with the final counters (SKBS_C_MAX of them; NULL: zeros),
 * flush, fsync, close and free. 0, or the first -errno any write of this
 * recording met: then the file is not complete.
 */
int rec_close(struct rec_writer *w, const __u64 *counters);

struct rec_reader;

/* Open a recording, check its header and read META. 0 or -errno with a
 * message naming the file. */
int rec_open(const char *path, struct rec_reader **out, char *err,
	     size_t errlen);
const struct rec_meta *rec_meta(const struct rec_reader *r);
/*
 * The next event. 1: *ev, *tail (ev->tail_len bytes) and *stack (*nstack
 * ips, aligned) are valid until the next call; ev->hook is below
 * hooks_count(rec_hooks(r)) or is SKBS_HOOK_BY_IP. 0: the end record was
 * read (again 0 after). -errno: err says "FILE: byte OFFSET: what", and
 * every later call says the same; a file cut short (no END) gives -ENODATA
 * after its last whole event.
 */
int rec_next(struct rec_reader *r, const struct skbs_event **ev,
	     const char **tail, const __u64 **stack, int *nstack, char *err,
	     size_t errlen);
/* Why the event rec_next returned last was dropped, as recorded, or
 * NULL. Valid until the next call. */
const struct explain *rec_explain(const struct rec_reader *r);
/* Return records go to fn as rec_next reads past them (with the kind
 * recorded); without fn they are skipped. */
typedef void (*rec_return_fn)(void *ctx, const struct skbs_return *r, int kind);
void rec_set_return_fn(struct rec_reader *r, rec_return_fn fn, void *ctx);
/* Cgroup names go to fn as rec_next reads past them. */
typedef void (*rec_cgroup_fn)(void *ctx, __u64 id, const char *name);
void rec_set_cgroup_fn(struct rec_reader *r, rec_cgroup_fn fn, void *ctx);
/*
 * Tables built from the records read so far; they grow as rec_next reads
 * on, so do not keep pointers into them (hooks_get) across calls. Never
 * NULL; freed by rec_close_reader.
 */
const struct hooks *rec_hooks(const struct rec_reader *r);
const struct reasons *rec_reasons(const struct rec_reader *r);
const struct ksyms *rec_ksyms(const struct rec_reader *r);
/* END's counters (SKBS_C_MAX), NULL until rec_next has returned 0. */
const __u64 *rec_end_counters(const struct rec_reader *r);
void rec_close_reader(struct rec_reader *r);

#endif
