// SPDX-License-Identifier: GPL-2.0
/* Export writes through the same formatters as a live run, so a timeline
 * saved from the explorer reads like skbscope's own output. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core/export.h"
#include "core/ksyms.h"
#include "core/outfile.h"
#include "core/output_json.h"
#include "core/output_line.h"
#include "core/output_pcap.h"

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcasecmp(s + a - b, suffix);
}

static enum export_fmt export_format(const char *path)
{
	if (ends_with(path, ".json") || ends_with(path, ".jsonl"))
		return EXPORT_JSON;
	if (ends_with(path, ".pcapng") || ends_with(path, ".pcap"))
		return EXPORT_PCAPNG;
	return EXPORT_TEXT;
}

/* A stored hop back into the event it came from. What the store does not
 * keep (process, device name, MTU) stays empty. */
static void hop_event(const struct packet *p, const struct hop *h,
		      struct skbs_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->rec_type = SKBS_REC_EVENT;
	ev->skb = p->skb;
	ev->gen = p->gen;
	ev->ts = h->ts;
	ev->location = h->location;
	ev->caller = h->caller;
	ev->hook = h->hook;
	ev->netns = h->netns;
	ev->mark = h->mark;
	ev->ifindex = h->ifindex;
	ev->len = h->len;
	ev->drop_reason = h->drop_reason;
	ev->stack_id = h->stack_id;
	ev->cpu = h->cpu;
	ev->l3_proto = h->l3_proto;
	ev->sport = h->sport;
	ev->dport = h->dport;
	ev->l4_proto = h->l4_proto;
	ev->flags = h->flags;
	memcpy(ev->saddr, h->saddr, sizeof(ev->saddr));
	memcpy(ev->daddr, h->daddr, sizeof(ev->daddr));
	ev->hdr_len = h->hdr ? h->hdr_len : 0;
	/* h->hdr holds them after the header bytes, as an event's tail. */
	ev->nmeta = h->hdr ? h->nmeta : 0;
}

static int stack_syms(const struct export_ctx *c, const struct line_out *lo,
		      __s32 id, char (*syms)[LINE_SYM_MAX], int max)
{
	__u64 ips[SKBS_STACK_DEPTH];
	int n;

	if (!c->stack || id < 0)
		return 0;
	n = c->stack(c->stack_ctx, id, ips, SKBS_STACK_DEPTH);
	return n > 0 ? line_stack(lo, ips, n, syms, max) : 0;
}

long export_packets(const char *path, const struct packet *const *pkts,
		    size_t n, const struct export_ctx *c, char *err,
		    size_t errlen)
{
	enum export_fmt fmt = export_format(path);
	struct line_opts lopt = { .meta = 1, .tuple = 1, .caller = 1 };
	struct line_out *lo = NULL;
	struct pcapng *pc = NULL;
	char syms[SKBS_STACK_DEPTH][LINE_SYM_MAX];
	const char *frames[SKBS_STACK_DEPTH];
	char line[2048], meta[1024];
	FILE *f = NULL;
	long hops = 0;
	int ret;

	if (!*path) {
		snprintf(err, errlen, "export: no file name");
		return -EINVAL;
	}
	lopt.meta_names = c->meta_names;
	ret = line_out_new(&lopt, c->hooks, c->reasons, &lo);
	if (ret) {
		snprintf(err, errlen, "export: out of memory");
		return ret;
	}
	line_out_set_ksyms(lo, c->ksyms);
	if (fmt == EXPORT_PCAPNG)
		ret = pcapng_open(path, c->realtime_offset_ns, &pc, err,
				  errlen);
	else
		ret = outfile_fopen(path, &f, err, errlen);
	if (ret)
		goto out;
	if (fmt == EXPORT_TEXT) {
		line_header(lo, line, sizeof(line));
		fprintf(f, "%s\n", line);
	}
	for (size_t i = 0; i < n && !ret; i++) {
		const struct packet *p = pkts[i];

		for (__u32 j = 0; j < p->nhops && !ret; j++) {
			const struct hop *h = &p->hops[j];
			struct skbs_event ev;
			int ns;

			hop_event(p, h, &ev);
			if (fmt == EXPORT_PCAPNG) {
				char cm[512];

				line_comment(lo, &ev, cm, sizeof(cm));
				ret = pcapng_write(pc, &ev, h->hdr, cm);
				continue;
			}
			ns = stack_syms(c, lo, h->stack_id, syms,
					SKBS_STACK_DEPTH);
			if (fmt == EXPORT_JSON) {
				for (int k = 0; k < ns; k++)
					frames[k] = syms[k];
				size_t l;

				json_format(lo, &ev, frames,
					    h->stack_id >= 0 ? ns : -1, NULL,
					    line, sizeof(line));
				l = strlen(line);
				if (ev.nmeta && l && line[l - 1] == '}') {
					line[l - 1] = '\0';
					json_meta(lo, &ev, (const char *)h->hdr,
						  meta, sizeof(meta));
					fprintf(f, "%s,%s}\n", line, meta);
				} else {
					fprintf(f, "%s\n", line);
				}
			} else {
				line_format(lo, &ev, line, sizeof(line));
				line_meta(lo, &ev, (const char *)h->hdr, meta,
					  sizeof(meta));
				fprintf(f, "%s%s%s\n", line, meta[0] ? " " : "",
					meta);
				for (int k = 0; k < ns; k++)
					fprintf(f, "    %s\n", syms[k]);
			}
			hops++;
		}
	}
	if (ret)
		snprintf(err, errlen, "export to '%s' failed: %s", path,
			 strerror(-ret));
out:
	if (pc) {
		int r;

		/* Hops without captured bytes have no packet to show. */
		hops = (long)pcapng_written(pc);
		r = pcapng_close(pc);
		if (!ret && r) {
			ret = r;
			snprintf(err, errlen, "export to '%s' failed: %s", path,
				 strerror(-r));
		}
	}
	if (f) {
		if ((fflush(f) == EOF || ferror(f)) && !ret) {
			ret = -(errno ? errno : EIO);
			snprintf(err, errlen, "export to '%s' failed: %s", path,
				 strerror(-ret));
		}
		fclose(f);
	}
	line_out_free(lo);
	return ret ? ret : hops;
}
