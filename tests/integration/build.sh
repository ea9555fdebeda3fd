#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The build's one check for its tools (scripts/deps.sh --check, called by
# the Makefile): with clang, bpftool, pkg-config or a library's .pc
# missing, make stops before building anything and names the Debian
# packages and 'make deps'. Only make -n runs: nothing is built or
# installed, and goals that install the packages first are not stopped.
# Runs without root.
. "$(dirname "$0")/../lib.sh"
cd "$(dirname "$0")/../.." || exit 1
# Not the jobserver or flags of a make that runs this suite.
unset MAKEFLAGS MFLAGS MAKELEVEL

# path_without DIR NAME...: DIR gets a link to every command on $PATH but
# the NAMEs; prints DIR, to be the whole PATH.
path_without() {
	local dir=$1 d f n
	shift
	mkdir -p "$dir"
	IFS=: read -ra dirs <<<"$PATH"
	for d in "${dirs[@]}"; do
		for f in "$d"/*; do
			n=${f##*/}
			[ -x "$f" ] && [ ! -e "$dir/$n" ] || continue
			case " $* " in *" $n "*) continue ;; esac
			ln -s "$f" "$dir/$n"
		done
	done
	echo "$dir"
}

# pc_without DIR MODULE...: DIR holds every .pc pkg-config finds but the
# MODULEs; prints DIR, to be PKG_CONFIG_LIBDIR.
pc_without() {
	local dir=$1 d f n
	shift
	mkdir -p "$dir"
	IFS=: read -ra dirs <<<"$(pkg-config --variable pc_path pkg-config)"
	for d in "${dirs[@]}"; do
		for f in "$d"/*.pc; do
			[ -e "$f" ] || continue
			n=$(basename "$f" .pc)
			[ ! -e "$dir/$n.pc" ] || continue
			case " $* " in *" $n "*) continue ;; esac
			ln -s "$f" "$dir/$n.pc"
		done
	done
	echo "$dir"
}

# make_n NAME ENV... -- ARGS...: make -n under ENV; sets OUT_TEXT and RC.
make_n() {
	local envs=()
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	OUT_TEXT=$(env "${envs[@]}" make -n "$@" 2>&1)
	RC=$?
}

# expect_stop WHAT PACKAGE...: the last make -n stopped, named each
# PACKAGE and 'make deps', and did not get as far as running a tool.
expect_stop() {
	local what=$1 p bad=""
	shift
	[ "$RC" -ne 0 ] || bad="$bad exit 0;"
	for p in "$@"; do
		printf '%s\n' "$OUT_TEXT" | grep -q "Debian package $p)" ||
			bad="$bad no 'Debian package $p';"
		printf '%s\n' "$OUT_TEXT" | grep -q "missing Debian packages:.* $p\b" ||
			bad="$bad $p not in make's error;"
	done
	printf '%s\n' "$OUT_TEXT" | grep -q "'make deps' installs them" ||
		bad="$bad no 'make deps';"
	printf '%s\n' "$OUT_TEXT" | grep -qE ': (command )?not found$' &&
		bad="$bad a tool ran and was not found;"
	if [ -z "$bad" ]; then
		ok "$what: make stops naming $*"
	else
		not_ok "$what:$bad got:"
		printf '%s\n' "$OUT_TEXT" | head -n 20
	fi
}

expect_go() {
	if [ "$RC" -eq 0 ]; then
		ok "$1"
	else
		not_ok "$1: make -n exited $RC:"
		printf '%s\n' "$OUT_TEXT" | head -n 20
	fi
}

make_n -- all "${OUT:-build}/unit-tests"
expect_go "everything there: make -n all ${OUT:-build}/unit-tests goes on"

nobpf=$(path_without "$TMP/bin-nobpf" clang bpftool)
make_n PATH="$nobpf" -- all
expect_stop "no clang, no bpftool" clang bpftool

nostrip=$(path_without "$TMP/bin-nostrip" llvm-strip)
make_n PATH="$nostrip" -- all
expect_stop "no llvm-strip" llvm

nopc=$(path_without "$TMP/bin-nopc" pkg-config)
make_n PATH="$nopc" -- all
expect_stop "no pkg-config" pkg-config

make_n CLANG=clang-does-not-exist -- all
expect_stop "CLANG names a missing compiler" clang

noscdoc=$(path_without "$TMP/bin-noscdoc" scdoc)
make_n PATH="$noscdoc" -- all
expect_stop "no scdoc (the man page)" scdoc

# make static: the compiler finds no libpcap.a or libc.a (a CC that says
# so for those two, as gcc does for a file it lacks).
mkdir -p "$TMP/cc-noa"
cat >"$TMP/cc-noa/cc" <<'CC'
#!/bin/sh
case $1 in -print-file-name=libpcap.a | -print-file-name=libc.a)
	echo "${1#-print-file-name=}"; exit 0 ;;
esac
exec gcc "$@"
CC
chmod +x "$TMP/cc-noa/cc"
make_n CC="$TMP/cc-noa/cc" -- static
expect_stop "no libpcap.a, no libc.a: make static" libpcap-dev libc6-dev
make_n CC="$TMP/cc-noa/cc" -- all
expect_go "no static libraries: make all still builds"

nolibs=$(pc_without "$TMP/pc-nolibs" libbpf ncursesw)
make_n PKG_CONFIG_LIBDIR="$nolibs" -- all
expect_stop "no libbpf.pc, no ncursesw.pc" libbpf-dev libncurses-dev

nocmocka=$(pc_without "$TMP/pc-nocmocka" cmocka)
make_n PKG_CONFIG_LIBDIR="$nocmocka" -- "${OUT:-build}/unit-tests"
expect_stop "no cmocka.pc: the unit tests" libcmocka-dev
make_n PKG_CONFIG_LIBDIR="$nocmocka" -- all
expect_go "no cmocka.pc: the program alone still builds"

# These install the packages first, or build nothing: never stopped.
for goal in clean deps uninstall; do
	make_n PATH="$nobpf" -- "$goal"
	expect_go "no clang, no bpftool: make -n $goal goes on"
done

finish
