#!/bin/bash
# A corrupt elfcorehdr must not lose the dump: salvage warns, falls back to the memory map and still
# sends a complete dump of all RAM (small guest RAM: the fallback dumps every byte of it) in which
# every planted page sits at its physical address, and backup= substitution shows copied low memory.
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init synthetic-fallback
. tests/lib/synthetic.sh
synthetic_need

# Plant just above salvage's own image (QEMU -kernel loads it at 2 MiB), so RAM can stay tiny.
img_end=0
while read -r _ _ vaddr _ _ memsz _; do
	e=$((vaddr + memsz))
	[ $e -gt $img_end ] && img_end=$e
done < <(readelf -lW "$SALVAGE_ELF" | grep '^  LOAD')
base=$(( ((0x200000 + img_end + 0xfffff) / 0x100000 + 1) * 0x100000 ))

for kind in magic phnum; do
	synthetic_plant "$kind" --variant corrupt --corrupt "$kind" --base "$base" --seed 7
	ram=$((PLANT_END_MB + 2))
	# The "magic" run also says the low 640 KiB were copied to the planted backup area (the seed's
	# scheme): the dump must then show those bytes at physical 0.
	extra=""
	backup_dst=$((base + 0x200000))
	[ "$kind" = magic ] && extra=" backup=0xa0000@0:$(printf 0x%x $backup_dst)"
	synthetic_salvage "$kind" "$ram" 240 "elfcorehdr=$ELFCOREHDR dump=serial$extra"
	require "$T/$kind.serial" 'elfcorehdr.*unusable.*memory map' "$kind: a warning says the elfcorehdr is unusable and the memory map serves"
	synthetic_recv "$kind" || continue
	python3 "$PLANT" check "$T/$kind.vmcore" "$PLANT_DIR" --memmap | sed "s/^\(not \)\{0,1\}ok /&$kind: /"
	if [ "$kind" = magic ]; then
		check "$kind: backup= puts the bytes planted at $(printf 0x%x $backup_dst) at physical 0-0x9f000" python3 -c '
import sys; sys.path.insert(0, "tests/lib"); import plant
data, _, _, ph = plant.read_core(sys.argv[1])
want = open(sys.argv[2], "rb").read()[:0x9f000]
p = [p for p in ph if p["type"] == plant.PT_LOAD and p["paddr"] == 0]
sys.exit(0 if p and p[0]["filesz"] >= len(want) and data[p[0]["offset"]:p[0]["offset"] + len(want)] == want else
         "paddr 0 does not hold the backup bytes")' "$T/$kind.vmcore" "$(ls "$PLANT_DIR"/backup-*.bin)"
	fi
	covered=$(python3 -c '
import sys; sys.path.insert(0, "tests/lib"); import plant
_, _, _, ph = plant.read_core(sys.argv[1])
print(sum(p["filesz"] for p in ph if p["type"] == plant.PT_LOAD) >> 20)' "$T/$kind.vmcore")
	# All RAM but salvage's own image (about 1 MiB) and the PC holes below 1 MiB.
	[ "$covered" -ge $((ram - 3)) ] && ok "$kind: PT_LOADs cover $covered MiB of the ${ram} MiB guest" ||
		not_ok "$kind: PT_LOADs cover the RAM" "only $covered MiB of ${ram} MiB"
done
finish
