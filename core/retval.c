// SPDX-License-Identifier: GPL-2.0
/*
 * Return values decoded. The codes are the kernel's own ABI values
 * (include/uapi/linux/netfilter.h, include/linux/netdevice.h,
 * include/uapi/linux/pkt_cls.h, enum xdp_action in include/uapi/linux/bpf.h).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include "core/retval.h"

static const char *const kind_names[RET_KIND_MAX] = {
	[RET_UNKNOWN] = "unknown",
	[RET_VOID] = "void",
	[RET_INT] = "int",
	[RET_UINT] = "uint",
	[RET_BOOL] = "bool",
	[RET_PTR] = "pointer",
	[RET_NF_VERDICT] = "nf-verdict",
	[RET_NET_RX] = "net-rx",
	[RET_NET_XMIT] = "net-xmit",
	[RET_NETDEV_TX] = "netdev-tx",
	[RET_GRO] = "gro",
	[RET_LONG] = "long",
	[RET_ULONG] = "ulong",
	[RET_TC_ACT] = "tc-act",
	[RET_XDP] = "xdp-action",
};

static const char *const nf_verdicts[] = { "NF_DROP",  "NF_ACCEPT", "NF_STOLEN",
					   "NF_QUEUE", "NF_REPEAT", "NF_STOP" };
static const char *const net_rx[] = { "NET_RX_SUCCESS", "NET_RX_DROP" };
static const char *const net_xmit[] = { "NET_XMIT_SUCCESS", "NET_XMIT_DROP",
					"NET_XMIT_CN" };
/* TC_ACT_UNSPEC is -1, the rest count up from TC_ACT_OK. */
static const char *const tc_act[] = { "TC_ACT_OK",     "TC_ACT_RECLASSIFY",
				      "TC_ACT_SHOT",   "TC_ACT_PIPE",
				      "TC_ACT_STOLEN", "TC_ACT_QUEUED",
				      "TC_ACT_REPEAT", "TC_ACT_REDIRECT",
				      "TC_ACT_TRAP" };
static const char *const xdp_act[] = { "XDP_ABORTED", "XDP_DROP", "XDP_PASS",
				       "XDP_TX", "XDP_REDIRECT" };
static const char *const gro[] = { "GRO_MERGED", "GRO_MERGED_FREE", "GRO_HELD",
				   "GRO_NORMAL", "GRO_CONSUMED" };

/* Functions whose int is a NET_RX_* or NET_XMIT_* code: by prefix. */
static const char *const rx_funcs[] = {
	"netif_receive_skb",  "__netif_receive_skb",
	"netif_rx",           "__netif_rx",
	"enqueue_to_backlog", "ip_rcv",
	"ipv6_rcv",           NULL
};
static const char *const xmit_funcs[] = { "dev_queue_xmit", "__dev_queue_xmit",
					  "__dev_xmit_skb", "dev_loopback_xmit",
					  NULL };
/* unsigned int functions that are netfilter hooks or tables. */
static const char *const nf_prefixes[] = { "nf_",      "nft_",      "ipt_",
					   "ip6t_",    "arpt_",     "ebt_",
					   "iptable_", "ip6table_", "br_nf_",
					   NULL };

static int prefixed(const char *s, const char *const *pfx)
{
	for (int i = 0; s && pfx[i]; i++)
		if (!strncmp(s, pfx[i], strlen(pfx[i])))
			return 1;
	return 0;
}

enum ret_kind retval_classify(enum ret_type t, const char *type_name,
			      const char *func)
{
	switch (t) {
	case RT_VOID: return RET_VOID;
	case RT_BOOL: return RET_BOOL;
	case RT_PTR: return RET_PTR;
	case RT_ENUM:
		if (type_name && !strcmp(type_name, "netdev_tx"))
			return RET_NETDEV_TX;
		if (type_name && !strcmp(type_name, "gro_result"))
			return RET_GRO;
		return RET_INT;
	case RT_SIGNED:
		if (prefixed(func, rx_funcs))
			return RET_NET_RX;
		if (prefixed(func, xmit_funcs))
			return RET_NET_XMIT;
		return RET_INT;
	case RT_SIGNED64: return RET_LONG;
	case RT_UNSIGNED64: return RET_ULONG;
	case RT_UNSIGNED:
		if (prefixed(func, nf_prefixes) ||
		    (func && strstr(func, "_hook")))
			return RET_NF_VERDICT;
		return RET_UINT;
	default: return RET_UNKNOWN;
	}
}

static const char *errno_text(__s64 v, char *buf, size_t len)
{
	const char *n = v > -4096 ? strerrorname_np((int)-v) : NULL;

	if (n)
		snprintf(buf, len, "-%s", n);
	else
		snprintf(buf, len, "%lld", (long long)v);
	return buf;
}

static const char *code_text(const char *const *names, size_t n, __s64 v,
			     char *buf, size_t len)
{
	if (v < 0)
		return errno_text(v, buf, len);
	if ((__u64)v < n)
		snprintf(buf, len, "%s", names[v]);
	else
		snprintf(buf, len, "%lld", (long long)v);
	return buf;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

const char *retval_format(enum ret_kind k, __s64 v, char *buf, size_t len)
{
	__u32 u = (__u32)v;

	switch (k) {
	case RET_VOID: snprintf(buf, len, "%s", ""); break;
	case RET_INT:
		if ((__s32)u < 0)
			return errno_text((__s32)u, buf, len);
		snprintf(buf, len, "%d", (int)(__s32)u);
		break;
	case RET_UINT: snprintf(buf, len, "%u", u); break;
	case RET_BOOL:
		snprintf(buf, len, "%s", (v & 0xff) ? "true" : "false");
		break;
	case RET_PTR:
		if (!v)
			snprintf(buf, len, "NULL");
		else if (v < 0 && v > -4096)
			return errno_text(v, buf, len);
		else
			snprintf(buf, len, "0x%llx", (unsigned long long)v);
		break;
	case RET_NF_VERDICT:
		/* The upper bits carry a queue number or an errno. */
		if ((u & 0xff) < N(nf_verdicts))
			snprintf(buf, len, "%s", nf_verdicts[u & 0xff]);
		else
			snprintf(buf, len, "%u", u);
		break;
	case RET_NET_RX:
		return code_text(net_rx, N(net_rx), (__s32)u, buf, len);
	case RET_NET_XMIT:
		return code_text(net_xmit, N(net_xmit), (__s32)u, buf, len);
	case RET_NETDEV_TX:
		if (u == 0)
			snprintf(buf, len, "NETDEV_TX_OK");
		else if (u == 0x10)
			snprintf(buf, len, "NETDEV_TX_BUSY");
		else
			return code_text(net_xmit, N(net_xmit), (__s32)u, buf,
					 len);
		break;
	case RET_GRO: return code_text(gro, N(gro), (__s32)u, buf, len);
	case RET_LONG:
		if (v < 0 && v > -4096)
			return errno_text(v, buf, len);
		snprintf(buf, len, "%lld", (long long)v);
		break;
	case RET_ULONG:
		snprintf(buf, len, "0x%llx", (unsigned long long)v);
		break;
	case RET_TC_ACT:
		if ((__s32)u == -1)
			snprintf(buf, len, "TC_ACT_UNSPEC");
		else if (u < N(tc_act))
			snprintf(buf, len, "%s", tc_act[u]);
		else
			snprintf(buf, len, "%d", (int)(__s32)u);
		break;
	case RET_XDP:
		if (u < N(xdp_act))
			snprintf(buf, len, "%s", xdp_act[u]);
		else
			snprintf(buf, len, "%u", u);
		break;
	default: snprintf(buf, len, "%lld", (long long)v); break;
	}
	return buf;
}

int retval_failed(enum ret_kind k, __s64 v)
{
	__s32 s = (__s32)(__u32)v;

	switch (k) {
	case RET_INT: return s < 0;
	case RET_PTR:
	case RET_LONG: return v < 0 && v > -4096;
	case RET_NF_VERDICT: return ((__u32)v & 0xff) == 0;
	case RET_NET_RX: return s < 0 || s == 1;
	case RET_NET_XMIT: return s < 0 || s == 1;
	case RET_NETDEV_TX: return s == 0x10;
	case RET_TC_ACT: return s == RETVAL_TC_ACT_SHOT;
	case RET_XDP: return s == RETVAL_XDP_ABORTED || s == RETVAL_XDP_DROP;
	default: return 0;
	}
}

const char *retval_kind_name(enum ret_kind k)
{
	return k < RET_KIND_MAX ? kind_names[k] : NULL;
}

int retval_kind_parse(const char *name)
{
	for (int k = 0; name && k < RET_KIND_MAX; k++)
		if (!strcmp(kind_names[k], name))
			return k;
	return -1;
}

const char *retval_duration(__u64 ns, char *buf, size_t len)
{
	if (ns < 1000)
		snprintf(buf, len, "%lluns", (unsigned long long)ns);
	else if (ns < 1000000)
		snprintf(buf, len, "%.1fus", (double)ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, len, "%.2fms", (double)ns / 1e6);
	else
		snprintf(buf, len, "%.2fs", (double)ns / 1e9);
	return buf;
}
