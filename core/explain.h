/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An explanation of one drop: what kind of answer it is, one sentence for a
 * person, and named fields for JSON and the detail pane. Pure data, so the
 * outputs, the store and recordings carry it without knowing where it came
 * from (core/explain/ asks the kernel; a replay reads it back).
 */
#ifndef SKBSCOPE_EXPLAIN_H
#define SKBSCOPE_EXPLAIN_H

#include <stddef.h>

#define EXPLAIN_TEXT 256
#define EXPLAIN_FIELDS 12
#define EXPLAIN_KEY 16
#define EXPLAIN_VAL 192

enum explain_kind {
	EXPLAIN_NONE = 0,    /* nothing known (yet) */
	EXPLAIN_REASON,      /* the kernel's meaning of the drop reason only */
	EXPLAIN_NFT_RULE,    /* a netfilter rule's verdict */
	EXPLAIN_NFT_POLICY,  /* a base chain's policy: no rule matched */
	EXPLAIN_NFT_LEGACY,  /* iptables-legacy: table and chain, no rule */
	EXPLAIN_NO_SOCKET,   /* nothing listens there; what listens nearby */
	EXPLAIN_ROUTE,       /* the route lookup that decided it */
	EXPLAIN_RPFILTER,    /* reverse-path filter settings and route back */
	EXPLAIN_QUEUE,       /* a full socket or qdisc queue, limit and drops */
	EXPLAIN_PENDING,     /* set up on this drop: the next ones are named */
	EXPLAIN_UNAVAILABLE, /* the kernel or privileges refused: text says */
	EXPLAIN_BPF_PROG,    /* a tc BPF program's verdict (TC_ACT_SHOT) */
	EXPLAIN_KIND_MAX,
};

struct explain_field {
	char key[EXPLAIN_KEY]; /* JSON key: "table", "chain", "handle" */
	char val[EXPLAIN_VAL];
};

struct explain {
	enum explain_kind kind;
	/* One line, e.g. "dropped by rule 4 of ip filter OUTPUT: ip daddr
	 * 10.0.0.2 udp dport 7001 counter drop". */
	char text[EXPLAIN_TEXT];
	unsigned nfields;
	struct explain_field f[EXPLAIN_FIELDS];
};

/* "nft-rule", "no-socket", ...: the JSON and recording name of a kind;
 * explain_kind_parse is its inverse (-1 when unknown). */
const char *explain_kind_name(enum explain_kind k);
int explain_kind_parse(const char *name);
/* Set the text (printf-style; cut to fit, never overflowing). */
void explain_set(struct explain *e, enum explain_kind k, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Add a field; -ENOSPC when all EXPLAIN_FIELDS are used (values are cut to
 * fit). */
int explain_add(struct explain *e, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The value of field key, or NULL. */
const char *explain_get(const struct explain *e, const char *key);

#endif
