#!/bin/bash
# Block numbers roll over past 65535 (to 0) with real servers: a memory-map dump of a 40 MiB guest in
# 512-byte blocks is over 70000 blocks; atftpd (windows of 16) and tftpd-hpa (lock-step) must both
# end up with the whole file: its size is the dump size salvage logged and `sha256sum -c` passes
# against the digest salvage computed while sending. Each NIC driver (tests/lib/nics.sh) rolls over
# once: the first with tftpd-hpa, the others with atftpd.
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init tftp-rollover
. tests/lib/synthetic.sh
. tests/lib/tftp.sh
. tests/lib/nics.sh
synthetic_need
LOADER=()

run() { # NAME SERVER NIC OPTIONS
	local name=$1 server=$2 nic=$3 opts=$4 dir size blocks
	dir=$(tftp_dir "$name")
	if [ "$server" = hpa ]; then tftp_hpa "$dir" -c; else tftp_atftpd "$dir"; fi
	QEMU_ARCH=i386 qemu_run "$name" 240 -m 40 -smp 1 -serial "file:$T/$name.serial" -kernel "$SALVAGE_ELF" \
		-netdev user,id=n0 -device "$nic,netdev=n0" -append "dump=tftp://10.0.2.2:$SRV_PORT/mem$opts"
	size=$(tr -d '\r' <"$T/$name.serial" | sed -n 's/^salvage: dump: \([0-9]*\) bytes.*/\1/p' | head -n 1)
	blocks=$(( ${size:-0} / 512 + 1 ))
	tr -d '\r' <"$T/$name.serial" | grep -a 'tftp: [0-9.]* s at' | sed 's/^/#   /'
	[ "$blocks" -gt 65536 ] && ok "$name: the dump needs $blocks blocks of 512 bytes (past 65535)" ||
		not_ok "$name: the dump needs more than 65536 blocks" "size '${size}'"
	for i in $(seq 30); do [ -s "$dir/mem.sha256" ] && [ "$(stat -c %s "$dir/mem" 2>/dev/null)" = "$size" ] && break; sleep 0.2; done
	[ "$(stat -c %s "$dir/mem" 2>/dev/null)" = "$size" ] && ok "$name: server has all $size bytes" ||
		not_ok "$name: server has all $size bytes" "has $(stat -c %s "$dir/mem" 2>/dev/null)"
	(cd "$dir" && sha256sum -c --status mem.sha256) && ok "$name: sha256sum -c mem.sha256 passes" ||
		not_ok "$name: sha256sum -c mem.sha256 passes"
	rm -f "$dir/mem"
}
n=0
roll() { # DRIVER DEVICE MODEL: tftpd-hpa in lock-step (80000 round trips, the slow one) on the first
	# driver, atftpd with windows of 16 on the others
	if [ $((n++)) = 0 ]; then run "hpa-$1" hpa "$2" "?blksize=512"
	else run "atftpd-$1" atftpd "$2" "?blksize=512&windowsize=16"; fi
}
nic_each roll
finish
