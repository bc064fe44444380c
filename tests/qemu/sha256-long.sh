#!/bin/bash
# The dump digest computed in 64-bit long mode (a CPU with long mode, arch/i386/longmode.c) and in
# 32-bit mode (qemu32, no long mode) is the SHA-256 of the bytes that arrived: `sha256sum -c` passes
# on what tftpd-hpa received in both, the logged digests are equal, and salvage-recv accepts the
# serial end frame's digest from a long-mode run. NMIs while hashing (and sealing) in long mode:
# tests/qemu/encrypt-long.sh; through whole clear dumps on CPUs with and without long mode:
# tests/qemu/nmi-storm.sh.
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init sha256-long
. tests/lib/synthetic.sh
. tests/lib/tftp.sh
synthetic_need

synthetic_plant elf64 --variant elf64
synthetic_oracle
srv=$(tftp_dir srv)
tftp_hpa "$srv" -c
want=$(sha256sum "$ORACLE" | cut -d' ' -f1)

# logged_digest NAME: the hex digest of salvage's "tftp: sent ..." line.
logged_digest() {
	tr -d '\r' <"$T/$1.serial" | sed -n 's/^salvage: tftp: sent .*, sha256 \([0-9a-f]\{64\}\).*/\1/p' | head -n 1
}

# run_cpu NAME QEMU_ARCH CPU PATTERN APPEND_EXTRA: boot salvage on the plant with that emulator and
# CPU model, send the dump over TFTP, and check the path it logged and the file that arrived.
run_cpu() {
	local name=$1 arch=$2 cpu=$3 pattern=$4 extra=$5
	QEMU_ARCH=$arch qemu_run "$name" 120 -smp 1 -cpu "$cpu" -m 256 -serial "file:$T/$name.serial" \
		-kernel "$SALVAGE_ELF" -netdev user,id=n0 -device e1000,netdev=n0 \
		-append "elfcorehdr=$ELFCOREHDR dump=tftp://10.0.2.2:$SRV_PORT/$name.vmcore$extra" "${LOADER[@]}"
	check "$name: salvage finished ($arch -cpu $cpu)" [ "$QEMU_RC" != 124 ]
	require "$T/$name.serial" "$pattern" "$name: logs the SHA-256 path"
	tftp_check "$name" "$srv" "$name.vmcore" "$ORACLE"
	echo "# $name: $(tftp_rate "$name") MB/s"
}

run_cpu long x86_64 qemu64 'sha256: 64-bit long-mode blocks' ''
run_cpu legacy i386 qemu32 'sha256: 32-bit blocks \(this CPU has no long mode\)' ''
# Odd block size: most updates start and end inside a 64-byte block.
run_cpu odd x86_64 max 'sha256: 64-bit long-mode blocks' '?blksize=1000'
for n in long legacy odd; do
	d=$(logged_digest $n)
	check "$n: logged digest ($d) is the SHA-256 of Linux's /proc/vmcore" [ "$d" = "$want" ]
done

# Serial transport: the end frame carries the digest; salvage-recv checks it against the bytes.
QEMU_ARCH=x86_64 qemu_run serial 180 -smp 1 -m 256 -serial "file:$T/serial.serial" -kernel "$SALVAGE_ELF" \
	-append "elfcorehdr=$ELFCOREHDR dump=serial" "${LOADER[@]}"
require "$T/serial.serial" 'sha256: 64-bit long-mode blocks' "serial: hashed in long mode"
synthetic_recv serial
synthetic_compare serial "$ORACLE" "Linux's /proc/vmcore"

finish
