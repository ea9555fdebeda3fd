// SPDX-License-Identifier: GPL-2.0
/*
 * One loaded program can be attached to one BTF target only (tp_btf,
 * fentry). Loading the object once per target would parse and relocate it
 * every time, so instead the template's final instructions (relocated, map
 * fds in place) are copied, the hook marker is rewritten, and the copy is
 * loaded directly against the next target.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bpf/events.h"
#include "core/lib/parfor.h"
#include "core/lib/vec.h"
#include "core/trace/attach.h"
#include "core/trace/patch.h"

struct attached {
	int prog_fd;
	int link_fd;
	__u32 hook; /* the id patched in: the function pane's cost per hook */
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

/* Drop what was fetched for the last template (template_btf). */
static void forget_template(struct attach_set *s)
{
	free(s->func_info);
	s->func_info = NULL;
	s->nfunc = 0;
	if (s->btf_fd >= 0)
		close(s->btf_fd);
	s->btf_fd = -1;
	s->tmpl_fd = -1;
}

/* Fetch the template's func_info and BTF from the kernel, once. */
static int template_btf(struct attach_set *s, int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	void *fi;

	if (s->tmpl_fd == fd)
		return 0;
	forget_template(s);
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

void attach_set_clear(struct attach_set *s)
{
	/* A session that failed to open has no set yet. */
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		attach_close(s, i);
	s->n = 0;
	/* The template may be gone with its object, and its fd number
	 * reused by the next one: forget what was fetched for it. */
	forget_template(s);
}

void attach_set_free(struct attach_set *s)
{
	if (!s)
		return;
	attach_set_clear(s);
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
	return s && i < s->n ? s->v[i].prog_fd : -1;
}

int attach_link_fd(const struct attach_set *s, size_t i)
{
	return s && i < s->n ? s->v[i].link_fd : -1;
}

__u32 attach_hook(const struct attach_set *s, size_t i)
{
	return s && i < s->n ? s->v[i].hook : SKBS_HOOK_BY_IP;
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

/* One copy on its way: prepared in order (the template's BTF function
 * info is shared state), loaded and attached on any thread, kept in
 * order. */
struct copy_job {
	struct attach_req *req;
	enum bpf_prog_type type;
	enum bpf_attach_type attach_type;
	struct bpf_insn *insn;
	size_t cnt;
	void *func_info; /* this copy's own, offsets fixed */
	__u32 nfunc, func_rec;
	int btf_fd; /* the template's program BTF, or -1 */
	int prog_fd, link_fd;
};

static void job_free(struct copy_job *j)
{
	free(j->insn);
	free(j->func_info);
	if (j->btf_fd >= 0)
		close(j->btf_fd);
	j->insn = NULL;
	j->func_info = NULL;
	j->btf_fd = -1;
}

static int job_prepare(struct attach_set *s, struct copy_job *j)
{
	struct attach_req *r = j->req;
	const struct bpf_insn *src = bpf_program__insns(r->tmpl);
	size_t cnt = bpf_program__insn_cnt(r->tmpl);
	int ret;

	j->btf_fd = j->prog_fd = j->link_fd = -1;
	if (!src || !cnt)
		return -EINVAL;
	j->insn = malloc(cnt * sizeof(*j->insn));
	if (!j->insn)
		return -ENOMEM;
	memcpy(j->insn, src, cnt * sizeof(*j->insn));
	j->cnt = cnt;
	/* SKBS_HOOK_BY_IP: a program that carries no hook id. */
	if (patch_hook_id(j->insn, cnt, r->hook_id) == 0 &&
	    r->hook_id != SKBS_HOOK_BY_IP)
		return -ENOENT;
	ret = template_btf(s, bpf_program__fd(r->tmpl));
	if (ret)
		return ret;
	j->type = bpf_program__type(r->tmpl);
	j->attach_type = bpf_program__expected_attach_type(r->tmpl);
	if (!s->nfunc)
		return 0;
	j->func_info = malloc((size_t)s->nfunc * s->func_rec);
	if (!j->func_info)
		return -ENOMEM;
	memcpy(j->func_info, s->func_info, (size_t)s->nfunc * s->func_rec);
	ret = patch_func_info(j->insn, cnt, j->func_info, s->nfunc,
			      s->func_rec);
	if (ret)
		return ret;
	j->nfunc = s->nfunc;
	j->func_rec = s->func_rec;
	j->btf_fd = dup(s->btf_fd);
	return j->btf_fd < 0 ? -errno : 0;
}

/* Load and attach; touches nothing but the job. */
static int job_load(struct copy_job *j)
{
	struct attach_req *r = j->req;
	LIBBPF_OPTS(bpf_prog_load_opts, opts);
	int ret;

	opts.expected_attach_type = j->attach_type;
	opts.attach_btf_id = r->btf_id;
	opts.attach_btf_obj_fd = r->btf_obj_fd;
	if (r->attach_prog_fd > 0) {
		opts.attach_prog_fd = (__u32)r->attach_prog_fd;
		opts.attach_btf_obj_fd = 0;
	}
	if (j->nfunc) {
		opts.prog_btf_fd = j->btf_fd;
		opts.func_info = j->func_info;
		opts.func_info_cnt = j->nfunc;
		opts.func_info_rec_size = j->func_rec;
	}
	/* Ask for a log only on failure, to keep loading fast. */
	j->prog_fd = bpf_prog_load(j->type, NULL, "GPL", j->insn, j->cnt,
				   &opts);
	if (j->prog_fd < 0) {
		/* Big enough for a whole verifier log: its last line, which
		 * names the problem, is what we keep. */
		size_t logsz = 1 << 22;
		char *log = malloc(logsz);
		int fd;

		ret = -errno;
		if (!log)
			return ret;
		opts.log_buf = log;
		opts.log_size = logsz;
		opts.log_level = 1;
		log[0] = '\0';
		fd = bpf_prog_load(j->type, NULL, "GPL", j->insn, j->cnt,
				   &opts);
		if (fd >= 0)
			close(fd);
		last_line(log, r->why, sizeof(r->why));
		free(log);
		return ret;
	}
	/* bpf_raw_tracepoint_open() with no name attaches a BTF-typed
	 * program (tp_btf, fentry) to its load-time target, on every kernel
	 * from 5.5; bpf_link_create() for these came later. */
	j->link_fd = bpf_raw_tracepoint_open(NULL, j->prog_fd);
	if (j->link_fd < 0) {
		ret = -errno;
		close(j->prog_fd);
		j->prog_fd = -1;
		return ret;
	}
	return 0;
}

/* One parallel load: the jobs, and whom to tell how far it got. */
struct load_run {
	struct copy_job *jobs;
	void (*progress)(void *ctx, size_t done, size_t n);
	void *ctx;
};

static int load_one(void *ctx, size_t i, int w)
{
	struct copy_job *j = &((struct load_run *)ctx)->jobs[i];

	(void)w;
	if (!j->req->ret)
		j->req->ret = job_load(j);
	return 0; /* one copy failing is no reason to stop the others */
}

static void load_progress(void *ctx, size_t done, size_t n)
{
	struct load_run *run = ctx;

	if (run->progress)
		run->progress(run->ctx, done, n);
}

int attach_copies_btf(struct attach_set *s, struct attach_req *r, size_t n,
		      int nthreads,
		      void (*progress)(void *ctx, size_t done, size_t n),
		      void *ctx)
{
	struct load_run run = { .progress = progress, .ctx = ctx };
	struct parfor pf = { .fn = load_one,
			     .ctx = &run,
			     .progress = load_progress,
			     .nthreads = nthreads };
	size_t ok = 0;

	if (!n)
		return 0;
	run.jobs = calloc(n, sizeof(*run.jobs));
	if (!run.jobs || VEC_RESERVE(s->v, s->cap, s->n + n)) {
		free(run.jobs);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		run.jobs[i].req = &r[i];
		r[i].why[0] = '\0';
		r[i].ret = job_prepare(s, &run.jobs[i]);
	}
	/* The verifier is most of the time, and copies load in parallel. */
	parfor_run(&pf, n);
	for (size_t i = 0; i < n; i++) {
		struct copy_job *j = &run.jobs[i];

		if (!r[i].ret) {
			s->v[s->n].prog_fd = j->prog_fd;
			s->v[s->n].link_fd = j->link_fd;
			s->v[s->n].hook = j->req->hook_id;
			s->n++;
			ok++;
		}
		job_free(j);
	}
	free(run.jobs);
	return (int)ok;
}

int attach_copy_btf(struct attach_set *s, const struct bpf_program *tmpl,
		    __u32 hook_id, __u32 btf_id, int btf_obj_fd, char *err,
		    size_t errlen)
{
	struct attach_req r = {
		.tmpl = tmpl,
		.hook_id = hook_id,
		.btf_id = btf_id,
		.btf_obj_fd = btf_obj_fd,
	};
	int ret = attach_copies_btf(s, &r, 1, 1, NULL, NULL);

	if (err && errlen)
		snprintf(err, errlen, "%s", r.why);
	return ret < 0 ? ret : r.ret;
}
