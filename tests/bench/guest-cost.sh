# SPDX-License-Identifier: GPL-2.0
# Runs inside a test VM (busybox sh), for tests/bench/vm-cost.sh. Set
# before this file: BACKENDS, FUNCS (the functions; tracepoints are all). A UDP flood over lo for SECS seconds:
# untraced, then per backend traced with the filter rejecting every hit
# (and, on kprobe-multi, an empty program on the same functions: what the
# kernel's probe entry costs by itself),
# with every event emitted (the filter matches the flood), and emitted
# with --output-return. Prints one line per run:
#   VMBENCH BACKEND MODE SENT HOOKS RETURNS RUNS NS_PER_RUN LOST MISSED
. /guest-lib.sh
SECS=${SECS:-3}
flood() { udpflood send 127.0.0.1 7777 "$SECS" | sed -n 's/^sent \([0-9]*\).*/\1/p'; }
udpflood recv 7777 /tmp/rx.ready >/tmp/rx.out 2>&1 &
rx=$!
wait_ready /tmp/rx.ready "$rx" 20
echo "VMBENCH none untraced $(flood) 0 0 0 0 0 0"
for b in $BACKENDS; do
	modes='rejecting flat returns'
	# The kernel's own part: an empty program on the same functions.
	[ "$b" = kprobe-multi ] && modes="empty $modes"
	# Tracepoints: every one with an skb (FUNCS names functions), and
	# no returns to pair.
	if [ "$b" = tracepoint ]; then
		set --
		modes='rejecting flat'
	else
		set -- --filter-func "$FUNCS"
	fi
	# COST_MODES picks some, for a quick before/after of one change.
	[ -n "${COST_MODES:-}" ] && modes=$COST_MODES
	for mode in $modes; do
		env=
		case $mode in
		empty) extra='--filter-dst-port 1'; env=SKBSCOPE_BENCH_EMPTY=1 ;;
		rejecting) extra='--filter-dst-port 1' ;;
		flat) extra='--filter-dst-port 7777' ;;
		returns) extra='--filter-dst-port 7777 --output-return' ;;
		esac
	# With a second build (COST_ALT), each run also with that one,
	# labelled MODE-alt, in turn within one boot, COST_REPEAT times.
	# (Not the empty program: an older build may not have it.)
	bins=/skbscope
	[ -x /skbscope-alt ] && [ "$mode" != empty ] && bins='/skbscope-alt /skbscope'
	for rep in $(seq "${COST_REPEAT:-1}"); do
	for bin in $bins; do
		label=$mode
		[ "$bin" = /skbscope-alt ] && label=$mode-alt
		rm -f /tmp/ready
		env $env "$bin" --no-tui --backend "$b" "$@" \
			$extra --ready-file /tmp/ready >/dev/null 2>/tmp/cost.err &
		pid=$!
		if ! wait_ready /tmp/ready "$pid" 300; then
			echo "VMBENCH $b $label failed 0 0 0 0 0 0"; cat /tmp/cost.err
			continue
		fi
		sent=$(flood)
		kill -INT "$pid"; wait "$pid"
		hooks=$(sed -n 's/^skbscope: \([0-9]*\) hooks attached.*/\1/p' /tmp/cost.err)
		rets=$(sed -n 's/^skbscope: \([0-9]*\) return probes attached.*/\1/p' /tmp/cost.err)
		runs=$(sed -n 's/^skbscope: BPF: \([0-9]*\) runs, \([0-9]*\) ns each.*/\1/p' /tmp/cost.err)
		ns=$(sed -n 's/^skbscope: BPF: \([0-9]*\) runs, \([0-9]*\) ns each.*/\2/p' /tmp/cost.err)
		lost=$(sed -n 's/.* received, \([0-9]*\) lost (ring buffer full).*/\1/p' /tmp/cost.err)
		missed=$(sed -n 's/.*protection, \([0-9]*\) kprobe hits missed.*/\1/p' /tmp/cost.err)
		echo "VMBENCH $b $label ${sent:-0} ${hooks:-0} ${rets:-0} ${runs:-0} ${ns:-0} ${lost:-0} ${missed:-0}"
		grep "matched the filter\|^skbscope: BPF: " /tmp/cost.err | sed 's/^/VMBENCHNOTE /'
	done
	done
	done
done
kill -INT "$rx"; wait "$rx"
