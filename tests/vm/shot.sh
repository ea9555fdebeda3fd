#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shot.sh SCREEN.ansi OUT.png [COLSxROWS]: a PNG of a screen captured with
# `tmux capture-pane -p -e -N` (default 160x45), drawn the way `make
# screenshots` draws the explorer (scripts/screenshots.sh): a real xterm
# under Xvfb, same font and colours, captured with ImageMagick's import.
# Used for screens that come from the test VMs (tests/vm/tui.sh), where
# the explorer runs on a serial console, not in a terminal of this host.
set -euo pipefail
in=$1 out=$2 size=${3:-160x45}
cols=${size%x*} rows=${size#*x}
for t in Xvfb xterm import convert; do
	command -v "$t" >/dev/null || { echo "shot.sh: $t is not installed ('make deps' with SKBSCOPE_DEPS=screenshots)"; exit 1; }
done
tmp=$(mktemp -d /tmp/skbs-shot.XXXXXX)
disp=:$(( 80 + $$ % 9 ))
cleanup() {
	[ -n "${TPID:-}" ] && kill "$TPID" 2>/dev/null || true
	[ -n "${XPID:-}" ] && kill "$XPID" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

# The screen as the terminal should show it: cursor hidden, no newline
# after the last row (it would scroll the first one away).
{
	printf '\033[?25l'
	if [ "$(tail -c 1 "$in" | od -An -tx1 | tr -d ' ')" = 0a ]; then
		head -c -1 "$in"
	else
		cat "$in"
	fi
} >"$tmp/screen"
Xvfb "$disp" -screen 0 1920x1200x24 -nolisten tcp >/dev/null 2>&1 &
XPID=$!
sleep 1
DISPLAY=$disp LC_ALL=C.UTF-8 xterm -geometry "${cols}x${rows}+0+0" \
	-fa 'DejaVu Sans Mono' -fs 10 -bg '#1e1e1e' -fg '#d0d0d0' -u8 \
	-e sh -c "cat '$tmp/screen'; touch '$tmp/drawn'; sleep 60" \
	>/dev/null 2>&1 &
TPID=$!
for _ in $(seq 100); do [ -e "$tmp/drawn" ] && break; sleep 0.1; done
[ -e "$tmp/drawn" ] || { echo "shot.sh: xterm did not draw the screen"; exit 1; }
sleep 1
DISPLAY=$disp import -window root "$tmp/raw.png"
convert "$tmp/raw.png" -trim +repage "$out"
