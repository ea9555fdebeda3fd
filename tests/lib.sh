# SPDX-License-Identifier: GPL-2.0
# Shared by the shell tests: TAP-like checks that end with the line
# "N passed, N failed", and private network namespaces that are removed on
# any exit. Traffic goes only to addresses inside these namespaces.

PASS=0
FAIL=0
SKBSCOPE=${SKBSCOPE:-$(cd "$(dirname "$0")/../.." && pwd)/skbscope}
TMP=$(mktemp -d /tmp/skbscope-test.XXXXXX)
NETNS_LIST=""
PIDS=""

ok() { PASS=$((PASS + 1)); echo "ok   $*"; }
not_ok() { FAIL=$((FAIL + 1)); echo "FAIL $*"; }
# check NAME COMMAND...: passes when the command succeeds.
check() {
	name=$1; shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}
finish() {
	echo "$PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
}

# tmux on a private socket, for tests that drive a real terminal.
TSOCK=$TMP/tmux.sock
tm() { tmux -S "$TSOCK" "$@"; }
screen_of() { tm capture-pane -p -t "$1"; }
# wait_screen_of SESSION PATTERN SECONDS: the pane shows PATTERN (grep -E).
wait_screen_of() {
	for _ in $(seq $(($3 * 10))); do
		screen_of "$1" | grep -qE -- "$2" && return 0
		sleep 0.1
	done
	return 1
}

cleanup() {
	[ -S "$TSOCK" ] && tm kill-server 2>/dev/null
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	for ns in $NETNS_LIST; do ip netns del "$ns" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# BPF programs and links left behind. bpf_mark notes the ones there now;
# bpf_leaks prints those added since that no live process holds through a
# file descriptor (a link's fdinfo also names its program): other tools,
# or another skbscope running meanwhile, are not a leak, and ours are
# gone once ours has exited. The kernel frees a closed program a little
# later, so a leak must last 3 s to count.
bpf_ids() {
	{
		bpftool prog list -j | jq -r '.[] | "prog:\(.id)"'
		bpftool link list -j | jq -r '.[] | "link:\(.id)"'
	} 2>/dev/null | sort -u
}
held_ids() {
	grep -h -E '^(prog_id|link_id):' /proc/[0-9]*/fdinfo/* 2>/dev/null |
		sed -E 's/^(prog|link)_id:[[:space:]]*/\1:/' | sort -u
}
bpf_mark() { bpf_ids >"$TMP/bpf.before"; }
bpf_leaks() {
	local leak
	for _ in $(seq 30); do
		leak=$(comm -13 "$TMP/bpf.before" <(bpf_ids) |
			comm -23 - <(held_ids) | tr '\n' ' ')
		[ -z "$leak" ] && return 0
		sleep 0.1
	done
	echo "$leak"
}

# make_pair A B NET: namespaces A and B joined by a veth pair, A=NET.1,
# B=NET.2 (NET like 10.213.7), plus fd00:213:7::1/2 for IPv6.
make_pair() {
	a=$1; b=$2; net=$3; v6=$4
	ip netns add "$a" && NETNS_LIST="$NETNS_LIST $a" || return 1
	ip netns add "$b" && NETNS_LIST="$NETNS_LIST $b" || return 1
	ip link add va netns "$a" type veth peer name vb netns "$b" || return 1
	ip -n "$a" addr add "$net.1/24" dev va
	ip -n "$b" addr add "$net.2/24" dev vb
	if [ -n "$v6" ]; then
		ip -n "$a" addr add "$v6::1/64" dev va nodad
		ip -n "$b" addr add "$v6::2/64" dev vb nodad
	else
		# No IPv6 asked for: none at all, so that router and
		# multicast listener chatter cannot become the newest
		# packet (or drop) a test looks at.
		for n in "$a" "$b"; do
			ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
				net.ipv6.conf.default.disable_ipv6=1
		done
	fi
	ip -n "$a" link set lo up; ip -n "$b" link set lo up
	ip -n "$a" link set va up; ip -n "$b" link set vb up
}

# send_udp NS DST PORT COUNT: datagrams from NS (errors such as EPERM from
# a DROP rule are expected and ignored).
send_udp() {
	ip netns exec "$1" python3 - "$2" "$3" "$4" <<'PY'
import socket, sys, time
dst, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
fam = socket.AF_INET6 if ':' in dst else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
for i in range(n):
    try:
        s.sendto(b'skbscope-test', (dst, port))
    except OSError:
        pass
    time.sleep(0.05)
PY
}

# send_udp_from NS DST PORT SPORT COUNT: from a fixed source port, so a test
# can tell these datagrams apart on screen.
send_udp_from() {
	ip netns exec "$1" python3 - "$2" "$3" "$4" "$5" <<'PY'
import socket, sys, time
dst, port, sport, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('', sport))
for i in range(n):
    try:
        s.sendto(b'skbscope-test', (dst, port))
    except OSError:
        pass
    time.sleep(0.05)
PY
}

# wait_file PATH SECONDS
wait_file() {
	i=0
	while [ ! -e "$1" ] && [ "$i" -lt $(($2 * 10)) ]; do
		sleep 0.1; i=$((i + 1))
	done
	[ -e "$1" ]
}

# start_trace OUT ARGS...: skbscope in line mode in the background, waits
# until it is attached. Sets TRACE_PID.
start_trace() {
	out=$1; shift
	rm -f "$TMP/ready"
	"$SKBSCOPE" --no-tui --ready-file "$TMP/ready" "$@" >"$out" \
		2>"$out.err" &
	TRACE_PID=$!
	PIDS="$PIDS $TRACE_PID"
	if ! wait_file "$TMP/ready" 30; then
		echo "skbscope did not become ready:"; cat "$out.err"
		return 1
	fi
}

# stop_trace: SIGINT, then wait for a clean exit. Returns its status.
stop_trace() {
	kill -INT "$TRACE_PID" 2>/dev/null
	wait "$TRACE_PID"
}

# jq_ok ARGS...: jq -e, quietly (for check).
jq_ok() { jq -e "$@" >/dev/null; }

netns_inode() { stat -L -c %i "/var/run/netns/$1"; }

# skbscope_table NS: the name of the (first) trace table skbscope made in
# NS ("skbscope_PID"); list_trace_table NS: that table as nft lists it.
skbscope_table() {
	ip netns exec "$1" nft list tables 2>/dev/null |
		awk '$2 == "inet" && $3 ~ /^skbscope_[0-9]+$/ { print $3; exit }'
}
list_trace_table() {
	local t
	t=$(skbscope_table "$1")
	[ -n "$t" ] && ip netns exec "$1" nft list table inet "$t" 2>&1
}
export -f skbscope_table list_trace_table
