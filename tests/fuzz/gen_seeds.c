// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the generated seeds of tests/fuzz/corpus: a short recording made
 * by the real writer (core/record_write.c), raw ring-buffer events, and
 * packets for the cBPF comparison. `make fuzz-seeds`; only needed when a
 * format changes. Usage: gen_seeds CORPUS_DIR
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/reasons.h"
#include "core/hooks.h"
#include "core/ksyms.h"
#include "core/record.h"

static const char *dir;

static void put_file(const char *sub, const char *name, const void *data,
		     size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "gen_seeds: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

static void put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

/* Ethernet (+ VLAN) + IPv4 or IPv6 + TCP or UDP; returns the length. */
static size_t packet(unsigned char *b, int v6, int vlan, int proto,
		     unsigned sport, unsigned dport)
{
	size_t l3 = vlan ? 18 : 14, iphl = v6 ? 40 : 20;
	size_t l4len = proto == 6 ? 20 : 8;
	unsigned char *ip = b + l3, *l4 = ip + iphl;

	memset(b, 0, l3 + iphl + l4len);
	memcpy(b, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
	if (vlan) {
		put16(b + 12, 0x8100);
		put16(b + 14, 42);
	}
	put16(b + l3 - 2, v6 ? 0x86dd : 0x0800);
	if (v6) {
		ip[0] = 0x60;
		put16(ip + 4, (unsigned)l4len);
		ip[6] = (unsigned char)proto;
		ip[7] = 64;
		inet_pton(AF_INET6, "fd00::1", ip + 8);
		inet_pton(AF_INET6, "fe80::1", ip + 24);
	} else {
		ip[0] = 0x45;
		put16(ip + 2, (unsigned)(iphl + l4len));
		ip[8] = 64;
		ip[9] = (unsigned char)proto;
		inet_pton(AF_INET, "10.0.0.1", ip + 12);
		inet_pton(AF_INET, "192.168.1.7", ip + 16);
	}
	put16(l4, sport);
	put16(l4 + 2, dport);
	if (proto == 6) {
		l4[12] = 5 << 4;
		l4[13] = 0x02; /* SYN */
	}
	return l3 + iphl + l4len;
}

static struct skbs_event event(int v6, int proto)
{
	struct skbs_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.rec_type = SKBS_REC_EVENT;
	ev.skb = 0xffff888012345600ULL;
	ev.ts = 123456789;
	ev.cpu = 1;
	ev.pid = 4242;
	strcpy(ev.comm, "curl");
	strcpy(ev.ifname, "veth0");
	ev.ifindex = 7;
	ev.netns = 4026532290U;
	ev.len = 60;
	ev.mtu = 1500;
	ev.l3_proto = v6 ? 0x86dd : 0x0800;
	ev.l4_proto = (__u8)proto;
	ev.flags = SKBS_EV_TUPLE;
	ev.sport = 40000;
	ev.dport = 80;
	ev.stack_id = -1;
	if (v6) {
		inet_pton(AF_INET6, "fd00::1", ev.saddr);
		inet_pton(AF_INET6, "fe80::1", ev.daddr);
	} else {
		inet_pton(AF_INET, "10.0.0.1", ev.saddr);
		inet_pton(AF_INET, "192.168.1.7", ev.daddr);
	}
	return ev;
}

/* Raw ring-buffer records: the event, then its tail. */
static void events(void)
{
	unsigned char rec[sizeof(struct skbs_event) + 256];
	struct skbs_event ev;
	size_t n;

	ev = event(0, 17);
	n = packet(rec + sizeof(ev), 0, 0, 17, 5353, 53);
	ev.hdr_len = ev.tail_len = (__u16)n;
	ev.flags |= SKBS_EV_HDR_L2;
	memcpy(rec, &ev, sizeof(ev));
	put_file("event", "udp4-l2", rec, sizeof(ev) + n);

	ev = event(1, 6);
	n = packet(rec + sizeof(ev), 1, 0, 6, 40000, 80);
	/* From the IP header: skip Ethernet. */
	memmove(rec + sizeof(ev), rec + sizeof(ev) + 14, n - 14);
	ev.hdr_len = ev.tail_len = (__u16)(n - 14);
	memcpy(rec, &ev, sizeof(ev));
	put_file("event", "tcp6-l3", rec, sizeof(ev) + n - 14);

	ev = event(0, 6);
	ev.flags |= SKBS_EV_DROP | SKBS_EV_FREE | SKBS_EV_REASON |
		    SKBS_EV_SKB_TEXT;
	ev.drop_reason = 2;
	ev.location = 0xffffffff81000010ULL;
	ev.caller = 0xffffffffc0000020ULL;
	ev.hook = 1;
	memcpy(rec + sizeof(ev), "(struct sk_buff){.len = (u32)60,}", 33);
	ev.tail_len = 33;
	memcpy(rec, &ev, sizeof(ev));
	put_file("event", "drop-skbtext", rec, sizeof(ev) + 33);
}

static void recording(void)
{
	static const struct rec_meta meta = {
		.host = "seed-host",
		.kernel = "6.18.0",
		.backend = "ringbuf",
		.start_realtime_ns = 1700000000123456789LL,
		.realtime_offset_ns = 1699990000000000000LL,
	};
	static const __u64 counters[SKBS_C_MAX] = { 10, 3, 0, 1 };
	unsigned char tail[256];
	__u64 stack[3] = { 0xffffffff81000010ULL, 0xffffffff81000120ULL,
			   0xffffffffc0000020ULL };
	char path[4096], err[256];
	struct rec_writer *w;
	struct reasons *rs;
	struct ksyms *ks;
	struct hooks *h;
	struct skbs_event ev;
	struct hook hk;
	size_t n;

	if (hooks_new(&h) || reasons_new(&rs) || ksyms_new_empty(&ks))
		exit(1);
	memset(&hk, 0, sizeof(hk));
	strcpy(hk.name, "netif_receive_skb");
	strcpy(hk.group, "net");
	hk.nargs = 1;
	hk.attached = 1;
	hooks_add(h, &hk);
	memset(&hk, 0, sizeof(hk));
	strcpy(hk.name, "kfree_skb");
	strcpy(hk.group, "skb");
	hk.nargs = 3;
	hk.attached = 1;
	hooks_add(h, &hk);
	memset(&hk, 0, sizeof(hk));
	strcpy(hk.name, "nft_do_chain");
	strcpy(hk.module, "nf_tables");
	hk.kind = HOOK_FUNCTION;
	hk.skb_pos = 1;
	hk.attached = -95;
	strcpy(hk.why, "not supported");
	hooks_add(h, &hk);
	reasons_add(rs, 2, "SKB_DROP_REASON_NOT_SPECIFIED");
	reasons_add(rs, 6, "SKB_DROP_REASON_NETFILTER_DROP");
	ksyms_add(ks, 0xffffffff81000000ULL, "ip_rcv", "");
	ksyms_add(ks, 0xffffffff81000100ULL, "__netif_receive_skb", "");
	ksyms_add(ks, 0xffffffffc0000000ULL, "nft_do_chain", "nf_tables");

	snprintf(path, sizeof(path), "%s/record/short.skbrec", dir);
	if (rec_create(path, &meta, &w, err, sizeof(err))) {
		fprintf(stderr, "gen_seeds: %s\n", err);
		exit(1);
	}
	if (rec_write_hooks(w, h, 2) || rec_write_reasons(w, rs))
		exit(1);
	ev = event(0, 6);
	n = packet(tail, 0, 0, 6, 40000, 80);
	ev.hdr_len = ev.tail_len = (__u16)n;
	ev.flags |= SKBS_EV_HDR_L2;
	ev.stack_id = 0;
	if (rec_write_event(w, &ev, (const char *)tail, stack, 3, ks))
		exit(1);
	ev = event(0, 6);
	ev.hook = 1;
	ev.ts += 1000;
	ev.flags |= SKBS_EV_DROP | SKBS_EV_FREE | SKBS_EV_REASON;
	ev.drop_reason = 6;
	ev.stack_id = 1;
	if (rec_write_event(w, &ev, NULL, stack + 1, 2, ks))
		exit(1);
	if (rec_write_hooks(w, h, 3))
		exit(1);
	ev = event(1, 17);
	ev.hook = 2;
	ev.skb += 0x100;
	if (rec_write_event(w, &ev, NULL, NULL, 0, ks))
		exit(1);
	if (rec_close(w, counters))
		exit(1);
	hooks_free(h);
	reasons_free(rs);
	ksyms_free(ks);
}

/* Byte 0 of a cbpf input picks the expression (bits 1-6) and the link
 * (bit 0: Ethernet); see fuzz_cbpf.c. */
static void cbpf(void)
{
	static const struct {
		const char *name;
		int expr, v6, vlan, proto, sport, dport;
	} seeds[] = {
		{ "tcp-syn", 4, 0, 0, 6, 40000, 80 },
		{ "dns", 1, 0, 0, 17, 5353, 53 },
		{ "ip6-http", 5, 1, 0, 6, 40000, 80 },
		{ "vlan-tcp", 7, 0, 1, 6, 1234, 22 },
		{ "indexed", 11, 0, 0, 6, 1, 2 },
		{ "http-get", 12, 0, 0, 6, 3, 80 },
		{ "portrange", 14, 0, 0, 17, 1500, 99 },
		{ "arith", 17, 0, 0, 17, 7, 8 },
	};
	/* Indexes into fuzz_cbpf.c's opcode table, then jt, jf, flags, k:
	 * ld [12]:h; st M[3]; ldx M[3]; jeq #0x800, 0, 1; add x; ret a;
	 * ret #0. */
	static const unsigned char prog[] = {
		0x80, 6, 3, 0,  0,  0, 12, 0, 0, 0, 15, 0,  0, 0, 3,
		0,    0, 0, 14, 0,  0, 0,  3, 0, 0, 0,  18, 0, 1, 0,
		0,    8, 0, 0,  36, 0, 0,  0, 0, 0, 0,  0,  1, 0, 0,
		0,    0, 0, 0,  0,  0, 0,  0, 0, 0, 0,  0,  0,
	};
	unsigned char b[256];
	char name[64];

	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		size_t n = packet(b + 1, seeds[i].v6, seeds[i].vlan,
				  seeds[i].proto, (unsigned)seeds[i].sport,
				  (unsigned)seeds[i].dport);

		b[0] = (unsigned char)(seeds[i].expr << 1 | 1);
		snprintf(name, sizeof(name), "%s-l2", seeds[i].name);
		put_file("cbpf", name, b, n + 1);
		if (seeds[i].vlan)
			continue;
		/* The same packet from its IP header. */
		memmove(b + 1, b + 15, n - 14);
		b[0] = (unsigned char)(seeds[i].expr << 1);
		snprintf(name, sizeof(name), "%s-l3", seeds[i].name);
		put_file("cbpf", name, b, n - 13);
	}
	memcpy(b, prog, sizeof(prog));
	put_file("cbpf", "random-program", b,
		 sizeof(prog) + packet(b + sizeof(prog), 0, 0, 6, 1, 2));
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen_seeds CORPUS_DIR\n");
		return 2;
	}
	dir = argv[1];
	events();
	recording();
	cbpf();
	return 0;
}
