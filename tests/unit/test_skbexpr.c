// SPDX-License-Identifier: GPL-2.0
/* core/skbexpr: the compiler against BTF built here and the host's own,
 * and bpf/exprvm.bpf.h (the kernel's interpreter) over a fake memory map. */
#include <stdlib.h>
#include <bpf/btf.h>
#include "test.h"
#include "core/event.h"
#include "core/filter.h"
#include "core/output_json.h"
#include "core/output_line.h"
#include "core/skbexpr.h"
#include "core/trace/btf.h"
#include "core/trace/exprbtf.h"

#define SKB 0x10000
#define DEV 0x20000

/* A miniature kernel: struct sk_buff with a device pointer, integers of
 * each size and sign, bitfields, an anonymous union and an array. */
static struct btf *mini(void)
{
	struct btf *b = btf__new_empty();
	int u8t, u32t, s32t, s16t, u64t, dev, devp, un, arr, chr, td, u8p, vp;

	u8t = btf__add_int(b, "unsigned char", 1, 0);
	chr = btf__add_int(b, "char", 1, BTF_INT_SIGNED);
	s16t = btf__add_int(b, "short", 2, BTF_INT_SIGNED);
	u32t = btf__add_int(b, "unsigned int", 4, 0);
	s32t = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	u64t = btf__add_int(b, "long long unsigned int", 8, 0);
	dev = btf__add_struct(b, "net_device", 16);
	btf__add_field(b, "ifindex", s32t, 0, 0);
	btf__add_field(b, "mtu", u32t, 32, 0);
	devp = btf__add_ptr(b, dev);
	un = btf__add_union(b, NULL, 4);
	btf__add_field(b, "hash", u32t, 0, 0);
	btf__add_field(b, "hash_lo", s16t, 0, 0);
	arr = btf__add_array(b, u32t, chr, 8);
	td = btf__add_typedef(b, "__u32", u32t);
	u8p = btf__add_ptr(b, u8t);
	vp = btf__add_ptr(b, 0);
	/* Fields follow their struct directly: the types come first. */
	btf__add_struct(b, "sk_buff", 48);
	btf__add_field(b, "dev", devp, 0, 0);
	btf__add_field(b, "len", u32t, 64, 0);
	btf__add_field(b, "mark", td, 96, 0);
	btf__add_field(b, "pkt_type", u8t, 130, 3);
	btf__add_field(b, "sb", s32t, 133, 4);
	btf__add_field(b, NULL, un, 160, 0);
	btf__add_field(b, "prio", s16t, 192, 0);
	btf__add_field(b, "head", u8p, 256 - 64, 0);
	btf__add_field(b, "cb", arr, 256, 0);
	btf__add_field(b, "tstamp", u64t, 320, 0);
	btf__add_struct(b, "xdp_buff", 8);
	btf__add_field(b, "data", vp, 0, 0);
	return b;
}

static struct btf *B;
static struct skbexpr_types T;
static __u8 skbmem[48], devmem[16];
static struct skbexpr_region mem[2];

static void put(__u8 *m, int off, __u64 v, int size)
{
	for (int i = 0; i < size; i++)
		m[off + i] = (__u8)(v >> (8 * i));
}

static void setup(void)
{
	if (!B)
		B = mini();
	kbtf_expr_types(B, &T);
	memset(skbmem, 0, sizeof(skbmem));
	memset(devmem, 0, sizeof(devmem));
	put(skbmem, 0, DEV, 8);
	put(skbmem, 8, 150, 4);        /* len */
	put(skbmem, 12, 0x140, 4);     /* mark */
	skbmem[16] = 5 << 2 | 5 << 5;  /* pkt_type 5 at bit 2; sb's low bits */
	skbmem[17] = 0x1;              /* sb = 0b1101 = -3 (bits 5..8) */
	put(skbmem, 20, 7, 4);         /* hash */
	put(skbmem, 24, (__u16)-2, 2); /* prio */
	put(skbmem, 40, 0x123456789ULL, 8);
	put(devmem, 0, 3, 4);
	put(devmem, 4, 1500, 4);
	mem[0] = (struct skbexpr_region){ SKB, skbmem, sizeof(skbmem) };
	mem[1] = (struct skbexpr_region){ DEV, devmem, sizeof(devmem) };
}

/* Compile and run over the fake skb: the verdict, or -1 on a compile
 * error (message in last_err). */
static char last_err[256];
static int last_off;

static long long run(const char *text)
{
	struct skbs_expr e;

	last_err[0] = 0;
	last_off = -2;
	if (skbexpr_compile(&T, SKBEXPR_SKB, text, &e, last_err,
			    sizeof(last_err), &last_off))
		return -1;
	return (long long)skbexpr_run(&e, SKB, mem, 2);
}

TEST(skbexpr_compares_fields)
{
	setup();
	CHECK_INT(run("skb->mark == 0x140"), 1);
	CHECK_INT(run("skb->mark == 0x40"), 0);
	CHECK_INT(run("skb->mark != 0x40"), 1);
	CHECK_INT(run("skb->len > 100"), 1);
	CHECK_INT(run("skb->len >= 150 && skb->len <= 150"), 1);
	CHECK_INT(run("skb->len < 150"), 0);
	CHECK_INT(run("skb->dev->ifindex == 3 && skb->len > 100"), 1);
	CHECK_INT(run("skb->dev->ifindex == 4 || skb->dev->mtu == 1500"), 1);
	CHECK_INT(run("skb->dev->ifindex == 4 || skb->dev->mtu == 9000"), 0);
	CHECK_INT(run("skb->tstamp == 0x123456789"), 1);
	CHECK_INT(run("skb->hash == 7"), 1); /* through the anonymous union */
	CHECK_INT(run("skb->hash_lo == 7"), 1);
}

TEST(skbexpr_masks_and_logic)
{
	setup();
	/* & binds tighter than ==, as a reader of a mask means it. */
	CHECK_INT(run("skb->mark & 0xff == 0x40"), 1);
	CHECK_INT(run("(skb->mark & 0x100) != 0"), 1);
	CHECK_INT(run("!(skb->mark == 0x140)"), 0);
	CHECK_INT(run("!skb->mark"), 0);
	CHECK_INT(run("skb->mark"), 1);
	CHECK_INT(run("~skb->mark & 0x1 == 1"), 1);
	CHECK_INT(run("-skb->len == -150"), 1);
	CHECK_INT(run("((skb->len > 1))"), 1);
	CHECK_INT(run("skb->len > 1 && (skb->mark == 1 || skb->mark == 0x140)"),
		  1);
}

TEST(skbexpr_signedness)
{
	setup();
	CHECK_INT(run("skb->prio == -2"), 1);
	CHECK_INT(run("skb->prio < 0"), 1); /* signed field: signed */
	CHECK_INT(run("skb->len > -1"), 0); /* unsigned field, as C */
	CHECK_INT(run("skb->dev->ifindex > -1"), 1);
}

TEST(skbexpr_bitfields)
{
	setup();
	CHECK_INT(run("skb->pkt_type == 5"), 1);
	CHECK_INT(run("skb->sb == -3"), 1);
	CHECK_INT(run("skb->sb < 0"), 1);
}

TEST(skbexpr_pointers)
{
	setup();
	CHECK_INT(run("skb->dev != 0"), 1);
	CHECK_INT(run("skb->dev"), 1);
	CHECK_INT(run("skb->dev == skb->dev"), 1);
	/* No device: the path ends at the NULL pointer and reads 0. */
	put(skbmem, 0, 0, 8);
	CHECK_INT(run("skb->dev == 0"), 1);
	CHECK_INT(run("skb->dev->ifindex == 0"), 1);
	CHECK_INT(run("!skb->dev"), 1);
	/* A pointer into nothing readable: 0 too, never a crash. */
	put(skbmem, 0, 0xdead0000, 8);
	CHECK_INT(run("skb->dev->mtu == 0"), 1);
}

struct bad {
	const char *text, *msg;
	int off;
};

TEST(skbexpr_errors_name_the_part)
{
	static const struct bad bad[] = {
		{ "skb->nosuch == 1",
		  "skb->nosuch: struct sk_buff has no member nosuch", 5 },
		{ "skb->dev->nosuch",
		  "skb->dev->nosuch: struct net_device has no member nosuch",
		  10 },
		{ "skb->len->x",
		  "skb->len: not a pointer (unsigned int), '->' "
		  "needs one",
		  8 },
		{ "skb->dev.ifindex",
		  "skb->dev: not a struct (struct net_device *)"
		  ", '.' needs one; use '->'",
		  8 },
		{ "skb->head->x",
		  "skb->head: points to unsigned char, not a "
		  "struct",
		  9 },
		{ "skb->cb == 1",
		  "skb->cb: not an integer or a pointer "
		  "(char[8])",
		  0 },
		{ "skb->dev > 3",
		  "skb->dev: a pointer compares only with == or "
		  "!= against 0 or a pointer",
		  0 },
		{ "skb->dev == 3", "a pointer compares only", 0 },
		{ "skb->dev & 1", "skb->dev: '&' on a pointer", 0 },
		{ "-skb->dev", "skb->dev: '-' on a pointer", 0 },
		{ "skb", "skb: name a field (skb->FIELD)", 0 },
		{ "skb->", "skb->: expected a member name", 5 },
		{ "foo == 1", "'foo': expected a field of skb (skb->...)", 0 },
		{ "", "empty expression", 0 },
		{ "skb->mark ==", "expression ends early", 12 },
		{ "(skb->mark == 1", "expected ')' at the end", 15 },
		{ "skb->mark == 1)", "unexpected ')' after the expression",
		  14 },
		{ "skb->mark == 1 == 2", "'==' after a comparison", 15 },
		{ "skb->mark = 1", "unexpected '=", 10 },
		{ "skb->mark == 0x", "hex number with no digits", 13 },
		{ "skb->mark == 12ab", "'12ab': not a number", 13 },
		{ "skb->mark == 99999999999999999999", "too large for 64 bits",
		  13 },
		{ "skb->mark == @", "unexpected '@'", 13 },
	};

	setup();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (run(bad[i].text) != -1)
			test_fail(__FILE__, __LINE__, "'%s' compiled",
				  bad[i].text);
		else if (!strstr(last_err, bad[i].msg))
			test_fail(__FILE__, __LINE__,
				  "'%s': \"%s\" lacks \"%s\"", bad[i].text,
				  last_err, bad[i].msg);
		else if (last_off != bad[i].off)
			test_fail(__FILE__, __LINE__, "'%s': offset %d, not %d",
				  bad[i].text, last_off, bad[i].off);
	}
}

TEST(skbexpr_limits)
{
	char big[1024] = "skb->len == 1";
	struct skbs_expr e;
	char err[256];

	setup();
	/* 32 steps: 11 comparisons of 3 and 10 && is 43. */
	for (int i = 0; i < 10; i++)
		strcat(big, " && skb->len == 1");
	CHECK(skbexpr_compile(&T, SKBEXPR_SKB, big, &e, err, sizeof(err),
			      NULL) == -EINVAL);
	CHECK_HAS(err, "expression too long");
	/* Nine values pending at once. */
	CHECK(skbexpr_compile(&T, SKBEXPR_SKB,
			      "1 && (1 && (1 && (1 && (1 && (1 && (1 && (1 "
			      "&& (1 && 1))))))))",
			      &e, err, sizeof(err), NULL) == -EINVAL);
	CHECK_HAS(err, "nested too deep");
	/* The same field twice is one field. */
	CHECK_INT(skbexpr_compile(&T, SKBEXPR_SKB,
				  "skb->len > 1 && skb->len < 500", &e, err,
				  sizeof(err), NULL),
		  0);
	CHECK_INT(e.nfields, 1);
	CHECK(skbexpr_compile(NULL, SKBEXPR_SKB, "skb->len", &e, err,
			      sizeof(err), NULL) == -EINVAL);
	CHECK_HAS(err, "kernel's BTF");
}

TEST(skbexpr_malformed_programs_keep_nothing)
{
	struct skbs_expr e;

	setup();
	memset(&e, 0, sizeof(e));
	e.n = 1;
	e.insn[0].op = SKBS_XOP_EQ; /* nothing to pop */
	CHECK_INT(skbexpr_run(&e, SKB, mem, 2), 0);
	e.insn[0].op = SKBS_XOP_FIELD; /* no such field */
	e.insn[0].arg = 3;
	CHECK_INT(skbexpr_run(&e, SKB, mem, 2), 0);
	e.insn[0].op = 0xee;
	CHECK_INT(skbexpr_run(&e, SKB, mem, 2), 0);
	e.n = 2; /* two values left: no verdict */
	e.insn[0].op = e.insn[1].op = SKBS_XOP_PUSH;
	e.insn[0].imm = e.insn[1].imm = 1;
	CHECK_INT(skbexpr_run(&e, SKB, mem, 2), 0);
	e.n = 200; /* past the array: stops at SKBS_EXPR_INSNS */
	CHECK_INT(skbexpr_run(&e, SKB, mem, 2), 0);
}

TEST(skbexpr_fields_for_metadata)
{
	struct skbs_field f;
	char err[256];

	setup();
	CHECK_INT(skbexpr_field(&T, SKBEXPR_SKB, "skb->mark", &f, err,
				sizeof(err)),
		  0);
	CHECK_INT(f.hops, 1);
	CHECK_INT(f.off[0], 12);
	CHECK_INT(f.size, 4);
	CHECK_INT(skbexpr_read(&f, SKB, mem, 2), 0x140);
	CHECK_INT(skbexpr_field(&T, SKBEXPR_SKB, " skb->dev->mtu ", &f, err,
				sizeof(err)),
		  0);
	CHECK_INT(f.hops, 2);
	CHECK_INT(skbexpr_read(&f, SKB, mem, 2), 1500);
	CHECK_INT(skbexpr_field(&T, SKBEXPR_SKB, "skb->prio", &f, err,
				sizeof(err)),
		  0);
	CHECK_INT((long long)skbexpr_read(&f, SKB, mem, 2), -2);
	CHECK(skbexpr_field(&T, SKBEXPR_SKB, "skb->mark == 1", &f, err,
			    sizeof(err)) == -EINVAL);
	CHECK_HAS(err, "one field path");
	CHECK(skbexpr_field(&T, SKBEXPR_SKB, "skb->nope", &f, err,
			    sizeof(err)) == -EINVAL);
	CHECK_HAS(err, "skb->nope: struct sk_buff has no member nope");
	CHECK(skbexpr_field(&T, SKBEXPR_XDP, "skb->len", &f, err,
			    sizeof(err)) == -EINVAL);
	CHECK_HAS(err, "expected a field of xdp");
}

TEST(skbexpr_filter_text_round_trip)
{
	struct skbs_filter f;
	char err[256], buf[512];
	int off;

	setup();
	skbexpr_use_types(&T);
	filter_init(&f);
	CHECK_INT(filter_parse("skb->mark == 0x40 && skb->len > 5 and dport 80",
			       "/nonexistent", &f, err, sizeof(err), &off),
		  0);
	CHECK(f.flags & SKBS_F_SKB_EXPR);
	CHECK(f.flags & SKBS_F_DPORT);
	CHECK_STR(f.skb_expr_text, "skb->mark == 0x40 && skb->len > 5");
	filter_format(&f, buf, sizeof(buf));
	CHECK_STR(buf, "dport 80 and skb->mark == 0x40 && skb->len > 5");
	CHECK_INT(filter_parse(buf, "/nonexistent", &f, err, sizeof(err), &off),
		  0);
	CHECK_INT(filter_parse("skb (skb->len > 1 and 2) and mark 1",
			       "/nonexistent", &f, err, sizeof(err), &off),
		  -EINVAL);
	CHECK_INT(filter_parse("skb !skb->dev and mark 1", "/nonexistent", &f,
			       err, sizeof(err), &off),
		  0);
	filter_format(&f, buf, sizeof(buf));
	CHECK_STR(buf, "mark 0x1 and skb !skb->dev");
	CHECK_INT(filter_parse("dport 80 and skb->nosuch == 1", "/nonexistent",
			       &f, err, sizeof(err), &off),
		  -EINVAL);
	CHECK_STR(err, "skb: skb->nosuch: struct sk_buff has no member nosuch");
	CHECK_INT(off, 18);
	CHECK_INT(filter_parse("skb->len > 1 and skb->len < 5", "/nonexistent",
			       &f, err, sizeof(err), &off),
		  -EINVAL);
	CHECK_HAS(err, "given twice");
	CHECK_INT(filter_parse("xdp xdp->data != 0", "/nonexistent", &f, err,
			       sizeof(err), &off),
		  0);
	CHECK(f.flags & SKBS_F_XDP_EXPR);
	CHECK_INT(filter_set_meta(&f, "skb->mark,skb->len", err, sizeof(err)),
		  0);
	CHECK_INT(f.nmeta, 2);
	CHECK(f.output & SKBS_O_META);
	CHECK_INT(filter_set_meta(&f, "skb->mark,,skb->len", err, sizeof(err)),
		  -EINVAL);
	CHECK_HAS(err, "empty field");
	CHECK_INT(filter_set_meta(&f,
				  "skb->len,skb->len,skb->len,skb->len,"
				  "skb->len",
				  err, sizeof(err)),
		  -EINVAL);
	CHECK_HAS(err, "at most 4 fields");
	skbexpr_use_types(NULL);
}

/* The host's own kernel BTF, as skbscope reads it. */
TEST(skbexpr_host_btf)
{
	struct skbexpr_types ht;
	struct skbs_field f;
	struct skbs_expr e;
	char err[256];
	struct btf *b = kbtf_load_kernel(NULL, err, sizeof(err));

	if (!b)
		SKIP("no kernel BTF here: %s", err);
	kbtf_expr_types(b, &ht);
	CHECK_INT(skbexpr_field(&ht, SKBEXPR_SKB, "skb->mark", &f, err,
				sizeof(err)),
		  0);
	CHECK_INT(f.hops, 1);
	CHECK_INT(f.size, 4);
	CHECK(f.off[0] > 0 && f.off[0] < 256);
	CHECK_INT(skbexpr_field(&ht, SKBEXPR_SKB, "skb->dev->ifindex", &f, err,
				sizeof(err)),
		  0);
	CHECK_INT(f.hops, 2);
	CHECK_INT(f.size, 4);
	CHECK(f.flags & SKBS_FLD_SIGNED); /* int ifindex */
	/* pkt_type:3, a bitfield in every kernel since 2.6. */
	CHECK_INT(skbexpr_field(&ht, SKBEXPR_SKB, "skb->pkt_type", &f, err,
				sizeof(err)),
		  0);
	CHECK_INT(f.bit_width, 3);
	CHECK_INT(skbexpr_field(&ht, SKBEXPR_SKB,
				"skb->dev->nd_net.net->ns.inum", &f, err,
				sizeof(err)),
		  0);
	CHECK_INT(f.hops, 3);
	CHECK_INT(skbexpr_compile(&ht, SKBEXPR_XDP,
				  "xdp->rxq->dev->ifindex == 3", &e, err,
				  sizeof(err), NULL),
		  0);
	CHECK_INT(e.fields[0].hops, 3);
	CHECK(skbexpr_compile(&ht, SKBEXPR_SKB, "skb->nosuch == 1", &e, err,
			      sizeof(err), NULL) == -EINVAL);
	CHECK_STR(err, "skb->nosuch: struct sk_buff has no member nosuch");
	btf__free(b);
}

/* --kernel-btf: a file that is not BTF is named in the error. */
TEST(skbexpr_kernel_btf_bad_file)
{
	char err[256];
	struct btf *b = kbtf_load_kernel("/etc/passwd", err, sizeof(err));

	CHECK(!b);
	CHECK_HAS(err, "--kernel-btf /etc/passwd: cannot read BTF");
	b = kbtf_load_kernel("/nonexistent/vmlinux", err, sizeof(err));
	CHECK(!b);
	CHECK_HAS(err, "--kernel-btf /nonexistent/vmlinux");
}

/* The tail layout: header bytes, then the metadata values, then the skb
 * text; a record that claims more than it carries is refused. */
TEST(skbexpr_event_tail_layout)
{
	struct {
		struct skbs_event ev;
		char tail[64];
	} r;
	const struct skbs_event *ev;
	const char *tail, *txt;
	struct line_opts lo_o = { .meta_names = "skb->mark, skb->len" };
	struct line_out *lo;
	char err[256], buf[256];
	__u64 v;
	size_t tl;

	memset(&r, 0, sizeof(r));
	r.ev.rec_type = SKBS_REC_EVENT;
	r.ev.hdr_len = 3;
	r.ev.nmeta = 2;
	r.ev.flags = SKBS_EV_SKB_TEXT;
	memcpy(r.tail, "abc", 3);
	v = 0x40;
	memcpy(r.tail + 3, &v, 8);
	v = 100;
	memcpy(r.tail + 11, &v, 8);
	memcpy(r.tail + 19, "(struct sk_buff){}", 18);
	r.ev.tail_len = 37;
	CHECK_INT(event_decode(&r, sizeof(r.ev) + 37, &ev, &tail, err,
			       sizeof(err)),
		  0);
	CHECK_INT(event_meta(ev, tail, 0), 0x40);
	CHECK_INT(event_meta(ev, tail, 1), 100);
	CHECK_INT(event_meta(ev, tail, 2), 0);
	txt = event_skb_text(ev, tail, &tl);
	CHECK(txt && tl == 18 && !memcmp(txt, "(struct sk_buff){}", 18));
	CHECK_INT(line_out_new(&lo_o, NULL, NULL, &lo), 0);
	line_meta(lo, ev, tail, buf, sizeof(buf));
	CHECK_STR(buf, "skb->mark=0x40 skb->len=0x64");
	json_meta(lo, ev, tail, buf, sizeof(buf));
	CHECK_STR(buf, "\"meta\":{\"skb->mark\":64,\"skb->len\":100}");
	line_out_free(lo);
	r.ev.nmeta = 5;
	CHECK_INT(event_decode(&r, sizeof(r.ev) + 37, &ev, &tail, err,
			       sizeof(err)),
		  -EINVAL);
	CHECK_HAS(err, "metadata values");
	r.ev.nmeta = 4; /* 3 + 32 > the 20 bytes of tail left */
	r.ev.tail_len = 20;
	CHECK_INT(event_decode(&r, sizeof(r.ev) + 20, &ev, &tail, err,
			       sizeof(err)),
		  -EINVAL);
}
