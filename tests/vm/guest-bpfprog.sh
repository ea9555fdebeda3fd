# SPDX-License-Identifier: GPL-2.0
# Sourced by guest-matrix.sh: --filter-trace-tc and --filter-trace-xdp on
# tcxdp.bpf.o's programs, attached to lo by bpfload: tc ingress drops UDP
# to 7021, generic XDP drops UDP to 7022, both pass everything else.

# bpf_verdict PORT HOOK FILE: the value of HOOK's first return line after a
# hop of HOOK on a datagram to PORT, on the same skb (or xdp_buff).
bpf_verdict() {
	awk -v hop="$1(udp) $2" -v ret="<- $2 = " '
		index($0, hop) { want[$1] = 1; next }
		($1 in want) && index($0, ret) {
			s = substr($0, index($0, ret) + length(ret))
			print substr(s, 1, index(s, " ") - 1); exit
		}' "$3"
}

# trace_progs OUT BACKEND ARGS...: trace with both flags while sending two
# datagrams to each of 7021, 7022 and 7023.
trace_progs() {
	out=$1 b=$2; shift 2
	rm -f /tmp/rb
	/skbscope --no-tui --backend "$b" --filter-trace-tc --filter-trace-xdp \
		--ready-file /tmp/rb "$@" 'udp and dst portrange 7021-7023' \
		>"$out" 2>"$out.err" &
	pid=$!
	if wait_ready /tmp/rb "$pid" 300; then
		for p in 7021 7022 7023; do send_udp 127.0.0.1 $p 2; done
		sleep 1
	fi
	kill -INT "$pid"; wait "$pid"
}

if ids=$(bpfload /tcxdp.bpf.o lo); then
	tcid=${ids#tc }; tcid=${tcid%% *}; xdpid=${ids##* }
	tc=bpf:tc_drop_udp#$tcid xdp=bpf:xdp_drop_udp#$xdpid
	b=${OFFERED%% *}
	trace_progs /tmp/bp "$b" --filter-func "$FUNCS" --record /tmp/bp.rec
	rc=$?
	vmcheck "trace-tc: on $b, exits 0 with both programs traced" \
		sh -c "[ $rc -eq 0 ] && grep -q '^skbscope: 2 tc/XDP programs traced' /tmp/bp.err"
	vmcheck "trace-tc: $tc is a hop of the 7021 datagram" \
		grep -q "7021(udp) $tc\$" /tmp/bp
	v=$(bpf_verdict 7021 "$tc" /tmp/bp)
	vmcheck "trace-tc: $tc returns TC_ACT_SHOT on 7021 (got ${v:-none})" \
		[ "$v" = TC_ACT_SHOT ]
	v=$(bpf_verdict 7023 "$tc" /tmp/bp)
	vmcheck "trace-tc: $tc returns TC_ACT_OK on 7023 (got ${v:-none})" \
		[ "$v" = TC_ACT_OK ]
	vmcheck "trace-tc: the 7021 drop at $DROPFN is the program's drop" \
		sh -c "grep -A1 '7021(udp) $DROPFN' /tmp/bp | grep -q 'why: dropped by tc BPF program tc_drop_udp (id $tcid): it returned TC_ACT_SHOT'"
	vmcheck "trace-tc: 7023 passes tc (reaches udp_rcv or its drop)" \
		grep -q "7023(udp) __udp4_lib_rcv" /tmp/bp
	v=$(bpf_verdict 7022 "$xdp" /tmp/bp)
	vmcheck "trace-xdp: $xdp returns XDP_DROP on 7022 (got ${v:-none})" \
		[ "$v" = XDP_DROP ]
	v=$(bpf_verdict 7023 "$xdp" /tmp/bp)
	vmcheck "trace-xdp: $xdp returns XDP_PASS on 7023 (got ${v:-none})" \
		[ "$v" = XDP_PASS ]
	vmcheck "trace-xdp: a datagram XDP dropped never reaches tc" \
		sh -c "! grep -q '7022(udp) $tc' /tmp/bp"
	# A recording keeps the programs' hooks, verdicts and the why.
	/skbscope --replay /tmp/bp.rec --no-tui >/tmp/bp.rep 2>&1
	vmcheck "trace-tc: the replay shows the hop, TC_ACT_SHOT and the why" \
		sh -c "grep -q '7021(udp) $tc\$' /tmp/bp.rep &&
			grep -q '<- $tc = TC_ACT_SHOT' /tmp/bp.rep &&
			grep -q 'why: dropped by tc BPF program tc_drop_udp' /tmp/bp.rep"
	# JSON and the XDP metadata, on the tracepoint backend: the
	# programs' hooks do not depend on the function probes.
	trace_progs /tmp/bpj tracepoint --output-json --output-xdp-metadata
	vmcheck "trace-xdp: JSON carries the xdp_buff's fields on lo" \
		sh -c "grep '\"func\":\"$xdp\"' /tmp/bpj | grep -q '\"xdp\":{\"data_len\":[0-9]*,\"rxq_ifindex\":1,\"rxq_queue\":0,'"
	vmcheck "trace-tc: JSON returns say tc-act TC_ACT_SHOT" \
		grep -q "\"func\":\"$tc\",.*\"retval\":\"TC_ACT_SHOT\",\"kind\":\"tc-act\"" /tmp/bpj
	vmcheck "trace-tc: JSON drop explained by the program" \
		grep -q '"explain":{"kind":"bpf-prog","text":"dropped by tc BPF program tc_drop_udp' /tmp/bpj
	# The helpers they call, as hops of the packet they run for, and
	# their map: loaded again, so that the map starts empty and the
	# first datagram to each port makes an update.
	bpfload -d lo
	ids=$(bpfload /tcxdp.bpf.o lo) || vmfail "bpfload again"
	tcid=${ids#tc }; tcid=${tcid%% *}; xdpid=${ids##* }
	tc=bpf:tc_drop_udp#$tcid xdp=bpf:xdp_drop_udp#$xdpid
	trace_progs /tmp/bph tracepoint --filter-track-bpf-helpers \
		--output-bpfmap
	vmcheck "trace-tc: helpers probed ($(grep -o '[0-9]* helper functions' /tmp/bph.err))" \
		grep -q "^skbscope: 2 tc/XDP programs traced, with [1-9][0-9]* helper functions" /tmp/bph.err
	vmcheck "trace-tc: bpf_skb_load_bytes is a hop of the 7023 datagram, after $tc" \
		sh -c "grep -A1 '7023(udp) $tc\$' /tmp/bph | grep -q '7023(udp) bpf_skb_load_bytes\$'"
	vmcheck "trace-xdp: bpf_xdp_adjust_head is a hop of the 7022 frame" \
		grep -q "7022(udp) bpf_xdp_adjust_head\$" /tmp/bph
	# 7023 is 0x1b6f: the key's bytes little-endian; the first
	# datagram's update stores 1.
	vmcheck "bpfmap: the update of counts for 7023, key and value" \
		sh -c "grep -A1 '7023(udp) htab_map_update_elem\$' /tmp/bph | grep -q '^    map [0-9]* (counts) key\[4\] 6f1b0000 value\[8\] 0100000000000000\$'"
	vmcheck "bpfmap: the lookup of counts for 7023 (the second datagram's)" \
		sh -c "grep -A1 '7023(udp) __htab_map_lookup_elem\$' /tmp/bph | grep -q '^    map [0-9]* (counts) key\[4\] 6f1b0000\$'"
	vmcheck "trace-tc: no helper hop without the flag" \
		sh -c "! grep -q 'bpf_skb_load_bytes\|bpf_xdp_adjust_head' /tmp/bp"
	bpfload -d lo || vmfail "bpfload -d lo"
	# --filter-kprobe-batch: kprobe-multi links of at most 10
	# functions, counted in skbscope's own fdinfo.
	case " $OFFERED " in *" kprobe-multi "*)
		for batch in "" 10; do
			rm -f /tmp/rk
			/skbscope --no-tui --backend kprobe-multi \
				--filter-func "$FUNCS" ${batch:+--filter-kprobe-batch $batch} \
				--ready-file /tmp/rk >/dev/null 2>/tmp/kb.err &
			pid=$!
			n=0
			if wait_ready /tmp/rk "$pid" 300; then
				n=$(grep -l "^link_type:.*kprobe_multi" /proc/$pid/fdinfo/* 2>/dev/null | wc -l)
			fi
			kill -INT "$pid"; wait "$pid"
			eval "links_${batch:-all}=$n"
		done
		vmcheck "kprobe-multi: --filter-kprobe-batch 10 makes $links_10 links where one per program made $links_all" \
			sh -c "[ $links_10 -ge 11 ] && [ $links_10 -gt $links_all ] && [ $links_all -gt 0 ]"
	esac
else
	vmfail "trace-tc: bpfload could not attach the test programs"
fi
