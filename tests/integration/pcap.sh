#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# pcap-filter expressions on the host kernel: libpcap compiles them, the
# in-kernel classic-BPF interpreter runs them. The expression decides which
# datagrams are reported; a rejected expression exits 2 with libpcap's
# message.
. "$(dirname "$0")/../lib.sh"

A=skbp-a-$$; B=skbp-b-$$
NET=10.214.$(( $$ % 200 + 20 ))
V6=fd00:214:$(( $$ % 9000 + 1 ))
make_pair "$A" "$B" "$NET" "$V6" || { not_ok "namespaces"; finish; exit; }

# 1. udp and dst port 7001: only those datagrams, at every hook they pass.
OUT=$TMP/udp7001.txt
if start_trace "$OUT" --filter-netns "$B" "udp and dst port 7001"; then
	send_udp "$A" "$NET.2" 7001 3
	send_udp "$A" "$NET.2" 7002 3
	sleep 0.5
	stop_trace; rc=$?
	check "exits 0 on SIGINT" [ "$rc" -eq 0 ]
	n=$(grep -cE "$NET\.1:[0-9]+->$NET\.2:7001\(udp\)" "$OUT")
	check "reports datagrams to 7001 ($n events)" [ "$n" -ge 3 ]
	check "never reports 7002" bash -c "! grep -q ':7002(' '$OUT'"
	check "nothing but udp/7001" bash -c "! grep -E '^0x' '$OUT' | grep -qv ':7001(udp)'"
	check "says how it runs (bpf_loop on this kernel)" \
		grep -q "run in the kernel by bpf_loop" "$OUT.err"
	check "seen from the Ethernet header (netif_receive_skb)" \
		grep -qE ":7001\(udp\) net:netif_receive_skb" "$OUT"
else
	not_ok "start trace (udp and dst port 7001)"
fi

# 2. tcp: none of the same datagrams.
OUT=$TMP/tcp.txt
if start_trace "$OUT" --filter-netns "$B" tcp; then
	send_udp "$A" "$NET.2" 7001 3
	sleep 0.5
	stop_trace
	check "tcp reports none of the udp datagrams" \
		bash -c "! grep -q '(udp)' '$OUT'"
	check "the summary counts hooks hit" grep -q "hook hits" "$OUT.err"
else
	not_ok "start trace (tcp)"
fi

# 3. An IPv6 expression, as several words.
OUT=$TMP/v6.txt
if start_trace "$OUT" --filter-netns "$B" ip6 and udp dst port 7003; then
	send_udp "$A" "$V6::2" 7003 3
	send_udp "$A" "$NET.2" 7003 3
	sleep 0.5
	stop_trace
	n=$(grep -cE "\[$V6::1\]:[0-9]+->\[$V6::2\]:7003\(udp\)" "$OUT")
	check "ip6 and udp dst port 7003 reports the IPv6 datagrams ($n)" \
		[ "$n" -ge 3 ]
	check "and not the IPv4 ones" bash -c "! grep -q '$NET\\.2:7003' '$OUT'"
else
	not_ok "start trace (IPv6)"
fi

# 4. Combined with a structured flag: both must hold (AND).
OUT=$TMP/and.txt
if start_trace "$OUT" --filter-netns "$B" --filter-dst-port 7002 udp; then
	send_udp "$A" "$NET.2" 7001 2
	send_udp "$A" "$NET.2" 7002 2
	sleep 0.5
	stop_trace
	check "flag AND expression: 7002 reported" grep -q ":7002(udp)" "$OUT"
	check "flag AND expression: 7001 not" bash -c "! grep -q ':7001(' '$OUT'"
else
	not_ok "start trace (AND)"
fi

# 5. Expressions libpcap or the interpreter refuse: exit 2, clear message.
# Run in a network namespace of its own with nothing in it: an unknown
# host name makes libpcap ask the resolver, and that question must not
# leave the machine.
bad() {
	want=$1; shift
	unshare -n "$SKBSCOPE" --no-tui "$@" >"$TMP/bad.out" 2>"$TMP/bad.err"
	rc=$?
	check "exit 2 and '$want' for: $*" \
		bash -c "[ $rc -eq 2 ] && grep -q -- '$want' '$TMP/bad.err'"
}
bad "syntax error" "udp and"
bad "unknown host" "host no-such-host.invalid"
bad "expression too long" "$(printf 'port %d or ' $(seq 1 120))port 1"
bad "the in-kernel interpreter runs at most" \
	"$(printf 'net 10.%d.0.0/16 or ' $(seq 1 45))net 10.0.0.0/16"
bad "empty pcap-filter" " "
finish
