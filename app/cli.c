// SPDX-License-Identifier: GPL-2.0
/* Flag parsing with getopt_long; every bad value is named in the error. */
#include <errno.h>
#include <getopt.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/cli.h"
#include "core/pcapexpr.h"
#include "core/filter.h"

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
	"  --filter-netns NETNS         inode, /proc/PID/ns/net, or a name in /var/run/netns\n"
	"  --filter-ifname NAME         device name\n"
	"  --filter-func REGEX          only hooks whose name matches (POSIX ERE)\n"
	"  --exclude-func REGEX         leave out the functions that match\n"
	"  --filter-track-skb           once an skb matches, report all its later events\n"
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
	"  --output-caller              the calling function (kprobe backends)\n"
	"  --output-return              each function's return value and time;\n"
	"                               the explorer shows a call tree (kprobe\n"
	"                               backends)\n"
	"  --output-xdp-metadata        XDP hops: data length, receive device, queue, frame size\n"
	"  --output-bpfmap              the map updates, deletes and lookups of traced programs\n"
	"  --snaplen N                  capture N header bytes per event (0-128; explorer, --record: 64)\n"
	"  --timestamp MODE             none, current, relative (per skb) or absolute\n"
	"  --output-relative-timestamp  same as --timestamp relative\n"
	"  --output-limit-lines N       exit after N events\n"
	"  --output-json                one JSON object per event (line mode)\n"
	"  --output-file PATH           write lines or JSON to PATH, not stdout (mode 0600)\n"
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
	"  --ready-file PATH            create PATH once everything is attached\n"
	"  --filter-kprobe-batch N      kprobe-multi: at most N functions per link (default: all)\n"
	"  --kmods MOD[,MOD...]         also probe skb functions of these modules\n"
	"  --all-kmods                  ... of every loaded module with BTF\n"
	"  --list-hooks                 print the tracepoints found, and exit\n"
	"  --list-funcs                 print the skb functions that would be probed, and exit\n"
	"  --show-failed                list every hook that failed to attach, and why\n"
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
		case OPT_TRACK_STACKID:
		case OPT_NON_SKB_FUNCS: {
			int on = 0;

			ret = bool_arg(name, optarg, &on, err, errlen);
			/* Refused rather than ignored: a flag that does
			 * nothing would make a trace look complete. */
			if (!ret && on) {
				snprintf(err, errlen,
					 "--%s: not supported by skbscope yet "
					 "(see README, \"tc and XDP "
					 "programs\")",
					 name);
				ret = -EINVAL;
			}
			break;
		}
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
