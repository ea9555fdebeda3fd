// SPDX-License-Identifier: GPL-2.0
/*
 * Netns inodes and cgroup ids to names: /var/run/netns entries by the
 * inode their stat() gives, the container of a process in that namespace
 * from its /proc/PID/cgroup, and cgroup directories by their inode (on
 * cgroup v2 a cgroup's id is its directory's inode number).
 */
#define _GNU_SOURCE /* nftw's FTW_ACTIONRETVAL */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "core/lib/clock.h"
#include "core/lib/u64map.h"
#include "core/nsnames.h"

/* Names kept before the cache starts over: namespaces and cgroups come
 * and go on a busy box, and their numbers are not reused soon. */
#define NAMES_MAX 65536
/* A number seen before and not found is asked about again this late. */
#define RETRY_NS (10 * 1000000000LL)
/* Scans of /proc or the cgroup tree at most this often. */
#define SCAN_NS 1000000000LL
/* cgroup tree depth walked (kubepods nest five or six deep). */
#define CG_DEPTH 16

/* One table per kind; a value is a pointer to a struct name, each also
 * on the table's list, which owns them. */
struct name {
	struct name *next;
	long long asked; /* mono_ns() when it was looked for */
	char text[];     /* "" when not found */
};

struct table {
	struct u64map *map;
	struct name *all;
	size_t nall;
	long long scanned; /* mono_ns() of the last scan */
};

struct nsnames {
	char *netns_dir, *proc_dir, *cgroup_dir;
	size_t maxlen;
	struct table ns, cg;
};

static void table_clear(struct table *t)
{
	while (t->all) {
		struct name *nm = t->all;

		t->all = nm->next;
		free(nm);
	}
	t->nall = 0;
	u64map_clear(t->map);
}

int nsnames_new(const char *netns_dir, const char *proc_dir,
		const char *cgroup_dir, size_t maxlen, struct nsnames **out)
{
	struct nsnames *n = calloc(1, sizeof(*n));

	if (!n)
		return -ENOMEM;
	/* NULL: nothing is looked up there (a replay's names come from
	 * the recording). */
	n->netns_dir = netns_dir ? strdup(netns_dir) : NULL;
	n->proc_dir = proc_dir ? strdup(proc_dir) : NULL;
	n->cgroup_dir = cgroup_dir ? strdup(cgroup_dir) : NULL;
	n->maxlen = maxlen;
	if ((netns_dir && !n->netns_dir) || (proc_dir && !n->proc_dir) ||
	    (cgroup_dir && !n->cgroup_dir) || u64map_new(64, &n->ns.map) ||
	    u64map_new(64, &n->cg.map)) {
		nsnames_free(n);
		return -ENOMEM;
	}
	n->ns.scanned = n->cg.scanned = -SCAN_NS;
	*out = n;
	return 0;
}

void nsnames_free(struct nsnames *n)
{
	if (!n)
		return;
	if (n->ns.map)
		table_clear(&n->ns);
	if (n->cg.map)
		table_clear(&n->cg);
	u64map_free(n->ns.map);
	u64map_free(n->cg.map);
	free(n->netns_dir);
	free(n->proc_dir);
	free(n->cgroup_dir);
	free(n);
}

const char *nsnames_cut(const char *s, size_t max, char *buf, size_t len)
{
	size_t l = strlen(s);

	if (!max || l <= max || max < 2)
		snprintf(buf, len, "%s", s);
	else
		snprintf(buf, len, "%.*s~", (int)(max - 1), s);
	return buf;
}

/* Put text (cut to maxlen) for key; "" records that none was found. */
static const char *table_put(struct nsnames *n, struct table *t, __u64 key,
			     const char *text)
{
	char cut[PATH_MAX];
	struct name *nm;
	__u64 *slot;

	/* Counts the names replaced too (a retry that found nothing again). */
	if (t->nall >= NAMES_MAX)
		table_clear(t);
	nsnames_cut(text, n->maxlen, cut, sizeof(cut));
	nm = malloc(sizeof(*nm) + strlen(cut) + 1);
	if (!nm)
		return NULL;
	nm->asked = mono_ns();
	strcpy(nm->text, cut);
	slot = u64map_slot(t->map, key, NULL);
	if (!slot) {
		free(nm);
		return NULL;
	}
	nm->next = t->all;
	t->all = nm;
	t->nall++;
	*slot = (__u64)(uintptr_t)nm;
	return nm->text[0] ? nm->text : NULL;
}

static int is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

int nsnames_container(const char *path, char *buf, size_t len)
{
	/* Prefixes of a container scope (systemd cgroup driver), and the
	 * parent directories of a bare id (cgroupfs driver). */
	static const struct {
		const char *prefix, *runtime;
	} scopes[] = {
		{ "docker-", "docker" },
		{ "cri-containerd-", "containerd" },
		{ "crio-", "crio" },
		{ "libpod-", "podman" },
		{ "containerd-", "containerd" },
	};
	static const struct {
		const char *dir, *runtime;
	} parents[] = {
		{ "docker", "docker" },
		{ "libpod_parent", "podman" },
		{ "containerd", "containerd" },
		{ "crio", "crio" },
	};
	const char *end = path + strlen(path);

	/* From the innermost component out: a container's own cgroup may
	 * have children (a systemd inside it). */
	while (end > path) {
		const char *c = end, *id;
		size_t cl;

		while (c > path && c[-1] != '/')
			c--;
		cl = (size_t)(end - c);
		for (size_t i = 0; i < sizeof(scopes) / sizeof(scopes[0]);
		     i++) {
			size_t pl = strlen(scopes[i].prefix);

			id = c + pl;
			if (cl == pl + 64 + 6 &&
			    !strncmp(c, scopes[i].prefix, pl) &&
			    is_hex(id, 64) && !strncmp(id + 64, ".scope", 6)) {
				snprintf(buf, len, "%s:%.12s",
					 scopes[i].runtime, id);
				return 0;
			}
		}
		if (cl == 64 && is_hex(c, 64)) {
			const char *p = c > path ? c - 1 : c, *pc = p;
			const char *rt = strstr(path, "kubepods") ? "k8s" :
								    "container";

			while (pc > path && pc[-1] != '/')
				pc--;
			for (size_t i = 0;
			     i < sizeof(parents) / sizeof(parents[0]); i++)
				if ((size_t)(p - pc) ==
					    strlen(parents[i].dir) &&
				    !strncmp(pc, parents[i].dir,
					     (size_t)(p - pc)))
					rt = parents[i].runtime;
			snprintf(buf, len, "%s:%.12s", rt, c);
			return 0;
		}
		end = c > path ? c - 1 : c;
	}
	return -ENOENT;
}

/* Whether a cached entry answers now, and with what. */
static int cached(struct table *t, __u64 key, const char **out)
{
	__u64 *v = u64map_get(t->map, key);
	struct name *nm;

	if (!v)
		return 0;
	nm = (struct name *)(uintptr_t)*v;
	*out = nm->text[0] ? nm->text : NULL;
	return nm->text[0] || mono_ns() - nm->asked < RETRY_NS;
}

/* Every name under netns_dir, by inode. */
static void scan_netns_dir(struct nsnames *n)
{
	char p[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d = n->netns_dir ? opendir(n->netns_dir) : NULL;

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (snprintf(p, sizeof(p), "%s/%s", n->netns_dir, de->d_name) >=
			    (int)sizeof(p) ||
		    stat(p, &st))
			continue;
		table_put(n, &n->ns, (__u64)st.st_ino, de->d_name);
	}
	closedir(d);
}

/* The container of the first process in netns ino, or "". */
static void scan_procs(struct nsnames *n, __u32 ino, char *out, size_t len)
{
	char p[PATH_MAX], line[PATH_MAX + 64];
	struct dirent *de;
	struct stat st;
	DIR *d = n->proc_dir ? opendir(n->proc_dir) : NULL;

	out[0] = '\0';
	if (!d)
		return;
	while (!out[0] && (de = readdir(d))) {
		FILE *f;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(p, sizeof(p), "%s/%s/ns/net", n->proc_dir, de->d_name);
		if (stat(p, &st) || st.st_ino != ino)
			continue;
		snprintf(p, sizeof(p), "%s/%s/cgroup", n->proc_dir, de->d_name);
		f = fopen(p, "re");
		if (!f)
			continue;
		/* "0::/path" on v2, "N:ctrl:/path" lines on v1 */
		while (!out[0] && fgets(line, sizeof(line), f)) {
			char *path = strchr(line, ':');

			path = path ? strchr(path + 1, ':') : NULL;
			if (!path)
				continue;
			path[strcspn(path, "\n")] = '\0';
			nsnames_container(path + 1, out, len);
		}
		fclose(f);
	}
	closedir(d);
}

const char *nsnames_netns(struct nsnames *n, __u32 ino)
{
	char c[128];
	const char *name = NULL;

	/* Known, or not found less than RETRY_NS ago. */
	if (!ino || cached(&n->ns, ino, &name))
		return name;
	/* The names directory names them all, in one listing, at most once
	 * a second; then the processes, for this one namespace. */
	if (mono_ns() - n->ns.scanned >= SCAN_NS) {
		n->ns.scanned = mono_ns();
		scan_netns_dir(n);
		if (cached(&n->ns, ino, &name) && name)
			return name;
	}
	scan_procs(n, ino, c, sizeof(c));
	return table_put(n, &n->ns, ino, c);
}

/* nftw has no context argument: the walk in progress. */
static __thread struct {
	struct nsnames *n;
	__u64 want;
	size_t root_len;
	char found[PATH_MAX];
} walk;

static int cg_visit(const char *path, const struct stat *st, int type,
		    struct FTW *ftw)
{
	const char *rel = path + walk.root_len;

	if (type != FTW_D)
		return FTW_CONTINUE;
	if (ftw->level > CG_DEPTH)
		return FTW_SKIP_SUBTREE;
	if (!*rel)
		rel = "/";
	/* Every cgroup met is named on the way: one walk names them all. */
	{
		char c[128];
		__u64 *have = u64map_get(walk.n->cg.map, (__u64)st->st_ino);

		if (!have || !((struct name *)(uintptr_t)*have)->text[0])
			table_put(walk.n, &walk.n->cg, (__u64)st->st_ino,
				  nsnames_container(rel, c, sizeof(c)) ? rel :
									 c);
	}
	if ((__u64)st->st_ino == walk.want)
		snprintf(walk.found, sizeof(walk.found), "%s", rel);
	return FTW_CONTINUE;
}

const char *nsnames_cgroup(struct nsnames *n, __u64 id)
{
	const char *name = NULL;

	if (!id || cached(&n->cg, id, &name) || !n->cgroup_dir)
		return name;
	/* A walk names every cgroup; an id still unknown after one waits
	 * RETRY_NS, and walks come at most once a second. */
	if (mono_ns() - n->cg.scanned < SCAN_NS)
		return NULL;
	n->cg.scanned = mono_ns();
	walk.n = n;
	walk.want = id;
	walk.root_len = strlen(n->cgroup_dir);
	walk.found[0] = '\0';
	nftw(n->cgroup_dir, cg_visit, 32, FTW_PHYS | FTW_ACTIONRETVAL);
	if (cached(&n->cg, id, &name) && name)
		return name;
	return table_put(n, &n->cg, id, "");
}

const char *nsnames_cgroup_root(void)
{
	static char root[PATH_MAX];
	char dev[256], dir[PATH_MAX], type[64];
	FILE *f;

	if (root[0])
		return root;
	snprintf(root, sizeof(root), "/sys/fs/cgroup");
	f = fopen("/proc/self/mounts", "re");
	if (!f)
		return root;
	while (fscanf(f, "%255s %4095s %63s %*[^\n]", dev, dir, type) == 3)
		if (!strcmp(type, "cgroup2")) {
			snprintf(root, sizeof(root), "%s", dir);
			break;
		}
	fclose(f);
	return root;
}

int nsnames_put_cgroup(struct nsnames *n, __u64 id, const char *text)
{
	return table_put(n, &n->cg, id, text) || !text[0] ? 0 : -ENOMEM;
}
