#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# --demo in a real terminal: the drop appears within seconds, with its
# kernel stack in the detail, and the namespaces it made are gone after
# quitting with q, and after SIGTERM.
. "$(dirname "$0")/../lib.sh"

screen() { screen_of demo; }
wait_screen() { wait_screen_of demo "$@"; }
demo_netns() { ip netns list | grep -c "skbscope-demo-"; }

before=$(demo_netns)
tm new-session -d -s demo -x 100 -y 30 "$SKBSCOPE --demo; echo DEMO-EXIT=\$?; sleep 30"
check "demo shows an iptables drop within seconds" \
	wait_screen "DROPPED NETFILTER_DROP" 15
check "demo shows the closed-port drop" wait_screen "DROPPED NO_SOCKET" 5
check "demo says what it made" wait_screen "demo: skbscope-demo-a-" 2
check "demo namespaces exist while it runs" [ "$(demo_netns)" -eq $((before + 2)) ]
# A demo shows what the tool can: its drops come with their kernel stack
# (it turns on --output-stack, and --output-caller, for its own run).
tm resize-window -t demo -x 120 -y 60
tm send-keys -t demo d
sleep 0.5
tm send-keys -t demo Enter
check "demo: the drop's detail opens" wait_screen "Detail: hop" 5
check "demo: the detail has the kernel stack" \
	bash -c "tmux -S '$TSOCK' capture-pane -p -t demo | grep -A2 -E '│ Stack +│' |
		grep -qE '│   [A-Za-z_][A-Za-z0-9_.]*\+0x[0-9a-f]+'"
check "demo: no hint to start with --output-stack" \
	bash -c "! tmux -S '$TSOCK' capture-pane -p -t demo | grep -q 'no stack: start with --output-stack'"
tm send-keys -t demo Escape
tm send-keys -t demo q
check "quit exits 0" wait_screen "DEMO-EXIT=0" 10
check "quit removes the namespaces" [ "$(demo_netns)" -eq "$before" ]
tm kill-session -t demo

tm new-session -d -s demo -x 100 -y 30 "$SKBSCOPE --demo; echo DEMO-EXIT=\$?; sleep 30"
wait_screen "DROPPED" 15
pkill -TERM -f "^$SKBSCOPE --demo"
check "SIGTERM exits cleanly" wait_screen "DEMO-EXIT=0" 10
check "SIGTERM removes the namespaces" [ "$(demo_netns)" -eq "$before" ]
finish
