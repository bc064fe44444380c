#!/bin/bash
# TFTP throughput of salvage in QEMU (TCG, user network, server on host loopback): dumps all of a
# small guest's RAM (no elfcorehdr: the memory-map dump) to tftpd-hpa (lock-step) and atftpd
# (RFC 7440 windows) for each NIC, block size and window size, and prints a table of MB/s as salvage
# measured it (its summary line), checking each received file against the .sha256 salvage sent.
# Usage: bash bench/tftp.sh [RAM_MB (default 32)] [NICS (default "e1000 virtio-net-pci")]
. "$(dirname "$0")/../tests/lib/qemu.sh"
qemu_init bench-tftp
. tests/lib/synthetic.sh
. tests/lib/tftp.sh
RAM=${1:-32}
NICS=${2:-e1000 virtio-net-pci}
synthetic_need
LOADER=()

bench() { # SERVER NIC BLKSIZE WINDOW
	local server=$1 nic=$2 blk=$3 win=$4 name=$1-$2-$3-$4 dir rate
	dir=$(tftp_dir "$name")
	if [ "$server" = hpa ]; then tftp_hpa "$dir" -c; else tftp_atftpd "$dir"; fi
	QEMU_ARCH=i386 qemu_run "$name" 600 -m "$RAM" -smp 1 -serial "file:$T/$name.serial" \
		-kernel "$SALVAGE_ELF" -netdev user,id=n0 -device "$nic,netdev=n0" \
		-append "dump=tftp://10.0.2.2:$SRV_PORT/dump?blksize=$blk&windowsize=$win"
	rate=$(tftp_rate "$name")
	if (cd "$dir" && sha256sum -c --status dump.sha256); then
		ok "$name: $(stat -c %s "$dir/dump") bytes, digest checked"
	else
		not_ok "$name" "file missing or digest mismatch"
	fi
	printf '# %-7s %-15s blksize %-6s windowsize %-3s %8s MB/s   (%s)\n' "$server" "$nic" "$blk" "$win" "${rate:-?}" \
		"$(tr -d '\r' <"$T/$name.serial" | sed -n 's/^salvage: tftp: \([0-9.]* s at .*\)/\1/p' | head -n 1)"
	rm -f "$dir/dump"
}

for nic in $NICS; do
	for blk in 512 1468 65464; do bench hpa "$nic" "$blk" 1; done
	for blk in 1468 65464; do for win in 1 8 32; do bench atftpd "$nic" "$blk" "$win"; done; done
done
finish
