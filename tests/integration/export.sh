#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Outputs that other tools read, checked by those tools: --output-json
# through jq, --output-file on disk, --output-pcap through tshark, on the
# iptables DROP scenario on the host kernel.
. "$(dirname "$0")/../lib.sh"

A=skbe-a-$$; B=skbe-b-$$
NET=10.216.$(( $$ % 200 + 20 ))
make_pair "$A" "$B" "$NET" || { not_ok "namespaces"; finish; exit; }
ip netns exec "$A" iptables -I OUTPUT 1 -p udp -d "$NET.2" --dport 7001 -j DROP ||
	not_ok "iptables rule"
INO_A=$(netns_inode "$A")

# 1. JSON lines into a file, with stacks.
J=$TMP/events.json
if start_trace "$TMP/json.stdout" --filter-netns "$A" --filter-proto udp \
		--output-json --output-stack --output-file "$J"; then
	send_udp_from "$A" "$NET.2" 7001 41100 3
	sleep 0.5
	stop_trace; rc=$?
	check "json: exits 0" [ "$rc" -eq 0 ]
	n=$(wc -l <"$J")
	check "json: events written to the file ($n lines)" [ "$n" -ge 3 ]
	check "json: nothing on stdout" [ ! -s "$TMP/json.stdout" ]
	check "json: file mode 0600" [ "$(stat -c %a "$J")" = 600 ]
	check "json: jq parses every line" jq_ok . "$J"
	check "json: drop with reason, location and tuple" \
		jq_ok --arg d "$NET.2" 'select(.drop.reason == "NETFILTER_DROP"
			and (.drop.location | startswith("nft_do_chain+0x"))
			and .tuple.daddr == $d and .tuple.dport == 7001
			and .tuple.sport == 41100 and .tuple.proto == "udp"
			and .func == "skb:kfree_skb")' "$J"
	check "json: netns, skb, process, stack fields" \
		jq_ok --argjson ns "$INO_A" 'select(.drop and .netns == $ns
			and (.skb | test("^0x[0-9a-f]+$"))
			and (.process | test(":[0-9]+$"))
			and (.stack | map(test("^nf_hook_slow\\+")) | any))' \
		"$J"
else
	not_ok "start trace (json)"
fi

# 2. pcap-ng, read by tshark: the packets, their comments, no warnings.
P=$TMP/events.pcapng
if start_trace "$TMP/pcap.out" --filter-netns "$A" --filter-dst-port 7001 \
		--output-pcap "$P"; then
	send_udp_from "$A" "$NET.2" 7001 41200 3
	sleep 0.5
	stop_trace
	events=$(grep -c '^0x' "$TMP/pcap.out")
	check "pcap: says how many packets it wrote" \
		grep -q "packets written to $P" "$TMP/pcap.out.err"
	tshark -r "$P" -T fields -e frame.comment -e udp.dstport \
		>"$TMP/tshark.out" 2>"$TMP/tshark.err"
	trc=$?
	pk=$(wc -l <"$TMP/tshark.out")
	check "pcap: tshark reads it (status $trc)" [ "$trc" -eq 0 ]
	check "pcap: tshark has no warnings" bash -c "! grep -v '^Running as user' '$TMP/tshark.err' | grep -q ."
	check "pcap: one packet per event ($pk packets, $events events)" \
		[ "$pk" -eq "$events" ] && [ "$pk" -ge 3 ]
	check "pcap: tshark decodes UDP to 7001" grep -qP '\t7001$' "$TMP/tshark.out"
	check "pcap: comments name the hook, skb and drop reason" \
		grep -qE "skb:kfree_skb skb=0x[0-9a-f]+ gen=[0-9]+ dropped\(NETFILTER_DROP\) nft_do_chain" "$TMP/tshark.out"
else
	not_ok "start trace (pcap)"
fi

# 3. Paths that cannot be written: a clear message and exit 2, at once.
ln -s /etc/skbscope-must-not-exist "$TMP/link.json"
badpath() {
	want=$1; shift
	timeout 10 "$SKBSCOPE" --no-tui "$@" >"$TMP/bad.out" 2>"$TMP/bad.err"
	rc=$?
	check "exit 2 and '$want' for $*" \
		bash -c "[ $rc -eq 2 ] && grep -q -- \"$want\" '$TMP/bad.err'"
}
badpath "cannot create '/nonexistent/x.json'" --output-file /nonexistent/x.json
badpath "symbolic link (not followed)" --output-file "$TMP/link.json"
badpath "empty path" --output-pcap ""
badpath "/nonexistent/x.pcapng" --output-pcap /nonexistent/x.pcapng
check "a planted symlink is not followed" [ ! -e /etc/skbscope-must-not-exist ]
finish
