// SPDX-License-Identifier: GPL-2.0
/*
 * Compiled-in terminal descriptions for boxes without a terminfo
 * database, written out only when $TERM's entry is missing and removed as
 * soon as curses has read it, so nothing stays behind after any exit,
 * kill -9 included. Debian's ncurses looks in /etc/terminfo, /lib/terminfo
 * and /usr/share/terminfo after $TERMINFO, ~/.terminfo and
 * $TERMINFO_DIRS; the static binary carries that same list.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tui/terminfo.h"

static const char *const system_dirs[] = {
	"/etc/terminfo",
	"/lib/terminfo",
	"/usr/share/terminfo",
};

/* What terminfo_fallback wrote, and the TERMINFO it replaced (NULL when
 * there was none), for terminfo_release. */
static char sub_path[512], file_path[768];
static char *saved_terminfo;
static int env_set;

/* dir/<first letter>/term or dir/<its hex>/term (the layout of
 * case-insensitive file systems). */
static int in_dir(const char *dir, size_t dlen, const char *term)
{
	char path[4096];
	struct stat st;

	if (!dlen)
		return 0;
	snprintf(path, sizeof(path), "%.*s/%c/%s", (int)dlen, dir, term[0],
		 term);
	if (!stat(path, &st) && S_ISREG(st.st_mode))
		return 1;
	snprintf(path, sizeof(path), "%.*s/%02x/%s", (int)dlen, dir,
		 (unsigned char)term[0], term);
	return !stat(path, &st) && S_ISREG(st.st_mode);
}

static int in_system_dirs(const char *term)
{
	for (size_t i = 0; i < sizeof(system_dirs) / sizeof(system_dirs[0]);
	     i++)
		if (in_dir(system_dirs[i], strlen(system_dirs[i]), term))
			return 1;
	return 0;
}

int terminfo_present(const char *term)
{
	const char *v;

	if (!term || !*term || strchr(term, '/'))
		return 0;
	v = getenv("TERMINFO");
	if (v && in_dir(v, strlen(v), term))
		return 1;
	v = getenv("HOME");
	if (v) {
		char home[4096];

		snprintf(home, sizeof(home), "%s/.terminfo", v);
		if (in_dir(home, strlen(home), term))
			return 1;
	}
	v = getenv("TERMINFO_DIRS");
	while (v && *v) {
		size_t n = strcspn(v, ":");

		/* An empty element stands for the system's list. */
		if (n ? in_dir(v, n, term) : in_system_dirs(term))
			return 1;
		v += n + (v[n] == ':');
	}
	return in_system_dirs(term);
}

static const struct terminfo_entry *embedded(const char *term)
{
	for (const struct terminfo_entry *e = terminfo_embedded; e->name; e++)
		if (!strcmp(e->name, term))
			return e;
	return NULL;
}

static int write_all(const char *path, const unsigned char *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	int ret = 0;

	if (fd < 0)
		return -errno;
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		p += w;
		n -= (size_t)w;
	}
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}

int terminfo_fallback(char *dir, size_t len)
{
	const char *term = getenv("TERM");
	const struct terminfo_entry *e;
	const char *tmp = getenv("TMPDIR");
	const char *old;
	int ret;

	dir[0] = '\0';
	if (!term || terminfo_present(term) || !(e = embedded(term)))
		return 0;
	if (!tmp || !*tmp || strlen(tmp) + 32 > len)
		tmp = "/tmp";
	snprintf(dir, len, "%s/skbscope-terminfo.XXXXXX", tmp);
	if (!mkdtemp(dir)) {
		ret = -errno;
		dir[0] = '\0';
		return ret;
	}
	snprintf(sub_path, sizeof(sub_path), "%.400s/%c", dir, term[0]);
	snprintf(file_path, sizeof(file_path), "%s/%.200s", sub_path, term);
	if (mkdir(sub_path, 0700)) {
		ret = -errno;
		goto out;
	}
	ret = write_all(file_path, e->data, e->len);
	if (ret)
		goto out;
	old = getenv("TERMINFO");
	if (old && !(saved_terminfo = strdup(old))) {
		ret = -ENOMEM;
		goto out;
	}
	if (setenv("TERMINFO", dir, 1)) {
		ret = -errno;
		goto out;
	}
	env_set = 1;
	return 1;
out:
	terminfo_release(dir);
	return ret;
}

void terminfo_release(char *dir)
{
	if (!dir[0])
		return;
	unlink(file_path);
	rmdir(sub_path);
	rmdir(dir);
	dir[0] = '\0';
	if (env_set) {
		if (saved_terminfo)
			setenv("TERMINFO", saved_terminfo, 1);
		else
			unsetenv("TERMINFO");
	}
	free(saved_terminfo);
	saved_terminfo = NULL;
	env_set = 0;
}
