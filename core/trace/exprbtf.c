// SPDX-License-Identifier: GPL-2.0
/*
 * struct skbexpr_types over libbpf's struct btf: what skb->dev->ifindex
 * is, where it lies and how wide it is, as the running kernel says.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include "core/skbexpr.h"
#include "core/trace/btf.h"
#include "core/trace/exprbtf.h"

static const struct btf_type *strip(const struct btf *btf, __u32 *id)
{
	const struct btf_type *t = btf__type_by_id(btf, *id);

	while (t && (btf_is_mod(t) || btf_is_typedef(t))) {
		*id = t->type;
		t = btf__type_by_id(btf, *id);
	}
	return t;
}

static int x_root(void *ctx, const char *name, __u32 *id, char *err,
		  size_t errlen)
{
	__s32 r = btf__find_by_name_kind(ctx, name, BTF_KIND_STRUCT);

	if (r < 0) {
		snprintf(err, errlen, "the kernel's BTF has no struct %s",
			 name);
		return -ENOENT;
	}
	*id = (__u32)r;
	return 0;
}

/* A readable name: "unsigned int", "struct net_device", "char[48]". */
static void type_name(const struct btf *btf, __u32 id, char *buf, size_t len)
{
	const struct btf_type *t = strip(btf, &id);
	const char *n;

	if (!t) {
		snprintf(buf, len, "type %u", id);
		return;
	}
	n = btf__name_by_offset(btf, t->name_off);
	switch (btf_kind(t)) {
	case BTF_KIND_STRUCT:
		snprintf(buf, len, "struct %s", n && *n ? n : "(anonymous)");
		break;
	case BTF_KIND_UNION:
		snprintf(buf, len, "union %s", n && *n ? n : "(anonymous)");
		break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		snprintf(buf, len, "enum %s", n && *n ? n : "(anonymous)");
		break;
	case BTF_KIND_PTR: {
		char to[48];

		type_name(btf, t->type, to, sizeof(to));
		snprintf(buf, len, "%s *", to);
		break;
	}
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = btf_array(t);
		char el[48];

		type_name(btf, a->type, el, sizeof(el));
		snprintf(buf, len, "%s[%u]", el, a->nelems);
		break;
	}
	case BTF_KIND_FUNC_PROTO: snprintf(buf, len, "a function"); break;
	default: snprintf(buf, len, "%s", n && *n ? n : "void"); break;
	}
}

static int x_type(void *ctx, __u32 id, struct skbexpr_type *out, char *err,
		  size_t errlen)
{
	const struct btf *btf = ctx;
	const struct btf_type *t;

	memset(out, 0, sizeof(*out));
	type_name(btf, id, out->name, sizeof(out->name));
	t = strip(btf, &id);
	if (!t) {
		snprintf(err, errlen, "no BTF type %u", id);
		return -ENOENT;
	}
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		out->kind = SKBEXPR_INT;
		out->size = t->size;
		out->is_signed = !!(btf_int_encoding(t) & BTF_INT_SIGNED);
		/* bool and char: plain integers here. */
		break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		out->kind = SKBEXPR_INT;
		out->size = t->size;
		out->is_signed = !!btf_kflag(t);
		break;
	case BTF_KIND_PTR:
		out->kind = SKBEXPR_PTR;
		out->size = 8;
		out->target = t->type;
		strip(btf, &out->target);
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		out->kind = SKBEXPR_STRUCT;
		out->size = t->size;
		break;
	default: out->kind = SKBEXPR_OTHER; break;
	}
	return 0;
}

/* Member name of struct/union id, looked for through anonymous members
 * (the kernel nests many skb fields in anonymous unions and structs, and
 * struct_group()s). */
static int find_member(const struct btf *btf, __u32 id, const char *name,
		       __u32 base_bits, struct skbexpr_member *out, int depth)
{
	const struct btf_type *t = strip(btf, &id);
	const struct btf_member *m;

	if (!t || (!btf_is_struct(t) && !btf_is_union(t)) || depth > 8)
		return -ENOENT;
	m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++, m++) {
		const char *n = btf__name_by_offset(btf, m->name_off);
		__u32 off = base_bits + btf_member_bit_offset(t, i);

		if (n && *n) {
			if (strcmp(n, name))
				continue;
			out->type = m->type;
			out->bit_off = off;
			out->bit_size = btf_member_bitfield_size(t, i);
			return 0;
		}
		if (!find_member(btf, m->type, name, off, out, depth + 1))
			return 0;
	}
	return -ENOENT;
}

static int x_member(void *ctx, __u32 id, const char *name,
		    struct skbexpr_member *out, char *err, size_t errlen)
{
	int ret = find_member(ctx, id, name, 0, out, 0);

	if (ret)
		snprintf(err, errlen, "no member %s", name);
	return ret;
}

void kbtf_expr_types(const struct btf *btf, struct skbexpr_types *out)
{
	out->ctx = (void *)btf;
	out->root = x_root;
	out->type = x_type;
	out->member = x_member;
}

/* The lazy source: the first lookup loads the BTF; a failure sticks. */
static struct {
	const char *path;
	struct btf *btf;
	struct skbexpr_types inner;
	int tried, err;
	char msg[256];
} lazy;

static int lazy_load(char *err, size_t errlen)
{
	if (!lazy.tried) {
		lazy.tried = 1;
		lazy.btf = kbtf_load_kernel(lazy.path, lazy.msg,
					    sizeof(lazy.msg));
		if (!lazy.btf)
			lazy.err = -ENOENT;
		else
			kbtf_expr_types(lazy.btf, &lazy.inner);
	}
	if (lazy.err)
		snprintf(err, errlen, "%s", lazy.msg);
	return lazy.err;
}

static int l_root(void *ctx, const char *name, __u32 *id, char *err,
		  size_t errlen)
{
	(void)ctx;
	return lazy_load(err, errlen) ?:
					x_root(lazy.btf, name, id, err, errlen);
}

static int l_type(void *ctx, __u32 id, struct skbexpr_type *out, char *err,
		  size_t errlen)
{
	(void)ctx;
	return lazy_load(err, errlen) ?: x_type(lazy.btf, id, out, err, errlen);
}

static int l_member(void *ctx, __u32 id, const char *name,
		    struct skbexpr_member *out, char *err, size_t errlen)
{
	(void)ctx;
	return lazy_load(err, errlen) ?:
		       x_member(lazy.btf, id, name, out, err, errlen);
}

static const struct skbexpr_types lazy_types = {
	.root = l_root,
	.type = l_type,
	.member = l_member,
};

const struct skbexpr_types *kbtf_expr_lazy(const char *path)
{
	if (lazy.tried && lazy.path != path &&
	    (!lazy.path || !path || strcmp(lazy.path, path))) {
		btf__free(lazy.btf);
		lazy.btf = NULL;
		lazy.tried = lazy.err = 0;
	}
	lazy.path = path;
	return &lazy_types;
}
