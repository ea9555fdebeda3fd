// SPDX-License-Identifier: GPL-2.0
/*
 * Reads the whole file in one go and keeps names in one arena: /proc/kallsyms
 * has ~200k lines and this runs while the user waits for the first drop.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/ksyms.h"
#include "core/lib/vec.h"
#include "core/textfile.h"

#define KALLSYMS_MAX (256u << 20)

struct ksym {
	__u64 addr;
	__u32 name;   /* offset in the arena */
	__u32 module; /* offset in the arena, 0: vmlinux */
};

struct ksyms {
	struct ksym *v;
	size_t n;
	char *arena; /* the file itself, cut into strings in place */
	/* Tables from ksyms_new_empty grow one symbol at a time; these stay
	 * 0 for loaded ones, which ksyms_add refuses. */
	size_t cap;
	size_t arena_len, arena_cap;
};

static int cmp_ksym(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

int ksyms_load(const char *path, struct ksyms **out)
{
	struct ksyms *ks = calloc(1, sizeof(*ks));
	size_t len = 0, cap = 0, zero = 0, lines = 0;
	char *p, *end;
	int ret;

	if (!ks)
		return -ENOMEM;
	/* Leading NUL: arena offset 0 means "no module". */
	ret = textfile_read(path, KALLSYMS_MAX, 1, &ks->arena, &len);
	if (ret) {
		free(ks);
		return ret;
	}
	p = ks->arena + 1;
	end = ks->arena + 1 + len;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p)), *q, *name;
		char type;
		__u64 addr;

		if (!nl)
			nl = end;
		*nl = '\0';
		addr = strtoull(p, &q, 16);
		if (q == p || q[0] != ' ' || !q[1] || q[2] != ' ')
			goto next;
		type = q[1];
		name = q + 3;
		lines++;
		if (!addr) {
			zero++;
			goto next;
		}
		if (type != 't' && type != 'T' && type != 'w' && type != 'W')
			goto next;
		/* ~200k symbols: a big first step. */
		if (VEC_RESERVE(ks->v, cap,
				ks->n < 65536 ? 65536 : ks->n + 1)) {
			ksyms_free(ks);
			return -ENOMEM;
		}
		ks->v[ks->n].addr = addr;
		ks->v[ks->n].module = 0;
		/* "name\t[module]" */
		q = strchr(name, '\t');
		if (q) {
			*q++ = '\0';
			if (*q == '[') {
				char *rb = strchr(++q, ']');

				if (rb)
					*rb = '\0';
				ks->v[ks->n].module = (__u32)(q - ks->arena);
			}
		}
		ks->v[ks->n].name = (__u32)(name - ks->arena);
		ks->n++;
next:
		p = nl + 1;
	}
	if (!ks->n) {
		ret = lines && zero == lines ? -EPERM : -ENOENT;
		ksyms_free(ks);
		return ret;
	}
	qsort(ks->v, ks->n, sizeof(*ks->v), cmp_ksym);
	*out = ks;
	return 0;
}

void ksyms_free(struct ksyms *ks)
{
	if (!ks)
		return;
	free(ks->v);
	free(ks->arena);
	free(ks);
}

/* How many symbols start at or below addr: the one containing addr, if
 * any, is the last of them. */
static size_t starts_upto(const struct ksyms *ks, __u64 addr)
{
	size_t lo = 0, hi = ks ? ks->n : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ks->v[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const char *ksyms_lookup(const struct ksyms *ks, __u64 addr, __u64 *off,
			 const char **module)
{
	size_t lo = starts_upto(ks, addr);
	const struct ksym *k;

	if (!lo)
		return NULL;
	k = &ks->v[lo - 1];
	if (off)
		*off = addr - k->addr;
	if (module)
		*module = k->module ? ks->arena + k->module : NULL;
	return ks->arena + k->name;
}

int ksyms_format(const struct ksyms *ks, __u64 addr, char *buf, size_t len)
{
	const char *mod, *name;
	__u64 off;

	name = ksyms_lookup(ks, addr, &off, &mod);
	if (!name)
		return snprintf(buf, len, "0x%llx", (unsigned long long)addr);
	if (mod)
		return snprintf(buf, len, "%s+0x%llx [%s]", name,
				(unsigned long long)off, mod);
	return snprintf(buf, len, "%s+0x%llx", name, (unsigned long long)off);
}

__u64 ksyms_addr(const struct ksyms *ks, const char *name)
{
	for (size_t i = 0; ks && i < ks->n; i++)
		if (!strcmp(ks->arena + ks->v[i].name, name))
			return ks->v[i].addr;
	return 0;
}

size_t ksyms_count(const struct ksyms *ks)
{
	return ks ? ks->n : 0;
}

int ksyms_new_empty(struct ksyms **out)
{
	struct ksyms *ks = calloc(1, sizeof(*ks));

	if (!ks)
		return -ENOMEM;
	/* Leading NUL, as in ksyms_load: arena offset 0 means vmlinux. */
	ks->arena_cap = 4096;
	ks->arena = calloc(1, ks->arena_cap);
	if (!ks->arena) {
		free(ks);
		return -ENOMEM;
	}
	ks->arena_len = 1;
	*out = ks;
	return 0;
}

/* Copy s into the arena; its offset, or 0 when it does not fit. */
static __u32 arena_add(struct ksyms *ks, const char *s)
{
	size_t len = strlen(s) + 1;
	__u32 off;

	if (len > (__u32)-1 - ks->arena_len)
		return 0;
	if (vec_reserve((void **)&ks->arena, &ks->arena_cap,
			ks->arena_len + len, 1))
		return 0;
	off = (__u32)ks->arena_len;
	memcpy(ks->arena + off, s, len);
	ks->arena_len += len;
	return off;
}

int ksyms_add(struct ksyms *ks, __u64 addr, const char *name,
	      const char *module)
{
	size_t lo;
	struct ksym k = { .addr = addr };

	if (!ks->arena_len || !addr || !name)
		return -EINVAL;
	/* Insertion point: the first symbol above addr. Lookups may come
	 * between additions, so the table is kept sorted all along. */
	lo = starts_upto(ks, addr);
	if (lo && ks->v[lo - 1].addr == addr)
		return -EEXIST;
	if (VEC_RESERVE(ks->v, ks->cap, ks->n + 1))
		return -ENOMEM;
	k.name = arena_add(ks, name);
	if (!k.name)
		return -ENOMEM;
	if (module && *module) {
		k.module = arena_add(ks, module);
		if (!k.module)
			return -ENOMEM;
	}
	memmove(&ks->v[lo + 1], &ks->v[lo], (ks->n - lo) * sizeof(*ks->v));
	ks->v[lo] = k;
	ks->n++;
	return 0;
}

int ksyms_first_kernel_frame(const struct ksyms *ks, const __u64 *ips, int n)
{
	int first = 0;

	while (ks && first < n) {
		const char *mod, *nm;

		nm = ksyms_lookup(ks, ips[first], NULL, &mod);
		if (!(mod && !strcmp(mod, "bpf")) &&
		    !(nm && (!strncmp(nm, "bpf_trace_run", 13) ||
			     !strncmp(nm, "__bpf_trace_", 12))))
			break;
		first++;
	}
	return first;
}
