#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What tracing costs: in the 6.12 and 6.1 guests (or BENCH_VM_COST_SUITE),
# a UDP flood over lo untraced, then traced on each backend the kernel
# offers with the filter rejecting every hit, with every event emitted,
# and (function probes) with --output-return. Under TCG only
# the ratios mean anything. Also the BPF run time per program run (the
# kernel's run-time statistics) and runs per datagram. The figure decides the explorer's default
# (returns off unless asked; see README, "Kernels and backends").
cd "$(dirname "$0")/../.." || exit 1
here=$(pwd)
# Both guests unless BENCH_VM_COST_SUITE names one.
if [ -z "${BENCH_VM_COST_SUITE:-}" ]; then
	for s in trixie bookworm; do
		BENCH_VM_COST_SUITE=$s "$here/tests/bench/vm-cost.sh" || exit 1
	done
	exit 0
fi
suite=$BENCH_VM_COST_SUITE
case $suite in
trixie) backends='kprobe-multi kprobe fentry tracepoint' ;;
bookworm) backends='kprobe fentry tracepoint' ;;
*) echo "vm-cost: no figures for $suite (trixie or bookworm)"; exit 1 ;;
esac
SECS_NOTE='3 s a run'
funcs='^(ip_|__ip_|udp|nf_hook|kfree_skb|sk_skb_reason|consume_skb|__dev_queue|dev_hard|__netif|netif_)'
script=$(mktemp /tmp/skbs-cost-XXXXXX.sh)
log=$(mktemp /tmp/skbs-cost-XXXXXX.log)
trap 'rm -f "$script" "$log"' EXIT
backends=${COST_BACKENDS:-$backends}
{ echo "BACKENDS='$backends' FUNCS='$funcs' COST_MODES='${COST_MODES:-}' COST_REPEAT='${COST_REPEAT:-1}'"; cat tests/bench/guest-cost.sh; } >"$script"
# COST_ALT=BINARY: the same runs with that build too, in the same boot.
if ! SKBSCOPE_ALT=${COST_ALT:-} tests/vm/boot.sh "$suite" "$script" "$log" 900; then
	echo "vm-cost: the VM run failed"; tail -n 20 "$log"; exit 1
fi
base=$(awk '$1 == "VMBENCH" && $2 == "none" { print $4 }' "$log")
echo "UDP flood over lo in $suite under TCG, $SECS_NOTE (ratios to untraced)"
printf '%-13s %-10s %9s %6s %6s %5s %10s %8s %9s %9s\n' backend mode sent ratio \
	hooks rets "runs/dgram" "ns/run" lost missed
printf '%-13s %-10s %9s %6s %6s %5s %10s %8s %9s %9s\n' untraced - "$base" 1.00 0 0 - - - -
grep -a '^VMBENCH ' "$log" | grep -v ' none ' | while read -r _ b m sent h r runs ns lost missed; do
	ratio=$(awk -v s="$sent" -v u="$base" 'BEGIN { if (u > 0) printf "%.2f", s / u }')
	per=$(awk -v r="$runs" -v s="$sent" 'BEGIN { if (s > 0) printf "%.1f", r / s }')
	printf '%-13s %-10s %9s %6s %6s %5s %10s %8s %9s %9s\n' "$b" "$m" "$sent" \
		"$ratio" "$h" "$r" "$per" "$ns" "$lost" "$missed"
	echo "BENCH vm_cost_${suite}_${b}_${m}_ratio $ratio x"
	echo "BENCH vm_cost_${suite}_${b}_${m}_ns_per_run $ns ns"
	echo "BENCH vm_cost_${suite}_${b}_${m}_runs_per_datagram $per"
done
grep -a '^VMBENCHNOTE ' "$log" | sed 's/^VMBENCHNOTE /  /'
# The price of the tree per backend: returns against flat.
grep -a '^VMBENCH ' "$log" | awk -v suite="$suite" '
	$3 == "flat" { flat[$2] = $4 }
	$3 == "returns" { ret[$2] = $4 }
	END { for (b in ret) if (flat[b] > 0)
		printf "BENCH vm_cost_%s_returns_vs_flat_%s %.2f x\n", suite, b, ret[b] / flat[b] }'
# The peer: bpftrace is not in the guest (its LLVM runtime would make the
# initramfs ten times the size and the boot minutes long under TCG);
# tests/bench/kernel-cost.sh measures it against skbscope on the host.
echo "peer: bpftrace not run in the guest (LLVM runtime too large for the initramfs); see kernel-cost.sh on the host"
