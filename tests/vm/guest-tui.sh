# SPDX-License-Identifier: GPL-2.0
# Runs inside a test VM (busybox sh) for tests/vm/tui.sh: the explorer on
# the serial console (ttyS0), in the foreground, for the host to drive
# with keys through tmux and read off the screen. Set before this file:
# BACKEND (the function-probe backend to use).
#
# The host's other hand is the second serial port (ttyS1): one command a
# line, answered on the same port, so that the host decides when traffic
# goes and what it looks like, without touching the guest's files:
#   send PORT COUNT SPORT   COUNT datagrams 127.0.0.1:SPORT -> :PORT
#   attached                what is attached now (see below)
# Prints VMTEST lines on the console.
. /guest-lib.sh
# Kernel messages would land in the middle of the explorer's screen.
dmesg -n 1 2>/dev/null
FUNCS='^(ip_|__ip_|udp|nf_hook|kfree_skb|sk_skb_reason|consume_skb|__dev_queue|dev_hard|__netif|netif_)'
iptables -I OUTPUT 1 -p udp -d 127.0.0.1 --dport 7001 -j DROP ||
	vmfail "iptables rule"

before=$(attached)
echo "VMTEST ATTACHED before $before"

ctl_serve &
ctlpid=$!

export TERM=xterm-256color TERMINFO=/lib/terminfo LANG=C.UTF-8
echo "VMTEST EXPLORER START"
# cttyhack makes the console's tty (ttyS0) the controlling terminal of a
# new session: the explorer needs one for its keys and its size.
setsid cttyhack sh -c "stty rows 45 cols 160; exec /skbscope \
	--backend $BACKEND --filter-func '$FUNCS' --filter-proto udp \
	--filter-dst-ip 127.0.0.1 --output-stack --output-return \
	2>/tmp/explorer.err"
rc=$?
echo "VMTEST EXPLORER EXIT $rc"
kill "$ctlpid" 2>/dev/null

# The kernel frees a closed program a little later: give it 20 s to be
# back where it was before the explorer started.
i=0
while [ "$(attached)" != "$before" ] && [ "$i" -lt 200 ]; do
	sleep 0.1; i=$((i + 1))
done
echo "VMTEST ATTACHED after $(attached)"
echo "--- the explorer's stderr"
tail -n 15 /tmp/explorer.err
