#!/bin/bash
# A corrupt elfcorehdr must not lose the dump: salvage warns, falls back to the memory map and still
# sends a complete dump of all RAM (small guest RAM: the fallback dumps every byte of it) in which
# every planted page sits at its physical address.
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
	synthetic_salvage "$kind" "$ram" 240 "elfcorehdr=$ELFCOREHDR dump=serial"
	require "$T/$kind.serial" 'elfcorehdr.*unusable.*memory map' "$kind: a warning says the elfcorehdr is unusable and the memory map serves"
	synthetic_recv "$kind" || continue
	python3 "$PLANT" check "$T/$kind.vmcore" "$PLANT_DIR" --memmap | sed "s/^\(not \)\{0,1\}ok /&$kind: /"
	covered=$(python3 -c '
import sys; sys.path.insert(0, "tests/lib"); import plant
_, _, _, ph = plant.read_core(sys.argv[1])
print(sum(p["filesz"] for p in ph if p["type"] == plant.PT_LOAD) >> 20)' "$T/$kind.vmcore")
	# All RAM but salvage's own image (about 1 MiB) and the PC holes below 1 MiB.
	[ "$covered" -ge $((ram - 3)) ] && ok "$kind: PT_LOADs cover $covered MiB of the ${ram} MiB guest" ||
		not_ok "$kind: PT_LOADs cover the RAM" "only $covered MiB of ${ram} MiB"
done
finish
