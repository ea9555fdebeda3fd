// SPDX-License-Identifier: GPL-2.0
/* core/trace/template: which program serves which hook on each backend. */
#include <stdlib.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "core/hooks.h"
#include "core/trace/template.h"
#include "test.h"

static struct hook fn(const char *name, int pos, int nargs, const char *mod)
{
	struct hook hk = { .kind = HOOK_FUNCTION,
			   .skb_pos = pos,
			   .nargs = nargs };

	snprintf(hk.name, sizeof(hk.name), "%s", name);
	snprintf(hk.module, sizeof(hk.module), "%s", mod);
	return hk;
}

static struct hook tp(const char *name, int pos, int nargs)
{
	struct hook hk = { .kind = HOOK_TRACEPOINT,
			   .skb_pos = pos,
			   .nargs = nargs };

	snprintf(hk.name, sizeof(hk.name), "%s", name);
	return hk;
}

TEST(trace_template_functions_by_position)
{
	struct hook hk = fn("ip_rcv", 1, 4, "");

	CHECK_STR(template_name(&hk, BK_KMULTI), "km_pos1");
	CHECK_STR(template_name(&hk, BK_KPROBE), "kp_pos1");
	CHECK_STR(template_name(&hk, BK_FENTRY), "fe_pos1");
	/* A function is no tracepoint. */
	CHECK(template_name(&hk, BK_TP) == NULL);
	hk = fn("tcp_v4_rcv", 5, 5, "");
	CHECK_STR(template_name(&hk, BK_KPROBE), "kp_pos5");
	/* Beyond what the programs read. */
	hk = fn("odd", 6, 6, "");
	CHECK(template_name(&hk, BK_KPROBE) == NULL);
	/* No skb (--filter-non-skb-funcs): the kprobe families' stub that
	 * reads none; fentry has none (the flag rules fentry out). */
	hk = fn("ipv4_mtu", 0, 1, "");
	CHECK_STR(template_name(&hk, BK_KMULTI), "km_nonskb");
	CHECK_STR(template_name(&hk, BK_KPROBE), "kp_nonskb");
	CHECK(template_name(&hk, BK_FENTRY) == NULL);
}

TEST(trace_template_functions_whose_arguments_matter)
{
	struct hook hk = fn("kfree_skb_reason", 1, 2, "");

	CHECK_STR(template_name(&hk, BK_KMULTI), "km_kfree_skb_reason");
	CHECK_STR(template_name(&hk, BK_KPROBE), "kp_kfree_skb_reason");
	CHECK_STR(template_name(&hk, BK_FENTRY), "fe_kfree_skb_reason");
	hk = fn("sk_skb_reason_drop", 2, 3, "");
	CHECK_STR(template_name(&hk, BK_KPROBE), "kp_sk_skb_reason_drop");
	hk = fn("kfree_skbmem", 1, 1, "");
	CHECK_STR(template_name(&hk, BK_FENTRY), "fe_kfree_skbmem");
	/* The name alone is not enough: the skb where the program reads
	 * it... */
	hk = fn("sk_skb_reason_drop", 1, 3, "");
	CHECK_STR(template_name(&hk, BK_KPROBE), "kp_pos1");
	/* ... and the kernel's own function, not a module's namesake. */
	hk = fn("kfree_skbmem", 1, 1, "mymod");
	CHECK_STR(template_name(&hk, BK_KPROBE), "kp_pos1");
}

TEST(trace_template_tracepoints)
{
	struct hook hk = tp("kfree_skb", 0, 3);

	CHECK_STR(template_name(&hk, BK_TP), "tp_kfree_skb_reason");
	/* Before 5.17 kfree_skb had no reason argument. */
	hk = tp("kfree_skb", 0, 2);
	CHECK_STR(template_name(&hk, BK_TP), "tp_kfree_skb");
	hk = tp("consume_skb", 0, 1);
	CHECK_STR(template_name(&hk, BK_TP), "tp_consume_skb");
	hk = tp("netif_receive_skb", 0, 1);
	CHECK_STR(template_name(&hk, BK_TP), "tp_pos0");
	hk = tp("tcp_send_reset", 1, 2);
	CHECK_STR(template_name(&hk, BK_TP), "tp_pos1");
	hk = tp("late", 4, 5);
	CHECK_STR(template_name(&hk, BK_TP), "tp_pos4");
	hk = tp("later", 5, 6);
	CHECK(template_name(&hk, BK_TP) == NULL);
	/* No probe backend serves a tracepoint. */
	hk = tp("kfree_skb", 0, 3);
	CHECK(template_name(&hk, BK_KPROBE) == NULL);
	CHECK(template_name(&hk, BK_FENTRY) == NULL);
}

TEST(trace_template_copy_followers)
{
	CHECK_STR(template_copy_fn(0), "skb_clone");
	CHECK(template_copy_fn(TEMPLATE_COPIES) == NULL);
	for (size_t i = 0; i < TEMPLATE_COPIES; i++) {
		/* kprobes stash at entry and follow at return... */
		CHECK_STR(template_copy_name(i, BK_KPROBE, 0),
			  "kp_clone_enter");
		CHECK_STR(template_copy_name(i, BK_KPROBE, 1), "kp_clone_exit");
		CHECK_STR(template_copy_name(i, BK_KMULTI, 1), "km_clone_exit");
		/* ... fexit does both at return... */
		CHECK(template_copy_name(i, BK_FENTRY, 0) == NULL);
		/* ... and tracepoints do not follow copies. */
		CHECK(template_copy_name(i, BK_TP, 0) == NULL);
		CHECK(template_copy_name(i, BK_TP, 1) == NULL);
	}
	/* fexit reads the copy after the arguments: per argument count. */
	CHECK_STR(template_copy_name(1, BK_FENTRY, 1), "fx_copy2");
	CHECK_STR(template_copy_name(3, BK_FENTRY, 1), "fx_copy4");
}

/*
 * Every name in the tables is a program of the BPF object, when the
 * build has made one ($OUT/skbscope.bpf.o; opened, not loaded, so no
 * privilege is needed): a renamed program fails here, not in a VM.
 */
TEST(trace_template_names_exist_in_the_object)
{
	const char *out = getenv("OUT");
	char path[512], err[128];
	struct bpf_object *obj;
	struct templates t;

	snprintf(path, sizeof(path), "%s/skbscope.bpf.o", out ? out : "build");
	if (access(path, R_OK)) {
		fprintf(stderr, "    (no %s: not checked)\n", path);
		return;
	}
	obj = bpf_object__open_file(path, NULL);
	CHECK(obj);
	err[0] = '\0';
	CHECK_INT(templates_resolve(&t, obj, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK(t.fn[0][BK_TP] != NULL);
	bpf_object__close(obj);
}
