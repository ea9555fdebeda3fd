// SPDX-License-Identifier: GPL-2.0
/*
 * Recording files (layout in record.h). The writer buffers whole records so
 * a killed recording ends on a record boundary; the reader treats the file
 * as hostile and decodes events in place, without a malloc per event.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/reasons.h"
#include "core/event.h"
#include "core/hooks.h"
#include "core/ksyms.h"
#include "core/outfile.h"
#include "core/record.h"

_Static_assert(sizeof(struct skbs_event) == 168,
	       "struct skbs_event is in recordings: bump REC_VERSION");

enum rec_type {
	REC_META = 1,
	REC_HOOK = 2,
	REC_REASON = 3,
	REC_SYM = 4,
	REC_EVENT = 5,
	REC_END = 6,
	REC_OPTIONAL = 1u << 31, /* readers may skip these if unknown */
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

#define REC_HDR 16
#define REC_WBUF (256u << 10)
#define REC_RBUF (256u << 10)
/* Direct-mapped cache of addresses the writer has already looked up. */
#define REC_SEEN 4096

static size_t pad8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

static __u32 get32(const unsigned char *p)
{
	__u32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static __u64 get64(const unsigned char *p)
{
	__u64 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void put32(unsigned char *p, __u32 v)
{
	memcpy(p, &v, sizeof(v));
}

static void put64(unsigned char *p, __u64 v)
{
	memcpy(p, &v, sizeof(v));
}

/* ---- writer ---- */

struct rec_writer {
	int fd;
	int err;             /* first write error: the file is broken */
	unsigned char *buf;  /* whole records only */
	size_t len;
	size_t nhooks;       /* hook ids 0..nhooks-1 are in the file */
	int reasons_done;
	__u64 nevents;
	__u64 *syms;         /* open-addressing set of symbol starts written */
	size_t nsyms, syms_size;
	__u64 seen[REC_SEEN];
};

static int wflush(struct rec_writer *w)
{
	size_t off = 0;

	if (w->err)
		return w->err;
	while (off < w->len) {
		ssize_t n = write(w->fd, w->buf + off, w->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			w->err = n < 0 ? -errno : -EIO;
			return w->err;
		}
		off += (size_t)n;
	}
	w->len = 0;
	return 0;
}

/* Room for a record of len payload bytes, header and padding filled in;
 * the caller fills the payload before the next put. NULL on a write error
 * (in w->err). */
static unsigned char *put(struct rec_writer *w, __u32 type, size_t len)
{
	size_t total = 8 + pad8(len);
	unsigned char *p;

	if (w->err)
		return NULL;
	if (REC_WBUF - w->len < total && wflush(w))
		return NULL;
	p = w->buf + w->len;
	put32(p, type);
	put32(p + 4, (__u32)len);
	memset(p + 8 + len, 0, total - 8 - len);
	w->len += total;
	return p + 8;
}

/* Length of a string field as written: NUL included, cut to max - 1. */
static size_t slen(const char *s, size_t max)
{
	return strnlen(s, max - 1) + 1;
}

static unsigned char *put_str(unsigned char *p, const char *s, size_t max)
{
	size_t n = slen(s, max) - 1;

	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p + n + 1;
}

int rec_create(const char *path, const struct rec_meta *m,
	       struct rec_writer **out, char *err, size_t errlen)
{
	struct rec_writer *w = calloc(1, sizeof(*w));
	size_t len;
	unsigned char *p;
	char shown[OUTFILE_SHOWN];
	int ret;

	/* Its messages start with the file name, as the reader's do. */
	outfile_shown(path, shown, sizeof(shown));
	if (!w || !(w->buf = malloc(REC_WBUF))) {
		free(w);
		snprintf(err, errlen, "%s: %s", shown, strerror(ENOMEM));
		return -ENOMEM;
	}
	w->fd = outfile_open(path, NULL, 0);
	if (w->fd < 0) {
		ret = w->fd;
		if (ret == -ELOOP)
			snprintf(err, errlen, "%s: is a symbolic link; not "
				 "following it", shown);
		else
			snprintf(err, errlen, "%s: %s", shown, strerror(-ret));
		free(w->buf);
		free(w);
		return ret;
	}
	memcpy(w->buf, REC_MAGIC, 8);
	put32(w->buf + 8, REC_VERSION);
	put32(w->buf + 12, 0);
	w->len = REC_HDR;
	len = 16 + slen(m->host, sizeof(m->host)) +
	      slen(m->kernel, sizeof(m->kernel)) +
	      slen(m->backend, sizeof(m->backend));
	p = put(w, REC_META, len);
	put64(p, (__u64)m->start_realtime_ns);
	put64(p + 8, (__u64)m->realtime_offset_ns);
	p = put_str(p + 16, m->host, sizeof(m->host));
	p = put_str(p, m->kernel, sizeof(m->kernel));
	put_str(p, m->backend, sizeof(m->backend));
	/* Out now, so even a recording killed at once is recognisable. */
	ret = wflush(w);
	if (ret) {
		snprintf(err, errlen, "%s: %s", shown, strerror(-ret));
		close(w->fd);
		free(w->buf);
		free(w);
		return ret;
	}
	*out = w;
	return 0;
}

int rec_write_hooks(struct rec_writer *w, const struct hooks *h,
		    size_t upto)
{
	size_t n = hooks_count(h);

	if (upto < n)
		n = upto;
	for (; w->nhooks < n; w->nhooks++) {
		const struct hook *hk = hooks_get(h, (__u32)w->nhooks);
		unsigned char *p;
		size_t len;

		if (w->nhooks >= REC_HOOKS_MAX)
			return -E2BIG;
		len = 24 + slen(hk->name, sizeof(hk->name)) +
		      slen(hk->group, sizeof(hk->group)) +
		      slen(hk->module, sizeof(hk->module)) +
		      slen(hk->why, sizeof(hk->why));
		p = put(w, REC_HOOK, len);
		if (!p)
			return w->err;
		put32(p, (__u32)w->nhooks);
		put32(p + 4, (__u32)hk->kind);
		put32(p + 8, (__u32)hk->skb_pos);
		put32(p + 12, (__u32)hk->nargs);
		put32(p + 16, (__u32)hk->attached);
		put32(p + 20, 0);
		p = put_str(p + 24, hk->name, sizeof(hk->name));
		p = put_str(p, hk->group, sizeof(hk->group));
		p = put_str(p, hk->module, sizeof(hk->module));
		put_str(p, hk->why, sizeof(hk->why));
	}
	return w->err;
}

int rec_write_reasons(struct rec_writer *w, const struct reasons *r)
{
	const char *name;
	size_t written = 0;
	__u32 value;

	if (w->reasons_done)
		return -EALREADY;
	w->reasons_done = 1;
	for (size_t i = 0; !reasons_at(r, i, &value, &name); i++) {
		size_t n = strlen(name);
		unsigned char *p;

		/* No kernel has names this long or this many reasons; were
		 * one to, the rest simply show as numbers. */
		if (n >= REC_REASON_NAME)
			continue;
		if (written++ == REC_REASONS_MAX)
			break;
		p = put(w, REC_REASON, 8 + n + 1);
		if (!p)
			return w->err;
		put32(p, value);
		put32(p + 4, 0);
		memcpy(p + 8, name, n + 1);
	}
	return w->err;
}

static size_t sym_slot(__u64 key, size_t size)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 32) & (size - 1);
}

/* Add start to the set; 1 if it was new, 0 if present, -ENOMEM. */
static int sym_insert(struct rec_writer *w, __u64 start)
{
	size_t i;

	if (w->syms_size) {
		for (i = sym_slot(start, w->syms_size); w->syms[i];
		     i = (i + 1) & (w->syms_size - 1))
			if (w->syms[i] == start)
				return 0;
	}
	if ((w->nsyms + 1) * 2 > w->syms_size) {
		size_t size = w->syms_size ? w->syms_size * 2 : 1024;
		__u64 *v = calloc(size, sizeof(*v));

		if (!v)
			return -ENOMEM;
		for (size_t j = 0; j < w->syms_size; j++) {
			if (!w->syms[j])
				continue;
			for (i = sym_slot(w->syms[j], size); v[i];
			     i = (i + 1) & (size - 1))
				;
			v[i] = w->syms[j];
		}
		free(w->syms);
		w->syms = v;
		w->syms_size = size;
	}
	for (i = sym_slot(start, w->syms_size); w->syms[i];
	     i = (i + 1) & (w->syms_size - 1))
		;
	w->syms[i] = start;
	w->nsyms++;
	return 1;
}

/* Write the symbol addr falls in, unless it is already in the file. */
static int note_addr(struct rec_writer *w, const struct ksyms *ks, __u64 addr)
{
	size_t slot = sym_slot(addr, REC_SEEN);
	const char *name, *mod = NULL;
	size_t nlen, mlen;
	unsigned char *p;
	__u64 off;
	int ret;

	if (!addr || w->seen[slot] == addr)
		return 0;
	name = ksyms_lookup(ks, addr, &off, &mod);
	if (!mod)
		mod = "";
	if (!name || addr == off || w->nsyms >= REC_SYMS_MAX)
		goto done;
	nlen = strlen(name);
	mlen = strlen(mod);
	if (nlen >= REC_SYM_NAME || mlen >= REC_SYM_MODULE)
		goto done;
	ret = sym_insert(w, addr - off);
	if (ret < 0)
		return ret;
	if (!ret)
		goto done;
	p = put(w, REC_SYM, 8 + nlen + 1 + mlen + 1);
	if (!p)
		return w->err;
	put64(p, addr - off);
	memcpy(p + 8, name, nlen + 1);
	memcpy(p + 8 + nlen + 1, mod, mlen + 1);
done:
	w->seen[slot] = addr;
	return 0;
}

int rec_write_event(struct rec_writer *w, const struct skbs_event *ev,
		    const char *tail, const __u64 *stack, int nstack,
		    const struct ksyms *ks)
{
	const struct skbs_event *chk;
	const char *chk_tail;
	unsigned char *p;
	char why[128];
	size_t hd;
	int ret;

	if (w->err)
		return w->err;
	if (nstack < 0 || nstack > SKBS_STACK_DEPTH || (nstack && !stack))
		return -EINVAL;
	/* The reader's own checks. event_decode reads only the fixed part;
	 * the size vouches for the tail, which is kept apart here. */
	if (ev->tail_len > SKBS_TAIL_MAX || (ev->tail_len && !tail) ||
	    event_decode(ev, sizeof(*ev) + ev->tail_len, &chk, &chk_tail, why,
			 sizeof(why)))
		return -EINVAL;
	if (ev->hook != SKBS_HOOK_BY_IP && ev->hook >= w->nhooks)
		return -EINVAL;
	if (ks) {
		ret = note_addr(w, ks, ev->location);
		ret = ret ? ret : note_addr(w, ks, ev->ip);
		ret = ret ? ret : note_addr(w, ks, ev->caller);
		for (int i = 0; !ret && i < nstack; i++)
			ret = note_addr(w, ks, stack[i]);
		if (ret)
			return ret;
	}
	hd = 8 + 8 * (size_t)nstack;
	p = put(w, REC_EVENT, hd + sizeof(*ev) + ev->tail_len);
	if (!p)
		return w->err;
	put32(p, (__u32)nstack);
	put32(p + 4, 0);
	if (nstack)
		memcpy(p + 8, stack, 8 * (size_t)nstack);
	memcpy(p + hd, ev, sizeof(*ev));
	if (ev->tail_len)
		memcpy(p + hd + sizeof(*ev), tail, ev->tail_len);
	w->nevents++;
	return 0;
}

int rec_flush(struct rec_writer *w)
{
	return wflush(w);
}

int rec_close(struct rec_writer *w, const __u64 *counters)
{
	unsigned char *p;
	int ret;

	if (!w)
		return 0;
	p = put(w, REC_END, 16 + 8 * SKBS_C_MAX);
	if (p) {
		put64(p, w->nevents);
		put32(p + 8, SKBS_C_MAX);
		put32(p + 12, 0);
		for (int i = 0; i < SKBS_C_MAX; i++)
			put64(p + 16 + 8 * i, counters ? counters[i] : 0);
	}
	ret = wflush(w);
	/* Pipes and character devices cannot be synced, and need not be. */
	if (!ret && fsync(w->fd) && errno != EINVAL && errno != ENOTSUP)
		ret = -errno;
	if (close(w->fd) && !ret && errno != EINTR)
		ret = -errno;
	free(w->syms);
	free(w->buf);
	free(w);
	return ret;
}

/* ---- reader ---- */

struct rec_reader {
	int fd;
	int state;           /* 0 reading, 1 after END, -errno: failed */
	int eof;
	unsigned char *buf;  /* unread bytes: buf[start..end) */
	size_t cap, start, end;
	__u64 base;          /* file offset of buf[0], a multiple of 8 */
	__u64 nevents;
	char *path;
	struct rec_meta meta;
	struct hooks *hooks;
	struct reasons *reasons;
	struct ksyms *ksyms;
	char **names;        /* reason names, which reasons_add keeps */
	size_t nnames;
	__u64 counters[SKBS_C_MAX];
	char msg[512];
};

__attribute__((format(printf, 4, 5)))
static int fail(struct rec_reader *r, __u64 off, int code, const char *fmt,
		...)
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
		if (r->cap < need) {
			size_t cap = r->cap;
			unsigned char *nb;

			while (cap < need)
				cap *= 2;
			nb = realloc(r->buf, cap);
			if (!nb)
				return -ENOMEM;
			r->buf = nb;
			r->cap = cap;
		}
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
	size_t total;
	int ret;

	*off = r->base + r->start;
	ret = fill(r, 8);
	if (ret < 0)
		return fail(r, *off, ret, "%s", strerror(-ret));
	if (ret) {
		if (r->end == r->start)
			return 0;
		return fail(r, *off, -ENODATA, "file ends inside a record "
			    "header; was the recording killed?");
	}
	*type = get32(r->buf + r->start);
	*len = get32(r->buf + r->start + 4);
	if (*len > REC_PAYLOAD_MAX)
		return fail(r, *off, -EINVAL, "record of %u bytes (type %u) "
			    "is over the %u-byte limit", *len, *type,
			    REC_PAYLOAD_MAX);
	total = 8 + pad8(*len);
	ret = fill(r, total);
	if (ret < 0)
		return fail(r, *off, ret, "%s", strerror(-ret));
	if (ret)
		return fail(r, *off, -ENODATA, "file ends inside a record "
			    "(type %u, %zu of %zu bytes); was the recording "
			    "killed?", *type, r->end - r->start, total);
	*p = r->buf + r->start + 8;
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

static int copy_str(const unsigned char *p, size_t len, size_t *pos,
		    char *dst, size_t max)
{
	const char *s = take_str(p, len, pos, max);

	if (!s)
		return -1;
	strcpy(dst, s);
	return 0;
}

static int parse_meta(struct rec_reader *r, const unsigned char *p,
		      __u32 len, __u64 off)
{
	struct rec_meta *m = &r->meta;
	size_t pos = 16;

	if (len < 16 ||
	    copy_str(p, len, &pos, m->host, sizeof(m->host)) ||
	    copy_str(p, len, &pos, m->kernel, sizeof(m->kernel)) ||
	    copy_str(p, len, &pos, m->backend, sizeof(m->backend)))
		return fail(r, off, -EINVAL, "malformed meta record");
	m->start_realtime_ns = (long long)get64(p);
	m->realtime_offset_ns = (long long)get64(p + 8);
	return 0;
}

static int parse_hook(struct rec_reader *r, const unsigned char *p,
		      __u32 len, __u64 off)
{
	size_t n = hooks_count(r->hooks), pos = 24;
	struct hook hk;
	__u32 id, kind;

	if (len < 24)
		return fail(r, off, -EINVAL, "malformed hook record");
	memset(&hk, 0, sizeof(hk));
	id = get32(p);
	kind = get32(p + 4);
	if (id != n)
		return fail(r, off, -EINVAL, "hook id %u out of order "
			    "(expected %zu)", id, n);
	if (n >= REC_HOOKS_MAX)
		return fail(r, off, -EINVAL, "more than %d hooks",
			    REC_HOOKS_MAX);
	if (kind != HOOK_TRACEPOINT && kind != HOOK_FUNCTION)
		return fail(r, off, -EINVAL, "hook %u: unknown kind %u", id,
			    kind);
	hk.kind = (enum hook_kind)kind;
	hk.skb_pos = (int)get32(p + 8);
	hk.nargs = (int)get32(p + 12);
	hk.attached = (int)get32(p + 16);
	if (copy_str(p, len, &pos, hk.name, sizeof(hk.name)) ||
	    copy_str(p, len, &pos, hk.group, sizeof(hk.group)) ||
	    copy_str(p, len, &pos, hk.module, sizeof(hk.module)) ||
	    copy_str(p, len, &pos, hk.why, sizeof(hk.why)))
		return fail(r, off, -EINVAL, "hook %u: malformed names", id);
	if (hooks_add(r->hooks, &hk) < 0)
		return fail(r, off, -ENOMEM, "%s", strerror(ENOMEM));
	return 0;
}

static int parse_reason(struct rec_reader *r, const unsigned char *p,
			__u32 len, __u64 off)
{
	const char *name;
	size_t pos = 8;
	char *copy;

	name = len >= 8 ? take_str(p, len, &pos, REC_REASON_NAME) : NULL;
	if (!name)
		return fail(r, off, -EINVAL, "malformed reason record");
	if (r->nnames >= REC_REASONS_MAX)
		return fail(r, off, -EINVAL, "more than %d drop reasons",
			    REC_REASONS_MAX);
	if (!r->names)
		r->names = calloc(REC_REASONS_MAX, sizeof(*r->names));
	copy = r->names ? strdup(name) : NULL;
	if (!copy)
		return fail(r, off, -ENOMEM, "%s", strerror(ENOMEM));
	r->names[r->nnames++] = copy;
	if (reasons_add(r->reasons, get32(p), copy))
		return fail(r, off, -ENOMEM, "%s", strerror(ENOMEM));
	return 0;
}

static int parse_sym(struct rec_reader *r, const unsigned char *p,
		     __u32 len, __u64 off)
{
	const char *name, *mod = NULL;
	size_t pos = 8;
	__u64 addr;
	int ret;

	name = len >= 8 ? take_str(p, len, &pos, REC_SYM_NAME) : NULL;
	if (name)
		mod = take_str(p, len, &pos, REC_SYM_MODULE);
	if (!name || !mod)
		return fail(r, off, -EINVAL, "malformed symbol record");
	addr = get64(p);
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

static int parse_event(struct rec_reader *r, const unsigned char *p,
		       __u32 len, __u64 off, const struct skbs_event **ev,
		       const char **tail, const __u64 **stack, int *nstack)
{
	const struct skbs_event *e;
	size_t hd, n = hooks_count(r->hooks);
	char why[128];
	__u32 ns;

	if (len < 8)
		return fail(r, off, -EINVAL, "malformed event record");
	ns = get32(p);
	if (ns > SKBS_STACK_DEPTH)
		return fail(r, off, -EINVAL, "stack of %u frames (at most "
			    "%d)", ns, SKBS_STACK_DEPTH);
	hd = 8 + 8 * (size_t)ns;
	if (len < hd)
		return fail(r, off, -EINVAL, "event record of %u bytes is "
			    "shorter than its %u-frame stack", len, ns);
	if (event_decode(p + hd, len - hd, &e, tail, why, sizeof(why)))
		return fail(r, off, -EINVAL, "bad event: %s", why);
	if (hd + sizeof(*e) + e->tail_len != len)
		return fail(r, off, -EINVAL, "event record of %u bytes holds "
			    "%zu", len, hd + sizeof(*e) + e->tail_len);
	if (e->hook != SKBS_HOOK_BY_IP && e->hook >= n)
		return fail(r, off, -EINVAL, "event of hook %u, but %zu "
			    "hooks are known", e->hook, n);
	*ev = e;
	/* Aligned: records start at multiples of 8 (see fill). */
	*stack = (const __u64 *)(const void *)(p + 8);
	*nstack = (int)ns;
	r->nevents++;
	return 1;
}

static int parse_end(struct rec_reader *r, const unsigned char *p,
		     __u32 len, __u64 off)
{
	__u64 nev;
	__u32 nc;

	if (len < 16)
		return fail(r, off, -EINVAL, "malformed end record");
	nev = get64(p);
	nc = get32(p + 8);
	if (nc > REC_COUNTERS_MAX || len < 16 + 8 * (size_t)nc)
		return fail(r, off, -EINVAL, "malformed end record (%u "
			    "counters)", nc);
	if (nev != r->nevents)
		return fail(r, off, -EINVAL, "the end record counts %llu "
			    "events, the file holds %llu",
			    (unsigned long long)nev,
			    (unsigned long long)r->nevents);
	/* Counters added later are ignored, missing ones read as 0. */
	for (__u32 i = 0; i < nc && i < SKBS_C_MAX; i++)
		r->counters[i] = get64(p + 16 + 8 * i);
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
	int ret = fill(r, REC_HDR);
	size_t have = r->end - r->start;
	__u32 v, flags;

	if (ret < 0) {
		snprintf(r->msg, sizeof(r->msg), "%s: %s", r->path,
			 strerror(-ret));
		return r->state = ret;
	}
	r->state = -EINVAL;
	if (!have) {
		snprintf(r->msg, sizeof(r->msg), "%s: empty file, not a "
			 "skbscope recording", r->path);
		return r->state;
	}
	if (memcmp(r->buf, REC_MAGIC, have < 8 ? have : 8)) {
		snprintf(r->msg, sizeof(r->msg), "%s: not a skbscope "
			 "recording (bad magic)", r->path);
		return r->state;
	}
	if (ret) {
		snprintf(r->msg, sizeof(r->msg), "%s: cut short in its "
			 "header (%zu of %d bytes)", r->path, have, REC_HDR);
		return r->state = -ENODATA;
	}
	v = get32(r->buf + 8);
	flags = get32(r->buf + 12);
	r->state = -EPROTONOSUPPORT;
	if (v != REC_VERSION && __builtin_bswap32(v) == REC_VERSION)
		snprintf(r->msg, sizeof(r->msg), "%s: written on a "
			 "big-endian machine; recordings are read only where "
			 "they can be made (little-endian)", r->path);
	else if (v != REC_VERSION)
		snprintf(r->msg, sizeof(r->msg), "%s: recording format "
			 "version %u; this skbscope reads version %d", r->path,
			 v, REC_VERSION);
	else if (flags)
		snprintf(r->msg, sizeof(r->msg), "%s: unknown header flags "
			 "0x%x (from a newer skbscope?)", r->path, flags);
	else
		r->state = 0;
	r->start = REC_HDR;
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
	if (!r || !(r->path = strdup(shown)) ||
	    !(r->buf = malloc(REC_RBUF)) || hooks_new(&r->hooks) ||
	    reasons_new(&r->reasons) || ksyms_new_empty(&r->ksyms)) {
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
	if (r->fd < 0 || fcntl(r->fd, F_SETFL,
			       fcntl(r->fd, F_GETFL) & ~O_NONBLOCK)) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", shown, strerror(-ret));
		rec_close_reader(r);
		return ret;
	}
	ret = read_header(r);
	if (!ret) {
		ret = next_record(r, &type, &p, &len, &off);
		if (!ret)
			ret = fail(r, off, -ENODATA, "no meta record; was the "
				   "recording killed?");
		else if (ret > 0 && type != REC_META)
			ret = fail(r, off, -EINVAL, "first record is of type "
				   "%u, not meta", type);
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
			fail(r, off, -ENODATA, "incomplete (no end record; was "
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
		case REC_HOOK:
			parse_hook(r, p, len, off);
			break;
		case REC_REASON:
			parse_reason(r, p, len, off);
			break;
		case REC_SYM:
			parse_sym(r, p, len, off);
			break;
		case REC_END:
			parse_end(r, p, len, off);
			break;
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
