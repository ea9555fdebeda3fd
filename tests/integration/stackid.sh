#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# --filter-track-skb-by-stackid on the host kernel (tracepoints), with real
# datagrams between two namespaces. One socket sends alternately to 7201,
# which the filter matches, and 7202, which it does not: both go down the
# same call chains, so a 7202 datagram's tracepoint hits share their kernel
# stacks with the 7201 ones before them. Without the flag no 7202 event is
# reported; with it, the 7201 datagrams are all there and 7202 datagrams
# are reported hop after hop (several tracepoints, one skb). Not every
# 7202 datagram needs to be: the first one's stacks can differ (a socket's
# first send to a new address), so five pairs are sent and one suffices.
. "$(dirname "$0")/../lib.sh"

A=stk-a-$$; B=stk-b-$$
NET=10.231.$(( $$ % 200 + 20 ))
make_pair "$A" "$B" "$NET" || { not_ok "namespaces"; finish; exit; }

# send_pairs: five datagrams to 7201, each followed by one to 7202, from one
# socket and of one size.
send_pairs() {
	ip netns exec "$A" python3 - "$NET.2" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(5):
    s.sendto(b'x' * 64, (sys.argv[1], 7201))
    s.sendto(b'x' * 64, (sys.argv[1], 7202))
    time.sleep(0.05)
PY
}
ev() { grep -E '^0x' "$1"; }

# 1. Without the flag: the port filter alone.
P=$TMP/plain.txt
if start_trace "$P" --filter-dst-port 7201; then
	send_pairs
	sleep 0.5
	check "plain trace exits 0" stop_trace
	check "without the flag: the 7201 datagrams are reported" \
		bash -c "grep -E '^0x' '$P' | grep -q ':7201(udp)'"
	check "... and no 7202 one" \
		bash -c "! grep -E '^0x' '$P' | grep -q ':7202(udp)'"
else
	not_ok "start trace (plain)"
fi

# 2. With it: the same 7201 datagrams, and 7202 ones on shared stacks.
S=$TMP/stackid.txt
if start_trace "$S" --filter-dst-port 7201 --filter-track-skb-by-stackid; then
	send_pairs
	sleep 0.5
	check "--filter-track-skb-by-stackid trace exits 0" stop_trace
	n=$(ev "$S" | grep -c ':7201(udp) net:net_dev_queue')
	check "the five 7201 datagrams are reported ($n net_dev_queue hits)" \
		[ "$n" -ge 5 ]
	n=$(ev "$S" | grep -c ':7202(udp) net:net_dev_queue')
	check "7202 datagrams (filtered out) are reported: $n of 5" [ "$n" -ge 1 ]
	# Hops of one 7202 skb: from the sender's device to the receiver's
	# stack and its drop (nothing listens), not a single stray hit.
	check "... hop after hop: net_dev_queue, netif_receive_skb and kfree_skb of one skb" \
		bash -c "grep -E '^0x' '$S' | grep ':7202(udp)' | awk '
			/net:net_dev_queue/ { q[\$1] = 1 }
			/net:netif_receive_skb/ { r[\$1] = 1 }
			/skb:kfree_skb/ { d[\$1] = 1 }
			END { for (s in q) if (s in r && s in d) exit 0; exit 1 }'"
	check "... and they report no other flow" \
		bash -c "! grep -E '^0x' '$S' | grep -v ':720[12](udp)' | grep -q ."
else
	not_ok "start trace (stackid)"
fi

# 3. JSON: the same, the 7202 skbs' events are there.
J=$TMP/stackid.json
if start_trace "$J" --filter-dst-port 7201 --filter-track-skb-by-stackid \
	--output-json; then
	send_pairs
	sleep 0.5
	stop_trace
	check "JSON: 7202 events among the 7201 ones" \
		jq_ok -s 'any(.[]; .tuple.dport == 7201) and any(.[]; .tuple.dport == 7202)' "$J"
else
	not_ok "start trace (stackid JSON)"
fi

finish
