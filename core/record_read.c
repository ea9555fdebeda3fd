// SPDX-License-Identifier: GPL-2.0
/*
 * The recording reader (layout in record_format.h). The file is hostile:
 * every length and count is checked before it is used, what it can make
 * the reader allocate is bounded (REC_*_MAX), and events are decoded in
 * place, without a malloc per event.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/event.h"
#include "core/explain.h"
#include "core/retval.h"
#include "core/hooks.h"
#include "core/ksyms.h"
#include "core/lib/vec.h"
#include "core/outfile.h"
#include "core/reasons.h"
#include "core/record.h"
#include "core/record_format.h"

#define REC_RBUF (256u << 10)

struct rec_reader {
	int fd;
	int state; /* 0 reading, 1 after END, -errno: failed */
	int eof;
	unsigned char *buf; /* unread bytes: buf[start..end) */
	size_t cap, start, end;
	__u64 base; /* file offset of buf[0], a multiple of 8 */
	__u64 nevents;
	char *path;
	struct rec_meta meta;
	struct hooks *hooks;
	struct reasons *reasons;
	struct ksyms *ksyms;
	char **names; /* reason names, which reasons_add keeps */
	size_t nnames, capnames;
	__u64 counters[SKBS_C_MAX];
	char msg[512];
	/* EXPLAIN comes just before its event: pend until the event is
	 * read, then it is the current event's (cur). */
	struct explain pend, cur;
	__u64 pend_skb, pend_ts;
	int have_pend, have_cur;
	rec_return_fn ret_fn;
	void *ret_ctx;
	rec_cgroup_fn cg_fn;
	void *cg_ctx;
	__u32 version; /* of the file: REC_VERSION_MIN..REC_VERSION */
	/* A version-1 event widened to today's struct, with its tail. */
	union {
		struct skbs_event ev;
		unsigned char bytes[sizeof(struct skbs_event) + SKBS_TAIL_MAX];
	} wide;
};

static int fail(struct rec_reader *r, __u64 off, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(struct rec_reader *r, __u64 off, int code, const char *fmt, ...)
{
	int n = snprintf(r->msg, sizeof(r->msg), "%s: byte %llu: ", r->path,
			 (unsigned long long)off);
	va_list ap;

	if (n < 0 || (size_t)n >= sizeof(r->msg))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(r->msg + n, sizeof(r->msg) - (size_t)n, fmt, ap);
	va_end(ap);
	r->state = code;
	return code;
}

/* At least need unread bytes in buf: 0, 1 when the file ends first, or
 * -errno. Moves the unread bytes to buf[0] when short of room, which keeps
 * records 8-aligned as they start at multiples of 8 in the file. */
static int fill(struct rec_reader *r, size_t need)
{
	if (r->end - r->start >= need)
		return 0;
	if (r->cap - r->start < need) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->base += r->start;
		r->end -= r->start;
		r->start = 0;
		if (VEC_RESERVE(r->buf, r->cap, need))
			return -ENOMEM;
	}
	while (r->end - r->start < need) {
		ssize_t n;

		if (r->eof)
			return 1;
		n = read(r->fd, r->buf + r->end, r->cap - r->end);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			r->eof = 1;
		r->end += (size_t)n;
	}
	return 0;
}

/* The next record: 1, 0 at a clean end of file, or -errno (failed). */
static int next_record(struct rec_reader *r, __u32 *type,
		       const unsigned char **p, __u32 *len, __u64 *off)
{
	struct rec_fmt_rec rh;
	size_t total;
	int ret;

	*off = r->base + r->start;
	ret = fill(r, sizeof(rh));
	if (ret < 0)
		return fail(r, *off, ret, "%s", strerror(-ret));
	if (ret) {
		if (r->end == r->start)
			return 0;
		return fail(r, *off, -ENODATA,
			    "file ends inside a record "
			    "header; was the recording killed?");
	}
	memcpy(&rh, r->buf + r->start, sizeof(rh));
	*type = rh.type;
	*len = rh.len;
	if (*len > REC_PAYLOAD_MAX)
		return fail(r, *off, -EINVAL,
			    "record of %u bytes (type %u) "
			    "is over the %u-byte limit",
			    *len, *type, REC_PAYLOAD_MAX);
	total = rec_fmt_size(*len);
	ret = fill(r, total);
	if (ret < 0)
		return fail(r, *off, ret, "%s", strerror(-ret));
	if (ret)
		return fail(r, *off, -ENODATA,
			    "file ends inside a record "
			    "(type %u, %zu of %zu bytes); was the recording "
			    "killed?",
			    *type, r->end - r->start, total);
	*p = r->buf + r->start + sizeof(rh);
	r->start += total;
	return 1;
}

/* The NUL-terminated string at *pos, shorter than max; NULL if there is
 * none. */
static const char *take_str(const unsigned char *p, size_t len, size_t *pos,
			    size_t max)
{
	const unsigned char *s, *nul;
	size_t room;

	if (*pos >= len)
		return NULL;
	s = p + *pos;
	room = len - *pos;
	nul = memchr(s, '\0', room < max ? room : max);
	if (!nul)
		return NULL;
	*pos += (size_t)(nul - s) + 1;
	return (const char *)s;
}

static int copy_str(const unsigned char *p, size_t len, size_t *pos, char *dst,
		    size_t max)
{
	const char *s = take_str(p, len, pos, max);

	if (!s)
		return -1;
	strcpy(dst, s);
	return 0;
}

static int parse_meta(struct rec_reader *r, const unsigned char *p, __u32 len,
		      __u64 off)
{
	struct rec_meta *m = &r->meta;
	struct rec_fmt_meta fx;
	size_t pos = sizeof(fx);

	if (len < sizeof(fx) ||
	    copy_str(p, len, &pos, m->host, sizeof(m->host)) ||
	    copy_str(p, len, &pos, m->kernel, sizeof(m->kernel)) ||
	    copy_str(p, len, &pos, m->backend, sizeof(m->backend)))
		return fail(r, off, -EINVAL, "malformed meta record");
	/* Appended later (--output-skb-metadata); older files lack it. */
	if (pos < len &&
	    copy_str(p, len, &pos, m->meta_names, sizeof(m->meta_names)))
		return fail(r, off, -EINVAL, "malformed meta record");
	memcpy(&fx, p, sizeof(fx));
	m->start_realtime_ns = fx.start_realtime_ns;
	m->realtime_offset_ns = fx.realtime_offset_ns;
	return 0;
}

static int parse_hook(struct rec_reader *r, const unsigned char *p, __u32 len,
		      __u64 off)
{
	size_t n = hooks_count(r->hooks);
	struct rec_fmt_hook fx;
	size_t pos = sizeof(fx);
	struct hook hk;
	__u32 id, kind;

	if (len < sizeof(fx))
		return fail(r, off, -EINVAL, "malformed hook record");
	memset(&hk, 0, sizeof(hk));
	memcpy(&fx, p, sizeof(fx));
	id = fx.id;
	kind = fx.kind;
	if (id != n)
		return fail(r, off, -EINVAL,
			    "hook id %u out of order "
			    "(expected %zu)",
			    id, n);
	if (n >= REC_HOOKS_MAX)
		return fail(r, off, -EINVAL, "more than %d hooks",
			    REC_HOOKS_MAX);
	if (kind != HOOK_TRACEPOINT && kind != HOOK_FUNCTION &&
	    kind != HOOK_BPFPROG && kind != HOOK_BPF_HELPER)
		return fail(r, off, -EINVAL, "hook %u: unknown kind %u", id,
			    kind);
	hk.kind = (enum hook_kind)kind;
	hk.skb_pos = fx.skb_pos;
	hk.nargs = fx.nargs;
	hk.attached = fx.attached;
	if (copy_str(p, len, &pos, hk.name, sizeof(hk.name)) ||
	    copy_str(p, len, &pos, hk.group, sizeof(hk.group)) ||
	    copy_str(p, len, &pos, hk.module, sizeof(hk.module)) ||
	    copy_str(p, len, &pos, hk.why, sizeof(hk.why)))
		return fail(r, off, -EINVAL, "hook %u: malformed names", id);
	if (hooks_add(r->hooks, &hk) < 0)
		return fail(r, off, -ENOMEM, "%s", strerror(ENOMEM));
	return 0;
}

static int parse_reason(struct rec_reader *r, const unsigned char *p, __u32 len,
			__u64 off)
{
	struct rec_fmt_reason fx;
	size_t pos = sizeof(fx);
	const char *name;
	char *copy;

	name = len >= sizeof(fx) ? take_str(p, len, &pos, REC_REASON_NAME) :
				   NULL;
	if (!name)
		return fail(r, off, -EINVAL, "malformed reason record");
	if (r->nnames >= REC_REASONS_MAX)
		return fail(r, off, -EINVAL, "more than %d drop reasons",
			    REC_REASONS_MAX);
	if (VEC_RESERVE(r->names, r->capnames, r->nnames + 1) ||
	    !(copy = strdup(name)))
		return fail(r, off, -ENOMEM, "%s", strerror(ENOMEM));
	r->names[r->nnames++] = copy;
	memcpy(&fx, p, sizeof(fx));
	if (reasons_add(r->reasons, fx.value, copy))
		return fail(r, off, -ENOMEM, "%s", strerror(ENOMEM));
	return 0;
}

static int parse_sym(struct rec_reader *r, const unsigned char *p, __u32 len,
		     __u64 off)
{
	const char *name, *mod = NULL;
	struct rec_fmt_sym fx;
	size_t pos = sizeof(fx);
	__u64 addr;
	int ret;

	name = len >= sizeof(fx) ? take_str(p, len, &pos, REC_SYM_NAME) : NULL;
	if (name)
		mod = take_str(p, len, &pos, REC_SYM_MODULE);
	if (!name || !mod)
		return fail(r, off, -EINVAL, "malformed symbol record");
	memcpy(&fx, p, sizeof(fx));
	addr = fx.start;
	if (!addr)
		return fail(r, off, -EINVAL, "symbol %s at address 0", name);
	if (ksyms_count(r->ksyms) >= REC_SYMS_MAX)
		return fail(r, off, -EINVAL, "more than %d symbols",
			    REC_SYMS_MAX);
	ret = ksyms_add(r->ksyms, addr, name, mod);
	if (ret == -EEXIST)
		return fail(r, off, -EINVAL, "second symbol at 0x%llx",
			    (unsigned long long)addr);
	if (ret)
		return fail(r, off, ret, "%s", strerror(-ret));
	return 0;
}

static int parse_event(struct rec_reader *r, const unsigned char *p, __u32 len,
		       __u64 off, const struct skbs_event **ev,
		       const char **tail, const __u64 **stack, int *nstack)
{
	const struct skbs_event *e;
	size_t hd, n = hooks_count(r->hooks);
	struct rec_fmt_event fx;
	char why[128];
	__u32 ns;

	if (len < sizeof(fx))
		return fail(r, off, -EINVAL, "malformed event record");
	memcpy(&fx, p, sizeof(fx));
	ns = fx.nstack;
	if (ns > SKBS_STACK_DEPTH)
		return fail(r, off, -EINVAL,
			    "stack of %u frames (at most "
			    "%d)",
			    ns, SKBS_STACK_DEPTH);
	hd = sizeof(fx) + 8 * (size_t)ns;
	if (len < hd)
		return fail(r, off, -EINVAL,
			    "event record of %u bytes is "
			    "shorter than its %u-frame stack",
			    len, ns);
	if (r->version == 1) {
		/* The version-1 event is today's without its last fields:
		 * copy it, zeros after, and the tail after that. */
		size_t rest = len - hd, tl;

		if (rest < REC_EVENT_V1)
			return fail(r, off, -EINVAL,
				    "event record of %u bytes is "
				    "shorter than a version-1 event",
				    len);
		memset(&r->wide.ev, 0, sizeof(r->wide.ev));
		memcpy(&r->wide.ev, p + hd, REC_EVENT_V1);
		tl = r->wide.ev.tail_len;
		if (tl > SKBS_TAIL_MAX || REC_EVENT_V1 + tl != rest)
			return fail(r, off, -EINVAL,
				    "event record of %u bytes holds "
				    "%zu",
				    len, hd + REC_EVENT_V1 + tl);
		memcpy(r->wide.bytes + sizeof(r->wide.ev),
		       p + hd + REC_EVENT_V1, tl);
		if (event_decode(r->wide.bytes, sizeof(r->wide.ev) + tl, &e,
				 tail, why, sizeof(why)))
			return fail(r, off, -EINVAL, "bad event: %s", why);
	} else {
		if (event_decode(p + hd, len - hd, &e, tail, why, sizeof(why)))
			return fail(r, off, -EINVAL, "bad event: %s", why);
		if (hd + sizeof(*e) + e->tail_len != len)
			return fail(r, off, -EINVAL,
				    "event record of %u bytes holds "
				    "%zu",
				    len, hd + sizeof(*e) + e->tail_len);
	}
	if (e->hook != SKBS_HOOK_BY_IP && e->hook >= n)
		return fail(r, off, -EINVAL,
			    "event of hook %u, but %zu "
			    "hooks are known",
			    e->hook, n);
	*ev = e;
	r->have_cur = r->have_pend && r->pend_skb == e->skb &&
		      r->pend_ts == e->ts;
	if (r->have_cur)
		r->cur = r->pend;
	r->have_pend = 0;
	/* Aligned: records start at multiples of 8 (see fill). */
	*stack = (const __u64 *)(const void *)(p + sizeof(fx));
	*nstack = (int)ns;
	r->nevents++;
	return 1;
}

static int parse_explain(struct rec_reader *r, const unsigned char *p,
			 __u32 len, __u64 off)
{
	struct rec_fmt_explain fx;
	struct explain *e = &r->pend;
	size_t pos = sizeof(fx);

	if (len < sizeof(fx))
		return fail(r, off, -EINVAL, "malformed explanation record");
	memcpy(&fx, p, sizeof(fx));
	if (fx.nfields > EXPLAIN_FIELDS)
		return fail(r, off, -EINVAL,
			    "explanation with %u fields (at most %d)",
			    fx.nfields, EXPLAIN_FIELDS);
	memset(e, 0, sizeof(*e));
	if (copy_str(p, len, &pos, e->text, sizeof(e->text)))
		return fail(r, off, -EINVAL, "malformed explanation text");
	for (__u32 i = 0; i < fx.nfields; i++)
		if (copy_str(p, len, &pos, e->f[i].key, sizeof(e->f[i].key)) ||
		    copy_str(p, len, &pos, e->f[i].val, sizeof(e->f[i].val)))
			return fail(r, off, -EINVAL,
				    "malformed explanation field %u", i);
	e->nfields = fx.nfields;
	/* A kind this reader does not know (a newer writer's) still has a
	 * sentence worth showing. */
	e->kind = fx.kind < EXPLAIN_KIND_MAX ? (enum explain_kind)fx.kind :
					       EXPLAIN_REASON;
	r->pend_skb = fx.skb;
	r->pend_ts = fx.ts;
	r->have_pend = 1;
	return 0;
}

static int parse_return(struct rec_reader *r, const unsigned char *p, __u32 len,
			__u64 off)
{
	struct rec_fmt_return fx;

	if (len < sizeof(fx))
		return fail(r, off, -EINVAL, "malformed return record");
	memcpy(&fx, p, sizeof(fx));
	/* Its hook is written before it, like an event's. */
	if (fx.r.hook >= hooks_count(r->hooks))
		return fail(r, off, -EINVAL, "return of unknown hook %u",
			    fx.r.hook);
	if (fx.r.ts_exit < fx.r.ts_entry)
		return fail(r, off, -EINVAL, "return before its entry");
	if (r->ret_fn)
		r->ret_fn(r->ret_ctx, &fx.r,
			  retval_kind_name((enum ret_kind)fx.kind) ?
				  (int)fx.kind :
				  RET_UNKNOWN);
	return 0;
}

static int parse_cgroup(struct rec_reader *r, const unsigned char *p, __u32 len,
			__u64 off)
{
	__u64 id;

	if (len < 9 || len > 8 + 256 || memchr(p + 8, '\0', len - 8) == NULL)
		return fail(r, off, -EINVAL, "malformed cgroup record");
	memcpy(&id, p, 8);
	if (!id)
		return fail(r, off, -EINVAL, "cgroup record for id 0");
	if (r->cg_fn)
		r->cg_fn(r->cg_ctx, id, (const char *)p + 8);
	return 0;
}

static int parse_end(struct rec_reader *r, const unsigned char *p, __u32 len,
		     __u64 off)
{
	struct rec_fmt_end fx;
	__u64 nev;
	__u32 nc;

	if (len < sizeof(fx))
		return fail(r, off, -EINVAL, "malformed end record");
	memcpy(&fx, p, sizeof(fx));
	nev = fx.nevents;
	nc = fx.ncounters;
	if (nc > REC_COUNTERS_MAX || len < sizeof(fx) + 8 * (size_t)nc)
		return fail(r, off, -EINVAL,
			    "malformed end record (%u "
			    "counters)",
			    nc);
	if (nev != r->nevents)
		return fail(r, off, -EINVAL,
			    "the end record counts %llu "
			    "events, the file holds %llu",
			    (unsigned long long)nev,
			    (unsigned long long)r->nevents);
	/* Counters added later are ignored, missing ones read as 0. */
	for (__u32 i = 0; i < nc && i < SKBS_C_MAX; i++)
		memcpy(&r->counters[i], p + sizeof(fx) + 8 * i,
		       sizeof(r->counters[i]));
	r->state = 1;
	return 0;
}

static int reader_err(const struct rec_reader *r, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s", r->msg);
	return r->state;
}

void rec_close_reader(struct rec_reader *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	hooks_free(r->hooks);
	reasons_free(r->reasons);
	ksyms_free(r->ksyms);
	for (size_t i = 0; i < r->nnames; i++)
		free(r->names[i]);
	free(r->names);
	free(r->buf);
	free(r->path);
	free(r);
}

/* The header: 0, or -errno with r->msg set. */
static int read_header(struct rec_reader *r)
{
	struct rec_fmt_file fh;
	int ret = fill(r, sizeof(fh));
	size_t have = r->end - r->start;
	__u32 v, flags;

	if (ret < 0) {
		snprintf(r->msg, sizeof(r->msg), "%s: %s", r->path,
			 strerror(-ret));
		return r->state = ret;
	}
	r->state = -EINVAL;
	if (!have) {
		snprintf(r->msg, sizeof(r->msg),
			 "%s: empty file, not a "
			 "skbscope recording",
			 r->path);
		return r->state;
	}
	if (memcmp(r->buf, REC_MAGIC,
		   have < sizeof(fh.magic) ? have : sizeof(fh.magic))) {
		snprintf(r->msg, sizeof(r->msg),
			 "%s: not a skbscope "
			 "recording (bad magic)",
			 r->path);
		return r->state;
	}
	if (ret) {
		snprintf(r->msg, sizeof(r->msg),
			 "%s: cut short in its "
			 "header (%zu of %zu bytes)",
			 r->path, have, sizeof(fh));
		return r->state = -ENODATA;
	}
	memcpy(&fh, r->buf, sizeof(fh));
	v = fh.version;
	flags = fh.flags;
	r->state = -EPROTONOSUPPORT;
	if ((v < REC_VERSION_MIN || v > REC_VERSION) &&
	    __builtin_bswap32(v) >= REC_VERSION_MIN &&
	    __builtin_bswap32(v) <= REC_VERSION)
		snprintf(r->msg, sizeof(r->msg),
			 "%s: written on a "
			 "big-endian machine; recordings are read only where "
			 "they can be made (little-endian)",
			 r->path);
	else if (v < REC_VERSION_MIN || v > REC_VERSION)
		snprintf(r->msg, sizeof(r->msg),
			 "%s: recording format "
			 "version %u; this skbscope reads versions %d to %d",
			 r->path, v, REC_VERSION_MIN, REC_VERSION);
	else if (flags)
		snprintf(r->msg, sizeof(r->msg),
			 "%s: unknown header flags "
			 "0x%x (from a newer skbscope?)",
			 r->path, flags);
	else
		r->state = 0;
	r->version = v;
	r->start = sizeof(fh);
	return r->state;
}

int rec_open(const char *path, struct rec_reader **out, char *err,
	     size_t errlen)
{
	struct rec_reader *r = calloc(1, sizeof(*r));
	const unsigned char *p;
	__u32 type, len;
	__u64 off;
	char shown[OUTFILE_SHOWN];
	int ret;

	outfile_shown(path, shown, sizeof(shown));
	if (!r || !(r->path = strdup(shown)) || !(r->buf = malloc(REC_RBUF)) ||
	    hooks_new(&r->hooks) || reasons_new(&r->reasons) ||
	    ksyms_new_empty(&r->ksyms)) {
		if (r)
			r->fd = -1;
		rec_close_reader(r);
		snprintf(err, errlen, "%s: %s", shown, strerror(ENOMEM));
		return -ENOMEM;
	}
	r->cap = REC_RBUF;
	/* O_NONBLOCK for the open only: a FIFO that no one writes reads as
	 * empty at once instead of hanging; <(zcat rec.gz) still works. */
	r->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (r->fd < 0 ||
	    fcntl(r->fd, F_SETFL, fcntl(r->fd, F_GETFL) & ~O_NONBLOCK)) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", shown, strerror(-ret));
		rec_close_reader(r);
		return ret;
	}
	ret = read_header(r);
	if (!ret) {
		ret = next_record(r, &type, &p, &len, &off);
		if (!ret)
			ret = fail(r, off, -ENODATA,
				   "no meta record; was the "
				   "recording killed?");
		else if (ret > 0 && type != REC_META)
			ret = fail(r, off, -EINVAL,
				   "first record is of type "
				   "%u, not meta",
				   type);
		else if (ret > 0)
			ret = parse_meta(r, p, len, off);
	}
	if (ret) {
		reader_err(r, err, errlen);
		rec_close_reader(r);
		return ret;
	}
	*out = r;
	return 0;
}

int rec_next(struct rec_reader *r, const struct skbs_event **ev,
	     const char **tail, const __u64 **stack, int *nstack, char *err,
	     size_t errlen)
{
	const unsigned char *p;
	__u32 type, len;
	__u64 off;
	int ret;

	while (!r->state) {
		ret = next_record(r, &type, &p, &len, &off);
		if (!ret)
			fail(r, off, -ENODATA,
			     "incomplete (no end record; was "
			     "the recording killed?)");
		if (ret <= 0)
			break;
		switch (type) {
		case REC_EVENT:
			ret = parse_event(r, p, len, off, ev, tail, stack,
					  nstack);
			if (ret > 0)
				return 1;
			break;
		case REC_HOOK: parse_hook(r, p, len, off); break;
		case REC_REASON: parse_reason(r, p, len, off); break;
		case REC_SYM: parse_sym(r, p, len, off); break;
		case REC_END: parse_end(r, p, len, off); break;
		case REC_EXPLAIN: parse_explain(r, p, len, off); break;
		case REC_RETURN: parse_return(r, p, len, off); break;
		case REC_CGROUP: parse_cgroup(r, p, len, off); break;
		case REC_META:
			fail(r, off, -EINVAL, "a second meta record");
			break;
		default:
			if (!(type & REC_OPTIONAL))
				fail(r, off, -EINVAL, "unknown record type %u",
				     type);
			break;
		}
	}
	if (r->state > 0)
		return 0;
	return reader_err(r, err, errlen);
}

void rec_set_cgroup_fn(struct rec_reader *r, rec_cgroup_fn fn, void *ctx)
{
	r->cg_fn = fn;
	r->cg_ctx = ctx;
}

void rec_set_return_fn(struct rec_reader *r, rec_return_fn fn, void *ctx)
{
	r->ret_fn = fn;
	r->ret_ctx = ctx;
}

const struct explain *rec_explain(const struct rec_reader *r)
{
	return r->have_cur ? &r->cur : NULL;
}

const struct rec_meta *rec_meta(const struct rec_reader *r)
{
	return &r->meta;
}

const struct hooks *rec_hooks(const struct rec_reader *r)
{
	return r->hooks;
}

const struct reasons *rec_reasons(const struct rec_reader *r)
{
	return r->reasons;
}

const struct ksyms *rec_ksyms(const struct rec_reader *r)
{
	return r->ksyms;
}

const __u64 *rec_end_counters(const struct rec_reader *r)
{
	return r->state > 0 ? r->counters : NULL;
}
