// SPDX-License-Identifier: GPL-2.0
/*
 * Two small datapath programs for the VM matrix's --filter-trace-tc and
 * --filter-trace-xdp checks (loaded by tests/vm/bpfload.c): a tc program
 * that drops UDP to port 7021 and passes the rest, and an XDP program that
 * drops UDP to port 7022 and passes the rest. Each calls one helper
 * whatever the packet (bpf_skb_load_bytes, bpf_xdp_adjust_head by 0), for
 * --filter-track-bpf-helpers; the tc one counts datagrams per port in a
 * hash map, for --output-bpfmap. Built with -g: fentry attaches to a program
 * through its BTF.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define TC_DROP_PORT 7021
#define XDP_DROP_PORT 7022

char LICENSE[] SEC("license") = "GPL";

/* Datagrams seen by tc_drop_udp per UDP destination port, for
 * --output-bpfmap: a lookup each, and an update for a port's first. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

/* The UDP destination port of an IPv4 frame, or -1. */
static __always_inline int udp_dport(void *data, void *end)
{
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct udphdr *udp;

	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return -1;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_UDP)
		return -1;
	udp = (void *)ip + ip->ihl * 4;
	if ((void *)(udp + 1) > end)
		return -1;
	return bpf_ntohs(udp->dest);
}

SEC("tc")
int tc_drop_udp(struct __sk_buff *skb)
{
	__u16 proto = 0;
	int port;

	/* The ethertype through the helper, the rest directly. */
	if (bpf_skb_load_bytes(skb, 12, &proto, sizeof(proto)) ||
	    proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	port = udp_dport((void *)(long)skb->data, (void *)(long)skb->data_end);
	if (port > 0) {
		__u32 key = (__u32)port;
		__u64 one = 1, *n = bpf_map_lookup_elem(&counts, &key);

		if (n)
			__sync_fetch_and_add(n, 1);
		else
			bpf_map_update_elem(&counts, &key, &one, BPF_ANY);
	}
	return port == TC_DROP_PORT ? TC_ACT_SHOT : TC_ACT_OK;
}

SEC("xdp")
int xdp_drop_udp(struct xdp_md *x)
{
	int port;

	/* Moves nothing; the data pointers are read after it. */
	if (bpf_xdp_adjust_head(x, 0))
		return XDP_ABORTED;
	port = udp_dport((void *)(long)x->data, (void *)(long)x->data_end);

	return port == XDP_DROP_PORT ? XDP_DROP : XDP_PASS;
}
