/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cgroup behind a packet (--output-cgroup, --filter-cgroup): the
 * socket's for an skb a socket owns (sk->sk_cgrp_data, the cgroup of the
 * process that made the socket), else the current task's. The id is the
 * cgroup v2 one, which is its cgroupfs directory's inode number.
 */
#ifndef SKBSCOPE_CGROUP_BPF_H
#define SKBSCOPE_CGROUP_BPF_H

/* Before 5.15 sock_cgroup_data was a union around one u64: the cgroup
 * pointer, or (low bits set) net_cls/net_prio data in its place. */
struct sock_cgroup_data___old {
	__u64 val;
};

struct sock___cgold {
	struct sock_cgroup_data___old sk_cgrp_data;
};

static __always_inline __u64 skb_cgroup(struct sk_buff *skb)
{
	struct sock *sk = BPF_CORE_READ(skb, sk);
	struct cgroup *cg = NULL;
	__u64 id = 0;

	if (sk) {
		if (bpf_core_field_exists(sk->sk_cgrp_data.cgroup)) {
			cg = BPF_CORE_READ(sk, sk_cgrp_data.cgroup);
		} else {
			struct sock___cgold *o = (void *)sk;
			__u64 v = BPF_CORE_READ(o, sk_cgrp_data.val);

			if (!(v & 3))
				cg = (struct cgroup *)v;
		}
		if (cg)
			id = BPF_CORE_READ(cg, kn, id);
		if (id)
			return id;
	}
	return bpf_get_current_cgroup_id();
}

#endif
