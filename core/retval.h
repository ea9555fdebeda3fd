/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a traced function's return value means, from its type and name:
 * errno names for int functions that fail with -E..., true/false, NF_*
 * verdicts for netfilter hooks, NET_RX_* / NET_XMIT_* / NETDEV_TX_* codes,
 * and the verdicts of tc (TC_ACT_*) and XDP (XDP_*) programs.
 * Pure, so line mode, JSON, the explorer and a replay say it alike; the
 * kind is worked out once per function from BTF (core/trace/btf.c) and
 * recorded with each return.
 */
#ifndef SKBSCOPE_RETVAL_H
#define SKBSCOPE_RETVAL_H

#include <stddef.h>
#include <linux/types.h>

enum ret_kind {
	RET_UNKNOWN = 0, /* no BTF: the number */
	RET_VOID,        /* nothing to show but the time */
	RET_INT,         /* signed: negative values are -errno */
	RET_UINT,
	RET_BOOL,
	RET_PTR,        /* NULL, -errno (ERR_PTR) or an address */
	RET_NF_VERDICT, /* NF_DROP, NF_ACCEPT, ... in the low byte */
	RET_NET_RX,     /* NET_RX_SUCCESS, NET_RX_DROP (or -errno) */
	RET_NET_XMIT,   /* NET_XMIT_SUCCESS, _DROP, _CN (or -errno) */
	RET_NETDEV_TX,  /* NETDEV_TX_OK, NETDEV_TX_BUSY */
	RET_GRO,        /* GRO_MERGED, ... */
	RET_LONG,       /* 64-bit signed: -errno, or the number */
	RET_ULONG,      /* 64-bit unsigned (flags, features): hex */
	RET_TC_ACT,     /* a tc program's verdict: TC_ACT_OK, _SHOT, ... */
	RET_XDP,        /* an XDP program's action: XDP_PASS, XDP_DROP, ... */
	RET_KIND_MAX,
};

/* The verdicts that are drops (retval_failed). */
#define RETVAL_TC_ACT_SHOT 2
#define RETVAL_XDP_ABORTED 0
#define RETVAL_XDP_DROP 1

/* The type's class as BTF gives it, for retval_classify. */
enum ret_type {
	RT_VOID,
	RT_SIGNED,     /* int, s32 and smaller */
	RT_UNSIGNED,   /* unsigned int, u32 and smaller */
	RT_SIGNED64,   /* long, s64 */
	RT_UNSIGNED64, /* unsigned long, u64, netdev_features_t */
	RT_BOOL,
	RT_PTR,
	RT_ENUM, /* type_name is the enum's name */
	RT_OTHER,
};

/* The kind for function func returning a type of class t (type_name: the
 * enum or typedef name, may be NULL). */
enum ret_kind retval_classify(enum ret_type t, const char *type_name,
			      const char *func);
/* The value as text ("-EPERM", "NF_DROP", "true", "0x..."); "" for void.
 * Returns buf. */
const char *retval_format(enum ret_kind k, __s64 v, char *buf, size_t len);
/* Is this value a failure, for marking it (negative errno, NF_DROP,
 * NET_RX_DROP, NET_XMIT_DROP, NULL pointer is not)? */
int retval_failed(enum ret_kind k, __s64 v);
/* A duration: "850ns", "41.2us", "3.10ms", "2.00s". Returns buf. */
const char *retval_duration(__u64 ns, char *buf, size_t len);
/* "int", "nf-verdict", ...: recordings and JSON; -1 when unknown. */
const char *retval_kind_name(enum ret_kind k);
int retval_kind_parse(const char *name);

#endif
