/* SPDX-License-Identifier: GPL-2.0 */
/* Finds tracefs's list of events, mounting it privately if it must. The
 * exports are kfs_ ("kernel tracing filesystem"): libtracefs owns tracefs_. */
#ifndef SKBSCOPE_TRACEFS_H
#define SKBSCOPE_TRACEFS_H

#include <stddef.h>

/*
 * Read available_events ("group:name" lines) into a malloc'd, NUL-ended
 * buffer. Tries /sys/kernel/tracing and /sys/kernel/debug/tracing; when
 * tracefs is mounted at neither, a child process mounts it in a mount
 * namespace of its own, so the system is left as it was. 0 or -errno.
 */
int kfs_available_events(char **out);

/* Same, for any file under tracefs (e.g. "available_filter_functions"). */
int kfs_read(const char *file, char **out);

#endif
