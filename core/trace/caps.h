/* SPDX-License-Identifier: GPL-2.0 */
/* What privileges tracing needs, checked up front so the user is told
 * exactly what is missing instead of getting EPERM from deep inside. */
#ifndef SKBSCOPE_CAPS_H
#define SKBSCOPE_CAPS_H

#include <stddef.h>

/*
 * Check the effective capabilities in a /proc/<pid>/status-format file
 * (NULL: /proc/self/status). Tracing needs CAP_BPF and CAP_PERFMON, or
 * CAP_SYS_ADMIN (which implies both, and is what kernels before 5.8 ask
 * for). Returns 0 when enough, -EPERM with the missing names in missing
 * ("CAP_BPF, CAP_PERFMON"), or another -errno.
 */
int caps_check(const char *status_path, char *missing, size_t len);

/*
 * Give up every capability but those in keep (CAP_* numbers), from the
 * effective, permitted, inheritable and bounding sets, and set
 * no_new_privs so that nothing this process runs can get them back.
 * Called once the programs are attached and every file the user asked for
 * is open. Returns 0 or -errno.
 */
int caps_drop(const int *keep, int nkeep);

/* Does the running kernel know capability cap (CAP_BPF came in 5.8)? */
int caps_known(int cap);

#endif
