// SPDX-License-Identifier: GPL-2.0
/* Header decoding for the detail view. Every read is checked against the
 * captured length: a short capture says "truncated" instead of guessing. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "core/headers.h"

#define ADD(...)                                                      \
	do {                                                          \
		if (nl < max)                                         \
			snprintf(lines[nl++], HDR_LINE, __VA_ARGS__); \
	} while (0)

static unsigned be16(const __u8 *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static unsigned long be32(const __u8 *p)
{
	return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 |
	       (unsigned long)p[2] << 8 | p[3];
}

static int l4(const __u8 *b, size_t n, unsigned proto, char (*lines)[HDR_LINE],
	      int nl, int max)
{
	if (proto == 6) {
		static const char *const names[] = {
			"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"
		};
		char fl[64] = "";

		if (n < 20) {
			ADD("TCP   (truncated: %zu of 20 bytes)", n);
			return nl;
		}
		for (int i = 0; i < 8; i++)
			if (b[13] & (1 << i)) {
				if (fl[0])
					strcat(fl, ",");
				strcat(fl, names[i]);
			}
		ADD("TCP   %u -> %u  flags %s", be16(b), be16(b + 2),
		    fl[0] ? fl : "none");
		ADD("      seq %lu  ack %lu  window %u", be32(b + 4),
		    be32(b + 8), be16(b + 14));
	} else if (proto == 17) {
		if (n < 8) {
			ADD("UDP   (truncated: %zu of 8 bytes)", n);
			return nl;
		}
		ADD("UDP   %u -> %u  length %u", be16(b), be16(b + 2),
		    be16(b + 4));
	} else if (proto == 1 || proto == 58) {
		if (n < 2) {
			ADD("ICMP  (truncated)");
			return nl;
		}
		ADD("%s type %u code %u", proto == 1 ? "ICMP " : "ICMPv6", b[0],
		    b[1]);
	}
	return nl;
}

int headers_decode(const __u8 *b, size_t n, int l2, char (*lines)[HDR_LINE],
		   int max)
{
	unsigned type = 0;
	int nl = 0;

	if (l2) {
		size_t off = 14;

		if (n < 14) {
			ADD("Ether (truncated: %zu of 14 bytes)", n);
			return nl;
		}
		type = be16(b + 12);
		ADD("Ether %02x:%02x:%02x:%02x:%02x:%02x -> "
		    "%02x:%02x:%02x:%02x:%02x:%02x  type 0x%04x",
		    b[6], b[7], b[8], b[9], b[10], b[11], b[0], b[1], b[2],
		    b[3], b[4], b[5], type);
		if (type == 0x8100 && n >= 18) {
			ADD("VLAN  id %u  type 0x%04x", be16(b + 14) & 0xfff,
			    be16(b + 16));
			type = be16(b + 16);
			off = 18;
		}
		b += off;
		n -= off;
	} else if (n) {
		type = (b[0] >> 4) == 6 ? 0x86dd : (b[0] >> 4) == 4 ? 0x800 : 0;
	}
	if (type == 0x800) {
		char s[INET_ADDRSTRLEN], d[INET_ADDRSTRLEN];
		unsigned ihl;

		if (n < 20) {
			ADD("IPv4  (truncated: %zu of 20 bytes)", n);
			return nl;
		}
		ihl = (b[0] & 0xf) * 4u;
		inet_ntop(AF_INET, b + 12, s, sizeof(s));
		inet_ntop(AF_INET, b + 16, d, sizeof(d));
		ADD("IPv4  %s -> %s  proto %u  ttl %u", s, d, b[9], b[8]);
		ADD("      len %u  id %u  tos 0x%02x%s%s", be16(b + 2),
		    be16(b + 4), b[1], b[6] & 0x40 ? "  DF" : "",
		    (be16(b + 6) & 0x3fff) ? "  fragment" : "");
		if (ihl >= 20 && n > ihl && !(be16(b + 6) & 0x1fff))
			nl = l4(b + ihl, n - ihl, b[9], lines, nl, max);
	} else if (type == 0x86dd) {
		char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];

		if (n < 40) {
			ADD("IPv6  (truncated: %zu of 40 bytes)", n);
			return nl;
		}
		inet_ntop(AF_INET6, b + 8, s, sizeof(s));
		inet_ntop(AF_INET6, b + 24, d, sizeof(d));
		ADD("IPv6  %s -> %s", s, d);
		ADD("      next %u  hop limit %u  payload %u", b[6], b[7],
		    be16(b + 4));
		nl = l4(b + 40, n - 40, b[6], lines, nl, max);
	} else if (type == 0x806) {
		ADD("ARP");
	} else if (n) {
		ADD("type 0x%04x: not decoded", type);
	}
	return nl;
}

int headers_hexdump(const __u8 *b, size_t n, char (*lines)[HDR_LINE], int max)
{
	int nl = 0;

	for (size_t off = 0; off < n && nl < max; off += 16) {
		char hex[64] = "", asc[20] = "";
		size_t k;

		for (k = 0; k < 16 && off + k < n; k++) {
			sprintf(hex + k * 3, "%02x ", b[off + k]);
			asc[k] = isprint(b[off + k]) ? (char)b[off + k] : '.';
		}
		asc[k] = '\0';
		snprintf(lines[nl++], HDR_LINE, "%04zx  %-48s |%s|", off, hex,
			 asc);
	}
	return nl;
}
