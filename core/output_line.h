/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Line mode: one text line per event in pwru's columns (SKB CPU PROCESS
 * NETNS MARK IFACE PROTO MTU LEN TUPLE FUNC), for pipes and for --no-tui.
 */
#ifndef SKBSCOPE_OUTPUT_LINE_H
#define SKBSCOPE_OUTPUT_LINE_H

#include <stddef.h>
#include <linux/types.h>
#include "bpf/events.h"

struct hooks;
struct reasons;
struct ksyms;
struct nsnames;

enum ts_mode {
	TS_NONE,
	TS_CURRENT,  /* kernel monotonic time of the event, ns */
	TS_RELATIVE, /* ns since the previous event of the same skb */
	TS_ABSOLUTE, /* wall clock */
};

struct line_opts {
	int meta; /* NETNS MARK IFACE PROTO MTU LEN */
	int tuple;
	int caller;    /* append the calling function */
	int tcp_flags; /* --output-tcp-flags: "[S.]" after a TCP tuple */
	int tunnel;   /* --output-tunnel: a tunnel's kind, id and inner tuple */
	int xdp_meta; /* XDP hops: append the xdp_buff's fields */
	enum ts_mode ts;
	/* CLOCK_REALTIME - CLOCK_MONOTONIC, ns, for TS_ABSOLUTE */
	long long realtime_offset_ns;
	/* --output-skb-metadata as given ("skb->mark,skb->len"): the names
	 * of each event's nmeta values; NULL or "" for none. */
	const char *meta_names;
	/* Names from line_out_set_names: --output-netns-names shows the
	 * netns by name, --output-cgroup adds the event's cgroup. */
	int netns_names;
	int cgroup;
};

struct line_out;

int line_out_new(const struct line_opts *o, const struct hooks *hooks,
		 const struct reasons *reasons, struct line_out **out);
void line_out_free(struct line_out *lo);
/* Where netns and cgroup names come from (line_opts says which are
 * shown); lo does not own it. */
void line_out_set_names(struct line_out *lo, struct nsnames *n);
/* The netns as shown: its name when asked for and known, else the inode. */
const char *line_netns(const struct line_out *lo, const struct skbs_event *ev,
		       char *buf, size_t len);
/* The event's cgroup as shown ("docker:0123456789ab", a path, or the id),
 * or NULL when the event carries none. */
const char *line_cgroup(const struct line_out *lo, const struct skbs_event *ev,
			char *buf, size_t len);
/* Symbols for drop locations; may be set late (loaded on first need). */
void line_out_set_ksyms(struct line_out *lo, const struct ksyms *ks);

enum ts_mode line_ts_mode(const struct line_out *lo);
/* The names alone: NULL when not asked for (netns) or not known. */
const char *line_netns_name(const struct line_out *lo,
			    const struct skbs_event *ev);
const char *line_cgroup_name(const struct line_out *lo,
			     const struct skbs_event *ev);
/* The options lo was made with. */
const struct line_opts *line_out_opts(const struct line_out *lo);

int line_header(const struct line_out *lo, char *buf, size_t len);
/* Format one event (no trailing newline). Returns the length. */
int line_format(struct line_out *lo, const struct skbs_event *ev, char *buf,
		size_t len);
/* line_format with the event's tail (its header bytes; may be NULL), for
 * what is decoded from them: --output-tunnel's " tunnel ..." at the end. */
int line_format_tail(struct line_out *lo, const struct skbs_event *ev,
		     const char *tail, char *buf, size_t len);
/* A return record (--output-return): the SKB and CPU columns, then
 * "<- FUNC = VALUE (DURATION)", indented by its call depth. kind is the
 * function's enum ret_kind (its hook's, or a recording's). */
int line_return(const struct line_out *lo, const struct skbs_return *r,
		int kind, char *buf, size_t len);
/* Name i of the --output-skb-metadata list into buf ("skb->mark"; "meta<i>"
 * past the list). */
void line_meta_name(const struct line_out *lo, unsigned int i, char *buf,
		    size_t len);
/* The event's --output-skb-metadata values, "skb->mark=0x40 skb->len=0x64"
 * (tail as event_decode gave it); "" when it has none. */
int line_meta(const struct line_out *lo, const struct skbs_event *ev,
	      const char *tail, char *buf, size_t len);
/* --timestamp absolute: the event's wall-clock time with the date, as
 * pwru prints it, "2026-12-02T03:04:05.123" (local time, milliseconds).
 * Returns the length. */
int line_abs_time(const struct line_out *lo, const struct skbs_event *ev,
		  char *buf, size_t len);
/* The event's tuple alone, "10.0.0.1:5000->10.0.0.2:80(udp)", an ARP
 * packet as tcpdump says it ("arp who-has 10.0.0.1 tell 10.0.0.2"), the
 * ethertype of another kind ("lldp(0x88cc)"), or "". */
int line_tuple(const struct skbs_event *ev, char *buf, size_t len);
/* line_tuple, with the TCP flags ("...(tcp)[S.]") when tcp_flags and the
 * event has them. */
int line_tuple_flags(const struct skbs_event *ev, int tcp_flags, char *buf,
		     size_t len);
/* --output-tunnel: "vxlan vni 42 inner 10.1.0.1:5000->10.1.0.2:80(udp)"
 * from the event's header bytes (hdr, hdr_len of them), or "" when they
 * hold no tunnel. */
int line_tunnel(const struct skbs_event *ev, const __u8 *hdr, int tcp_flags,
		char *buf, size_t len);
/* The hook's name as FUNC shows it ("ip_rcv", "skb:kfree_skb",
 * "veth_xmit [veth]"). */
int line_func(const struct line_out *lo, const struct skbs_event *ev, char *buf,
	      size_t len);
/* What an XDP hop (SKBS_EV2_XDP) carries of its xdp_buff, from the
 * event (bpf/bpfprog.bpf.h packs the queue and frame size into location):
 * 0, or -ENOENT for any other event. */
struct xdp_meta {
	__u32 data_len, rxq_ifindex, rxq_queue, frame_sz;
};
int line_xdp_meta(const struct skbs_event *ev, struct xdp_meta *m);
/* A map operation's hop (SKBS_EV2_BPFMAP, --output-bpfmap): "map 12
 * (counts) key[4] 6f1b0000 value[8] 0100000000000000" (name may be NULL
 * or "", the value is left out for a delete or lookup, and bytes past
 * SKBS_MAP_BYTES say "..."), or as a JSON member ("bpfmap":{...}).
 * Returns the length, 0 for any other event. */
int line_bpfmap(const struct skbs_event *ev, const char *tail, const char *name,
		int json, char *buf, size_t len);
/* An address as "function+0xoff", or raw hex without symbols. */
int line_sym(const struct line_out *lo, __u64 addr, char *buf, size_t len);
/* Room for one symbolized address ("function+0xoff [module]"). */
#define LINE_SYM_MAX 160
/* A kernel stack as symbols, innermost first, from the kernel's own code:
 * the frames of our program and the tracepoint's BPF glue are left out.
 * Returns the number of symbols written (at most max). */
int line_stack(const struct line_out *lo, const __u64 *ips, int n,
	       char (*syms)[LINE_SYM_MAX], int max);
/* The comment a pcap-ng packet carries: "FUNC skb=0x... gen=N", then
 * " dropped" and the drop part of FUNC for a drop. */
int line_comment(const struct line_out *lo, const struct skbs_event *ev,
		 char *buf, size_t len);
/* The drop reason's name, or NULL when the event has none or it is
 * unknown to this kernel's BTF. */
const char *line_reason(const struct line_out *lo, const struct skbs_event *ev);
/* Protocol name for an IPPROTO_* number ("tcp", "udp", "icmp", ...). */
const char *line_proto_name(__u8 proto, char *buf, size_t len);

#endif
