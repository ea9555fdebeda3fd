#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Soak: the explorer, in a real terminal (tmux), under a UDP flood across a
# veth pair for SOAK_SECONDS (default 600) with a bounded store
# (--max-packets, default 20000). Every SOAK_INTERVAL seconds (10) it
# samples the explorer's resident memory, open descriptors and CPU time,
# and what its status line says. It passes when, after the warm-up, memory
# stops growing (the last third's peak is within 10% of the first third's),
# descriptors do not grow, the store filled (so eviction ran), and at the
# end the explorer still answers a key and quits with status 0, leaving no
# BPF program or link behind. Prints a table, "BENCH soak_..." lines and
# the usual "N passed, N failed". `make soak` runs it; it is not part of
# `make test`.
SKBSCOPE=${SKBSCOPE:-$(cd "$(dirname "$0")/.." && pwd)/skbscope}
. "$(dirname "$0")/lib.sh"

SECONDS_TOTAL=${SOAK_SECONDS:-600}
INTERVAL=${SOAK_INTERVAL:-10}
MAXPK=${SOAK_MAX_PACKETS:-20000}
# 0: as fast as one Python loop goes.
PPS=${SOAK_PPS:-0}

for t in tmux bpftool jq python3; do
	command -v "$t" >/dev/null && continue
	echo "cannot run: $t is not installed"; not_ok "$t"; finish; exit
done
if [ "$SECONDS_TOTAL" -lt $((4 * INTERVAL)) ]; then
	echo "cannot run: SOAK_SECONDS must be at least $((4 * INTERVAL))"
	not_ok "duration"; finish; exit
fi

A=skbsoak-a-$$; B=skbsoak-b-$$
NET=10.221.$(( $$ % 200 + 20 ))
make_pair "$A" "$B" "$NET" || { not_ok "namespaces"; finish; exit; }
bpf_mark

S=soak
tm new-session -d -s "$S" -x 160 -y 45 \
	"$SKBSCOPE --filter-dst-ip $NET.2 --max-packets $MAXPK --ready-file $TMP/ready 2>$TMP/stderr; echo SOAK-EXIT=\$?; sleep 3600"
if ! wait_file "$TMP/ready" 30; then
	not_ok "explorer starts"; screen_of "$S"; finish; exit
fi
PID=$(pgrep -f -n -- "--ready-file $TMP/ready")
wait_screen_of "$S" '^ skbscope ' 10 || { not_ok "explorer draws"; finish; exit; }

# The flood: many source ports to many closed destination ports (so B
# also drops with NO_SOCKET and answers with ICMP), from one process.
ip netns exec "$A" python3 - "$NET.2" "$PPS" <<'PY' &
import socket, sys, time
dst, pps = sys.argv[1], int(sys.argv[2])
socks = []
for i in range(32):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(('', 42000 + i))
    socks.append(s)
payload = b'skbscope-soak' * 4
n, t0 = 0, time.monotonic()
while True:
    for s in socks:
        for p in range(7000, 7016):
            try:
                s.sendto(payload, (dst, p))
            except OSError:
                pass
    n += 32 * 16
    if pps:
        ahead = n / pps - (time.monotonic() - t0)
        if ahead > 0:
            time.sleep(ahead)
PY
FLOOD=$!
PIDS="$PIDS $FLOOD"
disown

tx_packets() {
	ip -n "$A" -s -j link show va 2>/dev/null |
		jq '.[0].stats64.tx.packets // 0' 2>/dev/null || echo 0
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
fd_count() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null; }
HZ=$(getconf CLK_TCK)
status_line() { screen_of "$S" | head -n1; }

printf '%6s %9s %5s %6s %9s %9s %9s %10s %12s\n' \
	time_s rss_kB fds cpu_% tx_pps ev/s skbs lost evicted
T0=$(date +%s)
last_tx=$(tx_packets); last_cpu=$(cpu_ticks "$PID"); last_t=$T0
rss=() fds=() alive=1 filled=0
while :; do
	sleep "$INTERVAL"
	now=$(date +%s)
	if [ ! -d "/proc/$PID" ]; then
		alive=0; echo "# the explorer is gone at $((now - T0)) s"; break
	fi
	r=$(rss_kb "$PID"); f=$(fd_count "$PID"); c=$(cpu_ticks "$PID")
	tx=$(tx_packets)
	st=$(status_line)
	evs=$(sed -n 's/.*| \([0-9]*\) ev\/s |.*/\1/p' <<<"$st")
	sk=$(sed -n 's/.* | skbs \([0-9]*\).*/\1/p' <<<"$st")
	lost=$(sed -n 's/.*| lost \([0-9]*\) .*/\1/p' <<<"$st")
	ev=$(sed -n 's/.*, \([0-9]*\) evicted).*/\1/p' <<<"$st")
	dt=$((now - last_t)); [ "$dt" -gt 0 ] || dt=1
	cpu=$(awk -v t=$((c - last_cpu)) -v hz="$HZ" -v dt="$dt" \
		'BEGIN { printf "%.1f", t * 100 / hz / dt }')
	pps=$(( (tx - last_tx) / dt ))
	printf '%6d %9d %5d %6s %9d %9s %9s %10s %12s\n' $((now - T0)) \
		"$r" "$f" "$cpu" "$pps" "${evs:-?}" "${sk:-?}" "${lost:-?}" \
		"${ev:-0}"
	rss+=("$r") fds+=("$f") ppss+=("$pps") cpus+=("$cpu")
	[ "${sk:-0}" -ge "$MAXPK" ] && filled=1
	last_tx=$tx; last_cpu=$c; last_t=$now
	[ $((now - T0)) -ge "$SECONDS_TOTAL" ] && break
done
kill "$FLOOD" 2>/dev/null

check "the explorer ran the whole $SECONDS_TOTAL s" [ "$alive" -eq 1 ]
n=${#rss[@]}
# Warm-up: the first fifth of the samples (at least one), while the store
# fills and the allocator settles. The rest is cut in thirds.
w=$(( n / 5 )); [ "$w" -ge 1 ] || w=1
m=$(( n - w )); k=$(( (m + 2) / 3 ))
max_of() { printf '%s\n' "$@" | sort -n | tail -n1; }
avg_of() { printf '%s\n' "$@" | awk '{ s += $1 } END { printf "%d", NR ? s / NR : 0 }'; }
if [ "$m" -ge 3 ]; then
	first=("${rss[@]:w:k}") last=("${rss[@]:n-k:k}")
	r1=$(max_of "${first[@]}"); r2=$(max_of "${last[@]}")
	f1=$(max_of "${fds[@]:w:k}"); f2=$(max_of "${fds[@]:n-k:k}")
	echo "# after a warm-up of $w samples: RSS peak $r1 kB (first third)," \
		"$r2 kB (last third); fds $f1, $f2"
	echo "BENCH soak_rss_first_third_kb $r1 kB"
	echo "BENCH soak_rss_last_third_kb $r2 kB"
	echo "BENCH soak_rss_growth_ratio $(awk -v a="$r1" -v b="$r2" 'BEGIN { printf "%.3f", a ? b / a : 0 }') x"
	echo "BENCH soak_fds_last $f2 fds"
	echo "BENCH soak_flood_pps $(avg_of "${ppss[@]:w}") pps"
	echo "BENCH soak_explorer_cpu_pct $(printf '%s\n' "${cpus[@]:w}" | awk '{ s += $1 } END { printf "%.1f", s / NR }') %"
	check "memory bounded: last third's peak $r2 kB <= 1.1 x first third's $r1 kB" \
		awk -v a="$r1" -v b="$r2" 'BEGIN { exit !(a > 0 && b <= a * 1.1) }'
	check "descriptors do not grow ($f1 then $f2)" [ "$f2" -le "$f1" ]
else
	not_ok "too few samples ($n) to compare thirds"
fi
check "the store filled to --max-packets $MAXPK (eviction ran)" [ "$filled" -eq 1 ]

# Still answering: help opens and closes, then q quits cleanly.
if [ "$alive" -eq 1 ]; then
	tm send-keys -t "$S" '?'
	check "answers a key after the soak (help opens)" \
		wait_screen_of "$S" 'Help: keys' 5
	tm send-keys -t "$S" Escape
	check "help closes" bash -c "for _ in \$(seq 50); do
		tmux -S '$TSOCK' capture-pane -p -t '$S' | grep -q 'Help: keys' || exit 0
		sleep 0.1; done; exit 1"
	tm send-keys -t "$S" q
	check "q quits with status 0" wait_screen_of "$S" '^SOAK-EXIT=0$' 10
	leak=$(bpf_leaks)
	check "no BPF program or link left${leak:+ ($leak)}" [ -z "$leak" ]
	sed 's/^/# /' "$TMP/stderr" | tail -n 2
fi
finish
