#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Hostile input: a table of bad command lines, keymaps, recordings and
# output paths. Each row must end with its exit status (2: bad command line,
# unreadable recording or an output that cannot be created; 1: a failure
# once running, such as a write error) and a message on stderr that names
# what was wrong; never a signal, a sanitizer report or a hang (each row
# runs under timeout 10). Then the explorer, in tmux, on a replay: bad
# filters typed into the filter bar are named inline and it keeps running.
#
# tests/fixtures/hostile/small.skbs is a short recording of UDP in a
# namespace with an iptables DROP (7 events), made with --record; damaged
# copies of it are made here.
. "$(dirname "$0")/../lib.sh"

FIX=$(cd "$(dirname "$0")/../fixtures/hostile" && pwd)
chmod 755 "$TMP"               # rows run as nobody read files here
REC=$TMP/small.skbs
cp "$FIX/small.skbs" "$REC" && chmod 644 "$REC"

# A fresh namespace for the few rows that attach before they fail (the
# recording is created once the backend is known); nothing is sent in it.
NS=skbs-hostile-$$
ip netns add "$NS" && NETNS_LIST="$NS" || not_ok "namespace $NS"
# A name left in /var/run/netns after its namespace went: a plain file
# (ip netns del removes it again).
STALE=skbs-stale-$$
touch "/var/run/netns/$STALE" && NETNS_LIST="$NETNS_LIST $STALE"

# 100 KB arguments.
BIG=$(head -c 102400 /dev/zero | tr '\0' a)
DEEP=$(head -c 102400 /dev/zero | tr '\0' '(')
MANY=$(seq -f 'mod%g' -s, 1 70)
K=$TMP/keys
mkdir -p "$K/dir.keys"
printf 'bind\n' >"$K/short.keys"
printf 'bind a quit now\n' >"$K/long.keys"
printf 'frob a quit\n' >"$K/verb.keys"
printf 'bind j down\nbind x explode\n' >"$K/action.keys"
printf 'bind Hyper-x quit\n' >"$K/key.keys"
printf 'bind F13 quit\n' >"$K/f13.keys"
printf 'bind a\001 quit\n' >"$K/ctrl.keys"
printf '#%0300d\n' 0 >"$K/line.keys"
head -c 4096 /dev/urandom >"$K/random.keys"
: >"$K/empty.keys"
mkfifo "$K/fifo.keys"
for a in a b c d e f g h i j k l m n o; do
	for b in a b c d e f g h i j; do echo "bind $a$b quit"; done
done >"$K/many.keys"

# Recordings: the fixture cut, and with its fields damaged.
R=$TMP/rec
mkdir -p "$R/dir.skbs"
size=$(stat -c %s "$REC")
: >"$R/empty.skbs"
head -c 8 "$REC" >"$R/magic.skbs"
head -c 15 "$REC" >"$R/hdr15.skbs"
head -c 16 "$REC" >"$R/hdr16.skbs"
head -c 100 "$REC" >"$R/cut100.skbs"
head -c $((size - 8)) "$REC" >"$R/cutend.skbs"
echo "hello, not a recording" >"$R/text.skbs"
mkfifo "$R/fifo.skbs"
python3 - "$REC" "$R" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
def put(name, off, val, fmt='<I'):
    b = bytearray(d)
    b[off:off + 4] = struct.pack(fmt, val)
    open('%s/%s.skbs' % (sys.argv[2], name), 'wb').write(b)
put('magicx', 0, 0x58504353, '>I')   # "SKBSCOPE" -> "XPCSCOPE"
put('ver3', 8, 3)
put('bigendian', 8, 2, '>I')
put('flags', 12, 4)
put('noment', 16, 5)                  # first record an event, not meta
put('hugelen', 20, 0xffffffff)
put('unknown', 16, 77)
b = bytearray(d)
for i in range(200, len(b) - 100, 97):
    b[i] ^= 0xff
open(sys.argv[2] + '/flipped.skbs', 'wb').write(b)
PY

# Output paths.
O=$TMP/out
mkdir -p "$O/dir"
ln -s /nonexistent/skbscope-hostile "$O/dangling"
echo "not to be touched" >"$O/target"
chmod 644 "$O/target"
ln -s target "$O/link"
echo "read-only" >"$O/ro"
chmod 444 "$O/ro"
mkfifo "$O/fifo"

# The table: EXIT | STDERR-REGEX (grep -E) | ARGS (shell words, expanded
# here). "@nobody" first runs the row as nobody; "@full" sends stdout to
# /dev/full. stdin is /dev/null and stdout a file: line mode throughout.
ROWS=$(cat <<'EOF'
2 | --filter-src-ip: invalid IP address or prefix '1\.2\.3\.256' | --filter-src-ip 1.2.3.256
2 | --filter-src-ip: invalid IP address or prefix '1\.2\.3' | --filter-src-ip 1.2.3
2 | --filter-dst-ip: invalid IP address or prefix '1\.2\.3\.4/33' | --filter-dst-ip 1.2.3.4/33
2 | --filter-dst-ip: invalid IP address or prefix '::1/129' | --filter-dst-ip ::1/129
2 | --filter-src-ip: invalid IP address or prefix ':::' | --filter-src-ip :::
2 | --filter-src-ip: invalid IP address or prefix '1\.2\.3\.4/' | --filter-src-ip 1.2.3.4/
2 | --filter-src-ip: invalid IP address or prefix '/24' | --filter-src-ip /24
2 | --filter-dst-ip: .::1. is IPv6 but the source address is IPv4: no packet has both | --filter-src-ip 10.0.0.1 --filter-dst-ip ::1
2 | --filter-dst-port given twice | --filter-dst-port 80 --filter-dst-port 81
2 | --filter-src-ip given twice | --filter-src-ip 10.0.0.1 --filter-src-ip 10.0.0.2
2 | --filter-dst-ip: invalid IP address or prefix 'fe80::1%eth0' | --filter-dst-ip fe80::1%eth0
2 | --filter-src-ip: invalid IP address or prefix '01\.2\.3\.4' | --filter-src-ip 01.2.3.4
2 | --filter-src-ip: invalid IP address or prefix '1\.2\.3\.4/-1' | --filter-src-ip 1.2.3.4/-1
2 | --filter-src-ip: invalid IP address or prefix '1\.2\.3\.4/0x10' | --filter-src-ip 1.2.3.4/0x10
2 | --filter-src-ip: invalid IP address or prefix ''$ | --filter-src-ip ''
2 | --filter-src-ip: invalid IP address or prefix ' 1\.2\.3\.4' | --filter-src-ip ' 1.2.3.4'
2 | --filter-dst-ip: invalid IP address or prefix '16909060' | --filter-dst-ip 16909060
2 | --filter-dst-ip: invalid IP address or prefix '1\.2\.3\.4/24/1' | --filter-dst-ip 1.2.3.4/24/1
2 | --filter-dst-ip: invalid IP address or prefix '::ffff:1\.2\.3\.256' | --filter-dst-ip ::ffff:1.2.3.256
2 | --filter-src-ip: invalid IP address or prefix 'localhost' | --filter-src-ip localhost
2 | --filter-src-ip: invalid IP address or prefix 'aaaa | --filter-src-ip "$BIG"
2 | --filter-src-port: invalid port '65536' \(expected 1 to 65535\) | --filter-src-port 65536
2 | --filter-src-port: invalid port '-1' | --filter-src-port -1
2 | --filter-src-port: invalid port '' | --filter-src-port ''
2 | --filter-src-port: invalid port '99999999999999999999' | --filter-src-port 99999999999999999999
2 | --filter-src-port: invalid port '0x' | --filter-src-port 0x
2 | --filter-dst-port: invalid port '0x50' | --filter-dst-port 0x50
2 | --filter-dst-port: invalid port ' 80' | --filter-dst-port ' 80'
2 | --filter-dst-port: invalid port '0' | --filter-dst-port 0
2 | --filter-skb-expr 'skb->nosuch == 1': skb->nosuch: struct sk_buff has no member nosuch | --filter-skb-expr 'skb->nosuch == 1'
2 | --filter-skb-expr 'skb->len->x': skb->len: not a pointer \(unsigned int\) | --filter-skb-expr 'skb->len->x'
2 | --filter-skb-expr 'skb->cb == 0': skb->cb: not an integer or a pointer \(char\[48\]\) | --filter-skb-expr 'skb->cb == 0'
2 | --filter-skb-expr 'skb->dev > 1': skb->dev: a pointer compares only | --filter-skb-expr 'skb->dev > 1'
2 | --filter-skb-expr 'skb->mark ==': expression ends early | --filter-skb-expr 'skb->mark =='
2 | --filter-skb-expr '\(\(skb->mark': expected '\)' at the end | --filter-skb-expr '((skb->mark'
2 | --filter-skb-expr 'skb->mark == 0xzz': '0x': hex number with no digits | --filter-skb-expr 'skb->mark == 0xzz'
2 | --filter-skb-expr 'rm -rf /': 'rm': expected a field of skb | --filter-skb-expr 'rm -rf /'
2 | --filter-skb-expr: empty value | --filter-skb-expr ''
2 | --filter-skb-expr: expression too long | --filter-skb-expr "$BIG"
2 | --filter-skb-expr given twice | --filter-skb-expr 'skb->len > 1' --filter-skb-expr 'skb->len > 2'
2 | expression too long \(at most 32 steps | --filter-skb-expr 'skb->len>1&&skb->len>1&&skb->len>1&&skb->len>1&&skb->len>1&&skb->len>1&&skb->len>1&&skb->len>1&&skb->len>1'
2 | --filter-xdp-expr 'xdp->nosuch': xdp->nosuch: struct xdp_buff has no member nosuch | --filter-xdp-expr 'xdp->nosuch'
2 | --output-skb-metadata 'skb->len,,skb->mark': empty field | --output-skb-metadata 'skb->len,,skb->mark'
2 | --output-skb-metadata .*: at most 4 fields | --output-skb-metadata 'skb->len,skb->len,skb->len,skb->len,skb->len'
2 | --output-skb-metadata 'skb->mark == 1': 'skb->mark == 1': one field path | --output-skb-metadata 'skb->mark == 1'
2 | --output-skb-metadata 'skb->sk->nosuch': skb->sk->nosuch: struct sock has no member nosuch | --output-skb-metadata 'skb->sk->nosuch'
2 | --kernel-btf '/nonexistent/vmlinux': No such file or directory | --kernel-btf /nonexistent/vmlinux
2 | --kernel-btf '/': not a regular file | --kernel-btf /
2 | --kernel-btf '': empty path | --kernel-btf ''
2 | --kernel-btf /etc/passwd: cannot read BTF from it | --kernel-btf /etc/passwd --filter-skb-expr 'skb->len > 1'
2 | --filter-proto: invalid protocol '' | --filter-proto ''
2 | --filter-proto: invalid protocol '256' | --filter-proto 256
2 | --filter-proto: invalid protocol '-1' | --filter-proto -1
2 | --filter-proto: invalid protocol 'tcpp' | --filter-proto tcpp
2 | --filter-mark: invalid mark 'junk' | --filter-mark junk
2 | --filter-mark: invalid mark '' | --filter-mark ''
2 | --filter-mark: invalid mark '0x' | --filter-mark 0x
2 | --filter-mark: invalid mark '1/' | --filter-mark 1/
2 | --filter-mark: invalid mark '/1' | --filter-mark /1
2 | --filter-mark: invalid mark '-1' | --filter-mark -1
2 | --filter-mark: invalid mark '0x100000000' | --filter-mark 0x100000000
2 | --filter-mark: invalid mark '99999999999999999999999' | --filter-mark 99999999999999999999999
2 | --filter-netns: no such network namespace '/nonexistent' | --filter-netns /nonexistent
2 | --filter-netns: invalid inode '0' | --filter-netns 0
2 | --filter-netns: empty value | --filter-netns ''
2 | --filter-netns: no such network namespace '4294967296' | --filter-netns 4294967296
2 | --filter-netns: no such network namespace '0x10' | --filter-netns 0x10
2 | --filter-netns: '/etc/passwd' is not a network namespace | --filter-netns /etc/passwd
2 | --filter-netns: '/tmp' is not a network namespace | --filter-netns /tmp
2 | --filter-netns: '/proc/self/ns/mnt' is not a network namespace | --filter-netns /proc/self/ns/mnt
2 | --filter-netns: 'skbs-stale-[0-9]+' is not a network namespace | --filter-netns "$STALE"
2 | --filter-netns: invalid name '\.\.' | --filter-netns ..
2 | --filter-netns: invalid inode 'inode:' | --filter-netns inode:
2 | --filter-netns: invalid inode 'inode:0' | --filter-netns inode:0
2 | --filter-netns: invalid inode 'inode:x1' | --filter-netns inode:x1
2 | --filter-netns: invalid inode 'inode:4294967296' | --filter-netns inode:4294967296
2 | --output-file-max-size: invalid value '0' | --output-file /tmp/skbs-h16 --output-file-max-size 0
2 | --output-file-max-size: invalid value '1G' | --output-file /tmp/skbs-h16 --output-file-max-size 1G
2 | --output-file-max-size: invalid value '-5' | --output-file /tmp/skbs-h16 --output-file-max-size -5
2 | --output-file-max-size: invalid value '1048577' | --output-file /tmp/skbs-h16 --output-file-max-size 1048577
2 | --output-file-max-backups: invalid value '' | --output-file /tmp/skbs-h16 --output-file-max-backups ''
2 | --output-file-max-backups: invalid value '99999999999999999999' | --output-file /tmp/skbs-h16 --output-file-max-backups 99999999999999999999
2 | --output-file-max-age: invalid value '1.5' | --output-file /tmp/skbs-h16 --output-file-max-age 1.5
2 | --output-file-compress: invalid value 'gzip' | --output-file /tmp/skbs-h16 --output-file-compress=gzip
2 | --output-file-max-size: rotates --output-file, which is not given | --output-file-max-size 5
2 | --output-file-compress: rotates --output-file, which is not given | --output-file-compress
2 | --set-percpu-buf: invalid value '0' | --set-percpu-buf 0
2 | --set-percpu-buf: invalid value '65536' | --set-percpu-buf 65536
2 | --set-percpu-buf: invalid value '4K' | --set-percpu-buf 4K
2 | --netns-names-max-length: invalid value '0' | --netns-names-max-length 0
2 | --netns-names-max-length: invalid value '256' | --netns-names-max-length 256
2 | --output-netns-names: invalid value 'names' | --output-netns-names=names
2 | --output-cgroup: invalid value 'x' | --output-cgroup=x
2 | --filter-cgroup: empty value | --filter-cgroup ''
2 | --filter-cgroup: invalid cgroup id '0' | --filter-cgroup 0
2 | --filter-cgroup: no such cgroup '/nonexistent-16' | --filter-cgroup /nonexistent-16
2 | --filter-cgroup: '\.\./\.\./etc': '\.\.' is not allowed | --filter-cgroup ../../etc
2 | --filter-cgroup given twice | --filter-cgroup 5 --filter-cgroup 6
2 | --debug takes no value | --debug=yes
2 | --set-percpu-buf: invalid value '20000' with --output-skb-shared-info | --output-skb-shared-info --set-percpu-buf 20000
2 | --output-skb-cb: invalid value 'all' | --output-skb-cb=all
2 | --filter-netns: invalid name 'aaaa | --filter-netns "$BIG"
2 | --filter-ifname: invalid interface name '' | --filter-ifname ''
2 | --filter-ifname: invalid interface name '1234567890123456' | --filter-ifname 1234567890123456
2 | --filter-ifname: invalid interface name 'a b' | --filter-ifname 'a b'
2 | --filter-ifname: invalid interface name 'eth0:1' | --filter-ifname eth0:1
2 | --filter-ifname: invalid interface name '\.\./x' | --filter-ifname ../x
2 | --filter-func: invalid regular expression '\(': | --filter-func '('
2 | --filter-func: invalid regular expression '\[a-': | --filter-func '[a-'
2 | --filter-func: invalid regular expression '\*': | --filter-func '*'
2 | --filter-func: invalid regular expression 'a\{2,1\}': | --filter-func 'a{2,1}'
2 | --filter-func: invalid regular expression '\\': Trailing backslash | --filter-func '\'
2 | --filter-func: invalid regular expression '\[\[:foo:\]\]': | --filter-func '[[:foo:]]'
2 | --filter-func: empty regular expression | --filter-func ''
2 | --filter-func: regular expression too long \(102400 bytes | --filter-func "$DEEP"
2 | --output-meta: invalid value 'maybe' \(expected true or false\) | --output-meta=maybe
2 | --output-tuple: invalid value '2' | --output-tuple=2
2 | --output-stack: invalid value 'x' | --output-stack=x
2 | --output-skb: invalid value '' | --output-skb=
2 | --output-caller: invalid value 'x' | --output-caller=x
2 | --filter-track-skb: invalid value 'x' | --filter-track-skb=x
2 | --output-relative-timestamp: invalid value 'x' | --output-relative-timestamp=x
2 | --timestamp: invalid mode '' | --timestamp ''
2 | --timestamp: invalid mode 'NONE' | --timestamp NONE
2 | --output-limit-lines: invalid count '-3' | --output-limit-lines -3
2 | --output-limit-lines: invalid count '0' | --output-limit-lines 0
2 | --output-limit-lines: invalid count '1k' | --output-limit-lines 1k
2 | --output-limit-lines: invalid count '99999999999999999999' | --output-limit-lines 99999999999999999999
2 | --output-limit-lines: invalid count '' | --output-limit-lines ''
2 | --max-packets: invalid count '0' \(expected 1 to 100M | --max-packets 0
2 | --max-packets: invalid count '999999999999' | --max-packets 999999999999
2 | --max-packets: invalid count '1G' | --max-packets 1G
2 | --max-packets: invalid count '-3' | --max-packets -3
2 | --max-packets: invalid count '17179869184K' | --max-packets 17179869184K
2 | --ringbuf-size: invalid size '3000' \(expected a power of two | --ringbuf-size 3000
2 | --ringbuf-size: invalid size '0' | --ringbuf-size 0
2 | --ringbuf-size: invalid size '2G' | --ringbuf-size 2G
2 | --ringbuf-size: invalid size '1T' | --ringbuf-size 1T
2 | --ringbuf-size: invalid size '18014398509481984K' | --ringbuf-size 18014398509481984K
2 | --ringbuf-size: invalid size '' | --ringbuf-size ''
2 | --snaplen: invalid length '129' \(expected 0 to 128 bytes\) | --snaplen 129
2 | --snaplen: invalid length '-1' | --snaplen -1
2 | --snaplen: invalid length '1k' | --snaplen 1k
2 | --snaplen: invalid length '18446744073709551616' | --snaplen 18446744073709551616
2 | --filter-trace-tc: invalid value 'x' \(expected true or false\) | --filter-trace-tc=x
2 | --filter-trace-xdp: invalid value '' | --filter-trace-xdp=
2 | --output-xdp-metadata: invalid value 'yes please' | --output-xdp-metadata='yes please'
2 | --filter-kprobe-batch: invalid count '0' \(expected 1 to 1000000 | --filter-kprobe-batch 0
2 | --filter-kprobe-batch: invalid count '-1' | --filter-kprobe-batch -1
2 | --filter-kprobe-batch: invalid count '1M' | --filter-kprobe-batch 1M
2 | --filter-kprobe-batch: invalid count '18446744073709551617' | --filter-kprobe-batch 18446744073709551617
2 | --filter-kprobe-batch: invalid count '' | --filter-kprobe-batch ''
2 | --filter-track-bpf-helpers: the helpers of which programs\? It needs --filter-trace-tc or --filter-trace-xdp | --filter-track-bpf-helpers
2 | --filter-track-bpf-helpers: invalid value 'x' | --filter-trace-tc --filter-track-bpf-helpers=x
2 | --output-bpfmap: the maps of which programs\? It needs --filter-trace-tc or --filter-trace-xdp | --output-bpfmap=true
2 | --output-bpfmap: invalid value '1x' | --filter-trace-xdp --output-bpfmap=1x
2 | --filter-track-skb-by-stackid: invalid value 'x' | --filter-track-skb-by-stackid=x
2 | --filter-non-skb-funcs: needs --filter-func REGEX | --filter-non-skb-funcs
2 | --filter-non-skb-funcs: needs --filter-func REGEX | --filter-non-skb-funcs=true --filter-track-skb-by-stackid
2 | --filter-non-skb-funcs: invalid value 'x' | --filter-non-skb-funcs=x --filter-func ipv4_mtu
2 | --filter-func: invalid regular expression '\(' | --filter-non-skb-funcs --filter-func '('
1 | backend tracepoint is not available: tracepoint: --filter-non-skb-funcs needs kprobe-multi or kprobe | --backend tracepoint --filter-non-skb-funcs --filter-func '^ipv4_mtu$'
2 | --replay and --filter-trace-tc: a replay attaches nothing | --replay "$REC" --filter-trace-tc
2 | --backend: unknown backend 'bogus' \(expected auto, | --backend bogus
2 | --backend: unknown backend '' | --backend ''
2 | --backend: unknown backend 'AUTO' | --backend AUTO
2 | --kmods: empty list | --kmods ''
2 | --kmods: empty list | --kmods ,
2 | --kmods: invalid module name 'a/b' | --kmods a/b
2 | --kmods: invalid module name '\.\./x' | --kmods ../x
2 | --kmods: too many modules \(at most 64\) | --kmods "$MANY"
2 | --kmods: invalid module name 'aaaa | --kmods "$BIG"
2 | --keymap: empty value | --keymap ''
2 | --ready-file: empty path | --ready-file ''
2 | --output-file: empty path | --output-file ''
2 | --output-pcap: empty path | --output-pcap ''
2 | --record: empty path | --record ''
2 | --replay: empty path | --replay ''
2 | unknown option '--no-such-flag' | --no-such-flag
2 | unknown option '-x' | -x
2 | unknown option '--aaaa | "--$BIG"
2 | ambiguous option '--filter': --filter-src-ip, --filter-dst-ip | --filter 1
2 | --no-tui takes no value \(got 'x'\) | --no-tui=x
2 | --help takes no value \(got '1'\) | --help=1
2 | --filter-src-ip: missing value | --filter-src-ip
2 | --filter-dst-port: missing value | --filter-dst-port
2 | --output-file: missing value | --output-file
2 | --replay: missing value | --replay
2 | --keymap: missing value | --keymap
2 | --ready-file: missing value | --no-tui --ready-file
2 | pcap-filter 'udp and': .*syntax error | 'udp and'
2 | pcap-filter 'port 99999': illegal port number 99999 > 65535 | port 99999
2 | pcap-filter 'hots 1\.2\.3\.4': .*syntax error | hots 1.2.3.4
2 | pcap-filter 'net 1\.2\.3\.4/33': mask length must be <= 32 | 'net 1.2.3.4/33'
2 | pcap-filter '\(': .*syntax error | '('
2 | pcap-filter 'vlan 5000': VLAN tag 5000 greater than maximum 4095 | vlan 5000
2 | pcap-filter 'ether host zz:zz': unknown ether host | 'ether host zz:zz'
2 | empty pcap-filter expression | ' '
2 | pcap-filter expression too long \(102400 bytes; at most 1023\) | "$BIG"
2 | --record and --replay: a replay cannot be recorded again | --replay "$REC" --record "$TMP/again.skbs"
2 | --replay and --demo: a replay attaches nothing | --replay "$REC" --demo
2 | --replay and --ready-file: a replay attaches nothing | --replay "$REC" --ready-file "$TMP/never"
2 | --replay and --list-hooks: a replay attaches nothing | --list-hooks --replay "$REC"
2 | --replay and --backend: a replay attaches nothing | --replay "$REC" --backend tracepoint
2 | --replay: filters run in the kernel while tracing | --replay "$REC" --filter-dst-port 80
2 | --replay: filters run in the kernel while tracing | --replay "$REC" --filter-func udp
2 | --keymap: .*/short\.keys:1: expected 'bind KEY ACTION' or 'unbind KEY', got 'bind' | --keymap "$K/short.keys"
2 | --keymap: .*/long\.keys:1: expected 'bind KEY ACTION' | --keymap "$K/long.keys"
2 | --keymap: .*/verb\.keys:1: expected .* got 'frob' | --keymap "$K/verb.keys"
2 | --keymap: .*/action\.keys:2: unknown action 'explode' | --keymap "$K/action.keys"
2 | --keymap: .*/key\.keys:1: unknown key 'Hyper-x' | --keymap "$K/key.keys"
2 | --keymap: .*/f13\.keys:1: unknown key 'F13' | --keymap "$K/f13.keys"
2 | --keymap: .*/ctrl\.keys:1: binary junk \(byte 0x01\) | --keymap "$K/ctrl.keys"
2 | --keymap: .*/line\.keys:1: line too long | --keymap "$K/line.keys"
2 | --keymap: .*/random\.keys: binary file, not a keymap | --keymap "$K/random.keys"
2 | --keymap: .*/many\.keys:[0-9]+: too many bindings \(at most 128\) | --keymap "$K/many.keys"
2 | --keymap: .*/nonexistent\.keys: No such file or directory | --keymap "$K/nonexistent.keys"
2 | --keymap: .*/dir\.keys: Is a directory | --keymap "$K/dir.keys"
2 | --keymap: /dev/zero: too large for a keymap | --keymap /dev/zero
2 | --keymap: VIM: No such file or directory | --keymap VIM
2 | --replay: /nonexistent/r: No such file | --keymap "$K/empty.keys" --replay /nonexistent/r
2 | --replay: /nonexistent/r: No such file | --keymap "$K/fifo.keys" --replay /nonexistent/r
2 | --replay: .*/empty\.skbs: empty file, not a skbscope recording | --replay "$R/empty.skbs"
2 | --replay: .*/magic\.skbs: cut short in its header \(8 of 16 bytes\) | --replay "$R/magic.skbs"
2 | --replay: .*/hdr15\.skbs: cut short in its header \(15 of 16 bytes\) | --replay "$R/hdr15.skbs"
2 | --replay: .*/hdr16\.skbs: byte 16: no meta record | --replay "$R/hdr16.skbs"
2 | --replay: .*/cut100\.skbs: byte [0-9]+: file ends inside a record | --replay "$R/cut100.skbs"
2 | --replay: .*/cutend\.skbs: byte [0-9]+: file ends inside a record | --replay "$R/cutend.skbs"
2 | --replay: .*/magicx\.skbs: not a skbscope recording \(bad magic\) | --replay "$R/magicx.skbs"
2 | --replay: .*/ver3\.skbs: recording format version 3; this skbscope reads versions 1 to 2 | --replay "$R/ver3.skbs"
2 | --replay: .*/bigendian\.skbs: written on a big-endian machine | --replay "$R/bigendian.skbs"
2 | --replay: .*/flags\.skbs: unknown header flags 0x4 | --replay "$R/flags.skbs"
2 | --replay: .*/noment\.skbs: byte 16: first record is of type 5, not meta | --replay "$R/noment.skbs"
2 | --replay: .*/hugelen\.skbs: byte 16: record of 4294967295 bytes .* over the 1048576-byte limit | --replay "$R/hugelen.skbs"
2 | --replay: .*/unknown\.skbs: byte 16: first record is of type 77 | --replay "$R/unknown.skbs"
2 | --replay: .*/flipped\.skbs: byte [0-9]+: | --replay "$R/flipped.skbs"
2 | --replay: .*/text\.skbs: not a skbscope recording \(bad magic\) | --replay "$R/text.skbs"
2 | --replay: .*/dir\.skbs: Is a directory | --replay "$R/dir.skbs"
2 | --replay: .*/nonexistent\.skbs: No such file or directory | --replay "$R/nonexistent.skbs"
2 | --replay: .*/fifo\.skbs: empty file, not a skbscope recording | --replay "$R/fifo.skbs"
2 | --replay: /dev/zero: not a skbscope recording \(bad magic\) | --replay /dev/zero
2 | --replay: /dev/urandom: not a skbscope recording \(bad magic\) | --replay /dev/urandom
2 | --replay: /dev/null: empty file | --replay /dev/null
2 | --replay: aaaa.*: File name too long | --replay "$BIG"
2 | --output-file: cannot create '/nonexistent/x': No such file or directory | --replay "$REC" --output-file /nonexistent/x
2 | --output-file: cannot create '.*/dir': Is a directory | --replay "$REC" --output-file "$O/dir"
2 | --output-file: cannot create '.*/dangling': it is a symbolic link \(not followed\) | --replay "$REC" --output-file "$O/dangling"
2 | --output-file: cannot create '.*/link': it is a symbolic link \(not followed\) | --replay "$REC" --output-file "$O/link"
2 | --output-file: cannot create '.*/ro': Permission denied | @nobody --replay "$REC" --output-file "$O/ro"
2 | --output-file: cannot create '.*/fifo': a FIFO that no one reads | --replay "$REC" --output-file "$O/fifo"
2 | --output-file: cannot create '/tmp/aaaa.*': File name too long | --replay "$REC" --output-file "/tmp/$BIG"
1 | --output-file /proc/version: write failed: Input/output error | --replay "$REC" --output-file /proc/version
1 | --output-file /dev/full: write failed: No space left on device | --replay "$REC" --output-file /dev/full
1 | writing to standard output: No space left on device | @full --replay "$REC"
1 | writing to standard output: No space left on device | @full --replay "$REC" --output-json --output-stack
2 | --output-pcap: cannot create '/nonexistent/x\.pcapng': No such file | --replay "$REC" --output-pcap /nonexistent/x.pcapng
2 | --output-pcap: cannot create '.*/dir': Is a directory | --replay "$REC" --output-pcap "$O/dir"
2 | --output-pcap: cannot create '.*/dangling': it is a symbolic link \(not followed\) | --replay "$REC" --output-pcap "$O/dangling"
2 | --output-pcap: cannot create '.*/link': it is a symbolic link \(not followed\) | --replay "$REC" --output-pcap "$O/link"
1 | --output-pcap /dev/full: write failed: No space left on device | --replay "$REC" --output-pcap /dev/full
2 | --record: cannot create '/nonexistent/x\.skbs': No such file or directory | --filter-netns "$NS" --record /nonexistent/x.skbs
2 | --record: cannot create '.*/dir': Is a directory | --filter-netns "$NS" --record "$O/dir"
2 | --record: cannot create '.*/dangling': it is a symbolic link \(not followed\) | --filter-netns "$NS" --record "$O/dangling"
2 | --record: cannot create '.*/link': it is a symbolic link \(not followed\) | --filter-netns "$NS" --record "$O/link"
1 | --ready-file /nonexistent/r: No such file or directory | --filter-netns "$NS" --ready-file /nonexistent/r
2 | --filter-tunnel-pcap-l3: pcap-filter 'udp and': can't parse filter expression: syntax error | --filter-tunnel-pcap-l3 'udp and'
2 | --filter-tunnel-pcap-l2: empty expression | --filter-tunnel-pcap-l2 ''
2 | --filter-tunnel-pcap-l3: pcap-filter 'ether host 1:2:3:4:5:6': ethernet addresses supported only | --filter-tunnel-pcap-l3 'ether host 1:2:3:4:5:6'
2 | --filter-tunnel-pcap-l2: expression too long | --filter-tunnel-pcap-l2 "$BIG"
2 | --output-tcp-flags: invalid value 'maybe' \(expected true or false\) | --output-tcp-flags=maybe
2 | --output-tunnel: invalid value '2' | --output-tunnel=2
EOF
)

# row N EXIT REGEX ARGS: one check.
row() {
	local n=$1 want=$2 re=$3 args=$4 out=$TMP/row.out rc first what
	local pre=()

	eval "set -- $args"
	if [ "$1" = @nobody ]; then
		if ! command -v setpriv >/dev/null; then
			echo "skip row $n: setpriv (util-linux) is not installed"
			return
		fi
		pre=(setpriv --reuid=65534 --regid=65534 --clear-groups)
		shift
	elif [ "$1" = @full ]; then
		out=/dev/full
		shift
	fi
	timeout -k 2 10 "${pre[@]}" "$SKBSCOPE" "$@" </dev/null >"$out" \
		2>"$TMP/row.err"
	rc=$?
	first=$(grep -m1 -E -- "$re" "$TMP/row.err" | cut -c1-150)
	what="row $n (${args:0:60}): exit $rc"
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		not_ok "$what: hung (killed by timeout)"
	elif [ "$rc" -gt 128 ]; then
		not_ok "$what: killed by signal $((rc - 128))"
	elif grep -qE 'Sanitizer|runtime error:|Segmentation fault' \
			"$TMP/row.err"; then
		not_ok "$what: $(grep -m1 -E 'Sanitizer|runtime error:|Segmentation' "$TMP/row.err")"
	elif [ "$rc" -ne "$want" ]; then
		not_ok "$what, wanted $want: $(head -c 200 "$TMP/row.err" | head -n1)"
	elif [ -z "$first" ]; then
		not_ok "$what: stderr lacks /$re/: $(head -c 200 "$TMP/row.err" | head -n1)"
	else
		ok "$what: $first"
	fi
}

n=0
while IFS= read -r line; do
	n=$((n + 1))
	want=${line%% | *}
	rest=${line#* | }
	re=${rest%% | *}
	args=${rest#* | }
	row "$n" "$want" "$re" "$args"
done <<<"$ROWS"

# What the output-path rows must not have done.
check "no file made through a dangling symlink" \
	[ ! -e /nonexistent/skbscope-hostile ]
check "a symlink's target is untouched" \
	[ "$(cat "$O/target")" = "not to be touched" ]
check "the read-only file is untouched" [ "$(cat "$O/ro")" = "read-only" ]
# Output files are 0600, also one that was there with another mode.
echo old >"$O/was644" && chmod 644 "$O/was644"
"$SKBSCOPE" --replay "$REC" --output-file "$O/was644" 2>/dev/null
"$SKBSCOPE" --replay "$REC" --output-pcap "$O/new.pcapng" \
	--output-file "$O/new.txt" 2>/dev/null
check "output files are mode 0600 ($(stat -c %a "$O/was644" "$O/new.txt" "$O/new.pcapng" | tr '\n' ' '))" \
	[ "$(stat -c %a "$O/was644" "$O/new.txt" "$O/new.pcapng" | sort -u)" = 600 ]
# A recording from a pipe still replays (the FIFO rows open non-blocking).
"$SKBSCOPE" --replay <(cat "$REC") >"$TMP/pipe.out" 2>/dev/null
check "a recording through a pipe replays (exit $?)" \
	grep -q 'NETFILTER_DROP' "$TMP/pipe.out"

# The explorer, on a replay (no BPF): bad filters are named inline, never
# applied, and it keeps running.
if ! command -v tmux >/dev/null; then
	echo "skip explorer rows: tmux is not installed"; not_ok "tmux"
	finish; exit
fi
S=hostile-$$
screen() { screen_of "$S"; }
wait_screen() { wait_screen_of "$S" "$@"; }
type_filter() {
	tm send-keys -t "$S" C-u
	tm send-keys -t "$S" -l "$1"
}
tm new-session -d -s "$S" -x 150 -y 40 \
	"$SKBSCOPE --replay $REC 2>$TMP/tui.err; echo SKBSCOPE-EXIT=\$?; sleep 30"
if wait_screen "REPLAY" 10; then
	tm send-keys -t "$S" '\'
	sleep 0.3
	while IFS='|' read -r text want; do
		type_filter "$text"
		check "filter bar: '$text' is named inline" \
			wait_screen "^Filter> .*invalid: $want" 5
	done <<'EOF'
dst 1.2.3.256|dst: invalid IP address or prefix '1\.2\.3\.256'
src ::1/129|src: invalid IP address or prefix '::1/129'
sport 65536|sport: invalid port '65536'
dport 0x|dport: invalid port '0x'
mark junk|mark: invalid mark 'junk'
netns /etc/passwd|netns: '/etc/passwd' is not a network namespace
ifname waytoolongifname0|ifname: invalid interface name
src 1.2.3.4 and src 5.6.7.8|'src' given twice
dport 80 and|filter ends with 'and'
udp and|unknown keyword 'udp'; pcap-filter: syntax error
hots 1.2.3.4|unknown keyword 'hots'; pcap-filter: syntax error
pcap|pcap: missing expression
EOF
	tm send-keys -t "$S" Enter
	sleep 0.3
	check "filter bar: Enter on an invalid filter applies nothing" \
		wait_screen "^Filter> pcap" 3
	type_filter "$(head -c 3000 /dev/zero | tr '\0' '(')"
	sleep 0.5
	tm send-keys -t "$S" Escape
	check "filter bar: a 3000-byte paste, then Esc: still running" \
		wait_screen "^Filter: none" 5
	# Exports through a planted symlink or into nowhere: inline errors.
	for p in "$O/link" /nonexistent/t.txt; do
		tm send-keys -t "$S" e
		sleep 0.3
		type_filter "$p"
		tm send-keys -t "$S" Enter
		check "export to $p: an inline error" \
			wait_screen "cannot create '$p'" 5
	done
	check "the export did not write through the symlink" \
		[ "$(cat "$O/target")" = "not to be touched" ]
	tm send-keys -t "$S" q
	check "explorer quits with 0 after all that" \
		wait_screen "SKBSCOPE-EXIT=0" 5
else
	not_ok "replay explorer starts: $(cat "$TMP/tui.err")"
fi
tm kill-session -t "$S" 2>/dev/null

# The user's keymap ($XDG_CONFIG_HOME/skbscope/keys): a bad one is shown
# inline and the bindings in force stay; a FIFO there does not hang.
mkdir -p "$TMP/xdg/skbscope"
printf 'bind x explode\n' >"$TMP/xdg/skbscope/keys"
tm new-session -d -s "$S" -x 150 -y 40 \
	"XDG_CONFIG_HOME=$TMP/xdg $SKBSCOPE --replay $REC 2>/dev/null; echo SKBSCOPE-EXIT=\$?; sleep 30"
check "user keymap with an unknown action: inline, ignored" \
	wait_screen "keys:1: unknown action 'explode' \(ignored\)" 10
tm send-keys -t "$S" q
check "user keymap: the default q still quits (exit 0)" \
	wait_screen "SKBSCOPE-EXIT=0" 5
tm kill-session -t "$S" 2>/dev/null
rm "$TMP/xdg/skbscope/keys" && mkfifo "$TMP/xdg/skbscope/keys"
tm new-session -d -s "$S" -x 150 -y 40 \
	"XDG_CONFIG_HOME=$TMP/xdg $SKBSCOPE --replay $REC 2>/dev/null; echo SKBSCOPE-EXIT=\$?; sleep 30"
check "user keymap that is a FIFO: the explorer still starts" \
	wait_screen "REPLAY" 10
tm send-keys -t "$S" q
wait_screen "SKBSCOPE-EXIT=0" 5
tm kill-session -t "$S" 2>/dev/null
# No terminal description: a message and exit 1, not a crash.
tm new-session -d -s "$S" -x 150 -y 40 \
	"TERM=no-such-terminal $SKBSCOPE --replay $REC 2>$TMP/term.err; echo SKBSCOPE-EXIT=\$?; sleep 30"
check "unknown TERM: exit 1" wait_screen "SKBSCOPE-EXIT=1" 10
check "unknown TERM: the message names it" \
	grep -q "cannot start the terminal UI (TERM=no-such-terminal)" \
	"$TMP/term.err"
tm kill-session -t "$S" 2>/dev/null
finish
