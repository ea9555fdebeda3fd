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

/*
 * --output-file rotation, pwru's policy (lumberjack's): when the next
 * record would take the file past max_bytes, the file is renamed to
 * NAME-YYYY-MM-DDTHH-MM-SS.mmm.EXT (local time; NAME.EXT split at the last
 * dot of the base name), optionally gzipped to that name plus ".gz", and a
 * new file is started; then the oldest backups beyond max_backups, and
 * those older than max_age_days, are removed (0: keep them all).
 * Rotation happens only between records, so a line or a JSON object is
 * never split between two files; a record bigger than max_bytes gets a
 * file of its own.
 */
struct outfile_rot_opts {
	unsigned long long max_bytes; /* 0: never rotate */
	unsigned max_backups;
	unsigned max_age_days;
	int compress;
};

struct outfile_rot;

/* Open path as outfile_open does, and a stream over it that rotates.
 * Writes go into the stream; outfile_rot_commit() marks the end of a
 * record. 0 or -errno with the cause in err. */
int outfile_rot_open(const char *path, const struct outfile_rot_opts *o,
		     struct outfile_rot **out, char *err, size_t errlen);
FILE *outfile_rot_stream(struct outfile_rot *r);
/* A record ends here: what was written since the last commit is one unit
 * that rotation keeps whole. 0, or -errno when writing the file failed
 * (rotation failures are not write failures: see outfile_rot_error). */
int outfile_rot_commit(struct outfile_rot *r);
/* Rotations that failed (rename, new file, gzip, removal) since the last
 * call: their count, and the first one's message in buf. The output goes
 * on in the file at hand, so nothing is lost. */
unsigned outfile_rot_error(struct outfile_rot *r, char *buf, size_t len);
/* Files rotated away so far. */
unsigned long long outfile_rot_count(const struct outfile_rot *r);
/* Commit, write out, wait for a gzip in progress, close. 0 or -errno of
 * the first write error. */
int outfile_rot_close(struct outfile_rot *r);

/* The pure parts, for tests. The backup name of path for a rotation at
 * wall-clock time (sec, ms) in the local time zone. Returns its length. */
int outfile_rot_name(const char *path, long long sec, int ms, char *buf,
		     size_t len);
/* Whether file name (a base name in path's directory) is a backup of path
 * (gzipped or not); *sec gets the time its name carries. */
int outfile_rot_parse(const char *path, const char *name, long long *sec);
/* Given n backups with their times, newest first, mark in drop[] those
 * the policy removes at time now (seconds). Returns how many. */
size_t outfile_rot_prune(const long long *secs, size_t n, long long now,
			 const struct outfile_rot_opts *o, int *drop);

#endif
