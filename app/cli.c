// SPDX-License-Identifier: GPL-2.0
/* Flag parsing with getopt_long; every bad value is named in the error. */
#include <errno.h>
#include <getopt.h>
#include <regex.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/cli.h"
#include "core/pcapexpr.h"
#include "core/filter.h"
#include "core/skbexpr.h"
#include "core/trace/exprbtf.h"

/* Longer than any list of function names needs; see OPT_FUNC. */
#define FUNC_REGEX_MAX 4096

enum {
	OPT_SRC_IP = 256,
	OPT_DST_IP,
	OPT_SRC_PORT,
	OPT_DST_PORT,
	OPT_PROTO,
	OPT_MARK,
	OPT_NETNS,
	OPT_IFNAME,
	OPT_FUNC,
	OPT_META,
	OPT_TUPLE,
	OPT_STACK,
	OPT_SKB,
	OPT_REL_TS,
	OPT_TIMESTAMP,
	OPT_LIMIT,
	OPT_READY,
	OPT_RINGBUF,
	OPT_NO_TUI,
	OPT_BACKEND,
	OPT_LIST,
	OPT_VERSION,
	OPT_CALLER,
	OPT_RETURN,
	OPT_EXCLUDE,
	OPT_TRACK,
	OPT_KMODS,
	OPT_ALL_KMODS,
	OPT_LIST_FUNCS,
	OPT_SHOW_FAILED,
	OPT_NO_COLOR,
	OPT_NO_MOUSE,
	OPT_NO_EXPLAIN,
	OPT_KEYMAP,
	OPT_MAX_PACKETS,
	OPT_DEMO,
	OPT_SNAPLEN,
	OPT_JSON,
	OPT_OUTPUT_FILE,
	OPT_OUTPUT_PCAP,
	OPT_RECORD,
	OPT_REPLAY,
	/* skb/xdp expressions, metadata and --kernel-btf (issue #16) */
	OPT_SKB_EXPR,
	OPT_XDP_EXPR,
	OPT_SKB_META,
	OPT_KERNEL_BTF,
	/* outputs of issue 16: rotation, netns names, cgroups, dumps */
	OPT_ROT_SIZE,
	OPT_ROT_BACKUPS,
	OPT_ROT_AGE,
	OPT_ROT_COMPRESS,
	OPT_DEBUG,
	OPT_PERCPU_BUF,
	OPT_NETNS_NAMES,
	OPT_NETNS_NAMES_MAX,
	OPT_OUT_CGROUP,
	OPT_FILTER_CGROUP,
	OPT_SHINFO,
	OPT_SKB_CB,
	/* Tunnels and TCP flags (issue 16) */
	OPT_TUN_L2,
	OPT_TUN_L3,
	OPT_TCP_FLAGS,
	OPT_TUNNEL,
	/* tc/XDP programs, their helpers and maps (issue 16) */
	OPT_TRACE_TC,
	OPT_TRACE_XDP,
	OPT_XDP_META,
	OPT_KPROBE_BATCH,
	OPT_TRACK_HELPERS,
	OPT_BPFMAP,
	OPT_TRACK_STACKID,
	OPT_NON_SKB_FUNCS,
};

static const struct option options[] = {
	{ "filter-src-ip", required_argument, NULL, OPT_SRC_IP },
	{ "filter-dst-ip", required_argument, NULL, OPT_DST_IP },
	{ "filter-src-port", required_argument, NULL, OPT_SRC_PORT },
	{ "filter-dst-port", required_argument, NULL, OPT_DST_PORT },
	{ "filter-proto", required_argument, NULL, OPT_PROTO },
	{ "filter-mark", required_argument, NULL, OPT_MARK },
	{ "filter-netns", required_argument, NULL, OPT_NETNS },
	{ "filter-ifname", required_argument, NULL, OPT_IFNAME },
	{ "filter-func", required_argument, NULL, OPT_FUNC },
	{ "exclude-func", required_argument, NULL, OPT_EXCLUDE },
	{ "output-meta", optional_argument, NULL, OPT_META },
	{ "output-tuple", optional_argument, NULL, OPT_TUPLE },
	{ "output-stack", optional_argument, NULL, OPT_STACK },
	{ "output-skb", optional_argument, NULL, OPT_SKB },
	{ "output-relative-timestamp", optional_argument, NULL, OPT_REL_TS },
	{ "timestamp", required_argument, NULL, OPT_TIMESTAMP },
	{ "output-limit-lines", required_argument, NULL, OPT_LIMIT },
	{ "ready-file", required_argument, NULL, OPT_READY },
	{ "ringbuf-size", required_argument, NULL, OPT_RINGBUF },
	{ "no-tui", no_argument, NULL, OPT_NO_TUI },
	{ "backend", required_argument, NULL, OPT_BACKEND },
	{ "list-hooks", no_argument, NULL, OPT_LIST },
	{ "output-caller", optional_argument, NULL, OPT_CALLER },
	{ "output-return", optional_argument, NULL, OPT_RETURN },
	{ "filter-track-skb", optional_argument, NULL, OPT_TRACK },
	{ "kmods", required_argument, NULL, OPT_KMODS },
	{ "all-kmods", no_argument, NULL, OPT_ALL_KMODS },
	{ "list-funcs", no_argument, NULL, OPT_LIST_FUNCS },
	{ "show-failed", no_argument, NULL, OPT_SHOW_FAILED },
	{ "no-color", no_argument, NULL, OPT_NO_COLOR },
	{ "no-mouse", no_argument, NULL, OPT_NO_MOUSE },
	{ "no-explain", no_argument, NULL, OPT_NO_EXPLAIN },
	{ "keymap", required_argument, NULL, OPT_KEYMAP },
	{ "max-packets", required_argument, NULL, OPT_MAX_PACKETS },
	{ "demo", no_argument, NULL, OPT_DEMO },
	{ "snaplen", required_argument, NULL, OPT_SNAPLEN },
	{ "output-json", no_argument, NULL, OPT_JSON },
	{ "output-file", required_argument, NULL, OPT_OUTPUT_FILE },
	{ "output-pcap", required_argument, NULL, OPT_OUTPUT_PCAP },
	{ "record", required_argument, NULL, OPT_RECORD },
	{ "replay", required_argument, NULL, OPT_REPLAY },
	/* skb/xdp expressions, metadata and --kernel-btf (issue #16) */
	{ "filter-skb-expr", required_argument, NULL, OPT_SKB_EXPR },
	{ "filter-xdp-expr", required_argument, NULL, OPT_XDP_EXPR },
	{ "output-skb-metadata", required_argument, NULL, OPT_SKB_META },
	{ "kernel-btf", required_argument, NULL, OPT_KERNEL_BTF },
	/* outputs of issue 16: rotation, netns names, cgroups, dumps */
	{ "output-file-max-size", required_argument, NULL, OPT_ROT_SIZE },
	{ "output-file-max-backups", required_argument, NULL, OPT_ROT_BACKUPS },
	{ "output-file-max-age", required_argument, NULL, OPT_ROT_AGE },
	{ "output-file-compress", optional_argument, NULL, OPT_ROT_COMPRESS },
	{ "debug", no_argument, NULL, OPT_DEBUG },
	{ "set-percpu-buf", required_argument, NULL, OPT_PERCPU_BUF },
	{ "output-netns-names", optional_argument, NULL, OPT_NETNS_NAMES },
	{ "netns-names-max-length", required_argument, NULL,
	  OPT_NETNS_NAMES_MAX },
	{ "output-cgroup", optional_argument, NULL, OPT_OUT_CGROUP },
	{ "filter-cgroup", required_argument, NULL, OPT_FILTER_CGROUP },
	{ "output-skb-shared-info", optional_argument, NULL, OPT_SHINFO },
	{ "output-skb-cb", optional_argument, NULL, OPT_SKB_CB },
	/* Tunnels and TCP flags */
	{ "filter-tunnel-pcap-l2", required_argument, NULL, OPT_TUN_L2 },
	{ "filter-tunnel-pcap-l3", required_argument, NULL, OPT_TUN_L3 },
	{ "output-tcp-flags", optional_argument, NULL, OPT_TCP_FLAGS },
	{ "output-tunnel", optional_argument, NULL, OPT_TUNNEL },
	/* tc/XDP programs, their helpers and maps (issue 16) */
	{ "filter-trace-tc", optional_argument, NULL, OPT_TRACE_TC },
	{ "filter-trace-xdp", optional_argument, NULL, OPT_TRACE_XDP },
	{ "output-xdp-metadata", optional_argument, NULL, OPT_XDP_META },
	{ "filter-kprobe-batch", required_argument, NULL, OPT_KPROBE_BATCH },
	{ "filter-track-bpf-helpers", optional_argument, NULL,
	  OPT_TRACK_HELPERS },
	{ "output-bpfmap", optional_argument, NULL, OPT_BPFMAP },
	{ "filter-track-skb-by-stackid", optional_argument, NULL,
	  OPT_TRACK_STACKID },
	{ "filter-non-skb-funcs", optional_argument, NULL, OPT_NON_SKB_FUNCS },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ 0 },
};

static const char usage[] =
	"Usage: skbscope [OPTIONS]\n"
	"Trace where packets go in the kernel, and where they are dropped.\n"
	"\n"
	"Filters (applied in the kernel; an event that does not match is never sent):\n"
	"  --filter-src-ip ADDR[/LEN]   source IPv4 or IPv6 address or prefix\n"
	"  --filter-dst-ip ADDR[/LEN]   destination address or prefix\n"
	"  --filter-src-port PORT       TCP/UDP source port\n"
	"  --filter-dst-port PORT       TCP/UDP destination port\n"
	"  --filter-proto PROTO         tcp, udp, icmp, icmp6 or a protocol number\n"
	"  --filter-mark MARK[/MASK]    skb->mark, decimal or 0x hex\n"
	"  --filter-netns NETNS         inode (inode:N), /proc/PID/ns/net, or a name in /var/run/netns\n"
	"  --filter-ifname NAME         device name\n"
	"  --filter-func REGEX          only hooks whose name matches (POSIX ERE)\n"
	"  --exclude-func REGEX         leave out the functions that match\n"
	"  --filter-track-skb           once an skb matches, report all its later events\n"
	"  --filter-track-skb-by-stackid  also follow new skbs built on the kernel stack\n"
	"                               a tracked skb is on (ICMP errors, copies)\n"
	"  --filter-non-skb-funcs       also probe the --filter-func functions that take\n"
	"                               no skb: hops of the tracked skb on their stack\n"
	"  --filter-skb-expr EXPR       C-like expression on struct sk_buff fields\n"
	"                               ('skb->mark == 0x40 && skb->dev->ifindex == 3')\n"
	"  --filter-xdp-expr EXPR       ... on struct xdp_buff, for XDP hops\n"
	"  --filter-cgroup PATH         the packet's cgroup (socket's, else task's) is PATH\n"
	"  --filter-tunnel-pcap-l2 EXPR pcap-filter on a tunnel's inner packet from its\n"
	"                               Ethernet header (VXLAN, Geneve, GRE, IPIP, SIT)\n"
	"  --filter-tunnel-pcap-l3 EXPR the same, from the inner IP header\n"
	/* tc/XDP programs (issue 16) */
	"  --filter-trace-tc            also trace the tc BPF programs loaded (fentry/fexit):\n"
	"                               a hop per program run, its TC_ACT_* verdict\n"
	"  --filter-trace-xdp           also trace the XDP programs loaded: XDP_* verdicts\n"
	"  --filter-track-bpf-helpers   ... and the helpers they call for the packet\n"
	"\n"
	"Output:\n"
	"  --output-meta[=BOOL]         NETNS MARK IFACE PROTO MTU LEN columns (default on)\n"
	"  --output-tuple[=BOOL]        the L3/L4 tuple (default on)\n"
	"  --output-stack               the kernel stack of each event\n"
	"  --output-skb                 the whole struct sk_buff, field by field\n"
	"  --output-skb-shared-info     the skb's struct skb_shared_info, field by field\n"
	"  --output-skb-cb              __sk_buff->cb[] (five u32)\n"
	"  --output-caller              the calling function (kprobe backends)\n"
	"  --output-tcp-flags           TCP flags after the tuple, as tcpdump: [S.]\n"
	"  --output-tunnel              a tunnel's kind, VNI/key and inner tuple\n"
	"  --output-return              each function's return value and time;\n"
	"                               the explorer shows a call tree (kprobe\n"
	"                               backends)\n"
	"  --output-skb-metadata LIST   up to 4 skb fields per event ('skb->mark,skb->len')\n"
	"  --output-xdp-metadata        XDP hops: data length, receive device, queue, frame size\n"
	"  --output-bpfmap              the map updates, deletes and lookups of traced programs\n"
	"  --snaplen N                  capture N header bytes per event (0-128; explorer, --record: 64)\n"
	"  --timestamp MODE             none, current, relative (per skb) or absolute\n"
	"  --output-relative-timestamp  same as --timestamp relative\n"
	"  --output-limit-lines N       exit after N events\n"
	"  --output-json                one JSON object per event (line mode)\n"
	"  --output-file PATH           write lines or JSON to PATH, not stdout (mode 0600)\n"
	"  --output-file-max-size MB    rotate --output-file at this size (default 100)\n"
	"  --output-file-max-backups N  rotated files kept (default 0: all)\n"
	"  --output-file-max-age DAYS   rotated files older than this removed (0: never)\n"
	"  --output-file-compress       gzip the rotated files\n"
	"  --output-netns-names         the netns by its name (/var/run/netns) or container\n"
	"  --netns-names-max-length N   longest netns name shown (default 16)\n"
	"  --output-cgroup              the cgroup (path or container) behind each packet\n"
	"  --output-pcap PATH           also write each event's header bytes as pcap-ng\n"
	"  --no-explain                 drops get their reason's meaning only: no nft trace\n"
	"                               table, no netlink questions to the kernel\n"
	"  --record PATH                also record the events, names and symbols to PATH\n"
	"  --replay PATH                show a recording (lines, JSON, pcap-ng); no root needed\n"
	"  --no-tui                     line mode (the default when stdout is not a terminal)\n"
	"\n"
	"Explorer (the default on a terminal):\n"
	"  --demo                       make two namespaces with a DROP rule and traffic, and explore them\n"
	"  --keymap NAME|PATH           default, vim, emacs, or a keymap file\n"
	"  --max-packets N              packets kept in memory; the oldest are evicted (default 100000)\n"
	"  --no-color                   monochrome\n"
	"  --no-mouse                   ignore mouse clicks\n"
	"\n"
	"Tracing:\n"
	"  --backend NAME               auto, kprobe-multi, kprobe, fentry or tracepoint\n"
	"  --ringbuf-size SIZE          ring buffer bytes, a power of two (K/M/G suffix; default 4M)\n"
	"  --kernel-btf PATH            kernel BTF from PATH, not /sys/kernel/btf/vmlinux\n"
	"  --ready-file PATH            create PATH once everything is attached\n"
	"  --filter-kprobe-batch N      kprobe-multi: at most N functions per link (default: all)\n"
	"  --kmods MOD[,MOD...]         also probe skb functions of these modules\n"
	"  --all-kmods                  ... of every loaded module with BTF\n"
	"  --list-hooks                 print the tracepoints found, and exit\n"
	"  --list-funcs                 print the skb functions that would be probed, and exit\n"
	"  --show-failed                list every hook that failed to attach, and why\n"
	"  --debug                      libbpf's messages and each backend tried, on stderr\n"
	"  --set-percpu-buf N           bytes for each dump (256-32000, 16000 with shared info; default 4096)\n"
	"  -h, --help                   this text\n"
	"  --version                    the version\n"
	"\n"
	"Exit status: 0 done, 1 tracing could not start, 2 bad command line.\n";

const char *cli_usage(void)
{
	return usage;
}

/* A POSIX extended regular expression for --filter-func and
 * --exclude-func: not empty, not so long that glibc's regcomp (which
 * recurses per nesting level: ~20k '(' overflow an 8 MB stack) could
 * crash, and one it compiles. */
static int check_regex(const char *flag, const char *v, char *err,
		       size_t errlen)
{
	regex_t re;
	int rc;

	if (!*v) {
		snprintf(err, errlen, "--%s: empty regular expression", flag);
		return -EINVAL;
	}
	if (strlen(v) > FUNC_REGEX_MAX) {
		snprintf(err, errlen,
			 "--%s: regular expression too long (%zu bytes; at "
			 "most %d)",
			 flag, strlen(v), FUNC_REGEX_MAX);
		return -EINVAL;
	}
	rc = regcomp(&re, v, REG_EXTENDED | REG_NOSUB);
	if (rc) {
		char m[128];

		regerror(rc, &re, m, sizeof(m));
		snprintf(err, errlen,
			 "--%s: invalid regular expression '%s': %s", flag, v,
			 m);
		return -EINVAL;
	}
	regfree(&re);
	return 0;
}

static int bool_arg(const char *flag, const char *v, int *out, char *err,
		    size_t errlen)
{
	if (!v || !strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "yes")) {
		*out = 1;
		return 0;
	}
	if (!strcmp(v, "false") || !strcmp(v, "0") || !strcmp(v, "no")) {
		*out = 0;
		return 0;
	}
	snprintf(err, errlen,
		 "--%s: invalid value '%s' (expected true or "
		 "false)",
		 flag, v);
	return -EINVAL;
}

/* Strict unsigned decimal with an optional K/M/G suffix (x1024). */
static int parse_size(const char *v, __u64 *out)
{
	char *end;
	unsigned long long n;

	if (!v || !*v || *v == '-' || *v == '+' || *v == ' ')
		return -EINVAL;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || end == v)
		return -EINVAL;
	switch (*end) {
	case 'k':
	case 'K':
		n <<= 10;
		end++;
		break;
	case 'm':
	case 'M':
		n <<= 20;
		end++;
		break;
	case 'g':
	case 'G':
		n <<= 30;
		end++;
		break;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end)
		return -EINVAL;
	*out = n;
	return 0;
}

/* The numeric flags of issue 16: name, range, unit, where it goes. */
static const struct {
	int opt;
	unsigned long long lo, hi;
	const char *unit;
} issue16_nums[] = {
	{ OPT_ROT_SIZE, 1, 1 << 20, "megabytes" },
	{ OPT_ROT_BACKUPS, 0, 1000000, "files" },
	{ OPT_ROT_AGE, 0, 36500, "days" },
	{ OPT_PERCPU_BUF, SKBS_DUMP_MIN, SKBS_DUMP_MAX, "bytes" },
	{ OPT_NETNS_NAMES_MAX, 2, 255, "characters" },
};

static int issue16_number(int opt, const char *name, const char *v,
			  struct cli *c, char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof(issue16_nums) / sizeof(issue16_nums[0]);
	     i++) {
		__u64 n;

		if (issue16_nums[i].opt != opt)
			continue;
		if (parse_size(v, &n) || strpbrk(v, "kKmMgGbB") ||
		    n < issue16_nums[i].lo || n > issue16_nums[i].hi) {
			snprintf(err, errlen,
				 "--%s: invalid value '%s' (expected %llu to "
				 "%llu %s)",
				 name, v, issue16_nums[i].lo,
				 issue16_nums[i].hi, issue16_nums[i].unit);
			return -EINVAL;
		}
		if (opt == OPT_ROT_SIZE)
			c->rot.max_bytes = n << 20;
		else if (opt == OPT_ROT_BACKUPS)
			c->rot.max_backups = (unsigned)n;
		else if (opt == OPT_ROT_AGE)
			c->rot.max_age_days = (unsigned)n;
		else if (opt == OPT_PERCPU_BUF)
			c->dump_room = (unsigned)n;
		else
			c->netns_names_max = (unsigned)n;
		return 0;
	}
	return -EINVAL;
}

/* The flags that set one field of the filter. */
static int filter_opt(int opt)
{
	switch (opt) {
	case OPT_SRC_IP:
	case OPT_DST_IP:
	case OPT_SRC_PORT:
	case OPT_DST_PORT:
	case OPT_PROTO:
	case OPT_MARK:
	case OPT_NETNS:
	case OPT_SKB_EXPR:
	case OPT_XDP_EXPR:
	case OPT_IFNAME: return 1;
	}
	return 0;
}

/* Flags that only mean something while tracing: with --replay they would
 * be silently ignored (and a script would wait for its --ready-file). */
static int live_only(int opt)
{
	switch (opt) {
	case OPT_BACKEND:
	case OPT_RINGBUF:
	case OPT_READY:
	case OPT_KMODS:
	case OPT_ALL_KMODS:
	case OPT_LIST:
	case OPT_LIST_FUNCS:
	case OPT_SHOW_FAILED:
	case OPT_SKB_META:
	case OPT_KERNEL_BTF:
	case OPT_PERCPU_BUF:
	case OPT_DEBUG:
	case OPT_TRACE_TC:
	case OPT_TRACE_XDP:
	case OPT_KPROBE_BATCH:
	case OPT_TRACK_HELPERS:
	case OPT_DEMO: return 1;
	}
	return 0;
}

/* getopt_long only says "not mine"; tell a flag given a value it takes
 * none of, and an abbreviation of several flags, from a typo. */
static void unknown_option(const char *arg, char *err, size_t errlen)
{
	size_t n = strcspn(arg, "="), len = 0, nmatch = 0;
	const struct option *o;

	if (strncmp(arg, "--", 2) || n <= 2) {
		snprintf(err, errlen, "unknown option '%s'", arg);
		return;
	}
	for (o = options; o->name; o++) {
		if (strncmp(o->name, arg + 2, n - 2))
			continue;
		if (strlen(o->name) == n - 2 && o->has_arg == no_argument) {
			snprintf(err, errlen, "--%s takes no value (got '%s')",
				 o->name, arg + n + (arg[n] == '='));
			return;
		}
		if (!nmatch++)
			len = (size_t)snprintf(err, errlen,
					       "ambiguous option "
					       "'%.*s': --%s",
					       (int)n, arg, o->name);
		else if (len < errlen)
			len += (size_t)snprintf(err + len, errlen - len,
						", --%s", o->name);
	}
	if (nmatch < 2)
		snprintf(err, errlen, "unknown option '%s'", arg);
}

int cli_parse(int argc, char **argv, struct cli *c, char *err, size_t errlen)
{
	const char *name, *live = NULL;
	int opt, idx, ret = 0;
	__u64 seen = 0;

	memset(c, 0, sizeof(*c));
	filter_init(&c->filter);
	c->backend = "auto";
	c->netns_dir = "/var/run/netns";
	c->ringbuf_bytes = 4 << 20;
	c->meta = c->tuple = 1;
	c->max_packets = 100000;
	c->snaplen = -1;
	c->rot.max_bytes = 100ULL << 20; /* pwru's default: 100 MB */
	c->netns_names_max = 16;
	opterr = 0;
	optind = 0; /* 0, not 1: also resets GNU getopt's internal state */
	while ((opt = getopt_long(argc, argv, ":h", options, &idx)) != -1) {
		name = opt >= 256 ? options[idx].name : NULL;
		if (live_only(opt))
			live = name;
		/* A filter flag given twice would silently replace the first
		 * value; the filter bar refuses the same, and so do we. */
		if (opt >= 256 && opt < 256 + 64 && filter_opt(opt)) {
			__u64 bit = 1ULL << (opt - 256);

			if (seen & bit) {
				snprintf(err, errlen,
					 "--%s given twice (the "
					 "filter takes one of each)",
					 name);
				return -EINVAL;
			}
			seen |= bit;
		}
		switch (opt) {
		case OPT_SRC_IP:
		case OPT_DST_IP:
			ret = filter_set_addr(&c->filter, opt == OPT_DST_IP,
					      optarg, err, errlen);
			break;
		case OPT_SRC_PORT:
		case OPT_DST_PORT:
			ret = filter_set_port(&c->filter, opt == OPT_DST_PORT,
					      optarg, err, errlen);
			break;
		case OPT_PROTO:
			ret = filter_set_proto(&c->filter, optarg, err, errlen);
			break;
		case OPT_MARK:
			ret = filter_set_mark(&c->filter, optarg, err, errlen);
			break;
		case OPT_NETNS:
			ret = filter_set_netns(&c->filter, optarg, c->netns_dir,
					       err, errlen);
			break;
		case OPT_IFNAME:
			ret = filter_set_ifname(&c->filter, optarg, err,
						errlen);
			break;
		case OPT_FUNC:
			c->func_regex = optarg;
			ret = check_regex(name, optarg, err, errlen);
			break;
		case OPT_EXCLUDE:
			c->exclude_regex = optarg;
			ret = check_regex(name, optarg, err, errlen);
			break;
		case OPT_META:
			ret = bool_arg(name, optarg, &c->meta, err, errlen);
			break;
		case OPT_TUPLE:
			ret = bool_arg(name, optarg, &c->tuple, err, errlen);
			break;
		case OPT_STACK:
			ret = bool_arg(name, optarg, &c->stack, err, errlen);
			break;
		case OPT_SKB:
			ret = bool_arg(name, optarg, &c->skb, err, errlen);
			break;
		case OPT_REL_TS: {
			int on = 0;

			ret = bool_arg(name, optarg, &on, err, errlen);
			if (!ret && on)
				c->ts = TS_RELATIVE;
			break;
		}
		case OPT_TIMESTAMP:
			if (!strcmp(optarg, "none"))
				c->ts = TS_NONE;
			else if (!strcmp(optarg, "current"))
				c->ts = TS_CURRENT;
			else if (!strcmp(optarg, "relative"))
				c->ts = TS_RELATIVE;
			else if (!strcmp(optarg, "absolute"))
				c->ts = TS_ABSOLUTE;
			else {
				snprintf(err, errlen,
					 "--timestamp: invalid "
					 "mode '%s' (expected none, current, "
					 "relative or absolute)",
					 optarg);
				ret = -EINVAL;
			}
			break;
		case OPT_LIMIT: {
			__u64 n;

			if (parse_size(optarg, &n) || n == 0 ||
			    n > (1ULL << 62) || strpbrk(optarg, "kKmMgGbB")) {
				snprintf(err, errlen,
					 "--output-limit-lines: "
					 "invalid count '%s' (expected a "
					 "positive integer)",
					 optarg);
				ret = -EINVAL;
			}
			c->limit_lines = (long long)n;
			break;
		}
		case OPT_READY:
			if (!*optarg) {
				snprintf(err, errlen,
					 "--ready-file: empty "
					 "path");
				ret = -EINVAL;
			}
			c->ready_file = optarg;
			break;
		case OPT_RINGBUF: {
			__u64 n = 0;

			if (parse_size(optarg, &n) || n < 4096 ||
			    n > (1ULL << 30) || (n & (n - 1))) {
				snprintf(err, errlen,
					 "--ringbuf-size: invalid "
					 "size '%s' (expected a power of two "
					 "from 4K to 1G)",
					 optarg);
				ret = -EINVAL;
			}
			c->ringbuf_bytes = n;
			break;
		}
		case OPT_NO_TUI: c->no_tui = 1; break;
		case OPT_BACKEND:
			if (strcmp(optarg, "auto") &&
			    strcmp(optarg, "kprobe-multi") &&
			    strcmp(optarg, "kprobe") &&
			    strcmp(optarg, "fentry") &&
			    strcmp(optarg, "tracepoint")) {
				snprintf(err, errlen,
					 "--backend: unknown "
					 "backend '%s' (expected auto, "
					 "kprobe-multi, kprobe, fentry or "
					 "tracepoint)",
					 optarg);
				ret = -EINVAL;
			}
			c->backend = optarg;
			break;
		case OPT_LIST: c->list_hooks = 1; break;
		case OPT_CALLER:
			ret = bool_arg(name, optarg, &c->caller, err, errlen);
			break;
		case OPT_RETURN:
			ret = bool_arg(name, optarg, &c->returns, err, errlen);
			break;
		case OPT_TRACK:
			ret = bool_arg(name, optarg, &c->track_skb, err,
				       errlen);
			break;
		/* Tunnels and TCP flags */
		case OPT_TUN_L2:
		case OPT_TUN_L3:
			if (!optarg[strspn(optarg, " \t")]) {
				snprintf(err, errlen, "--%s: empty expression",
					 name);
				ret = -EINVAL;
				break;
			}
			ret = pcapexpr_set_tunnel(&c->filter, opt == OPT_TUN_L2,
						  optarg, err, errlen);
			break;
		case OPT_TCP_FLAGS:
			ret = bool_arg(name, optarg, &c->tcp_flags, err,
				       errlen);
			break;
		case OPT_TUNNEL:
			ret = bool_arg(name, optarg, &c->tunnel, err, errlen);
			break;
		case OPT_ALL_KMODS: c->all_kmods = 1; break;
		case OPT_LIST_FUNCS: c->list_funcs = 1; break;
		case OPT_SHOW_FAILED: c->show_failed = 1; break;
		case OPT_NO_COLOR: c->no_color = 1; break;
		case OPT_NO_MOUSE: c->no_mouse = 1; break;
		case OPT_NO_EXPLAIN: c->no_explain = 1; break;
		case OPT_DEMO: c->demo = 1; break;
		case OPT_SNAPLEN: {
			__u64 n;

			if (parse_size(optarg, &n) || n > SKBS_SNAP_MAX ||
			    strpbrk(optarg, "kKmMgGbB")) {
				snprintf(err, errlen,
					 "--snaplen: invalid length "
					 "'%s' (expected 0 to %d bytes)",
					 optarg, SKBS_SNAP_MAX);
				ret = -EINVAL;
			}
			c->snaplen = (int)n;
			break;
		}
		case OPT_KEYMAP:
			if (!*optarg) {
				snprintf(err, errlen, "--keymap: empty value");
				ret = -EINVAL;
			}
			c->keymap = optarg;
			break;
		case OPT_MAX_PACKETS: {
			__u64 n;

			if (parse_size(optarg, &n) || n < 1 ||
			    n > 100000000ULL || strpbrk(optarg, "bB")) {
				snprintf(err, errlen,
					 "--max-packets: invalid "
					 "count '%s' (expected 1 to 100M; K/M "
					 "suffixes allowed)",
					 optarg);
				ret = -EINVAL;
			}
			c->max_packets = n;
			break;
		}
		case OPT_KMODS: {
			char *save = NULL, *tok;

			/* optarg points into argv, which outlives us. */
			for (tok = strtok_r(optarg, ",", &save); tok && !ret;
			     tok = strtok_r(NULL, ",", &save)) {
				if (c->nkmods ==
				    sizeof(c->kmods) / sizeof(c->kmods[0])) {
					snprintf(err, errlen,
						 "--kmods: too many "
						 "modules (at most %zu)",
						 sizeof(c->kmods) /
							 sizeof(c->kmods[0]));
					ret = -EINVAL;
					break;
				}
				if (strchr(tok, '/') || strchr(tok, '.') ||
				    strlen(tok) > 55) {
					snprintf(err, errlen,
						 "--kmods: invalid "
						 "module name '%s'",
						 tok);
					ret = -EINVAL;
					break;
				}
				c->kmods[c->nkmods++] = tok;
			}
			if (!ret && !c->nkmods) {
				snprintf(err, errlen, "--kmods: empty list");
				ret = -EINVAL;
			}
			break;
		}
		case OPT_JSON: c->json = 1; break;
		case OPT_OUTPUT_FILE:
		case OPT_OUTPUT_PCAP:
		case OPT_RECORD:
		case OPT_REPLAY:
			if (!*optarg) {
				snprintf(err, errlen, "--%s: empty path", name);
				ret = -EINVAL;
				break;
			}
			if (opt == OPT_OUTPUT_FILE)
				c->output_file = optarg;
			else if (opt == OPT_OUTPUT_PCAP)
				c->output_pcap = optarg;
			else if (opt == OPT_RECORD)
				c->record = optarg;
			else
				c->replay = optarg;
			break;
		/* skb/xdp expressions, metadata and --kernel-btf (issue
		 * #16): kept as text here, compiled after the loop. */
		case OPT_SKB_EXPR:
		case OPT_XDP_EXPR:
		case OPT_SKB_META:
			if (!optarg[strspn(optarg, " \t")]) {
				snprintf(err, errlen, "--%s: empty value",
					 name);
				ret = -EINVAL;
			} else if (opt == OPT_SKB_EXPR) {
				c->skb_expr = optarg;
			} else if (opt == OPT_XDP_EXPR) {
				c->xdp_expr = optarg;
			} else if (c->skb_meta) {
				snprintf(err, errlen,
					 "--%s given twice (list the "
					 "fields in one, comma-separated)",
					 name);
				ret = -EINVAL;
			} else {
				c->skb_meta = optarg;
			}
			break;
		case OPT_KERNEL_BTF: {
			struct stat st;

			if (!*optarg || stat(optarg, &st) ||
			    !S_ISREG(st.st_mode)) {
				snprintf(err, errlen, "--kernel-btf '%s': %s",
					 optarg,
					 !*optarg ? "empty path" :
					 !stat(optarg, &st) ?
						    "not a regular file" :
						    strerror(errno));
				ret = -EINVAL;
				break;
			}
			c->kernel_btf = optarg;
			break;
		}
		/* outputs of issue 16: rotation, netns names, cgroups */
		case OPT_ROT_SIZE:
		case OPT_ROT_BACKUPS:
		case OPT_ROT_AGE:
			ret = issue16_number(opt, name, optarg, c, err, errlen);
			c->rot_flag = name;
			break;
		case OPT_ROT_COMPRESS:
			ret = bool_arg(name, optarg, &c->rot.compress, err,
				       errlen);
			c->rot_flag = name;
			break;
		case OPT_DEBUG: c->debug = 1; break;
		case OPT_PERCPU_BUF:
		case OPT_NETNS_NAMES_MAX:
			ret = issue16_number(opt, name, optarg, c, err, errlen);
			break;
		case OPT_NETNS_NAMES:
			ret = bool_arg(name, optarg, &c->netns_names, err,
				       errlen);
			break;
		case OPT_OUT_CGROUP:
			ret = bool_arg(name, optarg, &c->cgroup, err, errlen);
			break;
		case OPT_SHINFO:
			ret = bool_arg(name, optarg, &c->shinfo, err, errlen);
			break;
		case OPT_SKB_CB:
			ret = bool_arg(name, optarg, &c->skb_cb, err, errlen);
			break;
		case OPT_FILTER_CGROUP:
			if (c->filter.flags & SKBS_F_CGROUP) {
				snprintf(err, errlen,
					 "--filter-cgroup given twice (the "
					 "filter takes one of each)");
				ret = -EINVAL;
				break;
			}
			ret = filter_set_cgroup(&c->filter, optarg, CGROUP_ROOT,
						err, errlen);
			break;
		/* tc/XDP programs, their helpers and maps (issue 16) */
		case OPT_TRACE_TC:
			ret = bool_arg(name, optarg, &c->trace_tc, err, errlen);
			break;
		case OPT_TRACE_XDP:
			ret = bool_arg(name, optarg, &c->trace_xdp, err,
				       errlen);
			break;
		case OPT_XDP_META:
			ret = bool_arg(name, optarg, &c->xdp_meta, err, errlen);
			break;
		case OPT_KPROBE_BATCH: {
			__u64 n;

			if (parse_size(optarg, &n) || n < 1 || n > 1000000 ||
			    strpbrk(optarg, "kKmMgGbB")) {
				snprintf(err, errlen,
					 "--filter-kprobe-batch: invalid "
					 "count '%s' (expected 1 to 1000000 "
					 "functions per link)",
					 optarg);
				ret = -EINVAL;
			}
			c->kprobe_batch = (size_t)n;
			break;
		}
		case OPT_TRACK_HELPERS:
			ret = bool_arg(name, optarg, &c->bpf_helpers, err,
				       errlen);
			break;
		case OPT_BPFMAP:
			ret = bool_arg(name, optarg, &c->bpfmap, err, errlen);
			break;
		/* --filter-track-skb-by-stackid: implies --filter-track-skb
		 * (main.c sets both flags). */
		case OPT_TRACK_STACKID:
			ret = bool_arg(name, optarg, &c->track_stackid, err,
				       errlen);
			break;
		/* --filter-non-skb-funcs: implies
		 * --filter-track-skb-by-stackid (main.c). */
		case OPT_NON_SKB_FUNCS:
			ret = bool_arg(name, optarg, &c->non_skb, err, errlen);
			break;
		case 'h': c->help = 1; break;
		case OPT_VERSION: c->version = 1; break;
		case ':':
			snprintf(err, errlen, "%s: missing value",
				 argv[optind - 1]);
			ret = -EINVAL;
			break;
		default:
			unknown_option(argv[optind - 1], err, errlen);
			ret = -EINVAL;
			break;
		}
		if (ret)
			return ret;
	}
	/* Two texts share one per-CPU value, which stays under 32 KiB. */
	if (c->shinfo && c->dump_room > SKBS_DUMP_MAX / 2) {
		snprintf(err, errlen,
			 "--set-percpu-buf: invalid value '%u' with "
			 "--output-skb-shared-info (expected %d to %d bytes)",
			 c->dump_room, SKBS_DUMP_MIN, SKBS_DUMP_MAX / 2);
		return -EINVAL;
	}
	if (c->rot_flag && !c->output_file) {
		snprintf(err, errlen,
			 "--%s: rotates --output-file, which is not given",
			 c->rot_flag);
		return -EINVAL;
	}
	/* --filter-non-skb-funcs: which functions? Without a regex, every
	 * function of the kernel. */
	if (c->non_skb && !c->func_regex) {
		snprintf(err, errlen,
			 "--filter-non-skb-funcs: needs --filter-func REGEX "
			 "naming the functions with no skb to probe");
		return -EINVAL;
	}
	/* tc/XDP programs (issue 16) */
	if ((c->bpf_helpers || c->bpfmap) && !c->trace_tc && !c->trace_xdp) {
		snprintf(err, errlen,
			 "%s: the %s of which programs? It needs "
			 "--filter-trace-tc or --filter-trace-xdp",
			 c->bpf_helpers ? "--filter-track-bpf-helpers" :
					  "--output-bpfmap",
			 c->bpf_helpers ? "helpers" : "maps");
		return -EINVAL;
	}
	if (c->replay && c->record) {
		snprintf(err, errlen,
			 "--record and --replay: a replay cannot "
			 "be recorded again (copy the file instead)");
		return -EINVAL;
	}
	if (c->replay && live) {
		snprintf(err, errlen,
			 "--replay and --%s: a replay attaches "
			 "nothing; it shows what was recorded",
			 live);
		return -EINVAL;
	}
	/* Expressions and metadata against the kernel's BTF (issue #16). */
	skbexpr_use_types(kbtf_expr_lazy(c->kernel_btf));
	if (c->skb_expr && filter_set_expr(&c->filter, SKBEXPR_SKB, c->skb_expr,
					   err, errlen, NULL))
		return -EINVAL;
	if (c->xdp_expr && filter_set_expr(&c->filter, SKBEXPR_XDP, c->xdp_expr,
					   err, errlen, NULL))
		return -EINVAL;
	if (c->skb_meta &&
	    filter_set_meta(&c->filter, c->skb_meta, err, errlen))
		return -EINVAL;
	if (optind < argc) {
		/* The rest is a pcap-filter expression, as tcpdump and pwru
		 * take it: one quoted argument or several words. */
		char expr[SKBS_PCAP_TEXT] = "";
		size_t n = 0;

		for (int i = optind; i < argc; i++) {
			n += (size_t)snprintf(
				expr + (n < sizeof(expr) ? n : sizeof(expr)),
				n < sizeof(expr) ? sizeof(expr) - n : 0, "%s%s",
				i > optind ? " " : "", argv[i]);
		}
		if (n >= sizeof(expr)) {
			snprintf(err, errlen,
				 "pcap-filter expression too long "
				 "(%zu bytes; at most %zu)",
				 n, sizeof(expr) - 1);
			return -EINVAL;
		}
		if (!expr[strspn(expr, " \t")]) {
			snprintf(err, errlen, "empty pcap-filter expression");
			return -EINVAL;
		}
		ret = pcapexpr_set(&c->filter, expr, err, errlen);
		if (ret)
			return -EINVAL;
	}
	return 0;
}
