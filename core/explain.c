// SPDX-License-Identifier: GPL-2.0
/* The explanation record (explain.h): names of kinds, text and fields. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "core/explain.h"

static const char *const kind_names[EXPLAIN_KIND_MAX] = {
	[EXPLAIN_NONE] = "none",
	[EXPLAIN_REASON] = "reason",
	[EXPLAIN_NFT_RULE] = "nft-rule",
	[EXPLAIN_NFT_POLICY] = "nft-policy",
	[EXPLAIN_NFT_LEGACY] = "iptables-legacy",
	[EXPLAIN_NO_SOCKET] = "no-socket",
	[EXPLAIN_ROUTE] = "route",
	[EXPLAIN_RPFILTER] = "rp-filter",
	[EXPLAIN_QUEUE] = "queue",
	[EXPLAIN_PENDING] = "pending",
	[EXPLAIN_UNAVAILABLE] = "unavailable",
	[EXPLAIN_BPF_PROG] = "bpf-prog",
};

const char *explain_kind_name(enum explain_kind k)
{
	return (unsigned)k < EXPLAIN_KIND_MAX ? kind_names[k] : "none";
}

int explain_kind_parse(const char *name)
{
	for (int k = 0; k < EXPLAIN_KIND_MAX; k++)
		if (!strcmp(kind_names[k], name))
			return k;
	return -1;
}

void explain_set(struct explain *e, enum explain_kind k, const char *fmt, ...)
{
	va_list ap;

	e->kind = k;
	va_start(ap, fmt);
	vsnprintf(e->text, sizeof(e->text), fmt, ap);
	va_end(ap);
}

int explain_add(struct explain *e, const char *key, const char *fmt, ...)
{
	struct explain_field *f;
	va_list ap;

	if (e->nfields >= EXPLAIN_FIELDS)
		return -ENOSPC;
	f = &e->f[e->nfields++];
	snprintf(f->key, sizeof(f->key), "%s", key);
	va_start(ap, fmt);
	vsnprintf(f->val, sizeof(f->val), fmt, ap);
	va_end(ap);
	return 0;
}

const char *explain_get(const struct explain *e, const char *key)
{
	for (unsigned i = 0; i < e->nfields && i < EXPLAIN_FIELDS; i++)
		if (!strcmp(e->f[i].key, key))
			return e->f[i].val;
	return NULL;
}
