/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Full queues: for socket drops (SOCKET_RCVBUFF, SOCKET_BACKLOG,
 * TCP_LISTEN_OVERFLOW, ...) the limit and drop counter of the socket the
 * packet was for; for qdisc drops (QDISC_DROP, ...) the kind, limit and
 * drop counter of the device's queueing discipline.
 */
#ifndef SKBSCOPE_EXPLAIN_QUEUE_H
#define SKBSCOPE_EXPLAIN_QUEUE_H

#include <stddef.h>
#include "core/explain.h"
#include "core/explain/explain_kernel.h"

int queue_socket_applies(const struct explain_pkt *p);
int queue_socket_explain(const struct explain_pkt *p, struct explain *out,
			 char *msg, size_t msg_len);

int queue_qdisc_applies(const struct explain_pkt *p);
int queue_qdisc_explain(const struct explain_pkt *p, struct explain *out,
			char *msg, size_t msg_len);

#endif
