#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs each libFuzzer target named on the command line for FUZZ_SECONDS,
# then merges what it found that adds coverage into its checked-in corpus.
# Prints "TARGET: N execs, no finding", or fails naming the crash file.
set -u

out=${FUZZ_OUT:-build/fuzz}
secs=${FUZZ_SECONDS:-60}
corpus=tests/fuzz/corpus
# The filter bar hands unknown words to libpcap, which resolves host names:
# a namespace with no network keeps those lookups off the wire.
netless=()
if unshare -n true 2>/dev/null; then
	netless=(unshare -n)
else
	echo "fuzz: cannot unshare a network namespace (not root?): skipping" \
	     "filter, whose host names would reach the resolver" >&2
fi

failed=0
for t in "$@"; do
	bin=$out/fuzz_$t
	work=$out/work/$t
	log=$out/$t.log
	if [ "$t" = filter ] && [ ${#netless[@]} -eq 0 ]; then
		continue
	fi
	rm -rf "$work"
	mkdir -p "$work" "$corpus/$t" "$out/crashes"
	dict=()
	[ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
	# New inputs go to the scratch directory (the first one); the
	# checked-in corpus is only read, then merged into below.
	"${netless[@]}" "$bin" -max_total_time="$secs" -print_final_stats=1 \
		-timeout=10 -rss_limit_mb=2048 "${dict[@]}" \
		-artifact_prefix="$out/crashes/$t-" "$work" "$corpus/$t" \
		>"$log" 2>&1
	rc=$?
	crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
	if [ $rc -ne 0 ] || [ -n "$crash" ]; then
		echo "$t: FINDING (exit $rc): ${crash:-see $log}"
		grep -m3 'ERROR:\|runtime error\|cbpf twin says' "$log" | sed 's/^/    /'
		failed=1
		continue
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	"${netless[@]}" "$bin" -merge=1 "$corpus/$t" "$work" >"$log.merge" 2>&1 || {
		echo "$t: merge failed, see $log.merge"
		failed=1
		continue
	}
	added=$(sed -n 's/.*MERGE-OUTER: \([0-9]*\) new files.*/\1/p' \
		"$log.merge" | tail -1)
	echo "$t: ${execs:-?} execs, no finding" \
	     "(${added:-0} inputs merged into $corpus/$t)"
done
exit $failed
