#!/bin/bash
# salvage.nic=<MAC> with two NICs, the TFTP server reachable through one only (the other sits alone on
# a QEMU hub, where nothing answers): salvage uses the NIC with that MAC, says so, and the dump
# arrives through it; the NIC probed before it is left quiet (its wire stays empty). With a MAC that
# matches no NIC: a warning and the first NIC that works; a malformed MAC: reported, and today's
# choice (the first NIC that works). The ip= words are the ones salvage-load --ip auto writes.
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init net-nic-choice
. tests/lib/synthetic.sh
. tests/lib/tftp.sh
synthetic_need

synthetic_plant elf64 --variant elf64
synthetic_oracle
srv=$(tftp_dir srv)
tftp_hpa "$srv" -c

MAC_A=52:54:00:5a:17:a1		# the NIC at pci 00:03.0
MAC_B=52:54:00:5a:17:b2		# the NIC at pci 00:04.0
IP="ip=10.0.2.15:10.0.2.2::255.255.255.0::eth1:off"
PCI='pci [0-9a-f]{2}:[0-9a-f]{2}\.[0-7]'

# run NAME DEV_A DEV_B SERVER(a|b) WORDS: NIC A (slot 3) and NIC B (slot 4), the user network with
# the server on the one SERVER names and a lone hub port on the other; both wires recorded.
run() {
	local name=$1 dev_a=$2 dev_b=$3 server=$4 words=$5 net_a net_b
	net_a=user,id=na net_b=hubport,id=nb,hubid=7
	[ "$server" = b ] && net_a=hubport,id=na,hubid=7 net_b=user,id=nb
	tftp_salvage_args=(-netdev "$net_a" -device "$dev_a,netdev=na,mac=$MAC_A,addr=3"
		-object "filter-dump,id=fa,netdev=na,file=$T/$name.a.pcap"
		-netdev "$net_b" -device "$dev_b,netdev=nb,mac=$MAC_B,addr=4"
		-object "filter-dump,id=fb,netdev=nb,file=$T/$name.b.pcap")
	synthetic_salvage "$name" 256 180 "elfcorehdr=$ELFCOREHDR $IP $words dump=tftp://10.0.2.2:$SRV_PORT/$name.vmcore" \
		"${tftp_salvage_args[@]}"
	python3 tests/lib/pcap-summary.py "$T/$name.a.pcap" >"$T/$name.a.wire" 2>&1
	python3 tests/lib/pcap-summary.py "$T/$name.b.pcap" >"$T/$name.b.wire" 2>&1
}

# The server behind the second NIC, salvage.nic= naming it; both e1000 (one driver, two devices).
run second e1000 e1000 b "salvage.nic=$MAC_B"
S=$T/second.serial
require "$S" "net: e1000 82540EM at $PCI, MAC $MAC_A: not salvage.nic=, left stopped" "second: the first NIC started, is not the one named, left stopped"
require "$S" "net: e1000 82540EM at $PCI, MAC $MAC_B \(salvage.nic=\)\s*\$" "second: salvage uses the NIC salvage.nic= names and says so"
require "$S" 'net: static address 10\.0\.2\.15/255\.255\.255\.0 gateway 0\.0\.0\.0' "second: the address ip= gives, no gateway (server on-link)"
forbid "$S" 'warning: net|error: net' "second: no network warning or error"
tftp_check second "$srv" second.vmcore "$ORACLE"
require "$T/second.b.wire" "^arp request who-has 10\.0\.2\.2 from $MAC_B" "second: wire of the second NIC: ARP from its MAC"
require "$T/second.b.wire" "^udp 10\.0\.2\.15:[0-9]+ -> 10\.0\.2\.2:$SRV_PORT from $MAC_B" "second: wire of the second NIC: the TFTP request"
check "second: the first NIC sent nothing (its wire is empty)" test ! -s "$T/second.a.wire"

# Two drivers: virtio-net first (left stopped), the named e1000 second.
run mixed virtio-net-pci e1000 b "salvage.nic=$MAC_B"
S=$T/mixed.serial
require "$S" "net: virtio-net [a-z]+ at $PCI, MAC $MAC_A: not salvage.nic=, left stopped" "mixed: virtio-net started and left stopped"
require "$S" "net: e1000 82540EM at $PCI, MAC $MAC_B \(salvage.nic=\)" "mixed: the named e1000 is used"
tftp_check mixed "$srv" mixed.vmcore "$ORACLE"
check "mixed: the virtio-net NIC sent nothing" test ! -s "$T/mixed.a.wire"

# A MAC no NIC has: a warning, and the first NIC that works (the server is behind it here).
run nomatch e1000 virtio-net-pci a "salvage.nic=52:54:00:99:99:99"
S=$T/nomatch.serial
require "$S" "net: virtio-net [a-z]+ at $PCI, MAC $MAC_B: not salvage.nic=, left stopped" "nomatch: both NICs started and compared"
require "$S" 'warning: net: no NIC has MAC 52:54:00:99:99:99 \(salvage.nic=\); using the first that works' "nomatch: warning naming the MAC"
require "$S" "net: e1000 82540EM at $PCI, MAC $MAC_A\s*\$" "nomatch: the first NIC started again and used"
tftp_check nomatch "$srv" nomatch.vmcore "$ORACLE"
check "nomatch: the second NIC sent nothing" test ! -s "$T/nomatch.b.wire"

# A malformed salvage.nic=: reported and ignored; the first NIC is used without probing the second.
run badmac e1000 e1000 a "salvage.nic=52:54:00:5a:17"
S=$T/badmac.serial
require "$S" 'warning: salvage.nic=52:54:00:5a:17: want a MAC as xx:xx:xx:xx:xx:xx; ignored' "badmac: the malformed MAC is reported"
require "$S" "net: e1000 82540EM at $PCI, MAC $MAC_A\s*\$" "badmac: the first NIC is used"
forbid "$S" "MAC $MAC_B|left stopped" "badmac: the second NIC is not touched"
tftp_check badmac "$srv" badmac.vmcore "$ORACLE"
finish
