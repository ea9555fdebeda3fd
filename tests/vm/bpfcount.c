// SPDX-License-Identifier: GPL-2.0
/* bpfcount: print "progs N links N", the BPF programs and links loaded in
 * the kernel, by walking their ids (BPF_PROG_GET_NEXT_ID and
 * BPF_LINK_GET_NEXT_ID, 5.8 and later). The test VMs have busybox only;
 * this asks the kernel itself, whatever the backend attached (a perf
 * kprobe, kprobe-multi, fentry and tracepoints all hold a program). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <sys/syscall.h>

static long count(int cmd)
{
	union bpf_attr a;
	long n = 0;
	__u32 id = 0;

	for (;;) {
		memset(&a, 0, sizeof(a));
		a.start_id = id;
		if (syscall(__NR_bpf, cmd, &a, sizeof(a)))
			break; /* ENOENT past the last one */
		id = a.next_id;
		n++;
	}
	return n;
}

int main(void)
{
	printf("progs %ld links %ld\n", count(BPF_PROG_GET_NEXT_ID),
	       count(BPF_LINK_GET_NEXT_ID));
	return 0;
}
