#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Start and stop for every backend (figure 4, second half): boots the VM
# matrix's kernels (tests/vm) and reads the attach and detach times the
# guest prints for each backend, with the number of functions attached.
# Under TCG every figure is slow in absolute terms; only the ratios
# between backends on one kernel mean anything, so those are printed too.
# BENCH_VM_SUITES picks the kernels (default: trixie, 6.12, which offers
# all four backends).
cd "$(dirname "$0")/../.." || exit 1
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
suites=${BENCH_VM_SUITES:-trixie}
if ! VMLOG_DIR=$logs SUITES=$suites tests/vm/matrix.sh >"$logs/matrix.out" 2>&1; then
	echo "vm bench: the matrix failed; its checks:"
	grep -E "^(FAIL|ok)" "$logs/matrix.out" | head -n 20
fi
echo "Attach and detach per backend under qemu TCG (ratios only)"
printf '%-10s %-13s %7s %9s %9s %11s %12s\n' kernel backend hooks \
	"attach s" "detach s" "hooks/s" "vs tp hook/s"
for suite in $suites; do
	log=$logs/skbscope-vm-$suite.log
	[ -f "$log" ] || { echo "$suite: no log (VM did not run)"; continue; }
	tp=$(grep -a "^VMTEST TIME tracepoint " "$log" | head -n1 |
		sed -n 's/.*attach=\([^ ]*\).*hooks=\([0-9]*\).*/\2 \1/p' |
		awk '{ if ($2 > 0) printf "%.1f", $1 / $2 }')
	# The first run of each backend: the drop scenario, same filter.
	grep -a "^VMTEST TIME " "$log" | awk '!seen[$3]++' | while read -r _ _ b a d h; do
		a=${a#attach=} d=${d#detach=} h=${h#hooks=}
		rate=$(awk -v h="$h" -v a="$a" 'BEGIN { if (a > 0) printf "%.1f", h / a }')
		ratio=$(awk -v r="$rate" -v t="$tp" 'BEGIN { if (t > 0) printf "%.2f", r / t }')
		printf '%-10s %-13s %7s %9s %9s %11s %12s\n' "$suite" "$b" "$h" \
			"$a" "$d" "$rate" "${ratio:--}"
		echo "BENCH vm_${suite}_${b}_attach_s $a s"
		echo "BENCH vm_${suite}_${b}_detach_s $d s"
		echo "BENCH vm_${suite}_${b}_hooks_per_s $rate hooks/s"
	done
done
