// SPDX-License-Identifier: GPL-2.0
/* core/funcs, core/lifetime, hooks_find_func. */
#include <stdlib.h>
#include <bpf/btf.h>
#include "core/trace/funcs.h"
#include "core/hooks.h"
#include "core/lifetime.h"
#include "test.h"

static struct btf *mini_funcs(void)
{
	struct btf *b = btf__new_empty();
	int intt = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	int skb = btf__add_struct(b, "sk_buff", 8);
	int skbp = btf__add_ptr(b, skb);
	int sock = btf__add_struct(b, "sock", 8);
	int sockp = btf__add_ptr(b, sock);
	int fp;

	btf__add_field(b, "len", intt, 0, 0);
	fp = btf__add_func_proto(b, intt); /* ip_rcv(skb, ...) */
	btf__add_func_param(b, "skb", skbp);
	btf__add_func_param(b, "x", intt);
	btf__add_func(b, "ip_rcv", BTF_FUNC_GLOBAL, fp);
	fp = btf__add_func_proto(b, 0); /* sk_skb_reason_drop */
	btf__add_func_param(b, "sk", sockp);
	btf__add_func_param(b, "skb", skbp);
	btf__add_func_param(b, "reason", intt);
	btf__add_func(b, "sk_skb_reason_drop", BTF_FUNC_GLOBAL, fp);
	btf__add_func(b, "untraceable_skb_fn", BTF_FUNC_STATIC, fp);
	btf__add_func(b, "bpf_skb_helper", BTF_FUNC_STATIC, fp);
	fp = btf__add_func_proto(b, 0); /* skb 6th: too far */
	for (int i = 0; i < 5; i++)
		btf__add_func_param(b, "x", intt);
	btf__add_func_param(b, "skb", skbp);
	btf__add_func(b, "far_skb", BTF_FUNC_GLOBAL, fp);
	fp = btf__add_func_proto(b, 0); /* no skb */
	btf__add_func_param(b, "sk", sockp);
	btf__add_func(b, "tcp_close", BTF_FUNC_GLOBAL, fp);
	return b;
}

TEST(funcs_from_available_filter_functions)
{
	struct btf *b = mini_funcs();
	struct funcs_opts o = {
		.avail = "ip_rcv\nsk_skb_reason_drop\nfar_skb\ntcp_close\n"
			 "bpf_skb_helper\nip_rcv.cold\n",
	};
	struct funcs *fs;
	char err[128];

	CHECK_INT(funcs_discover(b, &o, &fs, err, sizeof(err)), 0);
	CHECK_STR(funcs_source(fs), "available_filter_functions");
	CHECK_INT(funcs_count(fs), 2);
	CHECK_STR(funcs_get(fs, 0)->name, "ip_rcv");
	CHECK_INT(funcs_get(fs, 0)->skb_pos, 1);
	CHECK_STR(funcs_get(fs, 1)->name, "sk_skb_reason_drop");
	CHECK_INT(funcs_get(fs, 1)->skb_pos, 2);
	CHECK_INT(funcs_get(fs, 1)->nargs, 3);
	funcs_free(fs);

	o.regex = "^sk_";
	CHECK_INT(funcs_discover(b, &o, &fs, err, sizeof(err)), 0);
	CHECK_INT(funcs_count(fs), 1);
	CHECK_STR(funcs_get(fs, 0)->name, "sk_skb_reason_drop");
	funcs_free(fs);

	o.regex = "(";
	CHECK_INT(funcs_discover(b, &o, &fs, err, sizeof(err)), -EINVAL);
	CHECK_HAS(err, "--filter-func");
	btf__free(b);
}

/* --filter-non-skb-funcs: the functions the regex names that take no skb
 * (among the first five) come too, at position 0, and only traceable
 * ones; never without a regex; untouched without the flag. */
TEST(funcs_non_skb)
{
	struct btf *b = mini_funcs();
	struct funcs_opts o = {
		.avail = "ip_rcv\nfar_skb\ntcp_close\n",
		.regex = "^(ip_rcv|far_skb|tcp_close|untraceable_skb_fn)$",
	};
	struct funcs *fs;
	char err[128];

	CHECK_INT(funcs_discover(b, &o, &fs, err, sizeof(err)), 0);
	CHECK_INT(funcs_count(fs), 1);
	funcs_free(fs);
	o.non_skb = 1;
	CHECK_INT(funcs_discover(b, &o, &fs, err, sizeof(err)), 0);
	CHECK_INT(funcs_count(fs), 3);
	CHECK_STR(funcs_get(fs, 0)->name, "far_skb");
	CHECK_INT(funcs_get(fs, 0)->skb_pos, 0);
	CHECK_INT(funcs_get(fs, 0)->nargs, 6);
	CHECK_STR(funcs_get(fs, 1)->name, "ip_rcv");
	CHECK_INT(funcs_get(fs, 1)->skb_pos, 1);
	CHECK_STR(funcs_get(fs, 2)->name, "tcp_close");
	CHECK_INT(funcs_get(fs, 2)->skb_pos, 0);
	funcs_free(fs);
	o.regex = NULL;
	CHECK_INT(funcs_discover(b, &o, &fs, err, sizeof(err)), 0);
	CHECK_INT(funcs_count(fs), 1);
	CHECK_STR(funcs_get(fs, 0)->name, "ip_rcv");
	funcs_free(fs);
	btf__free(b);
}

TEST(funcs_from_kallsyms)
{
	struct btf *b = mini_funcs();
	struct funcs_opts o = {
		.kallsyms = "ffffffff81000000 T ip_rcv\n"
			    "ffffffff81000100 D sk_skb_reason_drop\n"
			    "ffffffffc0000000 t untraceable_skb_fn\t[mod]\n",
	};
	struct funcs *fs;
	char err[128];

	CHECK_INT(funcs_discover(b, &o, &fs, err, sizeof(err)), 0);
	CHECK_STR(funcs_source(fs), "kallsyms");
	/* a data symbol is not a function; module text counts */
	CHECK_INT(funcs_count(fs), 2);
	CHECK_STR(funcs_get(fs, 0)->name, "ip_rcv");
	CHECK_STR(funcs_get(fs, 1)->name, "untraceable_skb_fn");
	funcs_free(fs);
	btf__free(b);
}

TEST(funcs_missing_module_is_a_note)
{
	struct btf *b = mini_funcs();
	const char *mods[] = { "no_such_mod" };
	struct funcs_opts o = { .avail = "ip_rcv\n",
				.kmods = mods,
				.nkmods = 1,
				.btf_dir = "/nonexistent" };
	struct funcs *fs;
	char err[128];

	CHECK_INT(funcs_discover(b, &o, &fs, err, sizeof(err)), 0);
	CHECK_HAS(funcs_notes(fs), "no_such_mod");
	CHECK_INT(funcs_count(fs), 1);
	funcs_free(fs);
	btf__free(b);
}

TEST(hooks_find_function_by_name)
{
	struct hooks *h;
	struct hook hk = { .kind = HOOK_TRACEPOINT };
	const char *names[] = { "a_fn", "ip_rcv", "kfree_skbmem", "z_fn" };

	CHECK_INT(hooks_new(&h), 0);
	strcpy(hk.name, "kfree_skb");
	hooks_add(h, &hk);
	hk.kind = HOOK_FUNCTION;
	for (int i = 0; i < 4; i++) {
		strcpy(hk.name, names[i]);
		hooks_add(h, &hk);
	}
	CHECK_INT(hooks_find_func(h, "kfree_skbmem"), 3);
	CHECK_INT(hooks_find_func(h, "a_fn"), 1);
	CHECK_INT(hooks_find_func(h, "z_fn"), 4);
	CHECK_INT(hooks_find_func(h, "kfree_skb"), -1); /* a tracepoint */
	CHECK_INT(hooks_find_func(h, "nope"), -1);
	hooks_free(h);
}

TEST(lifetimes_generations)
{
	struct lifetimes *l;
	__u32 g1, g2, g3;

	CHECK_INT(lifetimes_new(&l), 0);
	g1 = lifetimes_gen(l, 0x1000, 0);
	CHECK(g1 != 0);
	CHECK_INT(lifetimes_gen(l, 0x1000, 0), g1);
	g2 = lifetimes_gen(l, 0x2000, 0);
	CHECK(g2 != g1);
	CHECK_INT(lifetimes_open(l), 2);
	CHECK_INT(lifetimes_gen(l, 0x1000, 1), g1); /* the free is in g1 */
	CHECK_INT(lifetimes_open(l), 1);
	g3 = lifetimes_gen(l, 0x1000, 0); /* address reused */
	CHECK(g3 != g1 && g3 != g2);
	CHECK_INT(lifetimes_gen(l, 0x2000, 0), g2);
	/* many lifetimes whose end is never seen stay bounded */
	for (__u64 a = 1; a < 400000; a++)
		lifetimes_gen(l, 0x100000 + a * 0x100, 0);
	CHECK(lifetimes_open(l) <= (1u << 17));
	lifetimes_free(l);
}
