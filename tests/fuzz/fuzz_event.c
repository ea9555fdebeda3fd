// SPDX-License-Identifier: GPL-2.0
/*
 * Raw ring-buffer records as session.c's on_record takes them: decoded by
 * core/event.c, and what passes is printed the ways skbscope prints events
 * (text line, JSON, decoded headers, hex dump), so a record that passes
 * the check yet lies about its tail shows up as a bad read.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "core/reasons.h"
#include "core/event.h"
#include "core/headers.h"
#include "core/hooks.h"
#include "core/ksyms.h"
#include "core/lifetime.h"
#include "core/output_json.h"
#include "core/output_line.h"

static struct hooks *hooks;
static struct reasons *reasons;
static struct ksyms *ksyms;
static struct lifetimes *life;
static struct line_out *lo[2];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct line_opts o = { .meta = 1, .tuple = 1, .caller = 1 };
	struct hook hk;

	(void)argc;
	(void)argv;
	if (hooks_new(&hooks) || reasons_new(&reasons) ||
	    ksyms_new_empty(&ksyms) || lifetimes_new(&life))
		abort();
	memset(&hk, 0, sizeof(hk));
	strcpy(hk.name, "kfree_skb");
	strcpy(hk.group, "skb");
	hooks_add(hooks, &hk);
	memset(&hk, 0, sizeof(hk));
	strcpy(hk.name, "ip_rcv");
	hk.kind = HOOK_FUNCTION;
	hk.skb_pos = 1;
	hooks_add(hooks, &hk);
	reasons_add(reasons, 2, "SKB_DROP_REASON_NOT_SPECIFIED");
	reasons_add(reasons, 3, "SKB_DROP_REASON_NO_SOCKET");
	ksyms_add(ksyms, 0xffffffff81000000ULL, "ip_rcv", "");
	ksyms_add(ksyms, 0xffffffffc0000000ULL, "nft_do_chain", "nf_tables");
	o.ts = TS_RELATIVE;
	if (line_out_new(&o, hooks, reasons, &lo[0]))
		abort();
	o.ts = TS_ABSOLUTE;
	o.realtime_offset_ns = 1700000000000000000LL;
	if (line_out_new(&o, hooks, reasons, &lo[1]))
		abort();
	line_out_set_ksyms(lo[0], ksyms);
	line_out_set_ksyms(lo[1], ksyms);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char lines[32][HDR_LINE], buf[8192];
	static const char *const stack[2] = { "ip_rcv+0x10", "nft_do_chain" };
	const struct skbs_event *raw;
	struct skbs_event ev;
	const char *tail;
	char err[128];
	void *copy;

	/* A copy of exactly the record's size, so ASan sees any read past
	 * its end; 8-aligned, as ring buffer records are. */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (event_decode(copy, size, &raw, &tail, err, sizeof(err))) {
		free(copy);
		return 0;
	}
	if (raw != copy || tail != (const char *)copy + sizeof(*raw))
		abort();
	ev = *raw;
	ev.gen = lifetimes_gen(life, ev.skb, ev.flags & SKBS_EV_FREE);
	event_family(&ev);
	for (int i = 0; i < 2; i++) {
		line_format(lo[i], &ev, buf, sizeof(buf));
		line_comment(lo[i], &ev, buf, sizeof(buf));
		json_format(lo[i], &ev, stack, 2, NULL, buf, sizeof(buf));
	}
	/* Small buffers: the truncation paths. */
	line_format(lo[0], &ev, buf, 7);
	json_format(lo[0], &ev, stack, 2, NULL, buf, 9);
	headers_decode((const __u8 *)tail, ev.hdr_len,
		       !!(ev.flags & SKBS_EV_HDR_L2), lines, 32);
	headers_hexdump((const __u8 *)tail, ev.hdr_len, lines, 32);
	/* The --output-skb text after the header bytes. */
	if (ev.flags & SKBS_EV_SKB_TEXT)
		json_string(tail + ev.hdr_len, ev.tail_len - ev.hdr_len, buf,
			    sizeof(buf));
	free(copy);
	return 0;
}
