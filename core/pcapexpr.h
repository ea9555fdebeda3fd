/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcap-filter expressions compiled by libpcap into classic BPF, for the
 * in-kernel interpreter. This module includes no libbpf header: libpcap
 * and libbpf both define struct bpf_insn.
 */
#ifndef SKBSCOPE_PCAPEXPR_H
#define SKBSCOPE_PCAPEXPR_H

#include <stddef.h>
#include <linux/types.h>
#include "bpf/events.h"

/*
 * Compile expr for packets that start at the Ethernet header (l2) and for
 * ones that start at the IP header, into f->pcap_l2/l3, and set
 * SKBS_F_PCAP. An empty expression clears it. On error f is unchanged and
 * err has libpcap's message or says why the interpreter cannot run it.
 */
int pcapexpr_set(struct skbs_filter *f, const char *expr, char *err,
		 size_t errlen);

/*
 * --filter-tunnel-pcap-l2 (l2) or -l3: compile expr once, for the inner
 * packet from its Ethernet header (l2) or its IP header, into
 * f->tun_l2/tun_l3 with its text, and set SKBS_F_TUN_L2/L3. An empty
 * expression clears it. Errors name the flag.
 */
int pcapexpr_set_tunnel(struct skbs_filter *f, int l2, const char *expr,
			char *err, size_t errlen);

/* Compile for one link type (1: Ethernet, 0: raw IP). Returns the number
 * of instructions or -errno. */
int pcapexpr_compile_one(const char *expr, int l2, struct skbs_cbpf_insn *out,
			 size_t max, char *err, size_t errlen);

/* libpcap's own verdict on a packet (for tests): 1 match, 0 not, -1 error. */
int pcapexpr_reference(const char *expr, int l2, const __u8 *pkt, size_t len);

#endif
