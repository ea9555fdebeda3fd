// SPDX-License-Identifier: GPL-2.0
/* Parsing and printing of filters; strict, so a typo is never a no-op. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <linux/sched.h>
#include "core/filter.h"
#include "core/pcapexpr.h"
#include "core/skbexpr.h"

void filter_init(struct skbs_filter *f)
{
	memset(f, 0, sizeof(*f));
}

/* Strict unsigned: decimal, or hex with 0x when hex_ok. No sign, no
 * spaces, nothing after. */
static int parse_u64(const char *s, int hex_ok, unsigned long long max,
		     unsigned long long *out)
{
	unsigned long long v;
	char *end;
	int base = 10;

	if (!s || !*s || !isdigit((unsigned char)*s))
		return -EINVAL;
	if (hex_ok && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		if (!isxdigit((unsigned char)s[2]))
			return -EINVAL;
	}
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int filter_set_addr(struct skbs_filter *f, int dst, const char *text, char *err,
		    size_t errlen)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash;
	__u8 addr[16] = { 0 };
	unsigned long long plen;
	int fam, maxlen;

	if (!text || strlen(text) >= sizeof(buf))
		goto bad;
	strcpy(buf, text);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, addr) == 1) {
		fam = 4;
		maxlen = 32;
	} else if (inet_pton(AF_INET6, buf, addr) == 1) {
		fam = 6;
		maxlen = 128;
	} else {
		goto bad;
	}
	plen = maxlen;
	if (slash && parse_u64(slash, 0, maxlen, &plen))
		goto bad;
	for (int i = 0; i < 16; i++) {
		int bits = (int)plen - 8 * i;

		if (bits <= 0)
			addr[i] = 0;
		else if (bits < 8)
			addr[i] &= (__u8)(0xff << (8 - bits));
	}
	if ((f->flags & (dst ? SKBS_F_SADDR : SKBS_F_DADDR)) &&
	    (dst ? f->saddr_family : f->daddr_family) != fam) {
		snprintf(err, errlen,
			 "--filter-%s-ip: '%s' is IPv%d but the "
			 "%s address is IPv%d: no packet has both",
			 dst ? "dst" : "src", text, fam,
			 dst ? "source" : "destination", fam == 4 ? 6 : 4);
		return -EINVAL;
	}
	if (dst) {
		memcpy(f->daddr, addr, 16);
		f->daddr_family = (__u8)fam;
		f->daddr_plen = (__u8)plen;
		f->flags |= SKBS_F_DADDR;
	} else {
		memcpy(f->saddr, addr, 16);
		f->saddr_family = (__u8)fam;
		f->saddr_plen = (__u8)plen;
		f->flags |= SKBS_F_SADDR;
	}
	return 0;
bad:
	snprintf(err, errlen,
		 "--filter-%s-ip: invalid IP address or prefix "
		 "'%s'",
		 dst ? "dst" : "src", text ? text : "");
	return -EINVAL;
}

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

int filter_set_cgroup(struct skbs_filter *f, const char *text, const char *root,
		      char *err, size_t errlen)
{
	unsigned long long id;
	char path[PATH_MAX];
	struct statfs sfs;
	struct stat st = { 0 };

	if (!text || !*text) {
		snprintf(err, errlen, "--filter-cgroup: empty value");
		return -EINVAL;
	}
	/* An id as the events and filter_format show it. */
	if (!parse_u64(text, 0, ~0ULL, &id)) {
		if (!id) {
			snprintf(err, errlen,
				 "--filter-cgroup: invalid cgroup id '%s'",
				 text);
			return -EINVAL;
		}
		f->cgroup = id;
		f->flags |= SKBS_F_CGROUP;
		return 0;
	}
	/* A path under the cgroup v2 root, with or without the root. */
	if (!strncmp(text, root, strlen(root)) &&
	    (text[strlen(root)] == '/' || !text[strlen(root)]))
		snprintf(path, sizeof(path), "%s", text);
	else if (snprintf(path, sizeof(path), "%s%s%s", root,
			  text[0] == '/' ? "" : "/",
			  text) >= (int)sizeof(path)) {
		snprintf(err, errlen, "--filter-cgroup: path too long");
		return -EINVAL;
	}
	if (strstr(path, "/../") ||
	    (strlen(path) >= 3 && !strcmp(path + strlen(path) - 3, "/.."))) {
		snprintf(err, errlen,
			 "--filter-cgroup: '%s': '..' is not allowed", text);
		return -EINVAL;
	}
	if (stat(path, &st) || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen,
			 "--filter-cgroup: no such cgroup '%s' (%s: %s)", text,
			 path,
			 S_ISDIR(st.st_mode) || !st.st_mode ?
				 strerror(errno) :
				 "not a directory");
		return -EINVAL;
	}
	if (statfs(path, &sfs) || sfs.f_type != CGROUP2_SUPER_MAGIC) {
		snprintf(err, errlen,
			 "--filter-cgroup: '%s' is not a cgroup v2 directory",
			 text);
		return -EINVAL;
	}
	f->cgroup = (__u64)st.st_ino;
	f->flags |= SKBS_F_CGROUP;
	return 0;
}

int filter_set_port(struct skbs_filter *f, int dst, const char *text, char *err,
		    size_t errlen)
{
	unsigned long long v;

	if (parse_u64(text, 0, 65535, &v) || v == 0) {
		snprintf(err, errlen,
			 "--filter-%s-port: invalid port '%s' "
			 "(expected 1 to 65535)",
			 dst ? "dst" : "src", text ? text : "");
		return -EINVAL;
	}
	if (dst) {
		f->dport = (__u16)v;
		f->flags |= SKBS_F_DPORT;
	} else {
		f->sport = (__u16)v;
		f->flags |= SKBS_F_SPORT;
	}
	return 0;
}

static const struct {
	const char *name;
	__u8 num;
} protos[] = {
	{ "icmp", 1 },   { "tcp", 6 },     { "udp", 17 },
	{ "icmp6", 58 }, { "icmpv6", 58 }, { "sctp", 132 },
};

int filter_set_proto(struct skbs_filter *f, const char *text, char *err,
		     size_t errlen)
{
	unsigned long long v;

	for (size_t i = 0; text && i < sizeof(protos) / sizeof(protos[0]);
	     i++) {
		if (!strcasecmp(text, protos[i].name)) {
			f->proto = protos[i].num;
			f->flags |= SKBS_F_PROTO;
			return 0;
		}
	}
	if (parse_u64(text, 0, 255, &v)) {
		snprintf(err, errlen,
			 "--filter-proto: invalid protocol '%s' "
			 "(expected tcp, udp, icmp, icmp6 or 0 to 255)",
			 text ? text : "");
		return -EINVAL;
	}
	f->proto = (__u8)v;
	f->flags |= SKBS_F_PROTO;
	return 0;
}

int filter_set_mark(struct skbs_filter *f, const char *text, char *err,
		    size_t errlen)
{
	unsigned long long mark, mask = 0xffffffffULL;
	char buf[64], *slash;

	if (!text || strlen(text) >= sizeof(buf))
		goto bad;
	strcpy(buf, text);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	if (parse_u64(buf, 1, 0xffffffffULL, &mark) ||
	    (slash && parse_u64(slash, 1, 0xffffffffULL, &mask)))
		goto bad;
	f->mark = (__u32)(mark & mask);
	f->mark_mask = (__u32)mask;
	f->flags |= SKBS_F_MARK;
	return 0;
bad:
	snprintf(err, errlen,
		 "--filter-mark: invalid mark '%s' (expected "
		 "MARK[/MASK], 32-bit, decimal or 0x hex)",
		 text ? text : "");
	return -EINVAL;
}

/* The kind of namespace at path (on nsfs, so opening cannot block);
 * CLONE_NEWNET where the kernel cannot tell (before 4.11). */
static int ns_type(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), t;

	if (fd < 0)
		return -errno;
	t = ioctl(fd, NS_GET_NSTYPE);
	if (t < 0)
		t = errno == ENOTTY ? CLONE_NEWNET : -errno;
	close(fd);
	return t;
}

int filter_set_netns(struct skbs_filter *f, const char *text,
		     const char *netns_dir, char *err, size_t errlen)
{
	unsigned long long ino;
	char path[PATH_MAX];
	struct statfs sfs;
	struct stat st;
	int type = 0;

	if (!text || !*text) {
		snprintf(err, errlen, "--filter-netns: empty value");
		return -EINVAL;
	}
	/* pwru's "inode:N" is the bare inode with its prefix. */
	if (!strncmp(text, "inode:", 6)) {
		if (parse_u64(text + 6, 0, 0xffffffffULL, &ino) || !ino) {
			snprintf(err, errlen,
				 "--filter-netns: invalid inode '%s' (expected "
				 "inode:N, N from 1 to 4294967295)",
				 text);
			return -EINVAL;
		}
		f->netns = (__u32)ino;
		f->flags |= SKBS_F_NETNS;
		return 0;
	}
	if (!parse_u64(text, 0, 0xffffffffULL, &ino)) {
		if (!ino) {
			snprintf(err, errlen,
				 "--filter-netns: invalid inode "
				 "'%s'",
				 text);
			return -EINVAL;
		}
		f->netns = (__u32)ino;
		f->flags |= SKBS_F_NETNS;
		return 0;
	}
	if (strchr(text, '/')) {
		snprintf(path, sizeof(path), "%s", text);
	} else {
		if (!strcmp(text, ".") || !strcmp(text, "..") ||
		    snprintf(path, sizeof(path), "%s/%s", netns_dir, text) >=
			    (int)sizeof(path)) {
			snprintf(err, errlen,
				 "--filter-netns: invalid name "
				 "'%s'",
				 text);
			return -EINVAL;
		}
	}
	if (stat(path, &st)) {
		snprintf(err, errlen,
			 "--filter-netns: no such network "
			 "namespace '%s' (%s: %s)",
			 text, path, strerror(errno));
		return -EINVAL;
	}
	/* Any file has an inode: /etc/passwd, or a name left behind in
	 * /var/run/netns after its namespace went, would filter on a number
	 * no packet carries. Namespaces live on nsfs. */
	if (statfs(path, &sfs) || sfs.f_type != NSFS_MAGIC ||
	    (type = ns_type(path)) != CLONE_NEWNET) {
		if (type < 0)
			snprintf(err, errlen, "--filter-netns: '%s': %s", text,
				 strerror(-type));
		else
			snprintf(err, errlen,
				 "--filter-netns: '%s' is not a "
				 "network namespace",
				 text);
		return -EINVAL;
	}
	f->netns = (__u32)st.st_ino;
	f->flags |= SKBS_F_NETNS;
	return 0;
}

int filter_set_ifname(struct skbs_filter *f, const char *text, char *err,
		      size_t errlen)
{
	size_t l = text ? strlen(text) : 0;

	if (!l || l >= SKBS_IFNAMSIZ || strchr(text, '/') ||
	    strpbrk(text, " \t\n:")) {
		snprintf(err, errlen,
			 "--filter-ifname: invalid interface "
			 "name '%s' (1 to 15 characters, no '/', ':' or "
			 "space)",
			 text ? text : "");
		return -EINVAL;
	}
	memset(f->ifname, 0, sizeof(f->ifname));
	memcpy(f->ifname, text, l);
	f->flags |= SKBS_F_IFNAME;
	return 0;
}

int filter_set_expr(struct skbs_filter *f, int root, const char *text,
		    char *err, size_t errlen, int *bad_off)
{
	const char *flag = root == SKBEXPR_XDP ? "--filter-xdp-expr" :
						 "--filter-skb-expr";
	struct skbs_expr *e = root == SKBEXPR_XDP ? &f->xdp_expr : &f->skb_expr;
	char *keep = root == SKBEXPR_XDP ? f->xdp_expr_text : f->skb_expr_text;
	struct skbs_expr tmp;
	char msg[256];
	size_t l;

	if (!text)
		text = "";
	l = strlen(text);
	while (l && isspace((unsigned char)text[l - 1]))
		l--;
	if (l >= SKBS_EXPR_TEXT) {
		snprintf(err, errlen,
			 "%s: expression too long (%zu bytes; at "
			 "most %d)",
			 flag, l, SKBS_EXPR_TEXT - 1);
		if (bad_off)
			*bad_off = 0;
		return -EINVAL;
	}
	if (skbexpr_compile(skbexpr_types_get(), root, text, &tmp, msg,
			    sizeof(msg), bad_off)) {
		snprintf(err, errlen, "%s '%.*s': %s", flag, (int)l, text, msg);
		return -EINVAL;
	}
	*e = tmp;
	memset(keep, 0, SKBS_EXPR_TEXT);
	memcpy(keep, text, l);
	f->flags |= root == SKBEXPR_XDP ? SKBS_F_XDP_EXPR : SKBS_F_SKB_EXPR;
	return 0;
}

int filter_set_meta(struct skbs_filter *f, const char *text, char *err,
		    size_t errlen)
{
	struct skbs_field fl[SKBS_META_MAX];
	char one[SKBS_EXPR_TEXT], msg[256];
	const char *p = text ? text : "";
	__u8 n = 0;

	for (;;) {
		size_t l = strcspn(p, ",");

		if (n == SKBS_META_MAX) {
			snprintf(err, errlen,
				 "--output-skb-metadata '%s': at most %d "
				 "fields",
				 text, SKBS_META_MAX);
			return -EINVAL;
		}
		if (l >= sizeof(one)) {
			snprintf(err, errlen,
				 "--output-skb-metadata: field too long");
			return -EINVAL;
		}
		snprintf(one, sizeof(one), "%.*s", (int)l, p);
		if (!one[strspn(one, " \t")]) {
			snprintf(err, errlen,
				 "--output-skb-metadata '%s': empty field",
				 text);
			return -EINVAL;
		}
		if (skbexpr_field(skbexpr_types_get(), SKBEXPR_SKB, one, &fl[n],
				  msg, sizeof(msg))) {
			snprintf(err, errlen, "--output-skb-metadata '%s': %s",
				 text, msg);
			return -EINVAL;
		}
		n++;
		if (!p[l])
			break;
		p += l + 1;
	}
	memcpy(f->meta, fl, sizeof(fl[0]) * n);
	f->nmeta = n;
	snprintf(f->meta_text, sizeof(f->meta_text), "%s", text);
	f->output |= SKBS_O_META;
	return 0;
}

/* Filter-bar keywords and the flag bit each sets, to refuse repeats. */
static const struct {
	const char *kw;
	__u32 flag;
} keywords[] = {
	{ "src", SKBS_F_SADDR },   { "dst", SKBS_F_DADDR },
	{ "sport", SKBS_F_SPORT }, { "dport", SKBS_F_DPORT },
	{ "proto", SKBS_F_PROTO }, { "mark", SKBS_F_MARK },
	{ "netns", SKBS_F_NETNS }, { "ifname", SKBS_F_IFNAME },
	{ "dev", SKBS_F_IFNAME },  { "cgroup", SKBS_F_CGROUP },
};

/* Does a term start an expression: "skb"/"xdp" alone or "skb->..."?
 * The root (SKBEXPR_SKB, SKBEXPR_XDP), or -1. */
static int expr_root(const char *t, size_t len)
{
	static const char *const w[] = { "skb", "xdp" };

	for (int i = 0; i < 2; i++)
		if (len >= 3 && !strncmp(t, w[i], 3) &&
		    (len == 3 || !strncmp(t + 3, "->", 2)))
			return i;
	return -1;
}

/* Where an expression from s[p] ends: at a word "and" outside
 * parentheses (an expression writes "&&"), or at the end. */
static size_t expr_end(const char *s, size_t p)
{
	int depth = 0;

	for (; s[p]; p++) {
		if (s[p] == '(')
			depth++;
		else if (s[p] == ')' && depth)
			depth--;
		else if (!depth && isspace((unsigned char)s[p]) &&
			 !strncmp(s + p + 1, "and", 3) &&
			 (!s[p + 4] || isspace((unsigned char)s[p + 4])))
			return p;
	}
	return p;
}

/* Next whitespace-separated token (offset and length); 0 at the end. */
static int next_token(const char *s, size_t *pos, size_t *start, size_t *len)
{
	size_t p = *pos;

	while (s[p] && isspace((unsigned char)s[p]))
		p++;
	if (!s[p])
		return 0;
	*start = p;
	while (s[p] && !isspace((unsigned char)s[p]))
		p++;
	*len = p - *start;
	*pos = p;
	return 1;
}

/* libpcap's own words, without the "pcap-filter 'EXPR': " we put first. */
static const char *pcap_reason(const char *msg)
{
	static const char cant[] = "can't parse filter expression: ";
	const char *p = strstr(msg, "': ");

	p = p ? p + 3 : msg;
	return strncmp(p, cant, sizeof(cant) - 1) ? p : p + sizeof(cant) - 1;
}

/* Expression terms (pcap, tunnel) run to the end of the line or to a
 * ';', which pcap-filter syntax never uses, so that terms can follow.
 * which: 0 pcap, 1 tunnel l2, 2 tunnel l3. Sets *next past the ';'. */
static int set_expr(struct skbs_filter *f, int which, const char *text,
		    size_t start, size_t *next, int *more, char *err,
		    size_t errlen)
{
	const char *semi = strchr(text + start, ';');
	size_t end = semi ? (size_t)(semi - text) : strlen(text);
	char buf[SKBS_PCAP_TEXT + 1];
	int ret;

	if (end - start >= sizeof(buf)) {
		snprintf(err, errlen,
			 "pcap-filter expression too long (%zu bytes; at "
			 "most %d)",
			 end - start, SKBS_PCAP_TEXT - 1);
		return -E2BIG;
	}
	snprintf(buf, sizeof(buf), "%.*s", (int)(end - start), text + start);
	if (which && !buf[strspn(buf, " \t")]) {
		snprintf(err, errlen, "missing expression");
		return -EINVAL;
	}
	if (which == 0)
		ret = pcapexpr_set(f, buf, err, errlen);
	else
		ret = pcapexpr_set_tunnel(f, which == 1, buf, err, errlen);
	if (ret)
		return ret;
	*next = semi ? end + 1 : end;
	*more = !!semi;
	return 0;
}

int filter_parse(const char *text, const char *netns_dir,
		 struct skbs_filter *out, char *err, size_t errlen,
		 int *bad_off)
{
	struct skbs_filter f;
	size_t pos = 0, ks, kl, vs, vl, term;
	char kw[32], val[256], msg[256];
	int expect_term = 1, nterms = 0, ret, more = 0;

	filter_init(&f);
	/* Only the match fields change; what to capture stays. */
	f.output = out->output;
	f.snaplen = out->snaplen;
	f.flags = out->flags & (SKBS_F_TRACK | SKBS_F_STACKID);
	f.nmeta = out->nmeta;
	memcpy(f.meta, out->meta, sizeof(f.meta));
	memcpy(f.meta_text, out->meta_text, sizeof(f.meta_text));
	if (bad_off)
		*bad_off = -1;
	while (next_token(text, &pos, &ks, &kl)) {
		__u32 flag = 0;
		size_t i;

		if (!expect_term) {
			if ((kl == 3 && !strncmp(text + ks, "and", 3)) ||
			    (kl == 2 && !strncmp(text + ks, "&&", 2)) ||
			    (kl == 1 && text[ks] == ';')) {
				expect_term = 1;
				continue;
			}
			snprintf(err, errlen, "expected 'and' before '%.*s'",
				 (int)kl, text + ks);
			goto bad;
		}
		snprintf(kw, sizeof(kw), "%.*s", (int)kl, text + ks);
		if ((ret = expr_root(text + ks, kl)) >= 0) {
			/* "skb EXPR" or "skb->mark == 1": to the next "and"
			 * outside parentheses. */
			int root = ret, off = -1;
			size_t e = kl == 3 ? pos : ks, end = expr_end(text, e);
			char ex[SKBS_EXPR_TEXT];

			if (f.flags &
			    (root ? SKBS_F_XDP_EXPR : SKBS_F_SKB_EXPR)) {
				snprintf(err, errlen,
					 "'%s' expression given twice",
					 root ? "xdp" : "skb");
				goto bad;
			}
			while (e < end && isspace((unsigned char)text[e]))
				e++;
			if (end - e >= sizeof(ex)) {
				snprintf(err, errlen, "%s: expression too long",
					 root ? "xdp" : "skb");
				goto bad;
			}
			snprintf(ex, sizeof(ex), "%.*s", (int)(end - e),
				 text + e);
			if (filter_set_expr(&f, root, ex, msg, sizeof(msg),
					    &off)) {
				const char *m = strstr(msg, "': ");

				snprintf(err, errlen, "%s: %s",
					 root ? "xdp" : "skb", m ? m + 3 : msg);
				ks = e + (off > 0 ? (size_t)off : 0);
				goto bad;
			}
			pos = end;
			nterms++;
			expect_term = 0;
			continue;
		}
		if (!strcmp(kw, "pcap")) {
			/* "pcap EXPR": the rest of the line, explicitly. */
			size_t e = pos;

			while (text[e] && isspace((unsigned char)text[e]))
				e++;
			if (!text[e]) {
				snprintf(err, errlen,
					 "pcap: missing expression");
				goto bad;
			}
			if (set_expr(&f, 0, text, e, &pos, &more, err,
				     errlen)) {
				ks = e;
				goto bad;
			}
			nterms++;
			expect_term = more;
			continue;
		}
		if (!strcmp(kw, "tunnel") || !strcmp(kw, "tunnel-l2") ||
		    !strcmp(kw, "tunnel-l3")) {
			/* "tunnel[-l2|-l3] EXPR": --filter-tunnel-pcap-l2/-l3
			 * (plain "tunnel" is l3, the inner IP packet). */
			int which = !strcmp(kw, "tunnel-l2") ? 1 : 2;
			__u32 bit = which == 1 ? SKBS_F_TUN_L2 : SKBS_F_TUN_L3;

			if (f.flags & bit) {
				snprintf(err, errlen, "'%s' given twice", kw);
				goto bad;
			}
			if (set_expr(&f, which, text, pos, &pos, &more, msg,
				     sizeof(msg))) {
				const char *m = strstr(msg, "': ");

				snprintf(err, errlen, "%s: %s", kw,
					 m ? pcap_reason(msg) : msg);
				goto bad;
			}
			nterms++;
			expect_term = more;
			continue;
		}
		for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
			if (kl < sizeof(kw) && !strcmp(kw, keywords[i].kw))
				flag = keywords[i].flag;
		if (!flag) {
			/* Not one of ours: the rest of the line is a
			 * pcap-filter expression ("dport 80 and tcp[13] & 2
			 * != 0", or tcpdump syntax from the start). */
			if (!set_expr(&f, 0, text, ks, &pos, &more, msg,
				      sizeof(msg))) {
				nterms++;
				expect_term = more;
				continue;
			}
			snprintf(err, errlen,
				 "unknown keyword '%.*s'; "
				 "pcap-filter: %s",
				 (int)kl, text + ks, pcap_reason(msg));
			goto bad;
		}
		if (f.flags & flag) {
			snprintf(err, errlen, "'%s' given twice", kw);
			goto bad;
		}
		term = ks;
		if (!next_token(text, &pos, &vs, &vl)) {
			if (!set_expr(&f, 0, text, ks, &pos, &more, msg,
				      sizeof(msg))) {
				/* "dst host" style, or a lone "tcp" ... */
				nterms++;
				expect_term = more;
				continue;
			}
			snprintf(err, errlen, "%s: missing value", kw);
			goto bad;
		}
		ks = vs;
		kl = vl;
		if (vl >= sizeof(val)) {
			snprintf(err, errlen, "%s: value too long", kw);
			goto bad;
		}
		snprintf(val, sizeof(val), "%.*s", (int)vl, text + vs);
		switch (flag) {
		case SKBS_F_SADDR:
		case SKBS_F_DADDR:
			ret = filter_set_addr(&f, flag == SKBS_F_DADDR, val,
					      msg, sizeof(msg));
			break;
		case SKBS_F_SPORT:
		case SKBS_F_DPORT:
			ret = filter_set_port(&f, flag == SKBS_F_DPORT, val,
					      msg, sizeof(msg));
			break;
		case SKBS_F_PROTO:
			ret = filter_set_proto(&f, val, msg, sizeof(msg));
			break;
		case SKBS_F_MARK:
			ret = filter_set_mark(&f, val, msg, sizeof(msg));
			break;
		case SKBS_F_NETNS:
			ret = filter_set_netns(&f, val, netns_dir, msg,
					       sizeof(msg));
			break;
		case SKBS_F_CGROUP:
			ret = filter_set_cgroup(&f, val, CGROUP_ROOT, msg,
						sizeof(msg));
			break;
		default:
			ret = filter_set_ifname(&f, val, msg, sizeof(msg));
			break;
		}
		if (ret && !set_expr(&f, 0, text, ks = term, &pos, &more, err,
				     errlen)) {
			/* "dst port 80" is tcpdump's, not ours: the rest of
			 * the line is a pcap-filter expression. */
			nterms++;
			expect_term = more;
			continue;
		}
		if (ret) {
			/* The flag form names "--filter-x"; here the keyword
			 * is what the user typed. */
			ks = vs;
			const char *m = strstr(msg, ": ");

			snprintf(err, errlen, "%s: %s", kw, m ? m + 2 : msg);
			goto bad;
		}
		expect_term = 0;
		nterms++;
	}
	if (expect_term && nterms) {
		snprintf(err, errlen, "filter ends with 'and'");
		ks = strlen(text);
		goto bad;
	}
	*out = f;
	return 0;
bad:
	if (bad_off)
		*bad_off = (int)ks;
	return -EINVAL;
}

static int put_addr(char *buf, size_t len, const char *kw, int fam,
		    const __u8 *a, int plen)
{
	char s[INET6_ADDRSTRLEN];

	inet_ntop(fam == 6 ? AF_INET6 : AF_INET, a, s, sizeof(s));
	if (plen == (fam == 6 ? 128 : 32))
		return snprintf(buf, len, "%s %s", kw, s);
	return snprintf(buf, len, "%s %s/%d", kw, s, plen);
}

int filter_format(const struct skbs_filter *f, char *buf, size_t len)
{
	size_t n = 0;
	char term[96];

	if (len)
		buf[0] = '\0';
#define ADD(...)                                                     \
	do {                                                         \
		snprintf(term, sizeof(term), __VA_ARGS__);           \
		n += (size_t)snprintf(buf + (n < len ? n : len),     \
				      n < len ? len - n : 0, "%s%s", \
				      n ? " and " : "", term);       \
	} while (0)
	if (f->flags & SKBS_F_SADDR) {
		char t1[96];

		put_addr(t1, sizeof(t1), "src", f->saddr_family, f->saddr,
			 f->saddr_plen);
		ADD("%s", t1);
	}
	if (f->flags & SKBS_F_DADDR) {
		char t2[96];

		put_addr(t2, sizeof(t2), "dst", f->daddr_family, f->daddr,
			 f->daddr_plen);
		ADD("%s", t2);
	}
	if (f->flags & SKBS_F_SPORT)
		ADD("sport %u", f->sport);
	if (f->flags & SKBS_F_DPORT)
		ADD("dport %u", f->dport);
	if (f->flags & SKBS_F_PROTO) {
		const char *name = NULL;

		for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
			if (protos[i].num == f->proto && !name)
				name = protos[i].name;
		if (name)
			ADD("proto %s", name);
		else
			ADD("proto %u", f->proto);
	}
	if (f->flags & SKBS_F_MARK) {
		if (f->mark_mask == 0xffffffffU)
			ADD("mark 0x%x", f->mark);
		else
			ADD("mark 0x%x/0x%x", f->mark, f->mark_mask);
	}
	if (f->flags & SKBS_F_NETNS)
		ADD("netns %u", f->netns);
	if (f->flags & SKBS_F_IFNAME)
		ADD("ifname %.16s", f->ifname);
	/* The expressions are written whole: a term may be longer than
	 * term[] holds. */
	for (int r = 0; r < 2; r++) {
		const char *t = r ? f->xdp_expr_text : f->skb_expr_text;
		const char *w = r ? "xdp" : "skb";

		if (!(f->flags & (r ? SKBS_F_XDP_EXPR : SKBS_F_SKB_EXPR)))
			continue;
		n += (size_t)snprintf(
			buf + (n < len ? n : len), n < len ? len - n : 0,
			"%s%s%s%.*s", n ? " and " : "",
			strncmp(t, w, 3) || strncmp(t + 3, "->", 2) ? w : "",
			strncmp(t, w, 3) || strncmp(t + 3, "->", 2) ? " " : "",
			SKBS_EXPR_TEXT, t);
	}
	if (f->flags & SKBS_F_CGROUP)
		ADD("cgroup %llu", (unsigned long long)f->cgroup);
	/* Last: an expression runs to the end of the line. */
	if (f->flags & SKBS_F_PCAP)
		n += (size_t)snprintf(buf + (n < len ? n : len),
				      n < len ? len - n : 0, "%spcap %s",
				      n ? " and " : "", f->pcap_text);
	/* After an expression, ';' ends it. */
	if (f->flags & SKBS_F_TUN_L2)
		n += (size_t)snprintf(buf + (n < len ? n : len),
				      n < len ? len - n : 0, "%stunnel-l2 %s",
				      !n                       ? "" :
				      (f->flags & SKBS_F_PCAP) ? " ; " :
								 " and ",
				      f->tun_text_l2);
	if (f->flags & SKBS_F_TUN_L3)
		n += (size_t)snprintf(
			buf + (n < len ? n : len), n < len ? len - n : 0,
			"%stunnel-l3 %s",
			!n                                         ? "" :
			(f->flags & (SKBS_F_PCAP | SKBS_F_TUN_L2)) ? " ; " :
								     " and ",
			f->tun_text_l3);
#undef ADD
	return (int)n;
}
