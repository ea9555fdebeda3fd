#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# --filter-trace-tc and --filter-trace-xdp on the host kernel, which
# refuses fentry/fexit (BPF trampolines) with EPERM: with a real tc and
# XDP program loaded (tests/vm/tcxdp.bpf.c on lo of a private namespace,
# the programs the VM matrix traces), each flag must fail at once with one
# line that says why, exit 1, and leave nothing of skbscope loaded. The
# tracing itself is checked in the VM matrix (tests/vm/guest-bpfprog.sh).
. "$(dirname "$0")/../lib.sh"

VM=$(cd "$(dirname "$0")/../vm" && pwd)
NS=skbs-bpfprog-$$
if clang -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu \
	-c "$VM/tcxdp.bpf.c" -o "$TMP/tcxdp.bpf.o" &&
	gcc -O2 -o "$TMP/bpfload" "$VM/bpfload.c" \
		$(pkg-config --cflags --libs libbpf); then
	ok "the test programs and their loader build"
else
	not_ok "the test programs and their loader build"
fi
ip netns add "$NS" && NETNS_LIST="$NS" || not_ok "namespace $NS"
ip -n "$NS" link set lo up
ids=$(ip netns exec "$NS" "$TMP/bpfload" "$TMP/tcxdp.bpf.o" lo)
check "tc and XDP programs attached on lo in $NS ($ids)" \
	grep -q "^tc [0-9]* xdp [0-9]*$" <<<"$ids"

bpf_mark
for flag in --filter-trace-tc --filter-trace-xdp; do
	timeout 60 "$SKBSCOPE" --no-tui --filter-netns "$NS" "$flag" \
		>"$TMP/out" 2>"$TMP/err"
	rc=$?
	check "$flag: exit 1 on a kernel without trampolines (got $rc)" \
		[ "$rc" -eq 1 ]
	check "$flag: one line says why: $(head -c 160 "$TMP/err")" \
		sh -c "[ \"\$(grep -c . '$TMP/err')\" -eq 1 ] &&
			grep -q '^skbscope: $flag: this kernel refuses fentry/fexit programs (BPF trampolines: Operation not permitted), which tracing tc and XDP programs needs$' '$TMP/err'"
	check "$flag: nothing printed on stdout" [ ! -s "$TMP/out" ]
	leak=$(bpf_leaks)
	check "$flag: no BPF program or link left behind${leak:+: $leak}" \
		[ -z "$leak" ]
done
# Without the flags the same run traces as ever.
timeout 60 "$SKBSCOPE" --no-tui --filter-netns "$NS" --output-limit-lines 1 \
	--ready-file "$TMP/ready" >"$TMP/out" 2>"$TMP/err" &
pid=$!
for _ in $(seq 100); do [ -e "$TMP/ready" ] && break; sleep 0.1; done
kill -INT "$pid" 2>/dev/null; wait "$pid"
check "without the flags it attaches as before" \
	grep -q "hooks attached on the tracepoint backend" "$TMP/err"
check "the test programs come off lo" ip netns exec "$NS" "$TMP/bpfload" -d lo
finish
