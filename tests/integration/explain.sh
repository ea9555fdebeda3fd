#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Drop explanations from the live kernel (core/explain/), held against the
# kernel's own tools rather than against skbscope: ss for sockets and
# their owners and counters, ip route get for routes, sysctl for rp_filter,
# tc -s for qdiscs, nstat for the drops themselves. build/explain-test
# makes the drop event (netns inode, addresses, ports, device, reason) and
# prints the explanation as key=value lines. Traffic goes only to
# addresses inside the namespaces made here.
. "$(dirname "$0")/../lib.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${OUT:-build}
case $OUT in /*) ;; *) OUT=$ROOT/$OUT ;; esac
EXPLAIN=${EXPLAIN_TEST:-$OUT/explain-test}
if [ ! -x "$EXPLAIN" ]; then
	make --no-print-directory -C "$ROOT" ${SANITIZE:+SANITIZE=$SANITIZE} \
		OUT="$OUT" "$EXPLAIN" >/dev/null ||
		{ not_ok "build $EXPLAIN"; finish; exit; }
fi

A=skbs-xa-$$; B=skbs-xb-$$
# Six /24s of our own: N the veth pair, N+1..N+3 error routes, N+4 a
# second pair, N+5 a source address that lives behind the first pair.
N=$(( $$ % 40 * 6 + 10 ))
NET=10.213.$N
BH=10.213.$((N + 1)); UR=10.213.$((N + 2)); PR=10.213.$((N + 3))
NET2=10.213.$((N + 4)); FAR=10.213.$((N + 5))
make_pair "$A" "$B" "$NET" || { not_ok "namespaces"; finish; exit; }
INO_A=$(netns_inode "$A"); INO_B=$(netns_inode "$B")

# explain OUTFILE ARGS...: run the driver; its output stays in OUTFILE.
explain() {
	local out=$1; shift
	"$EXPLAIN" "$@" >"$out" 2>&1
}
# check_all NAME 'CONDITION': passes when the shell condition (a list with
# && in it, evaluated here) holds; check alone would see only the first.
check_all() {
	if eval "$2"; then ok "$1"; else not_ok "$1"; fi
}
val() { sed -n "s/^$1=//p" "$2" | head -n1; }
has() { grep -qF -- "$2" "$1"; }
ifindex_of() { ip netns exec "$1" cat "/sys/class/net/$2/ifindex"; }
counter() {
	ip netns exec "$1" nstat -asz "$2" | awk -v c="$2" '$1 == c { print $2 }'
}
# ss_owner NS SS-ARGS...: "pid N (comm)" of the first socket ss lists.
ss_owner() {
	ip netns exec "$1" ss "${@:2}" |
		sed -n 's/.*users:(("\([^"]*\)",pid=\([0-9]*\),.*/pid \2 (\1)/p' |
		head -n1
}

# wait_ss NS ARGS... PATTERN: ss in NS shows PATTERN within 5 s.
wait_ss() {
	local ns=$1 pat=${*: -1}
	set -- "${@:2:$#-2}"
	for _ in $(seq 50); do
		ip netns exec "$ns" ss "$@" | grep -q -- "$pat" && return 0
		sleep 0.1
	done
	return 1
}

# A server in B: UDP 0.0.0.0:7002 bound, TCP NET.2:7012 listening, and
# UDP NET.2:7004 with a tiny receive buffer that is never read.
ip netns exec "$B" python3 - "$NET.2" <<'PY' &
import socket, sys, time
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(('0.0.0.0', 7002))
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
t.bind((sys.argv[1], 7012))
t.listen(8)
f = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
f.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
f.bind((sys.argv[1], 7004))
time.sleep(600)
PY
SERVER=$!
disown "$SERVER" # killed by cleanup, without a job notice
PIDS="$PIDS $SERVER"
wait_ss "$B" -lntu ':7004 ' || not_ok "server in $B did not start"

# 1. Closed ports. The kernel's truth: the datagram is counted as
# UdpNoPorts in B, ss shows nothing on the port, and ss names the owner of
# the nearest one.
OUT1=$TMP/udp.txt
before=$(counter "$B" UdpNoPorts)
send_udp "$A" "$NET.2" 7003 1
after=$(counter "$B" UdpNoPorts)
check "udp to 7003 is a NO_SOCKET drop in $B (UdpNoPorts $before -> $after)" \
	[ "${after:-0}" -gt "${before:-0}" ]
check "ss: nothing on udp :7003 in $B" \
	bash -c "! ip netns exec '$B' ss -lun | grep -q ':7003 '"
owner=$(ss_owner "$B" -lunp 'sport = :7002')
check "ss: udp 0.0.0.0:7002 is python3's ($owner)" [ "$owner" = "pid $SERVER (python3)" ]
explain "$OUT1" --netns "$INO_B" --reason NO_SOCKET --proto udp \
	--src "$NET.1" --dst "$NET.2" --sport 40000 --dport 7003
check "udp: kind no-socket" [ "$(val kind "$OUT1")" = no-socket ]
check "udp: nothing listens on udp $NET.2:7003 in netns $B" \
	has "$OUT1" "text=nothing listens on udp $NET.2:7003 in netns $B;"
check "udp: names the nearest bound port and its owner as ss does" \
	has "$OUT1" "udp 0.0.0.0:7002 is bound by $owner"

OUT1=$TMP/tcp.txt
towner=$(ss_owner "$B" -ltnp 'sport = :7012')
check "ss: tcp $NET.2:7012 listens, python3's ($towner)" \
	[ "$towner" = "pid $SERVER (python3)" ]
explain "$OUT1" --netns "$INO_B" --reason NO_SOCKET --proto tcp \
	--src "$NET.1" --dst "$NET.2" --sport 40001 --dport 7013
check "tcp: nothing listens on tcp $NET.2:7013, $NET.2:7012 is listened on by $towner" \
	has "$OUT1" "text=nothing listens on tcp $NET.2:7013 in netns $B; tcp $NET.2:7012 is listened on by $towner"
explain "$OUT1" --netns "$INO_B" --reason NO_SOCKET --proto tcp \
	--src "$NET.1" --dst "$NET.2" --sport 40001 --dport 7012
check "tcp: a port that listens now is said to" \
	has "$OUT1" "tcp $NET.2:7012 in netns $B is listened on now by $towner"

# The captured header bytes stand in for a missing tuple: an IPv4/UDP
# header to NET.2:7003 gives the same answer.
hexip() { printf '%02x' ${1//./ }; }
HDR=4500002100004000401100$(printf '00')$(hexip "$NET.1")$(hexip "$NET.2")9c401b5b000d0000
OUT1=$TMP/hdr.txt
explain "$OUT1" --netns "$INO_B" --reason NO_SOCKET --hdr "$HDR"
check "header bytes without a tuple give the same explanation" \
	has "$OUT1" "text=nothing listens on udp $NET.2:7003 in netns $B;"

# A flood of identical drops is one question to the kernel.
explain "$OUT1" --netns "$INO_B" --reason NO_SOCKET --proto udp \
	--src "$NET.1" --dst "$NET.2" --sport 40000 --dport 7003 --repeat 1000
check "1000 identical drops: one kernel query ($(grep asked "$OUT1"))" \
	has "$OUT1" "asked=1 cached=999"

# 2. Routes in A: blackhole, unreachable and prohibit prefixes, one in a
# table of its own reached by a rule, and a destination with no route.
ip -n "$A" route add blackhole "$BH.0/24"
ip -n "$A" route add unreachable "$UR.0/24"
ip -n "$A" route add prohibit "$PR.0/24"
ip -n "$A" rule add to "$UR.128/25" table 100 pref 100
ip -n "$A" route add prohibit "$UR.128/25" table 100
for c in "blackhole:$BH.9:$BH.0/24:main:Invalid argument" \
	"unreachable:$UR.9:$UR.0/24:main:No route to host" \
	"prohibit:$PR.9:$PR.0/24:main:Permission denied" \
	"prohibit:$UR.200:$UR.128/25:100:Permission denied"; do
	IFS=: read -r type dst pfx table err <<<"$c"
	truth=$(ip -n "$A" route get "$dst" 2>&1)
	check "ip route get $dst in $A: $err" [ "$truth" = "RTNETLINK answers: $err" ]
	check "ip route show table $table has $type $pfx" \
		bash -c "ip -n '$A' route show table '$table' type '$type' | grep -q '^$type $pfx '"
	OUT2=$TMP/route.txt
	explain "$OUT2" --netns "$INO_A" --reason IP_OUTNOROUTES --proto udp \
		--src "$NET.1" --dst "$dst" --sport 40000 --dport 9
	check "route: lookup for $dst names $type $pfx (table $table)" \
		has "$OUT2" "text=route lookup for $dst in netns $A: $type $pfx (table $table)"
done
truth=$(ip -n "$A" route get "$FAR.9" 2>&1)
check "ip route get $FAR.9 in $A: unreachable network" \
	[ "$truth" = "RTNETLINK answers: Network is unreachable" ]
explain "$OUT2" --netns "$INO_A" --reason IP_OUTNOROUTES --proto udp \
	--src "$NET.1" --dst "$FAR.9" --sport 40000 --dport 9
check "route: no route matches $FAR.9" \
	has "$OUT2" "text=route lookup for $FAR.9 in netns $A: no route matches (Network is unreachable)"
# On input: B does not forward, so a packet for another host fails
# whatever the route says (here: back out through A).
ip -n "$B" route add "$BH.0/24" via "$NET.1" dev vb
VB=$(ifindex_of "$B" vb)
fw=$(ip netns exec "$B" sysctl -n net.ipv4.conf.vb.forwarding)
truth=$(ip -n "$B" route get "$BH.9" from "$NET.1" iif vb 2>&1)
check_all "ip route get $BH.9 from $NET.1 iif vb in $B: host unreachable, forwarding=$fw" \
	'[ "$truth" = "RTNETLINK answers: No route to host" ] && [ "$fw" = 0 ]'
explain "$OUT2" --netns "$INO_B" --reason IP_INADDRERRORS --proto udp \
	--src "$NET.1" --dst "$BH.9" --sport 40000 --dport 9 --ifindex "$VB"
check "route: input lookup says forwarding is off on vb" \
	has "$OUT2" "from $NET.1 in on vb in netns $B: unicast $BH.0/24 via $NET.1 dev vb (table main); forwarding is off on vb"

# 3. rp_filter=1 with an asymmetric route: B reaches FAR through vb, but
# A sends from FAR out of a second pair, into vb2.
ip link add va2 netns "$A" type veth peer name vb2 netns "$B"
ip -n "$A" addr add "$NET2.1/24" dev va2
ip -n "$B" addr add "$NET2.2/24" dev vb2
ip -n "$A" link set va2 up; ip -n "$B" link set vb2 up
ip -n "$A" addr add "$FAR.1/32" dev lo
ip -n "$B" route add "$FAR.0/24" via "$NET.1" dev vb
ip netns exec "$B" sysctl -qw net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.vb2.rp_filter=1
# A static neighbour: B's rp_filter would refuse A's ARP from FAR too.
mac=$(ip netns exec "$B" cat /sys/class/net/vb2/address)
ip -n "$A" neigh replace "$NET2.2" lladdr "$mac" dev va2 nud permanent
before=$(counter "$B" TcpExtIPReversePathFilter)
ip netns exec "$A" python3 - "$FAR.1" "$NET2.2" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 0))
for _ in range(3):
    s.sendto(b'skbscope-test', (sys.argv[2], 7020))
PY
sleep 0.2
after=$(counter "$B" TcpExtIPReversePathFilter)
check "the kernel drops them by rp_filter (IPReversePathFilter $before -> $after)" \
	[ "${after:-0}" -gt "${before:-0}" ]
back=$(ip -n "$B" route get "$FAR.1" | sed -n 's/.* dev \([^ ]*\).*/\1/p' | head -n1)
rp=$(ip netns exec "$B" sysctl -n net.ipv4.conf.all.rp_filter net.ipv4.conf.vb2.rp_filter | tr '\n' ' ')
check_all "ip route get $FAR.1 in $B leaves by vb ($back); rp_filter all/vb2 = $rp" \
	'[ "$back" = vb ] && [ "$rp" = "1 1 " ]'
OUT3=$TMP/rp.txt
explain "$OUT3" --netns "$INO_B" --reason IP_RPFILTER --proto udp \
	--src "$FAR.1" --dst "$NET2.2" --sport 40000 --dport 7020 \
	--ifindex "$(ifindex_of "$B" vb2)"
check "rp_filter: strict on vb2, the route back leaves by $back" \
	has "$OUT3" "text=rp_filter=1 (strict) on vb2: the route back to $FAR.1 leaves by vb, not vb2"
check "rp_filter: the settings as sysctl has them" \
	[ "$(val f.rp_filter_all "$OUT3") $(val f.rp_filter_dev "$OUT3") " = "$rp" ]
# Loose mode, and a source with no route back at all.
ip netns exec "$B" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.vb2.rp_filter=2
truth=$(ip -n "$B" route get "$PR.7" 2>&1)
explain "$OUT3" --netns "$INO_B" --reason IP_RPFILTER --proto udp \
	--src "$PR.7" --dst "$NET2.2" --sport 40000 --dport 7020 \
	--ifindex "$(ifindex_of "$B" vb2)"
check "rp_filter: loose (max of all=0, vb2=2), no route back ($truth)" \
	has "$OUT3" "text=rp_filter=2 (loose) on vb2: there is no route back to $PR.7 (Network is unreachable)"

# 4. A full receive buffer: flood the never-read socket, then compare
# with the skmem counters ss shows.
ip netns exec "$A" python3 - "$NET.2" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(300):
    s.sendto(b'x' * 200, (sys.argv[1], 7004))
PY
sleep 0.2
skmem=$(ip netns exec "$B" ss -lumn 'sport = :7004' | grep -o 'skmem:([^)]*)')
d=$(sed -n 's/.*,d\([0-9]*\)).*/\1/p' <<<"$skmem")
rb=$(sed -n 's/.*,rb\([0-9]*\),.*/\1/p' <<<"$skmem")
OUT4=$TMP/rcvbuf.txt
explain "$OUT4" --netns "$INO_B" --reason SOCKET_RCVBUFF --proto udp \
	--src "$NET.1" --dst "$NET.2" --sport 40002 --dport 7004
drops=$(val f.drops "$OUT4")
check "rcvbuf: ss shows drops ($skmem)" [ "${d:-0}" -gt 0 ]
check_all "rcvbuf: drops $drops = ss d$d" \
	'[ -n "$drops" ] && [ "$drops" -ge "$d" ] && [ "$drops" -le $((d + 2)) ]'
check "rcvbuf: buffer $(val f.rcvbuf "$OUT4") = ss rb$rb" [ "$(val f.rcvbuf "$OUT4")" = "$rb" ]
check "rcvbuf: the socket and its owner named" \
	has "$OUT4" "text=udp $NET.2:7004 in netns $B, pid $SERVER (python3): receive buffer $rb bytes (SO_RCVBUF)"

# 5. A qdisc that drops: htb at 1 Mbit/s over a one-packet pfifo on va
# (veth never backs up a root pfifo: it needs the rate limit).
if ip netns exec "$A" tc qdisc add dev va root handle 1: htb default 10 2>/dev/null &&
	ip netns exec "$A" tc class add dev va parent 1: classid 1:10 htb rate 1mbit &&
	ip netns exec "$A" tc qdisc add dev va parent 1:10 handle 10: pfifo limit 1; then
	ip netns exec "$A" python3 - "$NET.2" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(200):
    try:
        s.sendto(b'x' * 1000, (sys.argv[1], 7009))
    except OSError:
        pass
PY
	tcd=$(ip netns exec "$A" tc -s qdisc show dev va | sed -n '/^qdisc pfifo 10:/,/dropped/s/.*dropped \([0-9]*\).*/\1/p')
	OUT5=$TMP/qdisc.txt
	explain "$OUT5" --netns "$INO_A" --reason QDISC_DROP --ifindex "$(ifindex_of "$A" va)"
	check "qdisc: tc -s shows pfifo 10: dropping (${tcd:-?})" [ "${tcd:-0}" -gt 0 ]
	check "qdisc: names pfifo 10:, its limit and tc's drop count" \
		has "$OUT5" "text=qdisc pfifo 10: (parent 1:10) on va in netns $A: limit 1 packets, $tcd dropped so far"
	ip netns exec "$A" tc qdisc del dev va root
else
	ok "qdisc: skipped (no htb on this kernel)"
fi

# 6. Hostile input.
OUT6=$TMP/hostile.txt
ip netns add "skbs-xc-$$" && NETNS_LIST="$NETNS_LIST skbs-xc-$$"
INO_C=$(netns_inode "skbs-xc-$$")
ip netns del "skbs-xc-$$"
explain "$OUT6" --netns "$INO_C" --reason NO_SOCKET --proto udp \
	--src "$NET.1" --dst "$NET.2" --sport 1 --dport 7003 --repeat 50
check "a netns that vanished: the reason's sentence, and why" \
	has "$OUT6" "text=No socket took the packet:"
check "a netns that vanished: cannot enter netns $INO_C: gone" \
	has "$OUT6" "[cannot enter netns $INO_C: gone"
check_all "a netns that vanished: kind reason, -ENOENT, looked for once" \
	'[ "$(val kind "$OUT6")" = reason ] && [ "$(val ret "$OUT6")" = -2 ] &&
	 has "$OUT6" "asked=1 cached=49"'
explain "$OUT6" --netns 0 --reason NO_SOCKET --proto udp \
	--src "$NET.1" --dst "$NET.2" --sport 1 --dport 7003
check "no netns (0): the sentence, and that the netns is not known" \
	has "$OUT6" "[the packet's netns is not known]"
explain "$OUT6" --netns "$INO_B" --reason IP_RPFILTER --proto udp \
	--src "$FAR.1" --dst "$NET2.2" --sport 1 --dport 2 --ifindex 9999
check "a device that is gone: said so" has "$OUT6" "device 9999 (?) is gone from netns $B"
explain "$OUT6" --netns "$INO_B" --reason NO_SOCKET
check "no addresses captured: the kernel is not asked" \
	has "$OUT6" "were not captured, so the kernel was not asked"
explain "$OUT6" --netns "$INO_B" --reason WIDGET_JAMMED --proto udp \
	--src "$NET.1" --dst "$NET.2" --sport 1 --dport 2
check "an unknown reason: a sentence made from its name" \
	has "$OUT6" "text=The kernel gave drop reason WIDGET_JAMMED (widget jammed)"
# Every reason of the running kernel has a sentence of its own.
if names=$(bpftool btf dump file /sys/kernel/btf/vmlinux format raw 2>/dev/null |
	awk '/ENUM .skb_drop_reason/ { f = 1; next } f && /^\[/ { exit } f' |
	sed -nE "s/.*'(SKB_DROP_REASON_|SKB_)([A-Z0-9_]+)'.*/\2/p" |
	grep -vxE 'MAX|SUBSYS_MASK') && [ -n "$names" ]; then
	bare=""
	for r in $names; do
		explain "$OUT6" --netns "$INO_B" --reason "$r"
		has "$OUT6" "does not describe yet" && bare="$bare $r"
	done
	check "all $(wc -w <<<"$names") reasons of this kernel have a sentence${bare:+ (not:$bare)}" \
		[ -z "$bare" ]
else
	ok "kernel reasons: skipped (no BTF or bpftool)"
fi

finish
