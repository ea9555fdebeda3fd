// SPDX-License-Identifier: GPL-2.0
/* core/dropreason_text: every reason a kernel names has a sentence, and
 * lookups are exact. */
#include <ctype.h>
#include <string.h>
#include "core/dropreason_text.h"
#include "test.h"

/*
 * The fixture: every enumerator of enum skb_drop_reason in the BTF of the
 * 6.18 kernel these tests run on (prefix removed, in value order), then
 * names that only other kernels have (net-next's BLACKHOLE, an older
 * SOCKET_DESTROYED).
 */
static const char *const kernel_names[] = {
	"NOT_DROPPED_YET",
	"CONSUMED",
	"NOT_SPECIFIED",
	"NO_SOCKET",
	"SOCKET_CLOSE",
	"SOCKET_FILTER",
	"SOCKET_RCVBUFF",
	"UNIX_DISCONNECT",
	"UNIX_SKIP_OOB",
	"PKT_TOO_SMALL",
	"TCP_CSUM",
	"UDP_CSUM",
	"NETFILTER_DROP",
	"OTHERHOST",
	"IP_CSUM",
	"IP_INHDR",
	"IP_RPFILTER",
	"UNICAST_IN_L2_MULTICAST",
	"XFRM_POLICY",
	"IP_NOPROTO",
	"PROTO_MEM",
	"TCP_AUTH_HDR",
	"TCP_MD5NOTFOUND",
	"TCP_MD5UNEXPECTED",
	"TCP_MD5FAILURE",
	"TCP_AONOTFOUND",
	"TCP_AOUNEXPECTED",
	"TCP_AOKEYNOTFOUND",
	"TCP_AOFAILURE",
	"SOCKET_BACKLOG",
	"TCP_FLAGS",
	"TCP_ABORT_ON_DATA",
	"TCP_ZEROWINDOW",
	"TCP_OLD_DATA",
	"TCP_OVERWINDOW",
	"TCP_OFOMERGE",
	"TCP_RFC7323_PAWS",
	"TCP_RFC7323_PAWS_ACK",
	"TCP_RFC7323_TW_PAWS",
	"TCP_RFC7323_TSECR",
	"TCP_LISTEN_OVERFLOW",
	"TCP_OLD_SEQUENCE",
	"TCP_INVALID_SEQUENCE",
	"TCP_INVALID_END_SEQUENCE",
	"TCP_INVALID_ACK_SEQUENCE",
	"TCP_RESET",
	"TCP_INVALID_SYN",
	"TCP_CLOSE",
	"TCP_FASTOPEN",
	"TCP_OLD_ACK",
	"TCP_TOO_OLD_ACK",
	"TCP_ACK_UNSENT_DATA",
	"TCP_OFO_QUEUE_PRUNE",
	"TCP_OFO_DROP",
	"IP_OUTNOROUTES",
	"BPF_CGROUP_EGRESS",
	"IPV6DISABLED",
	"NEIGH_CREATEFAIL",
	"NEIGH_FAILED",
	"NEIGH_QUEUEFULL",
	"NEIGH_DEAD",
	"NEIGH_HH_FILLFAIL",
	"TC_EGRESS",
	"SECURITY_HOOK",
	"QDISC_DROP",
	"QDISC_OVERLIMIT",
	"QDISC_CONGESTED",
	"CAKE_FLOOD",
	"FQ_BAND_LIMIT",
	"FQ_HORIZON_LIMIT",
	"FQ_FLOW_LIMIT",
	"CPU_BACKLOG",
	"XDP",
	"TC_INGRESS",
	"UNHANDLED_PROTO",
	"SKB_CSUM",
	"SKB_GSO_SEG",
	"SKB_UCOPY_FAULT",
	"DEV_HDR",
	"DEV_READY",
	"FULL_RING",
	"NOMEM",
	"HDR_TRUNC",
	"TAP_FILTER",
	"TAP_TXFILTER",
	"ICMP_CSUM",
	"INVALID_PROTO",
	"IP_INADDRERRORS",
	"IP_INNOROUTES",
	"IP_LOCAL_SOURCE",
	"IP_INVALID_SOURCE",
	"IP_LOCALNET",
	"IP_INVALID_DEST",
	"PKT_TOO_BIG",
	"DUP_FRAG",
	"FRAG_REASM_TIMEOUT",
	"FRAG_TOO_FAR",
	"TCP_MINTTL",
	"IPV6_BAD_EXTHDR",
	"IPV6_NDISC_FRAG",
	"IPV6_NDISC_HOP_LIMIT",
	"IPV6_NDISC_BAD_CODE",
	"IPV6_NDISC_BAD_OPTIONS",
	"IPV6_NDISC_NS_OTHERHOST",
	"QUEUE_PURGE",
	"TC_COOKIE_ERROR",
	"PACKET_SOCK_ERROR",
	"TC_CHAIN_NOTFOUND",
	"TC_RECLASSIFY_LOOP",
	"VXLAN_INVALID_HDR",
	"VXLAN_VNI_NOT_FOUND",
	"MAC_INVALID_SOURCE",
	"VXLAN_ENTRY_EXISTS",
	"NO_TX_TARGET",
	"IP_TUNNEL_ECN",
	"TUNNEL_TXINFO",
	"LOCAL_MAC",
	"ARP_PVLAN_DISABLE",
	"MAC_IEEE_MAC_CONTROL",
	"BRIDGE_INGRESS_STP_STATE",
	"CAN_RX_INVALID_FRAME",
	"CANFD_RX_INVALID_FRAME",
	"CANXL_RX_INVALID_FRAME",
	"PFMEMALLOC",
	"DUALPI2_STEP_DROP",
	"PSP_INPUT",
	"PSP_OUTPUT",
	"RECURSION_LIMIT",
	"SKB_RX_HEADROOM",
	"BLACKHOLE",
	"SOCKET_DESTROYED",
};

#define NNAMES (sizeof(kernel_names) / sizeof(kernel_names[0]))

TEST(dropreason_every_kernel_name_has_a_sentence)
{
	for (size_t i = 0; i < NNAMES; i++) {
		const char *t = dropreason_text(kernel_names[i]);

		if (!t) {
			test_fail(__FILE__, __LINE__, "no sentence for %s",
				  kernel_names[i]);
			return;
		}
		/* One sentence for a person: a capital, a full stop, and
		 * not the enum name again (one-word names such as XDP may
		 * be the word itself). */
		CHECK(isupper((unsigned char)t[0]));
		CHECK_INT(t[strlen(t) - 1], '.');
		CHECK(!strchr(kernel_names[i], '_') ||
		      !strstr(t, kernel_names[i]));
	}
}

TEST(dropreason_table_is_sorted_and_unique)
{
	size_t n = dropreason_count();

	CHECK(n >= NNAMES);
	for (size_t i = 1; i < n; i++)
		CHECK(strcmp(dropreason_name_at(i - 1), dropreason_name_at(i)) <
		      0);
	CHECK(dropreason_name_at(n) == NULL);
	/* Every entry is found through the lookup (bsearch agrees). */
	for (size_t i = 0; i < n; i++)
		CHECK(dropreason_text(dropreason_name_at(i)) != NULL);
}

TEST(dropreason_lookup_is_exact)
{
	const char *t = dropreason_text("NO_SOCKET");

	CHECK(t != NULL);
	CHECK_HAS(t, "socket");
	CHECK(dropreason_text("NO_SOCKE") == NULL);
	CHECK(dropreason_text("NO_SOCKETS") == NULL);
	CHECK(dropreason_text("no_socket") == NULL);
	CHECK(dropreason_text("NO_SOCKET ") == NULL);
	CHECK(dropreason_text("") == NULL);
	CHECK(dropreason_text(NULL) == NULL);
	/* The full enumerator names are the same reasons. */
	CHECK(dropreason_text("SKB_DROP_REASON_NO_SOCKET") == t);
	CHECK(dropreason_text("SKB_CONSUMED") == dropreason_text("CONSUMED"));
	CHECK(dropreason_text("SKB_DROP_REASON_SKB_CSUM") ==
	      dropreason_text("SKB_CSUM"));
	CHECK(dropreason_text("SKB_CSUM") != dropreason_text("CSUM"));
	/* Neighbours in the table are not confused. */
	CHECK(dropreason_text("TCP_RFC7323_PAWS") !=
	      dropreason_text("TCP_RFC7323_PAWS_ACK"));
	CHECK(dropreason_text("SOCKET_RCVBUFF") !=
	      dropreason_text("SOCKET_BACKLOG"));
}

TEST(dropreason_unknown_names_get_a_sentence)
{
	char buf[256];
	const char *s;

	s = dropreason_sentence("NO_SOCKET", buf, sizeof(buf));
	CHECK(s == dropreason_text("NO_SOCKET"));
	s = dropreason_sentence("SKB_DROP_REASON_WIDGET_JAMMED", buf,
				sizeof(buf));
	CHECK(s == buf);
	CHECK_HAS(s, "WIDGET_JAMMED");
	CHECK_HAS(s, "widget jammed");
	s = dropreason_sentence("MAC80211_RX_DROP_UNUSABLE", buf, sizeof(buf));
	CHECK_HAS(s, "mac80211");
	CHECK_HAS(s, "rx drop unusable");
	s = dropreason_sentence(NULL, buf, sizeof(buf));
	CHECK_HAS(s, "no drop reason");
	s = dropreason_sentence("", buf, sizeof(buf));
	CHECK_HAS(s, "no drop reason");
	/* Cut to fit, never overflowing. */
	memset(buf, 'x', sizeof(buf));
	s = dropreason_sentence("SOME_VERY_LONG_UNKNOWN_REASON", buf, 8);
	CHECK_INT(strlen(s), 7);
	CHECK_INT(buf[8], 'x');
}
