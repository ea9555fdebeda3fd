#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The C sources and headers against .clang-format (kernel style), with
# clang-format --dry-run -Werror: one line per file, then "N passed, N
# failed". scripts/format-check.sh FILE... checks those files; with none,
# every .c and .h that git tracks. CLANG_FORMAT names the binary (Debian 12's
# clang-format is 14, the version .clang-format was tuned with);
# FORMAT_DIFF=1 shows each failing file's diff. clang-format -i FILE fixes
# one.
top=$(cd "$(dirname "$0")/.." && pwd) || exit 1
CLANG_FORMAT=${CLANG_FORMAT:-clang-format}

if ! command -v "$CLANG_FORMAT" >/dev/null 2>&1; then
	CLANG_FORMAT=$CLANG_FORMAT "$top/scripts/deps.sh" --check format \
		>/dev/null
	echo "0 passed, 1 failed"
	exit 1
fi

if [ $# -eq 0 ]; then
	cd "$top" || exit 1
	# Outside a git checkout (or one git refuses: another user's), the
	# same files by name, without the build trees.
	files=$(git ls-files '*.c' '*.h' 2>/dev/null) ||
		files=$(find . -path ./.git -prune -o -path './build*' -prune \
			-o -path ./tests/vm/cache -prune -o -name '*.[ch]' \
			-print | sed 's|^\./||' | sort)
	# shellcheck disable=SC2086
	set -- $files
	if [ $# -eq 0 ]; then
		echo "no .c or .h files found under $top"
		echo "0 passed, 1 failed"
		exit 1
	fi
fi
echo "$("$CLANG_FORMAT" --version)"

pass=0
fail=0
for f in "$@"; do
	if [ ! -f "$f" ]; then
		echo "FAIL $f: no such file"
		fail=$((fail + 1))
		continue
	fi
	out=$("$CLANG_FORMAT" --dry-run -Werror --style=file "$f" 2>&1)
	if [ $? -eq 0 ] && [ -z "$out" ]; then
		echo "ok   $f"
		pass=$((pass + 1))
		continue
	fi
	fail=$((fail + 1))
	n=$(printf '%s\n' "$out" | grep -c 'clang-format-violations')
	first=$(printf '%s\n' "$out" | grep -m1 -oE "^[^:]+:[0-9]+" |
		sed 's/.*://')
	if [ "$n" -gt 0 ]; then
		echo "FAIL $f: $n places differ from .clang-format, the" \
			"first at line $first (clang-format -i $f)"
	else
		echo "FAIL $f: clang-format failed:"
		printf '%s\n' "$out" | head -n 5
	fi
	if [ "${FORMAT_DIFF:-0}" = 1 ]; then
		"$CLANG_FORMAT" --style=file "$f" | diff -u "$f" -
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
