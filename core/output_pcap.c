// SPDX-License-Identifier: GPL-2.0
/* pcap-ng output: owns the file, the block layout (SHB, IDBs made on first
 * use, one EPB per event with header bytes) and the sticky write error. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/lib/vec.h"
#include "core/outfile.h"
#include "core/output_pcap.h"

#define BT_SHB 0x0A0D0D0A
#define BT_IDB 0x00000001
#define BT_EPB 0x00000006
#define BYTE_ORDER_MAGIC 0x1A2B3C4D

#define OPT_END 0
#define OPT_COMMENT 1
#define SHB_USERAPPL 4
#define IF_NAME 2
#define IF_DESCRIPTION 3
#define IF_TSRESOL 9

#define LINKTYPE_ETHERNET 1
#define LINKTYPE_RAW 101

/* An option value is at most this long (its length field is 16 bits). */
#define OPT_MAX 0xffff

struct pcapng_if {
	__u32 netns;
	__u32 ifindex;
	__u16 linktype;
};

struct pcapng {
	FILE *f;
	long long realtime_offset_ns;
	int err;               /* first write error (errno), sticks */
	struct pcapng_if *ifs; /* index = interface id */
	size_t nifs, ifs_cap;
	size_t last;      /* interface of the previous packet */
	unsigned char *b; /* the block being built */
	size_t len, cap, start;
	int nomem;
	unsigned long long written, skipped;
};

static void put(struct pcapng *p, const void *data, size_t n)
{
	size_t pad = -n & 3;

	if (p->nomem)
		return;
	if (vec_reserve((void **)&p->b, &p->cap, p->len + n + pad, 1)) {
		p->nomem = 1;
		return;
	}
	if (n)
		memcpy(p->b + p->len, data, n);
	memset(p->b + p->len + n, 0, pad);
	p->len += n + pad;
}

static void put32(struct pcapng *p, __u32 v)
{
	put(p, &v, 4);
}

static void opt(struct pcapng *p, __u16 code, const void *data, size_t n)
{
	__u16 h[2] = { code, (__u16)n };

	put(p, h, 4);
	put(p, data, n);
}

static void block_begin(struct pcapng *p, __u32 type)
{
	p->len = 0;
	p->nomem = 0;
	put32(p, type);
	put32(p, 0); /* total length, set by block_end */
}

/* Finish the block and hand it to the stream. 0 or -errno. */
static int block_end(struct pcapng *p)
{
	__u32 total;

	put32(p, 0);
	if (p->nomem)
		return -ENOMEM;
	total = (__u32)p->len;
	memcpy(p->b + 4, &total, 4);
	memcpy(p->b + p->len - 4, &total, 4);
	errno = 0;
	if (fwrite(p->b, 1, p->len, p->f) != p->len) {
		p->err = errno ? errno : EIO;
		return -p->err;
	}
	return 0;
}

/* Length of the valid UTF-8 sequence at s (of n bytes), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t k;
	__u32 c;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		k = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		k = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		k = 4, c = s[0] & 0x07;
	else
		return 0;
	if (n < k)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((k == 3 && c < 0x800) || (k == 4 && c < 0x10000) || c > 0x10ffff ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return k;
}

/* Readers reject strings that are not UTF-8: make each bad byte a '?', and
 * with ctrl each control character too. */
static void utf8_fix(char *str, size_t n, int ctrl)
{
	unsigned char *s = (unsigned char *)str;

	for (size_t i = 0, k; i < n; i += k) {
		k = utf8_seq(s + i, n - i);
		if (!k || (ctrl && (s[i] < 0x20 || s[i] == 0x7f))) {
			s[i] = '?';
			k = 1;
		}
	}
}

/* A string option, cut to fit (at a character boundary) and made UTF-8. */
static void opt_str(struct pcapng *p, __u16 code, const char *s)
{
	size_t n = strlen(s), at;

	if (n > OPT_MAX) {
		n = OPT_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	if (!n)
		return;
	at = p->len + 4;
	opt(p, code, s, n);
	if (!p->nomem)
		utf8_fix((char *)p->b + at, n, 0);
}

static int write_shb(struct pcapng *p)
{
	__u32 magic = BYTE_ORDER_MAGIC;
	__u16 version[2] = { 1, 0 };
	long long section_len = -1; /* not given */

	block_begin(p, BT_SHB);
	put(p, &magic, 4);
	put(p, version, 4);
	put(p, &section_len, 8);
	opt_str(p, SHB_USERAPPL, "skbscope");
	opt(p, OPT_END, NULL, 0);
	return block_end(p);
}

static int write_idb(struct pcapng *p, const struct skbs_event *ev,
		     __u16 linktype)
{
	__u16 lt[2] = { linktype, 0 };
	size_t n = strnlen(ev->ifname, sizeof(ev->ifname));
	unsigned char tsresol = 9; /* nanoseconds */
	char name[64], desc[64];

	if (n) {
		snprintf(name, sizeof(name), "%.*s@%u", (int)n, ev->ifname,
			 ev->netns);
		utf8_fix(name, n, 1);
	} else {
		snprintf(name, sizeof(name), "if%u@%u", ev->ifindex, ev->netns);
	}
	snprintf(desc, sizeof(desc), "netns %u ifindex %u", ev->netns,
		 ev->ifindex);
	block_begin(p, BT_IDB);
	put(p, lt, 4);
	put32(p, 0); /* snaplen: no limit */
	opt_str(p, IF_NAME, name);
	opt_str(p, IF_DESCRIPTION, desc);
	opt(p, IF_TSRESOL, &tsresol, 1);
	opt(p, OPT_END, NULL, 0);
	return block_end(p);
}

/* The interface id for the event, writing its IDB the first time. */
static int iface(struct pcapng *p, const struct skbs_event *ev, __u16 linktype,
		 __u32 *id)
{
	struct pcapng_if *e;
	int ret;

	if (p->last < p->nifs) {
		e = &p->ifs[p->last];
		if (e->netns == ev->netns && e->ifindex == ev->ifindex &&
		    e->linktype == linktype)
			goto found;
	}
	for (size_t i = 0; i < p->nifs; i++) {
		e = &p->ifs[i];
		if (e->netns == ev->netns && e->ifindex == ev->ifindex &&
		    e->linktype == linktype) {
			p->last = i;
			goto found;
		}
	}
	if (p->nifs >= 0xffffffffU)
		return -E2BIG;
	if (VEC_RESERVE(p->ifs, p->ifs_cap, p->nifs + 1))
		return -ENOMEM;
	ret = write_idb(p, ev, linktype);
	if (ret)
		return ret;
	e = &p->ifs[p->nifs];
	*e = (struct pcapng_if){ ev->netns, ev->ifindex, linktype };
	p->last = p->nifs++;
found:
	*id = (__u32)p->last;
	return 0;
}

int pcapng_open_file(FILE *f, long long realtime_offset_ns, struct pcapng **out)
{
	struct pcapng *p;
	int ret;

	if (!f || !out)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->f = f;
	p->realtime_offset_ns = realtime_offset_ns;
	ret = write_shb(p);
	if (ret) {
		free(p->b);
		free(p);
		return ret;
	}
	*out = p;
	return 0;
}

int pcapng_open(const char *path, long long realtime_offset_ns,
		struct pcapng **out, char *err, size_t errlen)
{
	int ret;
	FILE *f;

	if (err && errlen)
		err[0] = 0;
	if (!path || !*path || !out) {
		if (err && errlen)
			snprintf(err, errlen, "no pcap-ng file name");
		return -EINVAL;
	}
	ret = outfile_fopen(path, &f, err, errlen);
	if (ret)
		return ret;
	ret = pcapng_open_file(f, realtime_offset_ns, out);
	if (ret) {
		fclose(f);
		if (err && errlen)
			snprintf(err, errlen, "cannot write '%s': %s", path,
				 strerror(-ret));
	}
	return ret;
}

int pcapng_write(struct pcapng *p, const struct skbs_event *ev,
		 const unsigned char *hdr, const char *comment)
{
	__u16 linktype;
	__u32 caplen, origlen;
	__u64 ts;
	__u32 id;
	int ret;

	if (!p || !ev || (ev->hdr_len && !hdr))
		return -EINVAL;
	if (p->err)
		return -p->err;
	if (!ev->hdr_len) {
		p->skipped++;
		return 0;
	}
	linktype = ev->flags & SKBS_EV_HDR_L2 ? LINKTYPE_ETHERNET :
						LINKTYPE_RAW;
	ret = iface(p, ev, linktype, &id);
	if (ret)
		return ret;
	caplen = ev->hdr_len;
	origlen = ev->len > caplen ? ev->len : caplen;
	ts = ev->ts + (__u64)p->realtime_offset_ns;
	if (p->realtime_offset_ns < 0 && ts > ev->ts)
		ts = 0; /* before the epoch: cannot be written */
	block_begin(p, BT_EPB);
	put32(p, id);
	put32(p, (__u32)(ts >> 32));
	put32(p, (__u32)ts);
	put32(p, caplen);
	put32(p, origlen);
	put(p, hdr, caplen);
	if (comment && *comment) {
		opt_str(p, OPT_COMMENT, comment);
		opt(p, OPT_END, NULL, 0);
	}
	ret = block_end(p);
	if (ret)
		return ret;
	p->written++;
	return 0;
}

unsigned long long pcapng_written(const struct pcapng *p)
{
	return p ? p->written : 0;
}

unsigned long long pcapng_skipped(const struct pcapng *p)
{
	return p ? p->skipped : 0;
}

int pcapng_flush(struct pcapng *p)
{
	if (!p)
		return -EINVAL;
	if (p->err)
		return -p->err;
	errno = 0;
	if (fflush(p->f) || ferror(p->f))
		p->err = errno ? errno : EIO;
	return -p->err;
}

int pcapng_close(struct pcapng *p)
{
	int ret;

	if (!p)
		return 0;
	ret = pcapng_flush(p);
	errno = 0;
	if (fclose(p->f) && !ret)
		ret = errno ? -errno : -EIO;
	free(p->ifs);
	free(p->b);
	free(p);
	return ret;
}
