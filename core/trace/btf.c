// SPDX-License-Identifier: GPL-2.0
/*
 * Reads the kernel's own description of itself: tracepoint prototypes
 * (btf_trace_* typedefs) that carry an skb, and drop reason enums. Nothing
 * here is a fixed list, so new kernels bring their new hooks and reasons.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "bpf/events.h"
#include "core/lib/vec.h"
#include "core/reasons.h"
#include "core/retval.h"
#include "core/trace/btf.h"

#define TP_PREFIX "btf_trace_"

static const struct btf_type *skip_mods(const struct btf *btf, __u32 *id)
{
	const struct btf_type *t = btf__type_by_id(btf, *id);

	while (t && (btf_is_mod(t) || btf_is_typedef(t))) {
		*id = t->type;
		t = btf__type_by_id(btf, *id);
	}
	return t;
}

/* Is type id a pointer to (const/volatile/typedef'd) struct sk_buff? */
static int is_skb_ptr(const struct btf *btf, __u32 type_id)
{
	const struct btf_type *t = skip_mods(btf, &type_id);
	const char *name;

	if (!t || !btf_is_ptr(t))
		return 0;
	type_id = t->type;
	t = skip_mods(btf, &type_id);
	if (!t || !btf_is_struct(t))
		return 0;
	name = btf__name_by_offset(btf, t->name_off);
	return name && !strcmp(name, "sk_buff");
}

int kbtf_skb_param(const struct btf *btf, __u32 proto_id, int skip, int max)
{
	const struct btf_type *t = btf__type_by_id(btf, proto_id);
	const struct btf_param *p;
	int n;

	if (!t || !btf_is_func_proto(t))
		return -1;
	p = btf_params(t);
	n = btf_vlen(t);
	for (int i = skip; i < n && i - skip < max; i++)
		if (is_skb_ptr(btf, p[i].type))
			return i - skip;
	return -1;
}

static int cmp_tp(const void *a, const void *b)
{
	return strcmp(((const struct kbtf_tp *)a)->name,
		      ((const struct kbtf_tp *)b)->name);
}

int kbtf_skb_tracepoints(const struct btf *btf, struct kbtf_tp **out,
			 size_t *count)
{
	struct kbtf_tp *v = NULL;
	size_t n = 0, cap = 0;
	__u32 cnt = btf__type_cnt(btf);

	for (__u32 id = 1; id < cnt; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const char *name;
		__u32 pid;
		const struct btf_type *pt;
		int pos;

		if (!btf_is_typedef(t))
			continue;
		name = btf__name_by_offset(btf, t->name_off);
		if (!name || strncmp(name, TP_PREFIX, strlen(TP_PREFIX)))
			continue;
		pid = t->type;
		pt = skip_mods(btf, &pid);
		if (!pt || !btf_is_ptr(pt))
			continue;
		pid = pt->type;
		pt = skip_mods(btf, &pid);
		if (!pt || !btf_is_func_proto(pt) || btf_vlen(pt) < 2)
			continue;
		/* The first parameter is the tracepoint's private data
		 * pointer, not an argument the program sees. */
		pos = kbtf_skb_param(btf, pid, 1, SKBS_MAX_SKB_POS);
		if (pos < 0)
			continue;
		name += strlen(TP_PREFIX);
		if (strlen(name) >= sizeof(v->name))
			continue;
		if (VEC_RESERVE(v, cap, n + 1)) {
			free(v);
			return -ENOMEM;
		}
		memset(&v[n], 0, sizeof(v[n]));
		strcpy(v[n].name, name);
		v[n].btf_id = id;
		v[n].skb_pos = pos;
		v[n].nargs = btf_vlen(pt) - 1;
		n++;
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_tp);
	*out = v;
	*count = n;
	return 0;
}

int kbtf_enum_has(const struct btf *btf, const char *ename, const char *value)
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

/* Core reasons live in enum skb_drop_reason; subsystems (mac80211, OVS, ...)
 * keep theirs in enums named <subsys>_drop_reason, with the subsystem id in
 * the upper 16 bits of the value. */
static int is_reason_enum(const char *name)
{
	size_t l = name ? strlen(name) : 0;

	return l > 12 && !strcmp(name + l - 12, "_drop_reason");
}

static int skip_enumerator(const char *name)
{
	/* Markers, not reasons. */
	return strstr(name, "SUBSYS_MASK") || strstr(name, "_SHIFT") ||
	       !strcmp(name, "SKB_DROP_REASON_MAX");
}

int kbtf_load_reasons(const struct btf *btf, struct reasons **out)
{
	struct reasons *r;
	__u32 cnt = btf__type_cnt(btf);
	int err;

	err = reasons_new(&r);
	if (err)
		return err;
	for (__u32 id = 1; id < cnt && !err; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const char *ename = btf__name_by_offset(btf, t->name_off);
		int vlen = btf_vlen(t);

		if (!is_reason_enum(ename))
			continue;
		/* reasons_add keeps equal values in the order given, so
		 * skb_drop_reason's own name stays first when a value is
		 * shared (SKB_DROP_REASON_SUBSYS_CORE == SKB_NOT_DROPPED_YET). */
		if (btf_is_enum(t)) {
			const struct btf_enum *e = btf_enum(t);

			for (int i = 0; i < vlen && !err; i++) {
				const char *nm =
					btf__name_by_offset(btf, e[i].name_off);
				if (nm && !skip_enumerator(nm))
					err = reasons_add(r, e[i].val, nm);
			}
		} else if (btf_is_enum64(t)) {
			const struct btf_enum64 *e = btf_enum64(t);

			for (int i = 0; i < vlen && !err; i++) {
				const char *nm =
					btf__name_by_offset(btf, e[i].name_off);
				if (nm && !skip_enumerator(nm))
					err = reasons_add(
						r,
						(__u32)btf_enum64_value(&e[i]),
						nm);
			}
		}
	}
	if (err) {
		reasons_free(r);
		return err;
	}
	*out = r;
	return 0;
}

int kbtf_ret_kind(const struct btf *btf, __u32 func_id, const char *name)
{
	const struct btf_type *f = btf__type_by_id(btf, func_id);
	const struct btf_type *p = f ? btf__type_by_id(btf, f->type) : NULL;
	const struct btf_type *t;
	const char *tname = NULL;
	__u32 id;

	if (!p || !btf_is_func_proto(p))
		return RET_UNKNOWN;
	if (!p->type)
		return retval_classify(RT_VOID, NULL, name);
	/* Through typedefs and qualifiers, remembering the last name: a
	 * netdev_tx_t is an enum netdev_tx. */
	id = p->type;
	for (int hops = 0; hops < 16; hops++) {
		t = btf__type_by_id(btf, id);
		if (!t)
			return RET_UNKNOWN;
		if (!btf_is_typedef(t) && !btf_is_const(t) &&
		    !btf_is_volatile(t))
			break;
		id = t->type;
	}
	if (btf_is_ptr(t))
		return retval_classify(RT_PTR, NULL, name);
	if (btf_is_enum(t) || btf_kind(t) == BTF_KIND_ENUM64) {
		tname = btf__name_by_offset(btf, t->name_off);
		return retval_classify(RT_ENUM, tname, name);
	}
	if (btf_is_int(t)) {
		__u8 enc = btf_int_encoding(t);

		if (enc & BTF_INT_BOOL)
			return retval_classify(RT_BOOL, NULL, name);
		/* 64 bits: features and flags, or a long's -errno. */
		if (t->size > 4)
			return retval_classify((enc & BTF_INT_SIGNED) ?
						       RT_SIGNED64 :
						       RT_UNSIGNED64,
					       NULL, name);
		return retval_classify((enc & BTF_INT_SIGNED) ? RT_SIGNED :
								RT_UNSIGNED,
				       NULL, name);
	}
	return retval_classify(RT_OTHER, NULL, name);
}

struct btf *kbtf_load_kernel(const char *path, char *err, size_t errlen)
{
	struct btf *b;

	libbpf_print_fn_t old;

	/* libbpf would print its own line ("failed to get EHDR") before
	 * ours says the same with the file's name. */
	old = libbpf_set_print(NULL);
	errno = 0;
	b = path ? btf__parse(path, NULL) : btf__load_vmlinux_btf();
	libbpf_set_print(old);
	if (!b) {
		int e = errno ? errno : EINVAL;
		char why[128];

		/* libbpf's own codes (4000+: "not an ELF file") read
		 * better in its words. */
		libbpf_strerror(e, why, sizeof(why));
		if (path)
			snprintf(err, errlen,
				 "--kernel-btf %s: cannot read BTF from it: %s",
				 path, why);
		else
			snprintf(err, errlen,
				 "cannot read kernel BTF "
				 "(/sys/kernel/btf/vmlinux): %s; "
				 "--kernel-btf PATH names another file",
				 why);
		errno = e < 4000 ? e : EINVAL;
	}
	return b;
}
