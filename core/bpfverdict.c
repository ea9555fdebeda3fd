// SPDX-License-Identifier: GPL-2.0
/* Drops by tc BPF programs, explained by the program (bpfverdict.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "core/bpfverdict.h"
#include "core/explain.h"
#include "core/hooks.h"
#include "core/retval.h"

void bpfv_note(struct bpf_verdicts *v, const struct hooks *h,
	       const struct skbs_return *r, int kind)
{
	const struct hook *hk = hooks_get(h, r->hook);

	if (!hk || hk->kind != HOOK_BPFPROG || kind != RET_TC_ACT ||
	    !retval_failed((enum ret_kind)kind, r->ret))
		return;
	v->e[v->next++ % BPFV_SLOTS] = (struct bpfv_entry){
		.skb = r->skb,
		.ts = r->ts_exit,
		.hook = r->hook,
		.ret = (__s32)r->ret,
	};
}

int bpfv_explain(struct bpf_verdicts *v, const struct hooks *h, __u64 skb,
		 __u64 ts, struct explain *out)
{
	struct bpfv_entry *best = NULL;
	const struct hook *hk;
	char val[32];

	for (unsigned i = 0; i < BPFV_SLOTS; i++) {
		struct bpfv_entry *e = &v->e[i];

		if (e->skb != skb || !e->ts || e->ts > ts ||
		    ts - e->ts > BPFV_MAX_AGE)
			continue;
		if (!best || e->ts > best->ts)
			best = e;
	}
	if (!best)
		return -ENOENT;
	hk = hooks_get(h, best->hook);
	best->skb = 0; /* the next lifetime at this address is another */
	if (!hk)
		return -ENOENT;
	retval_format(RET_TC_ACT, best->ret, val, sizeof(val));
	explain_set(out, EXPLAIN_BPF_PROG,
		    "dropped by tc BPF program %s (id %d): it returned %s",
		    hk->name, hk->skb_pos, val);
	explain_add(out, "program", "%s", hk->name);
	explain_add(out, "prog_id", "%d", hk->skb_pos);
	explain_add(out, "prog_type", "%s", hk->group);
	explain_add(out, "verdict", "%s", val);
	return 0;
}
