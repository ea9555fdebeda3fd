// SPDX-License-Identifier: GPL-2.0
/*
 * The program table (template.h). The programs are templates: each is
 * loaded once and serves every hook of its shape, as is (kprobes) or as
 * retargeted copies (tp_btf, fentry: core/trace/attach.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "core/hooks.h"
#include "core/trace/template.h"

struct row {
	enum hook_kind kind;
	const char *name; /* NULL: any hook of this kind */
	int skb_pos;
	int min_nargs;
	const char *prog[BK_N];
};

/* The three probe backends' programs share a suffix. */
#define PROBES(sfx)                                               \
	{                                                         \
		[BK_KMULTI] = "km_" sfx, [BK_KPROBE] = "kp_" sfx, \
		[BK_FENTRY] = "fe_" sfx                           \
	}
/* kprobe-multi and kprobe only: programs that read no BTF argument. */
#define KPROBES(sfx)                                             \
	{                                                        \
		[BK_KMULTI] = "km_" sfx, [BK_KPROBE] = "kp_" sfx \
	}
#define TP(p)               \
	{                   \
		[BK_TP] = p \
	}

/*
 * First match wins, so the hooks whose other arguments matter (the drop
 * reason, the end of a lifetime) come before the programs that only know
 * where the skb is. Named rows are for the kernel's own hooks: a module
 * function of the same name is not the one the program reads.
 */
static const struct row rows[] = {
	/* 5.17 added the reason argument */
	{ HOOK_TRACEPOINT, "kfree_skb", 0, 3, TP("tp_kfree_skb_reason") },
	{ HOOK_TRACEPOINT, "kfree_skb", 0, 0, TP("tp_kfree_skb") },
	{ HOOK_TRACEPOINT, "consume_skb", 0, 0, TP("tp_consume_skb") },
	{ HOOK_TRACEPOINT, NULL, 0, 0, TP("tp_pos0") },
	{ HOOK_TRACEPOINT, NULL, 1, 0, TP("tp_pos1") },
	{ HOOK_TRACEPOINT, NULL, 2, 0, TP("tp_pos2") },
	{ HOOK_TRACEPOINT, NULL, 3, 0, TP("tp_pos3") },
	{ HOOK_TRACEPOINT, NULL, 4, 0, TP("tp_pos4") },
	/* kfree_skb_reason(skb, reason): 5.17 .. 6.10 */
	{ HOOK_FUNCTION, "kfree_skb_reason", 1, 0, PROBES("kfree_skb_reason") },
	/* sk_skb_reason_drop(sk, skb, reason): 6.11 .. */
	{ HOOK_FUNCTION, "sk_skb_reason_drop", 2, 0,
	  PROBES("sk_skb_reason_drop") },
	/* the end of every lifetime */
	{ HOOK_FUNCTION, "kfree_skbmem", 1, 0, PROBES("kfree_skbmem") },
	{ HOOK_FUNCTION, NULL, 1, 0, PROBES("pos1") },
	{ HOOK_FUNCTION, NULL, 2, 0, PROBES("pos2") },
	{ HOOK_FUNCTION, NULL, 3, 0, PROBES("pos3") },
	{ HOOK_FUNCTION, NULL, 4, 0, PROBES("pos4") },
	{ HOOK_FUNCTION, NULL, 5, 0, PROBES("pos5") },
	/* --filter-non-skb-funcs: no skb argument (nonskb.bpf.h); kprobes
	 * only, the fentry backend refuses the flag. */
	{ HOOK_FUNCTION, NULL, 0, 0, KPROBES("nonskb") },
};
_Static_assert(sizeof(rows) / sizeof(rows[0]) == TEMPLATE_ROWS,
	       "TEMPLATE_ROWS is the size of rows[]");

/*
 * Copies: kprobes stash the source skb at entry for the return probe;
 * fexit sees both at once, with a program per argument count since it
 * reads the return value after the arguments.
 */
struct copy_row {
	const char *fn;
	const char *prog[BK_N][2]; /* at entry, at return */
};

#define COPY(fexit)                                                  \
	{                                                            \
		[BK_KMULTI] = { "km_clone_enter", "km_clone_exit" }, \
		[BK_KPROBE] = { "kp_clone_enter", "kp_clone_exit" }, \
		[BK_FENTRY] = {                                      \
			NULL,                                        \
			fexit                                        \
		}                                                    \
	}

static const struct copy_row copies[] = {
	{ "skb_clone", COPY("fx_copy2") },
	{ "skb_copy", COPY("fx_copy2") },
	{ "__pskb_copy_fclone", COPY("fx_copy4") },
	{ "skb_copy_expand", COPY("fx_copy4") },
};
_Static_assert(sizeof(copies) / sizeof(copies[0]) == TEMPLATE_COPIES,
	       "TEMPLATE_COPIES is the size of copies[]");

static int find_row(const struct hook *hk)
{
	for (int r = 0; r < TEMPLATE_ROWS; r++) {
		const struct row *w = &rows[r];

		if (w->kind != hk->kind || w->skb_pos != hk->skb_pos ||
		    hk->nargs < w->min_nargs)
			continue;
		if (w->name && (hk->module[0] || strcmp(w->name, hk->name)))
			continue;
		return r;
	}
	return -1;
}

const char *template_name(const struct hook *hk, enum backend b)
{
	int r = find_row(hk);

	return r < 0 || b >= BK_N ? NULL : rows[r].prog[b];
}

static int resolve(struct bpf_object *obj, const char *name,
		   struct bpf_program **out, char *err, size_t errlen)
{
	*out = NULL;
	if (!name)
		return 0;
	*out = bpf_object__find_program_by_name(obj, name);
	if (*out)
		return 0;
	snprintf(err, errlen, "the BPF object has no program %s", name);
	return -ENOENT;
}

int templates_resolve(struct templates *t, struct bpf_object *obj, char *err,
		      size_t errlen)
{
	int ret = 0;

	for (int r = 0; !ret && r < TEMPLATE_ROWS; r++)
		for (int b = 0; !ret && b < BK_N; b++)
			ret = resolve(obj, rows[r].prog[b], &t->fn[r][b], err,
				      errlen);
	for (int c = 0; !ret && c < TEMPLATE_COPIES; c++)
		for (int b = 0; !ret && b < BK_N; b++)
			for (int e = 0; !ret && e < 2; e++)
				ret = resolve(obj, copies[c].prog[b][e],
					      &t->copy[c][b][e], err, errlen);
	return ret;
}

struct bpf_program *template_prog(const struct templates *t,
				  const struct hook *hk, enum backend b)
{
	int r = find_row(hk);

	return r < 0 || b >= BK_N ? NULL : t->fn[r][b];
}

const char *template_copy_fn(size_t i)
{
	return i < TEMPLATE_COPIES ? copies[i].fn : NULL;
}

const char *template_copy_name(size_t i, enum backend b, int ret)
{
	return i < TEMPLATE_COPIES && b < BK_N ? copies[i].prog[b][!!ret] :
						 NULL;
}

struct bpf_program *template_copy_prog(const struct templates *t, size_t i,
				       enum backend b, int ret)
{
	return i < TEMPLATE_COPIES && b < BK_N ? t->copy[i][b][!!ret] : NULL;
}
