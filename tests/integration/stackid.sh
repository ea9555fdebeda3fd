#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# --filter-track-skb-by-stackid on the host kernel (tracepoints), with real
# datagrams between two namespaces. Nothing listens in B, so each datagram
# makes B build an ICMP port unreachable, a new skb, on the stack that is
# dropping the datagram. The filter matches the datagrams to 7201 only:
# with the flag their ICMP errors are reported hop after hop as well (a
# new skb on a tracked skb's stack), and not those of the datagrams to
# 7202 (no tracked skb on their stack); without it no ICMP is reported.
. "$(dirname "$0")/../lib.sh"

A=stk-a-$$; B=stk-b-$$
NET=10.231.$(( $$ % 200 + 20 ))
make_pair "$A" "$B" "$NET" || { not_ok "namespaces"; finish; exit; }
# Every datagram gets its ICMP error: no rate limit in B.
ip netns exec "$B" sysctl -qw net.ipv4.icmp_ratelimit=0 ||
	not_ok "icmp_ratelimit"

# send_mixed: five datagrams to 7201 and five to 7202, alternately.
send_mixed() {
	ip netns exec "$A" python3 - "$NET.2" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(5):
    for port in (7201, 7202):
        try:
            s.sendto(b'x' * 64, (sys.argv[1], port))
        except OSError:
            pass # the ICMP error of the one before, reported on the socket
        time.sleep(0.05)
PY
}
ev() { grep -E '^0x' "$1"; }
# icmp_queued FILE: the ICMP errors that left B (one net_dev_queue each).
icmp_queued() { ev "$1" | grep -c '(icmp 3/3) net:net_dev_queue'; }

# 1. Without the flag: the datagrams, and no ICMP.
P=$TMP/plain.txt
if start_trace "$P" --filter-dst-port 7201; then
	send_mixed
	sleep 0.5
	check "plain trace exits 0" stop_trace
	n=$(ev "$P" | grep -c ':7201(udp) net:net_dev_queue')
	check "without the flag: the five 7201 datagrams ($n)" [ "$n" -eq 5 ]
	check "... and no ICMP error" bash -c "! grep -E '^0x' '$P' | grep -q '(icmp'"
else
	not_ok "start trace (plain)"
fi

# 2. With it: the same datagrams, and the ICMP errors of these only.
S=$TMP/stackid.txt
if start_trace "$S" --filter-dst-port 7201 --filter-track-skb-by-stackid; then
	send_mixed
	sleep 0.5
	check "--filter-track-skb-by-stackid trace exits 0" stop_trace
	n=$(ev "$S" | grep -c ':7201(udp) net:net_dev_queue')
	check "the five 7201 datagrams ($n)" [ "$n" -eq 5 ]
	n=$(icmp_queued "$S")
	check "their five ICMP errors, not the 7202 ones' ($n)" [ "$n" -eq 5 ]
	check "no 7202 datagram" bash -c "! grep -E '^0x' '$S' | grep -q ':7202(udp)'"
	# Hop after hop: from B's device to A's stack, where the error is
	# consumed, all one skb; and in order after its datagram's drop
	# began (icmp_send is the datagram's).
	check "an ICMP skb's hops: net_dev_queue, netif_receive_skb, consume_skb" \
		bash -c "grep -E '^0x' '$S' | grep '(icmp 3/3)' | awk '
			/net:net_dev_queue/ { q[\$1] = 1 }
			/net:netif_receive_skb/ { r[\$1] = 1 }
			/skb:consume_skb|skb:kfree_skb/ { d[\$1] = 1 }
			END { for (s in q) if (s in r && s in d) exit 0; exit 1 }'"
	check "each ICMP error after its datagram's icmp_send" \
		bash -c "grep -E '^0x' '$S' | awk '
			/:7201\\(udp\\) icmp:icmp_send/ { sent++ }
			/\\(icmp 3\\/3\\) net:net_dev_queue/ { if (++q > sent) bad = 1 }
			END { exit bad || q == 0 }'"
else
	not_ok "start trace (stackid)"
fi

# 3. JSON: the same events.
J=$TMP/stackid.json
if start_trace "$J" --filter-dst-port 7201 --filter-track-skb-by-stackid \
	--output-json; then
	send_mixed
	sleep 0.5
	stop_trace
	check "JSON: the 7201 datagrams' events and ICMP ones, nothing else" \
		jq_ok -s 'any(.[]; .tuple.dport == 7201) and
			any(.[]; .tuple.proto == "icmp") and
			all(.[]; .tuple.dport == 7201 or .tuple.proto == "icmp")' "$J"
else
	not_ok "start trace (stackid JSON)"
fi

finish
