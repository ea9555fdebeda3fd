// SPDX-License-Identifier: GPL-2.0
/* O_NOFOLLOW and mode 0600 in one place, so no output path forgets them. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "core/outfile.h"

static int fail(const char *path, int e, char *err, size_t errlen)
{
	if (err && errlen)
		snprintf(err, errlen, "cannot create '%s': %s", path,
			 e == ELOOP ? "it is a symbolic link (not followed)" :
				      strerror(e));
	return -e;
}

int outfile_open(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
				    O_CLOEXEC, 0600);

	return fd < 0 ? fail(path, errno, err, errlen) : fd;
}

int outfile_fopen(const char *path, FILE **out, char *err, size_t errlen)
{
	int fd = outfile_open(path, err, errlen), e;

	if (fd < 0)
		return fd;
	*out = fdopen(fd, "w");
	if (!*out) {
		e = errno;
		close(fd);
		return fail(path, e, err, errlen);
	}
	return 0;
}
