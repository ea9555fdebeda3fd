/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Files skbscope writes at the user's request (--output-file, --output-pcap,
 * --record, explorer exports): one policy for all of them.
 */
#ifndef SKBSCOPE_OUTFILE_H
#define SKBSCOPE_OUTFILE_H

#include <stddef.h>
#include <stdio.h>

/*
 * Create path fresh (truncating it), never through a symlink planted at
 * the path, readable by its owner only (traces name hosts and processes).
 * Returns the descriptor, or -errno with "cannot create 'PATH': why" in
 * err (err may be NULL).
 */
int outfile_open(const char *path, char *err, size_t errlen);
/* The same, as a stdio stream. 0 or -errno. */
int outfile_fopen(const char *path, FILE **out, char *err, size_t errlen);
/*
 * path as a message shows it: whole up to OUTFILE_SHOWN - 1 bytes, else its
 * start and end around "...", so that the reason after it still fits (an
 * argument of 100 KB is a path too). Returns buf.
 */
#define OUTFILE_SHOWN 160
const char *outfile_shown(const char *path, char *buf, size_t len);

#endif
