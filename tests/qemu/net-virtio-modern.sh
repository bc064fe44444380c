#!/bin/bash
# salvage brings up virtio-net with only the modern (1.0) transport on QEMU's user network:
# NIC line with the MAC, DHCP lease, gateway ARP, and the DHCP/ARP exchange on the wire.
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init net-virtio-modern
. tests/lib/net.sh

net_boot virtio-modern "virtio-net-pci,disable-legacy=on" "dump=tftp://10.0.2.2:9/x salvage.done=halt"
net_dhcp_checks virtio-modern "virtio-net modern"
require "$T/virtio-modern.serial" "virtio-net: modern \(1.0\) transport" "virtio-modern: modern transport used"
finish
