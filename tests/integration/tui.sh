#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The explorer end to end on the real kernel, in a real terminal (tmux):
# the drop row shows NETFILTER_DROP, and the drops list its reason and why
# columns at 120 and 80 columns; a filter typed into the filter bar is
# applied in the kernel while tracing runs (later datagrams to the excluded
# port no longer appear, another port still does, nothing reattached); a
# pause holds the view while events are still stored; the terminal is
# restored on quit.
. "$(dirname "$0")/../lib.sh"

if ! command -v tmux >/dev/null; then
	echo "skip: tmux is not installed"; not_ok "tmux"; finish; exit
fi
A=skbs-ta-$$; B=skbs-tb-$$
NET=10.214.$(( $$ % 200 + 20 ))
make_pair "$A" "$B" "$NET" || { not_ok "namespaces"; finish; exit; }
ip netns exec "$A" iptables -I OUTPUT 1 -p udp -d "$NET.2" --dport 7001 -j DROP
S=skbs-tui-$$

screen() { screen_of "$S"; }
wait_screen() { wait_screen_of "$S" "$@"; }

tm new-session -d -s "$S" -x 120 -y 40 \
	"$SKBSCOPE --filter-netns $A --ready-file $TMP/ready --max-packets 500 2>$TMP/stderr; echo SKBSCOPE-EXIT=\$?; stty -a | tr ' ' '\n' | grep -E '^-?(icanon|echo)\$' | tr '\n' ' '; echo; sleep 30"
if ! wait_file "$TMP/ready" 30; then
	not_ok "explorer starts"; screen; finish; exit
fi
check "explorer draws its status line" wait_screen "^ skbscope .*tracepoint" 10
check "explorer is on the alternate screen" \
	[ "$(tm display -p -t "$S" '#{alternate_on}')" = 1 ]
send_udp_from "$A" "$NET.2" 7001 41001 2
check "drop row shows DROPPED NETFILTER_DROP" \
	wait_screen "$NET\.1:41001->$NET\.2:7001\(udp\).*DROPPED NETFILTER_DROP" 10
# Follow mode selects the newest packet, which may be background noise in
# the namespace (an IPv6 router solicitation): look at drops only.
tm send-keys -t "$S" d
# Once a why is shown, the place leaves the timeline's drop line when it
# does not fit (the detail always has it).
check "timeline names the drop" \
	wait_screen "dropped: NETFILTER_DROP( at nft_do_chain\+0x|  )" 5
# Why it was dropped: the first netfilter drop in the namespace starts the
# trace there, the next ones name their rule.
send_udp_from "$A" "$NET.2" 7001 41003 1
check "why: the first drop in the netns is pending" \
	wait_screen "$NET\.1:41001->$NET\.2:7001\(udp\) +ns [0-9]+ +NETFILTER_DROP +watching for the next one" 10
check "why: a later drop names its rule in the drops list" \
	wait_screen "$NET\.1:41003->$NET\.2:7001\(udp\) +ns [0-9]+ +NETFILTER_DROP +rule [0-9]+ of ip filter OUTPUT" 10
check "why: the timeline's drop hop says it in brief" \
	wait_screen "dropped: NETFILTER_DROP  rule [0-9]+ of ip filter OUTPUT" 5
check "why: the status line names what is traced" \
	wait_screen "nft trace in netns $A" 3
tm send-keys -t "$S" Enter
check "why: the detail's Why section, without another key" \
	wait_screen "Why \(netfilter rule\)" 3
check "why: the sentence names the rule's text" \
	wait_screen "dropped by rule [0-9]+ of ip filter OUTPUT: .*udp dport 7001" 3
check "why: table, chain and verdict as fields" \
	bash -c "tmux -S '$TSOCK' capture-pane -p -t '$S' | grep -qE 'table: +filter' &&
		tmux -S '$TSOCK' capture-pane -p -t '$S' | grep -qE 'chain: +OUTPUT' &&
		tmux -S '$TSOCK' capture-pane -p -t '$S' | grep -qE 'verdict: +drop'"
check "why: the detail still names the place" \
	wait_screen "DROPPED +NETFILTER_DROP at nft_do_chain\+0x" 3
tm send-keys -t "$S" Escape
# The drops list has a column for why; from 120 columns the reason has its
# own, and at 80 the tuple (whole) is followed by the why, or by the reason
# while no why is known: either way something, and the checks hold with or
# without an explanation source.
check "drops list: reason and why columns at 120x40" \
	wait_screen "TIME\(s\) TUPLE +IFACE/NETNS +REASON +WHY" 3
check "drops list: the drop's reason in its column" \
	wait_screen "$NET\.1:41001->$NET\.2:7001\(udp\) +ns [0-9]+ +NETFILTER_DROP" 3
tm resize-window -t "$S" -x 80 -y 24
check "drops list at 80x24: tuple and why columns" \
	wait_screen "^│  TUPLE +WHY" 5
check "drops list at 80x24: the whole tuple, then the why (or the reason)" \
	wait_screen "^│[> ] $NET\.1:41001->$NET\.2:7001\(udp\) +[A-Za-z]" 3
check "status keeps its counts at 80 columns" \
	wait_screen "^ skbscope .*recv [0-9.kMG]+ lost [0-9.kMG]+ \| skbs [0-9]+" 3
check "why at 80x24: the rule's brief next to the tuple" \
	wait_screen "^│[> ] $NET\.1:41003->$NET\.2:7001\(udp\) rule [0-9]+ of ip filter OUTPUT" 3
check "why at 80x24: the note on the filter bar or status line" \
	wait_screen "nft trace in netns $A" 3
tm resize-window -t "$S" -x 120 -y 40
sleep 0.3
tm send-keys -t "$S" d
progs_before=$(bpftool prog list | grep -c '^[0-9]')

# A filter that excludes 7001: typed into the filter bar, applied live.
tm send-keys -t "$S" '\'
sleep 0.3
tm send-keys -t "$S" C-u
tm send-keys -t "$S" -l 'dport 99999'
check "invalid filter is flagged as typed, naming the token" \
	wait_screen "invalid: dport: invalid port '99999'" 5
tm send-keys -t "$S" Enter
sleep 0.3
check "invalid filter is not applied (still editing)" \
	wait_screen "^Filter> dport 99999" 3
tm send-keys -t "$S" C-u
tm send-keys -t "$S" -l "dport 7002"
tm send-keys -t "$S" Enter
check "valid filter applied in the kernel" \
	wait_screen "filter applied in the kernel: dport 7002" 5
send_udp_from "$A" "$NET.2" 7001 41011 3
send_udp_from "$A" "$NET.2" 7002 41012 3
check "another port (7002) still appears" \
	wait_screen "$NET\.1:41012->$NET\.2:7002\(udp\)" 10
sleep 0.5
check "later datagrams to 7001 no longer appear" \
	bash -c "! tmux -S '$TSOCK' capture-pane -p -t '$S' | grep -q ':41011->'"
progs_after=$(bpftool prog list | grep -c '^[0-9]')
check "no reload: same BPF programs ($progs_before, $progs_after)" \
	[ "$progs_before" -eq "$progs_after" ]

# A pcap-filter expression from the filter bar: a map write, no reattach.
links_before=$(bpftool link list | grep -c '^[0-9]')
tm send-keys -t "$S" '\'
sleep 0.3
tm send-keys -t "$S" C-u
tm send-keys -t "$S" -l 'udp and dst port 7003 and'
check "pcap expression checked as typed, libpcap's message" \
	wait_screen "invalid: .*syntax error" 5
tm send-keys -t "$S" BSpace BSpace BSpace BSpace
tm send-keys -t "$S" Enter
check "pcap expression applied in the kernel" \
	wait_screen "filter applied in the kernel: pcap udp and dst port 7003" 5
tm send-keys -t "$S" C-l   # any key clears the message
check "status names how the expression runs" \
	wait_screen "pcap: in-kernel cBPF, [0-9]+/[0-9]+ insns, bpf_loop" 3
send_udp_from "$A" "$NET.2" 7002 41021 3
send_udp_from "$A" "$NET.2" 7003 41022 3
check "pcap: 7003 appears" wait_screen "$NET\.1:41022->$NET\.2:7003\(udp\)" 10
sleep 0.5
check "pcap: later datagrams to 7002 no longer appear" \
	bash -c "! tmux -S '$TSOCK' capture-pane -p -t '$S' | grep -q ':41021->'"
progs_after=$(bpftool prog list | grep -c '^[0-9]')
links_after=$(bpftool link list | grep -c '^[0-9]')
check "pcap: same programs ($progs_before, $progs_after) and links ($links_before, $links_after)" \
	[ "$progs_before" -eq "$progs_after" ] && [ "$links_before" -eq "$links_after" ]
tm send-keys -t "$S" '\'
sleep 0.3
tm send-keys -t "$S" C-u
tm send-keys -t "$S" -l 'dport 7002'
tm send-keys -t "$S" Enter
wait_screen "filter applied in the kernel: dport 7002" 5

# A filter typed in one fast burst, or pasted, is taken whole: 60 and more
# characters in one write; a bracketed paste (the explorer turns the mode
# on) over two lines, whose newline does not apply its first half; one
# longer than the bar's limit is cut, and the bar says so.
NETRE=${NET//./\\.}
LONGF="dport 7002 and proto udp and src $NET.1 and dst $NET.2"
tm send-keys -t "$S" '\'
sleep 0.3
tm send-keys -t "$S" C-u
tm send-keys -t "$S" -l "$LONGF"
check "burst: a ${#LONGF}-character filter typed at once is all there" \
	wait_screen "^Filter> dport 7002 and proto udp and src $NETRE\.1 and dst $NETRE\.2  valid" 3
tm send-keys -t "$S" Enter
check "burst: Enter applies all of it" \
	wait_screen "^Filter: src $NETRE\.1 and dst $NETRE\.2 and dport 7002 and proto udp +filter applied" 5
tm set-buffer -b skbs-paste "dport 7002 and proto udp
and src $NET.1"
tm send-keys -t "$S" '\'
sleep 0.3
tm send-keys -t "$S" C-u
tm paste-buffer -p -b skbs-paste -t "$S"
check "paste: bracketed, the newline a space, still in the bar" \
	wait_screen "^Filter> dport 7002 and proto udp and src $NETRE\.1  valid" 3
tm send-keys -t "$S" Enter
check "paste: Enter applies all of it" \
	wait_screen "^Filter: src $NETRE\.1 and dport 7002 and proto udp +filter applied" 5
tm set-buffer -b skbs-paste "$(printf 'x%.0s' $(seq 1300))"
tm send-keys -t "$S" '\'
sleep 0.3
tm send-keys -t "$S" C-u
tm paste-buffer -p -b skbs-paste -t "$S"
check "paste: longer than the bar's limit, cut, and the bar says so" \
	wait_screen "^Filter> <x+ +cut to 1279 characters" 3
tm send-keys -t "$S" Escape
check "paste: Esc leaves the bar, the filter in force stays" \
	wait_screen "^Filter: src $NETRE\.1 and dport 7002 and proto udp" 3

# Export from the explorer: the selected timeline as JSON, every packet
# shown as pcap-ng, and an inline error for a path that cannot be written.
tm send-keys -t "$S" e
check "export prompts for a path" wait_screen "^Export timeline to> skbscope-timeline.txt" 3
tm send-keys -t "$S" C-u
tm send-keys -t "$S" -l "$TMP/timeline.json"
tm send-keys -t "$S" Enter
check "export: the timeline written" wait_screen "exported [0-9]+ hops to $TMP/timeline.json" 5
check "export: jq reads the timeline" jq_ok 'select(.skb and .func)' "$TMP/timeline.json"
tm send-keys -t "$S" E
sleep 0.3
tm send-keys -t "$S" C-u
tm send-keys -t "$S" -l "$TMP/all.pcapng"
tm send-keys -t "$S" Enter
check "export all: written" wait_screen "exported [0-9]+ hops to $TMP/all.pcapng" 5
n=$(tshark -r "$TMP/all.pcapng" 2>/dev/null | wc -l)
check "export all: tshark reads the packets ($n)" [ "$n" -ge 1 ]
tm send-keys -t "$S" e
sleep 0.3
tm send-keys -t "$S" C-u
tm send-keys -t "$S" -l "/nonexistent/dir/t.txt"
tm send-keys -t "$S" Enter
check "export: an unwritable path is an inline error" \
	wait_screen "cannot create '/nonexistent/dir/t.txt'" 5

# Space pauses the display, not the capture: what comes meanwhile goes
# into the store, is counted on the status line, and is there on resume.
tm send-keys -t "$S" Space
check "pause: the status line says so" \
	wait_screen "PAUSED(, [0-9]+ events since| \+[0-9]+)" 3
send_udp_from "$A" "$NET.2" 7002 41031 3
check "pause: the events that came meanwhile are counted" \
	wait_screen "PAUSED(, | \+)[1-9][0-9.kM]* " 5
check "pause: the view holds (no row for them yet)" \
	bash -c "! tmux -S '$TSOCK' capture-pane -p -t '$S' | grep -q ':41031->'"
tm send-keys -t "$S" Space
check "resume: what came while paused is there" \
	wait_screen "$NET\.1:41031->$NET\.2:7002\(udp\).*DROPPED NO_SOCKET" 5

# Help, pane switching and detail answer keys.
tm send-keys -t "$S" '?'
check "help overlay opens" wait_screen "Help: keys" 3
tm send-keys -t "$S" Escape
tm send-keys -t "$S" Enter
check "detail opens" wait_screen "Detail: hop" 3
check "detail decodes the captured headers" wait_screen "UDP   410(12|22|31) -> 700[23]" 3
check "detail shows a hex dump" wait_screen "0000  ([0-9a-f]{2} ){16} \|" 3
tm send-keys -t "$S" Escape

# A resize at any moment: the next frame uses the new size.
tm resize-window -t "$S" -x 90 -y 28
check "resize: redrawn at 90 columns" \
	wait_screen "^└─{88}┘$" 5
tm resize-window -t "$S" -x 120 -y 40
sleep 0.5

# Under a flood the keyboard still answers, and frames stay capped.
ip netns exec "$A" python3 - "$NET.2" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
end = time.time() + 4
while time.time() < end:
    for _ in range(200):
        s.sendto(b'x', (sys.argv[1], 7002))
PY
FLOOD=$!
PIDS="$PIDS $FLOOD"
sleep 1
tm send-keys -t "$S" '?'
check "a key is answered during a flood" wait_screen "Help: keys" 2
tm send-keys -t "$S" Escape
wait "$FLOOD"

tm send-keys -t "$S" q
check "quits with status 0" wait_screen "SKBSCOPE-EXIT=0" 10
check "terminal restored: alternate screen off" \
	[ "$(tm display -p -t "$S" '#{alternate_on}')" = 0 ]
# Bracketed paste is off again: a paste now is echoed as typed, without
# the ^[[200~ a terminal still in the mode would wrap it in.
tm set-buffer -b skbs-paste "after-exit"
tm paste-buffer -p -b skbs-paste -t "$S"
check "terminal restored: bracketed paste off" \
	bash -c "sleep 0.5; tmux -S '$TSOCK' capture-pane -p -t '$S' | grep -q 'after-exit' &&
		! tmux -S '$TSOCK' capture-pane -p -t '$S' | grep -q '200~'"
check "terminal restored: icanon and echo on" \
	bash -c "tmux -S '$TSOCK' capture-pane -p -t '$S' | grep -q '^icanon echo'"
read -r frames secs <<<"$(sed -n 's/.*explorer: [0-9]* events, \([0-9]*\) frames in \([0-9.]*\) s/\1 \2/p' "$TMP/stderr")"
check "redraws capped near 15/s ($frames frames in ${secs}s)" \
	awk -v f="${frames:-0}" -v s="${secs:-0}" 'BEGIN { exit !(s > 0 && f > 0 && f / s <= 20) }'

finish
