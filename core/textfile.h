/* SPDX-License-Identifier: GPL-2.0 */
/* Whole files (and pipes) into memory: kallsyms, tracefs lists, keymaps. */
#ifndef SKBSCOPE_TEXTFILE_H
#define SKBSCOPE_TEXTFILE_H

#include <stddef.h>

/*
 * Read fd to its end into a malloc'd buffer ending in a NUL, after `lead`
 * zero bytes reserved at its start. More than max bytes gives -EFBIG.
 * *len (if given) is the bytes read, without lead and NUL. 0 or -errno.
 */
int textfile_read_fd(int fd, size_t max, size_t lead, char **out, size_t *len);
/* The same for a path. */
int textfile_read(const char *path, size_t max, size_t lead, char **out,
		  size_t *len);

#endif
