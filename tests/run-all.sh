#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs every test suite and ends with the combined "N passed, N failed"
# (", N skipped" when any). Suites print their own "N passed, N failed"
# line, perhaps with ", N skipped"; a suite that dies without one counts as
# one failure. Without root, the integration suites that need it are
# skipped, each counted once; a suite with the line "# Runs without root."
# runs all the same.
cd "$(dirname "$0")/.." || exit 1
total_pass=0
total_fail=0
total_skip=0

run_suite() {
	name=$1; shift
	echo "=== $name"
	log=$(mktemp)
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n1)
	rm -f "$log"
	if [ -z "$line" ]; then
		echo "suite $name ended (status $rc) without a result line"
		total_fail=$((total_fail + 1))
		return
	fi
	p=${line%% passed*}; f=${line#*passed, }; f=${f%% failed*}
	sk=0
	case $line in *" skipped"*) sk=${line#*failed, }; sk=${sk%% skipped*} ;; esac
	total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
	total_skip=$((total_skip + sk))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "suite $name exited $rc with no failed check"
		total_fail=$((total_fail + 1))
	fi
}

OUT=${OUT:-build}
# Under `make SANITIZE=1 test` every process writes its sanitizer reports
# to one directory (writable by all: a replay runs as nobody); any report
# at all fails the run.
if [ "${SANITIZE:-}" = 1 ]; then
	SANLOG=$(mktemp -d /tmp/skbscope-san.XXXXXX)
	chmod 1777 "$SANLOG"
	export ASAN_OPTIONS="log_path=$SANLOG/asan:detect_leaks=1:abort_on_error=0"
	export UBSAN_OPTIONS="log_path=$SANLOG/ubsan:print_stacktrace=1:halt_on_error=0"
	# Leaks inside libraries we link, each explained in the file.
	export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
	echo "sanitizer reports go to $SANLOG"
fi

run_suite unit "$OUT/unit-tests"
# The C sources against .clang-format (kernel style), one line per file.
run_suite format scripts/format-check.sh
# Which folder may include which (docs/ARCHITECTURE.md).
run_suite layout tests/layout.sh
# One list of flags: the man page's source, --help and the README agree.
run_suite docs tests/docs.sh
# deploy/'s DaemonSet parses and holds what skbscope needs on a node.
run_suite deploy tests/deploy.sh
# The fuzz targets still build and pass their corpus (make fuzz runs them).
run_suite fuzz-corpus tests/fuzz/replay.sh
skipped=""
for t in tests/integration/*.sh; do
	if [ "$(id -u)" -ne 0 ] && ! grep -qx '# Runs without root.' "$t"; then
		skipped="$skipped $(basename "$t" .sh)"
		total_skip=$((total_skip + 1))
		continue
	fi
	run_suite "$(basename "$t" .sh)" "$t"
done
if [ -n "$skipped" ]; then
	echo "=== skipped:$skipped"
	echo "these suites need root (namespaces, BPF): run 'sudo make test'"
fi
# The kernel matrix boots Debian's kernels under qemu: kprobe, kprobe-multi
# and fentry cannot run on the host kernel (see shared/docs/TESTING.md).
run_suite vm-matrix tests/vm/matrix.sh
# skbscope-static in a guest whose image holds no shared library.
if [ "${SANITIZE:-}" = 1 ]; then
	echo "=== vm-static skipped: AddressSanitizer cannot link a static binary"
	total_skip=$((total_skip + 1))
else
	run_suite vm-static tests/vm/static.sh
fi
# nftrace where the kernel differs: 5.10 has no table owner flag.
run_suite vm-nftrace tests/explain/vm.sh
if [ -n "${SANLOG:-}" ]; then
	echo "=== sanitizer reports"
	n=0
	for f in "$SANLOG"/*; do
		[ -e "$f" ] || continue
		n=$((n + 1))
		echo "--- $f"; head -n 40 "$f"
	done
	echo "$n sanitizer reports"
	total_fail=$((total_fail + n))
	[ "$n" -eq 0 ] && rm -rf "$SANLOG"
fi
echo "=== all suites"
summary="$total_pass passed, $total_fail failed"
[ "$total_skip" -eq 0 ] || summary="$summary, $total_skip skipped"
echo "$summary"
[ "$total_fail" -eq 0 ]
