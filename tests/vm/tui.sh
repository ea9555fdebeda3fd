#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tui.sh [SUITE...]: the explorer itself in Debian's 6.1 (bookworm, kprobe)
# and 6.12 (trixie, kprobe-multi) kernels under qemu, on the guest's serial
# console, in a tmux pane on the host: keys go in with send-keys, the
# screen comes out with capture-pane. Checked on the screen: the drop of
# the iptables scenario with its reason and its stack, the packet rows'
# real ports, the call tree with the return values of the drop, a filter
# typed in one burst and applied, pause and resume losing nothing, and q
# exiting 0 with nothing left attached in the guest's kernel.
#
# The host decides when traffic goes: the guest (tests/vm/guest-tui.sh)
# reads commands from a second serial port, a FIFO pair here.
#
# TUI_SHOTS=DIR also writes DIR/call-tree.png, the call tree of the
# dropped packet in the 6.12 guest, through tests/vm/shot.sh.
. "$(dirname "$0")/../lib.sh"

VM=$(cd "$(dirname "$0")" && pwd)
suites=${*:-bookworm trixie}
# One guest's whole run, boot to power-off (TCG).
LIMIT=${TUI_LIMIT:-600}

if ! command -v tmux >/dev/null; then
	echo "tmux is not installed: nothing can drive the explorer"
	not_ok "tmux"; finish; exit
fi
if [ ! -x "$SKBSCOPE" ]; then
	echo "no skbscope binary at $SKBSCOPE: run make first"
	not_ok "skbscope binary"; finish; exit
fi

. "$VM/tui-lib.sh"

# What each guest offers: the function-probe backend to use and the hook
# that reports a drop there.
suite_vars() {
	case $1 in
	bookworm) echo "BACKEND=kprobe DROPFN=kfree_skb_reason" ;;
	trixie) echo "BACKEND=kprobe-multi DROPFN=sk_skb_reason_drop" ;;
	*) return 1 ;;
	esac
}

S=guest
# send PORT COUNT SPORT: datagrams from 127.0.0.1:SPORT, sent in the guest.
send() {
	ctl send "$@" && [ "$CTL_ANSWER" = "CTL sent $*" ]
}

# one_suite: boot the guest of $SUITE and drive its explorer; returns
# early when a step the others need fails.
one_suite() {
	if ! "$VM/fetch.sh" "$SUITE" >/dev/null; then
		not_ok "$SUITE: fetch the kernel"; return
	fi
	{ echo "$vars"; cat "$VM/guest-tui.sh"; } >"$TMP/guest.sh"
	if ! "$VM/initramfs.sh" "$SUITE" "$TMP/base.gz" "$TMP/guest.sh" ||
		! extra "$TMP/extra.gz"; then
		not_ok "$SUITE: initramfs"; return
	fi
	cat "$TMP/base.gz" "$TMP/extra.gz" >"$TMP/initrd.gz"

	boot; rc=$?
	if [ "$rc" -eq 2 ]; then
		echo "$SUITE: the kernel died before init ran (TCG does this at boot now and then): booting once more"
		boot; rc=$?
	fi
	if [ "$rc" -ne 0 ]; then
		not_ok "$SUITE: the VM boots"; tr -d '\r' <"$TMP/con" | tail -n 20
		return
	fi
	ok "$SUITE: the VM boots ($(tr -d '\r' <"$TMP/con" | grep -ao 'VMTEST BOOTED .*' | cut -d' ' -f3))"
	c "pane is 160x45" [ "$(tm display -p -t "$S" '#{pane_width}x#{pane_height}')" = 160x45 ]

	# Started: the status line names the backend and what it attached.
	if ! wait_screen "^ skbscope +$BACKEND: [1-9][0-9]* hooks" 240; then
		not_ok "$SUITE: the explorer starts on the serial console"
		dump start; tr -d '\r' <"$TMP/con" | tail -n 20
		return
	fi
	ok "$SUITE: the explorer starts on the serial console ($(screen | head -n1 | grep -o "$BACKEND: [0-9]* hooks"))"
	c "explorer is on the alternate screen" \
		[ "$(tm display -p -t "$S" '#{alternate_on}')" = 1 ]
	if ctl attached; then
		during=${CTL_ANSWER#CTL attached }
	else
		during=""
	fi

	# 1, 2: the drop, with its reason, on a row with its real ports.
	c "traffic sent in the guest (2 to 7001 from 41001)" send 7001 2 41001
	c "drop row: 127.0.0.1:41001->127.0.0.1:7001, not :0" \
		wait_screen "127\.0\.0\.1:41001->127\.0\.0\.1:7001\(udp\)" 30
	c "drop row: DROPPED NETFILTER_DROP" \
		wait_screen "127\.0\.0\.1:41001->127\.0\.0\.1:7001\(udp\).*DROPPED NETFILTER_DROP" 10
	c "no packet row without its ports" \
		[ "$(shown '127\.0\.0\.1:0->')" -eq 0 ]
	# 3: the call tree of the dropped packet (follow mode shows the
	# newest packet: both are such drops).
	c "timeline is a call tree" \
		wait_screen "Timeline: skb 0x[0-9a-f]+ gen [0-9]+, [0-9]+ hops, call tree" 10
	c "call tree: nf_hook_slow = -EPERM" \
		wait_screen "nf_hook_slow .*= -EPERM" 5
	c "call tree: __ip_local_out = -EPERM" \
		wait_screen "__ip_local_out .*= -EPERM" 5
	c "timeline names the drop" \
		wait_screen "dropped: NETFILTER_DROP" 5
	if [ "$SUITE" = trixie ] && [ -n "${TUI_SHOTS:-}" ]; then
		tm capture-pane -p -e -N -t "$S" >"$TMP/call-tree.ansi" &&
			shots="$shots call-tree"
	fi

	step "call tree"
	# 1: the drop hop's stack. Searching the drop hook selects it.
	tm send-keys -t "$S" /
	wait_screen "^Search> " 10
	tm send-keys -t "$S" -l "$DROPFN"
	tm send-keys -t "$S" Enter
	c "search selects the drop hop ($DROPFN)" \
		wait_screen "^(│|\|)>.*$DROPFN" 10
	tm send-keys -t "$S" k
	c "k: the drop hop's stack, through nf_hook_slow" \
		wait_screen "^(│|\|) +nf_hook_slow\+0x[0-9a-f]+ *(│|\|)" 10
	c "k: ... from __ip_local_out and udp_sendmsg" \
		bash -c "tmux -S '$TSOCK' capture-pane -p -t '$S' | grep -qE '^(│|\|) +__ip_local_out\+0x[0-9a-f]+ *(│|\|)' &&
			tmux -S '$TSOCK' capture-pane -p -t '$S' | grep -qE '^(│|\|) +udp_sendmsg\+0x[0-9a-f]+ *(│|\|)'"
	tm send-keys -t "$S" k

	step "stack"
	# 4: a filter typed in one burst, applied while tracing runs.
	tm send-keys -t "$S" '\'
	wait_screen "^Filter> " 10
	tm send-keys -t "$S" C-u
	tm send-keys -t "$S" -l 'dst port 7002 and udp'
	c "filter: typed in one burst, all there and valid" \
		wait_screen "^Filter> dst port 7002 and udp +valid" 10
	tm send-keys -t "$S" Enter
	c "filter: applied in the kernel" \
		wait_screen "filter applied in the kernel: .*dst port 7002 and udp" 10
	skbs0=$(status_field skbs)
	send 7001 2 41011 && send 7002 2 41012
	c "filter: 7002 arrives" \
		wait_screen "127\.0\.0\.1:41012->127\.0\.0\.1:7002\(udp\)" 30
	sleep 1
	c "filter: 7001 no longer arrives" \
		[ "$(shown ':41011->')" -eq 0 ]
	skbs1=$(status_field skbs)
	c "filter: only the 2 datagrams to 7002 stored (skbs $skbs0 -> $skbs1)" \
		[ "$((skbs1 - skbs0))" -eq 2 ]

	step "filter"
	# 5: pause holds the view, not the capture.
	recv0=$(status_field recv)
	tm send-keys -t "$S" Space
	c "pause: the status line says so" \
		wait_screen "PAUSED, 0 events since" 10
	skbs0=$(status_field skbs)
	send 7002 3 41031
	c "pause: the events that came meanwhile are counted" \
		wait_screen "PAUSED, [1-9][0-9.kM]* events since" 30
	sleep 1
	since=$(screen | sed -n '1s/.*PAUSED, \([0-9]*\) events since.*/\1/p')
	skbs1=$(status_field skbs)
	c "pause: they are stored (skbs $skbs0 -> $skbs1)" \
		[ "$((skbs1 - skbs0))" -eq 3 ]
	c "pause: the view holds (no row for them)" [ "$(shown ':41031->')" -eq 0 ]
	step "paused"
	tm send-keys -t "$S" Space
	c "resume: LIVE again" wait_screen "LIVE( follow)? *$" 10
	c "resume: the 3 datagrams sent while paused are there" \
		wait_screen "127\.0\.0\.1:41031->127\.0\.0\.1:7002\(udp\)" 10
	c "resume: 3 rows for them" [ "$(shown '127\.0\.0\.1:41031->127\.0\.0\.1:7002\(udp\)')" -eq 3 ]
	skbs2=$(status_field skbs)
	c "resume: nothing lost (skbs $skbs1 -> $skbs2)" [ "$skbs2" -eq "$skbs1" ]
	# Their rows' events add up to what the status line counted.
	ev=$(screen | grep -E '127\.0\.0\.1:41031->' |
		awk '{ for (i = 1; i < NF; i++) if ($i == "ns") n += $(i + 2) } END { print n + 0 }')
	c "resume: their rows hold the $since events counted while paused ($ev)" \
		eval '[ "${since:-0}" -gt 0 ] && [ "$ev" -eq "$since" ]'
	recv1=$(status_field recv)
	c "resume: received grew by as many ($recv0 -> $recv1)" \
		[ "$((recv1 - recv0))" -eq "${since:--1}" ]

	step "resumed"
	# 6: what each function's probe costs, sorted (F6 in the function
	# pane: hits, name, time, BPF cost). Kprobe families estimate it
	# from runs counted per function while sorted so; the datagrams to
	# 7001 are all rejected by the filter, and their functions count.
	tm send-keys -t "$S" Tab
	tm send-keys -t "$S" Tab
	c "functions pane: focused" wait_screen "Functions: all packets, by hits" 10
	tm send-keys -t "$S" F6
	wait_screen "Functions: all packets, by name" 10
	tm send-keys -t "$S" F6
	wait_screen "Functions: all packets, by time" 10
	tm send-keys -t "$S" F6
	c "F6: functions by BPF cost" \
		wait_screen "Functions: all packets, by BPF cost" 10
	send 7001 20 41041
	c "cost: estimated (runs x mean) on $BACKEND" \
		wait_screen "Functions: all packets, by BPF cost \(est\.\)" 10
	c "cost: the pane has a BPF column" \
		wait_screen "FUNCTION +HITS .*BPF" 10
	c "cost: functions show what their probes cost" \
		wait_screen "(│|\|)[a-z_:.0-9]+ +[0-9]+ +.*(<0\.1|[0-9]+\.[0-9])% " 30
	step "cost"
	tm send-keys -t "$S" Tab

	# 7: q exits 0 and leaves nothing attached.
	tm send-keys -t "$S" q
	c "q: the explorer exits with status 0" \
		wait_log "$TMP/con" "VMTEST EXPLORER EXIT 0$" 60
	c "q: the terminal leaves the alternate screen" \
		[ "$(tm display -p -t "$S" '#{alternate_on}')" = 0 ]
	wait_log "$TMP/con" "^VMTEST END" 120
	before=$(tr -d '\r' <"$TMP/con" | sed -n 's/^VMTEST ATTACHED before //p')
	after=$(tr -d '\r' <"$TMP/con" | sed -n 's/^VMTEST ATTACHED after //p')
	echo "attached before: $before; while running: $during; after: $after"
	# The checks after can fail: while it ran, these were up.
	c "while running: BPF programs and links attached" \
		more progs links
	c "while running: kprobes or ftrace callbacks in place" \
		more_sum kprobes ftrace
	c "after q: no BPF program or link left ($after)" same progs links
	c "after q: no kprobe, no ftrace callback left" same kprobes ftrace
	tr -d '\r' <"$TMP/con" | grep -E "^VMTEST FAIL" | sed 's/^VMTEST FAIL /guest: /' |
		while read -r l; do echo "$l"; done
	n=$(tr -d '\r' <"$TMP/con" | grep -c "^VMTEST FAIL")
	c "guest script: no failure" [ "$n" -eq 0 ]
	tr -d '\r' <"$TMP/con" | sed -n '/^--- the explorer.s stderr/,/^VMTEST END/p' | sed 's/^/    /'
}

shots=""
for SUITE in $suites; do
	vars=$(suite_vars "$SUITE") || { not_ok "$SUITE: no explorer test for this kernel"; continue; }
	eval "$vars"
	start=$(date +%s)
	echo "=== explorer in the $SUITE guest ($BACKEND)"
	one_suite
	tm kill-session -t "$S" 2>/dev/null
	echo "($SUITE took $(( $(date +%s) - start ))s)"
done

for s in $shots; do
	if "$VM/shot.sh" "$TMP/$s.ansi" "$TUI_SHOTS/$s.png"; then
		echo "screenshot: $TUI_SHOTS/$s.png"
	else
		not_ok "screenshot $s"
	fi
done
finish
