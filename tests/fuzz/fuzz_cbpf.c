// SPDX-License-Identifier: GPL-2.0
/*
 * The classic-BPF interpreter the probe programs run (bpf/cbpf.bpf.h,
 * driven by core/cbpf.c) against libpcap's own interpreter
 * (pcap_offline_filter): the same program on the same bytes must give the
 * same verdict, or the kernel filters differently from tcpdump.
 *
 * Input: byte 0 picks the mode. Below 0x80, one of the expressions below
 * (compiled by pcap_compile, for Ethernet or raw IP) and the rest is the
 * packet. From 0x80, a random program: byte 1 is its length, then 8 bytes
 * per instruction, then the packet; it runs only if bpf_validate takes it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pcap/pcap.h>
#include "core/cbpf.h"
#include "core/pcapexpr.h"

/* What the filter bar is likely to see, and what reaches every corner of
 * the instruction set libpcap emits: indexed loads, arithmetic, VLAN
 * offsets. Not "protochain": its backward jumps loop for ever in
 * libpcap 1.10 on some packets (the kernel side stops after
 * SKBS_CBPF_MAX steps), so there is no verdict to compare. */
static const char *const exprs[] = {
	"tcp",
	"udp dst port 53",
	"host 10.0.0.1",
	"net 192.168.0.0/16 and not icmp",
	"tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn",
	"ip6 and tcp port 80",
	"icmp6 or icmp",
	"vlan and tcp",
	"arp or rarp",
	"ip[2:2] > 576",
	"ether[0] & 1 != 0",
	"ip[ip[12:4]] != 0",
	"tcp[((tcp[12:1] & 0xf0) >> 2):4] = 0x47455420",
	"len > 100 and len <= 1500",
	"portrange 1000-2000",
	"ip multicast or ether broadcast",
	"ip[6:2] & 0x1fff != 0",
	"udp[8:2] * 3 / 2 % 7 = 1",
	"ip[0] ^ 0x45 == 0 and ip[9] << 2 > 20",
	"ip[1] - ip[0] + 1 > 0 and -ip[3] != 0",
	"src net 10.0.0.0/8 and dst portrange 0-1023 and (tcp or udp)",
	"ip6 dst host fe80::1 and ip6[6] == 58",
	"mpls and ip",
	"pppoes and ip",
	"geneve and ip",
	"ip[ip[0] & 0xf:2] > 1",
};
#define NEXPR (sizeof(exprs) / sizeof(exprs[0]))

struct compiled {
	struct skbs_cbpf_insn twin[SKBS_CBPF_MAX];
	int n; /* 0: does not compile for this link */
	struct bpf_program ref;
};

static struct compiled progs[NEXPR][2];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[512];

	(void)argc;
	(void)argv;
	for (size_t i = 0; i < NEXPR; i++) {
		for (int l2 = 0; l2 < 2; l2++) {
			struct compiled *c = &progs[i][l2];
			pcap_t *p;
			int n;

			n = pcapexpr_compile_one(exprs[i], l2, c->twin,
						 SKBS_CBPF_MAX, err,
						 sizeof(err));
			if (n <= 0)
				continue;
			p = pcap_open_dead(l2 ? DLT_EN10MB : DLT_RAW, 65535);
			if (!p || pcap_compile(p, &c->ref, exprs[i], 1,
					       PCAP_NETMASK_UNKNOWN))
				abort();
			pcap_close(p);
			c->n = n;
		}
		/* A list entry neither link takes is a typo here. */
		if (!progs[i][0].n && !progs[i][1].n) {
			fprintf(stderr, "fuzz_cbpf: '%s' does not compile\n",
				exprs[i]);
			abort();
		}
	}
	return 0;
}

static __u32 reference(const struct bpf_program *fp, const uint8_t *pkt,
		       size_t len)
{
	struct pcap_pkthdr h = { .caplen = (bpf_u_int32)len,
				 .len = (bpf_u_int32)len };

	return (__u32)pcap_offline_filter(fp, &h, pkt);
}

static void compare(const struct skbs_cbpf_insn *twin, int n,
		    const struct bpf_program *fp, const uint8_t *pkt,
		    size_t len, const char *what)
{
	__u32 mine = cbpf_run(twin, (__u32)n, pkt, (__u32)len);
	__u32 ref = reference(fp, pkt, len);

	if (mine != ref) {
		fprintf(stderr,
			"cbpf twin says %u, libpcap %u: %s on %zu "
			"bytes\n",
			mine, ref, what, len);
		for (int i = 0; i < n; i++)
			fprintf(stderr,
				"  %3d: code 0x%04x jt %u jf %u k "
				"0x%x\n",
				i, twin[i].code, twin[i].jt, twin[i].jf,
				twin[i].k);
		abort();
	}
}

/* The opcodes libpcap's interpreter implements; others make 1.10 abort()
 * (a libpcap matter, not the twin's), so random programs use only these. */
static const __u16 opcodes[] = {
	0x06, 0x16,                   /* ret k, ret a */
	0x20, 0x28, 0x30,             /* ld [k] w/h/b */
	0x80, 0x81,                   /* ld len, ldx len */
	0x40, 0x48, 0x50,             /* ld [x+k] w/h/b */
	0xb1,                         /* ldxb 4*([k]&0xf) */
	0x00, 0x01,                   /* ld #k, ldx #k */
	0x60, 0x61, 0x02, 0x03,       /* ld/ldx M[k], st, stx */
	0x05, 0x15, 0x25, 0x35, 0x45, /* ja, jeq/jgt/jge/jset k */
	0x1d, 0x2d, 0x3d, 0x4d,       /* jeq/jgt/jge/jset x */
	0x04, 0x14, 0x24, 0x34, 0x94, 0x44, 0x54, 0xa4, 0x64, 0x74, 0x0c,
	0x1c, 0x2c, 0x3c, 0x9c, 0x4c, 0x5c, 0xac, 0x6c, 0x7c, 0x84, /* neg */
	0x07, 0x87, /* tax, txa */
};
#define NOPC (sizeof(opcodes) / sizeof(opcodes[0]))
#define RAND_MAX_INSNS 64

/* Scratch words a path may read before any store: libpcap 1.10 leaves
 * them uninitialised (the kernel refuses such programs), so those
 * programs have no defined verdict to compare. Jumps are forward only. */
static int reads_unset_memory(const struct bpf_insn *p, int n)
{
	unsigned set[RAND_MAX_INSNS], reached[RAND_MAX_INSNS] = { 0 };

	reached[0] = 1;
	set[0] = 0;
	for (int i = 0; i < n; i++) {
		unsigned s = set[i];
		int next[2], nn = 0;

		if (!reached[i])
			continue;
		switch (p[i].code) {
		case 0x60:
		case 0x61:
			if (!(s & 1u << p[i].k))
				return 1;
			break;
		case 0x02:
		case 0x03: s |= 1u << p[i].k; break;
		}
		if ((p[i].code & 7) == BPF_RET)
			continue;
		if (p[i].code == 0x05) {
			next[nn++] = i + 1 + (int)p[i].k;
		} else if ((p[i].code & 7) == BPF_JMP) {
			next[nn++] = i + 1 + p[i].jt;
			next[nn++] = i + 1 + p[i].jf;
		} else {
			next[nn++] = i + 1;
		}
		for (int j = 0; j < nn; j++) {
			int t = next[j];

			if (t >= n)
				continue; /* bpf_validate refuses it */
			set[t] = reached[t] ? set[t] & s : s;
			reached[t] = 1;
		}
	}
	return 0;
}

static void random_program(const uint8_t *data, size_t size)
{
	struct bpf_insn p[RAND_MAX_INSNS];
	struct skbs_cbpf_insn twin[RAND_MAX_INSNS];
	struct bpf_program fp;
	int n;

	if (size < 2)
		return;
	n = data[1] % RAND_MAX_INSNS + 1;
	data += 2;
	size -= 2;
	if (size < 8 * (size_t)n)
		return;
	for (int i = 0; i < n; i++, data += 8, size -= 8) {
		const uint8_t *b = data;
		__u32 k = (__u32)b[4] | (__u32)b[5] << 8 | (__u32)b[6] << 16 |
			  (__u32)b[7] << 24;
		__u16 code = opcodes[b[0] % NOPC];
		int left = n - i - 1;

		/* Steer most programs past bpf_validate: in-range scratch
		 * words, forward jumps, no constant division by zero;
		 * b[3] & 1 keeps k raw, which bpf_validate must judge. */
		if (!(b[3] & 1)) {
			switch (code) {
			case 0x60:
			case 0x61:
			case 0x02:
			case 0x03: k %= 16; break;
			case 0x05: k = left ? k % (__u32)left : 0; break;
			case 0x64:
			case 0x74: k %= 32; break;
			case 0x34:
			case 0x94: k = k ? k : 1; break;
			case 0x20:
			case 0x28:
			case 0x30:
			case 0x40:
			case 0x48:
			case 0x50:
			case 0xb1: k %= 96; break;
			}
		}
		if (i == n - 1 && (code & 7) != BPF_RET)
			code = b[2] & 1 ? 0x16 : 0x06;
		p[i].code = code;
		p[i].jt = left ? (__u8)(b[1] % left) : 0;
		p[i].jf = left ? (__u8)(b[2] % left) : 0;
		p[i].k = k;
	}
	if (!bpf_validate(p, n))
		return;
	for (int i = 0; i < n; i++) {
		/* libpcap 1.10's validator takes backward "ja" (its
		 * protochain code uses them), and shifts by 32 or more,
		 * which its interpreter leaves to the C compiler: neither
		 * has one defined answer. */
		if (p[i].code == 0x05 && (int)p[i].k < 0)
			return;
		if ((p[i].code == 0x64 || p[i].code == 0x74) && p[i].k >= 32)
			return;
	}
	if (reads_unset_memory(p, n))
		return;
	for (int i = 0; i < n; i++) {
		twin[i].code = p[i].code;
		twin[i].jt = p[i].jt;
		twin[i].jf = p[i].jf;
		twin[i].k = p[i].k;
	}
	fp.bf_len = (u_int)n;
	fp.bf_insns = p;
	compare(twin, n, &fp, data, size, "random program");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct compiled *c;

	if (!size)
		return 0;
	if (data[0] & 0x80) {
		random_program(data, size);
		return 0;
	}
	c = &progs[(data[0] >> 1) % NEXPR][data[0] & 1];
	if (!c->n)
		return 0;
	compare(c->twin, c->n, &c->ref, data + 1, size - 1,
		exprs[(data[0] >> 1) % NEXPR]);
	return 0;
}
