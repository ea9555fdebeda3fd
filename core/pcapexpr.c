// SPDX-License-Identifier: GPL-2.0
/* libpcap compiles; we check that the interpreter can run the result. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <pcap/pcap.h>
#include "core/pcapexpr.h"

/* Instructions the in-kernel interpreter implements (all libpcap emits
 * for packet filters; extensions like BPF_LD|ABS at SKF_AD_OFF do not
 * apply to packets read from memory). */
static int supported(__u16 code, __u32 k)
{
	switch (CB_CLASS(code)) {
	case CB_LD:
	case CB_LDX:
		if (CB_MODE(code) == CB_ABS && k >= 0xfffff000)
			return 0; /* SKF_AD_* ancillary data */
		return 1;
	case CB_ALU: return CB_OP(code) <= CB_XOR;
	case CB_JMP: return CB_OP(code) <= CB_JSET;
	default: return 1;
	}
}

/* The expression as quoted in messages: long ones are cut, so that what
 * follows (libpcap's complaint) is never what gets cut off. */
#define QUOTE_MAX 48
#define QUOTE(e)                                                       \
	(int)(strlen(e) > QUOTE_MAX ? QUOTE_MAX - 3 : strlen(e)), (e), \
		(strlen(e) > QUOTE_MAX ? "..." : "")

int pcapexpr_compile_one(const char *expr, int l2, struct skbs_cbpf_insn *out,
			 size_t max, char *err, size_t errlen)
{
	pcap_t *p = pcap_open_dead(l2 ? DLT_EN10MB : DLT_RAW, 65535);
	struct bpf_program fp;
	int n;

	if (!p) {
		snprintf(err, errlen, "libpcap: cannot open a dead handle");
		return -ENOMEM;
	}
	if (pcap_compile(p, &fp, expr, 1, PCAP_NETMASK_UNKNOWN)) {
		snprintf(err, errlen, "pcap-filter '%.*s%s': %s", QUOTE(expr),
			 pcap_geterr(p));
		pcap_close(p);
		return -EINVAL;
	}
	pcap_close(p);
	if (fp.bf_len > max) {
		snprintf(err, errlen,
			 "pcap-filter '%.*s%s' compiles to %u "
			 "instructions; the in-kernel interpreter runs at most "
			 "%zu",
			 QUOTE(expr), fp.bf_len, max);
		pcap_freecode(&fp);
		return -E2BIG;
	}
	for (unsigned i = 0; i < fp.bf_len; i++) {
		if (!supported(fp.bf_insns[i].code, fp.bf_insns[i].k)) {
			snprintf(err, errlen,
				 "pcap-filter '%.*s%s': "
				 "instruction 0x%04x (#%u) is not supported in "
				 "the kernel",
				 QUOTE(expr), fp.bf_insns[i].code, i);
			pcap_freecode(&fp);
			return -EOPNOTSUPP;
		}
		out[i].code = fp.bf_insns[i].code;
		out[i].jt = fp.bf_insns[i].jt;
		out[i].jf = fp.bf_insns[i].jf;
		out[i].k = fp.bf_insns[i].k;
	}
	n = (int)fp.bf_len;
	pcap_freecode(&fp);
	return n;
}

int pcapexpr_set(struct skbs_filter *f, const char *expr, char *err,
		 size_t errlen)
{
	struct skbs_cbpf_insn l2[SKBS_CBPF_MAX], l3[SKBS_CBPF_MAX];
	int n2, n3;

	while (expr && (*expr == ' ' || *expr == '\t'))
		expr++;
	if (!expr || !*expr) {
		f->flags &= ~SKBS_F_PCAP;
		f->pcap_len_l2 = f->pcap_len_l3 = 0;
		f->pcap_text[0] = '\0';
		return 0;
	}
	if (strlen(expr) >= sizeof(f->pcap_text)) {
		snprintf(err, errlen,
			 "pcap-filter expression too long (%zu "
			 "bytes; at most %zu)",
			 strlen(expr), sizeof(f->pcap_text) - 1);
		return -E2BIG;
	}
	n2 = pcapexpr_compile_one(expr, 1, l2, SKBS_CBPF_MAX, err, errlen);
	if (n2 < 0)
		return n2;
	n3 = pcapexpr_compile_one(expr, 0, l3, SKBS_CBPF_MAX, err, errlen);
	if (n3 == -EINVAL) {
		/* Ethernet-only terms ("ether host", "arp", "vlan") have no
		 * meaning for a packet seen from its IP header: at such
		 * hooks the expression matches nothing. */
		l3[0] = (struct skbs_cbpf_insn){ .code = CB_RET, .k = 0 };
		n3 = 1;
	} else if (n3 < 0) {
		return n3;
	}
	memcpy(f->pcap_l2, l2, sizeof(l2));
	memcpy(f->pcap_l3, l3, sizeof(l3));
	f->pcap_len_l2 = (__u16)n2;
	f->pcap_len_l3 = (__u16)n3;
	f->flags |= SKBS_F_PCAP;
	snprintf(f->pcap_text, sizeof(f->pcap_text), "%s", expr);
	/* Trailing blanks are not part of the expression. */
	for (size_t l = strlen(f->pcap_text);
	     l && (f->pcap_text[l - 1] == ' ' || f->pcap_text[l - 1] == '\t');
	     l--)
		f->pcap_text[l - 1] = '\0';
	return 0;
}

int pcapexpr_set_tunnel(struct skbs_filter *f, int l2, const char *expr,
			char *err, size_t errlen)
{
	struct skbs_cbpf_insn prog[SKBS_CBPF_MAX];
	char *text = l2 ? f->tun_text_l2 : f->tun_text_l3, msg[256];
	const char *flag = l2 ? "--filter-tunnel-pcap-l2" :
				"--filter-tunnel-pcap-l3";
	__u32 bit = l2 ? SKBS_F_TUN_L2 : SKBS_F_TUN_L3;
	size_t l;
	int n;

	while (expr && (*expr == ' ' || *expr == '\t'))
		expr++;
	if (!expr || !*expr) {
		f->flags &= ~bit;
		if (l2)
			f->tun_len_l2 = 0;
		else
			f->tun_len_l3 = 0;
		text[0] = '\0';
		return 0;
	}
	if (strlen(expr) >= SKBS_PCAP_TEXT) {
		snprintf(err, errlen,
			 "%s: expression too long (%zu bytes; at most %d)",
			 flag, strlen(expr), SKBS_PCAP_TEXT - 1);
		return -E2BIG;
	}
	n = pcapexpr_compile_one(expr, l2, prog, SKBS_CBPF_MAX, msg,
				 sizeof(msg));
	if (n < 0) {
		snprintf(err, errlen, "%s: %s", flag, msg);
		return n;
	}
	memcpy(l2 ? f->tun_l2 : f->tun_l3, prog, sizeof(prog));
	if (l2)
		f->tun_len_l2 = (__u16)n;
	else
		f->tun_len_l3 = (__u16)n;
	f->flags |= bit;
	snprintf(text, SKBS_PCAP_TEXT, "%s", expr);
	for (l = strlen(text); l && (text[l - 1] == ' ' || text[l - 1] == '\t');
	     l--)
		text[l - 1] = '\0';
	return 0;
}

int pcapexpr_reference(const char *expr, int l2, const __u8 *pkt, size_t len)
{
	pcap_t *p = pcap_open_dead(l2 ? DLT_EN10MB : DLT_RAW, 65535);
	struct pcap_pkthdr h = { .caplen = (bpf_u_int32)len,
				 .len = (bpf_u_int32)len };
	struct bpf_program fp;
	int r;

	if (!p)
		return -1;
	if (pcap_compile(p, &fp, expr, 1, PCAP_NETMASK_UNKNOWN)) {
		pcap_close(p);
		return -1;
	}
	r = pcap_offline_filter(&fp, &h, pkt) != 0;
	pcap_freecode(&fp);
	pcap_close(p);
	return r;
}
