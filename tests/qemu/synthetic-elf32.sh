#!/bin/bash
# salvage on a synthetic ELF32 EM_386 crash state (what an i386 kernel's kexec-tools builds) over
# serial. Linux x86_64 rejects such a header ("Core image elf header is not sane"), so the reference
# is plant.py's model of Linux's layout, which synthetic-serial checks against Linux on ELF64.
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init synthetic-elf32
. tests/lib/synthetic.sh
synthetic_need

synthetic_plant elf32 --variant elf32 --seed 32
python3 "$PLANT" model "$PLANT_DIR" "$T/model.vmcore" >/dev/null || { not_ok "model" "plant.py model failed"; finish; }
synthetic_salvage elf32 256 180 "elfcorehdr=$ELFCOREHDR_K dump=serial"
forbid "$T/elf32.serial" 'unusable|memory map instead' "elf32: the ELF32 elfcorehdr was accepted"
synthetic_recv elf32
synthetic_compare elf32 "$T/model.vmcore" "the model of Linux's layout (ELF32)"
synthetic_readelf elf32 1
python3 "$PLANT" check "$T/elf32.vmcore" "$PLANT_DIR"
finish
