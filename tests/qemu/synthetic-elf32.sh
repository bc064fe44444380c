#!/bin/bash
# salvage on a synthetic ELF32 EM_386 crash state (what an i386 kernel's kexec-tools builds) over
# serial, compared byte for byte with the /proc/vmcore of Debian's 32-bit (686-pae) Linux booted on
# the same planted state (tests/lib/oracle.sh); plant.py's ELF32 model is checked against it too.
# The state carries synthetic-edge's rare cases that ELF32 can hold (a CPU note buffer with an extra
# note and an overrunning one, VMCOREINFO across a page boundary, two segments sharing a page), so
# the ELF32 paths of both Linux and salvage are held to them as well.
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init synthetic-elf32
. tests/lib/synthetic.sh
synthetic_need

synthetic_plant elf32 --variant elf32-edge --seed 32
synthetic_oracle
log=${ORACLE%.vmcore}.log
require "$log" '^ORACLE uname: [^ ]*-686(-pae)? i686' "the reference comes from Debian's 32-bit (686) Linux"
forbid "$log" 'not sane|Kdump: vmcore not initialized' "32-bit Linux accepted the ELF32 elfcorehdr"
if readelf -hW "$ORACLE" 2>&1 | grep -q 'Class: *ELF32' && readelf -hW "$ORACLE" | grep -q 'Machine: *Intel 80386'; then
	ok "32-bit Linux's /proc/vmcore is ELF32 EM_386"
else
	not_ok "32-bit Linux's /proc/vmcore is ELF32 EM_386" "$(readelf -hW "$ORACLE" 2>&1 | grep -E 'Class|Machine' | tr -s ' \n' ' ')"
fi
python3 "$PLANT" check "$ORACLE" "$PLANT_DIR" | sed 's/^\(not \)\{0,1\}ok /&oracle: /'
python3 "$PLANT" model "$PLANT_DIR" "$T/model.vmcore" >/dev/null || { not_ok "model" "plant.py model failed"; finish; }
check "plant.py's ELF32 model equals 32-bit Linux's /proc/vmcore" cmp "$ORACLE" "$T/model.vmcore"
require "$log" 'Exceeded p_memsz' "32-bit Linux dropped the overrunning note (its warning)"

synthetic_salvage elf32 256 180 "elfcorehdr=$ELFCOREHDR_K dump=serial"
forbid "$T/elf32.serial" 'unusable|memory map instead' "elf32: the ELF32 elfcorehdr was accepted"
require "$T/elf32.serial" 'salvage: .*(Exceeded|overrun|runs past|dropping)' "elf32: salvage warns about the overrunning note"
synthetic_recv elf32
synthetic_compare elf32 "$ORACLE" "32-bit Linux's /proc/vmcore (ELF32)"
synthetic_readelf elf32 2
python3 "$PLANT" check "$T/elf32.vmcore" "$PLANT_DIR"
finish
