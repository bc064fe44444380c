#!/bin/bash
# salvage brings up virtio-net with only the legacy transport on QEMU's user network:
# NIC line with the MAC, DHCP lease, gateway ARP, and the DHCP/ARP exchange on the wire.
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init net-virtio-legacy
. tests/lib/net.sh

net_boot virtio-legacy "virtio-net-pci,disable-modern=on" "dump=tftp://10.0.2.2:9/x salvage.done=halt"
net_dhcp_checks virtio-legacy "virtio-net transitional"
require "$T/virtio-legacy.serial" "virtio-net: legacy transport" "virtio-legacy: legacy transport used"
finish
