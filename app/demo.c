// SPDX-License-Identifier: GPL-2.0
/*
 * The demo uses the system's own ip and iptables, the same commands a
 * reader would type, and two small child processes: a sender in namespace
 * A and a listener in namespace B. Addresses live only inside the two
 * namespaces.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include "app/cli.h"
#include "app/demo.h"
#include "core/filter.h"

extern char **environ;

#define NET "10.213.250"

struct demo {
	char a[32], b[32];
	int made_a, made_b;
	pid_t sender, listener;
	char note[200];
};

/* Run a command quietly; 0 when it exits 0. */
static int run(char *const argv[])
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st, ret;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	ret = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (ret)
		return -ret;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(st) && !WEXITSTATUS(st) ? 0 : -EIO;
}

#define RUN(...) run((char *const[]){ __VA_ARGS__, NULL })

static int enter_netns(const char *name)
{
	char path[128];
	int fd, ret;

	snprintf(path, sizeof(path), "/var/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = setns(fd, CLONE_NEWNET) ? -errno : 0;
	close(fd);
	return ret;
}

/* A child that never returns: sends to the dropped port, the closed port
 * and the open one, twice a second, until killed. */
static void sender(const char *ns)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	int fd;

	if (enter_netns(ns))
		_exit(1);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	inet_pton(AF_INET, NET ".2", &to.sin_addr);
	for (unsigned i = 0;; i++) {
		static const unsigned short ports[] = { 7001, 7002, 7003 };

		to.sin_port = htons(ports[i % 3]);
		sendto(fd, "skbscope demo", 13, 0, (struct sockaddr *)&to,
		       sizeof(to));
		usleep(300000);
		if (getppid() == 1)
			_exit(0); /* the parent died: stop */
	}
}

static void listener(const char *ns)
{
	struct sockaddr_in me = { .sin_family = AF_INET,
				  .sin_port = htons(7003) };
	char buf[64];
	int fd;

	if (enter_netns(ns))
		_exit(1);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (bind(fd, (struct sockaddr *)&me, sizeof(me)))
		_exit(1);
	for (;;) {
		struct timeval tv = { 1, 0 };

		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		recv(fd, buf, sizeof(buf), 0);
		if (getppid() == 1)
			_exit(0);
	}
}

static pid_t child(void (*fn)(const char *), const char *ns)
{
	pid_t pid = fork();

	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		fn(ns);
		_exit(0);
	}
	return pid;
}

void demo_stop(struct demo *d)
{
	if (!d)
		return;
	if (d->sender > 0) {
		kill(d->sender, SIGKILL);
		waitpid(d->sender, NULL, 0);
	}
	if (d->listener > 0) {
		kill(d->listener, SIGKILL);
		waitpid(d->listener, NULL, 0);
	}
	/* Deleting a namespace takes its veth end (and so the pair) and its
	 * iptables rules with it. */
	if (d->made_a)
		RUN("ip", "netns", "del", d->a);
	if (d->made_b)
		RUN("ip", "netns", "del", d->b);
	free(d);
}

int demo_start(struct demo **out, char *err, size_t errlen)
{
	struct demo *d = calloc(1, sizeof(*d));
	const char *step;
	int ret;

	if (!d)
		return -ENOMEM;
	snprintf(d->a, sizeof(d->a), "skbscope-demo-a-%d", (int)getpid());
	snprintf(d->b, sizeof(d->b), "skbscope-demo-b-%d", (int)getpid());
	step = "ip netns add (is iproute2 installed?)";
	ret = RUN("ip", "netns", "add", d->a);
	d->made_a = !ret;
	if (!ret) {
		ret = RUN("ip", "netns", "add", d->b);
		d->made_b = !ret;
	}
	if (!ret) {
		step = "ip link add veth";
		ret = RUN("ip", "link", "add", "va", "netns", d->a, "type",
			  "veth", "peer", "name", "vb", "netns", d->b);
	}
	if (!ret) {
		step = "ip addr/link";
		ret = RUN("ip", "-n", d->a, "addr", "add", NET ".1/24", "dev",
			  "va");
		ret = ret ? ret :
			    RUN("ip", "-n", d->b, "addr", "add", NET ".2/24",
				"dev", "vb");
		ret = ret ? ret :
			    RUN("ip", "-n", d->a, "link", "set", "va", "up");
		ret = ret ? ret :
			    RUN("ip", "-n", d->b, "link", "set", "vb", "up");
		ret = ret ? ret :
			    RUN("ip", "-n", d->a, "link", "set", "lo", "up");
		ret = ret ? ret :
			    RUN("ip", "-n", d->b, "link", "set", "lo", "up");
	}
	if (!ret) {
		step = "iptables (is it installed?)";
		ret = RUN("ip", "netns", "exec", d->a, "iptables", "-I",
			  "OUTPUT", "1", "-p", "udp", "-d", NET ".2", "--dport",
			  "7001", "-j", "DROP");
	}
	if (!ret) {
		d->listener = child(listener, d->b);
		d->sender = child(sender, d->a);
		if (d->listener < 0 || d->sender < 0) {
			step = "fork";
			ret = -errno;
		}
	}
	if (ret) {
		snprintf(err, errlen, "--demo: %s failed", step);
		demo_stop(d);
		return ret;
	}
	snprintf(d->note, sizeof(d->note),
		 "demo: %s -> %s, iptables DROP "
		 "udp/7001, 7002 closed, 7003 open; quitting removes them",
		 d->a, d->b);
	*out = d;
	return 0;
}

void demo_options(const struct demo *d, struct cli *c)
{
	char err[128];

	(void)d;
	filter_set_addr(&c->filter, 0, NET ".1", err, sizeof(err));
	/* A demo shows everything the tool can: a drop's detail with its
	 * kernel stack, and the caller where the backend has one. */
	c->stack = 1;
	c->caller = 1;
}

const char *demo_note(const struct demo *d)
{
	return d->note;
}
