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
/* What each probed function is: a helper, or a map operation on (map,
 * key) or (map, key, value) (--output-bpfmap: the map's own functions,
 * which a JITed program calls in place of the map helpers). */
enum fn_group { FG_HELPER, FG_MAP2, FG_MAP3, FG_N };

static const struct fn_probe {
	const char *name;
	enum fn_group g;
} probes[] = {
	{ "bpf_skb_load_bytes", FG_HELPER },
	{ "bpf_skb_load_bytes_relative", FG_HELPER },
	{ "bpf_skb_store_bytes", FG_HELPER },
	{ "bpf_skb_pull_data", FG_HELPER },
	{ "bpf_l3_csum_replace", FG_HELPER },
	{ "bpf_l4_csum_replace", FG_HELPER },
	{ "bpf_csum_diff", FG_HELPER },
	{ "bpf_csum_update", FG_HELPER },
	{ "bpf_csum_level", FG_HELPER },
	{ "bpf_clone_redirect", FG_HELPER },
	{ "bpf_redirect", FG_HELPER },
	{ "bpf_redirect_neigh", FG_HELPER },
	{ "bpf_redirect_peer", FG_HELPER },
	{ "bpf_skb_vlan_push", FG_HELPER },
	{ "bpf_skb_vlan_pop", FG_HELPER },
	{ "bpf_skb_change_proto", FG_HELPER },
	{ "bpf_skb_change_type", FG_HELPER },
	{ "bpf_skb_adjust_room", FG_HELPER },
	{ "bpf_skb_change_tail", FG_HELPER },
	{ "bpf_skb_change_head", FG_HELPER },
	{ "bpf_skb_get_tunnel_key", FG_HELPER },
	{ "bpf_skb_set_tunnel_key", FG_HELPER },
	{ "bpf_skb_get_tunnel_opt", FG_HELPER },
	{ "bpf_skb_set_tunnel_opt", FG_HELPER },
	{ "bpf_skb_fib_lookup", FG_HELPER },
	{ "bpf_skb_check_mtu", FG_HELPER },
	{ "bpf_skb_ecn_set_ce", FG_HELPER },
	{ "bpf_skb_under_cgroup", FG_HELPER },
	{ "bpf_skb_cgroup_id", FG_HELPER },
	{ "bpf_get_hash_recalc", FG_HELPER },
	{ "bpf_set_hash", FG_HELPER },
	{ "bpf_set_hash_invalid", FG_HELPER },
	{ "bpf_sk_lookup_tcp", FG_HELPER },
	{ "bpf_sk_lookup_udp", FG_HELPER },
	{ "bpf_skc_lookup_tcp", FG_HELPER },
	{ "bpf_sk_release", FG_HELPER },
	{ "bpf_sk_assign", FG_HELPER },
	{ "bpf_skb_get_xfrm_state", FG_HELPER },
	{ "bpf_xdp_adjust_head", FG_HELPER },
	{ "bpf_xdp_adjust_tail", FG_HELPER },
	{ "bpf_xdp_adjust_meta", FG_HELPER },
	{ "bpf_xdp_redirect", FG_HELPER },
	{ "bpf_xdp_redirect_map", FG_HELPER },
	{ "bpf_xdp_fib_lookup", FG_HELPER },
	{ "bpf_xdp_load_bytes", FG_HELPER },
	{ "bpf_xdp_store_bytes", FG_HELPER },
	{ "bpf_xdp_check_mtu", FG_HELPER },
	{ "bpf_xdp_get_buff_len", FG_HELPER },
	{ "bpf_xdp_sk_lookup_tcp", FG_HELPER },
	{ "bpf_xdp_sk_lookup_udp", FG_HELPER },
	{ "bpf_xdp_skc_lookup_tcp", FG_HELPER },
	{ "htab_map_update_elem", FG_MAP3 },
	{ "htab_lru_map_update_elem", FG_MAP3 },
	{ "htab_percpu_map_update_elem", FG_MAP3 },
	{ "htab_lru_percpu_map_update_elem", FG_MAP3 },
	{ "array_map_update_elem", FG_MAP3 },
	{ "trie_update_elem", FG_MAP3 },
	{ "__htab_map_lookup_elem", FG_MAP2 },
	{ "htab_lru_map_lookup_elem", FG_MAP2 },
	{ "trie_lookup_elem", FG_MAP2 },
	{ "htab_map_delete_elem", FG_MAP2 },
	{ "htab_lru_map_delete_elem", FG_MAP2 },
	{ "trie_delete_elem", FG_MAP2 },
};
#define NPROBES (sizeof(probes) / sizeof(probes[0]))

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
	__s32 fn_id[NPROBES]; /* in vmlinux BTF; <= 0: not here or not asked */
	size_t nfn;           /* of them, here and asked for */
};

static struct bpf_program *group_tmpl(const struct bpfprog *bp, enum fn_group g)
{
	return g == FG_HELPER ? bp->skel->progs.bp_helper :
	       g == FG_MAP2   ? bp->skel->progs.bp_map2 :
				bp->skel->progs.bp_map3;
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

/* The helper (--filter-track-bpf-helpers) and map (--output-bpfmap)
 * functions this kernel has, when they are asked for. */
static void find_fns(struct session *s, struct bpfprog *bp)
{
	for (size_t i = 0; i < NPROBES; i++) {
		int want = probes[i].g == FG_HELPER ? s->o.bpf_helpers :
						      s->o.bpfmap;

		bp->fn_id[i] = 0;
		if (!want || !bp->n)
			continue;
		bp->fn_id[i] = btf__find_by_name_kind(
			s->vmlinux, probes[i].name, BTF_KIND_FUNC);
		if (bp->fn_id[i] > 0)
			bp->nfn++;
	}
}

/* The first function of group g found, the template's load target. */
static const char *first_fn(const struct bpfprog *bp, enum fn_group g)
{
	for (size_t i = 0; i < NPROBES; i++)
		if (probes[i].g == g && bp->fn_id[i] > 0)
			return probes[i].name;
	return NULL;
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

	bp->skel = skel_open(s->o.kernel_btf);
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
	for (int g = 0; !ret && g < FG_N; g++) {
		const char *fn = first_fn(bp, (enum fn_group)g);

		if (!fn)
			continue;
		ret = bpf_program__set_autoload(group_tmpl(bp, g), true);
		if (!ret)
			ret = bpf_program__set_attach_target(group_tmpl(bp, g),
							     0, fn);
	}
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

/* skbscope's own maps: their updates and lookups, by its programs that
 * run while a traced one does, are not the packet's. */
static void own_maps(struct session *s)
{
	struct bpf_map *m;

	bpf_object__for_each_map(m, s->skel->obj)
	{
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);

		if (s->nown_maps >=
		    sizeof(s->own_maps) / sizeof(s->own_maps[0]))
			break;
		if (bpf_map__fd(m) >= 0 &&
		    !bpf_obj_get_info_by_fd(bpf_map__fd(m), &info, &len))
			s->own_maps[s->nown_maps++] = info.id;
	}
}

/* A hook and an fentry copy per helper or map function: one that fails
 * costs only its hops. Counts them per group. */
static void attach_fns(struct session *s, struct bpfprog *bp, size_t ok[FG_N])
{
	struct attach_req r[NPROBES];
	size_t nr = 0;
	int ret, at[NPROBES];

	for (size_t i = 0; i < NPROBES; i++) {
		struct hook hk = { .kind = HOOK_BPF_HELPER, .nargs = 5 };
		int id;

		if (bp->fn_id[i] <= 0)
			continue;
		snprintf(hk.name, sizeof(hk.name), "%s", probes[i].name);
		hk.btf_id = (__u32)bp->fn_id[i];
		id = hooks_add(s->hooks, &hk);
		if (id < 0)
			break;
		at[nr] = (int)i;
		r[nr++] = (struct attach_req){
			.tmpl = group_tmpl(bp, probes[i].g),
			.hook_id = (__u32)id,
			.btf_id = (__u32)bp->fn_id[i],
		};
	}
	ret = attach_copies_btf(bp->links, r, nr, 0, NULL, NULL);
	for (size_t i = 0; ret >= 0 && i < nr; i++) {
		if (!r[i].ret) {
			sess_hook_attached(s, r[i].hook_id);
			ok[probes[at[i]].g]++;
		} else {
			sess_hook_failed(s, r[i].hook_id, r[i].ret, r[i].why);
		}
	}
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
	find_fns(s, bp);
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
			  s->o.trace_tc                   ? "tc" :
							    "XDP");
		return 0;
	}
	ret = attach_targets(s, bp);
	if (ret < 0) {
		snprintf(err, errlen, "%s: %s", flag, strerror(-ret));
		return ret;
	}
	s->bp_attached = (size_t)ret;
	if (bp->nfn && s->bp_attached) {
		size_t ok[FG_N] = { 0 };

		attach_fns(s, bp, ok);
		s->bp_helpers = ok[FG_HELPER];
		s->bp_mapfns = ok[FG_MAP2] + ok[FG_MAP3];
		if (s->bp_mapfns)
			own_maps(s);
		/* The programs leave their events to these probes only
		 * while the filter says so. */
		if ((s->bp_helpers || s->bp_mapfns) && s->have_filter)
			session_set_filter(s, &s->filter);
	}
	if (s->o.bpf_helpers && !s->bp_helpers && bp->n)
		sess_note(s, "--filter-track-bpf-helpers: no helper function "
			     "could be probed");
	if (s->o.bpfmap && !s->bp_mapfns && bp->n)
		sess_note(s, "--output-bpfmap: no map function could be "
			     "probed");
	return 0;
}

struct attach_set *bpfprog_links(const struct session *s)
{
	return s->bp ? s->bp->links : NULL;
}

void bpfprog_detach(struct session *s)
{
	bp_free(s->bp);
	s->bp = NULL;
}

int session_map_name(__u32 id, char *buf, size_t len)
{
	struct bpf_map_info info = {};
	__u32 n = sizeof(info);
	int fd = bpf_map_get_fd_by_id(id), ret = 0;

	if (fd < 0)
		return -errno;
	if (bpf_obj_get_info_by_fd(fd, &info, &n))
		ret = -errno;
	else
		snprintf(buf, len, "%s", info.name);
	close(fd);
	return ret;
}
