#!/bin/bash
# Rare but legal crash states must still give Linux's /proc/vmcore byte for byte: a CPU note buffer
# with an extra note and an overrunning one (Linux drops it), VMCOREINFO across a page boundary, two
# segments sharing a page, and a segment above 4 GiB (salvage reads it through PAE windows).
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init synthetic-edge
. tests/lib/synthetic.sh
synthetic_need

synthetic_plant edge --variant edge --seed 5
synthetic_oracle
python3 "$PLANT" model "$PLANT_DIR" "$T/model.vmcore" >/dev/null
check "plant.py's model equals Linux's /proc/vmcore on the edge cases" cmp "$ORACLE" "$T/model.vmcore"
require "${ORACLE%.vmcore}.log" 'Exceeded p_memsz' "Linux dropped the overrunning note (its warning)"

# pentium3: an i686 with PSE-36, so PAE reaches 36-bit addresses (QEMU's default qemu32 stops at 32).
synthetic_salvage edge "$PLANT_RAM_MB" 180 "elfcorehdr=$ELFCOREHDR dump=serial" -cpu pentium3
require "$T/edge.serial" 'PAE windows' "edge: salvage reads above 4 GiB through PAE windows"
forbid "$T/edge.serial" 'unusable|memory map instead' "edge: the elfcorehdr was accepted"
require "$T/edge.serial" 'salvage: .*(Exceeded|overrun|runs past|dropping)' "edge: salvage warns about the overrunning note"
synthetic_recv edge
synthetic_compare edge "$ORACLE" "Linux's /proc/vmcore"
synthetic_readelf edge 2
finish
