// SPDX-License-Identifier: GPL-2.0
/*
 * Owns the BPF objects for the life of a trace: discover hooks, pick a
 * backend (kprobe-multi, kprobe, fentry, tracepoint: the best that works),
 * load, attach, then hand events to the front end. Everything is released
 * in session_close(); nothing is pinned, so any exit leaves nothing
 * attached.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include "core/trace/skel.h"
#include "core/trace/attach.h"
#include "core/reasons.h"
#include "core/trace/btf.h"
#include "core/trace/cfgmap.h"
#include "core/event.h"
#include "core/trace/funcs.h"
#include "core/hooks.h"
#include "core/ksyms.h"
#include "core/lifetime.h"
#include "core/trace/session.h"
#include "core/textfile.h"
#include "core/trace/tracefs.h"

enum backend { BK_KMULTI, BK_KPROBE, BK_FENTRY, BK_TP, BK_N };

static const char *const bk_names[BK_N] = {
	"kprobe-multi", "kprobe", "fentry", "tracepoint",
};

#define BK_PROBES ((1u << BK_KMULTI) | (1u << BK_KPROBE) | (1u << BK_FENTRY))
#define IPCACHE 4096

struct session {
	struct session_opts o;
	struct skbscope_bpf *skel;  /* tracepoints, kprobe, kprobe.multi */
	struct skbscope_bpf *fskel; /* fentry templates, on skel's maps */
	struct btf *vmlinux;
	struct reasons *reasons;
	struct hooks *hooks;
	size_t ntp;                 /* hooks [0, ntp) are tracepoints */
	struct funcs *funcs;
	struct attach_set *links;   /* tp_btf and fentry copies */
	struct bpf_link **plinks;   /* kprobe / kprobe.multi links */
	size_t nplinks, capplinks;
	struct ksyms *ksyms;        /* ip -> hook without attach cookies */
	int ksyms_tried;
	struct { __u64 ip; __u32 id; } ipcache[IPCACHE];
	struct lifetimes *life;
	struct cfgmap *cfg;
	struct ring_buffer *rb;
	regex_t re;
	int have_re;
	int ncpus;
	unsigned cand;              /* candidate backends, bit per enum */
	int cookies;                /* kernel has bpf_get_attach_cookie */
	int reason_fn;              /* a drop-reason function is probed */
	size_t failed;
	__u64 bad_records;
	__u64 received;             /* records taken from the ring buffer */
	int detached;
	session_event_fn fn;
	void *fn_ctx;
	int stopped;
	int threaded;
	char backend[32];
	char why[768];
};

static void note(struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void note(struct session *s, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (!s->o.note)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	s->o.note(s->o.ctx, buf);
}

/* Record why a backend is out of the running. */
static void rule_out(struct session *s, enum backend b, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void rule_out(struct session *s, enum backend b, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	if (!(s->cand & (1u << b)))
		return;
	s->cand &= ~(1u << b);
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (s->why[0])
		strlcat(s->why, "; ", sizeof(s->why));
	strlcat(s->why, bk_names[b], sizeof(s->why));
	strlcat(s->why, ": ", sizeof(s->why));
	strlcat(s->why, buf, sizeof(s->why));
}

static int btf_enum_has(const struct btf *btf, const char *ename,
			const char *value)
{
	__s32 id = btf__find_by_name_kind(btf, ename, BTF_KIND_ENUM);
	const struct btf_type *t;
	const struct btf_enum *e;

	if (id < 0)
		return 0;
	t = btf__type_by_id(btf, id);
	e = btf_enum(t);
	for (int i = 0; i < btf_vlen(t); i++)
		if (!strcmp(btf__name_by_offset(btf, e[i].name_off), value))
			return 1;
	return 0;
}

/* ---- templates ---------------------------------------------------- */

static struct bpf_program *tp_template(struct skbscope_bpf *skel,
				       const struct hook *hk)
{
	struct bpf_program *pos[SKBS_MAX_SKB_POS] = {
		skel->progs.tp_pos0, skel->progs.tp_pos1, skel->progs.tp_pos2,
		skel->progs.tp_pos3, skel->progs.tp_pos4,
	};

	if (!strcmp(hk->name, "kfree_skb") && hk->skb_pos == 0)
		return hk->nargs >= 3 ? skel->progs.tp_kfree_skb_reason :
					skel->progs.tp_kfree_skb;
	if (!strcmp(hk->name, "consume_skb") && hk->skb_pos == 0)
		return skel->progs.tp_consume_skb;
	if (hk->skb_pos < 0 || hk->skb_pos >= SKBS_MAX_SKB_POS)
		return NULL;
	return pos[hk->skb_pos];
}

/* The program serving function hook hk on a probe backend. */
static struct bpf_program *fn_template(struct skbscope_bpf *skel,
				       enum backend b, const struct hook *hk)
{
	struct bpf_program *kp[] = {
		skel->progs.kp_pos1, skel->progs.kp_pos2, skel->progs.kp_pos3,
		skel->progs.kp_pos4, skel->progs.kp_pos5,
		skel->progs.kp_kfree_skb_reason,
		skel->progs.kp_sk_skb_reason_drop, skel->progs.kp_kfree_skbmem,
	};
	struct bpf_program *km[] = {
		skel->progs.km_pos1, skel->progs.km_pos2, skel->progs.km_pos3,
		skel->progs.km_pos4, skel->progs.km_pos5,
		skel->progs.km_kfree_skb_reason,
		skel->progs.km_sk_skb_reason_drop, skel->progs.km_kfree_skbmem,
	};
	struct bpf_program *fe[] = {
		skel->progs.fe_pos1, skel->progs.fe_pos2, skel->progs.fe_pos3,
		skel->progs.fe_pos4, skel->progs.fe_pos5,
		skel->progs.fe_kfree_skb_reason,
		skel->progs.fe_sk_skb_reason_drop, skel->progs.fe_kfree_skbmem,
	};
	struct bpf_program **v = b == BK_KMULTI ? km : b == BK_KPROBE ? kp : fe;
	int i = hk->skb_pos - 1;

	if (!hk->module[0]) {
		if (!strcmp(hk->name, "kfree_skb_reason") && hk->skb_pos == 1)
			i = 5;
		else if (!strcmp(hk->name, "sk_skb_reason_drop") &&
			 hk->skb_pos == 2)
			i = 6;
		else if (!strcmp(hk->name, "kfree_skbmem") && hk->skb_pos == 1)
			i = 7;
	}
	return i >= 0 && i < 8 ? v[i] : NULL;
}

static int tp_selected(struct session *s, const struct hook *hk)
{
	char label[160];

	if (hk->kind != HOOK_TRACEPOINT)
		return 0;
	if (!(s->cand & (1u << BK_TP))) {
		/* Probe backends take drop reasons from the kfree_skb
		 * tracepoint only when no reason function can be probed. */
		return !s->reason_fn && !strcmp(hk->name, "kfree_skb");
	}
	if (!s->have_re)
		return 1;
	if (!regexec(&s->re, hk->name, 0, NULL, 0))
		return 1;
	return !regexec(&s->re, hook_label(hk, label, sizeof(label)), 0,
			NULL, 0);
}

/* ---- discovery ---------------------------------------------------- */

static int add_tracepoints(struct session *s, char *err, size_t errlen)
{
	struct kbtf_tp *tps = NULL;
	size_t n = 0;
	char *events = NULL;
	int ret;

	ret = kbtf_skb_tracepoints(s->vmlinux, &tps, &n);
	if (ret) {
		snprintf(err, errlen, "cannot scan kernel BTF for "
			 "tracepoints: %s", strerror(-ret));
		return ret;
	}
	for (size_t i = 0; i < n && !ret; i++) {
		struct hook hk = { 0 };

		snprintf(hk.name, sizeof(hk.name), "%s", tps[i].name);
		hk.kind = HOOK_TRACEPOINT;
		hk.skb_pos = tps[i].skb_pos;
		hk.btf_id = tps[i].btf_id;
		hk.nargs = tps[i].nargs;
		ret = hooks_add(s->hooks, &hk) < 0 ? -ENOMEM : 0;
	}
	free(tps);
	if (ret)
		return ret;
	s->ntp = hooks_count(s->hooks);
	if (tracefs_available_events(&events)) {
		note(s, "tracefs is not readable: tracepoints are shown "
			"without their group");
	} else {
		hooks_set_groups(s->hooks, events);
		free(events);
	}
	return 0;
}

static int add_functions(struct session *s, char *err, size_t errlen)
{
	struct funcs_opts fo = { 0 };
	char *avail = NULL, *kallsyms = NULL;
	int ret;

	if (!tracefs_read("available_filter_functions", &avail)) {
		fo.avail = avail;
	} else {
		ret = textfile_read("/proc/kallsyms", 256u << 20, 0, &kallsyms, NULL);
		if (ret) {
			snprintf(err, errlen, "cannot read /proc/kallsyms: %s",
				 strerror(-ret));
			return ret;
		}
		fo.kallsyms = kallsyms;
	}
	fo.regex = s->o.func_regex;
	fo.kmods = s->o.kmods;
	fo.nkmods = s->o.nkmods;
	fo.all_kmods = s->o.all_kmods;
	ret = funcs_discover(s->vmlinux, &fo, &s->funcs, err, errlen);
	free(avail);
	free(kallsyms);
	if (ret)
		return ret;
	if (funcs_notes(s->funcs)[0]) {
		char *notes = strdup(funcs_notes(s->funcs)), *line, *save;

		for (line = notes ? strtok_r(notes, "\n", &save) : NULL; line;
		     line = strtok_r(NULL, "\n", &save))
			note(s, "%s", line);
		free(notes);
	}
	for (size_t i = 0; i < funcs_count(s->funcs); i++) {
		const struct skb_func *k = funcs_get(s->funcs, i);
		struct hook hk = { 0 };

		snprintf(hk.name, sizeof(hk.name), "%s", k->name);
		snprintf(hk.module, sizeof(hk.module), "%s", k->module);
		hk.kind = HOOK_FUNCTION;
		hk.skb_pos = k->skb_pos;
		hk.btf_id = k->btf_id;
		hk.nargs = k->nargs;
		if (hooks_add(s->hooks, &hk) < 0)
			return -ENOMEM;
		if ((!strcmp(k->name, "kfree_skb_reason") && k->skb_pos == 1) ||
		    (!strcmp(k->name, "sk_skb_reason_drop") &&
		     k->skb_pos == 2))
			s->reason_fn = 1;
	}
	return 0;
}

/* Rule out what this kernel cannot do, before loading anything. */
static void precheck(struct session *s)
{
	if (!funcs_count(s->funcs)) {
		const char *m = s->have_re ? "no traceable skb function "
					     "matches --filter-func" :
					     "no traceable skb function found";

		rule_out(s, BK_KMULTI, "%s", m);
		rule_out(s, BK_KPROBE, "%s", m);
		rule_out(s, BK_FENTRY, "%s", m);
	}
	if (!btf_enum_has(s->vmlinux, "bpf_attach_type",
			  "BPF_TRACE_KPROBE_MULTI"))
		rule_out(s, BK_KMULTI, "needs kernel 5.18 or later");
	else if (btf__find_by_name_kind(s->vmlinux, "fprobe",
					BTF_KIND_STRUCT) < 0)
		rule_out(s, BK_KMULTI, "kernel built without CONFIG_FPROBE");
	if (access("/sys/bus/event_source/devices/kprobe/type", R_OK))
		rule_out(s, BK_KPROBE, "kprobes are not built into this "
			 "kernel (no kprobe PMU)");
	s->cookies = btf_enum_has(s->vmlinux, "bpf_func_id",
				  "BPF_FUNC_get_attach_cookie");
}

/* ---- open --------------------------------------------------------- */

static int parse_backend(const char *name, unsigned *cand)
{
	if (!name || !strcmp(name, "auto")) {
		*cand = (1u << BK_N) - 1;
		return 0;
	}
	for (int b = 0; b < BK_N; b++) {
		if (!strcmp(name, bk_names[b])) {
			*cand = 1u << b;
			return 0;
		}
	}
	return -EINVAL;
}

static int plan_and_load(struct session *s, char *err, size_t errlen)
{
	struct bpf_program *prog;
	int ret;

	s->skel = skel_open();
	if (!s->skel) {
		ret = -errno;
		snprintf(err, errlen, "cannot open BPF object: %s",
			 strerror(-ret));
		return ret;
	}
	if (s->o.ringbuf_bytes &&
	    bpf_map__set_max_entries(s->skel->maps.events,
				     (__u32)s->o.ringbuf_bytes)) {
		snprintf(err, errlen, "cannot size the ring buffer to %llu "
			 "bytes", (unsigned long long)s->o.ringbuf_bytes);
		return -EINVAL;
	}
	bpf_object__for_each_program(prog, s->skel->obj)
		bpf_program__set_autoload(prog, false);
	/* Each tracepoint template is loaded against the first hook it
	 * serves; the copies made at attach time retarget it. */
	for (size_t i = 0; i < s->ntp; i++) {
		const struct hook *hk = hooks_get(s->hooks, i);
		struct bpf_program *t;

		if (!tp_selected(s, hk) || !(t = tp_template(s->skel, hk)) ||
		    bpf_program__autoload(t))
			continue;
		bpf_program__set_autoload(t, true);
		ret = bpf_program__set_attach_target(t, 0, hk->name);
		if (ret)
			return ret;
	}
	for (size_t i = s->ntp; i < hooks_count(s->hooks); i++) {
		const struct hook *hk = hooks_get(s->hooks, i);

		if (s->cand & (1u << BK_KPROBE))
			bpf_program__set_autoload(
				fn_template(s->skel, BK_KPROBE, hk), true);
		if (s->cand & (1u << BK_KMULTI))
			bpf_program__set_autoload(
				fn_template(s->skel, BK_KMULTI, hk), true);
	}
	if (s->cand & (1u << BK_KPROBE)) {
		bpf_program__set_autoload(s->skel->progs.kp_clone_enter, true);
		bpf_program__set_autoload(s->skel->progs.kp_clone_exit, true);
	}
	if (s->cand & (1u << BK_KMULTI)) {
		bpf_program__set_autoload(s->skel->progs.km_clone_enter, true);
		bpf_program__set_autoload(s->skel->progs.km_clone_exit, true);
	}
	ret = skbscope_bpf__load(s->skel);
	if (ret) {
		snprintf(err, errlen, "cannot load BPF programs: %s",
			 strerror(-ret));
		return ret;
	}
	return 0;
}

int session_open(const struct session_opts *o, struct session **out,
		 char *err, size_t errlen)
{
	struct session *s = calloc(1, sizeof(*s));
	int ret;

	if (!s)
		return -ENOMEM;
	s->o = *o;
	s->ncpus = libbpf_num_possible_cpus();
	if (parse_backend(o->backend, &s->cand)) {
		snprintf(err, errlen, "unknown backend '%s'", o->backend);
		ret = -EINVAL;
		goto fail;
	}
	if (o->func_regex) {
		ret = regcomp(&s->re, o->func_regex, REG_EXTENDED | REG_NOSUB);
		if (ret) {
			char m[128];

			regerror(ret, &s->re, m, sizeof(m));
			snprintf(err, errlen, "--filter-func '%s': %s",
				 o->func_regex, m);
			ret = -EINVAL;
			goto fail;
		}
		s->have_re = 1;
	}
	s->vmlinux = btf__load_vmlinux_btf();
	if (!s->vmlinux) {
		ret = -errno;
		snprintf(err, errlen, "cannot read kernel BTF "
			 "(/sys/kernel/btf/vmlinux): %s", strerror(-ret));
		goto fail;
	}
	ret = kbtf_load_reasons(s->vmlinux, &s->reasons);
	if (!ret)
		ret = hooks_new(&s->hooks);
	if (!ret)
		ret = attach_set_new(&s->links);
	if (!ret)
		ret = lifetimes_new(&s->life);
	if (ret) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	ret = add_tracepoints(s, err, errlen);
	if (ret)
		goto fail;
	if (s->cand & BK_PROBES) {
		ret = add_functions(s, err, errlen);
		if (ret) {
			if (!(s->cand & (1u << BK_TP)))
				goto fail;
			/* auto: tracepoints still work. */
			rule_out(s, BK_KMULTI, "%s", err);
			rule_out(s, BK_KPROBE, "%s", err);
			rule_out(s, BK_FENTRY, "%s", err);
			err[0] = '\0';
		}
		precheck(s);
	}
	if (o->list_only) {
		*out = s;
		return 0;
	}
	if (!s->cand) {
		snprintf(err, errlen, "backend %s is not available: %s",
			 o->backend, s->why);
		ret = -EOPNOTSUPP;
		goto fail;
	}
	ret = plan_and_load(s, err, errlen);
	if (ret && (s->cand & ((1u << BK_KMULTI) | (1u << BK_KPROBE))) &&
	    (s->cand & ((1u << BK_FENTRY) | (1u << BK_TP)))) {
		/* A kernel that cannot even load the kprobe programs: drop
		 * them and load the rest. */
		rule_out(s, BK_KMULTI, "programs do not load (%s)", err);
		rule_out(s, BK_KPROBE, "programs do not load (%s)", err);
		skbscope_bpf__destroy(s->skel);
		s->skel = NULL;
		ret = plan_and_load(s, err, errlen);
	}
	if (ret)
		goto fail;
	if (!s->cookies && (s->cand & (1u << BK_KPROBE))) {
		/* Without attach cookies, kprobe events are named from their
		 * ip; a failure only costs names, so it is not fatal. */
		if (ksyms_load("/proc/kallsyms", &s->ksyms))
			note(s, "cannot read /proc/kallsyms: kprobe events "
				"will show addresses");
	}
	ret = cfgmap_open(bpf_map__fd(s->skel->maps.cfg_slots),
			  bpf_map__fd(s->skel->maps.cfg_active), &s->cfg);
	if (ret) {
		snprintf(err, errlen, "cannot read the config map: %s",
			 strerror(-ret));
		goto fail;
	}
	*out = s;
	return 0;
fail:
	session_close(s);
	return ret;
}

/* ---- attach ------------------------------------------------------- */

static void hook_failed(struct session *s, __u32 id, int err,
			const char *why)
{
	const struct hook *hk = hooks_get(s->hooks, id);
	char label[160], msg[sizeof(hk->why)];

	snprintf(msg, sizeof(msg), "%s%s%s", strerror(-err),
		 why && why[0] ? ": " : "", why ? why : "");
	hooks_set_state(s->hooks, id, err, msg);
	s->failed++;
	if (hk->kind == HOOK_TRACEPOINT)
		note(s, "hook %s left out: %s",
		     hook_label(hk, label, sizeof(label)), hk->why);
}

static int keep_link(struct session *s, struct bpf_link *l)
{
	if (s->nplinks == s->capplinks) {
		size_t cap = s->capplinks ? s->capplinks * 2 : 256;
		struct bpf_link **nv = reallocarray(s->plinks, cap,
						    sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		s->plinks = nv;
		s->capplinks = cap;
	}
	s->plinks[s->nplinks++] = l;
	return 0;
}

/* Undo a backend that did not work out, before trying the next. */
static void detach_all(struct session *s)
{
	for (size_t i = 0; i < s->nplinks; i++)
		bpf_link__destroy(s->plinks[i]);
	s->nplinks = 0;
	attach_set_free(s->links);
	skbscope_bpf__destroy(s->fskel);
	s->fskel = NULL;
	s->links = NULL;
	attach_set_new(&s->links);
	for (size_t i = 0; i < hooks_count(s->hooks); i++)
		hooks_set_state(s->hooks, (__u32)i, 0, NULL);
	s->failed = 0;
}

static size_t progress_total;
static size_t progress_done;

/* Counts work done; workers may call it from any thread. */
static void progress(struct session *s)
{
	size_t d = __atomic_add_fetch(&progress_done, 1, __ATOMIC_RELAXED);

	/* Single-threaded work reports as it goes; threaded work is
	 * reported by the thread that waits for it (run_threads). */
	if (s->o.progress && !s->threaded)
		s->o.progress(s->o.ctx, "attaching", d, progress_total);
}

/*
 * Run fn on n threads and report progress from this one while they work:
 * attaching or detaching thousands of kprobes is a slow syscall each, and
 * the kernel batches the RCU waits of concurrent ones.
 */
static void run_threads(struct session *s, int n, void *(*fn)(void *),
			void *args, size_t argsz, const char *what)
{
	pthread_t th[16];
	int joined[16] = { 0 };
	int started = 0, alive;

	s->threaded = 1;
	for (int t = 0; t < n && t < 16; t++) {
		if (pthread_create(&th[t], NULL, fn, (char *)args + t * argsz))
			break;
		started++;
	}
	if (!started) /* no threads: do it here */
		fn(args);
	alive = started;
	while (alive) {
		usleep(100000);
		for (int t = 0; t < started; t++) {
			if (!joined[t] && !pthread_tryjoin_np(th[t], NULL)) {
				joined[t] = 1;
				alive--;
			}
		}
		if (alive && s->o.progress)
			s->o.progress(s->o.ctx, what,
				      __atomic_load_n(&progress_done,
						      __ATOMIC_RELAXED),
				      progress_total);
	}
	if (s->o.progress && progress_total)
		s->o.progress(s->o.ctx, what, progress_total, progress_total);
	s->threaded = 0;
}

/* Progress of attach_copies_btf, which starts where progress_done is. */
static void copy_progress(void *ctx, size_t done, size_t n)
{
	struct session *s = ctx;

	(void)n;
	if (s->o.progress && progress_total)
		s->o.progress(s->o.ctx, "attaching", progress_done + done,
			      progress_total);
}

/* Load and attach the copies in r on every CPU (attach_copies_btf), then
 * mark each request's hook (its hook id) attached or failed. */
static int load_copies(struct session *s, struct attach_req *r, size_t n,
		       size_t *ok)
{
	int ret = attach_copies_btf(s->links, r, n, 0, copy_progress, s);

	progress_done += n;

	for (size_t k = 0; ret >= 0 && k < n; k++) {
		if (r[k].ret) {
			hook_failed(s, r[k].hook_id, r[k].ret, r[k].why);
		} else {
			hooks_set_state(s->hooks, r[k].hook_id, 1, NULL);
			(*ok)++;
		}
	}
	return ret < 0 ? ret : 0;
}

/* One copy per selected tracepoint. */
static int attach_tracepoints(struct session *s, size_t *ok)
{
	struct attach_req *r = calloc(s->ntp ? s->ntp : 1, sizeof(*r));
	size_t n = 0;
	int ret;

	if (!r)
		return -ENOMEM;
	for (size_t i = 0; i < s->ntp; i++) {
		const struct hook *hk = hooks_get(s->hooks, i);
		struct bpf_program *t;

		if (!tp_selected(s, hk))
			continue;
		t = tp_template(s->skel, hk);
		if (!t || bpf_program__fd(t) < 0) {
			hook_failed(s, (__u32)i, -EOPNOTSUPP, "");
			continue;
		}
		r[n++] = (struct attach_req){ .tmpl = t, .hook_id = (__u32)i,
					      .btf_id = hk->btf_id };
	}
	ret = load_copies(s, r, n, ok);
	free(r);
	return ret;
}

/* kprobe-multi: one link per template, from explicit symbol lists (a
 * glob would pick symbols that cannot be traced). When a list fails, one
 * bad symbol is enough, so it is halved until the bad ones are found. */
static int kmulti_attach_list(struct session *s, struct bpf_program *p,
			      __u32 *ids, size_t n, size_t *ok, int *last)
{
	LIBBPF_OPTS(bpf_kprobe_multi_opts, opts);
	const char **syms = calloc(n, sizeof(*syms));
	__u64 *cookies = calloc(n, sizeof(*cookies));
	struct bpf_link *l;
	int ret = 0;

	if (!syms || !cookies) {
		free(syms);
		free(cookies);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		syms[i] = hooks_get(s->hooks, ids[i])->name;
		cookies[i] = (__u64)ids[i] + 1;
	}
	opts.syms = syms;
	opts.cookies = cookies;
	opts.cnt = n;
	l = bpf_program__attach_kprobe_multi_opts(p, NULL, &opts);
	free(syms);
	free(cookies);
	if (l) {
		for (size_t i = 0; i < n; i++) {
			hooks_set_state(s->hooks, ids[i], 1, NULL);
			progress(s);
		}
		*ok += n;
		return keep_link(s, l);
	}
	*last = -errno;
	if (n == 1) {
		hook_failed(s, ids[0], *last, NULL);
		progress(s);
		return 0;
	}
	/* A whole list refused for a reason no symbol explains: give up
	 * rather than bisect thousands of times. */
	if (*last == -EOPNOTSUPP || *last == -ENOSYS || *last == -EPERM)
		return *last;
	ret = kmulti_attach_list(s, p, ids, n / 2, ok, last);
	if (!ret)
		ret = kmulti_attach_list(s, p, ids + n / 2, n - n / 2, ok,
					 last);
	return ret;
}

static int attach_kmulti(struct session *s, size_t *ok, char *why,
			 size_t whylen)
{
	size_t n = hooks_count(s->hooks) - s->ntp;
	__u32 *ids = calloc(n ? n : 1, sizeof(*ids));
	struct bpf_program *prog;
	int last = 0, ret = 0;

	if (!ids)
		return -ENOMEM;
	bpf_object__for_each_program(prog, s->skel->obj) {
		size_t k = 0;

		if (bpf_program__fd(prog) < 0 ||
		    bpf_program__type(prog) != BPF_PROG_TYPE_KPROBE ||
		    bpf_program__expected_attach_type(prog) !=
			    BPF_TRACE_KPROBE_MULTI)
			continue;
		for (size_t i = s->ntp; i < hooks_count(s->hooks); i++)
			if (fn_template(s->skel, BK_KMULTI,
					hooks_get(s->hooks, i)) == prog)
				ids[k++] = (__u32)i;
		if (!k)
			continue;
		ret = kmulti_attach_list(s, prog, ids, k, ok, &last);
		if (ret)
			break;
	}
	free(ids);
	if (!*ok)
		snprintf(why, whylen, "attach failed: %s",
			 strerror(-(ret ? ret : last ? last : ENOENT)));
	return ret;
}

struct kp_work {
	struct session *s;
	size_t first, step;
	size_t ok;
	int err;           /* first error seen */
	struct bpf_link **out; /* per hook, NULL when not attached */
	int *errs;
};

static void *kp_thread(void *arg)
{
	struct kp_work *w = arg;
	struct session *s = w->s;

	for (size_t i = s->ntp + w->first; i < hooks_count(s->hooks);
	     i += w->step) {
		const struct hook *hk = hooks_get(s->hooks, i);
		LIBBPF_OPTS(bpf_kprobe_opts, opts);
		struct bpf_link *l;

		if (s->cookies)
			opts.bpf_cookie = (__u64)i + 1;
		l = bpf_program__attach_kprobe_opts(
			fn_template(s->skel, BK_KPROBE, hk), hk->name, &opts);
		if (l) {
			w->out[i] = l;
			w->ok++;
		} else {
			w->errs[i] = -errno;
			if (!w->err)
				w->err = -errno;
		}
		progress(s);
		/* A kernel that refuses the first hundred refuses all. */
		if (!w->ok && (i - s->ntp) / w->step > 100 / w->step + 1) {
			for (i += w->step; i < hooks_count(s->hooks);
			     i += w->step)
				progress(s);
			break;
		}
	}
	return NULL;
}

/* Plain kprobes: one perf event per function, attached by a few threads
 * in parallel since each attach is a slow syscall. */
static int attach_kprobes(struct session *s, size_t *ok, char *why,
			  size_t whylen)
{
	size_t n = hooks_count(s->hooks);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int nt = ncpu > 4 ? 4 : ncpu < 1 ? 1 : (int)ncpu;
	struct kp_work w[4];
	struct bpf_link **links = calloc(n, sizeof(*links));
	int *errs = calloc(n, sizeof(*errs));
	int ret = 0, first_err = 0;

	if (!links || !errs) {
		free(links);
		free(errs);
		return -ENOMEM;
	}
	for (int t = 0; t < nt; t++)
		w[t] = (struct kp_work){ .s = s, .first = (size_t)t,
					 .step = (size_t)nt, .out = links,
					 .errs = errs };
	run_threads(s, nt, kp_thread, w, sizeof(w[0]), "attaching");
	for (int t = 0; t < nt; t++) {
		*ok += w[t].ok;
		if (!first_err)
			first_err = w[t].err;
	}
	for (size_t i = s->ntp; i < n; i++) {
		if (links[i]) {
			hooks_set_state(s->hooks, (__u32)i, 1, NULL);
			if (!ret)
				ret = keep_link(s, links[i]);
			else
				bpf_link__destroy(links[i]);
		} else if (errs[i]) {
			hook_failed(s, (__u32)i, errs[i], NULL);
		}
	}
	free(links);
	free(errs);
	if (!*ok)
		snprintf(why, whylen, "attach failed: %s",
			 strerror(first_err ? -first_err : ENOENT));
	return ret;
}

/* Functions that return a copy of their first argument: under
 * --filter-track-skb the copy of a followed skb is followed too. */
static const struct {
	const char *name;
	int nargs;
} copy_fns[] = {
	{ "skb_clone", 2 },
	{ "skb_copy", 2 },
	{ "__pskb_copy_fclone", 4 },
	{ "skb_copy_expand", 4 },
};
#define NCOPY_FNS (sizeof(copy_fns) / sizeof(copy_fns[0]))

/* Attach the copy followers for backend b. Not fatal: without them only
 * clones go unfollowed. Returns how many functions are covered. */
static size_t attach_copy_followers(struct session *s, enum backend b)
{
	size_t n = 0;

	for (size_t c = 0; c < NCOPY_FNS; c++) {
		const char *fn = copy_fns[c].name;
		struct bpf_link *in = NULL, *out = NULL;

		if (b == BK_KPROBE) {
			in = bpf_program__attach_kprobe(
				s->skel->progs.kp_clone_enter, false, fn);
			out = in ? bpf_program__attach_kprobe(
					   s->skel->progs.kp_clone_exit, true,
					   fn) :
				   NULL;
		} else if (b == BK_KMULTI) {
			LIBBPF_OPTS(bpf_kprobe_multi_opts, o);

			o.syms = &fn;
			o.cnt = 1;
			in = bpf_program__attach_kprobe_multi_opts(
				s->skel->progs.km_clone_enter, NULL, &o);
			o.retprobe = true;
			out = in ? bpf_program__attach_kprobe_multi_opts(
					   s->skel->progs.km_clone_exit, NULL,
					   &o) :
				   NULL;
		} else if (b == BK_FENTRY && s->fskel) {
			struct bpf_program *t = copy_fns[c].nargs == 2 ?
							s->fskel->progs.fx_copy2 :
							s->fskel->progs.fx_copy4;
			__s32 id = btf__find_by_name_kind(s->vmlinux, fn,
							  BTF_KIND_FUNC);
			char why[128];

			if (id > 0 && bpf_program__fd(t) >= 0 &&
			    !attach_copy_btf(s->links, t, SKBS_HOOK_BY_IP,
					     (__u32)id, 0, why, sizeof(why)))
				n++;
			continue;
		}
		if (in && out && !keep_link(s, in) && !keep_link(s, out)) {
			n++;
			continue;
		}
		bpf_link__destroy(in);
		bpf_link__destroy(out);
	}
	return n;
}

/* fentry: a second copy of the object, sharing the first one's maps,
 * holds the templates; each function gets its own retargeted copy. */
static int attach_fentry(struct session *s, size_t *ok, char *why,
			 size_t whylen)
{
	struct attach_req *r;
	struct bpf_program *prog;
	struct bpf_map *m;
	size_t n = 0;
	int ret;

	s->fskel = skel_open();
	if (!s->fskel)
		return -errno;
	bpf_object__for_each_map(m, s->fskel->obj) {
		struct bpf_map *mine = bpf_object__find_map_by_name(
			s->skel->obj, bpf_map__name(m));

		if (mine && bpf_map__fd(mine) >= 0) {
			ret = bpf_map__reuse_fd(m, bpf_map__fd(mine));
			if (ret)
				return ret;
		}
	}
	bpf_object__for_each_program(prog, s->fskel->obj)
		bpf_program__set_autoload(prog, false);
	for (size_t i = s->ntp; i < hooks_count(s->hooks); i++) {
		const struct hook *hk = hooks_get(s->hooks, i);
		struct bpf_program *t = fn_template(s->fskel, BK_FENTRY, hk);

		if (hk->module[0] || !t || bpf_program__autoload(t))
			continue;
		bpf_program__set_autoload(t, true);
		ret = bpf_program__set_attach_target(t, 0, hk->name);
		if (ret)
			return ret;
	}
	for (size_t c = 0; c < NCOPY_FNS; c++) {
		struct bpf_program *t = copy_fns[c].nargs == 2 ?
						s->fskel->progs.fx_copy2 :
						s->fskel->progs.fx_copy4;

		if (btf__find_by_name_kind(s->vmlinux, copy_fns[c].name,
					   BTF_KIND_FUNC) < 0 ||
		    bpf_program__autoload(t))
			continue;
		bpf_program__set_autoload(t, true);
		ret = bpf_program__set_attach_target(t, 0, copy_fns[c].name);
		if (ret)
			return ret;
	}
	ret = skbscope_bpf__load(s->fskel);
	if (ret) {
		snprintf(why, whylen, "BPF trampolines refused (%s)",
			 strerror(-ret));
		return ret;
	}
	/* One copy per function. */
	r = calloc(hooks_count(s->hooks) - s->ntp + 1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	for (size_t i = s->ntp; i < hooks_count(s->hooks); i++) {
		const struct hook *hk = hooks_get(s->hooks, i);

		if (hk->module[0]) {
			hook_failed(s, (__u32)i, -EOPNOTSUPP, "fentry on module "
				    "functions needs --backend kprobe");
			progress(s);
			continue;
		}
		r[n++] = (struct attach_req){
			.tmpl = fn_template(s->fskel, BK_FENTRY, hk),
			.hook_id = (__u32)i, .btf_id = hk->btf_id };
	}
	ret = load_copies(s, r, n, ok);
	free(r);
	if (ret)
		return ret;
	if (!*ok)
		snprintf(why, whylen, "no function could be attached");
	return 0;
}

static int ensure_rb(struct session *s);

int session_attach(struct session *s, char *err, size_t errlen)
{
	char why[256];

	for (int b = 0; b < BK_N; b++) {
		size_t ok = 0, tp_ok = 0;
		int ret = 0;

		if (!(s->cand & (1u << b)))
			continue;
		why[0] = '\0';
		progress_done = 0;
		progress_total = b == BK_TP ? 0 : hooks_count(s->hooks) - s->ntp;
		switch (b) {
		case BK_KMULTI:
			ret = attach_kmulti(s, &ok, why, sizeof(why));
			break;
		case BK_KPROBE:
			ret = attach_kprobes(s, &ok, why, sizeof(why));
			break;
		case BK_FENTRY:
			ret = attach_fentry(s, &ok, why, sizeof(why));
			break;
		default:
			break;
		}
		if (!ret && (b == BK_TP || ok)) {
			/* Tracepoints: the whole backend, or the drop-reason
			 * fallback for a probe backend. */
			unsigned keep = s->cand;

			if (b != BK_TP)
				s->cand &= ~(1u << BK_TP);
			attach_tracepoints(s, &tp_ok);
			s->cand = keep;
			ok += tp_ok;
		}
		if (!ret && ok) {
			snprintf(s->backend, sizeof(s->backend), "%s",
				 bk_names[b]);
			if (b != BK_TP && !attach_copy_followers(s, b))
				note(s, "clones cannot be followed under "
					"--filter-track-skb on this kernel");
			/* Map the ring buffer now, while we hold every
			 * privilege (see caps_drop). */
			ret = ensure_rb(s);
			if (ret) {
				snprintf(err, errlen, "cannot map the ring "
					 "buffer: %s", strerror(-ret));
				return ret;
			}
			return 0;
		}
		if (!why[0])
			snprintf(why, sizeof(why), "%s",
				 ret ? strerror(-ret) : "nothing attached");
		detach_all(s);
		rule_out(s, (enum backend)b, "%s", why);
	}
	snprintf(err, errlen, "no backend could attach: %s", s->why);
	return -ENOENT;
}

struct detach_work {
	struct session *s;
	size_t first, step;
};

static void *detach_thread(void *arg)
{
	struct detach_work *w = arg;

	size_t np = w->s->nplinks, nc = attach_count(w->s->links);

	/* kprobe links, then tp_btf/fentry copies, as one range. */
	for (size_t i = w->first; i < np + nc; i += w->step) {
		if (i < np)
			bpf_link__destroy(w->s->plinks[i]);
		else
			attach_close(w->s->links, i - np);
		__atomic_add_fetch(&progress_done, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

void session_stop(struct session *s)
{
	struct detach_work w[16];
	int nt = 16;

	if (!s || s->detached)
		return;
	s->detached = 1;
	/* Detaching thousands of kprobes takes a while: in parallel, and
	 * saying so. */
	if (s->nplinks + attach_count(s->links) < 64)
		nt = 1;
	for (int t = 0; t < nt; t++)
		w[t] = (struct detach_work){ s, (size_t)t, (size_t)nt };
	progress_done = 0;
	progress_total = s->nplinks + attach_count(s->links);
	if (nt == 1) {
		detach_thread(&w[0]);
	} else {
		run_threads(s, nt, detach_thread, w, sizeof(w[0]),
			    "detaching");
	}
}

void session_close(struct session *s)
{
	if (!s)
		return;
	session_stop(s);
	ring_buffer__free(s->rb);
	free(s->plinks);
	attach_set_free(s->links);
	cfgmap_free(s->cfg);
	skbscope_bpf__destroy(s->fskel);
	skbscope_bpf__destroy(s->skel);
	hooks_free(s->hooks);
	funcs_free(s->funcs);
	reasons_free(s->reasons);
	ksyms_free(s->ksyms);
	lifetimes_free(s->life);
	btf__free(s->vmlinux);
	if (s->have_re)
		regfree(&s->re);
	free(s);
}

/* ---- events ------------------------------------------------------- */

int session_set_filter(struct session *s, const struct skbs_filter *f)
{
	return cfgmap_write(s->cfg, f);
}

/* Kernels without attach cookies: the hook is the function the ip is in. */
static __u32 hook_by_ip(struct session *s, __u64 ip)
{
	size_t slot = (ip >> 4) % IPCACHE;
	const char *name;
	int id;

	if (s->ipcache[slot].ip == ip)
		return s->ipcache[slot].id;
	name = ksyms_lookup(s->ksyms, ip, NULL, NULL);
	id = name ? hooks_find_func(s->hooks, name) : -1;
	s->ipcache[slot].ip = ip;
	s->ipcache[slot].id = id < 0 ? SKBS_HOOK_BY_IP : (__u32)id;
	return s->ipcache[slot].id;
}

/*
 * The caller of a drop function, from its stack: the first frame that is
 * neither BPF (program, trampoline) nor the drop function itself.
 */
static __u64 location_from_stack(struct session *s,
				 const struct skbs_event *ev)
{
	const struct hook *hk = hooks_get(s->hooks, ev->hook);
	__u64 ips[SKBS_STACK_DEPTH];
	int n;

	if (!s->ksyms && !s->ksyms_tried) {
		s->ksyms_tried = 1;
		ksyms_load("/proc/kallsyms", &s->ksyms);
	}
	if (!s->ksyms || !hk)
		return 0;
	n = session_stack(s, ev->stack_id, ips, SKBS_STACK_DEPTH);
	for (int i = 0; i < n; i++) {
		const char *mod, *name;

		name = ksyms_lookup(s->ksyms, ips[i], NULL, &mod);
		if (!name || (mod && !strcmp(mod, "bpf")) ||
		    !strncmp(name, "bpf_trampoline", 14) ||
		    !strcmp(name, hk->name))
			continue;
		return ips[i];
	}
	return 0;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct session *s = ctx;
	const struct skbs_event *raw;
	struct skbs_event ev;
	const char *tail;
	char err[128];

	s->received++;
	if (event_decode(data, size, &raw, &tail, err, sizeof(err))) {
		s->bad_records++;
		return 0;
	}
	ev = *raw;
	if (ev.hook == SKBS_HOOK_BY_IP && s->ksyms)
		ev.hook = hook_by_ip(s, ev.ip);
	if ((ev.flags & SKBS_EV_DROP) && !ev.location && ev.stack_id >= 0)
		ev.location = location_from_stack(s, &ev);
	ev.gen = lifetimes_gen(s->life, ev.skb, ev.flags & SKBS_EV_FREE);
	/* libbpf only stops on a negative return. */
	if (s->fn && s->fn(s->fn_ctx, &ev, tail)) {
		s->stopped = 1;
		return -ECANCELED;
	}
	return 0;
}

static int ensure_rb(struct session *s)
{
	if (s->rb)
		return 0;
	s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.events), on_record,
				 s, NULL);
	return s->rb ? 0 : -errno;
}

int session_poll(struct session *s, int timeout_ms, session_event_fn fn,
		 void *ctx)
{
	int ret = ensure_rb(s);

	if (ret)
		return ret;
	s->fn = fn;
	s->fn_ctx = ctx;
	s->stopped = 0;
	ret = ring_buffer__poll(s->rb, timeout_ms);
	/* The programs wake us only when the ring fills up (see wakeup() in
	 * bpf/skbscope.bpf.c), so a wait that timed out may still have left
	 * records to read. */
	if (ret >= 0 && !s->stopped) {
		int more = ring_buffer__consume(s->rb);

		ret = more < 0 ? more : ret + more;
	}
	s->fn = NULL;
	if (ret == -ECANCELED && s->stopped)
		return 0;
	return ret;
}

long long session_drain(struct session *s, session_event_fn fn, void *ctx)
{
	__u64 before = s->received;
	int ret = ensure_rb(s);

	if (ret)
		return ret;
	s->fn = fn;
	s->fn_ctx = ctx;
	for (;;) {
		s->stopped = 0;
		ret = ring_buffer__consume(s->rb);
		/* fn has had enough: the rest is still taken out and
		 * counted, so that nothing stays unaccounted for. */
		if (ret == -ECANCELED && s->stopped) {
			s->fn = NULL;
			continue;
		}
		break;
	}
	s->fn = NULL;
	if (ret < 0)
		return ret;
	return (long long)(s->received - before);
}

__u64 session_received(const struct session *s)
{
	return s->received;
}

int session_counters(struct session *s, __u64 out[SKBS_C_MAX])
{
	__u64 *vals = calloc(s->ncpus, sizeof(__u64));
	int fd = bpf_map__fd(s->skel->maps.counters);

	if (!vals)
		return -ENOMEM;
	for (__u32 k = 0; k < SKBS_C_MAX; k++) {
		out[k] = 0;
		if (bpf_map_lookup_elem(fd, &k, vals)) {
			int err = -errno;

			free(vals);
			return err;
		}
		for (int c = 0; c < s->ncpus; c++)
			out[k] += vals[c];
	}
	free(vals);
	return 0;
}

__u64 session_bad_records(const struct session *s)
{
	return s->bad_records;
}

int session_stack(struct session *s, __s32 id, __u64 *ips, int max)
{
	__u64 buf[SKBS_STACK_DEPTH];
	__u32 key = (__u32)id;
	int n = 0;

	if (id < 0)
		return -ENOENT;
	if (bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.stacks), &key, buf))
		return -errno;
	while (n < SKBS_STACK_DEPTH && n < max && buf[n]) {
		ips[n] = buf[n];
		n++;
	}
	return n;
}

const struct hooks *session_hooks(const struct session *s)
{
	return s->hooks;
}

const struct reasons *session_reasons(const struct session *s)
{
	return s->reasons;
}

const char *session_backend(const struct session *s)
{
	return s->backend;
}

const char *session_pcap_mode(const struct session *s)
{
	(void)s;
	return skel_pcap_mode();
}

const char *session_backend_why(const struct session *s)
{
	return s->why;
}

size_t session_attached(const struct session *s)
{
	size_t n = 0;

	for (size_t i = 0; i < hooks_count(s->hooks); i++)
		n += hooks_get(s->hooks, i)->attached == 1;
	return n;
}

size_t session_failed(const struct session *s)
{
	return s->failed;
}

const struct funcs *session_funcs(const struct session *s)
{
	return s->funcs;
}
