#!/bin/bash
# Crash-time randomness (crypto/random.c) in QEMU, booted by multiboot with the seed segment as a
# module (QEMU -initrd): with RDRAND (-cpu max) and no seed the generator is seeded; with the default
# CPU (no RDRAND/RDSEED) and no seed salvage refuses with the line saying why and what to do, and
# the dump still goes to its target; with a seed it is seeded from it and jitter; two boots with the
# same seed draw different bytes; a malformed seed segment is reported and not used. The seed is
# wiped before the dump: the memory-map dump of the whole RAM holds a foreign module's bytes but not
# the seed's. salvage.random=16 logs a test draw (debug).
set -u
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init random

# seg FILE N [LEN]: a seed segment of N random bytes whose header says LEN (default N).
seg() {
	python3 - "$1" "$2" "${3:-$2}" <<'PY'
import os, struct, sys
n, say = int(sys.argv[2]), int(sys.argv[3])
open(sys.argv[1], "wb").write(b"salvage-seed" + struct.pack("<I", say) + os.urandom(n))
PY
}
seg "$T/seed" 64
seg "$T/bad" 64 65
head -c 4096 /dev/urandom >"$T/other"

# boot NAME CPU [QEMU ARGS]: salvage with a test draw, its dump over serial to $T/NAME.serial.
boot() {
	local name=$1 cpu=$2
	shift 2
	QEMU_ARCH=i386 qemu_run "$name" 180 -cpu "$cpu" -m 6 -kernel build/salvage.elf \
		-append "salvage.random=16 salvage.done=reboot" -serial file:"$T/$name.serial" "$@"
	[ "$QEMU_RC" = 0 ] || not_ok "$name: QEMU exited by salvage's reboot" "rc $QEMU_RC"
}
draw() { sed -n 's/^salvage: random: test draw \([0-9a-f]*\).*/\1/p' "$T/$1.serial" | tr -d '\r'; }

boot rdrand max
require "$T/rdrand.serial" "^salvage: random: seeded from RD(RAND \(8 KiB\)|SEED), timing jitter \(~[0-9]+ bits\)" \
	"-cpu max, no seed: seeded from the CPU's generator, sources named"
[[ "$(draw rdrand)" =~ ^[0-9a-f]{32}$ ]] && ok "-cpu max: a 16-byte test draw" || not_ok "-cpu max: test draw" "'$(draw rdrand)'"

boot noseed qemu32
require "$T/noseed.serial" "^salvage: error: random: not enough entropy to encrypt: no seed from salvage-load and no RDRAND/RDSEED on this CPU .*load salvage with salvage-load" \
	"default CPU, no seed: refused with why and what to do"
forbid "$T/noseed.serial" "test draw" "default CPU, no seed: nothing drawn"
require "$T/noseed.serial" '^salvage: serial: sent [0-9]+ bytes' "default CPU, no seed: salvage carries on (the dump is sent)"

boot seed1 qemu32 -initrd "$T/seed"
boot seed2 qemu32 -initrd "$T/seed"
for n in seed1 seed2; do
	require "$T/$n.serial" '^salvage: module 0: 0x[0-9a-f]+-0x[0-9a-f]+: the seed segment' "$n: the module is found as the seed segment"
	require "$T/$n.serial" '^salvage: seed: 64 bytes from salvage-load taken, segment wiped' "$n: seed taken and wiped"
	require "$T/$n.serial" "^salvage: random: seeded from salvage-load's seed, timing jitter \(~[0-9]+ bits\)" "$n: seeded from the seed and jitter"
	require "$T/$n.serial" '^salvage: no elfcorehdr: dumping all RAM' "$n: the seed module is not taken for an ELF core header"
done
d1=$(draw seed1) d2=$(draw seed2)
[ -n "$d1" ] && [ -n "$d2" ] && [ "$d1" != "$d2" ] && ok "two boots with the same seed draw different bytes ($d1, $d2)" ||
	not_ok "two boots with the same seed draw different bytes" "'$d1' '$d2'"

# The memory-map dump covers all RAM, modules included: the foreign module's bytes are there, the
# seed's are not (wiped before the first byte was sent).
boot wiped qemu32 -initrd "$T/seed,$T/other"
if build/salvage-recv -t 0 -o "$T/wiped.core" "$T/wiped.serial" >"$T/recv.out" 2>&1; then
	python3 - "$T/wiped.core" "$T/seed" "$T/other" <<'PY' && ok "the dump holds the other module's bytes but not the seed's: wiped before sending" || not_ok "seed wiped from memory" "see above"
import sys
core, seed, other = (open(p, "rb").read() for p in sys.argv[1:])
a, b = other[:64] in core, seed[16:48] in core or seed[:16] in core
print("# other module in the dump: %s; seed or its header in the dump: %s" % (a, b))
sys.exit(0 if a and not b else 1)
PY
else
	not_ok "salvage-recv rebuilds the dump of the wipe test" "$(tail -n 3 "$T/recv.out")"
fi
require "$T/wiped.serial" '^salvage: module 0: .*the seed segment' "seed module with another module: found"

boot bad qemu32 -initrd "$T/bad"
require "$T/bad.serial" '^salvage: error: seed: segment is 80 bytes but its header says 16 \+ 65; not used' "a seed segment of the wrong length: reported, not used"
require "$T/bad.serial" '^salvage: error: random: not enough entropy to encrypt: no seed from salvage-load' "... so, without RDRAND, refused"
finish
