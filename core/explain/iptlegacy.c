// SPDX-License-Identifier: GPL-2.0
/*
 * iptables-legacy keeps its rules in a blob the kernel walks without ever
 * telling anyone which entry gave the verdict (no nftrace, and the TRACE
 * target only logs to the kernel log of the init netns). So the answer
 * stops at the table and the built-in chain, and says how to go on.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "core/explain/iptlegacy.h"

/* Every table x_tables registers for IPv4 and IPv6; a legacy table's
 * name is one of these (XT_TABLE_MAXNAMELEN is 32). */
static const char *const tables[] = { "filter", "nat",      "mangle",
				      "raw",    "security", NULL };

static const char *const chains[] = { "PREROUTING", "INPUT", "FORWARD",
				      "OUTPUT", "POSTROUTING" };

int iptlegacy_table(const __u8 *bytes, size_t n, char *out, size_t len)
{
	/* The name is a char array after pointers: 8-aligned, and a
	 * kernel pointer never reads as "nat\0". */
	for (size_t off = 0; off + 8 <= n; off += 8) {
		for (int t = 0; tables[t]; t++) {
			size_t l = strlen(tables[t]);

			if (off + l < n && !memcmp(bytes + off, tables[t], l) &&
			    !bytes[off + l]) {
				snprintf(out, len, "%s", tables[t]);
				return 0;
			}
		}
	}
	return -ENOENT;
}

const char *iptlegacy_chain(unsigned hook)
{
	return hook < sizeof(chains) / sizeof(chains[0]) ? chains[hook] : NULL;
}

void iptlegacy_explain(const struct skbs_ipt_drop *d, struct explain *out)
{
	const char *cmd = d->pf == 10 ? "ip6tables-legacy" : "iptables-legacy";
	const char *chain = iptlegacy_chain(d->hook);
	char table[32];

	if (iptlegacy_table(d->table, sizeof(d->table), table, sizeof(table)))
		snprintf(table, sizeof(table), "?");
	if (!chain)
		chain = "?";
	explain_set(
		out, EXPLAIN_NFT_LEGACY,
		"dropped by %s table %s chain %s (a rule or the policy: "
		"iptables-legacy does not say which; "
		"`%s -t %s -nvL %s --line-numbers` counts each rule's hits)",
		cmd, table, chain, cmd, table, chain);
	explain_add(out, "family", "%s", d->pf == 10 ? "ip6" : "ip");
	explain_add(out, "table", "%s", table);
	explain_add(out, "chain", "%s", chain);
	explain_add(out, "hook", "%u", d->hook);
	explain_add(out, "verdict", "drop");
	explain_add(out, "backend", "%s", cmd);
}
