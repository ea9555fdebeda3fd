#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nftrace (core/explain/nftrace.c) on the real kernel, through its driver
# build/nftrace-test (tests/explain/nftrace_test.c), which sends the packets
# and makes up their drop events, so no BPF is involved. Every rule handle
# it names is checked against what `nft -a list` says in that namespace,
# not against skbscope's own output. Then: the trace rule follows filter
# changes; nothing stays after an exit or a SIGKILL and the user's ruleset
# is untouched; a rule deleted or replaced between the drop and the lookup
# is never named with the wrong text; a namespace that goes away, a second
# skbscope and missing capabilities each give a clear message.
. "$(dirname "$0")/../lib.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${OUT:-build}
DRV=${NFTRACE_TEST:-$ROOT/$OUT/nftrace-test}
if [ -z "${NFTRACE_TEST:-}" ]; then
	make -s --no-print-directory -C "$ROOT" "$OUT/nftrace-test" >/dev/null ||
		{ not_ok "build $OUT/nftrace-test"; finish; exit; }
fi
command -v nft >/dev/null || { not_ok "nft (Debian nftables) is installed"; finish; exit; }

A=skbs-nfa-$$; B=skbs-nfb-$$; C=skbs-nfc-$$; D=skbs-nfd-$$; E=skbs-nfe-$$
N1=10.213.$(( $$ % 100 + 100 )); N2=10.213.$(( $$ % 100 + 1 ))
V6=fd00:213:$(( $$ % 9000 + 1 ))
make_pair "$A" "$B" "$N1" "$V6" && make_pair "$C" "$D" "$N2" ||
	{ not_ok "namespaces"; finish; exit; }
INO_A=$(netns_inode "$A"); INO_B=$(netns_inode "$B"); INO_D=$(netns_inode "$D")

# drv OUT STEPS...: the driver, bounded in time, its output in OUT.
drv() {
	local out=$1; shift
	timeout 60 "$DRV" "$@" >"$out" 2>"$out.err"
}
# field OUT KEY: the value of FIELD KEY in the first explanation of OUT
# (or the Nth with a third argument).
field() { awk -v k="$2" -v n="${3:-1}" '/^EXPLAIN /{e++} e==n && $1=="FIELD" && $2==k {sub(/^FIELD [^ ]+ /,""); print; exit}' "$1"; }
text_of() { awk -v n="${2:-1}" '/^EXPLAIN /{e++} e==n && /^TEXT /{sub(/^TEXT /,""); print; exit}' "$1"; }
kind_of() { awk -v n="${2:-1}" '/^EXPLAIN /{e++; if (e==n) {print $2" "$3; exit}}' "$1"; }
# nft_handle NS FAMILY TABLE CHAIN PATTERN: the handle nft -a prints for the
# rule of that chain whose text contains PATTERN.
nft_handle() {
	ip netns exec "$1" nft -a -s list chain "$2" "$3" "$4" 2>/dev/null |
		grep -F -- "$5" | sed -n 's/.* # handle \([0-9]*\)$/\1/p' | head -n1
}
# nft_text NS FAMILY TABLE CHAIN HANDLE: that rule's text as nft -a -s prints it.
nft_text() {
	ip netns exec "$1" nft -a -s list chain "$2" "$3" "$4" 2>/dev/null |
		sed -n "s/^[[:space:]]*\(.*\) # handle $5\$/\1/p"
}
# t 'SHELL CONDITION': for check, when the condition has && or ||.
t() { eval "$1"; }
no_table() { ! ip netns exec "$1" nft list tables | grep -q "inet skbscope"; }
has_table() { ip netns exec "$1" nft list tables | grep -q "inet skbscope"; }
# nft 1.0 warns on stderr about tables iptables-nft made: not ours to see.
snap() { for ns in "$A" "$B" "$C" "$D"; do ip netns exec "$ns" nft -s list ruleset >"$TMP/rs.$ns" 2>/dev/null; done; }
same_rulesets() {
	for ns in "$A" "$B" "$C" "$D"; do
		ip netns exec "$ns" nft -s list ruleset 2>/dev/null | cmp -s - "$TMP/rs.$ns" || return 1
	done
}
none_left() { for ns in "$A" "$B" "$C" "$D"; do no_table "$ns" || return 1; done; }

# The user's rules. A: iptables-nft OUTPUT drop (IPv4 and IPv6, the latter
# a REJECT), and a native table telling two packets apart by IP id only.
ip netns exec "$A" iptables -A OUTPUT -p udp -d "$N1.2" --dport 7001 -j DROP &&
ip netns exec "$A" ip6tables -A OUTPUT -p udp -d "$V6::2" --dport 7060 -j REJECT &&
ip netns exec "$A" nft -f - <<EOF || not_ok "rules in $A"
table ip idt {
	chain out {
		type filter hook output priority 10; policy accept;
		ip id 4242 udp dport 7050 counter drop
		udp dport 7050 counter drop
	}
}
EOF
# B: iptables-nft INPUT drop.
ip netns exec "$B" iptables -A INPUT -p udp --dport 7002 -j DROP || not_ok "rules in $B"
# D: a native table, 50 rules in a base chain whose policy is drop; rule
# 25 drops 7025, rule 10 jumps to a regular chain that drops 7030.
{
	echo "table inet fw {"
	echo "	chain sub {"
	echo "		udp dport 7030 counter drop"
	echo "	}"
	echo "	chain input {"
	echo "		type filter hook input priority 0; policy drop;"
	for i in $(seq 1 50); do
		case $i in
		10) echo "		udp dport 7030 jump sub" ;;
		25) echo "		udp dport 7025 counter drop" ;;
		*) echo "		udp dport $((8000 + i)) counter accept" ;;
		esac
	done
	echo "	}"
	echo "}"
} >"$TMP/fw.nft"
ip netns exec "$D" nft -f "$TMP/fw.nft" || not_ok "rules in $D"
snap

# 1. iptables-nft OUTPUT DROP, filter on the exact flow.
O=$TMP/out1
drv "$O" filter dst="$N1.2" proto=udp dport=7001 watch "$A" \
	send "$A" "$N1.2" 7001 explain "$A"
check "driver exits 0 (OUTPUT drop)" [ $? -eq 0 ]
H=$(nft_handle "$A" ip filter OUTPUT "udp dport 7001")
T=$(nft_text "$A" ip filter OUTPUT "$H")
check "OUTPUT drop: named as an nft rule ($(kind_of "$O"))" [ "$(kind_of "$O")" = "0 nft-rule" ]
check "OUTPUT drop: handle $(field "$O" handle) is nft -a's ($H)" \
	t '[ -n "$H" ] && [ "$(field "$O" handle)" = "$H" ]'
check "OUTPUT drop: rule text is nft's ($T)" \
	t '[ -n "$T" ] && [ "$(field "$O" rule)" = "$T" ]'
check "OUTPUT drop: text says it ($(text_of "$O"))" \
	[ "$(text_of "$O")" = "dropped by rule $H of ip filter OUTPUT: $T" ]
check "OUTPUT drop: family ip, table filter, chain OUTPUT, hook output" \
	[ "$(field "$O" family)/$(field "$O" table)/$(field "$O" chain)/$(field "$O" hook)" = "ip/filter/OUTPUT/output" ]
check "OUTPUT drop: verdict drop, netns $INO_A" \
	[ "$(field "$O" verdict)/$(field "$O" netns)" = "drop/$INO_A" ]
check "the table added is said, with its namespace and match" \
	grep -q "^NOTE $INO_A nftrace: added table inet skbscope_[0-9]* in netns $INO_A ($A) .*tracing ip daddr $N1.2 meta l4proto udp th dport 7001" "$O"
check "after a normal exit: no skbscope table in $A" no_table "$A"

# 2. Not watched yet: the first drop sets it up and says so, the next is named.
O=$TMP/out2
drv "$O" filter dst="$N1.2" send "$A" "$N1.2" 7001 explain "$A" \
	send "$A" "$N1.2" 7001 explain "$A"
check "first drop in a new namespace: pending ($(kind_of "$O" 1))" [ "$(kind_of "$O" 1)" = "0 pending" ]
check "  ... its text says the next ones are named" \
	grep -q "^TEXT tracing netfilter in netns $INO_A ($A) from now on" "$O"
check "  ... the second drop is named (handle $(field "$O" handle 2))" \
	t '[ "$(kind_of "$O" 2)" = "0 nft-rule" ] && [ "$(field "$O" handle 2)" = "$H" ]'

# 3. iptables-nft INPUT DROP in the receiving namespace.
O=$TMP/out3
drv "$O" filter proto=udp dport=7002 watch "$B" send "$A" "$N1.2" 7002 explain "$B"
H=$(nft_handle "$B" ip filter INPUT "udp dport 7002")
check "INPUT drop: handle $(field "$O" handle) is nft -a's ($H)" \
	t '[ -n "$H" ] && [ "$(field "$O" handle)" = "$H" ]'
check "INPUT drop: ip filter INPUT, hook input" \
	[ "$(field "$O" family) $(field "$O" table) $(field "$O" chain) $(field "$O" hook)" = "ip filter INPUT input" ]
check "INPUT drop: rule text is nft's" [ "$(field "$O" rule)" = "$(nft_text "$B" ip filter INPUT "$H")" ]
check "INPUT drop: in the receiver's netns ($INO_B)" [ "$(field "$O" netns)" = "$INO_B" ]

# 4. A native table: the 25th of 50 rules, a policy, a regular chain.
O=$TMP/out4
drv "$O" filter dst="$N2.2" proto=udp watch "$D" \
	send "$C" "$N2.2" 7025 explain "$D" \
	send "$C" "$N2.2" 7026 explain "$D" \
	send "$C" "$N2.2" 7030 explain "$D"
H=$(nft_handle "$D" inet fw input "udp dport 7025")
check "50 rules: handle $(field "$O" handle 1) is nft -a's ($H)" \
	t '[ -n "$H" ] && [ "$(field "$O" handle 1)" = "$H" ]'
check "50 rules: text $(text_of "$O" 1)" \
	[ "$(text_of "$O" 1)" = "dropped by rule $H of inet fw input: $(nft_text "$D" inet fw input "$H")" ]
check "50 rules: in netns $INO_D" [ "$(field "$O" netns 1)" = "$INO_D" ]
check "policy drop: named as the policy ($(kind_of "$O" 2))" [ "$(kind_of "$O" 2)" = "0 nft-policy" ]
check "policy drop: $(text_of "$O" 2)" [ "$(text_of "$O" 2)" = "dropped by the policy of inet fw input (drop)" ]
check "policy drop: hook input, no handle" \
	t '[ "$(field "$O" hook 2)" = input ] && [ -z "$(field "$O" handle 2)" ]'
H=$(nft_handle "$D" inet fw sub "udp dport 7030")
check "regular chain: handle $(field "$O" handle 3) of chain sub is nft -a's ($H)" \
	t '[ "$(field "$O" chain 3)" = sub ] && [ -n "$H" ] && [ "$(field "$O" handle 3)" = "$H" ]'
check "regular chain: reached from base chain input, hook input" \
	[ "$(field "$O" base_chain 3) $(field "$O" hook 3)" = "input input" ]

# 5. Two datagrams that differ only in their IPv4 id, each dropped by
# another rule: the header bytes of the event pick the right trace.
O=$TMP/out5
drv "$O" filter dst="$N1.2" dport=7050 watch "$A" \
	sendraw "$A" "$N1.2" 7050 4242 sendraw "$A" "$N1.2" 7050 4343 \
	read 100 explainraw "$A" 2 explainraw "$A" 1
H1=$(nft_handle "$A" ip idt out "ip id 4242")
H2=$(ip netns exec "$A" nft -a list chain ip idt out | grep -v "ip id" |
	sed -n 's/.*udp dport 7050 .* # handle \([0-9]*\)$/\1/p')
check "by IP id: id 4343 is rule $H2 ($(field "$O" handle 1))" \
	t '[ -n "$H2" ] && [ "$(field "$O" handle 1)" = "$H2" ]'
check "by IP id: id 4242 is rule $H1 ($(field "$O" handle 2))" \
	t '[ -n "$H1" ] && [ "$(field "$O" handle 2)" = "$H1" ]'

# 6. IPv6, and a REJECT.
O=$TMP/out6
drv "$O" filter dst="$V6::/64" watch "$A" send "$A" "$V6::2" 7060 explain "$A"
H=$(nft_handle "$A" ip6 filter OUTPUT "udp dport 7060")
check "IPv6 reject: handle $(field "$O" handle) is nft -a's ($H)" \
	t '[ -n "$H" ] && [ "$(field "$O" handle)" = "$H" ]'
check "IPv6 reject: verdict reject, family ip6" \
	[ "$(field "$O" verdict) $(field "$O" family)" = "reject ip6" ]
check "IPv6 reject: $(text_of "$O")" grep -q "^TEXT rejected by rule $H of ip6 filter OUTPUT: " "$O"

# 7. A filter change moves the trace rule, in one batch per namespace.
O=$TMP/out7
rm -f "$TMP"/f.*
"$DRV" filter dst="$N1.2" proto=udp dport=7001 watch "$A" touch "$TMP/f.1" \
	wait "$TMP/f.go1" filter src="$N1.0/24" proto=tcp dport=7003 \
	touch "$TMP/f.2" wait "$TMP/f.go2" filter none touch "$TMP/f.3" \
	wait "$TMP/f.go3" >"$O" 2>&1 &
P=$!; PIDS="$PIDS $P"
wait_file "$TMP/f.1" 20
L1=$(list_trace_table "$A")
touch "$TMP/f.go1"; wait_file "$TMP/f.2" 20
L2=$(list_trace_table "$A")
touch "$TMP/f.go2"; wait_file "$TMP/f.3" 20
L3=$(list_trace_table "$A")
touch "$TMP/f.go3"; wait "$P"
check "table has the owner flag" grep -q "flags owner" <<<"$L1"
check "trace rules match the filter: ip daddr $N1.2 udp dport 7001 (x2)" \
	[ "$(grep -c "ip daddr $N1.2 udp dport 7001 meta nftrace set 1" <<<"$L1")" -eq 2 ]
check "chains run first: priority -2147483648, prerouting and output" \
	[ "$(grep -c 'hook \(prerouting\|output\) priority -2147483648; policy accept;' <<<"$L1")" -eq 2 ]
check "after the change: ip saddr $N1.0/24 tcp dport 7003, the old one gone" \
	t '[ "$(grep -c "ip saddr $N1.0/24 tcp dport 7003 meta nftrace set 1" <<<"$L2")" -eq 2 ] &&
	   ! grep -q 7001 <<<"$L2"'
check "a filter matching nothing: no trace rule left" \
	t '! grep -q "nftrace set" <<<"$L3"'
check "the change is said (note per namespace)" \
	grep -q "^NOTE $INO_A nftrace: netns $INO_A ($A): now tracing ip saddr $N1.0/24 meta l4proto tcp th dport 7003" "$O"

# 8. Filter parts nft cannot say are said.
O=$TMP/out8
drv "$O" matchtext dst="$N1.2" pcap="udp and port 53" matchtext none
check "pcap part: a note that it is not translated" grep -q '^MATCHNOTE pcap filter "udp and port 53" is not translated' "$O"
check "pcap part: the other fields stay (ip daddr $N1.2)" grep -q "^MATCH 0 ip daddr $N1.2$" "$O"
check "a filter matching nothing: no rule" grep -q "^MATCH 1 $" "$O"

check "the user's rulesets are unchanged so far (nft -s list ruleset)" same_rulesets
check "no skbscope table left in any namespace" none_left

# 9. SIGKILL: the kernel deletes the tables with the owner socket.
rm -f "$TMP/k.up"
"$DRV" watch "$A" watch "$B" watch "$D" touch "$TMP/k.up" wait "$TMP/never" \
	>"$TMP/out9" 2>&1 &
P=$!; PIDS="$PIDS $P"
if wait_file "$TMP/k.up" 20; then
	check "while running: a skbscope table in $A, $B and $D" \
		t 'has_table "$A" && has_table "$B" && has_table "$D"'
	kill -9 "$P"; wait "$P" 2>/dev/null
	check "after SIGKILL: no skbscope table in any namespace" none_left
	check "after SIGKILL: the user's rulesets are unchanged" same_rulesets
else
	not_ok "SIGKILL: driver did not start"
fi

# 10. Two skbscopes at once in one namespace: a table each, and both name
# the rule; a table of its name that someone else made is not taken over.
rm -f "$TMP/s.up"
"$DRV" filter dst="$N1.2" proto=udp dport=7001 watch "$A" \
	touch "$TMP/s.up" wait "$TMP/s.go" send "$A" "$N1.2" 7001 \
	explain "$A" >"$TMP/out10a" 2>&1 &
P=$!; PIDS="$PIDS $P"
wait_file "$TMP/s.up" 20
drv "$TMP/out10" filter dst="$N1.2" proto=udp dport=7001 watch "$A" \
	send "$A" "$N1.2" 7001 explain "$A"
touch "$TMP/s.go"; wait "$P"
H=$(nft_handle "$A" ip filter OUTPUT "udp dport 7001")
check "two instances: the first added inet skbscope_$P" \
	grep -q "^NOTE $INO_A nftrace: added table inet skbscope_$P in" "$TMP/out10a"
check "two instances: the second its own table beside it" \
	t 'grep -q "^NOTE $INO_A nftrace: added table inet skbscope_[0-9]* in" "$TMP/out10" &&
		! grep -q "added table inet skbscope_$P in" "$TMP/out10"'
check "two instances: the second names rule $H ($(field "$TMP/out10" handle))" \
	t '[ -n "$H" ] && [ "$(field "$TMP/out10" handle)" = "$H" ]'
check "two instances: the first names rule $H too ($(field "$TMP/out10a" handle))" \
	t '[ -n "$H" ] && [ "$(field "$TMP/out10a" handle)" = "$H" ]'
check "two instances: no table left by either" no_table "$A"
# bash makes the table, then becomes the driver: same pid, same name.
ip netns exec "$A" bash -c 'nft add table inet skbscope_$$ &&
	exec "$0" watch "$1"' "$DRV" "$A" >"$TMP/out10b" 2>&1
check "a table of its name made by another: refused ($(cut -c1-80 "$TMP/out10b"))" \
	grep -q "^WATCH -17 .*already" "$TMP/out10b"
check "  ... and that table is left as it was" has_table "$A"
ip netns exec "$A" nft delete table inet "$(skbscope_table "$A")" 2>/dev/null

# 11. A rule deleted between the drop and the lookup, then one replaced
# with other text under the same handle: never the wrong text.
H=$(nft_handle "$D" inet fw input "udp dport 7025")
rm -f "$TMP"/d.*
"$DRV" filter dst="$N2.2" watch "$D" send "$C" "$N2.2" 7025 read 200 \
	touch "$TMP/d.sent" wait "$TMP/d.done" explain "$D" >"$TMP/out11" 2>&1 &
P=$!; PIDS="$PIDS $P"
wait_file "$TMP/d.sent" 20
ip netns exec "$D" nft delete rule inet fw input handle "$H"
touch "$TMP/d.done"; wait "$P"
O=$TMP/out11
check "deleted rule: $(text_of "$O")" \
	[ "$(text_of "$O")" = "dropped by rule $H (since deleted) of inet fw input" ]
check "deleted rule: state deleted, no rule text" \
	t '[ "$(field "$O" rule_state)" = deleted ] && [ -z "$(field "$O" rule)" ]'

H=$(nft_handle "$D" inet fw sub "udp dport 7030")
rm -f "$TMP"/d.*
"$DRV" filter dst="$N2.2" watch "$D" send "$C" "$N2.2" 7030 read 200 \
	touch "$TMP/d.sent" wait "$TMP/d.done" explain "$D" >"$TMP/out11b" 2>&1 &
P=$!; PIDS="$PIDS $P"
wait_file "$TMP/d.sent" 20
ip netns exec "$D" nft replace rule inet fw sub handle "$H" udp dport 7030 counter accept comment '"replaced"'
touch "$TMP/d.done"; wait "$P"
O=$TMP/out11b
check "replaced rule (handle $H kept: $(nft_handle "$D" inet fw sub replaced)): said deleted, not the new text" \
	[ "$(text_of "$O")" = "dropped by rule $H (since deleted) of inet fw sub" ]

# The whole table re-created with two rules swapped: handles start again,
# so the old handle now names another rule, which must not be shown.
ip netns exec "$D" nft delete table inet fw
ip netns exec "$D" nft -f "$TMP/fw.nft"
sed -e 's/udp dport 7025 counter drop/SWAP/' \
	-e 's/udp dport 8026 counter accept/udp dport 7025 counter drop/' \
	-e 's/SWAP/udp dport 8026 counter accept/' "$TMP/fw.nft" >"$TMP/fw2.nft"
H=$(nft_handle "$D" inet fw input "udp dport 7025")
rm -f "$TMP"/d.*
"$DRV" filter dst="$N2.2" watch "$D" send "$C" "$N2.2" 7025 read 200 \
	touch "$TMP/d.sent" wait "$TMP/d.done" explain "$D" >"$TMP/out11c" 2>&1 &
P=$!; PIDS="$PIDS $P"
wait_file "$TMP/d.sent" 20
ip netns exec "$D" nft delete table inet fw
ip netns exec "$D" nft -f "$TMP/fw2.nft"
touch "$TMP/d.done"; wait "$P"
O=$TMP/out11c
check "table re-created, handle $H now another rule ($(nft_text "$D" inet fw input "$H")): said deleted" \
	t '[ "$(nft_handle "$D" inet fw input "udp dport 8026")" = "$H" ] &&
	   [ "$(text_of "$O")" = "dropped by rule $H (since deleted) of inet fw input" ]'

# 12. A namespace that goes away while watched: said, and let go (our
# sockets would otherwise keep it, and the veth in $A, alive).
ip netns add "$E" && NETNS_LIST="$NETNS_LIST $E"
ip link add vx netns "$A" type veth peer name vy netns "$E"
INO_E=$(netns_inode "$E")
rm -f "$TMP"/g.*
"$DRV" watch "$E" touch "$TMP/g.up" wait "$TMP/g.gone" read 3000 \
	send "$A" "$N1.2" 7099 explain "$INO_E" touch "$TMP/g.told" \
	wait "$TMP/g.end" >"$TMP/out12" 2>&1 &
P=$!; PIDS="$PIDS $P"
wait_file "$TMP/g.up" 20
ip netns del "$E"
touch "$TMP/g.gone"
wait_file "$TMP/g.told" 20
# While the driver still runs: it let the namespace go, so it was freed.
freed=no
for _ in $(seq 30); do
	ip -n "$A" link show vx >/dev/null 2>&1 || { freed=yes; break; }
	sleep 0.1
done
touch "$TMP/g.end"; wait "$P"; rc=$?
O=$TMP/out12
check "vanished namespace: the driver exits 0 (rc $rc)" [ "$rc" -eq 0 ]
check "vanished namespace: a note says it is gone" \
	grep -q "^NOTE $INO_E nftrace: netns $INO_E ($E) is gone: stopped watching it" "$O"
check "vanished namespace: explanation unavailable, says gone" \
	t '[ "$(kind_of "$O")" = "0 unavailable" ] && grep -q "^TEXT .* is gone" "$O"'
check "vanished namespace: let go, so freed while still running (veth vx in $A gone)" \
	[ "$freed" = yes ]
# 13. No CAP_NET_ADMIN, then no CAP_SYS_ADMIN: a clear message each, and
# nothing added.
O=$TMP/out13
setpriv --inh-caps=-all --bounding-set=-net_admin "$DRV" watch "$A" \
	send "$A" "$N1.2" 7001 explain "$A" >"$O" 2>&1
check "no CAP_NET_ADMIN: watch fails and says so" grep -q "^WATCH -1 .*needs CAP_NET_ADMIN" "$O"
check "no CAP_NET_ADMIN: explanation unavailable, with the reason" \
	t '[ "$(kind_of "$O")" = "0 unavailable" ] && grep -q "^TEXT .*needs CAP_NET_ADMIN" "$O"'
O=$TMP/out13b
setpriv --inh-caps=-all --bounding-set=-sys_admin "$DRV" watch "$A" >"$O" 2>&1
check "no CAP_SYS_ADMIN: cannot enter the namespace, says so" \
	grep -q "^WATCH -1 entering netns $INO_A ($A): Operation not permitted (needs CAP_SYS_ADMIN)" "$O"
check "no capabilities: no skbscope table anywhere" none_left

finish
