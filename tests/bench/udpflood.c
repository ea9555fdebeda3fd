// SPDX-License-Identifier: GPL-2.0
/* The flood for tests/bench/traffic.sh (figure 2, traffic overhead).
 *
 *   bench-udpflood send ADDR PORT SECONDS [RATE]
 *	small IPv4/IPv6 UDP datagrams to ADDR:PORT as fast as sendmmsg goes,
 *	or RATE a second, evenly spaced, for SECONDS; prints "sent N errors
 *	N seconds S".
 *   bench-udpflood recv PORT [READY-FILE]
 *	counts the datagrams received on PORT until SIGINT or SIGTERM;
 *	creates READY-FILE once bound; prints "received N".
 *
 * Python cannot keep up with a veth pair; this can. The receiver's buffer
 * is made large so that its own scheduling, not the tracer under test,
 * costs as few drops as possible. Send errors (ENOBUFS) are counted, not
 * fatal: a flood is expected to overrun something. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#define BATCH 64
#define PAYLOAD 32
#define RCVBUF (64 << 20)

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int flood(const char *addr, int port, double seconds, double rate)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in a4 = { .sin_family = AF_INET };
	static char payload[PAYLOAD] = "skbscope-bench";
	struct mmsghdr msgs[BATCH];
	struct iovec iov = { payload, sizeof(payload) };
	unsigned long long sent = 0, errors = 0;
	struct sockaddr *sa;
	double t0, t;
	socklen_t len;
	int fd, n;

	if (inet_pton(AF_INET, addr, &a4.sin_addr) == 1) {
		a4.sin_port = htons(port);
		sa = (struct sockaddr *)&a4;
		len = sizeof(a4);
	} else if (inet_pton(AF_INET6, addr, &a6.sin6_addr) == 1) {
		a6.sin6_port = htons(port);
		sa = (struct sockaddr *)&a6;
		len = sizeof(a6);
	} else {
		fprintf(stderr, "udpflood: bad address '%s'\n", addr);
		return 2;
	}
	fd = socket(sa->sa_family, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, sa, len) < 0) {
		perror("udpflood: socket");
		return 1;
	}
	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < BATCH; i++) {
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	/* The clock is read once a batch: cheap enough, and the overshoot
	 * (one batch) is negligible against seconds of flood. */
	t0 = t = now();
	do {
		if (rate > 0) {
			/* Paced: one datagram when its time has come. */
			double due = t0 + (double)(sent + errors) / rate;

			if (t - due < 0) {
				struct timespec d = {
					.tv_sec = (time_t)(due - t),
					.tv_nsec =
						(long)((due - t -
							(double)(time_t)(due -
									 t)) *
						       1e9),
				};

				nanosleep(&d, NULL);
			}
		}
		n = sendmmsg(fd, msgs, rate > 0 ? 1 : BATCH, 0);
		if (n > 0) {
			sent += n;
		} else if (n < 0 && errno != EINTR) {
			/* A batch stops at its first error; count that one
			 * datagram and carry on with the next batch. */
			errors++;
		}
		t = now();
	} while (t - t0 < seconds);
	close(fd);
	printf("sent %llu errors %llu seconds %.3f\n", sent, errors, t - t0);
	return 0;
}

static int count(int port, const char *ready)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6,
				  .sin6_addr = IN6ADDR_ANY_INIT };
	static char bufs[BATCH][PAYLOAD];
	struct mmsghdr msgs[BATCH];
	struct iovec iovs[BATCH];
	unsigned long long received = 0;
	struct sigaction sa = { .sa_handler = on_signal };
	struct pollfd pfd;
	int fd, n, size = RCVBUF, off = 0;

	/* No SA_RESTART: a signal must break a blocking poll. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* One IPv6 socket takes IPv4 too (v4-mapped). */
	fd = socket(AF_INET6, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("udpflood: socket");
		return 1;
	}
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	/* FORCE goes past net.core.rmem_max (we are root); plain
	 * SO_RCVBUF is the fallback when not. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	a.sin6_port = htons(port);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("udpflood: bind");
		return 1;
	}
	if (ready) {
		int rfd = open(ready, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (rfd < 0) {
			perror("udpflood: ready file");
			return 1;
		}
		close(rfd);
	}
	for (int i = 0; i < BATCH; i++) {
		iovs[i].iov_base = bufs[i];
		iovs[i].iov_len = PAYLOAD;
		memset(&msgs[i], 0, sizeof(msgs[i]));
		msgs[i].msg_hdr.msg_iov = &iovs[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (!stop) {
		n = recvmmsg(fd, msgs, BATCH, MSG_DONTWAIT, NULL);
		if (n > 0) {
			received += n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			perror("udpflood: recvmmsg");
			return 1;
		}
		poll(&pfd, 1, 100);
	}
	close(fd);
	printf("received %llu\n", received);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if ((argc == 5 || argc == 6) && !strcmp(argv[1], "send"))
		return flood(argv[2], atoi(argv[3]), atof(argv[4]),
			     argc == 6 ? atof(argv[5]) : 0);
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "recv"))
		return count(atoi(argv[2]), argc == 4 ? argv[3] : NULL);
	fprintf(stderr, "usage: bench-udpflood send ADDR PORT SECONDS [RATE]\n"
			"       bench-udpflood recv PORT [READY-FILE]\n");
	return 2;
}
