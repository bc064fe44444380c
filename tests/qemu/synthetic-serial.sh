#!/bin/bash
# salvage on a synthetic ELF64 crash state over serial must reproduce Linux's /proc/vmcore byte for
# byte, with elfcorehdr= given as 0x<hex> (kexec_file) and as <N>K (kexec-tools), and with the header
# passed as a multiboot module instead.
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init synthetic-serial
. tests/lib/synthetic.sh
synthetic_need

synthetic_plant elf64 --variant elf64
synthetic_oracle
python3 "$PLANT" model "$PLANT_DIR" "$T/model.vmcore" >/dev/null
check "plant.py's model of the vmcore layout equals Linux's /proc/vmcore (ELF64)" cmp "$ORACLE" "$T/model.vmcore"

synthetic_salvage hex 256 180 "elfcorehdr=$ELFCOREHDR dump=serial"
forbid "$T/hex.serial" 'unusable|memory map instead' "hex: the elfcorehdr at $ELFCOREHDR was accepted"
synthetic_recv hex
synthetic_compare hex "$ORACLE" "Linux's /proc/vmcore"
synthetic_readelf hex 1
python3 "$PLANT" check "$T/hex.vmcore" "$PLANT_DIR" | grep -v '^ok' | sed 's/^/#   /'

synthetic_salvage kform 256 180 "elfcorehdr=$ELFCOREHDR_K dump=serial"
forbid "$T/kform.serial" 'unusable|memory map instead' "kform: the elfcorehdr at $ELFCOREHDR_K was accepted"
synthetic_recv kform
synthetic_compare kform "$ORACLE" "Linux's /proc/vmcore"

# The elfcorehdr as a multiboot module (how salvage-load passes it with --type multiboot-x86; QEMU
# passes -initrd files as modules) and not in memory at all: no elfcorehdr= on the command line.
hdr=$(ls "$PLANT_DIR"/elfcorehdr-*.bin)
LOADER_ALL=("${LOADER[@]}")
LOADER=()
for ((i = 0; i < ${#LOADER_ALL[@]}; i += 2)); do
	case ${LOADER_ALL[i + 1]} in *"file=$hdr,"*) ;; *) LOADER+=("${LOADER_ALL[i]}" "${LOADER_ALL[i + 1]}") ;; esac
done
synthetic_salvage module 256 180 "dump=serial" -initrd "$hdr"
forbid "$T/module.serial" 'unusable|memory map|no elfcorehdr' "module: the ELF core header module was used"
synthetic_recv module
synthetic_compare module "$ORACLE" "Linux's /proc/vmcore"
LOADER=("${LOADER_ALL[@]}")
finish
