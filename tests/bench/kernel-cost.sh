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

# cost NAME ARGS...: ns per hook hit of the programs this run loaded.
cost() {
	name=$1; shift
	before=$(bpftool prog list -j | jq '[.[].id]')
	start_trace "$TMP/$name.out" "$@" || { echo "bench: $name did not start"; return 1; }
	mine=$(bpftool prog list -j | jq -c --argjson b "$before" '[.[].id] - $b')
	burst
	sleep 0.5
	read -r ns cnt <<<"$(bpftool prog list -j | jq -r --argjson m "$mine" \
		'[.[] | select(.id as $i | $m | index($i))] |
		 "\(map(.run_time_ns // 0) | add) \(map(.run_cnt // 0) | add)"')"
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
