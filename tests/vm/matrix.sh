#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The kernel test matrix: Debian's cloud kernels under qemu, each backend
# the kernel offers through the drop and closed-port scenarios. Prints a
# kernel x backend table and "N passed, N failed". A VM that does not boot
# is a failure. Then the explorer itself in the 6.1 and 6.12 guests, on
# their serial console (tui.sh), whose checks count in the same total.
here=$(cd "$(dirname "$0")" && pwd)
pass=0 fail=0
table=$(mktemp)
trap 'rm -f "$table"' EXIT

suite_vars() {
	case $1 in
	bullseye) echo "OFFERED='kprobe fentry tracepoint' NOT_OFFERED='kprobe-multi' DROPFN='skb:kfree_skb' REASONS=no PCAPMODE='bounded loop' RETURNS='' KPREADS=bpf_probe_read_kernel" ;;
	bookworm) echo "OFFERED='kprobe fentry tracepoint' NOT_OFFERED='kprobe-multi' DROPFN='kfree_skb_reason' REASONS=yes PCAPMODE=bpf_loop RETURNS='kprobe fentry' KPREADS=bpf_probe_read_kernel" ;;
	trixie) echo "OFFERED='kprobe-multi kprobe fentry tracepoint' NOT_OFFERED='' DROPFN='sk_skb_reason_drop' REASONS=yes PCAPMODE=bpf_loop RETURNS='kprobe-multi kprobe fentry' ALLFUNCS=yes KPREADS='typed loads'" ;;
	esac
}

for suite in ${SUITES:-bullseye bookworm trixie}; do
	script=$(mktemp /tmp/skbs-guest-XXXXXX.sh)
	log=${VMLOG_DIR:-/tmp}/skbscope-vm-$suite.log
	{ echo "$(suite_vars "$suite")"; cat "$here/guest-matrix.sh"; } >"$script"
	start=$(date +%s)
	echo "=== $suite"
	if ! "$here/boot.sh" "$suite" "$script" "$log" 600; then
		fail=$((fail + 1))
		echo "FAIL $suite: VM (see $log)"
		tail -n 20 "$log"
	fi
	rm -f "$script"
	kver=$(grep -ao "VMTEST BOOTED .*" "$log" | head -n1 | cut -d" " -f3)
	grep -E "^VMTEST (ok|FAIL)" "$log" | sed 's/^VMTEST //'
	p=$(grep -c "^VMTEST ok" "$log"); f=$(grep -c "^VMTEST FAIL" "$log")
	pass=$((pass + p)); fail=$((fail + f))
	eval "$(suite_vars "$suite")"
	for b in kprobe-multi kprobe fentry tracepoint; do
		t=$(grep "^VMTEST TIME $b " "$log" | head -n1)
		if grep -qx "VMTEST NOTOFFERED $b" "$log"; then
			res="not offered"
		elif ! grep -q "^VMTEST .* $b: " "$log"; then
			res="FAIL (no result)"
			case " $OFFERED " in *" $b "*) fail=$((fail + 1)) ;; esac
		elif grep -q "^VMTEST FAIL $b: " "$log"; then
			res=fail
		else
			res=pass
		fi
		attach=$(echo "$t" | sed -n 's/.*attach=\([^ ]*\).*/\1/p')
		hooks=$(echo "$t" | sed -n 's/.*hooks=\([0-9]*\).*/\1/p')
		printf '| %s (%s) | %s | %s | %s | %s |\n' "$suite" \
			"${kver:-?}" "$b" "$res" "${attach:+${attach}s}" \
			"$hooks" >>"$table"
	done
	echo "($suite took $(( $(date +%s) - start ))s)"
done

# The explorer itself on the serial console of the guests whose backends
# have returns (tests/vm/tui.sh); its checks count here.
tui=""
for suite in ${SUITES:-bullseye bookworm trixie}; do
	case $suite in bookworm | trixie) tui="$tui $suite" ;; esac
done
if [ -n "$tui" ]; then
	echo "=== the explorer in the guests:$tui"
	tlog=$(mktemp)
	start=$(date +%s)
	# shellcheck disable=SC2086
	"$here/tui.sh" $tui 2>&1 | tee "$tlog" |
		sed -E 's/^([0-9]+ passed, [0-9]+ failed)/explorer in the guests: \1/'
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$tlog" | tail -n1)
	rm -f "$tlog"
	if [ -z "$line" ]; then
		echo "FAIL explorer in the guests: tui.sh ended without a result line"
		fail=$((fail + 1))
	else
		p=${line%% passed*}; f=${line#*passed, }; f=${f%% failed*}
		pass=$((pass + p)); fail=$((fail + f))
	fi
	echo "(the explorer in the guests took $(( $(date +%s) - start ))s)"
fi
echo
echo "| kernel | backend | result | attach (TCG) | hooks |"
echo "|---|---|---|---|---|"
cat "$table"
echo
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
