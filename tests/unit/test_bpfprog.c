// SPDX-License-Identifier: GPL-2.0
/* tc and XDP programs as hops (--filter-trace-tc/-xdp): their verdicts'
 * names, their hooks' labels, the drop a tc program decided, the XDP
 * metadata of a hop, and their flags. */
#include <errno.h>
#include <string.h>
#include "app/cli.h"
#include "core/bpfverdict.h"
#include "core/explain.h"
#include "core/hooks.h"
#include "core/output_json.h"
#include "core/output_line.h"
#include "core/retval.h"
#include "test.h"

#define ARGV(...) ((char *[]){ "skbscope", __VA_ARGS__, NULL })
#define ARGC(...) \
	((int)(sizeof((char *[]){ "skbscope", __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(c, err, ...) \
	cli_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), c, err, sizeof(err))

TEST(bpfprog_verdict_names)
{
	char b[32];
	/* include/uapi/linux/pkt_cls.h and enum xdp_action, in order. */
	static const char *const tc[] = {
		"TC_ACT_OK",     "TC_ACT_RECLASSIFY", "TC_ACT_SHOT",
		"TC_ACT_PIPE",   "TC_ACT_STOLEN",     "TC_ACT_QUEUED",
		"TC_ACT_REPEAT", "TC_ACT_REDIRECT",   "TC_ACT_TRAP",
	};
	static const char *const xdp[] = { "XDP_ABORTED", "XDP_DROP",
					   "XDP_PASS", "XDP_TX",
					   "XDP_REDIRECT" };

	for (int i = 0; i < 9; i++)
		CHECK_STR(retval_format(RET_TC_ACT, i, b, sizeof(b)), tc[i]);
	for (int i = 0; i < 5; i++)
		CHECK_STR(retval_format(RET_XDP, i, b, sizeof(b)), xdp[i]);
	CHECK_STR(retval_format(RET_TC_ACT, -1, b, sizeof(b)), "TC_ACT_UNSPEC");
	/* An int in a 64-bit register. */
	CHECK_STR(retval_format(RET_TC_ACT, 0xffffffffLL, b, sizeof(b)),
		  "TC_ACT_UNSPEC");
	CHECK_STR(retval_format(RET_TC_ACT, 42, b, sizeof(b)), "42");
	CHECK_STR(retval_format(RET_XDP, 9, b, sizeof(b)), "9");
	/* Drops are failures, in the drop colour; a redirect is not. */
	CHECK(retval_failed(RET_TC_ACT, 2));
	CHECK(!retval_failed(RET_TC_ACT, 0));
	CHECK(!retval_failed(RET_TC_ACT, 7));
	CHECK(retval_failed(RET_XDP, 1));
	CHECK(retval_failed(RET_XDP, 0));
	CHECK(!retval_failed(RET_XDP, 2));
	CHECK_STR(retval_kind_name(RET_TC_ACT), "tc-act");
	CHECK_STR(retval_kind_name(RET_XDP), "xdp-action");
}

static int add_prog(struct hooks *h, const char *name, const char *type, int id)
{
	struct hook hk = { .kind = HOOK_BPFPROG, .skb_pos = id };

	snprintf(hk.name, sizeof(hk.name), "%s", name);
	snprintf(hk.group, sizeof(hk.group), "%s", type);
	return hooks_add(h, &hk);
}

TEST(bpfprog_hook_label_and_lookup)
{
	struct hooks *h;
	struct hook f = { .kind = HOOK_FUNCTION, .skb_pos = 1 };
	char b[160];

	CHECK_INT(hooks_new(&h), 0);
	strcpy(f.name, "ip_rcv");
	CHECK_INT(hooks_add(h, &f), 0);
	strcpy(f.name, "kfree_skbmem");
	CHECK_INT(hooks_add(h, &f), 1);
	/* Programs come after the functions, in no order. */
	CHECK_INT(add_prog(h, "tc_drop_udp", "tc", 42), 2);
	CHECK_INT(add_prog(h, "a_prog", "xdp", 7), 3);
	CHECK_STR(hook_label(hooks_get(h, 2), b, sizeof(b)),
		  "bpf:tc_drop_udp#42");
	CHECK_STR(hook_label(hooks_get(h, 3), b, sizeof(b)), "bpf:a_prog#7");
	/* The function search stays inside the functions. */
	CHECK_INT(hooks_find_func(h, "ip_rcv"), 0);
	CHECK_INT(hooks_find_func(h, "kfree_skbmem"), 1);
	CHECK_INT(hooks_find_func(h, "tc_drop_udp"), -1);
	CHECK_INT(hooks_find_func(h, "a_prog"), -1);
	hooks_free(h);
}

TEST(bpfprog_tc_drop_explained_by_its_program)
{
	static struct bpf_verdicts v;
	struct hooks *h;
	struct hook f = { .kind = HOOK_FUNCTION, .skb_pos = 1 };
	struct explain e;
	struct skbs_return r = {
		.rec_type = SKBS_REC_RETURN,
		.skb = 0xffff888000001000ULL,
		.ts_entry = 1000,
		.ts_exit = 2000,
		.ret = 2, /* TC_ACT_SHOT */
	};

	memset(&v, 0, sizeof(v));
	CHECK_INT(hooks_new(&h), 0);
	strcpy(f.name, "nf_hook_slow");
	CHECK_INT(hooks_add(h, &f), 0);
	CHECK_INT(add_prog(h, "tc_drop_udp", "tc", 42), 1);
	/* A function's failure is not a program's verdict. */
	r.hook = 0;
	bpfv_note(&v, h, &r, RET_TC_ACT);
	CHECK_INT(bpfv_explain(&v, h, r.skb, 3000, &e), -ENOENT);
	/* Nor is a pass. */
	r.hook = 1;
	r.ret = 0;
	bpfv_note(&v, h, &r, RET_TC_ACT);
	CHECK_INT(bpfv_explain(&v, h, r.skb, 3000, &e), -ENOENT);
	r.ret = 2;
	bpfv_note(&v, h, &r, RET_TC_ACT);
	/* Another skb, or a drop before the verdict, or long after it. */
	CHECK_INT(bpfv_explain(&v, h, r.skb + 0x100, 3000, &e), -ENOENT);
	CHECK_INT(bpfv_explain(&v, h, r.skb, 1500, &e), -ENOENT);
	CHECK_INT(bpfv_explain(&v, h, r.skb, 2000 + BPFV_MAX_AGE + 1, &e),
		  -ENOENT);
	memset(&e, 0, sizeof(e));
	CHECK_INT(bpfv_explain(&v, h, r.skb, 3000, &e), 0);
	CHECK_INT(e.kind, EXPLAIN_BPF_PROG);
	CHECK_STR(e.text, "dropped by tc BPF program tc_drop_udp (id 42): it "
			  "returned TC_ACT_SHOT");
	CHECK_STR(explain_get(&e, "program"), "tc_drop_udp");
	CHECK_STR(explain_get(&e, "prog_id"), "42");
	CHECK_STR(explain_get(&e, "verdict"), "TC_ACT_SHOT");
	CHECK_STR(explain_kind_name(EXPLAIN_BPF_PROG), "bpf-prog");
	/* Used once: the next lifetime at this address is another skb. */
	CHECK_INT(bpfv_explain(&v, h, r.skb, 3000, &e), -ENOENT);
	/* The table wraps without losing the newest. */
	for (int i = 0; i < 3 * BPFV_SLOTS; i++) {
		r.skb = 0x1000 + (__u64)i;
		bpfv_note(&v, h, &r, RET_TC_ACT);
	}
	CHECK_INT(bpfv_explain(&v, h, 0x1000 + 3 * BPFV_SLOTS - 1, 3000, &e),
		  0);
	CHECK_INT(bpfv_explain(&v, h, 0x1000, 3000, &e), -ENOENT);
	hooks_free(h);
}

TEST(bpfprog_xdp_metadata_in_line_and_json)
{
	struct hooks *h;
	struct line_opts o = { .meta = 1, .tuple = 1, .xdp_meta = 1 };
	struct line_out *lo;
	struct skbs_event ev = {
		.rec_type = SKBS_REC_EVENT,
		.hook = 0,
		.skb = 0xffffc90000003c20ULL,
		.len = 50,
		.ifindex = 1,
		.location = (3ULL << 32) | 4096,
		.flags2 = SKBS_EV2_XDP,
	};
	struct xdp_meta m;
	char buf[1024];

	CHECK_INT(hooks_new(&h), 0);
	CHECK_INT(add_prog(h, "xdp_drop_udp", "xdp", 6), 0);
	CHECK_INT(line_out_new(&o, h, NULL, &lo), 0);
	CHECK_INT(line_xdp_meta(&ev, &m), 0);
	CHECK_INT(m.rxq_queue, 3);
	CHECK_INT(m.frame_sz, 4096);
	line_format(lo, &ev, buf, sizeof(buf));
	CHECK_HAS(buf, "bpf:xdp_drop_udp#6 xdp: data_len=50 rxq_ifindex=1 "
		       "rxq_queue=3 frame_sz=4096");
	json_format(lo, &ev, NULL, 0, NULL, buf, sizeof(buf));
	CHECK_HAS(buf, "\"xdp\":{\"data_len\":50,\"rxq_ifindex\":1,"
		       "\"rxq_queue\":3,\"frame_sz\":4096}");
	/* An skb hop has none. */
	ev.flags2 = 0;
	CHECK_INT(line_xdp_meta(&ev, &m), -ENOENT);
	line_format(lo, &ev, buf, sizeof(buf));
	CHECK(!strstr(buf, "xdp:"));
	line_out_free(lo);
	hooks_free(h);
}

TEST(bpfprog_flags)
{
	struct cli c;
	char err[256];

	CHECK_INT(PARSE(&c, err, "--filter-trace-tc", "--filter-trace-xdp",
			"--output-xdp-metadata", "--filter-kprobe-batch", "10"),
		  0);
	CHECK_INT(c.trace_tc, 1);
	CHECK_INT(c.trace_xdp, 1);
	CHECK_INT(c.xdp_meta, 1);
	CHECK_INT(c.kprobe_batch, 10);
	CHECK_INT(PARSE(&c, err, "--filter-trace-tc=false"), 0);
	CHECK_INT(c.trace_tc, 0);
	CHECK_INT(PARSE(&c, err, "--filter-trace-xdp=maybe"), -EINVAL);
	CHECK_HAS(err, "--filter-trace-xdp: invalid value 'maybe'");
	CHECK_INT(PARSE(&c, err, "--filter-kprobe-batch", "0"), -EINVAL);
	CHECK_HAS(err, "--filter-kprobe-batch: invalid count '0'");
	CHECK_INT(PARSE(&c, err, "--filter-kprobe-batch", "-3"), -EINVAL);
	CHECK_INT(PARSE(&c, err, "--filter-kprobe-batch", "10k"), -EINVAL);
	CHECK_INT(PARSE(&c, err, "--filter-kprobe-batch", "99999999999"),
		  -EINVAL);
	CHECK_HAS(err, "'99999999999'");
	/* The helpers of the traced programs: it needs one of the two. */
	CHECK_INT(PARSE(&c, err, "--filter-trace-xdp",
			"--filter-track-bpf-helpers"),
		  0);
	CHECK_INT(c.bpf_helpers, 1);
	CHECK_INT(PARSE(&c, err, "--filter-track-bpf-helpers"), -EINVAL);
	CHECK_HAS(err, "--filter-track-bpf-helpers: the helpers of which "
		       "programs? It needs --filter-trace-tc or "
		       "--filter-trace-xdp");
	CHECK_INT(PARSE(&c, err, "--filter-trace-tc", "--output-bpfmap"), 0);
	CHECK_INT(c.bpfmap, 1);
	CHECK_INT(PARSE(&c, err, "--output-bpfmap"), -EINVAL);
	CHECK_HAS(err, "--output-bpfmap: the maps of which programs?");
	CHECK_INT(PARSE(&c, err, "--output-bpfmap=false"), 0);
	/* The stack-tracking flags: test_cli.c (cli_stack_tracking). */
	/* Tracing programs is live only: a replay has none. */
	CHECK_INT(PARSE(&c, err, "--replay", "x.skbs", "--filter-trace-tc"),
		  -EINVAL);
	CHECK_HAS(err, "--filter-trace-tc");
}

TEST(bpfprog_map_op_line_and_json)
{
	struct skbs_event ev = {
		.flags2 = SKBS_EV2_BPFMAP,
		.aux = 12,
		.location = (4ULL << 32) | 8,
		.tail_len = 12,
	};
	unsigned char t[2 * SKBS_MAP_BYTES] = { 0x6f, 0x1b, 0, 0, 1 };
	char b[600];

	CHECK_INT(line_bpfmap(&ev, (const char *)t, "counts", 0, b, sizeof(b)) >
			  0,
		  1);
	CHECK_STR(b, "map 12 (counts) key[4] 6f1b0000 value[8] "
		     "0100000000000000");
	line_bpfmap(&ev, (const char *)t, "counts", 1, b, sizeof(b));
	CHECK_STR(b, "\"bpfmap\":{\"id\":12,\"key_size\":4,\"value_size\":8,"
		     "\"key\":\"6f1b0000\",\"value\":\"0100000000000000\"}");
	/* A lookup (no value), with no name (a replay). */
	ev.location = 4ULL << 32;
	ev.tail_len = 4;
	line_bpfmap(&ev, (const char *)t, "", 0, b, sizeof(b));
	CHECK_STR(b, "map 12 key[4] 6f1b0000");
	/* A key longer than what is carried says so. */
	ev.location = 100ULL << 32;
	ev.tail_len = SKBS_MAP_BYTES;
	line_bpfmap(&ev, (const char *)t, NULL, 0, b, sizeof(b));
	CHECK_HAS(b, "key[100] 6f1b0000010000");
	CHECK_HAS(b, "...");
	/* Sizes the tail does not hold are not read past it. */
	ev.location = (4ULL << 32) | 8;
	ev.tail_len = 6;
	line_bpfmap(&ev, (const char *)t, NULL, 0, b, sizeof(b));
	CHECK_STR(b, "map 12 key[4] 6f1b0000 value[8] 0100...");
	ev.tail_len = 2;
	line_bpfmap(&ev, (const char *)t, NULL, 0, b, sizeof(b));
	CHECK_STR(b, "map 12 key[4] ... value[8] ...");
	/* Small buffers are cut, never overrun. */
	CHECK(line_bpfmap(&ev, (const char *)t, "counts", 0, b, 5) <= 4);
	/* Any other event has none. */
	ev.flags2 = 0;
	CHECK_INT(line_bpfmap(&ev, (const char *)t, "x", 0, b, sizeof(b)), 0);
}
