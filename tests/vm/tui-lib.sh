# SPDX-License-Identifier: GPL-2.0
# Sourced, after tests/lib.sh, by the tests that run the explorer inside a
# qemu guest on its serial console (tests/vm/tui.sh, tests/vm/soak.sh):
# the extra initramfs archive, the boot in a tmux pane with a second
# serial port for commands, the screen and console readers, and the
# before/during/after comparison of what is attached. They expect S (the
# tmux session), SUITE, LIMIT (seconds for the whole guest run) and VM
# (this folder).

# The second archive, which the kernel unpacks after the first: terminfo
# and the C.UTF-8 locale for the explorer, and bpfcount.
extra() {
	local w=$TMP/extra
	rm -rf "$w"; mkdir -p "$w/lib/terminfo/x" "$w/usr/lib/locale" "$w/bin"
	cp /lib/terminfo/x/xterm-256color "$w/lib/terminfo/x/" || return 1
	cp -r /usr/lib/locale/C.utf8 "$w/usr/lib/locale/" 2>/dev/null ||
		echo "no C.utf8 locale here: the guest's explorer draws ASCII"
	gcc -O2 -static -o "$w/bin/bpfcount" "$VM/bpfcount.c" || return 1
	(cd "$w" && find . | cpio -o -H newc --quiet | gzip -1) >"$1"
}

screen() { tm capture-pane -p -t "$S"; }
# wait_screen PATTERN SECONDS: the pane shows PATTERN (grep -E), or the VM
# is gone.
wait_screen() {
	for _ in $(seq $(($2 * 10))); do
		screen | grep -qE -- "$1" && return 0
		qemu_alive || { screen | grep -qE -- "$1"; return; }
		sleep 0.1
	done
	return 1
}
qemu_alive() { [ -s "$TMP/qemu.pid" ] && kill -0 "$(cat "$TMP/qemu.pid")" 2>/dev/null; }
# wait_log FILE PATTERN SECONDS: FILE has a line matching PATTERN (grep -E),
# or the VM is gone.
wait_log() {
	for _ in $(seq $(($3 * 10))); do
		tr -d '\r' <"$1" 2>/dev/null | grep -qaE -- "$2" && return 0
		qemu_alive || { tr -d '\r' <"$1" 2>/dev/null | grep -qaE -- "$2"; return; }
		sleep 0.1
	done
	return 1
}
# ctl COMMAND...: one command to the guest on its second serial port;
# waits for its answer, CTL_WAIT seconds at most (30), and leaves the
# answer line in CTL_ANSWER.
ctl() {
	local n
	n=$(grep -c "^CTL " "$TMP/ctl.log" 2>/dev/null)
	timeout 5 sh -c 'echo "$1" >"$2"' sh "$*" "$TMP/ctl.in" || return 1
	for _ in $(seq $((${CTL_WAIT:-30} * 10))); do
		CTL_ANSWER=$(tr -d '\r' <"$TMP/ctl.log" | grep "^CTL " | sed -n "$((n + 1))p")
		[ -n "$CTL_ANSWER" ] && return 0
		sleep 0.1
	done
	return 1
}
status_field() { # NAME: the number after NAME on the status line
	screen | sed -n "1s/.* $1 \([0-9][0-9.kMG]*\).*/\1/p"
}
shown() { # PATTERN: how many lines of the screen match (grep -E)
	screen | grep -cE -- "$1"
}
dumped=""
# Once per phase: the screen as it was when a check failed.
dump() {
	case " $dumped " in *" $1 "*) return ;; esac
	dumped="$dumped $1"
	echo "--- screen ($1)"; screen | sed 's/^/    /'
}
# TUI_VERBOSE=1: the screen after each step, pass or fail.
step() { [ -n "${TUI_VERBOSE:-}" ] && dump "after: $1"; return 0; }
c() { # NAME COMMAND...: check, and show the screen on a failure
	local name=$1; shift
	if "$@"; then ok "$SUITE: $name"; else not_ok "$SUITE: $name"; dump "$name"; fi
}

# boot: qemu in a tmux pane of 160x45, the console on its stdio (logged to
# $TMP/con) and the control port on the FIFOs. 0 once the guest's init
# runs; 2 when the kernel died before (a panic at boot: TCG does this
# now and then).
boot() {
	tm kill-session -t "$S" 2>/dev/null
	rm -f "$TMP/con" "$TMP/ctl.log" "$TMP/ctl.in" "$TMP/ctl.out" "$TMP/qemu.pid"
	mkfifo "$TMP/ctl.in" "$TMP/ctl.out"
	tm new-session -d -s "$S" -x 160 -y 45 \
		"timeout --foreground $LIMIT qemu-system-x86_64 -accel tcg -cpu max \
		-m 1536 -smp 2 -no-reboot -display none -monitor none \
		-pidfile $TMP/qemu.pid \
		-chardev stdio,id=con,signal=off,logfile=$TMP/con -serial chardev:con \
		-chardev pipe,id=ctl,path=$TMP/ctl -serial chardev:ctl \
		-kernel $VM/cache/$SUITE/vmlinuz -initrd $TMP/initrd.gz \
		-append 'console=ttyS0 panic=-1 quiet'; echo QEMU-EXIT=\$?; sleep $LIMIT"
	tm set -t "$S" status off >/dev/null
	cat "$TMP/ctl.out" >>"$TMP/ctl.log" 2>/dev/null &
	PIDS="$PIDS $!"
	for _ in $(seq 50); do qemu_alive && break; sleep 0.1; done
	PIDS="$PIDS $(cat "$TMP/qemu.pid" 2>/dev/null)"
	wait_log "$TMP/con" "^VMTEST BOOTED" 180 && return 0
	if grep -aq "Kernel panic" "$TMP/con" 2>/dev/null || ! qemu_alive; then
		tr -d '\r' <"$TMP/con" | grep -a -m1 -A3 "Kernel panic" | head -n 4
		return 2
	fi
	return 1
}

# boot_checked: boot, once more when the kernel died before init ran, and
# the check "$SUITE: the VM boots" (with the console's tail when not).
boot_checked() {
	local rc
	boot; rc=$?
	if [ "$rc" -eq 2 ]; then
		echo "$SUITE: the kernel died before init ran (TCG does this at boot now and then): booting once more"
		boot; rc=$?
	fi
	if [ "$rc" -ne 0 ]; then
		not_ok "$SUITE: the VM boots"; tr -d '\r' <"$TMP/con" | tail -n 20
		return 1
	fi
	ok "$SUITE: the VM boots ($(tr -d '\r' <"$TMP/con" | grep -ao 'VMTEST BOOTED .*' | cut -d' ' -f3))"
}

# On the "progs=N links=N kprobes=N ftrace=N" lines: more NAME...:
# while running, more of each than before; more_sum NAME...: more of them
# together; same NAME...: after as many as before.
num() { echo "$1" | sed -n "s/.*$2=\([0-9]*\).*/\1/p"; }
more() {
	for f; do
		[ "$(num "$during" "$f")" -gt "$(num "$before" "$f")" ] 2>/dev/null || return 1
	done
}
more_sum() {
	local d=0 b=0 v
	for f; do
		v=$(num "$during" "$f"); d=$((d + ${v:-0}))
		v=$(num "$before" "$f"); b=$((b + ${v:-0}))
	done
	[ "$d" -gt "$b" ]
}
same() {
	[ -n "$after" ] || return 1
	for f; do
		[ -n "$(num "$after" "$f")" ] &&
			[ "$(num "$after" "$f")" = "$(num "$before" "$f")" ] || return 1
	done
}
