// SPDX-License-Identifier: GPL-2.0
/*
 * BTF tells which functions take an skb; only ftrace knows which can be
 * probed. available_filter_functions is the authority when readable (it is
 * not on locked-down kernels); otherwise kallsyms text symbols stand in,
 * minus what is known not to be probeable.
 */
#include <dirent.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "bpf/events.h"
#include "core/lib/vec.h"
#include "core/trace/btf.h"
#include "core/trace/funcs.h"

struct funcs {
	struct skb_func *v;
	size_t n, cap;
	char source[32];
	char *notes;
	size_t notes_len, notes_cap;
};

/* A sorted set of names, pointing into a caller-owned text. */
struct nameset {
	const char **v;
	size_t n;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int nameset_has(const struct nameset *s, const char *name)
{
	return bsearch(&name, s->v, s->n, sizeof(*s->v), cmp_str) != NULL;
}

/*
 * Parse "name" or "name [module]" lines (available_filter_functions) or
 * "addr type name [module]" lines (kallsyms, text symbols only) from a
 * private copy of text, which the set keeps.
 */
static int nameset_build(char *text, int is_kallsyms, struct nameset *s)
{
	size_t cap = 0;
	char *line = text;

	s->v = NULL;
	s->n = 0;
	/* Kernels have tens of thousands of text symbols: start there. */
	if (VEC_RESERVE(s->v, cap, 65536))
		return -ENOMEM;
	while (line && *line) {
		char *nl = strchr(line, '\n'), *name = line, *sp;

		if (nl)
			*nl = '\0';
		if (is_kallsyms) {
			/* "ffffffff81000000 T name\t[mod]" */
			char *t = strchr(line, ' ');

			name = NULL;
			if (t && (t[1] == 't' || t[1] == 'T') && t[2] == ' ')
				name = t + 3;
		}
		if (name) {
			sp = strpbrk(name, " \t");
			if (sp)
				*sp = '\0';
			/* Compiler clones (.isra, .cold) are not the BTF
			 * function; __pfx_ are padding symbols. */
			if (*name && !strchr(name, '.') &&
			    strncmp(name, "__pfx_", 6)) {
				if (VEC_RESERVE(s->v, cap, s->n + 1))
					return -ENOMEM;
				s->v[s->n++] = name;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	qsort(s->v, s->n, sizeof(*s->v), cmp_str);
	return 0;
}

/* Probing these would recurse into the tracer or is refused anyway. */
static int never_probe(const char *name)
{
	static const char *const prefixes[] = {
		"bpf_",    "__bpf_", "trace_",   "__trace_", "perf_",
		"ftrace_", "kprobe", "__kprobe", "rcu_",     "lockdep_",
	};

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(name, prefixes[i], strlen(prefixes[i])))
			return 1;
	return 0;
}

/* The skb position (1-based) of function func_id, -1 when it takes none
 * among its first five parameters, -2 when it is no function. */
static int skb_pos(const struct btf *btf, __u32 func_id, int *nargs)
{
	const struct btf_type *t = btf__type_by_id(btf, func_id);
	const struct btf_type *p;
	int pos;

	if (!t || !btf_is_func(t))
		return -2;
	p = btf__type_by_id(btf, t->type);
	if (!p || !btf_is_func_proto(p))
		return -2;
	pos = kbtf_skb_param(btf, t->type, 0, SKBS_MAX_SKB_POS);
	if (nargs)
		*nargs = btf_vlen(p);
	return pos < 0 ? -1 : pos + 1;
}

static void add_note(struct funcs *fs, const char *fmt, const char *a,
		     const char *b)
{
	char line[256];
	int l = snprintf(line, sizeof(line), fmt, a, b);

	if (l < 0)
		return;
	if ((size_t)l >= sizeof(line))
		l = sizeof(line) - 1;
	if (VEC_RESERVE(fs->notes, fs->notes_cap, fs->notes_len + l + 2))
		return;
	memcpy(fs->notes + fs->notes_len, line, l);
	fs->notes_len += l;
	fs->notes[fs->notes_len++] = '\n';
	fs->notes[fs->notes_len] = '\0';
}

static int add_func(struct funcs *fs, const char *name, const char *module,
		    int pos, __u32 id, int nargs)
{
	struct skb_func *k;

	if (strlen(name) >= sizeof(k->name))
		return 0;
	if (VEC_RESERVE(fs->v, fs->cap, fs->n + 1))
		return -ENOMEM;
	k = &fs->v[fs->n++];
	memset(k, 0, sizeof(*k));
	strcpy(k->name, name);
	snprintf(k->module, sizeof(k->module), "%s", module ? module : "");
	k->skb_pos = pos;
	k->btf_id = id;
	k->nargs = nargs;
	return 0;
}

/* Scan one BTF (vmlinux, or a module split on top of it) from first_id. */
static int scan_btf(struct funcs *fs, const struct btf *btf, __u32 first_id,
		    const char *module, const struct nameset *ok,
		    const regex_t *re, int non_skb)
{
	__u32 cnt = btf__type_cnt(btf);
	int ret;

	for (__u32 id = first_id; id < cnt; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const char *name;
		int pos, nargs = 0;

		if (!btf_is_func(t))
			continue;
		pos = skb_pos(btf, id, &nargs);
		/* No skb: kept only under --filter-non-skb-funcs, and only
		 * what the regex names. */
		if (pos == -1 && non_skb && re)
			pos = 0;
		if (pos < 0)
			continue;
		name = btf__name_by_offset(btf, t->name_off);
		if (!name || never_probe(name) || !nameset_has(ok, name))
			continue;
		if (re && regexec(re, name, 0, NULL, 0))
			continue;
		ret = add_func(fs, name, module, pos, id, nargs);
		if (ret)
			return ret;
		fs->v[fs->n - 1].ret_kind = kbtf_ret_kind(btf, id, name);
	}
	return 0;
}

int funcs_essential(const char *name)
{
	return !strcmp(name, "kfree_skb_reason") ||
	       !strcmp(name, "sk_skb_reason_drop") ||
	       !strcmp(name, "kfree_skbmem");
}

/* --exclude-func: take the matching functions out, all but essential(). */
static int exclude(struct funcs *fs, const char *pattern, char *err,
		   size_t errlen)
{
	regex_t ex;
	size_t w = 0, kept = 0;
	int ret;

	if (!pattern)
		return 0;
	ret = regcomp(&ex, pattern, REG_EXTENDED | REG_NOSUB);
	if (ret) {
		char m[128];

		regerror(ret, &ex, m, sizeof(m));
		snprintf(err, errlen, "--exclude-func '%s': %s", pattern, m);
		return -EINVAL;
	}
	for (size_t i = 0; i < fs->n; i++) {
		int match = !regexec(&ex, fs->v[i].name, 0, NULL, 0);

		if (match && funcs_essential(fs->v[i].name))
			kept++;
		if (!match || funcs_essential(fs->v[i].name))
			fs->v[w++] = fs->v[i];
	}
	fs->n = w;
	regfree(&ex);
	if (kept)
		add_note(fs,
			 "--exclude-func: kept the drop and free functions it "
			 "matched%s%s: skbscope needs them",
			 "", "");
	return 0;
}

static int cmp_func(const void *a, const void *b)
{
	const struct skb_func *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->module, y->module);
}

int funcs_discover(const struct btf *vmlinux, const struct funcs_opts *o,
		   struct funcs **out, char *err, size_t errlen)
{
	struct funcs *fs = calloc(1, sizeof(*fs));
	struct nameset ok = { 0 };
	char *text = NULL;
	regex_t re;
	int have_re = 0, ret;
	const char *dir = o->btf_dir ? o->btf_dir : "/sys/kernel/btf";

	if (!fs) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (o->avail) {
		text = strdup(o->avail);
		snprintf(fs->source, sizeof(fs->source),
			 "available_filter_functions");
	} else if (o->kallsyms) {
		text = strdup(o->kallsyms);
		snprintf(fs->source, sizeof(fs->source), "kallsyms");
	} else {
		snprintf(err, errlen,
			 "no list of traceable functions "
			 "(neither available_filter_functions nor kallsyms "
			 "is readable)");
		free(fs);
		return -ENOENT;
	}
	if (!text) {
		snprintf(err, errlen, "out of memory");
		free(fs);
		return -ENOMEM;
	}
	ret = nameset_build(text, !o->avail, &ok);
	if (ret)
		goto out;
	if (o->regex) {
		ret = regcomp(&re, o->regex, REG_EXTENDED | REG_NOSUB);
		if (ret) {
			char m[128];

			regerror(ret, &re, m, sizeof(m));
			snprintf(err, errlen, "--filter-func '%s': %s",
				 o->regex, m);
			ret = -EINVAL;
			goto out;
		}
		have_re = 1;
	}
	ret = scan_btf(fs, vmlinux, 1, NULL, &ok, have_re ? &re : NULL,
		       o->non_skb);
	for (size_t i = 0; !ret && i < o->nkmods; i++) {
		char path[512];
		struct btf *mb;

		snprintf(path, sizeof(path), "%s/%s", dir, o->kmods[i]);
		mb = btf__parse_split(path, (struct btf *)vmlinux);
		if (!mb) {
			add_note(fs, "module %s: no BTF at %s (not loaded?)",
				 o->kmods[i], path);
			continue;
		}
		ret = scan_btf(fs, mb, btf__type_cnt(vmlinux), o->kmods[i], &ok,
			       have_re ? &re : NULL, o->non_skb);
		btf__free(mb);
	}
	if (!ret && o->all_kmods) {
		/* Every module BTF the kernel exposes. */
		DIR *d = opendir(dir);
		struct dirent *de;

		while (d && !ret && (de = readdir(d))) {
			char path[512];
			struct btf *mb;

			if (de->d_name[0] == '.' ||
			    !strcmp(de->d_name, "vmlinux"))
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			mb = btf__parse_split(path, (struct btf *)vmlinux);
			if (!mb)
				continue;
			ret = scan_btf(fs, mb, btf__type_cnt(vmlinux),
				       de->d_name, &ok, have_re ? &re : NULL,
				       o->non_skb);
			btf__free(mb);
		}
		if (d)
			closedir(d);
	}
	if (ret)
		goto out;
	ret = exclude(fs, o->exclude, err, errlen);
	if (ret)
		goto out;
	qsort(fs->v, fs->n, sizeof(*fs->v), cmp_func);
	/* Static functions of the same name appear once per definition in
	 * BTF but can be attached by name only once. */
	{
		size_t w = 0;

		for (size_t i = 0; i < fs->n; i++)
			if (!w || cmp_func(&fs->v[w - 1], &fs->v[i]))
				fs->v[w++] = fs->v[i];
		fs->n = w;
	}
out:
	if (have_re)
		regfree(&re);
	free(ok.v);
	free(text);
	if (ret) {
		if (ret == -ENOMEM)
			snprintf(err, errlen, "out of memory");
		funcs_free(fs);
		return ret;
	}
	*out = fs;
	return 0;
}

void funcs_free(struct funcs *fs)
{
	if (!fs)
		return;
	free(fs->v);
	free(fs->notes);
	free(fs);
}

size_t funcs_count(const struct funcs *fs)
{
	return fs ? fs->n : 0;
}

const struct skb_func *funcs_get(const struct funcs *fs, size_t i)
{
	return fs && i < fs->n ? &fs->v[i] : NULL;
}

const char *funcs_source(const struct funcs *fs)
{
	return fs->source;
}

const char *funcs_notes(const struct funcs *fs)
{
	return fs->notes ? fs->notes : "";
}
