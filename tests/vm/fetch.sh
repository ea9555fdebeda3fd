#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fetch.sh SUITE: download Debian's cloud kernel of SUITE (bullseye,
# bookworm, trixie) with a private apt configuration (the system's sources
# and lists are left alone) and unpack it under cache/SUITE/. Idempotent.
set -euo pipefail
suite=$1
here=$(cd "$(dirname "$0")" && pwd)
cache=$here/cache
root=$cache/$suite
[ -e "$root/.done" ] && exit 0

apt=$cache/apt-$suite
mkdir -p "$apt/lists/partial" "$apt/archives/partial" "$apt/etc" "$root"
cat >"$apt/etc/sources.list" <<SRC
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $suite main
SRC
APT=(-o Dir::Etc::SourceList="$apt/etc/sources.list"
     -o Dir::Etc::SourceParts=/dev/null
     -o Dir::State::Lists="$apt/lists"
     -o Dir::Cache="$apt"
     -o Dir::Cache::archives="$apt/archives"
     -o APT::Get::List-Cleanup=0
     -o Debug::NoLocking=1)
apt-get "${APT[@]}" -qq update
# The metapackage names the current versioned image package.
pkg=$(apt-cache "${APT[@]}" depends linux-image-cloud-amd64 |
	sed -n 's/^ *Depends: \(linux-image-[0-9].*-cloud-amd64\)$/\1/p' | head -n1)
if [ -z "$pkg" ]; then
	echo "fetch.sh: cannot resolve linux-image-cloud-amd64 in $suite" >&2
	exit 1
fi
cd "$apt/archives"
apt-get "${APT[@]}" -qq download "$pkg"
deb=$(ls -t "$apt"/archives/"$pkg"_*.deb | head -n1)
rm -rf "$root"; mkdir -p "$root"
dpkg-deb -x "$deb" "$root/x"
vmlinuz=$(ls "$root"/x/boot/vmlinuz-* | head -n1)
cp "$vmlinuz" "$root/vmlinuz"
kver=${vmlinuz##*/vmlinuz-}
echo "$kver" >"$root/kver"
echo "$pkg" >"$root/package"
mkdir -p "$root/lib/modules"
mv "$root/x/lib/modules/$kver" "$root/lib/modules/" 2>/dev/null ||
	mv "$root/x/usr/lib/modules/$kver" "$root/lib/modules/"
rm -rf "$root/x"
# The package's modules.dep is made at install time; make it here.
depmod -b "$root" "$kver"
touch "$root/.done"
echo "fetch.sh: $suite: $pkg ($kver)"
