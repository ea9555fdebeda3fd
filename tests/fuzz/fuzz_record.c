// SPDX-License-Identifier: GPL-2.0
/*
 * Recordings (--replay) are files from elsewhere: the input is the whole
 * file, read through core/record_read.c and core/replay.c as the explorer
 * reads it, every event printed with the tables the file itself brought.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "core/reasons.h"
#include "core/hooks.h"
#include "core/ksyms.h"
#include "core/output_line.h"
#include "core/record.h"
#include "core/replay.h"

struct ctx {
	struct line_out *lo;
	const struct rec_reader *r;
	char buf[2048];
};

static int on_event(void *arg, const struct skbs_event *ev, const char *tail)
{
	struct ctx *c = arg;
	volatile char sink = 0;

	/* What the reader promises about what it hands on. */
	if (ev->hook != SKBS_HOOK_BY_IP &&
	    ev->hook >= hooks_count(rec_hooks(c->r)))
		abort();
	if (ev->tail_len > SKBS_TAIL_LIMIT || ev->hdr_len > ev->tail_len)
		abort();
	/* Touch every tail byte, so ASan checks they are in the buffer. */
	for (unsigned i = 0; i < ev->tail_len; i++)
		sink ^= tail[i];
	(void)sink;
	line_format(c->lo, ev, c->buf, sizeof(c->buf));
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ctx c;
	struct line_opts o = {
		.meta = 1, .tuple = 1, .caller = 1, .ts = TS_RELATIVE
	};
	__u64 counters[SKBS_C_MAX], ips[SKBS_STACK_DEPTH];
	struct rec_reader *r = NULL;
	struct replay *rp = NULL;
	char path[64], err[512];
	int fd, n;

	fd = memfd_create("skbscope-fuzz", MFD_CLOEXEC);
	if (fd < 0)
		abort();
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (rec_open(path, &r, err, sizeof(err))) {
		if (!err[0])
			abort();
		goto out;
	}
	rec_meta(r);
	if (replay_new(r, path, &rp) ||
	    line_out_new(&o, rec_hooks(r), rec_reasons(r), &c.lo))
		abort();
	line_out_set_ksyms(c.lo, rec_ksyms(r));
	c.r = r;
	do {
		n = replay_poll(rp, 16, on_event, &c);
		replay_status(rp);
	} while (n > 0);
	replay_counters(rp, counters);
	for (int id = -1; id < 4; id++) {
		int k = replay_stack(rp, id, ips, SKBS_STACK_DEPTH);

		if (k > SKBS_STACK_DEPTH)
			abort();
		for (int i = 0; i < k; i++)
			line_sym(c.lo, ips[i], c.buf, sizeof(c.buf));
	}
	line_out_free(c.lo);
	c.lo = NULL;
	replay_free(rp);
	rec_close_reader(r);
out:
	close(fd);
	return 0;
}
