// SPDX-License-Identifier: GPL-2.0
/*
 * Rule texts: what `nft -a -s list chain` prints for a handle, listed with
 * libnftables inside the namespace, cached per chain and forgotten when a
 * DELRULE, DELCHAIN or DELTABLE notification says the chain changed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/netfilter.h>
#include <linux/netlink.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <nftables/libnftables.h>
#include "core/explain/nft_ns.h"
#include "core/explain/nft_rules.h"
#include "core/explain/nft_table.h"
#include "core/lib/clock.h"
#include "core/lib/vec.h"

#define NT_NAME 256  /* NFT_NAME_MAXLEN: table and chain names */
#define NT_CHAINS 32 /* chain listings cached per namespace */

struct nt_rule {
	__u64 handle;
	char *text;
};

/* One chain as `nft -a -s list chain` printed it. */
struct nt_chain {
	int used;
	__u32 family;
	char table[NT_NAME], chain[NT_NAME];
	char hook[24]; /* "" for a regular chain */
	char policy[16];
	long long stamp; /* last use, for eviction */
	struct nt_rule *r;
	size_t n, cap;
};

struct nft_rules {
	struct nt_chain chains[NT_CHAINS];
};

const char *nft_rules_family(__u32 f)
{
	switch (f) {
	case NFPROTO_INET: return "inet";
	case NFPROTO_IPV4: return "ip";
	case NFPROTO_IPV6: return "ip6";
	case NFPROTO_ARP: return "arp";
	case NFPROTO_BRIDGE: return "bridge";
	case NFPROTO_NETDEV: return "netdev";
	}
	return "unknown";
}

static int have_cap(int cap)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return 1; /* let the kernel say */
	return !!(d[cap / 32].effective & (1u << (cap % 32)));
}

static void cache_drop(struct nt_chain *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->r[i].text);
	free(c->r);
	memset(c, 0, sizeof(*c));
}

/* Forget cached chains of a table (chain NULL: all of them). */
static void cache_forget(struct nft_rules *rs, __u32 family, const char *table,
			 const char *chain)
{
	for (int i = 0; i < NT_CHAINS; i++) {
		struct nt_chain *c = &rs->chains[i];

		if (c->used && c->family == family &&
		    !strcmp(c->table, table) &&
		    (!chain || !strcmp(c->chain, chain)))
			cache_drop(c);
	}
}

int nft_rules_new(struct nft_rules **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void nft_rules_clear(struct nft_rules *rs)
{
	for (int i = 0; i < NT_CHAINS; i++)
		if (rs->chains[i].used)
			cache_drop(&rs->chains[i]);
}

void nft_rules_free(struct nft_rules *rs)
{
	if (!rs)
		return;
	nft_rules_clear(rs);
	free(rs);
}

/* Names nft 1.0's parser takes bare: it has no quoting for them. */
static int plain_name(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
	      *s == '_' || *s == '.'))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("/_.-", *s)))
			return 0;
	return 1;
}

struct list_job {
	struct nft_ctx *nft;
	char cmd[2 * NT_NAME + 64];
	char *out, *errs;
	int rc;
};

static int list_fn(void *arg)
{
	struct list_job *j = arg;

	j->rc = nft_run_cmd_from_buffer(j->nft, j->cmd);
	j->out = strdup(nft_ctx_get_output_buffer(j->nft));
	j->errs = strdup(nft_ctx_get_error_buffer(j->nft));
	return j->out && j->errs ? 0 : -ENOMEM;
}

static char *trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n'))
		s[--n] = 0;
	return s;
}

/* "table ip filter {" or "table ip filter { # handle 1". */
static int opens(const char *line, const char *kw, const char *fam,
		 const char *name)
{
	size_t k = strlen(kw), f = fam ? strlen(fam) : 0, n = strlen(name);

	if (strncmp(line, kw, k) || line[k] != ' ')
		return 0;
	line += k + 1;
	if (fam) {
		if (strncmp(line, fam, f) || line[f] != ' ')
			return 0;
		line += f + 1;
	}
	return !strncmp(line, name, n) && !strncmp(line + n, " {", 2);
}

/* Find the chain in nft's text and keep its hook, policy and rules. */
static int parse_listing(char *text, struct nt_chain *c)
{
	const char *fam = nft_rules_family(c->family);
	int state = 0, found = 0; /* 0: outside, 1: in table, 2: in chain */
	char *save, *line;

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *l = trim(line), *h, *end;

		if (state == 0) {
			if (opens(l, "table", fam, c->table))
				state = 1;
		} else if (state == 1) {
			if (opens(l, "chain", NULL, c->chain)) {
				state = 2;
				found = 1;
			} else if (!strcmp(l, "}")) {
				state = 0;
			}
		} else if (!strcmp(l, "}")) {
			break;
		} else if (!strncmp(l, "type ", 5)) {
			h = strstr(l, " hook ");
			if (h && (end = strpbrk(h + 6, " ;"))) {
				*end = 0;
				strlcpy(c->hook, h + 6, sizeof(c->hook));
				*end = ' ';
			}
			h = strstr(l, "policy ");
			if (h && (end = strchr(h + 7, ';'))) {
				*end = 0;
				strlcpy(c->policy, h + 7, sizeof(c->policy));
			}
		} else if ((h = strstr(l, "# handle "))) {
			char *last = h, *text_end;

			while ((h = strstr(last + 1, "# handle ")))
				last = h;
			text_end = last;
			while (text_end > l && text_end[-1] == ' ')
				text_end--;
			*text_end = 0;
			if (VEC_RESERVE(c->r, c->cap, c->n + 1))
				return -ENOMEM;
			c->r[c->n].handle = strtoull(last + 9, NULL, 10);
			c->r[c->n].text = strdup(l);
			if (!c->r[c->n].text)
				return -ENOMEM;
			c->n++;
		}
	}
	return found ? 0 : -ENOENT;
}

static struct nt_chain *cache_find(struct nft_rules *rs, __u32 family,
				   const char *table, const char *chain)
{
	for (int i = 0; i < NT_CHAINS; i++) {
		struct nt_chain *c = &rs->chains[i];

		if (c->used && c->family == family &&
		    !strcmp(c->table, table) && !strcmp(c->chain, chain)) {
			c->stamp = mono_ns();
			return c;
		}
	}
	return NULL;
}

/* Read the chain as nft prints it into the cache. -ENOENT: no such chain
 * (or table) now. */
static int cache_load(struct nft_rules *rs, struct nft_ns *ns, __u32 family,
		      const char *table, const char *chain,
		      struct nt_chain **out, char *err, size_t errlen)
{
	struct list_job *j = calloc(1, sizeof(*j));
	struct nt_chain *c, *lru = NULL;
	const char *fam = nft_rules_family(family);
	int rc;

	if (!j)
		return -ENOMEM;
	/* Once capabilities are gone libnftables would print "you must be
	 * root" on stderr itself: say it here instead. */
	if (!have_cap(CAP_NET_ADMIN)) {
		snprintf(err, errlen,
			 "listing the ruleset needs CAP_NET_ADMIN");
		rc = -EPERM;
		goto out;
	}
	j->nft = nft_ns_nft(ns);
	if (plain_name(table) && plain_name(chain))
		snprintf(j->cmd, sizeof(j->cmd), "list chain %s %s %s", fam,
			 table, chain);
	else
		snprintf(j->cmd, sizeof(j->cmd), "list ruleset %s", fam);
	rc = nft_ns_run(ns, list_fn, j, err, errlen);
	if (rc)
		goto out;
	if (j->rc) {
		char *nl = strchr(j->errs, '\n');

		if (nl)
			*nl = 0;
		rc = strstr(j->errs, "No such file or directory") ? -ENOENT :
								    -EIO;
		snprintf(err, errlen, "nft %s: %s", j->cmd,
			 j->errs[0] ? j->errs : "failed");
		goto out;
	}
	c = cache_find(rs, family, table, chain);
	for (int i = 0; !c && i < NT_CHAINS; i++) {
		struct nt_chain *x = &rs->chains[i];

		if (!x->used) {
			c = x;
			break;
		}
		if (!lru || x->stamp < lru->stamp)
			lru = x;
	}
	if (!c)
		c = lru;
	cache_drop(c);
	c->used = 1;
	c->family = family;
	strlcpy(c->table, table, sizeof(c->table));
	strlcpy(c->chain, chain, sizeof(c->chain));
	c->stamp = mono_ns();
	rc = parse_listing(j->out, c);
	if (rc) {
		cache_drop(c);
		if (rc == -ENOENT)
			snprintf(err, errlen, "no chain %s %s %s now", fam,
				 table, chain);
		goto out;
	}
	*out = c;
out:
	free(j->out);
	free(j->errs);
	free(j);
	return rc;
}

static const char *chain_rule(const struct nt_chain *c, __u64 handle)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->r[i].handle == handle)
			return c->r[i].text;
	return NULL;
}

int nft_rules_text(struct nft_rules *rs, struct nft_ns *ns, __u32 family,
		   const char *table, const char *chain, __u64 handle,
		   int reload, char *text, size_t len, char *err, size_t errlen)
{
	struct nt_chain *c = cache_find(rs, family, table, chain);
	const char *t;
	int rc;

	if (!c || reload || !(t = chain_rule(c, handle))) {
		rc = cache_load(rs, ns, family, table, chain, &c, err, errlen);
		if (rc)
			return rc;
		t = chain_rule(c, handle);
		if (!t)
			return -ENOENT;
	}
	strlcpy(text, t, len);
	return 0;
}

void nft_rules_hook(struct nft_rules *rs, struct nft_ns *ns, __u32 family,
		    const char *table, const char *chain, const char *base,
		    char *hook, size_t len)
{
	struct nt_chain *c = cache_find(rs, family, table, chain);
	char err[64];

	hook[0] = 0;
	if (!c &&
	    cache_load(rs, ns, family, table, chain, &c, err, sizeof(err)))
		c = NULL;
	if (c && c->hook[0]) {
		strlcpy(hook, c->hook, len);
		return;
	}
	if (!base[0] || !strcmp(base, chain))
		return;
	c = cache_find(rs, family, table, base);
	if (!c && cache_load(rs, ns, family, table, base, &c, err, sizeof(err)))
		return;
	strlcpy(hook, c->hook, len);
}

/* Deletions: the rule, chain or table named goes to gone() (for the kept
 * drops of it) and its listings are forgotten. One libnftnl cannot parse
 * (an expression newer than it, say) may be of any rule: every listing is
 * forgotten, and the caller is told (-1). */
static int on_delrule(struct nft_rules *rs, const struct nlmsghdr *nlh,
		      nft_rules_gone_fn *gone, void *arg)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	const char *table, *chain;
	__u32 family;
	__u64 handle;
	int rc = 0;

	if (!r || nftnl_rule_nlmsg_parse(nlh, r) < 0) {
		nft_rules_clear(rs);
		rc = -1;
		goto out;
	}
	table = nftnl_rule_get_str(r, NFTNL_RULE_TABLE);
	chain = nftnl_rule_get_str(r, NFTNL_RULE_CHAIN);
	family = nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY);
	handle = nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE);
	if (table && chain && handle && !nft_table_ours(family, table)) {
		gone(arg, family, table, chain, handle);
		cache_forget(rs, family, table, chain);
	}
out:
	if (r)
		nftnl_rule_free(r);
	return rc;
}

static int on_delchain(struct nft_rules *rs, const struct nlmsghdr *nlh,
		       nft_rules_gone_fn *gone, void *arg)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	const char *table, *chain;
	__u32 family;
	int rc = 0;

	if (!c || nftnl_chain_nlmsg_parse(nlh, c) < 0) {
		nft_rules_clear(rs);
		rc = -1;
		goto out;
	}
	table = nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE);
	chain = nftnl_chain_get_str(c, NFTNL_CHAIN_NAME);
	family = nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY);
	if (table && chain) {
		gone(arg, family, table, chain, 0);
		cache_forget(rs, family, table, chain);
	}
out:
	if (c)
		nftnl_chain_free(c);
	return rc;
}

/* Handles start again in a table made anew: the old numbers may then
 * name other rules, so everything of the table goes. */
static int on_deltable(struct nft_rules *rs, const struct nlmsghdr *nlh,
		       nft_rules_gone_fn *gone, void *arg)
{
	struct nftnl_table *t = nftnl_table_alloc();
	const char *table;
	__u32 family;
	int rc = 0;

	if (!t || nftnl_table_nlmsg_parse(nlh, t) < 0) {
		nft_rules_clear(rs);
		rc = -1;
		goto out;
	}
	table = nftnl_table_get_str(t, NFTNL_TABLE_NAME);
	family = nftnl_table_get_u32(t, NFTNL_TABLE_FAMILY);
	if (table) {
		gone(arg, family, table, NULL, 0);
		cache_forget(rs, family, table, NULL);
	}
out:
	if (t)
		nftnl_table_free(t);
	return rc;
}

int nft_rules_on_del(struct nft_rules *rs, const struct nlmsghdr *nlh,
		     nft_rules_gone_fn *gone, void *arg)
{
	switch (NFNL_MSG_TYPE(nlh->nlmsg_type)) {
	case NFT_MSG_DELRULE: return on_delrule(rs, nlh, gone, arg);
	case NFT_MSG_DELCHAIN: return on_delchain(rs, nlh, gone, arg);
	case NFT_MSG_DELTABLE: return on_deltable(rs, nlh, gone, arg);
	}
	return 0;
}
