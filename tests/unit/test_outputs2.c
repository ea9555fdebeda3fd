// SPDX-License-Identifier: GPL-2.0
/* Issue 16's outputs: --output-file rotation (names, the pruning policy,
 * real files with gzip), the absolute timestamp, netns and cgroup names
 * from fixture trees, the skb dump in JSON, and their flags. */
#include <dirent.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <zlib.h>
#include "app/cli.h"
#include "core/event.h"
#include "core/filter.h"
#include "core/nsnames.h"
#include "core/outfile.h"
#include "core/record.h"
#include "core/output_json.h"
#include "core/output_line.h"
#include "test.h"

#define ARGV(...) ((char *[]){ "skbscope", __VA_ARGS__, NULL })
#define ARGC(...) \
	((int)(sizeof((char *[]){ "skbscope", __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(c, err, ...) \
	cli_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), c, err, sizeof(err))

TEST(rot_name_is_lumberjacks)
{
	char buf[256];
	struct tm tm = { .tm_year = 126,
			 .tm_mon = 11,
			 .tm_mday = 2,
			 .tm_hour = 3,
			 .tm_min = 4,
			 .tm_sec = 5,
			 .tm_isdst = -1 };
	long long t = (long long)mktime(&tm), back = 0;

	outfile_rot_name("/var/log/trace.log", t, 7, buf, sizeof(buf));
	CHECK_STR(buf, "/var/log/trace-2026-12-02T03-04-05.007.log");
	outfile_rot_name("trace", t, 999, buf, sizeof(buf));
	CHECK_STR(buf, "trace-2026-12-02T03-04-05.999");
	outfile_rot_name("a.b/out.json", t, 0, buf, sizeof(buf));
	CHECK_STR(buf, "a.b/out-2026-12-02T03-04-05.000.json");
	/* And back, gzipped or not; nothing else is a backup. */
	CHECK_INT(outfile_rot_parse("/x/trace.log",
				    "trace-2026-12-02T03-04-05.007.log", &back),
		  1);
	CHECK_INT(back, t);
	CHECK_INT(outfile_rot_parse("/x/trace.log",
				    "trace-2026-12-02T03-04-05.007.log.gz",
				    &back),
		  1);
	CHECK_INT(outfile_rot_parse("/x/trace.log", "trace.log", &back), 0);
	CHECK_INT(outfile_rot_parse("/x/trace.log",
				    "trace-2026-12-02T03-04-05.007.log.bz2",
				    &back),
		  0);
	CHECK_INT(outfile_rot_parse("/x/trace.log",
				    "trace-2026-12-02T03:04:05.007.log", &back),
		  0);
	CHECK_INT(outfile_rot_parse("/x/trace.log",
				    "other-2026-12-02T03-04-05.007.log", &back),
		  0);
	CHECK_INT(outfile_rot_parse("/x/trace.log",
				    "trace-2026-12-02T03-04-0x.007.log", &back),
		  0);
}

TEST(rot_prune_by_count_and_age)
{
	long long now = 1000000000, d = 86400;
	long long secs[5] = { now - 10, now - d, now - 2 * d - 1, now - 5 * d,
			      now - 9 * d };
	struct outfile_rot_opts o = { 0 };
	int drop[5];

	/* Neither: everything stays. */
	CHECK_INT(outfile_rot_prune(secs, 5, now, &o, drop), 0);
	o.max_backups = 2;
	CHECK_INT(outfile_rot_prune(secs, 5, now, &o, drop), 3);
	CHECK(!drop[0] && !drop[1] && drop[2] && drop[3] && drop[4]);
	o.max_backups = 0;
	o.max_age_days = 2;
	CHECK_INT(outfile_rot_prune(secs, 5, now, &o, drop), 3);
	CHECK(!drop[0] && !drop[1] && drop[2]);
	o.max_backups = 1;
	CHECK_INT(outfile_rot_prune(secs, 5, now, &o, drop), 4);
	CHECK(!drop[0] && drop[1]);
}

/* Lines in a file, plain or gzipped, each checked whole. */
static int count_lines(const char *path, int *bad)
{
	char line[4096];
	gzFile gz = gzopen(path, "rb");
	int n = 0;

	if (!gz)
		return -1;
	while (gzgets(gz, line, sizeof(line))) {
		size_t l = strlen(line);

		/* Every record is "rec NNNNN " + 150 x's + "\n". */
		if (l != 161 || strncmp(line, "rec ", 4) || line[l - 1] != '\n')
			(*bad)++;
		n++;
	}
	gzclose(gz);
	return n;
}

TEST(rot_real_files_gzip_no_line_lost)
{
	char dir[] = "/tmp/skbs-rot-XXXXXX", path[300], full[600];
	struct outfile_rot_opts o = { .max_bytes = 16384, .compress = 1 };
	struct outfile_rot *r;
	struct dirent *de;
	char err[256], xs[151];
	int total = 0, bad = 0, files = 0, gz = 0;
	DIR *d;

	CHECK(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out.log", dir);
	CHECK_INT(outfile_rot_open(path, &o, &r, err, sizeof(err)), 0);
	memset(xs, 'x', 150);
	xs[150] = '\0';
	/* 1000 records of 161 bytes: ten files of about 16 KB. */
	for (int i = 0; i < 1000; i++) {
		fprintf(outfile_rot_stream(r), "rec %05d %s\n", i, xs);
		CHECK_INT(outfile_rot_commit(r), 0);
	}
	CHECK(outfile_rot_count(r) >= 9);
	CHECK_INT(outfile_rot_close(r), 0);
	d = opendir(dir);
	CHECK(d);
	while ((de = readdir(d))) {
		struct stat st;
		int n;

		if (de->d_name[0] == '.')
			continue;
		snprintf(full, sizeof(full), "%s/%s", dir, de->d_name);
		CHECK(!stat(full, &st));
		/* Never past the size: rotation comes before the record. */
		n = count_lines(full, &bad);
		CHECK(n > 0);
		total += n;
		files++;
		gz += strstr(de->d_name, ".gz") != NULL;
		CHECK_INT(st.st_mode & 0777, 0600);
		unlink(full);
	}
	closedir(d);
	rmdir(dir);
	CHECK_INT(total, 1000);
	CHECK_INT(bad, 0);
	CHECK_INT(gz, files - 1);
}

TEST(rot_backups_pruned_to_max)
{
	char dir[] = "/tmp/skbs-rot-XXXXXX", path[300], m[512];
	struct outfile_rot_opts o = { .max_bytes = 4096, .max_backups = 2 };
	struct outfile_rot *r;
	struct dirent *de;
	char err[256];
	int n = 0;
	DIR *d;

	CHECK(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.json", dir);
	CHECK_INT(outfile_rot_open(path, &o, &r, err, sizeof(err)), 0);
	for (int i = 0; i < 200; i++) {
		fprintf(outfile_rot_stream(r),
			"{\"n\":%d,\"pad\":\"%0100d\"}\n", i, 0);
		CHECK_INT(outfile_rot_commit(r), 0);
	}
	/* Pruning runs after each rotation, in the background; close
	 * waits for it. */
	CHECK_INT(outfile_rot_error(r, m, sizeof(m)), 0);
	CHECK_INT(outfile_rot_close(r), 0);
	d = opendir(dir);
	CHECK(d);
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	CHECK_INT(n, 3); /* the file and two backups */
	snprintf(m, sizeof(m), "rm -rf '%s'", dir);
	CHECK_INT(system(m), 0);
}

TEST(rot_failure_is_reported_not_silent)
{
	char dir[] = "/tmp/skbs-rot-XXXXXX", path[300], m[512];
	struct outfile_rot_opts o = { .max_bytes = 1000 };
	struct outfile_rot *r;
	char err[256];

	CHECK(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.log", dir);
	CHECK_INT(outfile_rot_open(path, &o, &r, err, sizeof(err)), 0);
	/* Rotations that work first. */
	for (int i = 0; i < 30; i++) {
		fprintf(outfile_rot_stream(r), "%0199d\n", i);
		CHECK_INT(outfile_rot_commit(r), 0);
	}
	CHECK_INT(outfile_rot_error(r, m, sizeof(m)), 0);
	/* Then a directory that takes no rename: read-only for a user,
	 * append-only (chattr +a) for root, who writes anyway. The output
	 * must go on in the file at hand, and the failure be said. */
	CHECK(chmod(dir, 0500) == 0);
	if (geteuid() == 0) {
		CHECK(chmod(dir, 0700) == 0);
		snprintf(m, sizeof(m), "chattr +a '%s' 2>/dev/null", dir);
		if (system(m)) {
			outfile_rot_close(r);
			snprintf(m, sizeof(m), "rm -rf '%s'", dir);
			CHECK_INT(system(m), 0);
			SKIP("chattr +a does not work on /tmp here: the "
			     "failing rename is checked by "
			     "tests/integration/outputs2.sh");
		}
	}
	for (int i = 0; i < 30; i++) {
		fprintf(outfile_rot_stream(r), "%0199d\n", i);
		CHECK_INT(outfile_rot_commit(r), 0);
	}
	CHECK(outfile_rot_error(r, m, sizeof(m)) > 0);
	CHECK_HAS(m, "cannot rotate");
	CHECK_INT(outfile_rot_close(r), 0);
	snprintf(m, sizeof(m), "chattr -a '%s' 2>/dev/null; chmod 700 '%s'",
		 dir, dir);
	CHECK_INT(system(m) >= 0, 1);
	snprintf(m, sizeof(m), "rm -rf '%s'", dir);
	CHECK_INT(system(m), 0);
}

TEST(abs_time_has_the_date)
{
	struct line_opts o = { .ts = TS_ABSOLUTE };
	struct skbs_event ev = { 0 };
	struct line_out *lo;
	struct tm tm = { .tm_year = 126,
			 .tm_mon = 11,
			 .tm_mday = 2,
			 .tm_hour = 3,
			 .tm_min = 4,
			 .tm_sec = 5,
			 .tm_isdst = -1 };
	char buf[64];

	o.realtime_offset_ns = (long long)mktime(&tm) * 1000000000LL;
	ev.ts = 123456789; /* .123 s */
	CHECK_INT(line_out_new(&o, NULL, NULL, &lo), 0);
	CHECK_INT(line_abs_time(lo, &ev, buf, sizeof(buf)), 23);
	CHECK_STR(buf, "2026-12-02T03:04:05.123");
	line_out_free(lo);
}

TEST(json_carries_the_dump_and_says_when_cut)
{
	struct line_opts o = { .meta = 1, .tuple = 1 };
	struct skbs_event ev = { .rec_type = SKBS_REC_EVENT };
	const char text[] = "(struct sk_buff){\n .len = (unsigned int)44,\n}";
	char tail[128], buf[1024];
	struct line_out *lo;

	memcpy(tail, "HDRB", 4);
	memcpy(tail + 4, text, sizeof(text) - 1);
	ev.hdr_len = 4;
	ev.tail_len = (__u16)(4 + sizeof(text) - 1);
	ev.flags = SKBS_EV_SKB_TEXT;
	CHECK_INT(line_out_new(&o, NULL, NULL, &lo), 0);
	json_format_tail(lo, &ev, tail, NULL, -1, NULL, buf, sizeof(buf));
	CHECK_HAS(buf, "\"skb_dump\":\"(struct sk_buff){\\u000a .len = "
		       "(unsigned int)44,\\u000a}\",\"skb_dump_cut\":false}");
	ev.flags2 = SKBS_EV2_SKB_CUT;
	json_format_tail(lo, &ev, tail, NULL, -1, NULL, buf, sizeof(buf));
	CHECK_HAS(buf, "\"skb_dump_cut\":true");
	/* Without the tail (the explorer's export), no dump field. */
	json_format(lo, &ev, NULL, -1, NULL, buf, sizeof(buf));
	CHECK(!strstr(buf, "skb_dump"));
	/* Cut short by the buffer: the length needed is still right. */
	CHECK_INT(json_format_tail(lo, &ev, tail, NULL, -1, NULL, buf, 40),
		  json_format_tail(lo, &ev, tail, NULL, -1, NULL, buf,
				   sizeof(buf)));
	line_out_free(lo);
}

TEST(container_names_from_cgroup_paths)
{
	const char *id = "0123456789abcdef0123456789abcdef"
			 "0123456789abcdef0123456789abcdef";
	char path[300], buf[64];

	snprintf(path, sizeof(path), "/system.slice/docker-%s.scope", id);
	CHECK_INT(nsnames_container(path, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "docker:0123456789ab");
	snprintf(path, sizeof(path),
		 "/kubepods.slice/kubepods-burstable.slice/"
		 "cri-containerd-%s.scope",
		 id);
	CHECK_INT(nsnames_container(path, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "containerd:0123456789ab");
	snprintf(path, sizeof(path), "/machine.slice/libpod-%s.scope/container",
		 id);
	CHECK_INT(nsnames_container(path, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "podman:0123456789ab");
	snprintf(path, sizeof(path), "/crio-%s.scope", id);
	CHECK_INT(nsnames_container(path, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "crio:0123456789ab");
	snprintf(path, sizeof(path), "/docker/%s", id);
	CHECK_INT(nsnames_container(path, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "docker:0123456789ab");
	snprintf(path, sizeof(path), "/kubepods/besteffort/pod1234/%s", id);
	CHECK_INT(nsnames_container(path, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "k8s:0123456789ab");
	CHECK_INT(nsnames_container("/user.slice/user-0.slice/session-1.scope",
				    buf, sizeof(buf)),
		  -ENOENT);
	CHECK_INT(nsnames_container("/docker-0123.scope", buf, sizeof(buf)),
		  -ENOENT);
	CHECK_INT(nsnames_container("", buf, sizeof(buf)), -ENOENT);
	CHECK_STR(nsnames_cut("averyveryverylongname", 8, buf, sizeof(buf)),
		  "averyve~");
	CHECK_STR(nsnames_cut("short", 8, buf, sizeof(buf)), "short");
}

static __u64 ino_of(const char *p)
{
	struct stat st;

	return stat(p, &st) ? 0 : (__u64)st.st_ino;
}

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CHECK(f);
	fputs(text, f);
	fclose(f);
}

TEST(names_from_fixture_trees)
{
	char dir[] = "/tmp/skbs-names-XXXXXX", p[400], q[600];
	const char *id = "fedcba9876543210fedcba9876543210"
			 "fedcba9876543210fedcba9876543210";
	struct nsnames *n;
	__u64 ns_a, ns_c, cg;

	CHECK(mkdtemp(dir));
	/* netns dir: "blue" (any file has an inode, as a bind mount has) */
	snprintf(p, sizeof(p), "%s/netns", dir);
	CHECK(!mkdir(p, 0700));
	snprintf(p, sizeof(p), "%s/netns/blue", dir);
	put_file(p, "");
	ns_a = ino_of(p);
	/* proc: pid 42 in a netns of its own, inside a docker scope */
	snprintf(p, sizeof(p), "%s/proc", dir);
	CHECK(!mkdir(p, 0700));
	snprintf(p, sizeof(p), "%s/proc/42", dir);
	CHECK(!mkdir(p, 0700));
	snprintf(p, sizeof(p), "%s/proc/42/ns", dir);
	CHECK(!mkdir(p, 0700));
	snprintf(p, sizeof(p), "%s/proc/42/ns/net", dir);
	put_file(p, "");
	ns_c = ino_of(p);
	snprintf(p, sizeof(p), "%s/proc/42/cgroup", dir);
	snprintf(q, sizeof(q), "0::/system.slice/docker-%s.scope\n", id);
	put_file(p, q);
	/* cgroup tree */
	snprintf(p, sizeof(p), "%s/cg/system.slice/ssh.service", dir);
	snprintf(q, sizeof(q), "mkdir -p '%s'", p);
	CHECK_INT(system(q), 0);
	cg = ino_of(p);
	snprintf(p, sizeof(p), "%s/netns", dir);
	snprintf(q, sizeof(q), "%s/proc", dir);
	{
		char c[450];

		snprintf(c, sizeof(c), "%s/cg", dir);
		CHECK_INT(nsnames_new(p, q, c, 16, &n), 0);
	}
	CHECK_STR(nsnames_netns(n, (__u32)ns_a), "blue");
	CHECK_STR(nsnames_netns(n, (__u32)ns_c), "docker:fedcba98~");
	CHECK(!nsnames_netns(n, 12345));
	CHECK_STR(nsnames_cgroup(n, cg), "/system.slice/s~");
	CHECK(!nsnames_cgroup(n, 0));
	CHECK_INT(nsnames_put_cgroup(n, 77, "recorded"), 0);
	CHECK_STR(nsnames_cgroup(n, 77), "recorded");
	nsnames_free(n);
	snprintf(q, sizeof(q), "rm -rf '%s'", dir);
	CHECK_INT(system(q), 0);
}

TEST(cli_outputs2_good)
{
	struct cli c;
	char err[256];

	CHECK_INT(PARSE(&c, err, "--output-file", "/tmp/x"), 0);
	CHECK_INT(c.rot.max_bytes, 100ULL << 20); /* pwru's default */
	CHECK_INT(c.rot.max_backups, 0);
	CHECK_INT(PARSE(&c, err, "--output-file", "/tmp/x",
			"--output-file-max-size", "5",
			"--output-file-max-backups", "3",
			"--output-file-max-age", "7", "--output-file-compress"),
		  0);
	CHECK_INT(c.rot.max_bytes, 5ULL << 20);
	CHECK_INT(c.rot.max_backups, 3);
	CHECK_INT(c.rot.max_age_days, 7);
	CHECK_INT(c.rot.compress, 1);
	CHECK_INT(PARSE(&c, err, "--output-netns-names",
			"--netns-names-max-length", "24", "--output-cgroup",
			"--set-percpu-buf", "16384", "--debug"),
		  0);
	CHECK_INT(c.netns_names, 1);
	CHECK_INT(c.netns_names_max, 24);
	CHECK_INT(c.cgroup, 1);
	CHECK_INT(c.dump_room, 16384);
	CHECK_INT(c.debug, 1);
	CHECK_INT(PARSE(&c, err, "--filter-netns", "inode:4026531840"), 0);
	CHECK_INT(c.filter.netns, 4026531840U);
	CHECK_INT(PARSE(&c, err, "--filter-cgroup", "12345"), 0);
	CHECK(c.filter.flags & SKBS_F_CGROUP);
	CHECK_INT(c.filter.cgroup, 12345);
}

TEST(cli_outputs2_hostile)
{
	static const struct {
		const char *flag, *val, *says;
	} bad[] = {
		{ "--output-file-max-size", "0", "'0'" },
		{ "--output-file-max-size", "-1", "'-1'" },
		{ "--output-file-max-size", "10M", "'10M'" },
		{ "--output-file-max-size", "99999999999", "megabytes" },
		{ "--output-file-max-backups", "x", "'x'" },
		{ "--output-file-max-age", "36501", "days" },
		{ "--output-file-compress=maybe", NULL, "'maybe'" },
		{ "--set-percpu-buf", "255", "'255'" },
		{ "--set-percpu-buf", "32001", "bytes" },
		{ "--set-percpu-buf", "", "''" },
		{ "--netns-names-max-length", "1", "'1'" },
		{ "--output-netns-names=perhaps", NULL, "'perhaps'" },
		{ "--filter-netns", "inode:", "inode:" },
		{ "--filter-netns", "inode:0", "inode:0" },
		{ "--filter-netns", "inode:4294967296", "inode:4294967296" },
		{ "--filter-cgroup", "", "empty" },
		{ "--filter-cgroup", "0", "'0'" },
		{ "--filter-cgroup", "/no/such/cgroup", "no/such/cgroup" },
		{ "--filter-cgroup", "../../etc", "'..'" },
	};
	struct cli c;
	char err[512];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *argv[] = { "skbscope",         "--output-file",
				 "/tmp/x",           (char *)bad[i].flag,
				 (char *)bad[i].val, NULL };

		char name[64];

		if (cli_parse(bad[i].val ? 5 : 4, argv, &c, err, sizeof(err)) !=
		    -EINVAL)
			test_fail_stop(__FILE__, __LINE__, "%s %s accepted",
				       bad[i].flag,
				       bad[i].val ? bad[i].val : "");
		CHECK_HAS(err, bad[i].says);
		snprintf(name, sizeof(name), "%.*s",
			 (int)strcspn(bad[i].flag, "="), bad[i].flag);
		CHECK_HAS(err, name);
	}
	/* Rotation without a file to rotate. */
	CHECK_INT(PARSE(&c, err, "--output-file-max-size", "5"), -EINVAL);
	CHECK_HAS(err, "--output-file-max-size");
	CHECK_HAS(err, "--output-file");
	CHECK_INT(PARSE(&c, err, "--filter-cgroup", "1", "--filter-cgroup",
			"2"),
		  -EINVAL);
	CHECK_HAS(err, "twice");
	/* Tracing only: refused with --replay rather than ignored. */
	CHECK_INT(PARSE(&c, err, "--replay", "/tmp/r", "--set-percpu-buf",
			"8192"),
		  -EINVAL);
	CHECK_HAS(err, "--set-percpu-buf");
}

TEST(filter_bar_cgroup_term)
{
	struct skbs_filter f;
	char err[256], text[256];
	int bad = 0;

	filter_init(&f);
	CHECK_INT(filter_parse("cgroup 4242 and dport 80", "/var/run/netns", &f,
			       err, sizeof(err), &bad),
		  0);
	CHECK(f.flags & SKBS_F_CGROUP);
	CHECK_INT(f.cgroup, 4242);
	filter_format(&f, text, sizeof(text));
	CHECK_HAS(text, "cgroup 4242");
	/* What the bar shows parses back to the same filter. */
	filter_init(&f);
	CHECK_INT(filter_parse(text, "/var/run/netns", &f, err, sizeof(err),
			       &bad),
		  0);
	CHECK_INT(f.cgroup, 4242);
	CHECK_INT(filter_parse("cgroup /no-such-cgroup-16", "/var/run/netns",
			       &f, err, sizeof(err), &bad),
		  -EINVAL);
	CHECK_HAS(err, "cgroup: no such cgroup '/no-such-cgroup-16'");
	CHECK_INT(bad, 7);
	CHECK_INT(filter_parse("netns inode:0", "/var/run/netns", &f, err,
			       sizeof(err), &bad),
		  -EINVAL);
	CHECK_HAS(err, "inode:0");
}

/* An event with the given tail; returns the tail length. */
static size_t put_sec(char *tail, size_t at, __u8 kind, __u8 flags,
		      const void *body, __u16 len)
{
	struct skbs_tail_sec s = { .kind = kind, .flags = flags, .len = len };

	at = (at + 3) & ~(size_t)3;
	memcpy(tail + at, &s, sizeof(s));
	memcpy(tail + at + sizeof(s), body, len);
	return at + sizeof(s) + len;
}

TEST(tail_sections_decode_and_validate)
{
	union {
		struct skbs_event ev;
		char bytes[sizeof(struct skbs_event) + 512];
	} r = { 0 };
	char *tail = r.bytes + sizeof(r.ev);
	const __u32 cb[5] = { 1, 2, 3, 0xdeadbeef, 5 };
	const struct skbs_event *ev;
	const char *t;
	struct event_dumps d;
	char err[128], js[2048];
	struct line_opts o = { 0 };
	struct line_out *lo;
	size_t n;

	r.ev.rec_type = SKBS_REC_EVENT;
	r.ev.hdr_len = 5; /* sections start at 8 */
	memcpy(tail, "HDR..", 5);
	n = put_sec(tail, 5, SKBS_SEC_SKB, 0, "(struct sk_buff){}", 18);
	n = put_sec(tail, n, SKBS_SEC_SHINFO, SKBS_SEC_CUT,
		    "(struct skb_shared_info){", 25);
	n = put_sec(tail, n, SKBS_SEC_CB, 0, cb, sizeof(cb));
	r.ev.tail_len = (__u16)n;
	r.ev.flags2 = SKBS_EV2_SECTIONS;
	CHECK_INT(event_decode(r.bytes, sizeof(r.ev) + n, &ev, &t, err,
			       sizeof(err)),
		  0);
	CHECK_INT(event_dumps(ev, t, &d), 0);
	CHECK_INT(d.skb_len, 18);
	CHECK(!memcmp(d.skb, "(struct sk_buff){}", 18));
	CHECK_INT(d.skb_cut, 0);
	CHECK_INT(d.shinfo_len, 25);
	CHECK_INT(d.shinfo_cut, 1);
	CHECK_INT(d.has_cb, 1);
	CHECK_INT(d.cb[3], 0xdeadbeef);
	CHECK_INT(line_out_new(&o, NULL, NULL, &lo), 0);
	json_format_tail(lo, ev, t, NULL, -1, NULL, js, sizeof(js));
	CHECK_HAS(js,
		  "\"skb_dump\":\"(struct sk_buff){}\",\"skb_dump_cut\":false");
	CHECK_HAS(js, "\"skb_shared_info_cut\":true");
	CHECK_HAS(js, "\"cb\":[1,2,3,3735928559,5]");
	line_out_free(lo);

	/* Hostile tails: each refused by event_decode, none read past. */
	r.ev.tail_len = (__u16)(n - 1); /* the cb cut short */
	CHECK_INT(event_decode(r.bytes, sizeof(r.ev) + n, &ev, &t, err,
			       sizeof(err)),
		  -EINVAL);
	CHECK_HAS(err, "sections");
	r.ev.tail_len = (__u16)(n + 2); /* half a header after the last */
	CHECK_INT(event_decode(r.bytes, sizeof(r.ev) + n + 2, &ev, &t, err,
			       sizeof(err)),
		  -EINVAL);
	r.ev.tail_len = (__u16)n;
	tail[8] = 9; /* an unknown kind */
	CHECK_INT(event_decode(r.bytes, sizeof(r.ev) + n, &ev, &t, err,
			       sizeof(err)),
		  -EINVAL);
	tail[8] = SKBS_SEC_SHINFO; /* the same kind twice */
	CHECK_INT(event_decode(r.bytes, sizeof(r.ev) + n, &ev, &t, err,
			       sizeof(err)),
		  -EINVAL);
	tail[8] = SKBS_SEC_SKB;
	tail[9] = 0x80; /* a flag nobody defined */
	CHECK_INT(event_decode(r.bytes, sizeof(r.ev) + n, &ev, &t, err,
			       sizeof(err)),
		  -EINVAL);
	tail[9] = 0;
	CHECK_INT(event_decode(r.bytes, sizeof(r.ev) + n, &ev, &t, err,
			       sizeof(err)),
		  0);
	/* A recording from before sections: the rest is the skb text. */
	r.ev.flags2 = 0;
	r.ev.flags = SKBS_EV_SKB_TEXT;
	CHECK_INT(event_decode(r.bytes, sizeof(r.ev) + n, &ev, &t, err,
			       sizeof(err)),
		  0);
	CHECK_INT(event_dumps(ev, t, &d), 0);
	CHECK_INT(d.skb_len, n - 5);
	CHECK(!d.shinfo && !d.has_cb);
}

static void got_cgroup(void *ctx, __u64 id, const char *name)
{
	char *buf = ctx;

	snprintf(buf, 128, "%llu=%s", (unsigned long long)id, name);
}

TEST(recording_carries_cgroup_names)
{
	char path[] = "/tmp/skbs-cgrec-XXXXXX", got[128] = "", err[256];
	struct rec_meta m = { .backend = "tracepoint" };
	const struct skbs_event *ev;
	struct rec_writer *w;
	struct rec_reader *r;
	const __u64 *st;
	const char *tail;
	int fd = mkstemp(path), ns;

	CHECK(fd >= 0);
	close(fd);
	CHECK_INT(rec_create(path, &m, &w, err, sizeof(err)), 0);
	CHECK_INT(rec_write_cgroup(w, 77, "docker:0123456789ab"), 0);
	CHECK_INT(rec_write_cgroup(w, 77, "docker:0123456789ab"), 0);
	CHECK_INT(rec_write_cgroup(w, 0, "x"), -EINVAL);
	CHECK_INT(rec_close(w, NULL), 0);
	CHECK_INT(rec_open(path, &r, err, sizeof(err)), 0);
	rec_set_cgroup_fn(r, got_cgroup, got);
	CHECK_INT(rec_next(r, &ev, &tail, &st, &ns, err, sizeof(err)), 0);
	CHECK_STR(got, "77=docker:0123456789ab");
	rec_close_reader(r);
	unlink(path);
}
