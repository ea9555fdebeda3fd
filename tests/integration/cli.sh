#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bad command lines: each gets one line naming the flag and the value, and
# exit status 2, before anything is loaded. Missing privilege: exit 1 with
# the capabilities named.
. "$(dirname "$0")/../lib.sh"

# bad EXPECTED-SUBSTRING ARGS...
bad() {
	want=$1; shift
	out=$("$SKBSCOPE" --no-tui "$@" 2>&1 </dev/null)
	rc=$?
	first=$(printf '%s\n' "$out" | head -n1)
	if [ "$rc" -eq 2 ] && printf '%s' "$first" | grep -qF -- "$want"; then
		ok "exit 2 for $* ($first)"
	else
		not_ok "exit 2 for $*: got $rc, '$first' (wanted '$want')"
	fi
}

bad "'10.0.0.300'" --filter-src-ip 10.0.0.300
bad "'1.2.3.4/33'" --filter-dst-ip 1.2.3.4/33
bad "'fe80::1::2'" --filter-dst-ip fe80::1::2
bad "--filter-src-ip" --filter-src-ip
bad "'65536'" --filter-dst-port 65536
bad "'-1'" --filter-src-port -1
bad "'80x'" --filter-dst-port 80x
bad "'0'" --filter-dst-port 0
bad "'tcpp'" --filter-proto tcpp
bad "'256'" --filter-proto 256
bad "'0x1/0x2/3'" --filter-mark 0x1/0x2/3
bad "'0x100000000'" --filter-mark 0x100000000
bad "'no-such-netns-$$'" --filter-netns "no-such-netns-$$"
bad "'waytoolongifname0'" --filter-ifname waytoolongifname0
bad "'maybe'" --output-meta=maybe
bad "'yesterday'" --timestamp yesterday
bad "'-5'" --output-limit-lines -5
bad "'0'" --output-limit-lines 0
bad "'3000'" --ringbuf-size 3000
bad "'1T'" --ringbuf-size 1T
bad "'warp'" --backend warp
bad "'--no-such-flag'" --no-such-flag
bad "syntax error" "tcp and port"
bad "--filter-func" --filter-func ''
bad "--filter-func" --filter-func '(unclosed'

printf 'bind j down\nbind x explode\n' >"$TMP/bad.keys"
bad "$TMP/bad.keys:2: unknown action 'explode'" --keymap "$TMP/bad.keys"
printf 'bind Hyper-x quit\n' >"$TMP/bad2.keys"
bad "unknown key 'Hyper-x'" --keymap "$TMP/bad2.keys"
head -c 200 /bin/true >"$TMP/junk.keys"
bad "junk.keys: binary file, not a keymap" --keymap "$TMP/junk.keys"
bad "no-such-keymap: No such file or directory" --keymap no-such-keymap
bad "'-3'" --max-packets -3
bad "'200'" --snaplen 200
# pwru's newer flags (issue 16): each bad value named.
bad "'0'" --output-file /tmp/skbs-c16 --output-file-max-size 0
bad "'x'" --output-file /tmp/skbs-c16 --output-file-max-backups x
bad "'-1'" --output-file /tmp/skbs-c16 --output-file-max-age -1
bad "--output-file-max-backups: rotates --output-file" --output-file-max-backups 2
bad "'100'" --set-percpu-buf 100
bad "'0'" --netns-names-max-length 0
bad "'inode:abc'" --filter-netns inode:abc
bad "no such cgroup '/nope-16'" --filter-cgroup /nope-16

out=$("$SKBSCOPE" --help 2>&1); rc=$?
check "--help exits 0 and lists --filter-dst-port" \
	bash -c "[ $rc -eq 0 ] && printf '%s' \"\$1\" | grep -q -- --filter-dst-port" _ "$out"

if command -v setpriv >/dev/null; then
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all "$SKBSCOPE" --no-tui 2>&1); rc=$?
	check "unprivileged: exit 1 ($rc)" [ "$rc" -eq 1 ]
	check "unprivileged: names CAP_BPF and CAP_PERFMON" \
		bash -c "printf '%s' \"\$1\" | grep -q 'missing CAP_BPF, CAP_PERFMON'" _ "$out"
else
	echo "skip unprivileged run: setpriv (util-linux) is not installed"
fi
finish
