/* SPDX-License-Identifier: GPL-2.0 */
/* Captured header bytes as text: decoded L2/L3/L4 fields and a hex dump.
 * Pure, so it is tested on packets built in the test. */
#ifndef SKBSCOPE_HEADERS_H
#define SKBSCOPE_HEADERS_H

#include <stddef.h>
#include <linux/types.h>

#define HDR_LINE 128

/* Decode n bytes (from the Ethernet header when l2, else from the IP
 * header) into at most max lines; returns the number of lines. */
int headers_decode(const __u8 *b, size_t n, int l2, char (*lines)[HDR_LINE],
		   int max);
/* 16 bytes a line: "0000  45 00 ... |E..)....|". Returns lines. */
int headers_hexdump(const __u8 *b, size_t n, char (*lines)[HDR_LINE], int max);

#endif
