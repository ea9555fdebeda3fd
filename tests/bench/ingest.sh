#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# User-space ingest (figure 3). First build/bench-ingest: events/s that
# replay decodes and stores on one core, peak RSS and bytes per stored
# event (no root needed; its options, -h, can be given here). Then, as
# root, the ring buffer in a flood (bench-udpflood, as in traffic.sh,
# across a veth pair between two namespaces): into the explorer's store
# (in tmux), and through line mode to /dev/null; events received/s and the
# loss from the exit summary. BENCH_FLOOD_SECONDS (3) sets the flood.
# Figures only, plus "BENCH name value unit" lines.
. "$(dirname "$0")/../lib.sh"
cd "$(dirname "$0")/../.."
OUT=${OUT:-build}
make -s --no-print-directory "$OUT/bench-ingest" >&2 || exit 1
"$OUT/bench-ingest" "$@" || exit 1

SECS=${BENCH_FLOOD_SECONDS:-3}
echo
echo "Ring buffer in a flood: bench-udpflood across a veth pair for $SECS s"
if [ "$(id -u)" -ne 0 ]; then
	echo "skipped: the flood needs root (BPF and network namespaces)"
	exit 0
fi
make -s --no-print-directory skbscope "$OUT/bench-udpflood" >&2 || exit 1
FLOOD=$PWD/$OUT/bench-udpflood

A=skbi-a-$$; B=skbi-b-$$
NET=10.217.$(( $$ % 200 + 20 ))
make_pair "$A" "$B" "$NET" || { echo "bench: cannot make namespaces"; exit 1; }
# A receiver, so datagrams are delivered (consume_skb), not refused.
ip netns exec "$B" "$FLOOD" recv 7001 >/dev/null &
PIDS="$PIDS $!"
disown $! # killed by the cleanup; no "Killed" notice

# numbers FILE: "matched received lost" from an exit summary.
numbers() {
	sed -n 's/.* \([0-9]*\) matched the filter: \([0-9]*\) received, \([0-9]*\) lost.*/\1 \2 \3/p' "$1" | tail -n 1
}

# report NAME: the flood's figures from $TMP/sent and $TMP/$NAME.err.
report() {
	read -r m r l <<<"$(numbers "$TMP/$1.err")"
	sent=$(awk '/^sent/ { print $2 }' "$TMP/sent")
	if [ -z "$m" ]; then
		echo "bench: no summary from skbscope ($1):"; cat "$TMP/$1.err"
		return 1
	fi
	awk -v n="$1" -v s="$SECS" -v d="$sent" -v m="$m" -v r="$r" -v l="$l" 'BEGIN {
		printf "%-34s %10.0f datagrams/s %10.0f events/s received %9d lost  %s\n",
			n, d / s, r / s, l, l == 0 ? "goal: no loss, met" : "goal: no loss, MISSED"
		printf "BENCH flood_%s_events_received_per_s %.0f events/s\n", n, r / s
		printf "BENCH flood_%s_events_lost %d events\n", n, l
	}'
}

# 1. The explorer: decode and store, the path this figure is about. It
# runs in tmux (a real terminal) and quits with q after the flood.
S=skbs-ingest-$$
rm -f "$TMP/ready"
tm new-session -d -s "$S" -x 120 -y 40 \
	"$SKBSCOPE --filter-netns $B --ready-file $TMP/ready 2>$TMP/explorer.err"
if wait_file "$TMP/ready" 30; then
	ip netns exec "$A" "$FLOOD" send "$NET.2" 7001 "$SECS" >"$TMP/sent"
	sleep 0.5
	tm send-keys -t "$S" q
	for _ in $(seq 100); do
		tm has-session -t "$S" 2>/dev/null || break
		sleep 0.1
	done
	report explorer
else
	echo "bench: the explorer did not become ready:"; cat "$TMP/explorer.err"
fi
tm kill-session -t "$S" 2>/dev/null

# 2. Line mode to /dev/null: decode and format every event.
rm -f "$TMP/ready"
"$SKBSCOPE" --no-tui --ready-file "$TMP/ready" --filter-netns "$B" \
	>/dev/null 2>"$TMP/lines.err" &
TRACE_PID=$!
PIDS="$PIDS $TRACE_PID"
if wait_file "$TMP/ready" 30; then
	ip netns exec "$A" "$FLOOD" send "$NET.2" 7001 "$SECS" >"$TMP/sent"
	sleep 0.5
	kill -INT "$TRACE_PID"; wait "$TRACE_PID"
	report lines
else
	echo "bench: skbscope did not become ready:"; cat "$TMP/lines.err"
fi
