#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The shell completions, driven as the shells drive them: bash's function
# called with COMP_WORDS/COMP_CWORD set, COMPREPLY read back; zsh's with
# words/CURRENT set and compadd/_files standing in for the completion
# system's builtins. A flag prefix, --backend values, --keymap names,
# --filter-netns names (a namespace made here), --filter-ifname devices
# and --output-file paths. Root: it makes a network namespace.
. "$(dirname "$0")/../lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
BASHCOMP=$top/completions/skbscope.bash
ZSHCOMP=$top/completions/_skbscope
NS=skbscomp$$
ip netns add "$NS" && NETNS_LIST="$NS"
mkdir -p "$TMP/files" && : >"$TMP/files/trace-one.json" &&
	: >"$TMP/files/trace-two.json"

# bash_complete WORD...: COMPREPLY, one per line, for the command line
# "skbscope WORD..." with the cursor at the end of the last word.
bash_complete() {
	bash -c '
		. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_skbscope
		printf "%s\n" "${COMPREPLY[@]}"' _ "$BASHCOMP" "$SKBSCOPE" "$@"
}

# has LIST WORD...: each WORD is a line of LIST.
has() {
	local list=$1 w
	shift
	for w in "$@"; do
		printf '%s\n' "$list" | grep -qxF -- "$w" || return 1
	done
}
# only LIST WORD...: LIST is exactly the WORDs (any order).
only() {
	local list=$1
	shift
	[ "$(printf '%s\n' "$list" | sed '/^$/d' | sort)" = \
		"$(printf '%s\n' "$@" | sort)" ]
}

expect() {
	local name=$1 got=$2
	shift 2
	if "$@"; then
		ok "$name"
	else
		not_ok "$name: got $(printf '%s' "$got" | tr '\n' ' ')"
	fi
}

r=$(bash_complete --filter-src)
expect "bash: --filter-src completes to the source filters" "$r" \
	only "$r" --filter-src-ip --filter-src-port
r=$(bash_complete --ver)
expect "bash: --ver completes to --version" "$r" only "$r" --version
r=$(bash_complete --)
n=$("$SKBSCOPE" --help | grep -cE '^ *(-h, )?--[a-z]')
expect "bash: -- offers every flag of --help ($n)" "$r" \
	test "$(printf '%s\n' "$r" | sed '/^$/d' | wc -l)" -eq "$n"
r=$(bash_complete --backend '')
expect "bash: --backend offers the five backends" "$r" \
	only "$r" auto kprobe-multi kprobe fentry tracepoint
r=$(bash_complete --backend kp)
expect "bash: --backend kp" "$r" only "$r" kprobe-multi kprobe
r=$(bash_complete --keymap '')
expect "bash: --keymap offers the keymaps beside the binary" "$r" \
	has "$r" default vim emacs
r=$(bash_complete --keymap v)
expect "bash: --keymap v" "$r" has "$r" vim
r=$(bash_complete --no-tui --filter-netns skbscomp)
expect "bash: --filter-netns offers the namespace $NS" "$r" has "$r" "$NS"
r=$(bash_complete --filter-ifname l)
expect "bash: --filter-ifname l offers lo" "$r" has "$r" lo
r=$(bash_complete --output-file "$TMP/files/trace-")
expect "bash: --output-file completes paths" "$r" \
	only "$r" "$TMP/files/trace-one.json" "$TMP/files/trace-two.json"
r=$(bash_complete --replay "$TMP/fi")
expect "bash: --replay completes paths" "$r" only "$r" "$TMP/files"
r=$(bash_complete --filter-dst-port '')
expect "bash: --filter-dst-port offers nothing" "$r" only "$r"

# zsh: the function with the completion system's builtins mocked, each
# printing what it would offer.
zsh_complete() {
	zsh -f -c '
		compadd() { [[ $1 == -- ]] && shift; print -l -- "$@"; }
		_files() { print -l -- ${PREFIX}*(N); }
		compdef() { :; }
		source "$1"; shift
		words=("$@"); CURRENT=$#; PREFIX=${words[CURRENT]}
		_skbscope' _ "$ZSHCOMP" "$SKBSCOPE" "$@" |
		awk -v p="${!#}" 'index($0, p) == 1'
}
if command -v zsh >/dev/null; then
	check "zsh: the file parses" zsh -n "$ZSHCOMP"
	r=$(zsh_complete --filter-src)
	expect "zsh: --filter-src completes to the source filters" "$r" \
		only "$r" --filter-src-ip --filter-src-port
	r=$(zsh_complete --backend kp)
	expect "zsh: --backend kp" "$r" only "$r" kprobe-multi kprobe
	r=$(zsh_complete --keymap e)
	expect "zsh: --keymap e offers emacs" "$r" has "$r" emacs
	r=$(zsh_complete --filter-netns skbscomp)
	expect "zsh: --filter-netns offers $NS" "$r" has "$r" "$NS"
	r=$(zsh_complete --filter-ifname l)
	expect "zsh: --filter-ifname l offers lo" "$r" has "$r" lo
	r=$(zsh_complete --output-file "$TMP/files/trace-")
	expect "zsh: --output-file completes paths" "$r" \
		only "$r" "$TMP/files/trace-one.json" "$TMP/files/trace-two.json"
else
	not_ok "zsh is not installed (Debian package zsh; make deps installs it)"
fi
finish
