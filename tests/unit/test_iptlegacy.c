// SPDX-License-Identifier: GPL-2.0
/* core/explain/iptlegacy: the table name found in the raw start of struct
 * xt_table as both layouts have it, and the explanation it gives. */
#include <errno.h>
#include <string.h>
#include "core/explain/iptlegacy.h"
#include "test.h"

/* The start of a struct xt_table, x86-64: list_head, valid_hooks,
 * private, [ops since 5.13], me, af, priority, table_init, name[32]. The
 * pointers are kernel addresses, as the kernel's are. */
static void layout(__u8 *b, size_t n, size_t name_off, const char *name)
{
	static const __u8 ptr[8] = { 0x40, 0x1e, 0x2a, 0xc0,
				     0xff, 0xff, 0xff, 0xff };

	memset(b, 0, n);
	for (size_t off = 0; off + 8 <= name_off; off += 8)
		memcpy(b + off, ptr, 8);
	b[16] = 0x0e;         /* valid_hooks: bits 1-3 */
	b[name_off - 16] = 2; /* af: NFPROTO_IPV4 */
	strcpy((char *)b + name_off, name);
}

TEST(iptlegacy_table_name_in_either_layout)
{
	__u8 b[SKBS_IPT_TABLE_BYTES];
	char name[32];

	layout(b, sizeof(b), 56, "filter"); /* 5.10 */
	CHECK_INT(iptlegacy_table(b, sizeof(b), name, sizeof(name)), 0);
	CHECK_STR(name, "filter");
	layout(b, sizeof(b), 64, "security"); /* 5.13 and later */
	CHECK_INT(iptlegacy_table(b, sizeof(b), name, sizeof(name)), 0);
	CHECK_STR(name, "security");
	layout(b, sizeof(b), 64, "nat");
	CHECK_INT(iptlegacy_table(b, sizeof(b), name, sizeof(name)), 0);
	CHECK_STR(name, "nat");
	/* A prefix of a name is not the name: "natx" is no table. */
	layout(b, sizeof(b), 64, "natx");
	CHECK_INT(iptlegacy_table(b, sizeof(b), name, sizeof(name)), -ENOENT);
	/* Nothing readable: no name, and never a read past n. */
	memset(b, 0xff, sizeof(b));
	CHECK_INT(iptlegacy_table(b, sizeof(b), name, sizeof(name)), -ENOENT);
	memcpy(b + sizeof(b) - 6, "filter", 6); /* no NUL inside n */
	CHECK_INT(iptlegacy_table(b, sizeof(b), name, sizeof(name)), -ENOENT);
}

TEST(iptlegacy_chain_names)
{
	CHECK_STR(iptlegacy_chain(0), "PREROUTING");
	CHECK_STR(iptlegacy_chain(1), "INPUT");
	CHECK_STR(iptlegacy_chain(2), "FORWARD");
	CHECK_STR(iptlegacy_chain(3), "OUTPUT");
	CHECK_STR(iptlegacy_chain(4), "POSTROUTING");
	CHECK(iptlegacy_chain(5) == NULL);
}

TEST(iptlegacy_explain_says_table_chain_and_what_is_not_known)
{
	struct skbs_ipt_drop d = { .hook = 1, .pf = 2 };
	struct explain e = { 0 };

	layout(d.table, sizeof(d.table), 64, "filter");
	iptlegacy_explain(&d, &e);
	CHECK_INT(e.kind, EXPLAIN_NFT_LEGACY);
	CHECK_HAS(e.text, "iptables-legacy table filter chain INPUT");
	CHECK_HAS(e.text, "does not say which");
	CHECK_STR(explain_get(&e, "family"), "ip");
	CHECK_STR(explain_get(&e, "table"), "filter");
	CHECK_STR(explain_get(&e, "chain"), "INPUT");
	CHECK_STR(explain_get(&e, "verdict"), "drop");

	/* IPv6, and a hook and table that cannot be read: said as "?". */
	memset(&e, 0, sizeof(e));
	memset(d.table, 0, sizeof(d.table));
	d.hook = 9;
	d.pf = 10;
	iptlegacy_explain(&d, &e);
	CHECK_HAS(e.text, "ip6tables-legacy table ? chain ?");
	CHECK_STR(explain_get(&e, "family"), "ip6");
}
