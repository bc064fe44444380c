#!/bin/bash
# Encrypted dumps (dump.encrypt=) sealed in 64-bit long mode (a CPU with long mode: BearSSL's
# chacha20_ct and poly1305_ctmulq built for x86_64, arch/i386/longmode.c): salvage says it checked
# that code against BearSSL's 32-bit code, and `age -d` gives Linux's /proc/vmcore byte for byte, at
# blksize 65464 and at an odd blksize (chunks end inside TFTP blocks). NMIs every 10 ms during an
# encrypted dump (sealing and hashing in long mode, the mode switches) are counted and ignored: the
# dump completes, its digest matches and `age -d` opens it. (The 32-bit path, a CPU without long
# mode: tests/qemu/synthetic-encrypt.sh, which runs qemu-system-i386.)
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init encrypt-long
. tests/lib/synthetic.sh
. tests/lib/tftp.sh
. tests/lib/age-check.sh
synthetic_need

synthetic_plant elf64 --variant elf64
synthetic_oracle
age_keys 1
srv=$(tftp_dir srv)
tftp_hpa "$srv" -c

# run_long NAME QUERY: salvage on an x86_64 CPU with long mode and RDRAND sends the plant's dump
# encrypted; checks the path it logged, the ciphertext's digest and the decrypted bytes.
run_long() {
	local name=$1 query=$2
	QEMU_ARCH=x86_64 qemu_run "$name" 180 -smp 1 -cpu max -m 256 -serial "file:$T/$name.serial" \
		-kernel "$SALVAGE_ELF" -netdev user,id=n0 -device e1000,netdev=n0 \
		-append "elfcorehdr=$ELFCOREHDR dump.encrypt=${AGE_PUB[1]} dump=tftp://10.0.2.2:$SRV_PORT/$name.age$query" "${LOADER[@]}"
	check "$name: salvage finished" [ "$QEMU_RC" != 124 ]
	require "$T/$name.serial" 'age: ChaCha20-Poly1305 in the faster code \(checked against BearSSL' "$name: sealed in long mode, checked first"
	forbid "$T/$name.serial" 'does not match BearSSL|CPU exception' "$name: no mismatch, no exception"
	for i in $(seq 30); do [ -s "$srv/$name.age.sha256" ] && break; sleep 0.2; done
	(cd "$srv" && sha256sum -c --status "$name.age.sha256") && ok "$name: sha256sum -c passes (the ciphertext's digest)" ||
		not_ok "$name: sha256sum -c passes" "$(ls -l "$srv")"
	if age -d -i "$T/key1.txt" -o "$T/$name.dec" "$srv/$name.age" 2>"$T/$name.err" && cmp -s "$ORACLE" "$T/$name.dec"; then
		ok "$name: age -d gives Linux's /proc/vmcore byte for byte"
	else
		not_ok "$name: age -d gives Linux's /proc/vmcore byte for byte" "$(head -c 200 "$T/$name.err") $(cmp "$ORACLE" "$T/$name.dec" 2>&1 | head -n 1)"
	fi
	rm -f "$T/$name.dec"
}

run_long long "?blksize=65464"
run_long odd "?blksize=1000"

# NMIs every 10 ms through an encrypted 48 MiB memory-map dump (most of its time is sealing and
# hashing in long mode): each is counted and ignored, the file matches its digest and decrypts.
QEMU_ARCH=x86_64 qemu_start nmi 300 -smp 1 -cpu max -m 48 -serial "file:$T/nmi.serial" -kernel "$SALVAGE_ELF" \
	-netdev user,id=n0 -device e1000,netdev=n0 -monitor unix:"$T/mon.sock",server,nowait \
	-append "dump.encrypt=${AGE_PUB[1]} dump=tftp://10.0.2.2:$SRV_PORT/nmi.age"
if wait_for "$T/nmi.serial" 'salvage' 60 nmi; then
	sent=$(python3 tests/lib/nmi-storm.py "$T/mon.sock" "$T/nmi.serial" 'tftp: sent' 0.01)
	check "nmi: NMIs sent (${sent:-0})" [ "${sent:-0}" -gt 0 ]
fi
qemu_wait nmi
check "nmi: salvage finished" [ "$QEMU_RC" != 124 ]
require "$T/nmi.serial" 'age: ChaCha20-Poly1305 in the faster code' "nmi: sealed in long mode"
require "$T/nmi.serial" 'tftp: sent' "nmi: the dump completed (salvage was not reset)"
require "$T/nmi.serial" 'warning: [0-9]+ NMIs? ignored since the last line \(.*in 64-bit long-mode code\)$' "nmi: NMIs in long mode counted and ignored"
forbid "$T/nmi.serial" 'CPU exception|exception' "nmi: no exception"
for i in $(seq 30); do
	[ -s "$srv/nmi.age.sha256" ] && (cd "$srv" && sha256sum -c --status nmi.age.sha256) && break
	sleep 0.2
done
(cd "$srv" && sha256sum -c --status nmi.age.sha256) && ok "nmi: sha256sum -c nmi.age.sha256 passes ($(stat -c %s "$srv/nmi.age") bytes)" ||
	not_ok "nmi: sha256sum -c nmi.age.sha256 passes" "$(ls -l "$srv")"
if age -d -i "$T/key1.txt" -o "$T/nmi.dec" "$srv/nmi.age" 2>"$T/nmi.err" && [ "$(stat -c %s "$T/nmi.dec")" -gt $((40 << 20)) ]; then
	ok "nmi: age -d opens it (every chunk authenticated; $(stat -c %s "$T/nmi.dec") bytes)"
else
	not_ok "nmi: age -d opens it" "$(head -c 200 "$T/nmi.err")"
fi
finish
