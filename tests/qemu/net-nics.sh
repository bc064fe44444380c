#!/bin/bash
# salvage brings up every NIC driver (tests/lib/nics.sh NIC_LIST, and the other devices of
# NIC_VARIANTS: e1000e, e1000-82545em, virtio-net with only the legacy or only the modern transport) on
# QEMU's user network: NIC line with the MAC, DHCP lease, gateway ARP, and the DHCP/ARP exchange on the
# wire.
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init net-nics
. tests/lib/net.sh
. tests/lib/nics.sh

bring_up() { # DRIVER DEVICE MODEL
	local name=${2%%,*}
	case $2 in *disable-modern=on*) name=$name-legacy ;; *disable-legacy=on*) name=$name-modern ;; esac
	net_boot "$name" "$2" "dump=tftp://10.0.2.2:9/x salvage.done=halt"
	net_dhcp_checks "$name" "$1 $3"
}
nic_each bring_up
NIC_LIST=$NIC_VARIANTS nic_each bring_up
require "$T/virtio-net-pci-legacy.serial" "virtio-net: legacy transport" "virtio-net-pci-legacy: legacy transport used"
require "$T/virtio-net-pci-modern.serial" "virtio-net: modern \(1.0\) transport" "virtio-net-pci-modern: modern transport used"
require "$T/vmxnet3.serial" "vmxnet3: revision 1 \(device offers 0x[0-9a-f]+\), link up at [0-9]+ Mbit/s" \
	"vmxnet3: revision 1 chosen, link up"
finish
