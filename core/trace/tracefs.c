// SPDX-License-Identifier: GPL-2.0
/*
 * Tracepoint groups ("skb" in skb:kfree_skb) are known only to tracefs.
 * Minimal systems and containers often have it unmounted; mounting it for
 * the user would change their system, so a short-lived child mounts it in
 * a private mount namespace, reads the list and exits, taking the mount
 * with it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include "core/textfile.h"
#include "core/trace/tracefs.h"

#define LIST_MAX (4 << 20)

static const char *const dirs[] = {
	"/sys/kernel/tracing",
	"/sys/kernel/debug/tracing",
};

static int read_path(const char *path, char **out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = textfile_read_fd(fd, LIST_MAX, 0, out, NULL);
	close(fd);
	/* An unmounted tracefs directory reads as missing, not empty. */
	if (!ret && !**out) {
		free(*out);
		*out = NULL;
		return -ENOENT;
	}
	return ret;
}

/* In the child: private mount namespace, mount, copy the list out. */
static void child(int wfd, const char *file)
{
	char path[256];
	int fd;
	char buf[8192];
	ssize_t r;

	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL))
		_exit(1);
	snprintf(path, sizeof(path), "%s/%s", dirs[0], file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		_exit(1);
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		if (write(wfd, buf, (size_t)r) != r)
			_exit(1);
	_exit(r < 0);
}

int kfs_available_events(char **out)
{
	return kfs_read("available_events", out);
}

int kfs_read(const char *file, char **out)
{
	int p[2], status, ret, first = -ENOENT;
	char path[256];
	pid_t pid;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dirs[i], file);
		ret = read_path(path, out);
		if (!ret)
			return 0;
		/* Mounted but refused (EPERM): mounting again won't help. */
		if (ret != -ENOENT)
			first = ret;
	}
	if (first != -ENOENT)
		return first;
	if (pipe2(p, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(p[0]);
		close(p[1]);
		return ret;
	}
	if (pid == 0) {
		close(p[0]);
		child(p[1], file);
	}
	close(p[1]);
	ret = textfile_read_fd(p[0], LIST_MAX, 0, out, NULL);
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!ret && (!WIFEXITED(status) || WEXITSTATUS(status) || !**out)) {
		free(*out);
		*out = NULL;
		ret = -ENOENT;
	}
	return ret;
}
