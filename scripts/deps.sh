#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The Debian packages skbscope needs to build, run and test, in one table.
#   scripts/deps.sh            installs any that are missing (with sudo when
#                              not root). SKBSCOPE_DEPS=build: only those the
#                              build needs; =screenshots: the build's and the
#                              screenshot tools.
#   scripts/deps.sh --check NEED...
#                              looks for what the packages tagged NEED
#                              (build, static, unit, format) provide, as the
#                              Makefile
#                              does before it builds: each missing tool goes
#                              to stderr with its package, the packages to
#                              stdout, and the status is 1. A command the
#                              Makefile names in a variable (CLANG=clang-16)
#                              is looked for under that name.
set -eu

# package        for          what shows it is there: cmd:VAR=default is
#                             the command in $VAR (default when unset),
#                             pc:MODULE a pkg-config module, a:LIB.a a
#                             static library the compiler finds, - nothing
PACKAGES='
clang            build        cmd:CLANG=clang
llvm             build        cmd:LLVM_STRIP=llvm-strip
bpftool          build        cmd:BPFTOOL=bpftool
pkg-config       build        cmd:PKG_CONFIG=pkg-config
gcc              build        cmd:CC=gcc
make             build        -
libbpf-dev       build        pc:libbpf
libelf-dev       build        pc:libelf
zlib1g-dev       build        pc:zlib
libncurses-dev   build        pc:ncursesw
libbsd-dev       build        pc:libbsd-overlay
libpcap-dev      build        pc:libpcap
libmnl-dev       build        pc:libmnl
libnftnl-dev     build        pc:libnftnl
libnftables-dev  build        pc:libnftables
scdoc            build        cmd:SCDOC=scdoc
libbpf-dev       static       a:libbpf.a
libelf-dev       static       a:libelf.a
zlib1g-dev       static       a:libz.a
libncurses-dev   static       a:libncursesw.a
libncurses-dev   static       a:libtinfo.a
libpcap-dev      static       a:libpcap.a
libbsd-dev       static       a:libbsd.a
libmd-dev        static       a:libmd.a
libc6-dev        static       a:libc.a
libcmocka-dev    test,unit    pc:cmocka
clang-format     test,format  cmd:CLANG_FORMAT=clang-format
iproute2         test         -
iptables         test         -
python3          test         -
tmux             test,shots   -
bpftrace         test         -
jq               test         -
tshark           test         -
busybox-static   test         -
qemu-system-x86  test         -
cpio             test         -
kmod             test         -
procps           test         -
util-linux       test         -
valgrind         test         -
linux-perf       test         -
nftables         test         -
libcap2-bin      test         -
libclang-rt-14-dev test       -
dpkg-dev         test         -
debhelper        test         -
lintian          test         -
man-db           test         -
zsh              test         -
python3-yaml     test         -
xvfb             shots        -
xterm            shots        -
imagemagick      shots        -
fonts-dejavu-core shots       -
'

# rows NEED...: the table's rows tagged with any NEED, as "package probe".
rows() {
	echo "$PACKAGES" | while read -r pkg tags probe; do
		[ -n "$pkg" ] || continue
		for need in "$@"; do
			case ",$tags," in
			*,"$need",*) echo "$pkg $probe"; break ;;
			esac
		done
	done
}

installed() {
	case $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) in
	*"ok installed") return 0 ;;
	esac
	return 1
}

# check NEED...: the probes, not dpkg, decide: a libbpf built from source
# or CLANG=clang-16 counts as there.
check() {
	needs="$*"
	pc=${PKG_CONFIG:-pkg-config}
	have_pc=0
	command -v "${pc%% *}" >/dev/null 2>&1 && have_pc=1
	missing="" why=""
	nl='
'
	# Builtins only: this runs on machines that may lack anything.
	while read -r pkg probe; do
		case $probe in
		cmd:*)
			var=${probe#cmd:}; dflt=${var#*=}; var=${var%%=*}
			eval "cmd=\${$var:-$dflt}"
			# shellcheck disable=SC2154
			cmd=${cmd%% *}
			command -v "$cmd" >/dev/null 2>&1 && continue
			what="$cmd: command not found"
			;;
		a:*)
			lib=${probe#a:}
			# The compiler prints the name back when it has no such file.
			case $(${CC:-gcc} -print-file-name="$lib" 2>/dev/null) in
			/*) continue ;;
			esac
			what="$lib: no static library"
			;;
		pc:*)
			mod=${probe#pc:}
			if [ "$have_pc" = 1 ]; then
				$pc --exists "$mod" 2>/dev/null && continue
				what="$mod.pc: pkg-config cannot find it"
			else
				installed "$pkg" && continue
				what="$mod.pc: not installed"
			fi
			;;
		*) continue ;;
		esac
		case " $missing " in *" $pkg "*) ;; *) missing="$missing $pkg" ;; esac
		why="$why$nl  $what (Debian package $pkg)"
	done <<-EOF
	$(rows "$@")
	EOF
	[ -z "$missing" ] && return 0
	echo "skbscope: missing (needed for: $needs):$why" >&2
	echo "'make deps' (scripts/deps.sh) installs them:" \
		"apt-get install$missing" >&2
	echo "$missing"
	return 1
}

if [ "${1:-}" = --check ]; then
	shift
	check "$@"
	exit
fi

case ${SKBSCOPE_DEPS:-all} in
build) want=$(rows build) ;;
screenshots) want=$(rows build shots) ;;
*) want=$(rows build static test) ;;
esac

missing=""
while read -r p _; do
	installed "$p" || missing="$missing $p"
done <<EOF
$want
EOF
[ -z "$missing" ] && exit 0

echo "skbscope: installing missing packages:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; the answer does not
# matter here, and the question must not block a non-interactive run.
echo "wireshark-common wireshark-common/install-setuid boolean false" |
	$SUDO debconf-set-selections 2>/dev/null || true
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
