#!/bin/bash
# The helper CPU of encrypted dumps (arch/i386/smp.c) on a 2-CPU machine with long mode: salvage, on
# the boot processor, starts the other CPU through a page below 1 MiB and has it seal the age chunks
# while it sends; `age -d` gives Linux's /proc/vmcore byte for byte, and the start-up page is in the
# dump as it was planted (its bytes were put back). salvage.cpus=1 keeps the other CPU stopped. An
# exception on the helper (salvage.fault=helper) fails that target only: the next target seals on
# one CPU and decrypts exactly. Over TFTP (at an odd block size) and serial. (A real crash with a
# helper: tests/linux/crash-encrypt.sh.)
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init smp-helper
. tests/lib/synthetic.sh
. tests/lib/tftp.sh
. tests/lib/age-check.sh
synthetic_need

synthetic_plant elf64 --variant elf64
synthetic_oracle
age_keys 1
srv=$(tftp_dir srv)
tftp_hpa "$srv" -c
HELPS='smp: the CPU with APIC ID 1 helps \(started through page 0x[0-9a-f]+, restored; xAPIC\)'

# two NAME APPEND [QEMU args]: salvage on two CPUs with long mode and RDRAND, e1000 on the user network.
two() {
	local name=$1 append=$2; shift 2
	QEMU_ARCH=x86_64 qemu_run "$name" 180 -smp 2 -cpu qemu64,+rdrand -serial "file:$T/$name.serial" \
		-kernel "$SALVAGE_ELF" -netdev user,id=n0 -device e1000,netdev=n0 -append "$append" "$@"
	check "$name: salvage finished" [ "$QEMU_RC" != 124 ]
}

# decrypts NAME FILE: FILE's digest checks and `age -d` gives the oracle byte for byte.
decrypts() {
	local name=$1 f=$2
	for i in $(seq 30); do [ -s "$f.sha256" ] && break; sleep 0.2; done
	(cd "$(dirname "$f")" && sha256sum -c --status "$(basename "$f").sha256") &&
		ok "$name: sha256sum -c passes (the ciphertext's digest)" || not_ok "$name: sha256sum -c passes" "$(ls -l "$srv")"
	if age -d -i "$T/key1.txt" -o "$T/$name.dec" "$f" 2>"$T/$name.err" && cmp -s "$ORACLE" "$T/$name.dec"; then
		ok "$name: age -d gives Linux's /proc/vmcore byte for byte"
	else
		not_ok "$name: age -d gives Linux's /proc/vmcore byte for byte" "$(head -c 200 "$T/$name.err") $(cmp "$ORACLE" "$T/$name.dec" 2>&1 | head -n 1)"
	fi
	rm -f "$T/$name.dec"
}

enc="elfcorehdr=$ELFCOREHDR dump.encrypt=${AGE_PUB[1]}"

# The helper seals: 130 chunks of 64 KiB at an odd block size too (chunks end inside blocks).
two helper "$enc dump=tftp://10.0.2.2:$SRV_PORT/helper.age?blksize=1000" -m 256 "${LOADER[@]}"
require "$T/helper.serial" "$HELPS" "helper: salvage started CPU 1 as its helper"
require "$T/helper.serial" 'age: ChaCha20-Poly1305 in the faster code' "helper: sealing in long mode, checked first"
forbid "$T/helper.serial" 'CPU exception|exception|did not' "helper: no exception, no timeout"
decrypts helper "$srv/helper.age"

# Over serial: the helper seals, salvage-recv rebuilds the age file and checks its digest.
two serial "$enc dump=serial" -m 256 "${LOADER[@]}"
require "$T/serial.serial" "$HELPS" "serial: salvage started CPU 1 as its helper"
if synthetic_recv serial; then
	age -d -i "$T/key1.txt" "$T/serial.vmcore" 2>"$T/serial.err" | cmp -s "$ORACLE" - &&
		ok "serial: age -d gives Linux's /proc/vmcore byte for byte" ||
		not_ok "serial: age -d gives Linux's /proc/vmcore byte for byte" "$(head -c 200 "$T/serial.err")"
fi

# salvage.cpus=1: the other CPU is left stopped.
two cpus1 "$enc salvage.cpus=1 dump=tftp://10.0.2.2:$SRV_PORT/cpus1.age" -m 256 "${LOADER[@]}"
require "$T/cpus1.serial" 'smp: salvage.cpus=1: salvage runs on one CPU' "cpus1: salvage says it keeps to one CPU"
forbid "$T/cpus1.serial" 'helps' "cpus1: no helper started"
decrypts cpus1 "$srv/cpus1.age"

# An exception on the helper: the first target fails with it, the second is sealed on one CPU.
two fault "$enc salvage.fault=helper dump=tftp://10.0.2.2:$SRV_PORT/fault1.age dump=tftp://10.0.2.2:$SRV_PORT/fault2.age" -m 256 "${LOADER[@]}"
require "$T/fault.serial" "$HELPS" "fault: the helper started"
require "$T/fault.serial" 'chacha20-poly1305: the helper CPU took an exception \(error code 0x0\) at rip 0x[0-9a-f]+; it is stopped' \
	"fault: the helper's exception is reported"
require "$T/fault.serial" 'target 1 failed \(-[0-9]+\); trying the next' "fault: target 1 failed with it"
check "fault: no digest for the failed file" [ ! -e "$srv/fault1.age.sha256" ]
decrypts fault "$srv/fault2.age"

# The start-up page: a memory-map dump (ELF32) of a 64 MiB machine holds the page salvage started the helper
# through exactly as planted there before boot.
python3 -c 'import sys; sys.stdout.buffer.write(b"".join(b"smp start-up page, line %04d....\n" % i for i in range(124)) + bytes(4096 - 124 * 33))' >"$T/page.bin"
two page "dump.encrypt=${AGE_PUB[1]} dump=tftp://10.0.2.2:$SRV_PORT/page.age" -m 64 -device loader,file="$T/page.bin",addr=0x9e000
require "$T/page.serial" 'smp: the CPU with APIC ID 1 helps \(started through page 0x9e000, restored' "page: the helper started through page 0x9e000"
if age -d -i "$T/key1.txt" -o "$T/page.dec" "$srv/page.age" 2>"$T/page.err"; then
	python3 - "$T/page.dec" "$T/page.bin" 0x9e000 <<'PY' && ok "page: the dump holds page 0x9e000 as planted (its bytes were put back)" ||
import struct, sys
core, want, at = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read(), int(sys.argv[3], 16)
elf64 = core[4] == 2
phoff = struct.unpack_from("<Q" if elf64 else "<I", core, 0x20 if elf64 else 0x1C)[0]
phentsize, phnum = struct.unpack_from("<HH", core, 0x36 if elf64 else 0x2A)
for i in range(phnum):
    if elf64:
        ptype, _, off, _, paddr, filesz = struct.unpack_from("<IIQQQQ", core, phoff + i * phentsize)
    else:
        ptype, off, _, paddr, filesz = struct.unpack_from("<IIIII", core, phoff + i * phentsize)
    if ptype == 1 and paddr <= at and at + len(want) <= paddr + filesz:
        got = core[off + at - paddr: off + at - paddr + len(want)]
        print("# page 0x%x: %s" % (at, "as planted" if got == want else "differs: " + repr(got[:40])))
        sys.exit(0 if got == want else 1)
print("# no PT_LOAD covers 0x%x" % at)
sys.exit(1)
PY
		not_ok "page: the dump holds page 0x9e000 as planted" "see above"
else
	not_ok "page: age -d opens the dump" "$(head -c 200 "$T/page.err")"
fi
rm -f "$T/page.dec"
finish
