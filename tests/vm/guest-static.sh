# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM of tests/vm/static.sh (busybox sh), in an image
# with skbscope-static and no shared library, no terminfo, no locale: the
# line-mode checks of the matrix that need nothing but lo (a closed port,
# so no iptables), then the explorer on the serial console for the host
# to drive through tmux, with the second serial port for commands:
#   send PORT COUNT SPORT   COUNT datagrams 127.0.0.1:SPORT -> :PORT
#   terminfo                what skbscope left under /tmp (none expected)
. /guest-lib.sh
FUNCS='^(ip_|__ip_|udp|__udp|kfree_skb|sk_skb_reason|consume_skb|__dev_queue|dev_hard|__netif|netif_)'
DROPFN=sk_skb_reason_drop

vmcheck "the image has no terminfo" \
	sh -c '! ls -d /lib/terminfo /usr/share/terminfo /etc/terminfo 2>/dev/null | grep -q .'
vmcheck "the image has no dynamic loader" \
	sh -c '! ls /lib64/ld-linux* /lib/ld-linux* 2>/dev/null | grep -q .'
v=$(/skbscope --version)
vmcheck "--version: $v" sh -c "echo '$v' | grep -q '^skbscope [0-9a-z]'"

# trace BACKEND OUT ARGS...: line mode while 2 datagrams go to 7002, where
# nothing listens.
trace() {
	b=$1; out=$2; shift 2
	rm -f /tmp/ready
	/skbscope --no-tui --backend "$b" --ready-file /tmp/ready \
		--filter-proto udp --filter-dst-ip 127.0.0.1 "$@" \
		>"$out" 2>"$out.err" &
	pid=$!
	if ! wait_ready /tmp/ready "$pid" 300; then
		cat "$out.err"
		return 1
	fi
	send_udp 127.0.0.1 7002 2
	sleep 1
	kill -INT "$pid"; wait "$pid"
}

if trace kprobe-multi /tmp/km --filter-func "$FUNCS" --output-caller; then
	vmok "kprobe-multi: starts and exits 0"
else
	vmfail "kprobe-multi: starts and exits 0"; cat /tmp/km.err
fi
vmcheck "kprobe-multi: drop at $DROPFN with NO_SOCKET in __udp4_lib_rcv" \
	grep -q "7002(udp) $DROPFN(NO_SOCKET) __udp4_lib_rcv+0x" /tmp/km
vmcheck "kprobe-multi: the path passes ip_rcv" \
	grep -q "7002(udp) ip_rcv\( \|$\)" /tmp/km
vmcheck "kprobe-multi: the drop is explained by its reason" \
	grep -q "^    why: " /tmp/km
vmcheck "kprobe-multi: stderr says the netlink explainers are not in this build" \
	grep -q "static build has no netlink explainers" /tmp/km.err
vmcheck "kprobe-multi: exit summary adds up" \
	grep -q "matched the filter: .* received" /tmp/km.err

if trace tracepoint /tmp/tp --output-stack; then
	vmok "tracepoint: starts and exits 0"
else
	vmfail "tracepoint: starts and exits 0"; cat /tmp/tp.err
fi
vmcheck "tracepoint: drop at skb:kfree_skb with NO_SOCKET" \
	grep -q "7002(udp) skb:kfree_skb(NO_SOCKET)" /tmp/tp
vmcheck "tracepoint: the stack is symbolized" \
	grep -q "^    __udp4_lib_rcv+0x" /tmp/tp

# libpcap, linked in: an expression compiled and run in the kernel.
if trace kprobe-multi /tmp/pc --filter-func "$FUNCS" "udp and dst port 7002"; then
	vmcheck "pcap 'udp and dst port 7002' reports the datagrams" \
		grep -q ":7002(udp)" /tmp/pc
	vmcheck "pcap: run in the kernel by bpf_loop" \
		grep -q "run in the kernel by bpf_loop" /tmp/pc.err
else
	vmfail "pcap run"; cat /tmp/pc.err
fi

# JSON, and a recording replayed into the same lines.
if trace kprobe-multi /tmp/js --filter-func "$FUNCS" --output-json \
	--record /tmp/rec; then
	vmcheck "--output-json: the drop's reason" \
		grep -q '"reason":"NO_SOCKET"' /tmp/js
	/skbscope --replay /tmp/rec --no-tui >/tmp/rep 2>/tmp/rep.err
	vmcheck "--replay of the recording shows the drop" \
		grep -q "7002(udp) $DROPFN(NO_SOCKET) __udp4_lib_rcv+0x" /tmp/rep
else
	vmfail "json and record run"; cat /tmp/js.err
fi

before=$(attached)
echo "VMTEST ATTACHED before $before"
ctl_more() {
	[ "$1" = terminfo ] || return 1
	l=$(ls -d /tmp/skbscope-terminfo.* 2>/dev/null | tr '\n' ' ')
	echo "CTL terminfo ${l:-none}"
}
ctl_serve &
ctlpid=$!

# No TERMINFO, no terminfo directory: the explorer must use its own.
unset TERMINFO TERMINFO_DIRS
export TERM=xterm-256color
dmesg -n 1 2>/dev/null
echo "VMTEST EXPLORER START"
setsid cttyhack sh -c "stty rows 45 cols 160; exec /skbscope \
	--backend kprobe-multi --filter-func '$FUNCS' --filter-proto udp \
	--filter-dst-ip 127.0.0.1 2>/tmp/explorer.err"
rc=$?
echo "VMTEST EXPLORER EXIT $rc"
kill "$ctlpid" 2>/dev/null
i=0
while [ "$(attached)" != "$before" ] && [ "$i" -lt 200 ]; do
	sleep 0.1; i=$((i + 1))
done
echo "VMTEST ATTACHED after $(attached)"
l=$(ls -d /tmp/skbscope-terminfo.* 2>/dev/null)
vmcheck "nothing of the terminfo fallback left in /tmp" test -z "$l"
echo "--- the explorer's stderr"
tail -n 15 /tmp/explorer.err
