#!/bin/bash
# IP fragmentation both ways through every NIC driver (tests/lib/nics.sh): a host peer on a
# point-to-point QEMU socket wire (loopback UDP, tests/lib/eth-peer.py) pings salvage's static address
# with a 65000-byte ICMP echo (45 fragments, as many as a 65464-byte TFTP block needs), and an 8000-byte
# one on the first driver; lwIP must reassemble the request (IP_REASSEMBLY) and send the reply
# fragmented (IP_FRAG).
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init net-fragments
. tests/lib/net.sh
. tests/lib/nics.sh

ping_through() { # DRIVER DEVICE MODEL SIZE
	local dev=$2 SIZE=$4 name=$1-$4 peer qport ppid line
	peer=$(free_port udp)
	qport=$(free_port udp)
	# salvage resolves its gateway (the peer) by ARP, then tries TFTP to it (never answered), all the
	# while answering pings from inside net_poll.
	python3 tests/lib/eth-peer.py "$peer" "$qport" 10.0.2.77 10.0.2.2 $SIZE 40 >"$T/$name.peer" 2>&1 &
	ppid=$!
	at_exit "kill $ppid"
	qemu_start "$name" 60 -m 32 -kernel build/salvage.elf \
		-append "ip=10.0.2.77::10.0.2.2:255.255.255.0 dump=tftp://10.0.2.2:6969/x salvage.done=halt" \
		-netdev "socket,id=n0,udp=127.0.0.1:$peer,localaddr=127.0.0.1:$qport" \
		-device "$dev,netdev=n0,mac=$NET_MAC" -serial "file:$T/$name.serial"
	wait "$ppid"
	qemu_stop "$name"
	while read -r line; do
		case $line in ok*) ok "$name: ${line#ok }" ;; "not ok"*) not_ok "$name: ${line#not ok }" ;; esac
	done <"$T/$name.peer"
	grep -q '^ok ' "$T/$name.peer" || { not_ok "$name: fragmented ping" "$(tail -n 3 "$T/$name.peer" | tr '\n' ' ')"; tail -n 5 "$T/$name.serial" | sed 's/^/#   | /'; }
	forbid "$T/$name.serial" 'lwIP assertion|exception' "$name: no lwIP assertion"
}
nic_each ping_through 65000
nic_pick 0
ping_through "$NIC_DRIVER" "$NIC_DEVICE" "$NIC_MODEL" 8000
finish
