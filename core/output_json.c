// SPDX-License-Identifier: GPL-2.0
/* JSON lines for events. Every string from the kernel (comm, ifname) is
 * escaped: a process can name itself anything. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include "core/event.h"
#include "core/explain.h"
#include "core/output_json.h"
#include "core/retval.h"

/* Length of a valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t want, i;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0 && s[0] >= 0xc2)
		want = 2;
	else if ((s[0] & 0xf0) == 0xe0)
		want = 3;
	else if ((s[0] & 0xf8) == 0xf0 && s[0] <= 0xf4)
		want = 4;
	else
		return 0;
	if (want > n)
		return 0;
	for (i = 1; i < want; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return want;
}

int json_string(const char *s, size_t n, char *buf, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t o = 0, i = 0;

	/* c is evaluated once, whether or not it fits: callers pass
	 * u[i++]. */
#define OUT(c)                       \
	do {                         \
		char _c = (char)(c); \
		if (o + 1 < len)     \
			buf[o] = _c; \
		o++;                 \
	} while (0)
	OUT('"');
	while (i < n && u[i]) {
		size_t k = utf8_len(u + i, n - i);
		char esc[8];

		if (u[i] == '"' || u[i] == '\\') {
			OUT('\\');
			OUT(u[i]);
			i++;
		} else if (u[i] < 0x20 || u[i] == 0x7f || !k) {
			snprintf(esc, sizeof(esc), "\\u%04x", u[i]);
			for (int j = 0; esc[j]; j++)
				OUT(esc[j]);
			i++;
		} else {
			while (k--)
				OUT(u[i++]);
		}
	}
	OUT('"');
#undef OUT
	if (len)
		buf[o < len ? o : len - 1] = '\0';
	return (int)o;
}

int json_format(const struct line_out *lo, const struct skbs_event *ev,
		const char *const *stack, int nstack, const struct explain *why,
		char *buf, size_t len)
{
	/* Room for a whole explanation escaped at worst (\u00XX a byte). */
	char s1[6 * EXPLAIN_TEXT + 4], s2[256], tmp[192];
	size_t n = 0;
	int fam = event_family(ev);
	const char *reason;
	struct xdp_meta xm;

#define PUT(...)                                                       \
	do {                                                           \
		int _r = snprintf(buf + (n < len ? n : len),           \
				  n < len ? len - n : 0, __VA_ARGS__); \
		if (_r > 0)                                            \
			n += (size_t)_r;                               \
	} while (0)
	json_string(ev->comm, sizeof(ev->comm), s1, sizeof(s1));
	PUT("{\"skb\":\"0x%llx\",\"gen\":%u,\"cpu\":%u,\"pid\":%u,"
	    "\"comm\":%s,",
	    (unsigned long long)ev->skb, ev->gen, ev->cpu, ev->pid, s1);
	snprintf(tmp, sizeof(tmp), "%.16s:%u", ev->comm, ev->pid);
	json_string(tmp, sizeof(tmp), s1, sizeof(s1));
	line_func(lo, ev, tmp, sizeof(tmp));
	json_string(tmp, sizeof(tmp), s2, sizeof(s2));
	PUT("\"process\":%s,\"func\":%s,", s1, s2);
	if (ev->caller) {
		line_sym(lo, ev->caller, tmp, sizeof(tmp));
		json_string(tmp, sizeof(tmp), s1, sizeof(s1));
		PUT("\"caller\":%s,", s1);
	}
	json_string(ev->ifname, sizeof(ev->ifname), s1, sizeof(s1));
	PUT("\"time\":%llu,\"netns\":%u,\"mark\":\"0x%x\",\"ifindex\":%u,"
	    "\"iface\":%s,\"proto\":\"0x%04x\",\"mtu\":%u,\"len\":%u",
	    (unsigned long long)ev->ts, ev->netns, ev->mark, ev->ifindex, s1,
	    ev->l3_proto, ev->mtu, ev->len);
	if (fam) {
		char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], pn[8];

		inet_ntop(fam == 4 ? AF_INET : AF_INET6, ev->saddr, a,
			  sizeof(a));
		inet_ntop(fam == 4 ? AF_INET : AF_INET6, ev->daddr, b,
			  sizeof(b));
		PUT(",\"tuple\":{\"saddr\":\"%s\",\"daddr\":\"%s\","
		    "\"sport\":%u,\"dport\":%u,\"proto\":\"%s\"}",
		    a, b, ev->sport, ev->dport,
		    line_proto_name(ev->l4_proto, pn, sizeof(pn)));
	}
	if (!line_xdp_meta(ev, &xm))
		PUT(",\"xdp\":{\"data_len\":%u,\"rxq_ifindex\":%u,"
		    "\"rxq_queue\":%u,\"frame_sz\":%u}",
		    xm.data_len, xm.rxq_ifindex, xm.rxq_queue, xm.frame_sz);
	if (ev->flags & SKBS_EV_DROP) {
		reason = line_reason(lo, ev);
		PUT(",\"drop\":{");
		if (reason)
			PUT("\"reason\":\"%s\",\"reason_code\":%u,", reason,
			    ev->drop_reason);
		else if (ev->flags & SKBS_EV_REASON)
			PUT("\"reason_code\":%u,", ev->drop_reason);
		if (ev->location) {
			line_sym(lo, ev->location, tmp, sizeof(tmp));
			json_string(tmp, sizeof(tmp), s1, sizeof(s1));
			PUT("\"location\":%s", s1);
		} else {
			PUT("\"location\":null");
		}
		PUT("}");
	}
	if (why && why->kind != EXPLAIN_NONE) {
		json_string(why->text, strnlen(why->text, sizeof(why->text)),
			    s1, sizeof(s1));
		PUT(",\"explain\":{\"kind\":\"%s\",\"text\":%s",
		    explain_kind_name(why->kind), s1);
		for (unsigned i = 0; i < why->nfields && i < EXPLAIN_FIELDS;
		     i++) {
			const struct explain_field *f = &why->f[i];

			json_string(f->key, strnlen(f->key, sizeof(f->key)), s2,
				    sizeof(s2));
			json_string(f->val, strnlen(f->val, sizeof(f->val)), s1,
				    sizeof(s1));
			PUT(",%s:%s", s2, s1);
		}
		PUT("}");
	}
	if (nstack >= 0) {
		PUT(",\"stack\":[");
		for (int i = 0; i < nstack; i++) {
			json_string(stack[i], strlen(stack[i]), s1, sizeof(s1));
			PUT("%s%s", i ? "," : "", s1);
		}
		PUT("]");
	}
	PUT("}");
#undef PUT
	return (int)n;
}

int json_return(const struct line_out *lo, const struct skbs_return *r,
		int kind, char *buf, size_t len)
{
	const struct skbs_event ev = { .hook = r->hook };
	char fn[192], s1[256], val[64], s2[160];

	line_func(lo, &ev, fn, sizeof(fn));
	json_string(fn, sizeof(fn), s1, sizeof(s1));
	retval_format((enum ret_kind)kind, r->ret, val, sizeof(val));
	json_string(val, sizeof(val), s2, sizeof(s2));
	return snprintf(buf, len,
			"{\"type\":\"return\",\"skb\":\"0x%llx\",\"cpu\":%u,"
			"\"func\":%s,\"depth\":%u,\"ret\":%lld,\"retval\":%s,"
			"\"kind\":\"%s\",\"time\":%llu,\"time_entry\":%llu,"
			"\"duration_ns\":%llu}",
			(unsigned long long)r->skb, r->cpu, s1, r->depth,
			(long long)r->ret, s2,
			retval_kind_name((enum ret_kind)kind) ?
				retval_kind_name((enum ret_kind)kind) :
				"unknown",
			(unsigned long long)r->ts_exit,
			(unsigned long long)r->ts_entry,
			(unsigned long long)(r->ts_exit - r->ts_entry));
}
