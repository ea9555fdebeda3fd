// SPDX-License-Identifier: GPL-2.0
/* One reader for every whole-file read, with a size limit so a hostile or
 * endless file cannot eat the memory. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/lib/vec.h"
#include "core/textfile.h"

int textfile_read_fd(int fd, size_t max, size_t lead, char **out, size_t *len)
{
	size_t cap = 0, n = lead;
	char *buf = NULL;
	ssize_t r;

	/* 64 KiB first, then at least 4 KiB free for each read. */
	if (vec_reserve((void **)&buf, &cap,
			n + 4096 > 1 << 16 ? n + 4096 : 1 << 16, 1))
		return -ENOMEM;
	/* The lead bytes are the caller's: they start out zero. */
	memset(buf, 0, lead);
	for (;;) {
		if (cap < n + 4096 &&
		    vec_reserve((void **)&buf, &cap, n + 4096, 1)) {
			free(buf);
			return -ENOMEM;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = -errno;

			free(buf);
			return err;
		}
		if (!r)
			break;
		n += (size_t)r;
		if (n - lead > max) {
			free(buf);
			return -EFBIG;
		}
	}
	buf[n] = '\0';
	*out = buf;
	if (len)
		*len = n - lead;
	return 0;
}

int textfile_read(const char *path, size_t max, size_t lead, char **out,
		  size_t *len)
{
	/* Non-blocking only to open: a FIFO no one writes to reads as empty
	 * at once instead of hanging the start. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK), ret;

	if (fd < 0)
		return -errno;
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	ret = textfile_read_fd(fd, max, lead, out, len);
	close(fd);
	return ret;
}
