#!/bin/bash
# Static ip= (Linux syntax) instead of DHCP: the address is used as given, no DHCP is sent, the
# gateway is resolved by ARP from that address; bad ip= values are refused with a clear line.
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init net-static
. tests/lib/net.sh

net_boot static e1000 "ip=10.0.2.77::10.0.2.2:255.255.255.0 dump=tftp://10.0.2.2:9/x salvage.done=halt"
require "$T/static.serial" "net: e1000 82540EM at pci .*, MAC $NET_MAC" "static: NIC identified"
require "$T/static.serial" 'net: static address 10\.0\.2\.77/255\.255\.255\.0 gateway 10\.0\.2\.2$' \
	"static: address line"
require "$T/static.serial" 'net: 10\.0\.2\.2 is at 52:55:0a:00:02:02' "static: gateway answered ARP"
forbid "$T/static.serial" 'DHCP' "static: no DHCP"
w=$(net_wire static)
forbid "$w" '^dhcp ' "static: wire: no DHCP frames"
require "$w" "^arp request who-has 10\.0\.2\.2 from $NET_MAC" "static: wire: ARP request from our MAC"
require "$w" "^arp reply 10\.0\.2\.2 is-at 52:55:0a:00:02:02 to $NET_MAC" "static: wire: ARP reply to us"

# No netmask: the class default (10/8), as Linux's ipconfig does; the gateway is inside it.
net_boot classful virtio-net-pci "ip=10.0.2.78::10.0.2.2 dump=tftp://10.0.2.2:9/x salvage.done=halt"
require "$T/classful.serial" 'net: static address 10\.0\.2\.78/255\.0\.0\.0 gateway 10\.0\.2\.2$' \
	"classful: netmask from the address class"
require "$T/classful.serial" 'net: 10\.0\.2\.2 is at 52:55:0a:00:02:02' "classful: gateway answered ARP"

# A non-contiguous netmask is refused, and the TFTP target fails instead of sending garbage.
net_boot badmask e1000 "ip=10.0.2.79::10.0.2.2:255.0.255.0 dump=tftp://10.0.2.2:9/x salvage.done=halt"
require "$T/badmask.serial" 'error: net: ip=: netmask 255\.0\.255\.0 is not contiguous' \
	"badmask: refused with a clear line"
finish
