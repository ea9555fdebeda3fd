// SPDX-License-Identifier: GPL-2.0
/* One netlink question and its answers (nlask.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "core/explain/nlask.h"

int nl_ask(int bus, const char *what, struct nlmsghdr *nlh, char *buf,
	   size_t size, mnl_cb_t cb, void *data, int *kerr, char *msg,
	   size_t msg_len)
{
	struct mnl_socket *nl = mnl_socket_open(bus);
	unsigned seq = nlh->nlmsg_seq, portid;
	int ret = MNL_CB_OK, err = 0;
	ssize_t len;

	*kerr = 0;
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		snprintf(msg, msg_len, "%s: %s", what, strerror(errno));
		goto out;
	}
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		err = -errno;
		snprintf(msg, msg_len, "%s request: %s", what, strerror(errno));
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	while (ret > MNL_CB_STOP) {
		len = mnl_socket_recvfrom(nl, buf, size);
		if (len < 0) {
			err = -errno;
			snprintf(msg, msg_len, "%s answer: %s", what,
				 strerror(errno));
			goto out;
		}
		ret = mnl_cb_run(buf, len, seq, portid, cb, data);
	}
	/* libmnl turns the kernel's NLMSG_ERROR into -1 with errno set: for
	 * a lookup that is the answer, not a failure. */
	if (ret < 0)
		*kerr = -errno;
out:
	if (nl)
		mnl_socket_close(nl);
	return err;
}
