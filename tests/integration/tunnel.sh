#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Tunnels on the host kernel: --filter-tunnel-pcap-l2/-l3 run a pcap
# expression in the kernel on the inner packet, --output-tunnel shows the
# outer header and the inner tuple. VXLAN between two namespaces over a
# veth pair, with real vxlan devices; Geneve, GRE and IPIP packets are
# built by hand and sent from a raw socket (this kernel has no geneve,
# ip_gre or ipip driver), which is all the parser in the kernel sees.
. "$(dirname "$0")/../lib.sh"

A=skbt-a-$$; B=skbt-b-$$
NET=10.223.$(( $$ % 200 + 20 ))
IN=10.224.$(( $$ % 200 + 20 ))
make_pair "$A" "$B" "$NET" || { not_ok "namespaces"; finish; exit; }
if ! ip -n "$A" link add vx0 type vxlan id 42 local "$NET.1" \
	remote "$NET.2" dstport 4789 dev va 2>/dev/null ||
   ! ip -n "$B" link add vx0 type vxlan id 42 local "$NET.2" \
	remote "$NET.1" dstport 4789 dev vb; then
	not_ok "vxlan devices (CONFIG_VXLAN)"; finish; exit
fi
ip -n "$A" addr add "$IN.1/24" dev vx0; ip -n "$B" addr add "$IN.2/24" dev vx0
ip -n "$A" link set vx0 up; ip -n "$B" link set vx0 up

# 1. Two inner flows, 7101 and 7102: the l3 filter picks out one.
OUT=$TMP/l3.txt
if start_trace "$OUT" --filter-netns "$A" --output-tunnel \
	--filter-tunnel-pcap-l3 "udp and dst port 7101" "udp port 4789"; then
	send_udp "$A" "$IN.2" 7101 3
	send_udp "$A" "$IN.2" 7102 3
	sleep 0.5
	stop_trace; rc=$?
	check "exits 0 on SIGINT" [ "$rc" -eq 0 ]
	n=$(grep -cE "tunnel vxlan vni 42 inner $IN\.1:[0-9]+->$IN\.2:7101\(udp\)" "$OUT")
	check "reports the VXLAN packets of inner flow 7101 ($n)" [ "$n" -ge 3 ]
	check "outer tuple is the underlay's UDP 4789" \
		grep -qE "$NET\.1:[0-9]+->$NET\.2:4789\(udp\).*tunnel vxlan" "$OUT"
	check "never inner flow 7102" bash -c "! grep -q ':7102(' '$OUT'"
	check "says where the tunnel filter runs" \
		grep -q "tunnel pcap-filter l3 'udp and dst port 7101'" "$OUT.err"
else
	not_ok "start trace (tunnel l3)"
fi

# 2. The l2 filter, on the inner Ethernet header, and JSON output.
OUT=$TMP/l2.json
if start_trace "$OUT" --filter-netns "$A" --output-json --output-tunnel \
	--filter-tunnel-pcap-l2 "ip and udp dst port 7102" "udp port 4789"; then
	send_udp "$A" "$IN.2" 7101 3
	send_udp "$A" "$IN.2" 7102 3
	sleep 0.5
	stop_trace
	n=$(jq -c 'select(.tunnel.kind == "vxlan" and .tunnel.vni == 42 and
		.tunnel.inner.dport == 7102)' "$OUT" | wc -l)
	check "JSON: tunnel kind, vni and inner tuple ($n events)" [ "$n" -ge 3 ]
	check "JSON: outer tuple in tunnel.outer" jq_ok -s \
		"[.[] | select(.tunnel.outer.dport == 4789 and .tunnel.outer.daddr == \"$NET.2\")] | length > 0" "$OUT"
	check "JSON: no inner flow 7101" jq_ok -s \
		'[.[] | select(.tunnel.inner.dport == 7101)] | length == 0' "$OUT"
else
	not_ok "start trace (tunnel l2)"
fi

# 3. Hand-made Geneve, GRE (IP and transparent Ethernet) and IPIP packets,
# two inner ports each: the filter keeps 7201 only.
craft() {
	ip netns exec "$A" python3 - "$NET.2" "$1" <<'PY'
import socket, struct, sys
dst, kind = sys.argv[1], sys.argv[2]
def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
def ip4(src, dst, proto, payload):
    h = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(payload), 1, 0, 64,
                    proto, 0, socket.inet_aton(src), socket.inet_aton(dst))
    h = h[:10] + struct.pack('!H', csum(h)) + h[12:]
    return h + payload
def udp(sport, dport, payload):
    return struct.pack('!HHHH', sport, dport, 8 + len(payload), 0) + payload
def eth(payload):
    return b'\x02\0\0\0\0\x02' + b'\x02\0\0\0\0\x01' + b'\x08\x00' + payload
for port in (7201, 7202):
    inner = ip4('10.99.0.1', '10.99.0.2', 17, udp(5555, port, b'skbscope'))
    if kind == 'geneve':
        # version 0, options 1 word long, transparent Ethernet, VNI 77;
        # the option: class 0x0101, type 1, no data
        hdr = struct.pack('!BBH', 1, 0, 0x6558) + struct.pack('!I', 77 << 8)
        msg = hdr + struct.pack('!HBB', 0x0101, 0x01, 0)
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.sendto(msg + eth(inner), (dst, 6081))
    elif kind in ('gre', 'gretap'):
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 47)
        if kind == 'gre':   # key present (0x2000), key 99, IPv4
            s.sendto(struct.pack('!HHI', 0x2000, 0x0800, 99) + inner, (dst, 0))
        else:               # no options, transparent Ethernet bridging
            s.sendto(struct.pack('!HH', 0, 0x6558) + eth(inner), (dst, 0))
    elif kind == 'ipip':
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 4)
        s.sendto(inner, (dst, 0))
PY
}
for kind in geneve gre gretap ipip; do
	OUT=$TMP/$kind.txt
	case $kind in
	geneve) outer="udp port 6081"; tun="geneve vni 77"; l=l2 ;;
	gre) outer="proto 47"; tun="gre key 99"; l=l3 ;;
	gretap) outer="proto 47"; tun="gre"; l=l2 ;;
	ipip) outer="proto 4"; tun="ipip"; l=l3 ;;
	esac
	if start_trace "$OUT" --filter-netns "$A" --output-tunnel \
		--filter-tunnel-pcap-$l "udp and dst port 7201" "$outer"; then
		craft "$kind"
		sleep 0.5
		stop_trace
		n=$(grep -cE "tunnel $tun inner 10\.99\.0\.1:5555->10\.99\.0\.2:7201\(udp\)" "$OUT")
		check "$kind: tunnel-pcap-$l keeps inner 7201 ($n events)" [ "$n" -ge 1 ]
		check "$kind: and not inner 7202" bash -c "! grep -q ':7202(' '$OUT'"
	else
		not_ok "start trace ($kind)"
	fi
done

# 4. The explorer: a tunnel term typed into the filter bar is written into
# the kernel's map live; the detail pane decodes the inner packet under the
# outer one (--output-tunnel raises the explorer's snaplen to 128).
if command -v tmux >/dev/null; then
	S=skbt-tui-$$
	screen() { screen_of "$S"; }
	wait_screen() { wait_screen_of "$S" "$@"; }
	rm -f "$TMP/ready"
	tm new-session -d -s "$S" -x 132 -y 50 \
		"$SKBSCOPE --filter-netns $A --output-tunnel --ready-file $TMP/ready 2>$TMP/tui.err; sleep 30"
	if wait_file "$TMP/ready" 30 && wait_screen "^ skbscope .*tracepoint" 10; then
		tm send-keys -t "$S" '\'
		tm send-keys -t "$S" C-u
		tm send-keys -t "$S" -l 'udp port 4789 ; tunnel-l3 udp and dst port 7102'
		tm send-keys -t "$S" Enter
		check "explorer: the tunnel term is applied" \
			wait_screen "filter applied in the kernel" 5
		send_udp "$A" "$IN.2" 7101 2
		send_udp "$A" "$IN.2" 7102 2
		check "explorer: VXLAN rows" \
			wait_screen "$NET\.1:[0-9]+->$NET\.2:4789\(udp\)" 10
		sleep 0.5
		rows=$(screen | grep -cE "$NET\.1:[0-9]+->$NET\.2:4789\(udp\)")
		check "explorer: the 7102 flow's 2 packets, not the 7101 flow's ($rows rows)" \
			[ "$rows" -eq 2 ]
		tm send-keys -t "$S" Enter
		check "explorer: the detail pane decodes the tunnel" \
			wait_screen "vxlan vni 42; the inner packet:" 5
		check "explorer: the inner packet is the 7102 flow" \
			wait_screen "UDP +[0-9]+ -> 7102" 3
		screen >"$TMP/last-screen"
		tm send-keys -t "$S" q
	else
		not_ok "explorer starts"; cat "$TMP/tui.err"
	fi
	tm kill-session -t "$S" 2>/dev/null
else
	not_ok "tmux is not installed: the explorer checks cannot run"
fi

# 5. Bad tunnel expressions: exit 2, the flag named.
bad() {
	want=$1; shift
	unshare -n "$SKBSCOPE" --no-tui "$@" >"$TMP/bad.out" 2>"$TMP/bad.err"
	rc=$?
	check "exit 2 and '$want' for: $*" \
		bash -c "[ $rc -eq 2 ] && grep -q -- '$want' '$TMP/bad.err'"
}
bad "--filter-tunnel-pcap-l3: pcap-filter .udp and..*syntax error" --filter-tunnel-pcap-l3 "udp and"
bad "--filter-tunnel-pcap-l2: empty expression" --filter-tunnel-pcap-l2 " "
bad "--filter-tunnel-pcap-l3: pcap-filter .ether host" \
	--filter-tunnel-pcap-l3 "ether host 1:2:3:4:5:6"
finish
