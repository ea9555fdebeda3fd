/* SPDX-License-Identifier: GPL-2.0 */
/* The pcap-ng file writer: captured header bytes of events as packets, one
 * interface block per (netns, ifindex, link type), a comment per packet. */
#ifndef SKBSCOPE_OUTPUT_PCAP_H
#define SKBSCOPE_OUTPUT_PCAP_H

#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>
#include "bpf/events.h"

struct pcapng;

/*
 * Create path (mode 0600, truncated, never through a symlink) and write the
 * section header. realtime_offset_ns is CLOCK_REALTIME - CLOCK_MONOTONIC,
 * added to ev->ts for wall clock timestamps. 0 or -errno with a message
 * naming the path in err.
 */
int pcapng_open(const char *path, long long realtime_offset_ns,
		struct pcapng **out, char *err, size_t errlen);
/* The same on an open stream, which pcapng_close then closes (on failure
 * it stays the caller's). 0 or -errno. */
int pcapng_open_file(FILE *f, long long realtime_offset_ns,
		     struct pcapng **out);
/*
 * One packet: ev->hdr_len bytes at hdr, from the Ethernet header when
 * ev->flags has SKBS_EV_HDR_L2, else from the IP header. comment (may be
 * NULL) becomes the packet comment. Events without header bytes are skipped
 * and counted. 0 or -errno; a write error sticks.
 */
int pcapng_write(struct pcapng *p, const struct skbs_event *ev,
		 const unsigned char *hdr, const char *comment);
/* Packets written, and events skipped for having no header bytes. */
unsigned long long pcapng_written(const struct pcapng *p);
unsigned long long pcapng_skipped(const struct pcapng *p);
/* Push buffered blocks to the file. 0 or -errno of any write error. */
int pcapng_flush(struct pcapng *p);
/* Flush, close and free (NULL is fine). 0 or -errno if any write failed. */
int pcapng_close(struct pcapng *p);

#endif
