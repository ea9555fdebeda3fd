// SPDX-License-Identifier: GPL-2.0
/* core/record: a recording read back field by field, then cut, bit-flipped
 * and forged, where the reader must fail cleanly and say where. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/reasons.h"
#include "core/trace/btf.h"
#include "core/hooks.h"
#include "core/ksyms.h"
#include "core/explain.h"
#include "core/record.h"
#include "core/record_format.h"
#include "core/retval.h"
#include "test.h"

#define NEV 5
#define K 0xffffffff00000000ULL

static struct skbs_event evs[NEV];
static char tails[NEV][SKBS_TAIL_MAX];
static __u64 stacks[NEV][SKBS_STACK_DEPTH];
static int nstacks[NEV];
static const __u64 counters[SKBS_C_MAX] = { 1000, 900, 7, 3 };

static const struct rec_meta meta = {
	.host = "build-host",
	.kernel = "6.8.0-45-generic",
	.backend = "ringbuf",
	.start_realtime_ns = 1700000000123456789LL,
	.realtime_offset_ns = 1699990000000000000LL,
};

static int tmpname(char *path)
{
	int fd;

	strcpy(path, "/tmp/skbs-rec-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int put_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CREAT, 0600);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = len ? write(fd, data, len) : 0;
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

static unsigned char *get_file(const char *path, size_t *len)
{
	struct stat st;
	unsigned char *buf;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st)) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf && read(fd, buf, (size_t)st.st_size) != st.st_size) {
		free(buf);
		buf = NULL;
	}
	close(fd);
	*len = (size_t)st.st_size;
	return buf;
}

static struct hooks *make_hooks(void)
{
	struct hooks *h;
	struct hook hk;

	if (hooks_new(&h))
		return NULL;
	memset(&hk, 0, sizeof(hk));
	strcpy(hk.name, "kfree_skb");
	strcpy(hk.group, "skb");
	hk.skb_pos = 0;
	hk.nargs = 3;
	hk.attached = 1;
	hooks_add(h, &hk);
	memset(&hk, 0, sizeof(hk));
	strcpy(hk.name, "netif_receive_skb");
	strcpy(hk.group, "net");
	hk.attached = -95;
	strcpy(hk.why, "not supported");
	hooks_add(h, &hk);
	memset(&hk, 0, sizeof(hk));
	strcpy(hk.name, "nft_do_chain");
	strcpy(hk.module, "nf_tables");
	hk.kind = HOOK_FUNCTION;
	hk.skb_pos = 2;
	hk.nargs = 3;
	hk.btf_id = 4242; /* not recorded: meaningless elsewhere */
	hk.attached = 1;
	hooks_add(h, &hk);
	return h;
}

static struct reasons *make_reasons(void)
{
	struct reasons *r;

	if (reasons_new(&r))
		return NULL;
	/* Out of order on purpose; reasons_add sorts. */
	reasons_add(r, 0x10001, "SKB_DROP_REASON_MAC80211_RX_DROP");
	reasons_add(r, 12, "SKB_DROP_REASON_NETFILTER_DROP");
	reasons_add(r, 2, "SKB_DROP_REASON_NOT_SPECIFIED");
	reasons_add(r, 0, "SKB_NOT_DROPPED_YET");
	reasons_add(r, 0, "SKB_DROP_REASON_SUBSYS_CORE");
	return r;
}

static struct ksyms *make_ksyms(void)
{
	struct ksyms *ks;

	if (ksyms_new_empty(&ks))
		return NULL;
	ksyms_add(ks, K | 0x81b00000, "nf_hook_slow", NULL);
	ksyms_add(ks, K | 0x81a10000, "kfree_skb_reason", "");
	ksyms_add(ks, K | 0x81c00000, "ip_rcv", NULL);
	ksyms_add(ks, K | 0xc0b00000, "nft_do_chain", "nf_tables");
	ksyms_add(ks, K | 0xc0000100, "bpf_prog_abc_kfree", "bpf");
	ksyms_add(ks, K | 0x81900000, "never_referenced", NULL);
	return ks;
}

/* Five events covering drops, functions, full stacks and tails. */
static void make_events(void)
{
	struct skbs_event *e;
	int i;

	memset(evs, 0, sizeof(evs));
	for (i = 0; i < NEV; i++) {
		e = &evs[i];
		e->rec_type = SKBS_REC_EVENT;
		e->skb = K | (0x88810000 + (__u64)i * 0x100);
		e->ts = 5000000000ULL + (__u64)i * 1000;
		e->cpu = (__u32)i;
		e->pid = 100 + (__u32)i;
		e->stack_id = -1;
		snprintf(e->comm, sizeof(e->comm), "proc%d", i);
		strcpy(e->ifname, "eth0");
		e->ifindex = 2;
		e->len = 60 + (__u32)i;
		e->gen = (__u32)i + 1;
	}
	/* A drop with a location, a reason, a stack and header bytes. */
	e = &evs[0];
	e->hook = 0;
	e->flags = SKBS_EV_DROP | SKBS_EV_FREE | SKBS_EV_REASON | SKBS_EV_TUPLE;
	e->location = K | 0x81b00044;
	e->drop_reason = 12;
	e->l3_proto = 0x0800;
	e->l4_proto = 6;
	e->sport = 443;
	e->dport = 51000;
	memcpy(e->saddr, "\x0a\x00\x00\x01", 4);
	memcpy(e->daddr, "\x0a\x00\x00\x02", 4);
	e->stack_id = 7;
	e->hdr_len = 20;
	e->tail_len = 20 + 11;
	memcpy(tails[0],
	       "\x45\x00\x00\x3c\x00\x00\x40\x00\x40\x06"
	       "\x00\x00\x0a\x00\x00\x01\x0a\x00\x00\x02"
	       "(struct sk)",
	       31);
	stacks[0][0] = K | 0xc0000180; /* bpf program */
	stacks[0][1] = K | 0x81a10010; /* kfree_skb_reason+0x10 */
	stacks[0][2] = K | 0x81b00044; /* nf_hook_slow+0x44 */
	stacks[0][3] = K | 0x81c00005; /* ip_rcv+0x5 */
	stacks[0][4] = 0x1234;         /* no symbol: stays raw */
	nstacks[0] = 5;
	/* A function hook with ip and caller, no stack, no tail. */
	e = &evs[1];
	e->hook = 2;
	e->ip = K | 0xc0b00000;
	e->caller = K | 0x81c00099;
	nstacks[1] = 0;
	/* Hook named by ip, the deepest stack and the longest tail. */
	e = &evs[2];
	e->hook = SKBS_HOOK_BY_IP;
	e->ip = K | 0xc0b00010;
	e->stack_id = 9;
	e->flags = SKBS_EV_HDR_L2 | SKBS_EV_SKB_TEXT;
	e->hdr_len = SKBS_SNAP_MAX;
	e->tail_len = SKBS_TAIL_MAX;
	for (i = 0; i < SKBS_TAIL_MAX; i++)
		tails[2][i] = (char)(i * 7);
	for (i = 0; i < SKBS_STACK_DEPTH; i++)
		stacks[2][i] = K | (0x81b00000 + (__u64)i * 0x10);
	nstacks[2] = SKBS_STACK_DEPTH;
	/* IPv6, a tracepoint that failed to attach (still a valid id). */
	e = &evs[3];
	e->hook = 1;
	e->flags = SKBS_EV_TUPLE;
	e->l3_proto = 0x86DD;
	e->l4_proto = 17;
	memcpy(e->saddr, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	memcpy(e->daddr, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x02", 16);
	e->tail_len = 3;
	memcpy(tails[3], "abc", 3);
	/* The same drop site again: no new symbols. */
	e = &evs[4];
	e->hook = 0;
	e->flags = SKBS_EV_DROP | SKBS_EV_FREE;
	e->location = K | 0x81b00048;
	stacks[4][0] = K | 0x81b00044;
	nstacks[4] = 1;
}

/* Write the whole test recording to path; 0 or the failing step. */
static int make_recording(const char *path, off_t *before_end)
{
	struct hooks *h = make_hooks();
	struct reasons *r = make_reasons();
	struct ksyms *ks = make_ksyms();
	struct rec_writer *w;
	char err[256];
	struct stat st;
	int ret = 1;

	make_events();
	if (!h || !r || !ks)
		goto out;
	if (rec_create(path, &meta, &w, err, sizeof(err)))
		goto out;
	if (rec_write_hooks(w, h, (size_t)-1) || rec_write_reasons(w, r))
		ret = 2;
	for (int i = 0; i < NEV && ret == 1; i++)
		if (rec_write_event(w, &evs[i], tails[i], stacks[i], nstacks[i],
				    ks))
			ret = 3;
	if (rec_flush(w) || stat(path, &st))
		ret = 4;
	if (before_end)
		*before_end = st.st_size;
	if (rec_close(w, counters))
		ret = 5;
	if (ret == 1)
		ret = 0;
out:
	hooks_free(h);
	reasons_free(r);
	ksyms_free(ks);
	return ret;
}

/* Open and read path to its end: 0, or the first -errno (err set). */
static int read_all(const char *path, int *nev, char *err, size_t errlen)
{
	const struct skbs_event *ev;
	struct rec_reader *r;
	const __u64 *stack;
	const char *tail;
	int ret, n, guard = 0;

	*nev = 0;
	err[0] = '\0';
	ret = rec_open(path, &r, err, errlen);
	if (ret)
		return ret;
	while ((ret = rec_next(r, &ev, &tail, &stack, &n, err, errlen)) == 1) {
		/* Touch everything handed out, for the sanitizers. */
		volatile char sink = 0;

		for (int i = 0; i < ev->tail_len; i++)
			sink ^= tail[i];
		for (int i = 0; i < n; i++)
			sink ^= (char)stack[i];
		(void)sink;
		if (hooks_get(rec_hooks(r), ev->hook) == NULL &&
		    ev->hook != SKBS_HOOK_BY_IP) {
			ret = -999;
			break;
		}
		if (++guard > 1000) {
			ret = -998;
			break;
		}
	}
	*nev = guard;
	if (!ret && !rec_end_counters(r))
		ret = -997;
	rec_close_reader(r);
	return ret;
}

TEST(record_tables)
{
	struct ksyms *ks, *loaded;
	struct reasons *r;
	const char *mod, *name;
	__u32 value;
	__u64 off;
	char buf[128];

	CHECK_INT(ksyms_new_empty(&ks), 0);
	CHECK(ksyms_lookup(ks, K | 0x81000000, &off, &mod) == NULL);
	CHECK_INT(ksyms_add(ks, K | 0x81c00000, "c", NULL), 0);
	CHECK_INT(ksyms_add(ks, K | 0x81a00000, "a", ""), 0);
	CHECK_INT(ksyms_add(ks, K | 0xc0b00000, "m", "nf_tables"), 0);
	CHECK_INT(ksyms_add(ks, K | 0x81b00000, "b", NULL), 0);
	CHECK_INT(ksyms_add(ks, K | 0x81b00000, "b2", NULL), -EEXIST);
	CHECK_INT(ksyms_add(ks, 0, "zero", NULL), -EINVAL);
	CHECK_INT(ksyms_count(ks), 4);
	CHECK_STR(ksyms_lookup(ks, K | 0x81b00010, &off, &mod), "b");
	CHECK_INT(off, 0x10);
	CHECK(mod == NULL);
	CHECK_STR(ksyms_lookup(ks, K | 0x81a00000, &off, &mod), "a");
	CHECK(mod == NULL);
	ksyms_format(ks, K | 0xc0b004a8, buf, sizeof(buf));
	CHECK_STR(buf, "m+0x4a8 [nf_tables]");
	CHECK(ksyms_lookup(ks, K | 0x80000000, &off, &mod) == NULL);
	CHECK_INT(ksyms_addr(ks, "c"), K | 0x81c00000);
	/* Many names: the arena grows and older names stay right. */
	for (int i = 0; i < 2000; i++) {
		snprintf(buf, sizeof(buf), "fn_%d_with_a_longish_name", i);
		CHECK_INT(ksyms_add(ks, K | (0x90000000 + i * 0x100ULL), buf,
				    i % 2 ? "mod" : NULL),
			  0);
	}
	CHECK_STR(ksyms_lookup(ks, K | 0x81c00001, &off, &mod), "c");
	ksyms_format(ks, K | (0x90000000 + 1999 * 0x100ULL + 4), buf,
		     sizeof(buf));
	CHECK_STR(buf, "fn_1999_with_a_longish_name+0x4 [mod]");
	ksyms_free(ks);
	/* Loaded tables are not for adding to. */
	CHECK_INT(ksyms_load(test_fixture("kallsyms.txt"), &loaded), 0);
	CHECK_INT(ksyms_add(loaded, K | 0x81000010, "x", NULL), -EINVAL);
	ksyms_free(loaded);

	r = make_reasons();
	CHECK(r != NULL);
	CHECK_INT(reasons_count(r), 5);
	CHECK_STR(reasons_name(r, 12), "NETFILTER_DROP");
	CHECK_STR(reasons_name(r, 0x10001), "MAC80211_RX_DROP");
	/* The first name given for a shared value wins. */
	CHECK_STR(reasons_name(r, 0), "NOT_DROPPED_YET");
	CHECK(reasons_name(r, 3) == NULL);
	CHECK_INT(reasons_value(r, "NETFILTER_DROP"), 12);
	CHECK_INT(reasons_at(r, 0, &value, &name), 0);
	CHECK_INT(value, 0);
	CHECK_STR(name, "SKB_NOT_DROPPED_YET");
	CHECK_INT(reasons_at(r, 4, &value, &name), 0);
	CHECK_INT(value, 0x10001);
	CHECK_INT(reasons_at(r, 5, &value, &name), -ENOENT);
	for (int i = 0; i < 300; i++)
		CHECK_INT(reasons_add(r, (__u32)(1000 - i), "SKB_X"), 0);
	CHECK_STR(reasons_name(r, 12), "NETFILTER_DROP");
	CHECK_STR(reasons_name(r, 701), "X");
	reasons_free(r);
}

TEST(record_roundtrip)
{
	struct ksyms *ks = make_ksyms();
	const struct skbs_event *ev;
	const struct rec_meta *m;
	const struct hook *hk;
	struct rec_reader *r;
	const __u64 *stack, *c;
	const char *tail;
	char path[32], err[256], a[160], b[160];
	int n;

	CHECK(ks != NULL);
	CHECK_INT(tmpname(path), 0);
	CHECK_INT(make_recording(path, NULL), 0);
	CHECK_INT(rec_open(path, &r, err, sizeof(err)), 0);
	m = rec_meta(r);
	CHECK_STR(m->host, meta.host);
	CHECK_STR(m->kernel, meta.kernel);
	CHECK_STR(m->backend, meta.backend);
	CHECK_INT(m->start_realtime_ns, meta.start_realtime_ns);
	CHECK_INT(m->realtime_offset_ns, meta.realtime_offset_ns);
	CHECK(rec_end_counters(r) == NULL);
	for (int i = 0; i < NEV; i++) {
		CHECK_INT(rec_next(r, &ev, &tail, &stack, &n, err, sizeof(err)),
			  1);
		CHECK(!memcmp(ev, &evs[i], sizeof(*ev)));
		CHECK(!memcmp(tail, tails[i], evs[i].tail_len));
		CHECK_INT(n, nstacks[i]);
		CHECK(((unsigned long)stack & 7) == 0);
		CHECK(((unsigned long)ev & 7) == 0);
		for (int j = 0; j < n; j++) {
			CHECK_INT(stack[j], stacks[i][j]);
			/* Symbolized just as live. */
			ksyms_format(ks, stack[j], a, sizeof(a));
			ksyms_format(rec_ksyms(r), stack[j], b, sizeof(b));
			CHECK_STR(b, a);
		}
		ksyms_format(ks, ev->location, a, sizeof(a));
		ksyms_format(rec_ksyms(r), ev->location, b, sizeof(b));
		CHECK_STR(b, a);
		ksyms_format(ks, ev->ip, a, sizeof(a));
		ksyms_format(rec_ksyms(r), ev->ip, b, sizeof(b));
		CHECK_STR(b, a);
		ksyms_format(ks, ev->caller, a, sizeof(a));
		ksyms_format(rec_ksyms(r), ev->caller, b, sizeof(b));
		CHECK_STR(b, a);
	}
	ksyms_format(rec_ksyms(r), K | 0x81b00044, b, sizeof(b));
	CHECK_STR(b, "nf_hook_slow+0x44");
	ksyms_format(rec_ksyms(r), K | 0xc0b00010, b, sizeof(b));
	CHECK_STR(b, "nft_do_chain+0x10 [nf_tables]");
	ksyms_format(rec_ksyms(r), 0x1234, b, sizeof(b));
	CHECK_STR(b, "0x1234");
	/* Only what the events refer to, each once. */
	CHECK_INT(ksyms_count(rec_ksyms(r)), 5);
	CHECK_INT(ksyms_addr(rec_ksyms(r), "never_referenced"), 0);

	CHECK_INT(hooks_count(rec_hooks(r)), 3);
	hk = hooks_get(rec_hooks(r), 0);
	CHECK_STR(hk->name, "kfree_skb");
	CHECK_STR(hk->group, "skb");
	CHECK_INT(hk->kind, HOOK_TRACEPOINT);
	CHECK_INT(hk->nargs, 3);
	CHECK_INT(hk->attached, 1);
	hk = hooks_get(rec_hooks(r), 1);
	CHECK_STR(hk->name, "netif_receive_skb");
	CHECK_INT(hk->attached, -95);
	CHECK_STR(hk->why, "not supported");
	hk = hooks_get(rec_hooks(r), 2);
	CHECK_STR(hk->name, "nft_do_chain");
	CHECK_STR(hk->module, "nf_tables");
	CHECK_STR(hk->group, "");
	CHECK_INT(hk->kind, HOOK_FUNCTION);
	CHECK_INT(hk->skb_pos, 2);
	CHECK_INT(hk->btf_id, 0);

	CHECK_INT(reasons_count(rec_reasons(r)), 5);
	CHECK_STR(reasons_name(rec_reasons(r), 12), "NETFILTER_DROP");
	CHECK_STR(reasons_name(rec_reasons(r), 0), "NOT_DROPPED_YET");
	CHECK_STR(reasons_name(rec_reasons(r), 0x10001), "MAC80211_RX_DROP");
	CHECK_INT(reasons_value(rec_reasons(r),
				"SKB_DROP_REASON_NOT_SPECIFIED"),
		  2);

	CHECK_INT(rec_next(r, &ev, &tail, &stack, &n, err, sizeof(err)), 0);
	CHECK_INT(rec_next(r, &ev, &tail, &stack, &n, err, sizeof(err)), 0);
	c = rec_end_counters(r);
	CHECK(c != NULL);
	for (int i = 0; i < SKBS_C_MAX; i++)
		CHECK_INT(c[i], counters[i]);
	rec_close_reader(r);
	ksyms_free(ks);
	unlink(path);
}

TEST(record_writer_checks)
{
	struct hooks *h = make_hooks();
	struct reasons *rs = make_reasons();
	struct rec_writer *w;
	struct skbs_event e;
	struct hook hk;
	char path[32], link[40], err[256];
	int n;

	CHECK(h && rs);
	make_events();
	CHECK_INT(tmpname(path), 0);
	CHECK_INT(rec_create(path, &meta, &w, err, sizeof(err)), 0);
	/* Hooks not written yet are refused, nothing is written. */
	CHECK_INT(rec_write_event(w, &evs[0], tails[0], stacks[0], 1, NULL),
		  -EINVAL);
	CHECK_INT(rec_write_hooks(w, h, (size_t)-1), 0);
	CHECK_INT(rec_write_reasons(w, rs), 0);
	CHECK_INT(rec_write_reasons(w, rs), -EALREADY);
	CHECK_INT(rec_write_event(w, &evs[0], tails[0], stacks[0], 1, NULL), 0);
	CHECK_INT(rec_write_event(w, &evs[0], tails[0], stacks[0],
				  SKBS_STACK_DEPTH + 1, NULL),
		  -EINVAL);
	CHECK_INT(rec_write_event(w, &evs[0], tails[0], NULL, 1, NULL),
		  -EINVAL);
	e = evs[0];
	e.hook = 3;
	CHECK_INT(rec_write_event(w, &e, tails[0], NULL, 0, NULL), -EINVAL);
	e = evs[0];
	e.tail_len = SKBS_TAIL_LIMIT + 1;
	CHECK_INT(rec_write_event(w, &e, tails[0], NULL, 0, NULL), -EINVAL);
	e = evs[0];
	e.hdr_len = 40; /* more than the tail */
	CHECK_INT(rec_write_event(w, &e, tails[0], NULL, 0, NULL), -EINVAL);
	e = evs[0];
	e.rec_type = 2;
	CHECK_INT(rec_write_event(w, &e, tails[0], NULL, 0, NULL), -EINVAL);
	/* Hooks added later are written on the next call. */
	memset(&hk, 0, sizeof(hk));
	strcpy(hk.name, "late_hook");
	CHECK_INT(hooks_add(h, &hk), 3);
	CHECK_INT(rec_write_hooks(w, h, (size_t)-1), 0);
	e = evs[1];
	e.hook = 3;
	CHECK_INT(rec_write_event(w, &e, NULL, NULL, 0, NULL), 0);
	CHECK_INT(rec_close(w, NULL), 0);
	CHECK_INT(read_all(path, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 2);

	/* Never through a symlink; write errors are reported. */
	snprintf(link, sizeof(link), "%s.lnk", path);
	CHECK_INT(symlink(path, link), 0);
	CHECK_INT(rec_create(link, &meta, &w, err, sizeof(err)), -ELOOP);
	CHECK_HAS(err, link);
	CHECK_HAS(err, "symbolic link");
	unlink(link);
	if (!access("/dev/full", W_OK)) {
		CHECK_INT(rec_create("/dev/full", &meta, &w, err, sizeof(err)),
			  -ENOSPC);
		CHECK_HAS(err, "/dev/full: ");
	}
	CHECK(rec_create("/nonexistent/dir/rec", &meta, &w, err, sizeof(err)) ==
	      -ENOENT);
	CHECK_HAS(err, "/nonexistent/dir/rec: ");
	hooks_free(h);
	reasons_free(rs);
	unlink(path);
}

TEST(record_header_errors)
{
	char path[32], err[256];
	unsigned char hdr[16 + 8 + 24];
	struct rec_reader *r;
	int n;

	CHECK_INT(tmpname(path), 0);
	CHECK_INT(rec_open(path, &r, err, sizeof(err)), -EINVAL);
	CHECK_HAS(err, path);
	CHECK_HAS(err, "empty file");
	CHECK_INT(put_file(path, "SKBSC", 5), 0);
	CHECK_INT(rec_open(path, &r, err, sizeof(err)), -ENODATA);
	CHECK_HAS(err, "cut short in its header (5 of 16 bytes)");
	CHECK_INT(put_file(path, "GIF89a", 6), 0);
	CHECK_INT(rec_open(path, &r, err, sizeof(err)), -EINVAL);
	CHECK_HAS(err, "not a skbscope recording (bad magic)");

	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, "SKBSCOPE\3\0\0\0\0\0\0\0", 16);
	CHECK_INT(put_file(path, hdr, 16), 0);
	CHECK_INT(rec_open(path, &r, err, sizeof(err)), -EPROTONOSUPPORT);
	CHECK_HAS(err, "version 3; this skbscope reads versions 1 to 2");
	memcpy(hdr, "SKBSCOPE\0\0\0\1\0\0\0\0", 16);
	CHECK_INT(put_file(path, hdr, 16), 0);
	CHECK_INT(rec_open(path, &r, err, sizeof(err)), -EPROTONOSUPPORT);
	CHECK_HAS(err, "big-endian");
	memcpy(hdr, "SKBSCOPE\1\0\0\0\4\0\0\0", 16);
	CHECK_INT(put_file(path, hdr, 16), 0);
	CHECK_INT(rec_open(path, &r, err, sizeof(err)), -EPROTONOSUPPORT);
	CHECK_HAS(err, "unknown header flags 0x4");
	/* Header alone: no meta. */
	memcpy(hdr, "SKBSCOPE\1\0\0\0\0\0\0\0", 16);
	CHECK_INT(put_file(path, hdr, 16), 0);
	CHECK_INT(rec_open(path, &r, err, sizeof(err)), -ENODATA);
	CHECK_HAS(err, "byte 16: no meta record");
	/* A meta record cut short, and one whose strings run off its end. */
	memcpy(hdr + 16, "\1\0\0\0\23\0\0\0", 8);
	memset(hdr + 24, 'x', 19);
	CHECK_INT(put_file(path, hdr, 16 + 8 + 19), 0);
	CHECK_INT(rec_open(path, &r, err, sizeof(err)), -ENODATA);
	CHECK_HAS(err, "byte 16: file ends inside a record (type 1, 27 of "
		       "32 bytes)");
	CHECK_INT(put_file(path, hdr, sizeof(hdr)), 0);
	CHECK_INT(rec_open(path, &r, err, sizeof(err)), -EINVAL);
	CHECK_HAS(err, "byte 16: malformed meta record");

	CHECK_INT(rec_open("/tmp", &r, err, sizeof(err)), -EISDIR);
	CHECK_STR(err, "/tmp: Is a directory");
	CHECK_INT(rec_open("/nonexistent/rec", &r, err, sizeof(err)), -ENOENT);
	CHECK_STR(err, "/nonexistent/rec: No such file or directory");
	CHECK_INT(read_all("/nonexistent/rec", &n, err, sizeof(err)), -ENOENT);
	unlink(path);
}

/* A forged file: header, META, then whatever the test appends. */
struct forge {
	unsigned char d[4096];
	size_t n;
};

static void forge_rec(struct forge *f, __u32 type, const void *p, size_t len)
{
	memcpy(f->d + f->n, &type, 4);
	memcpy(f->d + f->n + 4, &(__u32){ (__u32)len }, 4);
	memcpy(f->d + f->n + 8, p, len);
	memset(f->d + f->n + 8 + len, 0, (8 - len % 8) % 8);
	f->n += 8 + ((len + 7) & ~(size_t)7);
}

static void forge_start_v(struct forge *f, int version)
{
	unsigned char m[16 + 6] = { 0 };

	memcpy(f->d, "SKBSCOPE\0\0\0\0\0\0\0\0", 16);
	f->d[8] = (unsigned char)version;
	f->n = 16;
	memcpy(m + 16, "h\0k\0b\0", 6);
	forge_rec(f, 1, m, sizeof(m));
}

static void forge_start(struct forge *f)
{
	forge_start_v(f, REC_VERSION);
}

static void forge_hook(struct forge *f, __u32 id)
{
	/* name "name", empty group, module and why */
	unsigned char p[24 + 8] = { 0 };

	memcpy(p, &id, 4);
	memcpy(p + 24, "name", 4);
	forge_rec(f, 2, p, sizeof(p));
}

/* Expect the forged file to fail with code at byte off, saying what. */
static int forge_check(struct forge *f, int code, __u64 off, const char *what)
{
	char path[32], err[256], at[64];
	int n, ret;

	if (tmpname(path) || put_file(path, f->d, f->n))
		return -1;
	ret = read_all(path, &n, err, sizeof(err));
	snprintf(at, sizeof(at), "%s: byte %llu: ", path,
		 (unsigned long long)off);
	unlink(path);
	if (ret != code ||
	    (code && (strncmp(err, at, strlen(at)) || !strstr(err, what)))) {
		fprintf(stderr, "    got %d \"%s\", expected %d \"%s%s\"\n",
			ret, err, code, at, what);
		return -1;
	}
	return 0;
}

/* A version-1 file (events 24 bytes shorter) still reads: the fields it
 * lacks come back 0 and its tail follows the widened event. */
TEST(record_reads_version_1)
{
	unsigned char p[8 + REC_EVENT_V1 + 8];
	__u64 end[2 + SKBS_C_MAX] = { 0 };
	const struct skbs_event *ev;
	struct skbs_event e;
	struct rec_reader *r;
	const __u64 *stack;
	const char *tail;
	char path[64], err[256];
	struct forge f;
	int n;

	memset(&e, 0xee, sizeof(e));
	e.rec_type = SKBS_REC_EVENT;
	e.hook = 0;
	e.skb = 0x1234;
	e.stack_id = -1;
	e.hdr_len = 0;
	e.tail_len = 3;
	memset(p, 0, sizeof(p));
	memcpy(p + 8, &e, REC_EVENT_V1);
	memcpy(p + 8 + REC_EVENT_V1, "abc", 3);
	end[0] = 1;
	end[1] = SKBS_C_MAX;
	forge_start_v(&f, 1);
	forge_hook(&f, 0);
	forge_rec(&f, 5, p, 8 + REC_EVENT_V1 + 3);
	forge_rec(&f, 6, end, sizeof(end));
	CHECK_INT(tmpname(path), 0);
	CHECK_INT(put_file(path, f.d, f.n), 0);
	CHECK_INT(rec_open(path, &r, err, sizeof(err)), 0);
	CHECK_INT(rec_next(r, &ev, &tail, &stack, &n, err, sizeof(err)), 1);
	CHECK(ev->skb == 0x1234);
	CHECK(ev->cgroup == 0 && ev->flags2 == 0 && ev->tcp_flags == 0 &&
	      ev->nmeta == 0 && ev->aux == 0);
	CHECK(ev->caller == e.caller);
	CHECK_INT(ev->tail_len, 3);
	CHECK(!memcmp(tail, "abc", 3));
	CHECK_INT(rec_next(r, &ev, &tail, &stack, &n, err, sizeof(err)), 0);
	rec_close_reader(r);
	/* A version-1 event one byte short of its tail is refused. */
	forge_start_v(&f, 1);
	forge_hook(&f, 0);
	forge_rec(&f, 5, p, 8 + REC_EVENT_V1 + 2);
	forge_rec(&f, 6, end, sizeof(end));
	CHECK_INT(put_file(path, f.d, f.n), 0);
	CHECK_INT(read_all(path, &n, err, sizeof(err)), -EINVAL);
	CHECK_HAS(err, "holds");
	unlink(path);
}

TEST(record_forged)
{
	struct forge f;
	unsigned char p[8 + 8 + sizeof(struct skbs_event) + 16];
	struct skbs_event e;
	__u64 end[2 + SKBS_C_MAX] = { 0 };
	size_t at;

	memset(&e, 0, sizeof(e));
	e.rec_type = SKBS_REC_EVENT;
	end[1] = SKBS_C_MAX;

	/* The smallest complete recording. */
	forge_start(&f);
	forge_rec(&f, 6, end, sizeof(end));
	CHECK_INT(forge_check(&f, 0, 0, ""), 0);
	/* Unknown optional records are skipped, others are not. */
	forge_start(&f);
	forge_rec(&f, 0x80000077, "xyz", 3);
	forge_rec(&f, 6, end, sizeof(end));
	CHECK_INT(forge_check(&f, 0, 0, ""), 0);
	forge_start(&f);
	at = f.n;
	forge_rec(&f, 77, "xyz", 3);
	CHECK_INT(forge_check(&f, -EINVAL, at, "unknown record type 77"), 0);
	/* Absurd length. */
	forge_start(&f);
	at = f.n;
	memcpy(f.d + f.n, "\5\0\0\0\xff\xff\xff\xff", 8);
	f.n += 8;
	CHECK_INT(forge_check(&f, -EINVAL, at, "over the 1048576-byte limit"),
		  0);
	/* Absurd stack count. */
	forge_start(&f);
	forge_hook(&f, 0);
	at = f.n;
	memset(p, 0, sizeof(p));
	memcpy(p, "\xff\xff\xff\x7f", 4);
	memcpy(p + 8, &e, sizeof(e));
	forge_rec(&f, 5, p, 8 + sizeof(e));
	CHECK_INT(forge_check(&f, -EINVAL, at, "stack of 2147483647 frames"),
		  0);
	/* Stack count past the record. */
	forge_start(&f);
	forge_hook(&f, 0);
	at = f.n;
	memcpy(p, "\x40\0\0\0", 4);
	forge_rec(&f, 5, p, 8 + sizeof(e));
	CHECK_INT(forge_check(&f, -EINVAL, at, "shorter than its 64-frame"), 0);
	/* An event of an unknown hook. */
	forge_start(&f);
	forge_hook(&f, 0);
	at = f.n;
	memset(p, 0, 8);
	e.hook = 1;
	memcpy(p + 8, &e, sizeof(e));
	forge_rec(&f, 5, p, 8 + sizeof(e));
	CHECK_INT(forge_check(&f, -EINVAL, at, "event of hook 1, but 1 hooks"),
		  0);
	e.hook = 0;
	/* tail_len must match the record. */
	forge_start(&f);
	forge_hook(&f, 0);
	at = f.n;
	e.tail_len = 10;
	memcpy(p + 8, &e, sizeof(e));
	forge_rec(&f, 5, p, 8 + sizeof(e) + 16);
	CHECK_INT(forge_check(&f, -EINVAL, at, "of 208 bytes holds 202"), 0);
	forge_start(&f);
	forge_hook(&f, 0);
	at = f.n;
	e.tail_len = 20;
	memcpy(p + 8, &e, sizeof(e));
	forge_rec(&f, 5, p, 8 + sizeof(e) + 16);
	CHECK_INT(forge_check(&f, -EINVAL, at, "bad event: record tail"), 0);
	e.tail_len = 0;
	/* Hooks out of order, meta twice, meta not first. */
	forge_start(&f);
	forge_hook(&f, 0);
	at = f.n;
	forge_hook(&f, 2);
	CHECK_INT(forge_check(&f, -EINVAL, at,
			      "hook id 2 out of order "
			      "(expected 1)"),
		  0);
	forge_start(&f);
	at = f.n;
	forge_rec(&f, 1, f.d + 24, 22);
	CHECK_INT(forge_check(&f, -EINVAL, at, "a second meta record"), 0);
	forge_start(&f);
	memcpy(f.d + 16, "\2\0\0\0", 4);
	CHECK_INT(forge_check(&f, -EINVAL, 16, "first record is of type 2"), 0);
	/* A symbol twice, and one at 0. */
	forge_start(&f);
	forge_rec(&f, 4,
		  "\x10\0\0\0\0\0\0\x80"
		  "f\0\0",
		  11);
	at = f.n;
	forge_rec(&f, 4,
		  "\x10\0\0\0\0\0\0\x80"
		  "g\0\0",
		  11);
	CHECK_INT(forge_check(&f, -EINVAL, at,
			      "second symbol at "
			      "0x8000000000000010"),
		  0);
	forge_start(&f);
	at = f.n;
	forge_rec(&f, 4,
		  "\0\0\0\0\0\0\0\0"
		  "f\0\0",
		  11);
	CHECK_INT(forge_check(&f, -EINVAL, at, "symbol f at address 0"), 0);
	forge_start(&f);
	at = f.n;
	forge_rec(&f, 4,
		  "\x10\0\0\0\0\0\0\x80"
		  "f",
		  9);
	CHECK_INT(forge_check(&f, -EINVAL, at, "malformed symbol"), 0);
	forge_start(&f);
	at = f.n;
	forge_rec(&f, 3,
		  "\1\0\0\0\0\0\0\0"
		  "NAME",
		  12);
	CHECK_INT(forge_check(&f, -EINVAL, at, "malformed reason"), 0);
	/* END must count the events the file holds. */
	forge_start(&f);
	at = f.n;
	end[0] = 1;
	forge_rec(&f, 6, end, sizeof(end));
	CHECK_INT(forge_check(&f, -EINVAL, at,
			      "the end record counts 1 "
			      "events, the file holds 0"),
		  0);
	end[0] = 0;
	end[1] = 1000;
	forge_start(&f);
	at = f.n;
	forge_rec(&f, 6, end, sizeof(end));
	CHECK_INT(forge_check(&f, -EINVAL, at, "(1000 counters)"), 0);
	/* Cut inside a record header. */
	forge_start(&f);
	at = f.n;
	f.n += 3;
	CHECK_INT(forge_check(&f, -ENODATA, at, "inside a record header"), 0);
}

TEST(record_incomplete)
{
	char path[32], err[256], at[80];
	off_t before_end;
	int n;

	CHECK_INT(tmpname(path), 0);
	CHECK_INT(make_recording(path, &before_end), 0);
	/* What a recording killed after its last flush looks like. */
	CHECK_INT(truncate(path, before_end), 0);
	CHECK_INT(read_all(path, &n, err, sizeof(err)), -ENODATA);
	CHECK_INT(n, NEV);
	snprintf(at, sizeof(at), "%s: byte %lld: ", path,
		 (long long)before_end);
	CHECK_HAS(err, at);
	CHECK_HAS(err, "incomplete (no end record; was the recording "
		       "killed?)");
	unlink(path);
}

TEST(record_truncated_everywhere)
{
	char path[32], cut[40], err[256];
	unsigned char *data;
	size_t size;
	int n, ret;

	CHECK_INT(tmpname(path), 0);
	CHECK_INT(make_recording(path, NULL), 0);
	data = get_file(path, &size);
	CHECK(data != NULL);
	snprintf(cut, sizeof(cut), "%s.cut", path);
	for (size_t len = 0; len <= size; len++) {
		CHECK_INT(put_file(cut, data, len), 0);
		ret = read_all(cut, &n, err, sizeof(err));
		if (len == size) {
			CHECK_INT(ret, 0);
			CHECK_INT(n, NEV);
			continue;
		}
		if (ret >= 0 || ret < -4095 || !strstr(err, cut)) {
			fprintf(stderr, "    cut at %zu: %d \"%s\"\n", len, ret,
				err);
			CHECK(0);
		}
		CHECK(n <= NEV);
	}
	free(data);
	unlink(cut);
	unlink(path);
}

/* Read a damaged file: anything but a crash, a hang or an unexplained
 * error will do. */
static int damaged_ok(const char *path)
{
	char err[256];
	int n, ret = read_all(path, &n, err, sizeof(err));

	if (ret == 0)
		return 1;
	if (ret < 0 && ret >= -4095 && strstr(err, path))
		return 1;
	fprintf(stderr, "    %d \"%s\"\n", ret, err);
	return 0;
}

TEST(record_bit_flips)
{
	char path[32];
	unsigned char *data, b;
	size_t size, first;
	int fd;

	CHECK_INT(tmpname(path), 0);
	CHECK_INT(make_recording(path, NULL), 0);
	data = get_file(path, &size);
	CHECK(data != NULL);
	fd = open(path, O_WRONLY);
	CHECK(fd >= 0);
	first = size < 768 ? size : 768;
	for (size_t i = 0; i < first * 8; i++) {
		b = data[i / 8] ^ (unsigned char)(1u << (i % 8));
		CHECK_INT(pwrite(fd, &b, 1, (off_t)(i / 8)), 1);
		CHECK(damaged_ok(path));
		CHECK_INT(pwrite(fd, &data[i / 8], 1, (off_t)(i / 8)), 1);
	}
	srand(12345);
	for (int i = 0; i < 4000; i++) {
		size_t pos = (size_t)rand() % size;

		b = data[pos] ^ (unsigned char)(1u << (rand() % 8));
		CHECK_INT(pwrite(fd, &b, 1, (off_t)pos), 1);
		CHECK(damaged_ok(path));
		CHECK_INT(pwrite(fd, &data[pos], 1, (off_t)pos), 1);
	}
	/* Random bytes over whole stretches, too. */
	for (int i = 0; i < 500; i++) {
		size_t pos = (size_t)rand() % size, len = 1 + rand() % 64;
		unsigned char junk[64];

		if (pos + len > size)
			len = size - pos;
		for (size_t j = 0; j < len; j++)
			junk[j] = (unsigned char)rand();
		CHECK_INT(pwrite(fd, junk, len, (off_t)pos), (long long)len);
		CHECK(damaged_ok(path));
		CHECK_INT(pwrite(fd, data + pos, len, (off_t)pos),
			  (long long)len);
	}
	close(fd);
	free(data);
	unlink(path);
}

/* An explanation written just before its drop comes back with that drop
 * alone; one for another event is not handed to the next. */
TEST(record_explain_roundtrip)
{
	struct hooks *h = make_hooks();
	struct reasons *rs = make_reasons();
	struct rec_writer *w;
	struct rec_reader *r;
	struct explain x = { 0 }, other = { 0 }, bad = { 0 };
	const struct skbs_event *ev;
	const struct explain *got;
	const char *tail;
	const __u64 *st;
	struct skbs_event stray;
	char path[32], err[256];
	int ns;

	CHECK(h && rs);
	make_events();
	explain_set(&x, EXPLAIN_NFT_RULE,
		    "dropped by rule 4 of ip filter OUTPUT: udp dport 7001 "
		    "counter drop");
	CHECK_INT(explain_add(&x, "handle", "4"), 0);
	CHECK_INT(explain_add(&x, "chain", "OUTPUT"), 0);
	explain_set(&other, EXPLAIN_REASON, "not this one");
	bad.kind = EXPLAIN_KIND_MAX;
	CHECK_INT(tmpname(path), 0);
	CHECK_INT(rec_create(path, &meta, &w, err, sizeof(err)), 0);
	CHECK_INT(rec_write_hooks(w, h, (size_t)-1), 0);
	CHECK_INT(rec_write_explain(w, &evs[0], &bad), -EINVAL);
	CHECK_INT(rec_write_explain(w, &evs[0], &x), 0);
	CHECK_INT(rec_write_event(w, &evs[0], tails[0], stacks[0], 1, NULL), 0);
	stray = evs[1];
	stray.ts += 1; /* explains an event that is not the next one */
	CHECK_INT(rec_write_explain(w, &stray, &other), 0);
	CHECK_INT(rec_write_event(w, &evs[1], tails[1], NULL, 0, NULL), 0);
	CHECK_INT(rec_close(w, NULL), 0);

	CHECK_INT(rec_open(path, &r, err, sizeof(err)), 0);
	CHECK_INT(rec_next(r, &ev, &tail, &st, &ns, err, sizeof(err)), 1);
	got = rec_explain(r);
	CHECK(got != NULL);
	CHECK_INT(got->kind, EXPLAIN_NFT_RULE);
	CHECK_STR(got->text, x.text);
	CHECK_INT(got->nfields, 2);
	CHECK_STR(explain_get(got, "handle"), "4");
	CHECK_STR(explain_get(got, "chain"), "OUTPUT");
	CHECK_INT(rec_next(r, &ev, &tail, &st, &ns, err, sizeof(err)), 1);
	CHECK(rec_explain(r) == NULL);
	CHECK_INT(rec_next(r, &ev, &tail, &st, &ns, err, sizeof(err)), 0);
	rec_close_reader(r);
	unlink(path);
	hooks_free(h);
	reasons_free(rs);
}

static struct skbs_return got_ret[4];
static int got_kind[4], ngot;

static void take_return(void *ctx, const struct skbs_return *r, int kind)
{
	(void)ctx;
	if (ngot < 4) {
		got_ret[ngot] = *r;
		got_kind[ngot++] = kind;
	}
}

/* Returns round-trip with their kind after their entry event; an unknown
 * hook or an exit before the entry is refused at write. */
TEST(record_returns)
{
	struct hooks *h = make_hooks();
	struct rec_writer *w;
	struct rec_reader *r;
	struct skbs_return rt = { .rec_type = SKBS_REC_RETURN,
				  .hook = 1,
				  .ts_entry = 100,
				  .ts_exit = 350,
				  .ret = -1,
				  .cpu = 2,
				  .depth = 1 };
	const struct skbs_event *ev;
	const __u64 *stack;
	const char *tail;
	char path[32], err[256];
	int n, events = 0;

	CHECK(h);
	make_events();
	rt.skb = evs[0].skb;
	CHECK_INT(tmpname(path), 0);
	CHECK_INT(rec_create(path, &meta, &w, err, sizeof(err)), 0);
	CHECK_INT(rec_write_return(w, &rt, RET_INT), -EINVAL); /* no hooks */
	CHECK_INT(rec_write_hooks(w, h, (size_t)-1), 0);
	CHECK_INT(rec_write_event(w, &evs[0], tails[0], stacks[0], 1, NULL), 0);
	CHECK_INT(rec_write_return(w, &rt, RET_INT), 0);
	rt.ts_exit = 50;
	CHECK_INT(rec_write_return(w, &rt, RET_INT), -EINVAL);
	rt.ts_exit = 400;
	rt.hook = 99;
	CHECK_INT(rec_write_return(w, &rt, RET_INT), -EINVAL);
	CHECK_INT(rec_close(w, NULL), 0);

	ngot = 0;
	CHECK_INT(rec_open(path, &r, err, sizeof(err)), 0);
	rec_set_return_fn(r, take_return, NULL);
	while (rec_next(r, &ev, &tail, &stack, &n, err, sizeof(err)) == 1)
		events++;
	rec_close_reader(r);
	CHECK_INT(events, 1);
	CHECK_INT(ngot, 1);
	CHECK_INT(got_kind[0], RET_INT);
	CHECK_INT(got_ret[0].hook, 1);
	CHECK(got_ret[0].skb == evs[0].skb);
	CHECK_INT(got_ret[0].ts_exit - got_ret[0].ts_entry, 250);
	CHECK_INT(got_ret[0].ret, -1);
	/* Without a taker they are skipped, the events read the same. */
	CHECK_INT(read_all(path, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 1);
	unlink(path);
	hooks_free(h);
}
