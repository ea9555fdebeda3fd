// SPDX-License-Identifier: GPL-2.0
/*
 * The detail overlay (detail.h). A dropped packet's "Why" comes right
 * after the hop's own lines, so it is on screen at 80x24 without a key:
 * the explanation's sentence wrapped to the overlay, then its fields as
 * "key: value" lines, or, when one a line would push the headers and the
 * stack out of a small overlay, several to a line and without those the
 * sentence already quotes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/explain.h"
#include "core/headers.h"
#include "core/ksyms.h"
#include "core/nsnames.h"
#include "core/output_line.h"
#include "core/retval.h"
#include "core/store.h"
#include "tui/cells.h"
#include "tui/detail.h"
#include "tui/fmt.h"
#include "tui/model.h"
#include "tui/tree.h"

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/* Columns between fields that share a line. */
#define FIELD_GAP 3

/*
 * Where the overlay's lines go. With g NULL the lines are only counted,
 * which is how the overlay learns whether everything fits before it draws.
 */
struct out {
	struct grid *g;
	int x, y, w; /* the first line's cell, and the width of every line */
	int rows;    /* lines there is room for */
	int r;       /* lines so far, drawn or not */
};

static void line(struct out *o, int indent, uint16_t attr, const char *text)
{
	if (o->g && o->r < o->rows)
		grid_put(o->g, o->x + indent, o->y + o->r, text, attr,
			 o->w - indent);
	o->r++;
}

static void linef(struct out *o, int indent, uint16_t attr, const char *fmt,
		  ...) __attribute__((format(printf, 4, 5)));

static void linef(struct out *o, int indent, uint16_t attr, const char *fmt,
		  ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	line(o, indent, attr, buf);
}

/* Past one UTF-8 character (a lead byte and its continuations). */
static const char *next_char(const char *s)
{
	s++;
	while (((unsigned char)*s & 0xc0) == 0x80)
		s++;
	return s;
}

/*
 * s as lines of the overlay's width, starting indent columns in, broken
 * after a word where one ends in time and inside a word only when it is
 * longer than a line; lines after the first start hang columns further.
 */
static void wrapped(struct out *o, int indent, int hang, uint16_t attr,
		    const char *s)
{
	int first = 1;

	while (*s == ' ')
		s++;
	while (*s) {
		int room = MAX(o->w - indent - (first ? 0 : hang), 8), cols = 0;
		const char *p = s, *brk = NULL;
		char buf[512];

		while (*p && cols < room) {
			if (*p == ' ')
				brk = p;
			p = next_char(p);
			cols++;
		}
		if (!*p || *p == ' ' || !brk)
			brk = p;
		snprintf(buf, sizeof(buf), "%.*s", (int)(brk - s), s);
		line(o, indent + (first ? 0 : hang), attr, buf);
		for (s = brk; *s == ' '; s++)
			;
		first = 0;
	}
}

/* One field a line, the values lined up after the longest key. */
static void fields_each(struct out *o, const struct explain *e)
{
	int kw = 0;

	for (unsigned i = 0; i < e->nfields; i++)
		kw = MAX(kw, grid_cols(e->f[i].key));
	for (unsigned i = 0; i < e->nfields; i++) {
		char buf[EXPLAIN_KEY + EXPLAIN_VAL + 24];

		snprintf(buf, sizeof(buf), "%s:%*s%s", e->f[i].key,
			 kw + 1 - grid_cols(e->f[i].key), "", e->f[i].val);
		wrapped(o, 2, kw + 2, R_NORMAL, buf);
	}
}

/* Values at least this long that the sentence already quotes (an nft
 * rule's text) are left out when room is short. */
#define QUOTED_MIN 16

/* As many fields a line as fit, in their order; one longer than a line
 * has lines of its own. */
static void fields_packed(struct out *o, const struct explain *e)
{
	int room = o->w - 2, used = 0;
	char buf[512] = "";

	for (unsigned i = 0; i < e->nfields; i++) {
		char item[EXPLAIN_KEY + EXPLAIN_VAL + 8];
		int n;

		if (strlen(e->f[i].val) >= QUOTED_MIN &&
		    strstr(e->text, e->f[i].val))
			continue;

		snprintf(item, sizeof(item), "%s: %s", e->f[i].key,
			 e->f[i].val);
		n = grid_cols(item);
		if (used && used + FIELD_GAP + n <= room) {
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
				 "%*s%s", FIELD_GAP, "", item);
			used += FIELD_GAP + n;
			continue;
		}
		if (used)
			line(o, 2, R_NORMAL, buf);
		used = 0;
		buf[0] = '\0';
		if (n > room) {
			wrapped(o, 2, grid_cols(e->f[i].key) + 2, R_NORMAL,
				item);
			continue;
		}
		snprintf(buf, sizeof(buf), "%s", item);
		used = n;
	}
	if (used)
		line(o, 2, R_NORMAL, buf);
}

static void why_section(struct out *o, const struct explain *e, int packed)
{
	uint16_t a = e->kind == EXPLAIN_PENDING     ? R_WARN :
		     e->kind == EXPLAIN_UNAVAILABLE ? R_DIM :
						      (R_DROP | AT_BOLD);

	linef(o, 0, R_HEADER | AT_BOLD, "Why (%s)", fmt_why_kind(e));
	wrapped(o, 2, 0, a, e->text);
	if (packed)
		fields_packed(o, e);
	else
		fields_each(o, e);
}

static void headers_section(struct out *o, const struct hop *hp)
{
	line(o, 0, R_HEADER | AT_BOLD, "Headers");
	if (hp->hdr_len) {
		char hl[12][HDR_LINE];
		int n = headers_decode(hp->hdr, hp->hdr_len,
				       !!(hp->flags & SKBS_EV_HDR_L2), hl, 12);

		for (int k = 0; k < n; k++)
			line(o, 0, R_NORMAL, hl[k]);
		n = headers_hexdump(hp->hdr, hp->hdr_len, hl, 12);
		for (int k = 0; k < n; k++)
			line(o, 0, R_DIM, hl[k]);
	} else if ((hp->flags & SKBS_EV_TUPLE) && hp->l3_proto == 0x0806) {
		char tup[128];

		fmt_tuple(hp, tup, sizeof(tup));
		linef(o, 0, R_NORMAL, "L3  ARP (ethertype 0x0806)  %s", tup);
		line(o, 0, R_NORMAL, "(no header bytes captured: --snaplen)");
	} else if (hp->flags & SKBS_EV_TUPLE) {
		char pn[8], tup[128];

		fmt_tuple(hp, tup, sizeof(tup));
		linef(o, 0, R_NORMAL, "L3  %s (ethertype 0x%04x)",
		      hp->l3_proto == 0x86DD ? "IPv6" : "IPv4", hp->l3_proto);
		linef(o, 0, R_NORMAL, "L4  %s  %s",
		      line_proto_name(hp->l4_proto, pn, sizeof(pn)), tup);
		line(o, 0, R_NORMAL, "(no header bytes captured: --snaplen)");
	} else {
		const char *name = headers_ethertype(hp->l3_proto);

		linef(o, 0, R_NORMAL, "L3  ethertype 0x%04x%s%s (not decoded)",
		      hp->l3_proto, name ? " " : "", name ? name : "");
	}
}

/* --output-skb-metadata: one line a field, named as the list names it. */
static void meta_section(struct out *o, const struct ui *ui,
			 const struct hop *hp)
{
	const char *p = ui->current.meta_text;

	line(o, 0, R_HEADER | AT_BOLD, "Metadata");
	for (unsigned int i = 0; i < hp->nmeta; i++) {
		size_t l;
		__u64 v = store_hop_meta(hp, i);

		p += strspn(p, " \t");
		l = strcspn(p, ",");
		while (l && (p[l - 1] == ' ' || p[l - 1] == '\t'))
			l--;
		if (l)
			linef(o, 2, R_NORMAL, "%.*s = 0x%llx (%llu)", (int)l, p,
			      (unsigned long long)v, (unsigned long long)v);
		else
			linef(o, 2, R_NORMAL, "meta%u = 0x%llx (%llu)", i,
			      (unsigned long long)v, (unsigned long long)v);
		p += strcspn(p, ",");
		if (*p)
			p++;
	}
}

static void stack_section(struct out *o, const struct ui *ui,
			  const struct hop *hp)
{
	char loc[160];

	line(o, 0, R_HEADER | AT_BOLD, "Stack");
	if (hp->stack_id >= 0 && ui->stack) {
		__u64 ips[SKBS_STACK_DEPTH];
		int n = ui->stack(ui->stack_ctx, hp->stack_id, ips,
				  SKBS_STACK_DEPTH);

		for (int k = ksyms_first_kernel_frame(ui->ksyms, ips, n); k < n;
		     k++) {
			fmt_location(ui, ips[k], loc, sizeof(loc));
			linef(o, 0, R_NORMAL, "  %s", loc);
		}
	} else {
		line(o, 0, R_NORMAL, "  (no stack: start with --output-stack)");
	}
}

static void detail_lines(const struct ui *ui, const struct packet *p,
			 const struct hop *hp, const struct explain *why,
			 int packed, struct out *o)
{
	char name[160], loc[160], ifn[24], ns[64];

	ui_hook_name(ui, hp->hook, name, sizeof(name));
	fmt_iface(ui, hp, ifn, sizeof(ifn));
	linef(o, 0, R_NORMAL, "hook      %s", name);
	linef(o, 0, R_NORMAL, "skb       0x%llx  generation %u",
	      (unsigned long long)p->skb, p->gen);
	linef(o, 0, R_NORMAL, "time      %.9f s   cpu %u",
	      (hp->ts - fmt_t0(ui)) / 1e9, hp->cpu);
	fmt_netns(ui, hp->netns, ns, sizeof(ns));
	if (strcmp(ns, "") && (unsigned)strtoul(ns, NULL, 10) != hp->netns)
		linef(o, 0, R_NORMAL,
		      "netns     %u (%s)   iface %s (ifindex %u)", hp->netns,
		      ns, ifn, hp->ifindex);
	else
		linef(o, 0, R_NORMAL, "netns     %u   iface %s (ifindex %u)",
		      hp->netns, ifn, hp->ifindex);
	if (hp->cgroup) {
		const char *cg = ui->names ?
					 nsnames_cgroup(ui->names, hp->cgroup) :
					 NULL;

		linef(o, 0, R_NORMAL, "cgroup    %s (id %llu)", cg ? cg : "?",
		      (unsigned long long)hp->cgroup);
	}
	linef(o, 0, R_NORMAL, "mark      0x%x   len %u", hp->mark, hp->len);
	if (hp->caller) {
		fmt_location(ui, hp->caller, loc, sizeof(loc));
		linef(o, 0, R_NORMAL, "caller    %s", loc);
	}
	if (hp->has_ret) {
		/* The call's value, its time, and the time in itself
		 * (outside the traced calls within it). */
		__u8 depth[p->nhops];
		char val[64], dur[32], self[32];
		__u32 i = (__u32)(hp - p->hops);

		tree_depths(p, depth);
		retval_format((enum ret_kind)hp->ret_kind, hp->ret, val,
			      sizeof(val));
		retval_duration(hp->dur, dur, sizeof(dur));
		retval_duration(tree_self(p, depth, i), self, sizeof(self));
		linef(o, 0,
		      retval_failed((enum ret_kind)hp->ret_kind, hp->ret) ?
			      (R_DROP | AT_BOLD) :
			      R_NORMAL,
		      "returned  %s%sin %s (%s in itself)", val[0] ? val : "",
		      val[0] ? " " : "", dur, self);
	}
	if (hp->flags & SKBS_EV_DROP) {
		char rs[64];

		fmt_reason(ui, NULL, hp, rs, sizeof(rs));
		fmt_location(ui, hp->location, loc, sizeof(loc));
		linef(o, 0, R_DROP | AT_BOLD, "DROPPED   %s at %s", rs, loc);
	}
	if (why) {
		o->r++;
		why_section(o, why, packed);
	}
	if (hp->nmeta) {
		o->r++;
		meta_section(o, ui, hp);
	}
	o->r++;
	headers_section(o, hp);
	o->r++;
	stack_section(o, ui, hp);
}

void detail_draw(const struct ui *ui, struct grid *g)
{
	struct packet buf;
	const struct packet *p = ui_selected(ui, &buf);
	int w = g->w - 6, h = g->h - 4, x = 3, y = 2, packed = 0;
	const struct explain *why;
	const struct hop *hp;
	struct out o = { .x = x + 2, .y = y + 1, .w = w - 4, .rows = h - 2 };
	char title[96];

	if (!p || !p->nhops)
		return;
	hp = &p->hops[MIN(MAX(ui->sel_hop, 0), (int)p->nhops - 1)];
	/* Paused before its drop came, it is not dropped here yet. */
	why = p->state == PKT_DROPPED ? store_explain(ui->store, p) : NULL;
	for (int k = 0; k < h; k++)
		grid_fill(g, x, y + k, w, L' ', R_NORMAL);
	snprintf(title, sizeof(title),
		 "Detail: hop %d of %u (Esc closes, [ ] step)", ui->sel_hop + 1,
		 p->nhops);
	grid_box(g, x, y, w, h, title, R_TITLE);
	if (why) {
		/* Counted first: fields one a line only when all fits. */
		detail_lines(ui, p, hp, why, 0, &o);
		packed = o.r > o.rows;
		o.r = 0;
	}
	o.g = g;
	detail_lines(ui, p, hp, why, packed, &o);
}
