#!/bin/bash
# The crashed kernel leaves its NIC running (Debian's Linux drives it, traffic flowing): salvage,
# loaded with kexec -p, must stop and reset it, get a DHCP lease and send the dump over TFTP.
# Once with e1000, once with virtio-net (modern transport preferred on a transitional device) and once
# with vmxnet3 (Linux's vmxnet3 driver activated it with its own revision and queues).
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init linux-net-running-nic
. tests/lib/tftp.sh

K=$(sh tests/lib/debian-kernel.sh) || { not_ok "debian kernel" "tests/lib/debian-kernel.sh failed"; finish; }
[ -f build/salvage.elf ] || { not_ok "build" "build/salvage.elf missing (run make)"; finish; }
bash tests/lib/initramfs.sh -o "$T/guest.gz" -i tests/lib/net-guest-init -k "$K" \
	-m e1000 -m virtio_pci -m virtio_net -m vmxnet3 \
	-f build/salvage.elf:/usr/local/lib/salvage/salvage.elf \
	-f tools/salvage-load:/usr/local/sbin/salvage-load -b build/salvage-mkcorehdr:/usr/local/sbin/salvage-mkcorehdr \
	-b /sbin/kexec >"$T/initramfs.log" 2>&1 ||
	{ not_ok "guest initramfs" "$(tail -n 3 "$T/initramfs.log")"; finish; }
dir=$(tftp_dir tftp)
tftp_hpa "$dir" -c
CK=$(sh tools/salvage-load --print-crashkernel --type elf --image build/salvage.elf)	# what this image needs

# run NAME DEVICE DRIVER MODEL_REGEX
run() {
	local name=$1 dev=$2 driver=$3 model=$4
	: >"$T/$name.serial"
	qemu_start "$name" 300 -M pc -m ${NET_MEM:-96} -kernel "$K/vmlinuz" -initrd "$T/guest.gz" \
		-append "console=ttyS0 quiet panic=5 crashkernel=$CK t.port=$SRV_PORT t.name=$name.vmcore" \
		-netdev user,id=n0 -device "$dev,netdev=n0,mac=52:54:00:5a:17:0e" -serial "file:$T/$name.serial"
	wait_for "$T/$name.serial" 'salvage: (tftp: wrote|no dump target|error)' 240 "$name"
	wait_for "$T/$name.serial" 'salvage: (tftp: wrote|no dump target)' 30 "$name"
	qemu_stop "$name"
	require "$T/$name.serial" "GUEST: driver $driver" "$name: Linux drove the NIC with $driver"
	require "$T/$name.serial" 'GUEST: eth0 rx_packets [0-9]+ tx_packets [1-9]' "$name: Linux was transmitting"
	require "$T/$name.serial" 'GUEST: crashing with eth0 running' "$name: crashed with the NIC up"
	require "$T/$name.serial" "salvage: net: $model at pci .*, MAC 52:54:00:5a:17:0e" "$name: salvage reset and started the NIC"
	require "$T/$name.serial" 'salvage: net: DHCP lease 10\.0\.2\.15/' "$name: DHCP lease after the reset"
	if [ -s "$dir/$name.vmcore" ] && [ -f "$dir/$name.vmcore.sha256" ]; then
		ok "$name: dump arrived over TFTP ($(stat -c %s "$dir/$name.vmcore") bytes)"
		check "$name: its sha256 matches salvage's" sh -c "cd '$dir' && sha256sum -c '$name.vmcore.sha256'"
		check "$name: readelf reads it as a core" sh -c "readelf -h '$dir/$name.vmcore' | grep -q 'CORE'"
	else
		not_ok "$name: dump arrived over TFTP" "nothing in $dir"
		grep -a 'salvage: ' "$T/$name.serial" | tail -n 8 | sed 's/^/#   | /'
	fi
}

run e1000 e1000 e1000 'e1000 82540EM'
[ "${ONLY:-}" = e1000 ] || run virtio virtio-net-pci virtio_net 'virtio-net transitional'
[ "${ONLY:-}" = e1000 ] || run vmxnet3 vmxnet3 vmxnet3 'vmxnet3 VMXNET3'
finish
