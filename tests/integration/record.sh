#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# --record on the real kernel (the iptables DROP scenario), --replay as an
# unprivileged user with no BPF: the same lines as the live run, JSON that
# jq reads, pcap-ng that tshark reads; recordings stopped by SIGTERM or
# SIGHUP are complete; cut or damaged files get clean errors; a recording
# made without --snaplen still has the header bytes pcap-ng is made of.
. "$(dirname "$0")/../lib.sh"

A=skbr-a-$$; B=skbr-b-$$
NET=10.217.$(( $$ % 200 + 20 ))
make_pair "$A" "$B" "$NET" || { not_ok "namespaces"; finish; exit; }
ip netns exec "$A" iptables -I OUTPUT 1 -p udp -d "$NET.2" --dport 7001 -j DROP ||
	not_ok "iptables rule"

# Replays run as nobody: no root, no BPF, no kallsyms.
as_nobody() { setpriv --reuid nobody --regid nogroup --clear-groups "$@"; }
chmod 755 "$TMP"

# 1. Record the drop with stacks, then replay it.
R=$TMP/drop.skbs
if start_trace "$TMP/live.txt" --filter-netns "$A" --filter-proto udp \
		--output-stack --snaplen 64 --record "$R"; then
	send_udp_from "$A" "$NET.2" 7001 41300 3
	sleep 0.5
	stop_trace; rc=$?
	check "record: exits 0" [ "$rc" -eq 0 ]
	check "record: says where it recorded" grep -q "recorded to $R" "$TMP/live.txt.err"
	check "record: file mode 0600" [ "$(stat -c %a "$R")" = 600 ]
	cp "$R" "$TMP/pub.skbs" && chmod 644 "$TMP/pub.skbs"
	as_nobody "$SKBSCOPE" --replay "$TMP/pub.skbs" --output-stack \
		>"$TMP/replay.txt" 2>"$TMP/replay.err"
	rc=$?
	check "replay as nobody exits 0 ($rc)" [ "$rc" -eq 0 ]
	check "replay names the recording's host and kernel" \
		grep -q "recorded on $(uname -n) (kernel $(uname -r), tracepoint backend)" "$TMP/replay.err"
	check "replay: the live run's drops are there" \
		grep -q "NETFILTER_DROP) nft_do_chain+0x" "$TMP/replay.txt"
	check "replay output equals the live output (lines and stacks)" \
		diff -u "$TMP/live.txt" "$TMP/replay.txt"
	check "replay: summary has the recorded counters" \
		grep -q "events replayed; when recorded: [0-9]* matched" "$TMP/replay.err"
	as_nobody "$SKBSCOPE" --replay "$TMP/pub.skbs" --output-json --output-stack \
		>"$TMP/replay.json" 2>/dev/null
	check "replay --output-json: jq reads every line" jq_ok . "$TMP/replay.json"
	check "replay --output-json: the drop and its stack" \
		jq_ok 'select(.drop.reason == "NETFILTER_DROP" and
			(.stack | map(test("^nf_hook_slow\\+")) | any))' \
		"$TMP/replay.json"
	mkdir -m 777 "$TMP/pub"
	as_nobody "$SKBSCOPE" --replay "$TMP/pub.skbs" --output-pcap \
		"$TMP/pub/replay.pcapng" >/dev/null 2>&1
	n=$(tshark -r "$TMP/pub/replay.pcapng" 2>/dev/null | wc -l)
	check "replay --output-pcap: tshark reads the packets ($n)" [ "$n" -ge 3 ]
	# The explorer opens recordings too, as nobody, on a real terminal.
	tm new-session -d -s rp -x 120 -y 30 \
		"setpriv --reuid nobody --regid nogroup --clear-groups $SKBSCOPE --replay $TMP/pub.skbs; echo RP-EXIT=\$?; sleep 20"
	check "explorer replay: the drop row" \
		wait_screen_of rp "41300->$NET\.2:7001\(udp\).*DROPPED NETFILTER_DROP" 10
	check "explorer replay: says REPLAY and that the file is complete" \
		bash -c "tmux -S '$TSOCK' capture-pane -p -t rp | grep -q 'REPLAY' &&
			tmux -S '$TSOCK' capture-pane -p -t rp | grep -q 'events, complete'"
	tm send-keys -t rp '\'
	sleep 0.3
	tm send-keys -t rp -l 'dport 7002'
	tm send-keys -t rp Enter
	check "explorer replay: a filter is refused inline" \
		wait_screen_of rp "filter NOT applied: this is a replay" 5
	tm send-keys -t rp q
	check "explorer replay: quits with 0" wait_screen_of rp "RP-EXIT=0" 5
	tm kill-session -t rp
else
	not_ok "start trace (record)"
fi

# 2. SIGTERM and SIGHUP (an ssh drop) still leave a complete file.
for sig in TERM HUP; do
	F=$TMP/$sig.skbs
	if start_trace "$TMP/$sig.txt" --filter-netns "$A" --record "$F"; then
		send_udp_from "$A" "$NET.2" 7001 41400 2
		sleep 0.3
		kill -"$sig" "$TRACE_PID"; wait "$TRACE_PID"
		"$SKBSCOPE" --replay "$F" >"$TMP/$sig.replay" 2>"$TMP/$sig.err"
		rc=$?
		check "SIG$sig: the recording is complete (replay exit $rc)" \
			bash -c "[ $rc -eq 0 ] && grep -q 'when recorded' '$TMP/$sig.err'"
		check "SIG$sig: its events replay" grep -q ':7001(udp)' "$TMP/$sig.replay"
	else
		not_ok "start trace (SIG$sig)"
	fi
done

# 3. Damaged recordings: every cut and a few hundred bit flips give a clean
# error naming the file (or, for flips that change only data, a normal
# replay); never a crash or a hang.
S=$TMP/small.skbs
if start_trace "$TMP/small.txt" --filter-netns "$A" --output-limit-lines 2 \
		--record "$S"; then
	send_udp_from "$A" "$NET.2" 7001 41500 3
	wait "$TRACE_PID"
	size=$(stat -c %s "$S")
	# One process runs every cut and flip: a shell loop would spend its
	# time forking head and grep, not in skbscope.
	python3 - "$SKBSCOPE" "$S" "$TMP" >"$TMP/damage.out" <<'PY'
import os, random, subprocess, sys
exe, src, tmp = sys.argv[1], sys.argv[2], sys.argv[3]
data = open(src, 'rb').read()
crash = hang = unclear = ok_flip = err_flip = 0
def run(blob, name):
    path = os.path.join(tmp, name)
    with open(path, 'wb') as f:
        f.write(blob)
    try:
        p = subprocess.run([exe, '--replay', path], capture_output=True,
                           timeout=5)
    except subprocess.TimeoutExpired:
        return None, b''
    return p.returncode, p.stderr
for i in range(len(data)):
    rc, err = run(data[:i], 'cut.skbs')
    if rc is None:
        hang += 1
    elif rc < 0:
        crash += 1
    elif rc != 2 or b'cut.skbs' not in err:
        unclear += 1
        print('cut at %d: exit %s: %s' % (i, rc, err[-200:]), file=sys.stderr)
random.seed(1)
for i in range(400):
    b = bytearray(data)
    off = random.randrange(len(b))
    b[off] ^= 1 << random.randrange(8)
    rc, err = run(bytes(b), 'flip.skbs')
    if rc is None:
        hang += 1
    elif rc < 0:
        crash += 1
    elif rc == 0:
        ok_flip += 1
    else:
        err_flip += 1
print(crash, hang, unclear, ok_flip, err_flip)
PY
	read -r crashes hangs unclear okf errf <"$TMP/damage.out"
	check "cut at each of $size bytes, 400 bit flips: no crash (${crashes:-?}), no hang (${hangs:-?})" \
		[ "$(( ${crashes:-1} + ${hangs:-1} ))" -eq 0 ]
	check "cut at each byte: exit 2 with a message naming the file (${unclear:-?} unclear)" \
		[ "${unclear:-1}" -eq 0 ]
	check "bit flips: clean errors (${errf:-?}) or clean replays (${okf:-?})" \
		[ "$(( ${okf:-0} + ${errf:-0} ))" -eq 400 ]
	check "a cut file says where" bash -c \
		"head -c $((size - 9)) '$S' >'$TMP/c.skbs'; '$SKBSCOPE' --replay '$TMP/c.skbs' 2>&1 >/dev/null | grep -q 'c.skbs: byte [0-9]'"
else
	not_ok "start trace (small)"
fi

# 4. Recording alongside the explorer.
F=$TMP/tui.skbs
tm new-session -d -s rt -x 120 -y 30 \
	"$SKBSCOPE --filter-netns $A --record $F --ready-file $TMP/rt.ready; echo RT-EXIT=\$?; sleep 20"
if wait_file "$TMP/rt.ready" 30; then
	send_udp_from "$A" "$NET.2" 7001 41600 2
	check "explorer + record: the drop on screen" \
		wait_screen_of rt "41600->$NET\.2:7001\(udp\).*DROPPED" 10
	tm send-keys -t rt q
	check "explorer + record: quits with 0" wait_screen_of rt "RT-EXIT=0" 10
	"$SKBSCOPE" --replay "$F" >"$TMP/rt.txt" 2>"$TMP/rt.err"
	check "explorer + record: the file replays the drop" \
		grep -q "41600->$NET\.2:7001(udp) skb:kfree_skb(NETFILTER_DROP)" "$TMP/rt.txt"
else
	not_ok "explorer + record: start"
fi
tm kill-session -t rt 2>/dev/null

# 5. A recording made without --snaplen keeps the headers (the explorer's
# 64 bytes), so a replay can export it to pcap-ng later.
F=$TMP/nosnap.skbs
if start_trace "$TMP/nosnap.txt" --filter-netns "$A" --filter-dst-port 7001 \
		--record "$F"; then
	send_udp_from "$A" "$NET.2" 7001 41700 3
	sleep 0.5
	stop_trace
	"$SKBSCOPE" --replay "$F" --output-pcap "$TMP/nosnap.pcapng" \
		>/dev/null 2>"$TMP/nosnap.err"
	n=$(tshark -r "$TMP/nosnap.pcapng" -Y 'udp.srcport == 41700 && udp.dstport == 7001' 2>/dev/null | wc -l)
	check "record without --snaplen: replay --output-pcap has the packets ($n)" \
		[ "$n" -ge 3 ]
else
	not_ok "start trace (no --snaplen)"
fi

# 6. Not a recording at all.
bad() {
	want=$1; shift
	"$SKBSCOPE" "$@" >/dev/null 2>"$TMP/bad.err"
	rc=$?
	check "exit 2 and '$want' for $*" \
		bash -c "[ $rc -eq 2 ] && grep -q -- \"$want\" '$TMP/bad.err'"
}
bad "no-such.skbs" --replay "$TMP/no-such.skbs"
echo "hello" >"$TMP/text.skbs"
bad "text.skbs" --replay "$TMP/text.skbs"
bad "$TMP" --replay "$TMP"
bad "a replay cannot be recorded" --replay "$S" --record "$TMP/x.skbs"
finish
