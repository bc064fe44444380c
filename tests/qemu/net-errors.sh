#!/bin/bash
# When the network cannot come up, salvage says why and moves on to the next dump target:
# no NIC at all, and a NIC whose network has no DHCP server (bounded wait, clear line).
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init net-errors
. tests/lib/net.sh

# No NIC: the TFTP target fails at once and the serial target after it still runs.
net_boot nonic "" "dump=tftp://10.0.2.2:9/x dump=serial salvage.done=halt"
require "$T/nonic.serial" 'error: net: no supported NIC on the PCI bus' "nonic: clear line"
wait_for "$T/nonic.serial" 'target 1 failed' 10 || true
require "$T/nonic.serial" 'target 1 failed .*trying the next' "nonic: next target tried"

# A NIC on a wire where nobody answers (a UDP socket to a loopback port no one reads): DHCP gives up
# after 10 s with a line naming the MAC and the static alternative.
sink=$(free_port udp)
local_port=$(free_port udp)
NET_NETDEV="-netdev socket,id=n0,udp=127.0.0.1:$sink,localaddr=127.0.0.1:$local_port" \
	net_boot nodhcp e1000 "dump=tftp://10.0.2.2:9/x salvage.done=halt"
require "$T/nodhcp.serial" "error: net: no DHCP lease after 10 s for MAC $NET_MAC; .*ip=" \
	"nodhcp: timeout line after 10 s"
w=$(net_wire nodhcp)
require "$w" "^dhcp DISCOVER from $NET_MAC" "nodhcp: wire: DISCOVERs were sent"
finish
