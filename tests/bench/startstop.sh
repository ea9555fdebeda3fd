#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Start and stop on the host (tracepoint backend): time from exec to the
# ready file (everything attached), and from SIGINT to a clean exit (all
# detached), median of several runs. The VM matrix prints the same for
# each backend there (tests/vm, attach column); under TCG only ratios
# between backends mean anything.
. "$(dirname "$0")/../lib.sh"

RUNS=${BENCH_RUNS:-7}
now_ms() { date +%s%3N; }
ready=() stop=()
for ((i = 0; i < RUNS; i++)); do
	rm -f "$TMP/ready"
	t0=$(now_ms)
	"$SKBSCOPE" --no-tui --ready-file "$TMP/ready" --filter-dst-port 1 \
		>/dev/null 2>&1 &
	pid=$!
	while [ ! -e "$TMP/ready" ] && kill -0 "$pid" 2>/dev/null; do
		sleep 0.005
	done
	t1=$(now_ms)
	kill -INT "$pid"; wait "$pid"
	t2=$(now_ms)
	ready+=($((t1 - t0))) stop+=($((t2 - t1)))
done
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
r=$(median "${ready[@]}"); s=$(median "${stop[@]}")
echo "Start and stop, tracepoint backend, median of $RUNS runs"
printf '%-28s %6s ms   (runs: %s)\n' "exec to ready file" "$r" "${ready[*]}"
printf '%-28s %6s ms   (runs: %s)\n' "SIGINT to clean exit" "$s" "${stop[*]}"
echo "goal: ready in <= 300 ms"
echo "BENCH start_to_ready_ms $r ms"
echo "BENCH sigint_to_exit_ms $s ms"
