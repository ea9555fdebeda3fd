// SPDX-License-Identifier: GPL-2.0
/* Both variants have the same maps and programs under the same names, so
 * one skeleton type serves both: only the ELF bytes behind it differ. */
#include <errno.h>
#include <stdlib.h>
#include <bpf/libbpf.h>
#include "core/trace/skel.h"
#include "skbscope-loop.skel.h"

/* 1 when the running kernel offers bpf_loop to BPF programs. Probed once. */
static int kernel_has_loop(void)
{
	static int have = -1;

	/* Any program type will do: bpf_loop is a base helper. */
	if (have < 0)
		have = libbpf_probe_bpf_helper(BPF_PROG_TYPE_SOCKET_FILTER,
					       BPF_FUNC_loop, NULL) == 1;
	return have;
}

const char *skel_pcap_mode(void)
{
	return kernel_has_loop() ? "bpf_loop" : "bounded loop";
}

struct skbscope_bpf *skel_open(const char *btf_path)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = btf_path);
	struct skbscope_bpf *obj = calloc(1, sizeof(*obj));
	int err;

	if (!obj) {
		errno = ENOMEM;
		return NULL;
	}
	err = skbscope_bpf__create_skeleton(obj);
	if (!err && kernel_has_loop())
		obj->skeleton->data = (void *)skbscope_loop_bpf__elf_bytes(
			&obj->skeleton->data_sz);
	if (!err)
		err = bpf_object__open_skeleton(obj->skeleton, &opts);
	if (err) {
		skbscope_bpf__destroy(obj);
		errno = -err;
		return NULL;
	}
	return obj;
}
