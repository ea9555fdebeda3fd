#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# User-space ingest (figure 3). First build/bench-ingest: events/s that
# replay decodes and stores on one core, peak RSS and bytes per stored
# event (no root needed; its options, -h, can be given here). Then, as
# root, the ring buffer in a flood: skbscope in line mode, output to
# /dev/null, while a tight UDP loop sends across a veth pair between two
# namespaces; events received/s and the loss from its exit summary.
# BENCH_FLOOD_SECONDS (3) and BENCH_FLOOD_SENDERS (1) set the flood.
# Figures only, plus "BENCH name value unit" lines.
. "$(dirname "$0")/../lib.sh"
cd "$(dirname "$0")/../.."
OUT=${OUT:-build}
make -s --no-print-directory "$OUT/bench-ingest" >&2 || exit 1
"$OUT/bench-ingest" "$@" || exit 1

SECS=${BENCH_FLOOD_SECONDS:-3}
SENDERS=${BENCH_FLOOD_SENDERS:-1}
echo
echo "Ring buffer in a flood: UDP across a veth pair for $SECS s from $SENDERS sender(s), skbscope --no-tui > /dev/null"
if [ "$(id -u)" -ne 0 ]; then
	echo "skipped: the flood needs root (BPF and network namespaces)"
	exit 0
fi
make -s --no-print-directory skbscope >&2 || exit 1

A=skbi-a-$$; B=skbi-b-$$
NET=10.216.$(( $$ % 200 + 20 ))
make_pair "$A" "$B" "$NET" || { echo "bench: cannot make namespaces"; exit 1; }
# A receiver, so datagrams are delivered (consume_skb), not refused.
ip netns exec "$B" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
s.bind(("0.0.0.0", 7001))
while True:
    s.recv(2048)
' &
RX=$!
PIDS="$PIDS $RX"

rm -f "$TMP/ready"
"$SKBSCOPE" --no-tui --ready-file "$TMP/ready" --filter-dst-port 7001 \
	>/dev/null 2>"$TMP/flood.err" &
TRACE_PID=$!
PIDS="$PIDS $TRACE_PID"
if ! wait_file "$TMP/ready" 30; then
	echo "bench: skbscope did not become ready:"; cat "$TMP/flood.err"
	exit 1
fi
# Each sender as fast as one Python thread goes; each says how many it
# sent.
for i in $(seq "$SENDERS"); do
	ip netns exec "$A" python3 - "$NET.2" "$SECS" >"$TMP/sent.$i" <<'PY' &
import socket, sys, time
dst, secs = sys.argv[1], float(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect((dst, 7001))
n, payload, end = 0, b'skbscope-flood', time.monotonic() + secs
while time.monotonic() < end:
    for _ in range(256):
        try:
            s.send(payload)
            n += 1
        except OSError:
            pass
print(n)
PY
done
wait $(jobs -p | grep -vx -e "$RX" -e "$TRACE_PID")
sent=$(cat "$TMP"/sent.* | awk '{ n += $1 } END { print n + 0 }')
sleep 0.5
stop_trace
kill "$RX" 2>/dev/null
wait "$RX" 2>/dev/null
# "skbscope: N events printed; M matched the filter, L lost (ring buffer
# full), H hook hits in all; ..."
summary=$(grep 'events printed;' "$TMP/flood.err" | tail -n 1)
printed=$(sed -n 's/.*: \([0-9]*\) events printed;.*/\1/p' <<<"$summary")
matched=$(sed -n 's/.* \([0-9]*\) matched the filter.*/\1/p' <<<"$summary")
lost=$(sed -n 's/.* \([0-9]*\) lost (ring buffer full).*/\1/p' <<<"$summary")
if [ -z "$printed" ] || [ -z "$lost" ]; then
	echo "bench: no summary from skbscope:"; cat "$TMP/flood.err"
	exit 1
fi
awk -v s="$SECS" -v sent="$sent" -v p="$printed" -v m="$matched" -v l="$lost" 'BEGIN {
	printf "%-28s %12s %12s\n", "", "total", "per second"
	printf "%-28s %12d %12.0f\n", "datagrams sent", sent, sent / s
	printf "%-28s %12d %12.0f\n", "events matched in the kernel", m, m / s
	printf "%-28s %12d %12.0f\n", "events received (printed)", p, p / s
	printf "%-28s %12d %12.0f  %s\n", "lost (ring buffer full)", l, l / s,
		l == 0 ? "goal: none" : "goal: none (missed)"
	printf "BENCH flood_datagrams_per_s %.0f datagrams/s\n", sent / s
	printf "BENCH flood_events_received_per_s %.0f events/s\n", p / s
	printf "BENCH flood_events_lost %d events\n", l
}'
