/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names for the numbers an event carries: a network namespace's inode as
 * its name under /var/run/netns or the container it belongs to
 * (--output-netns-names), and a cgroup id as its path under /sys/fs/cgroup
 * or the container it names (--output-cgroup). Cached, bounded, and
 * looked up again (at most once a second) when a number nobody knew
 * appears, so namespaces and cgroups made later get their names too.
 */
#ifndef SKBSCOPE_NSNAMES_H
#define SKBSCOPE_NSNAMES_H

#include <stddef.h>
#include <linux/types.h>

struct nsnames;

/*
 * netns_dir (/var/run/netns), proc_dir (/proc) and cgroup_dir
 * (/sys/fs/cgroup) are parameters so that tests can hand it fixtures;
 * maxlen bounds a shown name (--netns-names-max-length; 0: no bound).
 * A NULL directory is not looked in: only names put are known.
 * 0 or -ENOMEM.
 */
int nsnames_new(const char *netns_dir, const char *proc_dir,
		const char *cgroup_dir, size_t maxlen, struct nsnames **out);
void nsnames_free(struct nsnames *n);
/* The name of netns inode ino ("a", "docker:0123456789ab"), or NULL. */
const char *nsnames_netns(struct nsnames *n, __u32 ino);
/* The cgroup of id: the container it names, else its path under the
 * cgroup root ("/system.slice/ssh.service"), or NULL. */
const char *nsnames_cgroup(struct nsnames *n, __u64 id);
/* Add what a recording carries (id -> text) so a replay shows it. */
int nsnames_put_cgroup(struct nsnames *n, __u64 id, const char *text);

/* Where cgroup v2 is mounted: /sys/fs/cgroup, or /sys/fs/cgroup/unified on
 * a hybrid (v1 + v2) box; the first cgroup2 line of /proc/self/mounts. */
const char *nsnames_cgroup_root(void);

/* The pure parts. The container a cgroup path names, as "RUNTIME:ID12"
 * (docker, containerd, crio, podman, k8s), into buf; 0, or -ENOENT when
 * the path names none. */
int nsnames_container(const char *path, char *buf, size_t len);
/* s cut to at most max bytes, its end marked '~' when cut. Returns buf. */
const char *nsnames_cut(const char *s, size_t max, char *buf, size_t len);

#endif
