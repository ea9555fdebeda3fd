#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# In-kernel cost per hook hit, from BPF run-time statistics (run_time_ns /
# run_cnt summed over skbscope's programs), for the same burst of UDP
# datagrams across a veth pair under different filters: rejected by a
# structured filter, emitted with no expression, emitted through a pcap
# expression, rejected by a pcap expression. Prints a table and one
# "BENCH name value unit" line per figure.
. "$(dirname "$0")/../lib.sh"

COUNT=${BENCH_PACKETS:-3000}
A=skbb-a-$$; B=skbb-b-$$
NET=10.215.$(( $$ % 200 + 20 ))
make_pair "$A" "$B" "$NET" || { echo "bench: cannot make namespaces"; exit 1; }
old_stats=$(sysctl -n kernel.bpf_stats_enabled)
trap 'sysctl -qw kernel.bpf_stats_enabled="$old_stats"; cleanup' EXIT
sysctl -qw kernel.bpf_stats_enabled=1

burst() {
	ip netns exec "$A" python3 - "$NET.2" "$COUNT" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(int(sys.argv[2])):
    s.sendto(b'skbscope-bench', (sys.argv[1], 7001))
PY
}

# run_stats IDS: "run_time_ns run_cnt" summed over those programs.
run_stats() {
	bpftool prog list -j | jq -r --argjson m "$1" \
		'[.[] | select(.id as $i | $m | index($i))] |
		 "\(map(.run_time_ns // 0) | add) \(map(.run_cnt // 0) | add)"'
}

# cost NAME ARGS...: ns per hook hit of the programs this run loaded.
cost() {
	name=$1; shift
	before=$(bpftool prog list -j | jq '[.[].id]')
	start_trace "$TMP/$name.out" "$@" || { echo "bench: $name did not start"; return 1; }
	mine=$(bpftool prog list -j | jq -c --argjson b "$before" '[.[].id] - $b')
	burst
	sleep 0.5
	read -r ns cnt <<<"$(run_stats "$mine")"
	stop_trace
	ev=$(grep -c '^0x' "$TMP/$name.out")
	per=$(awk -v n="$ns" -v c="$cnt" 'BEGIN { printf "%.1f", c ? n / c : 0 }')
	printf '%-20s %8s hits %8s events %8s ns/hit\n' "$name" "$cnt" "$ev" "$per"
	echo "BENCH kernel_ns_per_hit_$name $per ns"
	eval "PER_$name=$per"
}

echo "In-kernel cost per hook hit, $COUNT UDP datagrams, tracepoint backend"
# A first run warms caches and the allocator; it is not reported.
cost warmup --filter-netns "$B" >/dev/null
cost rejected_by_port --filter-netns "$B" --filter-dst-port 1
cost emitted --filter-netns "$B"
cost emitted_pcap --filter-netns "$B" "udp and dst port 7001"
cost rejected_by_pcap --filter-netns "$B" "tcp and dst port 7001"
ratio=$(awk -v a="$PER_emitted_pcap" -v b="$PER_emitted" 'BEGIN { printf "%.2f", b ? a / b : 0 }')
echo "pcap expression vs none, emitted: ${ratio}x"
echo "BENCH kernel_pcap_over_plain_ratio $ratio x"

# The peer: bpftrace counting on the same tracepoints (its classic
# tracepoint programs; run time is the program's own, as for ours).
if command -v bpftrace >/dev/null; then
	tps=$("$SKBSCOPE" --list-hooks 2>/dev/null | awk 'NR > 1 && $1 ~ /:/ { printf "%stracepoint:%s", n++ ? "," : "", $1 }')
	before=$(bpftool prog list -j | jq '[.[].id]')
	# bpftrace reads tracepoint formats from tracefs, which this host
	# leaves unmounted: mount it in a private mount namespace.
	unshare -m --propagation private sh -c 'mount -t tracefs tracefs \
		/sys/kernel/tracing 2>/dev/null; exec bpftrace -e "$0"' \
		"$tps { @hits = count(); }" >"$TMP/bt.out" 2>&1 &
	BT=$!
	PIDS="$PIDS $BT"
	for _ in $(seq 300); do
		grep -q "^Attaching" "$TMP/bt.out" && break
		sleep 0.1
	done
	sleep 0.5
	mine=$(bpftool prog list -j | jq -c --argjson b "$before" '[.[].id] - $b')
	burst
	sleep 0.5
	read -r ns cnt <<<"$(run_stats "$mine")"
	kill -INT "$BT"; wait "$BT"
	bt=$(awk -v n="$ns" -v c="$cnt" 'BEGIN { printf "%.1f", c ? n / c : 0 }')
	printf '%-20s %8s hits %8s events %8s ns/hit\n' "bpftrace_count" "$cnt" "-" "$bt"
	echo "BENCH kernel_ns_per_hit_bpftrace_count $bt ns"
	for k in rejected_by_port emitted emitted_pcap; do
		v=$(eval echo "\$PER_$k")
		r=$(awk -v a="$v" -v b="$bt" 'BEGIN { printf "%.2f", b ? a / b : 0 }')
		echo "skbscope $k / bpftrace count: ${r}x"
		echo "BENCH kernel_${k}_over_bpftrace_ratio $r x"
	done
	echo "goals: rejected <= 1.2x bpftrace's count, emitted <= 2x"
else
	echo "bpftrace is not installed: no peer figure (make deps installs it)"
fi
