// SPDX-License-Identifier: GPL-2.0
/* core/retval: return values decoded by the kind their type gives, and
 * the line and JSON forms of a return record. */
#include <errno.h>
#include <string.h>
#include "core/hooks.h"
#include "core/output_json.h"
#include "core/output_line.h"
#include "core/retval.h"
#include "test.h"

TEST(retval_classify_by_type_and_name)
{
	CHECK_INT(retval_classify(RT_VOID, NULL, "kfree_skb"), RET_VOID);
	CHECK_INT(retval_classify(RT_SIGNED, NULL, "ip_local_out"), RET_INT);
	CHECK_INT(retval_classify(RT_SIGNED, NULL, "netif_receive_skb_core"),
		  RET_NET_RX);
	CHECK_INT(retval_classify(RT_SIGNED, NULL, "__dev_queue_xmit"),
		  RET_NET_XMIT);
	CHECK_INT(retval_classify(RT_UNSIGNED, NULL, "nft_do_chain"),
		  RET_NF_VERDICT);
	CHECK_INT(retval_classify(RT_UNSIGNED, NULL, "ipt_do_table"),
		  RET_NF_VERDICT);
	CHECK_INT(retval_classify(RT_UNSIGNED, NULL, "ipv4_conntrack_hook"),
		  RET_NF_VERDICT);
	CHECK_INT(retval_classify(RT_UNSIGNED, NULL, "skb_checksum"), RET_UINT);
	CHECK_INT(retval_classify(RT_ENUM, "netdev_tx", "veth_xmit"),
		  RET_NETDEV_TX);
	CHECK_INT(retval_classify(RT_ENUM, "gro_result", "napi_gro_receive"),
		  RET_GRO);
	CHECK_INT(retval_classify(RT_BOOL, NULL, "sch_direct_xmit"), RET_BOOL);
	CHECK_INT(retval_classify(RT_PTR, NULL, "skb_clone"), RET_PTR);
}

TEST(retval_format_each_kind)
{
	char b[64];

	CHECK_STR(retval_format(RET_INT, -EPERM, b, sizeof(b)), "-EPERM");
	CHECK_STR(retval_format(RET_INT, 0, b, sizeof(b)), "0");
	/* An int in a 64-bit register: the upper half is not the value. */
	CHECK_STR(retval_format(RET_INT, 0xffffffffULL, b, sizeof(b)),
		  "-EPERM");
	CHECK_STR(retval_format(RET_INT, -4095, b, sizeof(b)), "-4095");
	CHECK_STR(retval_format(RET_NF_VERDICT, 0, b, sizeof(b)), "NF_DROP");
	CHECK_STR(retval_format(RET_NF_VERDICT, 1, b, sizeof(b)), "NF_ACCEPT");
	/* A queue verdict carries the queue number above the low byte. */
	CHECK_STR(retval_format(RET_NF_VERDICT, (5 << 16) | 3, b, sizeof(b)),
		  "NF_QUEUE");
	CHECK_STR(retval_format(RET_NET_RX, 1, b, sizeof(b)), "NET_RX_DROP");
	CHECK_STR(retval_format(RET_NET_XMIT, 2, b, sizeof(b)), "NET_XMIT_CN");
	CHECK_STR(retval_format(RET_NET_XMIT, -ENOBUFS, b, sizeof(b)),
		  "-ENOBUFS");
	CHECK_STR(retval_format(RET_NETDEV_TX, 0x10, b, sizeof(b)),
		  "NETDEV_TX_BUSY");
	CHECK_STR(retval_format(RET_BOOL, 1, b, sizeof(b)), "true");
	CHECK_STR(retval_format(RET_PTR, 0, b, sizeof(b)), "NULL");
	CHECK_STR(retval_format(RET_PTR, -ENOMEM, b, sizeof(b)), "-ENOMEM");
	CHECK_STR(retval_format(RET_VOID, 42, b, sizeof(b)), "");
	/* 64-bit: features as hex, a long's -errno whole. */
	CHECK_STR(retval_format(RET_ULONG, 0x1004000c0ULL, b, sizeof(b)),
		  "0x1004000c0");
	CHECK_STR(retval_format(RET_LONG, -ENOENT, b, sizeof(b)), "-ENOENT");
	CHECK_STR(retval_format(RET_LONG, 1LL << 40, b, sizeof(b)),
		  "1099511627776");
	CHECK_INT(retval_classify(RT_UNSIGNED64, NULL, "netif_skb_features"),
		  RET_ULONG);
	CHECK(retval_failed(RET_INT, -EPERM));
	CHECK(!retval_failed(RET_INT, 1));
	CHECK(retval_failed(RET_NF_VERDICT, 0));
	CHECK(!retval_failed(RET_NF_VERDICT, 1));
	CHECK_STR(retval_duration(850, b, sizeof(b)), "850ns");
	CHECK_STR(retval_duration(41200, b, sizeof(b)), "41.2us");
	CHECK_STR(retval_duration(3100000, b, sizeof(b)), "3.10ms");
	for (int k = 0; k < RET_KIND_MAX; k++)
		CHECK_INT(retval_kind_parse(retval_kind_name(k)), k);
	CHECK_INT(retval_kind_parse("widget"), -1);
}

TEST(return_record_as_line_and_json)
{
	struct hooks *h;
	struct hook hk = { .kind = HOOK_FUNCTION, .skb_pos = 1 };
	struct line_opts lo_opts = { .meta = 1, .tuple = 1 };
	struct line_out *lo;
	struct skbs_return r = {
		.rec_type = SKBS_REC_RETURN,
		.hook = 0,
		.skb = 0xffff888012345600ULL,
		.ts_entry = 1000,
		.ts_exit = 42200,
		.ret = -EPERM,
		.cpu = 3,
		.depth = 2,
	};
	char buf[512];

	strcpy(hk.name, "ip_local_out");
	CHECK_INT(hooks_new(&h), 0);
	CHECK_INT(hooks_add(h, &hk), 0);
	CHECK_INT(line_out_new(&lo_opts, h, NULL, &lo), 0);
	line_return(lo, &r, RET_INT, buf, sizeof(buf));
	CHECK_STR(buf, "0xffff888012345600 3       <- ip_local_out = -EPERM "
		       "(41.2us)");
	json_return(lo, &r, RET_INT, buf, sizeof(buf));
	CHECK_HAS(buf, "\"type\":\"return\"");
	CHECK_HAS(buf, "\"func\":\"ip_local_out\"");
	CHECK_HAS(buf, "\"ret\":-1,\"retval\":\"-EPERM\",\"kind\":\"int\"");
	CHECK_HAS(buf, "\"duration_ns\":41200}");
	/* void: the time alone. */
	line_return(lo, &r, RET_VOID, buf, sizeof(buf));
	CHECK_STR(buf, "0xffff888012345600 3       <- ip_local_out (41.2us)");
	line_out_free(lo);
	hooks_free(h);
}
