// SPDX-License-Identifier: GPL-2.0
/*
 * Discovery: the hook table, tracepoints first (from BTF, grouped by
 * tracefs) and then the skb functions that can be traced. Nothing is
 * loaded yet; what is found decides which backends stay candidates.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/hooks.h"
#include "core/textfile.h"
#include "core/trace/btf.h"
#include "core/trace/funcs.h"
#include "core/trace/session_internal.h"
#include "core/trace/tracefs.h"

int discover_tracepoints(struct session *s, char *err, size_t errlen)
{
	struct kbtf_tp *tps = NULL;
	size_t n = 0;
	char *events = NULL;
	int ret;

	ret = kbtf_skb_tracepoints(s->vmlinux, &tps, &n);
	if (ret) {
		snprintf(err, errlen,
			 "cannot scan kernel BTF for "
			 "tracepoints: %s",
			 strerror(-ret));
		return ret;
	}
	for (size_t i = 0; i < n && !ret; i++) {
		struct hook hk = { 0 };

		snprintf(hk.name, sizeof(hk.name), "%s", tps[i].name);
		hk.kind = HOOK_TRACEPOINT;
		hk.skb_pos = tps[i].skb_pos;
		hk.btf_id = tps[i].btf_id;
		hk.nargs = tps[i].nargs;
		ret = hooks_add(s->hooks, &hk) < 0 ? -ENOMEM : 0;
	}
	free(tps);
	if (ret) {
		snprintf(err, errlen, "out of memory for the tracepoint list");
		return ret;
	}
	s->ntp = hooks_count(s->hooks);
	if (kfs_available_events(&events)) {
		sess_note(s, "tracefs is not readable: tracepoints are shown "
			     "without their group");
	} else {
		hooks_set_groups(s->hooks, events);
		free(events);
	}
	return 0;
}

int discover_functions(struct session *s, char *err, size_t errlen)
{
	struct funcs_opts fo = { 0 };
	char *avail = NULL, *kallsyms = NULL;
	int ret;

	if (!kfs_read("available_filter_functions", &avail)) {
		fo.avail = avail;
	} else {
		ret = textfile_read("/proc/kallsyms", 256u << 20, 0, &kallsyms,
				    NULL);
		if (ret) {
			snprintf(err, errlen, "cannot read /proc/kallsyms: %s",
				 strerror(-ret));
			return ret;
		}
		fo.kallsyms = kallsyms;
	}
	fo.regex = s->o.func_regex;
	fo.non_skb = s->o.non_skb;
	fo.exclude = s->o.exclude_regex;
	fo.kmods = s->o.kmods;
	fo.nkmods = s->o.nkmods;
	fo.all_kmods = s->o.all_kmods;
	ret = funcs_discover(s->vmlinux, &fo, &s->funcs, err, errlen);
	free(avail);
	free(kallsyms);
	if (ret)
		return ret;
	if (funcs_notes(s->funcs)[0]) {
		char *notes = strdup(funcs_notes(s->funcs)), *line, *save;

		for (line = notes ? strtok_r(notes, "\n", &save) : NULL; line;
		     line = strtok_r(NULL, "\n", &save))
			sess_note(s, "%s", line);
		free(notes);
	}
	for (size_t i = 0; i < funcs_count(s->funcs); i++) {
		const struct skb_func *k = funcs_get(s->funcs, i);
		struct hook hk = { 0 };

		snprintf(hk.name, sizeof(hk.name), "%s", k->name);
		snprintf(hk.module, sizeof(hk.module), "%s", k->module);
		hk.kind = HOOK_FUNCTION;
		hk.skb_pos = k->skb_pos;
		hk.btf_id = k->btf_id;
		hk.nargs = k->nargs;
		hk.ret_kind = k->ret_kind;
		if (hooks_add(s->hooks, &hk) < 0) {
			snprintf(err, errlen,
				 "out of memory for the "
				 "function list");
			return -ENOMEM;
		}
		if ((!strcmp(k->name, "kfree_skb_reason") && k->skb_pos == 1) ||
		    (!strcmp(k->name, "sk_skb_reason_drop") && k->skb_pos == 2))
			s->reason_fn = 1;
	}
	return 0;
}

int discover_no_funcs(const struct session *s, char *why, size_t len)
{
	if (funcs_count(s->funcs))
		return 0;
	if (s->have_re)
		snprintf(why, len,
			 "no traceable skb function matches "
			 "--filter-func");
	else
		snprintf(why, len, "no traceable skb function found");
	return -ENOENT;
}
