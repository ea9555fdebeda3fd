#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages skbscope needs to build, run and test, when
# any is missing. Uses sudo when not root. Set SKBSCOPE_DEPS=build to skip
# the packages only the tests use.
set -eu

BUILD="clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libncurses-dev \
libbsd-dev libpcap-dev libmnl-dev libnftnl-dev libnftables-dev pkg-config make \
gcc"
TEST="iproute2 iptables python3 tmux bpftrace jq tshark busybox-static \
qemu-system-x86 cpio kmod procps util-linux valgrind linux-perf nftables \
libcmocka-dev"

SHOTS="xvfb xterm imagemagick fonts-dejavu-core tmux"

want="$BUILD"
case ${SKBSCOPE_DEPS:-all} in
build) ;;
screenshots) want="$want $SHOTS" ;;
*) want="$want $TEST" ;;
esac

missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
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
