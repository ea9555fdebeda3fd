// SPDX-License-Identifier: GPL-2.0
/*
 * --filter-trace-tc and --filter-trace-xdp: the tc (cls/act, tcx) and XDP
 * programs loaded on the box become hooks of their own, traced with an
 * fentry/fexit pair on each program (bpf/bpfprog.bpf.h). The programs are
 * found by walking the kernel's program ids; each one needs BTF (its
 * main function is the attach point), which every libbpf-loaded program
 * has. The templates live in a copy of the object of their own, on the
 * main object's maps, loaded against the first program of each type; the
 * others get copies (core/trace/attach.c), loaded with the program as
 * attach_prog_fd.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "core/hooks.h"
#include "core/retval.h"
#include "core/trace/attach.h"
#include "core/trace/skel.h"
#include "core/trace/session_internal.h"

/*
 * --filter-track-bpf-helpers: the kernel functions behind the helpers a
 * tc or XDP program calls on its packet (those this kernel has are
 * probed). JITed programs call these directly; the map helpers are not
 * here because the verifier turns their calls into the map's own code.
 */
static const char *const helpers[] = {
	"bpf_skb_load_bytes",	   "bpf_skb_load_bytes_relative",
	"bpf_skb_store_bytes",	   "bpf_skb_pull_data",
	"bpf_l3_csum_replace",	   "bpf_l4_csum_replace",
	"bpf_csum_diff",	   "bpf_csum_update",
	"bpf_csum_level",	   "bpf_clone_redirect",
	"bpf_redirect",		   "bpf_redirect_neigh",
	"bpf_redirect_peer",	   "bpf_skb_vlan_push",
	"bpf_skb_vlan_pop",	   "bpf_skb_change_proto",
	"bpf_skb_change_type",	   "bpf_skb_adjust_room",
	"bpf_skb_change_tail",	   "bpf_skb_change_head",
	"bpf_skb_get_tunnel_key",  "bpf_skb_set_tunnel_key",
	"bpf_skb_get_tunnel_opt",  "bpf_skb_set_tunnel_opt",
	"bpf_skb_fib_lookup",	   "bpf_skb_check_mtu",
	"bpf_skb_ecn_set_ce",	   "bpf_skb_under_cgroup",
	"bpf_skb_cgroup_id",	   "bpf_get_hash_recalc",
	"bpf_set_hash",		   "bpf_set_hash_invalid",
	"bpf_sk_lookup_tcp",	   "bpf_sk_lookup_udp",
	"bpf_skc_lookup_tcp",	   "bpf_sk_release",
	"bpf_sk_assign",	   "bpf_skb_get_xfrm_state",
	"bpf_xdp_adjust_head",	   "bpf_xdp_adjust_tail",
	"bpf_xdp_adjust_meta",	   "bpf_xdp_redirect",
	"bpf_xdp_redirect_map",	   "bpf_xdp_fib_lookup",
	"bpf_xdp_load_bytes",	   "bpf_xdp_store_bytes",
	"bpf_xdp_check_mtu",	   "bpf_xdp_get_buff_len",
	"bpf_xdp_sk_lookup_tcp",   "bpf_xdp_sk_lookup_udp",
	"bpf_xdp_skc_lookup_tcp",
};
#define NHELPERS (sizeof(helpers) / sizeof(helpers[0]))

/* More than any datapath here loads; each costs a verifier run. */
#define BP_MAX 512

struct bp_target {
	int fd;
	__u32 id;
	int xdp;       /* 1: XDP, 0: tc */
	__u32 func_id; /* the main function, in the program's BTF */
	char name[96];
};

struct bpfprog {
	struct skbscope_bpf *skel;
	struct attach_set *links;
	struct bp_target *t;
	size_t n;
	__s32 helper_id[NHELPERS]; /* in vmlinux BTF; <= 0: not here */
	size_t nhelpers;	   /* of them, here */
};

/* The helpers this kernel has, when they are asked for. */
static void find_helpers(struct session *s, struct bpfprog *bp)
{
	for (size_t i = 0; i < NHELPERS; i++) {
		bp->helper_id[i] = 0;
		if (!s->o.bpf_helpers || !bp->n)
			continue;
		bp->helper_id[i] = btf__find_by_name_kind(s->vmlinux,
							  helpers[i],
							  BTF_KIND_FUNC);
		if (bp->helper_id[i] > 0)
			bp->nhelpers++;
	}
}

static const char *first_helper(const struct bpfprog *bp)
{
	for (size_t i = 0; i < NHELPERS; i++)
		if (bp->helper_id[i] > 0)
			return helpers[i];
	return NULL;
}

/* The program's main function: the first func_info record (insn 0), and
 * its name in the program's own BTF (info.name is cut at 15 bytes). */
static int main_func(int fd, const struct bpf_prog_info *in,
		     struct bp_target *t)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), rec = in->func_info_rec_size;
	const struct btf_type *ty;
	struct btf *btf;
	void *fi;
	int ret = 0;

	if (!in->btf_id || !in->nr_func_info || rec < 8)
		return -ENOENT;
	fi = calloc(in->nr_func_info, rec);
	if (!fi)
		return -ENOMEM;
	info.nr_func_info = in->nr_func_info;
	info.func_info_rec_size = rec;
	info.func_info = (__u64)(unsigned long)fi;
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		ret = -errno;
		goto out;
	}
	t->func_id = ((struct bpf_func_info *)fi)->type_id;
	btf = btf__load_from_kernel_by_id(in->btf_id);
	if (!btf) {
		ret = -errno;
		goto out;
	}
	ty = btf__type_by_id(btf, t->func_id);
	if (ty && btf_is_func(ty))
		snprintf(t->name, sizeof(t->name), "%s",
			 btf__name_by_offset(btf, ty->name_off));
	else
		ret = -ENOENT;
	btf__free(btf);
out:
	free(fi);
	return ret;
}

/* Every program of the types asked for. skbscope's own programs are
 * tracing, kprobe and tracepoint programs: never one of these. */
static int find_targets(struct session *s, struct bpfprog *bp)
{
	__u32 id = 0;
	size_t nobtf = 0;

	while (!bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		struct bp_target t = { .id = id };
		int fd = bpf_prog_get_fd_by_id(id), xdp;

		if (fd < 0)
			continue; /* gone meanwhile */
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			close(fd);
			continue;
		}
		xdp = info.type == BPF_PROG_TYPE_XDP;
		if (!((xdp && s->o.trace_xdp) ||
		      ((info.type == BPF_PROG_TYPE_SCHED_CLS ||
			info.type == BPF_PROG_TYPE_SCHED_ACT) &&
		       s->o.trace_tc)) ||
		    bp->n >= BP_MAX) {
			close(fd);
			continue;
		}
		if (main_func(fd, &info, &t)) {
			close(fd);
			nobtf++;
			continue;
		}
		t.fd = fd;
		t.xdp = xdp;
		bp->t[bp->n++] = t;
	}
	if (nobtf)
		sess_note(s,
			  "%zu tc/XDP programs have no BTF and are not "
			  "traced (fentry attaches to a program's BTF "
			  "function)",
			  nobtf);
	return 0;
}

static struct bp_target *first_of(struct bpfprog *bp, int xdp)
{
	for (size_t i = 0; i < bp->n; i++)
		if (bp->t[i].xdp == xdp)
			return &bp->t[i];
	return NULL;
}

/* The template object: bp_tc and bp_xdp loaded against the first program
 * of their type, bp_ret against the first program of any. With no
 * program to trace, bp_tc is loaded against its stand-in target all the
 * same: that is how a kernel without trampolines is told from a box
 * without programs. */
static int load_templates(struct session *s, struct bpfprog *bp, char *err,
			  size_t errlen)
{
	struct bp_target *tc = first_of(bp, 0), *xdp = first_of(bp, 1);
	struct bpf_program *prog;
	struct bpf_map *m;
	int ret;

	bp->skel = skel_open();
	if (!bp->skel) {
		ret = -errno;
		snprintf(err, errlen, "cannot open the BPF object: %s",
			 strerror(-ret));
		return ret;
	}
	bpf_object__for_each_map(m, bp->skel->obj)
	{
		struct bpf_map *mine = bpf_object__find_map_by_name(
			s->skel->obj, bpf_map__name(m));

		if (mine && bpf_map__fd(mine) >= 0) {
			ret = bpf_map__reuse_fd(m, bpf_map__fd(mine));
			if (ret) {
				snprintf(err, errlen, "cannot share map %s: %s",
					 bpf_map__name(m), strerror(-ret));
				return ret;
			}
		}
	}
	bpf_object__for_each_program(prog, bp->skel->obj)
		bpf_program__set_autoload(prog, false);
	ret = bpf_program__set_autoload(bp->skel->progs.bp_tc, !xdp || tc);
	if (!ret && tc)
		ret = bpf_program__set_attach_target(bp->skel->progs.bp_tc,
						     tc->fd, tc->name);
	if (!ret && xdp)
		ret = bpf_program__set_autoload(bp->skel->progs.bp_xdp, true);
	if (!ret && xdp)
		ret = bpf_program__set_attach_target(bp->skel->progs.bp_xdp,
						     xdp->fd, xdp->name);
	if (!ret && bp->n)
		ret = bpf_program__set_autoload(bp->skel->progs.bp_ret, true);
	if (!ret && bp->n)
		ret = bpf_program__set_attach_target(
			bp->skel->progs.bp_ret, bp->t[0].fd, bp->t[0].name);
	if (!ret && first_helper(bp))
		ret = bpf_program__set_autoload(bp->skel->progs.bp_helper,
						true);
	if (!ret && first_helper(bp))
		ret = bpf_program__set_attach_target(bp->skel->progs.bp_helper,
						     0, first_helper(bp));
	if (ret) {
		snprintf(err, errlen, "cannot target the tc/XDP programs: %s",
			 strerror(-ret));
		return ret;
	}
	ret = skbscope_bpf__load(bp->skel);
	if (ret)
		snprintf(err, errlen,
			 "this kernel refuses fentry/fexit programs (BPF "
			 "trampolines: %s), which tracing tc and XDP programs "
			 "needs",
			 strerror(-ret));
	return ret;
}

/* A hook per program, then its entry and return copies. */
static int attach_targets(struct session *s, struct bpfprog *bp)
{
	struct attach_req *r = calloc(2 * bp->n + 1, sizeof(*r));
	size_t nr = 0, ok = 0;
	int ret;

	if (!r)
		return -ENOMEM;
	for (size_t i = 0; i < bp->n; i++) {
		struct bp_target *t = &bp->t[i];
		struct hook hk = {
			.kind = HOOK_BPFPROG,
			.skb_pos = (int)t->id,
			.btf_id = t->func_id,
			.nargs = 1,
			.ret_kind = t->xdp ? RET_XDP : RET_TC_ACT,
		};
		int id;

		snprintf(hk.name, sizeof(hk.name), "%s", t->name);
		snprintf(hk.group, sizeof(hk.group), "%s",
			 t->xdp ? "xdp" : "tc");
		id = hooks_add(s->hooks, &hk);
		if (id < 0) {
			free(r);
			return id;
		}
		r[nr++] = (struct attach_req){
			.tmpl = t->xdp ? bp->skel->progs.bp_xdp :
					 bp->skel->progs.bp_tc,
			.hook_id = (__u32)id,
			.btf_id = t->func_id,
			.attach_prog_fd = t->fd,
		};
		r[nr++] = (struct attach_req){
			.tmpl = bp->skel->progs.bp_ret,
			.hook_id = (__u32)id,
			.btf_id = t->func_id,
			.attach_prog_fd = t->fd,
		};
	}
	ret = attach_copies_btf(bp->links, r, nr, 0, NULL, NULL);
	for (size_t i = 0; ret >= 0 && i < nr; i += 2) {
		const struct attach_req *e = &r[i], *x = &r[i + 1];
		char label[160];

		if (!e->ret && !x->ret) {
			sess_hook_attached(s, e->hook_id);
			ok++;
			continue;
		}
		sess_hook_failed(s, e->hook_id, e->ret ? e->ret : x->ret,
				 e->ret ? e->why : x->why);
		sess_note(s, "%s not traced: %s",
			  hook_label(hooks_get(s->hooks, e->hook_id), label,
				     sizeof(label)),
			  hooks_get(s->hooks, e->hook_id)->why);
	}
	free(r);
	if (ret < 0)
		return ret;
	return (int)ok;
}

/* A hook and an fentry copy per helper function: one that fails costs
 * only its hops. Returns how many attached. */
static size_t attach_helpers(struct session *s, struct bpfprog *bp)
{
	struct attach_req r[NHELPERS];
	size_t nr = 0, ok = 0;
	int ret;

	for (size_t i = 0; i < NHELPERS; i++) {
		struct hook hk = { .kind = HOOK_BPF_HELPER, .nargs = 5 };
		int id;

		if (bp->helper_id[i] <= 0)
			continue;
		snprintf(hk.name, sizeof(hk.name), "%s", helpers[i]);
		hk.btf_id = (__u32)bp->helper_id[i];
		id = hooks_add(s->hooks, &hk);
		if (id < 0)
			break;
		r[nr++] = (struct attach_req){
			.tmpl = bp->skel->progs.bp_helper,
			.hook_id = (__u32)id,
			.btf_id = (__u32)bp->helper_id[i],
		};
	}
	ret = attach_copies_btf(bp->links, r, nr, 0, NULL, NULL);
	for (size_t i = 0; ret >= 0 && i < nr; i++) {
		if (!r[i].ret) {
			sess_hook_attached(s, r[i].hook_id);
			ok++;
		} else {
			sess_hook_failed(s, r[i].hook_id, r[i].ret, r[i].why);
		}
	}
	return ok;
}

static void bp_free(struct bpfprog *bp)
{
	if (!bp)
		return;
	attach_set_free(bp->links);
	skbscope_bpf__destroy(bp->skel);
	for (size_t i = 0; i < bp->n; i++)
		close(bp->t[i].fd);
	free(bp->t);
	free(bp);
}

int bpfprog_attach(struct session *s, char *err, size_t errlen)
{
	const char *flag = s->o.trace_tc ? "--filter-trace-tc" :
					   "--filter-trace-xdp";
	struct bpfprog *bp;
	char why[384];
	int ret;

	if (!s->o.trace_tc && !s->o.trace_xdp)
		return 0;
	bp = calloc(1, sizeof(*bp));
	if (!bp || !(bp->t = calloc(BP_MAX, sizeof(*bp->t))) ||
	    attach_set_new(&bp->links)) {
		bp_free(bp);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	find_targets(s, bp);
	find_helpers(s, bp);
	ret = load_templates(s, bp, why, sizeof(why));
	if (ret) {
		snprintf(err, errlen, "%s: %s", flag, why);
		bp_free(bp);
		return ret;
	}
	s->bp = bp;
	if (!bp->n) {
		sess_note(s, "%s: no %s program is loaded: nothing to trace",
			  flag,
			  s->o.trace_tc && s->o.trace_xdp ? "tc or XDP" :
			  s->o.trace_tc			  ? "tc" :
							    "XDP");
		return 0;
	}
	ret = attach_targets(s, bp);
	if (ret < 0) {
		snprintf(err, errlen, "%s: %s", flag, strerror(-ret));
		return ret;
	}
	s->bp_attached = (size_t)ret;
	if (bp->nhelpers && s->bp_attached) {
		s->bp_helpers = attach_helpers(s, bp);
		/* The programs leave their events to the helpers' probes
		 * only while the filter says so. */
		if (s->bp_helpers && s->have_filter)
			session_set_filter(s, &s->filter);
	} else if (s->o.bpf_helpers) {
		sess_note(s, "--filter-track-bpf-helpers: no helper function "
			     "found in this kernel's BTF");
	}
	return 0;
}

void bpfprog_detach(struct session *s)
{
	bp_free(s->bp);
	s->bp = NULL;
}
