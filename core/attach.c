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
	/* BTF function info of the last template copied: programs with
	 * subprograms (the pcap interpreter's bpf_loop callback) cannot be
	 * loaded without it. */
	int tmpl_fd;
	int btf_fd;
	void *func_info;
	__u32 nfunc, func_rec;
};

int attach_set_new(struct attach_set **out)
{
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	(*out)->tmpl_fd = -1;
	(*out)->btf_fd = -1;
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

/*
 * The kernel reports func_info with offsets into the program as it ran
 * after verification; a new load needs offsets into the instructions we
 * pass. The subprograms are where calls and callback references point, in
 * the same order as the kernel's records, so take the starts from there.
 */
static int fix_func_offsets(struct attach_set *s, const struct bpf_insn *insn,
			    size_t cnt)
{
	__u32 starts[64], n = 1;

	starts[0] = 0;
	for (size_t i = 0; i < cnt; i++) {
		int is_call = insn[i].code == (BPF_JMP | BPF_CALL) &&
			      insn[i].src_reg == BPF_PSEUDO_CALL;
		int is_func = insn[i].code == (BPF_LD | BPF_IMM | BPF_DW) &&
			      insn[i].src_reg == BPF_PSEUDO_FUNC;
		__u32 t = (__u32)((long)i + insn[i].imm + 1), k;

		if (!is_call && !is_func)
			continue;
		for (k = 0; k < n && starts[k] != t; k++)
			;
		if (k == n) {
			if (n == 64)
				return -E2BIG;
			starts[n++] = t;
		}
	}
	qsort(starts, n, sizeof(starts[0]), cmp_u32);
	if (n != s->nfunc)
		return -EINVAL;
	for (__u32 k = 0; k < n; k++)
		((struct bpf_func_info *)((char *)s->func_info +
					  k * s->func_rec))->insn_off = starts[k];
	return 0;
}

/* Fetch the template's func_info and BTF from the kernel, once. */
static int template_btf(struct attach_set *s, int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	void *fi;

	if (s->tmpl_fd == fd)
		return 0;
	free(s->func_info);
	s->func_info = NULL;
	s->nfunc = 0;
	if (s->btf_fd >= 0)
		close(s->btf_fd);
	s->btf_fd = -1;
	s->tmpl_fd = fd;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (!info.nr_func_info || !info.btf_id)
		return 0;
	s->nfunc = info.nr_func_info;
	s->func_rec = info.func_info_rec_size;
	fi = calloc(s->nfunc, s->func_rec);
	if (!fi)
		return -ENOMEM;
	memset(&info, 0, sizeof(info));
	info.nr_func_info = s->nfunc;
	info.func_info_rec_size = s->func_rec;
	info.func_info = (__u64)(unsigned long)fi;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		free(fi);
		s->nfunc = 0;
		return -errno;
	}
	s->func_info = fi;
	s->btf_fd = bpf_btf_get_fd_by_id(info.btf_id);
	if (s->btf_fd < 0) {
		s->nfunc = 0;
		return -errno;
	}
	return 0;
}

void attach_set_free(struct attach_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		attach_close(s, i);
	free(s->v);
	free(s->func_info);
	if (s->btf_fd >= 0)
		close(s->btf_fd);
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

/* The verifier's complaint: its last line, passing over the statistics
 * it prints after it. */
static void last_line(const char *log, char *err, size_t errlen)
{
	const char *end = log + strlen(log);

	while (end > log) {
		const char *e = end, *p;

		while (e > log && (e[-1] == '\n' || e[-1] == ' '))
			e--;
		p = e;
		while (p > log && p[-1] != '\n')
			p--;
		if (p == e)
			break;
		if (strncmp(p, "processed ", 10) &&
		    strncmp(p, "verification time", 17) &&
		    strncmp(p, "stack depth", 11)) {
			snprintf(err, errlen, "%.*s", (int)(e - p), p);
			return;
		}
		end = p;
	}
	snprintf(err, errlen, "%s", "");
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

	ret = template_btf(s, bpf_program__fd(tmpl));
	if (ret) {
		free(insn);
		return ret;
	}
	opts.expected_attach_type = bpf_program__expected_attach_type(tmpl);
	opts.attach_btf_id = btf_id;
	opts.attach_btf_obj_fd = btf_obj_fd;
	if (s->nfunc) {
		ret = fix_func_offsets(s, insn, cnt);
		if (ret) {
			free(insn);
			return ret;
		}
		opts.prog_btf_fd = s->btf_fd;
		opts.func_info = s->func_info;
		opts.func_info_cnt = s->nfunc;
		opts.func_info_rec_size = s->func_rec;
	}
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
			lopts.prog_btf_fd = opts.prog_btf_fd;
			lopts.func_info = opts.func_info;
			lopts.func_info_cnt = opts.func_info_cnt;
			lopts.func_info_rec_size = opts.func_info_rec_size;
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
