#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Packets that are not plain IP, and TCP flags, on the host kernel: a pcap
# expression matches wherever the packet has the bytes it names (ARP at
# every tracepoint it crosses, 802.1Q-tagged frames), the tuple says what
# the packet is as tcpdump does, and --output-tcp-flags shows a real
# handshake's and a reset's flags.
. "$(dirname "$0")/../lib.sh"

A=skba-a-$$; B=skba-b-$$
NET=10.225.$(( $$ % 200 + 20 ))
make_pair "$A" "$B" "$NET" || { not_ok "namespaces"; finish; exit; }

# 1. arp: the request from A at every tracepoint it crosses on the host.
OUT=$TMP/arp.txt
if start_trace "$OUT" --filter-netns "$A" arp; then
	send_udp "$A" "$NET.2" 7301 1
	sleep 0.5
	stop_trace; rc=$?
	check "exits 0 on SIGINT" [ "$rc" -eq 0 ]
	for hook in net:net_dev_queue net:net_dev_start_xmit; do
		check "who-has at $hook" grep -qE \
			"arp who-has $NET\.2 tell $NET\.1 $hook" "$OUT"
	done
	for hook in net:netif_receive_skb skb:consume_skb; do
		check "the reply at $hook, is-at a MAC" grep -qE \
			"arp reply $NET\.2 is-at ([0-9a-f]{2}:){5}[0-9a-f]{2} $hook" "$OUT"
	done
	check "nothing but ARP" bash -c "! grep -E '^0x' '$OUT' | grep -qv ' 0x0806 '"
else
	not_ok "start trace (arp)"
fi
# B's side: the request arrives at netif_receive_skb and is consumed. A
# second address in B, so that A asks again.
ip -n "$B" addr add "$NET.3/24" dev vb
OUT=$TMP/arpb.txt
if start_trace "$OUT" --filter-netns "$B" --output-json "arp[6:2] = 1"; then
	send_udp "$A" "$NET.3" 7301 1
	sleep 0.5
	stop_trace
	check "JSON: arp object at netif_receive_skb" jq_ok -s \
		"[.[] | select(.func == \"net:netif_receive_skb\" and .arp.op == 1 and
		 .arp.sender_ip == \"$NET.1\" and .arp.target_ip == \"$NET.3\" and
		 .arp.desc == \"arp who-has $NET.3 tell $NET.1\")] | length > 0" "$OUT"
	check "arp[6:2] = 1 keeps requests only" jq_ok -s \
		'[.[] | select(.arp.op != 1)] | length == 0' "$OUT"
else
	not_ok "start trace (arp in B)"
fi

# 2. 802.1Q: a tagged frame sent from a packet socket; "vlan and udp"
# matches it where the tag is in the bytes, and the tuple is the IP one.
send_vlan() {
	ip netns exec "$A" python3 - "$NET" <<'PY'
import socket, struct, sys
net = sys.argv[1]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(('va', 0))
def ip4(proto, payload):
    return struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(payload), 1, 0,
                       64, proto, 0, socket.inet_aton(net + '.1'),
                       socket.inet_aton(net + '.2')) + payload
for port in (7401, 7402):
    udp = struct.pack('!HHHH', 5555, port, 16, 0) + b'skbscope'
    f = b'\xff' * 6 + b'\x02\0\0\0\0\x01' + struct.pack('!HHH', 0x8100, 5, 0x0800) + ip4(17, udp)
    s.send(f)
PY
}
OUT=$TMP/vlan.txt
if start_trace "$OUT" --filter-netns "$A" "vlan 5 and udp dst port 7401"; then
	send_vlan
	sleep 0.5
	stop_trace
	check "vlan 5 and udp: at net_dev_queue, IP tuple" grep -qE \
		"$NET\.1:5555->$NET\.2:7401\(udp\) net:net_dev_queue" "$OUT"
	check "vlan: not the other port" bash -c "! grep -q ':7402(' '$OUT'"
else
	not_ok "start trace (vlan)"
fi

# 3. TCP flags: a handshake to a listener in B, a reset from a closed port.
tcp_talk() {
	ip netns exec "$B" python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("", 7501)); s.listen(1); s.settimeout(5)
c, _ = s.accept(); c.recv(100); time.sleep(0.2); c.close()
' &
	PIDS="$PIDS $!"
	sleep 0.1
	ip netns exec "$A" python3 -c '
import socket, sys, time
for i in range(50):  # until the listener is up, under load too
    try:
        c = socket.create_connection((sys.argv[1], 7501)); break
    except ConnectionRefusedError:
        time.sleep(0.1)
c.send(b"hi"); time.sleep(0.3); c.close()
try: socket.create_connection((sys.argv[1], 7502), timeout=1)
except OSError: pass
' "$NET.2"
	sleep 0.3
}
OUT=$TMP/tcp.txt
if start_trace "$OUT" --filter-netns "$A" --output-tcp-flags "tcp"; then
	tcp_talk
	stop_trace
	check "SYN [S]" grep -qE "$NET\.1:[0-9]+->$NET\.2:7501\(tcp\)\[S\] " "$OUT"
	check "SYN-ACK [S.]" grep -qE "$NET\.2:7501->$NET\.1:[0-9]+\(tcp\)\[S\.\] " "$OUT"
	check "ACK [.]" grep -qE "$NET\.1:[0-9]+->$NET\.2:7501\(tcp\)\[\.\] " "$OUT"
	check "data [P.]" grep -qE "$NET\.1:[0-9]+->$NET\.2:7501\(tcp\)\[P\.\] " "$OUT"
	check "FIN [F.]" grep -qE ":7501\(tcp\)\[F\.\] |:7501->.*\(tcp\)\[F\.\] " "$OUT"
	check "RST from the closed port [R.]" grep -qE "$NET\.2:7502->$NET\.1:[0-9]+\(tcp\)\[R\.\] " "$OUT"
else
	not_ok "start trace (tcp flags)"
fi
# The same flags from a pcap expression, and in JSON.
OUT=$TMP/syn.json
if start_trace "$OUT" --filter-netns "$A" --output-json --output-tcp-flags \
	"tcp[tcpflags] & tcp-syn != 0"; then
	tcp_talk
	stop_trace
	check "pcap tcp-syn: SYN and SYN-ACK only" jq_ok -s \
		'length > 0 and ([.[] | .tuple.tcp_flags] | unique) == ["S", "S."]' "$OUT"
else
	not_ok "start trace (tcp-syn)"
fi
OUT=$TMP/noflags.txt
if start_trace "$OUT" --filter-netns "$A" "tcp port 7501"; then
	tcp_talk
	stop_trace
	check "no --output-tcp-flags: no flags in the tuple" \
		bash -c "grep -q ':7501(tcp) ' '$OUT' && ! grep -q '(tcp)\[' '$OUT'"
else
	not_ok "start trace (no flags)"
fi
# 4. The explorer, live: the filter bar takes the pcap TCP-flag expression
# and "arp", written into the kernel's map while tracing runs; the tuple
# column shows the flags and the ARP description.
if command -v tmux >/dev/null; then
	S=skba-tui-$$
	screen() { screen_of "$S"; }
	wait_screen() { wait_screen_of "$S" "$@"; }
	rm -f "$TMP/ready"
	tm new-session -d -s "$S" -x 132 -y 40 \
		"$SKBSCOPE --filter-netns $A --ready-file $TMP/ready 2>$TMP/tui.err; sleep 30"
	if wait_file "$TMP/ready" 30 && wait_screen "^ skbscope .*tracepoint" 10; then
		tm send-keys -t "$S" '\'
		tm send-keys -t "$S" C-u
		tm send-keys -t "$S" -l 'tcp[tcpflags] & tcp-syn != 0'
		tm send-keys -t "$S" Enter
		wait_screen "filter applied in the kernel" 5
		tcp_talk
		check "explorer: live tcp-syn filter, [S] in the tuple column" \
			wait_screen "$NET\.1:[0-9]+->$NET\.2:7501\(tcp\)\[S\]" 10
		check "explorer: and [S.]" \
			wait_screen "$NET\.2:7501->$NET\.1:[0-9]+\(tcp\)\[S\.\]" 5
		check "explorer: no [P.] under the tcp-syn filter" \
			bash -c "! tmux -S '$TSOCK' capture-pane -p -t '$S' | grep -q '(tcp)\[P\.\]'"
		tm send-keys -t "$S" '\'
		tm send-keys -t "$S" C-u
		tm send-keys -t "$S" -l 'arp'
		tm send-keys -t "$S" Enter
		# Under load the key may take a while: the ARP request must
		# come after the filter is in the kernel.
		wait_screen "filter applied in the kernel: .*arp" 10
		ip -n "$B" addr add "$NET.4/24" dev vb
		send_udp "$A" "$NET.4" 7301 1
		check "explorer: live arp filter, who-has in the tuple column" \
			wait_screen "arp who-has $NET\.4 tell $NET\.1" 10
		screen >"$TMP/last-screen"; [ -n "$PKT_DEBUG" ] && cat "$TMP/last-screen"
		tm send-keys -t "$S" q
	else
		not_ok "explorer starts"; cat "$TMP/tui.err"
	fi
	tm kill-session -t "$S" 2>/dev/null
else
	not_ok "tmux is not installed: the explorer checks cannot run"
fi
finish
