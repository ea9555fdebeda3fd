# SPDX-License-Identifier: GPL-2.0
# Runs inside a test VM (busybox sh). Set before this file: OFFERED and
# NOT_OFFERED (backend lists), DROPFN (the hook that reports a drop:
# kfree_skb_reason, sk_skb_reason_drop or skb:kfree_skb) and REASONS (yes
# when the kernel has drop reasons). Prints VMTEST lines for tests/vm.
. /guest-lib.sh
# A subset keeps the run short under TCG, where each detach waits for RCU.
FUNCS='^(ip_|__ip_|udp|__udp|nf_hook|kfree_skb|sk_skb_reason|consume_skb|__dev_queue|dev_hard|__netif|netif_)'
iptables -I OUTPUT 1 -p udp -d 127.0.0.1 --dport 7001 -j DROP ||
	vmfail "iptables rule"

up() { cut -d' ' -f1 /proc/uptime; }

# run BACKEND OUT ARGS...: trace while sending 2 datagrams to 7001 (the
# DROP rule) and 2 to 7002 (nothing listens).
run() {
	b=$1; out=$2; shift 2
	rm -f /tmp/ready
	t0=$(up)
	/skbscope --no-tui --backend "$b" --ready-file /tmp/ready "$@" \
		>"$out" 2>"$out.err" &
	pid=$!
	if ! wait_ready /tmp/ready "$pid" 300; then
		cat "$out.err"
		return 1
	fi
	t1=$(up)
	send_udp 127.0.0.1 7001 2
	send_udp 127.0.0.1 7002 2
	sleep 1
	kill -INT "$pid"; wait "$pid"
	rc=$?
	t2=$(up)
	n=$(sed -n 's/^skbscope: \([0-9]*\) hooks attached.*/\1/p' "$out.err")
	echo "VMTEST TIME $b attach=$(awk "BEGIN{print $t1-$t0}") detach=$(awk "BEGIN{print $t2-$t1-1}") hooks=${n:-0}"
	return $rc
}

for b in $OFFERED; do
	if [ "$b" = tracepoint ]; then extra=--output-stack; f=; else
		extra=--output-caller; f=$FUNCS; fi
	if run "$b" /tmp/drop.$b --filter-proto udp --filter-dst-ip 127.0.0.1 \
		${f:+--filter-func "$f"} $extra; then
		vmok "$b: starts and exits 0"
	else
		vmfail "$b: starts and exits 0"; cat /tmp/drop.$b.err
		continue
	fi
	grep -q "backend $b\|on the $b backend" /tmp/drop.$b.err ||
		vmfail "$b: says which backend"
	# After the capability drop the counters must still be readable
	# (kernels before 6.5 want CAP_BPF for any bpf() call) and add up.
	if grep -q "matched the filter: .* received" /tmp/drop.$b.err &&
		! grep -q "unaccounted\|cannot be read" /tmp/drop.$b.err; then
		vmok "$b: exit summary adds up after dropping privileges"
	else
		vmfail "$b: exit summary adds up after dropping privileges"
		tail -n 2 /tmp/drop.$b.err
	fi
	if [ "$b" = tracepoint ]; then hook="skb:kfree_skb"; else hook=$DROPFN; fi
	if [ "$REASONS" = yes ]; then
		vmcheck "$b: drop at $hook with NETFILTER_DROP" \
			grep -q "7001(udp) $hook(NETFILTER_DROP) nf_hook_slow+0x" /tmp/drop.$b
	else
		vmcheck "$b: drop at $hook from nf_hook_slow (no reasons before 5.17)" \
			grep -q "7001(udp) $hook nf_hook_slow+0x" /tmp/drop.$b
	fi
	if [ "$b" = tracepoint ]; then
		vmcheck "$b: stack shows nf_hook_slow" \
			grep -q "^    nf_hook_slow+0x" /tmp/drop.$b
	else
		vmcheck "$b: path passes nf_hook_slow" \
			grep -q "7001(udp) nf_hook_slow\( \|$\)" /tmp/drop.$b
		vmcheck "$b: lifetime ends at kfree_skbmem" \
			grep -q "7001(udp) kfree_skbmem\( \|$\)" /tmp/drop.$b
		case $b in kprobe*)
			vmcheck "$b: --output-caller names the caller" \
				grep -q "7001(udp) nf_hook_slow caller=[a-z_0-9]*+0x" /tmp/drop.$b
		esac
		# iptables-legacy's verdict, from the kprobe pair on
		# ipt_do_table: the table and chain of the DROP rule above.
		vmcheck "$b: why names iptables-legacy filter OUTPUT" \
			grep -q "why: dropped by iptables-legacy table filter chain OUTPUT" /tmp/drop.$b
	fi
	if [ "$REASONS" = yes ]; then
		vmcheck "$b: closed port: NO_SOCKET at __udp4_lib_rcv" \
			grep -q "7002(udp) $hook(NO_SOCKET) __udp4_lib_rcv+0x" /tmp/drop.$b
	else
		vmcheck "$b: closed port: drop at __udp4_lib_rcv" \
			grep -q "7002(udp) $hook __udp4_lib_rcv+0x" /tmp/drop.$b
	fi
	if [ "$b" = tracepoint ]; then
		# The port filter runs in the kernel on every backend; one
		# check of it here keeps the matrix short.
		if run "$b" /tmp/port.$b --filter-dst-port 7002; then
			vmcheck "$b: port filter keeps 7001 out" \
				sh -c "grep -q ':7002(' /tmp/port.$b && ! grep -q ':7001(' /tmp/port.$b"
		else
			vmfail "$b: port filter run"
		fi
	fi
done

# pcap-filter expressions: the interpreter runs on this kernel (bpf_loop
# from 5.17, a bounded loop before), on a tracepoint and a kprobe backend.
for b in tracepoint kprobe; do
	if [ "$b" = kprobe ]; then f=$FUNCS; else f=; fi
	if run "$b" /tmp/pcap.$b ${f:+--filter-func "$f"} --debug "udp and dst port 7002"; then
		vmcheck "$b: pcap 'udp and dst port 7002' reports 7002, not 7001" \
			sh -c "grep -q ':7002(udp)' /tmp/pcap.$b && ! grep -q ':7001(' /tmp/pcap.$b"
		vmcheck "$b: pcap runs by $PCAPMODE" \
			grep -q "run in the kernel by $PCAPMODE" /tmp/pcap.$b.err
		# The tuple and the pcap bytes above came this way (skb.bpf.h).
		[ "$b" = kprobe ] && vmcheck "kprobe: kprobes read skbs by $KPREADS" \
			grep -q "kprobes read skbs by $KPREADS" /tmp/pcap.$b.err
	else
		vmfail "$b: pcap run"; cat /tmp/pcap.$b.err
	fi
done

# --filter-skb-expr: the expression interpreter (exprvm.bpf.h; bpf_loop
# from 5.17, a bounded loop before) on each function backend, with a
# pointer chain: only skbs on lo (ifindex 1) longer than 41 bytes (the
# datagrams at the IP layer are 41, at the device 55). The first run of
# the backend, unfiltered, shows the shorter ones it must leave out. A
# few functions on both sides of that line keep the runs short under TCG.
EXPRFUNCS='^(udp_send_skb|ip_output|ip_finish_output2|__dev_queue_xmit|ip_rcv|__netif_receive_skb_one_core)$'
for b in $OFFERED; do
	[ "$b" = tracepoint ] && continue
	if run "$b" /tmp/expr.$b --filter-dst-ip 127.0.0.1 --filter-func "$EXPRFUNCS" \
		--filter-skb-expr 'skb->dev->ifindex == 1 && skb->len > 41'; then
		vmcheck "$b: skb expression keeps only skbs on lo longer than 41 bytes" \
			sh -c "grep '^0x' /tmp/expr.$b | awk '\$6 ~ /^1[(]/ && \$9 > 41 { ok++; next } { bad++ } END { exit !(ok > 0 && bad == 0) }'"
		vmcheck "$b: ... which the unfiltered run had shorter ones of" \
			sh -c "grep '^0x' /tmp/drop.$b | awk '\$9 <= 41 { n++ } END { exit !(n > 0) }'"
	else
		vmfail "$b: skb expression run"; cat /tmp/expr.$b.err
	fi
done

# The namespace, device and mark tests on the kprobe backends, which read
# them by typed loads from 6.2 and by probe reads before (skb.bpf.h): lo's
# datagrams to 7002 in this namespace, and none in another.
for b in $OFFERED; do
	case $b in kprobe*) ;; *) continue ;; esac
	if run "$b" /tmp/meta.$b --filter-func "$EXPRFUNCS" --filter-netns /proc/1/ns/net \
		--filter-ifname lo --filter-mark 0 --filter-dst-port 7002; then
		vmcheck "$b: netns, device, mark and port filters keep lo's datagrams to 7002" \
			sh -c "grep '^0x' /tmp/meta.$b | awk '\$6 ~ /^1[(]lo/ && /:7002[(]udp/ { ok++; next } { bad++ } END { exit !(ok > 0 && bad == 0) }'"
	else
		vmfail "$b: netns and device filter run"; cat /tmp/meta.$b.err
	fi
	if run "$b" /tmp/meta0.$b --filter-func "$EXPRFUNCS" --filter-netns inode:1; then
		vmcheck "$b: ... and another namespace keeps none of them" \
			sh -c "! grep -q '^0x' /tmp/meta0.$b && grep -q '[1-9][0-9]* hook hits in all' /tmp/meta0.$b.err"
	else
		vmfail "$b: other netns run"; cat /tmp/meta0.$b.err
	fi
done

for b in $NOT_OFFERED; do
	/skbscope --no-tui --backend "$b" >/tmp/no.$b 2>&1
	rc=$?
	if [ "$rc" -eq 1 ] && grep -q "not available" /tmp/no.$b; then
		vmok "$b: not offered, said plainly ($(head -c 150 /tmp/no.$b))"
		echo "VMTEST NOTOFFERED $b"
	else
		vmfail "$b: not offered but exit $rc: $(head -c 200 /tmp/no.$b)"
	fi
done

# --filter-track-skb: the filter matches the port before DNAT rewrites it
# (at __ip_local_out, ahead of the nat OUTPUT hook); tracking must keep
# reporting the skb with its new port. Tracepoints fire only after NAT, so
# this needs function probes.
if iptables -t nat -I OUTPUT 1 -p udp -d 127.0.0.1 --dport 7005 \
		-j DNAT --to-destination 127.0.0.1:7006; then
	rm -f /tmp/rt
	/skbscope --no-tui --backend kprobe --filter-func "$FUNCS" \
		--filter-dst-port 7005 --filter-track-skb --ready-file /tmp/rt \
		>/tmp/track 2>/tmp/track.err &
	pid=$!
	if wait_ready /tmp/rt "$pid" 120; then
		# -t: a packet tap makes the kernel clone each skb for it.
		udpsend -t 127.0.0.1 7005 2
		sleep 1
	fi
	kill -INT "$pid"; wait "$pid"
	vmcheck "kprobe: --filter-track-skb matches before DNAT (7005)" \
		grep -q "7005(udp) __ip_local_out" /tmp/track
	vmcheck "kprobe: --filter-track-skb follows it after DNAT (7006)" \
		grep -q ":7006(udp) " /tmp/track
	orig=$(grep "7005(udp) __ip_local_out" /tmp/track | head -n1 | cut -d' ' -f1)
	vmcheck "kprobe: --filter-track-skb follows its clone (new skb, 7006)" \
		sh -c "grep ':7006(udp) ' /tmp/track | grep -qv '^$orig '"
else
	vmfail "iptables DNAT rule"
fi

# --output-return: the call tree's values, on the backends that have
# returns here (RETURNS), and a plain "no returns" where not.
for b in $OFFERED; do
	case " $RETURNS " in
	*" $b "*)
		if run "$b" /tmp/ret.$b --filter-proto udp --filter-dst-port 7001 \
			--filter-func "$FUNCS" --output-return; then
			vmcheck "$b: returns: nf_hook_slow = -EPERM after the drop" \
				grep -q "<- nf_hook_slow = -EPERM (" /tmp/ret.$b
			vmcheck "$b: returns: __ip_local_out = -EPERM, one call out" \
				sh -c "grep -A3 '<- nf_hook_slow = -EPERM' /tmp/ret.$b | grep -q '<- __ip_local_out = -EPERM ('"
			vmcheck "$b: returns: summary counts them, none lost" \
				grep -q "returns: [1-9][0-9]* received, 0 lost" /tmp/ret.$b.err
		else
			vmfail "$b: returns run"; cat /tmp/ret.$b.err
		fi
		;;
	*)
		if [ "$b" = tracepoint ]; then f=; else f='^kfree_skbmem$'; fi
		/skbscope --no-tui --backend "$b" --output-return \
			${f:+--filter-func "$f"} --ready-file /tmp/rn.$b \
			>/tmp/rn.$b.out 2>/tmp/rn.$b.err &
		pid=$!
		wait_ready /tmp/rn.$b "$pid" 120
		kill -INT "$pid"; wait "$pid"
		vmcheck "$b: no returns here, said plainly ($(grep -o 'no returns: .*' /tmp/rn.$b.err | head -c 80))" \
			grep -q "^skbscope: no returns: " /tmp/rn.$b.err
		;;
	esac
done
# A recording keeps them: the replay prints the same return lines.
for b in $RETURNS; do
	if run "$b" /tmp/rrec.$b --filter-proto udp --filter-dst-port 7001 \
		--filter-func "$FUNCS" --output-return --record /tmp/rec.$b; then
		/skbscope --replay /tmp/rec.$b --no-tui >/tmp/rrep.$b 2>&1
		vmcheck "$b: replay shows the recorded returns" \
			sh -c "[ \"\$(grep -c ' <- ' /tmp/rrec.$b)\" -gt 0 ] &&
				[ \"\$(grep -c ' <- ' /tmp/rrec.$b)\" = \"\$(grep -c ' <- ' /tmp/rrep.$b)\" ]"
	else
		vmfail "$b: returns record run"
	fi
	break
done

# --output-skb on every backend: JSON carries the dump; a small
# --set-percpu-buf cuts it and says so, a large one (the scratch value
# sized at load time) does not.
for b in $OFFERED; do
	if [ "$b" = tracepoint ]; then f=; else f='^(ip_rcv|__udp4_lib_rcv|ip_output)$'; fi
	for buf in 256 20000; do
		if run "$b" /tmp/dump.$b.$buf --output-skb --output-json \
			--set-percpu-buf $buf --filter-proto udp \
			--filter-dst-ip 127.0.0.1 ${f:+--filter-func "$f"}; then
			:
		else
			vmfail "$b: --output-skb --set-percpu-buf $buf runs"
			tail -n 3 /tmp/dump.$b.$buf.err
			continue
		fi
		if [ $buf = 20000 ]; then
			# shared info and cb too, in the same tail
			if run "$b" /tmp/shinfo.$b --output-skb-shared-info \
				--output-skb-cb --output-skb --output-json \
				--set-percpu-buf 8000 --filter-proto udp \
				--filter-dst-ip 127.0.0.1 ${f:+--filter-func "$f"}; then
				vmcheck "$b: --output-skb-shared-info and --output-skb-cb in JSON" \
					grep -q '"skb_shared_info":"(struct skb_shared_info).*"cb":\[' /tmp/shinfo.$b
			else
				vmfail "$b: --output-skb-shared-info runs"
				tail -n 3 /tmp/shinfo.$b.err
			fi
		fi
		if [ $buf = 256 ]; then
			vmcheck "$b: a dump cut by --set-percpu-buf 256 says so" \
				grep -q '"skb_dump":"(struct sk_buff).*"skb_dump_cut":true' /tmp/dump.$b.$buf
		else
			vmcheck "$b: --set-percpu-buf 20000 holds the whole dump" \
				sh -c "grep -q '\"skb_dump_cut\":false' /tmp/dump.$b.$buf &&
					! grep -q '\"skb_dump_cut\":true' /tmp/dump.$b.$buf"
		fi
	done
done
# ARP on function probes: "arp" matches the request at arp_xmit and where
# the peer of a veth pair receives it (arp_rcv). busybox ip names the peer
# itself (veth0); the peer has no address, so the request goes unanswered.
if ip link add va type veth 2>/dev/null; then
	peer=$(ip -o link show | sed -n 's/^[0-9]*: \([^@:]*\)@va.*/\1/p' | head -n1)
	ip addr add 10.226.0.1/24 dev va
	ip link set va up; ip link set "${peer:-veth0}" up
	for b in $OFFERED; do
		[ "$b" = tracepoint ] && continue
		rm -f /tmp/ready
		/skbscope --no-tui --backend "$b" --ready-file /tmp/ready \
			--filter-func '^(arp_rcv|arp_xmit|__dev_queue_xmit)$' \
			arp >/tmp/arp.$b 2>/tmp/arp.$b.err &
		pid=$!
		if wait_ready /tmp/ready "$pid" 300; then
			ip neigh flush dev va 2>/dev/null
			send_udp 10.226.0.9 7000 1
			sleep 1
			kill -INT "$pid"; wait "$pid"
			vmcheck "$b: arp matches at arp_rcv, who-has described" \
				grep -q "arp who-has 10.226.0.9 tell 10.226.0.1 arp_rcv" /tmp/arp.$b
			vmcheck "$b: arp matches at arp_xmit and __dev_queue_xmit" \
				sh -c "grep -q 'who-has 10.226.0.9 tell 10.226.0.1 arp_xmit' /tmp/arp.$b &&
					grep -q 'who-has 10.226.0.9 tell 10.226.0.1 __dev_queue_xmit' /tmp/arp.$b"
		else
			vmfail "$b: arp trace not ready"; tail -n 3 /tmp/arp.$b.err
			kill -9 "$pid" 2>/dev/null
		fi
	done
	ip link del va
else
	vmfail "arp: cannot make a veth pair (veth.ko in the initramfs?)"
fi

# Module functions come from module BTF with --kmods.
if [ -e /sys/kernel/btf/veth ]; then
	/skbscope --list-funcs --kmods veth >/tmp/kmods 2>&1
	vmcheck "--kmods veth lists veth_xmit [veth]" \
		grep -q "^veth_xmit \[veth\]" /tmp/kmods
else
	echo "no module BTF for veth on this kernel: --kmods not checked"
fi

# auto picks the best offered backend and says why others were not used.
/skbscope --no-tui --filter-func '^kfree_skbmem$' --ready-file /tmp/ra \
	>/tmp/auto 2>/tmp/auto.err &
pid=$!
wait_ready /tmp/ra "$pid" 120
kill -INT "$pid"; wait "$pid"
best=${OFFERED%% *}
vmcheck "auto picks $best" grep -q "on the $best backend" /tmp/auto.err
if [ -n "$NOT_OFFERED" ]; then
	vmcheck "auto says why it did not use $NOT_OFFERED" \
		grep -q "not using" /tmp/auto.err
fi
grep "not using" /tmp/auto.err

# Every skb function, under a flood, on the best backend (ALLFUNCS=yes:
# the 6.12 guest), then detached: the kernel must stay healthy.
if [ "$ALLFUNCS" = yes ]; then
	b=${OFFERED%% *}
	udpflood recv 7777 /tmp/fl.ready >/tmp/fl.rx 2>&1 &
	rxp=$!
	wait_ready /tmp/fl.ready "$rxp" 20
	rm -f /tmp/ready
	/skbscope --no-tui --backend "$b" --filter-dst-port 7777 \
		--ready-file /tmp/ready >/dev/null 2>/tmp/all.err &
	pid=$!
	if wait_ready /tmp/ready "$pid" 600; then
		udpflood send 127.0.0.1 7777 3 >/tmp/fl.tx
		kill -INT "$pid"; wait "$pid"
		rc=$?
		n=$(sed -n 's/^skbscope: \([0-9]*\) hooks attached.*/\1/p' /tmp/all.err)
		vmcheck "$b: all $n skb functions under a flood, exits 0" \
			sh -c "[ $rc -eq 0 ] && [ ${n:-0} -gt 500 ]"
		grep "matched the filter\|^skbscope: BPF: " /tmp/all.err
	else
		vmfail "$b: all skb functions: not ready"; tail -n 3 /tmp/all.err
		kill -9 "$pid" 2>/dev/null
	fi
	kill -INT "$rxp"; wait "$rxp"
fi

# tc and XDP programs as hops (--filter-trace-tc, --filter-trace-xdp).
. /guest-bpfprog.sh

# --filter-track-skb-by-stackid and --filter-non-skb-funcs.
. /guest-stackid.sh

# The kernel's own log after everything above: no warning, BUG, oops,
# RCU stall, soft lockup or lockdep report may have come from tracing.
klog_clean "after attach, flood and detach"
