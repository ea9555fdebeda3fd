// SPDX-License-Identifier: GPL-2.0
/*
 * The writer side of recordings: the input is a script of what a trace
 * hands core/record_write.c (meta, symbols, hooks as they get used, drop
 * reasons, events with tails and stacks, flushes), written to a file and
 * read back through core/record_read.c. Whatever the writer accepts must
 * read back as it was given, with the symbols its addresses fall in;
 * whatever it refuses must be what the reader would refuse. Any
 * disagreement aborts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/event.h"
#include "core/hooks.h"
#include "core/ksyms.h"
#include "core/reasons.h"
#include "core/record.h"
#include "core/record_format.h"

#define MAX_EVENTS 128
#define MAX_REASONS 64
#define MAX_SYMS 64
/* Where symbols and most event addresses fall, so that they meet. */
#define TEXT 0xffffffff81000000ULL

struct in {
	const uint8_t *p;
	size_t n;
};

/* n bytes of input into dst, zeros once it runs out. */
static void take(struct in *in, void *dst, size_t n)
{
	size_t k = n < in->n ? n : in->n;

	memcpy(dst, in->p, k);
	memset((char *)dst + k, 0, n - k);
	in->p += k;
	in->n -= k;
}

static unsigned take8(struct in *in)
{
	uint8_t v;

	take(in, &v, 1);
	return v;
}

static unsigned take16(struct in *in)
{
	uint16_t v;

	take(in, &v, 2);
	return v;
}

static __u64 take64(struct in *in)
{
	__u64 v;

	take(in, &v, 8);
	return v;
}

/* len bytes of text: the first few from the input (any byte, NUL
 * included), the rest a pattern, so that a long string costs the input a
 * byte or two and the fuzzer can afford the lengths where limits are. */
static void take_text(struct in *in, char *dst, size_t len)
{
	size_t k = len < 8 ? len : 8;

	take(in, dst, k);
	for (size_t i = k; i < len; i++)
		dst[i] = (char)('a' + i % 26);
}

/* A string field of max bytes (max <= 255): it may end early, or fill the
 * field and not end at all (the writer cuts it to max - 1). */
static void take_field(struct in *in, char *dst, size_t max)
{
	memset(dst, 0, max);
	take_text(in, dst, take8(in) % (max + 1));
}

/* A C string of at most max - 1 bytes, some longer than scale * 100. */
static void take_str(struct in *in, char *dst, size_t max, unsigned scale)
{
	size_t len = take8(in) * scale / 2;

	if (len >= max)
		len = max - 1;
	take_text(in, dst, len);
	dst[len] = '\0';
}

/* Mostly in the symbols' range (symbols start at TEXT + k * 256). */
static __u64 take_addr(struct in *in)
{
	unsigned mode = take8(in) % 8;

	if (mode == 0)
		return 0;
	if (mode == 1)
		return take64(in);
	return TEXT + take16(in);
}

static char path[64];

static void remove_file(void)
{
	unlink(path);
}

/* A finding: the input that made it is kept by libFuzzer, the file not. */
__attribute__((noreturn, format(printf, 1, 2))) static void die(const char *fmt,
								...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("fuzz_record_write: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	remove_file();
	abort();
}

/* A field as the writer puts it in the file. */
static int field_eq(const char *got, const char *sent, size_t max)
{
	size_t n = strnlen(sent, max - 1);

	return strlen(got) == n && !memcmp(got, sent, n);
}

static void check(int ok, const char *what)
{
	if (!ok)
		die("%s", what);
}

struct want {
	struct skbs_event ev;
	char tail[SKBS_TAIL_LIMIT];
	__u64 stack[SKBS_STACK_DEPTH];
	int nstack;
	int with_ksyms;
};

struct script {
	struct rec_meta meta;
	struct hooks *hooks;
	struct reasons *reasons;
	struct ksyms *ks;
	char reason_names[MAX_REASONS][REC_REASON_NAME + 32];
	size_t nreasons;
	/* What the file holds, as the writer was told. */
	size_t hooks_written;
	int reasons_written;
	__u32 rvalue[MAX_REASONS];
	const char *rname[MAX_REASONS];
	size_t nrwant;
	__u64 counters[SKBS_C_MAX];
	size_t nev;
	/* Last, and not cleared between runs: only ev[0..nev) is read. */
	struct want ev[MAX_EVENTS];
};

static void add_hook(struct script *s, struct in *in)
{
	struct hook hk;

	memset(&hk, 0, sizeof(hk));
	take_field(in, hk.name, sizeof(hk.name));
	take_field(in, hk.group, sizeof(hk.group));
	take_field(in, hk.module, sizeof(hk.module));
	take_field(in, hk.why, sizeof(hk.why));
	/* The table's own kinds: a hook table holds no others. */
	hk.kind = take8(in) & 1 ? HOOK_FUNCTION : HOOK_TRACEPOINT;
	take(in, &hk.skb_pos, sizeof(hk.skb_pos));
	take(in, &hk.nargs, sizeof(hk.nargs));
	take(in, &hk.attached, sizeof(hk.attached));
	check(hooks_add(s->hooks, &hk) >= 0, "hooks_add");
}

static void write_hooks(struct script *s, struct rec_writer *w, size_t upto)
{
	size_t n = hooks_count(s->hooks);

	check(!rec_write_hooks(w, s->hooks, upto), "rec_write_hooks failed");
	if (upto < n)
		n = upto;
	if (n > s->hooks_written)
		s->hooks_written = n;
}

static void write_reasons(struct script *s, struct rec_writer *w)
{
	const char *name;
	__u32 value;
	int ret = rec_write_reasons(w, s->reasons);

	if (s->reasons_written) {
		check(ret == -EALREADY, "second rec_write_reasons not refused");
		return;
	}
	check(!ret, "rec_write_reasons failed");
	s->reasons_written = 1;
	/* Names too long for a reader are left out, the rest in order. */
	for (size_t i = 0; !reasons_at(s->reasons, i, &value, &name); i++) {
		if (strlen(name) >= REC_REASON_NAME)
			continue;
		s->rvalue[s->nrwant] = value;
		s->rname[s->nrwant++] = name;
	}
}

static void write_event(struct script *s, struct rec_writer *w, struct in *in)
{
	struct want *x = &s->ev[s->nev];
	struct skbs_event *ev = &x->ev;
	unsigned how = take8(in), nstack;
	const struct skbs_event *chk;
	const char *chk_tail, *tail;
	const __u64 *stack;
	char why[128];
	int ret, valid;

	/* Mostly events a trace would write, sometimes any bytes at all.
	 * Only the fields below matter to the writer; the rest is copied. */
	memset(ev, 0, sizeof(*ev));
	if ((how & 3) == 3) {
		take(in, ev, sizeof(*ev));
	} else {
		ev->rec_type = SKBS_REC_EVENT;
		ev->skb = take64(in);
		ev->tail_len = take8(in) * (how & 1 ? 17 : 1);
		ev->hdr_len = take8(in) % (ev->tail_len + 1);
		ev->hook = take8(in) % (hooks_count(s->hooks) + 1);
		if (ev->hook == hooks_count(s->hooks))
			ev->hook = SKBS_HOOK_BY_IP;
		ev->flags = take8(in);
	}
	ev->location = take_addr(in);
	ev->ip = take_addr(in);
	ev->caller = take_addr(in);
	nstack = take8(in) % (SKBS_STACK_DEPTH + 8);
	memset(x->stack, 0, sizeof(x->stack));
	for (unsigned i = 0; i < nstack && i < SKBS_STACK_DEPTH; i++)
		x->stack[i] = take_addr(in);
	take_text(in, x->tail,
		  ev->tail_len < SKBS_TAIL_LIMIT ? ev->tail_len :
						   SKBS_TAIL_LIMIT);
	/* Now and then no tail or stack where one is due. */
	tail = (how & 0x70) == 0x10 ? NULL : x->tail;
	stack = (how & 0x70) == 0x20 ? NULL : x->stack;
	x->with_ksyms = !(how & 0x80);
	x->nstack = (int)nstack;

	ret = rec_write_event(w, ev, tail, stack, (int)nstack,
			      x->with_ksyms ? s->ks : NULL);
	valid = nstack <= SKBS_STACK_DEPTH && (stack || !nstack) &&
		ev->tail_len <= SKBS_TAIL_LIMIT && (tail || !ev->tail_len) &&
		!event_decode(ev, sizeof(*ev) + ev->tail_len, &chk, &chk_tail,
			      why, sizeof(why)) &&
		(ev->hook == SKBS_HOOK_BY_IP || ev->hook < s->hooks_written);
	if (valid)
		check(!ret, "the writer refused an event the reader takes");
	else
		check(ret == -EINVAL, "the writer took an event the reader "
				      "would refuse");
	if (!ret)
		s->nev++;
}

/* The writer's promise for an event written with ksyms: each address
 * that falls in a symbol it may write reads back in that symbol. */
static void check_syms(const struct script *s, const struct ksyms *got,
		       const __u64 *addrs, int n)
{
	for (int i = 0; i < n; i++) {
		const char *name, *mod = NULL, *gname, *gmod = NULL;
		__u64 off, goff;

		if (!addrs[i])
			continue;
		name = ksyms_lookup(s->ks, addrs[i], &off, &mod);
		if (!name || strlen(name) >= REC_SYM_NAME ||
		    (mod && strlen(mod) >= REC_SYM_MODULE))
			continue;
		gname = ksyms_lookup(got, addrs[i], &goff, &gmod);
		check(gname && !strcmp(gname, name) && goff == off,
		      "an event's symbol did not come before it");
		check(!strcmp(gmod ? gmod : "", mod ? mod : ""),
		      "a symbol's module changed");
	}
}

static void read_back(const struct script *s)
{
	const struct rec_meta *m;
	const struct skbs_event *ev;
	const struct hooks *hooks;
	const __u64 *stack, *end;
	const char *tail, *name;
	struct rec_reader *r;
	char err[512];
	size_t i = 0;
	__u32 value;
	int ret, nstack;

	if (rec_open(path, &r, err, sizeof(err)))
		die("%s", err);
	m = rec_meta(r);
	check(field_eq(m->host, s->meta.host, sizeof(m->host)) &&
		      field_eq(m->kernel, s->meta.kernel, sizeof(m->kernel)) &&
		      field_eq(m->backend, s->meta.backend,
			       sizeof(m->backend)) &&
		      m->start_realtime_ns == s->meta.start_realtime_ns &&
		      m->realtime_offset_ns == s->meta.realtime_offset_ns,
	      "meta changed");
	while ((ret = rec_next(r, &ev, &tail, &stack, &nstack, err,
			       sizeof(err))) > 0) {
		const struct want *x = &s->ev[i];
		__u64 addrs[3] = { ev->location, ev->ip, ev->caller };

		check(i < s->nev, "more events than were written");
		check(!memcmp(ev, &x->ev, sizeof(*ev)), "an event changed");
		check(!memcmp(tail, x->tail, ev->tail_len), "a tail changed");
		check(nstack == x->nstack &&
			      !memcmp(stack, x->stack,
				      (size_t)nstack * sizeof(*stack)),
		      "a stack changed");
		if (x->with_ksyms) {
			check_syms(s, rec_ksyms(r), addrs, 3);
			check_syms(s, rec_ksyms(r), stack, nstack);
		}
		i++;
	}
	if (ret < 0)
		die("%s", err);
	check(i == s->nev, "fewer events than were written");
	check(rec_next(r, &ev, &tail, &stack, &nstack, err, sizeof(err)) == 0,
	      "the end did not stay the end");
	end = rec_end_counters(r);
	check(end && !memcmp(end, s->counters, sizeof(s->counters)),
	      "the counters changed");

	hooks = rec_hooks(r);
	check(hooks_count(hooks) == s->hooks_written, "hook count changed");
	for (__u32 id = 0; id < s->hooks_written; id++) {
		const struct hook *a = hooks_get(s->hooks, id);
		const struct hook *b = hooks_get(hooks, id);

		check(field_eq(b->name, a->name, sizeof(a->name)) &&
			      field_eq(b->group, a->group, sizeof(a->group)) &&
			      field_eq(b->module, a->module,
				       sizeof(a->module)) &&
			      field_eq(b->why, a->why, sizeof(a->why)) &&
			      a->kind == b->kind && a->skb_pos == b->skb_pos &&
			      a->nargs == b->nargs &&
			      a->attached == b->attached,
		      "a hook changed");
	}
	for (i = 0; !reasons_at(rec_reasons(r), i, &value, &name); i++)
		check(i < s->nrwant && value == s->rvalue[i] &&
			      !strcmp(name, s->rname[i]),
		      "a drop reason changed");
	check(i == s->nrwant, "drop reasons went missing");
	rec_close_reader(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct script s;
	struct in in = { data, size };
	struct rec_writer *w;
	char err[512];
	unsigned nsyms;

	if (!path[0]) {
		/* tmpfs: rec_close syncs, which on a disk costs a write. */
		snprintf(path, sizeof(path), "%s/skbscope-fuzz-write-%d.skbs",
			 access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm",
			 (int)getpid());
		atexit(remove_file);
	}
	memset(&s, 0, offsetof(struct script, ev));
	if (hooks_new(&s.hooks) || reasons_new(&s.reasons) ||
	    ksyms_new_empty(&s.ks))
		abort();
	take_field(&in, s.meta.host, sizeof(s.meta.host));
	take_field(&in, s.meta.kernel, sizeof(s.meta.kernel));
	take_field(&in, s.meta.backend, sizeof(s.meta.backend));
	s.meta.start_realtime_ns = (long long)take64(&in);
	s.meta.realtime_offset_ns = (long long)take64(&in);
	/* The symbol table is loaded before tracing starts. */
	nsyms = take8(&in) % MAX_SYMS;
	for (unsigned i = 0; i < nsyms; i++) {
		char name[REC_SYM_NAME + 80], mod[REC_SYM_MODULE + 16];
		__u64 at = TEXT + ((__u64)take8(&in) << 8);

		take_str(&in, name, sizeof(name), 5);
		take_str(&in, mod, sizeof(mod), 1);
		ksyms_add(s.ks, at, name, mod); /* -EEXIST is fine */
	}
	if (rec_create(path, &s.meta, &w, err, sizeof(err)))
		die("%s", err);
	while (in.n) {
		switch (take8(&in) % 8) {
		case 0: add_hook(&s, &in); break;
		case 1: write_hooks(&s, w, take8(&in)); break;
		case 2:
			if (s.nreasons == MAX_REASONS)
				break;
			take_str(&in, s.reason_names[s.nreasons],
				 sizeof(s.reason_names[0]), 2);
			check(!reasons_add(s.reasons, take16(&in),
					   s.reason_names[s.nreasons++]),
			      "reasons_add");
			break;
		case 3: write_reasons(&s, w); break;
		case 7: check(!rec_flush(w), "rec_flush failed"); break;
		default:
			if (s.nev < MAX_EVENTS)
				write_event(&s, w, &in);
			break;
		}
	}
	for (int i = 0; i < SKBS_C_MAX; i++)
		s.counters[i] = (__u64)i * 0x0101010101010101ULL + s.nev;
	check(!rec_close(w, s.counters), "rec_close failed");
	read_back(&s);
	hooks_free(s.hooks);
	reasons_free(s.reasons);
	ksyms_free(s.ks);
	return 0;
}
