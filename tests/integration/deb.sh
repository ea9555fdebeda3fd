#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The Debian package, built and used as an operator would: dpkg-buildpackage
# -b in a copy of the tree (git's files, tracked and untracked, with a
# VERSION file instead of .git, as in a tarball), lintian with no error,
# Depends on runtime libraries only, then dpkg -i, --version, man, the
# installed completion, a replay of a recorded fixture, and dpkg --purge
# leaving none of the package's files. The package is purged on any exit.
. "$(dirname "$0")/../lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
installed_here=0

deb_cleanup() {
	[ "$installed_here" = 1 ] && dpkg --purge skbscope >/dev/null 2>&1
	cleanup
}
trap deb_cleanup EXIT

need() {
	command -v "$1" >/dev/null && return 0
	not_ok "$1 is missing (Debian package $2; make deps installs it)"
	finish
	exit 1
}
need dpkg-buildpackage dpkg-dev
need dh debhelper
need lintian lintian
need man man-db

if dpkg-query -W -f='${Status}' skbscope 2>/dev/null | grep -q 'ok installed'; then
	not_ok "a skbscope package is installed already; this test will not replace it"
	finish
	exit 1
fi

version=$("$SKBSCOPE" --version | sed -n 's/^skbscope //p')
src=$TMP/src
mkdir -p "$src"
if git -C "$top" rev-parse --show-toplevel >/dev/null 2>&1; then
	(cd "$top" && git ls-files -co --exclude-standard) >"$TMP/files"
else
	(cd "$top" && find . -path ./.git -prune -o -path './build*' -prune \
		-o -path ./tests/vm/cache -prune -o -type f -print) >"$TMP/files"
fi
(cd "$top" && tar -cf - -T "$TMP/files") | tar -xf - -C "$src"
echo "$version" >"$src/VERSION"

t0=$(date +%s)
if (cd "$src" && DEB_BUILD_OPTIONS=parallel=2 dpkg-buildpackage -b -us -uc \
	>"$TMP/build.log" 2>&1); then
	ok "dpkg-buildpackage -b -us -uc ($(($(date +%s) - t0)) s)"
else
	not_ok "dpkg-buildpackage failed:"
	tail -n 30 "$TMP/build.log" | sed 's/^/     /'
	finish
	exit 1
fi
deb=$(ls "$TMP"/skbscope_*.deb 2>/dev/null | head -n1)
check "skbscope_*.deb was built" test -f "$deb"

lintian --no-tag-display-limit -I "$TMP"/skbscope_*.changes >"$TMP/lintian" 2>&1
errors=$(grep -c '^E:' "$TMP/lintian")
if [ "$errors" -eq 0 ]; then
	ok "lintian: no errors ($(grep -c '^W:' "$TMP/lintian") warnings)"
else
	not_ok "lintian: $errors errors"
fi
grep -E '^[EWI]:' "$TMP/lintian" | sed 's/^/     /'

deps=$(dpkg-deb -f "$deb" Depends)
# Runtime library packages: lib*, and zlib's, which Debian names zlib1g.
bad=$(echo "$deps" | tr ',' '\n' | sed 's/^ *//; s/ .*//' | grep -vE '^(lib|zlib1g$)')
if [ -n "$deps" ] && [ -z "$bad" ]; then
	ok "Depends names runtime libraries only: $deps"
else
	not_ok "Depends names more than libraries: $bad"
fi

if dpkg -i "$deb" >"$TMP/dpkg.log" 2>&1; then
	installed_here=1
	ok "dpkg -i $(basename "$deb")"
else
	not_ok "dpkg -i failed: $(tail -n3 "$TMP/dpkg.log")"
	finish
	exit 1
fi
dpkg -L skbscope >"$TMP/list"

out=$(/usr/bin/skbscope --version)
check "installed skbscope --version says '$version'" \
	test "$out" = "skbscope $version"
out=$(MANPAGER=cat man skbscope 2>&1 | head -n 5)
check "man skbscope shows the page" \
	grep -q 'skbscope - show where packets go' <<<"$out"
out=$(bash -c '. /usr/share/bash-completion/completions/skbscope
	COMP_WORDS=(skbscope --backe); COMP_CWORD=1; _skbscope
	echo "${COMPREPLY[*]}"')
check "the installed bash completion completes --backe" \
	test "$out" = "--backend"
out=$(/usr/bin/skbscope --replay "$top/tests/tui/tree.rec" --no-tui 2>&1)
check "the installed skbscope replays tests/tui/tree.rec" \
	grep -q '36 events replayed' <<<"$out"
check "the replay prints the recorded hops" \
	grep -q 'udp4_hwcsum' <<<"$out"

if dpkg --purge skbscope >"$TMP/dpkg.log" 2>&1; then
	installed_here=0
	ok "dpkg --purge skbscope"
else
	not_ok "dpkg --purge failed: $(tail -n3 "$TMP/dpkg.log")"
fi
left=""
while read -r f; do
	# Shared directories (/usr, /usr/share/man/man8) stay for others.
	if [ -d "$f" ]; then
		case $f in */skbscope | */skbscope/*) left="$left $f" ;; esac
	elif [ -e "$f" ] || [ -L "$f" ]; then
		left="$left $f"
	fi
done <"$TMP/list"
check "nothing of the package is left after purge (of $(wc -l <"$TMP/list") paths)${left:+:$left}" \
	test -z "$left"
check "dpkg no longer knows skbscope" \
	sh -c '! dpkg-query -W -f="\${Status}" skbscope 2>/dev/null | grep -q installed'
finish
