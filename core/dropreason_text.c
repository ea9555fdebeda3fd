// SPDX-License-Identifier: GPL-2.0
/*
 * The drop reason sentences. Written from the comments on enum
 * skb_drop_reason in the kernel's include/net/dropreason-core.h (5.17 to
 * 6.18 and net-next), in our own words: they say what a person should
 * understand, not how the kernel spells it. Names the running kernel has
 * and this table lacks still get a sentence built from the name.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/dropreason_text.h"

struct reason_text {
	const char *name;
	const char *text;
};

/* Sorted by name (strcmp order) for bsearch; tests/unit checks it. */
static const struct reason_text texts[] = {
	{ "ARP_PVLAN_DISABLE",
	  "A non-IP packet would be sent back out its own port, and "
	  "proxy_arp_pvlan is off." },
	{ "BLACKHOLE", "A blackhole route matched the destination." },
	{ "BPF_CGROUP_EGRESS",
	  "A cgroup BPF program on the egress path dropped the packet." },
	{ "BRIDGE_INGRESS_STP_STATE",
	  "The bridge port's STP state does not let frames in." },
	{ "CAKE_FLOOD",
	  "The CAKE qdisc's flood protection (BLUE) dropped the packet." },
	{ "CANFD_RX_INVALID_FRAME", "A received CAN FD frame is invalid." },
	{ "CANXL_RX_INVALID_FRAME", "A received CAN XL frame is invalid." },
	{ "CAN_RX_INVALID_FRAME", "A received CAN frame is invalid." },
	{ "CONSUMED",
	  "The packet was consumed normally: delivered or finished with, "
	  "not lost." },
	{ "CPU_BACKLOG",
	  "The per-CPU receive backlog was full "
	  "(net.core.netdev_max_backlog) or RPS flow limiting applied." },
	{ "DEV_HDR",
	  "The device's own header or metadata for the packet is invalid." },
	{ "DEV_READY",
	  "The device was not ready (not up, or its queue not set up) to "
	  "send or receive." },
	{ "DUALPI2_STEP_DROP",
	  "The DualPI2 qdisc dropped the packet when its queue delay passed "
	  "the step threshold." },
	{ "DUP_FRAG", "A fragment duplicates one already received." },
	{ "FQ_BAND_LIMIT",
	  "The fq qdisc's per-band packet limit was reached." },
	{ "FQ_FLOW_LIMIT",
	  "The fq qdisc's per-flow packet limit was reached." },
	{ "FQ_HORIZON_LIMIT",
	  "The packet's send time is further in the future than the fq "
	  "qdisc's horizon allows." },
	{ "FRAG_REASM_TIMEOUT",
	  "The fragments of a packet did not all arrive before reassembly "
	  "timed out." },
	{ "FRAG_TOO_FAR", "An IPv4 fragment arrived too far out of order "
			  "(net.ipv4.ipfrag_max_dist)." },
	{ "FULL_RING", "The device's ring buffer was full." },
	{ "HDR_TRUNC",
	  "A protocol header could not be read from the packet: it is "
	  "truncated." },
	{ "ICMP_CSUM", "The ICMP checksum is wrong." },
	{ "INVALID_PROTO",
	  "The packet breaks its protocol's rules (for example an ICMP "
	  "timestamp sent to a broadcast address)." },
	{ "IPV6DISABLED", "IPv6 is disabled on the device (disable_ipv6)." },
	{ "IPV6_BAD_EXTHDR", "An IPv6 extension header is malformed." },
	{ "IPV6_NDISC_BAD_CODE",
	  "A neighbour discovery message has an invalid ICMPv6 code." },
	{ "IPV6_NDISC_BAD_OPTIONS",
	  "A neighbour discovery message has invalid options." },
	{ "IPV6_NDISC_FRAG",
	  "A neighbour discovery message arrived fragmented, which is not "
	  "allowed." },
	{ "IPV6_NDISC_HOP_LIMIT",
	  "A neighbour discovery message has a hop limit other than 255, so "
	  "it may come from off-link." },
	{ "IPV6_NDISC_NS_OTHERHOST",
	  "A neighbour solicitation asked for an address that is not this "
	  "host's." },
	{ "IP_CSUM", "The IP header checksum is wrong." },
	{ "IP_INADDRERRORS",
	  "The destination is unreachable: an unreachable route, or the "
	  "address is not local and forwarding is off." },
	{ "IP_INHDR",
	  "The IP header is invalid (bad version, header length or total "
	  "length)." },
	{ "IP_INNOROUTES",
	  "No route matches the received packet's destination (network "
	  "unreachable)." },
	{ "IP_INVALID_DEST",
	  "The destination address is not valid (for example 0.0.0.0)." },
	{ "IP_INVALID_SOURCE",
	  "The source address is not valid (multicast, limited broadcast, "
	  "or zero outside IGMP)." },
	{ "IP_LOCALNET",
	  "The source or destination is a loopback address on a device "
	  "where that is not allowed (route_localnet is off)." },
	{ "IP_LOCAL_SOURCE",
	  "The source address is one of this host's own addresses, on a "
	  "packet that came in from outside." },
	{ "IP_NOPROTO",
	  "No handler is registered for the packet's IP protocol number." },
	{ "IP_OUTNOROUTES", "No route was found for a packet being sent." },
	{ "IP_RPFILTER",
	  "The reverse-path filter (rp_filter) refused the source: the "
	  "route back to it does not use the device it came in on." },
	{ "IP_TUNNEL_ECN",
	  "The tunnel's outer and inner ECN bits conflict, so RFC 6040 says "
	  "drop on decapsulation." },
	{ "LOCAL_MAC", "The source MAC address is the local device's own." },
	{ "MAC_IEEE_MAC_CONTROL",
	  "The destination MAC is an IEEE MAC Control address, which is "
	  "never forwarded." },
	{ "MAC_INVALID_SOURCE",
	  "The source MAC address is invalid (multicast or zero)." },
	{ "NEIGH_CREATEFAIL",
	  "The kernel could not create a neighbour (ARP or NDP) entry for "
	  "the next hop." },
	{ "NEIGH_DEAD",
	  "The neighbour entry for the next hop was being removed." },
	{ "NEIGH_FAILED",
	  "Neighbour resolution (ARP or NDP) for the next hop failed: it "
	  "does not answer." },
	{ "NEIGH_HH_FILLFAIL",
	  "The kernel could not fill in the cached link-layer header for "
	  "the next hop." },
	{ "NEIGH_QUEUEFULL",
	  "Too many packets were waiting for the next hop's address to "
	  "resolve (the neighbour's queue is full)." },
	{ "NETFILTER_DROP",
	  "A netfilter rule (nftables or iptables) or a chain's policy "
	  "dropped the packet." },
	{ "NOMEM", "The kernel ran out of memory while handling the packet." },
	{ "NOT_DROPPED_YET",
	  "The packet was not dropped (yet): this value marks a buffer "
	  "still in use." },
	{ "NOT_SPECIFIED",
	  "The kernel dropped the packet at a place that gives no specific "
	  "reason." },
	{ "NO_SOCKET",
	  "No socket took the packet: nothing listens on its address, "
	  "protocol and port, or its connection is gone." },
	{ "NO_TX_TARGET", "No target was found to transmit the packet to." },
	{ "OTHERHOST",
	  "The packet is addressed to another host's MAC address; it "
	  "arrived only because the interface is promiscuous." },
	{ "PACKET_SOCK_ERROR",
	  "A packet socket's filter matched the packet but the socket could "
	  "not take it." },
	{ "PFMEMALLOC",
	  "The packet used emergency memory reserves (pfmemalloc) and its "
	  "socket may not use them." },
	{ "PKT_TOO_BIG",
	  "The packet is larger than the path allows (it exceeds the MTU)." },
	{ "PKT_TOO_SMALL",
	  "The packet is shorter than its headers say it must be." },
	{ "PROTO_MEM",
	  "The protocol's global memory limit (e.g. net.ipv4.udp_mem) was "
	  "reached." },
	{ "PSP_INPUT",
	  "PSP (PSP Security Protocol) processing on receive rejected the "
	  "packet." },
	{ "PSP_OUTPUT",
	  "PSP (PSP Security Protocol) processing on send rejected the "
	  "packet." },
	{ "QDISC_CONGESTED",
	  "The queueing discipline's congestion control (AQM) dropped the "
	  "packet." },
	{ "QDISC_DROP",
	  "The queueing discipline on the outgoing device refused the "
	  "packet (its queue is full)." },
	{ "QDISC_OVERLIMIT",
	  "The queueing discipline exceeded its total buffer limit." },
	{ "QUEUE_PURGE",
	  "A whole queue of packets was freed at once (a socket or device "
	  "being cleaned up)." },
	{ "RECURSION_LIMIT",
	  "The packet went through too many nested devices or tunnels (the "
	  "transmit recursion limit)." },
	{ "SECURITY_HOOK", "A security module hook (LSM) refused the packet." },
	{ "SKB_CSUM", "Computing the packet's checksum failed." },
	{ "SKB_GSO_SEG", "Splitting the packet into segments (GSO) failed." },
	{ "SKB_RX_HEADROOM",
	  "The received packet has too little headroom for the headers that "
	  "must be added." },
	{ "SKB_UCOPY_FAULT", "Copying the data from user space failed." },
	{ "SOCKET_BACKLOG",
	  "The socket's backlog (packets queued while a user process holds "
	  "the socket) was full." },
	{ "SOCKET_CLOSE", "The socket the packet was for has been closed." },
	{ "SOCKET_DESTROYED",
	  "The socket was destroyed, and the packets still queued on it "
	  "were freed." },
	{ "SOCKET_FILTER",
	  "A filter attached to the socket (SO_ATTACH_FILTER or a BPF "
	  "socket program) rejected the packet." },
	{ "SOCKET_RCVBUFF",
	  "The socket's receive buffer was full (SO_RCVBUF reached): the "
	  "application does not read fast enough." },
	{ "TAP_FILTER",
	  "The (BPF) filter attached to the tun/tap device rejected the "
	  "packet." },
	{ "TAP_TXFILTER",
	  "The tun/tap device's transmit filter rejected the packet." },
	{ "TCP_ABORT_ON_DATA",
	  "Data arrived for a TCP socket that is closing and no longer "
	  "accepts it, so the connection was reset." },
	{ "TCP_ACK_UNSENT_DATA",
	  "The TCP acknowledgment covers data that was never sent." },
	{ "TCP_AOFAILURE", "The segment's TCP-AO signature does not verify." },
	{ "TCP_AOKEYNOTFOUND",
	  "The segment's TCP-AO key id matches no configured key." },
	{ "TCP_AONOTFOUND",
	  "A TCP-AO signature was required and the segment has none." },
	{ "TCP_AOUNEXPECTED",
	  "The segment carries a TCP-AO option on a connection that does "
	  "not use TCP-AO." },
	{ "TCP_AUTH_HDR",
	  "The TCP-MD5 or TCP-AO option appears twice or is malformed." },
	{ "TCP_CLOSE", "The TCP socket is in the CLOSE state." },
	{ "TCP_CSUM", "The TCP checksum is wrong." },
	{ "TCP_FASTOPEN",
	  "A TCP Fast Open request socket dropped the packet." },
	{ "TCP_FLAGS",
	  "The TCP flags are not valid for the connection's state." },
	{ "TCP_INVALID_ACK_SEQUENCE",
	  "The TCP acknowledgment number is not between the oldest "
	  "unacknowledged and the next byte to send." },
	{ "TCP_INVALID_END_SEQUENCE",
	  "The end of the TCP segment lies outside the receive window." },
	{ "TCP_INVALID_SEQUENCE",
	  "The TCP sequence number is outside what the receiver accepts." },
	{ "TCP_INVALID_SYN",
	  "A SYN arrived where the connection's state does not allow one." },
	{ "TCP_LISTEN_OVERFLOW",
	  "The listening socket's accept queue was full: the application "
	  "does not accept() fast enough for its backlog." },
	{ "TCP_MD5FAILURE",
	  "The segment's TCP-MD5 signature does not verify." },
	{ "TCP_MD5NOTFOUND",
	  "A TCP-MD5 signature was expected for this connection and the "
	  "segment has none." },
	{ "TCP_MD5UNEXPECTED",
	  "The segment carries a TCP-MD5 signature on a connection that has "
	  "no key for it." },
	{ "TCP_MINTTL",
	  "The TTL or hop limit is below the socket's minimum (IP_MINTTL or "
	  "IPV6_MINHOPCOUNT)." },
	{ "TCP_OFOMERGE",
	  "The TCP data is already held in the out-of-order queue." },
	{ "TCP_OFO_DROP",
	  "The out-of-order TCP data is already in the receive queue." },
	{ "TCP_OFO_QUEUE_PRUNE",
	  "The TCP out-of-order queue was pruned to stay within memory "
	  "limits." },
	{ "TCP_OLD_ACK",
	  "The TCP acknowledgment is old but still within the window." },
	{ "TCP_OLD_DATA",
	  "The TCP data was already received (a retransmission of data that "
	  "had arrived)." },
	{ "TCP_OLD_SEQUENCE",
	  "The TCP sequence number is old: a duplicate segment." },
	{ "TCP_OVERWINDOW",
	  "The TCP data lies beyond the right edge of the receive window." },
	{ "TCP_RESET",
	  "The TCP reset was not acceptable (its sequence number is not in "
	  "the window), so it was ignored." },
	{ "TCP_RFC7323_PAWS",
	  "The TCP timestamp is older than the last one seen (PAWS, RFC "
	  "7323): likely an old duplicate." },
	{ "TCP_RFC7323_PAWS_ACK",
	  "A pure ACK failed the TCP timestamp (PAWS) check: an old ACK." },
	{ "TCP_RFC7323_TSECR",
	  "The echoed TCP timestamp (TSecr) is not one this side sent." },
	{ "TCP_RFC7323_TW_PAWS",
	  "A segment for a TIME-WAIT connection failed the TCP timestamp "
	  "(PAWS) check." },
	{ "TCP_TOO_OLD_ACK",
	  "The TCP acknowledgment is older than anything still outstanding." },
	{ "TCP_ZEROWINDOW",
	  "The TCP receive window is zero: the receiver has no room for "
	  "more data." },
	{ "TC_CHAIN_NOTFOUND",
	  "A tc goto-chain action named a chain that does not exist." },
	{ "TC_COOKIE_ERROR", "A tc action's cookie could not be processed." },
	{ "TC_EGRESS", "A tc program or action on egress dropped the packet." },
	{ "TC_INGRESS",
	  "A tc program or action on ingress dropped the packet." },
	{ "TC_RECLASSIFY_LOOP",
	  "The packet was reclassified by tc more times than allowed." },
	{ "TUNNEL_TXINFO",
	  "The packet reached a tunnel device in external (collect "
	  "metadata) mode without the tunnel metadata it needs." },
	{ "UDP_CSUM", "The UDP checksum is wrong." },
	{ "UNHANDLED_PROTO",
	  "The protocol is not implemented or not supported here." },
	{ "UNICAST_IN_L2_MULTICAST",
	  "The packet is unicast at the IP layer but arrived in a link- "
	  "layer multicast or broadcast frame." },
	{ "UNIX_DISCONNECT",
	  "A Unix socket's receive queue was emptied because it connected "
	  "elsewhere or its peer closed." },
	{ "UNIX_SKIP_OOB",
	  "Out-of-band data on a Unix socket was skipped by a read without "
	  "MSG_OOB." },
	{ "VXLAN_ENTRY_EXISTS",
	  "The VXLAN forwarding entry may not move: it is static or points "
	  "to a nexthop." },
	{ "VXLAN_INVALID_HDR",
	  "The VXLAN header is invalid (reserved bits set or the I flag "
	  "missing)." },
	{ "VXLAN_VNI_NOT_FOUND",
	  "No VXLAN device is set up for the packet's VNI." },
	{ "XDP", "An XDP program dropped the packet on receive." },
	{ "XFRM_POLICY", "An IPsec (xfrm) policy check refused the packet." },
};

#define NTEXTS (sizeof(texts) / sizeof(texts[0]))

/*
 * Reasons from a subsystem's own enum (the upper 16 bits of the value are
 * a subsystem id) have names that begin with the subsystem's; the tail is
 * usually readable once its underscores are spaces.
 */
static const struct reason_text subsystems[] = {
	{ "MAC80211_", "the Wi-Fi stack (mac80211)" },
	{ "OVS_DROP_", "Open vSwitch" },
	{ "OPENVSWITCH_", "Open vSwitch" },
};

#define NSUBSYSTEMS (sizeof(subsystems) / sizeof(subsystems[0]))

static int by_name(const void *key, const void *elem)
{
	return strcmp(key, ((const struct reason_text *)elem)->name);
}

static const char *strip(const char *name)
{
	static const char prefix[] = "SKB_DROP_REASON_";

	if (!strncmp(name, prefix, sizeof(prefix) - 1))
		return name + sizeof(prefix) - 1;
	/* Only these two have the short prefix; SKB_CSUM is a reason of
	 * its own. */
	if (!strcmp(name, "SKB_NOT_DROPPED_YET") ||
	    !strcmp(name, "SKB_CONSUMED"))
		return name + 4;
	return name;
}

const char *dropreason_text(const char *name)
{
	const struct reason_text *t;

	if (!name)
		return NULL;
	t = bsearch(strip(name), texts, NTEXTS, sizeof(texts[0]), by_name);
	return t ? t->text : NULL;
}

/* "TCP_AO_FOO" -> "tcp ao foo", cut to fit. */
static void humanize(const char *name, char *buf, size_t len)
{
	size_t i;

	for (i = 0; name[i] && i + 1 < len; i++)
		buf[i] = name[i] == '_' ? ' ' : tolower((unsigned char)name[i]);
	if (len)
		buf[i] = '\0';
}

const char *dropreason_sentence(const char *name, char *buf, size_t len)
{
	const char *text = dropreason_text(name);
	char human[96];

	if (text)
		return text;
	if (!len)
		return "";
	if (!name || !*name) {
		snprintf(buf, len, "The kernel gave no drop reason.");
		return buf;
	}
	name = strip(name);
	for (size_t i = 0; i < NSUBSYSTEMS; i++) {
		const struct reason_text *sub = &subsystems[i];
		size_t n = strlen(sub->name);

		if (!strncmp(name, sub->name, n) && name[n]) {
			humanize(name + n, human, sizeof(human));
			snprintf(buf, len, "Dropped by %s: %s (%s).", sub->text,
				 human, name);
			return buf;
		}
	}
	humanize(name, human, sizeof(human));
	snprintf(buf, len,
		 "The kernel gave drop reason %s (%s), which skbscope does not "
		 "describe yet.",
		 name, human);
	return buf;
}

size_t dropreason_count(void)
{
	return NTEXTS;
}

const char *dropreason_name_at(size_t i)
{
	return i < NTEXTS ? texts[i].name : NULL;
}
