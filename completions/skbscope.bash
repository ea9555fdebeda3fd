# SPDX-License-Identifier: GPL-2.0
# bash completion for skbscope(8). The flags are read from the binary's own
# --help (once per binary), so a new flag completes without a change here;
# values: backends, timestamp modes, protocols, keymap names (the .keys
# files installed beside the binary, or in a source tree), network
# namespaces under /var/run/netns, interfaces, loaded modules, and file
# paths for the flags that take one. Needs only bash (no bash-completion
# helpers), so a copied binary with this one file completes too.

_skbscope_bin() {
	local b=${1:-skbscope}
	b=$(command -v -- "$b" 2>/dev/null) || b=$(command -v skbscope 2>/dev/null)
	printf '%s' "$b"
}

# The --flags of `BIN --help`, one per line.
_skbscope_flags() {
	local bin=$1
	if [ "$bin" != "${_skbscope_flags_bin-}" ]; then
		_skbscope_flags_bin=$bin
		_skbscope_flags_list=$("$bin" --help 2>/dev/null |
			sed -n 's/^ *\(-h, \)\{0,1\}\(--[a-z0-9-]*\).*/\2/p')
	fi
	printf '%s\n' "$_skbscope_flags_list"
}

# Keymap names: *.keys beside the binary (PREFIX/share/skbscope/keymaps
# for PREFIX/bin/skbscope, keymaps/ in a source tree), or the built-in ones.
_skbscope_keymaps() {
	local bin=$1 d f names=""
	d=$(dirname -- "$bin" 2>/dev/null)
	for f in "$d"/../share/skbscope/keymaps/*.keys "$d"/keymaps/*.keys \
		/usr/share/skbscope/keymaps/*.keys; do
		[ -f "$f" ] || continue
		f=${f##*/}
		names="$names ${f%.keys}"
	done
	[ -n "$names" ] || names="default vim emacs"
	printf '%s\n' $names | sort -u
}

_skbscope_names() {
	local f
	for f in "$1"/*; do
		[ -e "$f" ] && printf '%s\n' "${f##*/}"
	done
}

_skbscope() {
	local cur=${COMP_WORDS[COMP_CWORD]}
	local prev=""
	local bin words
	[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}
	bin=$(_skbscope_bin "${COMP_WORDS[0]}")
	COMPREPLY=()
	case $prev in
	--backend)
		words="auto kprobe-multi kprobe fentry tracepoint" ;;
	--timestamp)
		words="none current relative absolute" ;;
	--filter-proto)
		words="tcp udp icmp icmp6" ;;
	--keymap)
		words=$(_skbscope_keymaps "$bin")
		mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur"
			compgen -f -- "$cur")
		return 0 ;;
	--filter-netns)
		words=$(_skbscope_names /var/run/netns) ;;
	--filter-ifname)
		words=$(_skbscope_names /sys/class/net) ;;
	--kmods)
		words=$(cut -d' ' -f1 /proc/modules 2>/dev/null) ;;
	--output-file | --output-pcap | --record | --replay | --ready-file)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return 0 ;;
	--filter-src-ip | --filter-dst-ip | --filter-src-port | \
		--filter-dst-port | --filter-mark | --filter-func | \
		--exclude-func | --snaplen | --output-limit-lines | \
		--max-packets | --ringbuf-size)
		return 0 ;;
	*)
		if [[ $cur == -* ]]; then
			words=$(_skbscope_flags "$bin")
		else
			return 0
		fi ;;
	esac
	mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
	return 0
}
complete -F _skbscope skbscope skbscope-static
