// SPDX-License-Identifier: GPL-2.0
/*
 * The expression compiler: recursive descent straight into stack code for
 * bpf/exprvm.bpf.h, with every field path resolved through a type source.
 * Also the user-space driver of that interpreter, over a fake memory map.
 */
#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/skbexpr.h"
#include "bpf/exprvm.bpf.h"

static const struct skbexpr_types *types_in_use;

void skbexpr_use_types(const struct skbexpr_types *t)
{
	types_in_use = t;
}

const struct skbexpr_types *skbexpr_types_get(void)
{
	return types_in_use;
}

static const struct {
	const char *word;  /* what the expression starts with */
	const char *sname; /* the struct it points to */
} roots[] = {
	[SKBEXPR_SKB] = { "skb", "sk_buff" },
	[SKBEXPR_XDP] = { "xdp", "xdp_buff" },
};

/* What a subexpression left on the stack. */
enum vkind {
	V_INT,  /* a field's integer */
	V_PTR,  /* a pointer field */
	V_LIT,  /* a literal (or arithmetic on literals only: none yet) */
	V_BOOL, /* 0 or 1 */
};

struct val {
	enum vkind kind;
	int is_signed;     /* V_INT */
	int zero;          /* V_LIT: the literal is 0 */
	size_t start, end; /* its text, for messages */
};

struct cc {
	const struct skbexpr_types *t;
	enum skbexpr_root root;
	const char *s;
	size_t pos;
	struct skbs_expr *e;
	__u32 depth, max_depth;
	char *err;
	size_t errlen;
	size_t bad; /* offset of the error */
};

static int fail(struct cc *c, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct cc *c, size_t at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
	c->bad = at;
	return -EINVAL;
}

static void skip_space(struct cc *c)
{
	while (isspace((unsigned char)c->s[c->pos]))
		c->pos++;
}

/* Is the next token op? Consumes it if so. "&" is not "&&", "<" not "<=",
 * "-" not "->". */
static int accept(struct cc *c, const char *op)
{
	size_t l = strlen(op);
	const char *p;

	skip_space(c);
	p = c->s + c->pos;
	if (strncmp(p, op, l))
		return 0;
	if ((!strcmp(op, "&") && p[1] == '&') ||
	    ((!strcmp(op, "<") || !strcmp(op, ">") || !strcmp(op, "!")) &&
	     p[1] == '=') ||
	    (!strcmp(op, "-") && p[1] == '>'))
		return 0;
	c->pos += l;
	return 1;
}

static int emit(struct cc *c, __u8 op, __u8 arg, __u64 imm, size_t at)
{
	struct skbs_expr_insn *in;

	if (c->e->n >= SKBS_EXPR_INSNS)
		return fail(c, at,
			    "expression too long (at most %d steps: fields, "
			    "numbers and operators)",
			    SKBS_EXPR_INSNS);
	in = &c->e->insn[c->e->n++];
	in->op = op;
	in->arg = arg;
	in->imm = imm;
	if (op == SKBS_XOP_PUSH || op == SKBS_XOP_FIELD) {
		if (++c->depth > SKBS_EXPR_STACK)
			return fail(c, at,
				    "expression nested too deep (at most %d "
				    "values pending)",
				    SKBS_EXPR_STACK);
	} else if (op < SKBS_XOP_NOT) {
		c->depth--;
	}
	return 0;
}

static int ident_len(const char *p)
{
	int n = 0;

	if (!isalpha((unsigned char)*p) && *p != '_')
		return 0;
	while (isalnum((unsigned char)p[n]) || p[n] == '_')
		n++;
	return n;
}

/*
 * A field path from the root word: "skb->a.b->c". Resolves each member,
 * starts a new hop at each pointer followed, and checks that what is left
 * is an integer or a pointer.
 */
static int parse_path(const struct skbexpr_types *t, enum skbexpr_root root,
		      const char *s, size_t *pos, struct skbs_field *fl,
		      struct skbexpr_type *last, char *err, size_t errlen,
		      size_t *bad)
{
	size_t start = *pos, p = *pos;
	struct skbexpr_type ty;
	struct skbexpr_member m;
	__u32 id, bits = 0, hop = 0, bit_size = 0;
	int n, root_ptr = 1, ret;
	char name[128], msg[160];

	memset(fl, 0, sizeof(*fl));
	n = ident_len(s + p);
	if (n != (int)strlen(roots[root].word) ||
	    strncmp(s + p, roots[root].word, (size_t)n)) {
		*bad = p;
		snprintf(err, errlen,
			 "'%.*s': expected a field of %s (%s->...)", n ? n : 1,
			 s + p, roots[root].word, roots[root].word);
		return -EINVAL;
	}
	p += (size_t)n;
	ret = t->root(t->ctx, roots[root].sname, &id, msg, sizeof(msg));
	if (ret) {
		*bad = start;
		snprintf(err, errlen, "%s: %s", roots[root].word, msg);
		return ret;
	}
	/* The root is a pointer to the struct: a pseudo type. */
	memset(&ty, 0, sizeof(ty));
	ty.kind = SKBEXPR_PTR;
	ty.size = 8;
	ty.target = id;
	for (;;) {
		int arrow;
		size_t q = p;

		while (isspace((unsigned char)s[q]))
			q++;
		if (!strncmp(s + q, "->", 2))
			arrow = 1;
		else if (s[q] == '.')
			arrow = 0;
		else
			break;
		q += arrow ? 2 : 1;
		while (isspace((unsigned char)s[q]))
			q++;
		n = ident_len(s + q);
		if (!n) {
			*bad = q;
			snprintf(err, errlen, "%.*s: expected a member name",
				 (int)(q - start), s + start);
			return -EINVAL;
		}
		snprintf(name, sizeof(name), "%.*s", n, s + q);
		if (arrow) {
			struct skbexpr_type to;

			if (ty.kind != SKBEXPR_PTR) {
				*bad = p;
				snprintf(err, errlen,
					 "%.*s: not a pointer (%s), '->' "
					 "needs one",
					 (int)(p - start), s + start, ty.name);
				return -EINVAL;
			}
			ret = t->type(t->ctx, ty.target, &to, msg, sizeof(msg));
			if (ret || to.kind != SKBEXPR_STRUCT) {
				*bad = p;
				snprintf(err, errlen,
					 "%.*s: points to %s, not a struct",
					 (int)(p - start), s + start,
					 ret ? msg : to.name);
				return -EINVAL;
			}
			if (!root_ptr) {
				/* A pointer load: its address ends this hop. */
				if (hop + 1 >= SKBS_EXPR_HOPS) {
					*bad = p;
					snprintf(err, errlen,
						 "%.*s: too many pointers "
						 "followed (at most %d)",
						 (int)(q + n - start),
						 s + start, SKBS_EXPR_HOPS - 1);
					return -EINVAL;
				}
				fl->off[hop++] = bits / 8;
				bits = 0;
			}
			root_ptr = 0;
			id = ty.target;
			ty = to;
		} else if (ty.kind != SKBEXPR_STRUCT) {
			*bad = p;
			snprintf(err, errlen,
				 "%.*s: not a struct (%s), '.' needs one%s",
				 (int)(p - start), s + start, ty.name,
				 ty.kind == SKBEXPR_PTR ? "; use '->'" : "");
			return -EINVAL;
		}
		ret = t->member(t->ctx, id, name, &m, msg, sizeof(msg));
		if (ret) {
			*bad = q;
			if (ret == -ENOENT)
				snprintf(err, errlen,
					 "%.*s: %s has no member %s",
					 (int)(q + n - start), s + start,
					 ty.name, name);
			else
				snprintf(err, errlen, "%.*s: %s",
					 (int)(q + n - start), s + start, msg);
			return -EINVAL;
		}
		bits += m.bit_off;
		bit_size = m.bit_size;
		ret = t->type(t->ctx, m.type, &ty, msg, sizeof(msg));
		if (ret) {
			*bad = q;
			snprintf(err, errlen, "%.*s: %s", (int)(q + n - start),
				 s + start, msg);
			return ret;
		}
		if (ty.kind == SKBEXPR_STRUCT)
			id = m.type;
		p = q + (size_t)n;
	}
	*pos = p;
	if (root_ptr) {
		*bad = start;
		snprintf(err, errlen, "%s: name a field (%s->FIELD)",
			 roots[root].word, roots[root].word);
		return -EINVAL;
	}
	if (ty.kind != SKBEXPR_INT && ty.kind != SKBEXPR_PTR) {
		*bad = start;
		snprintf(err, errlen, "%.*s: not an integer or a pointer (%s)",
			 (int)(p - start), s + start, ty.name);
		return -EINVAL;
	}
	fl->off[hop] = bits / 8;
	fl->hops = (__u8)(hop + 1);
	fl->flags = ty.kind == SKBEXPR_INT && ty.is_signed ? SKBS_FLD_SIGNED :
							     0;
	if (bit_size) {
		__u32 sh = bits % 8, sz = 1;

		while (sz < 8 && sh + bit_size > sz * 8)
			sz *= 2;
		fl->size = (__u8)sz;
		fl->bit_shift = (__u8)sh;
		fl->bit_width = (__u8)bit_size;
	} else {
		if (ty.size != 1 && ty.size != 2 && ty.size != 4 &&
		    ty.size != 8) {
			*bad = start;
			snprintf(err, errlen,
				 "%.*s: a %u-byte integer (1, 2, 4 or 8 "
				 "bytes only)",
				 (int)(p - start), s + start, ty.size);
			return -EINVAL;
		}
		if (bits % 8) {
			*bad = start;
			snprintf(err, errlen, "%.*s: not on a byte boundary",
				 (int)(p - start), s + start);
			return -EINVAL;
		}
		fl->size = (__u8)ty.size;
	}
	if (last)
		*last = ty;
	return 0;
}

static int add_field(struct cc *c, const struct skbs_field *fl, size_t at)
{
	struct skbs_expr *e = c->e;
	__u8 i;

	for (i = 0; i < e->nfields; i++)
		if (!memcmp(&e->fields[i], fl, sizeof(*fl)))
			return emit(c, SKBS_XOP_FIELD, i, 0, at);
	if (e->nfields >= SKBS_EXPR_FIELDS)
		return fail(c, at,
			    "too many fields (at most %d different ones)",
			    SKBS_EXPR_FIELDS);
	e->fields[e->nfields] = *fl;
	return emit(c, SKBS_XOP_FIELD, e->nfields++, 0, at);
}

static int parse_or(struct cc *c, struct val *v);

static int parse_number(struct cc *c, struct val *v)
{
	const char *p = c->s + c->pos;
	unsigned long long n;
	char *end;
	int base = 10;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		if (!isxdigit((unsigned char)p[2]))
			return fail(c, c->pos,
				    "'%.2s': hex number with no digits", p);
	}
	errno = 0;
	n = strtoull(p, &end, base);
	if (errno == ERANGE)
		return fail(c, c->pos, "'%.*s': number too large for 64 bits",
			    (int)(end - p), p);
	if (isalnum((unsigned char)*end) || *end == '_')
		return fail(c, c->pos,
			    "'%.*s': not a number (decimal or 0x hex)",
			    (int)(end - p) + ident_len(end) + 1, p);
	v->kind = V_LIT;
	v->zero = n == 0;
	v->start = c->pos;
	c->pos += (size_t)(end - p);
	v->end = c->pos;
	return emit(c, SKBS_XOP_PUSH, 0, n, v->start);
}

static int parse_primary(struct cc *c, struct val *v)
{
	struct skbexpr_type ty;
	struct skbs_field fl;
	size_t at;
	int ret;

	memset(v, 0, sizeof(*v));
	skip_space(c);
	at = c->pos;
	if (accept(c, "(")) {
		ret = parse_or(c, v);
		if (ret)
			return ret;
		if (!accept(c, ")"))
			return fail(c, c->pos, "expected ')' %s",
				    c->s[c->pos] ? "here" : "at the end");
		v->start = at;
		v->end = c->pos;
		return 0;
	}
	if (isdigit((unsigned char)c->s[c->pos]))
		return parse_number(c, v);
	if (!c->s[c->pos])
		return fail(c, c->pos,
			    "expression ends early: expected a "
			    "field, a number or '('");
	if (!ident_len(c->s + c->pos))
		return fail(c, c->pos,
			    "unexpected '%c': expected a field, a "
			    "number or '('",
			    c->s[c->pos]);
	ret = parse_path(c->t, c->root, c->s, &c->pos, &fl, &ty, c->err,
			 c->errlen, &c->bad);
	if (ret)
		return -EINVAL;
	v->kind = ty.kind == SKBEXPR_PTR ? V_PTR : V_INT;
	v->is_signed = ty.kind == SKBEXPR_INT && ty.is_signed;
	v->start = at;
	v->end = c->pos;
	return add_field(c, &fl, at);
}

static int parse_unary(struct cc *c, struct val *v)
{
	size_t at;
	__u8 op = 0;
	int ret;

	skip_space(c);
	at = c->pos;
	if (accept(c, "!"))
		op = SKBS_XOP_NOT;
	else if (accept(c, "-"))
		op = SKBS_XOP_NEG;
	else if (accept(c, "~"))
		op = SKBS_XOP_BNOT;
	if (!op)
		return parse_primary(c, v);
	ret = parse_unary(c, v);
	if (ret)
		return ret;
	if (op != SKBS_XOP_NOT && v->kind == V_PTR)
		return fail(c, at, "%.*s: '%c' on a pointer",
			    (int)(v->end - v->start), c->s + v->start,
			    op == SKBS_XOP_NEG ? '-' : '~');
	if (op == SKBS_XOP_NEG && v->kind == V_LIT &&
	    c->e->insn[c->e->n - 1].op == SKBS_XOP_PUSH) {
		/* Fold "-5" into the literal: one step fewer. */
		c->e->insn[c->e->n - 1].imm = -c->e->insn[c->e->n - 1].imm;
		v->start = at;
		return 0;
	}
	ret = emit(c, op, 0, 0, at);
	if (op == SKBS_XOP_NOT)
		v->kind = V_BOOL;
	else if (v->kind == V_BOOL)
		v->kind = V_LIT;
	v->zero = 0;
	v->start = at;
	return ret;
}

static int parse_band(struct cc *c, struct val *v)
{
	struct val r;
	size_t at;
	int ret = parse_unary(c, v);

	while (!ret) {
		skip_space(c);
		at = c->pos;
		if (!accept(c, "&"))
			break;
		ret = parse_unary(c, &r);
		if (ret)
			return ret;
		if (v->kind == V_PTR || r.kind == V_PTR) {
			const struct val *p = v->kind == V_PTR ? v : &r;

			return fail(c, p->start, "%.*s: '&' on a pointer",
				    (int)(p->end - p->start), c->s + p->start);
		}
		ret = emit(c, SKBS_XOP_BAND, 0, 0, at);
		/* A masked field keeps the field's signedness. */
		v->kind = v->kind == V_INT || r.kind == V_INT ? V_INT : V_LIT;
		v->is_signed = v->is_signed && r.is_signed;
		v->zero = 0;
		v->end = r.end;
	}
	return ret;
}

static const struct {
	const char *op;
	__u8 u, s; /* unsigned and signed forms */
} cmps[] = {
	{ "==", SKBS_XOP_EQ, SKBS_XOP_EQ },
	{ "!=", SKBS_XOP_NE, SKBS_XOP_NE },
	{ "<=", SKBS_XOP_LE, SKBS_XOP_SLE },
	{ ">=", SKBS_XOP_GE, SKBS_XOP_SGE },
	{ "<", SKBS_XOP_LT, SKBS_XOP_SLT },
	{ ">", SKBS_XOP_GT, SKBS_XOP_SGT },
};

/*
 * One comparison at most: "a == b == c" says something else in C than a
 * reader expects. A pointer compares only for (in)equality, with a
 * pointer or with 0. Signed when a signed field meets a literal or another
 * signed field; an unsigned field makes it unsigned, as in C.
 */
static int parse_cmp(struct cc *c, struct val *v)
{
	struct val r;
	size_t at, i;
	int ret = parse_band(c, v), sgn;

	if (ret)
		return ret;
	skip_space(c);
	at = c->pos;
	for (i = 0; i < sizeof(cmps) / sizeof(cmps[0]); i++)
		if (accept(c, cmps[i].op))
			break;
	if (i == sizeof(cmps) / sizeof(cmps[0]))
		return 0;
	ret = parse_band(c, &r);
	if (ret)
		return ret;
	if (v->kind == V_PTR || r.kind == V_PTR) {
		const struct val *p = v->kind == V_PTR ? v : &r;
		const struct val *o = p == v ? &r : v;

		if (i > 1 ||
		    !(o->kind == V_PTR || (o->kind == V_LIT && o->zero)))
			return fail(c, p->start,
				    "%.*s: a pointer compares only with "
				    "== or != against 0 or a pointer",
				    (int)(p->end - p->start), c->s + p->start);
	}
	sgn = (v->kind == V_INT && v->is_signed) ||
	      (r.kind == V_INT && r.is_signed);
	if ((v->kind == V_INT && !v->is_signed) ||
	    (r.kind == V_INT && !r.is_signed))
		sgn = 0;
	ret = emit(c, sgn ? cmps[i].s : cmps[i].u, 0, 0, at);
	skip_space(c);
	for (size_t j = 0; !ret && j < sizeof(cmps) / sizeof(cmps[0]); j++)
		if (!strncmp(c->s + c->pos, cmps[j].op, strlen(cmps[j].op)))
			return fail(c, c->pos,
				    "'%s' after a comparison: add parentheses",
				    cmps[j].op);
	v->kind = V_BOOL;
	v->end = r.end;
	return ret;
}

static int parse_and(struct cc *c, struct val *v)
{
	struct val r;
	size_t at;
	int ret = parse_cmp(c, v);

	while (!ret) {
		skip_space(c);
		at = c->pos;
		if (!accept(c, "&&"))
			break;
		ret = parse_cmp(c, &r);
		if (!ret)
			ret = emit(c, SKBS_XOP_LAND, 0, 0, at);
		v->kind = V_BOOL;
		v->end = r.end;
	}
	return ret;
}

static int parse_or(struct cc *c, struct val *v)
{
	struct val r;
	size_t at;
	int ret = parse_and(c, v);

	while (!ret) {
		skip_space(c);
		at = c->pos;
		if (!accept(c, "||"))
			break;
		ret = parse_and(c, &r);
		if (!ret)
			ret = emit(c, SKBS_XOP_LOR, 0, 0, at);
		v->kind = V_BOOL;
		v->end = r.end;
	}
	return ret;
}

static int no_types(char *err, size_t errlen, int *bad_off)
{
	snprintf(err, errlen,
		 "expressions need the kernel's BTF (/sys/kernel/btf/vmlinux "
		 "or --kernel-btf)");
	if (bad_off)
		*bad_off = 0;
	return -EINVAL;
}

int skbexpr_compile(const struct skbexpr_types *t, enum skbexpr_root root,
		    const char *text, struct skbs_expr *out, char *err,
		    size_t errlen, int *bad_off)
{
	struct skbs_expr e;
	struct cc c = { .t = t,
			.root = root,
			.s = text,
			.e = &e,
			.err = err,
			.errlen = errlen };
	struct val v;
	int ret;

	if (!t)
		return no_types(err, errlen, bad_off);
	memset(&e, 0, sizeof(e));
	skip_space(&c);
	if (!text[c.pos]) {
		ret = fail(&c, 0, "empty expression");
		goto out;
	}
	ret = parse_or(&c, &v);
	if (!ret) {
		skip_space(&c);
		if (text[c.pos])
			ret = fail(&c, c.pos,
				   "unexpected '%.20s' after the expression",
				   text + c.pos);
	}
	if (!ret && c.depth != 1)
		ret = fail(&c, 0, "internal: %u values left", c.depth);
out:
	if (ret) {
		if (bad_off)
			*bad_off = (int)c.bad;
		return -EINVAL;
	}
	*out = e;
	return 0;
}

int skbexpr_field(const struct skbexpr_types *t, enum skbexpr_root root,
		  const char *text, struct skbs_field *out, char *err,
		  size_t errlen)
{
	size_t pos = 0, bad = 0;
	struct skbs_field fl;

	if (!t)
		return no_types(err, errlen, NULL);
	while (isspace((unsigned char)text[pos]))
		pos++;
	if (parse_path(t, root, text, &pos, &fl, NULL, err, errlen, &bad))
		return -EINVAL;
	while (isspace((unsigned char)text[pos]))
		pos++;
	if (text[pos]) {
		snprintf(err, errlen,
			 "'%s': one field path (%s->FIELD), no "
			 "operators",
			 text, roots[root].word);
		return -EINVAL;
	}
	*out = fl;
	return 0;
}

struct expr_mem {
	const struct skbexpr_region *r;
	size_t n;
};

/* The fake memory map: a load must lie inside one region. */
static __always_inline int expr_mem_load(struct expr_mem *m, __u64 addr,
					 __u32 size, __u64 *out)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct skbexpr_region *r = &m->r[i];
		__u64 v = 0;

		if (addr < r->addr || addr - r->addr > r->len ||
		    size > r->len - (addr - r->addr))
			continue;
		/* Little endian, as the kernel's loads on x86 and arm64. */
		for (__u32 b = 0; b < size; b++)
			v |= (__u64)((const __u8 *)r->data)[addr - r->addr + b]
			     << (8 * b);
		*out = v;
		return 0;
	}
	return -1;
}

static __always_inline __u64 expr_mem_field(struct expr_mem *m,
					    const struct skbs_expr *e,
					    __u32 idx, __u64 base)
{
	return expr_field(m, &e->fields[idx & (SKBS_EXPR_FIELDS - 1)], base);
}

__u64 skbexpr_run(const struct skbs_expr *e, __u64 base,
		  const struct skbexpr_region *mem, size_t n)
{
	struct expr_mem m = { .r = mem, .n = n };
	struct expr_vm vm = { .base = base };
	__u64 verdict = 0;

	/* As the kernel drives it: at most SKBS_EXPR_INSNS + 1 steps (the
	 * last one takes the verdict), and a program that has not finished
	 * by then keeps nothing. */
	for (int step = 0; step <= SKBS_EXPR_INSNS; step++)
		if (expr_exec(&vm, e, &m, &verdict))
			return verdict;
	return 0;
}

__u64 skbexpr_read(const struct skbs_field *f, __u64 base,
		   const struct skbexpr_region *mem, size_t n)
{
	struct expr_mem m = { .r = mem, .n = n };

	return expr_field(&m, f, base);
}
