# SPDX-License-Identifier: GPL-2.0
# Sourced by guest-matrix.sh (busybox sh, guest-lib.sh loaded): the
# stack-tracking flags on function probes, over lo. Nothing listens on
# 7002, so each datagram makes an ICMP port unreachable, a new skb built
# on the stack that drops it. One run on the best kprobe backend (a few
# functions: the guests' time is short): --filter-non-skb-funcs, which
# implies --filter-track-skb-by-stackid, must show
#  - the ICMP errors as hops of their own (the stackid part), and
#  - the functions with no skb that the regex names as hops of the
#    datagram (its address and tuple): __udp4_lib_lookup (its skb is the
#    9th argument, past the five probed) and fib_table_lookup run for it
#    on the receive stack, ipv4_mtu and ip_route_output_flow on the send.
# And the fentry backend refuses the flag in one line.
NONSKB='__udp4_lib_lookup|fib_table_lookup|ipv4_mtu|ip_route_output_flow'
SKBF='udp_send_skb|ip_send_skb|__dev_queue_xmit|__netif_receive_skb_core|ip_rcv|__udp4_lib_rcv|icmp_rcv|kfree_skbmem|kfree_skb_reason|sk_skb_reason_drop|consume_skb'
case " $OFFERED " in
*" kprobe-multi "*) sb=kprobe-multi ;;
*" kprobe "*) sb=kprobe ;;
*) sb= ;;
esac
if [ -n "$sb" ]; then
	rm -f /tmp/rs
	/skbscope --no-tui --backend "$sb" --filter-dst-port 7002 \
		--filter-non-skb-funcs --filter-func "^($NONSKB|$SKBF)\$" \
		--ready-file /tmp/rs >/tmp/stk 2>/tmp/stk.err &
	pid=$!
	if wait_ready /tmp/rs "$pid" 120; then
		send_udp 127.0.0.1 7002 2
		sleep 1
	fi
	kill -INT "$pid"; wait "$pid"
	rc=$?
	vmcheck "$sb: --filter-non-skb-funcs starts and exits 0 ($rc)" [ "$rc" -eq 0 ]
	# The non-skb functions attached, and which of them fired.
	grep -E "hooks attached|^skbscope: BPF" /tmp/stk.err
	grep -E " ($NONSKB)\$" /tmp/stk | head -n 6
	vmcheck "$sb: the 7002 datagrams are reported" \
		grep -q ":7002(udp) __udp4_lib_rcv" /tmp/stk
	vmcheck "$sb: --filter-track-skb-by-stackid: their ICMP errors too, hop after hop" \
		sh -c "grep '(icmp 3/3) ' /tmp/stk | grep -q ' icmp_rcv' &&
			grep '(icmp 3/3) ' /tmp/stk | grep -q ' __dev_queue_xmit'"
	# A function with no skb, as a hop of a datagram: the skb address
	# of a line of the datagram's, and its tuple.
	vmcheck "$sb: --filter-non-skb-funcs: a function with no skb is a hop of the datagram" \
		sh -c "for a in \$(grep -E ':7002\\(udp\\) ($NONSKB)\$' /tmp/stk | cut -d' ' -f1); do
			grep -q \"^\$a .*:7002(udp) __udp4_lib_rcv\" /tmp/stk && exit 0; done; exit 1"
	vmcheck "$sb: ... and no hop of a function with no skb outside a tracked packet" \
		sh -c "! grep -E ' ($NONSKB)\$' /tmp/stk | grep -Ev ':7002\\(udp\\)|\\(icmp 3/3\\)' | grep -q ."
fi
case " $OFFERED " in
*" fentry "*)
	/skbscope --no-tui --backend fentry --filter-non-skb-funcs \
		--filter-func '^ipv4_mtu$' >/tmp/stkf 2>&1
	rc=$?
	vmcheck "fentry: --filter-non-skb-funcs refused, exit 1 ($rc): $(head -c 120 /tmp/stkf)" \
		sh -c "[ $rc -eq 1 ] && grep -q 'fentry: --filter-non-skb-funcs needs kprobe-multi or kprobe' /tmp/stkf"
	;;
esac
