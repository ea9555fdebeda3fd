#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# initramfs.sh SUITE OUT SCRIPT: a small initramfs for the kernel of SUITE:
# busybox, the freshly built skbscope and its libraries, iptables (legacy:
# fewer modules than nftables) with its extensions, the modules they need,
# and SCRIPT, run by /init.
set -euo pipefail
suite=$1 out=$2 script=$3
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
skbscope=${SKBSCOPE:-$repo/skbscope}
root=$here/cache/$suite
kver=$(cat "$root/kver")
moddir=$root/lib/modules/$kver
work=$(mktemp -d /tmp/skbs-initrd.XXXXXX)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work"/{bin,sbin,lib,lib64,usr/lib,proc,sys,dev,tmp,run,mods,etc}
cp /bin/busybox "$work/bin/busybox"
cp "$skbscope" "$work/skbscope"
# SKBSCOPE_ALT: a second build as /skbscope-alt, for a before and after
# in one boot (tests/bench/vm-cost.sh).
alt=${SKBSCOPE_ALT:-}
[ -n "$alt" ] && cp "$alt" "$work/skbscope-alt"
gcc -O2 -static -o "$work/bin/udpsend" "$here/udpsend.c" 2>/dev/null ||
	gcc -O2 -o "$work/bin/udpsend" "$here/udpsend.c"
gcc -O2 -static -o "$work/bin/udpflood" "$repo/tests/bench/udpflood.c" 2>/dev/null ||
	gcc -O2 -o "$work/bin/udpflood" "$repo/tests/bench/udpflood.c"
# The tc and XDP programs --filter-trace-tc/-xdp are checked on, and
# their loader (libbpf's netlink: the guest has no iproute2).
clang -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu \
	-c "$here/tcxdp.bpf.c" -o "$work/tcxdp.bpf.o"
gcc -O2 -o "$work/bin/bpfload" "$here/bpfload.c" \
	$(pkg-config --cflags --libs libbpf)
cp "$script" "$work/test.sh"
cp "$here/guest-lib.sh" "$work/guest-lib.sh"
cp "$here/guest-bpfprog.sh" "$work/guest-bpfprog.sh"
cp "$here/guest-stackid.sh" "$work/guest-stackid.sh"
cp /usr/sbin/xtables-legacy-multi "$work/sbin/"
ln -s xtables-legacy-multi "$work/sbin/iptables"
mkdir -p "$work/usr/lib/x86_64-linux-gnu"
cp -r /usr/lib/x86_64-linux-gnu/xtables "$work/usr/lib/x86_64-linux-gnu/"

# Shared libraries of the binaries, at the paths the loader looks in.
libs() {
	ldd "$@" 2>/dev/null | awk '/=>/ { print $3 } /^\t\/lib/ { print $1 }'
}
for l in $(libs "$skbscope" ${alt:+"$alt"} "$work/bin/udpsend" "$work/bin/udpflood" \
		"$work/bin/bpfload" \
		/usr/sbin/xtables-legacy-multi \
		/usr/lib/x86_64-linux-gnu/xtables/libxt_udp.so \
		/usr/lib/x86_64-linux-gnu/xtables/libxt_standard.so | sort -u); do
	mkdir -p "$work$(dirname "$l")"
	cp -L "$l" "$work$l"
done

# Modules with their dependencies, in load order, decompressed (busybox
# insmod takes plain .ko).
want="x_tables ip_tables iptable_filter xt_tcpudp iptable_nat xt_nat veth sch_ingress cls_bpf"
order=$work/mods/order
: >"$order"
add_mod() {
	local path
	path=$(awk -F: -v m="$1" '{ n = $1; sub(/.*\//, "", n);
		sub(/\.ko(\.xz|\.zst|\.gz)?$/, "", n); if (n == m) print $1 }' \
		"$moddir/modules.dep" | head -n1)
	[ -n "$path" ] || return 0
	grep -qx "$path" "$order" && return 0
	for dep in $(grep "^$path:" "$moddir/modules.dep" | cut -d: -f2); do
		d=${dep##*/}; d=${d%%.ko*}
		add_mod "$d"
	done
	echo "$path" >>"$order"
}
for m in $want; do add_mod "$m"; done
while read -r path; do
	name=${path##*/}; base=${name%%.ko*}
	case $name in
	*.xz) xz -dc "$moddir/$path" >"$work/mods/$base.ko" ;;
	*.zst) zstd -dqc "$moddir/$path" >"$work/mods/$base.ko" ;;
	*.gz) gzip -dc "$moddir/$path" >"$work/mods/$base.ko" ;;
	*) cp "$moddir/$path" "$work/mods/$base.ko" ;;
	esac
	echo "$base" >>"$work/mods/list"
done <"$order"

cp "$here/init" "$work/init"
chmod +x "$work/init" "$work/test.sh"
(cd "$work" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
