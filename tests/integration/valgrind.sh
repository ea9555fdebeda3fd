#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The explorer under valgrind, driven through a real terminal (tmux) over
# a replayed recording of real traffic: every pane, sort, search, the
# detail view, export and the filter bar, then quit. Valgrind must report
# no memory errors and nothing definitely or indirectly lost (ncurses keeps
# some blocks reachable on purpose; those are not leaks).
. "$(dirname "$0")/../lib.sh"

for t in valgrind tmux; do
	if ! command -v $t >/dev/null; then
		echo "skip: $t is not installed (make deps installs it)"
		not_ok "$t"; finish; exit
	fi
done
# An AddressSanitizer build (make SANITIZE=1 test) reserves shadow memory
# valgrind cannot run under; the sanitizers check that build instead.
if ldd "$SKBSCOPE" 2>/dev/null | grep -q libasan; then
	echo "skip: valgrind cannot run an AddressSanitizer build (the sanitizers cover it)"
	finish; exit
fi
A=skbs-va-$$; B=skbs-vb-$$
NET=10.216.$(( $$ % 200 + 20 ))
make_pair "$A" "$B" "$NET" || { not_ok "namespaces"; finish; exit; }
ip netns exec "$A" iptables -I OUTPUT 1 -p udp -d "$NET.2" --dport 7001 -j DROP
S=skbs-vg-$$
VLOG=$(mktemp -d)
chmod 1777 "$VLOG"

# 1. A recording with drops, deliveries and stacks.
if start_trace "$TMP/rec.out" --filter-netns "$A" --output-stack \
	--record "$TMP/v.skbs"; then
	send_udp "$A" "$NET.2" 7001 5
	send_udp "$A" "$NET.2" 7002 5
	sleep 0.5
	stop_trace
fi
check "recording made" [ -s "$TMP/v.skbs" ]

# 2. The explorer over it, under valgrind.
screen() { screen_of "$S"; }
wait_screen() { wait_screen_of "$S" "$@"; }
tm new-session -d -s "$S" -x 120 -y 40 \
	"cd $TMP && valgrind -q --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --error-exitcode=9 --log-file=$VLOG/vg.%p $SKBSCOPE --replay $TMP/v.skbs; echo VG-EXIT=\$?; sleep 30"
check "explorer draws over the replay under valgrind" \
	wait_screen "^ skbscope .*replay" 60
keys() { for k in "$@"; do tm send-keys -t "$S" "$k"; sleep 0.3; done; }
keys Down Down Enter Tab Tab Tab BTab ']' ']' '[' k k d d s s F6 F6 f f
keys / 7001 Enter n Escape
keys '\' 'dport 7002' Enter Escape c
keys e Escape Space Space Home End PgDn PgUp C-d C-u C-l ? Escape
check "explorer still answers after the keys" wait_screen "^ skbscope .*replay" 20
keys q
check "explorer exits 0 under valgrind" wait_screen "VG-EXIT=0" 60
screen | grep -q "VG-EXIT=0" || { screen; cat "$VLOG"/vg.* 2>/dev/null | head -n 60; }
# -q leaves the log empty unless valgrind found something.
report=$(cat "$VLOG"/vg.* 2>/dev/null)
check "valgrind: no errors, nothing lost" [ -z "$report" ]
[ -z "$report" ] || echo "$report" | head -n 80
tm kill-session -t "$S" 2>/dev/null
rm -rf "$VLOG"
finish
