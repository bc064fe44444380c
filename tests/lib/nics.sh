# The NIC drivers the QEMU tests run salvage on (source after tests/lib/qemu.sh). A new driver joins
# every per-driver test (net-nics, net-fragments, nic-stop, tftp-hpa, tftp-atftpd, tftp-lossy,
# tftp-rollover) by one line in NIC_LIST.
#
#   nic_each FUNC [ARGS...]     # FUNC DRIVER DEVICE MODEL [ARGS...] for every line of NIC_LIST
#   nic_pick N                  # sets NIC_DRIVER NIC_DEVICE NIC_MODEL to line N mod the list's length
# DRIVER is the driver's name in salvage's NIC line, DEVICE the QEMU -device of it, MODEL the model the
# line names ("net: <DRIVER> <MODEL> at pci ...").

NIC_LIST='e1000 e1000 82540EM
virtio-net virtio-net-pci transitional
vmxnet3 vmxnet3 VMXNET3
rtl8139 rtl8139 RTL8139'

# Other devices of the same drivers, which the bring-up test (net-nics) also covers.
NIC_VARIANTS='e1000 e1000e 82574L
e1000 e1000-82545em 82545EM
virtio-net virtio-net-pci,disable-modern=on transitional
virtio-net virtio-net-pci,disable-legacy=on modern'

nic_each() {
	local fn=$1 line lines; shift
	mapfile -t lines <<<"$NIC_LIST"	# read first: FUNC may read stdin
	for line in "${lines[@]}"; do
		# shellcheck disable=SC2086 # DRIVER DEVICE MODEL, split on blanks
		[ -n "$line" ] && "$fn" $line "$@"
	done
}

nic_pick() {
	local n
	n=$(($1 % $(grep -c . <<<"$NIC_LIST") + 1))
	read -r NIC_DRIVER NIC_DEVICE NIC_MODEL <<<"$(sed -n "${n}p" <<<"$NIC_LIST")"
}
