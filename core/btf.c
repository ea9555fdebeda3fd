// SPDX-License-Identifier: GPL-2.0
/*
 * Reads the kernel's own description of itself: tracepoint prototypes
 * (btf_trace_* typedefs) that carry an skb, and drop reason enums. Nothing
 * here is a fixed list, so new kernels bring their new hooks and reasons.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "bpf/events.h"
#include "core/btf.h"

#define TP_PREFIX "btf_trace_"
#define REASON_PREFIX "SKB_DROP_REASON_"

static const struct btf_type *skip_mods(const struct btf *btf, __u32 *id)
{
	const struct btf_type *t = btf__type_by_id(btf, *id);

	while (t && (btf_is_mod(t) || btf_is_typedef(t))) {
		*id = t->type;
		t = btf__type_by_id(btf, *id);
	}
	return t;
}

int btf_is_skb_ptr(const struct btf *btf, __u32 type_id)
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

int btf_skb_param(const struct btf *btf, __u32 proto_id, int skip, int max)
{
	const struct btf_type *t = btf__type_by_id(btf, proto_id);
	const struct btf_param *p;
	int n;

	if (!t || !btf_is_func_proto(t))
		return -1;
	p = btf_params(t);
	n = btf_vlen(t);
	for (int i = skip; i < n && i - skip < max; i++)
		if (btf_is_skb_ptr(btf, p[i].type))
			return i - skip;
	return -1;
}

static int cmp_tp(const void *a, const void *b)
{
	return strcmp(((const struct btf_tp *)a)->name,
		      ((const struct btf_tp *)b)->name);
}

int btf_skb_tracepoints(const struct btf *btf, struct btf_tp **out,
			size_t *count)
{
	struct btf_tp *v = NULL, *nv;
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
		pos = btf_skb_param(btf, pid, 1, SKBS_MAX_SKB_POS);
		if (pos < 0)
			continue;
		name += strlen(TP_PREFIX);
		if (strlen(name) >= sizeof(v->name))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			nv = reallocarray(v, cap, sizeof(*v));
			if (!nv) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
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

struct reason {
	__u32 value;
	const char *name; /* points into the BTF string section */
};

struct reasons {
	struct reason *v;
	size_t n;
	size_t cap; /* reasons_add's; reasons_load keeps its own (0 here) */
};

static int add_reason(struct reasons *r, size_t *cap, __u32 value,
		      const char *name)
{
	struct reason *nv;

	if (r->n == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		nv = reallocarray(r->v, *cap, sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		r->v = nv;
	}
	r->v[r->n].value = value;
	r->v[r->n].name = name;
	r->n++;
	return 0;
}

static int cmp_reason(const void *a, const void *b)
{
	const struct reason *x = a, *y = b;

	return x->value < y->value ? -1 : x->value > y->value;
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

int reasons_load(const struct btf *btf, struct reasons **out)
{
	struct reasons *r = calloc(1, sizeof(*r));
	size_t cap = 0;
	__u32 cnt = btf__type_cnt(btf);
	int err = 0;

	if (!r)
		return -ENOMEM;
	for (__u32 id = 1; id < cnt && !err; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const char *ename = btf__name_by_offset(btf, t->name_off);
		int vlen = btf_vlen(t);

		if (!is_reason_enum(ename))
			continue;
		if (btf_is_enum(t)) {
			const struct btf_enum *e = btf_enum(t);

			for (int i = 0; i < vlen && !err; i++) {
				const char *nm =
					btf__name_by_offset(btf, e[i].name_off);
				if (nm && !skip_enumerator(nm))
					err = add_reason(r, &cap, e[i].val, nm);
			}
		} else if (btf_is_enum64(t)) {
			const struct btf_enum64 *e = btf_enum64(t);

			for (int i = 0; i < vlen && !err; i++) {
				const char *nm =
					btf__name_by_offset(btf, e[i].name_off);
				if (nm && !skip_enumerator(nm))
					err = add_reason(r, &cap,
							 (__u32)btf_enum64_value(&e[i]),
							 nm);
			}
		}
	}
	if (err) {
		reasons_free(r);
		return err;
	}
	/* Stable sort keeps skb_drop_reason's own name first when a value is
	 * shared (e.g. SKB_DROP_REASON_SUBSYS_CORE == SKB_NOT_DROPPED_YET). */
	for (size_t i = 1; i < r->n; i++) {
		struct reason x = r->v[i];
		size_t j = i;

		if (cmp_reason(&r->v[j - 1], &x) <= 0)
			continue;
		/* Insertion sort is fine for a few hundred entries and is
		 * stable, which qsort is not. */
		while (j > 0 && cmp_reason(&r->v[j - 1], &x) > 0) {
			r->v[j] = r->v[j - 1];
			j--;
		}
		r->v[j] = x;
	}
	*out = r;
	return 0;
}

void reasons_free(struct reasons *r)
{
	if (!r)
		return;
	free(r->v);
	free(r);
}

static const char *strip(const char *name)
{
	if (!strncmp(name, REASON_PREFIX, strlen(REASON_PREFIX)))
		return name + strlen(REASON_PREFIX);
	if (!strncmp(name, "SKB_", 4))
		return name + 4;
	return name;
}

const char *reasons_name(const struct reasons *r, __u32 value)
{
	size_t lo = 0, hi = r ? r->n : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->v[mid].value < value)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (r && lo < r->n && r->v[lo].value == value)
		return strip(r->v[lo].name);
	return NULL;
}

long long reasons_value(const struct reasons *r, const char *name)
{
	for (size_t i = 0; r && i < r->n; i++)
		if (!strcmp(r->v[i].name, name) ||
		    !strcmp(strip(r->v[i].name), name))
			return r->v[i].value;
	return -1;
}

size_t reasons_count(const struct reasons *r)
{
	return r ? r->n : 0;
}

int reasons_new(struct reasons **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

int reasons_add(struct reasons *r, __u32 value, const char *name)
{
	size_t lo = 0, hi = r->n;

	if (!name)
		return -EINVAL;
	if (r->n >= r->cap) {
		size_t cap = r->n >= 32 ? r->n * 2 : 64;
		struct reason *nv = reallocarray(r->v, cap, sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		r->v = nv;
		r->cap = cap;
	}
	/* After any equal values, as reasons_load's stable sort leaves
	 * them: the first name given for a value is the one shown. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->v[mid].value <= value)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(&r->v[lo + 1], &r->v[lo], (r->n - lo) * sizeof(*r->v));
	r->v[lo].value = value;
	r->v[lo].name = name;
	r->n++;
	return 0;
}

int reasons_at(const struct reasons *r, size_t i, __u32 *value,
	       const char **name)
{
	if (!r || i >= r->n)
		return -ENOENT;
	*value = r->v[i].value;
	*name = r->v[i].name;
	return 0;
}
