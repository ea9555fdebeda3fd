// SPDX-License-Identifier: GPL-2.0
/*
 * iptables-legacy's verdicts: a kprobe pair on ipt_do_table() and
 * ip6t_do_table() (bpf/skbscope.bpf.c, kp_ipt_*) records which table
 * returned NF_DROP for which skb, so a netfilter drop can name its table
 * and chain on kernels where nftrace sees nothing (legacy tables are not
 * nftables). Only where kprobes exist; nothing here is fatal: what cannot
 * be done is said by session_ipt_why().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "core/trace/btf.h"
#include "core/trace/ipt.h"
#include "core/trace/skel.h"
#include "core/trace/session_internal.h"

/* The functions, and the module whose BTF describes them. */
static const struct {
	const char *fn, *module;
} ipt_fns[IPT_FNS] = {
	{ "ipt_do_table", "ip_tables" },
	{ "ip6t_do_table", "ip6_tables" },
};

static void present(int found[IPT_FNS])
{
	char line[512], name[256];
	FILE *f = fopen("/proc/kallsyms", "re");

	memset(found, 0, sizeof(int) * IPT_FNS);
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char type;

		if (sscanf(line, "%*s %c %255s", &type, name) != 2 ||
		    (type != 't' && type != 'T'))
			continue;
		for (int i = 0; i < IPT_FNS; i++)
			found[i] |= !strcmp(name, ipt_fns[i].fn);
	}
	fclose(f);
}

/* Is type id a pointer to struct name (through const and typedefs)? */
static int points_to(const struct btf *b, __u32 id, const char *name)
{
	const struct btf_type *t = btf__type_by_id(b, btf__resolve_type(b, id));
	const char *n;

	if (!t || !btf_is_ptr(t))
		return 0;
	t = btf__type_by_id(b, btf__resolve_type(b, t->type));
	n = t ? btf__name_by_offset(b, t->name_off) : NULL;
	return n && !strcmp(n, name);
}

/* Positions from the module's BTF: 0, or -ENOENT. */
static int positions_btf(const struct btf *b, const char *fn, __u32 pos[3])
{
	__s32 id = btf__find_by_name_kind(b, fn, BTF_KIND_FUNC);
	const struct btf_type *f = id > 0 ? btf__type_by_id(b, id) : NULL;
	const struct btf_type *p = f ? btf__type_by_id(b, f->type) : NULL;
	int skb = p ? kbtf_skb_param(b, f->type, 0, 3) : -1, state = -1;

	if (skb < 0 || btf_vlen(p) < 3)
		return -ENOENT;
	for (int i = 0; i < 3; i++)
		if (points_to(b, btf_params(p)[i].type, "nf_hook_state"))
			state = i;
	if (state < 0 || state == skb)
		return -ENOENT;
	pos[0] = (__u32)skb;
	pos[1] = (__u32)state;
	pos[2] = (__u32)(3 - skb - state);
	return 0;
}

/* Where skb, state and table are among the first three arguments: from
 * the module's BTF, else from the release (the table moved first in
 * 5.16, when the per-table hook wrappers went away; modules have BTF only
 * from 5.11). */
static void positions(struct session *s, int fn, __u32 pos[3])
{
	struct btf *mb = btf__load_module_btf(ipt_fns[fn].module, s->vmlinux);
	struct utsname u;
	int maj = 0, min = 0, ret = -ENOENT;

	if (mb)
		ret = positions_btf(mb, ipt_fns[fn].fn, pos);
	btf__free(mb);
	if (!ret)
		return;
	if (!uname(&u))
		sscanf(u.release, "%d.%d", &maj, &min);
	if (maj > 5 || (maj == 5 && min >= 16)) {
		pos[0] = 1, pos[1] = 2, pos[2] = 0;
	} else {
		pos[0] = 0, pos[1] = 1, pos[2] = 2;
	}
}

void ipt_plan(struct session *s)
{
	struct ipt_watch *w = &s->ipt;
	__u32 pos[3];
	int any = 0;

	w->planned = 0;
	if (!s->o.watch_ipt) {
		snprintf(w->why, sizeof(w->why), "not asked for");
		return;
	}
	if (w->refused)
		return;
	if (!(s->cand &
	      ((1u << BK_KMULTI) | (1u << BK_KPROBE) | (1u << BK_FENTRY))) ||
	    access("/sys/bus/event_source/devices/kprobe/type", R_OK)) {
		snprintf(w->why, sizeof(w->why),
			 "iptables-legacy verdicts need kprobes, which this "
			 "kernel does not have");
		return;
	}
	present(w->present);
	for (int i = 0; i < IPT_FNS; i++)
		any |= w->present[i];
	if (!any) {
		snprintf(w->why, sizeof(w->why),
			 "ip_tables (iptables-legacy) is not loaded");
		return;
	}
	/* Both functions share a signature in every kernel. */
	positions(s, w->present[0] ? 0 : 1, pos);
	s->skel->rodata->ipt_pos_skb = pos[0];
	s->skel->rodata->ipt_pos_state = pos[1];
	s->skel->rodata->ipt_pos_table = pos[2];
	s->skel->rodata->ipt_on = 1;
	bpf_program__set_autoload(s->skel->progs.kp_ipt_enter, true);
	bpf_program__set_autoload(s->skel->progs.kp_ipt_exit, true);
	w->planned = 1;
}

void ipt_attach(struct session *s)
{
	struct ipt_watch *w = &s->ipt;
	int err = 0;

	if (!w->planned)
		return;
	for (int i = 0; i < IPT_FNS; i++) {
		struct bpf_link *in, *out;

		if (!w->present[i])
			continue;
		in = bpf_program__attach_kprobe(s->skel->progs.kp_ipt_enter,
						false, ipt_fns[i].fn);
		if (!in) {
			err = -errno;
			continue;
		}
		out = bpf_program__attach_kprobe(s->skel->progs.kp_ipt_exit,
						 true, ipt_fns[i].fn);
		if (!out) {
			err = -errno;
			bpf_link__destroy(in);
			continue;
		}
		w->links[w->nlinks++] = in;
		w->links[w->nlinks++] = out;
	}
	if (!w->nlinks) {
		snprintf(w->why, sizeof(w->why),
			 "cannot probe ipt_do_table: %s", strerror(-err));
		sess_note(s,
			  "iptables-legacy drops will not name their table: "
			  "%s",
			  w->why);
	} else {
		w->why[0] = '\0';
	}
}

void ipt_detach(struct session *s)
{
	struct ipt_watch *w = &s->ipt;

	for (size_t i = 0; i < w->nlinks; i++)
		bpf_link__destroy(w->links[i]);
	w->nlinks = 0;
}

int session_ipt_drop(struct session *s, __u64 skb, __u64 ts,
		     struct skbs_ipt_drop *out)
{
	/* The layout of struct ipt_key in bpf/ipt.bpf.h. */
	struct {
		__u64 skb, ts;
	} k = { skb, ts };
	int fd;

	if (!s->ipt.nlinks)
		return -EOPNOTSUPP;
	fd = bpf_map__fd(s->skel->maps.ipt_events);
	if (bpf_map_lookup_elem(fd, &k, out))
		return -ENOENT;
	bpf_map_delete_elem(fd, &k);
	return 0;
}

const char *session_ipt_why(const struct session *s)
{
	return s->ipt.why;
}
