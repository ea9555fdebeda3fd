// SPDX-License-Identifier: GPL-2.0
/*
 * The recording writer (layout in record_format.h). It buffers whole
 * records, so a killed recording ends on a record boundary, and refuses
 * what the reader would refuse, so its files always read back.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/event.h"
#include "core/explain.h"
#include "core/hooks.h"
#include "core/ksyms.h"
#include "core/lib/u64map.h"
#include "core/outfile.h"
#include "core/reasons.h"
#include "core/record.h"
#include "core/record_format.h"

#define REC_WBUF (256u << 10)
/* Addresses already looked up: most of an event's addresses were in the
 * ones before, and ksyms_lookup is a search. Bounded: cleared when full,
 * which costs only repeated lookups. */
#define REC_SEEN 65536

struct rec_writer {
	int fd;
	int err;            /* first write error: the file is broken */
	unsigned char *buf; /* whole records only */
	size_t len;
	size_t nhooks; /* hook ids 0..nhooks-1 are in the file */
	int reasons_done;
	__u64 nevents;
	struct u64map *syms; /* symbol starts written (values unused) */
	struct u64map *seen; /* addresses looked up (values unused) */
	struct u64map *cgs;  /* cgroup ids named (values unused) */
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
	struct rec_fmt_rec rh = { .type = type, .len = (__u32)len };
	size_t total = rec_fmt_size(len);
	unsigned char *p;

	if (w->err)
		return NULL;
	if (REC_WBUF - w->len < total && wflush(w))
		return NULL;
	p = w->buf + w->len;
	memcpy(p, &rh, sizeof(rh));
	p += sizeof(rh);
	memset(p + len, 0, total - sizeof(rh) - len);
	w->len += total;
	return p;
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

static void free_writer(struct rec_writer *w)
{
	u64map_free(w->syms);
	u64map_free(w->seen);
	u64map_free(w->cgs);
	free(w->buf);
	free(w);
}

int rec_create(const char *path, const struct rec_meta *m,
	       struct rec_writer **out, char *err, size_t errlen)
{
	struct rec_writer *w = calloc(1, sizeof(*w));
	struct rec_fmt_file fh = { .version = REC_VERSION };
	struct rec_fmt_meta fm = {
		.start_realtime_ns = m->start_realtime_ns,
		.realtime_offset_ns = m->realtime_offset_ns,
	};
	size_t len;
	unsigned char *p;
	char shown[OUTFILE_SHOWN];
	int ret;

	/* Its messages start with the file name, as the reader's do. */
	outfile_shown(path, shown, sizeof(shown));
	if (!w || !(w->buf = malloc(REC_WBUF)) || u64map_new(256, &w->syms) ||
	    u64map_new(1024, &w->seen)) {
		if (w)
			free_writer(w);
		snprintf(err, errlen, "%s: %s", shown, strerror(ENOMEM));
		return -ENOMEM;
	}
	w->fd = outfile_open(path, NULL, 0);
	if (w->fd < 0) {
		ret = w->fd;
		if (ret == -ELOOP)
			snprintf(err, errlen,
				 "%s: is a symbolic link; not "
				 "following it",
				 shown);
		else
			snprintf(err, errlen, "%s: %s", shown, strerror(-ret));
		free_writer(w);
		return ret;
	}
	memcpy(fh.magic, REC_MAGIC, sizeof(fh.magic));
	memcpy(w->buf, &fh, sizeof(fh));
	w->len = sizeof(fh);
	len = sizeof(fm) + slen(m->host, sizeof(m->host)) +
	      slen(m->kernel, sizeof(m->kernel)) +
	      slen(m->backend, sizeof(m->backend)) +
	      slen(m->meta_names, sizeof(m->meta_names));
	p = put(w, REC_META, len);
	memcpy(p, &fm, sizeof(fm));
	p = put_str(p + sizeof(fm), m->host, sizeof(m->host));
	p = put_str(p, m->kernel, sizeof(m->kernel));
	p = put_str(p, m->backend, sizeof(m->backend));
	put_str(p, m->meta_names, sizeof(m->meta_names));
	/* Out now, so even a recording killed at once is recognisable. */
	ret = wflush(w);
	if (ret) {
		snprintf(err, errlen, "%s: %s", shown, strerror(-ret));
		close(w->fd);
		free_writer(w);
		return ret;
	}
	*out = w;
	return 0;
}

int rec_write_hooks(struct rec_writer *w, const struct hooks *h, size_t upto)
{
	size_t n = hooks_count(h);

	if (upto < n)
		n = upto;
	for (; w->nhooks < n; w->nhooks++) {
		const struct hook *hk = hooks_get(h, (__u32)w->nhooks);
		struct rec_fmt_hook fx = {
			.id = (__u32)w->nhooks,
			.kind = (__u32)hk->kind,
			.skb_pos = hk->skb_pos,
			.nargs = hk->nargs,
			.attached = hk->attached,
		};
		unsigned char *p;
		size_t len;

		if (w->nhooks >= REC_HOOKS_MAX)
			return -E2BIG;
		len = sizeof(fx) + slen(hk->name, sizeof(hk->name)) +
		      slen(hk->group, sizeof(hk->group)) +
		      slen(hk->module, sizeof(hk->module)) +
		      slen(hk->why, sizeof(hk->why));
		p = put(w, REC_HOOK, len);
		if (!p)
			return w->err;
		memcpy(p, &fx, sizeof(fx));
		p = put_str(p + sizeof(fx), hk->name, sizeof(hk->name));
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
		struct rec_fmt_reason fx = { .value = value };
		size_t n = strlen(name);
		unsigned char *p;

		/* No kernel has names this long or this many reasons; were
		 * one to, the rest simply show as numbers. */
		if (n >= REC_REASON_NAME)
			continue;
		if (written++ == REC_REASONS_MAX)
			break;
		p = put(w, REC_REASON, sizeof(fx) + n + 1);
		if (!p)
			return w->err;
		memcpy(p, &fx, sizeof(fx));
		memcpy(p + sizeof(fx), name, n + 1);
	}
	return w->err;
}

/* Write the symbol addr falls in, unless it is already in the file. */
static int note_addr(struct rec_writer *w, const struct ksyms *ks, __u64 addr)
{
	const char *name, *mod = NULL;
	struct rec_fmt_sym fx;
	size_t nlen, mlen;
	unsigned char *p;
	__u64 off;
	int added;

	if (!addr || u64map_get(w->seen, addr))
		return 0;
	name = ksyms_lookup(ks, addr, &off, &mod);
	if (!mod)
		mod = "";
	if (!name || addr == off || u64map_count(w->syms) >= REC_SYMS_MAX)
		goto done;
	nlen = strlen(name);
	mlen = strlen(mod);
	if (nlen >= REC_SYM_NAME || mlen >= REC_SYM_MODULE)
		goto done;
	fx.start = addr - off;
	if (!u64map_slot(w->syms, fx.start, &added))
		return -ENOMEM;
	if (!added)
		goto done;
	p = put(w, REC_SYM, sizeof(fx) + nlen + 1 + mlen + 1);
	if (!p)
		return w->err;
	memcpy(p, &fx, sizeof(fx));
	memcpy(p + sizeof(fx), name, nlen + 1);
	memcpy(p + sizeof(fx) + nlen + 1, mod, mlen + 1);
done:
	if (u64map_count(w->seen) >= REC_SEEN)
		u64map_clear(w->seen);
	return u64map_put(w->seen, addr, 0);
}

int rec_write_event(struct rec_writer *w, const struct skbs_event *ev,
		    const char *tail, const __u64 *stack, int nstack,
		    const struct ksyms *ks)
{
	struct rec_fmt_event fx = { .nstack = (__u32)nstack };
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
	if (ev->tail_len > SKBS_TAIL_LIMIT || (ev->tail_len && !tail) ||
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
	hd = sizeof(fx) + 8 * (size_t)nstack;
	p = put(w, REC_EVENT, hd + sizeof(*ev) + ev->tail_len);
	if (!p)
		return w->err;
	memcpy(p, &fx, sizeof(fx));
	if (nstack)
		memcpy(p + sizeof(fx), stack, 8 * (size_t)nstack);
	memcpy(p + hd, ev, sizeof(*ev));
	if (ev->tail_len)
		memcpy(p + hd + sizeof(*ev), tail, ev->tail_len);
	w->nevents++;
	return 0;
}

int rec_write_return(struct rec_writer *w, const struct skbs_return *r,
		     int kind)
{
	struct rec_fmt_return fx = { .r = *r, .kind = (__u32)kind };
	unsigned char *p;

	if (w->err)
		return w->err;
	if (r->hook >= w->nhooks || r->ts_exit < r->ts_entry)
		return -EINVAL;
	p = put(w, REC_RETURN, sizeof(fx));
	if (!p)
		return w->err;
	memcpy(p, &fx, sizeof(fx));
	return 0;
}

int rec_write_cgroup(struct rec_writer *w, __u64 id, const char *name)
{
	size_t n = strnlen(name, 256);
	unsigned char *p;
	int added = 0;

	if (w->err)
		return w->err;
	if (!id || n >= 256)
		return -EINVAL;
	if (!w->cgs && u64map_new(16, &w->cgs))
		return -ENOMEM;
	if (!u64map_slot(w->cgs, id, &added))
		return -ENOMEM;
	if (!added)
		return 0;
	p = put(w, REC_CGROUP, 8 + n + 1);
	if (!p)
		return w->err;
	memcpy(p, &id, 8);
	memcpy(p + 8, name, n);
	p[8 + n] = '\0';
	return 0;
}

int rec_write_explain(struct rec_writer *w, const struct skbs_event *ev,
		      const struct explain *e)
{
	struct rec_fmt_explain fx = { .skb = ev->skb, .ts = ev->ts };
	unsigned nf = e->nfields < EXPLAIN_FIELDS ? e->nfields : EXPLAIN_FIELDS;
	size_t len = sizeof(fx), pos;
	unsigned char *p;

	if (w->err)
		return w->err;
	if ((unsigned)e->kind >= EXPLAIN_KIND_MAX)
		return -EINVAL;
	fx.kind = (__u32)e->kind;
	fx.nfields = nf;
	/* The strings are NUL-terminated in struct explain; strnlen keeps a
	 * caller's unterminated one from running on. */
	len += strnlen(e->text, sizeof(e->text) - 1) + 1;
	for (unsigned i = 0; i < nf; i++)
		len += strnlen(e->f[i].key, sizeof(e->f[i].key) - 1) + 1 +
		       strnlen(e->f[i].val, sizeof(e->f[i].val) - 1) + 1;
	p = put(w, REC_EXPLAIN, len);
	if (!p)
		return w->err;
	memcpy(p, &fx, sizeof(fx));
	pos = sizeof(fx);
#define PUTS(str, max)                               \
	do {                                         \
		size_t _n = strnlen((str), (max)-1); \
		memcpy(p + pos, (str), _n);          \
		p[pos + _n] = '\0';                  \
		pos += _n + 1;                       \
	} while (0)
	PUTS(e->text, sizeof(e->text));
	for (unsigned i = 0; i < nf; i++) {
		PUTS(e->f[i].key, sizeof(e->f[i].key));
		PUTS(e->f[i].val, sizeof(e->f[i].val));
	}
#undef PUTS
	return 0;
}

int rec_flush(struct rec_writer *w)
{
	return wflush(w);
}

int rec_close(struct rec_writer *w, const __u64 *counters)
{
	struct rec_fmt_end fx = { .ncounters = SKBS_C_MAX };
	size_t clen = SKBS_C_MAX * sizeof(*counters);
	unsigned char *p;
	int ret;

	if (!w)
		return 0;
	fx.nevents = w->nevents;
	p = put(w, REC_END, sizeof(fx) + clen);
	if (p) {
		memcpy(p, &fx, sizeof(fx));
		if (counters)
			memcpy(p + sizeof(fx), counters, clen);
		else
			memset(p + sizeof(fx), 0, clen);
	}
	ret = wflush(w);
	/* Pipes and character devices cannot be synced, and need not be. */
	if (!ret && fsync(w->fd) && errno != EINVAL && errno != ENOTSUP)
		ret = -errno;
	if (close(w->fd) && !ret && errno != EINTR)
		ret = -errno;
	free_writer(w);
	return ret;
}
