# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM (busybox sh) for tests/vm/soak.sh: the explorer
# on the serial console (ttyS0) with every skb function attached (no
# --filter-func), its filter matching a UDP flood over lo, for the host to
# drive through tmux. Set before this file: BACKEND (the function-probe
# backend), MAXPK (--max-packets) and PORT (the flood's port).
#
# The host's other hand is the second serial port (ttyS1): one command a
# line, answered on the same port with one "CTL ..." line:
#   flood SECONDS   udpflood to 127.0.0.1:PORT for SECONDS, in the
#                   background; answers at once
#   flooded         "running", or what the sender printed once it is done
#   sample          the explorer's pid, VmRSS and VmHWM (kB, from
#                   /proc/PID/status), open descriptors, user+system CPU
#                   ticks, and the guest's uptime
#   attached        what is attached now (guest-lib.sh)
# Prints VMTEST lines on the console.
. /guest-lib.sh
# Kernel messages would land in the middle of the explorer's screen; the
# log keeps them for klog_clean.
dmesg -n 1 2>/dev/null

before=$(attached)
echo "VMTEST ATTACHED before $before"

# Bound before the explorer starts, so that the flood is delivered (and
# its skbs freed by a reader) rather than dropped at a closed port.
udpflood recv "$PORT" /tmp/rx.ready >/tmp/rx.out 2>&1 &
rxpid=$!
wait_ready /tmp/rx.ready "$rxpid" 20 || vmfail "the flood's receiver binds port $PORT"

sample() {
	set -- $(pidof skbscope); pid=$1
	if [ -z "$pid" ] || [ ! -r "/proc/$pid/status" ]; then
		echo "none"; return
	fi
	rss=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB$/\1/p' "/proc/$pid/status")
	hwm=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB$/\1/p' "/proc/$pid/status")
	fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
	# Fields 14 and 15: utime and stime (the name, skbscope, has no
	# space in it).
	cpu=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
	echo "pid=$pid rss=$rss hwm=$hwm fds=$fds cpu=$cpu up=$(cut -d' ' -f1 /proc/uptime)"
}

ctl() {
	stty -F /dev/ttyS1 -echo -onlcr 2>/dev/null
	while read -r cmd a; do
		case $cmd in
		flood)
			rm -f /tmp/tx.done /tmp/tx.out /tmp/tx.pid
			(
				udpflood send 127.0.0.1 "$PORT" "$a" $RATE </dev/null >/tmp/tx.out 2>&1 &
				echo $! >/tmp/tx.pid
				wait $!
				echo $? >/tmp/tx.done
			) </dev/null >/dev/null 2>&1 &
			echo "CTL flooding $a"
			;;
		flooded)
			if [ -e /tmp/tx.done ]; then
				echo "CTL flooded status=$(cat /tmp/tx.done) $(cat /tmp/tx.out 2>/dev/null | tr '\n' ' ')"
			else
				echo "CTL flooded running"
			fi
			;;
		sample) echo "CTL sample $(sample)" ;;
		attached) echo "CTL attached $(attached)" ;;
		*) echo "CTL unknown $cmd" ;;
		esac
	done </dev/ttyS1 >/dev/ttyS1
}
ctl &
ctlpid=$!

export TERM=xterm-256color TERMINFO=/lib/terminfo LANG=C.UTF-8
echo "VMTEST EXPLORER START"
# cttyhack makes the console's tty (ttyS0) the controlling terminal of a
# new session: the explorer needs one for its keys and its size.
setsid cttyhack sh -c "stty rows 45 cols 160; exec /skbscope \
	--backend $BACKEND --max-packets $MAXPK --filter-proto udp \
	--filter-dst-ip 127.0.0.1 --filter-dst-port $PORT \
	2>/tmp/explorer.err"
rc=$?
echo "VMTEST EXPLORER EXIT $rc"
kill "$ctlpid" 2>/dev/null

# The host waits for the flood to end before it quits the explorer; if it
# did not (a failure there), the flood ends here.
if [ ! -e /tmp/tx.done ] && [ -s /tmp/tx.pid ]; then
	echo "the flood was still running: stopped"
	kill "$(cat /tmp/tx.pid)" 2>/dev/null
fi
kill -INT "$rxpid" 2>/dev/null; wait "$rxpid"
echo "VMTEST FLOOD $(cat /tmp/tx.out 2>/dev/null | tr '\n' ' ')/ $(cat /tmp/rx.out | tr '\n' ' ')"

# The kernel frees closed programs and unregisters fprobes a little later:
# give it 60 s (1,500 functions) to be back where it was before.
i=0
while [ "$(attached)" != "$before" ] && [ "$i" -lt 600 ]; do
	sleep 0.1; i=$((i + 1))
done
echo "VMTEST ATTACHED after $(attached)"
klog_clean "after attach, flood and detach of every skb function"
echo "--- the explorer's stderr"
tail -n 15 /tmp/explorer.err
