// SPDX-License-Identifier: GPL-2.0
/* core/output_pcap: files written here, read back block by block, and by
 * tshark when it is installed. */
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "core/output_pcap.h"
#include "test.h"

#define TSHARK "/usr/bin/tshark"
#define NETNS 4026532177U
#define OFFSET 1700000000000000000LL
#define COMMENT1                                      \
	"skb:kfree_skb skb=0xffff888004a1c600 gen=1 " \
	"drop=NETFILTER_DROP at nft_do_chain+0x3e8"
#define COMMENT2 "net:netif_receive_skb skb=0xffff888004a1c700 gen=2"
#define COMMENT3 "skb:consume_skb bad\xff byte"

static const unsigned char udp4[] = {
	/* Ethernet */
	0x02,
	0x00,
	0x00,
	0x00,
	0x00,
	0x02,
	0x02,
	0x00,
	0x00,
	0x00,
	0x00,
	0x01,
	0x08,
	0x00,
	/* IPv4: len 31, id 7, DF, ttl 64, udp, checksum right */
	0x45,
	0x00,
	0x00,
	0x1f,
	0x00,
	0x07,
	0x40,
	0x00,
	0x40,
	0x11,
	0x24,
	0xa1,
	10,
	213,
	0,
	1,
	10,
	213,
	0,
	2,
	/* UDP 40000 -> 7001, len 11, no checksum */
	0x9c,
	0x40,
	0x1b,
	0x59,
	0x00,
	0x0b,
	0x00,
	0x00,
	's',
	'k',
	'b',
};

static struct skbs_event mkev(__u32 ifindex, const char *ifname, int l2,
			      __u16 hdr_len, __u32 len, __u64 ts)
{
	struct skbs_event ev = {
		.rec_type = SKBS_REC_EVENT,
		.netns = NETNS,
		.ifindex = ifindex,
		.len = len,
		.ts = ts,
		.hdr_len = hdr_len,
		.tail_len = hdr_len,
		.flags = l2 ? SKBS_EV_HDR_L2 : 0,
	};

	snprintf(ev.ifname, sizeof(ev.ifname), "%s", ifname);
	return ev;
}

/*
 * Five events: Ethernet on veth0 (ifindex 3), the same packet from its IP
 * header on veth0, Ethernet on unnamed ifindex 4, one without header bytes
 * (skipped), and Ethernet on veth0 again without a comment and with skb->len
 * below the captured length. Returns 0 or a negative step number.
 */
static int write_sample(const char *path, unsigned long long *written,
			unsigned long long *skipped)
{
	struct skbs_event ev;
	struct pcapng *p;
	char err[256];

	if (pcapng_open(path, OFFSET, &p, err, sizeof(err)))
		return -1;
	ev = mkev(3, "veth0", 1, sizeof(udp4), sizeof(udp4), 123456789);
	if (pcapng_write(p, &ev, udp4, COMMENT1))
		return -2;
	ev = mkev(3, "veth0", 0, sizeof(udp4) - 14, 1500, 223456789);
	if (pcapng_write(p, &ev, udp4 + 14, COMMENT2))
		return -3;
	ev = mkev(4, "", 1, sizeof(udp4), sizeof(udp4), 323456789);
	if (pcapng_write(p, &ev, udp4, COMMENT3))
		return -4;
	ev = mkev(4, "", 1, 0, 60, 423456789);
	if (pcapng_write(p, &ev, NULL, "no bytes"))
		return -5;
	ev = mkev(3, "veth0", 1, sizeof(udp4), 10, 523456789);
	if (pcapng_write(p, &ev, udp4, NULL))
		return -6;
	*written = pcapng_written(p);
	*skipped = pcapng_skipped(p);
	if (pcapng_flush(p))
		return -7;
	return pcapng_close(p) ? -8 : 0;
}

/* The whole file (small) into a static buffer. Returns bytes, -1 error. */
static long slurp(const char *path, unsigned char **out)
{
	static unsigned char b[1 << 20];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return -1;
	n = fread(b, 1, sizeof(b), f);
	fclose(f);
	*out = b;
	return n < sizeof(b) ? (long)n : -1;
}

static __u32 u32at(const unsigned char *b)
{
	__u32 v;

	memcpy(&v, b, 4);
	return v;
}

static __u16 u16at(const unsigned char *b)
{
	__u16 v;

	memcpy(&v, b, 2);
	return v;
}

/*
 * Walk an option list of n bytes: well formed, padded, ending in
 * opt_endofopt exactly at n. Copies option code's value (as a string) into
 * val. Returns 1 found, 0 not found, -1 malformed.
 */
static int find_opt(const unsigned char *o, size_t n, __u16 code, char *val,
		    size_t vlen)
{
	int found = 0;

	for (size_t i = 0; i + 4 <= n;) {
		__u16 c = u16at(o + i), l = u16at(o + i + 2);
		size_t pl = (l + 3u) & ~3u;

		if (c == 0)
			return l == 0 && i + 4 == n ? found : -1;
		if (i + 4 + pl > n)
			return -1;
		if (c == code && !found) {
			snprintf(val, vlen, "%.*s", (int)l,
				 (const char *)o + i + 4);
			found = 1;
		}
		i += 4 + pl;
	}
	return -1;
}

struct blk {
	__u32 type;
	const unsigned char *body; /* after type and length */
	size_t blen;               /* without the trailing length */
};

/* Split the file into blocks, checking both length fields. -1 on error. */
static int blocks(const unsigned char *b, size_t n, struct blk *out, int max)
{
	int nb = 0;

	for (size_t i = 0; i < n; nb++) {
		__u32 len;

		if (nb == max || n - i < 12)
			return -1;
		len = u32at(b + i + 4);
		if (len % 4 || len < 12 || len > n - i ||
		    u32at(b + i + len - 4) != len)
			return -1;
		out[nb] = (struct blk){ u32at(b + i), b + i + 8, len - 12 };
		i += len;
	}
	return nb;
}

static const unsigned char *opts_of(const struct blk *bl, size_t skip,
				    size_t *n)
{
	*n = bl->blen > skip ? bl->blen - skip : 0;
	return bl->body + skip;
}

TEST(pcapng_blocks_read_back)
{
	char path[] = "/tmp/skbs-pcapng-XXXXXX";
	unsigned long long written = 0, skipped = 0;
	static const __u32 types[] = { 0x0A0D0D0A, 1, 6, 1, 6, 1, 6, 6 };
	/* interface, caplen, origlen, comment, ns since the epoch */
	static const struct {
		__u32 ifid, caplen, origlen;
		const char *comment;
		__u64 ts;
	} epb[] = {
		{ 0, 45, 45, COMMENT1, OFFSET + 123456789 },
		{ 1, 31, 1500, COMMENT2, OFFSET + 223456789 },
		{ 2, 45, 45, "skb:consume_skb bad? byte", OFFSET + 323456789 },
		{ 0, 45, 45, NULL, OFFSET + 523456789 },
	};
	static const struct {
		__u16 linktype;
		const char *name, *desc;
	} idb[] = {
		{ 1, "veth0@4026532177", "netns 4026532177 ifindex 3" },
		{ 101, "veth0@4026532177", "netns 4026532177 ifindex 3" },
		{ 1, "if4@4026532177", "netns 4026532177 ifindex 4" },
	};
	int fd = mkstemp(path), nb, ni = 0, ne = 0;
	const unsigned char *d, *o;
	struct blk bl[16];
	unsigned char *b;
	struct stat st;
	char v[256];
	size_t on;
	long n;

	CHECK(fd >= 0);
	close(fd);
	unlink(path); /* pcapng_open creates it */
	CHECK_INT(write_sample(path, &written, &skipped), 0);
	CHECK_INT(written, 4);
	CHECK_INT(skipped, 1);
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_mode & 0777, 0600);
	n = slurp(path, &b);
	unlink(path);
	CHECK(n > 0);
	nb = blocks(b, (size_t)n, bl, 16);
	CHECK_INT(nb, 8);
	for (int i = 0; i < nb; i++) {
		d = bl[i].body;
		CHECK_INT(bl[i].type, types[i]);
		if (i == 0) {
			/* magic, version 1.0, section length -1 */
			CHECK(bl[i].blen >= 16);
			CHECK_INT(u32at(d), 0x1A2B3C4D);
			CHECK_INT(u16at(d + 4), 1);
			CHECK_INT(u16at(d + 6), 0);
			CHECK_INT(u32at(d + 8), 0xffffffff);
			CHECK_INT(u32at(d + 12), 0xffffffff);
			o = opts_of(&bl[i], 16, &on);
			CHECK_INT(find_opt(o, on, 4, v, sizeof(v)), 1);
			CHECK_STR(v, "skbscope");
		} else if (bl[i].type == 1) {
			CHECK(bl[i].blen >= 8);
			CHECK_INT(u16at(d), idb[ni].linktype);
			CHECK_INT(u32at(d + 4), 0); /* snaplen */
			o = opts_of(&bl[i], 8, &on);
			CHECK_INT(find_opt(o, on, 2, v, sizeof(v)), 1);
			CHECK_STR(v, idb[ni].name);
			CHECK_INT(find_opt(o, on, 3, v, sizeof(v)), 1);
			CHECK_STR(v, idb[ni].desc);
			CHECK_INT(find_opt(o, on, 9, v, sizeof(v)), 1);
			CHECK_INT(v[0], 9);
			ni++;
		} else {
			size_t pl = (epb[ne].caplen + 3) & ~3u;

			CHECK(bl[i].blen >= 20 + pl);
			CHECK_INT(u32at(d), epb[ne].ifid);
			CHECK_INT(u32at(d + 4), epb[ne].ts >> 32);
			CHECK_INT(u32at(d + 8), (__u32)epb[ne].ts);
			CHECK_INT(u32at(d + 12), epb[ne].caplen);
			CHECK_INT(u32at(d + 16), epb[ne].origlen);
			CHECK(!memcmp(d + 20,
				      epb[ne].caplen == 45 ? udp4 : udp4 + 14,
				      epb[ne].caplen));
			/* padding is zeros */
			for (size_t k = epb[ne].caplen; k < pl; k++)
				CHECK_INT(d[20 + k], 0);
			o = opts_of(&bl[i], 20 + pl, &on);
			if (epb[ne].comment) {
				CHECK_INT(find_opt(o, on, 1, v, sizeof(v)), 1);
				CHECK_STR(v, epb[ne].comment);
			} else {
				CHECK_INT(on, 0); /* no options at all */
			}
			ne++;
		}
	}
	CHECK_INT(ni, 3);
	CHECK_INT(ne, 4);
}

/* A comment longer than an option holds is cut before the character that
 * does not fit, and stays UTF-8. */
TEST(pcapng_long_comment_cut)
{
	char path[] = "/tmp/skbs-pcapng-XXXXXX";
	static char comment[70000];
	struct skbs_event ev = mkev(3, "veth0", 1, 14, 60, 1);
	struct pcapng *p;
	FILE *f;
	struct blk bl[4];
	unsigned char *b;
	int fd = mkstemp(path);
	long n;

	CHECK(fd >= 0);
	f = fdopen(fd, "wb");
	CHECK(f);
	memset(comment, 'a', sizeof(comment) - 1);
	/* U+00E9 as bytes 65534 and 65535: only its first byte would fit */
	comment[65534] = (char)0xc3;
	comment[65535] = (char)0xa9;
	CHECK_INT(pcapng_open_file(f, 0, &p), 0);
	CHECK_INT(pcapng_write(p, &ev, udp4, comment), 0);
	CHECK_INT(pcapng_close(p), 0);
	n = slurp(path, &b);
	unlink(path);
	CHECK(n > 0);
	CHECK_INT(blocks(b, (size_t)n, bl, 4), 3);
	CHECK_INT(bl[2].type, 6);
	CHECK_INT(bl[2].blen, 20 + 16 + 4 + 65536 + 4);
	CHECK_INT(u16at(bl[2].body + 36), 1);
	CHECK_INT(u16at(bl[2].body + 38), 65534);
	CHECK_INT(bl[2].body[40 + 65533], 'a');
	CHECK_INT(bl[2].body[40 + 65534], 0);
}

TEST(pcapng_open_errors)
{
	char dir[] = "/tmp/skbs-pcapng-XXXXXX", path[64], link[64], err[256];
	struct pcapng *p = NULL;

	CHECK_INT(pcapng_open("/nonexistent-skbs/x.pcapng", 0, &p, err,
			      sizeof(err)),
		  -ENOENT);
	CHECK_STR(err, "cannot create '/nonexistent-skbs/x.pcapng': No such "
		       "file or directory");
	CHECK(p == NULL);
	CHECK(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/target", dir);
	snprintf(link, sizeof(link), "%s/link.pcapng", dir);
	CHECK_INT(symlink(path, link), 0);
	CHECK_INT(pcapng_open(link, 0, &p, err, sizeof(err)), -ELOOP);
	CHECK_HAS(err, "symbolic link");
	CHECK_HAS(err, link);
	CHECK(access(path, F_OK) != 0); /* the target was not created */
	unlink(link);
	rmdir(dir);
}

/* A full disk: the error is kept and returned by flush, write and close. */
TEST(pcapng_write_error_sticks)
{
	struct skbs_event ev = mkev(3, "veth0", 1, sizeof(udp4), 45, 1);
	FILE *f = fopen("/dev/full", "wb");
	struct pcapng *p;

	CHECK(f);
	CHECK_INT(pcapng_open_file(f, 0, &p), 0);
	CHECK_INT(pcapng_write(p, &ev, udp4, "x"), 0); /* buffered */
	CHECK_INT(pcapng_flush(p), -ENOSPC);
	CHECK_INT(pcapng_write(p, &ev, udp4, "x"), -ENOSPC);
	CHECK_INT(pcapng_written(p), 1);
	CHECK_INT(pcapng_close(p), -ENOSPC);
}

/* tshark reads the file without a word on stderr, one line per packet. */
TEST(pcapng_tshark_reads_it)
{
	char path[] = "/tmp/skbs-pcapng-XXXXXX", errpath[64], cmd[512];
	char line[512], out[4][512];
	unsigned long long written, skipped;
	int fd = mkstemp(path), nl = 0, st;
	FILE *f;

	if (access(TSHARK, X_OK)) {
		test_fail(__FILE__, __LINE__,
			  "%s not found: install tshark "
			  "to check pcap-ng output",
			  TSHARK);
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		return;
	}
	CHECK(fd >= 0);
	close(fd);
	unlink(path);
	CHECK_INT(write_sample(path, &written, &skipped), 0);
	snprintf(errpath, sizeof(errpath), "%s.err", path);
	snprintf(cmd, sizeof(cmd),
		 TSHARK " -n -r '%s' -T fields -E separator=/t "
			"-e frame.interface_id -e frame.interface_name "
			"-e frame.len -e frame.cap_len -e frame.time_epoch "
			"-e ip.src -e udp.dstport -e frame.comment 2>'%s'",
		 path, errpath);
	f = popen(cmd, "r");
	CHECK(f);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (nl < 4)
			snprintf(out[nl], sizeof(out[nl]), "%s", line);
		nl++;
	}
	st = pclose(f);
	unlink(path);
	f = fopen(errpath, "r");
	unlink(errpath);
	CHECK(f);
	while (fgets(line, sizeof(line), f)) {
		/* tshark's own warning when the tests run as root */
		if (strstr(line, "Running as user \"root\""))
			continue;
		line[strcspn(line, "\n")] = 0;
		fclose(f);
		CHECK_STR(line, "(nothing on tshark's stderr)");
	}
	fclose(f);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_INT(nl, 4);
	CHECK_STR(out[0], "0\tveth0@4026532177\t45\t45\t"
			  "1700000000.123456789\t10.213.0.1\t7001\t" COMMENT1);
	CHECK_STR(out[1], "1\tveth0@4026532177\t1500\t31\t"
			  "1700000000.223456789\t10.213.0.1\t7001\t" COMMENT2);
	CHECK_STR(out[2], "2\tif4@4026532177\t45\t45\t"
			  "1700000000.323456789\t10.213.0.1\t7001\t"
			  "skb:consume_skb bad? byte");
	CHECK_STR(out[3], "0\tveth0@4026532177\t45\t45\t"
			  "1700000000.523456789\t10.213.0.1\t7001\t");
}
