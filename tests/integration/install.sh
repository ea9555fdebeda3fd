#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make install and make uninstall with PREFIX and DESTDIR: the binary, the
# keymaps, the man page and both completions land where they should, the
# installed binary says the version of the tree (git describe, or the
# VERSION file), and uninstall removes every file it put there. Also the
# version's sources: a tree without .git reads VERSION.
# Runs without root.
. "$(dirname "$0")/../lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
dest=$TMP/dest
prefix=/opt/skbs

if [ "$(git -C "$top" rev-parse --show-toplevel 2>/dev/null)" = "$top" ]; then
	want=$(git -C "$top" describe --tags --always --dirty)
	src="git describe"
elif [ -f "$top/VERSION" ]; then
	want=$(cat "$top/VERSION")
	src="VERSION"
else
	want=unknown
	src="neither git nor VERSION"
fi
check "skbscope --version is '$want' ($src)" \
	test "$("$SKBSCOPE" --version)" = "skbscope $want"

if make -C "$top" -s install DESTDIR="$dest" PREFIX="$prefix" \
	>"$TMP/make.log" 2>&1; then
	ok "make install DESTDIR=... PREFIX=$prefix"
else
	not_ok "make install failed: $(tail -n5 "$TMP/make.log")"
fi
for f in bin/skbscope share/man/man8/skbscope.8 \
	share/bash-completion/completions/skbscope \
	share/zsh/site-functions/_skbscope \
	share/skbscope/keymaps/default.keys share/skbscope/keymaps/vim.keys \
	share/skbscope/keymaps/emacs.keys; do
	check "installed $prefix/$f" test -s "$dest$prefix/$f"
done
check "the installed binary is executable" test -x "$dest$prefix/bin/skbscope"
check "the installed binary says '$want'" \
	test "$("$dest$prefix/bin/skbscope" --version)" = "skbscope $want"
check "man reads the installed page" \
	sh -c "MANPAGER=cat man -l '$dest$prefix/share/man/man8/skbscope.8' | grep -q 'skbscope - show'"
# The completion finds the keymaps under PREFIX/share beside PREFIX/bin.
out=$(bash -c '. "$1"; COMP_WORDS=("$2" --keymap ""); COMP_CWORD=2
	_skbscope; printf "%s\n" "${COMPREPLY[@]}"' _ \
	"$dest$prefix/share/bash-completion/completions/skbscope" \
	"$dest$prefix/bin/skbscope" | grep -xE 'default|emacs|vim' | sort |
	tr '\n' ' ')
check "the installed completion offers the installed keymaps ($out)" \
	test "$out" = "default emacs vim "

if make -C "$top" -s uninstall DESTDIR="$dest" PREFIX="$prefix" \
	>"$TMP/make.log" 2>&1; then
	ok "make uninstall"
else
	not_ok "make uninstall failed: $(tail -n5 "$TMP/make.log")"
fi
left=$(find "$dest" -type f -o -type l)
check "uninstall leaves no file${left:+: $left}" test -z "$left"
check "uninstall removes share/skbscope" test ! -e "$dest$prefix/share/skbscope"

# Without .git, VERSION names the version (a tarball from make dist).
mkdir -p "$TMP/tree"
cp "$top/Makefile" "$TMP/tree/" && echo 9.8.7-test >"$TMP/tree/VERSION"
mkdir -p "$TMP/tree/scripts" "$TMP/tree/tests/fuzz" &&
	cp "$top/scripts/deps.sh" "$TMP/tree/scripts/" &&
	cp "$top/tests/fuzz/fuzz.mk" "$TMP/tree/tests/fuzz/"
if make -C "$TMP/tree" -s OUT="$TMP/tree/out" "$TMP/tree/out/version.h" \
	>"$TMP/make.log" 2>&1; then
	check "without .git, version.h takes VERSION" \
		grep -q '"9.8.7-test"' "$TMP/tree/out/version.h"
else
	not_ok "make version.h in a tree without .git: $(tail -n3 "$TMP/make.log")"
fi
finish
