#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make screenshots: real PNGs of the explorer, from a real terminal (xterm
# under Xvfb), captured with ImageMagick. The explorer runs --demo inside
# tmux so that keys can be sent to it. Needs root (BPF, namespaces).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-screenshots}
mkdir -p "$out"
tmp=$(mktemp -d /tmp/skbs-shots.XXXXXX)
sock=$tmp/tmux.sock
disp=:$(( 90 + $$ % 9 ))
cleanup() {
	tmux -S "$sock" kill-server 2>/dev/null || true
	[ -n "${XPID:-}" ] && kill "$XPID" 2>/dev/null || true
	[ -n "${TPID:-}" ] && kill "$TPID" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

Xvfb "$disp" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
XPID=$!
sleep 1
tmux -S "$sock" new-session -d -s shot -x 132 -y 40 \
	"TERM=xterm-256color ./skbscope --demo"
tmux -S "$sock" set -g status off
DISPLAY=$disp xterm -geometry 132x40+0+0 -fa 'DejaVu Sans Mono' -fs 10 \
	-bg '#1e1e1e' -fg '#d0d0d0' -u8 \
	-e "tmux -S $sock attach -t shot" >/dev/null 2>&1 &
TPID=$!
keys() { tmux -S "$sock" send-keys -t shot "$@"; }
shot() {
	sleep 1.2
	DISPLAY=$disp import -window root -crop 1280x800+0+0 "$tmp/raw.png"
	convert "$tmp/raw.png" -trim +repage "$out/$1"
	echo "screenshots: $out/$1"
}
# Let the demo run until drops are on screen.
for _ in $(seq 100); do
	tmux -S "$sock" capture-pane -p -t shot | grep -q NETFILTER_DROP && break
	sleep 0.1
done
sleep 2
shot drop-scenario.png
keys d Up Enter
shot timeline-detail.png
keys Escape '\' C-u
keys -l 'dst 10.213.250.2 and dport 99999 and proto tcp'
shot filter-error.png
keys Escape q
