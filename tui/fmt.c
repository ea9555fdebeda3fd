// SPDX-License-Identifier: GPL-2.0
/* Text the explorer's panes share (fmt.h). */
#include <stdio.h>
#include <string.h>
#include "core/ksyms.h"
#include "core/output_line.h"
#include "core/reasons.h"
#include "core/store.h"
#include "tui/fmt.h"
#include "tui/model.h"

void fmt_delta(char *buf, size_t len, __u64 ns)
{
	if (ns < 1000)
		snprintf(buf, len, "+%lluns", (unsigned long long)ns);
	else if (ns < 1000000)
		snprintf(buf, len, "+%.1fus", ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, len, "+%.2fms", ns / 1e6);
	else
		snprintf(buf, len, "+%.3fs", ns / 1e9);
}

const char *fmt_count(__u64 n, char *buf, size_t len)
{
	if (n < 100000)
		snprintf(buf, len, "%llu", (unsigned long long)n);
	else if (n < 10000000)
		snprintf(buf, len, "%.1fk", n / 1e3);
	else if (n < 10000000000ULL)
		snprintf(buf, len, "%.1fM", n / 1e6);
	else
		snprintf(buf, len, "%.1fG", n / 1e9);
	return buf;
}

void fmt_tuple(const struct hop *h, char *buf, size_t len)
{
	struct skbs_event ev = { 0 };

	ev.flags = h->flags;
	ev.l3_proto = h->l3_proto;
	ev.l4_proto = h->l4_proto;
	ev.sport = h->sport;
	ev.dport = h->dport;
	memcpy(ev.saddr, h->saddr, 16);
	memcpy(ev.daddr, h->daddr, 16);
	line_tuple(&ev, buf, len);
}

void fmt_iface(const struct ui *ui, const struct hop *h, char *buf, size_t len)
{
	const char *n = store_ifname(ui->store, h->netns, h->ifindex);

	if (!h->ifindex)
		snprintf(buf, len, "-");
	else if (n)
		snprintf(buf, len, "%s", n);
	else
		snprintf(buf, len, "if%u", h->ifindex);
}

void fmt_reason(const struct ui *ui, const struct packet *p,
		const struct hop *h, char *buf, size_t len)
{
	const char *r;
	__u32 v = p ? p->drop_reason : h->drop_reason;
	int known = p ? p->reason_known : !!(h->flags & SKBS_EV_REASON);

	if (!known) {
		snprintf(buf, len, "(no reason)");
		return;
	}
	r = reasons_name(ui->reasons, v);
	if (r)
		snprintf(buf, len, "%s", r);
	else
		snprintf(buf, len, "reason %u", v);
}

void fmt_location(const struct ui *ui, __u64 addr, char *buf, size_t len)
{
	if (!addr)
		snprintf(buf, len, "?");
	else if (ui->ksyms)
		ksyms_format(ui->ksyms, addr, buf, len);
	else
		snprintf(buf, len, "0x%llx", (unsigned long long)addr);
}

__u64 fmt_t0(const struct ui *ui)
{
	const struct packet *p = store_packet(ui->store, 0);

	return p ? p->first_ts : 0;
}
