#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vm.sh [SUITE...]: nftrace on Debian's older kernels under qemu (default:
# bullseye 5.10, bookworm 6.1, trixie 6.12). 5.10 has no table owner flag:
# nftrace must refuse, say why and leave no table. The others must name
# the rule (handle checked against nft -a in the guest) and lose the table
# on exit and on SIGKILL.
#
# The guest is tests/vm/initramfs.sh's, with a second archive appended
# (the kernel unpacks both): the driver, nft, their libraries and the
# nf_tables modules, whose /mods/list replaces the first one's.
. "$(dirname "$0")/../lib.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VM=$ROOT/tests/vm
OUT=${OUT:-build}
DRV=$ROOT/$OUT/nftrace-test
make -s --no-print-directory -C "$ROOT" all "$OUT/nftrace-test" >/dev/null ||
	{ not_ok "build"; finish; exit; }
suites=${*:-bullseye bookworm trixie}

cat >"$TMP/guest.sh" <<'GUEST'
. /guest-lib.sh
kv=$(uname -r)
nft add table ip f
nft add chain ip f out '{ type filter hook output priority 0; policy accept; }'
nft add rule ip f out udp dport 7001 drop
/nftrace-test filter proto=udp watch self send self 127.0.0.1 7001 \
	explain self >/tmp/o 2>&1
cat /tmp/o
h=$(nft -a list chain ip f out | sed -n 's/.*udp dport 7001 drop # handle \([0-9]*\)$/\1/p')
case $kv in
5.10.*)
	vmcheck "$kv: watch refused for the owner flag" \
		grep -q "^WATCH -22 .*refused a table with the owner flag" /tmp/o
	vmcheck "$kv: explanation unavailable, says why" \
		grep -q "^TEXT the netfilter rule cannot be named: .*owner flag" /tmp/o
	vmcheck "$kv: no skbscope table left" \
		sh -c '! nft list tables | grep -q skbscope'
	;;
*)
	vmcheck "$kv: rule named, handle $h" grep -q "^FIELD handle $h\$" /tmp/o
	vmcheck "$kv: rule text" \
		grep -q "^TEXT dropped by rule $h of ip f out: udp dport 7001 drop" /tmp/o
	vmcheck "$kv: no skbscope table after exit" \
		sh -c '! nft list tables | grep -q skbscope'
	/nftrace-test watch self touch /tmp/up wait /tmp/never >/dev/null 2>&1 &
	p=$!
	wait_ready /tmp/up "$p" 20
	vmcheck "$kv: table while running" sh -c 'nft list tables | grep -q "inet skbscope"'
	kill -9 "$p"; wait "$p" 2>/dev/null
	vmcheck "$kv: no skbscope table after SIGKILL" \
		sh -c '! nft list tables | grep -q skbscope'
	;;
esac
GUEST

# extra SUITE OUT: the appended archive.
extra() {
	local suite=$1 out=$2 root=$VM/cache/$1 kver work moddir
	kver=$(cat "$root/kver"); moddir=$root/lib/modules/$kver
	work=$(mktemp -d "$TMP/extra.XXXXXX")
	mkdir -p "$work/mods" "$work/usr/sbin"
	cp "$DRV" "$work/nftrace-test"
	cp /usr/sbin/nft "$work/usr/sbin/nft"
	for l in $(ldd "$DRV" /usr/sbin/nft | awk '/=>/ { print $3 } /^\t\/lib/ { print $1 }' | sort -u); do
		mkdir -p "$work$(dirname "$l")"
		cp -L "$l" "$work$l"
	done
	# nf_tables and what it needs, in load order.
	local path deps
	path=$(grep -o '^[^:]*/nf_tables\.ko[^:]*' "$moddir/modules.dep")
	deps=$(grep "^$path:" "$moddir/modules.dep" | cut -d: -f2)
	: >"$work/mods/list"
	for p in $(echo "$deps" | tr ' ' '\n' | tac) "$path"; do
		[ -n "$p" ] || continue
		local name=${p##*/} base
		base=${name%%.ko*}
		case $name in
		*.xz) xz -dc "$moddir/$p" >"$work/mods/$base.ko" ;;
		*.zst) zstd -dqc "$moddir/$p" >"$work/mods/$base.ko" ;;
		*) cp "$moddir/$p" "$work/mods/$base.ko" ;;
		esac
		echo "$base" >>"$work/mods/list"
	done
	(cd "$work" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
}

for suite in $suites; do
	if ! "$VM/fetch.sh" "$suite" >/dev/null; then
		not_ok "$suite: fetch the kernel"
		continue
	fi
	"$VM/initramfs.sh" "$suite" "$TMP/base.gz" "$TMP/guest.sh" &&
		extra "$suite" "$TMP/extra.gz" ||
		{ not_ok "$suite: initramfs"; continue; }
	cat "$TMP/base.gz" "$TMP/extra.gz" >"$TMP/initrd.gz"
	log=$TMP/$suite.log
	timeout 300 qemu-system-x86_64 -accel tcg -cpu max -m 1024 -smp 2 \
		-nographic -no-reboot -kernel "$VM/cache/$suite/vmlinuz" \
		-initrd "$TMP/initrd.gz" -append "console=ttyS0 panic=-1 quiet" \
		</dev/null 2>&1 | tr -d '\r' >"$log"
	if ! grep -q "VMTEST END" "$log"; then
		not_ok "$suite: the guest did not finish"
		tail -n 20 "$log"
		continue
	fi
	grep -E "^(WATCH|EXPLAIN|TEXT) " "$log" | sed "s/^/    $suite: /"
	while read -r line; do
		case $line in
		"VMTEST ok "*) ok "${line#VMTEST ok }" ;;
		"VMTEST FAIL "*) not_ok "${line#VMTEST FAIL }" ;;
		esac
	done < <(grep -E "^VMTEST (ok|FAIL) " "$log")
done
finish
