// SPDX-License-Identifier: GPL-2.0
/* O_NOFOLLOW and mode 0600 in one place, so no output path forgets them. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "core/outfile.h"

const char *outfile_shown(const char *path, char *buf, size_t len)
{
	size_t l = strlen(path), half = len > 8 ? (len - 4) / 2 : 0;

	if (l < len)
		snprintf(buf, len, "%s", path);
	else
		snprintf(buf, len, "%.*s...%s", (int)half, path,
			 path + l - (len - 4 - half));
	return buf;
}

static int fail(const char *path, int e, char *err, size_t errlen)
{
	char shown[OUTFILE_SHOWN];

	if (err && errlen)
		snprintf(err, errlen, "cannot create '%s': %s",
			 outfile_shown(path, shown, sizeof(shown)),
			 e == ELOOP ? "it is a symbolic link (not followed)" :
			 e == ENXIO ? "a FIFO that no one reads" :
				      strerror(e));
	return -e;
}

int outfile_open(const char *path, char *err, size_t errlen)
{
	/* O_NONBLOCK: a FIFO with no reader fails (ENXIO) instead of
	 * blocking the start forever; writes block again after. */
	int fd = open(path,
		      O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC |
			      O_NONBLOCK,
		      0600),
	    fl, e;
	struct stat st;

	if (fd < 0)
		return fail(path, errno, err, errlen);
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) || fstat(fd, &st))
		goto bad;
	/* The mode only applies to a file created now: one that was there
	 * keeps its own, and a trace written into a world-readable file
	 * would be readable by all. */
	if (S_ISREG(st.st_mode) && (st.st_mode & 077) && fchmod(fd, 0600))
		goto bad;
	return fd;
bad:
	e = errno;
	close(fd);
	return fail(path, e, err, errlen);
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
