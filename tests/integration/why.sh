#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Why a drop happened, from skbscope itself on the host kernel: the rule
# that dropped it (its handle checked against `nft -a list ruleset` in that
# namespace, not against skbscope's output), the chain policy, the missing
# listener (checked against the process that really binds the port), the
# trace table following a live filter change, nothing left in any ruleset
# after any kind of exit, a replay showing the same explanation, and
# --no-explain touching nothing.
. "$(dirname "$0")/../lib.sh"

A=skbw-a-$$; B=skbw-b-$$; C=skbw-c-$$; D=skbw-d-$$
NET=10.213.$(( $$ % 100 + 120 ))
NET2=10.213.$(( $$ % 100 + 20 ))
make_pair "$A" "$B" "$NET" || { not_ok "namespaces"; finish; exit; }
make_pair "$C" "$D" "$NET2" || { not_ok "namespaces"; finish; exit; }

# handle NS PATTERN: the handle nft -a shows for the one rule matching
# PATTERN in NS's ruleset.
handle() {
	ip netns exec "$1" nft -a list ruleset 2>/dev/null |
		grep -E -- "$2" | sed -n 's/.*# handle \([0-9]*\)$/\1/p' | head -n1
}
# no_table NS: no skbscope table in NS's ruleset.
no_table() { ! ip netns exec "$1" nft list tables 2>/dev/null | grep -q skbscope; }
has_table() { ip netns exec "$1" nft list tables 2>/dev/null | grep -q "inet skbscope"; }
ruleset() { ip netns exec "$1" nft -s list ruleset 2>/dev/null; }
# jq on the drops of a JSON run: jqd FILE FILTER
jqd() { jq -c "select(.drop) | $2" "$1" 2>/dev/null; }

ip netns exec "$A" iptables -A OUTPUT -p udp -d "$NET.2" --dport 7001 -j DROP ||
	not_ok "iptables OUTPUT rule"
ip netns exec "$B" iptables -A INPUT -p udp --dport 7003 -j DROP ||
	not_ok "iptables INPUT rule"
# A native table of 50 rules in D, one in the middle dropping.
{
	echo "table inet fifty {"
	echo "  chain in { type filter hook input priority 0; policy accept;"
	for i in $(seq 1 50); do
		if [ "$i" -eq 25 ]; then
			echo "    udp dport 7025 counter drop"
		else
			echo "    udp dport $((8000 + i)) counter accept"
		fi
	done
	echo "  }"
	echo "}"
	# A base chain whose policy drops what no rule accepts.
	echo "table ip pol {"
	echo "  chain in { type filter hook input priority 10; policy drop;"
	echo "    udp dport != 7040 accept"
	echo "    meta l4proto != udp accept"
	echo "  }"
	echo "}"
} >"$TMP/fifty.nft"
ip netns exec "$D" nft -f "$TMP/fifty.nft" || not_ok "nft table in $D"
for ns in "$A" "$B" "$C" "$D"; do ruleset "$ns" >"$TMP/ruleset.$ns"; done
INO_A=$(netns_inode "$A")
bpf_mark

# 1. iptables-nft OUTPUT DROP in A, in JSON, recorded: the first drop in
# A starts the trace there ("watching"), the next ones name the rule.
OUT=$TMP/out.json
if start_trace "$OUT" --output-json --filter-netns "$A" \
		--filter-dst-port 7001 --record "$TMP/rec.skbs"; then
	check "no trace table before the first netfilter drop" no_table "$A"
	send_udp "$A" "$NET.2" 7001 1
	sleep 0.5
	check "stderr says a trace table was added in $A" \
		grep -q "added table inet skbscope_[0-9]* in netns $INO_A ($A)" "$OUT.err"
	check "the trace table traces what the filter matches" \
		bash -c "list_trace_table '$A' | grep -q 'dport 7001'"
	send_udp "$A" "$NET.2" 7001 3
	sleep 0.5
	check "the table is there while tracing" has_table "$A"
	stop_trace
	h=$(handle "$A" "dport 7001 .*drop")
	got=$(jqd "$OUT" 'select(.explain.kind == "nft-rule") | .explain.handle' |
		sort -u | tr -d '"')
	check "OUTPUT drop: the first says it starts watching" \
		jq_ok -s '[.[] | select(.drop)][0].explain.kind == "pending"' "$OUT"
	check "OUTPUT drop: handle $got is nft -a's ($h)" \
		[ -n "$h" ] && [ "$got" = "$h" ]
	check "OUTPUT drop: the next three named" \
		[ "$(jqd "$OUT" 'select(.explain.kind == "nft-rule")' | wc -l)" -eq 3 ]
	check "OUTPUT drop: family, table, chain, hook, verdict" \
		jq_ok -s '[.[] | select(.drop)][1].explain |
			.family == "ip" and .table == "filter" and
			.chain == "OUTPUT" and .hook == "output" and
			.verdict == "drop"' "$OUT"
	check "OUTPUT drop: text as nft prints the rule" \
		jq_ok -s "[.[] | select(.drop)][1].explain.text ==
			\"dropped by rule $h of ip filter OUTPUT: ip daddr $NET.2 udp dport 7001 counter drop\"" "$OUT"
	check "exit: no skbscope table left in $A" no_table "$A"
	check "exit: $A's own ruleset unchanged" \
		diff <(ruleset "$A") "$TMP/ruleset.$A"
	"$SKBSCOPE" --replay "$TMP/rec.skbs" --output-json >"$TMP/replay.json" \
		2>"$TMP/replay.err"
	check "replay: the same explanations" \
		diff <(jqd "$OUT" '.explain') <(jqd "$TMP/replay.json" '.explain')
	"$SKBSCOPE" --replay "$TMP/rec.skbs" >"$TMP/replay.txt" 2>/dev/null
	check "replay in line mode: a why line under each drop" \
		[ "$(grep -c "^    why: dropped by rule $h of ip filter OUTPUT" "$TMP/replay.txt")" -eq 3 ]
else
	not_ok "start trace (OUTPUT)"
fi

# 2. INPUT DROP in B, no namespace named: the first drop there starts the
# trace ("watching"), the next ones name the rule. Line mode.
OUT=$TMP/in.txt
if start_trace "$OUT" --filter-dst-port 7003; then
	send_udp "$A" "$NET.2" 7003 1
	sleep 0.5
	send_udp "$A" "$NET.2" 7003 3
	sleep 0.5
	stop_trace
	h=$(handle "$B" "dport 7003 .*drop")
	check "INPUT drop: the first says it starts watching" \
		grep -q "^    why: tracing netfilter in netns .*($B) from now on" "$OUT"
	check "INPUT drop: the next name rule $h of ip filter INPUT" \
		[ "$(grep -c "^    why: dropped by rule $h of ip filter INPUT: udp dport 7003 counter drop" "$OUT")" -ge 2 ]
	check "INPUT drop: no table left in $B" no_table "$B"
else
	not_ok "start trace (INPUT)"
fi

# 3. The 25th of 50 native rules, and a chain policy, in D.
OUT=$TMP/fifty.json
if start_trace "$OUT" --output-json --filter-netns "$D"; then
	send_udp "$C" "$NET2.2" 7025 1	# starts the trace in D
	sleep 0.5
	send_udp "$C" "$NET2.2" 7025 2
	send_udp "$C" "$NET2.2" 7040 2
	sleep 0.5
	stop_trace
	h=$(handle "$D" "dport 7025 counter.*drop")
	got=$(jqd "$OUT" 'select(.tuple.dport == 7025 and .explain.kind == "nft-rule") | .explain.handle' |
		sort -u | tr -d '"')
	check "50 rules: handle $got is nft -a's ($h)" \
		[ -n "$h" ] && [ "$got" = "$h" ]
	check "50 rules: table fifty, chain in, family inet" \
		jq_ok -s '[.[] | select(.drop and .tuple.dport == 7025)][1].explain |
			.table == "fifty" and .chain == "in" and .family == "inet"' "$OUT"
	check "policy drop: names the policy of ip pol in" \
		jq_ok -s '[.[] | select(.drop and .tuple.dport == 7040)][0].explain |
			.kind == "nft-policy" and
			(.text | test("policy of ip pol in"))' "$OUT"
	check "exit: $D's own ruleset unchanged" \
		diff <(ruleset "$D") "$TMP/ruleset.$D"
else
	not_ok "start trace (50 rules)"
fi

# 4. A closed port, with another one bound by a real process in B.
ip netns exec "$B" python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 7051))
time.sleep(60)' &
LISTENER=$!
PIDS="$PIDS $LISTENER"
sleep 0.5
OUT=$TMP/nosock.json
if start_trace "$OUT" --output-json --filter-dst-port 7050; then
	send_udp "$A" "$NET.2" 7050 2
	sleep 0.5
	stop_trace
	why=$(jqd "$OUT" 'select(.drop.reason == "NO_SOCKET") | .explain.text' | head -n1)
	echo "     why: $why"
	check "no socket: says nothing listens on udp $NET.2:7050" \
		bash -c "echo '$why' | grep -q 'nothing listens on udp $NET.2:7050'"
	check "no socket: names the process bound nearby (pid $LISTENER)" \
		bash -c "echo '$why' | grep -q 'udp 0.0.0.0:7051 is bound by pid $LISTENER (python3)'"
else
	not_ok "start trace (no socket)"
fi
kill "$LISTENER" 2>/dev/null

# 5. A live filter change from the explorer moves the trace rule.
S=skbw-tui-$$
tm new-session -d -s "$S" -x 120 -y 40 \
	"$SKBSCOPE --filter-netns $A --filter-dst-port 7001 --ready-file $TMP/ready.tui 2>$TMP/tui.err; sleep 30"
if wait_file "$TMP/ready.tui" 30; then
	send_udp "$A" "$NET.2" 7001 1	# starts the trace in A
	for _ in $(seq 30); do has_table "$A" && break; sleep 0.1; done
	check "explorer: trace rule for dport 7001" \
		bash -c "list_trace_table '$A' | grep -q 'dport 7001'"
	tm send-keys -t "$S" '\'
	sleep 0.3
	tm send-keys -t "$S" C-u
	tm send-keys -t "$S" -l "dport 7009"
	tm send-keys -t "$S" Enter
	wait_screen_of "$S" "filter applied in the kernel: dport 7009" 5
	ok=1
	for _ in $(seq 30); do
		list_trace_table "$A" |
			grep -q 'dport 7009' && break
		sleep 0.1
	done
	check "explorer: the trace rule follows the filter (dport 7009)" \
		bash -c "list_trace_table '$A' | grep -q 'dport 7009' &&
			! list_trace_table '$A' | grep -q 'dport 7001'"
	tm send-keys -t "$S" q
	for _ in $(seq 50); do no_table "$A" && break; sleep 0.1; done
	check "explorer: q removes the table" no_table "$A"
else
	not_ok "explorer starts"
fi
tm kill-session -t "$S" 2>/dev/null

# 6. Any exit leaves nothing: SIGINT, SIGTERM, SIGHUP and SIGKILL at a
# random moment after the table was added.
for sig in INT TERM HUP KILL; do
	rm -f "$TMP/ready"
	"$SKBSCOPE" --no-tui --filter-netns "$A" --filter-dst-port 7001 \
		--ready-file "$TMP/ready" >/dev/null 2>&1 &
	p=$!
	PIDS="$PIDS $p"
	wait_file "$TMP/ready" 30
	send_udp "$A" "$NET.2" 7001 1	# starts the trace in A
	for _ in $(seq 30); do has_table "$A" && break; sleep 0.1; done
	had=no; has_table "$A" && had=yes
	sleep "0.$((RANDOM % 9))"
	kill -"$sig" "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	for _ in $(seq 30); do no_table "$A" && break; sleep 0.1; done
	check "SIG$sig: the table was there ($had), none is left" \
		[ "$had" = yes ] && no_table "$A"
done
for ns in "$A" "$B" "$C" "$D"; do
	check "$ns: the user's ruleset is as it was" \
		diff <(ruleset "$ns") "$TMP/ruleset.$ns"
done

# 7. --no-explain touches no ruleset and still says what the reason means.
OUT=$TMP/noexp.json
if start_trace "$OUT" --output-json --no-explain --filter-netns "$A" \
		--filter-dst-port 7001; then
	send_udp "$A" "$NET.2" 7001 2
	sleep 0.5
	check "--no-explain: no table added" no_table "$A"
	stop_trace
	check "--no-explain: the reason's meaning only" \
		jq_ok -s '[.[] | select(.drop)][0].explain.kind == "reason"' "$OUT"
else
	not_ok "start trace (--no-explain)"
fi

# 8. Without CAP_NET_ADMIN: tracing runs, the explanation says why the
# rule is not known, and nothing is added.
OUT=$TMP/nocap.json
rm -f "$TMP/ready"
capsh --drop=cap_net_admin -- -c "exec '$SKBSCOPE' --no-tui --output-json \
	--filter-netns '$A' --filter-dst-port 7001 --ready-file '$TMP/ready'" \
	>"$OUT" 2>"$OUT.err" &
TRACE_PID=$!
PIDS="$PIDS $TRACE_PID"
if wait_file "$TMP/ready" 30; then
	send_udp "$A" "$NET.2" 7001 2
	sleep 0.5
	stop_trace
	check "no CAP_NET_ADMIN: no table" no_table "$A"
	check "no CAP_NET_ADMIN: the drop says why its rule is not known" \
		jq_ok -s '[.[] | select(.drop)][0].explain |
			.kind == "unavailable" and (.text | test("CAP_NET_ADMIN|not permitted"))' "$OUT"
else
	not_ok "starts without CAP_NET_ADMIN"; cat "$OUT.err"
fi

# 9. A watched namespace that vanishes: a note, no crash, a clean exit.
E=skbw-e-$$; F=skbw-f-$$; NET3=10.213.$(( $$ % 50 + 60 ))
make_pair "$E" "$F" "$NET3" || not_ok "namespaces (vanishing)"
ip netns exec "$E" iptables -A OUTPUT -p udp --dport 7060 -j DROP
OUT=$TMP/gone.txt
if start_trace "$OUT" --filter-dst-port 7060; then
	send_udp "$E" "$NET3.2" 7060 1
	for _ in $(seq 30); do has_table "$E" && break; sleep 0.1; done
	has_table "$E"; had=$?
	ip netns del "$E"
	sleep 3
	stop_trace; rc=$?
	check "vanished netns: watched, then a clean exit ($had, $rc)" \
		[ "$had" -eq 0 ] && [ "$rc" -eq 0 ]
else
	not_ok "start trace (vanishing netns)"
fi

leak=$(bpf_leaks)
check "no BPF programs or links left${leak:+: $leak}" [ -z "$leak" ]
finish
