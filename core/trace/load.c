// SPDX-License-Identifier: GPL-2.0
/*
 * Loading the main object: every program starts switched off, then the
 * tracepoint templates and each candidate backend's plan switch on what
 * they need, so that a kernel pays the verifier only for what may run.
 */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "core/trace/btf.h"
#include "core/trace/patch.h"
#include "core/trace/skel.h"
#include "core/trace/session_internal.h"

/* Is the BPF JIT on? Calls to kernel functions need it. An unreadable
 * switch (no such file in a container) counts as on: the kernels that
 * have bpf_rdonly_cast are the ones built with the JIT always on. */
static int jit_on(void)
{
	FILE *f = fopen("/proc/sys/net/core/bpf_jit_enable", "r");
	int c;

	if (!f)
		return 1;
	c = fgetc(f);
	fclose(f);
	return c != '0';
}

/*
 * Typed loads on kprobes (bpf/skb.bpf.h, have_cast) where the kernel has
 * bpf_rdonly_cast (6.2+) and the JIT is on; the kfunc is looked up in the
 * running kernel's BTF, so not with --kernel-btf, whose type ids are a
 * file's. Elsewhere the calls, dead then, become moves: see
 * patch_kfunc_calls(). 0 or -errno.
 */
static int plan_cast(struct session *s)
{
	struct bpf_program *prog;
	const char *why = NULL;

	if (s->o.kernel_btf)
		why = "--kernel-btf";
	else if (!s->vmlinux ||
		 btf__find_by_name_kind(s->vmlinux, "bpf_rdonly_cast",
					BTF_KIND_FUNC) <= 0)
		why = "no bpf_rdonly_cast in this kernel";
	else if (!jit_on())
		why = "the BPF JIT is off";
	if (s->o.debug && (s->cand & (1u << BK_KMULTI | 1u << BK_KPROBE)))
		sess_note(s, "debug: kprobes read skbs by %s%s%s",
			  why ? "bpf_probe_read_kernel" :
				"typed loads (bpf_rdonly_cast)",
			  why ? ": " : "", why ? why : "");
	if (!why) {
		s->skel->rodata->have_cast = 1;
		return 0;
	}
	bpf_object__for_each_program(prog, s->skel->obj)
	{
		size_t n = bpf_program__insn_cnt(prog);
		struct bpf_insn *copy;
		int ret;

		if (!bpf_program__autoload(prog))
			continue;
		copy = malloc(n * sizeof(*copy));
		if (!copy)
			return -ENOMEM;
		memcpy(copy, bpf_program__insns(prog), n * sizeof(*copy));
		ret = patch_kfunc_calls(copy, n) ?
			      bpf_program__set_insns(prog, copy, n) :
			      0;
		free(copy);
		if (ret)
			return ret;
	}
	return 0;
}

static int load_once(struct session *s, char *err, size_t errlen)
{
	struct bpf_program *prog;
	int ret;

	s->skel = skel_open(s->o.kernel_btf);
	if (!s->skel) {
		ret = -errno;
		snprintf(err, errlen, "cannot open BPF object: %s",
			 strerror(-ret));
		return ret;
	}
	ret = templates_resolve(&s->tmpl, s->skel->obj, err, errlen);
	if (ret)
		return ret;
	if (s->o.ringbuf_bytes &&
	    bpf_map__set_max_entries(s->skel->maps.events,
				     (__u32)s->o.ringbuf_bytes)) {
		snprintf(err, errlen,
			 "cannot size the ring buffer to %llu "
			 "bytes",
			 (unsigned long long)s->o.ringbuf_bytes);
		return -EINVAL;
	}
	/* --set-percpu-buf and the dumps asked for: the scratch value holds
	 * the event and SKBS_TAIL_ROOM, the sum the programs check their
	 * writes against (bpf/dump.bpf.h). */
	{
		__u32 room = s->o.dump_room ? s->o.dump_room :
					      SKBS_DUMP_DEFAULT;
		__u32 sh = s->o.shinfo ? room : 0, cb = !!s->o.cb;
		size_t value = sizeof(struct skbs_event) +
			       SKBS_TAIL_ROOM(room, sh, cb);

		if (value > 32768) {
			snprintf(err, errlen,
				 "--set-percpu-buf %u with "
				 "--output-skb-shared-info needs %zu bytes "
				 "per CPU; the kernel allows 32768 (at most "
				 "%u then)",
				 room, value,
				 (unsigned)((32768 - sizeof(struct skbs_event) -
					     SKBS_TAIL_ROOM(0, 0, cb) - 7) /
					    2));
			return -EINVAL;
		}
		s->skel->rodata->dump_room = room;
		s->skel->rodata->shinfo_room = sh;
		s->skel->rodata->cb_on = cb;
		if (bpf_map__set_value_size(s->skel->maps.scratch_map,
					    (__u32)value)) {
			snprintf(err, errlen,
				 "cannot size the dump buffer to %zu bytes",
				 value);
			return -EINVAL;
		}
	}
	bpf_object__for_each_program(prog, s->skel->obj)
		bpf_program__set_autoload(prog, false);
	ret = tp_plan(s, err, errlen);
	for (int b = 0; !ret && b < BK_N; b++)
		if ((s->cand & (1u << b)) && backends[b]->plan)
			ret = backends[b]->plan(s, err, errlen);
	if (ret)
		return ret;
	/* Entries push frames for their returns only where some candidate
	 * can probe them: kprobe-multi, kprobes with cookies, fexit with
	 * bpf_get_func_ret. */
	if (s->o.returns && ((s->cand & (1u << BK_KMULTI)) ||
			     ((s->cand & (1u << BK_KPROBE)) &&
			      kbtf_enum_has(s->vmlinux, "bpf_func_id",
					    "BPF_FUNC_get_attach_cookie")) ||
			     ((s->cand & (1u << BK_FENTRY)) &&
			      kbtf_enum_has(s->vmlinux, "bpf_func_id",
					    "BPF_FUNC_get_func_ret"))))
		s->skel->rodata->returns_on = 1;
	ipt_plan(s);
	ret = plan_cast(s);
	if (ret) {
		snprintf(err, errlen, "cannot prepare BPF programs: %s",
			 strerror(-ret));
		return ret;
	}
	ret = skbscope_bpf__load(s->skel);
	if (ret) {
		snprintf(err, errlen, "cannot load BPF programs: %s",
			 strerror(-ret));
		return ret;
	}
	return 0;
}

int load_main(struct session *s, char *err, size_t errlen)
{
	unsigned planned = 0;
	int ret = load_once(s, err, errlen);

	if (!ret)
		return 0;
	/* The iptables-legacy watcher is an extra: never the reason a
	 * backend is lost. */
	if (s->ipt.planned) {
		snprintf(s->ipt.why, sizeof(s->ipt.why),
			 "the iptables-legacy probes do not load (%s)", err);
		s->ipt.refused = 1;
		skbscope_bpf__destroy(s->skel);
		s->skel = NULL;
		ret = load_once(s, err, errlen);
		if (!ret)
			return 0;
	}
	for (int b = 0; b < BK_N; b++)
		if (backends[b]->plan)
			planned |= 1u << b;
	/* A kernel that cannot even load the kprobe programs: drop the
	 * backends that added programs and load the rest. */
	if (!(s->cand & planned) || !(s->cand & ~planned))
		return ret;
	for (int b = 0; b < BK_N; b++)
		if (planned & (1u << b))
			sess_rule_out(s, (enum backend)b,
				      "programs do not load (%s)", err);
	skbscope_bpf__destroy(s->skel);
	s->skel = NULL;
	return load_once(s, err, errlen);
}
