/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one definition of what crosses the kernel/user boundary: the event
 * record written to the ring buffer, the filter kept in the config map, and
 * the counters. Included by bpf/skbscope.bpf.c and by user space alike, so it
 * is self-contained: fixed-size integer types, fixed arrays, no pointers.
 * Every multi-byte field is host byte order unless its comment says "be".
 */
#ifndef SKBSCOPE_EVENTS_H
#define SKBSCOPE_EVENTS_H

#define SKBS_IFNAMSIZ 16
#define SKBS_COMM_LEN 16
/* Kernel stack depth kept per stack id (bpf_get_stackid map value). */
#define SKBS_STACK_DEPTH 64
/* Largest tail (header bytes, then --output-skb text) after an event with
 * the default --set-percpu-buf; version-1 recordings never exceed it. */
#define SKBS_TAIL_MAX 4096
/* --set-percpu-buf: bytes for the struct sk_buff text (its NUL included),
 * as pwru's flag; the default is pwru's. The scratch value (event, header
 * bytes, text) is a per-CPU map value, which the kernel keeps under
 * 32 KiB, so the most is a little less. */
#define SKBS_DUMP_DEFAULT 4096
#define SKBS_DUMP_MIN 256
#define SKBS_DUMP_MAX 32000
/* --output-skb-cb: __sk_buff->cb[], five u32 (struct qdisc_skb_cb's
 * data), as pwru shows them. */
#define SKBS_CB_BYTES 20
/*
 * The tail of an event: its header bytes (hdr_len), then, when flags2 has
 * SKBS_EV2_SECTIONS, sections to tail_len, each starting at a multiple of
 * four bytes from the tail's start: a struct skbs_tail_sec and len bytes
 * (text without its NUL for the dumps, SKBS_CB_BYTES raw bytes for the
 * cb). Recordings made before sections have the skb text right after the
 * header bytes (SKBS_EV_SKB_TEXT without SKBS_EV2_SECTIONS).
 */
enum skbs_sec_kind {
	SKBS_SEC_SKB = 1,    /* --output-skb: struct sk_buff as text */
	SKBS_SEC_SHINFO = 2, /* --output-skb-shared-info: its text */
	SKBS_SEC_CB = 3,     /* --output-skb-cb: SKBS_CB_BYTES */
};
#define SKBS_SEC_CUT 1 /* skbs_tail_sec.flags: the text was cut short */
struct skbs_tail_sec {
	__u8 kind;  /* enum skbs_sec_kind */
	__u8 flags; /* SKBS_SEC_CUT */
	__u16 len;  /* bytes after this header */
};
/* Bytes of tail room the scratch value has for dumps of dump bytes of
 * skb text, shinfo of shared-info text (0: not asked) and the cb: the
 * one sum both the programs and the loader use. */
#define SKBS_TAIL_ROOM(dump, shinfo, cb)      \
	(2 * SKBS_SNAP_MAX + 4 + (dump) + 3 + \
	 ((shinfo) ? 4 + (shinfo) + 3 : 0) +  \
	 ((cb) ? 4 + SKBS_CB_BYTES + 3 : 0))
/* Largest tail of any event: a per-CPU map value (the scratch) stays
 * under 32 KiB, and the event takes its 184 bytes of it. */
#define SKBS_TAIL_LIMIT (32768 - 184)
/* Most classic-BPF instructions in one pcap-filter program. */
#define SKBS_CBPF_MAX 256
/* Longest pcap-filter expression text kept for display. */
#define SKBS_PCAP_TEXT 1024

/* One classic BPF instruction, as libpcap emits them (struct sock_filter's
 * layout). */
struct skbs_cbpf_insn {
	__u16 code;
	__u8 jt;
	__u8 jf;
	__u32 k;
};

/* Classic BPF encoding (the ABI of struct sock_filter), for the
 * interpreter in cbpf.bpf.h; core/cbpf.c checks each value against
 * <linux/filter.h>. */
/* clang-format 14 writes "((c)&0x07)" for these: keep the spaces. */
// clang-format off
#define CB_CLASS(c) ((c) & 0x07)
#define CB_LD 0x00
#define CB_LDX 0x01
#define CB_ST 0x02
#define CB_STX 0x03
#define CB_ALU 0x04
#define CB_JMP 0x05
#define CB_RET 0x06
#define CB_MISC 0x07
#define CB_SIZE(c) ((c) & 0x18)
#define CB_W 0x00
#define CB_H 0x08
#define CB_B 0x10
#define CB_MODE(c) ((c) & 0xe0)
#define CB_IMM 0x00
#define CB_ABS 0x20
#define CB_IND 0x40
#define CB_MEM 0x60
#define CB_LEN 0x80
#define CB_MSH 0xa0
#define CB_OP(c) ((c) & 0xf0)
#define CB_ADD 0x00
#define CB_SUB 0x10
#define CB_MUL 0x20
#define CB_DIV 0x30
#define CB_OR 0x40
#define CB_AND 0x50
#define CB_LSH 0x60
#define CB_RSH 0x70
#define CB_NEG 0x80
#define CB_MOD 0x90
#define CB_XOR 0xa0
#define CB_JA 0x00
#define CB_JEQ 0x10
#define CB_JGT 0x20
#define CB_JGE 0x30
#define CB_JSET 0x40
#define CB_SRC(c) ((c) & 0x08)
#define CB_K 0x00
#define CB_X 0x08
#define CB_RVAL(c) ((c) & 0x18)
#define CB_A 0x10
#define CB_MISCOP(c) ((c) & 0xf8)
#define CB_TAX 0x00
#define CB_TXA 0x80
// clang-format on

/* Most header bytes captured per event (--snaplen). */
#define SKBS_SNAP_MAX 128
/* ctx positions 0..4: the skb is looked for among the first five args. */
#define SKBS_MAX_SKB_POS 5

/* Magic loaded by every hook program; user space patches it into the hook id
 * of each attached copy (see core/trace/attach.c). The programs' inline asm
 * spells out SKBS_HOOK_MAGIC_NUM, the bare number: asm takes no ULL. */
#define SKBS_HOOK_MAGIC_NUM 0x5cb5c09e0000beef
#define SKBS_HOOK_MAGIC (SKBS_HOOK_MAGIC_NUM + 0ULL)
/* Hook id of kprobe events on kernels without attach cookies (< 5.15):
 * user space names the hook from the event's ip instead. */
#define SKBS_HOOK_BY_IP 0xffffffffU

enum skbs_rec_type {
	SKBS_REC_EVENT = 1,
	SKBS_REC_RETURN = 2,
};

enum skbs_event_flags {
	SKBS_EV_DROP = 1 << 0,   /* kfree_skb: the skb was dropped */
	SKBS_EV_FREE = 1 << 1,   /* end of this skb's lifetime (drop/consume) */
	SKBS_EV_TUPLE = 1 << 2,  /* saddr..dport below are valid */
	SKBS_EV_REASON = 1 << 3, /* drop_reason is the kernel's own value */
	SKBS_EV_SKB_TEXT = 1 << 4, /* tail holds bpf_snprintf_btf text */
	SKBS_EV_TRACKED = 1 << 5,  /* reported because --filter-track-skb */
	SKBS_EV_HDR_L2 = 1 << 6,   /* header bytes start at the MAC header */
};

/* More event flags: the u8 above is full. */
enum skbs_event_flags2 {
	SKBS_EV2_TCP_FLAGS = 1 << 0, /* tcp_flags is valid */
	SKBS_EV2_CGROUP = 1 << 1,    /* cgroup is valid */
	/* The --output-skb text was cut short: bpf_snprintf_btf wanted more
	 * than --set-percpu-buf leaves it. */
	SKBS_EV2_SKB_CUT = 1 << 2,
	SKBS_EV2_XDP = 1 << 3, /* skb is a struct xdp_buff, not an skb */
	/* The tail has sections after the header bytes (SKBS_TAIL_ROOM). */
	SKBS_EV2_SECTIONS = 1 << 8,
	/* The tuple is an ARP header's (l3_proto ETH_P_ARP): saddr holds the
	 * sender's IPv4 address then its MAC, daddr the target's, sport the
	 * opcode. */
	SKBS_EV2_ARP = 1 << 4,
	SKBS_EV2_VLAN = 1 << 5, /* an 802.1Q/802.1ad tag in the header bytes */
	/* A map update, delete or lookup by a traced tc/XDP program
	 * (--output-bpfmap): aux is the map id, location the key size
	 * (upper 32 bits) and value size (lower; 0 for a delete or
	 * lookup), and the tail (hdr_len 0) holds the key's first bytes,
	 * then the value's, each cut at SKBS_MAP_BYTES. */
	SKBS_EV2_BPFMAP = 1 << 6,
};

/* Most bytes of a map key or value carried by an SKBS_EV2_BPFMAP event. */
#define SKBS_MAP_BYTES 64

/* One hit of one hook on one skb; tail_len bytes follow it. */
struct skbs_event {
	__u32 rec_type; /* SKBS_REC_EVENT */
	__u32 hook;     /* hook id, an index into user space's hook table */
	__u64 skb;      /* address of the struct sk_buff */
	__u64 ts;       /* bpf_ktime_get_ns(): CLOCK_MONOTONIC, ns */
	__u64 location; /* kfree_skb/consume_skb: caller address, else 0 */
	__u32 cpu;
	__u32 pid;         /* tgid of the current task */
	__u32 netns;       /* inode of the skb's network namespace, 0 unknown */
	__u32 mark;        /* skb->mark */
	__u32 ifindex;     /* skb->dev->ifindex, 0 when no device */
	__u32 len;         /* skb->len, bytes */
	__u32 mtu;         /* skb->dev->mtu, 0 when no device */
	__u32 drop_reason; /* enum skb_drop_reason value when SKBS_EV_REASON */
	__s32 stack_id;    /* id in the stacks map, or -errno (-1: not asked) */
	__u16 l3_proto;    /* skb->protocol as ETH_P_* (host order) */
	__u8 l4_proto;     /* IPPROTO_* when SKBS_EV_TUPLE */
	__u8 flags;        /* enum skbs_event_flags */
	__u16 sport;       /* TCP/UDP source port; ICMP: type */
	__u16 dport;       /* TCP/UDP destination port; ICMP: code */
	__u16 tail_len;    /* bytes after this struct, <= SKBS_TAIL_LIMIT */
	__u16 hdr_len;     /* the tail starts with this many header bytes */
	__u8 saddr[16];    /* be; IPv4 uses the first four bytes */
	__u8 daddr[16];    /* be; IPv4 uses the first four bytes */
	char ifname[SKBS_IFNAMSIZ];
	char comm[SKBS_COMM_LEN];
	__u32 gen;    /* lifetime generation: 0 from BPF, set in core */
	__u64 ip;     /* kprobes: address of the probed function */
	__u64 caller; /* kprobes: return address into the caller */
	/* Appended in recording version 2; a version-1 event reads as 0. */
	__u64 cgroup; /* cgroup id: the socket's, else the task's; 0 unknown */
	__u16 flags2; /* enum skbs_event_flags2 */
	__u8 tcp_flags; /* TCP header flags (FIN 0x01 .. CWR 0x80), TCP only */
	__u8 nmeta;     /* --output-skb-metadata values (u64) in the tail */
	__u32 aux; /* per flags2: e.g. the BPF program id of a tc/XDP hop */
};

/*
 * iptables-legacy names no rule to a tracer, but its verdict is the return
 * value of ipt_do_table()/ip6t_do_table(): a kprobe pair on them writes one
 * of these, keyed by skb address, when a table returns NF_DROP. The table
 * name sits somewhere in the first bytes of struct xt_table (its offset
 * moved between kernels and x_tables has no BTF before 5.11), so the raw
 * bytes are kept and user space finds the name in them.
 */
#define SKBS_IPT_TABLE_BYTES 128
struct skbs_ipt_drop {
	__u64 ts;  /* bpf_ktime_get_ns() at the return */
	__u8 hook; /* enum nf_inet_hooks: 0 PREROUTING .. 4 POSTROUTING */
	__u8 pf;   /* NFPROTO_IPV4 (2) or NFPROTO_IPV6 (10) */
	__u8 pad[6];
	__u8 table[SKBS_IPT_TABLE_BYTES]; /* the start of struct xt_table */
};

/* A traced function returned, on function-probe backends with returns on
 * (kretprobe, kretprobe.multi): paired with its entry event by skb and
 * ts_entry, which is that event's ts. */
struct skbs_return {
	__u32 rec_type; /* SKBS_REC_RETURN */
	__u32 hook;     /* the entry event's hook */
	__u64 skb;
	__u64 ts_entry; /* the entry event's ts */
	__u64 ts_exit;  /* bpf_ktime_get_ns() at the return */
	__s64 ret;      /* the return register, as the type leaves it */
	__u32 cpu;
	__u32 depth; /* traced calls open below it on this task, 0 = outermost */
};

enum skbs_filter_flags {
	SKBS_F_MARK = 1 << 0,
	SKBS_F_NETNS = 1 << 1,
	SKBS_F_IFNAME = 1 << 2,
	SKBS_F_PROTO = 1 << 3, /* l4_proto must equal proto */
	SKBS_F_SADDR = 1 << 4,
	SKBS_F_DADDR = 1 << 5,
	SKBS_F_SPORT = 1 << 6,
	SKBS_F_DPORT = 1 << 7,
	SKBS_F_NONE = 1 << 8,  /* match nothing (benchmarks, "pause all") */
	SKBS_F_TRACK = 1 << 9, /* once matched, follow the skb to its end */
	SKBS_F_PCAP = 1 << 10, /* run pcap_l2 / pcap_l3 below */
	/* Leave out skbscope's own nftrace messages (session_set_filter
	 * sets it while the drop explainer may trace). */
	SKBS_F_NO_NFTRACE = 1 << 11,
	/* Some hook is muted: check the muted map (session_set_filter sets
	 * it; without it a hit pays no attach-cookie lookup for it). */
	SKBS_F_MUTED = 1 << 12,
	SKBS_F_SKB_EXPR = 1 << 13, /* run skb_expr (--filter-skb-expr) */
	SKBS_F_XDP_EXPR = 1 << 14, /* run xdp_expr on XDP hops */
	/* --filter-cgroup: the packet's cgroup (bpf/cgroup.bpf.h) must be
	 * the one whose id is cgroup below. */
	SKBS_F_CGROUP = 1 << 20,
	/* Count runs per hook in hook_runs (kprobe families: their run-time
	 * statistics are per program, shared by every function), for the
	 * explorer's functions sorted by cost. */
	SKBS_F_HOOK_RUNS = 1 << 22,
	/* --filter-tunnel-pcap-l2/-l3: run tun_l2 / tun_l3 on the inner
	 * packet of a tunnel (tunnel.bpf.h). */
	SKBS_F_TUN_L2 = 1 << 15,
	SKBS_F_TUN_L3 = 1 << 16,
	/* --filter-track-bpf-helpers: a reported tc/XDP program run leaves
	 * its event for the helper probes (session_set_filter sets it
	 * while they are attached; bpf/bpfprog.bpf.h). */
	SKBS_F_BPF_HELPERS = 1 << 17,
	/* --output-bpfmap: the same, for the map-op probes. */
	SKBS_F_BPFMAP = 1 << 18,
	/* --filter-track-skb-by-stackid: kept hits remember their kernel
	 * stack id, and a rejected hit whose stack id is remembered is
	 * kept (bpf/stackid.bpf.h). Only with SKBS_F_TRACK. */
	SKBS_F_STACKID = 1 << 19,
};

enum skbs_output_flags {
	SKBS_O_STACK = 1 << 0,  /* collect a kernel stack id */
	SKBS_O_SKB = 1 << 1,    /* dump struct sk_buff text into the tail */
	SKBS_O_CALLER = 1 << 2, /* kprobes: read the return address */
	SKBS_O_META = 1 << 3,   /* --output-skb-metadata: read meta[] */
	SKBS_O_SHINFO = 1 << 8, /* struct skb_shared_info text in the tail */
	SKBS_O_CB = 1 << 9,     /* __sk_buff->cb[] in the tail */
	/* User space only: the programs read both whatever these say. */
	SKBS_O_TUNNEL = 1 << 4,    /* --output-tunnel */
	SKBS_O_TCP_FLAGS = 1 << 5, /* --output-tcp-flags */
};

/*
 * Expressions on kernel structs (--filter-skb-expr, --filter-xdp-expr,
 * --output-skb-metadata), compiled in user space against the kernel's BTF
 * (core/skbexpr.c) and run by bpf/exprvm.bpf.h. A field is a path of loads
 * from the base (the skb or xdp_buff address): hops - 1 pointer loads at
 * off[0..hops-2], then a size-byte load at off[hops-1]. Little endian.
 */
#define SKBS_EXPR_HOPS 4   /* pointer loads + 1 in one field path */
#define SKBS_EXPR_INSNS 32 /* instructions in one expression */
#define SKBS_EXPR_FIELDS 8 /* fields one expression reads */
#define SKBS_EXPR_STACK 8  /* operand stack depth */
#define SKBS_EXPR_TEXT 256 /* expression text kept for display */
#define SKBS_META_MAX 4    /* --output-skb-metadata fields */

enum skbs_field_flags {
	SKBS_FLD_SIGNED = 1 << 0, /* sign-extend the final load */
};

struct skbs_field {
	__u32 off[SKBS_EXPR_HOPS]; /* bytes, from the pointer of that hop */
	__u8 hops;                 /* 1..SKBS_EXPR_HOPS */
	__u8 size;                 /* final load: 1, 2, 4 or 8 bytes */
	__u8 flags;                /* enum skbs_field_flags */
	__u8 bit_shift;            /* bitfield: right shift after the load */
	__u8 bit_width;            /* bitfield: bits kept, 0: the whole load */
	__u8 pad[3];
};

/* A stack machine; every value is a u64 (signed ones sign-extended). */
enum skbs_expr_op {
	SKBS_XOP_PUSH = 1, /* push imm */
	SKBS_XOP_FIELD,    /* push fields[arg] read from the base */
	SKBS_XOP_EQ,       /* pop b, pop a, push a OP b (0 or 1) */
	SKBS_XOP_NE,
	SKBS_XOP_LT, /* unsigned */
	SKBS_XOP_LE,
	SKBS_XOP_GT,
	SKBS_XOP_GE,
	SKBS_XOP_SLT, /* signed */
	SKBS_XOP_SLE,
	SKBS_XOP_SGT,
	SKBS_XOP_SGE,
	SKBS_XOP_BAND, /* a & b */
	SKBS_XOP_LAND, /* a && b (both evaluated: loads have no effects) */
	SKBS_XOP_LOR,
	SKBS_XOP_NOT,  /* !a */
	SKBS_XOP_NEG,  /* -a */
	SKBS_XOP_BNOT, /* ~a */
	SKBS_XOP_MAX,
};

struct skbs_expr_insn {
	__u8 op;  /* enum skbs_expr_op */
	__u8 arg; /* SKBS_XOP_FIELD: index into fields */
	__u8 pad[6];
	__u64 imm; /* SKBS_XOP_PUSH: the literal */
};

struct skbs_expr {
	__u8 n; /* instructions; the value left on top is the verdict */
	__u8 nfields;
	__u8 pad[6];
	struct skbs_expr_insn insn[SKBS_EXPR_INSNS];
	struct skbs_field fields[SKBS_EXPR_FIELDS];
};

/* One slot of the config map. The programs read the slot named by the
 * active index on every event, so user space can change it while tracing. */
struct skbs_filter {
	__u32 flags;  /* enum skbs_filter_flags: which fields apply */
	__u32 output; /* enum skbs_output_flags */
	__u32 mark;   /* match when (skb->mark & mark_mask) == mark */
	__u32 mark_mask;
	__u32 netns;       /* netns inode */
	__u8 proto;        /* IPPROTO_* */
	__u8 saddr_family; /* 4 or 6 */
	__u8 daddr_family; /* 4 or 6 */
	__u8 saddr_plen;   /* prefix length, bits */
	__u8 daddr_plen;
	__u8 pad1;
	__u16 sport;    /* host order */
	__u16 dport;    /* host order */
	__u16 snaplen;  /* header bytes to capture, <= SKBS_SNAP_MAX */
	__u8 saddr[16]; /* be, already masked to the prefix */
	__u8 daddr[16]; /* be, already masked to the prefix */
	char ifname[SKBS_IFNAMSIZ];
	/* A pcap-filter expression compiled twice by libpcap: for packets
	 * seen from their Ethernet header, and from their IP header. */
	__u16 pcap_len_l2; /* instructions used */
	__u16 pcap_len_l3;
	__u32 pcap_pad;
	struct skbs_cbpf_insn pcap_l2[SKBS_CBPF_MAX];
	struct skbs_cbpf_insn pcap_l3[SKBS_CBPF_MAX];
	/* The expression as the user wrote it, for display; the programs
	 * never read it. */
	char pcap_text[SKBS_PCAP_TEXT];
	/* Appended for issue #16's expressions (bpf/exprvm.bpf.h): a
	 * verdict on the skb, one on the xdp_buff of XDP hops, and up to
	 * SKBS_META_MAX fields read into the event tail (SKBS_O_META). */
	struct skbs_expr skb_expr;
	struct skbs_expr xdp_expr;
	__u8 nmeta;
	__u8 meta_pad[7];
	struct skbs_field meta[SKBS_META_MAX];
	/* As the user wrote them, for display; the programs never read
	 * them. */
	char skb_expr_text[SKBS_EXPR_TEXT];
	char xdp_expr_text[SKBS_EXPR_TEXT];
	char meta_text[SKBS_EXPR_TEXT]; /* --output-skb-metadata's list */
	/* Fields added later go here, at the end. */
	__u64 cgroup; /* SKBS_F_CGROUP: cgroup v2 id (its inode number) */
	/* --filter-tunnel-pcap-l2/-l3: pcap expressions on the inner packet
	 * of a tunnel, from its Ethernet header (l2) or its IP header (l3),
	 * and their text for display. */
	__u16 tun_len_l2;
	__u16 tun_len_l3;
	__u32 tun_pad;
	struct skbs_cbpf_insn tun_l2[SKBS_CBPF_MAX];
	struct skbs_cbpf_insn tun_l3[SKBS_CBPF_MAX];
	char tun_text_l2[SKBS_PCAP_TEXT];
	char tun_text_l3[SKBS_PCAP_TEXT];
};

/* Hook ids below this can be muted live (the muted map). */
#define SKBS_MUTE_MAX 16384

/* Per-CPU counters (an array map indexed by these). */
enum skbs_counter {
	SKBS_C_SEEN = 0,  /* hook hits with a readable skb */
	SKBS_C_MATCHED,   /* hits that passed the filter */
	SKBS_C_LOST,      /* matched but the ring buffer was full */
	SKBS_C_STACK_ERR, /* bpf_get_stackid failed (collision or full) */
	SKBS_C_RET,       /* return records written */
	SKBS_C_RET_LOST,  /* return records the full ring buffer refused */
	SKBS_C_MAX,
};

#endif
