// SPDX-License-Identifier: GPL-2.0
/*
 * The user's filter (struct skbs_filter) as the trace rule's conditions:
 * what nft can say of it, as nft text and as the libnftnl expressions nft
 * itself would emit; nftrace_match_text() shows the text.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include "core/explain/nft_match.h"
#include "core/explain/nftrace.h"

#define NT_ITEMS 8

/* One condition of the trace rule. */
enum { MI_ADDR, MI_L4PROTO, MI_PORT, MI_MARK, MI_IFNAME };

struct nt_item {
	int kind;
	int dst;
	int ver;
	__u8 plen;
	__u8 proto;
	__u16 port;
	__u8 addr[16];
	__u32 mark, mask;
	char ifname[SKBS_IFNAMSIZ];
};

struct nft_match {
	int none; /* matches nothing: no trace rule */
	int n;
	struct nt_item it[NT_ITEMS];
	char note[SKBS_PCAP_TEXT + 128];
};

static const char *proto_name(__u8 p)
{
	switch (p) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_ICMP: return "icmp";
	case IPPROTO_ICMPV6: return "ipv6-icmp";
	case IPPROTO_SCTP: return "sctp";
	case IPPROTO_UDPLITE: return "udplite";
	case IPPROTO_DCCP: return "dccp";
	case IPPROTO_GRE: return "gre";
	case IPPROTO_ESP: return "esp";
	case IPPROTO_AH: return "ah";
	}
	return NULL;
}

/* nft's string syntax has no escapes: a name with a quote or a backslash
 * (Linux allows both) cannot be said, so it is left out with a note. */
static int ifname_ok(const char *n)
{
	return n[0] && !strpbrk(n, "\"\\") && strlen(n) < SKBS_IFNAMSIZ;
}

/*
 * Translate the filter into conditions that match at least every packet
 * the BPF filter reports (a superset is harmless: it only costs trace
 * messages; a subset would miss drops). The ports become `th sport/dport`
 * without the TCP-or-UDP test, the interface iifname in prerouting and
 * oifname in output. Not said in nft: the pcap expression (anything it
 * excludes is still traced) and the netns (each namespace has its own
 * table anyway).
 */
void nft_match_set(struct nft_match *m, const struct skbs_filter *f)
{
	struct nt_item *it;
	int side;

	memset(m, 0, sizeof(*m));
	if (!f)
		return;
	if (f->flags & SKBS_F_NONE) {
		m->none = 1;
		return;
	}
	for (side = 0; side < 2; side++) {
		__u32 flag = side ? SKBS_F_DADDR : SKBS_F_SADDR;
		int fam = side ? f->daddr_family : f->saddr_family;
		int plen = side ? f->daddr_plen : f->saddr_plen;
		int max = fam == 6 ? 128 : 32;

		if (!(f->flags & flag))
			continue;
		it = &m->it[m->n];
		if (fam != 4 && fam != 6) {
			m->none = 1; /* the BPF filter then matches nothing */
			continue;
		}
		if (plen > max)
			plen = max;
		if (plen == 0 && fam == 4)
			continue;   /* 0.0.0.0/0 is every IPv4 packet, */
		it->kind = MI_ADDR; /* but ::/0 still says IPv6 only */
		it->dst = side;
		it->ver = fam;
		it->plen = plen;
		memcpy(it->addr, side ? f->daddr : f->saddr, fam == 6 ? 16 : 4);
		for (int b = 0; b < 16; b++) {
			int bits = plen - 8 * b;

			it->addr[b] &= bits >= 8 ? 0xff :
				       bits <= 0 ? 0 :
						   0xff << (8 - bits);
		}
		m->n++;
	}
	if (f->flags & SKBS_F_PROTO) {
		it = &m->it[m->n++];
		it->kind = MI_L4PROTO;
		it->proto = f->proto;
	}
	for (side = 0; side < 2; side++) {
		if (!(f->flags & (side ? SKBS_F_DPORT : SKBS_F_SPORT)))
			continue;
		it = &m->it[m->n++];
		it->kind = MI_PORT;
		it->dst = side;
		it->port = side ? f->dport : f->sport;
	}
	if ((f->flags & SKBS_F_MARK) && f->mark_mask) {
		it = &m->it[m->n++];
		it->kind = MI_MARK;
		it->mask = f->mark_mask;
		it->mark = f->mark & f->mark_mask;
	}
	if (f->flags & SKBS_F_IFNAME) {
		char name[SKBS_IFNAMSIZ + 1];

		memcpy(name, f->ifname, SKBS_IFNAMSIZ);
		name[SKBS_IFNAMSIZ] = 0;
		if (ifname_ok(name)) {
			it = &m->it[m->n++];
			it->kind = MI_IFNAME;
			strlcpy(it->ifname, name, sizeof(it->ifname));
		} else {
			snprintf(m->note, sizeof(m->note),
				 "interface name \"%s\" cannot be said in nft: "
				 "tracing packets of every interface",
				 name);
		}
	}
	if (f->flags & SKBS_F_PCAP) {
		size_t l = strlen(m->note);
		char text[SKBS_PCAP_TEXT + 1];

		memcpy(text, f->pcap_text, SKBS_PCAP_TEXT);
		text[SKBS_PCAP_TEXT] = 0;
		snprintf(m->note + l, sizeof(m->note) - l,
			 "%spcap filter \"%s\" is not translated to nft: the "
			 "trace rule uses the other filter fields only, so it "
			 "traces more than the filter shows",
			 l ? "; " : "", text);
	}
}

void nft_match_text(const struct nft_match *m, enum nft_match_chain chain,
		    char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = 0;
	for (int i = 0; i < m->n && o < len; i++) {
		const struct nt_item *it = &m->it[i];
		char a[INET6_ADDRSTRLEN], p[8];
		const char *sep = o ? " " : "";
		int full;

		switch (it->kind) {
		case MI_ADDR:
			if (!it->plen) {
				o += snprintf(buf + o, len - o,
					      "%smeta nfproto ipv6", sep);
				break;
			}
			full = it->plen == (it->ver == 6 ? 128 : 32);
			inet_ntop(it->ver == 6 ? AF_INET6 : AF_INET, it->addr,
				  a, sizeof(a));
			snprintf(p, sizeof(p), "/%u", it->plen);
			o += snprintf(buf + o, len - o, "%s%s %s %s%s", sep,
				      it->ver == 6 ? "ip6" : "ip",
				      it->dst ? "daddr" : "saddr", a,
				      full ? "" : p);
			break;
		case MI_L4PROTO:
			if (proto_name(it->proto))
				o += snprintf(buf + o, len - o,
					      "%smeta l4proto %s", sep,
					      proto_name(it->proto));
			else
				o += snprintf(buf + o, len - o,
					      "%smeta l4proto %u", sep,
					      it->proto);
			break;
		case MI_PORT:
			o += snprintf(buf + o, len - o, "%sth %s %u", sep,
				      it->dst ? "dport" : "sport", it->port);
			break;
		case MI_MARK:
			if (it->mask == 0xffffffffu)
				o += snprintf(buf + o, len - o,
					      "%smeta mark 0x%08x", sep,
					      it->mark);
			else
				o += snprintf(buf + o, len - o,
					      "%smeta mark & 0x%08x == 0x%08x",
					      sep, it->mask, it->mark);
			break;
		case MI_IFNAME:
			o += snprintf(buf + o, len - o, "%s%s \"%s\"", sep,
				      chain == NFT_MATCH_PRE ? "iifname" :
							       "oifname",
				      it->ifname);
			break;
		}
	}
}

int nft_match_new(struct nft_match **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void nft_match_free(struct nft_match *m)
{
	free(m);
}

int nft_match_none(const struct nft_match *m)
{
	return m->none;
}

const char *nft_match_note(const struct nft_match *m)
{
	return m->note;
}

static struct nftnl_expr *e_meta(__u32 key, int set)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");

	if (!e)
		return NULL;
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, set ? NFTNL_EXPR_META_SREG : NFTNL_EXPR_META_DREG,
			   NFT_REG_1);
	return e;
}

static struct nftnl_expr *e_payload(__u32 base, __u32 off, __u32 len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("payload");

	if (!e)
		return NULL;
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	return e;
}

static struct nftnl_expr *e_cmp(const void *data, __u32 len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("cmp");

	if (!e)
		return NULL;
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	return e;
}

static struct nftnl_expr *e_mask(const void *mask, __u32 len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("bitwise");
	static const __u8 zero[16];

	if (!e)
		return NULL;
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, zero, len);
	return e;
}

static struct nftnl_expr *e_imm8(__u8 v)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");

	if (!e)
		return NULL;
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_1);
	nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, &v, 1);
	return e;
}

/* Append expressions; stops at the first allocation failure. */
static int add_exprs(struct nftnl_rule *r, struct nftnl_expr **e, int n)
{
	int rc = 0;

	for (int i = 0; i < n; i++) {
		if (!e[i])
			rc = -ENOMEM;
		else if (rc)
			nftnl_expr_free(e[i]);
		else
			nftnl_rule_add_expr(r, e[i]);
	}
	return rc;
}

/* The expressions nft itself emits for the same conditions, so that
 * `nft list table inet skbscope` prints them back as nft syntax. */
static int item_exprs(struct nftnl_rule *r, const struct nt_item *it,
		      enum nft_match_chain chain)
{
	struct nftnl_expr *e[5];
	int n = 0;

	switch (it->kind) {
	case MI_ADDR: {
		__u8 nfproto = it->ver == 6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
		__u32 len = it->ver == 6 ? 16 : 4;
		__u32 off = it->ver == 6 ? (it->dst ? 24 : 8) :
					   (it->dst ? 16 : 12);
		__u8 mask[16];

		e[n++] = e_meta(NFT_META_NFPROTO, 0);
		e[n++] = e_cmp(&nfproto, 1);
		if (it->plen == 0)
			break;
		e[n++] = e_payload(NFT_PAYLOAD_NETWORK_HEADER, off, len);
		if (it->plen < len * 8) {
			for (int b = 0; b < 16; b++) {
				int bits = it->plen - 8 * b;

				mask[b] = bits >= 8 ? 0xff :
					  bits <= 0 ? 0 :
						      0xff << (8 - bits);
			}
			e[n++] = e_mask(mask, len);
		}
		e[n++] = e_cmp(it->addr, len);
		break;
	}
	case MI_L4PROTO:
		e[n++] = e_meta(NFT_META_L4PROTO, 0);
		e[n++] = e_cmp(&it->proto, 1);
		break;
	case MI_PORT: {
		__u16 be = htons(it->port);

		e[n++] = e_payload(NFT_PAYLOAD_TRANSPORT_HEADER,
				   it->dst ? 2 : 0, 2);
		e[n++] = e_cmp(&be, 2);
		break;
	}
	case MI_MARK:
		/* meta mark is loaded in host order, so are mask and value */
		e[n++] = e_meta(NFT_META_MARK, 0);
		if (it->mask != 0xffffffffu)
			e[n++] = e_mask(&it->mask, 4);
		e[n++] = e_cmp(&it->mark, 4);
		break;
	case MI_IFNAME: {
		char name[SKBS_IFNAMSIZ] = { 0 };

		strlcpy(name, it->ifname, sizeof(name));
		e[n++] = e_meta(chain == NFT_MATCH_PRE ? NFT_META_IIFNAME :
							 NFT_META_OIFNAME,
				0);
		e[n++] = e_cmp(name, sizeof(name));
		break;
	}
	}
	return add_exprs(r, e, n);
}

struct nftnl_rule *nft_match_rule(const struct nft_match *m,
				  enum nft_match_chain chain)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_expr *e[2];
	int rc = 0;

	if (!r)
		return NULL;
	for (int i = 0; i < m->n && !rc; i++)
		rc = item_exprs(r, &m->it[i], chain);
	if (!rc) {
		e[0] = e_imm8(1);
		e[1] = e_meta(NFT_META_NFTRACE, 1);
		rc = add_exprs(r, e, 2);
	}
	if (rc) {
		nftnl_rule_free(r);
		return NULL;
	}
	return r;
}

int nftrace_match_text(const struct skbs_filter *f, char *buf, size_t len,
		       char *note_buf, size_t notelen)
{
	struct nft_match *m;
	int none;

	if (nft_match_new(&m))
		return -ENOMEM;
	nft_match_set(m, f);
	if (len)
		nft_match_text(m, NFT_MATCH_PRE, buf, len);
	if (note_buf && notelen)
		strlcpy(note_buf, m->note, notelen);
	none = m->none;
	free(m);
	return none;
}
