// SPDX-License-Identifier: GPL-2.0
/*
 * One loaded program can be attached to one BTF target only (tp_btf,
 * fentry). Loading the object once per target would parse and relocate it
 * every time, so instead the template's final instructions (relocated, map
 * fds in place) are copied, the hook marker is rewritten, and the copy is
 * loaded directly against the next target.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bpf/events.h"
#include "core/attach.h"

struct attached {
	int prog_fd;
	int link_fd;
};

struct attach_set {
	struct attached *v;
	size_t n, cap;
};

int attach_set_new(struct attach_set **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void attach_set_free(struct attach_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		attach_close(s, i);
	free(s->v);
	free(s);
}

void attach_close(struct attach_set *s, size_t i)
{
	if (i >= s->n || s->v[i].link_fd < 0)
		return;
	close(s->v[i].link_fd);
	close(s->v[i].prog_fd);
	s->v[i].link_fd = s->v[i].prog_fd = -1;
}

size_t attach_count(const struct attach_set *s)
{
	return s ? s->n : 0;
}

int attach_prog_fd(const struct attach_set *s, size_t i)
{
	return i < s->n ? s->v[i].prog_fd : -1;
}

/* Rewrite every "rX = SKBS_HOOK_MAGIC ll" (a two-slot ld_imm64). */
static int patch_hook(struct bpf_insn *insn, size_t cnt, __u32 hook_id)
{
	const __u32 lo = (__u32)SKBS_HOOK_MAGIC;
	const __u32 hi = (__u32)(SKBS_HOOK_MAGIC >> 32);
	int found = 0;

	for (size_t i = 0; i + 1 < cnt; i++) {
		if (insn[i].code != (BPF_LD | BPF_IMM | BPF_DW))
			continue;
		if (insn[i].src_reg == 0 && (__u32)insn[i].imm == lo &&
		    (__u32)insn[i + 1].imm == hi) {
			insn[i].imm = (__s32)hook_id;
			insn[i + 1].imm = 0;
			found++;
		}
		i++; /* skip the second half of the ld_imm64 */
	}
	return found;
}

static void last_line(const char *log, char *err, size_t errlen)
{
	size_t l = strlen(log);
	const char *p;

	while (l && (log[l - 1] == '\n' || log[l - 1] == ' '))
		l--;
	p = log + l;
	while (p > log && p[-1] != '\n')
		p--;
	snprintf(err, errlen, "%.*s", (int)(log + l - p), p);
}

int attach_copy_btf(struct attach_set *s, const struct bpf_program *tmpl,
		    __u32 hook_id, __u32 btf_id, int btf_obj_fd, char *err,
		    size_t errlen)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts);
	const struct bpf_insn *src = bpf_program__insns(tmpl);
	size_t cnt = bpf_program__insn_cnt(tmpl);
	struct bpf_insn *insn;
	int prog_fd, link_fd, ret;

	if (err && errlen)
		err[0] = '\0';
	if (!src || !cnt)
		return -EINVAL;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct attached *nv = reallocarray(s->v, cap, sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		s->v = nv;
		s->cap = cap;
	}
	insn = malloc(cnt * sizeof(*insn));
	if (!insn)
		return -ENOMEM;
	memcpy(insn, src, cnt * sizeof(*insn));
	/* SKBS_HOOK_BY_IP: a program that carries no hook id. */
	if (patch_hook(insn, cnt, hook_id) == 0 && hook_id != SKBS_HOOK_BY_IP) {
		free(insn);
		return -ENOENT;
	}

	opts.expected_attach_type = bpf_program__expected_attach_type(tmpl);
	opts.attach_btf_id = btf_id;
	opts.attach_btf_obj_fd = btf_obj_fd;
	/* Ask for a log only on failure, to keep loading fast. */
	prog_fd = bpf_prog_load(bpf_program__type(tmpl), NULL, "GPL", insn,
				cnt, &opts);
	if (prog_fd < 0) {
		ret = -errno;
		if (err && errlen) {
			LIBBPF_OPTS(bpf_prog_load_opts, lopts);
			/* Big enough for a whole verifier log: its last
			 * line, which names the problem, is what we keep. */
			size_t logsz = 1 << 22;
			char *log = malloc(logsz);

			if (!log) {
				free(insn);
				return ret;
			}

			lopts.expected_attach_type = opts.expected_attach_type;
			lopts.attach_btf_id = btf_id;
			lopts.attach_btf_obj_fd = btf_obj_fd;
			lopts.log_buf = log;
			lopts.log_size = logsz;
			lopts.log_level = 1;
			log[0] = '\0';
			prog_fd = bpf_prog_load(bpf_program__type(tmpl), NULL,
						"GPL", insn, cnt, &lopts);
			if (prog_fd >= 0)
				close(prog_fd);
			last_line(log, err, errlen);
			free(log);
		}
		free(insn);
		return ret;
	}
	free(insn);

	/* bpf_raw_tracepoint_open() with no name attaches a BTF-typed
	 * program (tp_btf, fentry) to its load-time target, on every kernel
	 * from 5.5; bpf_link_create() for these came later. */
	link_fd = bpf_raw_tracepoint_open(NULL, prog_fd);
	if (link_fd < 0) {
		ret = -errno;
		close(prog_fd);
		return ret;
	}
	s->v[s->n].prog_fd = prog_fd;
	s->v[s->n].link_fd = link_fd;
	s->n++;
	return 0;
}
