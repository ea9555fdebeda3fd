/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The recording file's layout, written once for the writer
 * (record_write.c) and the reader (record_read.c): what one puts down the
 * other takes up, so a change here is a change to both.
 *
 * Version 2. Files are written in host byte order and only read back on
 * little-endian machines (x86, arm64); a reader refuses a file whose magic
 * or version it does not know.
 *
 *   header   struct rec_fmt_file (16 bytes): "SKBSCOPE", u32 version (2),
 *            u32 flags (0)
 *   records  struct rec_fmt_rec: u32 type, u32 payload length; payload;
 *            zeros to a multiple of 8 bytes (every record starts
 *            8-aligned); payload <= REC_PAYLOAD_MAX
 *
 * A payload starts with the fixed part of its type (struct rec_fmt_*),
 * then strings, NUL-terminated, one after another. Record types:
 *
 *   1 META    s64 start realtime ns, s64 realtime - monotonic ns;
 *             host, kernel release, backend[, metadata names: the
 *             --output-skb-metadata list, which names each EVENT's nmeta
 *             values]. Exactly one, first.
 *   2 HOOK    u32 id, u32 kind, s32 skb_pos, s32 nargs, s32 attached,
 *             u32 0; name, group, module, why. Ids are dense, in order,
 *             and come before any event that uses them.
 *   3 REASON  u32 value, u32 0; full enumerator name.
 *   4 SYM     u64 start address; name, module ("" for vmlinux). Once per
 *             symbol, before the first event whose addresses it covers.
 *   5 EVENT   u32 nstack, u32 0, u64 stack[nstack], struct skbs_event,
 *             tail (tail_len bytes).
 *   6 END     u64 events written, u32 ncounters, u32 0,
 *             u64 counters[ncounters]. Last; nothing after it is read.
 *   7|bit 31 EXPLAIN  u64 skb, u64 ts, u32 kind, u32 nfields; text, then
 *             nfields pairs of key, value. Why the drop EVENT right
 *             after it happened (same skb and ts). Optional: a reader
 *             that does not know it shows the drop without it.
 *   8|bit 31 RETURN   struct skbs_return, u32 kind (enum ret_kind), u32 0.
 *             A traced function's return (--output-return), after its
 *             entry EVENT. Optional: an older reader shows a flat path.
 *  10|bit 31 CGROUP   u64 id, then its name (a cgroup path or container,
 *             NUL-terminated, < 256 bytes): so that a replay elsewhere
 *             names the cgroups of the events; once per id, before the
 *             first event that carries it. Optional.
 *
 * Version 1 differs only in EVENT: its struct skbs_event is the first
 * REC_EVENT_V1 bytes of today's (no cgroup, flags2, tcp_flags, nmeta,
 * aux); readers still take it, with those fields 0.
 *
 * Readers ignore bytes after the fields they know in all but EVENT, so a
 * field can be appended there without a new version, and they skip
 * records whose type has bit 31 set and is unknown to them; anything else
 * unknown is an error. EVENT's length must be exactly that of its parts.
 */
#ifndef SKBSCOPE_RECORD_FORMAT_H
#define SKBSCOPE_RECORD_FORMAT_H

#include <stddef.h>
#include <linux/types.h>
#include "bpf/events.h"

#define REC_MAGIC "SKBSCOPE"
#define REC_VERSION 2
/* The oldest version readers take, and its event size. */
#define REC_VERSION_MIN 1
#define REC_EVENT_V1 168

enum rec_type {
	REC_META = 1,
	REC_HOOK = 2,
	REC_REASON = 3,
	REC_SYM = 4,
	REC_EVENT = 5,
	REC_END = 6,
	REC_EXPLAIN = 7 | (1u << 31), /* REC_OPTIONAL */
	REC_RETURN = 8 | (1u << 31),  /* REC_OPTIONAL */
	REC_CGROUP = 10 | (1u << 31), /* REC_OPTIONAL */
	REC_OPTIONAL = 1u << 31,      /* readers may skip these if unknown */
};

/* Limits that bound what a hostile file can make the reader allocate or
 * compute; the writer stays within them so its files always read back. */
#define REC_PAYLOAD_MAX (1u << 20)
#define REC_HOOKS_MAX 65536
#define REC_REASONS_MAX 8192
#define REC_REASON_NAME 128
/* ksyms_add is O(n), so this also bounds replay's cost: far more distinct
 * functions than a trace's stacks touch, yet a worst-case file of them (in
 * descending order) loads in a quarter second. Beyond it addresses stay
 * raw. */
#define REC_SYMS_MAX 65536
#define REC_SYM_NAME 512 /* KSYM_NAME_LEN */
#define REC_SYM_MODULE 64
#define REC_COUNTERS_MAX 64

struct rec_fmt_file {
	char magic[8]; /* REC_MAGIC, no NUL */
	__u32 version; /* REC_VERSION */
	__u32 flags;   /* 0: readers refuse any other */
};

struct rec_fmt_rec {
	__u32 type; /* enum rec_type */
	__u32 len;  /* payload bytes, padding not counted */
};

/* The fixed part of each payload; what follows it is in the table above. */
struct rec_fmt_meta {
	__s64 start_realtime_ns;  /* CLOCK_REALTIME when tracing began */
	__s64 realtime_offset_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC */
};

struct rec_fmt_hook {
	__u32 id;
	__u32 kind; /* enum hook_kind */
	__s32 skb_pos;
	__s32 nargs;
	__s32 attached;
	__u32 zero;
};

struct rec_fmt_reason {
	__u32 value; /* enum skb_drop_reason */
	__u32 zero;
};

struct rec_fmt_sym {
	__u64 start; /* kernel address, never 0 */
};

struct rec_fmt_event {
	__u32 nstack; /* <= SKBS_STACK_DEPTH */
	__u32 zero;
};

struct rec_fmt_explain {
	__u64 skb;     /* the drop event's skb */
	__u64 ts;      /* and its ts */
	__u32 kind;    /* enum explain_kind, < EXPLAIN_KIND_MAX */
	__u32 nfields; /* <= EXPLAIN_FIELDS */
};

struct rec_fmt_end {
	__u64 nevents;   /* EVENT records in the file */
	__u32 ncounters; /* <= REC_COUNTERS_MAX */
	__u32 zero;
};

/* The layout is the file's, so the compiler may not choose it. */
_Static_assert(sizeof(struct rec_fmt_file) == 16, "rec_fmt_file");
_Static_assert(sizeof(struct rec_fmt_rec) == 8, "rec_fmt_rec");
_Static_assert(sizeof(struct rec_fmt_meta) == 16, "rec_fmt_meta");
_Static_assert(sizeof(struct rec_fmt_hook) == 24, "rec_fmt_hook");
_Static_assert(sizeof(struct rec_fmt_reason) == 8, "rec_fmt_reason");
_Static_assert(sizeof(struct rec_fmt_sym) == 8, "rec_fmt_sym");
_Static_assert(sizeof(struct rec_fmt_event) == 8, "rec_fmt_event");
_Static_assert(sizeof(struct rec_fmt_end) == 16, "rec_fmt_end");
_Static_assert(sizeof(struct rec_fmt_explain) == 24, "rec_fmt_explain");

struct rec_fmt_return {
	struct skbs_return r;
	__u32 kind; /* enum ret_kind */
	__u32 zero;
};
_Static_assert(sizeof(struct rec_fmt_return) == 56, "rec_fmt_return");
_Static_assert(sizeof(struct skbs_event) == 184,
	       "struct skbs_event is in recordings: bump REC_VERSION");
_Static_assert(SKBS_C_MAX <= REC_COUNTERS_MAX,
	       "END would carry more counters than readers accept");

/* A record's bytes in the file: header, payload, padding. */
static inline size_t rec_fmt_size(size_t len)
{
	return sizeof(struct rec_fmt_rec) + ((len + 7) & ~(size_t)7);
}

#endif
