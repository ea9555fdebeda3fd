// SPDX-License-Identifier: GPL-2.0
/* udpsend ADDR PORT COUNT: send COUNT small UDP datagrams (IPv4 or IPv6).
 * The test VMs have busybox only, whose nc may lack UDP. Send errors
 * (EPERM from a DROP rule) are expected and ignored. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in a4 = { .sin_family = AF_INET };
	struct sockaddr *sa;
	socklen_t len;
	int fd, n;

	if (argc != 4) {
		fprintf(stderr, "usage: udpsend ADDR PORT COUNT\n");
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
	for (int i = 0; i < n; i++) {
		sendto(fd, "skbscope", 8, 0, sa, len);
		usleep(50000);
	}
	close(fd);
	return 0;
}
