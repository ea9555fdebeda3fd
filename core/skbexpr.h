/* SPDX-License-Identifier: GPL-2.0 */
/*
 * C-like expressions on kernel structs ("skb->mark == 0x40 && skb->dev->
 * ifindex == 3"), compiled into struct skbs_expr for bpf/exprvm.bpf.h,
 * and field paths ("skb->mark") for --output-skb-metadata. Field offsets,
 * sizes and signedness come from a type source (the kernel's BTF, through
 * core/trace/btf.c; tests bring their own), so this module needs no libbpf.
 */
#ifndef SKBSCOPE_SKBEXPR_H
#define SKBSCOPE_SKBEXPR_H

#include <stddef.h>
#include <linux/types.h>
#include "bpf/events.h"

enum skbexpr_kind {
	SKBEXPR_INT = 1, /* integer or enum */
	SKBEXPR_PTR,
	SKBEXPR_STRUCT, /* struct or union */
	SKBEXPR_OTHER,  /* array, float, function ... */
};

/* A type with typedefs and qualifiers stripped. */
struct skbexpr_type {
	enum skbexpr_kind kind;
	__u32 size;    /* bytes */
	int is_signed; /* SKBEXPR_INT */
	__u32 target;  /* SKBEXPR_PTR: the pointee's id, stripped */
	char name[64]; /* for messages: "unsigned int", "struct net_device" */
};

struct skbexpr_member {
	__u32 type;     /* the member's type id */
	__u32 bit_off;  /* from the start of the struct */
	__u32 bit_size; /* bitfield width, 0 for a whole member */
};

/* Where the compiler learns the kernel's types. Each returns 0 or -errno
 * (-ENOENT: no such struct or member) with a message in err. */
struct skbexpr_types {
	void *ctx;
	/* The id of "struct name". */
	int (*root)(void *ctx, const char *name, __u32 *id, char *err,
		    size_t errlen);
	int (*type)(void *ctx, __u32 id, struct skbexpr_type *out, char *err,
		    size_t errlen);
	/* Member name of struct/union id, looked for through anonymous
	 * members too (bit_off then adds up). */
	int (*member)(void *ctx, __u32 id, const char *name,
		      struct skbexpr_member *out, char *err, size_t errlen);
};

/* What an expression is about: its root word and struct. */
enum skbexpr_root {
	SKBEXPR_SKB, /* skb: struct sk_buff */
	SKBEXPR_XDP, /* xdp: struct xdp_buff */
};

/* The type source filter_parse and the flags use (set once by the
 * program; NULL: expressions are refused with "no kernel BTF"). */
void skbexpr_use_types(const struct skbexpr_types *t);
const struct skbexpr_types *skbexpr_types_get(void);

/*
 * Compile text into *out. Returns 0, or -EINVAL with a message naming the
 * bad part ("skb->nosuch: struct sk_buff has no member nosuch") and, if
 * bad_off is given, its byte offset in text.
 */
int skbexpr_compile(const struct skbexpr_types *t, enum skbexpr_root root,
		    const char *text, struct skbs_expr *out, char *err,
		    size_t errlen, int *bad_off);

/* One field path ("skb->dev->ifindex") of an integer or a pointer. */
int skbexpr_field(const struct skbexpr_types *t, enum skbexpr_root root,
		  const char *text, struct skbs_field *out, char *err,
		  size_t errlen);

/* A fake memory map for running programs in user space: n regions. */
struct skbexpr_region {
	__u64 addr;
	const void *data;
	size_t len;
};

/* Run e with base as the struct's address over the regions, with the
 * kernel's steps: the verdict (nonzero keeps). */
__u64 skbexpr_run(const struct skbs_expr *e, __u64 base,
		  const struct skbexpr_region *mem, size_t n);
/* Read one field as the kernel does for --output-skb-metadata. */
__u64 skbexpr_read(const struct skbs_field *f, __u64 base,
		   const struct skbexpr_region *mem, size_t n);

#endif
