# SPDX-License-Identifier: GPL-2.0
# Helpers for scripts that run inside the test VMs (busybox sh).
vmok() { echo "VMTEST ok $*"; }
vmfail() { echo "VMTEST FAIL $*"; }
vmcheck() {
	name=$1; shift
	if "$@"; then vmok "$name"; else vmfail "$name"; fi
}
# wait_ready FILE PID SECONDS: the file appears, or the process is gone.
wait_ready() {
	i=0
	while [ ! -e "$1" ] && [ "$i" -lt "$(($3 * 10))" ]; do
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.1; i=$((i + 1))
	done
	[ -e "$1" ]
}
send_udp() { udpsend "$1" "$2" "$3"; } # DST PORT COUNT
