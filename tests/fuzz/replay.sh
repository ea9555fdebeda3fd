#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The fuzz targets built against today's code and run once over their
# checked-in corpus (no new inputs): every past finding and seed still
# passes, and an API change cannot leave the fuzzers unbuildable. One
# check per target, then "N passed, N failed". `make fuzz` is the real run.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh

OUT=${OUT:-build}
FUZZ_OUT=$OUT/fuzz
if ! make -s --no-print-directory OUT="$OUT" fuzz-build >"$TMP/build.log" 2>&1; then
	not_ok "the fuzz targets build: $(grep -m1 -E 'error' "$TMP/build.log")"
	finish
	exit
fi
ok "the fuzz targets build"
netless=()
unshare -n true 2>/dev/null && netless=(unshare -n)
for bin in "$FUZZ_OUT"/fuzz_*; do
	t=${bin##*/fuzz_}
	[ -d "tests/fuzz/corpus/$t" ] || { not_ok "$t: no corpus"; continue; }
	if [ "$t" = filter ] && [ ${#netless[@]} -eq 0 ]; then
		echo "skip $t: needs a network namespace (root) to keep libpcap's host lookups off the wire"
		continue
	fi
	n=$(find "tests/fuzz/corpus/$t" -type f | wc -l)
	if "${netless[@]}" "$bin" -runs=0 -timeout=10 -rss_limit_mb=2048 \
		"tests/fuzz/corpus/$t" >"$TMP/$t.log" 2>&1; then
		ok "$t: its $n corpus inputs pass"
	else
		not_ok "$t: $(grep -m1 -E 'ERROR|SUMMARY|Test unit written' "$TMP/$t.log")"
	fi
done
finish
