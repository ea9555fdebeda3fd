/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The reverse-path filter explanation for IP_RPFILTER: the rp_filter
 * settings that applied to the receiving device and the route back to the
 * packet's source that failed the check.
 */
#ifndef SKBSCOPE_EXPLAIN_RPFILTER_H
#define SKBSCOPE_EXPLAIN_RPFILTER_H

#include <stddef.h>
#include "core/explain.h"
#include "core/explain/explain_kernel.h"

int rpfilter_applies(const struct explain_pkt *p);
int rpfilter_explain(const struct explain_pkt *p, struct explain *out,
		     char *msg, size_t msg_len);

#endif
