// SPDX-License-Identifier: GPL-2.0
/*
 * Entering a network namespace known only by its inode. The kernel gives no
 * way to open a namespace by number, so the finder looks for something that
 * leads to it: the bind mounts `ip netns` keeps under /var/run/netns first
 * (they also give the name people use), then every process's ns/net link.
 * Found paths are remembered and checked again on each use, since a pid or
 * a name can come to mean another namespace.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "core/explain/netns.h"

#define NETNS_DIR "/var/run/netns"
/* Slots for remembered paths; a few namespaces are busy at a time. */
#define NETNS_SLOTS 32
/* Bounded work: at most this many /proc entries looked at per search. */
#define NETNS_PROC_MAX 65536
/* NETNS_DIR, a slash and a NAME_MAX name. */
#define NETNS_PATH (sizeof(NETNS_DIR) + 1 + 255 + 1)

struct netns_slot {
	__u32 ino;
	char path[NETNS_PATH];
};

struct netns_finder {
	dev_t nsfs_dev; /* st_dev of every namespace file */
	int have_dev;
	struct netns_slot slot[NETNS_SLOTS];
	unsigned next; /* round-robin victim */
};

int netns_finder_new(struct netns_finder **out)
{
	struct netns_finder *nf = calloc(1, sizeof(*nf));
	struct stat st;

	if (!nf)
		return -ENOMEM;
	/* The namespace files all live on the one nsfs: comparing st_dev
	 * keeps a stale file under /var/run/netns (a tmpfs inode) from
	 * matching a namespace inode by chance. */
	if (!stat("/proc/self/ns/net", &st)) {
		nf->nsfs_dev = st.st_dev;
		nf->have_dev = 1;
	}
	*out = nf;
	return 0;
}

void netns_finder_free(struct netns_finder *nf)
{
	free(nf);
}

static int is_ns(const struct netns_finder *nf, const struct stat *st,
		 __u32 ino)
{
	return st->st_ino == ino &&
	       (!nf->have_dev || st->st_dev == nf->nsfs_dev);
}

static struct netns_slot *slot_of(struct netns_finder *nf, __u32 ino)
{
	for (unsigned i = 0; i < NETNS_SLOTS; i++)
		if (nf->slot[i].ino == ino && nf->slot[i].path[0])
			return &nf->slot[i];
	return NULL;
}

static void remember(struct netns_finder *nf, __u32 ino, const char *path)
{
	struct netns_slot *s = slot_of(nf, ino);

	if (!s) {
		s = &nf->slot[nf->next];
		nf->next = (nf->next + 1) % NETNS_SLOTS;
	}
	s->ino = ino;
	snprintf(s->path, sizeof(s->path), "%s", path);
}

/* Open path if it is the namespace ino: an fd, or -errno. */
static int open_checked(const struct netns_finder *nf, const char *path,
			__u32 ino)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !is_ns(nf, &st, ino)) {
		close(fd);
		return -ESTALE;
	}
	return fd;
}

/* Search dir for an entry whose path (dir/NAME/suffix) is namespace ino.
 * Returns 1 with path filled, 0 when none is, or -errno when dir cannot be
 * read; *looked and *denied count the entries looked at and those /proc
 * would not let us look at. */
static int search(const struct netns_finder *nf, const char *dir,
		  const char *suffix, int numeric, __u32 ino, char *path,
		  size_t len, unsigned *looked, unsigned *denied)
{
	unsigned seen = 0;
	struct dirent *d;
	struct stat st;
	DIR *dp = opendir(dir);
	int found = 0;

	if (!dp)
		return -errno;
	while (!found && (d = readdir(dp)) && seen++ < NETNS_PROC_MAX) {
		if (d->d_name[0] == '.')
			continue;
		if (numeric && (d->d_name[0] < '0' || d->d_name[0] > '9'))
			continue;
		if ((size_t)snprintf(path, len, "%s/%s%s", dir, d->d_name,
				     suffix) >= len)
			continue;
		if (stat(path, &st)) {
			if (errno == EACCES || errno == EPERM)
				(*denied)++;
			continue;
		}
		(*looked)++;
		found = is_ns(nf, &st, ino);
	}
	closedir(dp);
	return found;
}

/* An open fd on namespace ino, or -errno with msg set. */
static int find_ns(struct netns_finder *nf, __u32 ino, char *msg,
		   size_t msg_len)
{
	struct netns_slot *s = slot_of(nf, ino);
	char path[NETNS_PATH];
	unsigned looked = 0, denied = 0;
	int fd;

	if (s) {
		fd = open_checked(nf, s->path, ino);
		if (fd >= 0)
			return fd;
		s->path[0] = '\0';
	}
	if (search(nf, NETNS_DIR, "", 0, ino, path, sizeof(path), &looked,
		   &denied) > 0 ||
	    search(nf, "/proc", "/ns/net", 1, ino, path, sizeof(path), &looked,
		   &denied) > 0) {
		fd = open_checked(nf, path, ino);
		if (fd >= 0) {
			remember(nf, ino, path);
			return fd;
		}
		/* The process left or the name went between stat and
		 * open: as good as gone. */
	}
	/* Processes we may not look at could hold it: when they are most of
	 * them, it is privileges that are missing; a few (a supervisor in
	 * another user namespace) do not make a vanished netns less gone. */
	if (denied > looked) {
		snprintf(msg, msg_len,
			 "cannot enter netns %u: not found, and %u of %u "
			 "processes could not be looked at (permission denied)",
			 ino, denied, denied + looked);
		return -EPERM;
	}
	if (denied)
		snprintf(msg, msg_len,
			 "cannot enter netns %u: gone (no name or process "
			 "leads to it; %u process%s unreadable)",
			 ino, denied, denied == 1 ? "" : "es");
	else
		snprintf(msg, msg_len,
			 "cannot enter netns %u: gone (no name or process "
			 "leads to it)",
			 ino);
	return -ENOENT;
}

int netns_run(struct netns_finder *nf, __u32 ino, int (*fn)(void *arg),
	      void *arg, int *ret, char *msg, size_t msg_len)
{
	int self = -1, target = -1, err = 0;
	struct stat st;

	if (msg_len)
		msg[0] = '\0';
	if (!ino) {
		snprintf(msg, msg_len, "the packet's netns is not known");
		return -ENOENT;
	}
	/* setns() changes only the calling thread, so it is the thread's
	 * namespace that must be saved and compared, not the process's. */
	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0) {
		err = -errno;
		snprintf(msg, msg_len, "cannot open own netns: %s",
			 strerror(-err));
		return err;
	}
	if (!fstat(self, &st) && is_ns(nf, &st, ino)) {
		*ret = fn(arg);
		goto out;
	}
	target = find_ns(nf, ino, msg, msg_len);
	if (target < 0) {
		err = target;
		goto out;
	}
	if (setns(target, CLONE_NEWNET)) {
		err = -errno;
		snprintf(msg, msg_len, "cannot enter netns %u: %s%s", ino,
			 strerror(-err),
			 err == -EPERM ? " (needs CAP_SYS_ADMIN)" : "");
		goto out;
	}
	*ret = fn(arg);
	if (setns(self, CLONE_NEWNET)) {
		/* Nothing sensible is left to do: the caller must know that
		 * this thread now lives in another namespace. */
		err = -errno;
		snprintf(msg, msg_len,
			 "cannot return from netns %u: %s (this thread stays "
			 "in it)",
			 ino, strerror(-err));
	}
out:
	if (target >= 0)
		close(target);
	close(self);
	return err;
}

const char *netns_label(struct netns_finder *nf, __u32 ino, char *buf,
			size_t len)
{
	static const char dir[] = NETNS_DIR "/";
	struct netns_slot *s = slot_of(nf, ino);
	char msg[8];
	int fd;

	if (!s && ino) {
		fd = find_ns(nf, ino, msg, sizeof(msg));
		if (fd >= 0)
			close(fd);
		s = slot_of(nf, ino);
	}
	if (s && !strncmp(s->path, dir, sizeof(dir) - 1))
		snprintf(buf, len, "%s", s->path + sizeof(dir) - 1);
	else
		snprintf(buf, len, "%u", ino);
	return buf;
}

int netns_sysctl(const char *name, long *val)
{
	char path[320], line[64], *end;
	FILE *f;
	int err = 0;

	if ((size_t)snprintf(path, sizeof(path), "/proc/sys/%s", name) >=
	    sizeof(path))
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(line, sizeof(line), f)) {
		err = -EIO;
	} else {
		errno = 0;
		*val = strtol(line, &end, 10);
		if (errno || end == line)
			err = -EINVAL;
	}
	fclose(f);
	return err;
}
