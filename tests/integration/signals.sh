#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Signals and exits: skbscope is started 50 times, in line mode with its
# file outputs or as the explorer in a real terminal (tmux), and ended at a
# random moment (before, during or after attaching) by a random SIGINT,
# SIGTERM, SIGHUP, SIGQUIT or a closed terminal (tmux kill-session or
# kill-pane: an ssh drop). Then Ctrl-Z and fg, a resize storm, and SIGINT
# to line mode under a flood. After
# each: the process exited, no BPF program or link of its own is left, the
# terminal is back to the shell, and what it wrote is complete.
# The choices come from SEED (printed first; SEED=N reproduces a run).
. "$(dirname "$0")/../lib.sh"

RUNS=${RUNS:-50}
SEED=${SEED:-$(( (RANDOM << 15 | RANDOM) % 1000000 ))}
echo "# SEED=$SEED (set SEED to replay these choices)"
RANDOM=$SEED

for t in bpftool jq tshark tmux; do
	command -v "$t" >/dev/null && continue
	echo "cannot run: $t is not installed"; not_ok "$t"; finish; exit
done

A=skbsig-a-$$; B=skbsig-b-$$
NET=10.219.$(( $$ % 200 + 20 ))
make_pair "$A" "$B" "$NET" || { not_ok "namespaces"; finish; exit; }
# Steady traffic, so every output has events in it.
ip netns exec "$A" python3 - "$NET.2" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
while True:
    s.sendto(b'skbscope-signals', (sys.argv[1], 7001))
    time.sleep(0.02)
PY
PIDS="$PIDS $!"
disown

bpf_mark

# ---- helpers -------------------------------------------------------------
signum() { kill -l "$1"; }
# gone PID SECONDS: the process is no more (or a zombie) within SECONDS.
gone() {
	local st end=$((SECONDS + $2))
	while [ "$SECONDS" -le "$end" ]; do
		# comm is skbscope: no spaces, so field 3 is the state.
		read -r _ _ st _ 2>/dev/null <"/proc/$1/stat" || return 0
		[ "$st" = Z ] && return 0
		sleep 0.02
	done
	return 1
}
# exec_wait PID: until PID runs skbscope (past the shell's fork), so the
# delay counts from exec. Bounded.
COMM=$(basename "$SKBSCOPE" | cut -c1-15)
exec_wait() {
	local c
	for _ in $(seq 500); do
		read -r c <"/proc/$1/comm" 2>/dev/null || return 1
		[ "$c" = "$COMM" ] && return 0
		sleep 0.01
	done
	return 1
}
ms_sleep() { sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"; }

# check_outputs DIR CLEAN: appends problems with the outputs in DIR to
# $why. CLEAN=1 when skbscope exited on its own: every output it was asked
# for must then exist.
check_outputs() {
	local d=$1 clean=$2 rc
	if [ -e "$d/want.json" ]; then
		if [ -e "$d/out.json" ]; then
			jq . "$d/out.json" >/dev/null 2>&1 ||
				why="$why; --output-file JSON unreadable"
		elif [ "$clean" = 1 ]; then
			why="$why; --output-file missing"
		fi
	fi
	if [ -e "$d/want.rec" ]; then
		if [ -e "$d/rec.skbs" ]; then
			"$SKBSCOPE" --replay "$d/rec.skbs" --output-json \
				>/dev/null 2>"$d/replay.err"
			rc=$?
			if [ "$rc" -gt 2 ]; then
				why="$why; replay crashed ($rc)"
			elif [ "$rc" -ne 0 ]; then
				why="$why; recording cut: $(tail -n1 "$d/replay.err")"
			elif ! grep -q 'when recorded' "$d/replay.err"; then
				why="$why; recording has no end (counters)"
			fi
		elif [ "$clean" = 1 ]; then
			why="$why; --record file missing"
		fi
	fi
	if [ -e "$d/want.pcap" ]; then
		if [ -e "$d/out.pcapng" ]; then
			tshark -r "$d/out.pcapng" >/dev/null 2>"$d/tshark.err" ||
				why="$why; tshark: $(grep -v "Running as user" "$d/tshark.err" | head -c 160)"
		elif [ "$clean" = 1 ]; then
			why="$why; --output-pcap missing"
		fi
	fi
}

# outputs DIR MASK: the flags for the outputs in MASK (1 JSON lines file,
# 2 recording, 4 pcap-ng); leaves want.* markers in DIR.
outputs() {
	local d=$1 m=$2 args=""
	if [ $((m & 1)) -ne 0 ]; then
		args="$args --output-json --output-file $d/out.json"
		: >"$d/want.json"
	fi
	if [ $((m & 2)) -ne 0 ]; then
		args="$args --record $d/rec.skbs"; : >"$d/want.rec"
	fi
	if [ $((m & 4)) -ne 0 ]; then
		args="$args --output-pcap $d/out.pcapng"; : >"$d/want.pcap"
	fi
	echo "$args"
}
out_names() {
	local n=""
	[ -e "$1/want.json" ] && n="$n+json"
	[ -e "$1/want.rec" ] && n="$n+record"
	[ -e "$1/want.pcap" ] && n="$n+pcap"
	echo "${n#+}"
}

# expect_rc RC SIG DELAY_MS: a handled signal exits 0; only a signal that
# lands in the first milliseconds (the dynamic loader, before main) may
# kill the process outright.
expect_rc() {
	[ "$1" -eq 0 ] && return 0
	[ "$3" -lt 50 ] && [ "$1" -eq $((128 + $(signum "$2"))) ] && return 0
	why="$why; exit status $1"
}

# ---- line mode -----------------------------------------------------------
line_case() {
	local i=$1 sig=$2 delay=$3 d=$TMP/l$1 args pid rc phase clean=0 leak
	mkdir -p "$d"
	why=""
	args=$(outputs "$d" "$4")
	# A background job of a script starts with SIGINT and SIGQUIT
	# ignored; an interactive shell's would not.
	# shellcheck disable=SC2086
	env --default-signal=INT,QUIT "$SKBSCOPE" --no-tui \
		--filter-netns "$A" --ready-file "$d/ready" $args \
		>"$d/stdout" 2>"$d/err" &
	pid=$!
	if ! exec_wait "$pid"; then
		not_ok "case $i: line mode: skbscope did not start"
		return
	fi
	ms_sleep "$delay"
	if [ -e "$d/ready" ]; then phase=ready; else phase=attaching; fi
	kill -"$sig" "$pid"
	if ! gone "$pid" 10; then
		why="$why; still running 10 s after SIG$sig (hang)"
		kill -9 "$pid" 2>/dev/null
	fi
	wait "$pid"; rc=$?
	expect_rc "$rc" "$sig" "$delay"
	[ "$rc" -eq 0 ] && clean=1
	check_outputs "$d" "$clean"
	leak=$(bpf_leaks) || true
	[ -n "$leak" ] && why="$why; BPF left behind: $leak"
	if [ -z "$why" ]; then
		ok "case $i: line mode [$(out_names "$d")], SIG$sig at $delay ms ($phase): exit $rc, outputs readable, no BPF left"
	else
		not_ok "case $i: line mode [$(out_names "$d")], SIG$sig at $delay ms ($phase):${why#;}"
		sed 's/^/#   /' "$d/err" | tail -n 5
	fi
}

# ---- the explorer in tmux ----------------------------------------------
# A shell in a fresh tmux session; its prompt is "PROMPT$ ".
shell_session() {
	tm new-session -d -s "$1" -x 120 -y 30 \
		"env PS1='PROMPT\$ ' bash --norc --noprofile -i" &&
		wait_screen_of "$1" '^PROMPT\$' 5
}
# explorer_pid DIR: the explorer started with DIR in its arguments.
explorer_pid() {
	local p
	for _ in $(seq 500); do
		p=$(pgrep -f -n -- "--ready-file $1/ready") && { echo "$p"; return 0; }
		sleep 0.01
	done
	return 1
}
# The shell prints the tty's icanon and echo flags, then MODES.
MODES="stty -a | tr ' ;' '\n\n' | grep -Ex -- '-?(icanon|echo)' | tr '\n' ' '; echo MODES"
MODES_RE='^(-?(icanon|echo) )*MODES$'
# term_restored SESSION: after the explorer exited, ask the shell for the
# status and the tty modes; appends problems to $why. Sets ERC.
term_restored() {
	local s=$1 scr
	tm send-keys -t "$s" "echo \"EXIT=\$?\"; $MODES" Enter
	if ! wait_screen_of "$s" '^EXIT=[0-9]+$' 5 ||
	   ! wait_screen_of "$s" "$MODES_RE" 5; then
		why="$why; the shell does not answer"
		ERC=255
		return
	fi
	scr=$(screen_of "$s")
	ERC=$(sed -n 's/^EXIT=\([0-9]*\)$/\1/p' <<<"$scr" | tail -n1)
	grep -q '^icanon echo MODES$' <<<"$scr" ||
		why="$why; tty modes: $(grep 'MODES$' <<<"$scr" | tail -n1)"
	[ "$(tm display -p -t "$s" '#{alternate_on}')" = 0 ] ||
		why="$why; still on the alternate screen"
	[ "$(tm display -p -t "$s" '#{cursor_flag}')" = 1 ] ||
		why="$why; cursor left hidden"
	prompt_last "$s" || why="$why; no shell prompt on the last line"
}
prompt_last() {
	for _ in $(seq 20); do
		screen_of "$1" | grep -v '^$' | tail -n1 | grep -q '^PROMPT\$ *$' &&
			return 0
		sleep 0.05
	done
	return 1
}

tui_case() {
	local i=$1 how=$2 delay=$3 d=$TMP/t$1 s=t$1 args pid phase clean=0 leak
	mkdir -p "$d"
	why=""
	# --output-file means line mode: the explorer gets the other two.
	args=$(outputs "$d" $(($4 & 6)))
	if ! shell_session "$s"; then
		not_ok "case $i: explorer: no shell in tmux"
		return
	fi
	tm send-keys -t "$s" "$SKBSCOPE --filter-netns $A --ready-file $d/ready$args 2>$d/err" Enter
	if ! pid=$(explorer_pid "$d"); then
		not_ok "case $i: explorer: skbscope did not start"
		tm kill-session -t "$s"
		return
	fi
	ms_sleep "$delay"
	if [ -e "$d/ready" ]; then phase=ready; else phase=attaching; fi
	case $how in
	kill-session) tm kill-session -t "$s" ;;
	kill-pane) tm kill-pane -t "$s" ;;
	*) kill -"$how" "$pid" ;;
	esac
	if ! gone "$pid" 10; then
		why="$why; still running 10 s after $how (hang)"
		kill -9 "$pid" 2>/dev/null
	fi
	ERC=
	# After a hangup (the terminal is gone, skbscope saw SIGHUP) no shell
	# reports the status, so only outputs that exist are checked.
	if [ "${how#kill-}" = "$how" ]; then
		term_restored "$s"
		if [ -n "$ERC" ]; then
			expect_rc "$ERC" "$how" "$delay"
			[ "$ERC" -eq 0 ] && clean=1
		fi
		tm kill-session -t "$s"
	fi
	check_outputs "$d" "$clean"
	leak=$(bpf_leaks) || true
	[ -n "$leak" ] && why="$why; BPF left behind: $leak"
	local what=$how
	[ "${how#kill-}" = "$how" ] && what=SIG$how
	if [ -z "$why" ]; then
		ok "case $i: explorer [$(out_names "$d")], $what at $delay ms ($phase): exited${ERC:+ $ERC}, terminal back, outputs readable, no BPF left"
	else
		not_ok "case $i: explorer [$(out_names "$d")], $what at $delay ms ($phase):${why#;}"
		sed 's/^/#   /' "$d/err" | tail -n 5
	fi
}

SIGS=(INT TERM HUP QUIT)
TUI_HOW=(INT TERM HUP QUIT kill-session kill-pane)
START=$(date +%s)
for i in $(seq "$RUNS"); do
	# Every choice is drawn here: a subshell would reseed RANDOM.
	# One in three lands in the first 300 ms: mostly before the ready
	# file (loading and attaching take 0.3 to 1 s here).
	delay=$((RANDOM % 1500)); mode=$((RANDOM % 2)); mask=$((RANDOM % 8))
	[ $((RANDOM % 3)) -eq 0 ] && delay=$((delay / 5))
	if [ "$mode" -eq 0 ]; then
		line_case "$i" "${SIGS[RANDOM % 4]}" "$delay" "$mask"
	else
		tui_case "$i" "${TUI_HOW[RANDOM % 6]}" "$delay" "$mask"
	fi
done
echo "# $RUNS random cases in $(( $(date +%s) - START )) s"

restored_0() { [ -z "$why" ] && [ "$ERC" = 0 ]; }
redrawn() {
	wait_screen_of "$1" '^ skbscope ' 5 &&
		[ "$(tm display -p -t "$1" '#{alternate_on}')" = 1 ]
}

# answers_and_quits LABEL SESSION PID: the explorer in SESSION opens and
# closes help, then q ends it with status 0, the terminal restored and no
# BPF left.
answers_and_quits() {
	local l=$1 s=$2 p=$3 leak
	tm send-keys -t "$s" '?'
	check "$l: the explorer answers a key" wait_screen_of "$s" 'Help: keys' 5
	tm send-keys -t "$s" Escape
	sleep 0.2
	tm send-keys -t "$s" q
	check "$l: q exits" gone "$p" 10
	why=""
	term_restored "$s"
	check "$l: exit 0, terminal restored${why:+ (${why#; })}" restored_0
	leak=$(bpf_leaks)
	check "$l: no BPF left${leak:+ ($leak)}" [ -z "$leak" ]
}

# ---- Ctrl-Z, then fg ----------------------------------------------------
# The shell must get a sane terminal while the explorer is stopped, and the
# explorer must come back drawn and answering keys.
S=ctrlz
if shell_session "$S"; then
	mkdir -p "$TMP/z"
	tm send-keys -t "$S" "$SKBSCOPE --filter-netns $A --ready-file $TMP/z/ready 2>$TMP/z.err" Enter
	wait_file "$TMP/z/ready" 30
	check "Ctrl-Z: the explorer draws" wait_screen_of "$S" '^ skbscope ' 10
	pid=$(explorer_pid "$TMP/z")
	tm send-keys -t "$S" C-z
	check "Ctrl-Z: the shell says it stopped" \
		wait_screen_of "$S" 'Stopped.*skbscope' 5
	check "Ctrl-Z: the process is stopped" \
		bash -c "[ \"\$(awk '{ print \$3 }' /proc/$pid/stat)\" = T ]"
	check "Ctrl-Z: alternate screen left" \
		[ "$(tm display -p -t "$S" '#{alternate_on}')" = 0 ]
	check "Ctrl-Z: cursor shown" \
		[ "$(tm display -p -t "$S" '#{cursor_flag}')" = 1 ]
	tm send-keys -t "$S" "$MODES" Enter
	check "Ctrl-Z: the shell has icanon and echo" \
		wait_screen_of "$S" '^icanon echo MODES$' 5
	tm send-keys -t "$S" fg Enter
	check "fg: the explorer redraws on the alternate screen" \
		redrawn "$S"
	answers_and_quits fg "$S" "$pid"
	tm kill-session -t "$S"
else
	not_ok "Ctrl-Z: no shell in tmux"
fi

# ---- a SIGWINCH storm ---------------------------------------------------
S=winch
if shell_session "$S"; then
	mkdir -p "$TMP/w"
	tm send-keys -t "$S" "$SKBSCOPE --filter-netns $A --ready-file $TMP/w/ready 2>$TMP/w.err" Enter
	wait_file "$TMP/w/ready" 30
	check "resize storm: the explorer draws" wait_screen_of "$S" '^ skbscope ' 10
	pid=$(explorer_pid "$TMP/w")
	for _ in $(seq 50); do
		tm resize-window -t "$S" -x $((20 + RANDOM % 200)) \
			-y $((5 + RANDOM % 60))
	done
	tm resize-window -t "$S" -x 90 -y 30
	check "resize storm: still running" [ -d "/proc/$pid" ]
	check "resize storm: redrawn at the last size (90 columns)" \
		wait_screen_of "$S" '^└─{88}┘$' 5
	answers_and_quits "resize storm" "$S" "$pid"
	tm kill-session -t "$S"
else
	not_ok "resize storm: no shell in tmux"
fi
# ---- SIGINT under a flood --------------------------------------------
# Lines printed to a terminal, with --output-skb, are slower than two
# flooding senders: the ring buffer never empties, and the drain must
# still end for the signal to be seen.
S=flood
if shell_session "$S"; then
	mkdir -p "$TMP/f"
	FLOODS=""
	for _ in 1 2; do
		ip netns exec "$A" python3 - "$NET.2" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
end = time.time() + 30
while time.time() < end:
    for p in range(7100, 7200):
        s.sendto(b'skbscope-flood', (sys.argv[1], p))
PY
		FLOODS="$FLOODS $!"
		disown
	done
	PIDS="$PIDS $FLOODS"
	tm send-keys -t "$S" "$SKBSCOPE --no-tui --output-skb --output-stack --filter-dst-ip $NET.2 --ready-file $TMP/f/ready 2>$TMP/f.err" Enter
	if wait_file "$TMP/f/ready" 30 && pid=$(explorer_pid "$TMP/f"); then
		sleep 2
		kill -INT "$pid"
		t0=$(date +%s%3N)
		# The flood outlasts the bound: a drain that never ends fails.
		check "flood: SIGINT ends line mode printing to a terminal" \
			gone "$pid" 10
		echo "# exited $(( $(date +%s%3N) - t0 )) ms after SIGINT"
		kill -9 "$pid" 2>/dev/null
		# shellcheck disable=SC2086
		kill $FLOODS 2>/dev/null
		why=""
		term_restored "$S"
		check "flood: exit 0, the shell answers${why:+ (${why#; })}" \
			restored_0
		leak=$(bpf_leaks)
		check "flood: no BPF left${leak:+ ($leak)}" [ -z "$leak" ]
	else
		not_ok "flood: skbscope did not start"
	fi
	tm kill-session -t "$S"
else
	not_ok "flood: no shell in tmux"
fi
echo "# SEED=$SEED, $(( $(date +%s) - START )) s in all"
# ---- nohup ---------------------------------------------------------------
# A hangup ignored on entry (nohup) stays ignored; SIGINT still ends it.
rm -f "$TMP/nohup.ready"
nohup "$SKBSCOPE" --no-tui --filter-netns 1 --ready-file "$TMP/nohup.ready" \
	>/dev/null 2>"$TMP/nohup.err" &
NP=$!
if wait_file "$TMP/nohup.ready" 30; then
	kill -HUP "$NP"; sleep 0.5
	check "under nohup, SIGHUP leaves it running" kill -0 "$NP"
	kill -INT "$NP"; wait "$NP"; rc=$?
	check "under nohup, SIGINT still exits 0 ($rc)" [ "$rc" -eq 0 ]
else
	not_ok "nohup run starts"; kill -KILL "$NP" 2>/dev/null
fi

finish
