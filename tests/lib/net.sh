# Shell helpers for the NIC/IP tests (source after tests/lib/qemu.sh and qemu_init): boot salvage
# with one NIC on QEMU's user network, recording the wire in a pcap, until the network step is over.
#
#   net_boot NAME DEVICE APPEND [QEMU ARGS...]   # DEVICE e.g. e1000 or virtio-net-pci,disable-modern=on
#   net_wire NAME                               # the pcap summarised (tests/lib/pcap-summary.py)
# The guest's MAC is NET_MAC (set on the device, so the tests see that salvage reads it back).

NET_MAC=52:54:00:5a:17:0e
# Console lines that end the network step, one way or another.
NET_DONE='is at ..:..|does not answer ARP|no DHCP lease|no supported NIC|NICs started|ip=: '

# net_boot NAME DEVICE APPEND [QEMU ARGS...]: boot with -m 32 and NIC DEVICE on netdev n0 (user
# network unless QEMU ARGS define n0 themselves: pass NET_NETDEV= to drop the default), wait up to
# 60 s for NET_DONE, then stop the guest. Console in $T/NAME.serial, wire in $T/NAME.pcap.
net_boot() {
	local name=$1 dev=$2 append=$3; shift 3
	local netdev=(${NET_NETDEV-"-netdev" "user,id=n0"})
	local nic=()
	[ -n "$dev" ] && nic=(-device "$dev,netdev=n0,mac=$NET_MAC" -object "filter-dump,id=f0,netdev=n0,file=$T/$name.pcap")
	[ -z "$dev" ] && nic=(-nic none)
	qemu_start "$name" 90 -m 32 -kernel build/salvage.elf -append "$append" \
		"${netdev[@]}" "${nic[@]}" -serial "file:$T/$name.serial" "$@"
	wait_for "$T/$name.serial" "$NET_DONE" 60 "$name"
	case $? in
	1) echo "# $name: no end of the network step within 60 s" ;;
	2) echo "# $name: QEMU exited early: $(tail -n 3 "$T/$name.out" 2>/dev/null | tr '\n' ' ')" ;;
	esac
	sleep 0.3	# let the frames of the last exchange reach the pcap
	qemu_stop "$name"
}

# net_wire NAME: print the pcap's ARP/DHCP/UDP summary into $T/NAME.wire (and return its name).
net_wire() {
	python3 tests/lib/pcap-summary.py "$T/$1.pcap" >"$T/$1.wire" 2>&1 || true
	echo "$T/$1.wire"
}

# net_dhcp_checks NAME MODEL_REGEX: the shared assertions for a NIC that got a DHCP lease on QEMU's
# user network (10.0.2.15, gateway/server 10.0.2.2) and resolved the gateway.
net_dhcp_checks() {
	local name=$1 model=$2 w
	require "$T/$name.serial" "net: $model at pci [0-9a-f]{2}:[0-9a-f]{2}\.[0-7], MAC $NET_MAC" \
		"$name: NIC identified with the MAC QEMU gave it"
	require "$T/$name.serial" 'net: DHCP lease 10\.0\.2\.15/255\.255\.255\.0 gateway 10\.0\.2\.2 from 10\.0\.2\.2 in [0-9]+ ms' \
		"$name: DHCP lease line"
	require "$T/$name.serial" 'net: 10\.0\.2\.2 is at 52:55:0a:00:02:02' "$name: gateway answered ARP"
	sed '/ is at ..:/q' "$T/$name.serial" >"$T/$name.upto"
	forbid "$T/$name.upto" 'error:|warning: net|exception|lwIP assertion' "$name: no errors or warnings until the network was up"
	w=$(net_wire "$name")
	require "$w" "^dhcp DISCOVER from $NET_MAC" "$name: wire: DISCOVER sent from our MAC"
	require "$w" "^dhcp OFFER from 52:55:0a:00:02:02" "$name: wire: QEMU offered a lease"
	require "$w" "^dhcp REQUEST from $NET_MAC" "$name: wire: REQUEST sent"
	require "$w" "^dhcp ACK from 52:55:0a:00:02:02" "$name: wire: QEMU acknowledged"
	require "$w" "^arp reply 10\.0\.2\.2 is-at 52:55:0a:00:02:02 to $NET_MAC" "$name: wire: ARP reply to us"
}
