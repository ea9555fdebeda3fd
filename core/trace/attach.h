/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copies of loaded template programs, one per attach point, each with its
 * hook id patched in, and the links that attach them. Closing the set
 * detaches everything: nothing is pinned.
 */
#ifndef SKBSCOPE_ATTACH_H
#define SKBSCOPE_ATTACH_H

#include <stddef.h>
#include <linux/types.h>

struct bpf_program;
struct attach_set;

int attach_set_new(struct attach_set **out);
/* Detach and unload everything; safe on NULL. */
void attach_set_free(struct attach_set *s);
/* Detach and unload everything, keeping the set for new copies. */
void attach_set_clear(struct attach_set *s);

/*
 * Load a copy of the (already loaded) BTF-attached program tmpl with its
 * hook marker replaced by hook_id (SKBS_HOOK_BY_IP for a program without
 * one), targeting btf_id (in the BTF object
 * btf_obj_fd, 0 for vmlinux), and attach it. Returns 0 or -errno; on error
 * the kernel verifier's last line, if any, is left in err.
 */
int attach_copy_btf(struct attach_set *s, const struct bpf_program *tmpl,
		    __u32 hook_id, __u32 btf_id, int btf_obj_fd, char *err,
		    size_t errlen);

/* One copy to make: the arguments of attach_copy_btf, and its outcome. */
struct attach_req {
	const struct bpf_program *tmpl;
	__u32 hook_id, btf_id;
	int btf_obj_fd;
	/* A BPF program to trace (fentry/fexit on it): btf_id is then in
	 * that program's BTF, and btf_obj_fd is not used. 0: none. */
	int attach_prog_fd;
	int ret;       /* out: 0 or -errno */
	char why[256]; /* out: the verifier's last line on error */
};

/*
 * attach_copy_btf for n copies, loaded on up to nthreads threads (<= 0:
 * one per CPU): most of the time goes to the verifier, and the kernel
 * verifies privileged loads in parallel. progress (if set) is called on
 * the calling thread as copies are done (core/lib/parfor.h). Returns the
 * number attached (each request says how it went), or -ENOMEM when
 * nothing could be tried.
 */
int attach_copies_btf(struct attach_set *s, struct attach_req *r, size_t n,
		      int nthreads,
		      void (*progress)(void *ctx, size_t done, size_t n),
		      void *ctx);

size_t attach_count(const struct attach_set *s);
/* Copy i's program and link fds (-1 once closed). */
int attach_prog_fd(const struct attach_set *s, size_t i);
int attach_link_fd(const struct attach_set *s, size_t i);
/* Copy i's hook id (SKBS_HOOK_BY_IP when it carries none). */
__u32 attach_hook(const struct attach_set *s, size_t i);
/* Detach and unload copy i now (threads may close different copies). */
void attach_close(struct attach_set *s, size_t i);

#endif
