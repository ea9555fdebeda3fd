. /guest-lib.sh
vmcheck "btf" [ -e /sys/kernel/btf/vmlinux ]
vmcheck "skbscope runs" /skbscope --version
/skbscope --list-hooks | head -3
vmcheck "iptables" iptables -I OUTPUT 1 -p udp -d 127.0.0.1 --dport 7001 -j DROP
iptables -L OUTPUT -n
