#!/bin/bash
# The dump digest computed in 64-bit long mode (a CPU with long mode, arch/i386/sha256_long.c) and in
# 32-bit mode (qemu32, no long mode) is the SHA-256 of the bytes that arrived: `sha256sum -c` passes
# on what tftpd-hpa received in both, the logged digests are equal, and salvage-recv accepts the
# serial end frame's digest from a long-mode run. NMIs while hashing in long mode are ignored
# (64-bit IDT) and the dump still completes with a good digest.
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

# NMIs every 10 ms through a 48 MiB memory-map dump (~60% of its time is hashing): some land in
# 64-bit mode, some on the mode switches (QEMU delivers a pending NMI right after the far return
# into or out of long mode: at 100 ms one run in several reset there before the switch IDT); each
# is counted and ignored (the count logged at the next line) and the file still matches its digest.
QEMU_ARCH=x86_64 qemu_start nmi 300 -smp 1 -m 48 -serial "file:$T/nmi.serial" -kernel "$SALVAGE_ELF" \
	-netdev user,id=n0 -device e1000,netdev=n0 -monitor unix:"$T/mon.sock",server,nowait \
	-append "dump=tftp://10.0.2.2:$SRV_PORT/nmi.vmcore"
# From salvage's first line on (the dump takes 2 s: waiting for the SHA-256 line, a loaded host
# started sending after the dump was over).
if wait_for "$T/nmi.serial" 'salvage' 60 nmi; then
	sent=$(python3 tests/lib/nmi-storm.py "$T/mon.sock" "$T/nmi.serial" 'tftp: sent' 0.01)
	check "nmi: NMIs sent (${sent:-0})" [ "${sent:-0}" -gt 0 ]
fi
qemu_wait nmi
check "nmi: salvage finished" [ "$QEMU_RC" != 124 ]
require "$T/nmi.serial" 'tftp: sent' "nmi: the dump completed (salvage was not reset)"
require "$T/nmi.serial" 'warning: [0-9]+ NMIs? ignored since the last line \(.*in 64-bit long-mode code\)$' "nmi: NMIs in long mode counted and ignored"
forbid "$T/nmi.serial" 'CPU exception|exception' "nmi: no exception"
for i in $(seq 30); do # tftpd-hpa writes behind its ACKs: let it finish
	[ -s "$srv/nmi.vmcore.sha256" ] && (cd "$srv" && sha256sum -c --status nmi.vmcore.sha256) && break
	sleep 0.2
done
if [ -f "$srv/nmi.vmcore.sha256" ] && (cd "$srv" && sha256sum -c --status nmi.vmcore.sha256); then
	ok "nmi: sha256sum -c nmi.vmcore.sha256 passes ($(stat -c %s "$srv/nmi.vmcore") bytes)"
else
	not_ok "nmi: sha256sum -c nmi.vmcore.sha256 passes" "$(ls -l "$srv")"
fi
finish
