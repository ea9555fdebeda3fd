/* SPDX-License-Identifier: GPL-2.0 */
/* The classic-BPF interpreter the probe programs run (bpf/cbpf.bpf.h),
 * driven over a packet in memory, for the tests against libpcap. */
#ifndef SKBSCOPE_CBPF_H
#define SKBSCOPE_CBPF_H

#include <stddef.h>
#include <linux/types.h>
#include "bpf/events.h"

/* Run n instructions over len bytes: the return value of the program
 * (0 rejects), as the kernel side computes it. */
__u32 cbpf_run(const struct skbs_cbpf_insn *prog, __u32 n, const __u8 *pkt,
	       __u32 len);

#endif
