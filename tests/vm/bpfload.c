// SPDX-License-Identifier: GPL-2.0
/* bpfload: attach the test programs of tcxdp.bpf.o for the VM matrix.
 *   bpfload OBJ IFNAME    tc_drop_udp at IFNAME's tc ingress (clsact, as
 *                         `tc filter add ... bpf da` would) and
 *                         xdp_drop_udp as generic XDP; prints their ids
 *   bpfload -d IFNAME     take both off again
 * The guest has no iproute2; libbpf speaks the netlink itself. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

static __u32 prog_id(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

int main(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, tco, .handle = 1, .priority = 1);
	struct bpf_object *obj;
	int ifindex, tc, xdp, ret;

	if (argc != 3) {
		fprintf(stderr, "usage: bpfload OBJ IFNAME | -d IFNAME\n");
		return 2;
	}
	ifindex = (int)if_nametoindex(argv[2]);
	if (!ifindex) {
		fprintf(stderr, "bpfload: %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	hook.ifindex = ifindex;
	if (!strcmp(argv[1], "-d")) {
		bpf_xdp_detach(ifindex, XDP_FLAGS_SKB_MODE, NULL);
		hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		return bpf_tc_hook_destroy(&hook) ? 1 : 0;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "bpfload: cannot load %s\n", argv[1]);
		return 1;
	}
	tc = bpf_program__fd(
		bpf_object__find_program_by_name(obj, "tc_drop_udp"));
	xdp = bpf_program__fd(
		bpf_object__find_program_by_name(obj, "xdp_drop_udp"));
	ret = bpf_tc_hook_create(&hook);
	if (ret && ret != -EEXIST) {
		fprintf(stderr, "bpfload: clsact on %s: %s\n", argv[2],
			strerror(-ret));
		return 1;
	}
	tco.prog_fd = tc;
	ret = bpf_tc_attach(&hook, &tco);
	if (ret) {
		fprintf(stderr, "bpfload: tc attach: %s\n", strerror(-ret));
		return 1;
	}
	ret = bpf_xdp_attach(ifindex, xdp, XDP_FLAGS_SKB_MODE, NULL);
	if (ret) {
		fprintf(stderr, "bpfload: xdp attach: %s\n", strerror(-ret));
		return 1;
	}
	/* The tc filter and the XDP attachment hold the programs. */
	printf("tc %u xdp %u\n", prog_id(tc), prog_id(xdp));
	return 0;
}
