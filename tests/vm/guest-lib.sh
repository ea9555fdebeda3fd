# SPDX-License-Identifier: GPL-2.0
# Helpers for scripts that run inside the test VMs (busybox sh).
vmok() { echo "VMTEST ok $*"; }
vmfail() { echo "VMTEST FAIL $*"; }
vmcheck() {
	name=$1; shift
	if "$@"; then vmok "$name"; else vmfail "$name"; fi
}
# wait_ready FILE PID SECONDS: the file appears, or the process is gone.
wait_ready() {
	i=0
	while [ ! -e "$1" ] && [ "$i" -lt "$(($3 * 10))" ]; do
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.1; i=$((i + 1))
	done
	[ -e "$1" ]
}
send_udp() { udpsend "$1" "$2" "$3"; } # DST PORT COUNT

# attached: what is attached, in the kernel's own words (bpfcount comes in
# the extra archive of tests/vm/tui-lib.sh): the BPF programs and links
# loaded (bpfcount walks their ids: every backend holds programs, and
# kprobe-multi, kprobe and tracepoints hold links), the kprobes registered
# (perf kprobes and kretprobes, which tracing/kprobe_events does not list)
# and the functions ftrace has a callback on (kprobe-multi's fprobes, and
# kprobes placed through ftrace). The guest runs nothing else that uses
# them, so before, during and after the explorer can be compared.
attached() {
	set -- $(bpfcount)
	kp=$(grep -c . /sys/kernel/debug/kprobes/list 2>/dev/null)
	ft=$(grep -c . /sys/kernel/tracing/enabled_functions 2>/dev/null)
	echo "progs=$2 links=$4 kprobes=${kp:-?} ftrace=${ft:-?}"
}

# klog_clean WHEN: a VMTEST line on whether the kernel's log has a
# warning, BUG, oops, RCU stall, soft or hard lockup, lockdep report or
# general protection fault in it, with the first of them when it has.
klog_clean() {
	dmesg >/tmp/dmesg
	if grep -qE "WARNING:|BUG:|Oops|rcu_sched self-detected|rcu_preempt self-detected|detected stalls|soft lockup|hard LOCKUP|possible circular locking|inconsistent lock state|general protection" /tmp/dmesg; then
		vmfail "kernel log is clean $1"
		grep -E -A5 "WARNING:|BUG:|Oops|stall|lockup|locking|general protection" /tmp/dmesg | head -n 40
	else
		vmok "kernel log is clean $1 ($(wc -l </tmp/dmesg) lines)"
	fi
}

# ctl_serve: answer the host's commands on the second serial port (ttyS1),
# one a line, each answered on the same port with a "CTL ..." line:
#   send PORT COUNT SPORT   COUNT datagrams 127.0.0.1:SPORT -> :PORT
#   attached                what is attached now (attached above)
# and whatever ctl_more CMD ARGS... answers (0 when it knew CMD), if the
# script defines it. Runs until killed.
ctl_serve() {
	stty -F /dev/ttyS1 -echo -onlcr 2>/dev/null
	while read -r cmd a b c; do
		case $cmd in
		send)
			udpsend -p "$c" 127.0.0.1 "$a" "$b" 2>&1
			echo "CTL sent $a $b $c"
			;;
		attached) echo "CTL attached $(attached)" ;;
		*)
			command -v ctl_more >/dev/null 2>&1 &&
				ctl_more "$cmd" "$a" "$b" "$c" ||
				echo "CTL unknown $cmd"
			;;
		esac
	done </dev/ttyS1 >/dev/ttyS1
}
