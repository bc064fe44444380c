#!/bin/bash
# `make demo`: salvage end to end on a SYNTHETIC crash (planted memory and note buffers, not a real
# Linux panic): build, plant the crash state in a QEMU guest, run salvage there, rebuild the dump
# from the serial capture, show its notes, and compare it with Linux's own /proc/vmcore.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@" # make demo runs it with sh
set -euo pipefail
cd "$(dirname "$0")/.."
D=build/demo
step() { printf '\n== %s\n' "$*"; }
say() { printf '   %s\n' "$*"; }

cat <<'EOF'
salvage demo -- THIS CRASH IS SYNTHETIC.
No Linux kernel panics here: tests/lib/plant.py writes a made-up crash state (pattern pages, CPU
register notes, VMCOREINFO and an ELF core header laid out as kexec-tools builds it) into a QEMU
guest's memory, and salvage is booted on it as if kexec had started it after a panic.
EOF

step "1. Build salvage and salvage-recv"
make -s all
say "build/salvage.elf: $(stat -c %s build/salvage.elf) bytes on disk; in memory:"
readelf -lW build/salvage.elf | awk '$1 == "LOAD" { printf "     PT_LOAD vaddr %s memsz %s\n", $3, $6 }'

step "2. Plant the synthetic crash state"
rm -rf "$D"
mkdir -p "$D"
python3 tests/lib/plant.py make "$D/plant" --variant elf64 >/dev/null
# shellcheck disable=SC1091
. "$D/plant/plant.env"
mapfile -t LOADER <"$D/plant/loader.args"
python3 - "$D/plant/manifest.json" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
print("   elfcorehdr (ELF%d, %d bytes) at 0x%x" % (m["elfclass"], m["elfcorehdr_len"], m["elfcorehdr"]))
for n in m["notes"]:
    print("   note buffer %4d bytes at 0x%x" % (n["size"], n["addr"]))
for s in m["segments"]:
    where = "" if s["src"] == s["paddr"] else "  (its bytes are at 0x%x: kexec-tools' backup copy)" % s["src"]
    print("   PT_LOAD %-16s paddr 0x%08x size 0x%06x%s" % (s["name"], s["paddr"], s["size"], where))
EOF
say "each becomes a QEMU '-device loader,file=...,addr=...' in the guest's RAM (256 MiB)"

step "3. Boot salvage in QEMU (qemu-system-i386 -kernel build/salvage.elf, TCG), dump over serial"
append="elfcorehdr=$ELFCOREHDR_K dump=serial"
say "command line: $append"
t0=$(date +%s.%N)
rc=0
timeout 300 qemu-system-i386 -m 256 -smp 1 -display none -monitor none -no-reboot \
	-kernel build/salvage.elf -append "$append" -serial "file:$D/serial.log" "${LOADER[@]}" \
	</dev/null >"$D/qemu.out" 2>&1 || rc=$?
t1=$(date +%s.%N)
[ "$rc" = 0 ] || { say "QEMU failed (status $rc): $(tail -n 3 "$D/qemu.out")"; exit 1; }
say "QEMU ran $(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }") s; salvage's console (frame lines left out):"
grep -av '\$S1' "$D/serial.log" | tr -d '\r' | grep -a . | cut -c1-150 | sed 's/^/     | /' | tail -n 20
say "$(grep -ac '\$S1' "$D/serial.log") frame lines, $(stat -c %s "$D/serial.log") bytes captured"

step "4. Rebuild the dump with salvage-recv"
build/salvage-recv -t 0 -o "$D/vmcore" "$D/serial.log" 2>&1 | sed 's/^/     | /'
say "$D/vmcore: $(stat -c %s "$D/vmcore") bytes"

step "5. What the dump holds (readelf)"
readelf -lW "$D/vmcore" | sed -n '/Program Headers/,$p' | sed 's/^/     /'
readelf -nW "$D/vmcore" | sed 's/[[:space:]]*description data:.*//; s/^/     /'
python3 - "$D/vmcore" <<'EOF'
import struct, sys
sys.path.insert(0, "tests/lib")
import plant
data, cls, _, ph = plant.read_core(sys.argv[1])
note = ph[0]
pos, end = note["offset"], note["offset"] + note["filesz"]
while pos + 12 <= end:
    namesz, descsz, ntype = struct.unpack_from("<III", data, pos)
    name = data[pos + 12:pos + 12 + namesz].rstrip(b"\0").decode()
    desc = data[pos + 12 + plant.align4(namesz):pos + 12 + plant.align4(namesz) + descsz]
    if name == "CORE" and ntype == plant.NT_PRSTATUS:
        size, pid_off, reg_off, w = plant.PRSTATUS[cls]
        names = plant.REGS64 if cls == 64 else plant.REGS32
        regs = struct.unpack_from("<%d%s" % (len(names), "Q" if w == 8 else "I"), desc, reg_off)
        r = dict(zip(names, regs))
        pc, sp = ("rip", "rsp") if cls == 64 else ("eip", "esp")
        print("     NT_PRSTATUS: pid %d, %s=0x%x %s=0x%x (%d registers)" % (
            struct.unpack_from("<i", desc, pid_off)[0], pc, r[pc], sp, r[sp], len(regs)))
    elif name == "VMCOREINFO":
        print("     VMCOREINFO:")
        for line in desc.decode().splitlines():
            print("       " + line)
    pos += 12 + plant.align4(namesz) + plant.align4(descsz)
EOF

step "6. Compare with Linux's own /proc/vmcore for the same planted state"
if ref=$(bash tests/lib/oracle.sh "$D/plant" 2>"$D/oracle.err"); then
	say "Debian's Linux, booted with mem=128M elfcorehdr=$ELFCOREHDR on the same state, wrote $ref"
	if cmp -s "$ref" "$D/vmcore"; then
		say "salvage's dump is byte for byte identical ($(stat -c %s "$ref") bytes)."
	else
		say "salvage's dump DIFFERS from Linux's:"
		python3 tests/lib/plant.py diff "$ref" "$D/vmcore" | sed 's/^/     /'
		exit 1
	fi
else
	say "skipped: no Linux oracle ($(tail -n 1 "$D/oracle.err"))"
fi

printf '\nDone. Reminder: the crash above was SYNTHETIC (planted by tests/lib/plant.py); files are in %s/.\n' "$D"
