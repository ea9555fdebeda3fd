// SPDX-License-Identifier: GPL-2.0
/* core/event, core/output_line, core/hooks, core/caps on fixed events. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "core/reasons.h"
#include "core/trace/btf.h"
#include "core/trace/caps.h"
#include "core/event.h"
#include "core/explain.h"
#include "core/output_json.h"
#include "core/hooks.h"
#include "core/ksyms.h"
#include "core/output_line.h"
#include "test.h"

static struct skbs_event udp_event(void)
{
	struct skbs_event ev = { 0 };

	ev.rec_type = SKBS_REC_EVENT;
	ev.skb = 0xffff888012345600ULL;
	ev.cpu = 1;
	ev.pid = 4242;
	strcpy(ev.comm, "python3");
	ev.netns = 4026532290U;
	ev.mark = 0x10;
	ev.len = 41;
	ev.l3_proto = 0x0800;
	ev.l4_proto = 17;
	ev.flags = SKBS_EV_TUPLE;
	inet_pton(AF_INET, "10.213.0.1", ev.saddr);
	inet_pton(AF_INET, "10.213.0.2", ev.daddr);
	ev.sport = 40000;
	ev.dport = 7001;
	ev.stack_id = -1;
	return ev;
}

TEST(event_decode_checks_sizes)
{
	unsigned char buf[sizeof(struct skbs_event) + 8];
	struct skbs_event ev = udp_event();
	const struct skbs_event *out;
	const char *tail;
	char err[128];

	memcpy(buf, &ev, sizeof(ev));
	CHECK_INT(event_decode(buf, sizeof(ev), &out, &tail, err, sizeof(err)),
		  0);
	CHECK(out == (void *)buf);
	CHECK_INT(event_decode(buf, sizeof(ev) - 1, &out, &tail, err,
			       sizeof(err)),
		  -EINVAL);
	CHECK_HAS(err, "shorter");
	ev.tail_len = 9;
	memcpy(buf, &ev, sizeof(ev));
	CHECK_INT(event_decode(buf, sizeof(buf), &out, &tail, err, sizeof(err)),
		  -EINVAL);
	CHECK_HAS(err, "tail");
	ev.tail_len = 8;
	memcpy(buf, &ev, sizeof(ev));
	CHECK_INT(event_decode(buf, sizeof(buf), &out, &tail, err, sizeof(err)),
		  0);
	CHECK(tail == (char *)buf + sizeof(ev));
	ev.rec_type = 77;
	memcpy(buf, &ev, sizeof(ev));
	CHECK_INT(event_decode(buf, sizeof(buf), &out, &tail, err, sizeof(err)),
		  -EINVAL);
	CHECK_HAS(err, "type 77");
}

TEST(line_tuple_formats)
{
	struct skbs_event ev = udp_event();
	char buf[128];

	line_tuple(&ev, buf, sizeof(buf));
	CHECK_STR(buf, "10.213.0.1:40000->10.213.0.2:7001(udp)");
	ev.l3_proto = 0x86DD;
	inet_pton(AF_INET6, "fd00::1", ev.saddr);
	inet_pton(AF_INET6, "fd00::2", ev.daddr);
	ev.l4_proto = 6;
	line_tuple(&ev, buf, sizeof(buf));
	CHECK_STR(buf, "[fd00::1]:40000->[fd00::2]:7001(tcp)");
	ev.l4_proto = 58;
	ev.sport = 128;
	ev.dport = 0;
	line_tuple(&ev, buf, sizeof(buf));
	CHECK_STR(buf, "fd00::1->fd00::2(icmp6 128/0)");
	ev.flags = 0;
	line_tuple(&ev, buf, sizeof(buf));
	CHECK_STR(buf, "");
}

static struct btf *reason_btf(void)
{
	struct btf *b = btf__new_empty();

	btf__add_enum(b, "skb_drop_reason", 4);
	btf__add_enum_value(b, "SKB_DROP_REASON_NETFILTER_DROP", 12);
	return b;
}

TEST(line_format_drop)
{
	struct skbs_event ev = udp_event();
	struct hooks *h;
	struct hook hk = { .kind = HOOK_TRACEPOINT };
	struct btf *b = reason_btf();
	struct reasons *r;
	struct ksyms *ks;
	struct line_out *lo;
	struct line_opts o = { .meta = 1, .tuple = 1 };
	char buf[512];

	CHECK_INT(hooks_new(&h), 0);
	strcpy(hk.name, "consume_skb");
	strcpy(hk.group, "skb");
	CHECK_INT(hooks_add(h, &hk), 0);
	strcpy(hk.name, "kfree_skb");
	CHECK_INT(hooks_add(h, &hk), 1);
	CHECK_INT(kbtf_load_reasons(b, &r), 0);
	CHECK_INT(ksyms_load(test_fixture("kallsyms.txt"), &ks), 0);
	CHECK_INT(line_out_new(&o, h, r, &lo), 0);
	line_out_set_ksyms(lo, ks);

	ev.hook = 1;
	ev.flags |= SKBS_EV_DROP | SKBS_EV_FREE | SKBS_EV_REASON;
	ev.drop_reason = 12;
	ev.location = ksyms_addr(ks, "nft_do_chain") + 0x4a8;
	CHECK(ev.location != 0x4a8);
	line_format(lo, &ev, buf, sizeof(buf));
	CHECK_HAS(buf, "0xffff888012345600 1   python3:4242");
	CHECK_HAS(buf, "4026532290 0x10");
	CHECK_HAS(buf, "0x0800");
	CHECK_HAS(buf, "10.213.0.1:40000->10.213.0.2:7001(udp) "
		       "skb:kfree_skb(NETFILTER_DROP) nft_do_chain+0x4a8");
	/* an unknown reason is shown by number */
	ev.drop_reason = 99;
	line_format(lo, &ev, buf, sizeof(buf));
	CHECK_HAS(buf, "skb:kfree_skb(99) nft_do_chain+0x4a8");
	/* a consume is not a drop */
	ev.hook = 0;
	ev.flags = SKBS_EV_TUPLE | SKBS_EV_FREE;
	line_format(lo, &ev, buf, sizeof(buf));
	CHECK(strstr(buf, "skb:consume_skb") && !strstr(buf, "("
							     "NETFILTER"));
	line_header(lo, buf, sizeof(buf));
	CHECK_HAS(buf, "SKB");
	CHECK_HAS(buf, "TUPLE FUNC");
	line_out_free(lo);
	ksyms_free(ks);
	reasons_free(r);
	hooks_free(h);
	btf__free(b);
}

TEST(line_relative_timestamps_per_skb)
{
	struct skbs_event a = udp_event(), b = udp_event();
	struct hooks *h;
	struct line_out *lo;
	struct line_opts o = { .ts = TS_RELATIVE };
	char buf[512];

	CHECK_INT(hooks_new(&h), 0);
	CHECK_INT(line_out_new(&o, h, NULL, &lo), 0);
	b.skb += 0x100;
	a.ts = 1000;
	line_format(lo, &a, buf, sizeof(buf));
	CHECK(!strncmp(buf, "0 ", 2));
	b.ts = 1500;
	line_format(lo, &b, buf, sizeof(buf));
	CHECK(!strncmp(buf, "0 ", 2));
	a.ts = 1750;
	line_format(lo, &a, buf, sizeof(buf));
	CHECK(!strncmp(buf, "750 ", 4));
	/* the end of a lifetime forgets the skb */
	a.ts = 2000;
	a.flags |= SKBS_EV_FREE;
	line_format(lo, &a, buf, sizeof(buf));
	CHECK(!strncmp(buf, "250 ", 4));
	a.ts = 5000;
	a.flags &= ~SKBS_EV_FREE;
	line_format(lo, &a, buf, sizeof(buf));
	CHECK(!strncmp(buf, "0 ", 2));
	line_out_free(lo);
	hooks_free(h);
}

TEST(hooks_groups_from_available_events)
{
	const char *txt = "sched:sched_switch\nskb:kfree_skb\n"
			  "net:netif_receive_skb\nskb:kfree_skb_x";
	struct hooks *h;
	struct hook hk = { .kind = HOOK_TRACEPOINT };
	char buf[64];

	CHECK_INT(hooks_new(&h), 0);
	strcpy(hk.name, "kfree_skb");
	hooks_add(h, &hk);
	strcpy(hk.name, "mystery_tp");
	hooks_add(h, &hk);
	strcpy(hk.name, "netif_receive_skb");
	hooks_add(h, &hk);
	hooks_set_groups(h, txt);
	CHECK_STR(hook_label(hooks_get(h, 0), buf, sizeof(buf)),
		  "skb:kfree_skb");
	CHECK_STR(hook_label(hooks_get(h, 1), buf, sizeof(buf)), "mystery_tp");
	CHECK_STR(hook_label(hooks_get(h, 2), buf, sizeof(buf)),
		  "net:netif_receive_skb");
	CHECK(hooks_get(h, 3) == NULL);
	hooks_free(h);
}

static int caps_from(const char *capeff, char *missing, size_t len)
{
	char path[] = "/tmp/skbs-status-XXXXXX";
	int fd = mkstemp(path), ret;
	char txt[256];

	snprintf(txt, sizeof(txt), "Name:\tx\nCapInh:\t0\nCapEff:\t%s\n",
		 capeff);
	if (write(fd, txt, strlen(txt)) < 0)
		return -99;
	close(fd);
	ret = caps_check(path, missing, len);
	unlink(path);
	return ret;
}

TEST(caps_names_what_is_missing)
{
	char m[64];

	CHECK_INT(caps_from("000001ffffffffff", m, sizeof(m)), 0);
	CHECK_INT(caps_from("0000000000200000", m, sizeof(m)),
		  0); /* SYS_ADMIN */
	CHECK_INT(caps_from("000000c000000000", m, sizeof(m)),
		  0); /* BPF+PERFMON */
	CHECK_INT(caps_from("0000000000000000", m, sizeof(m)), -EPERM);
	CHECK_STR(m, "CAP_BPF, CAP_PERFMON");
	CHECK_INT(caps_from("0000008000000000", m, sizeof(m)), -EPERM);
	CHECK_STR(m, "CAP_PERFMON");
	CHECK_INT(caps_from("0000004000000000", m, sizeof(m)), -EPERM);
	CHECK_STR(m, "CAP_BPF");
}

/* The explain object: kind, text and each field, escaped, and valid JSON
 * even when the text holds quotes and control bytes. */
TEST(json_format_explain)
{
	struct skbs_event ev = udp_event();
	struct hooks *h;
	struct hook hk = { .kind = HOOK_TRACEPOINT };
	struct line_out *lo;
	struct line_opts o = { 0 };
	struct explain x = { 0 };
	char buf[4096];
	int n;

	CHECK_INT(hooks_new(&h), 0);
	strcpy(hk.name, "kfree_skb");
	CHECK_INT(hooks_add(h, &hk), 0);
	CHECK_INT(line_out_new(&o, h, NULL, &lo), 0);
	ev.flags |= SKBS_EV_DROP | SKBS_EV_FREE;
	explain_set(&x, EXPLAIN_NFT_RULE, "rule 4: meta mark \"x\"\tdrop");
	CHECK_INT(explain_add(&x, "handle", "4"), 0);
	CHECK_INT(explain_add(&x, "rule", "meta mark \"x\" drop"), 0);
	n = json_format(lo, &ev, NULL, -1, &x, buf, sizeof(buf));
	CHECK(n > 0 && n < (int)sizeof(buf));
	CHECK_HAS(buf,
		  ",\"explain\":{\"kind\":\"nft-rule\",\"text\":"
		  "\"rule 4: meta mark \\\"x\\\"\\u0009drop\","
		  "\"handle\":\"4\",\"rule\":\"meta mark \\\"x\\\" drop\"}");
	/* No explanation, no object. */
	json_format(lo, &ev, NULL, -1, NULL, buf, sizeof(buf));
	CHECK(!strstr(buf, "explain"));
	line_out_free(lo);
	hooks_free(h);
}
