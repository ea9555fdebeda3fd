/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BPF object, in the variant this kernel can run. Two builds of the
 * same programs are embedded: the pcap interpreter driven by bpf_loop
 * (5.17+), and by a bounded loop. 5.10 refuses any program that references
 * a bpf_loop callback, even on a path never taken, so the choice is which
 * object to open.
 */
#ifndef SKBSCOPE_SKEL_H
#define SKBSCOPE_SKEL_H

#include "skbscope.skel.h"

/* Open the variant that runs here (bpf_loop when the kernel has it); NULL
 * with errno set on failure. Free with skbscope_bpf__destroy(). btf_path
 * (--kernel-btf) is the kernel BTF for CO-RE relocations; NULL: libbpf's
 * own search (/sys/kernel/btf/vmlinux). */
struct skbscope_bpf *skel_open(const char *btf_path);

/* How the pcap interpreter runs in what skel_open opens: "bpf_loop" or
 * "bounded loop". */
const char *skel_pcap_mode(void);

#endif
