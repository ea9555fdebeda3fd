#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Issue 16's outputs on the host kernel, with real files, namespaces and a
# real cgroup: --output-file rotation (sizes, backups, age, gzip read back
# by zcat with no line lost, a rotation that fails said), the skb dump,
# stack and caller in JSON, a cut dump that says so and --set-percpu-buf
# lifting it, netns names of namespaces made here, the cgroup behind a
# packet and --filter-cgroup, --filter-netns inode:N, --timestamp
# absolute with the date, and --debug.
. "$(dirname "$0")/../lib.sh"

A=s16o-a-$$; B=s16o-b-$$
NET=10.226.$(( $$ % 200 + 20 ))
make_pair "$A" "$B" "$NET" || { not_ok "namespaces"; finish; exit; }
CGROOT=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
CG=s16o-$$
cleanup_cg() {
	[ -n "$CGROOT" ] && [ -d "$CGROOT/$CG" ] || return 0
	# Anything left in it goes back to the root first.
	while read -r p; do echo "$p" >"$CGROOT/cgroup.procs"; done \
		<"$CGROOT/$CG/cgroup.procs" 2>/dev/null
	rmdir "$CGROOT/$CG"
}
trap 'cleanup_cg; cleanup' EXIT

# blast NS DST PORT COUNT [SPORT]: datagrams as fast as python sends them.
blast() {
	ip netns exec "$1" python3 - "$2" "$3" "$4" "${5:-0}" <<'PY'
import socket, sys
dst, port, n, sport = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
if sport:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('', sport))
for i in range(n):
    try:
        s.sendto(b'skbscope-outputs2', (dst, port))
    except OSError:
        pass
PY
}

# events_in FILE...: event lines (line mode) in plain or gzipped files.
events_in() { zcat -f "$@" | grep -c '^0x'; }

# 1. Rotation by size, no backup limit: every line in some file, none
# split, and every rotated file gzipped and readable by zcat.
D=$TMP/rot1; mkdir -p "$D"
LIMIT=2500
if start_trace "$TMP/rot1.out" --filter-netns "$A" --output-skb \
	--output-file "$D/trace.log" --output-file-max-size 1 \
	--output-file-compress --output-limit-lines $LIMIT; then
	for _ in 1 2 3 4 5 6; do
		kill -0 "$TRACE_PID" 2>/dev/null || break
		blast "$A" "$NET.2" 7001 400
	done
	wait "$TRACE_PID"; rc=$?
	check "rotating run exits 0" [ "$rc" -eq 0 ]
	ngz=$(ls "$D"/trace-*.log.gz 2>/dev/null | wc -l)
	check "rotated at 1 MB into gzipped backups ($ngz)" [ "$ngz" -ge 3 ]
	check "backups are named as pwru's (NAME-date-time.EXT.gz)" \
		bash -c "ls '$D' | grep -qE '^trace-[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}-[0-9]{2}-[0-9]{2}\.[0-9]{3}\.log\.gz$'"
	check "zcat reads every backup" bash -c "for f in '$D'/*.gz; do zcat \"\$f\" >/dev/null || exit 1; done"
	n=$(events_in "$D"/trace*)
	check "no line lost across the files ($n of $LIMIT events)" [ "$n" -eq $LIMIT ]
	# Each file holds whole events: it starts with an event line (or
	# the header) and ends with the close of a dump (then a blank line).
	bad=0
	for f in "$D"/trace*; do
		first=$(zcat -f "$f" | head -n1)
		last=$(zcat -f "$f" | grep -v '^$' | tail -n1)
		case $first in 0x*|SKB*) ;; *) bad=$((bad + 1)) ;; esac
		[ "$last" = "}" ] || bad=$((bad + 1))
	done
	check "no event split between two files" [ "$bad" -eq 0 ]
	big=$(for f in "$D"/trace*; do zcat -f "$f" | wc -c; done | sort -n | tail -n1)
	check "no file past 1 MB ($big bytes)" [ "$big" -le 1048576 ]
	check "mode 0600" bash -c "! stat -c %a '$D'/* | grep -qv 600"
else
	not_ok "start trace (rotation)"
fi

# 2. Backups and age: at most 2 kept; a stale backup (10 days, by the
# time in its name) goes at the first rotation, a fresh one stays.
D=$TMP/rot2; mkdir -p "$D"
old=$(date -d '10 days ago' +%Y-%m-%dT%H-%M-%S).000
echo stale >"$D/t-$old.json"
if start_trace "$TMP/rot2.out" --filter-netns "$A" --output-skb --output-json \
	--output-file "$D/t.json" --output-file-max-size 1 \
	--output-file-max-backups 2 --output-file-max-age 1 \
	--output-limit-lines 2500; then
	for _ in 1 2 3 4 5 6; do
		kill -0 "$TRACE_PID" 2>/dev/null || break
		blast "$A" "$NET.2" 7001 400
	done
	wait "$TRACE_PID"
	check "the stale backup is gone (--output-file-max-age 1)" \
		[ ! -e "$D/t-$old.json" ]
	nb=$(ls "$D"/t-*.json 2>/dev/null | wc -l)
	check "two backups kept (--output-file-max-backups 2: $nb)" [ "$nb" -eq 2 ]
	check "every line of every file is a JSON object" \
		bash -c "cat '$D'/t*.json | jq -e -c 'has(\"skb\")' >/dev/null"
else
	not_ok "start trace (backups)"
fi

# 3. A rotation that fails (the directory takes no rename) is said, the
# run says so in its exit status, and the output goes on: no line lost.
D=$TMP/rot3; mkdir -p "$D"
if chattr +a "$D" 2>/dev/null; then
	chattr -a "$D"
	if start_trace "$TMP/rot3.out" --filter-netns "$A" --output-skb \
		--output-file "$D/t.log" --output-file-max-size 1 \
		--output-limit-lines 1200; then
		chattr +a "$D"
		for _ in 1 2 3 4; do
			kill -0 "$TRACE_PID" 2>/dev/null || break
			blast "$A" "$NET.2" 7001 400
		done
		wait "$TRACE_PID"; rc=$?
		chattr -a "$D"
		check "a failing rotation is said on stderr" \
			grep -q "rotation failed: cannot rotate" "$TMP/rot3.out.err"
		check "and in the exit status ($rc)" [ "$rc" -eq 1 ]
		n=$(events_in "$D"/t*)
		check "the output went on in the file at hand ($n of 1200)" [ "$n" -eq 1200 ]
	else
		chattr -a "$D"; not_ok "start trace (failing rotation)"
	fi
else
	echo "# chattr +a does not work on $TMP: the failing rotation is not checked here"
fi

# 4. JSON carries the dump and the stack whenever line mode prints them;
# the caller too (tracepoints have none: then neither output has it).
OUT=$TMP/json.txt
if start_trace "$OUT" --filter-netns "$A" --output-skb --output-stack \
	--output-caller --output-json --output-limit-lines 20; then
	blast "$A" "$NET.2" 7001 20
	wait "$TRACE_PID"
	check "JSON: every event has the skb dump" \
		jq_ok -s 'length == 20 and all(.skb_dump | startswith("(struct sk_buff){"))' "$OUT"
	check "JSON: every event has its stack" \
		jq_ok -s 'all(.stack | length > 0)' "$OUT"
	check "JSON: skb_dump_cut says false for a whole dump" \
		jq_ok -s 'all(.skb_dump_cut == false)' "$OUT"
	start_trace "$TMP/line.txt" --filter-netns "$A" --output-skb \
		--output-stack --output-caller --output-limit-lines 20 &&
		{ blast "$A" "$NET.2" 7001 20; wait "$TRACE_PID"; }
	lc=$(grep -c ' caller=' "$TMP/line.txt"); jc=$(jq -s 'map(select(.caller)) | length' "$OUT")
	check "caller in JSON as in line mode ($jc, $lc)" [ "$jc" -eq "$lc" ]
else
	not_ok "start trace (json)"
fi

# 5. A cut dump says so; --set-percpu-buf lifts the limit.
OUT=$TMP/cut.txt
if start_trace "$OUT" --filter-netns "$A" --output-skb --set-percpu-buf 256 \
	--output-limit-lines 5; then
	blast "$A" "$NET.2" 7001 5
	wait "$TRACE_PID"
	n=$(grep -c '^    (skb dump cut after 255 bytes: --set-percpu-buf N raises the limit)' "$OUT")
	check "line mode: a cut dump says so ($n of 5)" [ "$n" -eq 5 ]
fi
OUT=$TMP/cut.json
if start_trace "$OUT" --filter-netns "$A" --output-skb --set-percpu-buf 256 \
	--output-json --output-limit-lines 5; then
	blast "$A" "$NET.2" 7001 5
	wait "$TRACE_PID"
	check "JSON: skb_dump_cut true, the dump 255 bytes" \
		jq_ok -s 'length == 5 and all(.skb_dump_cut and (.skb_dump | length) == 255)' "$OUT"
fi
OUT=$TMP/big.json
if start_trace "$OUT" --filter-netns "$A" --output-skb --set-percpu-buf 20000 \
	--output-json --output-limit-lines 5; then
	blast "$A" "$NET.2" 7001 5
	wait "$TRACE_PID"
	check "--set-percpu-buf 20000: whole dumps, longer than 255 bytes" \
		jq_ok -s 'length == 5 and all((.skb_dump_cut | not) and (.skb_dump | length) > 255 and (.skb_dump | test("}\\s*$")))' "$OUT"
fi

# 5b. Shared info and cb travel in the same tail, in both outputs.
OUT=$TMP/shinfo.json
if start_trace "$OUT" --filter-netns "$A" --output-skb --output-skb-shared-info \
	--output-skb-cb --output-json --output-limit-lines 5; then
	blast "$A" "$NET.2" 7001 5
	wait "$TRACE_PID"
	check "JSON: skb_shared_info, cb[5] and the skb dump together" \
		jq_ok -s 'length == 5 and all((.skb_shared_info | startswith("(struct skb_shared_info){")) and (.cb | length) == 5 and (.skb_dump | startswith("(struct sk_buff){")))' "$OUT"
fi
OUT=$TMP/shinfo.txt
if start_trace "$OUT" --filter-netns "$A" --output-skb-shared-info \
	--output-skb-cb --set-percpu-buf 300 --output-limit-lines 3; then
	blast "$A" "$NET.2" 7001 3
	wait "$TRACE_PID"
	check "line mode: shared info, its cut said, and cb[]" \
		bash -c "[ \$(grep -c '^(struct skb_shared_info){' '$OUT') -eq 3 ] &&
			[ \$(grep -c '^    (skb_shared_info dump cut after 299 bytes' '$OUT') -eq 3 ] &&
			[ \$(grep -cE '^    __sk_buff->cb\[\] = \[(0x[0-9a-f]{8},){4}0x[0-9a-f]{8}\]$' '$OUT') -eq 3 ]"
fi

# 6. Netns names: the namespaces made here by their names, in lines and
# JSON; --netns-names-max-length cuts them; inode:N filters as pwru's.
OUT=$TMP/names.txt
INO=$(netns_inode "$A")
if start_trace "$OUT" --filter-netns "inode:$INO" --output-netns-names \
	--output-limit-lines 3; then
	blast "$A" "$NET.2" 7001 3
	wait "$TRACE_PID"
	n=$(grep -E '^0x' "$OUT" | awk -v a="$A" '$4 == a' | wc -l)
	check "--filter-netns inode:N and the NETNS column named $A ($n)" [ "$n" -eq 3 ]
fi
OUT=$TMP/names.json
if start_trace "$OUT" --filter-netns "$B" --output-netns-names --output-json \
	--netns-names-max-length 6 --output-limit-lines 3; then
	blast "$A" "$NET.2" 7001 3
	wait "$TRACE_PID"
	want="${B:0:5}~"
	check "JSON netns_name, cut to 6 ($want)" \
		jq_ok -s --arg w "$want" --argjson i "$(netns_inode "$B")" \
		'length == 3 and all(.netns_name == $w and .netns == $i)' "$OUT"
fi

# 7. The cgroup behind a packet: a sender moved into a cgroup made here;
# --filter-cgroup reports its datagrams only, in the kernel.
if [ -n "$CGROOT" ] && mkdir "$CGROOT/$CG" 2>/dev/null; then
	OUT=$TMP/cg.txt
	if start_trace "$OUT" --filter-cgroup "/$CG" --output-cgroup \
		--filter-netns "$A" --record "$TMP/cg.skbs"; then
		# Into the cgroup first: ip netns exec mounts a sysfs of its own,
		# without the cgroup tree.
		bash -c "echo \$\$ >'$CGROOT/$CG/cgroup.procs' && exec ip netns exec '$A' \
			python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((\"\", 7100)); [s.sendto(b\"in\", (\"$NET.2\", 7001)) for i in range(3)]'"
		blast "$A" "$NET.2" 7001 3 7200
		sleep 0.5
		stop_trace
		n=$(grep -c ":7100->$NET.2:7001(udp).* cgroup=/$CG\$" "$OUT")
		check "the cgroup's datagrams, with cgroup=/$CG ($n)" [ "$n" -ge 3 ]
		check "none from outside the cgroup (--filter-cgroup)" \
			bash -c "! grep -q ':7200->' '$OUT'"
		# The recording names its cgroups: a replay (on any box,
		# where this cgroup need not exist) shows the same.
		rmdir "$CGROOT/$CG" 2>/dev/null
		"$SKBSCOPE" --replay "$TMP/cg.skbs" --output-cgroup >"$TMP/cg.replay" 2>&1
		check "a replay names the recorded cgroup, gone from this box" \
			bash -c "[ \$(grep -c ' cgroup=/$CG\$' '$TMP/cg.replay') -eq \$(grep -c ' cgroup=/$CG\$' '$OUT') ]"
		mkdir -p "$CGROOT/$CG"
	else
		not_ok "start trace (--filter-cgroup)"
	fi
	OUT=$TMP/cg.json
	if start_trace "$OUT" --filter-netns "$A" --output-json --filter-dst-port 7001; then
		# Into the cgroup first: ip netns exec mounts a sysfs of its own,
		# without the cgroup tree.
		bash -c "echo \$\$ >'$CGROOT/$CG/cgroup.procs' && exec ip netns exec '$A' \
			python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((\"\", 7101)); [s.sendto(b\"in\", (\"$NET.2\", 7001)) for i in range(2)]'"
		sleep 0.5
		stop_trace
		cgid=$(stat -c %i "$CGROOT/$CG")
		check "JSON: cgroup id and name of the sender's cgroup" \
			jq_ok -s --arg n "/$CG" --argjson id "$cgid" \
			'map(select(.tuple.sport == 7101)) | length > 0 and all(.cgroup == $id and .cgroup_name == $n)' "$OUT"
	fi
	check "--filter-cgroup names a path that is no cgroup" \
		bash -c "'$SKBSCOPE' --filter-cgroup /no-such-$$ 2>&1 | grep -q \"no such cgroup '/no-such-$$'\""
else
	echo "# no writable cgroup v2 hierarchy here: the cgroup checks cannot run"
	not_ok "make a cgroup under ${CGROOT:-(no cgroup2 mount)}"
fi

# 8. --timestamp absolute has the date, as pwru prints it.
OUT=$TMP/ts.txt
if start_trace "$OUT" --filter-netns "$A" --timestamp absolute --output-limit-lines 2; then
	blast "$A" "$NET.2" 7001 2
	wait "$TRACE_PID"
	check "line: YYYY-MM-DDTHH:MM:SS.mmm first" \
		bash -c "grep -E '^[0-9]{4}-' '$OUT' | grep -cE '^$(date +%Y-%m-%d)T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} 0x' | grep -qx 2"
fi
OUT=$TMP/ts.json
if start_trace "$OUT" --filter-netns "$A" --timestamp absolute --output-json \
	--output-limit-lines 2; then
	blast "$A" "$NET.2" 7001 2
	wait "$TRACE_PID"
	check "JSON time is that string" \
		jq_ok -s 'length == 2 and all(.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[.][0-9]{3}$"))' "$OUT"
fi

# 9. --debug: libbpf's messages and each backend tried.
"$SKBSCOPE" --debug --list-hooks >/dev/null 2>"$TMP/dbg0" || true
if start_trace "$TMP/dbg.txt" --debug --filter-func '^consume_skb$'; then
	stop_trace
	check "--debug says each backend it tries" \
		grep -q "^skbscope: debug: trying the tracepoint backend" "$TMP/dbg.txt.err"
	check "--debug passes libbpf's messages on" \
		grep -q "^libbpf: " "$TMP/dbg.txt.err"
fi
finish
