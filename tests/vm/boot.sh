#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# boot.sh SUITE SCRIPT LOG [TIMEOUT]: boot SUITE's kernel under qemu (TCG:
# KVM does not work on these machines) with SCRIPT as the test, console to
# LOG. Fails when the VM does not boot or the script does not finish.
set -uo pipefail
suite=$1 script=$2 log=$3 limit=${4:-420}
here=$(cd "$(dirname "$0")" && pwd)
"$here/fetch.sh" "$suite" >/dev/null || { echo "boot.sh: fetch $suite failed"; exit 1; }
initrd=$(mktemp /tmp/skbs-initrd-XXXXXX.gz)
trap 'rm -f "$initrd"' EXIT
"$here/initramfs.sh" "$suite" "$initrd" "$script" || exit 1
boot() {
	timeout "$limit" qemu-system-x86_64 -accel tcg -cpu max -m 1536 -smp 2 \
		-nographic -no-reboot -kernel "$here/cache/$suite/vmlinuz" \
		-initrd "$initrd" -append "console=ttyS0 panic=-1 quiet" \
		</dev/null >"$log" 2>&1
	rc=$?
	tr -d '\r' <"$log" >"$log.tmp" && mv "$log.tmp" "$log"
}
boot
# TCG now and then panics in early boot, before any test runs (an int3
# while the kernel patches its own text): that is qemu's, not ours, so the
# boot is tried once more, and said.
if ! grep -q "VMTEST BOOTED" "$log" && grep -q "Kernel panic" "$log"; then
	echo "boot.sh: $suite panicked before the test started; booting again"
	boot
fi
if ! grep -q "VMTEST BOOTED" "$log"; then
	echo "boot.sh: $suite did not boot (qemu status $rc); see $log"
	exit 1
fi
if ! grep -q "VMTEST END" "$log"; then
	echo "boot.sh: $suite: the test did not finish (qemu status $rc)"
	exit 1
fi
