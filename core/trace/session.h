/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tracing session: the loaded programs and maps, the attached hooks, the
 * config map and the ring buffer. Front ends drive it; it never prints.
 */
#ifndef SKBSCOPE_SESSION_H
#define SKBSCOPE_SESSION_H

#include <stddef.h>
#include <linux/types.h>
#include "bpf/events.h"

struct hooks;
struct reasons;

struct session_opts {
	/* "auto", "kprobe-multi", "kprobe", "fentry" or "tracepoint" */
	const char *backend;
	const char *func_regex;    /* POSIX ERE on hook names; NULL: all */
	const char *exclude_regex; /* ERE of functions to leave out */
	const char *const *kmods;  /* also probe functions of these modules */
	size_t nkmods;
	int all_kmods;       /* ... of every module with BTF */
	int list_only;       /* discover, do not load (--list-funcs) */
	__u64 ringbuf_bytes; /* power of two, >= page size */
	/* Events whose process is this tgid are counted, not handed on
	 * (skbscope's own netlink traffic); 0: none. */
	__u32 self_pid;
	/* Record iptables-legacy's NF_DROP verdicts (session_ipt_drop). */
	int watch_ipt;
	/* Leave out the nftrace messages the drop explainer receives. */
	int skip_nftrace;
	/* Probe the returns of traced functions too (kprobe backends with
	 * attach cookies, kprobe-multi): session_set_return_fn gets them. */
	int returns;
	/* --kernel-btf: the kernel's BTF from this file, for libbpf's CO-RE
	 * relocations and for discovery; NULL: /sys/kernel/btf/vmlinux. */
	const char *kernel_btf;
	/* --set-percpu-buf: bytes for the skb text; 0: SKBS_DUMP_DEFAULT. */
	__u32 dump_room;
	/* --output-skb-shared-info, --output-skb-cb: room for their dumps
	 * in the scratch value and the tail. */
	int shinfo, cb;
	/* --debug: note each backend tried and what it attached. */
	int debug;
	/* Trace the tc / XDP BPF programs loaded on the box as hooks of
	 * their own (fentry/fexit on each; core/trace/bpfprog.c): their
	 * verdicts come as return records whatever returns says. */
	int trace_tc, trace_xdp;
	/* ... and the helpers they call for a reported packet. */
	int bpf_helpers;
	/* ... and the map updates, deletes and lookups they make. */
	int bpfmap;
	/* kprobe-multi: functions per link (--filter-kprobe-batch); 0:
	 * one link per program for all its functions. */
	size_t kprobe_batch;
	/* --filter-non-skb-funcs: probe the functions func_regex names
	 * that take no skb too (kprobe backends only; the others are ruled
	 * out). */
	int non_skb;
	/* A one-line note for the user (a hook left out, a fallback). */
	void (*note)(void *ctx, const char *msg);
	/* Progress of long work: what ("attaching", "detaching"), done of
	 * total. */
	void (*progress)(void *ctx, const char *what, size_t done,
			 size_t total);
	void *ctx;
};

/* Called for each event; a non-zero return stops the poll. */
typedef int (*session_event_fn)(void *ctx, const struct skbs_event *ev,
				const char *tail);
/* Called for each return record, in ring-buffer order with the events. */
typedef void (*session_return_fn)(void *ctx, const struct skbs_return *r);

struct session;

/* Open and load. On error returns -errno with a message in err naming
 * what failed; on success err is left empty. */
int session_open(const struct session_opts *o, struct session **out, char *err,
		 size_t errlen);
/* Attach every selected hook. A hook that fails is noted and left out;
 * only failing to attach any is an error (-errno, with the reason of
 * each backend tried in err; on success err is left empty). */
int session_attach(struct session *s, char *err, size_t errlen);
/* Detach every program: no event is produced after this returns, so a
 * drain then empties the ring buffer for good. Idempotent. */
void session_stop(struct session *s);
/* Detach everything (session_stop) and free. Safe on NULL. */
void session_close(struct session *s);

int session_set_filter(struct session *s, const struct skbs_filter *f);
/* Wait up to timeout_ms for events and hand each to fn. Returns the number
 * handled, or -errno (-EINTR when a signal interrupted the wait). */
int session_poll(struct session *s, int timeout_ms, session_event_fn fn,
		 void *ctx);
/* Hand fn every record still in the ring buffer, without waiting. Once fn
 * asks to stop, the rest are taken out and counted but not handed over.
 * Returns the records taken, or -errno. */
long long session_drain(struct session *s, session_event_fn fn, void *ctx);
/* Records taken out of the ring buffer so far, valid or not. After
 * session_stop and session_drain, SKBS_C_MATCHED == this + SKBS_C_LOST. */
__u64 session_received(const struct session *s);
/* Sum of the per-CPU counters (enum skbs_counter). */
int session_counters(struct session *s, __u64 out[SKBS_C_MAX]);
/* Events the ring buffer handed over that failed validation. */
__u64 session_bad_records(const struct session *s);
/* Events of opts.self_pid taken out and not handed on. */
__u64 session_self_events(const struct session *s);
/* The kernel stack of a stack id: fills ips, returns the depth or -errno. */
int session_stack(struct session *s, __s32 id, __u64 *ips, int max);

/* The iptables-legacy table that returned NF_DROP for skb just before ts
 * (the drop event's), taken out of the kernel's record: 0, -ENOENT when
 * none did, -EOPNOTSUPP when the verdicts are not watched (see
 * session_ipt_why). */
int session_ipt_drop(struct session *s, __u64 skb, __u64 ts,
		     struct skbs_ipt_drop *out);
/* Why iptables-legacy verdicts are not watched; "" when they are. */
const char *session_ipt_why(const struct session *s);

/* What the programs cost and missed, summed over every program and link
 * of the session. Run time and runs count only while statistics are on
 * (session_attach turns them on, if the kernel lets it: 5.8+ and
 * CAP_SYS_ADMIN); the misses are counted by the kernel always. */
struct session_cost {
	int enabled;            /* run-time statistics are on */
	__u64 run_ns, runs;     /* BPF run time and program runs */
	__u64 recursion_misses; /* runs skipped: already in BPF */
	__u64 kprobe_missed;    /* kprobe hits missed (6.7+) */
	size_t progs;           /* programs counted */
	/* The hooks whose own programs (tracepoint and fentry copies) the
	 * recursion protection skipped most, most first: which probes lose
	 * runs, as pwru reports per probe. */
	struct {
		__u32 hook;
		__u64 misses;
	} top_missed[5];
	size_t ntop_missed;
};
/* 0, or -EOPNOTSUPP when run-time statistics are off (misses still set). */
int session_cost(const struct session *s, struct session_cost *c);

/*
 * The BPF run time so far of each hook id below n, in ns[id] (cumulative;
 * rates are the caller's). A tracepoint or fentry hook has programs of its
 * own (its copy, its fexit), so its figure is theirs, exact. On the kprobe
 * families one program serves every function: there a hook's figure is
 * its runs, counted in the kernel only while session_count_runs is on,
 * times the mean run time of those programs, and *estimated is set. 0, or
 * -EOPNOTSUPP when run-time statistics are off.
 */
int session_hook_cost(const struct session *s, __u64 *ns, size_t n,
		      int *estimated);
/* Count runs per hook on the kprobe families (on), or stop: it costs an
 * atomic add and an attach-cookie lookup a hit, so only while asked. */
int session_count_runs(struct session *s, int on);

/* Mute hook id (on) or unmute it, live: its hits are rejected before
 * anything is read. 0; -EINVAL for an unknown id, a drop or free hook
 * (skbscope needs those); -EOPNOTSUPP where the programs cannot tell
 * hooks apart (kprobes without attach cookies, before 5.15). */
int session_mute(struct session *s, __u32 id, int on);
/* Hooks muted now. */
size_t session_muted(const struct session *s);

/* Where return records go (NULL: counted and dropped). */
void session_set_return_fn(struct session *s, session_return_fn fn, void *ctx);
/* Return probes attached, and those that failed, on the active backend;
 * why (may be NULL) says why there are none when returns were asked. */
size_t session_returns_attached(const struct session *s, size_t *failed,
				const char **why);
/* tc/XDP programs traced (opts trace_tc, trace_xdp), and the helper
 * functions probed for them (opts bpf_helpers; helpers may be NULL). */
size_t session_bpfprogs(const struct session *s, size_t *helpers);
/* The name of BPF map id (--output-bpfmap): 0, or -errno (gone). */
int session_map_name(__u32 id, char *buf, size_t len);
/* Return records handed on so far. */
__u64 session_returns(const struct session *s);

const struct hooks *session_hooks(const struct session *s);
const struct reasons *session_reasons(const struct session *s);
const char *session_backend(const struct session *s);
/* Why the better backends were not used ("kprobe-multi: ...; ..."), or
 * "" when the first choice worked. */
const char *session_backend_why(const struct session *s);
/* How the pcap-filter interpreter runs here: "bpf_loop" or "bounded loop". */
const char *session_pcap_mode(const struct session *s);
struct funcs;
/* The skb functions found (NULL for the tracepoint backend). */
const struct funcs *session_funcs(const struct session *s);
size_t session_attached(const struct session *s);
size_t session_failed(const struct session *s);

#endif
