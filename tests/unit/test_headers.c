// SPDX-License-Identifier: GPL-2.0
/* core/headers on packets built here. */
#include "core/headers.h"
#include "test.h"

static const __u8 udp4[] = {
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
	/* IPv4: len 41, id 7, DF, ttl 64, udp */
	0x45,
	0x00,
	0x00,
	0x29,
	0x00,
	0x07,
	0x40,
	0x00,
	0x40,
	0x11,
	0x00,
	0x00,
	10,
	213,
	0,
	1,
	10,
	213,
	0,
	2,
	/* UDP 40000 -> 7001, len 21 */
	0x9c,
	0x40,
	0x1b,
	0x59,
	0x00,
	0x15,
	0x00,
	0x00,
	's',
	'k',
	'b',
};

TEST(headers_decode_ether_ipv4_udp)
{
	char l[8][HDR_LINE];
	int n = headers_decode(udp4, sizeof(udp4), 1, l, 8);

	CHECK_INT(n, 4);
	CHECK_STR(l[0],
		  "Ether 02:00:00:00:00:01 -> 02:00:00:00:00:02  type 0x0800");
	CHECK_STR(l[1], "IPv4  10.213.0.1 -> 10.213.0.2  proto 17  ttl 64");
	CHECK_STR(l[2], "      len 41  id 7  tos 0x00  DF");
	CHECK_STR(l[3], "UDP   40000 -> 7001  length 21");
	/* from the IP header, without L2 */
	n = headers_decode(udp4 + 14, sizeof(udp4) - 14, 0, l, 8);
	CHECK_INT(n, 3);
	CHECK_HAS(l[0], "IPv4  10.213.0.1");
}

TEST(headers_truncated_and_tcp)
{
	char l[8][HDR_LINE];
	__u8 tcp6[40 + 20] = { 0x60, 0, 0, 0, 0, 20, 6, 64 };
	int n;

	n = headers_decode(udp4, 20, 1, l, 8);
	CHECK_INT(n, 2);
	CHECK_HAS(l[1], "IPv4  (truncated: 6 of 20 bytes)");
	CHECK_INT(headers_decode(udp4, 5, 1, l, 8), 1);
	CHECK_HAS(l[0], "truncated");
	tcp6[8 + 15] = 1;  /* ::1 */
	tcp6[24 + 15] = 2; /* ::2 */
	tcp6[40] = 0x1f;   /* 8080 */
	tcp6[41] = 0x90;
	tcp6[43] = 80;
	tcp6[40 + 13] = 0x12; /* SYN,ACK */
	n = headers_decode(tcp6, sizeof(tcp6), 0, l, 8);
	CHECK_INT(n, 4);
	CHECK_STR(l[0], "IPv6  ::1 -> ::2");
	CHECK_STR(l[2], "TCP   8080 -> 80  flags SYN,ACK");
}

TEST(headers_hexdump_lines)
{
	char l[4][HDR_LINE];

	CHECK_INT(headers_hexdump(udp4, sizeof(udp4), l, 4), 3);
	CHECK_STR(
		l[0],
		"0000  02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00  |..............E.|");
	CHECK_HAS(l[2], "0020  ");
	CHECK_HAS(l[2], "|...@.Y....skb|");
}
