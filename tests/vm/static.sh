#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# static.sh [SUITE]: skbscope-static on a box with nothing else. An
# initramfs of busybox-static, skbscope-static, static helpers and the
# test script, with no shared library (checked: no *.so* file, no ELF with
# an interpreter), no terminfo and no locale, boots Debian's kernel of
# SUITE (default trixie, 6.12: it offers kprobe-multi, kprobe, fentry and
# tracepoints, so one boot checks the BPF objects and the function-probe
# paths; the matrix already runs the dynamic binary on every kernel).
# Inside: the matrix's line-mode checks that need only lo (a closed port's
# drop on kprobe-multi and tracepoints, a pcap-filter expression, JSON, a
# recording replayed), then the explorer on the serial console, drawn
# with its compiled-in terminfo, driven here through tmux.
. "$(dirname "$0")/../lib.sh"
VM=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$VM/../.." && pwd)
STATIC=${SKBSCOPE_STATIC:-$repo/skbscope-static}
SUITE=${1:-trixie}
LIMIT=${STATIC_LIMIT:-300}
S=guest

if [ ! -x "$STATIC" ]; then
	not_ok "no $STATIC: make static builds it"; finish; exit
fi
if readelf -lW "$STATIC" | grep -q 'program interpreter'; then
	not_ok "$STATIC is dynamically linked"; finish; exit
fi
ok "$STATIC is statically linked ($(stat -c %s "$STATIC") bytes)"
. "$VM/tui-lib.sh"
if ! "$VM/fetch.sh" "$SUITE" >/dev/null; then
	not_ok "$SUITE: fetch the kernel"; finish; exit
fi

# The image: every program static, the /init of tests/vm/initramfs.sh.
w=$TMP/root
mkdir -p "$w"/{bin,sbin,proc,sys,dev,tmp,run,etc,var/run/netns}
cp /bin/busybox "$w/bin/busybox"
cp "$STATIC" "$w/skbscope"
gcc -O2 -static -o "$w/bin/udpsend" "$VM/udpsend.c" &&
	gcc -O2 -static -o "$w/bin/bpfcount" "$VM/bpfcount.c" ||
	{ not_ok "static helpers build"; finish; exit; }
cp "$VM/guest-static.sh" "$w/test.sh"
cp "$VM/guest-lib.sh" "$w/guest-lib.sh"
cp "$VM/init" "$w/init"
sos=$(cd "$w" && find . -name '*.so*')
check "the image holds no shared library${sos:+: $sos}" test -z "$sos"
dyn=""
for f in $(find "$w" -type f); do
	head -c4 "$f" | grep -q 'ELF' || continue
	readelf -lW "$f" 2>/dev/null | grep -q 'program interpreter' &&
		dyn="$dyn ${f#"$w"}"
done
check "every program in the image is static${dyn:+ (not:$dyn)}" test -z "$dyn"
(cd "$w" && find . | cpio -o -H newc --quiet | gzip -1) >"$TMP/initrd.gz"

start=$(date +%s)
boot_checked || { finish; exit; }

# The line-mode checks run first; then the explorer.
if ! wait_log "$TMP/con" "^VMTEST EXPLORER START" 240; then
	not_ok "$SUITE: the line-mode checks finish"
	tr -d '\r' <"$TMP/con" | tail -n 30
	finish; exit
fi
if wait_screen "^ skbscope +kprobe-multi: [1-9][0-9]* hooks" 120; then
	ok "$SUITE: the explorer draws with its own terminfo ($(screen | head -n1 | grep -o 'kprobe-multi: [0-9]* hooks'))"
else
	not_ok "$SUITE: the explorer draws with its own terminfo"
	dump start; tr -d '\r' <"$TMP/con" | tail -n 20
fi
c "explorer is on the alternate screen" \
	[ "$(tm display -p -t "$S" '#{alternate_on}')" = 1 ]
c "while it runs, no terminfo copy is left in /tmp" \
	eval 'ctl terminfo && [ "$CTL_ANSWER" = "CTL terminfo none" ]'
c "traffic sent in the guest (2 to 7002 from 41002)" \
	eval 'ctl send 7002 2 41002 && [ "$CTL_ANSWER" = "CTL sent 7002 2 41002" ]'
c "drop row: 127.0.0.1:41002->127.0.0.1:7002 DROPPED NO_SOCKET" \
	wait_screen "127\.0\.0\.1:41002->127\.0\.0\.1:7002\(udp\).*DROPPED NO_SOCKET" 30
c "the timeline shows the selected packet's hops" \
	wait_screen "Timeline: skb 0x[0-9a-f]+ gen [0-9]+, [1-9][0-9]* hops" 10
c "the timeline passes __netif_receive_skb" \
	wait_screen "^(\||│) +[0-9]+ __netif_receive_skb " 10
if ctl attached; then during=${CTL_ANSWER#CTL attached }; else during=""; fi
tm send-keys -t "$S" q
c "q: the explorer exits with status 0" \
	wait_log "$TMP/con" "VMTEST EXPLORER EXIT 0$" 60
c "q: the terminal leaves the alternate screen" \
	[ "$(tm display -p -t "$S" '#{alternate_on}')" = 0 ]
wait_log "$TMP/con" "^VMTEST END" 60
before=$(tr -d '\r' <"$TMP/con" | sed -n 's/^VMTEST ATTACHED before //p')
after=$(tr -d '\r' <"$TMP/con" | sed -n 's/^VMTEST ATTACHED after //p')
echo "attached before: $before; while running: $during; after: $after"
c "while running: BPF programs and links attached" more progs links
c "after q: no BPF program, link, kprobe or ftrace callback left" \
	same progs links kprobes ftrace

# The guest's own checks.
tr -d '\r' <"$TMP/con" | grep -aE '^VMTEST (ok|FAIL) ' >"$TMP/guest"
while read -r _ res name; do
	if [ "$res" = ok ]; then ok "$SUITE guest: $name"; else not_ok "$SUITE guest: $name"; fi
done <"$TMP/guest"
[ -s "$TMP/guest" ] || not_ok "$SUITE guest: no result lines"
tr -d '\r' <"$TMP/con" | sed -n '/^--- the explorer.s stderr/,/^VMTEST END/p' | sed 's/^/    /'
tm kill-session -t "$S" 2>/dev/null
echo "($SUITE took $(( $(date +%s) - start ))s)"
finish
