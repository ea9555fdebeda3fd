#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# --filter-skb-expr, --output-skb-metadata and --kernel-btf on the host
# kernel, against real packets between two namespaces: an expression on
# skb->mark reports exactly what --filter-mark reports (nft sets the mark),
# one on skb->len agrees with the lengths sent, one on skb->dev->ifindex
# with --filter-ifname, and the metadata values are the events' own mark
# and length. Each pair of filters runs at once, over the same packets.
. "$(dirname "$0")/../lib.sh"

A=skbx-a-$$; B=skbx-b-$$
NET=10.226.$(( $$ % 200 + 20 ))
make_pair "$A" "$B" "$NET" || { not_ok "namespaces"; finish; exit; }
# Datagrams to 7101 leave A with mark 0x40; 7102's keep mark 0.
ip netns exec "$A" nft -f - <<EOF || not_ok "nft mark rule"
table inet skbx {
	chain out {
		type filter hook output priority 0;
		udp dport 7101 meta mark set 0x40
	}
}
EOF

# send_sized NS DST PORT SIZE...: one datagram of each payload size.
send_sized() {
	ns=$1 dst=$2 port=$3; shift 3
	ip netns exec "$ns" python3 - "$dst" "$port" "$@" <<'PY'
import socket, sys, time
dst, port = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for n in sys.argv[3:]:
    s.sendto(b'x' * int(n), (dst, port))
    time.sleep(0.05)
PY
}

# start2 OUT1 OUT2 -- ARGS1 -- ARGS2: two traces at once; TRACE1/TRACE2.
start2() {
	o1=$1 o2=$2; shift 3
	a1=(); while [ "$1" != -- ]; do a1+=("$1"); shift; done; shift
	start_trace "$o1" "${a1[@]}" || return 1
	TRACE1=$TRACE_PID
	start_trace "$o2" "$@" || return 1
	TRACE2=$TRACE_PID
}
stop2() {
	kill -INT "$TRACE1" "$TRACE2" 2>/dev/null
	wait "$TRACE1"; r1=$?
	wait "$TRACE2"; r2=$?
	[ "$r1" -eq 0 ] && [ "$r2" -eq 0 ]
}
# The event lines alone, sorted: what both filters must agree on.
events() { grep -E '^0x' "$1" | sort; }

# 1. skb->mark == 0x40 and --filter-mark 0x40: the same events.
M1=$TMP/mark.txt; M2=$TMP/expr-mark.txt
if start2 "$M1" "$M2" -- --filter-mark 0x40 -- \
	--filter-skb-expr 'skb->mark == 0x40'; then
	send_sized "$A" "$NET.2" 7101 50 100 150
	send_sized "$A" "$NET.2" 7102 50 100 150
	sleep 0.5
	check "both traces exit 0" stop2
	n=$(events "$M1" | wc -l)
	check "--filter-mark 0x40 reports the marked datagrams ($n events)" \
		[ "$n" -ge 3 ]
	check "every one to port 7101" \
		bash -c "! grep -E '^0x' '$M1' | grep -qv ':7101(udp)'"
	check "skb->mark == 0x40 reports exactly those events" \
		diff <(events "$M1") <(events "$M2")
else
	not_ok "start traces (mark)"
fi

# 2. skb->len > 500 against the lengths sent: payloads of 10, 200 and 480
# bytes stay at or under 500 bytes with their headers (28 at IP, 42 at
# Ethernet: 522 is over), 600 and 1000 are over.
L1=$TMP/len-all.txt; L2=$TMP/len-expr.txt
if start2 "$L1" "$L2" -- --filter-netns "$B" --filter-dst-port 7102 -- \
	--filter-netns "$B" --filter-dst-port 7102 \
	--filter-skb-expr 'skb->len > 500'; then
	send_sized "$A" "$NET.2" 7102 10 200 480 600 1000
	sleep 0.5
	check "both traces exit 0 (len)" stop2
	# LEN is the ninth column.
	big=$(grep -E '^0x' "$L1" | awk '$9 > 500' | sort)
	check "the unfiltered trace saw long and short datagrams" \
		bash -c "grep -E '^0x' '$L1' | awk '\$9 <= 500' | grep -q . &&
			[ -n '$(echo "$big" | head -c1)' ]"
	check "skb->len > 500 reports exactly the events longer than 500" \
		diff <(echo "$big") <(events "$L2")
	check "... among them the 600 and 1000 byte payloads" \
		bash -c "grep -E '^0x' '$L2' | awk '\$9 == 628 || \$9 == 642' | grep -q . &&
			grep -E '^0x' '$L2' | awk '\$9 == 1028 || \$9 == 1042' | grep -q ."
else
	not_ok "start traces (len)"
fi

# 3. A pointer chain: skb->dev->ifindex against --filter-ifname.
IDX=$(ip netns exec "$B" cat /sys/class/net/vb/ifindex)
D1=$TMP/dev-name.txt; D2=$TMP/dev-expr.txt
if start2 "$D1" "$D2" -- --filter-netns "$B" --filter-ifname vb -- \
	--filter-netns "$B" --filter-skb-expr "skb->dev->ifindex == $IDX && skb->dev != 0"; then
	send_sized "$A" "$NET.2" 7102 64 64 64
	sleep 0.5
	check "both traces exit 0 (dev)" stop2
	check "--filter-ifname vb saw events" bash -c "grep -E '^0x' '$D1' | grep -q vb"
	check "skb->dev->ifindex == $IDX reports the same events" \
		diff <(events "$D1") <(events "$D2")
else
	not_ok "start traces (dev)"
fi

# 4. --output-skb-metadata: each line carries its own mark and length.
O=$TMP/meta.txt
if start_trace "$O" --filter-mark 0x40 \
	--output-skb-metadata 'skb->mark,skb->len'; then
	send_sized "$A" "$NET.2" 7101 77 333
	sleep 0.5
	stop_trace
	n=$(grep -cE '^0x' "$O")
	check "metadata events ($n)" [ "$n" -ge 2 ]
	check "each ends with skb->mark=0x40 skb->len=<its LEN in hex>" \
		bash -c "grep -E '^0x' '$O' | awk '{ want = sprintf(\"skb->mark=0x40 skb->len=0x%x\", \$9);
			if (index(\$0, want) == 0) { print; bad = 1 } } END { exit bad }'"
else
	not_ok "start trace (metadata)"
fi
# A recording keeps the values and their names; the replay shows them.
R=$TMP/meta.skbs
if start_trace "$TMP/rec.txt" --filter-mark 0x40 --record "$R" \
	--output-skb-metadata 'skb->mark,skb->len'; then
	send_sized "$A" "$NET.2" 7101 77
	sleep 0.5
	stop_trace
	"$SKBSCOPE" --replay "$R" --no-tui >"$TMP/replay.txt" 2>&1
	check "a replay shows the recorded skb->mark=0x40 skb->len=..." \
		bash -c "grep -E '^0x' '$TMP/replay.txt' | grep -q 'skb->mark=0x40 skb->len=0x'"
	check "... and the same lines as the live run" \
		diff <(events "$TMP/rec.txt") <(events "$TMP/replay.txt")
else
	not_ok "start trace (metadata recording)"
fi
J=$TMP/meta.json
if start_trace "$J" --filter-mark 0x40 --output-json \
	--output-skb-metadata 'skb->mark, skb->len'; then
	send_sized "$A" "$NET.2" 7101 77
	sleep 0.5
	stop_trace
	check "JSON: a meta object on every event, with mark 64 and len = .len" \
		jq_ok -s 'length > 0 and all(.[]; .meta["skb->mark"] == 64 and
			.meta["skb->len"] == .len)' "$J"
else
	not_ok "start trace (metadata JSON)"
fi

# 5. --kernel-btf: a copy of the kernel's BTF works; a file that is not
# BTF, and a missing one, are refused naming the path.
cp /sys/kernel/btf/vmlinux "$TMP/vmlinux.btf"
K=$TMP/kbtf.txt
if start_trace "$K" --kernel-btf "$TMP/vmlinux.btf" \
	--filter-skb-expr 'skb->mark == 0x40'; then
	send_sized "$A" "$NET.2" 7101 60
	sleep 0.5
	stop_trace
	check "--kernel-btf COPY: the expression reports the marked datagram" \
		grep -q ':7101(udp)' "$K"
else
	not_ok "start trace (--kernel-btf)"
fi
head -c 4096 /dev/urandom >"$TMP/bad.btf"
"$SKBSCOPE" --no-tui --kernel-btf "$TMP/bad.btf" --filter-skb-expr \
	'skb->mark == 1' >"$TMP/bad.out" 2>&1
rc=$?
check "a bad --kernel-btf file with an expression: exit 2 ($rc)" [ "$rc" -eq 2 ]
check "... naming the file" grep -q -- "--kernel-btf $TMP/bad.btf: cannot read BTF" "$TMP/bad.out"
timeout 30 "$SKBSCOPE" --no-tui --kernel-btf "$TMP/bad.btf" --output-limit-lines 1 \
	>"$TMP/bad2.out" 2>&1
rc=$?
check "a bad --kernel-btf file, no expression: tracing cannot start ($rc)" [ "$rc" -eq 1 ]
check "... naming the file" grep -q -- "--kernel-btf $TMP/bad.btf: cannot read BTF" "$TMP/bad2.out"
"$SKBSCOPE" --no-tui --kernel-btf "$TMP/nonexistent" >"$TMP/miss.out" 2>&1
rc=$?
check "a missing --kernel-btf path: exit 2 ($rc)" [ "$rc" -eq 2 ]
check "... naming it" grep -q -- "--kernel-btf '$TMP/nonexistent': No such file" "$TMP/miss.out"

finish
