/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Command-line flags, pwru's names included, into one struct. Pure: tests
 * drive it with argv arrays and check the messages.
 */
#ifndef SKBSCOPE_CLI_H
#define SKBSCOPE_CLI_H

#include <stddef.h>
#include <linux/types.h>
#include "bpf/events.h"
#include "core/output_line.h"
#include "core/outfile.h"

struct cli {
	struct skbs_filter filter;
	const char *backend; /* auto kprobe-multi kprobe fentry tracepoint */
	const char *func_regex;
	const char *exclude_regex; /* --exclude-func */
	const char *ready_file;
	const char *netns_dir; /* where --filter-netns NAME is looked up */
	__u64 ringbuf_bytes;
	long long limit_lines; /* 0: no limit */
	int meta, tuple, stack, skb, caller;
	int returns; /* --output-return */
	int track_skb;
	int track_stackid;     /* --filter-track-skb-by-stackid */
	int non_skb;           /* --filter-non-skb-funcs */
	const char *kmods[64]; /* --kmods, split at commas */
	size_t nkmods;
	int all_kmods;
	int list_funcs;
	int show_failed;
	enum ts_mode ts;
	int no_tui;
	int no_color, no_mouse;
	int no_explain;     /* --no-explain: touch no ruleset, ask nothing */
	const char *keymap; /* NAME or PATH */
	__u64 max_packets;
	int demo;
	int snaplen; /* -1: not given */
	int list_hooks;
	int json;                /* --output-json */
	const char *output_file; /* --output-file PATH: lines/JSON there */
	const char *output_pcap; /* --output-pcap PATH: pcap-ng */
	const char *record;      /* --record PATH */
	const char *replay;      /* --replay PATH: no BPF, no root */
	/* tc/XDP programs (issue 16) */
	int trace_tc, trace_xdp; /* --filter-trace-tc, --filter-trace-xdp */
	int xdp_meta;            /* --output-xdp-metadata */
	int bpf_helpers;         /* --filter-track-bpf-helpers */
	int bpfmap;              /* --output-bpfmap */
	size_t kprobe_batch;     /* --filter-kprobe-batch; 0: one link */
	int help, version;
	/* Issue #16's expressions: compiled once every flag is read, since
	 * --kernel-btf may come after them. */
	const char *skb_expr;   /* --filter-skb-expr */
	const char *xdp_expr;   /* --filter-xdp-expr */
	const char *skb_meta;   /* --output-skb-metadata */
	const char *kernel_btf; /* --kernel-btf PATH */
	/* Outputs of issue 16 (rotation, netns names, cgroups, dumps) */
	struct outfile_rot_opts rot; /* --output-file-max-size ... */
	const char *rot_flag;        /* one of them, given without a file */
	int debug;                   /* --debug: libbpf and attach talk */
	unsigned dump_room;          /* --set-percpu-buf; 0: the default */
	int netns_names;             /* --output-netns-names */
	unsigned netns_names_max;    /* --netns-names-max-length */
	int cgroup;                  /* --output-cgroup */
	int shinfo;                  /* --output-skb-shared-info */
	int skb_cb;                  /* --output-skb-cb */
	/* --output-tcp-flags, --output-tunnel */
	int tcp_flags, tunnel;
};

/*
 * Parse argv into c. Returns 0, or -EINVAL with one line in err naming the
 * flag and the bad value (exit status 2). Resets getopt state, so it can be
 * called more than once.
 */
int cli_parse(int argc, char **argv, struct cli *c, char *err, size_t errlen);
/* The usage text. */
const char *cli_usage(void);

#endif
