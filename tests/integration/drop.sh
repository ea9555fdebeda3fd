#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The classic case on the host kernel (tracepoint backend): an iptables
# OUTPUT DROP for one UDP port in a private namespace. skbscope must report
# those datagrams dropped with NETFILTER_DROP at the right place, with the
# right tuple and netns, and must not report a second port that its
# (in-kernel) port filter excludes.
. "$(dirname "$0")/../lib.sh"

A=skbs-a-$$; B=skbs-b-$$
NET=10.213.$(( $$ % 200 + 20 ))
make_pair "$A" "$B" "$NET" fd00:213:$(( $$ % 9000 + 1 )) || { not_ok "namespaces"; finish; exit; }
V6=fd00:213:$(( $$ % 9000 + 1 ))
ip netns exec "$A" iptables -I OUTPUT 1 -p udp -d "$NET.2" --dport 7001 -j DROP ||
	not_ok "iptables rule"
INO_A=$(netns_inode "$A"); INO_B=$(netns_inode "$B")
bpf_mark

# 1. The drop, filtered by port in the kernel, with stacks.
OUT=$TMP/drop.txt
if start_trace "$OUT" --filter-dst-port 7001 --filter-proto udp \
		--output-stack --filter-netns "$A"; then
	send_udp "$A" "$NET.2" 7001 3
	send_udp "$A" "$NET.2" 7002 3
	sleep 0.5
	stop_trace; rc=$?
	check "exits 0 on SIGINT" [ "$rc" -eq 0 ]
	drops=$(grep -c "kfree_skb(NETFILTER_DROP)" "$OUT")
	check "3 drops with NETFILTER_DROP (saw $drops)" [ "$drops" -eq 3 ]
	check "drop tuple is $NET.1:*->$NET.2:7001(udp)" \
		grep -qE "$NET\.1:[0-9]+->$NET\.2:7001\(udp\) skb:kfree_skb\(NETFILTER_DROP\)" "$OUT"
	check "drop netns is $A ($INO_A)" \
		grep -qE "^0x[0-9a-f]+ +[0-9]+ +[^ ]+ +$INO_A .*NETFILTER_DROP" "$OUT"
	check "drop location is symbolized (nft_do_chain)" \
		grep -qE "NETFILTER_DROP\) nft_do_chain\+0x[0-9a-f]+" "$OUT"
	check "stack shows nf_hook_slow" grep -qE "^    nf_hook_slow\+0x" "$OUT"
	check "port 7002 is never reported" bash -c "! grep -q ':7002(' '$OUT'"
	check "summary names lost events" grep -q "lost" "$OUT.err"
else
	not_ok "start trace (drop)"
fi

# 2. The other port has no rule: it reaches B, where nothing listens.
OUT=$TMP/nosock.txt
if start_trace "$OUT" --filter-dst-port 7002 --filter-netns "$B"; then
	send_udp "$A" "$NET.2" 7002 2
	send_udp "$A" "$NET.2" 7001 2
	sleep 0.5
	stop_trace
	check "closed port: NO_SOCKET at __udp4_lib_rcv" \
		grep -qE "$NET\.1:[0-9]+->$NET\.2:7002\(udp\) skb:kfree_skb\(NO_SOCKET\) __udp4_lib_rcv\+0x" "$OUT"
	check "closed port: netns of $B ($INO_B)" \
		grep -qE "^0x[0-9a-f]+ +[0-9]+ +[^ ]+ +$INO_B " "$OUT"
	check "netns filter: nothing from $A" \
		bash -c "! grep -qE '^0x[0-9a-f]+ +[0-9]+ +[^ ]+ +$INO_A ' '$OUT'"
	check "path seen on receive (netif_receive_skb)" \
		grep -q "net:netif_receive_skb" "$OUT"
else
	not_ok "start trace (closed port)"
fi

# 3. IPv6 and a source prefix filter.
OUT=$TMP/v6.txt
if start_trace "$OUT" --filter-src-ip "$V6::/64" --filter-dst-port 7003; then
	send_udp "$A" "$V6::2" 7003 2
	sleep 0.5
	stop_trace
	check "IPv6 tuple reported" \
		grep -qE "\[$V6::1\]:[0-9]+->\[$V6::2\]:7003\(udp\)" "$OUT"
else
	not_ok "start trace (IPv6)"
fi

# 3b. IPv4 prefixes in the kernel: byte and non-byte lengths, both sides.
for case in "$NET.0/25:yes" "$NET.128/25:no" "$NET.2/31:yes" "$NET.3/32:no" \
	"10.208.0.0/12:yes" "10.0.0.0/7:yes"; do
	pfx=${case%:*} want=${case#*:}
	OUT=$TMP/pfx.txt
	if start_trace "$OUT" --filter-dst-ip "$pfx" --filter-dst-port 7007; then
		send_udp "$A" "$NET.2" 7007 1
		sleep 0.3
		stop_trace
		n=$(grep -c '^0x' "$OUT")
		if [ "$want" = yes ]; then
			check "prefix $pfx matches $NET.2 ($n events)" [ "$n" -gt 0 ]
		else
			check "prefix $pfx does not match $NET.2 ($n events)" [ "$n" -eq 0 ]
		fi
	else
		not_ok "start trace (prefix $pfx)"
	fi
done

# 4. --output-limit-lines ends the run by itself.
OUT=$TMP/limit.txt
if start_trace "$OUT" --filter-dst-port 7002 --output-limit-lines 2; then
	send_udp "$A" "$NET.2" 7002 5
	for _ in $(seq 50); do kill -0 "$TRACE_PID" 2>/dev/null || break; sleep 0.1; done
	check "--output-limit-lines 2 exits by itself" bash -c "! kill -0 $TRACE_PID 2>/dev/null"
	wait "$TRACE_PID" 2>/dev/null
	n=$(grep -c '^0x' "$OUT")
	check "--output-limit-lines 2 printed 2 events (saw $n)" [ "$n" -eq 2 ]
else
	not_ok "start trace (limit)"
fi

# 5. A full ring buffer: the loss is counted and said, not silent.
OUT=$TMP/loss.txt
if start_trace "$OUT" --filter-dst-port 7002 --ringbuf-size 8K --output-skb; then
	send_udp "$A" "$NET.2" 7002 20
	sleep 1.5
	stop_trace
	lost=$(sed -n 's/.* \([0-9][0-9]*\) lost (ring buffer full).*/\1/p' "$OUT.err")
	check "loss counted in the summary (${lost:-none})" [ "${lost:-0}" -gt 0 ]
	check "loss reported while running" grep -q "events lost so far" "$OUT.err"
else
	not_ok "start trace (loss)"
fi

# 5a. Least privilege: once attached, only CAP_BPF (map fds on kernels
# before 6.5) and CAP_SYSLOG (kallsyms addresses) are left, in every set,
# with no_new_privs; tracing goes on without the rest, and the drop's
# symbols still resolve. Explaining drops keeps CAP_NET_ADMIN (the nft
# trace table), CAP_SYS_ADMIN (entering the drop's namespace) and
# CAP_SYS_PTRACE (the process behind a socket) as well.
OUT=$TMP/caps-explain.txt
if start_trace "$OUT" --filter-dst-port 7006; then
	st=/proc/$TRACE_PID/status
	check "capabilities when explaining: also NET_ADMIN, SYS_ADMIN, SYS_PTRACE ($(grep CapEff "$st"))" \
		grep -q "^CapEff:[[:space:]]*0000008400281000$" "$st"
	stop_trace
else
	not_ok "start trace (caps, explaining)"
fi
OUT=$TMP/caps.txt
if start_trace "$OUT" --filter-dst-port 7006 --output-stack --no-explain; then
	st=/proc/$TRACE_PID/status
	check "capabilities after attach: CAP_BPF and CAP_SYSLOG only ($(grep CapEff "$st"))" \
		grep -q "^CapEff:[[:space:]]*0000008400000000$" "$st"
	check "bounding set reduced too" \
		grep -q "^CapBnd:[[:space:]]*0000008400000000$" "$st"
	check "no_new_privs set" grep -q "^NoNewPrivs:[[:space:]]*1$" "$st"
	send_udp "$A" "$NET.2" 7006 2
	sleep 0.5
	stop_trace
	check "events and stack symbols after dropping privileges" \
		grep -qE "^ +[a-z_]+\+0x[0-9a-f]+" "$OUT"
else
	not_ok "start trace (caps)"
fi

# 5b. Exact accounting under a flood: every event the filter matched was
# either received (and printed: the last ones are drained at exit) or
# counted lost; the summary shows both and they add up.
OUT=$TMP/flood.txt
if start_trace "$OUT" --filter-netns "$B" --ringbuf-size 64K; then
	ip netns exec "$A" python3 - "$NET.2" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(30000):
    s.sendto(b'skbscope-flood', (sys.argv[1], 7005))
PY
	stop_trace
	sum=$(grep 'matched the filter' "$OUT.err")
	read -r matched got lost <<<"$(sed -n 's/.* \([0-9]*\) matched the filter: \([0-9]*\) received, \([0-9]*\) lost.*/\1 \2 \3/p' "$OUT.err")"
	printed=$(grep -c '^0x' "$OUT")
	# skbscope's own netlink messages (the explainer's) are counted as
	# received and not printed, and the summary says how many.
	own=$(sed -n "s/.*(\([0-9]*\) of them skbscope's own netlink.*/\1/p" "$OUT.err")
	check "flood: events lost (${lost:-?}) and received (${got:-?})" \
		[ "${lost:-0}" -gt 0 ] && [ "${got:-0}" -gt 0 ]
	check "flood: matched ${matched:-?} = received ${got:-?} + lost ${lost:-?}" \
		[ -n "$matched" ] && [ "$matched" -eq $((got + lost)) ]
	check "flood: nothing unaccounted ($sum)" bash -c "! grep -q unaccounted '$OUT.err'"
	check "flood: every received event printed ($printed of ${got:-?}, ${own:-0} skbscope's own)" \
		[ "$printed" -eq "$(( ${got:--1} - ${own:-0} ))" ]
	# The programs' own cost, from the kernel's run-time statistics:
	# at least one run per hook hit counted, and a time for them.
	read -r runs ns <<<"$(sed -n 's/^skbscope: BPF: \([0-9]*\) runs, \([0-9]*\) ns each.*/\1 \2/p' "$OUT.err")"
	hits=$(sed -n 's/.*; \([0-9]*\) hook hits in all.*/\1/p' "$OUT.err")
	check "flood: BPF run time measured (${runs:-?} runs >= ${hits:-?} hits, ${ns:-?} ns each)" \
		[ -n "$runs" ] && [ "$runs" -ge "${hits:-1}" ] && [ "${ns:-0}" -gt 0 ]
	check "flood: the kernel skipped no run (recursion, kprobe misses)" \
		grep -q "0 runs skipped by the kernel's recursion protection, 0 kprobe hits missed" "$OUT.err"
else
	not_ok "start trace (flood)"
fi

# 6. Nothing stays attached: no program or link of ours (tests/lib.sh).
leak=$(bpf_leaks)
check "no BPF programs or links left${leak:+ ($leak)}" [ -z "$leak" ]
check "nothing pinned under /sys/fs/bpf" \
	bash -c "! find /sys/fs/bpf -name '*skbs*' 2>/dev/null | grep -q ."

finish
