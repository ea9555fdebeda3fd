// SPDX-License-Identifier: GPL-2.0
/* udpsend [-t] [-p SPORT] ADDR PORT COUNT: send COUNT small UDP datagrams
 * (IPv4 or IPv6). -t keeps a packet tap (AF_PACKET) open meanwhile, so the
 * kernel clones every outgoing skb for it (a way to make clones on demand).
 * -p sends from source port SPORT, so that a test can tell its datagrams
 * apart on a screen.
 * The test VMs have busybox only, whose nc may lack UDP. Send errors
 * (EPERM from a DROP rule) are expected and ignored. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <sys/socket.h>

int main(int argc, char **argv)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in a4 = { .sin_family = AF_INET };
	struct sockaddr *sa;
	socklen_t len;
	int fd, n, tap = -1, sport = 0;

	while (argc > 1 && argv[1][0] == '-') {
		if (!strcmp(argv[1], "-t")) {
			tap = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
			if (tap < 0)
				perror("udpsend: packet tap");
		} else if (!strcmp(argv[1], "-p") && argc > 2) {
			sport = atoi(argv[2]);
			argv++;
			argc--;
		} else {
			break;
		}
		argv++;
		argc--;
	}
	if (argc != 4) {
		fprintf(stderr,
			"usage: udpsend [-t] [-p SPORT] ADDR PORT COUNT\n");
		return 2;
	}
	n = atoi(argv[3]);
	if (inet_pton(AF_INET, argv[1], &a4.sin_addr) == 1) {
		a4.sin_port = htons(atoi(argv[2]));
		sa = (struct sockaddr *)&a4;
		len = sizeof(a4);
	} else if (inet_pton(AF_INET6, argv[1], &a6.sin6_addr) == 1) {
		a6.sin6_port = htons(atoi(argv[2]));
		sa = (struct sockaddr *)&a6;
		len = sizeof(a6);
	} else {
		fprintf(stderr, "udpsend: bad address '%s'\n", argv[1]);
		return 2;
	}
	fd = socket(sa->sa_family, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("udpsend: socket");
		return 1;
	}
	if (sport) {
		struct sockaddr_in6 b6 = { .sin6_family = AF_INET6 };
		struct sockaddr_in b4 = { .sin_family = AF_INET };
		struct sockaddr *b = (struct sockaddr *)&b4;
		socklen_t blen = sizeof(b4);
		int on = 1;

		b4.sin_port = b6.sin6_port = htons(sport);
		if (sa->sa_family == AF_INET6) {
			b = (struct sockaddr *)&b6;
			blen = sizeof(b6);
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
		if (bind(fd, b, blen)) {
			perror("udpsend: bind");
			return 1;
		}
	}
	for (int i = 0; i < n; i++) {
		sendto(fd, "skbscope", 8, 0, sa, len);
		usleep(50000);
	}
	close(fd);
	if (tap >= 0)
		close(tap);
	return 0;
}
