/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Filter text <-> struct skbs_filter: the values of the --filter-* flags,
 * and one line of filter text ("dst 10.0.0.2 and dport 80 and proto tcp")
 * in the same terms. Errors name the bad value.
 */
#ifndef SKBSCOPE_FILTER_H
#define SKBSCOPE_FILTER_H

#include <stddef.h>
#include <linux/types.h>
#include "bpf/events.h"
#include "core/nsnames.h"

/* Match everything. */
void filter_init(struct skbs_filter *f);

/* Each returns 0, or -EINVAL with a message in err naming the value. */
int filter_set_addr(struct skbs_filter *f, int dst, const char *text, char *err,
		    size_t errlen);
int filter_set_port(struct skbs_filter *f, int dst, const char *text, char *err,
		    size_t errlen);
int filter_set_proto(struct skbs_filter *f, const char *text, char *err,
		     size_t errlen);
int filter_set_mark(struct skbs_filter *f, const char *text, char *err,
		    size_t errlen);
/* An inode, a path (/proc/PID/ns/net) or a name in netns_dir. */
int filter_set_netns(struct skbs_filter *f, const char *text,
		     const char *netns_dir, char *err, size_t errlen);
int filter_set_ifname(struct skbs_filter *f, const char *text, char *err,
		      size_t errlen);
/* Where --filter-cgroup paths are looked up: the cgroup v2 mount. */
#define CGROUP_ROOT nsnames_cgroup_root()
/* A cgroup v2 directory (a path under root, with or without it) or its
 * id: the packet's cgroup must be that one (not one below it). */
int filter_set_cgroup(struct skbs_filter *f, const char *text, const char *root,
		      char *err, size_t errlen);

/* --filter-skb-expr (root SKBEXPR_SKB) or --filter-xdp-expr
 * (SKBEXPR_XDP): compiled against skbexpr_types_get() (core/skbexpr.h). */
int filter_set_expr(struct skbs_filter *f, int root, const char *text,
		    char *err, size_t errlen, int *bad_off);
/* --output-skb-metadata: up to SKBS_META_MAX field paths, split at
 * commas; sets SKBS_O_META. */
int filter_set_meta(struct skbs_filter *f, const char *text, char *err,
		    size_t errlen);

/*
 * One line: terms "src|dst ADDR[/LEN]", "sport|dport PORT", "proto P",
 * "mark M[/MASK]", "netns NS", "ifname|dev NAME", "cgroup PATH", "skb EXPR"
 * (an expression on struct sk_buff, also written bare: "skb->mark == 0x40";
 * it runs to the next " and " outside parentheses), joined by "and" or
 * "&&".
 * The first term that is not one of these (or "pcap EXPR") starts a
 * pcap-filter expression that runs to the end of the line and is ANDed
 * with the terms before it.
 * Empty text matches everything. On error f is untouched, err names the
 * token and *bad_off (if given) is its byte offset. What f captures
 * (output, snaplen) and --filter-track-skb are kept.
 */
int filter_parse(const char *text, const char *netns_dir, struct skbs_filter *f,
		 char *err, size_t errlen, int *bad_off);
/* The filter in filter_parse's syntax; "" when it matches everything. */
int filter_format(const struct skbs_filter *f, char *buf, size_t len);

#endif
