// SPDX-License-Identifier: GPL-2.0
/* The hook table: ids in events <-> hook names and attach state. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/hooks.h"
#include "core/lib/vec.h"

struct hooks {
	struct hook *v;
	size_t n, cap;
};

int hooks_new(struct hooks **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void hooks_free(struct hooks *h)
{
	if (!h)
		return;
	free(h->v);
	free(h);
}

int hooks_add(struct hooks *h, const struct hook *hk)
{
	if (VEC_RESERVE(h->v, h->cap, h->n + 1))
		return -ENOMEM;
	h->v[h->n] = *hk;
	return (int)h->n++;
}

size_t hooks_count(const struct hooks *h)
{
	return h ? h->n : 0;
}

const struct hook *hooks_get(const struct hooks *h, __u32 id)
{
	return h && id < h->n ? &h->v[id] : NULL;
}

int hooks_set_state(struct hooks *h, __u32 id, int attached, const char *why)
{
	struct hook *hk;

	if (!h || id >= h->n)
		return -ENOENT;
	hk = &h->v[id];
	hk->attached = attached;
	snprintf(hk->why, sizeof(hk->why), "%s", why ? why : "");
	return 0;
}

const char *hook_label(const struct hook *hk, char *buf, size_t len)
{
	if (hk->kind == HOOK_TRACEPOINT && hk->group[0])
		snprintf(buf, len, "%s:%s", hk->group, hk->name);
	else if (hk->kind == HOOK_BPFPROG)
		snprintf(buf, len, "bpf:%s#%d", hk->name, hk->skb_pos);
	else
		snprintf(buf, len, "%s", hk->name);
	return buf;
}

void hooks_set_groups(struct hooks *h, const char *list)
{
	const char *line = list;

	while (line && *line) {
		const char *colon = strchr(line, ':');
		const char *end = strchr(line, '\n');
		size_t glen, nlen;

		if (!end)
			end = line + strlen(line);
		if (colon && colon < end) {
			glen = (size_t)(colon - line);
			nlen = (size_t)(end - colon - 1);
			for (size_t i = 0; i < h->n; i++) {
				struct hook *hk = &h->v[i];

				if (hk->kind != HOOK_TRACEPOINT ||
				    hk->group[0] || glen >= sizeof(hk->group) ||
				    strlen(hk->name) != nlen ||
				    strncmp(hk->name, colon + 1, nlen))
					continue;
				memcpy(hk->group, line, glen);
				hk->group[glen] = '\0';
			}
		}
		line = *end ? end + 1 : end;
	}
}

int hooks_find_func(const struct hooks *h, const char *name)
{
	size_t lo = 0, hi = h ? h->n : 0;

	/* Tracepoints come first, functions after them in name order. */
	while (lo < hi && h->v[lo].kind != HOOK_FUNCTION)
		lo++;
	/* BPF programs (HOOK_BPFPROG) come after the functions. */
	while (hi > lo && h->v[hi - 1].kind != HOOK_FUNCTION)
		hi--;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(h->v[mid].name, name);

		if (!c)
			return (int)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}
