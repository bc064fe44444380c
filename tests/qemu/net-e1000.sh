#!/bin/bash
# salvage brings up QEMU's e1000 (82540EM) on QEMU's user network:
# NIC line with the MAC, DHCP lease, gateway ARP, and the DHCP/ARP exchange on the wire.
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init net-e1000
. tests/lib/net.sh

net_boot e1000 "e1000" "dump=tftp://10.0.2.2:9/x salvage.done=halt"
net_dhcp_checks e1000 "e1000 82540EM"
finish
