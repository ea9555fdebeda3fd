// SPDX-License-Identifier: GPL-2.0
/*
 * O_NOFOLLOW and mode 0600 in one place, so no output path forgets them;
 * and --output-file rotation, which renames and gzips files under a
 * stream that the printers write to as to any other.
 */
#define _GNU_SOURCE /* fopencookie */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <zlib.h>
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

/* --- rotation ------------------------------------------------------- */

/* "2006-01-02T15-04-05.000": lumberjack's backup time, as pwru names its
 * rotated files. */
#define ROT_TIME_LEN 23
/* Written out once this much is committed, or a second has passed. */
#define ROT_FLUSH_BYTES (64 << 10)
/* A writer that never commits still gets its bytes written. */
#define ROT_RECORD_MAX (16 << 20)

struct outfile_rot {
	char *path;
	struct outfile_rot_opts o;
	int fd;
	FILE *f;
	char *buf; /* not yet written: [0, committed) whole records */
	size_t len, cap, committed;
	unsigned long long size; /* bytes in the current file */
	unsigned long long rotations;
	struct timespec last_out;
	int werr; /* first write error, errno */
	/* The worker gzips and prunes after a rotation, so that the
	 * printer (and the ring buffer behind it) never waits for zlib. */
	pthread_t worker;
	int worker_on;
	pthread_mutex_t mu;
	unsigned nerr;
	char errmsg[512];
};

/* path split into its directory ("." when none), and the base name's
 * prefix and extension at its last dot. */
struct rot_parts {
	char dir[PATH_MAX];
	const char *base;
	size_t prefix_len;
	const char *ext;
};

static int rot_split(const char *path, struct rot_parts *p)
{
	const char *slash = strrchr(path, '/'), *dot;

	if (slash) {
		size_t n = (size_t)(slash - path);

		if (n >= sizeof(p->dir))
			return -ENAMETOOLONG;
		memcpy(p->dir, path, n);
		p->dir[n] = '\0';
		if (!n)
			strcpy(p->dir, "/");
		p->base = slash + 1;
	} else {
		strcpy(p->dir, ".");
		p->base = path;
	}
	dot = strrchr(p->base, '.');
	p->ext = dot ? dot : p->base + strlen(p->base);
	p->prefix_len = (size_t)(p->ext - p->base);
	return 0;
}

int outfile_rot_name(const char *path, long long sec, int ms, char *buf,
		     size_t len)
{
	struct rot_parts p;
	time_t t = (time_t)sec;
	struct tm tm;
	size_t dirlen;

	if (rot_split(path, &p) || !localtime_r(&t, &tm))
		return snprintf(buf, len, "%s", "");
	dirlen = (size_t)(p.base - path);
	return snprintf(buf, len,
			"%.*s%.*s-%04d-%02d-%02dT%02d-%02d-%02d.%03d%s",
			(int)dirlen, path, (int)p.prefix_len, p.base,
			tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			tm.tm_hour, tm.tm_min, tm.tm_sec, ms, p.ext);
}

int outfile_rot_parse(const char *path, const char *name, long long *sec)
{
	struct rot_parts p;
	struct tm tm = { 0 };
	const char *t, *rest;
	int ms, used = 0;
	size_t extlen;

	if (rot_split(path, &p))
		return 0;
	if (strncmp(name, p.base, p.prefix_len) || name[p.prefix_len] != '-')
		return 0;
	t = name + p.prefix_len + 1;
	if (strlen(t) < ROT_TIME_LEN)
		return 0;
	/* Digits, and the separators where lumberjack puts them. */
	for (int i = 0; i < ROT_TIME_LEN; i++) {
		char want = "dddd-dd-ddTdd-dd-dd.ddd"[i];

		if (want == 'd' ? (t[i] < '0' || t[i] > '9') : t[i] != want)
			return 0;
	}
	if (sscanf(t, "%4d-%2d-%2dT%2d-%2d-%2d.%3d%n", &tm.tm_year, &tm.tm_mon,
		   &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms,
		   &used) != 7 ||
	    used != ROT_TIME_LEN)
		return 0;
	rest = t + ROT_TIME_LEN;
	extlen = strlen(p.ext);
	if (strncmp(rest, p.ext, extlen))
		return 0;
	rest += extlen;
	if (*rest && strcmp(rest, ".gz"))
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_isdst = -1;
	*sec = (long long)mktime(&tm);
	return 1;
}

size_t outfile_rot_prune(const long long *secs, size_t n, long long now,
			 const struct outfile_rot_opts *o, int *drop)
{
	long long oldest = now - (long long)o->max_age_days * 86400;
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		drop[i] = (o->max_backups && i >= o->max_backups) ||
			  (o->max_age_days && secs[i] < oldest);
		k += (size_t)drop[i];
	}
	return k;
}

static void rot_fail(struct outfile_rot *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void rot_fail(struct outfile_rot *r, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&r->mu);
	if (!r->nerr++) {
		va_start(ap, fmt);
		vsnprintf(r->errmsg, sizeof(r->errmsg), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&r->mu);
}

/* backup -> backup.gz, then the plain one goes; on any failure the plain
 * one stays (the trace is kept, uncompressed) and the partial .gz goes. */
static void rot_gzip(struct outfile_rot *r, const char *name)
{
	char gzname[PATH_MAX + 4], *chunk = NULL;
	int in = -1, out = -1, e = 0;
	gzFile gz = NULL;
	ssize_t n;

	if (snprintf(gzname, sizeof(gzname), "%s.gz", name) >=
	    (int)sizeof(gzname)) {
		rot_fail(r, "cannot gzip %s: name too long", name);
		return;
	}
	in = open(name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0) {
		e = errno;
		goto out;
	}
	out = open(gzname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		   0600);
	if (out < 0) {
		e = errno;
		goto out;
	}
	gz = gzdopen(out, "wb");
	chunk = malloc(ROT_FLUSH_BYTES);
	if (!gz || !chunk) {
		e = ENOMEM;
		goto out;
	}
	out = -1; /* gz owns it */
	while ((n = read(in, chunk, ROT_FLUSH_BYTES)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			e = errno;
			goto out;
		}
		if (gzwrite(gz, chunk, (unsigned)n) != (int)n) {
			int zerr;

			gzerror(gz, &zerr);
			e = zerr == Z_ERRNO && errno ? errno : EIO;
			goto out;
		}
	}
	n = gzclose(gz);
	gz = NULL;
	if (n != Z_OK) {
		e = n == Z_ERRNO && errno ? errno : EIO;
		goto out;
	}
	if (unlink(name))
		rot_fail(r, "gzipped %s but cannot remove it: %s", name,
			 strerror(errno));
out:
	if (gz)
		gzclose(gz);
	if (out >= 0)
		close(out);
	if (in >= 0)
		close(in);
	free(chunk);
	if (e) {
		unlink(gzname);
		rot_fail(r, "cannot gzip %s (kept uncompressed): %s", name,
			 strerror(e));
	}
}

struct rot_backup {
	long long sec;
	char name[NAME_MAX + 1];
};

static int backup_newer_first(const void *a, const void *b)
{
	const struct rot_backup *x = a, *y = b;

	if (x->sec != y->sec)
		return x->sec < y->sec ? 1 : -1;
	return -strcmp(x->name, y->name);
}

/* The backups of path in its directory, pruned by count and age. */
static void rot_prune(struct outfile_rot *r)
{
	struct rot_backup *b = NULL, *nb;
	size_t n = 0, cap = 0;
	struct rot_parts p;
	struct dirent *de;
	long long *secs = NULL;
	int *drop = NULL;
	DIR *d;

	if (!r->o.max_backups && !r->o.max_age_days)
		return;
	if (rot_split(r->path, &p) || !(d = opendir(p.dir))) {
		rot_fail(r, "cannot list %s to remove old backups: %s", p.dir,
			 strerror(errno));
		return;
	}
	while ((de = readdir(d))) {
		long long sec;

		if (!outfile_rot_parse(r->path, de->d_name, &sec))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			nb = reallocarray(b, cap, sizeof(*b));
			if (!nb)
				break;
			b = nb;
		}
		b[n].sec = sec;
		snprintf(b[n].name, sizeof(b[n].name), "%s", de->d_name);
		n++;
	}
	closedir(d);
	drop = calloc(n ? n : 1, sizeof(*drop));
	secs = calloc(n ? n : 1, sizeof(*secs));
	if (drop && secs) {
		qsort(b, n, sizeof(*b), backup_newer_first);
		for (size_t i = 0; i < n; i++)
			secs[i] = b[i].sec;
		outfile_rot_prune(secs, n, (long long)time(NULL), &r->o, drop);
	} else if (n) {
		rot_fail(r, "cannot prune old backups: out of memory");
		n = 0;
	}
	for (size_t i = 0; i < n; i++) {
		char full[PATH_MAX + NAME_MAX + 2];

		if (!drop[i])
			continue;
		snprintf(full, sizeof(full), "%s/%s", p.dir, b[i].name);
		if (unlink(full) && errno != ENOENT)
			rot_fail(r, "cannot remove old backup %s: %s", full,
				 strerror(errno));
	}
	free(secs);
	free(drop);
	free(b);
}

struct rot_job {
	struct outfile_rot *r;
	char name[PATH_MAX];
};

static void *rot_worker(void *arg)
{
	struct rot_job *j = arg;

	if (j->r->o.compress)
		rot_gzip(j->r, j->name);
	rot_prune(j->r);
	free(j);
	return NULL;
}

static void rot_wait(struct outfile_rot *r)
{
	if (r->worker_on) {
		pthread_join(r->worker, NULL);
		r->worker_on = 0;
	}
}

static int write_all(struct outfile_rot *r, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(r->fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (!r->werr)
				r->werr = w < 0 ? errno : EIO;
			return -r->werr;
		}
		p += w;
		n -= (size_t)w;
		r->size += (unsigned long long)w;
	}
	return 0;
}

/* Write out the committed records and keep the rest at the front. */
static int rot_out(struct outfile_rot *r)
{
	int ret = write_all(r, r->buf, r->committed);

	memmove(r->buf, r->buf + r->committed, r->len - r->committed);
	r->len -= r->committed;
	r->committed = 0;
	clock_gettime(CLOCK_MONOTONIC, &r->last_out);
	return ret;
}

static int exists(const char *p)
{
	struct stat st;

	return !lstat(p, &st);
}

/* The current file becomes a backup and a new one starts. Any failure
 * leaves the output going on into the file at hand. */
static void rot_rotate(struct outfile_rot *r)
{
	char name[PATH_MAX], gz[PATH_MAX + 4], err[512];
	struct timespec now;
	long long sec;
	int ms, fd;
	struct rot_job *j;

	clock_gettime(CLOCK_REALTIME, &now);
	sec = now.tv_sec;
	ms = (int)(now.tv_nsec / 1000000);
	/* Two rotations in one millisecond must not share a name. */
	for (int tries = 0; tries < 1000; tries++) {
		outfile_rot_name(r->path, sec, ms, name, sizeof(name));
		snprintf(gz, sizeof(gz), "%s.gz", name);
		if (!exists(name) && !exists(gz))
			break;
		if (++ms == 1000) {
			ms = 0;
			sec++;
		}
	}
	rot_wait(r); /* the previous gzip may be reading a name we'd take */
	if (!name[0] || rename(r->path, name)) {
		rot_fail(r, "cannot rotate %s to %s: %s", r->path, name,
			 name[0] ? strerror(errno) : "name too long");
		return;
	}
	fd = outfile_open(r->path, err, sizeof(err));
	if (fd < 0) {
		/* Put it back and write on into it. */
		if (rename(name, r->path))
			rot_fail(r, "%s; the output goes on in %s", err, name);
		else
			rot_fail(r, "%s; the output goes on in it", err);
		return;
	}
	close(r->fd);
	r->fd = fd;
	r->size = 0;
	r->rotations++;
	if (!r->o.compress && !r->o.max_backups && !r->o.max_age_days)
		return;
	j = calloc(1, sizeof(*j));
	if (!j) {
		rot_fail(r, "cannot gzip or prune %s: out of memory", name);
		return;
	}
	j->r = r;
	snprintf(j->name, sizeof(j->name), "%s", name);
	if (pthread_create(&r->worker, NULL, rot_worker, j)) {
		rot_worker(j); /* no thread: do it here */
		return;
	}
	r->worker_on = 1;
}

int outfile_rot_commit(struct outfile_rot *r)
{
	size_t rec;
	struct timespec now;
	int ret = 0;

	if (fflush(r->f) == EOF && !r->werr)
		r->werr = errno ? errno : EIO;
	rec = r->len - r->committed;
	if (r->o.max_bytes && r->size + r->committed > 0 &&
	    r->size + r->committed + rec > r->o.max_bytes) {
		ret = rot_out(r);
		rot_rotate(r);
	}
	r->committed = r->len;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (r->committed >= ROT_FLUSH_BYTES ||
	    now.tv_sec - r->last_out.tv_sec >= 1)
		ret = rot_out(r) ?: ret;
	return ret ?: -r->werr;
}

static ssize_t rot_cookie_write(void *c, const char *p, size_t n)
{
	struct outfile_rot *r = c;
	char *nb;

	if (r->len + n > r->cap) {
		size_t cap = r->cap ? r->cap : ROT_FLUSH_BYTES;

		while (cap < r->len + n)
			cap *= 2;
		nb = realloc(r->buf, cap);
		if (!nb) {
			errno = ENOMEM;
			return -1;
		}
		r->buf = nb;
		r->cap = cap;
	}
	memcpy(r->buf + r->len, p, n);
	r->len += n;
	/* Records are committed by the caller; one that never commits
	 * would grow this without end. */
	if (r->len - r->committed > ROT_RECORD_MAX) {
		r->committed = r->len;
		if (rot_out(r))
			return -1;
	}
	return (ssize_t)n;
}

int outfile_rot_open(const char *path, const struct outfile_rot_opts *o,
		     struct outfile_rot **out, char *err, size_t errlen)
{
	static const cookie_io_functions_t io = { .write = rot_cookie_write };
	struct outfile_rot *r = calloc(1, sizeof(*r));
	struct stat st;
	int fd;

	if (!r || !(r->path = strdup(path))) {
		free(r);
		return fail(path, ENOMEM, err, errlen);
	}
	fd = outfile_open(path, err, errlen);
	if (fd < 0) {
		free(r->path);
		free(r);
		return fd;
	}
	r->fd = fd;
	r->o = *o;
	/* A FIFO or a device cannot be renamed into a backup. */
	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		r->o.max_bytes = 0;
	pthread_mutex_init(&r->mu, NULL);
	clock_gettime(CLOCK_MONOTONIC, &r->last_out);
	r->f = fopencookie(r, "w", io);
	if (!r->f) {
		close(fd);
		free(r->path);
		free(r);
		return fail(path, ENOMEM, err, errlen);
	}
	*out = r;
	return 0;
}

FILE *outfile_rot_stream(struct outfile_rot *r)
{
	return r->f;
}

unsigned outfile_rot_error(struct outfile_rot *r, char *buf, size_t len)
{
	unsigned n;

	pthread_mutex_lock(&r->mu);
	n = r->nerr;
	if (len)
		snprintf(buf, len, "%s", r->errmsg);
	r->nerr = 0;
	r->errmsg[0] = '\0';
	pthread_mutex_unlock(&r->mu);
	return n;
}

unsigned long long outfile_rot_count(const struct outfile_rot *r)
{
	return r->rotations;
}

int outfile_rot_close(struct outfile_rot *r)
{
	int ret;

	if (!r)
		return 0;
	outfile_rot_commit(r);
	r->committed = r->len;
	rot_out(r);
	fclose(r->f);
	rot_wait(r);
	if (close(r->fd) && !r->werr)
		r->werr = errno;
	ret = -r->werr;
	pthread_mutex_destroy(&r->mu);
	free(r->buf);
	free(r->path);
	free(r);
	return ret;
}
