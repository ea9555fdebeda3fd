// SPDX-License-Identifier: GPL-2.0
/* core/btf: tracepoint discovery and drop reason names, on BTF built here. */
#include <stdlib.h>
#include <bpf/btf.h>
#include "core/reasons.h"
#include "core/trace/btf.h"
#include "test.h"

/* A miniature kernel: struct sk_buff, a few btf_trace_* typedefs (skb at
 * different positions, one without an skb) and the reason enums. */
static struct btf *mini_kernel(void)
{
	struct btf *b = btf__new_empty();
	int skb, skbp, cskb, cskbp, voidp, intt, sock, sockp, fp;

	intt = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	skb = btf__add_struct(b, "sk_buff", 8);
	btf__add_field(b, "len", intt, 0, 0);
	skbp = btf__add_ptr(b, skb);
	cskb = btf__add_const(b, skb);
	cskbp = btf__add_ptr(b, cskb);
	voidp = btf__add_ptr(b, 0);
	sock = btf__add_struct(b, "sock", 8);
	sockp = btf__add_ptr(b, sock);

	/* kfree_skb(skb, location, reason) */
	fp = btf__add_func_proto(b, 0);
	btf__add_func_param(b, "__data", voidp);
	btf__add_func_param(b, "skb", skbp);
	btf__add_func_param(b, "location", voidp);
	btf__add_func_param(b, "reason", intt);
	btf__add_typedef(b, "btf_trace_kfree_skb", btf__add_ptr(b, fp));
	/* tcp_send_reset(sk, const skb) */
	fp = btf__add_func_proto(b, 0);
	btf__add_func_param(b, "__data", voidp);
	btf__add_func_param(b, "sk", sockp);
	btf__add_func_param(b, "skb", cskbp);
	btf__add_typedef(b, "btf_trace_tcp_send_reset", btf__add_ptr(b, fp));
	/* sched_switch(void *, int): no skb */
	fp = btf__add_func_proto(b, 0);
	btf__add_func_param(b, "__data", voidp);
	btf__add_func_param(b, "x", intt);
	btf__add_typedef(b, "btf_trace_sched_switch", btf__add_ptr(b, fp));
	/* a function, not a tracepoint: must be ignored */
	fp = btf__add_func_proto(b, 0);
	btf__add_func_param(b, "skb", skbp);
	btf__add_func(b, "ip_rcv", BTF_FUNC_GLOBAL, fp);

	btf__add_enum(b, "skb_drop_reason", 4);
	btf__add_enum_value(b, "SKB_NOT_DROPPED_YET", 0);
	btf__add_enum_value(b, "SKB_CONSUMED", 1);
	btf__add_enum_value(b, "SKB_DROP_REASON_NOT_SPECIFIED", 2);
	btf__add_enum_value(b, "SKB_DROP_REASON_NO_SOCKET", 3);
	btf__add_enum_value(b, "SKB_DROP_REASON_NETFILTER_DROP", 12);
	btf__add_enum_value(b, "SKB_DROP_REASON_MAX", 13);
	btf__add_enum(b, "skb_drop_reason_subsys", 4);
	btf__add_enum_value(b, "SKB_DROP_REASON_SUBSYS_CORE", 0);
	btf__add_enum(b, "ovs_drop_reason", 4);
	btf__add_enum_value(b, "OVS_DROP_LAST_ACTION", 0x20000);
	return b;
}

TEST(btf_finds_skb_tracepoints)
{
	struct btf *b = mini_kernel();
	struct kbtf_tp *tps = NULL;
	size_t n = 0;

	CHECK_INT(kbtf_skb_tracepoints(b, &tps, &n), 0);
	CHECK_INT(n, 2);
	/* sorted by name */
	CHECK_STR(tps[0].name, "kfree_skb");
	CHECK_INT(tps[0].skb_pos, 0);
	CHECK_INT(tps[0].nargs, 3);
	CHECK_STR(tps[1].name, "tcp_send_reset");
	CHECK_INT(tps[1].skb_pos, 1); /* const struct sk_buff * counts */
	CHECK_INT(tps[1].nargs, 2);
	free(tps);
	btf__free(b);
}

TEST(btf_reason_names)
{
	struct btf *b = mini_kernel();
	struct reasons *r = NULL;

	CHECK_INT(kbtf_load_reasons(b, &r), 0);
	CHECK_STR(reasons_name(r, 12), "NETFILTER_DROP");
	CHECK_STR(reasons_name(r, 3), "NO_SOCKET");
	CHECK_STR(reasons_name(r, 1), "CONSUMED");
	CHECK_STR(reasons_name(r, 0), "NOT_DROPPED_YET");
	CHECK_STR(reasons_name(r, 0x20000), "OVS_DROP_LAST_ACTION");
	CHECK(reasons_name(r, 13) == NULL); /* _MAX is a marker */
	CHECK(reasons_name(r, 999) == NULL);
	CHECK_INT(reasons_value(r, "NETFILTER_DROP"), 12);
	CHECK_INT(reasons_value(r, "SKB_DROP_REASON_NO_SOCKET"), 3);
	CHECK_INT(reasons_value(r, "NOPE"), -1);
	reasons_free(r);
	btf__free(b);
}

TEST(btf_no_reasons_is_empty_not_error)
{
	struct btf *b = btf__new_empty();
	struct reasons *r = NULL;

	btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	CHECK_INT(kbtf_load_reasons(b, &r), 0);
	CHECK_INT(reasons_count(r), 0);
	CHECK(reasons_name(r, 2) == NULL);
	reasons_free(r);
	btf__free(b);
}

TEST(btf_enum_has_names_enumerators)
{
	struct btf *b = mini_kernel();

	CHECK_INT(kbtf_enum_has(b, "skb_drop_reason", "SKB_CONSUMED"), 1);
	CHECK_INT(kbtf_enum_has(b, "skb_drop_reason", "SKB_NOPE"), 0);
	/* The enumerator exists, but in another enum. */
	CHECK_INT(kbtf_enum_has(b, "skb_drop_reason", "OVS_DROP_LAST_ACTION"),
		  0);
	CHECK_INT(kbtf_enum_has(b, "bpf_attach_type", "BPF_TRACE_KPROBE_MULTI"),
		  0);
	btf__free(b);
}
