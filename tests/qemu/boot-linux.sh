#!/bin/bash
# salvage entered the way kexec's purgatory enters it (Linux 32-bit boot protocol: ESI =
# boot_params, ESP = 0, CR4 = 0) at two different load bases, neither the one it was linked for:
# tests/qemu/linux-entry-stub.asm plays purgatory, QEMU's -device loader places the raw image.
# Both runs must read boot_params (command line, e820), relocate, send a dump, reboot, and their
# dumps must hold the same bytes everywhere outside the two salvage images — including a planted
# pattern — so relocation changes nothing but where salvage runs. A third run gives salvage an
# e820 with exactly its footprint (the sum of its PT_LOAD sizes) as RAM: the smallest crash region.
# Then, on a planted crash state (tests/lib/plant.py) with elfcorehdr=, two more bases must send
# the very same file, byte for byte the model of Linux's /proc/vmcore for that state.
set -u
. "$(dirname "$0")/../lib/qemu.sh"
. "$(dirname "$0")/../lib/boot.sh"
qemu_init boot-linux
. tests/lib/synthetic.sh

RAM_START=0x1000000 RAM_END=0x1400000	# the "crash region" e820 gives salvage: 16-20 MiB
PATTERN_AT=0x13a0000	# above the image at 0x11a3000 (1.6 MiB with .bss)
head -c 65536 /dev/urandom >"$T/pattern"
entry=$(salvage_image "$T/img") || { not_ok "raw image" "salvage_image failed"; finish; }

for base in 0x1000000 0x11a3000; do
	name=at$base
	linux_stub "$T/stub" $base "$entry" $RAM_START $RAM_END "salvage.done=reboot" ||
		{ not_ok "$name: stub assembles"; continue; }
	QEMU_ARCH=i386 qemu_run $name 120 -m 24 -kernel "$T/stub" \
		-device loader,file="$T/img",addr=$base,force-raw=on \
		-device loader,file="$T/pattern",addr=$PATTERN_AT,force-raw=on \
		-serial file:"$T/$name.serial"
	S=$T/$name.serial
	[ "$QEMU_RC" = 0 ] && ok "$name: QEMU exited by salvage's reboot" || not_ok "$name: QEMU exited by salvage's reboot" "rc $QEMU_RC"
	require "$S" "^salvage: salvage at $base-0x[0-9a-f]+000, booted by Linux boot protocol\$" "$name: relocated, Linux entry"
	require "$S" '^salvage: memory: 0x0001000000-0x0001400000 RAM \(1\)$' "$name: e820 from boot_params"
	require "$S" '^salvage: serial: sent [0-9]+ bytes' "$name: dump sent"
	require "$S" '^salvage: rebooting$' "$name: command line from cmd_line_ptr obeyed (reboot)"
	forbid "$S" 'salvage: (error|warning):|exception' "$name: no errors, warnings or exceptions"
	if build/salvage-recv -t 0 -o "$T/$name.core" "$S" >"$T/$name.recv" 2>&1; then
		ok "$name: salvage-recv rebuilds the dump"
	else
		not_ok "$name: salvage-recv rebuilds the dump" "$(tail -3 "$T/$name.recv")"
	fi
done

# The smallest region: exactly the image's footprint, at an odd base.
foot=$(python3 -c '
import struct
e = open("build/salvage.elf", "rb").read()
phoff, = struct.unpack_from("<I", e, 28); phnum, = struct.unpack_from("<H", e, 44)
ph = [struct.unpack_from("<8I", e, phoff + 32 * i) for i in range(phnum)]
print("0x%x" % ((max(p[2] + p[5] for p in ph if p[0] == 1) + 4095) & ~4095))')
base=0x1235000 end=$(printf '0x%x' $((0x1235000 + foot)))
linux_stub "$T/stub" $base "$entry" $base "$end" "salvage.done=reboot" || not_ok "footprint: stub assembles"
QEMU_ARCH=i386 qemu_run tight 120 -m 24 -kernel "$T/stub" -device loader,file="$T/img",addr=$base,force-raw=on \
	-serial file:"$T/tight.serial"
S=$T/tight.serial
[ "$QEMU_RC" = 0 ] && ok "footprint $foot: QEMU exited by salvage's reboot" || not_ok "footprint $foot: QEMU exited by salvage's reboot" "rc $QEMU_RC"
require "$S" "^salvage: salvage at $base-$end, booted by Linux boot protocol\$" "footprint: image ends where its PT_LOADs say"
require "$S" '^salvage: serial: sent 4096 bytes' "footprint: headers-only dump sent (no RAM left besides salvage)"
forbid "$S" 'salvage: error:|exception' "footprint: fits (no 'not inside one RAM range')"

# The same dump from two bases: a planted crash state at 32 MiB, described by an elfcorehdr.
synthetic_plant plant --variant elf64 --base 0x2000000
python3 "$PLANT" model "$PLANT_DIR" "$T/model.vmcore" >/dev/null || not_ok "model of /proc/vmcore" "plant.py model failed"
for base in 0x1000000 0x1423000; do
	name=core$base
	linux_stub "$T/stub" $base "$entry" 0x1000000 0x1800000 "elfcorehdr=$ELFCOREHDR_K salvage.done=reboot" ||
		{ not_ok "$name: stub assembles"; continue; }
	synthetic_boot $name 120 -m 64 -kernel "$T/stub" -device loader,file="$T/img",addr=$base,force-raw=on
	require "$T/$name.serial" "^salvage: salvage at $base-" "$name: relocated"
	forbid "$T/$name.serial" 'salvage: error:|unusable|memory map instead' "$name: elfcorehdr accepted, no errors"
	synthetic_recv $name && synthetic_compare $name "$T/model.vmcore" "the model of Linux's /proc/vmcore"
done
check "both bases sent the same bytes" cmp "$T/core0x1000000.vmcore" "$T/core0x1423000.vmcore"

# Same bytes outside both images; the pattern where it was planted.
out=$(python3 - "$T" "$PATTERN_AT" <<'PY'
import struct, sys
T, pat_at = sys.argv[1], int(sys.argv[2], 16)
e = open("build/salvage.elf", "rb").read()
phoff, = struct.unpack_from("<I", e, 28); phnum, = struct.unpack_from("<H", e, 44)
imgsize = max(va + ms for t, off, va, pa, fs, ms, fl, al in
              (struct.unpack_from("<8I", e, phoff + 32 * i) for i in range(phnum)) if t == 1)
imgsize = (imgsize + 4095) & ~4095
def phys(path):
    f = open(path, "rb").read()
    assert f[:4] == b"\x7fELF", "not ELF"
    if f[4] == 1:
        phoff, = struct.unpack_from("<I", f, 28); phnum, = struct.unpack_from("<H", f, 44)
        ph = [struct.unpack_from("<8I", f, phoff + 32 * i) for i in range(phnum)]
        segs = [(p[3], p[1], p[4]) for p in ph if p[0] == 1]
    else:
        phoff, = struct.unpack_from("<Q", f, 32); phnum, = struct.unpack_from("<H", f, 56)
        ph = [struct.unpack_from("<IIQQQQQQ", f, phoff + 56 * i) for i in range(phnum)]
        segs = [(p[4], p[2], p[5]) for p in ph if p[0] == 1]
    return {pa: f[off:off + sz] for pa, off, sz in segs}
def read(m, a, n):
    for pa, b in m.items():
        if pa <= a and a + n <= pa + len(b):
            return b[a - pa:a - pa + n]
    return None
a, b = phys(T + "/at0x1000000.core"), phys(T + "/at0x11a3000.core")
pat = open(T + "/pattern", "rb").read()
for name, m in (("first", a), ("second", b)):
    if read(m, pat_at, len(pat)) != pat:
        print("pattern missing in the %s dump" % name); sys.exit(1)
skip = [(0x1000000, 0x1000000 + imgsize), (0x11a3000, 0x11a3000 + imgsize)]
n = 0
for addr in range(0x1000000, 0x1400000, 4096):
    if any(s <= addr < e for s, e in skip):
        continue   # salvage's image, .bss included
    x, y = read(a, addr, 4096), read(b, addr, 4096)
    if x is None or y is None or x != y:
        print("page 0x%x differs (%s/%s)" % (addr, x is None, y is None)); sys.exit(1)
    n += 1
print("%d pages equal" % n)
PY
) && ok "both dumps equal outside the images, pattern intact ($out)" || not_ok "both dumps equal outside the images" "$out"
finish
