#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Traffic overhead (figure 2): UDP datagrams per second received across a
# veth pair between two private namespaces, flooded for a few seconds from
# A to B, untraced and under each tracer on the same tracepoints:
# skbscope rejecting everything with a structured filter, skbscope
# emitting every event of B to /dev/null (both with --no-explain, as
# before explanations existed), the same explaining drops (its nft trace
# table in B marks every packet the filter matches), bpftrace counting,
# perf record writing a file. For "explaining", one datagram to a port B
# drops by rule first starts the trace table there (skbscope adds it at a
# namespace's first netfilter drop), then the flood runs through it. The host is shared and noisy, so the configurations run
# in rounds (forwards, then backwards) and each figure is the best round:
# noise only ever takes packets away. Ratios to untraced are what matter.
# Prints a table and one "BENCH name value unit" line per figure.
#
# BENCH_SECONDS (default 3) is the flood per run, BENCH_ROUNDS (default 3)
# the number of rounds.
. "$(dirname "$0")/../lib.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${OUT:-build}
FLOOD=$ROOT/$OUT/bench-udpflood
SECS=${BENCH_SECONDS:-3}
ROUNDS=${BENCH_ROUNDS:-3}
PORT=7001

make -s --no-print-directory -C "$ROOT" skbscope "$OUT/bench-udpflood" >&2 ||
	{ echo "bench: cannot build skbscope and $OUT/bench-udpflood"; exit 1; }

A=skbt-a-$$; B=skbt-b-$$
NET=10.216.$(( $$ % 200 + 20 ))
make_pair "$A" "$B" "$NET" || { echo "bench: cannot make namespaces"; exit 1; }
ip netns exec "$B" iptables -A INPUT -p udp --dport 7999 -j DROP ||
	{ echo "bench: cannot add the iptables rule in $B"; exit 1; }

# The tracepoints skbscope attaches here (the host allows no kprobes); the
# peers get the same list.
TPS=$("$SKBSCOPE" --list-hooks 2>/dev/null | awk 'NR > 1 && $1 ~ /:/ { print $1 }')
[ -n "$TPS" ] || { echo "bench: skbscope --list-hooks found no tracepoints"; exit 1; }

# bpftrace and perf read tracepoint formats from tracefs, which this host
# leaves unmounted: they run in a private mount namespace that has it.
# An array, not a function: a function in the background is a subshell,
# and its $! would be that shell (which ignores SIGINT), not the tracer.
WITH_TRACEFS=(unshare -m --propagation private sh -c 'mount -t tracefs \
	tracefs /sys/kernel/tracing 2>/dev/null; exec "$@"' sh)

# Per configuration: space-separated figures, one per round.
declare -A RX TX DROPS EV LOST_N NOTE
CONFIGS="untraced rejecting emitting explaining"
if command -v bpftrace >/dev/null; then
	CONFIGS="$CONFIGS bpftrace"
else
	NOTE[bpftrace]="bpftrace is not installed: no bpftrace figure (make deps installs it)"
fi
if command -v perf >/dev/null && perf --version >/dev/null 2>&1; then
	CONFIGS="$CONFIGS perf"
else
	NOTE[perf]="perf is not installed or does not run: no perf record figure (make deps installs linux-perf)"
fi
has() { case " $CONFIGS " in *" $1 "*) return 0 ;; esac; return 1; }

# wait_for SECONDS COMMAND...: until COMMAND succeeds.
wait_for() {
	t=$1; shift
	for _ in $(seq $((t * 10))); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# stop_pid PID: SIGINT, and SIGKILL if it is still there after 30 s.
stop_pid() {
	kill -INT "$1" 2>/dev/null
	wait_for 30 eval "! kill -0 $1 2>/dev/null" || kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# wait_ready PID COMMAND...: until COMMAND succeeds (0), or PID is gone or
# 30 s have passed (1).
wait_ready() {
	p=$1; shift
	for _ in $(seq 300); do
		"$@" && return 0
		kill -0 "$p" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# tracer_start NAME: starts that configuration's tracer, attached when it
# returns. Sets TRACER (empty when untraced).
tracer_start() {
	TRACER=""
	case $1 in
	untraced) return 0 ;;
	rejecting | emitting | explaining)
		local f=(--filter-netns "$B")
		[ "$1" = rejecting ] && f+=(--filter-dst-port 1)
		[ "$1" = explaining ] || f+=(--no-explain)
		rm -f "$TMP/ready"
		"$SKBSCOPE" --no-tui --ready-file "$TMP/ready" "${f[@]}" \
			>/dev/null 2>"$TMP/tracer.err" &
		TRACER=$!
		PIDS="$PIDS $TRACER"
		wait_ready "$TRACER" test -e "$TMP/ready" || return 1
		if [ "$1" = explaining ]; then
			send_udp "$A" "$NET.2" 7999 1
			wait_ready "$TRACER" eval "ip netns exec '$B' nft list tables | grep -q skbscope" ||
				{ echo "bench: no trace table in $B"; return 1; }
		fi
		;;
	bpftrace)
		"${WITH_TRACEFS[@]}" bpftrace -e \
			"$(echo "$TPS" | sed 's/^/tracepoint:/' | paste -sd,) { @hits = count(); }" \
			>"$TMP/tracer.err" 2>&1 &
		TRACER=$!
		PIDS="$PIDS $TRACER"
		# "Attaching" comes just before the attach; give it time.
		wait_ready "$TRACER" grep -q '^Attaching' "$TMP/tracer.err" || return 1
		sleep 1
		;;
	perf)
		rm -f "$TMP/perf.data"
		"${WITH_TRACEFS[@]}" perf record -q -a -o "$TMP/perf.data" \
			-e "$(echo "$TPS" | paste -sd,)" \
			>/dev/null 2>"$TMP/tracer.err" &
		TRACER=$!
		PIDS="$PIDS $TRACER"
		# The file's header is written once the events are open;
		# then it enables them after synthesizing the tasks.
		wait_ready "$TRACER" test -s "$TMP/perf.data" || return 1
		sleep 1
		;;
	esac
	kill -0 "$TRACER" 2>/dev/null
}

# tracer_stop NAME: SIGINT, wait; sets EVENTS and LOST as the tracer saw
# them ("-" when it does not say).
tracer_stop() {
	EVENTS=-; LOST=-
	[ -n "$TRACER" ] || return 0
	kill -0 "$TRACER" 2>/dev/null || {
		echo "bench: $1 exited during the flood:"; cat "$TMP/tracer.err"
		return 1
	}
	stop_pid "$TRACER"
	case $1 in
	rejecting | emitting | explaining)
		read -r EVENTS LOST <<<"$(sed -n 's/.*: \([0-9]*\) events printed; [0-9]* matched the filter: [0-9]* received, \([0-9]*\) lost.*/\1 \2/p' "$TMP/tracer.err")"
		;;
	bpftrace)
		EVENTS=$(sed -n 's/^@hits: //p' "$TMP/tracer.err")
		;;
	perf)
		# -q hides the summary; the samples are counted in the file.
		perf report -i "$TMP/perf.data" --stats >"$TMP/perf.stats" 2>&1
		EVENTS=$(awk '/SAMPLE events:/ { print $3; exit }' "$TMP/perf.stats")
		# Per event, LOST_SAMPLES counts samples (aggregated, records).
		LOST=$(awk '/ stats:$/ { ev = 1 }
			ev && /LOST_SAMPLES events:/ { n += $3 }
			END { print n + 0 }' "$TMP/perf.stats")
		rm -f "$TMP/perf.data"
		;;
	esac
	: "${EVENTS:=-}" "${LOST:=-}"
}

# per_s N SECONDS: N per second, an integer.
per_s() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%d", (s > 0 ? n / s : 0) }'; }

# run NAME: one flood under that configuration; adds a figure to RX etc.
run() {
	name=$1
	rm -f "$TMP/rready"
	ip netns exec "$B" "$FLOOD" recv "$PORT" "$TMP/rready" >"$TMP/recv.out" &
	rpid=$!
	PIDS="$PIDS $rpid"
	wait_file "$TMP/rready" 10 || { echo "bench: the receiver did not start"; return 1; }
	if ! tracer_start "$name"; then
		[ -n "$TRACER" ] && stop_pid "$TRACER"
		stop_pid "$rpid"
		case $name in
		bpftrace | perf)
			# A peer that cannot run costs its figure, not the rest.
			NOTE[$name]="$name could not start, no $name figure: $(grep -v '^$' "$TMP/tracer.err" | tail -1)"
			echo "  ${NOTE[$name]}"
			CONFIGS=$(echo " $CONFIGS " | sed "s/ $name / /")
			return 0 ;;
		esac
		echo "bench: $name did not start:"; cat "$TMP/tracer.err"
		return 1
	fi
	read -r _ sent _ _ _ secs <<<"$(ip netns exec "$A" "$FLOOD" send "$NET.2" "$PORT" "$SECS")"
	[ -n "$secs" ] || { echo "bench: the sender failed"; return 1; }
	# What is still queued to the receiver counts; then stop it.
	sleep 0.3
	stop_pid "$rpid"
	read -r _ recvd <"$TMP/recv.out"
	tracer_stop "$name" || return 1
	rx=$(per_s "$recvd" "$secs"); tx=$(per_s "$sent" "$secs")
	drops=$(per_s $((sent - recvd)) "$secs")
	printf '  %-10s round %d: %9s rx/s %9s tx/s %7s drops/s %10s events %8s lost\n' \
		"$name" "$round" "$rx" "$tx" "$drops" "$EVENTS" "$LOST"
	RX[$name]+=" $rx" TX[$name]+=" $tx" DROPS[$name]+=" $drops"
	EV[$name]+=" $EVENTS" LOST_N[$name]+=" $LOST"
}

# nth N WORDS...: the Nth word.
nth() { shift "$1"; echo "$1"; }
# ratio A B: A / B to two places.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b ? a / b : 0) }'; }
# goal RATIO MIN: "goal >= MIN: met" or "... MISSED".
goal() { awk -v r="$1" -v m="$2" 'BEGIN { print "goal >= " m ": " (r + 0 >= m + 0 ? "met" : "MISSED") }'; }

echo "Traffic overhead: UDP over a veth pair, ${SECS} s floods, best of $ROUNDS rounds"
echo "$(echo "$TPS" | wc -l) tracepoints; per run:"
for ((round = 1; round <= ROUNDS; round++)); do
	order=$CONFIGS
	# Every other round backwards, so that drift in the host's load
	# does not always favour the same configuration.
	[ $((round % 2)) -eq 0 ] && order=$(echo "$CONFIGS" | tr ' ' '\n' | tac | paste -sd' ')
	for c in $order; do
		has "$c" || continue	# a peer that could not start earlier
		run "$c" || exit 1
	done
done

declare -A BEST RATIO
echo
printf '%-36s %9s %9s %8s %10s %8s %6s  %s\n' configuration "rx pps" "tx pps" \
	"drops/s" events lost ratio goal
for c in untraced rejecting emitting explaining bpftrace perf; do
	has "$c" || continue
	# The best round: the most received; its other figures with it.
	k=$(echo "${RX[$c]}" | awk '{ k = 1
		for (i = 2; i <= NF; i++) if ($i + 0 > $k + 0) k = i; print k }')
	# shellcheck disable=SC2086
	{ BEST[$c]=$(nth "$k" ${RX[$c]}); tx=$(nth "$k" ${TX[$c]})
	  drops=$(nth "$k" ${DROPS[$c]}); ev=$(nth "$k" ${EV[$c]})
	  lost=$(nth "$k" ${LOST_N[$c]}); }
	RATIO[$c]=$(ratio "${BEST[$c]}" "${BEST[untraced]}")
	case $c in
	untraced) label="untraced"; g="" ;;
	rejecting) label="skbscope, filter rejects all"; g=$(goal "${RATIO[$c]}" 0.95) ;;
	emitting) label="skbscope, every event to /dev/null"; g=$(goal "${RATIO[$c]}" 0.80) ;;
	explaining) label="the same, explaining (trace table)"; g="" ;;
	bpftrace) label="bpftrace, count()"; g="" ;;
	perf) label="perf record -a, to a file"; g="" ;;
	esac
	printf '%-36s %9s %9s %8s %10s %8s %6s  %s\n' "$label" "${BEST[$c]}" "$tx" \
		"$drops" "$ev" "$lost" "${RATIO[$c]}" "$g"
done
for c in bpftrace perf; do
	[ -n "${NOTE[$c]}" ] && echo "${NOTE[$c]}"
done
if has perf; then
	if [ "${BEST[emitting]}" -gt "${BEST[perf]}" ]; then
		echo "goal: skbscope emitting ahead of perf record: met"
	else
		echo "goal: skbscope emitting ahead of perf record: MISSED"
	fi
fi

echo
for c in untraced rejecting emitting explaining bpftrace perf; do
	has "$c" && echo "BENCH traffic_pps_$c ${BEST[$c]} pps"
done
echo "BENCH traffic_explaining_over_emitting_ratio $(ratio "${BEST[explaining]}" "${BEST[emitting]}") x"
for c in rejecting emitting explaining bpftrace perf; do
	has "$c" && echo "BENCH traffic_${c}_over_untraced_ratio ${RATIO[$c]} x"
done
has perf && echo "BENCH traffic_emitting_over_perf_ratio $(ratio "${BEST[emitting]}" "${BEST[perf]}") x"
exit 0
