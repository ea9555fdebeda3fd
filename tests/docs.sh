#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# One list of flags: the man page's source (docs/skbscope.8.scd, an entry
# "*--flag* ..." per flag), `skbscope --help` and the README's flag table
# ("## Flags") must name the same --flags. Each flag missing from one of
# them is a failure that says where it is and where it is not. Also: the
# man page builds and man(1) reads it. Runs without root.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
SCD=docs/skbscope.8.scd

# The flags of each source, one per line, sorted.
man_flags() {
	sed -n '/^# OPTIONS/,/^# [A-Z]/p' "$SCD" | grep -E '^\*-' |
		grep -oE -- '--[a-z0-9][a-z0-9-]*' | sort -u
}
help_flags() {
	"$SKBSCOPE" --help | grep -E '^ +(-[a-z], )?--' |
		sed -E 's/^ +(-[a-z], )?//' | grep -oE -- '^--[a-z0-9][a-z0-9-]*' |
		sort -u
}
readme_flags() {
	sed -n '/^## Flags/,/^## /p' README.md | grep -E '^\| *`-' |
		cut -d'|' -f2 | grep -oE -- '--[a-z0-9][a-z0-9-]*' | sort -u
}

man_flags >"$TMP/man"
help_flags >"$TMP/help"
readme_flags >"$TMP/readme"
for s in man help readme; do
	n=$(wc -l <"$TMP/$s")
	if [ "$n" -ge 10 ]; then
		ok "$s: $n flags found"
	else
		not_ok "$s: only $n flags found (is the format still the same?)"
	fi
done

declare -A where=([man]="the man page ($SCD)" [help]="skbscope --help"
	[readme]="README.md's flag table")
sort -u "$TMP/man" "$TMP/help" "$TMP/readme" >"$TMP/all"
missing=0
while read -r flag; do
	in="" out=""
	for s in man help readme; do
		if grep -qxF -- "$flag" "$TMP/$s"; then
			in="$in, ${where[$s]}"
		else
			out="$out, ${where[$s]}"
		fi
	done
	if [ -n "$out" ]; then
		not_ok "$flag is in ${in#, } but not in ${out#, }"
		missing=$((missing + 1))
	fi
done <"$TMP/all"
[ "$missing" -eq 0 ] &&
	ok "all $(wc -l <"$TMP/all") flags are in the man page, --help and the README"

# The page itself: built from the source by make, and readable.
if [ -f skbscope.8 ] && [ ! skbscope.8 -ot "$SCD" ]; then
	ok "skbscope.8 is built from $SCD"
else
	not_ok "skbscope.8 is missing or older than $SCD (make builds it)"
fi
out=$(MANWIDTH=80 man --warnings -l skbscope.8 2>"$TMP/manerr")
check "man ./skbscope.8 shows NAME and OPTIONS" \
	grep -q 'OPTIONS' <<<"$out"
if [ -s "$TMP/manerr" ]; then
	not_ok "man warns: $(head -n3 "$TMP/manerr")"
else
	ok "man reads it without a warning"
fi
finish
